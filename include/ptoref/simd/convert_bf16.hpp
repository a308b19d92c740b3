// fp32 -> bf16 conversion of whole arrays on SIMD integer lanes (xsimd), every cast mode.
//
// The same integer definition as detail::f32_to_bf16_bits (core/convert.hpp): split the
// magnitude into the kept high half and the dropped low half, decide the increment from the
// mode, select the canonical NaN. No hardware conversion instruction is used: VCVTNEPS2BF16
// flushes subnormals and keeps NaN payloads, which is not our policy. Proven equal to the
// scalar definition on all 2^32 inputs for every mode (tests/simd/test_convert_bf16.cpp).
// The Arch parameter lets tests pin an instruction set; the default is the best one compiled in.
// On the avx512 paths (simd/features.hpp) the bulk runs on an AVX-512 kernel chosen at run time
// (the build may be generic x86-64), the same integer steps in intrinsics; the rest on Arch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "ptoref/core/convert.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/matmul_f32.hpp" // PTOREF_X86_KERNELS, <immintrin.h>

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

#ifdef PTOREF_X86_KERNELS
PTOREF_AVX512_WARNINGS_OFF
// f32_to_bf16_kernel's steps on 16 lanes (every value here is non-negative where a signed
// comparison is used, as there); returns how many elements it converted (a multiple of 16).
template <cast_mode Mode>
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline std::size_t f32_to_bf16_avx512(const float* in, bf16* out,
                                                                                           std::size_t n) noexcept
{
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), low_mask = _mm512_set1_epi32(0xffff),
                  half = _mm512_set1_epi32(0x8000), one = _mm512_set1_epi32(1),
                  nan_limit = _mm512_set1_epi32(0x7f800000), canonical = _mm512_set1_epi32(0x7fc0);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512i u = _mm512_loadu_si512(in + i);
        const __m512i mag = _mm512_and_si512(u, abs_mask);
        const __m512i hi = _mm512_srli_epi32(mag, 16);
        const __m512i lo = _mm512_and_si512(mag, low_mask);
        const __m512i sign = _mm512_and_si512(_mm512_srai_epi32(u, 16), half);
        [[maybe_unused]] const __mmask16 neg = _mm512_cmplt_epi32_mask(u, _mm512_setzero_si512());
        const __mmask16 inexact = _mm512_test_epi32_mask(lo, lo);
        __m512i r = hi;
        if constexpr (Mode == cast_mode::rint || Mode == cast_mode::none) {
            const __mmask16 up = _mm512_cmpgt_epi32_mask(lo, half) |
                                 (_mm512_cmpeq_epi32_mask(lo, half) & _mm512_test_epi32_mask(hi, one));
            r = _mm512_mask_add_epi32(r, up, r, one);
        } else if constexpr (Mode == cast_mode::round) {
            r = _mm512_mask_add_epi32(r, _mm512_cmpge_epi32_mask(lo, half), r, one);
        } else if constexpr (Mode == cast_mode::floor) {
            r = _mm512_mask_add_epi32(r, static_cast<__mmask16>(neg & inexact), r, one);
        } else if constexpr (Mode == cast_mode::ceil) {
            r = _mm512_mask_add_epi32(r, static_cast<__mmask16>(~neg & inexact), r, one);
        } else if constexpr (Mode == cast_mode::odd) {
            r = _mm512_mask_or_epi32(r, inexact, r, one);
        }
        r = _mm512_mask_blend_epi32(_mm512_cmpgt_epi32_mask(mag, nan_limit), _mm512_or_si512(r, sign), canonical);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm512_cvtepi32_epi16(r)); // keeps the low 16 bits
    }
    return i;
}
PTOREF_AVX512_WARNINGS_ON
#endif

// The AVX-512 bulk when the path allows it, then Arch's kernel on the rest.
template <cast_mode Mode, class Arch>
void f32_to_bf16_dispatch(const float* in, bf16* out, std::size_t n, path which) noexcept
{
    std::size_t done = 0;
#ifdef PTOREF_X86_KERNELS
    if (which == path::avx512 || which == path::avx512bf16)
        done = f32_to_bf16_avx512<Mode>(in, out, n);
#else
    (void)which;
#endif
    f32_to_bf16_kernel<Mode, Arch>(in + done, out + done, n - done);
}

} // namespace detail

// which: the path (simd/features.hpp); the scalar and avx2 paths run Arch's kernel alone.
template <class Arch = xsimd::default_arch>
void f32_to_bf16(const float* in, bf16* out, std::size_t n, cast_mode mode, path which = active_path()) noexcept
{
    switch (mode) {
    case cast_mode::none:
        detail::f32_to_bf16_dispatch<cast_mode::none, Arch>(in, out, n, which);
        break;
    case cast_mode::rint:
        detail::f32_to_bf16_dispatch<cast_mode::rint, Arch>(in, out, n, which);
        break;
    case cast_mode::round:
        detail::f32_to_bf16_dispatch<cast_mode::round, Arch>(in, out, n, which);
        break;
    case cast_mode::floor:
        detail::f32_to_bf16_dispatch<cast_mode::floor, Arch>(in, out, n, which);
        break;
    case cast_mode::ceil:
        detail::f32_to_bf16_dispatch<cast_mode::ceil, Arch>(in, out, n, which);
        break;
    case cast_mode::trunc:
        detail::f32_to_bf16_dispatch<cast_mode::trunc, Arch>(in, out, n, which);
        break;
    case cast_mode::odd:
        detail::f32_to_bf16_dispatch<cast_mode::odd, Arch>(in, out, n, which);
        break;
    }
}

} // namespace ptoref::simd
