#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {
// Naive oracle: acc from +0, k ascending, fma; A is MxK logical, B is KxN logical.
std::vector<float> oracle(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k, bool at,
                          bool bt)
{
    std::vector<float> c(static_cast<std::size_t>(m * n));
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            float acc = 0.0f;
            for (int p = 0; p < k; ++p) {
                const float x = at ? a[static_cast<std::size_t>(p * m + i)] : a[static_cast<std::size_t>(i * k + p)];
                const float y = bt ? b[static_cast<std::size_t>(j * k + p)] : b[static_cast<std::size_t>(p * n + j)];
                acc = std::fma(x, y, acc);
            }
            c[static_cast<std::size_t>(i * n + j)] = acc;
        }
    return c;
}
} // namespace

TEST_CASE("fp32 matmul equals the naive fma loop for every transpose combination")
{
    rng r(17);
    const int m = 7, n = 9, k = 33;
    std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
    for (float& f : a)
        f = r.value(-12, 12);
    for (float& f : b)
        f = r.value(-12, 12);
    for (bool at : {false, true})
        for (bool bt : {false, true}) {
            auto ta = tensor_from<float>(at ? dims{k, m} : dims{m, k}, a);
            auto tb = tensor_from<float>(bt ? dims{n, k} : dims{k, n}, b);
            const auto c = pl::matmul(ta, tb, pl::FP32, at, bt);
            REQUIRE(c.shape() == dims{m, n});
            const auto want = oracle(a, b, m, n, k, at, bt);
            for (std::size_t i = 0; i < want.size(); ++i)
                REQUIRE(bits(c.to_vector()[i]) == bits(want[i]));
        }
}

TEST_CASE("bf16 inputs accumulate in fp32 and narrow once to nearest-even")
{
    rng r(23);
    const int m = 5, n = 6, k = 64;
    std::vector<bf16> a, b;
    std::vector<float> af, bf;
    for (int i = 0; i < m * k; ++i) {
        a.push_back(ptoref::convert<bf16>(r.value(), ptoref::cast_mode::rint));
        af.push_back(a.back().to_float());
    }
    for (int i = 0; i < k * n; ++i) {
        b.push_back(ptoref::convert<bf16>(r.value(), ptoref::cast_mode::rint));
        bf.push_back(b.back().to_float());
    }
    auto ta = tensor_from<bf16>({m, k}, a),
         tb = tensor_from<bf16>({n, k}, [&] {
             std::vector<bf16> t(static_cast<std::size_t>(n * k));
             for (int p = 0; p < k; ++p)
                 for (int j = 0; j < n; ++j)
                     t[static_cast<std::size_t>(j * k + p)] = b[static_cast<std::size_t>(p * n + j)];
             return t;
         }());
    const auto want = oracle(af, bf, m, n, k, false, false);
    const auto c32 = pl::matmul(ta, tb, pl::FP32, false, true).to_vector();
    const auto c16 = pl::matmul(ta, tb, pl::BF16, false, true).to_vector();
    const auto c_default = pl::matmul(ta, pl::transpose(tb, 0, 1)); // out dtype = operand dtype
    for (std::size_t i = 0; i < want.size(); ++i) {
        REQUIRE(bits(c32[i]) == bits(want[i]));
        REQUIRE(c16[i].bits == ptoref::convert<bf16>(want[i], ptoref::cast_mode::rint).bits);
        REQUIRE(c_default.to_vector()[i].bits == c16[i].bits);
    }
}

TEST_CASE("int32 matmul accumulates in int32, wrapping")
{
    auto a = tensor_from<std::int32_t>({1, 2}, {INT32_MAX, 1});
    auto b = tensor_from<std::int32_t>({2, 1}, {1, 1});
    CHECK(pl::matmul(a, b).to_vector()[0] == INT32_MIN);
}

TEST_CASE("matmul + matmul_acc over split K gives the bits of one matmul")
{
    rng r(31);
    const int m = 4, n = 5, k = 40, k1 = 17;
    std::vector<bf16> a, b;
    for (int i = 0; i < m * k; ++i)
        a.push_back(ptoref::convert<bf16>(r.value(-20, 20), ptoref::cast_mode::rint));
    for (int i = 0; i < k * n; ++i)
        b.push_back(ptoref::convert<bf16>(r.value(-20, 20), ptoref::cast_mode::rint));
    auto ta = tensor_from<bf16>({m, k}, a), tb = tensor_from<bf16>({k, n}, b);
    auto whole = pl::matmul(ta, tb, pl::FP32);
    auto part = pl::matmul(pl::slice(ta, {m, k1}, {0, 0}), pl::slice(tb, {k1, n}, {0, 0}), pl::FP32);
    auto acc = pl::matmul_acc(part, pl::slice(ta, {m, k - k1}, {0, k1}), pl::slice(tb, {k - k1, n}, {k1, 0}));
    CHECK(bits_of(acc) == bits_of(whole));
    CHECK_THROWS_WITH(pl::matmul_acc(pl::full({3, 3}, pl::FP32, 0.0f), ta, tb),
                      Catch::Contains("acc has shape [3, 3]"));
}

TEST_CASE("shape errors name both shapes, the flags and both Ks")
{
    auto a = pl::full({64, 128}, pl::BF16, 1.0f);
    auto b = pl::full({64, 64}, pl::BF16, 1.0f);
    CHECK_THROWS_WITH(pl::matmul(a, b, pl::FP32), Catch::Contains("K mismatch") && Catch::Contains("[64, 128]") &&
                                                      Catch::Contains("(K=128)") && Catch::Contains("(K=64)") &&
                                                      Catch::Contains("b_trans=false") &&
                                                      Catch::Contains("test_matmul.cpp:"));
    CHECK_THROWS_WITH(pl::matmul(pl::full({2, 2, 2}, pl::FP32, 1.0f), pl::full({2, 2}, pl::FP32, 1.0f)),
                      Catch::Contains("must be 2-D"));
}

TEST_CASE("an undefined row of a makes only that output row undefined")
{
    auto a = pl::create_tensor({3, 4}, pl::FP32);
    a = pl::assemble(a, pl::full({2, 4}, pl::FP32, 1.0f), {0, 0}); // row 2 stays undefined
    auto c = pl::matmul(a, pl::full({4, 2}, pl::FP32, 1.0f), pl::FP32);
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0});
    CHECK(c.to_vector()[0] == 4.0f);
}
