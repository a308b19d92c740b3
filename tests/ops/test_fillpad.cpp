#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("fillpad pads with the device's values: -inf/+inf/0 for floats")
{
    auto base = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    auto v = pl::slice(base, {2, 3}, {0, 0}, {1, 2});
    CHECK(bits_of(pl::fillpad(v, pl::PadValue::min)) ==
          std::vector<std::uint32_t>{bits(1), bits(2), 0xff800000u, 0xff800000u, 0xff800000u, 0xff800000u});
    CHECK(bits_of(pl::fillpad(v, pl::PadValue::max))[5] == 0x7f800000u);
    CHECK(bits_of(pl::fillpad(v))[5] == 0u);
    auto f = pl::fillpad(v, pl::PadValue::min);
    CHECK(f.fully_valid());
    CHECK(f.storage().all_defined());
}

TEST_CASE("fillpad for bf16 and int32")
{
    auto b = pl::slice(pl::full({1, 2}, pl::BF16, 1.0f), {1, 2}, {0, 0}, {1, 1});
    CHECK(bits_of(pl::fillpad(b, pl::PadValue::min)) == std::vector<std::uint16_t>{0x3f80, 0xff80});
    auto i = pl::slice(tensor_from<std::int32_t>({1, 3}, {1, 2, 3}), {1, 3}, {0, 0}, {1, 1});
    CHECK(pl::fillpad(i, pl::PadValue::min).to_vector() == std::vector<std::int32_t>{1, INT32_MIN, INT32_MIN});
    CHECK(pl::fillpad(i, pl::PadValue::max).to_vector() == std::vector<std::int32_t>{1, INT32_MAX, INT32_MAX});
}

TEST_CASE("fillpad keeps undefinedness inside the valid region only")
{
    auto t = pl::create_tensor({2, 2}, pl::FP32);
    t = pl::write(t, {0, 0}, 1.0f);
    auto v = pl::slice(t, {2, 2}, {0, 0}, {1, 2}); // (0,1) undefined but valid
    CHECK(pl::fillpad(v).defined_mask() == std::vector<std::uint8_t>{1, 0, 1, 1});
}
