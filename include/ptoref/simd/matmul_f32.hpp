// The fp32 matmul accumulation kernel: acc[i, j] = fma(a[i, k], b[k, j], acc[i, j]) for k
// ascending — the canonical matmul order — vectorised across j. Each SIMD lane runs exactly
// the scalar chain of its output element with a hardware FMA (one rounding), so every path
// gives the same bits as the scalar definition; only the number of outputs per instruction
// changes. (xsimd 8.1's fma is not a fused operation on AVX-512, hence intrinsics.)
#pragma once

#include <cmath>
#include <cstddef>

#include "ptoref/core/shape.hpp"
#include "ptoref/simd/features.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PTOREF_X86_KERNELS 1
#endif

namespace ptoref::simd {

// a: element (i, k) at a[i * a_si + k * a_sk]; b: dense row-major [k_len, n]; acc: dense [m, n].
struct matmul_f32_args {
    const float* a;
    index a_si, a_sk;
    const float* b;
    index m, n, k;
    float* acc;
};

namespace detail {

inline void matmul_f32_scalar(const matmul_f32_args& p, index j0) noexcept
{
    for (index i = 0; i < p.m; ++i)
        for (index j = j0; j < p.n; ++j) {
            float s = p.acc[i * p.n + j];
            for (index k = 0; k < p.k; ++k)
                s = std::fma(p.a[i * p.a_si + k * p.a_sk], p.b[k * p.n + j], s);
            p.acc[i * p.n + j] = s;
        }
}

#ifdef PTOREF_X86_KERNELS
// Columns [0, n - n % 8) with 8-lane FMAs, four registers at a time where possible.
__attribute__((target("avx2,fma"))) inline index matmul_f32_avx2(const matmul_f32_args& p) noexcept
{
    const index n8 = p.n - p.n % 8;
    for (index i = 0; i < p.m; ++i) {
        float* c = p.acc + i * p.n;
        const float* ai = p.a + i * p.a_si;
        index j = 0;
        for (; j + 32 <= n8; j += 32) {
            __m256 c0 = _mm256_loadu_ps(c + j), c1 = _mm256_loadu_ps(c + j + 8), c2 = _mm256_loadu_ps(c + j + 16),
                   c3 = _mm256_loadu_ps(c + j + 24);
            for (index k = 0; k < p.k; ++k) {
                const __m256 av = _mm256_set1_ps(ai[k * p.a_sk]);
                const float* bk = p.b + k * p.n + j;
                c0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bk), c0);
                c1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bk + 8), c1);
                c2 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bk + 16), c2);
                c3 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bk + 24), c3);
            }
            _mm256_storeu_ps(c + j, c0);
            _mm256_storeu_ps(c + j + 8, c1);
            _mm256_storeu_ps(c + j + 16, c2);
            _mm256_storeu_ps(c + j + 24, c3);
        }
        for (; j < n8; j += 8) {
            __m256 c0 = _mm256_loadu_ps(c + j);
            for (index k = 0; k < p.k; ++k)
                c0 = _mm256_fmadd_ps(_mm256_set1_ps(ai[k * p.a_sk]), _mm256_loadu_ps(p.b + k * p.n + j), c0);
            _mm256_storeu_ps(c + j, c0);
        }
    }
    return n8;
}

// Columns [0, n - n % 16) with 16-lane FMAs, four registers at a time where possible.
__attribute__((target("avx512f"))) inline index matmul_f32_avx512(const matmul_f32_args& p) noexcept
{
    const index n16 = p.n - p.n % 16;
    for (index i = 0; i < p.m; ++i) {
        float* c = p.acc + i * p.n;
        const float* ai = p.a + i * p.a_si;
        index j = 0;
        for (; j + 64 <= n16; j += 64) {
            __m512 c0 = _mm512_loadu_ps(c + j), c1 = _mm512_loadu_ps(c + j + 16), c2 = _mm512_loadu_ps(c + j + 32),
                   c3 = _mm512_loadu_ps(c + j + 48);
            for (index k = 0; k < p.k; ++k) {
                const __m512 av = _mm512_set1_ps(ai[k * p.a_sk]);
                const float* bk = p.b + k * p.n + j;
                c0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk), c0);
                c1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk + 16), c1);
                c2 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk + 32), c2);
                c3 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk + 48), c3);
            }
            _mm512_storeu_ps(c + j, c0);
            _mm512_storeu_ps(c + j + 16, c1);
            _mm512_storeu_ps(c + j + 32, c2);
            _mm512_storeu_ps(c + j + 48, c3);
        }
        for (; j < n16; j += 16) {
            __m512 c0 = _mm512_loadu_ps(c + j);
            for (index k = 0; k < p.k; ++k)
                c0 = _mm512_fmadd_ps(_mm512_set1_ps(ai[k * p.a_sk]), _mm512_loadu_ps(p.b + k * p.n + j), c0);
            _mm512_storeu_ps(c + j, c0);
        }
    }
    return n16;
}
#endif

} // namespace detail

// Runs the kernel on the active path (or the given one); the bits never depend on which.
inline void matmul_f32_accumulate(const matmul_f32_args& p, path which = active_path()) noexcept
{
    index done = 0;
#ifdef PTOREF_X86_KERNELS
    if (which == path::avx512 || which == path::avx512bf16)
        done = detail::matmul_f32_avx512(p);
    else if (which == path::avx2)
        done = detail::matmul_f32_avx2(p);
#else
    (void)which;
#endif
    detail::matmul_f32_scalar(p, done); // the columns no full vector covers
}

} // namespace ptoref::simd
