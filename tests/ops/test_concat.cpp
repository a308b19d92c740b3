#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("concat joins along columns")
{
    auto a = tensor_from<float>({2, 2}, {1, 2, 3, 4});
    auto b = tensor_from<float>({2, 1}, {5, 6});
    auto c = pl::concat(a, b);
    CHECK(c.shape() == dims{2, 3});
    CHECK(c.to_vector() == std::vector<float>{1, 2, 5, 3, 4, 6});
    CHECK(c.fully_valid());
    CHECK(pl::concat(pl::transpose(a, 0, 1), b).to_vector() == std::vector<float>{1, 3, 5, 2, 4, 6});
}

TEST_CASE("concat valid region and errors")
{
    auto a = pl::slice(pl::full({2, 2}, pl::FP32, 1.0f), {2, 2}, {0, 0}, {1, 2});
    auto b = pl::full({2, 3}, pl::FP32, 2.0f);
    CHECK(pl::concat(a, b).valid_shape() == dims{1, 5});
    CHECK(pl::concat(b, pl::slice(b, {2, 3}, {0, 0}, {2, 1})).valid_shape() == dims{2, 4});
    CHECK_THROWS_WITH(pl::concat(b, pl::full({3, 1}, pl::FP32, 0.0f)), Catch::Contains("same row count"));
    CHECK_THROWS_WITH(pl::concat(pl::full({2}, pl::FP32, 0.0f), b), Catch::Contains("2-D"));
}
