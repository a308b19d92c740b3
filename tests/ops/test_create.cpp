#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::bf16;
using ptoref::dims;

TEST_CASE("create_tensor is poison and entirely undefined")
{
    auto t = pl::create_tensor({2, 3}, pl::FP32);
    CHECK(bits_of(t) == std::vector<std::uint32_t>(6, 0x7fa5a5a5u));
    CHECK(t.defined_mask() == std::vector<std::uint8_t>(6, 0));
    CHECK(t.storage().undefined_count() == 6);
    CHECK(bits_of(pl::create_tensor({1}, pl::BF16)) == std::vector<std::uint16_t>{0x7fa5});
    CHECK(pl::create_tensor({1}, pl::INT32).to_vector()[0] == static_cast<std::int32_t>(0xa5a5a5a5u));
    CHECK(t.storage().poison_origin().find("pl::create_tensor at test_create.cpp:") == 0);
}

TEST_CASE("full converts the value to the dtype (nearest-even into 16-bit types)")
{
    CHECK(pl::full({3}, pl::FP32, 1.5).to_vector() == std::vector<float>(3, 1.5f));
    CHECK(bits_of(pl::full({1}, pl::BF16, 1.00390625f)) == std::vector<std::uint16_t>{0x3f80}); // tie -> even
    CHECK(pl::full({2, 2}, pl::INT32, -3).to_vector() == std::vector<std::int32_t>(4, -3));
    CHECK(bits_of(pl::full({1}, pl::FP32, -std::numeric_limits<float>::infinity())) ==
          std::vector<std::uint32_t>{0xff800000u});
    CHECK(pl::full({2}, pl::FP32, 0.0f).defined_mask() == std::vector<std::uint8_t>{1, 1});
}

TEST_CASE("bad shapes are errors with the call site")
{
    CHECK_THROWS_WITH(pl::create_tensor({2, -1}, pl::FP32), Catch::Contains("pl::create_tensor") &&
                                                                Catch::Contains("negative extent in shape [2, -1]") &&
                                                                Catch::Contains("test_create.cpp:"));
    CHECK_THROWS_WITH(pl::full({}, pl::FP32, 1.0f), Catch::Contains("rank-0"));
    CHECK_THROWS_WITH(pl::full({1, 1, 1, 1, 1, 1, 1, 1, 1}, pl::FP32, 1.0f), Catch::Contains("maximum of 8"));
}
