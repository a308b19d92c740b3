#include <ptoref/ptoref.hpp>
#include <ptoref/testing/compare.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <limits>

namespace pl = ptoref::pl;
using ptoref::tensor_from;
using ptoref::testing::allclose;
using ptoref::testing::ratio_allclose;

namespace {
const float inf = std::numeric_limits<float>::infinity();
const float qnan = std::numeric_limits<float>::quiet_NaN();
} // namespace

TEST_CASE("allclose uses |a - e| <= atol + rtol * |e| per element")
{
    auto e = tensor_from<float>({4}, {1.0f, -2.0f, 100.0f, 0.0f});
    // Bound for element 2 is 0.1 + 0.01 * 100 = 1.1.
    auto ok = tensor_from<float>({4}, {1.05f, -2.05f, 101.0f, 0.09f});
    auto bad = tensor_from<float>({4}, {1.05f, -2.05f, 101.2f, 0.11f});
    CHECK(allclose(ok, e, 0.01, 0.1).passed);
    const auto r = allclose(bad, e, 0.01, 0.1);
    CHECK_FALSE(r.passed);
    CHECK(r.mismatches == 2);
    REQUIRE(r.first.size() == 2);
    CHECK(r.first[0].index == ptoref::dims{2});
    CHECK(r.first[1].index == ptoref::dims{3});
    CHECK(r.max_abs_error == Approx(1.2).epsilon(1e-5));
}

TEST_CASE("allclose: NaN never matches, equal infinities do")
{
    CHECK_FALSE(allclose(tensor_from<float>({1}, {qnan}), tensor_from<float>({1}, {qnan})).passed);
    CHECK(allclose(tensor_from<float>({2}, {inf, -inf}), tensor_from<float>({2}, {inf, -inf})).passed);
    CHECK_FALSE(allclose(tensor_from<float>({1}, {inf}), tensor_from<float>({1}, {-inf})).passed);
    CHECK_FALSE(allclose(tensor_from<float>({1}, {1e30f}), tensor_from<float>({1}, {inf}), 1.0, 1.0).passed);
}

TEST_CASE("allclose reports indices of the first mismatches in row-major order and a max ulp error")
{
    std::vector<float> ev(12, 1.0f), av(12, 1.0f);
    av[5] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(1.0f) + 3); // 3 ulp
    av[11] = 2.0f;
    const auto r = allclose(tensor_from<float>({3, 4}, av), tensor_from<float>({3, 4}, ev), 0.0, 0.0);
    REQUIRE(r.mismatches == 2);
    CHECK(r.first[0].index == ptoref::dims{1, 1});
    CHECK(r.first[1].index == ptoref::dims{2, 3});
    CHECK(r.max_ulp_error == (1u << 23));
    const std::string text = r.str();
    CHECK_THAT(text, Catch::Contains("FAIL, 2/12 mismatches"));
    CHECK_THAT(text, Catch::Contains("at [1, 1]"));
    CHECK_THAT(text, Catch::Contains("at [2, 3]: actual 2, expected 1"));
}

TEST_CASE("allclose lists at most max_listed mismatches and says how many more")
{
    std::vector<float> av(30, 1.0f), ev(30, 0.0f);
    const auto r = allclose(tensor_from<float>({30}, av), tensor_from<float>({30}, ev), 0.0, 0.0, 5);
    CHECK(r.mismatches == 30);
    CHECK(r.first.size() == 5);
    CHECK_THAT(r.str(), Catch::Contains("... 25 more"));
}

TEST_CASE("allclose on bf16 compares values; ulp distance counts bf16 steps across zero")
{
    auto a = tensor_from<pl::bf16>({2}, {pl::bf16::from_bits(0x0001), pl::bf16::from_bits(0x3f81)});
    auto e = tensor_from<pl::bf16>({2}, {pl::bf16::from_bits(0x8001), pl::bf16::from_bits(0x3f80)});
    const auto r = allclose(a, e, 0.0, 0.0);
    CHECK(r.mismatches == 2);
    CHECK(r.max_ulp_error == 2); // +min_subnormal vs -min_subnormal
}

TEST_CASE("allclose of views compares the viewed elements")
{
    auto base = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    auto t = pl::transpose(base, 0, 1); // [[1,4],[2,5],[3,6]]
    CHECK(allclose(t, tensor_from<float>({3, 2}, {1, 4, 2, 5, 3, 6}), 0.0, 0.0).passed);
}

TEST_CASE("allclose rejects shape mismatches with both shapes in the message")
{
    REQUIRE_THROWS_WITH(allclose(tensor_from<float>({2}, {1, 2}), tensor_from<float>({1, 2}, {1, 2})),
                        Catch::Contains("shape mismatch") && Catch::Contains("FP32[2]") &&
                            Catch::Contains("FP32[1, 2]") && Catch::Contains("test_compare.cpp:"));
}

TEST_CASE("ratio_allclose allows round(ratio * numel) violations and fails any NaN or Inf")
{
    std::vector<float> ev(1000, 1.0f), av(1000, 1.0f);
    for (int i = 0; i < 5; ++i)
        av[static_cast<std::size_t>(i * 100)] = 2.0f;
    auto e = tensor_from<float>({1000}, ev);
    CHECK(ratio_allclose(tensor_from<float>({1000}, av), e, 1e-3, 1e-3, 0.005).passed); // 5 <= 5
    av[999] = 2.0f;
    const auto r = ratio_allclose(tensor_from<float>({1000}, av), e, 1e-3, 1e-3, 0.005);
    CHECK_FALSE(r.passed);
    CHECK(r.allowed_mismatches == 5);
    CHECK_THAT(r.str(), Catch::Contains("6/1000 mismatches (allowed 5)"));
    av[999] = inf;
    ev[999] = inf;
    CHECK(
        ratio_allclose(tensor_from<float>({1000}, av), tensor_from<float>({1000}, ev), 1e-3, 1e-3, 0.005).mismatches ==
        6);
}
