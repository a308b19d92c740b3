#include <ptoref/ptoref.hpp>
#include <ptoref/testing/gtest.hpp>

namespace pl = ptoref::pl;
using ptoref::tensor_from;

TEST(PtorefGtest, IsAllClosePassesAndFailsWithReport)
{
    auto e = tensor_from<float>({3}, {1.0f, 2.0f, 3.0f});
    EXPECT_TRUE(ptoref::testing::IsAllClose(tensor_from<float>({3}, {1.001f, 2.0f, 3.0f}), e, 2e-3, 2e-3));
    const auto r = ptoref::testing::IsAllClose(tensor_from<float>({3}, {1.0f, 2.5f, 3.0f}), e, 2e-3, 2e-3);
    EXPECT_FALSE(r);
    EXPECT_NE(std::string(r.message()).find("1/3 mismatches"), std::string::npos);
}

TEST(PtorefGtest, IsRatioAllClose)
{
    std::vector<float> ev(200, 1.0f), av(200, 1.0f);
    av[3] = 9.0f;
    EXPECT_TRUE(ptoref::testing::IsRatioAllClose(tensor_from<float>({200}, av), tensor_from<float>({200}, ev), 1e-3,
                                                 1e-3, 0.005));
}

TEST(PtorefGtest, HasDigestOf)
{
    auto t = tensor_from<float>({2}, {1.0f, -2.0f});
    EXPECT_TRUE(ptoref::testing::HasDigestOf(t, "ee4ac73c2bd27756ab82780f27c73a7bc4d3f0bb6acb37e008bc27eccd7e588b"));
    const auto r = ptoref::testing::HasDigestOf(t, "00");
    EXPECT_FALSE(r);
    EXPECT_NE(std::string(r.message()).find("has SHA-256 ee4ac73c"), std::string::npos);
}
