// Packing bf16 operands into the swapped pairs of gemm_bf16.hpp, and its range check, for
// contiguous lines; AVX-512BW where the CPU has it, the scalar definitions otherwise.
//
// Pair p of a line x of k elements is x[2p] in the high half and x[2p+1] (or +0 past an odd k's
// end) in the low half. Two consecutive bf16 read as one little-endian word hold x[2p] in the low
// half, so the pair is that word rotated by 16 bits: the vector code is the same integer
// operation lane by lane (tests/simd/test_pack_bf16.cpp compares every word with the scalar code).
#pragma once

#include <cstdint>
#include <cstring>

#include "ptoref/core/float16.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/gemm_bf16.hpp" // bf16_swapped_pair, all_bf16_in_dot_range; PTOREF_X86_KERNELS

namespace ptoref::simd {
namespace detail {

// The definitions (and the fallback): one line of k elements into (k + 1) / 2 pairs.
inline void pack_bf16_line_scalar(const bf16* x, index k, std::uint32_t* out) noexcept
{
    for (index p = 0; p < k / 2; ++p)
        out[p] = bf16_swapped_pair(x[2 * p], x[2 * p + 1]);
    if (k % 2)
        out[k / 2] = bf16_swapped_pair(x[k - 1], bf16{});
}

// Pairs of two rows element by element: out[j] = (r0[j], r1[j]), r1 null meaning +0.
inline void pack_bf16_rows_scalar(const bf16* r0, const bf16* r1, index n, std::uint32_t* out) noexcept
{
    for (index j = 0; j < n; ++j)
        out[j] = bf16_swapped_pair(r0[j], r1 ? r1[j] : bf16{});
}

#ifdef PTOREF_X86_KERNELS
PTOREF_AVX512_WARNINGS_OFF
#define PTOREF_PACK_TARGET __attribute__((target("avx512f,avx512bw,avx512vl")))

PTOREF_PACK_TARGET inline __mmask16 pack_tail16(index left) noexcept
{
    return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
}

PTOREF_PACK_TARGET inline __mmask32 pack_tail32(index left) noexcept
{
    return left >= 32 ? static_cast<__mmask32>(0xffffffffu) : static_cast<__mmask32>((1u << left) - 1u);
}

PTOREF_PACK_TARGET inline void pack_bf16_line_avx512(const bf16* x, index k, std::uint32_t* out) noexcept
{
    // Masked loads of bf16 lanes: an odd k's last pair reads +0 in its low half, as defined.
    for (index e = 0; e < k; e += 32) {
        const __m512i w = _mm512_maskz_loadu_epi16(pack_tail32(k - e), x + e);
        _mm512_mask_storeu_epi32(out + e / 2, pack_tail16((k - e + 1) / 2), _mm512_rol_epi32(w, 16));
    }
}

PTOREF_PACK_TARGET inline void pack_bf16_rows_avx512(const bf16* r0, const bf16* r1, index n,
                                                     std::uint32_t* out) noexcept
{
    for (index j = 0; j < n; j += 16) {
        const __mmask16 m = pack_tail16(n - j);
        const __m512i hi = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, r0 + j));
        const __m512i lo = r1 ? _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, r1 + j)) : _mm512_setzero_si512();
        _mm512_mask_storeu_epi32(out + j, m, _mm512_or_si512(_mm512_slli_epi32(hi, 16), lo));
    }
}

// all_bf16_in_dot_range on 32 lanes: the same unsigned comparison of the magnitude, in 16 bits
// (mag - 0x2600 wraps below 0x2600 to at least 0xda00, above the limit, as in 32 bits).
PTOREF_PACK_TARGET inline bool all_bf16_in_dot_range_avx512(const bf16* p, index n) noexcept
{
    const __m512i abs = _mm512_set1_epi16(0x7fff), base = _mm512_set1_epi16(0x2600), limit = _mm512_set1_epi16(0x3180);
    __mmask32 bad = 0;
    for (index e = 0; e < n; e += 32) {
        const __mmask32 m = pack_tail32(n - e);
        const __m512i mag = _mm512_and_si512(_mm512_maskz_loadu_epi16(m, p + e), abs);
        bad |= _mm512_mask_cmpgt_epu16_mask(_mm512_test_epi16_mask(mag, mag), _mm512_sub_epi16(mag, base), limit);
    }
    return bad == 0;
}

#undef PTOREF_PACK_TARGET
PTOREF_AVX512_WARNINGS_ON
#endif

inline bool pack_vector(path which) noexcept
{
    return which == path::avx512 || which == path::avx512bf16;
}

} // namespace detail

// One contiguous line of k bf16 into (k + 1) / 2 swapped pairs.
inline void pack_bf16_line(const bf16* x, index k, std::uint32_t* out, path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::pack_vector(which))
        return detail::pack_bf16_line_avx512(x, k, out);
#else
    (void)which;
#endif
    detail::pack_bf16_line_scalar(x, k, out);
}

// out[j] = the pair (r0[j], r1[j]) for j < n; r1 == nullptr pairs with +0 (an odd K's last row).
inline void pack_bf16_rows(const bf16* r0, const bf16* r1, index n, std::uint32_t* out,
                           path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::pack_vector(which))
        return detail::pack_bf16_rows_avx512(r0, r1, n, out);
#else
    (void)which;
#endif
    detail::pack_bf16_rows_scalar(r0, r1, n, out);
}

// all_bf16_in_dot_range (gemm_bf16.hpp) with the same answer, on the vector path if available.
inline bool bf16_line_in_dot_range(const bf16* p, index n, path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::pack_vector(which))
        return detail::all_bf16_in_dot_range_avx512(p, n);
#else
    (void)which;
#endif
    return all_bf16_in_dot_range(p, n);
}

} // namespace ptoref::simd
