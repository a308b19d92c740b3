// pl::create_tensor and pl::full (ops/create.hpp).
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;
using ptoref::fp16;

TEST_CASE("create_tensor elements are the dtype's poison pattern and all undefined")
{
    auto t = pl::create_tensor({2, 3}, pl::FP32);
    CHECK(t.shape() == dims{2, 3});
    CHECK(t.fully_valid());
    CHECK(t.is_contiguous());
    CHECK(bits_of(t) == std::vector<std::uint32_t>(6, 0x7fa5a5a5u));
    CHECK(std::isnan(t.to_vector()[0])); // a signalling NaN: arithmetic on it is visible
    CHECK(t.defined_mask() == std::vector<std::uint8_t>(6, 0));
    CHECK(t.storage().undefined_count() == 6);
    CHECK_FALSE(t.storage().all_defined());
    CHECK(bits_of(pl::create_tensor({3}, pl::BF16)) == std::vector<std::uint16_t>(3, 0x7fa5));
    CHECK(bits_of(pl::create_tensor({2}, pl::FP16)) == std::vector<std::uint16_t>(2, 0x7d5a));
    CHECK(pl::create_tensor({2, 2}, pl::INT32).to_vector() ==
          std::vector<std::int32_t>(4, static_cast<std::int32_t>(0xa5a5a5a5u)));
    CHECK(pl::create_tensor({2, 2}, pl::INT32).defined_mask() == std::vector<std::uint8_t>(4, 0));
    CHECK(pl::create_tensor({1, 1, 1, 1, 1, 1, 1, 2}, pl::BF16).defined_mask() == std::vector<std::uint8_t>(2, 0));
    // The origin names the call site (for definedness reports).
    CHECK(t.storage().poison_origin().find("pl::create_tensor at test_create.cpp:") == 0);
    // Each call is a new buffer.
    CHECK(pl::create_tensor({2}, pl::FP32).storage_ptr() != pl::create_tensor({2}, pl::FP32).storage_ptr());
    // Zero extents are allowed.
    CHECK(pl::create_tensor({0, 5}, pl::FP32).numel() == 0);
}

TEST_CASE("writing a create_tensor defines exactly what was written")
{
    auto t = pl::create_tensor({3, 3}, pl::FP32);
    t = pl::assemble(t, pl::full({2, 2}, pl::FP32, 1.0f), {1, 0});
    CHECK(t.defined_mask() == std::vector<std::uint8_t>{0, 0, 0, 1, 1, 0, 1, 1, 0});
    CHECK(t.storage().undefined_count() == 5);
    CHECK(bits_of(t)[0] == 0x7fa5a5a5u);
    CHECK(t.to_vector()[3] == 1.0f);
}

TEST_CASE("full: every element is the value in the dtype, fully valid and defined")
{
    CHECK(pl::full({3}, pl::FP32, 1.5).to_vector() == std::vector<float>(3, 1.5f));
    CHECK(pl::full({2, 2}, pl::INT32, -3).to_vector() == std::vector<std::int32_t>(4, -3));
    CHECK(pl::full({1}, pl::INT32, INT32_MIN).to_vector() == std::vector<std::int32_t>{INT32_MIN});
    CHECK(bits_of(pl::full({1}, pl::FP32, -std::numeric_limits<float>::infinity())) ==
          std::vector<std::uint32_t>{0xff800000u});
    CHECK(bits_of(pl::full({2}, pl::FP32, -0.0f)) == std::vector<std::uint32_t>(2, 0x80000000u));
    CHECK(bits_of(pl::full({1}, pl::FP32, std::nan(""))) == std::vector<std::uint32_t>{qnan});
    auto f = pl::full({2, 3, 4}, pl::FP16, 2.0f);
    CHECK(f.shape() == dims{2, 3, 4});
    CHECK(f.fully_valid());
    CHECK(f.storage().all_defined());
    CHECK(f.defined_mask() == std::vector<std::uint8_t>(24, 1));
    CHECK(bits_of(f) == std::vector<std::uint16_t>(24, 0x4000));
    CHECK(bits_of(pl::full({1}, pl::BF16, -2.0)) == std::vector<std::uint16_t>{0xc000});
}

TEST_CASE("full rounds the value like the DSL's FP32 literal: to fp32 (RNE), then to nearest-even")
{
    // 1 + 2^-8 is a bf16 tie: nearest-even gives 1 (the cast default, ties away, would give 0x3F81).
    CHECK(bits_of(pl::full({1}, pl::BF16, 1.00390625f)) == std::vector<std::uint16_t>{0x3f80});
    CHECK(bits_of(pl::full({1}, pl::BF16, 1.01171875f)) == std::vector<std::uint16_t>{0x3f82}); // 1 + 3*2^-8
    CHECK(bits_of(pl::full({1}, pl::FP16, 1.0f + 0x1p-11f)) == std::vector<std::uint16_t>{0x3c00});
    CHECK(bits_of(pl::full({1}, pl::FP16, 65520.0f)) == std::vector<std::uint16_t>{0x7c00}); // overflows to inf
    // A double goes to fp32 first: 0.1 becomes 0.1f.
    CHECK(bits_of(pl::full({1}, pl::FP32, 0.1)) == std::vector<std::uint32_t>{bits(0.1f)});
    // ... and then to bf16, a second rounding (decision: the DSL's value is an FP32 ConstFloat).
    // 1 + 2^-8 + 2^-30 rounds to the fp32 tie 1 + 2^-8, then to bf16 1.0; the exact value would give 0x3F81.
    CHECK(bits_of(pl::full({1}, pl::BF16, 1.0 + 0x1p-8 + 0x1p-30)) == std::vector<std::uint16_t>{0x3f80});
    CHECK(bf16_rne(1.0 + 0x1p-8 + 0x1p-30) == 0x3f81);
    // Integers convert exactly to INT32; large ints round to nearest-even in fp32.
    CHECK(pl::full({1}, pl::FP32, 16777217).to_vector()[0] == 16777216.0f);
    // Random values: full agrees with the oracle (via fp32) for both 16-bit types.
    rng r(3);
    for (int i = 0; i < 2000; ++i) {
        const float v = f32(r.bits32());
        REQUIRE(bits_of(pl::full({1}, pl::BF16, v))[0] == bf16_rne(v));
        REQUIRE(bits_of(pl::full({1}, pl::FP16, v))[0] == fp16_rne(v));
    }
}

TEST_CASE("bad shapes are errors naming the op, the shape and the call site")
{
    CHECK_THROWS_AS(pl::create_tensor({2, -1}, pl::FP32), ptoref::error);
    CHECK_THROWS_WITH(pl::create_tensor({2, -1}, pl::FP32), Catch::Contains("pl::create_tensor") &&
                                                                Catch::Contains("negative extent in shape [2, -1]") &&
                                                                Catch::Contains("test_create.cpp:"));
    CHECK_THROWS_WITH(pl::full({-3}, pl::INT32, 1), Catch::Contains("pl::full") &&
                                                        Catch::Contains("negative extent in shape [-3]") &&
                                                        Catch::Contains("test_create.cpp:"));
    CHECK_THROWS_WITH(pl::create_tensor({}, pl::BF16), Catch::Contains("pl::create_tensor") &&
                                                           Catch::Contains("rank-0") &&
                                                           Catch::Contains("test_create.cpp:"));
    CHECK_THROWS_WITH(pl::full({}, pl::FP32, 1.0f), Catch::Contains("pl::full") && Catch::Contains("rank-0"));
    // Rank 9: the shape itself cannot be built (dims holds at most 8 extents); the error names the site.
    CHECK_THROWS_AS(pl::create_tensor({1, 1, 1, 1, 1, 1, 1, 1, 1}, pl::FP32), ptoref::error);
    CHECK_THROWS_WITH(pl::create_tensor({1, 1, 1, 1, 1, 1, 1, 1, 1}, pl::FP32),
                      Catch::Contains("rank exceeds the maximum of 8") && Catch::Contains("test_create.cpp:"));
    CHECK_THROWS_WITH(pl::full({1, 1, 1, 1, 1, 1, 1, 1, 1}, pl::FP32, 1.0f), Catch::Contains("maximum of 8"));
    CHECK_NOTHROW(pl::create_tensor({1, 1, 1, 1, 1, 1, 1, 1}, pl::FP32));
}

TEST_CASE("create_tensor(init_value): zero bits for 0, the value's conversion otherwise, and pypto's rejections")
{
    CHECK(bits_of(pl::create_tensor({1, 2}, pl::FP32, -0.0)) == std::vector<std::uint32_t>{0, 0});
    CHECK(bits_of(pl::create_tensor({1, 1}, pl::BF16, 0)) == std::vector<std::uint16_t>{0});
    CHECK(pl::create_tensor({2}, pl::INT32, 7).to_vector() == std::vector<std::int32_t>{7, 7});
    CHECK(pl::create_tensor({1}, pl::INT32, -3.0).to_vector() == std::vector<std::int32_t>{-3});
    CHECK(bits_of(pl::create_tensor({1}, pl::FP32, 0.1)) == std::vector<std::uint32_t>{bits(0.1f)});
    CHECK(pl::create_tensor({2, 2}, pl::FP32, 1.5).storage().all_defined());
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::INT32, 0.5), Catch::Contains("not an integer the dtype holds"));
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::INT32, 3e9), Catch::Contains("not an integer the dtype holds"));
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::FP32, std::nan("")), Catch::Contains("NaN and infinities"));
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::FP32, HUGE_VAL), Catch::Contains("NaN and infinities"));
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::FP32, 1e300), Catch::Contains("out of the FP32 range"));
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::BF16, 1.0), Catch::Contains("only 0 is accepted"));
    CHECK_THROWS_WITH(pl::create_tensor({1}, pl::FP16, 2), Catch::Contains("only 0 is accepted"));
}
