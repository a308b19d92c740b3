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

// Calls f(s, d, len, s_step, d_step) for each row of the box `valid` (rank r; its first `lead`
// dims are extent 1 and absent from the source): the row's start in a dense row-major source
// with strides src_strides, its start in the destination (strides dst_strides, at dst_offset),
// its length and both element steps.
template <class F>
void for_each_row_pair(const dims& valid, int lead, const dims& src_strides, const dims& dst_strides, index dst_offset,
                       F&& f)
{
    const int r = valid.size();
    if (valid.product() == 0)
        return;
    if (r == 0) { // a rank-0 window: its one element
        f(index{0}, dst_offset, index{1}, index{1}, index{1});
        return;
    }
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
        f(s, d, len, src_step, dst_step);
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

// The window [offset, offset + source.shape) of target receives the valid region of source:
// each element becomes combine(old value, source value) with definedness
// combine_defined(old defined, source defined). The access is reported as `kind`.
template <element_type T, class Combine, class CombineDefined>
Tensor<T> assemble_window(const Tensor<T>& target, const Tensor<T>& source, const dims& offset, std::string_view op,
                          access_kind kind, const source_location& loc, Combine&& combine,
                          CombineDefined&& combine_defined)
{
    require_handle(static_cast<bool>(target), op, "the target", loc);
    require_handle(static_cast<bool>(source), op, "the source", loc);
    check_rank(offset, op, "the offset", loc);
    const int r = target.rank();
    // A source of higher rank is accepted when its extra leading dims have extent 1 (pypto-lib
    // assembles a [1, M, N] batch-matmul result into a 2-D target): they are dropped, the
    // mirror of a lower-rank source's leading extent-1 dims.
    const int extra = source.rank() > r ? source.rank() - r : 0;
    bool leading_ones = true, leading_valid = true;
    for (int d = 0; d < extra; ++d) {
        leading_ones = leading_ones && source.shape()[d] == 1;
        leading_valid = leading_valid && source.valid_shape()[d] == 1;
    }
    if (!leading_ones || offset.size() != r)
        throw error(std::string(op),
                    "source " + source.describe() + " at offset " + to_string(offset) +
                        " does not fit the rank of target " + target.describe() +
                        (extra > 0 ? " (a source of higher rank needs extent-1 leading dims)" : ""),
                    loc);
    const int lead = extra > 0 ? 0 : r - source.rank();
    dims valid = dims::filled(r, 1), src_shape;
    for (int d = lead; d < r; ++d) {
        // A dropped dim of valid extent 0 leaves nothing valid to write.
        valid[d] = leading_valid ? source.valid_shape()[d - lead + extra] : 0;
        src_shape.push_back(source.shape()[d - lead + extra]);
    }
    // Only the source's valid region is written, so that box must fit (a fixed-size tile whose
    // valid rows end at the target's edge overhangs it with padding, pypto-lib's ragged tails).
    // Checked: offset + extent can overflow, and a wrapped end would pass the bounds test.
    bool in_bounds = true;
    for (int d = 0; d < r; ++d) {
        const auto end = checked_add(offset[d], valid[d]);
        in_bounds = in_bounds && offset[d] >= 0 && end && *end <= target.shape()[d];
    }
    if (!in_bounds)
        throw error(std::string(op),
                    "source " + source.describe() + " at offset " + to_string(offset) + " is out of bounds of target " +
                        target.describe(),
                    loc);
    const dense<T> src = read_dense(source, op, loc);
    const dims src_strides = row_major_strides(src_shape); // dropped extent-1 dims change no stride
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
    buffer<T>& buf = target.storage();
    // Row by row, from the source itself unless it may alias the window: a dense view of the
    // target's own buffer is copied out first (read_dense's copy of any other view is private).
    const bool may_alias = src.own.empty() && &source.storage() == &target.storage();
    std::vector<T> copy;
    std::vector<std::uint8_t> copy_defined;
    const T* from = src.data;
    const std::uint8_t* from_defined = src.defined;
    if (may_alias) {
        copy.assign(src.data, src.data + source.numel());
        from = copy.data();
        if (src.defined) {
            copy_defined.assign(src.defined, src.defined + source.numel());
            from_defined = copy_defined.data();
        }
    }
    const std::uint64_t version = target.storage().bump_version();
    notify_access(target, window, kind, op, loc, version);
    const bool overwrite = kind == access_kind::write; // combine is (old, v) -> v
    bool any_undefined = false;
    for_each_row_pair(valid, lead, src_strides, target.strides(), window_offset,
                      [&](index s, index d, index len, index s_step, index d_step) {
                          if (overwrite && s_step == 1 && d_step == 1) {
                              std::memcpy(dst + d, from + s, static_cast<std::size_t>(len) * sizeof(T));
                              // A row without undefined elements makes its window row defined.
                              if (from_defined == nullptr ||
                                  std::memchr(from_defined + s, 0, static_cast<std::size_t>(len)) == nullptr) {
                                  buf.set_defined_run(d, d + len);
                                  return;
                              }
                              // Otherwise the window row takes the source row's definedness.
                              buf.set_defined_from(d, from_defined + s, len);
                              any_undefined = true;
                              return;
                          } else {
                              for (index j = 0; j < len; ++j)
                                  dst[d + j * d_step] = combine(dst[d + j * d_step], from[s + j * s_step]);
                          }
                          for (index j = 0; j < len; ++j) {
                              const index f = d + j * d_step;
                              const bool src_def = from_defined == nullptr || from_defined[s + j * s_step] != 0;
                              const bool def = combine_defined(buf.is_defined(f), src_def);
                              buf.set_defined(f, def);
                              any_undefined = any_undefined || !def;
                          }
                      });
    if (any_undefined)
        buf.set_poison_origin(src.origin);
    return at_version(target, version);
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
    return detail::assemble_window(
        target, source, offset, "pl::assemble", access_kind::write, loc, [](T, T v) { return v; },
        [](bool, bool d) { return d; });
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
