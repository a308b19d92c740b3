// Storage types for the two 8-bit floats of the DSL: FP8E4M3FN and FP8E5M2 (OCP 8-bit floats,
// as torch.float8_e4m3fn / torch.float8_e5m2 define them).
//
//  - e4m3fn: 1 sign, 4 exponent (bias 7), 3 mantissa bits. No infinity ("fn" = finite):
//    exponent 1111 is an ordinary binade except mantissa 111, the only NaN (0x7f, 0xff).
//    Largest finite 448 (0x7e), smallest subnormal 2^-9.
//  - e5m2: 1 sign, 5 exponent (bias 15), 2 mantissa bits, IEEE-like: exponent 11111 is inf
//    (mantissa 0) or NaN. It is exactly the top byte of an IEEE binary16. Largest finite 57344.
//
// They hold bits only (no arithmetic: the DSL has FP8 only as a storage type, A5-only). Widening
// to float is exact; conversions with a rounding mode live in core/convert.hpp.
#pragma once

#include <bit>
#include <cstdint>

#include "ptoref/core/float16.hpp"

namespace ptoref {

struct fp8e4m3fn {
    std::uint8_t bits = 0;

    static constexpr fp8e4m3fn from_bits(std::uint8_t b) noexcept { return fp8e4m3fn{b}; }
    constexpr bool is_nan() const noexcept { return (bits & 0x7fu) == 0x7fu; }
    constexpr float to_float() const noexcept
    {
        const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x80u) << 24;
        const std::uint32_t exp = (bits >> 3) & 0xfu;
        const std::uint32_t man = bits & 0x7u;
        if (exp == 0xf && man == 0x7)
            return std::bit_cast<float>(0x7fc00000u | sign);
        if (exp == 0) {
            if (man == 0)
                return std::bit_cast<float>(sign);
            // Subnormal: man * 2^-9 with man in 1..7, a normal float.
            const int msb = 31 - std::countl_zero(man); // 0..2
            const std::uint32_t fexp = static_cast<std::uint32_t>(127 - 9 + msb);
            const std::uint32_t frac = (man & ~(1u << msb)) << (23 - msb);
            return std::bit_cast<float>(sign | (fexp << 23) | frac);
        }
        return std::bit_cast<float>(sign | ((exp + 127 - 7) << 23) | (man << 20));
    }
    explicit constexpr operator float() const noexcept { return to_float(); }

    // Numeric comparison (NaN != NaN, -0 == +0). Compare .bits for identity.
    friend constexpr bool operator==(fp8e4m3fn a, fp8e4m3fn b) noexcept { return a.to_float() == b.to_float(); }
};

struct fp8e5m2 {
    std::uint8_t bits = 0;

    static constexpr fp8e5m2 from_bits(std::uint8_t b) noexcept { return fp8e5m2{b}; }
    constexpr bool is_nan() const noexcept { return (bits & 0x7fu) > 0x7cu; }
    // The top byte of a binary16: its widening is fp16's.
    constexpr float to_float() const noexcept
    {
        return fp16::from_bits(static_cast<std::uint16_t>(bits << 8)).to_float();
    }
    explicit constexpr operator float() const noexcept { return to_float(); }

    friend constexpr bool operator==(fp8e5m2 a, fp8e5m2 b) noexcept { return a.to_float() == b.to_float(); }
};

static_assert(sizeof(fp8e4m3fn) == 1 && sizeof(fp8e5m2) == 1, "8-bit storage types must be 1 byte");

} // namespace ptoref
