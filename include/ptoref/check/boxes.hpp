// Coalescing a set of buffer elements into boxes in the buffer's own coordinates, for reports:
// "k_cache[64:128, 0:32]" instead of four thousand element indices.
//
// Greedy and deterministic: elements become unit boxes, then boxes that differ only along one
// dim and touch are merged, last dim first. Regular footprints (rows, row ranges, stripes,
// windows) come out as one box each; the boxes always cover exactly the given elements.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "ptoref/core/shape.hpp"

namespace ptoref::check {

struct box {
    dims lo; // inclusive
    dims hi; // exclusive
    index count() const noexcept
    {
        index n = 1;
        for (int d = 0; d < lo.size(); ++d)
            n *= hi[d] - lo[d];
        return n;
    }
    friend bool operator==(const box& a, const box& b) noexcept { return a.lo == b.lo && a.hi == b.hi; }
};

// "[64:128, 0:32]"; a dim of extent one prints as its index: "[5, 0:64]".
inline std::string to_string(const box& b)
{
    std::string s = "[";
    for (int d = 0; d < b.lo.size(); ++d) {
        if (d)
            s += ", ";
        s += std::to_string(b.lo[d]);
        if (b.hi[d] - b.lo[d] != 1) {
            s += ':';
            s += std::to_string(b.hi[d]);
        }
    }
    return s + "]";
}

inline dims unflatten(index flat, const dims& shape)
{
    dims c = dims::filled(shape.size(), 0);
    for (int d = shape.size() - 1; d >= 0; --d) {
        c[d] = shape[d] ? flat % shape[d] : 0;
        flat = shape[d] ? flat / shape[d] : 0;
    }
    return c;
}

// A run of consecutive flat indices [lo, hi) of a buffer.
struct flat_range {
    index lo;
    index hi;
};

// Boxes covering exactly the union of the given runs (overlaps allowed) of a buffer of `shape`:
// the same boxes as coalesce() of the runs' elements, without visiting the elements.
inline std::vector<box> coalesce_ranges(std::vector<flat_range> runs, const dims& shape)
{
    const int r = shape.size();
    std::sort(runs.begin(), runs.end(), [](const flat_range& a, const flat_range& b) { return a.lo < b.lo; });
    std::vector<flat_range> merged_runs;
    for (const flat_range& u : runs) {
        if (u.lo >= u.hi)
            continue;
        if (!merged_runs.empty() && u.lo <= merged_runs.back().hi)
            merged_runs.back().hi = std::max(merged_runs.back().hi, u.hi);
        else
            merged_runs.push_back(u);
    }
    // Maximal runs cut at row ends are the maximal row segments unit boxes would merge into.
    std::vector<box> boxes;
    const index row = r ? shape[r - 1] : 1;
    for (const flat_range& u : merged_runs) {
        for (index lo = u.lo; lo < u.hi;) {
            const index hi = row > 0 ? std::min(u.hi, (lo / row + 1) * row) : u.hi;
            box b{unflatten(lo, shape), unflatten(lo, shape)};
            for (int d = 0; d < r; ++d)
                b.hi[d] = b.lo[d] + 1;
            if (r)
                b.hi[r - 1] = b.lo[r - 1] + (hi - lo);
            boxes.push_back(b);
            lo = hi;
        }
    }
    for (int d = r - 2; d >= 0; --d) {
        // Sort so that boxes equal in every dim but d are adjacent, ordered along d.
        auto key_less = [d, r](const box& a, const box& b) {
            for (int k = 0; k < r; ++k) {
                if (k == d)
                    continue;
                if (a.lo[k] != b.lo[k])
                    return a.lo[k] < b.lo[k];
                if (a.hi[k] != b.hi[k])
                    return a.hi[k] < b.hi[k];
            }
            return a.lo[d] < b.lo[d];
        };
        std::sort(boxes.begin(), boxes.end(), key_less);
        std::vector<box> merged;
        for (const box& b : boxes) {
            if (!merged.empty()) {
                box& m = merged.back();
                bool same = m.hi[d] == b.lo[d];
                for (int k = 0; same && k < r; ++k)
                    same = k == d || (m.lo[k] == b.lo[k] && m.hi[k] == b.hi[k]);
                if (same) {
                    m.hi[d] = b.hi[d];
                    continue;
                }
            }
            merged.push_back(b);
        }
        boxes.swap(merged);
    }
    std::sort(boxes.begin(), boxes.end(), [r](const box& a, const box& b) {
        return std::lexicographical_compare(a.lo.begin(), a.lo.begin() + r, b.lo.begin(), b.lo.begin() + r);
    });
    return boxes;
}

// Boxes covering exactly the given flat indices (duplicates allowed) of a buffer of `shape`.
inline std::vector<box> coalesce(const std::vector<index>& flats, const dims& shape)
{
    std::vector<flat_range> runs;
    runs.reserve(flats.size());
    for (index f : flats)
        runs.push_back({f, f + 1});
    return coalesce_ranges(std::move(runs), shape);
}

inline std::string boxes_to_string(const std::string& tensor, const std::vector<box>& boxes, std::size_t max_listed = 8)
{
    std::string s;
    for (std::size_t i = 0; i < boxes.size() && i < max_listed; ++i) {
        if (i)
            s += ", ";
        s += tensor + to_string(boxes[i]);
    }
    if (boxes.size() > max_listed)
        s += ", ... (" + std::to_string(boxes.size() - max_listed) + " more boxes)";
    return s;
}

} // namespace ptoref::check
