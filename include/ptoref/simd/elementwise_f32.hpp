// AVX-512 kernels for the FP32 elementwise ops and row reductions of the op-by-op layer, with the
// bits of the scalar definitions (ops/scalar.hpp, docs/semantics.md §3):
//   add sub mul div: one IEEE operation per lane, then any NaN -> the canonical 0x7FC00000;
//   maximum minimum: NaN if either is NaN (canonical), -0 < +0 — explicit, since the hardware
//                    max/min return the second operand for NaN and for equal zeros;
//   neg abs: sign-bit operations (NaN payloads kept); sqrt recip: one IEEE operation, canonical
//   NaN; rsqrt_hp (rsqrt with high_precision): sqrt, then 1/x, each rounded, canonical NaN;
//   row_sum: the canonical 16-lane order (lane l adds elements l, l+16, ... from -0, then the
//            fixed tree) — exactly one zmm register; row_max/row_min: order-independent.
// No product feeds an addition here, so FMA contraction has nothing to fuse. Other paths (and
// AVX2) use the scalar definitions; the tests compare every path on every input they can.
#pragma once

#include <bit>
#include <cstdint>

#include "ptoref/core/shape.hpp"
#include "ptoref/ops/scalar.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/matmul_f32.hpp" // PTOREF_X86_KERNELS, <immintrin.h>

namespace ptoref::simd {

enum class binary_f32 { add, sub, mul, div, maximum, minimum };
enum class unary_f32 { neg, abs, sqrt, rsqrt_hp, recip };

namespace detail {

namespace sc = ptoref::detail::scalar;

inline float binary_scalar(binary_f32 op, float a, float b) noexcept
{
    switch (op) {
    case binary_f32::add:
        return sc::add(a, b);
    case binary_f32::sub:
        return sc::sub(a, b);
    case binary_f32::mul:
        return sc::mul(a, b);
    case binary_f32::div:
        return sc::div(a, b);
    case binary_f32::maximum:
        return sc::maximum(a, b);
    case binary_f32::minimum:
        return sc::minimum(a, b);
    }
    return a;
}

inline float unary_scalar(unary_f32 op, float a) noexcept
{
    switch (op) {
    case unary_f32::neg:
        return sc::neg(a);
    case unary_f32::abs:
        return sc::abs(a);
    case unary_f32::sqrt:
        return sc::sqrt(a);
    case unary_f32::rsqrt_hp:
        return sc::rsqrt_hp(a);
    case unary_f32::recip:
        return sc::recip(a);
    }
    return a;
}

#ifdef PTOREF_X86_KERNELS
PTOREF_AVX512_WARNINGS_OFF
#define PTOREF_EW_TARGET __attribute__((target("avx512f")))

PTOREF_EW_TARGET inline __m512 ew_canon(__m512 x) noexcept
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x,
                                _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}

// IEEE maximum (is_max) or minimum with canonical NaN.
PTOREF_EW_TARGET inline __m512 ew_minmax(__m512 a, __m512 b, bool is_max) noexcept
{
    const __mmask16 nan = _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
    // Ordered lanes: a > b (max) picks a; equal values pick by sign (max: the one without the
    // sign bit; min: the one with it), which also orders -0 and +0.
    const __mmask16 a_wins_order = is_max ? _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ) : _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
    const __mmask16 equal = _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ);
    const __mmask16 a_neg = _mm512_cmplt_epi32_mask(_mm512_castps_si512(a), _mm512_setzero_si512());
    const __mmask16 a_wins_tie = equal & static_cast<__mmask16>(is_max ? ~a_neg : a_neg);
    const __m512 r = _mm512_mask_blend_ps(static_cast<__mmask16>(a_wins_order | a_wins_tie), b, a);
    return _mm512_mask_blend_ps(nan, r, _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}

PTOREF_EW_TARGET inline __m512 ew_binary(binary_f32 op, __m512 a, __m512 b) noexcept
{
    switch (op) {
    case binary_f32::add:
        return ew_canon(_mm512_add_ps(a, b));
    case binary_f32::sub:
        return ew_canon(_mm512_sub_ps(a, b));
    case binary_f32::mul:
        return ew_canon(_mm512_mul_ps(a, b));
    case binary_f32::div:
        return ew_canon(_mm512_div_ps(a, b));
    case binary_f32::maximum:
        return ew_minmax(a, b, true);
    case binary_f32::minimum:
        return ew_minmax(a, b, false);
    }
    return a;
}

PTOREF_EW_TARGET inline __m512 ew_unary(unary_f32 op, __m512 a) noexcept
{
    const __m512i sign = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    switch (op) {
    case unary_f32::neg:
        return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), sign));
    case unary_f32::abs:
        return _mm512_castsi512_ps(_mm512_andnot_si512(sign, _mm512_castps_si512(a)));
    case unary_f32::sqrt:
        return ew_canon(_mm512_sqrt_ps(a));
    case unary_f32::rsqrt_hp:
        return ew_canon(_mm512_div_ps(_mm512_set1_ps(1.0f), ew_canon(_mm512_sqrt_ps(a))));
    case unary_f32::recip:
        return ew_canon(_mm512_div_ps(_mm512_set1_ps(1.0f), a));
    }
    return a;
}

PTOREF_EW_TARGET inline __mmask16 ew_tail(index left) noexcept
{
    return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
}

// out[j] = op(a[j * sa], b[j * sb]) for j < n, with sa, sb in {0, 1} (0: a broadcast scalar).
PTOREF_EW_TARGET inline void binary_row_avx512(binary_f32 op, const float* a, index sa, const float* b, index sb,
                                               float* out, index n) noexcept
{
    const __m512 a1 = _mm512_set1_ps(*a), b1 = _mm512_set1_ps(*b);
    for (index j = 0; j < n; j += 16) {
        const __mmask16 m = ew_tail(n - j);
        const __m512 x = sa ? _mm512_maskz_loadu_ps(m, a + j) : a1;
        const __m512 y = sb ? _mm512_maskz_loadu_ps(m, b + j) : b1;
        _mm512_mask_storeu_ps(out + j, m, ew_binary(op, x, y));
    }
}

PTOREF_EW_TARGET inline void unary_row_avx512(unary_f32 op, const float* a, float* out, index n) noexcept
{
    for (index j = 0; j < n; j += 16) {
        const __mmask16 m = ew_tail(n - j);
        _mm512_mask_storeu_ps(out + j, m, ew_unary(op, _mm512_maskz_loadu_ps(m, a + j)));
    }
}

// The canonical row sum of a contiguous row: lane l of one register adds l, l+16, ... in order.
PTOREF_EW_TARGET inline float row_sum_avx512(const float* p, index n) noexcept
{
    __m512 lanes = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(0x80000000u))); // -0
    for (index j = 0; j < n; j += 16) {
        const __mmask16 m = ew_tail(n - j);
        lanes = _mm512_mask_add_ps(lanes, m, lanes, _mm512_maskz_loadu_ps(m, p + j));
        lanes = ew_canon(lanes);
    }
    const __m256 h8 = _mm256_add_ps(_mm512_castps512_ps256(lanes),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(lanes), 1)));
    const __m128 h4 = _mm_add_ps(_mm256_castps256_ps128(h8), _mm256_extractf128_ps(h8, 1));
    const __m128 h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));
    const __m128 h1 = _mm_add_ss(h2, _mm_shuffle_ps(h2, h2, 1));
    return sc::canon(_mm_cvtss_f32(h1)); // a NaN stays a NaN through the tree
}

// IEEE maximum/minimum over a contiguous row (n >= 1): order-independent, so lane-wise then across.
PTOREF_EW_TARGET inline float row_minmax_avx512(const float* p, index n, bool is_max) noexcept
{
    __m512 acc = _mm512_set1_ps(p[0]); // the neutral element: the row's own first value
    for (index j = 0; j < n; j += 16) {
        const __mmask16 m = ew_tail(n - j);
        acc = ew_minmax(acc, _mm512_mask_loadu_ps(acc, m, p + j), is_max);
    }
    alignas(64) float l[16];
    _mm512_store_ps(l, acc);
    float r = l[0];
    for (int i = 1; i < 16; ++i)
        r = is_max ? sc::maximum(r, l[i]) : sc::minimum(r, l[i]);
    return r;
}

#undef PTOREF_EW_TARGET
PTOREF_AVX512_WARNINGS_ON
#endif

inline bool ew_vector(path which) noexcept
{
#ifdef PTOREF_X86_KERNELS
    return which == path::avx512 || which == path::avx512bf16;
#else
    (void)which;
    return false;
#endif
}

} // namespace detail

// out[j] = op(a[j * sa], b[j * sb]) for j < n; sa and sb are 0 (broadcast) or 1.
inline void binary_row(binary_f32 op, const float* a, index sa, const float* b, index sb, float* out, index n,
                       path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::ew_vector(which) && n > 0)
        return detail::binary_row_avx512(op, a, sa, b, sb, out, n);
#else
    (void)which;
#endif
    for (index j = 0; j < n; ++j)
        out[j] = detail::binary_scalar(op, a[j * sa], b[j * sb]);
}

inline void unary_row(unary_f32 op, const float* a, float* out, index n, path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::ew_vector(which))
        return detail::unary_row_avx512(op, a, out, n);
#else
    (void)which;
#endif
    for (index j = 0; j < n; ++j)
        out[j] = detail::unary_scalar(op, a[j]);
}

// The canonical row sum (ops/reduce.hpp) of a contiguous FP32 row.
inline float row_sum(const float* p, index n, path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::ew_vector(which))
        return detail::row_sum_avx512(p, n);
#else
    (void)which;
#endif
    return ptoref::detail::canonical_row_sum(p, n);
}

// IEEE maximum (is_max) or minimum of a contiguous FP32 row, n >= 1.
inline float row_minmax(const float* p, index n, bool is_max, path which = active_path()) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (detail::ew_vector(which))
        return detail::row_minmax_avx512(p, n, is_max);
#else
    (void)which;
#endif
    float r = p[0];
    for (index j = 1; j < n; ++j)
        r = is_max ? detail::sc::maximum(r, p[j]) : detail::sc::minimum(r, p[j]);
    return r;
}

} // namespace ptoref::simd
