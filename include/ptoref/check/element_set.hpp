// A set of element indices of one buffer, as sorted disjoint half-open intervals.
//
// Task footprints and the views a task passes are kept this way: exact (no bounding boxes, no
// caps), compact for the rows and stripes real programs touch, and cheap to intersect. Every
// view of a buffer (slice, reshape, transpose) names the buffer's own flat indices, so two
// views of one allocation compare as the elements they share.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "ptoref/core/shape.hpp"
#include "ptoref/tensor/access.hpp"

namespace ptoref::check {

class element_set {
public:
    using interval = std::pair<index, index>; // [first, second)

    element_set() = default;
    explicit element_set(const view_geometry& g) { add(g); }

    // Adds the elements of a strided view (row by row: a unit-stride row is one interval).
    void add(const view_geometry& g)
    {
        const int r = g.shape.size();
        if (g.shape.product() == 0)
            return;
        const index n_last = r ? g.shape[r - 1] : 1, s_last = r ? g.strides[r - 1] : 0;
        dims outer_shape = g.shape, outer_strides = g.strides;
        if (r) {
            outer_shape[r - 1] = 1;
            outer_strides[r - 1] = 0;
        }
        for_each_offset(outer_shape, outer_strides, g.offset, [&](index row) {
            if (s_last == 1 || n_last == 1) {
                push(row, row + n_last * (n_last == 1 ? 1 : s_last));
            } else if (s_last == -1) {
                push(row - n_last + 1, row + 1);
            } else {
                for (index j = 0; j < n_last; ++j)
                    push(row + j * s_last, row + j * s_last + 1);
            }
        });
    }
    void add_interval(index first, index last)
    {
        if (first < last)
            push(first, last);
    }
    void add(const element_set& o)
    {
        o.normalize();
        for (const interval& iv : o.iv_)
            push(iv.first, iv.second);
    }

    bool empty() const
    {
        normalize();
        return iv_.empty();
    }
    index count() const
    {
        normalize();
        index n = 0;
        for (const interval& iv : iv_)
            n += iv.second - iv.first;
        return n;
    }
    bool contains(index f) const
    {
        normalize();
        auto it = std::upper_bound(iv_.begin(), iv_.end(), f, [](index v, const interval& iv) { return v < iv.first; });
        return it != iv_.begin() && f < std::prev(it)->second;
    }
    const std::vector<interval>& intervals() const
    {
        normalize();
        return iv_;
    }
    std::vector<index> flats() const
    {
        normalize();
        std::vector<index> out;
        for (const interval& iv : iv_)
            for (index f = iv.first; f < iv.second; ++f)
                out.push_back(f);
        return out;
    }

    friend element_set intersect(const element_set& a, const element_set& b)
    {
        a.normalize();
        b.normalize();
        element_set out;
        std::size_t i = 0, j = 0;
        while (i < a.iv_.size() && j < b.iv_.size()) {
            const index lo = std::max(a.iv_[i].first, b.iv_[j].first);
            const index hi = std::min(a.iv_[i].second, b.iv_[j].second);
            if (lo < hi)
                out.iv_.emplace_back(lo, hi);
            if (a.iv_[i].second < b.iv_[j].second)
                ++i;
            else
                ++j;
        }
        return out;
    }
    friend bool intersects(const element_set& a, const element_set& b)
    {
        a.normalize();
        b.normalize();
        if (a.iv_.empty() || b.iv_.empty() || a.iv_.back().second <= b.iv_.front().first ||
            b.iv_.back().second <= a.iv_.front().first)
            return false;
        std::size_t i = 0, j = 0;
        while (i < a.iv_.size() && j < b.iv_.size()) {
            if (std::max(a.iv_[i].first, b.iv_[j].first) < std::min(a.iv_[i].second, b.iv_[j].second))
                return true;
            if (a.iv_[i].second < b.iv_[j].second)
                ++i;
            else
                ++j;
        }
        return false;
    }

    // Whether every element of `part` is in `whole`.
    friend bool covers(const element_set& whole, const element_set& part)
    {
        whole.normalize();
        part.normalize();
        std::size_t i = 0;
        for (const interval& p : part.iv_) {
            while (i < whole.iv_.size() && whole.iv_[i].second <= p.first)
                ++i;
            if (i == whole.iv_.size() || whole.iv_[i].first > p.first || whole.iv_[i].second < p.second)
                return false; // merged intervals: p must lie inside one of whole's
        }
        return true;
    }

private:
    void push(index first, index last)
    {
        if (!iv_.empty() && sorted_ && iv_.back().second >= first && iv_.back().first <= first) {
            iv_.back().second = std::max(iv_.back().second, last);
            return;
        }
        if (!iv_.empty() && first < iv_.back().second)
            sorted_ = false;
        iv_.emplace_back(first, last);
    }
    // Sorts and merges (lazily, so appending many rows stays linear).
    void normalize() const
    {
        if (sorted_)
            return;
        std::sort(iv_.begin(), iv_.end());
        std::vector<interval> merged;
        merged.reserve(iv_.size());
        for (const interval& iv : iv_) {
            if (!merged.empty() && iv.first <= merged.back().second)
                merged.back().second = std::max(merged.back().second, iv.second);
            else
                merged.push_back(iv);
        }
        iv_.swap(merged);
        sorted_ = true;
    }

    mutable std::vector<interval> iv_;
    mutable bool sorted_ = true;
};

} // namespace ptoref::check
