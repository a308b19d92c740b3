#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;
using ptoref::tensor_from;

TEST_CASE("row_expand_* applies v[i, 0] across row i")
{
    auto x = tensor_from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    auto v = tensor_from<float>({2, 1}, {10, 2});
    CHECK(pl::row_expand_add(x, v).to_vector() == std::vector<float>{11, 12, 13, 6, 7, 8});
    CHECK(pl::row_expand_sub(x, v).to_vector() == std::vector<float>{-9, -8, -7, 2, 3, 4});
    CHECK(pl::row_expand_mul(x, v).to_vector() == std::vector<float>{10, 20, 30, 8, 10, 12});
    CHECK(pl::row_expand_div(x, v).to_vector() == std::vector<float>{0.1f, 0.2f, 0.3f, 2, 2.5f, 3});
}

TEST_CASE("col_expand_* applies v[0, j] down column j, also with leading batch dims")
{
    auto x = tensor_from<float>({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    auto v = tensor_from<float>({2, 1, 2}, {1, 10, 100, 1000});
    CHECK(pl::col_expand_mul(x, v).to_vector() == std::vector<float>{1, 20, 3, 40, 500, 6000, 700, 8000});
    CHECK(pl::col_expand_add(x, v).to_vector() == std::vector<float>{2, 12, 4, 14, 105, 1006, 107, 1008});
    CHECK(pl::col_expand_sub(x, v).to_vector() == std::vector<float>{0, -8, 2, -6, -95, -994, -93, -992});
    CHECK(pl::col_expand_div(x, v).to_vector()[1] == 0.2f);
}

TEST_CASE("row/col expand agree bit for bit with the elementwise definition on random data")
{
    rng r(9);
    std::vector<float> xv(12 * 17), rv(12), cv(17);
    for (float& f : xv)
        f = r.value(-30, 30);
    for (float& f : rv)
        f = r.value(-30, 30);
    for (float& f : cv)
        f = r.value(-30, 30);
    auto x = tensor_from<float>({12, 17}, xv);
    auto rowv = tensor_from<float>({12, 1}, rv);
    auto colv = tensor_from<float>({1, 17}, cv);
    const auto rd = pl::row_expand_div(x, rowv).to_vector(), cs = pl::col_expand_sub(x, colv).to_vector();
    for (int i = 0; i < 12; ++i)
        for (int j = 0; j < 17; ++j) {
            REQUIRE(bits(rd[static_cast<std::size_t>(i * 17 + j)]) ==
                    bits(xv[static_cast<std::size_t>(i * 17 + j)] / rv[static_cast<std::size_t>(i)]));
            REQUIRE(bits(cs[static_cast<std::size_t>(i * 17 + j)]) ==
                    bits(xv[static_cast<std::size_t>(i * 17 + j)] - cv[static_cast<std::size_t>(j)]));
        }
}

TEST_CASE("shape rules: the expected operand shape is named in the error")
{
    auto x = tensor_from<float>({2, 3}, std::vector<float>(6));
    CHECK_THROWS_WITH(pl::row_expand_add(x, tensor_from<float>({2, 2}, std::vector<float>(4))),
                      Catch::Contains("pl::row_expand_add") && Catch::Contains("[..., M, 1]") &&
                          Catch::Contains("[2, 2]"));
    CHECK_THROWS_WITH(pl::row_expand_mul(x, tensor_from<float>({3, 1}, std::vector<float>(3))),
                      Catch::Contains("[..., M, 1]"));
    CHECK_THROWS_WITH(pl::col_expand_mul(x, tensor_from<float>({1, 2}, std::vector<float>(2))),
                      Catch::Contains("[..., 1, N]"));
    CHECK_THROWS_WITH(pl::col_expand_mul(tensor_from<float>({3}, std::vector<float>(3)),
                                         tensor_from<float>({3}, std::vector<float>(3))),
                      Catch::Contains("[..., 1, N]"));
    CHECK_THROWS_WITH(
        pl::row_expand_div(tensor_from<std::int32_t>({1, 2}, {4, 6}), tensor_from<std::int32_t>({1, 1}, {0})),
        Catch::Contains("division by zero"));
}
