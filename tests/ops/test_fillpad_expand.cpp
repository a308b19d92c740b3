// pl::fillpad_expand (ops/fillpad_expand.hpp): the valid region top-left in a larger tensor.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;

TEST_CASE("fillpad_expand places the valid region top-left and pads the rest")
{
    auto x = pl::slice(iota<float>({2, 3}), {2, 3}, {0, 0}, {2, 2});
    const auto z = pl::fillpad_expand(x, {3, 4});
    CHECK(z.shape() == dims{3, 4});
    CHECK(z.fully_valid());
    CHECK(z.to_vector() == std::vector<float>{0, 1, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0});
    const auto mx = pl::fillpad_expand(x, {2, 3}, pl::PadValue::max);
    CHECK(bits_of(mx) == std::vector<std::uint32_t>{bits(0), bits(1), 0x7f800000u, bits(3), bits(4), 0x7f800000u});
    const auto mi = pl::fillpad_expand(iota<std::int32_t>({1, 1}, 5), {2, 2}, pl::PadValue::min);
    CHECK(mi.to_vector() == std::vector<std::int32_t>{5, INT32_MIN, INT32_MIN, INT32_MIN});
    const auto hb = pl::fillpad_expand(pl::full({1, 1}, pl::BF16, 2.0f), {1, 2}, pl::PadValue::min);
    CHECK(bits_of(hb) == std::vector<std::uint16_t>{0x4000, 0xff80});
    // Undefined inputs stay undefined; padding is defined.
    const auto u = pl::fillpad_expand(pl::create_tensor({1, 1}, pl::FP32), {1, 2});
    CHECK(u.defined_mask() == std::vector<std::uint8_t>{0, 1});
    CHECK(pl::fillpad_expand(pl::full({0, 2}, pl::FP32, 1.0f), {1, 2}).to_vector() == std::vector<float>{0, 0});
}

TEST_CASE("fillpad_expand errors")
{
    auto x = iota<float>({2, 3});
    CHECK_THROWS_WITH(pl::fillpad_expand(x, {1, 3}), Catch::Contains("at least as large"));
    CHECK_THROWS_WITH(pl::fillpad_expand(x, {2, 3, 1}), Catch::Contains("must have the rank"));
    CHECK_THROWS_WITH(pl::fillpad_expand(x, {2, -3}), Catch::Contains("negative extent"));
    CHECK_THROWS_WITH(pl::fillpad_expand(x, {2, 3}, static_cast<pl::PadValue>(7)), Catch::Contains("pad value 7"));
}
