// fmod / fmods (remainder with the dividend's sign, torch.fmod) and rem / rems (remainder with
// the divisor's sign, torch.remainder / Python %).
//
// Floats: fmod is the exact remainder (always representable, so no rounding); rem is that
// exact remainder, plus the divisor when the signs differ, rounded once. x/0, inf/y -> NaN;
// fmod(x, inf) = x. Integers: fmod truncates (C %), rem floors; division by zero is an error,
// INT_MIN by -1 gives 0. The A2A3 device instead runs a rounded division sequence (pto-isa
// TFmod.hpp, TRem.hpp); ptoref keeps the documented meaning and notes, on FP32, how many results
// the device sequence would change (docs/semantics.md §3.13).
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "ptoref/check/config.hpp"
#include "ptoref/ops/elementwise.hpp"

namespace ptoref {
namespace detail {

template <class T>
T fmod_value(T a, T b) noexcept
{
    if constexpr (float_element<T>) {
        return scalar::narrow<T>(std::fmod(scalar::widen(a), scalar::widen(b)));
    } else {
        if (std::is_signed_v<T> && b == static_cast<T>(-1))
            return 0; // also INT_MIN % -1, which C++ leaves undefined
        return static_cast<T>(a % b);
    }
}

template <class T>
T rem_value(T a, T b) noexcept
{
    const T r = fmod_value(a, b);
    if constexpr (float_element<T>) {
        const float x = scalar::widen(r), y = scalar::widen(b);
        if (x != x)
            return r;
        if (x == 0)
            return scalar::narrow<T>(std::copysign(0.0f, y));
        return std::signbit(x) != std::signbit(y) ? scalar::narrow<T>(x + y) : r;
    } else {
        if constexpr (std::is_signed_v<T>)
            if (r != 0 && (r < 0) != (b < 0))
                return static_cast<T>(r + b); // |r| < |b|: no overflow
        return r;
    }
}

// What the A2A3 sequences compute on FP32 (four and up to six roundings).
inline float device_fmod_f32(float a, float b) noexcept
{
    const float q = std::trunc(a / b);
    const float p = q * b;
    return scalar::canon(a - p);
}
inline float device_rem_f32(float a, float b) noexcept
{
    const float q = std::floor(a / b);
    const float p = q * b;
    float r = a - p;
    const float s = r * b;
    if (s < 0)
        r = r + b;
    return scalar::canon(r);
}

template <class T>
auto remainder_fn(bool floor_mode, std::string_view op, const source_location& loc)
{
    return [=](T a, T b) {
        if constexpr (!float_element<T>)
            if (b == 0)
                throw error(std::string(op), "integer division by zero", loc);
        return floor_mode ? rem_value(a, b) : fmod_value(a, b);
    };
}

// Counts the FP32 results the device sequence would change and notes them at the op site.
template <class T, class B>
void note_remainder(const Tensor<T>& x, B divisor_at, const Tensor<T>& out, bool floor_mode, std::string_view op,
                    const source_location& loc)
{
    if constexpr (std::is_same_v<T, float>) {
        if (!check::enabled())
            return;
        const std::vector<float> xv = x.to_vector(); // host inspection, not an access
        const float* o = out.storage().data();
        index differ = 0;
        for (std::size_t i = 0; i < xv.size(); ++i) {
            const float b = divisor_at(i);
            const float d = floor_mode ? device_rem_f32(xv[i], b) : device_fmod_f32(xv[i], b);
            differ += std::bit_cast<std::uint32_t>(d) != std::bit_cast<std::uint32_t>(scalar::canon(o[i]));
        }
        if (differ > 0)
            check::deliver::divergence(
                {check::op_site{std::string(op), loc, access_kind::write},
                 floor_mode
                     ? "the A2A3 device computes r = a - floor(a/b)*b with rounded steps, not the exact remainder"
                     : "the A2A3 device computes a - trunc(a/b)*b with four rounded steps, not the exact fmod",
                 differ, static_cast<index>(xv.size())});
    } else {
        (void)x, (void)divisor_at, (void)out, (void)floor_mode, (void)op, (void)loc;
    }
}

template <class T>
Tensor<T> remainder_tt(const Tensor<T>& lhs, const Tensor<T>& rhs, bool floor_mode, std::string_view op,
                       const source_location& loc)
{
    Tensor<T> out = binary_op(lhs, rhs, op, loc, remainder_fn<T>(floor_mode, op, loc));
    if constexpr (std::is_same_v<T, float>)
        if (check::enabled() && lhs.shape() == rhs.shape() && lhs.shape() == out.shape()) {
            const std::vector<float> bv = rhs.to_vector();
            note_remainder(
                lhs, [&](std::size_t i) { return bv[i]; }, out, floor_mode, op, loc);
        }
    return out;
}

template <class T, class S>
Tensor<T> remainder_ts(const Tensor<T>& lhs, S rhs, bool floor_mode, std::string_view op, const source_location& loc)
{
    const T b = scalar_operand<T>(rhs);
    if constexpr (!float_element<T>)
        check_int_divisor<T>(b, op, loc);
    note_bf16_scalar<T>(op, loc);
    const auto f = remainder_fn<T>(floor_mode, op, loc);
    Tensor<T> out = unary_op(lhs, op, loc, [&](T a) { return f(a, b); });
    if constexpr (std::is_same_v<T, float>)
        note_remainder(
            lhs, [b](std::size_t) { return b; }, out, floor_mode, op, loc);
    return out;
}

} // namespace detail

namespace pl {

template <element_type T>
Tensor<T> fmod(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())
{
    return detail::remainder_tt(lhs, rhs, false, "pl::fmod", loc);
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> fmods(const Tensor<T>& lhs, S rhs,
                                                 source_location loc = source_location::current())
{
    return detail::remainder_ts(lhs, rhs, false, "pl::fmods", loc);
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> fmod(const Tensor<T>& lhs, S rhs,
                                                source_location loc = source_location::current())
{
    return detail::remainder_ts(lhs, rhs, false, "pl::fmod", loc);
}
template <element_type T>
Tensor<T> rem(const Tensor<T>& lhs, const Tensor<T>& rhs, source_location loc = source_location::current())
{
    return detail::remainder_tt(lhs, rhs, true, "pl::rem", loc);
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> rems(const Tensor<T>& lhs, S rhs,
                                                source_location loc = source_location::current())
{
    return detail::remainder_ts(lhs, rhs, true, "pl::rems", loc);
}
template <element_type T, class S>
requires std::is_arithmetic_v<S> Tensor<T> rem(const Tensor<T>& lhs, S rhs,
                                               source_location loc = source_location::current())
{
    return detail::remainder_ts(lhs, rhs, true, "pl::rem", loc);
}

} // namespace pl
} // namespace ptoref
