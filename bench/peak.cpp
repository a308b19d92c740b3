// The machine's arithmetic peak, measured: fp32 FMA (AVX2 ymm, AVX-512 zmm) and AVX-512-BF16
// VDPBF16PS, on one thread and on every hardware thread, next to the GFLOP/s of ptoref's fp32
// matmul kernel on an attention-shaped, cache-resident GEMM. One JSON object on stdout.
// (Zen 4 splits a zmm FMA in two halves; Zen 5 does not: the peak is a measurement, not a
// constant, so every performance claim reports it from the same run.)
#include <ptoref/simd/matmul_f32.hpp>

#include <string>

#include "peak.hpp"

namespace {

using namespace ptoref_bench;

double kernel_gflops(ptoref::simd::path p)
{
    const long m = 16, n = 512, k = 128; // a padded Q tile against 512 keys, head dim 128
    std::vector<float> a(static_cast<std::size_t>(m * k), 0.5f), b(static_cast<std::size_t>(k * n), 0.25f),
        c(static_cast<std::size_t>(m * n), 0.0f);
    const int reps = p == ptoref::simd::path::scalar ? 20 : 2000;
    double best = 0;
    for (int r = 0; r < 3; ++r) {
        const auto t0 = clock_type::now();
        for (int i = 0; i < reps; ++i)
            ptoref::simd::matmul_f32_accumulate({a.data(), k, 1, b.data(), m, n, k, c.data()}, p);
        const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
        best = std::max(best, 2.0 * m * n * k * reps / s / 1e9);
    }
    return best;
}

} // namespace

int main()
{
    namespace simd = ptoref::simd;
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string json = "{\"benchmark\": \"peak\", \"hardware_threads\": " + std::to_string(hw);
    auto field = [&](const std::string& name, double v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f", v);
        json += ", \"" + name + "\": " + buf;
    };
#if defined(__x86_64__)
    if (simd::cpu_has(simd::path::avx2)) {
        field("fp32_fma_ymm_gflops_1t", gflops(ymm_fma_loop, chains * 8 * 2, 1));
        field("fp32_fma_ymm_gflops_all", gflops(ymm_fma_loop, chains * 8 * 2, hw));
    }
    if (simd::cpu_has(simd::path::avx512)) {
        field("fp32_fma_zmm_gflops_1t", gflops(zmm_fma_loop, chains * 16 * 2, 1));
        field("fp32_fma_zmm_gflops_all", gflops(zmm_fma_loop, chains * 16 * 2, hw));
    }
    if (simd::cpu_has(simd::path::avx512bf16)) {
        field("bf16_dot_gflops_1t", gflops(bf16_dot_loop, chains * 32 * 2, 1));
        field("bf16_dot_gflops_all", gflops(bf16_dot_loop, chains * 32 * 2, hw));
    }
#endif
    for (simd::path p : {simd::path::scalar, simd::path::avx2, simd::path::avx512})
        if (simd::cpu_has(p))
            field("matmul_f32_kernel_" + std::string(simd::to_string(p)) + "_gflops_1t", kernel_gflops(p));
    json += "}";
    std::printf("%s\n", json.c_str());
    return 0;
}
