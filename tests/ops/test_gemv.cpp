// pl::gemv / gemv_acc / gemv_bias (ops/gemv.hpp): row 0 of a physical [16, N] accumulator tile
// with valid_shape [1, N]; the numbers of matmul / matmul_acc / matmul_bias on the one row.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {

std::vector<float> values(rng& r, ix count)
{
    std::vector<float> v(static_cast<std::size_t>(count));
    for (float& f : v)
        f = r.value(-10, 10);
    return v;
}

template <class T>
std::vector<std::uint32_t> row0_bits(const ptoref::Tensor<T>& t)
{
    const auto all = bits_of(t);
    const ix n = t.shape()[1];
    return {all.begin(), all.begin() + n};
}

} // namespace

TEST_CASE("gemv: [1, K] @ [K, N] into a [16, N] tile, valid [1, N]; rows 1..15 undefined")
{
    rng r(31);
    for (ix n : {1, 5, 40})
        for (ix k : {0, 1, 17, 64}) {
            const auto av = values(r, k), bv = values(r, k * n);
            const auto a = tensor_from<float>({1, k}, av), b = tensor_from<float>({k, n}, bv);
            const auto g = pl::gemv(a, b);
            REQUIRE(g.shape() == dims{16, n});
            CHECK(g.valid_shape() == dims{1, n});
            std::vector<std::uint32_t> want;
            for (ix j = 0; j < n; ++j) {
                float acc = 0.0f;
                for (ix p = 0; p < k; ++p)
                    acc = std::fma(av[static_cast<std::size_t>(p)], bv[static_cast<std::size_t>(p * n + j)], acc);
                want.push_back(bits(canon(acc)));
            }
            CHECK(row0_bits(g) == want);
            const auto mask = g.defined_mask();
            for (ix i = 0; i < 16 * n; ++i)
                CHECK(mask[static_cast<std::size_t>(i)] == (i < n ? 1 : 0));
            // acc_phase changes nothing.
            CHECK(bits_of(pl::gemv(a, b, pl::AccPhase::partial)) == bits_of(g));
            CHECK(bits_of(pl::tile::gemv(a, b, pl::AccPhase::final)) == bits_of(g));
            // gemv_acc continues the chain; gemv_bias starts it at the bias.
            const auto bias = tensor_from<float>({1, n}, values(r, n));
            const auto ga = pl::gemv_acc(g, a, b);
            CHECK(ga.shape() == dims{16, n});
            CHECK(ga.valid_shape() == dims{1, n});
            CHECK(row0_bits(ga) == bits_of(pl::matmul_acc(pl::matmul(a, b, pl::FP32), a, b)));
            const auto gb = pl::gemv_bias(a, b, bias);
            CHECK(gb.valid_shape() == dims{1, n});
            CHECK(row0_bits(gb) == bits_of(pl::matmul_bias(a, b, bias)));
        }
}

TEMPLATE_TEST_CASE("gemv on 16-bit operands accumulates in FP32", "", bf16, fp16)
{
    const auto a = pl::cast(tensor_from<float>({1, 3}, {1.5f, -2.0f, 0.25f}), ptoref::dtype_tag<TestType>{});
    const auto b = pl::cast(tensor_from<float>({3, 2}, {1, 2, 3, 4, 5, 6}), ptoref::dtype_tag<TestType>{});
    const auto g = pl::gemv(a, b);
    static_assert(std::is_same_v<decltype(g), const ptoref::Tensor<float>>);
    CHECK(g.to_vector()[0] == 1.5f - 6.0f + 1.25f);
    CHECK(g.to_vector()[1] == 3.0f - 8.0f + 1.5f);
}

TEST_CASE("gemv on INT8 accumulates in INT32")
{
    const auto a = tensor_from<std::int8_t>({1, 3}, {-128, 127, 3});
    const auto b = tensor_from<std::int8_t>({3, 1}, {-128, 127, -1});
    const auto g = pl::gemv(a, b);
    static_assert(std::is_same_v<decltype(g), const ptoref::Tensor<std::int32_t>>);
    CHECK(g.to_vector()[0] == 16384 + 16129 - 3);
    const auto gb = pl::gemv_bias(a, b, tensor_from<std::int32_t>({1, 1}, {-32510}));
    CHECK(gb.to_vector()[0] == 0);
}

TEST_CASE("gemv errors: lhs not one row, acc not gemv's tile, bias rows, acc_phase")
{
    const auto b = pl::full({3, 4}, pl::FP32, 1.0f);
    CHECK_THROWS_WITH(pl::gemv(pl::full({2, 3}, pl::FP32, 1.0f), b),
                      Catch::Contains("pl::gemv") && Catch::Contains("exactly one row") &&
                          Catch::Contains("FP32[2, 3]") && Catch::Contains("test_gemv.cpp:"));
    CHECK_THROWS_WITH(pl::gemv(pl::slice(pl::full({1, 3}, pl::FP32, 1.0f), {1, 3}, {0, 0}, {0, 3}), b),
                      Catch::Contains("exactly one row"));
    CHECK_THROWS_WITH(pl::gemv(pl::full({1, 2}, pl::FP32, 1.0f), b), Catch::Contains("K mismatch"));
    CHECK_THROWS_WITH(pl::gemv(pl::full({1, 3}, pl::FP32, 1.0f), b, static_cast<pl::AccPhase>(7)),
                      Catch::Contains("acc_phase 7"));
    const auto a = pl::full({1, 3}, pl::FP32, 1.0f);
    CHECK_THROWS_WITH(pl::gemv_acc(pl::full({1, 4}, pl::FP32, 0.0f), a, b),
                      Catch::Contains("pl::gemv_acc") && Catch::Contains("[16, 4]") && Catch::Contains("[1, 4]"));
    CHECK_THROWS_WITH(pl::gemv_acc(pl::full({16, 4}, pl::FP32, 0.0f), a, b), Catch::Contains("valid_shape [1, 4]"));
    CHECK_THROWS_WITH(pl::gemv_bias(a, b, pl::full({2, 4}, pl::FP32, 0.0f)), Catch::Contains("exactly one valid row"));
    CHECK_THROWS_WITH(pl::gemv_bias(a, b, pl::full({1, 5}, pl::FP32, 0.0f)), Catch::Contains("bias is [1, 5]"));
}
