#include <ptoref/check/boxes.hpp>

#include <catch2/catch.hpp>

#include <set>

using ptoref::dims;
using ptoref::check::box;
using ptoref::check::coalesce;

TEST_CASE("coalesce covers exactly the given elements with disjoint boxes, for all 512 subsets of a 3x3 grid")
{
    const dims shape{3, 3};
    for (unsigned mask = 0; mask < 512; ++mask) {
        std::vector<ptoref::index> flats;
        for (int i = 0; i < 9; ++i)
            if (mask >> i & 1)
                flats.push_back(i);
        const auto boxes = coalesce(flats, shape);
        std::multiset<ptoref::index> covered;
        for (const box& b : boxes)
            for (auto r = b.lo[0]; r < b.hi[0]; ++r)
                for (auto c = b.lo[1]; c < b.hi[1]; ++c)
                    covered.insert(r * 3 + c);
        REQUIRE(covered == std::multiset<ptoref::index>(flats.begin(), flats.end()));
    }
}

TEST_CASE("regular footprints become one box; formatting is slice notation")
{
    std::vector<ptoref::index> rows;
    for (int r = 64; r < 128; ++r)
        for (int c = 0; c < 32; ++c)
            rows.push_back(r * 64 + c);
    const auto b = coalesce(rows, dims{128, 64});
    REQUIRE(b.size() == 1);
    CHECK(ptoref::check::to_string(b[0]) == "[64:128, 0:32]");
    CHECK(b[0].count() == 64 * 32);
    const auto one = coalesce({5 * 64 + 3}, dims{128, 64});
    CHECK(ptoref::check::to_string(one[0]) == "[5, 3]");
    const auto row = coalesce({0, 1, 2, 3}, dims{2, 4});
    CHECK(ptoref::check::to_string(row[0]) == "[0, 0:4]");
    CHECK(ptoref::check::boxes_to_string("k", coalesce({0, 2}, dims{4})) == "k[0], k[2]");
}

TEST_CASE("duplicates are ignored and the listing is capped")
{
    CHECK(coalesce({1, 1, 2, 2}, dims{4}).size() == 1);
    std::vector<ptoref::index> scattered;
    for (int i = 0; i < 40; i += 2)
        scattered.push_back(i);
    const auto b = coalesce(scattered, dims{40});
    CHECK(b.size() == 20);
    CHECK_THAT(ptoref::check::boxes_to_string("t", b), Catch::EndsWith("... (12 more boxes)"));
}
