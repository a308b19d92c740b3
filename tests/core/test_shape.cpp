#include <ptoref/core/shape.hpp>

#include <catch2/catch.hpp>

#include <vector>

using ptoref::dims;
using ptoref::index;

TEST_CASE("dims from brace lists, vectors and spans")
{
    const dims d{2, 64, 512};
    CHECK(d.size() == 3);
    CHECK(d[2] == 512);
    CHECK(d.product() == 2 * 64 * 512);
    CHECK(dims(std::vector<index>{1, 2}) == dims{1, 2});
    CHECK(dims{}.product() == 1);
    CHECK(dims{}.empty());
    CHECK(ptoref::to_string(d) == "[2, 64, 512]");
    CHECK(ptoref::to_string(dims{}) == "[]");
    CHECK(d.to_vector() == std::vector<index>{2, 64, 512});
}

TEST_CASE("rank above 8 is an error with a message")
{
    CHECK_NOTHROW(dims{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK_THROWS_WITH((dims{1, 2, 3, 4, 5, 6, 7, 8, 9}),
                      Catch::Contains("rank exceeds the maximum of 8") && Catch::Contains("test_shape.cpp:"));
    dims d = dims::filled(8, 1);
    CHECK_THROWS_AS(d.push_back(1), ptoref::error);
}

TEST_CASE("row-major strides")
{
    CHECK(ptoref::row_major_strides(dims{2, 3, 4}) == dims{12, 4, 1});
    CHECK(ptoref::row_major_strides(dims{5}) == dims{1});
    CHECK(ptoref::row_major_strides(dims{3, 1, 2}) == dims{2, 2, 1});
}

TEST_CASE("advance_row_major visits every index once, in row-major order")
{
    for (const dims& shape : {dims{3}, dims{2, 3}, dims{1, 4, 1}, dims{2, 1, 3, 2}, dims{3, 3, 3}}) {
        std::vector<std::vector<index>> seen;
        dims idx = dims::filled(shape.size(), 0);
        do
            seen.push_back(idx.to_vector());
        while (ptoref::advance_row_major(idx, shape));
        REQUIRE(static_cast<index>(seen.size()) == shape.product());
        for (std::size_t i = 0; i < seen.size(); ++i) { // decode i in mixed radix and compare
            index rest = static_cast<index>(i);
            for (int d = shape.size() - 1; d >= 0; --d) {
                CHECK(seen[i][static_cast<std::size_t>(d)] == rest % shape[d]);
                rest /= shape[d];
            }
        }
    }
}

TEST_CASE("for_each_offset enumerates a strided box")
{
    std::vector<index> got;
    ptoref::for_each_offset(dims{2, 3}, dims{10, 2}, 5, [&](index f) { got.push_back(f); });
    CHECK(got == std::vector<index>{5, 7, 9, 15, 17, 19});
    got.clear();
    ptoref::for_each_offset(dims{2, 0}, dims{1, 1}, 0, [&](index f) { got.push_back(f); });
    CHECK(got.empty());
}
