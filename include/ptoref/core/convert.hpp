// Exact conversions between every pair of element types under every cast mode: one hop.
//
// One generic definition: decompose the source into (sign, integer significand, exponent),
// which is exact for every supported type, then round that value once into the target format.
// The fp32->bf16 path also has a bit-trick fast version (the hot path of every program);
// tests prove it equal to the generic definition and to the SIMD version on all 2^32 inputs.
// pl::cast composes these hops into the device's multi-hop chains (core/cast_chain.hpp).
//
// Policies (docs/semantics.md, "Casts" and "New element types"):
//  - NaN converts to the target's canonical quiet NaN (fp32 0x7FC00000, bf16 0x7FC0,
//    fp16 0x7E00, e5m2 0x7E, e4m3fn 0x7F) and to 0 for an integer; sign and payload dropped.
//  - Subnormals are kept and rounded like any other value (gradual underflow, no DAZ/FTZ).
//  - Overflow follows IEEE 754 for the mode: nearest modes give inf, directed modes give inf
//    or the largest finite value, odd gives the largest finite value. e4m3fn has no inf: where
//    IEEE would give inf it gives NaN (as torch's float8_e4m3fn conversion does), and inf in
//    gives NaN.
//  - Into an integer: the value rounded to an integer by the mode, then, per pair as the A2A3
//    device's default saturation does (pto-isa TCvt.hpp, CTRL bit 59): FP16->INT8/UINT8 and
//    INT64->INT32 keep the low bits (wrap); every other pair clamps to the range. +-inf
//    saturate to the range's ends on every pair.
//  - `none` is rint into a float type and trunc into an integer (the A2A3 device code).
#pragma once

#include <bit>
#include <climits>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ptoref/core/cast_mode.hpp"
#include "ptoref/core/dtype.hpp"

namespace ptoref {

namespace detail {

// value = (neg ? -1 : 1) * sig * 2^exp, or a special.
struct exact_value {
    bool neg = false;
    bool nan = false;
    bool inf = false;
    std::uint64_t sig = 0;
    int exp = 0;
};

constexpr exact_value decompose(float x) noexcept
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
    exact_value v;
    v.neg = (u >> 31) != 0;
    const std::uint32_t e = (u >> 23) & 0xffu;
    const std::uint32_t m = u & 0x7fffffu;
    if (e == 0xff) {
        v.nan = m != 0;
        v.inf = m == 0;
        return v;
    }
    v.sig = e == 0 ? m : (m | 0x800000u);
    v.exp = e == 0 ? -149 : static_cast<int>(e) - 150;
    return v;
}

template <class I>
requires std::is_integral_v<I>
constexpr exact_value decompose(I x) noexcept
{
    exact_value v;
    if constexpr (std::is_signed_v<I>) {
        v.neg = x < 0;
        v.sig =
            v.neg ? (0ull - static_cast<std::uint64_t>(static_cast<std::int64_t>(x))) : static_cast<std::uint64_t>(x);
    } else {
        v.sig = static_cast<std::uint64_t>(x);
    }
    return v;
}

// The 16- and 8-bit floats widen to fp32 exactly.
template <class T>
requires std::is_class_v<T>
constexpr exact_value decompose(T x) noexcept
{
    return decompose(x.to_float());
}

// Whether rounding the magnitude n (with the discarded part compared to half an ulp) goes up.
// rem_vs_half: <0 below half, 0 exactly half, >0 above half; inexact says anything was dropped.
constexpr bool round_up(cast_mode mode, bool neg, std::uint64_t n, int rem_vs_half, bool inexact) noexcept
{
    if (!inexact)
        return false;
    switch (mode) {
    case cast_mode::none:
    case cast_mode::rint:
        return rem_vs_half > 0 || (rem_vs_half == 0 && (n & 1u));
    case cast_mode::round:
        return rem_vs_half >= 0;
    case cast_mode::floor:
        return neg;
    case cast_mode::ceil:
        return !neg;
    case cast_mode::trunc:
        return false;
    case cast_mode::odd:
        return false; // handled by the caller (sets the last bit)
    }
    return false;
}

// Round sig * 2^exp down to a multiple of 2^q (q > exp): returns the quotient, rounded.
constexpr std::uint64_t round_to_quantum(cast_mode mode, bool neg, std::uint64_t sig, int exp, int q) noexcept
{
    const int shift = q - exp;
    std::uint64_t n;
    int rem_vs_half;
    bool inexact;
    if (shift >= 65) {
        n = 0;
        inexact = sig != 0;
        rem_vs_half = -1;
    } else if (shift == 64) {
        n = 0;
        inexact = sig != 0;
        rem_vs_half = sig < (1ull << 63) ? -1 : (sig == (1ull << 63) ? 0 : 1);
    } else {
        n = sig >> shift;
        const std::uint64_t rem = sig & ((1ull << shift) - 1);
        const std::uint64_t half = 1ull << (shift - 1);
        inexact = rem != 0;
        rem_vs_half = rem < half ? -1 : (rem == half ? 0 : 1);
    }
    if (mode == cast_mode::odd)
        return inexact ? (n | 1u) : n;
    return n + (round_up(mode, neg, n, rem_vs_half, inexact) ? 1u : 0u);
}

// Binary floating formats: p = precision (incl. hidden bit), emin/emax of normal numbers.
struct float_format {
    int p;
    int emin;
    int emax;
    int exp_bits;
    std::uint32_t canonical_nan;
    bool no_inf = false; // e4m3fn: the all-ones exponent is finite, except the NaN mantissa
};
inline constexpr float_format fp32_format{24, -126, 127, 8, 0x7fc00000u};
inline constexpr float_format bf16_format{8, -126, 127, 8, 0x7fc0u};
inline constexpr float_format fp16_format{11, -14, 15, 5, 0x7e00u};
inline constexpr float_format e5m2_format{3, -14, 15, 5, 0x7eu};
inline constexpr float_format e4m3fn_format{4, -6, 8, 4, 0x7fu, true};

template <class T>
constexpr const float_format& format_of() noexcept
{
    if constexpr (std::is_same_v<T, float>)
        return fp32_format;
    else if constexpr (std::is_same_v<T, bf16>)
        return bf16_format;
    else if constexpr (std::is_same_v<T, fp16>)
        return fp16_format;
    else if constexpr (std::is_same_v<T, fp8e5m2>)
        return e5m2_format;
    else
        return e4m3fn_format;
}

// Rounds an exact value into a binary format; returns the raw bits (in the low bits).
constexpr std::uint32_t round_to_format(const exact_value& v, cast_mode mode, const float_format& f) noexcept
{
    const int mant_bits = f.p - 1;
    const int total_bits = 1 + f.exp_bits + mant_bits;
    const std::uint32_t sign = v.neg ? (1u << (total_bits - 1)) : 0u;
    const std::uint32_t exp_all_ones = ((1u << f.exp_bits) - 1) << mant_bits;
    if (v.nan || (v.inf && f.no_inf))
        return f.canonical_nan;
    if (v.inf)
        return sign | exp_all_ones;
    if (v.sig == 0)
        return sign;
    const int msb = 63 - std::countl_zero(v.sig);
    const int e = msb + v.exp; // value in [2^e, 2^(e+1))
    int q = (e > f.emin ? e : f.emin) - mant_bits;
    std::uint64_t n;
    if (q <= v.exp) {
        n = v.sig << (v.exp - q);
    } else {
        n = round_to_quantum(mode, v.neg, v.sig, v.exp, q);
        if (n == (1ull << f.p)) { // carried into the next binade
            n >>= 1;
            ++q;
        }
    }
    const std::uint32_t mant_ones = (1u << mant_bits) - 1;
    // e4m3fn's largest finite has mantissa 110: 111 in the top binade is NaN.
    const std::uint32_t max_finite = f.no_inf ? (exp_all_ones | (mant_ones - 1)) : (exp_all_ones - 1u);
    const int top = n != 0 ? q + (63 - std::countl_zero(n)) : 0;
    if (n != 0 && (top > f.emax || (f.no_inf && top == f.emax && n == (1ull << f.p) - 1))) {
        bool to_inf = false;
        switch (mode) {
        case cast_mode::none:
        case cast_mode::rint:
        case cast_mode::round:
            to_inf = true;
            break;
        case cast_mode::floor:
            to_inf = v.neg;
            break;
        case cast_mode::ceil:
            to_inf = !v.neg;
            break;
        case cast_mode::trunc:
        case cast_mode::odd:
            to_inf = false;
            break;
        }
        if (to_inf && f.no_inf)
            return f.canonical_nan;
        return sign | (to_inf ? exp_all_ones : max_finite);
    }
    if (n < (1ull << mant_bits)) // subnormal or zero
        return sign | static_cast<std::uint32_t>(n);
    const int bias = (1 << (f.exp_bits - 1)) - 1;
    const std::uint32_t biased = static_cast<std::uint32_t>(q + mant_bits + bias);
    return sign | (biased << mant_bits) | static_cast<std::uint32_t>(n - (1ull << mant_bits));
}

// Rounds an exact value to an integer of type I: `wrap` keeps the low bits (two's complement),
// otherwise the result clamps to I's range. NaN -> 0; +-inf -> the range's ends.
template <class I>
constexpr I round_to_integer(const exact_value& v, cast_mode mode, bool wrap) noexcept
{
    // `none` to an integer truncates, as pto-isa's A2A3 TCVT default case and its CPU simulator
    // do (docs/semantics.md, casts); to a float it is rint.
    if (mode == cast_mode::none)
        mode = cast_mode::trunc;
    using U = std::make_unsigned_t<I>;
    constexpr I lo = std::numeric_limits<I>::min();
    constexpr I hi = std::numeric_limits<I>::max();
    if (v.nan)
        return 0;
    if (v.inf)
        return v.neg ? lo : hi;
    std::uint64_t n = 0; // the rounded magnitude, mod 2^64
    bool huge = false;   // the magnitude is >= 2^64
    if (v.exp >= 0) {
        if (v.sig != 0 && v.exp > 0 && (v.exp >= 64 || (v.sig >> (64 - v.exp)) != 0))
            huge = true;
        n = v.exp >= 64 ? 0 : v.sig << v.exp;
    } else {
        n = round_to_quantum(mode, v.neg, v.sig, v.exp, 0);
    }
    if (wrap)
        return static_cast<I>(static_cast<U>(v.neg ? 0ull - n : n));
    if (v.neg) {
        const std::uint64_t lim = std::is_signed_v<I> ? static_cast<std::uint64_t>(hi) + 1u : 0u;
        if (huge || n > lim)
            return lo;
        return static_cast<I>(static_cast<U>(0ull - n));
    }
    if (huge || n > static_cast<std::uint64_t>(hi))
        return hi;
    return static_cast<I>(n);
}

constexpr std::int32_t round_to_int32(const exact_value& v, cast_mode mode) noexcept
{
    return round_to_integer<std::int32_t>(v, mode, false);
}

// The fast fp32 -> bf16 path: integer arithmetic on the bit pattern. Must equal
// round_to_format(decompose(x), mode, bf16_format) for every x and mode (tested exhaustively).
constexpr std::uint16_t f32_to_bf16_bits(std::uint32_t u, cast_mode mode) noexcept
{
    const std::uint32_t mag = u & 0x7fffffffu;
    if (mag > 0x7f800000u)
        return 0x7fc0u;
    const bool neg = (u >> 31) != 0;
    const std::uint32_t hi = mag >> 16;
    const std::uint32_t lo = mag & 0xffffu;
    std::uint32_t r = hi;
    switch (mode) {
    case cast_mode::none:
    case cast_mode::rint:
        r += (lo > 0x8000u || (lo == 0x8000u && (hi & 1u))) ? 1u : 0u;
        break;
    case cast_mode::round:
        r += lo >= 0x8000u ? 1u : 0u;
        break;
    case cast_mode::floor:
        r += (neg && lo != 0) ? 1u : 0u;
        break;
    case cast_mode::ceil:
        r += (!neg && lo != 0) ? 1u : 0u;
        break;
    case cast_mode::trunc:
        break;
    case cast_mode::odd:
        r |= lo != 0 ? 1u : 0u;
        break;
    }
    return static_cast<std::uint16_t>((neg ? 0x8000u : 0u) | r);
}

template <class T>
inline constexpr bool is_numeric_v = element_type<T>;

// The pairs whose A2A3 conversion keeps the low bits instead of clamping (pto-isa TCvt.hpp
// kIsNarrowingCvt: CTRL bit 59 off). FP32/FP16->INT16 and INT32->INT16 are the others; ptoref
// has no INT16.
template <class To, class From>
inline constexpr bool wraps_v = (std::is_same_v<From, fp16> &&
                                 (std::is_same_v<To, std::int8_t> || std::is_same_v<To, std::uint8_t>)) ||
                                (std::is_same_v<From, std::int64_t> && std::is_same_v<To, std::int32_t>);

} // namespace detail

// Converts one value between the supported element types with the given rounding mode: the
// exact value rounded once (one hop; pl::cast adds the device's multi-hop chains).
template <class To, class From>
constexpr To convert(From x, cast_mode mode = default_cast_mode) noexcept
{
    static_assert(element_type<To> && element_type<From>, "ptoref::convert supports the element types of dtype.hpp");
    if constexpr (std::is_same_v<From, float> && std::is_same_v<To, bf16>) {
        return bf16::from_bits(detail::f32_to_bf16_bits(std::bit_cast<std::uint32_t>(x), mode));
    } else if constexpr (integer_element<To> && std::is_same_v<To, From>) {
        return x;
    } else if constexpr (integer_element<To>) {
        return detail::round_to_integer<To>(detail::decompose(x), mode, detail::wraps_v<To, From>);
    } else if constexpr (std::is_same_v<To, float>) {
        return std::bit_cast<float>(detail::round_to_format(detail::decompose(x), mode, detail::fp32_format));
    } else {
        using B = typename dtype_traits<To>::bits_type;
        return dtype_traits<To>::from_bits(
            static_cast<B>(detail::round_to_format(detail::decompose(x), mode, detail::format_of<To>())));
    }
}

} // namespace ptoref
