// row_expand_{add,sub,mul,div,max,min,expdif}(x[..., M, N], v[..., M, 1]) and
// col_expand_{...}(x[..., M, N], v[..., 1, N]): v is stretched along one axis; row_expand /
// col_expand(target, v) is v stretched to target's shape alone, and expands(target, s) a fill.
//
// Same per-element arithmetic as the elementwise ops (expdif = exp(x - v), two rounded ops:
// the device's EXPANDSUB then TEXP); the shape rules are the DSL's: both operands at least 2-D,
// same rank, same leading dims, and v's last (row_expand) or second-to-last (col_expand)
// extent is 1 while the other matches x.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

enum class expand_axis { row, col };

template <class T>
void check_expand(const Tensor<T>& x, const Tensor<T>& v, expand_axis axis, std::string_view op,
                  const source_location& loc)
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
}

template <class T, class F>
Tensor<T> expand_op(const Tensor<T>& x, const Tensor<T>& v, expand_axis axis, std::string_view op,
                    const source_location& loc, F f)
{
    check_expand(x, v, axis, op, loc);
    return binary_op(x, v, op, loc, f);
}

// v stretched to target's shape: only target's shape and valid_shape are used (no read of it).
template <class T>
Tensor<T> expand_only(const Tensor<T>& target, const Tensor<T>& v, expand_axis axis, std::string_view op,
                      const source_location& loc)
{
    check_expand(target, v, axis, op, loc);
    const dims& shape = target.shape();
    const dense<T> dv = read_dense(v, op, loc);
    Tensor<T> out = new_tensor<T>(shape, op, loc);
    T* o = out.storage().data();
    const dims sv = broadcast_strides(v.shape(), shape);
    std::vector<std::uint8_t> def;
    if (dv.defined)
        def.resize(static_cast<std::size_t>(shape.product()));
    for_each_broadcast(shape, sv, sv, [&](index oi, index iv, index) {
        o[oi] = dv.data[iv];
        if (dv.defined)
            def[static_cast<std::size_t>(oi)] = dv.is_defined(iv);
    });
    finish_output(out, dv.defined ? def.data() : nullptr, op, loc, dv.origin);
    const dims valid = broadcast_valid(shape, v.shape(), v.valid_shape(), target.valid_shape());
    return Tensor<T>(out.storage_ptr(), shape, out.strides(), 0, valid);
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
PTOREF_EXPAND_OP(row_expand_max, row, maximum)
PTOREF_EXPAND_OP(row_expand_min, row, minimum)
PTOREF_EXPAND_OP(col_expand_max, col, maximum)
PTOREF_EXPAND_OP(col_expand_min, col, minimum)
#undef PTOREF_EXPAND_OP

// exp(x - v): the difference rounded to the dtype, then exp (correctly rounded, §3.2).
template <element_type T>
Tensor<T> row_expand_expdif(const Tensor<T>& x, const Tensor<T>& v, source_location loc = source_location::current())
{
    static_assert(float_element<T>, "pl::row_expand_expdif is defined for floating-point tensors");
    return detail::expand_op(x, v, detail::expand_axis::row, "pl::row_expand_expdif", loc,
                             [](T a, T b) { return detail::scalar::exp(detail::scalar::sub(a, b)); });
}
template <element_type T>
Tensor<T> col_expand_expdif(const Tensor<T>& x, const Tensor<T>& v, source_location loc = source_location::current())
{
    static_assert(float_element<T>, "pl::col_expand_expdif is defined for floating-point tensors");
    return detail::expand_op(x, v, detail::expand_axis::col, "pl::col_expand_expdif", loc,
                             [](T a, T b) { return detail::scalar::exp(detail::scalar::sub(a, b)); });
}

template <element_type T>
Tensor<T> row_expand(const Tensor<T>& target, const Tensor<T>& row_vec,
                     source_location loc = source_location::current())
{
    return detail::expand_only(target, row_vec, detail::expand_axis::row, "pl::row_expand", loc);
}
template <element_type T>
Tensor<T> col_expand(const Tensor<T>& target, const Tensor<T>& col_vec,
                     source_location loc = source_location::current())
{
    return detail::expand_only(target, col_vec, detail::expand_axis::col, "pl::col_expand", loc);
}

// A fill of target's shape, dtype and valid_shape with the scalar, rounded as a tensor-scalar
// operand is (the DSL's FP32 literal, then the dtype); target's data is not read.
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> expands(const Tensor<T>& target, S scalar,
                                                   source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::expands";
    detail::require_handle(static_cast<bool>(target), op, "target", loc);
    const T v = detail::scalar_operand<T>(scalar);
    Tensor<T> out = detail::new_tensor<T>(target.shape(), op, loc);
    T* o = out.storage().data();
    for (index i = 0; i < out.numel(); ++i)
        o[i] = v;
    detail::finish_output(out, nullptr, op, loc);
    return Tensor<T>(out.storage_ptr(), out.shape(), out.strides(), 0, target.valid_shape());
}

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
