// detail::run_map: per-element values stored as runs. Differential against a plain array on
// random updates, assignments and visits; runs stay maximal (equal neighbours merged).
#include <ptoref/core/run_map.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <ptoref/testing/random.hpp>

using ptoref::index;
using ptoref::detail::run_map;

namespace {

struct counter {
    int value = 0; // 0: never assigned
    friend bool operator==(const counter&, const counter&) = default;
};

// The map's contents as an array (0 where nothing is assigned), through visit.
std::vector<int> contents(const run_map<counter>& m, index n)
{
    std::vector<int> out(static_cast<std::size_t>(n), 0);
    index last_hi = -1;
    m.visit(0, n, [&](const counter& c, index lo, index hi) {
        CHECK(lo < hi);
        CHECK(lo >= last_hi); // ascending, disjoint
        last_hi = hi;
        for (index i = lo; i < hi; ++i)
            out[static_cast<std::size_t>(i)] = c.value;
    });
    return out;
}

// How many maximal runs of equal assigned values the array has (what run_count must be).
std::size_t maximal_runs(const std::vector<int>& a, const std::vector<bool>& touched)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (touched[i] && (i == 0 || !touched[i - 1] || a[i - 1] != a[i]))
            ++n;
    return n;
}

} // namespace

TEST_CASE("run_map equals a per-element array under random updates and assignments")
{
    ptoref::testing::splitmix64 rng(2026);
    for (int trial = 0; trial < 300; ++trial) {
        const index n = 1 + static_cast<index>(rng.next() % 40);
        run_map<counter> m;
        std::vector<int> ref(static_cast<std::size_t>(n), 0);
        std::vector<bool> touched(static_cast<std::size_t>(n), false);
        for (int step = 0; step < 30; ++step) {
            const index lo = static_cast<index>(rng.next() % static_cast<std::uint64_t>(n));
            const index hi = lo + static_cast<index>(rng.next() % static_cast<std::uint64_t>(n - lo + 1));
            if (rng.next() % 2) {
                const int v = 1 + static_cast<int>(rng.next() % 3);
                m.assign(lo, hi, {v});
                for (index i = lo; i < hi; ++i) {
                    ref[static_cast<std::size_t>(i)] = v;
                    touched[static_cast<std::size_t>(i)] = true;
                }
            } else {
                // An update whose result depends on the old value and the position's parity
                // class of the piece start: pieces must be exactly the runs of equal values.
                index expected_lo = lo;
                m.update(lo, hi, [&](counter& c, index a, index b) {
                    CHECK(a == expected_lo);
                    for (index i = a; i < b; ++i)
                        CHECK(ref[static_cast<std::size_t>(i)] == c.value);
                    expected_lo = b;
                    c.value = c.value % 3 + 1;
                });
                CHECK(expected_lo == (lo < hi ? hi : lo));
                for (index i = lo; i < hi; ++i) {
                    ref[static_cast<std::size_t>(i)] = ref[static_cast<std::size_t>(i)] % 3 + 1;
                    touched[static_cast<std::size_t>(i)] = true;
                }
            }
            INFO("trial " << trial << " step " << step << " [" << lo << ", " << hi << ")");
            REQUIRE(contents(m, n) == ref);
            CHECK(m.run_count() == maximal_runs(ref, touched));
        }
    }
}

TEST_CASE("run_map: visit reports only assigned pieces, clipped to the range")
{
    run_map<counter> m;
    m.assign(10, 20, {1});
    m.assign(30, 40, {2});
    std::vector<std::pair<index, index>> seen;
    m.visit(15, 35, [&](const counter&, index lo, index hi) { seen.emplace_back(lo, hi); });
    CHECK(seen == std::vector<std::pair<index, index>>{{15, 20}, {30, 35}});
    m.assign(20, 30, {1});
    CHECK(m.run_count() == 2); // [10, 30) merged, [30, 40)
    m.assign(0, 50, {1});
    CHECK(m.run_count() == 1);
    m.update(5, 5, [](counter&, index, index) { FAIL("an empty range visits nothing"); });
}
