// In-place writes: pl::assemble (a tensor into a window of another), pl::write (one scalar),
// and the scalar read pl::read.
//
// assemble and write mutate the target's buffer and return the target, so the DSL idiom
// `t = pl.assemble(t, x, off)` ports as `t = pl::assemble(t, x, {..})`. Each bumps the buffer's
// version: handles made earlier become stale (reading through them is reported by the checks).
#pragma once

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ptoref/ops/operand.hpp"

namespace ptoref {
namespace detail {

inline void check_index(const dims& shape, const dims& idx, std::string_view op, const std::string& what,
                        const source_location& loc)
{
    check_rank(idx, op, "the index", loc);
    bool ok = idx.size() == shape.size();
    for (int d = 0; ok && d < shape.size(); ++d)
        ok = idx[d] >= 0 && idx[d] < shape[d];
    if (!ok)
        throw error(std::string(op), "index " + to_string(idx) + " is out of bounds of " + what, loc);
}

template <element_type T>
Tensor<T> at_version(const Tensor<T>& t, std::uint64_t version)
{
    return Tensor<T>(t.storage_ptr(), t.shape(), t.strides(), t.offset(), t.valid_shape(), version);
}

// The strides of a dense source of rank r - lead, extended to rank r with leading zeros.
inline dims src_strides_in(const dims& src_strides, int lead, int r)
{
    dims s = dims::filled(r, 0);
    for (int d = lead; d < r; ++d)
        s[d] = src_strides[d - lead];
    return s;
}

// Copies the box `valid` (rank r; its first `lead` dims are extent 1 and absent from the source)
// from a dense row-major source with strides src_strides into dst at the given strides and
// offset, one row at a time (memcpy where the destination row is contiguous).
template <class T>
void copy_rows(const T* src, const dims& src_strides, int lead, const dims& valid, T* dst, const dims& dst_strides,
               index dst_offset)
{
    const int r = valid.size();
    if (valid.product() == 0)
        return;
    const index len = valid[r - 1], dst_step = dst_strides[r - 1];
    const index src_step = r - 1 >= lead ? src_strides[r - 1 - lead] : 1;
    dims idx = dims::filled(r, 0);
    while (true) {
        index s = 0, d = dst_offset;
        for (int k = 0; k < r - 1; ++k) {
            d += idx[k] * dst_strides[k];
            if (k >= lead)
                s += idx[k] * src_strides[k - lead];
        }
        if (dst_step == 1 && src_step == 1)
            std::memcpy(dst + d, src + s, static_cast<std::size_t>(len) * sizeof(T));
        else
            for (index j = 0; j < len; ++j)
                dst[d + j * dst_step] = src[s + j * src_step];
        int k = r - 2;
        for (; k >= 0; --k) {
            if (++idx[k] < valid[k])
                break;
            idx[k] = 0;
        }
        if (k < 0)
            return;
    }
}

} // namespace detail

namespace pl {

// Overwrites the window [offset, offset + source.shape) of target with the valid region of
// source (the rest of the window keeps its contents). A source of lower rank is treated as
// having leading extent-1 dims.
template <element_type T>
Tensor<T> assemble(const Tensor<T>& target, const Tensor<T>& source, const dims& offset,
                   source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::assemble";
    detail::require_handle(static_cast<bool>(target), op, "the target", loc);
    detail::require_handle(static_cast<bool>(source), op, "the source", loc);
    detail::check_rank(offset, op, "the offset", loc);
    const int r = target.rank();
    if (source.rank() > r || offset.size() != r)
        throw error(std::string(op),
                    "source " + source.describe() + " at offset " + to_string(offset) +
                        " does not fit the rank of target " + target.describe(),
                    loc);
    const int lead = r - source.rank();
    dims ext = dims::filled(r, 1), valid = dims::filled(r, 1);
    for (int d = lead; d < r; ++d) {
        ext[d] = source.shape()[d - lead];
        valid[d] = source.valid_shape()[d - lead];
    }
    // Checked: offset + extent can overflow, and a wrapped end would pass the bounds test.
    bool in_bounds = true;
    for (int d = 0; d < r; ++d) {
        const auto end = checked_add(offset[d], ext[d]);
        in_bounds = in_bounds && offset[d] >= 0 && end && *end <= target.shape()[d];
    }
    if (!in_bounds)
        throw error(std::string(op),
                    "source " + source.describe() + " at offset " + to_string(offset) + " is out of bounds of target " +
                        target.describe(),
                    loc);
    const detail::dense<T> src = detail::read_dense(source, op, loc);
    const dims src_strides = row_major_strides(source.shape());
    const index count = valid.product();
    std::optional<index> win = target.offset();
    for (int d = 0; d < r; ++d) {
        const auto step = checked_mul(offset[d], target.strides()[d]);
        win = win && step ? checked_add(*win, *step) : std::nullopt;
    }
    if (!win) // only an empty window of a huge empty target can get here
        throw error(std::string(op),
                    "the buffer offset of the window at " + to_string(offset) + " in " + target.describe() +
                        " overflows int64",
                    loc);
    const index window_offset = *win;
    const view_geometry window{valid, target.strides(), window_offset};
    T* dst = target.storage().data();
    detail::buffer<T>& buf = target.storage();
    // The common case: every element of the source's valid box is defined. Its rows are copied
    // straight into the window, from the source itself unless it may alias the window (a dense
    // view of the target's own buffer is copied out first; read_dense's copy of any other view
    // is already private).
    bool box_defined = src.defined == nullptr;
    if (!box_defined) {
        box_defined = true;
        for_each_run(valid, detail::src_strides_in(src_strides, lead, r), 0, [&](index lo, index hi) {
            box_defined = box_defined && std::memchr(src.defined + lo, 0, static_cast<std::size_t>(hi - lo)) == nullptr;
        });
    }
    if (box_defined) {
        const bool may_alias = src.own.empty() && &source.storage() == &target.storage();
        std::vector<T> copy;
        const T* from = src.data;
        if (may_alias) {
            copy.assign(src.data, src.data + source.numel());
            from = copy.data();
        }
        const std::uint64_t version = target.storage().bump_version();
        detail::notify_access(target, window, access_kind::write, op, loc, version);
        detail::copy_rows(from, src_strides, lead, valid, dst, target.strides(), window_offset);
        if (!buf.all_defined()) // the window becomes defined
            for_each_run(valid, target.strides(), window_offset,
                         [&](index lo, index hi) { buf.set_defined_run(lo, hi); });
        return detail::at_version(target, version);
    }
    // Copy out first: source and target may be views of the same buffer.
    std::vector<T> values;
    std::vector<std::uint8_t> defined;
    values.reserve(static_cast<std::size_t>(count));
    defined.reserve(static_cast<std::size_t>(count));
    {
        // Row-major walk over the valid box, in source-dense coordinates.
        dims idx = dims::filled(r, 0);
        for (index i = 0; i < count; ++i) {
            index f = 0;
            for (int d = lead; d < r; ++d)
                f += idx[d] * src_strides[d - lead];
            values.push_back(src.data[f]);
            defined.push_back(src.is_defined(f) ? 1 : 0);
            advance_row_major(idx, valid);
        }
    }
    const std::uint64_t version = target.storage().bump_version();
    detail::notify_access(target, window, access_kind::write, op, loc, version);
    const Tensor<T> walker(target.storage_ptr(), valid, target.strides(), window_offset, valid);
    index i = 0;
    bool any_undefined = false;
    walker.for_each_flat([&](index f) {
        dst[f] = values[static_cast<std::size_t>(i)];
        const bool d = defined[static_cast<std::size_t>(i)] != 0;
        buf.set_defined(f, d);
        any_undefined = any_undefined || !d;
        ++i;
    });
    if (any_undefined)
        buf.set_poison_origin(src.origin);
    return detail::at_version(target, version);
}

// The scalar t[idx...] (index count = rank).
template <element_type T>
T read(const Tensor<T>& t, const dims& idx, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::read";
    detail::require_handle(static_cast<bool>(t), op, "the tensor", loc);
    detail::check_index(t.shape(), idx, op, t.describe(), loc);
    const index f = t.flat_index(idx);
    const view_geometry g{dims::filled(t.rank(), 1), t.strides(), f};
    // Outside the valid region the element is padding: it reads as poison and, like every op's
    // read of a view, touches no element of the buffer (so it cannot race or be stale).
    bool padding = false;
    for (int d = 0; d < t.rank(); ++d)
        padding = padding || idx[d] >= t.valid_shape()[d];
    if (!padding)
        detail::notify_access(t, g, access_kind::read, op, loc);
    if (padding || !t.storage().is_defined(f)) {
        if (detail::access_observer* o = detail::current_observer())
            o->on_undefined_read(access_event{&t.storage(), g, access_kind::read, t.handle_version(), 0, op, loc},
                                 padding ? "padding outside valid_shape " + to_string(t.valid_shape()) + " of " +
                                               t.describe()
                                         : t.storage().poison_origin());
    }
    return padding ? detail::poison_value<T>() : t.storage().data()[f];
}

// Stores one scalar at t[idx...] in place and returns t.
template <element_type T>
Tensor<T> write(const Tensor<T>& t, const dims& idx, T value, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::write";
    detail::require_handle(static_cast<bool>(t), op, "the tensor", loc);
    detail::check_index(t.shape(), idx, op, t.describe(), loc);
    const index f = t.flat_index(idx);
    const std::uint64_t version = t.storage().bump_version();
    detail::notify_access(t, view_geometry{dims::filled(t.rank(), 1), t.strides(), f}, access_kind::write, op, loc,
                          version);
    t.storage().data()[f] = value;
    t.storage().set_defined(f, true);
    return detail::at_version(t, version);
}

} // namespace pl
} // namespace ptoref
