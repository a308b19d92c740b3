// fp32 -> bf16 conversion of whole arrays on SIMD integer lanes (xsimd), every cast mode.
//
// The same integer definition as detail::f32_to_bf16_bits (core/convert.hpp): split the
// magnitude into the kept high half and the dropped low half, decide the increment from the
// mode, select the canonical NaN. No hardware conversion instruction is used: VCVTNEPS2BF16
// flushes subnormals and keeps NaN payloads, which is not our policy. Proven equal to the
// scalar definition on all 2^32 inputs for every mode (tests/simd/test_convert_bf16.cpp).
// The Arch parameter lets tests pin an instruction set; the default is the best one compiled in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "ptoref/core/convert.hpp"

namespace ptoref::simd {
namespace detail {

template <cast_mode Mode, class Arch>
void f32_to_bf16_kernel(const float* in, bf16* out, std::size_t n) noexcept
{
    using fb = xsimd::batch<float, Arch>;
    using ib = xsimd::batch<std::int32_t, Arch>;
    constexpr std::size_t lanes = fb::size;
    const ib abs_mask(0x7fffffff), low_mask(0xffff), half(0x8000), one(1), zero(0), nan_limit(0x7f800000),
        canonical(0x7fc0);
    std::size_t i = 0;
    alignas(64) std::int32_t wide[lanes];
    for (; i + lanes <= n; i += lanes) {
        const ib u = xsimd::bitwise_cast<ib>(fb::load_unaligned(in + i));
        const ib mag = u & abs_mask;
        const ib hi = mag >> 16;
        const ib lo = mag & low_mask;
        const ib sign = (u >> 16) & ib(0x8000); // arithmetic shift: keep only bit 15
        const auto neg = u < zero;
        const auto inexact = lo != zero;
        ib r = hi;
        if constexpr (Mode == cast_mode::rint || Mode == cast_mode::none) {
            const auto up = (lo > half) || ((lo == half) && ((hi & one) != zero));
            r = r + xsimd::select(up, one, zero);
        } else if constexpr (Mode == cast_mode::round) {
            r = r + xsimd::select(lo >= half, one, zero);
        } else if constexpr (Mode == cast_mode::floor) {
            r = r + xsimd::select(neg && inexact, one, zero);
        } else if constexpr (Mode == cast_mode::ceil) {
            r = r + xsimd::select((!neg) && inexact, one, zero);
        } else if constexpr (Mode == cast_mode::odd) {
            r = r | xsimd::select(inexact, one, zero);
        }
        r = xsimd::select(mag > nan_limit, canonical, r | sign);
        r.store_aligned(wide);
        for (std::size_t l = 0; l < lanes; ++l) // narrows 32 -> 16 bits; compilers vectorise this
            out[i + l].bits = static_cast<std::uint16_t>(wide[l]);
    }
    for (; i < n; ++i) {
        std::uint32_t u;
        std::memcpy(&u, in + i, sizeof u);
        out[i].bits = ptoref::detail::f32_to_bf16_bits(u, Mode);
    }
}

} // namespace detail

template <class Arch = xsimd::default_arch>
void f32_to_bf16(const float* in, bf16* out, std::size_t n, cast_mode mode) noexcept
{
    switch (mode) {
    case cast_mode::none:
        detail::f32_to_bf16_kernel<cast_mode::none, Arch>(in, out, n);
        break;
    case cast_mode::rint:
        detail::f32_to_bf16_kernel<cast_mode::rint, Arch>(in, out, n);
        break;
    case cast_mode::round:
        detail::f32_to_bf16_kernel<cast_mode::round, Arch>(in, out, n);
        break;
    case cast_mode::floor:
        detail::f32_to_bf16_kernel<cast_mode::floor, Arch>(in, out, n);
        break;
    case cast_mode::ceil:
        detail::f32_to_bf16_kernel<cast_mode::ceil, Arch>(in, out, n);
        break;
    case cast_mode::trunc:
        detail::f32_to_bf16_kernel<cast_mode::trunc, Arch>(in, out, n);
        break;
    case cast_mode::odd:
        detail::f32_to_bf16_kernel<cast_mode::odd, Arch>(in, out, n);
        break;
    }
}

} // namespace ptoref::simd
