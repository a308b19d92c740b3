// The machine's arithmetic peak, measured in the running process: fp32 FMA (AVX2 ymm, AVX-512
// zmm) and AVX-512-BF16 VDPBF16PS loops with enough independent accumulators to hide latency.
// Shared by the benchmarks, so every GFLOP/s figure is reported next to a peak from the same run.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ptoref_bench {

using clock_type = std::chrono::steady_clock;
inline constexpr int chains = 12; // independent accumulators: more than FMA latency x throughput

#if defined(__x86_64__)
__attribute__((target("avx512f"))) inline float zmm_fma_loop(long iters)
{
    __m512 acc[chains];
    for (int i = 0; i < chains; ++i)
        acc[i] = _mm512_set1_ps(static_cast<float>(i));
    const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-3f);
    for (long n = 0; n < iters; ++n)
#pragma GCC unroll 12
        for (int i = 0; i < chains; ++i)
            acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    __m512 s = acc[0];
    for (int i = 1; i < chains; ++i)
        s = _mm512_add_ps(s, acc[i]);
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0];
}

__attribute__((target("avx2,fma"))) inline float ymm_fma_loop(long iters)
{
    __m256 acc[chains];
    for (int i = 0; i < chains; ++i)
        acc[i] = _mm256_set1_ps(static_cast<float>(i));
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-3f);
    for (long n = 0; n < iters; ++n)
#pragma GCC unroll 12
        for (int i = 0; i < chains; ++i)
            acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    __m256 s = acc[0];
    for (int i = 1; i < chains; ++i)
        s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

__attribute__((target("avx512f,avx512bf16"))) inline float bf16_dot_loop(long iters)
{
    __m512 acc[chains];
    for (int i = 0; i < chains; ++i)
        acc[i] = _mm512_set1_ps(0.0f);
    const __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80), b = (__m512bh)_mm512_set1_epi32(0x3a803a80);
    for (long n = 0; n < iters; ++n)
#pragma GCC unroll 12
        for (int i = 0; i < chains; ++i)
            acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    __m512 s = acc[0];
    for (int i = 1; i < chains; ++i)
        s = _mm512_add_ps(s, acc[i]);
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0];
}
#endif

// Best of 3 GFLOP/s of `loop` (flops_per_iter per iteration) on `threads` threads.
template <class Loop>
inline double gflops(Loop loop, double flops_per_iter, int threads)
{
    const long iters = 20'000'000;
    double best = 0;
    for (int rep = 0; rep < 3; ++rep) {
        std::vector<float> sink(static_cast<std::size_t>(threads));
        std::vector<std::thread> pool;
        const auto t0 = clock_type::now();
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] { sink[static_cast<std::size_t>(t)] = loop(iters); });
        for (auto& th : pool)
            th.join();
        const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
        best = std::max(best, flops_per_iter * static_cast<double>(iters) * threads / s / 1e9);
        if (sink[0] == 12345.0f)
            std::printf(" "); // keeps the results observable
    }
    return best;
}

} // namespace ptoref_bench
