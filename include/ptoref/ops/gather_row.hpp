// pl::gather_row(acc, src, dst_offset, src_offset, shapes, transpose=False, valid_shape=None):
// an exact copy of the window shapes at src_offset of src into acc at dst_offset, in place
// (docs/semantics.md §9.3; ops-semantics-2.md §3). transpose places the [r, c] window as
// [c, r]; valid_shape transfers only its top-left part (not with transpose, as in pypto), and
// the bounds of src and acc are judged on that part.
// acc is pypto's L1 accumulator from create_l1; here it is any tensor, written like assemble
// writes (a new version of acc's buffer).
#pragma once

#include <string>

#include "ptoref/ops/assemble.hpp"
#include "ptoref/ops/view.hpp"

namespace ptoref::pl {

template <element_type T>
Tensor<T> gather_row(const Tensor<T>& acc, const Tensor<T>& src, const dims& dst_offset, const dims& src_offset,
                     const dims& shapes, bool transpose = false, const dims& valid_shape = {},
                     source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::gather_row";
    detail::require_handle(static_cast<bool>(acc), op, "the accumulator", loc);
    detail::require_handle(static_cast<bool>(src), op, "the source", loc);
    detail::check_rank(dst_offset, op, "dst_offset", loc);
    detail::check_rank(src_offset, op, "src_offset", loc);
    detail::check_rank(shapes, op, "shapes", loc);
    detail::check_rank(valid_shape, op, "valid_shape", loc);
    if (acc.rank() != 2 || src.rank() != 2 || dst_offset.size() != 2 || src_offset.size() != 2 || shapes.size() != 2)
        throw error(std::string(op),
                    "needs 2-D acc and src with [row, col] offsets and shapes, got acc " + acc.describe() + ", src " +
                        src.describe() + ", dst_offset " + to_string(dst_offset) + ", src_offset " +
                        to_string(src_offset) + ", shapes " + to_string(shapes),
                    loc);
    if (transpose && !valid_shape.empty())
        throw error(std::string(op), "valid_shape is not supported together with transpose=True", loc);
    if (!valid_shape.empty()) {
        bool vok = valid_shape.size() == 2;
        for (int d = 0; vok && d < 2; ++d)
            vok = valid_shape[d] >= 0 && valid_shape[d] <= shapes[d];
        if (!vok)
            throw error(std::string(op),
                        "valid_shape " + to_string(valid_shape) + " must lie within the window " + to_string(shapes),
                        loc);
    }
    // Only the valid box is transferred (pypto: `shapes` is the compile-time window, valid_shape
    // how much of it moves), so the bounds of src and acc are judged on that box.
    const dims box = valid_shape.empty() ? shapes : valid_shape;
    bool ok = true;
    for (int d = 0; d < 2; ++d) {
        const auto end = checked_add(src_offset[d], box[d]);
        ok = ok && shapes[d] >= 0 && src_offset[d] >= 0 && end && *end <= src.shape()[d];
    }
    if (!ok)
        throw error(std::string(op),
                    "the window " + to_string(shapes) + (valid_shape.empty() ? "" : " (valid " + to_string(box) + ")") +
                        " at src_offset " + to_string(src_offset) + " is out of bounds of src " + src.describe(),
                    loc);
    Tensor<T> window = slice(src, box, src_offset, {}, loc);
    if (transpose)
        window = pl::transpose(window, 0, 1, loc);
    return detail::assemble_window(
        acc, window, dst_offset, op, access_kind::write, loc, [](T, T v) { return v; }, [](bool, bool d) { return d; });
}

} // namespace ptoref::pl
