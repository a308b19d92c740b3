// check::coalesce: element sets as boxes, for reports. Exact (covers exactly the set, boxes
// disjoint), deterministic, and one box for every regular footprint.
#include <ptoref/check/boxes.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>

using ptoref::dims;
using ptoref::index;
using ptoref::check::box;
using ptoref::check::coalesce;

namespace {

// Flat indices of every element of b in a buffer of `shape`, row-major.
std::vector<index> elements_of(const box& b, const dims& shape)
{
    std::vector<index> out;
    const int r = shape.size();
    if (b.count() <= 0)
        return out;
    dims idx = b.lo;
    for (;;) {
        index f = 0;
        for (int d = 0; d < r; ++d)
            f = f * shape[d] + idx[d];
        out.push_back(f);
        int d = r - 1;
        while (d >= 0 && ++idx[d] == b.hi[d]) {
            idx[d] = b.lo[d];
            --d;
        }
        if (d < 0)
            return out;
    }
}

// Checks that boxes are well formed, pairwise disjoint and cover exactly `flats`.
void require_exact_cover(const std::vector<box>& boxes, const std::vector<index>& flats, const dims& shape)
{
    std::multiset<index> covered;
    for (const box& b : boxes) {
        REQUIRE(b.lo.size() == shape.size());
        REQUIRE(b.hi.size() == shape.size());
        for (int d = 0; d < shape.size(); ++d) {
            REQUIRE(0 <= b.lo[d]);
            REQUIRE(b.lo[d] < b.hi[d]); // never empty
            REQUIRE(b.hi[d] <= shape[d]);
        }
        for (index f : elements_of(b, shape))
            covered.insert(f);
    }
    const std::set<index> want(flats.begin(), flats.end());
    // Equal as multisets: every element covered once (disjoint), nothing else covered.
    REQUIRE(covered == std::multiset<index>(want.begin(), want.end()));
}

std::vector<index> subset(unsigned mask, int n)
{
    std::vector<index> flats;
    for (int i = 0; i < n; ++i)
        if (mask >> i & 1u)
            flats.push_back(i);
    return flats;
}

} // namespace

TEST_CASE("coalesce over all 512 subsets of a 3x3 grid: exact, disjoint cover")
{
    const dims shape{3, 3};
    for (unsigned mask = 0; mask < 512; ++mask) {
        INFO("mask " << mask);
        const auto flats = subset(mask, 9);
        const auto boxes = coalesce(flats, shape);
        require_exact_cover(boxes, flats, shape);
        CHECK(boxes.size() <= flats.size());
        // Deterministic, and independent of the input order and of duplicates.
        std::vector<index> shuffled(flats.rbegin(), flats.rend());
        shuffled.insert(shuffled.end(), flats.begin(), flats.end());
        CHECK(coalesce(shuffled, shape) == boxes);
        // Sorted by lower corner.
        CHECK(std::is_sorted(boxes.begin(), boxes.end(), [](const box& a, const box& b) {
            return a.lo[0] != b.lo[0] ? a.lo[0] < b.lo[0] : a.lo[1] < b.lo[1];
        }));
    }
}

TEST_CASE("coalesce over all subsets of a 2x2x2 grid and of a 1-D run of 9")
{
    const dims cube{2, 2, 2};
    for (unsigned mask = 0; mask < 256; ++mask) {
        INFO("mask " << mask);
        const auto flats = subset(mask, 8);
        require_exact_cover(coalesce(flats, cube), flats, cube);
    }
    const dims line{9};
    for (unsigned mask = 0; mask < 512; ++mask) {
        INFO("mask " << mask);
        const auto flats = subset(mask, 9);
        const auto boxes = coalesce(flats, line);
        require_exact_cover(boxes, flats, line);
        // In 1-D the boxes are exactly the maximal runs.
        std::size_t runs = 0;
        for (std::size_t i = 0; i < flats.size(); ++i)
            runs += (i == 0 || flats[i] != flats[i - 1] + 1) ? 1 : 0;
        CHECK(boxes.size() == runs);
    }
}

TEST_CASE("a full rectangle, and every sub-rectangle of a 3x3 grid, is one box")
{
    const dims shape{3, 3};
    const auto all = coalesce(subset(511, 9), shape);
    REQUIRE(all.size() == 1);
    CHECK(all[0] == box{{0, 0}, {3, 3}});
    for (index r0 = 0; r0 < 3; ++r0)
        for (index r1 = r0 + 1; r1 <= 3; ++r1)
            for (index c0 = 0; c0 < 3; ++c0)
                for (index c1 = c0 + 1; c1 <= 3; ++c1) {
                    std::vector<index> flats;
                    for (index r = r0; r < r1; ++r)
                        for (index c = c0; c < c1; ++c)
                            flats.push_back(r * 3 + c);
                    const auto b = coalesce(flats, shape);
                    REQUIRE(b.size() == 1);
                    CHECK(b[0] == box{{r0, c0}, {r1, c1}});
                }
    CHECK(coalesce({}, shape).empty());
}

TEST_CASE("regular footprints of a large buffer become one box")
{
    std::vector<index> rows;
    for (int r = 64; r < 128; ++r)
        for (int c = 0; c < 32; ++c)
            rows.push_back(r * 64 + c);
    const auto b = coalesce(rows, dims{128, 64});
    REQUIRE(b.size() == 1);
    CHECK(b[0] == box{{64, 0}, {128, 32}});
    CHECK(b[0].count() == 64 * 32);
    CHECK(ptoref::check::to_string(b[0]) == "[64:128, 0:32]");
    // A stripe across a 3-D buffer.
    std::vector<index> stripe;
    for (int a = 0; a < 2; ++a)
        for (int r = 0; r < 4; ++r)
            for (int c = 8; c < 12; ++c)
                stripe.push_back((a * 4 + r) * 16 + c);
    const auto s = coalesce(stripe, dims{2, 4, 16});
    REQUIRE(s.size() == 1);
    CHECK(ptoref::check::to_string(s[0]) == "[0:2, 0:4, 8:12]");
}

TEST_CASE("to_string: slice notation, a dim of extent one prints as its index")
{
    CHECK(ptoref::check::to_string(box{{2, 0}, {4, 4}}) == "[2:4, 0:4]");
    CHECK(ptoref::check::to_string(box{{5, 0}, {6, 64}}) == "[5, 0:64]");
    CHECK(ptoref::check::to_string(box{{5, 3}, {6, 4}}) == "[5, 3]");
    CHECK(ptoref::check::to_string(box{{7}, {8}}) == "[7]");
    CHECK(ptoref::check::to_string(box{{0}, {64}}) == "[0:64]");
    CHECK(ptoref::check::to_string(box{{1, 2, 3}, {2, 4, 4}}) == "[1, 2:4, 3]");
    // Through coalesce.
    std::vector<index> row5;
    for (int c = 0; c < 64; ++c)
        row5.push_back(5 * 64 + c);
    CHECK(ptoref::check::to_string(coalesce(row5, dims{128, 64}).at(0)) == "[5, 0:64]");
    std::vector<index> rows24;
    for (int r = 2; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
            rows24.push_back(r * 4 + c);
    CHECK(ptoref::check::to_string(coalesce(rows24, dims{8, 4}).at(0)) == "[2:4, 0:4]");
}

TEST_CASE("boxes_to_string: names each box, lists at most max_listed")
{
    CHECK(ptoref::check::boxes_to_string("k", coalesce({0, 2}, dims{4})) == "k[0], k[2]");
    CHECK(ptoref::check::boxes_to_string("k", {}) == "");
    CHECK(coalesce({1, 1, 2, 2}, dims{4}).size() == 1);
    std::vector<index> scattered;
    for (int i = 0; i < 40; i += 2)
        scattered.push_back(i);
    const auto b = coalesce(scattered, dims{40});
    CHECK(b.size() == 20);
    CHECK(ptoref::check::boxes_to_string("t", b) ==
          "t[0], t[2], t[4], t[6], t[8], t[10], t[12], t[14], ... (12 more boxes)");
    CHECK(ptoref::check::boxes_to_string("t", b, 2) == "t[0], t[2], ... (18 more boxes)");
    CHECK(ptoref::check::boxes_to_string("t", b, 20).find("more") == std::string::npos);
}

namespace {

// The obvious construction, as the oracle for coalesce_ranges: unit boxes merged along every
// dim in turn, last dim first.
std::vector<box> reference_coalesce(std::vector<index> flats, const dims& shape)
{
    std::sort(flats.begin(), flats.end());
    flats.erase(std::unique(flats.begin(), flats.end()), flats.end());
    const int r = shape.size();
    std::vector<box> boxes;
    for (index f : flats) {
        box b{ptoref::check::unflatten(f, shape), ptoref::check::unflatten(f, shape)};
        for (int d = 0; d < r; ++d)
            b.hi[d] = b.lo[d] + 1;
        boxes.push_back(b);
    }
    for (int d = r - 1; d >= 0; --d) {
        std::sort(boxes.begin(), boxes.end(), [d, r](const box& a, const box& b) {
            for (int k = 0; k < r; ++k)
                if (k != d && (a.lo[k] != b.lo[k] || a.hi[k] != b.hi[k]))
                    return a.lo[k] != b.lo[k] ? a.lo[k] < b.lo[k] : a.hi[k] < b.hi[k];
            return a.lo[d] < b.lo[d];
        });
        std::vector<box> merged;
        for (const box& b : boxes) {
            bool same = !merged.empty() && merged.back().hi[d] == b.lo[d];
            for (int k = 0; same && k < r; ++k)
                same = k == d || (merged.back().lo[k] == b.lo[k] && merged.back().hi[k] == b.hi[k]);
            if (same)
                merged.back().hi[d] = b.hi[d];
            else
                merged.push_back(b);
        }
        boxes.swap(merged);
    }
    std::sort(boxes.begin(), boxes.end(), [r](const box& a, const box& b) {
        return std::lexicographical_compare(a.lo.begin(), a.lo.begin() + r, b.lo.begin(), b.lo.begin() + r);
    });
    return boxes;
}

} // namespace

TEST_CASE("coalesce_ranges equals the unit-box construction on random overlapping runs")
{
    using ptoref::check::coalesce_ranges;
    using ptoref::check::flat_range;
    const std::vector<dims> shapes{{7}, {3, 5}, {4, 1, 6}, {2, 3, 2, 4}, {1, 9}, {9, 1}};
    std::uint64_t state = 12345;
    auto next = [&state](index n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<index>((state >> 33) % static_cast<std::uint64_t>(n));
    };
    for (const dims& shape : shapes) {
        const index n = shape.product();
        for (int trial = 0; trial < 400; ++trial) {
            std::vector<flat_range> runs;
            std::vector<index> flats;
            const int count = static_cast<int>(next(6));
            for (int k = 0; k < count; ++k) {
                const index lo = next(n), hi = lo + next(n - lo + 1);
                runs.push_back({lo, hi});
                for (index f = lo; f < hi; ++f)
                    flats.push_back(f);
            }
            INFO("shape " << ptoref::to_string(shape) << " trial " << trial);
            CHECK(coalesce_ranges(runs, shape) == reference_coalesce(flats, shape));
        }
    }
}
