#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

namespace {
// The documented order, written out independently: 16 lanes from -0, strided ascending, then
// the (l, l+8), (l, l+4), (l, l+2), (l, l+1) tree.
float canonical_sum(const std::vector<float>& row)
{
    float lane[16];
    for (float& l : lane)
        l = -0.0f;
    for (std::size_t j = 0; j < row.size(); ++j)
        lane[j % 16] = lane[j % 16] + row[j];
    for (int w = 8; w >= 1; w /= 2)
        for (int l = 0; l < w; ++l)
            lane[l] = lane[l] + lane[l + w];
    return lane[0] != lane[0] ? f32(0x7fc00000u) : lane[0];
}
} // namespace

TEST_CASE("row_sum follows the canonical 16-lane order, which differs from a sequential sum")
{
    rng r(5);
    int differs_from_sequential = 0;
    for (int n = 1; n <= 300; ++n) {
        std::vector<float> row(static_cast<std::size_t>(n));
        for (float& f : row)
            f = r.value(-10, 24); // wide exponent range: order matters
        const float got = pl::row_sum(tensor_from<float>({1, n}, row)).to_vector()[0];
        REQUIRE(bits(got) == bits(canonical_sum(row)));
        float seq = 0.0f;
        for (float f : row)
            seq += f;
        differs_from_sequential += bits(seq) != bits(got);
    }
    CHECK(differs_from_sequential > 50); // so the order is really being tested
}

TEST_CASE("row_sum of -0s is -0; NaN and inf propagate; keepdim shape")
{
    CHECK(bits(pl::row_sum(tensor_from<float>({1, 3}, {-0.0f, -0.0f, -0.0f})).to_vector()[0]) == 0x80000000u);
    CHECK(bits(pl::row_sum(tensor_from<float>({1, 2}, {f32(0x7f800000u), f32(0xff800000u)})).to_vector()[0]) ==
          0x7fc00000u);
    auto t = pl::full({2, 3, 5}, pl::FP32, 1.0f);
    CHECK(pl::row_sum(t).shape() == dims{2, 3, 1});
    CHECK(pl::row_max(t).shape() == dims{2, 3, 1});
    CHECK(pl::row_sum(t).to_vector() == std::vector<float>(6, 5.0f));
}

TEST_CASE("bf16 row_sum rounds every addition to bf16")
{
    // 1 + 16 * 2^-9: in bf16 each 1 + 2^-9 rounds back to 1 (a tie to even), so lane 0 stays 1.
    std::vector<bf16> row(17, bf16::from_bits(0x3b00)); // 2^-9
    row[0] = bf16::from_bits(0x3f80);
    const auto got = pl::row_sum(tensor_from<bf16>({1, 17}, row)).to_vector()[0];
    // lane 0: 1 + 2^-9 -> 1 (tie, even); lanes 1..15: 2^-9; tree sums 15 * 2^-9 + 1 in bf16 steps.
    float lane[16];
    for (int l = 0; l < 16; ++l)
        lane[l] = l == 0 ? 1.0f : 0x1p-9f;
    for (int w = 8; w >= 1; w /= 2)
        for (int l = 0; l < w; ++l)
            lane[l] = ptoref::convert<bf16>(lane[l] + lane[l + w], ptoref::cast_mode::rint).to_float();
    CHECK(got.to_float() == lane[0]);
    CHECK(got.to_float() != 1.0f + 16 * 0x1p-9f);
}

TEST_CASE("row_max/row_min: NaN propagates, -0 < +0, any order")
{
    auto t = tensor_from<float>({3, 3}, {-0.0f, 0.0f, -1.0f, 1.0f, f32(0x7fc00001u), 2.0f, -5.0f, -0.0f, -7.0f});
    CHECK(bits_of(pl::row_max(t)) == std::vector<std::uint32_t>{0x00000000u, 0x7fc00000u, 0x80000000u});
    CHECK(bits_of(pl::row_min(t)) == std::vector<std::uint32_t>{0xbf800000u, 0x7fc00000u, 0xc0e00000u});
    auto i = tensor_from<std::int32_t>({1, 3}, {3, INT32_MIN, 9});
    CHECK(pl::row_max(i).to_vector()[0] == 9);
    CHECK(pl::row_min(i).to_vector()[0] == INT32_MIN);
}

TEST_CASE("padding participates; a fully padded row reduces to poison and is undefined")
{
    auto base = pl::full({2, 4}, pl::FP32, 1.0f);
    auto v = pl::slice(base, {2, 4}, {0, 0}, {1, 4});
    auto s = pl::row_sum(v);
    CHECK(s.to_vector()[0] == 4.0f);
    CHECK(s.is_defined({0, 0}));
    CHECK_FALSE(s.is_defined({1, 0}));
    CHECK_THROWS_WITH(pl::row_sum(pl::slice(base, {2, 0}, {0, 0})), Catch::Contains("at least one element"));
}
