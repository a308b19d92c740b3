// relu, lrelu (scalar slope), prelu (tensor slope) (pto-isa TRELU.md, TLRELU.md, TPRELU.md).
//
// relu(x) = IEEE maximum(x, 0): NaN stays NaN (canonical), -0 -> +0; integers max(x, 0).
// lrelu(x, s) = x > 0 ? x : x * s and prelu(x, slope) = x > 0 ? x : x * slope, the product
// rounded once to the dtype (a NaN x fails x > 0, so it gives NaN). The device leaves NaN and
// -0 unspecified; these are ptoref's definitions (docs/semantics.md §3.14).
#pragma once

#include <type_traits>

#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

template <class T>
T relu_value(T a) noexcept
{
    if constexpr (float_element<T>)
        return scalar::maximum(a, scalar::narrow<T>(0.0f));
    else
        return a > 0 ? a : T{0};
}

template <class T>
T leaky_value(T a, T s) noexcept
{
    return scalar::widen(a) > 0.0f ? a : scalar::mul(a, s);
}

} // namespace detail

namespace pl {

template <element_type T>
Tensor<T> relu(const Tensor<T>& x, source_location loc = source_location::current())
{
    return detail::unary_op(x, "pl::relu", loc, [](T a) { return detail::relu_value(a); });
}

template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> lrelu(const Tensor<T>& x, S slope,
                                                 source_location loc = source_location::current())
{
    static_assert(float_element<T>, "pl::lrelu is defined for floating-point tensors");
    const T s = detail::scalar_operand<T>(slope);
    return detail::unary_op(x, "pl::lrelu", loc, [s](T a) { return detail::leaky_value(a, s); });
}

template <element_type T>
Tensor<T> prelu(const Tensor<T>& x, const Tensor<T>& slope, source_location loc = source_location::current())
{
    static_assert(float_element<T>, "pl::prelu is defined for floating-point tensors");
    return detail::binary_op(x, slope, "pl::prelu", loc, [](T a, T s) { return detail::leaky_value(a, s); });
}

} // namespace pl
} // namespace ptoref
