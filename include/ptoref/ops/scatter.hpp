// pl::scatter (index and mask forms) and pl::scatter_update (docs/semantics.md §9.4;
// ops-semantics-2.md §3). All three are tensor-level: the result is a new tensor equal to the
// base with the scattered elements replaced (positions nobody writes keep the base's values).
//
// Index form scatter(input, dim, index, src): out = input; out[..., index[..k..], ...] = src[..k..].
// Only the common valid region of index and src scatters (as assemble writes only its source's
// valid region); in it, an undefined index element is an error (there is no place to write),
// and an index outside [0, input.shape[dim]) is an error. Duplicate indices: the writes run in
// row-major order of index, so the last one wins (the device's scalar loop, TSCATTER.md).
// Mask form scatter(input, mask_pattern, dst): out = dst; out[r, c*stride + phase] = input[r, c].
// scatter_update(input, dim=-2, index[b, s], src[b*s, d]): out = input; row index.flat[k] of out
// = row k of src, last k winning; the 4-D form [blocks, block_size, 1, d] addresses rows of the
// first two dims flattened.
#pragma once

#include <string>
#include <vector>

#include "ptoref/ops/gather.hpp"
#include "ptoref/ops/mask_pattern.hpp"
#include "ptoref/ops/operand.hpp"
#include "ptoref/ops/view.hpp"

namespace ptoref {
namespace detail {

// A new tensor holding the base's elements and definedness, valid like the base.
template <element_type T>
struct scatter_result {
    Tensor<T> out;
    std::vector<std::uint8_t> def; // empty: all defined so far
    std::string origin;
};

template <element_type T>
scatter_result<T> copy_base(const Tensor<T>& base, std::string_view op, const source_location& loc)
{
    const dense<T> db = read_dense(base, op, loc);
    scatter_result<T> r{new_tensor<T>(base.shape(), op, loc), {}, db.origin};
    std::copy(db.data, db.data + base.numel(), r.out.storage().data());
    if (db.defined)
        r.def.assign(db.defined, db.defined + base.numel());
    return r;
}

template <element_type T>
Tensor<T> finish_scatter(scatter_result<T>& r, const Tensor<T>& base, std::string_view op, const source_location& loc)
{
    finish_output(r.out, r.def.empty() ? nullptr : r.def.data(), op, loc, r.origin);
    return Tensor<T>(r.out.storage_ptr(), base.shape(), r.out.strides(), 0, base.valid_shape());
}

inline bool in_box(const dims& idx, const dims& box) noexcept
{
    for (int d = 0; d < idx.size(); ++d)
        if (idx[d] >= box[d])
            return false;
    return true;
}

inline dims common_valid(const dims& a, const dims& b)
{
    dims v = a;
    for (int d = 0; d < v.size(); ++d)
        v[d] = a[d] < b[d] ? a[d] : b[d];
    return v;
}

} // namespace detail

namespace pl {

template <element_type T, element_type I>
Tensor<T> scatter(const Tensor<T>& input, index dim, const Tensor<I>& index_t, const Tensor<T>& src,
                  source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::scatter";
    static_assert(detail::index_element<I>, "pl::scatter: the index is INT32 (or INT16 for 16-bit inputs)");
    detail::require_handle(static_cast<bool>(input), op, "the input", loc);
    detail::require_handle(static_cast<bool>(index_t), op, "the index", loc);
    detail::require_handle(static_cast<bool>(src), op, "src", loc);
    const int r = input.rank();
    const int ax = detail::normalize_axis(dim, r, op, loc);
    bool shapes_ok = index_t.rank() == r && index_t.shape() == src.shape();
    for (int d = 0; shapes_ok && d < r; ++d)
        shapes_ok = d == ax || index_t.shape()[d] == input.shape()[d];
    if (!shapes_ok)
        throw error(std::string(op),
                    "index " + index_t.describe() + " and src " + src.describe() +
                        " must have one shape, equal to input " + input.describe() + "'s except along dim " +
                        std::to_string(dim),
                    loc);
    const detail::dense<I> dx = detail::read_dense(index_t, op, loc);
    const detail::dense<T> ds = detail::read_dense(src, op, loc);
    detail::scatter_result<T> res = detail::copy_base(input, op, loc);
    T* o = res.out.storage().data();
    const index extent = input.shape()[ax];
    const dims out_strides = row_major_strides(input.shape());
    const dims active = detail::common_valid(index_t.valid_shape(), src.valid_shape());
    const index n = index_t.numel();
    dims idx = dims::filled(r, 0);
    for (index i = 0; i < n; ++i, advance_row_major(idx, index_t.shape())) {
        if (!detail::in_box(idx, active))
            continue;
        if (!dx.is_defined(i))
            throw error(std::string(op),
                        "index element " + to_string(idx) + " of " + index_t.describe() +
                            " is undefined (origin: " + dx.origin + ")",
                        loc);
        const index k = detail::index_value(dx.data[i]);
        if (k < 0 || k >= extent)
            throw error(std::string(op),
                        "index value " + std::to_string(k) + " at " + to_string(idx) + " of " + index_t.describe() +
                            " is outside [0, " + std::to_string(extent) + ") of input " + input.describe() +
                            " along dim " + std::to_string(dim),
                        loc);
        index f = 0;
        for (int d = 0; d < r; ++d)
            f += (d == ax ? k : idx[d]) * out_strides[d];
        o[f] = ds.data[i];
        if (!ds.is_defined(i) && res.def.empty())
            res.def.assign(static_cast<std::size_t>(input.numel()), 1);
        if (!res.def.empty())
            res.def[static_cast<std::size_t>(f)] = ds.is_defined(i) ? 1 : 0;
        if (!ds.is_defined(i) && res.origin.empty())
            res.origin = ds.origin;
    }
    return detail::finish_scatter(res, input, op, loc);
}

// Mask form: the columns of dst the pattern selects receive input's columns, in order.
template <element_type T>
Tensor<T> scatter(const Tensor<T>& input, MaskPattern mask_pattern, const Tensor<T>& dst,
                  source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::scatter";
    detail::require_handle(static_cast<bool>(input), op, "the input", loc);
    detail::require_handle(static_cast<bool>(dst), op, "dst", loc);
    const detail::mask_geometry m = detail::mask_of(mask_pattern, op, loc);
    const int r = input.rank();
    bool ok = dst.rank() == r;
    for (int d = 0; ok && d < r; ++d)
        ok = dst.shape()[d] == (d == r - 1 ? input.shape()[d] * m.stride : input.shape()[d]);
    if (!ok)
        throw error(std::string(op),
                    "dst " + dst.describe() + " must have input " + input.describe() +
                        "'s shape with the last dim times the pattern's stride " + std::to_string(m.stride),
                    loc);
    const detail::dense<T> di = detail::read_dense(input, op, loc);
    detail::scatter_result<T> res = detail::copy_base(dst, op, loc);
    T* o = res.out.storage().data();
    const index cols = input.shape()[r - 1], dcols = dst.shape()[r - 1];
    const index rows = cols == 0 ? 0 : input.numel() / cols;
    if (di.defined && res.def.empty())
        res.def.assign(static_cast<std::size_t>(dst.numel()), 1);
    for (index i = 0; i < rows; ++i)
        for (index j = 0; j < cols; ++j) {
            const index f = i * dcols + j * m.stride + m.phase;
            o[f] = di.data[i * cols + j];
            if (!res.def.empty())
                res.def[static_cast<std::size_t>(f)] = di.is_defined(i * cols + j) ? 1 : 0;
        }
    if (di.defined && res.origin.empty())
        res.origin = di.origin;
    return detail::finish_scatter(res, dst, op, loc);
}

template <element_type T, element_type I>
Tensor<T> scatter_update(const Tensor<T>& input, index dim, const Tensor<I>& index_t, const Tensor<T>& src,
                         source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::scatter_update";
    static_assert(detail::index_element<I>, "pl::scatter_update: the index is INT32");
    detail::require_handle(static_cast<bool>(input), op, "the input", loc);
    detail::require_handle(static_cast<bool>(index_t), op, "the index", loc);
    detail::require_handle(static_cast<bool>(src), op, "src", loc);
    const int r = input.rank();
    if (dim != -2 && dim != r - 2)
        throw error(std::string(op), "scatters rows: dim must be -2, got " + std::to_string(dim), loc);
    // Rows of input and of src, and the row length, for the 2-D and 4-D forms.
    index rows = 0, srows = 0, width = 0;
    bool ok = index_t.rank() == 2;
    if (ok && r == 2 && src.rank() == 2) {
        rows = input.shape()[0];
        width = input.shape()[1];
        srows = src.shape()[0];
        ok = src.shape()[1] == width;
    } else if (ok && r == 4 && src.rank() == 4) {
        rows = input.shape()[0] * input.shape()[1];
        width = input.shape()[3];
        srows = src.shape()[0] * src.shape()[1];
        ok = input.shape()[2] == 1 && src.shape()[2] == 1 && src.shape()[3] == width;
    } else {
        ok = false;
    }
    ok = ok && srows == index_t.numel();
    if (!ok)
        throw error(std::string(op),
                    "needs input [rows, d], index [b, s], src [b*s, d] (or input [blocks, block_size, 1, d], src "
                    "[b, s, 1, d]); got input " +
                        input.describe() + ", index " + index_t.describe() + ", src " + src.describe(),
                    loc);
    if (!index_t.fully_valid() || !src.fully_valid())
        throw error(std::string(op),
                    "index " + index_t.describe() + " and src " + src.describe() + " must be fully valid", loc);
    const detail::dense<I> dx = detail::read_dense(index_t, op, loc);
    const detail::dense<T> ds = detail::read_dense(src, op, loc);
    detail::scatter_result<T> res = detail::copy_base(input, op, loc);
    T* o = res.out.storage().data();
    for (index k = 0; k < srows; ++k) {
        if (!dx.is_defined(k))
            throw error(std::string(op),
                        "index element " + std::to_string(k) + " (flat) of " + index_t.describe() +
                            " is undefined (origin: " + dx.origin + ")",
                        loc);
        const index row = detail::index_value(dx.data[k]);
        if (row < 0 || row >= rows)
            throw error(std::string(op),
                        "index value " + std::to_string(row) + " at flat position " + std::to_string(k) + " of " +
                            index_t.describe() + " is outside the " + std::to_string(rows) + " rows of input " +
                            input.describe(),
                        loc);
        for (index j = 0; j < width; ++j) {
            const index f = row * width + j, s = k * width + j;
            o[f] = ds.data[s];
            if (!ds.is_defined(s) && res.def.empty())
                res.def.assign(static_cast<std::size_t>(input.numel()), 1);
            if (!res.def.empty())
                res.def[static_cast<std::size_t>(f)] = ds.is_defined(s) ? 1 : 0;
        }
    }
    if (ds.defined && res.origin.empty())
        res.origin = ds.origin;
    return detail::finish_scatter(res, input, op, loc);
}

} // namespace pl
} // namespace ptoref
