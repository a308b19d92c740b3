// sin and cos of float tensors: FP32 correctly rounded (math/sincos.hpp); BF16/FP16 that FP32
// result rounded once more to nearest even (as exp/log: docs/semantics.md §3.2, §3.16).
#pragma once

#include "ptoref/math/sincos.hpp"
#include "ptoref/ops/elementwise.hpp"

namespace ptoref::pl {

template <element_type T>
Tensor<T> sin(const Tensor<T>& x, source_location loc = source_location::current())
{
    static_assert(float_element<T>, "pl::sin is defined for floating-point tensors; cast INT32 to FP32 first");
    return detail::unary_op(x, "pl::sin", loc,
                            [](T a) { return detail::scalar::narrow<T>(math::sin_cr(detail::scalar::widen(a))); });
}
template <element_type T>
Tensor<T> cos(const Tensor<T>& x, source_location loc = source_location::current())
{
    static_assert(float_element<T>, "pl::cos is defined for floating-point tensors; cast INT32 to FP32 first");
    return detail::unary_op(x, "pl::cos", loc,
                            [](T a) { return detail::scalar::narrow<T>(math::cos_cr(detail::scalar::widen(a))); });
}

} // namespace ptoref::pl
