// check::element_set against std::set on every pair of subsets of an 8-element universe, each
// built from its runs added in a scrambled order (so the lazy sort and merge is exercised):
// count, contains, intersect, intersects, covers; and strided views added row by row.
#include <ptoref/check/element_set.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

using ptoref::index;
using ptoref::check::element_set;

namespace {

constexpr int universe = 8;

std::set<index> members(unsigned mask)
{
    std::set<index> s;
    for (int e = 0; e < universe; ++e)
        if (mask >> e & 1u)
            s.insert(e);
    return s;
}

// The runs of mask, added last to first, each split in two halves added in turn (overlap-free
// and adjacent pieces, out of order).
element_set build(unsigned mask)
{
    std::vector<std::pair<index, index>> runs;
    for (int e = 0; e < universe;) {
        if (!(mask >> e & 1u)) {
            ++e;
            continue;
        }
        int f = e;
        while (f < universe && (mask >> f & 1u))
            ++f;
        runs.emplace_back(e, f);
        e = f;
    }
    element_set s;
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        const index mid = (it->first + it->second) / 2;
        s.add_interval(mid, it->second);
        s.add_interval(it->first, mid);
    }
    return s;
}

} // namespace

TEST_CASE("every pair of subsets of 8 elements: the set operations equal std::set's")
{
    for (unsigned a = 0; a < (1u << universe); ++a) {
        const element_set x = build(a);
        const std::set<index> xs = members(a);
        REQUIRE(x.count() == static_cast<index>(xs.size()));
        REQUIRE(x.empty() == xs.empty());
        for (int e = 0; e < universe; ++e)
            REQUIRE(x.contains(e) == xs.contains(e));
        REQUIRE(x.flats() == std::vector<index>(xs.begin(), xs.end()));
        for (unsigned b = 0; b < (1u << universe); ++b) {
            const element_set y = build(b);
            const std::set<index> both = members(a & b);
            const element_set z = intersect(x, y);
            REQUIRE(z.flats() == std::vector<index>(both.begin(), both.end()));
            REQUIRE(intersects(x, y) == !both.empty());
            REQUIRE(covers(x, y) == ((a & b) == b));
        }
    }
}

TEST_CASE("strided views are added row by row: unit, reversed and strided last dimensions")
{
    using ptoref::dims;
    element_set s(ptoref::view_geometry{dims{2, 3}, dims{10, 1}, 5}); // rows [5,8) and [15,18)
    CHECK(s.intervals() == std::vector<element_set::interval>{{5, 8}, {15, 18}});
    element_set r(ptoref::view_geometry{dims{3}, dims{-1}, 9}); // 9, 8, 7
    CHECK(r.intervals() == std::vector<element_set::interval>{{7, 10}});
    element_set t(ptoref::view_geometry{dims{2, 2}, dims{1, 4}, 0}); // a transpose: 0, 4, 1, 5
    CHECK(t.flats() == std::vector<index>{0, 1, 4, 5});
    CHECK(covers(s, element_set(ptoref::view_geometry{dims{1, 2}, dims{10, 1}, 16})));
    CHECK(!covers(s, element_set(ptoref::view_geometry{dims{1, 3}, dims{10, 1}, 16})));
    CHECK(covers(s, element_set{}));
    CHECK(!covers(element_set{}, s));
}
