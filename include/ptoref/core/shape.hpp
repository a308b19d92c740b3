// Shapes, offsets and strides: a small inline vector of at most 8 signed extents.
//
// Signed, so that a negative offset from a user's index arithmetic is reported as an error
// instead of wrapping into a huge unsigned value. Brace lists work: pl::slice(t, {1, 64}, {b, 0}).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "ptoref/core/checked.hpp"
#include "ptoref/core/error.hpp"

namespace ptoref {

using index = std::int64_t;
inline constexpr int max_rank = 8;

class dims {
    // Defined before the constructors that use it: clang 14 rejects constant evaluation of a
    // constexpr member template defined later in the class ("undefined function").
    // A list longer than max_rank is not an error here: a brace list converts before the op's
    // body runs, so the op could not name itself. The dims is kept empty with the rank asked
    // for, and the op that receives it reports it (detail::check_rank) with its name and site.
    template <class It>
    constexpr void assign(It first, It last)
    {
        int count = 0;
        for (It it = first; it != last; ++it)
            ++count;
        if (count > max_rank) {
            too_long_ = count;
            return;
        }
        for (; first != last; ++first)
            v_[static_cast<std::size_t>(n_++)] = static_cast<index>(*first);
    }

public:
    constexpr dims() noexcept = default;
    // The location parameter is kept for callers that pass one; the receiving op reports.
    constexpr dims(std::initializer_list<index> v, source_location = source_location::current())
    {
        assign(v.begin(), v.end());
    }
    explicit dims(std::span<const index> v, source_location = source_location::current())
    {
        assign(v.begin(), v.end());
    }
    explicit dims(const std::vector<index>& v, source_location = source_location::current())
    {
        assign(v.begin(), v.end());
    }
    // n copies of value
    static constexpr dims filled(int n, index value, source_location loc = source_location::current())
    {
        if (n < 0 || n > max_rank)
            throw error("ptoref::dims::filled",
                        "rank " + std::to_string(n) + " is outside [0, " + std::to_string(max_rank) + "]", loc);
        dims d;
        d.n_ = n;
        for (int i = 0; i < n; ++i)
            d.v_[static_cast<std::size_t>(i)] = value;
        return d;
    }

    constexpr int size() const noexcept { return n_; }
    constexpr bool empty() const noexcept { return n_ == 0; }
    // The rank a too-long list asked for (0 when the dims is fine).
    constexpr int excess_rank() const noexcept { return too_long_; }
    constexpr index& operator[](int i) noexcept { return v_[static_cast<std::size_t>(i)]; }
    constexpr index operator[](int i) const noexcept { return v_[static_cast<std::size_t>(i)]; }
    constexpr index back() const noexcept { return v_[static_cast<std::size_t>(n_ - 1)]; }
    constexpr const index* begin() const noexcept { return v_.data(); }
    constexpr const index* end() const noexcept { return v_.data() + n_; }
    constexpr index* begin() noexcept { return v_.data(); }
    constexpr index* end() noexcept { return v_.data() + n_; }

    constexpr void push_back(index x, source_location loc = source_location::current())
    {
        if (n_ == max_rank)
            throw error(
                "ptoref::dims::push_back",
                "rank exceeds the maximum of 8 (appending " + std::to_string(x) + " to " + to_string_impl() + ")", loc);
        v_[static_cast<std::size_t>(n_++)] = x;
    }

    // Product of the extents (1 for rank 0). A product that does not fit in int64 (or a
    // negative extent) is an error, never a wrapped count; see checked_product.
    constexpr index product(source_location loc = source_location::current()) const
    {
        if (const auto p = checked_product(*this))
            return *p;
        throw error("ptoref::dims::product", "shape " + to_string_impl() + " has no element count in int64", loc);
    }

    std::vector<index> to_vector() const { return {begin(), end()}; }

    friend constexpr bool operator==(const dims& a, const dims& b) noexcept
    {
        return a.n_ == b.n_ && a.too_long_ == b.too_long_ && std::equal(a.begin(), a.end(), b.begin());
    }

    std::string to_string_impl() const
    {
        if (too_long_)
            return "[rank " + std::to_string(too_long_) + " shape]";
        std::string s = "[";
        for (int i = 0; i < n_; ++i) {
            if (i)
                s += ", ";
            s += std::to_string(v_[static_cast<std::size_t>(i)]);
        }
        return s + "]";
    }

private:
    std::array<index, max_rank> v_{};
    int n_ = 0;
    int too_long_ = 0;
};

// "[2, 64, 512]"
inline std::string to_string(const dims& d)
{
    return d.to_string_impl();
}

namespace detail {

// The op-side half of dims' rank limit: a too-long list is reported by the op that got it.
inline void check_rank(const dims& d, std::string_view op, std::string_view what, const source_location& loc)
{
    if (d.excess_rank())
        throw error(std::string(op),
                    std::string(what) + " has " + std::to_string(d.excess_rank()) +
                        " dims: rank exceeds the maximum of " + std::to_string(max_rank),
                    loc);
}

} // namespace detail

// Steps a row-major multi-index through `shape`; returns false after the last index.
constexpr bool advance_row_major(dims& idx, const dims& shape) noexcept
{
    for (int d = shape.size() - 1; d >= 0; --d) {
        if (++idx[d] < shape[d])
            return true;
        idx[d] = 0;
    }
    return false;
}

// Calls f(offset + sum_d i_d * strides[d]) for every index of `shape`, row-major.
template <class F>
void for_each_offset(const dims& shape, const dims& strides, index offset, F&& f)
{
    const int r = shape.size();
    if (shape.product() == 0)
        return;
    dims idx = dims::filled(r, 0);
    index base = offset;
    const index n_last = r ? shape[r - 1] : 1;
    const index s_last = r ? strides[r - 1] : 0;
    while (true) {
        for (index j = 0; j < n_last; ++j)
            f(base + j * s_last);
        int d = r - 2;
        for (; d >= 0; --d) {
            base += strides[d];
            if (++idx[d] < shape[d])
                break;
            base -= strides[d] * shape[d];
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}

// Calls f(lo, hi) for runs of consecutive buffer offsets [lo, hi) that together are exactly the
// elements for_each_offset visits (in another order when the unit-stride dim is not the last).
// Runs follow a dim of stride +-1 (the last such dim, with the outer dims that continue it
// contiguously); a view with none gives one-element runs.
template <class F>
void for_each_run(const dims& shape, const dims& strides, index offset, F&& f)
{
    const int r = shape.size();
    if (shape.product() == 0)
        return;
    int run_dim = -1;
    for (int d = r - 1; d >= 0 && run_dim < 0; --d)
        if ((strides[d] == 1 || strides[d] == -1) && shape[d] > 1)
            run_dim = d;
    if (run_dim < 0) {
        for_each_offset(shape, strides, offset, [&](index o) { f(o, o + 1); });
        return;
    }
    index len = shape[run_dim];
    const bool down = strides[run_dim] < 0;
    dims outer = shape;
    outer[run_dim] = 1;
    // Dims just outside a unit-stride dim that continue it contiguously join the run, so a
    // dense view is one run.
    for (int d = run_dim - 1; d >= 0 && !down && strides[d] == len; --d) {
        len *= shape[d];
        outer[d] = 1;
    }
    for_each_offset(outer, strides, offset, [&](index o) {
        if (down)
            f(o - (len - 1), o + 1);
        else
            f(o, o + len);
    });
}

// Row-major (C order) strides for a shape.
inline dims row_major_strides(const dims& shape)
{
    dims s = dims::filled(shape.size(), 1);
    for (int i = shape.size() - 2; i >= 0; --i) {
        const auto p = checked_mul(s[i + 1], shape[i + 1]);
        if (!p)
            throw error("ptoref::row_major_strides", "strides of shape " + to_string(shape) + " overflow int64");
        s[i] = *p;
    }
    return s;
}

} // namespace ptoref
