// pl::reinterpret_view (ops/reinterpret.hpp): the bytes under another dtype (a copy here).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;
using ptoref::tensor_from;

TEST_CASE("reinterpret_view keeps the bytes; the last dim scales by the byte ratio")
{
    auto f = tensor_from<float>({2, 2}, {1.0f, -2.0f, f32(0x7fa00001u), f32(0x00010002u)});
    const auto h = pl::reinterpret_view(f, pl::BF16);
    CHECK(h.shape() == dims{2, 4});
    // Little-endian: the low half first.
    CHECK(bits_of(h) == std::vector<std::uint16_t>{0x0000, 0x3f80, 0x0000, 0xc000, 0x0001, 0x7fa0, 0x0002, 0x0001});
    const auto back = pl::reinterpret_view(h, pl::FP32);
    CHECK(bits_of(back) == bits_of(f));
    CHECK(pl::reinterpret_view(f, pl::INT32).to_vector() ==
          std::vector<std::int32_t>{0x3f800000, static_cast<std::int32_t>(0xc0000000u), 0x7fa00001, 0x00010002});
    CHECK(bits_of(pl::reinterpret_view(h, pl::FP16)) == bits_of(h));
    // An explicit shape with the same byte count.
    CHECK(pl::reinterpret_view(f, pl::FP16, {8}).shape() == dims{8});
    CHECK(pl::reinterpret_view(f, pl::INT32, {1, 4}).shape() == dims{1, 4});
    // A copy, not a view: writes through one do not reach the other (documented).
    auto i = pl::reinterpret_view(f, pl::INT32);
    i = pl::write(i, {0, 0}, 0);
    CHECK(f.to_vector()[0] == 1.0f);
}

TEST_CASE("reinterpret_view valid regions, definedness and errors")
{
    auto f = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    const auto p = pl::reinterpret_view(pl::slice(f, {2, 3}, {0, 0}, {1, 2}), pl::BF16);
    CHECK(p.valid_shape() == dims{1, 4});
    auto h = pl::full({1, 4}, pl::BF16, 1.0f);
    CHECK(pl::reinterpret_view(pl::slice(h, {1, 4}, {0, 0}, {1, 2}), pl::FP32).valid_shape() == dims{1, 1});
    CHECK_THROWS_WITH(pl::reinterpret_view(pl::slice(h, {1, 4}, {0, 0}, {1, 3}), pl::FP32),
                      Catch::Contains("valid columns"));
    CHECK_THROWS_WITH(pl::reinterpret_view(pl::full({1, 3}, pl::BF16, 0.0f), pl::FP32),
                      Catch::Contains("not a whole number of FP32 elements"));
    CHECK_THROWS_WITH(pl::reinterpret_view(f, pl::FP16, {5}), Catch::Contains("does not hold the bytes"));
    CHECK_THROWS_WITH(pl::reinterpret_view(pl::slice(f, {2, 3}, {0, 0}, {1, 3}), pl::INT32, {6}),
                      Catch::Contains("needs a fully valid input"));
    CHECK_THROWS_WITH(pl::reinterpret_view(f, pl::FP32), Catch::Contains("must differ from the source dtype"));
    // An undefined source element makes every overlapping output element undefined.
    auto u = pl::assemble(pl::create_tensor({1, 2}, pl::FP32), pl::full({1, 1}, pl::FP32, 1.0f), {0, 0});
    CHECK(pl::reinterpret_view(u, pl::BF16).defined_mask() == std::vector<std::uint8_t>{1, 1, 0, 0});
    auto hu = pl::assemble(pl::create_tensor({1, 2}, pl::BF16), pl::full({1, 1}, pl::BF16, 1.0f), {0, 0});
    CHECK(pl::reinterpret_view(hu, pl::FP32).defined_mask() == std::vector<std::uint8_t>{0});
}
