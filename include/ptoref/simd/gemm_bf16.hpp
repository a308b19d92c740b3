// GEMM on bf16 inputs with VDPBF16PS (AVX-512-BF16), giving exactly the canonical chain
//   c[i][j] = fma(a[i][k], b[k][j], c[i][j]) for k ascending, c starting at +0,
// under a condition on the inputs that the packer checks (bf16_pairs_in_range).
//
// Why it is exact (DESIGN.md, reference/anchors.md §0/§B): per lane, VDPBF16PS adds the product of
// the odd (high) bf16 element of a pair first, then the even one, each with one RNE rounding,
// treating subnormal inputs and results as zero (DAZ/FTZ). Packing every pair swapped, x[k] in
// the high half and x[k+1] in the low half, makes it add k before k+1: the canonical order. A
// bf16 product is exact in fp32 (8 + 8 significant bits), so each step is the same single
// rounding as fma. DAZ/FTZ cannot act when every input is zero or 2^-51 <= |x| <= 2^48: every
// product and every partial sum is then zero or a multiple of 2^-116 (a normal number), and no
// sum of fewer than 2^31 terms below 2^96 can overflow. NaN and infinity are outside the range.
// An accumulator that starts at +0 never becomes -0 under these inputs, so a zero pair added at
// an odd k's end is harmless too. Tiles failing the check use the fp32 FMA kernel instead.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "ptoref/core/float16.hpp"
#include "ptoref/core/shape.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/matmul_f32.hpp" // PTOREF_X86_KERNELS, <immintrin.h>

namespace ptoref::simd {

// True when a bf16 value is zero or has 2^-51 <= |x| <= 2^48 (exponent fields 76..175).
constexpr bool bf16_in_dot_range(std::uint16_t bits) noexcept
{
    const std::uint16_t mag = bits & 0x7fffu;
    return mag == 0 || (mag >= 0x2600u && mag <= 0x5780u);
}

// Whether all n values pass bf16_in_dot_range; branch-free integer code the compiler vectorises.
inline bool all_bf16_in_dot_range(const bf16* p, index n) noexcept
{
    unsigned bad = 0;
    for (index i = 0; i < n; ++i) {
        const unsigned mag = p[i].bits & 0x7fffu;
        bad |= static_cast<unsigned>(mag != 0) & static_cast<unsigned>(mag - 0x2600u > 0x3180u);
    }
    return bad == 0;
}

// One 32-bit pair holding x[k] in the high half and x[k+1] in the low half (see above).
constexpr std::uint32_t bf16_swapped_pair(bf16 first, bf16 second) noexcept
{
    return (static_cast<std::uint32_t>(first.bits) << 16) | second.bits;
}

// a: m rows of k/2 swapped pairs (row stride lda pairs); b: k/2 rows of n swapped pairs
// (row stride ldb pairs), i.e. b[kp][j] pairs b(2kp, j) and b(2kp+1, j); c: m x n fp32.
struct gemm_bf16_args {
    const std::uint32_t* a;
    index lda;
    const std::uint32_t* b;
    index ldb;
    float* c;
    index ldc;
    index m, n, k_pairs;
    bool overwrite = false; // true: c = a @ b, every chain starting at +0 (c is not read)
};

namespace detail {

// The definition the instruction reproduces, for the paths without it (and for tests).
inline void gemm_bf16_scalar_rest(const gemm_bf16_args& p, index j0) noexcept
{
    auto hi = [](std::uint32_t w) { return std::bit_cast<float>(w & 0xffff0000u); };
    auto lo = [](std::uint32_t w) { return std::bit_cast<float>(w << 16); };
    for (index i = 0; i < p.m; ++i)
        for (index j = j0; j < p.n; ++j) {
            float s = p.overwrite ? 0.0f : p.c[i * p.ldc + j];
            for (index kp = 0; kp < p.k_pairs; ++kp) {
                const std::uint32_t x = p.a[i * p.lda + kp], y = p.b[kp * p.ldb + j];
                s = std::fma(hi(x), hi(y), s);
                s = std::fma(lo(x), lo(y), s);
            }
            p.c[i * p.ldc + j] = s;
        }
}

#ifdef PTOREF_X86_KERNELS
template <int R, int V>
__attribute__((target("avx512f,avx512bf16"), always_inline)) inline void gemm_bf16_block(const gemm_bf16_args& p,
                                                                                         index i, index j) noexcept
{
    __m512 acc[R][V];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
            acc[r][v] = p.overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(p.c + (i + r) * p.ldc + j + 16 * v);
    for (index kp = 0; kp < p.k_pairs; ++kp) {
        __m512i bv[V];
        for (int v = 0; v < V; ++v)
            bv[v] = _mm512_loadu_si512(p.b + kp * p.ldb + j + 16 * v);
        for (int r = 0; r < R; ++r) {
            const __m512i av = _mm512_set1_epi32(static_cast<int>(p.a[(i + r) * p.lda + kp]));
            for (int v = 0; v < V; ++v)
                acc[r][v] = _mm512_dpbf16_ps(acc[r][v], (__m512bh)av, (__m512bh)bv[v]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
            _mm512_storeu_ps(p.c + (i + r) * p.ldc + j + 16 * v, acc[r][v]);
}

__attribute__((target("avx512f,avx512bf16"))) inline index gemm_bf16_avx512bf16(const gemm_bf16_args& p) noexcept
{
    const index n16 = p.n - p.n % 16;
    index i = 0;
    for (; i + 4 <= p.m; i += 4) {
        index j = 0;
        for (; j + 64 <= n16; j += 64)
            gemm_bf16_block<4, 4>(p, i, j);
        for (; j < n16; j += 16)
            gemm_bf16_block<4, 1>(p, i, j);
    }
    for (; i < p.m; ++i) {
        index j = 0;
        for (; j + 64 <= n16; j += 64)
            gemm_bf16_block<1, 4>(p, i, j);
        for (; j < n16; j += 16)
            gemm_bf16_block<1, 1>(p, i, j);
    }
    return n16;
}
#endif

} // namespace detail

// Accumulates a @ b into c. The caller guarantees what the header comment requires (every
// input passes bf16_in_dot_range and c starts at +0 or at a chain built the same way); on
// paths without VDPBF16PS the scalar definition runs, with the same bits.
inline void gemm_bf16_accumulate(const gemm_bf16_args& p, path which = active_path()) noexcept
{
    if (p.m <= 0 || p.n <= 0)
        return;
    index done = 0;
#ifdef PTOREF_X86_KERNELS
    if (which == path::avx512bf16)
        done = detail::gemm_bf16_avx512bf16(p);
#else
    (void)which;
#endif
    detail::gemm_bf16_scalar_rest(p, done);
}

} // namespace ptoref::simd
