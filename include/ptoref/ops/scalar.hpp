// The per-element arithmetic every op is defined by (one definition, used by all paths).
//
// fp32: IEEE binary32, round to nearest even, gradual underflow, and every NaN result is the
// canonical quiet NaN 0x7FC00000 (so results carry no ISA-specific NaN payloads or signs).
// bf16/fp16: computed in fp32 and rounded once to nearest-even; for + - * / sqrt this equals
// the correctly rounded 16-bit result (fp32 has >= 2p+2 bits). Integers (INT8/INT32/INT64,
// UINT8/UINT32): two's complement, wrapping modulo 2^bits; division truncates toward zero.
// FP8 has no arithmetic (the ops reject it at compile time).
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ptoref/core/convert.hpp"
#include "ptoref/core/dtype.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/math/exp.hpp"
#include "ptoref/math/log.hpp"
#include "ptoref/math/rsqrt.hpp"

namespace ptoref::detail::scalar {

inline constexpr float canonical_nan = std::bit_cast<float>(0x7fc00000u);

inline float canon(float x) noexcept
{
    return x != x ? canonical_nan : x;
}

// Narrowing of an fp32 intermediate to the element type (RNE; NaN canonical).
template <class T>
T narrow(float x) noexcept
{
    if constexpr (std::is_same_v<T, float>)
        return canon(x);
    else
        return convert<T>(x, cast_mode::rint);
}

template <class T>
float widen(T x) noexcept
{
    if constexpr (std::is_same_v<T, float>)
        return x;
    else
        return x.to_float();
}

inline std::int32_t wrap(std::uint32_t u) noexcept
{
    return static_cast<std::int32_t>(u);
}
inline std::uint32_t u32(std::int32_t x) noexcept
{
    return static_cast<std::uint32_t>(x);
}

// Integer arithmetic modulo 2^bits: computed in the unsigned type of T's width (unsigned
// arithmetic, promoted past int for 8-bit types, is never UB), converted back (C++20: modular).
template <class T>
using uint_of = std::make_unsigned_t<T>;
template <class T>
T wrap_to(std::uint64_t u) noexcept
{
    return static_cast<T>(static_cast<uint_of<T>>(u));
}
template <class T>
std::uint64_t wide_bits(T x) noexcept
{
    return static_cast<std::uint64_t>(static_cast<uint_of<T>>(x));
}

template <class T>
T add(T a, T b) noexcept
{
    if constexpr (std::is_integral_v<T>)
        return wrap_to<T>(wide_bits(a) + wide_bits(b));
    else
        return narrow<T>(widen(a) + widen(b));
}
template <class T>
T sub(T a, T b) noexcept
{
    if constexpr (std::is_integral_v<T>)
        return wrap_to<T>(wide_bits(a) - wide_bits(b));
    else
        return narrow<T>(widen(a) - widen(b));
}
template <class T>
T mul(T a, T b) noexcept
{
    if constexpr (std::is_integral_v<T>)
        return wrap_to<T>(wide_bits(a) * wide_bits(b));
    else
        return narrow<T>(widen(a) * widen(b));
}
// Integer division by zero is reported by the caller before this is reached.
template <class T>
T div(T a, T b) noexcept
{
    if constexpr (std::is_signed_v<T> && std::is_integral_v<T>)
        return (a == std::numeric_limits<T>::min() && b == -1) ? a : static_cast<T>(a / b);
    else if constexpr (std::is_integral_v<T>)
        return static_cast<T>(a / b);
    else
        return narrow<T>(widen(a) / widen(b));
}

// IEEE 754-2019 maximum/minimum: NaN if either operand is NaN; -0 < +0. Commutative and
// associative, so reductions built on them do not depend on order.
template <class T>
T maximum(T a, T b) noexcept
{
    if constexpr (std::is_integral_v<T>) {
        return a > b ? a : b;
    } else {
        const float x = widen(a), y = widen(b);
        if (x != x || y != y)
            return narrow<T>(canonical_nan);
        if (x == y)
            return std::signbit(x) ? b : a;
        return x > y ? a : b;
    }
}
template <class T>
T minimum(T a, T b) noexcept
{
    if constexpr (std::is_integral_v<T>) {
        return a < b ? a : b;
    } else {
        const float x = widen(a), y = widen(b);
        if (x != x || y != y)
            return narrow<T>(canonical_nan);
        if (x == y)
            return std::signbit(x) ? a : b;
        return x < y ? a : b;
    }
}

// neg and abs are sign-bit operations (IEEE 754 "quiet" ops): exact, NaN payloads kept.
template <class T>
T neg(T a) noexcept
{
    if constexpr (std::is_integral_v<T>)
        return wrap_to<T>(0ull - wide_bits(a));
    else if constexpr (std::is_same_v<T, float>)
        return std::bit_cast<float>(std::bit_cast<std::uint32_t>(a) ^ 0x80000000u);
    else
        return T::from_bits(static_cast<std::uint16_t>(a.bits ^ 0x8000u));
}
template <class T>
T abs(T a) noexcept
{
    if constexpr (std::is_unsigned_v<T>)
        return a;
    else if constexpr (std::is_integral_v<T>)
        return a < 0 ? wrap_to<T>(0ull - wide_bits(a)) : a;
    else if constexpr (std::is_same_v<T, float>)
        return std::bit_cast<float>(std::bit_cast<std::uint32_t>(a) & 0x7fffffffu);
    else
        return T::from_bits(static_cast<std::uint16_t>(a.bits & 0x7fffu));
}

template <class T>
T sqrt(T a) noexcept
{
    return narrow<T>(std::sqrt(widen(a)));
}
template <class T>
T recip(T a) noexcept
{
    return narrow<T>(1.0f / widen(a));
}
// Default: correctly rounded 1/sqrt(x) in fp32 (the device's single vrsqrt approximates it);
// 16-bit types round that result once more (nearest-even).
template <class T>
T rsqrt(T a) noexcept
{
    return narrow<T>(math::rsqrt_cr(widen(a)));
}
// high_precision=True: sqrt, rounded to T, then 1/x, rounded: the A2A3 TRsqrtHighPrecision
// sequence (vsqrt, then vdiv).
template <class T>
T rsqrt_hp(T a) noexcept
{
    return narrow<T>(1.0f / widen(sqrt(a)));
}
// Correctly rounded in fp32; 16-bit types round that result once more (nearest-even).
template <class T>
T exp(T a) noexcept
{
    return narrow<T>(math::exp_cr(widen(a)));
}
template <class T>
T log(T a) noexcept
{
    return narrow<T>(math::log_cr(widen(a)));
}

} // namespace ptoref::detail::scalar

namespace ptoref::detail {

inline constexpr int row_sum_lanes = 16;

template <class T>
T zero_identity() noexcept
{
    if constexpr (std::is_integral_v<T>)
        return 0;
    else
        return scalar::narrow<T>(-0.0f);
}

// The canonical row sum of n values at p[0], p[stride], ...
template <class T>
T canonical_row_sum(const T* p, index n, index stride = 1) noexcept
{
    std::array<T, row_sum_lanes> lane;
    lane.fill(zero_identity<T>());
    for (index j = 0; j < n; ++j)
        lane[static_cast<std::size_t>(j % row_sum_lanes)] =
            scalar::add(lane[static_cast<std::size_t>(j % row_sum_lanes)], p[j * stride]);
    for (int w = row_sum_lanes / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; ++l)
            lane[static_cast<std::size_t>(l)] =
                scalar::add(lane[static_cast<std::size_t>(l)], lane[static_cast<std::size_t>(l + w)]);
    return lane[0];
}

} // namespace ptoref::detail
