// pl::fillpad (ops/fillpad.hpp): the valid region copied, every other element = the pad value,
// the result fully valid.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

namespace {
constexpr pl::PadValue all_pads[] = {pl::PadValue::zero, pl::PadValue::min, pl::PadValue::max};
}

TEST_CASE("fillpad pads with the device's values: -inf/+inf/0 for floats, INT32_MIN/MAX/0 for int32")
{
    CHECK(bits(pl::pad_value_of<float>(pl::PadValue::min)) == 0xff800000u);
    CHECK(bits(pl::pad_value_of<float>(pl::PadValue::max)) == 0x7f800000u);
    CHECK(bits(pl::pad_value_of<float>(pl::PadValue::zero)) == 0u); // +0, not -0
    CHECK(pl::pad_value_of<bf16>(pl::PadValue::min).bits == 0xff80);
    CHECK(pl::pad_value_of<bf16>(pl::PadValue::max).bits == 0x7f80);
    CHECK(pl::pad_value_of<bf16>(pl::PadValue::zero).bits == 0x0000);
    CHECK(pl::pad_value_of<fp16>(pl::PadValue::min).bits == 0xfc00);
    CHECK(pl::pad_value_of<fp16>(pl::PadValue::max).bits == 0x7c00);
    CHECK(pl::pad_value_of<fp16>(pl::PadValue::zero).bits == 0x0000);
    CHECK(pl::pad_value_of<std::int32_t>(pl::PadValue::min) == INT32_MIN);
    CHECK(pl::pad_value_of<std::int32_t>(pl::PadValue::max) == INT32_MAX);
    CHECK(pl::pad_value_of<std::int32_t>(pl::PadValue::zero) == 0);

    auto base = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    auto v = pl::slice(base, {2, 3}, {0, 0}, {1, 2});
    CHECK(bits_of(pl::fillpad(v, pl::PadValue::min)) ==
          std::vector<std::uint32_t>{bits(1), bits(2), 0xff800000u, 0xff800000u, 0xff800000u, 0xff800000u});
    CHECK(bits_of(pl::fillpad(v, pl::PadValue::max)) ==
          std::vector<std::uint32_t>{bits(1), bits(2), 0x7f800000u, 0x7f800000u, 0x7f800000u, 0x7f800000u});
    CHECK(bits_of(pl::fillpad(v)) == std::vector<std::uint32_t>{bits(1), bits(2), 0, 0, 0, 0}); // default: zero
    auto b = pl::slice(pl::full({1, 2}, pl::BF16, 1.0f), {1, 2}, {0, 0}, {1, 1});
    CHECK(bits_of(pl::fillpad(b, pl::PadValue::min)) == std::vector<std::uint16_t>{0x3f80, 0xff80});
    CHECK(bits_of(pl::fillpad(b, pl::PadValue::max)) == std::vector<std::uint16_t>{0x3f80, 0x7f80});
    auto h = pl::slice(pl::full({1, 2}, pl::FP16, 1.0f), {1, 2}, {0, 0}, {1, 1});
    CHECK(bits_of(pl::fillpad(h, pl::PadValue::min)) == std::vector<std::uint16_t>{0x3c00, 0xfc00});
    auto i = pl::slice(tensor_from<std::int32_t>({1, 3}, {1, 2, 3}), {1, 3}, {0, 0}, {1, 1});
    CHECK(pl::fillpad(i, pl::PadValue::min).to_vector() == std::vector<std::int32_t>{1, INT32_MIN, INT32_MIN});
    CHECK(pl::fillpad(i, pl::PadValue::max).to_vector() == std::vector<std::int32_t>{1, INT32_MAX, INT32_MAX});
    CHECK(pl::fillpad(i, pl::PadValue::zero).to_vector() == std::vector<std::int32_t>{1, 0, 0});
}

TEST_CASE("fillpad against an oracle: every valid region of 2-D and 3-D sources, every pad")
{
    std::size_t cases = 0;
    auto src2 = iota({3, 4}, 1);
    for (ix v0 = 0; v0 <= 3; ++v0)
        for (ix v1 = 0; v1 <= 4; ++v1)
            for (pl::PadValue p : all_pads) {
                const auto f = pl::fillpad(pl::slice(src2, {3, 4}, {0, 0}, {v0, v1}), p);
                REQUIRE(f.shape() == dims{3, 4});
                REQUIRE(f.fully_valid());
                REQUIRE(f.storage().all_defined());
                const float pad = pl::pad_value_of<float>(p);
                const auto got = bits_of(f);
                for (ix i = 0; i < 3; ++i)
                    for (ix j = 0; j < 4; ++j)
                        REQUIRE(got[static_cast<std::size_t>(i * 4 + j)] ==
                                bits(i < v0 && j < v1 ? static_cast<float>(i * 4 + j + 1) : pad));
                ++cases;
            }
    auto src3 = iota<std::int32_t>({2, 3, 2}, 1);
    for (ix v0 = 0; v0 <= 2; ++v0)
        for (ix v1 = 0; v1 <= 3; ++v1)
            for (ix v2 = 0; v2 <= 2; ++v2)
                for (pl::PadValue p : all_pads) {
                    const auto f = pl::fillpad(pl::slice(src3, {2, 3, 2}, {0, 0, 0}, {v0, v1, v2}), p);
                    REQUIRE(f.fully_valid());
                    const auto got = f.to_vector();
                    for (ix a = 0; a < 2; ++a)
                        for (ix b = 0; b < 3; ++b)
                            for (ix c = 0; c < 2; ++c) {
                                const bool in = a < v0 && b < v1 && c < v2;
                                REQUIRE(got[static_cast<std::size_t>((a * 3 + b) * 2 + c)] ==
                                        (in ? static_cast<std::int32_t>((a * 3 + b) * 2 + c + 1)
                                            : pl::pad_value_of<std::int32_t>(p)));
                            }
                    ++cases;
                }
    CHECK(cases == 4 * 5 * 3 + 3 * 4 * 3 * 3);
}

TEST_CASE("fillpad of strided and transposed views; bits are moved unchanged")
{
    auto base = iota({4, 5});
    // A transposed window with a valid region: valid is in the view's coordinates.
    auto v = pl::slice(pl::transpose(base, 0, 1), {3, 2}, {1, 1}, {2, 1}); // view[i, j] = base[1 + j, 1 + i]
    const auto f = pl::fillpad(v, pl::PadValue::max);
    CHECK(f.shape() == dims{3, 2});
    CHECK(f.to_vector() == std::vector<float>{6, INFINITY, 7, INFINITY, INFINITY, INFINITY});
    CHECK(f.storage_ptr() != base.storage_ptr());
    // A fully valid input is copied exactly (NaN payloads and -0 included).
    auto g = tensor_from<float>({3}, {f32(0xffa5a5a5u), -0.0f, f32(0x00000001u)});
    CHECK(bits_of(pl::fillpad(g, pl::PadValue::min)) == std::vector<std::uint32_t>{0xffa5a5a5u, 0x80000000u, 1u});
}

TEST_CASE("fillpad result is fully valid and defined where the source was (and on the pads)")
{
    auto t = pl::create_tensor({2, 2}, pl::FP32);
    t = pl::write(t, {0, 0}, 1.0f);
    auto v = pl::slice(t, {2, 2}, {0, 0}, {1, 2}); // (0,1) undefined but valid; row 1 padding
    const auto f = pl::fillpad(v);
    CHECK(f.fully_valid());
    CHECK(f.defined_mask() == std::vector<std::uint8_t>{1, 0, 1, 1});
    CHECK(bits_of(f) == std::vector<std::uint32_t>{bits(1.0f), 0x7fa5a5a5u, 0u, 0u});
    // The typical masking sequence: fillpad(min) then row_max sees -inf only where padded.
    auto s = pl::slice(tensor_from<float>({2, 3}, {1, 5, 2, 3, 4, 9}), {2, 3}, {0, 0}, {2, 2});
    CHECK(pl::row_max(pl::fillpad(s, pl::PadValue::min)).to_vector() == std::vector<float>{5, 4});
    CHECK(pl::row_sum(pl::fillpad(s, pl::PadValue::zero)).to_vector() == std::vector<float>{6, 7});
}
