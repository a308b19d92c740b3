// pl::arange / pl::ci (ops/arange.hpp): an integer sequence along the last dim.
#include <catch2/catch.hpp>

#include "ops_test_util.hpp"

using namespace ops_test;
using ptoref::dims;

TEST_CASE("arange counts up or down along the last dim from start")
{
    for (const ix start : {ix{0}, ix{-7}, ix{1000}})
        for (const ix n : {ix{0}, ix{2}, ix{5}, ix{64}})
            for (const bool desc : {false, true}) {
                const auto t = pl::arange(start, {1, n}, pl::INT32, desc);
                REQUIRE(t.shape() == dims{1, n});
                std::vector<std::int32_t> want;
                for (ix k = 0; k < n; ++k)
                    want.push_back(static_cast<std::int32_t>(desc ? start - k : start + k));
                CHECK(t.to_vector() == want);
                CHECK(t.fully_valid());
                CHECK(t.storage().all_defined());
            }
    CHECK(pl::ci(3, {4}).to_vector() == std::vector<std::int32_t>{3, 4, 5, 6});
    CHECK(pl::arange(0, {1, 1, 3}).to_vector() == std::vector<std::int32_t>{0, 1, 2});
    CHECK(pl::ci(0, {1, 3}, pl::INT32, true).to_vector() == std::vector<std::int32_t>{0, -1, -2});
}

TEST_CASE("arange reaches the ends of INT32 exactly and rejects what would wrap")
{
    CHECK(pl::arange(INT32_MAX - 3, {1, 4}).to_vector() ==
          std::vector<std::int32_t>{INT32_MAX - 3, INT32_MAX - 2, INT32_MAX - 1, INT32_MAX});
    CHECK(pl::arange(INT32_MIN + 1, {1, 2}, pl::INT32, true).to_vector() ==
          std::vector<std::int32_t>{INT32_MIN + 1, INT32_MIN});
    CHECK_THROWS_WITH(pl::arange(INT32_MAX - 3, {1, 5}), Catch::Contains("leaves the range of INT32"));
    CHECK_THROWS_WITH(pl::arange(INT32_MIN, {1, 2}, pl::INT32, true), Catch::Contains("leaves the range"));
    CHECK_THROWS_WITH(pl::arange(std::int64_t{1} << 40, {1, 2}), Catch::Contains("leaves the range"));
    CHECK_THROWS_WITH(pl::arange(INT64_MAX, {1, 2}), Catch::Contains("leaves the range"));
}

TEST_CASE("arange shape rules: leading dims 1, last dim not 1")
{
    CHECK_THROWS_WITH(pl::arange(0, {2, 4}), Catch::Contains("leading dims") && Catch::Contains("must be 1"));
    CHECK_THROWS_WITH(pl::arange(0, {1, 1}), Catch::Contains("must not be 1"));
    CHECK_THROWS_WITH(pl::arange(0, {1}), Catch::Contains("must not be 1"));
    CHECK_THROWS_WITH(pl::arange(0, {1, -2}), Catch::Contains("negative extent"));
    CHECK_NOTHROW(pl::arange(0, {1, 4}));
}
