// pl::expand_clone (ops/expand_clone.hpp): src broadcast to target's shape, a new tensor.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;

TEST_CASE("expand_clone broadcasts one dim of a rank-3 source to the target's shape")
{
    auto src = iota<float>({1, 2, 3});
    auto target = pl::full({2, 2, 3}, pl::BF16, 0.0f);
    const auto e = pl::expand_clone(src, target);
    CHECK(e.shape() == dims{2, 2, 3});
    CHECK(e.to_vector() == std::vector<float>{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5});
    CHECK(e.storage_ptr() != src.storage_ptr());
    CHECK(bits_of(target) == std::vector<std::uint16_t>(12, 0)); // target only gives the shape
    CHECK(pl::expand_clone(iota<std::int32_t>({2, 1, 2}), pl::full({2, 3, 2}, pl::INT32, 0)).to_vector() ==
          std::vector<std::int32_t>{0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3});
    CHECK(pl::expand_clone(iota<float>({2, 2, 1}), pl::full({2, 2, 1}, pl::FP32, 0.0f)).to_vector() ==
          std::vector<float>{0, 1, 2, 3});
    // Valid regions carry (a broadcast dim is valid throughout unless its one element is padding).
    auto part = pl::slice(iota<float>({1, 2, 3}), {1, 2, 3}, {0, 0, 0}, {1, 1, 3});
    CHECK(pl::expand_clone(part, pl::full({4, 2, 3}, pl::FP32, 0.0f)).valid_shape() == dims{4, 1, 3});
    CHECK(
        pl::expand_clone(pl::create_tensor({1, 1, 1}, pl::FP32), pl::full({1, 1, 2}, pl::FP32, 0.0f)).defined_mask() ==
        std::vector<std::uint8_t>{0, 0});
}

TEST_CASE("expand_clone errors")
{
    CHECK_THROWS_WITH(pl::expand_clone(iota<float>({1, 2}), pl::full({2, 2}, pl::FP32, 0.0f)),
                      Catch::Contains("needs rank-3"));
    CHECK_THROWS_WITH(pl::expand_clone(iota<float>({1, 1, 3}), pl::full({2, 2, 3}, pl::FP32, 0.0f)),
                      Catch::Contains("at most one dim may broadcast"));
    CHECK_THROWS_WITH(pl::expand_clone(iota<float>({2, 2, 3}), pl::full({4, 2, 3}, pl::FP32, 0.0f)),
                      Catch::Contains("only extent 1 broadcasts"));
}
