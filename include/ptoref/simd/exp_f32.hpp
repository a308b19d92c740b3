// exp_cr over arrays of floats, vectorised, with the bits of math::exp_cr on every input.
//
// Why the bits cannot differ: exp_cr is correctly rounded, so any evaluation that decides the
// rounding correctly returns the same float. Each lane runs math::exp.hpp's fast method (x*64/ln2
// reduction, 2^(j/64) table, degree-5 polynomial) in double with explicit FMAs; that evaluation
// is inside the bound exp_fast proves (< 2^-51 relative, with or without FMAs), so the same
// rounding test (both ends of y +- 2^-48|y| round to one float) certifies the lane. Lanes that
// fail the test (54 of the 2^32 inputs), and inputs outside [-104, 0x1.62e42ep6] or NaN, are
// recomputed by the scalar math::exp_cr. The exhaustive test compares all 2^32 inputs per path.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "ptoref/math/exp.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/matmul_f32.hpp" // PTOREF_X86_KERNELS, <immintrin.h>

namespace ptoref::simd {

namespace detail {

// ((k >> 6) + 1023) << 52 with logical shifts only (AVX2 has no 64-bit arithmetic shift):
// k >= -151 * 64, so k + 1023 * 64 is never negative.
inline constexpr std::int64_t exp_scale_bias = 1023 * 64;

#ifdef PTOREF_X86_KERNELS
PTOREF_AVX512_WARNINGS_OFF

// 8 lanes: returns the certified floats, and in `ok` the lanes that are certified.
__attribute__((target("avx512f"))) inline __m256 exp8_avx512(__m256 x, __mmask8& ok) noexcept
{
    namespace m = ptoref::math::detail;
    const __m512d x_wide = _mm512_cvtps_pd(x); // exact; NaN stays NaN and fails both compares
    const __mmask8 in_range = _mm512_cmp_pd_mask(x_wide, _mm512_set1_pd(m::exp_min_x), _CMP_GE_OQ) &
                              _mm512_cmp_pd_mask(x_wide, _mm512_set1_pd(m::exp_max_x), _CMP_LE_OQ);
    const __m512d xd = _mm512_maskz_mov_pd(in_range, x_wide); // out-of-range lanes compute e^0
    const __m512d shift = _mm512_set1_pd(m::exp_shift);
    const __m512d z = _mm512_mul_pd(xd, _mm512_set1_pd(m::exp_c_hi)); // exact
    const __m512d t = _mm512_add_pd(z, shift);
    const __m512i k = _mm512_sub_epi64(_mm512_castpd_si512(t), _mm512_castpd_si512(shift));
    const __m512d rh = _mm512_sub_pd(z, _mm512_sub_pd(t, shift)); // exact
    const __m512d r = _mm512_fmadd_pd(xd, _mm512_set1_pd(m::exp_c_lo), rh);
    __m512d q = _mm512_fmadd_pd(r, _mm512_set1_pd(m::exp_poly[4]), _mm512_set1_pd(m::exp_poly[3]));
    q = _mm512_fmadd_pd(r, q, _mm512_set1_pd(m::exp_poly[2]));
    q = _mm512_fmadd_pd(r, q, _mm512_set1_pd(m::exp_poly[1]));
    q = _mm512_fmadd_pd(r, q, _mm512_set1_pd(m::exp_poly[0]));
    const __m512d p = _mm512_fmadd_pd(r, q, _mm512_set1_pd(1.0));
    // exp2_hi[k & 63] from registers: four 16-entry two-source permutes (index bits 0-3), then
    // bits 4 and 5 pick among them. Faster than a gather, same values.
    const __m512i j = _mm512_and_si512(k, _mm512_set1_epi64(63));
    const __m512d q0 = _mm512_permutex2var_pd(_mm512_loadu_pd(m::exp2_hi), j, _mm512_loadu_pd(m::exp2_hi + 8));
    const __m512d q1 = _mm512_permutex2var_pd(_mm512_loadu_pd(m::exp2_hi + 16), j, _mm512_loadu_pd(m::exp2_hi + 24));
    const __m512d q2 = _mm512_permutex2var_pd(_mm512_loadu_pd(m::exp2_hi + 32), j, _mm512_loadu_pd(m::exp2_hi + 40));
    const __m512d q3 = _mm512_permutex2var_pd(_mm512_loadu_pd(m::exp2_hi + 48), j, _mm512_loadu_pd(m::exp2_hi + 56));
    const __mmask8 b4 = _mm512_test_epi64_mask(j, _mm512_set1_epi64(16));
    const __mmask8 b5 = _mm512_test_epi64_mask(j, _mm512_set1_epi64(32));
    const __m512d hi = _mm512_mask_blend_pd(b5, _mm512_mask_blend_pd(b4, q0, q1), _mm512_mask_blend_pd(b4, q2, q3));
    const __m512d scale = _mm512_castsi512_pd(
        _mm512_slli_epi64(_mm512_srli_epi64(_mm512_add_epi64(k, _mm512_set1_epi64(exp_scale_bias)), 6), 52));
    const __m512d y = _mm512_mul_pd(_mm512_mul_pd(hi, scale), p);
    const __m512d e = _mm512_mul_pd(_mm512_abs_pd(y), _mm512_set1_pd(m::exp_eps));
    const __m256 lo = _mm512_cvtpd_ps(_mm512_sub_pd(y, e));
    const __m256 up = _mm512_cvtpd_ps(_mm512_add_pd(y, e));
    const __m256i same = _mm256_cmpeq_epi32(_mm256_castps_si256(lo), _mm256_castps_si256(up));
    ok = in_range & static_cast<__mmask8>(_mm256_movemask_ps(_mm256_castsi256_ps(same)));
    return lo;
}

__attribute__((target("avx512f"))) inline std::size_t exp_cr_avx512(const float* in, float* out, std::size_t n) noexcept
{
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(in + i);
        __mmask8 ok;
        const __m256 y = exp8_avx512(x, ok);
        if (ok != 0xff) [[unlikely]] { // from a copy of x: out may be in
            alignas(32) float xs[8], ys[8];
            _mm256_store_ps(xs, x);
            _mm256_store_ps(ys, y);
            for (int l = 0; l < 8; ++l)
                if (!((ok >> l) & 1))
                    ys[l] = math::exp_cr(xs[l]);
            _mm256_storeu_ps(out + i, _mm256_load_ps(ys));
        } else {
            _mm256_storeu_ps(out + i, y);
        }
    }
    return i;
}

// 4 lanes on AVX2: the same computation; returns a mask of certified lanes (bit per lane).
__attribute__((target("avx2,fma"))) inline __m128 exp4_avx2(__m128 x, int& ok) noexcept
{
    namespace m = ptoref::math::detail;
    const __m128 in_range = _mm_and_ps(_mm_cmp_ps(x, _mm_set1_ps(m::exp_min_x), _CMP_GE_OQ),
                                       _mm_cmp_ps(x, _mm_set1_ps(m::exp_max_x), _CMP_LE_OQ));
    const __m256d xd = _mm256_cvtps_pd(_mm_and_ps(x, in_range)); // out-of-range lanes compute e^0
    const __m256d shift = _mm256_set1_pd(m::exp_shift);
    const __m256d z = _mm256_mul_pd(xd, _mm256_set1_pd(m::exp_c_hi));
    const __m256d t = _mm256_add_pd(z, shift);
    const __m256i k = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_castpd_si256(shift));
    const __m256d rh = _mm256_sub_pd(z, _mm256_sub_pd(t, shift));
    const __m256d r = _mm256_fmadd_pd(xd, _mm256_set1_pd(m::exp_c_lo), rh);
    __m256d q = _mm256_fmadd_pd(r, _mm256_set1_pd(m::exp_poly[4]), _mm256_set1_pd(m::exp_poly[3]));
    q = _mm256_fmadd_pd(r, q, _mm256_set1_pd(m::exp_poly[2]));
    q = _mm256_fmadd_pd(r, q, _mm256_set1_pd(m::exp_poly[1]));
    q = _mm256_fmadd_pd(r, q, _mm256_set1_pd(m::exp_poly[0]));
    const __m256d p = _mm256_fmadd_pd(r, q, _mm256_set1_pd(1.0));
    const __m256d hi = _mm256_i64gather_pd(m::exp2_hi, _mm256_and_si256(k, _mm256_set1_epi64x(63)), 8);
    const __m256d scale = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_srli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(exp_scale_bias)), 6), 52));
    const __m256d y = _mm256_mul_pd(_mm256_mul_pd(hi, scale), p);
    const __m256d abs_y = _mm256_andnot_pd(_mm256_set1_pd(-0.0), y);
    const __m256d e = _mm256_mul_pd(abs_y, _mm256_set1_pd(m::exp_eps));
    const __m128 lo = _mm256_cvtpd_ps(_mm256_sub_pd(y, e));
    const __m128 up = _mm256_cvtpd_ps(_mm256_add_pd(y, e));
    const __m128 same = _mm_castsi128_ps(_mm_cmpeq_epi32(_mm_castps_si128(lo), _mm_castps_si128(up)));
    ok = _mm_movemask_ps(_mm_and_ps(same, in_range));
    return lo;
}

__attribute__((target("avx2,fma"))) inline std::size_t exp_cr_avx2(const float* in, float* out, std::size_t n) noexcept
{
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128 x = _mm_loadu_ps(in + i);
        int ok;
        const __m128 y = exp4_avx2(x, ok);
        if (ok != 0xf) [[unlikely]] { // from a copy of x: out may be in
            alignas(16) float xs[4], ys[4];
            _mm_store_ps(xs, x);
            _mm_store_ps(ys, y);
            for (int l = 0; l < 4; ++l)
                if (!((ok >> l) & 1))
                    ys[l] = math::exp_cr(xs[l]);
            _mm_storeu_ps(out + i, _mm_load_ps(ys));
        } else {
            _mm_storeu_ps(out + i, y);
        }
    }
    return i;
}

PTOREF_AVX512_WARNINGS_ON
#endif

} // namespace detail

// out[i] = math::exp_cr(in[i]) for i < n, on the active path (or the given one); in == out is
// allowed. The bits never depend on the path.
inline void exp_cr(const float* in, float* out, std::size_t n, path which = active_path()) noexcept
{
    std::size_t done = 0;
#ifdef PTOREF_X86_KERNELS
    if (which == path::avx512 || which == path::avx512bf16)
        done = detail::exp_cr_avx512(in, out, n);
    else if (which == path::avx2)
        done = detail::exp_cr_avx2(in, out, n);
#else
    (void)which;
#endif
    for (std::size_t i = done; i < n; ++i)
        out[i] = math::exp_cr(in[i]);
}

} // namespace ptoref::simd
