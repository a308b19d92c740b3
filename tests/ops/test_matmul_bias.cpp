// pl::matmul_bias (ops/matmul_bias.hpp): the chain starts at the bias (the device's order), then
// pl::matmul's k-ascending fma chain. Against a slow loop, against matmul_acc of the broadcast
// bias, and against the other order (sum first, then + bias) which must differ where it rounds.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

#include <string>

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {

std::vector<float> values(rng& r, ix count)
{
    std::vector<float> v(static_cast<std::size_t>(count));
    for (float& f : v)
        f = r.value(-10, 10);
    return v;
}

} // namespace

TEST_CASE("matmul_bias: each chain starts at bias[j], k ascending, fma; K = 0 gives the bias")
{
    rng r(21);
    for (ix m : {1, 4})
        for (ix n : {1, 7, 33})
            for (ix k : {0, 1, 9, 40}) {
                const auto av = values(r, m * k), bv = values(r, k * n), cv = values(r, n);
                const auto a = tensor_from<float>({m, k}, av), b = tensor_from<float>({k, n}, bv);
                const auto bias = tensor_from<float>({1, n}, cv);
                std::vector<std::uint32_t> want;
                for (ix i = 0; i < m; ++i)
                    for (ix j = 0; j < n; ++j) {
                        float acc = cv[static_cast<std::size_t>(j)];
                        for (ix p = 0; p < k; ++p)
                            acc = std::fma(av[static_cast<std::size_t>(i * k + p)],
                                           bv[static_cast<std::size_t>(p * n + j)], acc);
                        want.push_back(bits(canon(acc)));
                    }
                const auto c = pl::tile::matmul_bias(a, b, bias);
                CHECK(bits_of(c) == want);
                CHECK(bits_of(pl::matmul_acc(pl::col_expand(pl::full({m, n}, pl::FP32, 0.0f), bias), a, b)) == want);
            }
}

TEST_CASE("matmul_bias is not (a @ b) + bias: the bias absorbs products that the sum would keep")
{
    // Two products of 2^-24 onto 1.0: each rounds back to 1 (ties to even); summed first they make 2^-23.
    const auto a = tensor_from<float>({1, 2}, {0x1p-12f, 0x1p-12f});
    const auto b = tensor_from<float>({2, 1}, {0x1p-12f, 0x1p-12f});
    const auto bias = tensor_from<float>({1, 1}, {1.0f});
    CHECK(pl::matmul_bias(a, b, bias).to_vector() == std::vector<float>{1.0f});
    CHECK(pl::add(pl::matmul(a, b), bias).to_vector() == std::vector<float>{1.0f + 0x1p-23f});
}

TEST_CASE("matmul_bias on bf16 and INT8 operands: FP32 and INT32 (wrapping) accumulators")
{
    const auto ab = pl::cast(tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6}), pl::BF16);
    const auto bb = pl::cast(tensor_from<float>({3, 2}, {1, 0, 0, 1, 1, 1}), pl::BF16);
    const auto c = pl::matmul_bias(ab, bb, tensor_from<float>({1, 2}, {0.5f, -1.0f}));
    static_assert(std::is_same_v<decltype(c), const ptoref::Tensor<float>>);
    CHECK(c.to_vector() == std::vector<float>{4.5f, 4.0f, 10.5f, 10.0f});
    const auto a8 = tensor_from<std::int8_t>({1, 2}, {-128, 127});
    const auto b8 = tensor_from<std::int8_t>({2, 2}, {-128, 1, 1, 1});
    const auto bias = tensor_from<std::int32_t>({1, 2}, {INT32_MAX, 5});
    // 16384 + 127 onto INT32_MAX wraps; the other column is 5 - 128 + 127.
    const std::int64_t wrapped = std::int64_t{INT32_MAX} + 16384 + 127 - (std::int64_t{1} << 32);
    CHECK(pl::matmul_bias(a8, b8, bias).to_vector() ==
          std::vector<std::int32_t>{static_cast<std::int32_t>(wrapped), 4});
}

TEST_CASE("matmul_bias definedness, valid region and observer reports")
{
    const auto a = pl::full({2, 3}, pl::FP32, 1.0f), b = pl::full({3, 4}, pl::FP32, 1.0f);
    auto bias = pl::create_tensor({1, 4}, pl::FP32);
    bias = pl::assemble(bias, pl::full({1, 3}, pl::FP32, 2.0f), {0, 0}); // bias[0, 3] undefined
    const auto c = pl::matmul_bias(a, b, bias);
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 0, 1, 1, 1, 0});
    CHECK(c.to_vector()[0] == 5.0f);
    const auto full_bias = pl::full({1, 4}, pl::FP32, 0.0f);
    CHECK(pl::matmul_bias(a, b, pl::slice(full_bias, {1, 4}, {0, 0}, {1, 2})).valid_shape() == dims{2, 2});
    CHECK(pl::matmul_bias(a, b, pl::slice(full_bias, {1, 4}, {0, 0}, {0, 4})).valid_shape() == dims{2, 0});
    CHECK(pl::matmul_bias(pl::slice(a, {2, 3}, {0, 0}, {1, 3}), b, full_bias).valid_shape() == dims{1, 4});

    struct recorder : ptoref::detail::access_observer {
        std::vector<ptoref::access_event> events;
        void on_create(ptoref::detail::buffer_base&, std::string_view, const ptoref::source_location&) override {}
        void on_access(const ptoref::access_event& e) override { events.push_back(e); }
        void on_undefined_read(const ptoref::access_event&, const std::string&) override {}
    } rec;
    {
        ptoref::detail::observer_scope scope(&rec);
        (void)pl::matmul_bias(a, b, full_bias);
    }
    REQUIRE(rec.events.size() == 4);
    CHECK(rec.events[0].geometry.shape == dims{1, 4});
    CHECK(rec.events[1].geometry.shape == dims{2, 3});
    CHECK(rec.events[2].geometry.shape == dims{3, 4});
    CHECK(rec.events[3].kind == ptoref::access_kind::write);
    CHECK(rec.events[3].op == "pl::matmul_bias");
}

TEST_CASE("matmul_bias errors name the op, the shapes and the call site")
{
    const auto a = pl::full({2, 3}, pl::FP32, 1.0f), b = pl::full({3, 4}, pl::FP32, 1.0f);
    CHECK_THROWS_WITH(pl::matmul_bias(a, b, pl::full({2, 4}, pl::FP32, 0.0f)),
                      Catch::Contains("pl::matmul_bias") && Catch::Contains("bias is [2, 4]") &&
                          Catch::Contains("[1, 4]") && Catch::Contains("test_matmul_bias.cpp:"));
    CHECK_THROWS_WITH(pl::matmul_bias(a, b, pl::full({1, 5}, pl::FP32, 0.0f)), Catch::Contains("bias is [1, 5]"));
    CHECK_THROWS_WITH(pl::matmul_bias(a, b, pl::full({4}, pl::FP32, 0.0f)), Catch::Contains("bias is [4]"));
    CHECK_THROWS_WITH(pl::matmul_bias(a, pl::full({4, 4}, pl::FP32, 1.0f), pl::full({1, 4}, pl::FP32, 0.0f)),
                      Catch::Contains("K mismatch") && Catch::Contains("[2, 3]") && Catch::Contains("[4, 4]"));
    CHECK_THROWS_WITH(pl::matmul_bias(pl::full({1, 2, 3}, pl::FP32, 1.0f), b, pl::full({1, 4}, pl::FP32, 0.0f)),
                      Catch::Contains("must be 2-D") && Catch::Contains("[1, 2, 3]"));
    CHECK_THROWS_WITH(pl::matmul_bias(a, b, ptoref::Tensor<float>{}),
                      Catch::Contains("bias is an empty tensor handle"));
}
