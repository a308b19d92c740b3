// part_add / part_mul / part_max / part_min: elementwise ops over operands with different valid
// regions ("part" = partial validity; pto-isa TPARTADD.md, TPARTMUL.md, TPARTMAX.md).
//
// Both operands have one shape. The result's valid region is the larger operand's; the other's
// must fit inside it (the ISA's supported pattern; any other is an error here, it is
// implementation-defined on the device). Where both are valid: the op (as add/mul/maximum/
// minimum); where only the larger is valid: its element, copied bit for bit (docs/semantics.md
// §3.15).
#pragma once

#include <string>
#include <vector>

#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

inline bool fits_in(const dims& inner, const dims& outer)
{
    for (int i = 0; i < inner.size(); ++i)
        if (inner[i] > outer[i])
            return false;
    return true;
}

template <class T, class F>
Tensor<T> partial_op(const Tensor<T>& lhs, const Tensor<T>& rhs, std::string_view op, const source_location& loc, F f)
{
    require_handle(static_cast<bool>(lhs), op, "lhs", loc);
    require_handle(static_cast<bool>(rhs), op, "rhs", loc);
    if (lhs.shape() != rhs.shape())
        throw error(std::string(op),
                    "lhs has shape " + to_string(lhs.shape()) + " but rhs has shape " + to_string(rhs.shape()) +
                        " (they must be equal)",
                    loc);
    const dims& vl = lhs.valid_shape();
    const dims& vr = rhs.valid_shape();
    const bool l_outer = fits_in(vr, vl);
    if (!l_outer && !fits_in(vl, vr))
        throw error(std::string(op),
                    "the valid regions " + to_string(vl) + " (lhs) and " + to_string(vr) +
                        " (rhs) are not nested: one must contain the other",
                    loc);
    const dims& outer = l_outer ? vl : vr;
    const dims& inner = l_outer ? vr : vl;
    const dense<T> da = read_dense(lhs, op, loc);
    const dense<T> db = read_dense(rhs, op, loc);
    const dims& shape = lhs.shape();
    Tensor<T> out = new_tensor<T>(shape, op, loc);
    T* o = out.storage().data();
    const index n = shape.product();
    const bool track = da.defined || db.defined;
    std::vector<std::uint8_t> def;
    if (track)
        def.resize(static_cast<std::size_t>(n));
    const int r = shape.size();
    dims idx = dims::filled(r, 0);
    for (index i = 0; i < n; ++i) {
        bool in_inner = true;
        for (int k = 0; k < r; ++k)
            in_inner = in_inner && idx[k] < inner[k];
        if (in_inner) {
            o[i] = f(da.data[i], db.data[i]);
            if (track)
                def[static_cast<std::size_t>(i)] = da.is_defined(i) && db.is_defined(i);
        } else {
            const dense<T>& src = l_outer ? da : db;
            o[i] = src.data[i];
            if (track)
                def[static_cast<std::size_t>(i)] = src.is_defined(i);
        }
        advance_row_major(idx, shape);
    }
    finish_output(out, track ? def.data() : nullptr, op, loc, da.origin.empty() ? db.origin : da.origin);
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, outer);
}

} // namespace detail

namespace pl {

#define PTOREF_PARTIAL_OP(NAME, FN)                                                                                    \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())       \
    {                                                                                                                  \
        return detail::partial_op(lhs, rhs, "pl::" #NAME, loc, [](T a, T b) { return detail::scalar::FN(a, b); });     \
    }
PTOREF_PARTIAL_OP(part_add, add)
PTOREF_PARTIAL_OP(part_mul, mul)
PTOREF_PARTIAL_OP(part_max, maximum)
PTOREF_PARTIAL_OP(part_min, minimum)
#undef PTOREF_PARTIAL_OP

} // namespace pl
} // namespace ptoref
