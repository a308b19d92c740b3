// A map from element offsets to values, stored as disjoint runs [lo, hi) of equal values.
//
// The checks keep per-element state (race cells, the version of the last in-place write) for
// buffers whose accesses come as long runs of consecutive offsets; storing runs makes their cost
// per run an access touches instead of per element, with exactly the per-element meaning.
// Offsets never assigned have no value (update sees a default-constructed one).
#pragma once

#include <cstddef>
#include <iterator>
#include <map>

#include "ptoref/core/node_pool.hpp"
#include "ptoref/core/shape.hpp"

namespace ptoref::detail {

template <class V>
class run_map {
public:
    // Calls f(value, lo, hi) for the maximal pieces of [lo, hi) that share one value, in
    // ascending order, with the value by reference to update it (a piece never assigned starts
    // as V{}). Afterwards neighbouring runs with equal values are merged.
    template <class F>
    void update(index lo, index hi, F&& f)
    {
        if (lo >= hi)
            return;
        auto it = first_overlapping(lo);
        auto first = runs_.end();
        index pos = lo;
        while (pos < hi) {
            if (it == runs_.end() || it->first > pos) { // never assigned up to the next run
                const index end = it == runs_.end() ? hi : std::min(hi, it->first);
                it = runs_.emplace_hint(it, pos, run{end, V{}});
            } else {
                if (it->first < pos) { // split off the part before lo
                    const run tail{it->second.hi, it->second.value};
                    it->second.hi = pos;
                    it = runs_.emplace_hint(std::next(it), pos, tail);
                }
                if (it->second.hi > hi) { // split off the part after hi
                    runs_.emplace_hint(std::next(it), hi, run{it->second.hi, it->second.value});
                    it->second.hi = hi;
                }
            }
            f(it->second.value, it->first, it->second.hi);
            if (first == runs_.end())
                first = it;
            pos = it->second.hi;
            ++it;
        }
        // Merge equal neighbours from the run before lo to the run that starts at hi.
        auto m = first == runs_.begin() ? first : std::prev(first);
        while (m != runs_.end() && m->first <= hi) {
            auto next = std::next(m);
            if (next != runs_.end() && next->first == m->second.hi && next->second.value == m->second.value) {
                m->second.hi = next->second.hi;
                runs_.erase(next);
            } else {
                m = next;
            }
        }
    }

    // Sets every offset of [lo, hi) to v.
    void assign(index lo, index hi, const V& v)
    {
        update(lo, hi, [&](V& x, index, index) { x = v; });
    }

    // Calls f(value, lo, hi) for the assigned pieces of [lo, hi), in ascending order.
    template <class F>
    void visit(index lo, index hi, F&& f) const
    {
        for (auto it = first_overlapping(lo); it != runs_.end() && it->first < hi; ++it)
            f(it->second.value, std::max(lo, it->first), std::min(hi, it->second.hi));
    }

    // The value of the one run that holds all of [lo, hi), or nullptr when no single assigned
    // run does (runs are kept maximal, so an equal value over [lo, hi) is one run).
    const V* covering(index lo, index hi) const
    {
        auto it = first_overlapping(lo);
        if (it == runs_.end() || it->first > lo || it->second.hi < hi)
            return nullptr;
        return &it->second.value;
    }

    // Whether pred(value) holds for some assigned piece of [lo, hi).
    template <class P>
    bool any_of(index lo, index hi, P&& pred) const
    {
        for (auto it = first_overlapping(lo); it != runs_.end() && it->first < hi; ++it)
            if (pred(it->second.value))
                return true;
        return false;
    }

    std::size_t run_count() const noexcept { return runs_.size(); }

private:
    struct run {
        index hi;
        V value;
    };
    using map_t = std::map<index, run, std::less<index>, pool_allocator<std::pair<const index, run>>>;

    // The first run that ends after lo.
    typename map_t::iterator first_overlapping(index lo)
    {
        auto it = runs_.upper_bound(lo);
        if (it != runs_.begin() && std::prev(it)->second.hi > lo)
            --it;
        return it;
    }
    typename map_t::const_iterator first_overlapping(index lo) const
    {
        auto it = runs_.upper_bound(lo);
        if (it != runs_.begin() && std::prev(it)->second.hi > lo)
            --it;
        return it;
    }

    map_t runs_;
};

} // namespace ptoref::detail
