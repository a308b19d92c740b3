#include <ptoref/ptoref.hpp>
#include <ptoref/testing/catch2.hpp>

namespace pl = ptoref::pl;
using ptoref::tensor_from;
using namespace ptoref::testing;

TEST_CASE("AllClose matcher passes and fails like allclose, and describes the mismatches")
{
    auto e = tensor_from<float>({3}, {1.0f, 2.0f, 3.0f});
    auto close = tensor_from<float>({3}, {1.001f, 2.0f, 3.0f});
    auto far = tensor_from<float>({3}, {1.0f, 2.5f, 3.0f});
    REQUIRE_THAT(close, AllClose(e, 2e-3, 2e-3));
    const auto m = AllClose(e, 2e-3, 2e-3);
    CHECK_FALSE(m.match(far));
    CHECK_THAT(m.describe(), Catch::Contains("1/3 mismatches") && Catch::Contains("at [1]: actual 2.5, expected 2"));
}

TEST_CASE("RatioAllClose matcher tolerates the allowed fraction")
{
    std::vector<float> ev(200, 1.0f), av(200, 1.0f);
    av[7] = 5.0f;
    REQUIRE_THAT(tensor_from<float>({200}, av), RatioAllClose(tensor_from<float>({200}, ev), 1e-3, 1e-3, 0.005));
    av[8] = 5.0f;
    CHECK_FALSE(RatioAllClose(tensor_from<float>({200}, ev), 1e-3, 1e-3, 0.005).match(tensor_from<float>({200}, av)));
}

TEST_CASE("HasDigest matcher compares SHA-256 and reports the actual digest")
{
    auto t = tensor_from<float>({2}, {1.0f, -2.0f});
    REQUIRE_THAT(t, HasDigest<float>("ee4ac73c2bd27756ab82780f27c73a7bc4d3f0bb6acb37e008bc27eccd7e588b"));
    auto m = HasDigest<float>("00");
    CHECK_FALSE(m.match(t));
    CHECK_THAT(m.describe(), Catch::Contains("actual ee4ac73c"));
}
