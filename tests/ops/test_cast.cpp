#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::cast_mode;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("pl::cast defaults to round (ties away), rint on request, by enum or by string")
{
    auto x = tensor_from<float>({2}, {f32(0x3f808000u), f32(0xbf808000u)});
    CHECK(bits_of(pl::cast(x, pl::BF16)) == std::vector<std::uint16_t>{0x3f81, 0xbf81});
    CHECK(bits_of(pl::cast(x, pl::BF16, cast_mode::rint)) == std::vector<std::uint16_t>{0x3f80, 0xbf80});
    CHECK(bits_of(pl::cast(x, pl::BF16, "rint")) == std::vector<std::uint16_t>{0x3f80, 0xbf80});
    CHECK(bits_of(pl::cast<bf16>(x)) == std::vector<std::uint16_t>{0x3f81, 0xbf81});
    CHECK(bits_of(pl::cast(x, pl::BF16, "floor")) == std::vector<std::uint16_t>{0x3f80, 0xbf81});
    CHECK_THROWS_WITH(pl::cast(x, pl::BF16, "nearest"),
                      Catch::Contains("unknown cast mode \"nearest\"") && Catch::Contains("test_cast.cpp:"));
}

TEST_CASE("the tensor cast equals the scalar definition for every mode and pair")
{
    rng r(77);
    std::vector<float> v;
    for (int i = 0; i < 5000; ++i)
        v.push_back(i < 100 ? edge_values()[static_cast<std::size_t>(i) % edge_values().size()] : f32(r.bits32()));
    auto x = tensor_from<float>({5000}, v);
    for (cast_mode m : ptoref::all_cast_modes) {
        const auto b = pl::cast(x, pl::BF16, m).to_vector();
        const auto h = pl::cast(x, pl::FP16, m).to_vector();
        const auto i = pl::cast(x, pl::INT32, m).to_vector();
        const auto back = pl::cast(pl::cast(x, pl::BF16, m), pl::FP32, m).to_vector();
        for (std::size_t k = 0; k < v.size(); ++k) {
            REQUIRE(b[k].bits == ptoref::convert<bf16>(v[k], m).bits);
            REQUIRE(h[k].bits == ptoref::convert<ptoref::fp16>(v[k], m).bits);
            REQUIRE(i[k] == ptoref::convert<std::int32_t>(v[k], m));
            REQUIRE(bits(back[k]) == bits(ptoref::convert<float>(b[k], m)));
        }
    }
}

TEST_CASE("cast keeps shape, valid region and definedness")
{
    auto t = pl::create_tensor({2, 3}, pl::FP32);
    t = pl::assemble(t, pl::full({1, 3}, pl::FP32, 2.0f), {0, 0});
    auto v = pl::slice(t, {2, 3}, {0, 0}, {1, 3});
    auto c = pl::cast(v, pl::BF16);
    CHECK(c.shape() == dims{2, 3});
    CHECK(c.valid_shape() == dims{1, 3});
    CHECK(c.defined_mask() == std::vector<std::uint8_t>{1, 1, 1, 0, 0, 0});
}
