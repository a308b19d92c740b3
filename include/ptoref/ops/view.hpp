// Views: pl::slice, pl::reshape, pl::transpose, pl::tile::transpose_view. They share the source's
// buffer (no copy), so writes through one view are seen by every other, as at the DSL's
// orchestration level. Two exceptions are copies: a reshape no strides can express, and a slice
// window that overhangs its source (only its valid part is ever addressed; docs/semantics.md, "Views").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ptoref/ops/operand.hpp"

namespace ptoref {
namespace detail {

// numpy's no-copy reshape: the new shape as strides over the same elements, if one exists.
inline bool reshape_strides(const dims& old_shape, const dims& old_strides, const dims& new_shape, dims& out)
{
    std::vector<index> od, os;
    for (int i = 0; i < old_shape.size(); ++i)
        if (old_shape[i] != 1) {
            od.push_back(old_shape[i]);
            os.push_back(old_strides[i]);
        }
    const int on = static_cast<int>(od.size()), nn = new_shape.size();
    out = dims::filled(nn, 1);
    int oi = 0, oj = 1, ni = 0, nj = 1;
    while (ni < nn && oi < on) {
        index np = new_shape[ni], op = od[static_cast<std::size_t>(oi)];
        while (np != op) {
            if (np < op)
                np *= new_shape[nj++];
            else
                op *= od[static_cast<std::size_t>(oj++)];
        }
        for (int k = oi; k < oj - 1; ++k)
            if (os[static_cast<std::size_t>(k)] !=
                od[static_cast<std::size_t>(k + 1)] * os[static_cast<std::size_t>(k + 1)])
                return false;
        out[nj - 1] = os[static_cast<std::size_t>(oj - 1)];
        for (int nk = nj - 1; nk > ni; --nk)
            out[nk - 1] = out[nk] * new_shape[nk];
        ni = nj++;
        oi = oj++;
    }
    return true; // remaining new dims are extent 1; their stride is irrelevant
}

// pl::slice of a window that overhangs its source (defined after pl::slice, which it uses).
template <element_type T>
Tensor<T> overhanging_slice(const Tensor<T>& t, const dims& shape, const dims& offset, dims valid, bool clamp,
                            const source_location& loc);

// The valid region of a row-major reshape of a partly valid tensor, if it is again a box.
// The source's valid region is the box [0, valid) of `shape`; as a set of row-major positions it
// is a list of maximal runs (the valid part of the last dim that is not fully valid, times the
// full dims after it), one per index of the dims before that dim. It is the box [0, v') of
// `new_shape` exactly when v' (read off the first run's length and the last run's start) has
// the same runs. Costs one step per run. An empty valid region maps to the all-zero box.
inline std::optional<dims> reshape_valid(const dims& shape, const dims& valid, const dims& new_shape)
{
    const int r = shape.size(), nr = new_shape.size();
    for (int i = 0; i < r; ++i)
        if (valid[i] == 0)
            return dims::filled(nr, 0);
    int p = r - 1; // the last dim that is not fully valid
    while (p >= 0 && valid[p] == shape[p])
        --p;
    if (p < 0)
        return new_shape;
    const dims st = row_major_strides(shape), nst = row_major_strides(new_shape);
    const index run = valid[p] * st[p];
    // The new box's partial dim q: the outermost one whose stride fits in a run (strides do
    // not increase inwards); the run must be a whole number of its rows, the dims after q full.
    int q = 0;
    while (nst[q] > run)
        ++q;
    if (run % nst[q] != 0)
        return std::nullopt;
    dims nv = new_shape;
    nv[q] = run / nst[q];
    // The last run's start, in new coordinates, gives the extents of the dims before q.
    index last = 0;
    for (int i = 0; i < p; ++i)
        last += (valid[i] - 1) * st[i];
    for (int i = 0; i < nr; ++i) {
        const index c = last / nst[i];
        last -= c * nst[i];
        if (i < q)
            nv[i] = c + 1;
        else if (c != 0)
            return std::nullopt;
    }
    // Same runs, in the same (ascending) order: same number, same starts.
    index count_old = 1, count_new = 1;
    for (int i = 0; i < p; ++i)
        count_old *= valid[i];
    for (int i = 0; i < q; ++i)
        count_new *= nv[i];
    if (count_old != count_new)
        return std::nullopt;
    dims io = dims::filled(p, 0), in = dims::filled(q, 0), vo = io, vn = in;
    for (int i = 0; i < p; ++i)
        vo[i] = valid[i];
    for (int i = 0; i < q; ++i)
        vn[i] = nv[i];
    for (index k = 0; k < count_old; ++k) {
        index so = 0, sn = 0;
        for (int i = 0; i < p; ++i)
            so += io[i] * st[i];
        for (int i = 0; i < q; ++i)
            sn += in[i] * nst[i];
        if (so != sn)
            return std::nullopt;
        advance_row_major(io, vo);
        advance_row_major(in, vn);
    }
    return nv;
}

inline int normalize_axis(index axis, int rank, std::string_view op, const source_location& loc)
{
    const index a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
        throw error(std::string(op),
                    "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank), loc);
    return static_cast<int>(a);
}

} // namespace detail

namespace pl {

// A view of `shape` at `offset`. offset has the source's rank; shape may have a lower rank, in
// which case the leading source dims have extent 1 and are dropped. Only the top-left
// valid_shape part holds data (default: all of it), and never more than the source's valid
// region covers.
//
// The window may overhang the source's edge when the part it declares valid does not (pypto's
// slice for a dynamic extent, or clamp=true, which cuts the valid part back to the source's
// edge): the result is then a copy of the window's valid part, its padding undefined.
template <element_type T>
Tensor<T> slice(const Tensor<T>& t, const dims& shape, const dims& offset, const dims& valid_shape, bool clamp,
                source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::slice";
    detail::require_handle(static_cast<bool>(t), op, "the source", loc);
    detail::check_shape(shape, op, loc);
    detail::check_rank(offset, op, "the offset", loc);
    detail::check_rank(valid_shape, op, "valid_shape", loc);
    const int r = t.rank();
    if (offset.size() != r || shape.size() > r)
        throw error(std::string(op),
                    "offset " + to_string(offset) + " and shape " + to_string(shape) + " do not fit the rank of " +
                        t.describe(),
                    loc);
    const int lead = r - shape.size();
    // The window [offset, offset + extent) per dim, in checked arithmetic: offset + extent can
    // overflow for an offset near INT64_MAX, and a wrapped end would pass the bounds test.
    bool in_bounds = true;
    for (int d = 0; d < r; ++d) {
        const index ext = d < lead ? 1 : shape[d - lead];
        const auto end = checked_add(offset[d], ext);
        in_bounds = in_bounds && offset[d] >= 0 && end && *end <= t.shape()[d];
    }
    dims valid = shape;
    if (!valid_shape.empty()) {
        bool ok = valid_shape.size() == shape.size();
        for (int d = 0; ok && d < shape.size(); ++d)
            ok = valid_shape[d] >= 0 && valid_shape[d] <= shape[d];
        if (!ok)
            throw error(std::string(op),
                        "valid_shape " + to_string(valid_shape) + " must have the rank of shape " + to_string(shape) +
                            " and lie within it",
                        loc);
        valid = valid_shape;
    }
    if (!in_bounds)
        return detail::overhanging_slice(t, shape, offset, valid, clamp, loc);
    std::optional<index> off = t.offset();
    dims strides = dims::filled(shape.size(), 1);
    for (int d = 0; d < r; ++d) {
        const auto step = checked_mul(offset[d], t.strides()[d]);
        off = off && step ? checked_add(*off, *step) : std::nullopt;
        if (d >= lead) {
            strides[d - lead] = t.strides()[d];
            // The slice is never valid where the source is not.
            const index src_valid = t.valid_shape()[d] - offset[d];
            const index clamped = src_valid < 0 ? 0 : src_valid;
            if (clamped < valid[d - lead])
                valid[d - lead] = clamped;
        } else if (offset[d] >= t.valid_shape()[d]) {
            valid = dims::filled(shape.size(), 0);
        }
    }
    if (!off) // only an empty window of a huge empty tensor can get here
        throw error(std::string(op),
                    "the buffer offset of the window at " + to_string(offset) + " in " + t.describe() +
                        " overflows int64",
                    loc);
    // A view of a superseded handle is superseded too: it keeps the handle's version.
    return Tensor<T>(t.storage_ptr(), shape, strides, *off, valid, t.handle_version());
}

template <element_type T>
Tensor<T> slice(const Tensor<T>& t, const dims& shape, const dims& offset, const dims& valid_shape = {},
                source_location loc = source_location::current())
{
    return slice(t, shape, offset, valid_shape, false, loc);
}

// Row-major reinterpretation with the same element count. A view when the new shape can be
// expressed with strides over the same elements (always for dense sources); otherwise a copy.
template <element_type T>
Tensor<T> reshape(const Tensor<T>& t, const dims& shape, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::reshape";
    detail::require_handle(static_cast<bool>(t), op, "the source", loc);
    detail::check_shape(shape, op, loc);
    if (shape.product() != t.numel())
        throw error(std::string(op),
                    "cannot reshape " + t.describe() + " (" + std::to_string(t.numel()) + " elements) to " +
                        to_string(shape) + " (" + std::to_string(shape.product()) + " elements)",
                    loc);
    const std::optional<dims> valid = detail::reshape_valid(t.shape(), t.valid_shape(), shape);
    if (!valid)
        throw error(std::string(op),
                    "cannot reshape partially valid " + t.describe() + " to " + to_string(shape) +
                        ": its valid region would not be a top-left box of the new shape; fillpad it first",
                    loc);
    dims strides;
    if (t.numel() > 0 && detail::reshape_strides(t.shape(), t.strides(), shape, strides))
        return Tensor<T>(t.storage_ptr(), shape, strides, t.offset(), *valid, t.handle_version());
    const detail::dense<T> d = detail::read_dense(t, op, loc);
    Tensor<T> out = detail::new_tensor<T>(shape, op, loc);
    std::copy(d.data, d.data + t.numel(), out.storage().data());
    detail::finish_output(out, d.defined, op, loc, d.origin);
    return Tensor<T>(out.storage_ptr(), shape, out.strides(), 0, *valid, out.handle_version());
}

// Swaps two axes (negative axes count from the end); a view.
template <element_type T>
Tensor<T> transpose(const Tensor<T>& t, index axis1, index axis2, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::transpose";
    detail::require_handle(static_cast<bool>(t), op, "the source", loc);
    const int a = detail::normalize_axis(axis1, t.rank(), op, loc);
    const int b = detail::normalize_axis(axis2, t.rank(), op, loc);
    dims shape = t.shape(), strides = t.strides(), valid = t.valid_shape();
    std::swap(shape[a], shape[b]);
    std::swap(strides[a], strides[b]);
    std::swap(valid[a], valid[b]);
    return Tensor<T>(t.storage_ptr(), shape, strides, t.offset(), valid, t.handle_version());
}

// pl.tile.transpose_view: pypto's zero-copy NZ <-> ZN reinterpretation of a (Mat) tile, which
// swaps the trailing two dims over the same bytes (its torch form is `.mT`). On a CPU layout is
// strides, so it is pl::transpose(t, -2, -1): a view, the valid region swapped with the dims.
template <element_type T>
Tensor<T> transpose_view(const Tensor<T>& t, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::tile::transpose_view";
    detail::require_handle(static_cast<bool>(t), op, "the source", loc);
    if (t.rank() < 2)
        throw error(std::string(op), "needs at least 2 dims, got " + t.describe(), loc);
    return transpose(t, -2, -1, loc);
}

namespace tile {
using pl::transpose_view;
} // namespace tile

} // namespace pl

namespace detail {

// pl::slice of a window that overhangs its source. The part declared valid must lie inside the
// source unless `clamp` cuts it back to the edge; that part is copied (read like any input), the
// rest of the window is padding: undefined, as the device leaves it.
template <element_type T>
Tensor<T> overhanging_slice(const Tensor<T>& t, const dims& shape, const dims& offset, dims valid, bool clamp,
                            const source_location& loc)
{
    constexpr std::string_view op = "pl::slice";
    const int r = t.rank(), lead = r - shape.size();
    for (int d = 0; d < r; ++d) {
        if (offset[d] < 0 || (d < lead && offset[d] >= t.shape()[d]))
            throw error(std::string(op),
                        "window at offset " + to_string(offset) + " with shape " + to_string(shape) +
                            " is out of bounds of " + t.describe(),
                        loc);
        if (d < lead)
            continue;
        const index room = offset[d] < t.shape()[d] ? t.shape()[d] - offset[d] : 0;
        index& v = valid[d - lead];
        if (v <= room)
            continue;
        if (!clamp)
            throw error(std::string(op),
                        "window at offset " + to_string(offset) + " with shape " + to_string(shape) + " (valid " +
                            to_string(valid) + ") is out of bounds of " + t.describe() + " in its valid part (dim " +
                            std::to_string(d) + "); narrow valid_shape to what the source holds, or pass clamp=True",
                        loc);
        v = room;
    }
    Tensor<T> out = new_tensor<T>(shape, op, loc);
    T* o = out.storage().data();
    std::fill(o, o + out.numel(), poison_value<T>());
    std::vector<std::uint8_t> mask;
    guard_allocation<T>(shape, op, loc, [&] { mask.assign(static_cast<std::size_t>(out.numel()), std::uint8_t{0}); });
    const dims out_strides = row_major_strides(shape);
    // Never valid where the source is not (the rule of the in-bounds slice).
    dims out_valid = valid;
    for (int d = 0; d < r; ++d) {
        const index src_valid = t.valid_shape()[d] > offset[d] ? t.valid_shape()[d] - offset[d] : 0;
        if (d < lead && src_valid == 0)
            out_valid = dims::filled(shape.size(), 0);
        else if (d >= lead && src_valid < out_valid[d - lead])
            out_valid[d - lead] = src_valid;
    }
    std::string origin;
    if (out_valid.product() > 0) {
        // The valid part as an in-bounds view; it reads exactly the copied elements.
        const Tensor<T> part = pl::slice(t, out_valid, offset, {}, false, loc);
        const dense<T> d = read_dense(part, op, loc);
        origin = d.origin;
        dims idx = dims::filled(part.rank(), 0);
        for (index i = 0, n = part.numel(); i < n; ++i, advance_row_major(idx, part.shape())) {
            index f = 0;
            for (int k = 0; k < part.rank(); ++k)
                f += idx[k] * out_strides[k];
            o[f] = d.data[i];
            mask[static_cast<std::size_t>(f)] = d.defined ? d.defined[i] : std::uint8_t{1};
        }
    }
    if (origin.empty())
        origin = "padding of the window " + to_string(shape) + " at " + to_string(offset) + " overhanging " +
                 t.describe() + " (pl::slice at " + to_string(loc) + ")";
    finish_output(out, mask.empty() ? nullptr : mask.data(), op, loc, origin);
    return Tensor<T>(out.storage_ptr(), shape, out_strides, 0, out_valid, out.handle_version());
}

} // namespace detail
} // namespace ptoref
