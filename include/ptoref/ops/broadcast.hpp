// row_expand_{add,sub,mul,div}(x[..., M, N], v[..., M, 1]) and
// col_expand_{add,sub,mul,div}(x[..., M, N], v[..., 1, N]): v is stretched along one axis.
//
// Same per-element arithmetic as the elementwise ops; the shape rules are the DSL's: both
// operands at least 2-D, same rank, same leading dims, and v's last (row_expand) or
// second-to-last (col_expand) extent is 1 while the other matches x.
#pragma once

#include <string>

#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

enum class expand_axis { row, col };

template <class T, class F>
Tensor<T> expand_op(const Tensor<T>& x, const Tensor<T>& v, expand_axis axis, std::string_view op,
                    const source_location& loc, F f)
{
    require_handle(static_cast<bool>(x), op, "x", loc);
    require_handle(static_cast<bool>(v), op, "the expanded operand", loc);
    // The leading dims of v equal x's. v may have lower rank where x's extra leading dims are
    // all 1 (pypto checks only the last two dims: x[1, 1, M, N] with v[M, 1] is a row expand).
    const int r = x.rank();
    const int rv = v.rank();
    const std::string want = axis == expand_axis::row ? "[..., M, 1]" : "[..., 1, N]";
    bool ok = r >= 2 && rv >= 2 && rv <= r;
    for (int d = 0; ok && d < r - rv; ++d)
        ok = x.shape()[d] == 1;
    for (int d = 0; ok && d < rv - 2; ++d)
        ok = v.shape()[d] == x.shape()[d + r - rv];
    if (ok && axis == expand_axis::row)
        ok = v.shape()[rv - 1] == 1 && v.shape()[rv - 2] == x.shape()[r - 2];
    if (ok && axis == expand_axis::col)
        ok = v.shape()[rv - 2] == 1 && v.shape()[rv - 1] == x.shape()[r - 1];
    if (!ok)
        throw error(std::string(op),
                    "x has shape " + to_string(x.shape()) + ", so the expanded operand must be " + want +
                        " with matching leading dims, got " + to_string(v.shape()),
                    loc);
    return binary_op(x, v, op, loc, f);
}

} // namespace detail

namespace pl {

#define PTOREF_EXPAND_OP(NAME, AXIS, FN)                                                                               \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& x, const Tensor<T>& v, source_location loc = source_location::current())           \
    {                                                                                                                  \
        return detail::expand_op(x, v, detail::expand_axis::AXIS, "pl::" #NAME, loc,                                   \
                                 [](T a, T b) { return detail::scalar::FN(a, b); });                                   \
    }

PTOREF_EXPAND_OP(row_expand_add, row, add)
PTOREF_EXPAND_OP(row_expand_sub, row, sub)
PTOREF_EXPAND_OP(row_expand_mul, row, mul)
PTOREF_EXPAND_OP(col_expand_add, col, add)
PTOREF_EXPAND_OP(col_expand_sub, col, sub)
PTOREF_EXPAND_OP(col_expand_mul, col, mul)
#undef PTOREF_EXPAND_OP

template <element_type T>
Tensor<T> row_expand_div(const Tensor<T>& x, const Tensor<T>& v, source_location loc = source_location::current())
{
    return detail::expand_op(x, v, detail::expand_axis::row, "pl::row_expand_div", loc,
                             detail::divide<T>("pl::row_expand_div", loc));
}
template <element_type T>
Tensor<T> col_expand_div(const Tensor<T>& x, const Tensor<T>& v, source_location loc = source_location::current())
{
    return detail::expand_op(x, v, detail::expand_axis::col, "pl::col_expand_div", loc,
                             detail::divide<T>("pl::col_expand_div", loc));
}

} // namespace pl
} // namespace ptoref
