// The row-wise pieces of the fused attention kernel, each with its scalar definition (the ops'
// own per-element functions, in the op-by-op program's order) and an AVX-512 path that gives the
// same bits:
//   rope_row:         lo = x_lo*cos_lo - x_hi*sin_lo, hi = x_hi*cos_hi + x_lo*sin_hi -> bf16;
//   cast_row:         fp32 -> bf16 (ties away);
//   softmax_tile_row: scores row -> fillpad(-inf) -> * scale -> row_max -> exp(x - max) -> bf16
//                     (ties away) -> widened weights, swapped bf16 pairs, canonical row sum;
//   merge_row:        o = o * alpha + o_tmp * beta (each product rounded, then the sum);
//   finish_row:       bf16(o / l).
// Bit identity of the vector code rests on: IEEE mul/sub/add/div are the same operation in a lane
// as in a scalar register; NaN results are canonicalised (any NaN -> 0x7FC00000) exactly where
// the scalar code produces a NaN; products are kept from contracting into FMAs by a register
// barrier (GCC treats intrinsics as plain vector arithmetic and may contract them); maximum's
// signed-zero and NaN rules are applied explicitly; exp is the correctly rounded exp_cr, whose
// bits do not depend on how it is evaluated.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include "ptoref/core/convert.hpp"
#include "ptoref/core/float16.hpp"
#include "ptoref/ops/reduce.hpp"
#include "ptoref/ops/scalar.hpp"
#include "ptoref/simd/exp_f32.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/gemm_bf16.hpp"

namespace ptoref::kernels::detail {

namespace scalar = ptoref::detail::scalar;

inline constexpr index softmax_tile = 64; // keys per tile (SEQ_TILE)

// Keeps the compiler from fusing a product into a following add/sub (-ffp-contract=fast would
// otherwise be free to, and the op-by-op program rounds the product first).
inline float rounded(float x) noexcept
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    asm("" : "+x"(x));
#elif defined(__GNUC__) && defined(__aarch64__)
    asm("" : "+w"(x));
#else
    volatile float v = x;
    x = v;
#endif
    return x;
}

inline float mul_r(float a, float b) noexcept
{
    return rounded(scalar::mul(a, b));
}

// pl.cast(x, BF16) with the default mode (round: ties away from zero).
inline bf16 to_bf16(float x) noexcept
{
    return convert<bf16>(x, cast_mode::round);
}

// ---- scalar definitions -------------------------------------------------------------------

inline void rope_row_scalar(const float* x, const float* cos, const float* sin, index half, bf16* out) noexcept
{
    for (index j = 0; j < half; ++j) {
        const float lo = scalar::sub(mul_r(x[j], cos[j]), mul_r(x[half + j], sin[j]));
        const float hi = scalar::add(mul_r(x[half + j], cos[half + j]), mul_r(x[j], sin[half + j]));
        out[j] = to_bf16(lo);
        out[half + j] = to_bf16(hi);
    }
}

inline void cast_row_scalar(const float* x, bf16* out, index n) noexcept
{
    for (index d = 0; d < n; ++d)
        out[d] = to_bf16(x[d]);
}

// One 64-key row with `valid` keys. Writes the widened bf16 weights p[64], the swapped pairs
// pairs[32], cur_mi and cur_li; returns whether every weight is in VDPBF16PS's exact range.
inline bool softmax_tile_row_scalar(const float* raw, index valid, float scale, float* p, std::uint32_t* pairs,
                                    float& cur_mi, float& cur_li) noexcept
{
    constexpr index T = softmax_tile;
    const float neg_inf = -std::numeric_limits<float>::infinity();
    float s[T];
    for (index j = 0; j < T; ++j)
        s[j] = mul_r(j < valid ? scalar::canon(raw[j]) : neg_inf, scale);
    float mx = s[0];
    for (index j = 1; j < T; ++j)
        mx = scalar::maximum(mx, s[j]);
    bool ok = true;
    bf16 w[T];
    for (index j = 0; j < T; ++j) {
        w[j] = to_bf16(scalar::exp(scalar::sub(s[j], mx)));
        p[j] = w[j].to_float();
        ok = ok && simd::bf16_in_dot_range(w[j].bits);
    }
    for (index j = 0; j < T; j += 2)
        pairs[j / 2] = simd::bf16_swapped_pair(w[j], w[j + 1]);
    cur_mi = mx;
    cur_li = ptoref::detail::canonical_row_sum(p, T);
    return ok;
}

// bf16(exp(x)) with the default cast, as the softmax computes its weights.
inline bf16 exp_bf16_scalar(float x) noexcept
{
    return to_bf16(scalar::exp(x));
}

inline void merge_row_scalar(float* o, const float* o_tmp, float alpha, float beta, index n) noexcept
{
    for (index d = 0; d < n; ++d)
        o[d] = scalar::add(mul_r(o[d], alpha), mul_r(scalar::canon(o_tmp[d]), beta));
}

inline void finish_row_scalar(const float* o, float l, bf16* out, index n) noexcept
{
    for (index d = 0; d < n; ++d)
        out[d] = to_bf16(scalar::div(o[d], l));
}

// ---- AVX-512 ------------------------------------------------------------------------------
#ifdef PTOREF_X86_KERNELS
PTOREF_AVX512_WARNINGS_OFF
#define PTOREF_SOFTMAX_TARGET __attribute__((target("avx512f")))

PTOREF_SOFTMAX_TARGET inline __m512 barrier512(__m512 x) noexcept
{
    asm("" : "+v"(x));
    return x;
}

PTOREF_SOFTMAX_TARGET inline __m512 canon512(__m512 x) noexcept
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x,
                                _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}

// bf16 bits (ties away, NaN -> 0x7FC0) of 16 floats, in the low half of each 32-bit lane.
PTOREF_SOFTMAX_TARGET inline __m512i bf16_round_bits512(__m512 x) noexcept
{
    const __m512i u = _mm512_castps_si512(x);
    const __m512i mag = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
    const __m512i sign = _mm512_srli_epi32(_mm512_andnot_si512(_mm512_set1_epi32(0x7fffffff), u), 16);
    const __m512i r = _mm512_or_si512(sign, _mm512_srli_epi32(_mm512_add_epi32(mag, _mm512_set1_epi32(0x8000)), 16));
    const __mmask16 nan = _mm512_cmpgt_epi32_mask(mag, _mm512_set1_epi32(0x7f800000));
    return _mm512_mask_blend_epi32(nan, r, _mm512_set1_epi32(0x7fc0));
}

// Stores 16 bf16 bit patterns held in the low halves of 32-bit lanes.
PTOREF_SOFTMAX_TARGET inline void store_bf16x16(bf16* out, __m512i b) noexcept
{
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_cvtepi32_epi16(b));
}

PTOREF_SOFTMAX_TARGET inline void rope_row_avx512(const float* x, const float* cos, const float* sin, index half,
                                                  bf16* out) noexcept
{
    index j = 0;
    for (; j + 16 <= half; j += 16) {
        const __m512 xl = _mm512_loadu_ps(x + j), xh = _mm512_loadu_ps(x + half + j);
        const __m512 a = barrier512(_mm512_mul_ps(xl, _mm512_loadu_ps(cos + j)));
        const __m512 b = barrier512(_mm512_mul_ps(xh, _mm512_loadu_ps(sin + j)));
        const __m512 c = barrier512(_mm512_mul_ps(xh, _mm512_loadu_ps(cos + half + j)));
        const __m512 d = barrier512(_mm512_mul_ps(xl, _mm512_loadu_ps(sin + half + j)));
        // Any NaN becomes bf16 0x7FC0 in the cast, as the canonical NaN of the scalar ops does.
        store_bf16x16(out + j, bf16_round_bits512(_mm512_sub_ps(a, b)));
        store_bf16x16(out + half + j, bf16_round_bits512(_mm512_add_ps(c, d)));
    }
    if (j < half) { // the columns no full vector covers
        for (; j < half; ++j) {
            const float lo = scalar::sub(mul_r(x[j], cos[j]), mul_r(x[half + j], sin[j]));
            const float hi = scalar::add(mul_r(x[half + j], cos[half + j]), mul_r(x[j], sin[half + j]));
            out[j] = to_bf16(lo);
            out[half + j] = to_bf16(hi);
        }
    }
}

PTOREF_SOFTMAX_TARGET inline void cast_row_avx512(const float* x, bf16* out, index n) noexcept
{
    index d = 0;
    for (; d + 16 <= n; d += 16)
        store_bf16x16(out + d, bf16_round_bits512(_mm512_loadu_ps(x + d)));
    cast_row_scalar(x + d, out + d, n - d);
}

// bf16 bits (ties away) of exp_cr(x), 16 lanes, without computing exp_cr itself: the weights of
// the softmax are only ever used as bf16. A float evaluation y of e^x (Cody-Waite reduction by
// ln2, degree-6 Taylor polynomial, exact scaling; relative error < 2^-20 for -86 <= x <= 0) and
// the interval y(1 -+ 2^-17) that contains e^x: float rounding and then bf16 rounding are both
// monotonic, so when both ends give the same bf16, e^x — and exp_cr(x), the float nearest to
// it — gives it too. x < -104 (padding's -inf) gives +0 as exp_cr does. Other lanes (about 1
// in 500 near a bf16 midpoint, x in [-104, -86) or > 0, NaN) take the definition, bf16(exp_cr(x)). Checked against the
// definition on all 2^32 inputs.
PTOREF_SOFTMAX_TARGET inline __m512i exp_bf16_bits512(__m512 x) noexcept
{
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(0x1.715476p+0f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0x1.62e400p-1f), x); // n * ln2_hi is exact
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0x1.7f7d1cp-20f), r);
    __m512 p = _mm512_set1_ps(0x1.6c16c2p-10f);                // 1/720
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.111112p-7f)); // 1/120
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.555556p-5f)); // 1/24
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0x1.555556p-3f)); // 1/6
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    const __m512 y = _mm512_mul_ps(p, _mm512_castsi512_ps(e));
    const __m512i lo = _mm512_castps_si512(_mm512_mul_ps(y, _mm512_set1_ps(1.0f - 0x1p-17f)));
    const __m512i hi = _mm512_castps_si512(_mm512_mul_ps(y, _mm512_set1_ps(1.0f + 0x1p-17f)));
    const __m512i half = _mm512_set1_epi32(0x8000);
    __m512i b_lo = _mm512_srli_epi32(_mm512_add_epi32(lo, half), 16); // positive, finite
    const __m512i b_hi = _mm512_srli_epi32(_mm512_add_epi32(hi, half), 16);
    // x < -104 (the padding's -inf among them): exp_cr is +0, as its own range test says.
    const __mmask16 zero = _mm512_cmp_ps_mask(x, _mm512_set1_ps(ptoref::math::detail::exp_min_x), _CMP_LT_OQ);
    const __mmask16 ok =
        (_mm512_cmpeq_epi32_mask(b_lo, b_hi) & _mm512_cmp_ps_mask(x, _mm512_set1_ps(-86.0f), _CMP_GE_OQ) &
         _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LE_OQ)) |
        zero;
    b_lo = _mm512_maskz_mov_epi32(static_cast<__mmask16>(~zero), b_lo);
    if (ok == 0xffff) [[likely]]
        return b_lo;
    alignas(64) float xs[16];
    alignas(64) std::uint32_t bs[16];
    _mm512_store_ps(xs, x);
    _mm512_store_si512(bs, b_lo);
    for (int l = 0; l < 16; ++l)
        if (!((ok >> l) & 1))
            bs[l] = to_bf16(scalar::exp(xs[l])).bits;
    return _mm512_load_si512(bs);
}

// Whole groups of 16; returns how many elements were done.
PTOREF_SOFTMAX_TARGET inline index exp_bf16_row_avx512(const float* in, bf16* out, index n) noexcept
{
    index i = 0;
    for (; i + 16 <= n; i += 16)
        store_bf16x16(out + i, exp_bf16_bits512(_mm512_loadu_ps(in + i)));
    return i;
}

PTOREF_SOFTMAX_TARGET inline bool softmax_tile_row_avx512(const float* raw, index valid, float scale, float* p,
                                                          std::uint32_t* pairs, float& cur_mi, float& cur_li) noexcept
{
    constexpr int V = softmax_tile / 16;
    const __m512 neg_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    const __m512 vscale = _mm512_set1_ps(scale);
    __m512 s[V];
    __mmask16 any_nan = 0;
    for (int v = 0; v < V; ++v) {
        const index left = valid - 16 * v;
        const __mmask16 live = left >= 16 ? __mmask16(0xffff) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
        // A NaN score needs no canonicalising here: it makes the row's max NaN, and every
        // x - max below is canonicalised before the exp.
        const __m512 r = _mm512_mask_blend_ps(live, neg_inf, _mm512_loadu_ps(raw + 16 * v));
        s[v] = barrier512(_mm512_mul_ps(r, vscale));
        any_nan |= _mm512_cmp_ps_mask(s[v], s[v], _CMP_UNORD_Q);
    }
    float mx;
    if (any_nan) {
        mx = scalar::canonical_nan;
    } else {
        mx = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(s[0], s[1]), _mm512_max_ps(s[2], s[3])));
        if (mx == 0.0f) { // IEEE maximum: +0 if any +0, else -0
            __mmask16 pos_zero = 0;
            for (int v = 0; v < V; ++v)
                pos_zero |= _mm512_cmpeq_epi32_mask(_mm512_castps_si512(s[v]), _mm512_setzero_si512());
            mx = pos_zero ? 0.0f : -0.0f;
        }
    }
    const __m512 vmx = _mm512_set1_ps(mx);
    __m512 lanes = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(0x80000000u))); // -0
    __mmask16 bad = 0;
    for (int v = 0; v < V; ++v) {
        const __m512i b = exp_bf16_bits512(canon512(_mm512_sub_ps(s[v], vmx)));
        const __m512 w = _mm512_castsi512_ps(_mm512_slli_epi32(b, 16));
        _mm512_storeu_ps(p + 16 * v, w);
        lanes = _mm512_add_ps(lanes, w); // a NaN stays a NaN to the end, canonicalised there
        // Out of VDPBF16PS's exact range: nonzero and not in [0x2600, 0x5780] (one unsigned compare).
        const __m512i mag = _mm512_and_si512(b, _mm512_set1_epi32(0x7fff));
        bad |= _mm512_test_epi32_mask(mag, mag) &
               _mm512_cmpgt_epu32_mask(_mm512_sub_epi32(mag, _mm512_set1_epi32(0x2600)), _mm512_set1_epi32(0x3180));
        // pairs: (w[2i] << 16) | w[2i+1] per 64-bit lane, narrowed to 32 bits.
        const __m512i pr = _mm512_or_si512(_mm512_slli_epi64(_mm512_and_si512(b, _mm512_set1_epi64(0xffff)), 16),
                                           _mm512_srli_epi64(b, 32));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(pairs + 8 * v), _mm512_cvtepi64_epi32(pr));
    }
    // The fixed tree over the 16 lanes, as canonical_row_sum ends: lane l += lane l + w for
    // w = 8, 4, 2, 1, each step one vector add of two halves (a NaN stays a NaN; canonical below).
    const __m256 h8 = _mm256_add_ps(_mm512_castps512_ps256(lanes),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(lanes), 1)));
    const __m128 h4 = _mm_add_ps(_mm256_castps256_ps128(h8), _mm256_extractf128_ps(h8, 1));
    const __m128 h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));
    const __m128 h1 = _mm_add_ss(h2, _mm_shuffle_ps(h2, h2, 1));
    cur_mi = mx;
    cur_li = scalar::canon(_mm_cvtss_f32(h1));
    return bad == 0;
}

PTOREF_SOFTMAX_TARGET inline void merge_row_avx512(float* o, const float* o_tmp, float alpha, float beta,
                                                   index n) noexcept
{
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    index d = 0;
    for (; d + 16 <= n; d += 16) {
        const __m512 x = barrier512(_mm512_mul_ps(_mm512_loadu_ps(o + d), va));
        const __m512 y = barrier512(_mm512_mul_ps(_mm512_loadu_ps(o_tmp + d), vb));
        _mm512_storeu_ps(o + d, canon512(_mm512_add_ps(x, y))); // a NaN anywhere ends as the canonical one
    }
    merge_row_scalar(o + d, o_tmp + d, alpha, beta, n - d);
}

PTOREF_SOFTMAX_TARGET inline void finish_row_avx512(const float* o, float l, bf16* out, index n) noexcept
{
    const __m512 vl = _mm512_set1_ps(l);
    index d = 0;
    for (; d + 16 <= n; d += 16) {
        store_bf16x16(out + d, bf16_round_bits512(_mm512_div_ps(_mm512_loadu_ps(o + d), vl)));
    }
    finish_row_scalar(o + d, l, out + d, n - d);
}
#undef PTOREF_SOFTMAX_TARGET
PTOREF_AVX512_WARNINGS_ON
#endif

// ---- dispatch -----------------------------------------------------------------------------

// out[i] = exp_bf16_scalar(in[i]); the vector path computes whole groups of 16.
inline void exp_bf16_row(const float* in, bf16* out, index n, bool vector) noexcept
{
    index i = 0;
#ifdef PTOREF_X86_KERNELS
    if (vector)
        i = exp_bf16_row_avx512(in, out, n);
#endif
    (void)vector;
    for (; i < n; ++i)
        out[i] = exp_bf16_scalar(in[i]);
}

inline void rope_row(const float* x, const float* cos, const float* sin, index half, bf16* out, bool vector) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (vector)
        return rope_row_avx512(x, cos, sin, half, out);
#endif
    (void)vector;
    rope_row_scalar(x, cos, sin, half, out);
}

inline void cast_row(const float* x, bf16* out, index n, bool vector) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (vector)
        return cast_row_avx512(x, out, n);
#endif
    (void)vector;
    cast_row_scalar(x, out, n);
}

inline bool softmax_tile_row(const float* raw, index valid, float scale, float* p, std::uint32_t* pairs, float& cur_mi,
                             float& cur_li, bool vector) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (vector)
        return softmax_tile_row_avx512(raw, valid, scale, p, pairs, cur_mi, cur_li);
#endif
    (void)vector;
    return softmax_tile_row_scalar(raw, valid, scale, p, pairs, cur_mi, cur_li);
}

inline void merge_row(float* o, const float* o_tmp, float alpha, float beta, index n, bool vector) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (vector)
        return merge_row_avx512(o, o_tmp, alpha, beta, n);
#endif
    (void)vector;
    merge_row_scalar(o, o_tmp, alpha, beta, n);
}

inline void finish_row(const float* o, float l, bf16* out, index n, bool vector) noexcept
{
#ifdef PTOREF_X86_KERNELS
    if (vector)
        return finish_row_avx512(o, l, out, n);
#endif
    (void)vector;
    finish_row_scalar(o, l, out, n);
}

} // namespace ptoref::kernels::detail
