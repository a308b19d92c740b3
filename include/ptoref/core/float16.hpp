// Storage types for the 16-bit floats: bf16 (bfloat16) and fp16 (IEEE binary16).
//
// They hold bits only. Arithmetic happens in fp32 inside the ops, which round each result back
// (see docs/semantics.md); conversions with an explicit rounding mode live in core/convert.hpp.
// Widening to float is exact and implicit-free: use to_float() or static_cast<float>.
#pragma once

#include <bit>
#include <cstdint>

namespace ptoref {

struct bf16 {
    std::uint16_t bits = 0;

    static constexpr bf16 from_bits(std::uint16_t b) noexcept { return bf16{b}; }
    constexpr float to_float() const noexcept { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }
    explicit constexpr operator float() const noexcept { return to_float(); }

    // Numeric comparison, as IEEE does it (NaN != NaN, -0 == +0). Compare .bits for identity.
    friend constexpr bool operator==(bf16 a, bf16 b) noexcept { return a.to_float() == b.to_float(); }
};

struct fp16 {
    std::uint16_t bits = 0;

    static constexpr fp16 from_bits(std::uint16_t b) noexcept { return fp16{b}; }
    constexpr float to_float() const noexcept
    {
        const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
        const std::uint32_t exp = (bits >> 10) & 0x1fu;
        std::uint32_t man = bits & 0x3ffu;
        if (exp == 0x1f) // inf / NaN: keep the payload in the top mantissa bits
            return std::bit_cast<float>(sign | 0x7f800000u | (man << 13));
        if (exp == 0) {
            if (man == 0)
                return std::bit_cast<float>(sign);
            // Subnormal half: value = man * 2^-24, always a normal float.
            int shift = 0;
            while ((man & 0x400u) == 0) {
                man <<= 1;
                ++shift;
            }
            const std::uint32_t fexp = static_cast<std::uint32_t>(127 - 15 + 1 - shift);
            return std::bit_cast<float>(sign | (fexp << 23) | ((man & 0x3ffu) << 13));
        }
        return std::bit_cast<float>(sign | ((exp + 127 - 15) << 23) | (man << 13));
    }
    explicit constexpr operator float() const noexcept { return to_float(); }

    friend constexpr bool operator==(fp16 a, fp16 b) noexcept { return a.to_float() == b.to_float(); }
};

static_assert(sizeof(bf16) == 2 && sizeof(fp16) == 2, "16-bit storage types must be 2 bytes");

} // namespace ptoref
