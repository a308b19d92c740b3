// A register-blocked fp32 GEMM accumulation kernel for the fused kernels:
//   c[i][j] = fma(a[i][k], b[k][j], c[i][j]) for k ascending,
// the canonical matmul chain of docs/semantics.md. Blocking changes which outputs share an
// instruction, never an output's chain: every output is one lane running its own k-ascending
// sequence of hardware FMAs (one rounding each), so every path gives the scalar loop's bits.
// Compared with simd/matmul_f32.hpp (one row at a time, load-bound), four rows share each load
// of b, which makes the inner loop FMA-bound. NaN payloads are left unspecified (which NaN operand
// an FMA returns depends on the instruction form a compiler picks); callers canonicalise NaNs.
#pragma once

#include <cmath>
#include <cstddef>

#include "ptoref/core/shape.hpp"
#include "ptoref/simd/features.hpp"
#include "ptoref/simd/matmul_f32.hpp" // PTOREF_X86_KERNELS, <immintrin.h>

namespace ptoref::simd {

// Row-major operands with leading dimensions: a is m x k, b is k x n, c is m x n.
struct gemm_f32_args {
    const float* a;
    index lda;
    const float* b;
    index ldb;
    float* c;
    index ldc;
    index m, n, k;
    bool overwrite = false; // true: c = a @ b, every chain starting at +0 (c is not read)
};

namespace detail {

// Outputs [i0, m) x [0, n) and [0, i0) x [j0, n): what the vector blocks left over.
inline void gemm_f32_scalar_rest(const gemm_f32_args& p, index i0, index j0) noexcept
{
    for (index i = 0; i < p.m; ++i)
        for (index j = i < i0 ? j0 : 0; j < p.n; ++j) {
            float s = p.overwrite ? 0.0f : p.c[i * p.ldc + j];
            for (index kk = 0; kk < p.k; ++kk)
                s = std::fma(p.a[i * p.lda + kk], p.b[kk * p.ldb + j], s);
            p.c[i * p.ldc + j] = s;
        }
}

#ifdef PTOREF_X86_KERNELS
// One block of R rows x (V vectors of W lanes); the accumulators live in registers for all of k.
// Returns the number of rows covered (a multiple of R) and sets j_done to the columns covered.
template <int R, int V>
__attribute__((target("avx512f"), always_inline)) inline void gemm_block_avx512(const gemm_f32_args& p, index i,
                                                                                index j) noexcept
{
    __m512 acc[R][V];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
            acc[r][v] = p.overwrite ? _mm512_setzero_ps() : _mm512_loadu_ps(p.c + (i + r) * p.ldc + j + 16 * v);
    for (index kk = 0; kk < p.k; ++kk) {
        __m512 bv[V];
        for (int v = 0; v < V; ++v)
            bv[v] = _mm512_loadu_ps(p.b + kk * p.ldb + j + 16 * v);
        for (int r = 0; r < R; ++r) {
            const __m512 av = _mm512_set1_ps(p.a[(i + r) * p.lda + kk]);
            for (int v = 0; v < V; ++v)
                acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
            _mm512_storeu_ps(p.c + (i + r) * p.ldc + j + 16 * v, acc[r][v]);
}

__attribute__((target("avx512f"))) inline void gemm_f32_avx512(const gemm_f32_args& p, index& i_done,
                                                               index& j_done) noexcept
{
    const index n16 = p.n - p.n % 16;
    index i = 0;
    for (; i + 4 <= p.m; i += 4) {
        index j = 0;
        for (; j + 64 <= n16; j += 64)
            gemm_block_avx512<4, 4>(p, i, j);
        for (; j < n16; j += 16)
            gemm_block_avx512<4, 1>(p, i, j);
    }
    for (; i < p.m; ++i) {
        index j = 0;
        for (; j + 64 <= n16; j += 64)
            gemm_block_avx512<1, 4>(p, i, j);
        for (; j < n16; j += 16)
            gemm_block_avx512<1, 1>(p, i, j);
    }
    i_done = p.m;
    j_done = n16;
}

template <int R, int V>
__attribute__((target("avx2,fma"), always_inline)) inline void gemm_block_avx2(const gemm_f32_args& p, index i,
                                                                               index j) noexcept
{
    __m256 acc[R][V];
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
            acc[r][v] = p.overwrite ? _mm256_setzero_ps() : _mm256_loadu_ps(p.c + (i + r) * p.ldc + j + 8 * v);
    for (index kk = 0; kk < p.k; ++kk) {
        __m256 bv[V];
        for (int v = 0; v < V; ++v)
            bv[v] = _mm256_loadu_ps(p.b + kk * p.ldb + j + 8 * v);
        for (int r = 0; r < R; ++r) {
            const __m256 av = _mm256_set1_ps(p.a[(i + r) * p.lda + kk]);
            for (int v = 0; v < V; ++v)
                acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int v = 0; v < V; ++v)
            _mm256_storeu_ps(p.c + (i + r) * p.ldc + j + 8 * v, acc[r][v]);
}

__attribute__((target("avx2,fma"))) inline void gemm_f32_avx2(const gemm_f32_args& p, index& i_done,
                                                              index& j_done) noexcept
{
    const index n8 = p.n - p.n % 8;
    index i = 0;
    for (; i + 4 <= p.m; i += 4) {
        index j = 0;
        for (; j + 24 <= n8; j += 24)
            gemm_block_avx2<4, 3>(p, i, j);
        for (; j < n8; j += 8)
            gemm_block_avx2<4, 1>(p, i, j);
    }
    for (; i < p.m; ++i) {
        index j = 0;
        for (; j + 24 <= n8; j += 24)
            gemm_block_avx2<1, 3>(p, i, j);
        for (; j < n8; j += 8)
            gemm_block_avx2<1, 1>(p, i, j);
    }
    i_done = p.m;
    j_done = n8;
}
#endif

} // namespace detail

// Runs on the active path (or the given one); the bits never depend on which.
inline void gemm_f32_accumulate(const gemm_f32_args& p, path which = active_path()) noexcept
{
    if (p.m <= 0 || p.n <= 0)
        return;
    index i_done = 0, j_done = 0;
#ifdef PTOREF_X86_KERNELS
    if (which == path::avx512 || which == path::avx512bf16)
        detail::gemm_f32_avx512(p, i_done, j_done);
    else if (which == path::avx2)
        detail::gemm_f32_avx2(p, i_done, j_done);
#else
    (void)which;
#endif
    detail::gemm_f32_scalar_rest(p, i_done, j_done);
}

} // namespace ptoref::simd
