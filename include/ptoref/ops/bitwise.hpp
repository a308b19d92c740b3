// Bitwise ops and shifts on integer tensors: and_ ands or_ ors xor_ xors not_ shl shls shr shrs.
//
// Integer only (pypto tensor_ops.py), any integer element type. Bits are two's complement, so
// and/or/xor/not act on the stored bits. shl shifts the bits left (a signed value wraps);
// shr is arithmetic for signed types and logical for unsigned ones (pypto). A shift amount
// outside [0, width) is an error: C++ UB and "undefined behaviour on the hardware" for negative
// amounts, unspecified on A2A3 for amounts >= width (docs/semantics.md §3.12).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

template <class T>
using bits_of = std::make_unsigned_t<T>;

template <class T, class S>
void check_shift(S amount, std::string_view op, const source_location& loc)
{
    constexpr int width = static_cast<int>(sizeof(T) * 8);
    bool bad = static_cast<std::uintmax_t>(amount) >= static_cast<std::uintmax_t>(width);
    if constexpr (std::is_signed_v<S>)
        bad = bad || amount < 0;
    if (bad)
        throw error(std::string(op),
                    "shift amount " + std::to_string(amount) + " is outside [0, " + std::to_string(width) + ") for " +
                        std::string(dtype_traits<T>::name),
                    loc);
}

template <class T>
T shift_left(T a, T n) noexcept
{
    return static_cast<T>(static_cast<bits_of<T>>(static_cast<bits_of<T>>(a) << n));
}
template <class T>
T shift_right(T a, T n) noexcept
{
    if constexpr (std::is_signed_v<T>) // arithmetic: the sign bit fills in
        return a < 0 ? static_cast<T>(~static_cast<bits_of<T>>(~static_cast<bits_of<T>>(a) >> n))
                     : static_cast<T>(static_cast<bits_of<T>>(a) >> n);
    else
        return static_cast<T>(a >> n);
}

template <class T>
inline constexpr bool integer_element = element_type<T> && !float_element<T>;

} // namespace detail

namespace pl {

#define PTOREF_BITWISE_OP(NAME, SNAME, EXPR)                                                                           \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())       \
    {                                                                                                                  \
        static_assert(detail::integer_element<T>, "pl::" #NAME " is defined for integer tensors");                     \
        return detail::binary_op(lhs, rhs, "pl::" #NAME, loc, [](T a, T b) { return static_cast<T>(EXPR); });          \
    }                                                                                                                  \
    template <element_type T, class S>                                                                                 \
    requires std::is_integral_v<S> Tensor<T> SNAME(const Tensor<T>& lhs, S rhs,                                        \
                                                   source_location loc = source_location::current())                   \
    {                                                                                                                  \
        static_assert(detail::integer_element<T>, "pl::" #SNAME " is defined for integer tensors");                    \
        const T b = static_cast<T>(rhs);                                                                               \
        return detail::unary_op(lhs, "pl::" #SNAME, loc, [b](T a) { return static_cast<T>(EXPR); });                   \
    }                                                                                                                  \
    template <element_type T, class S>                                                                                 \
    requires std::is_integral_v<S> Tensor<T> NAME(const Tensor<T>& lhs, S rhs,                                         \
                                                  source_location loc = source_location::current())                    \
    {                                                                                                                  \
        return SNAME(lhs, rhs, loc);                                                                                   \
    }

PTOREF_BITWISE_OP(and_, ands, a& b)
PTOREF_BITWISE_OP(or_, ors, a | b)
PTOREF_BITWISE_OP(xor_, xors, a ^ b)
#undef PTOREF_BITWISE_OP

template <element_type T>
Tensor<T> not_(const Tensor<T>& x, source_location loc = source_location::current())
{
    static_assert(detail::integer_element<T>, "pl::not_ is defined for integer tensors");
    return detail::unary_op(x, "pl::not_", loc, [](T a) { return static_cast<T>(~a); });
}

#define PTOREF_SHIFT_OP(NAME, SNAME, FN)                                                                               \
    template <element_type T>                                                                                          \
    Tensor<T> NAME(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())       \
    {                                                                                                                  \
        static_assert(detail::integer_element<T>, "pl::" #NAME " is defined for integer tensors");                     \
        return detail::binary_op(lhs, rhs, "pl::" #NAME, loc, [loc](T a, T n) {                                        \
            detail::check_shift<T>(n, "pl::" #NAME, loc);                                                              \
            return detail::FN(a, n);                                                                                   \
        });                                                                                                            \
    }                                                                                                                  \
    template <element_type T, class S>                                                                                 \
    requires std::is_integral_v<S> Tensor<T> SNAME(const Tensor<T>& lhs, S rhs,                                        \
                                                   source_location loc = source_location::current())                   \
    {                                                                                                                  \
        static_assert(detail::integer_element<T>, "pl::" #SNAME " is defined for integer tensors");                    \
        detail::check_shift<T>(rhs, "pl::" #SNAME, loc);                                                               \
        const T n = static_cast<T>(rhs);                                                                               \
        return detail::unary_op(lhs, "pl::" #SNAME, loc, [n](T a) { return detail::FN(a, n); });                       \
    }                                                                                                                  \
    template <element_type T, class S>                                                                                 \
    requires std::is_integral_v<S> Tensor<T> NAME(const Tensor<T>& lhs, S rhs,                                         \
                                                  source_location loc = source_location::current())                    \
    {                                                                                                                  \
        return SNAME(lhs, rhs, loc);                                                                                   \
    }

PTOREF_SHIFT_OP(shl, shls, shift_left)
PTOREF_SHIFT_OP(shr, shrs, shift_right)
#undef PTOREF_SHIFT_OP

} // namespace pl
} // namespace ptoref
