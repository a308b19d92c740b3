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
#include <string>
#include <vector>

#include "ptoref/core/error.hpp"

namespace ptoref {

using index = std::int64_t;
inline constexpr int max_rank = 8;

class dims {
    // Defined before the constructors that use it: clang 14 rejects constant evaluation of a
    // constexpr member template defined later in the class ("undefined function").
    template <class It>
    constexpr void assign(It first, It last, source_location loc)
    {
        for (; first != last; ++first) {
            if (n_ == max_rank)
                throw error("", "rank exceeds the maximum of 8", loc);
            v_[static_cast<std::size_t>(n_++)] = static_cast<index>(*first);
        }
    }

public:
    constexpr dims() noexcept = default;
    constexpr dims(std::initializer_list<index> v, source_location loc = source_location::current())
    {
        assign(v.begin(), v.end(), loc);
    }
    explicit dims(std::span<const index> v, source_location loc = source_location::current())
    {
        assign(v.begin(), v.end(), loc);
    }
    explicit dims(const std::vector<index>& v, source_location loc = source_location::current())
    {
        assign(v.begin(), v.end(), loc);
    }
    // n copies of value
    static constexpr dims filled(int n, index value)
    {
        dims d;
        d.n_ = n;
        for (int i = 0; i < n; ++i)
            d.v_[static_cast<std::size_t>(i)] = value;
        return d;
    }

    constexpr int size() const noexcept { return n_; }
    constexpr bool empty() const noexcept { return n_ == 0; }
    constexpr index& operator[](int i) noexcept { return v_[static_cast<std::size_t>(i)]; }
    constexpr index operator[](int i) const noexcept { return v_[static_cast<std::size_t>(i)]; }
    constexpr index back() const noexcept { return v_[static_cast<std::size_t>(n_ - 1)]; }
    constexpr const index* begin() const noexcept { return v_.data(); }
    constexpr const index* end() const noexcept { return v_.data() + n_; }
    constexpr index* begin() noexcept { return v_.data(); }
    constexpr index* end() noexcept { return v_.data() + n_; }

    constexpr void push_back(index x)
    {
        if (n_ == max_rank)
            throw error("", "rank exceeds the maximum of 8");
        v_[static_cast<std::size_t>(n_++)] = x;
    }

    // Product of the extents (1 for rank 0).
    constexpr index product() const noexcept
    {
        index p = 1;
        for (int i = 0; i < n_; ++i)
            p *= v_[static_cast<std::size_t>(i)];
        return p;
    }

    std::vector<index> to_vector() const { return {begin(), end()}; }

    friend constexpr bool operator==(const dims& a, const dims& b) noexcept
    {
        return a.n_ == b.n_ && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    std::array<index, max_rank> v_{};
    int n_ = 0;
};

// "[2, 64, 512]"
inline std::string to_string(const dims& d)
{
    std::string s = "[";
    for (int i = 0; i < d.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(d[i]);
    }
    return s + "]";
}

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

// Row-major (C order) strides for a shape.
inline dims row_major_strides(const dims& shape)
{
    dims s = dims::filled(shape.size(), 1);
    for (int i = shape.size() - 2; i >= 0; --i)
        s[i] = s[i + 1] * shape[i + 1];
    return s;
}

} // namespace ptoref
