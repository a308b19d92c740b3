// The fused attention kernel against the machine's peak and against the op-by-op run, all in one
// process: the peak loops first, then the GEMM kernels on attention-shaped tiles, then the seed
// program at each config (fused; op by op checked and unchecked where that finishes in seconds),
// checking on the way that every mode gives the same digest. One JSON object on stdout.
//   bench_attention [--reps N] [--no-full]
#include <ptoref/kernels/prefill_scope2.hpp>
#include <ptoref/simd/gemm_bf16.hpp>
#include <ptoref/simd/gemm_f32.hpp>
#include <ptoref/testing/digest.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "peak.hpp"
#include "qwen3_scope2_cli.hpp"

namespace pl = ptoref::pl;

namespace {

namespace simd = ptoref::simd;
using ptoref::index;
using clock_type = std::chrono::steady_clock;

std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown";
}

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// GFLOP/s of one GEMM shape, L1/L2-resident, on `threads` threads each with its own operands.
double gemm_gflops(bool bf16_dot, index m, index n, index k, int threads)
{
    const int reps = 4000;
    double best = 0;
    for (int trial = 0; trial < 3; ++trial) {
        std::vector<std::thread> pool;
        const auto t0 = clock_type::now();
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([=] {
                std::vector<float> af(static_cast<std::size_t>(m * k), 0.5f),
                    bf(static_cast<std::size_t>(k * n), 0.25f), c(static_cast<std::size_t>(m * n), 0.0f);
                std::vector<std::uint32_t> ap(static_cast<std::size_t>(m * k / 2), 0x3f003f00u),
                    bp(static_cast<std::size_t>(k / 2 * n), 0x3e803e80u);
                for (int r = 0; r < reps; ++r) {
                    if (bf16_dot)
                        simd::gemm_bf16_accumulate({ap.data(), k / 2, bp.data(), n, c.data(), n, m, n, k / 2});
                    else
                        simd::gemm_f32_accumulate({af.data(), k, bf.data(), n, c.data(), n, m, n, k});
                }
                if (c[0] == 12345.0f)
                    std::printf(" ");
            });
        for (auto& th : pool)
            th.join();
        best = std::max(best, 2.0 * static_cast<double>(m * n * k) * reps * threads / seconds_since(t0) / 1e9);
    }
    return best;
}

struct named_config {
    const char* name;
    qwen3_scope2::config cfg;
    bool op_by_op;
};

std::string fmt(double v, int digits = 3)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

} // namespace

int main(int argc, char** argv)
{
    int reps = 3;
    bool full = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--reps" && i + 1 < argc)
            reps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--no-full")
            full = false;
        else {
            std::fprintf(stderr, "usage: %s [--reps N] [--no-full]\n", argv[0]);
            return 2;
        }
    }
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const bool has_dot = simd::cpu_has(simd::path::avx512bf16);
    std::string json = "{\"benchmark\": \"attention\", \"cpu\": \"" + cpu_model() +
                       "\", \"hardware_threads\": " + std::to_string(hw) + ", \"simd_path\": \"" +
                       std::string(simd::to_string(simd::active_path())) + "\"";

    // 1. The peak, measured now.
    double peak_dot_all = 0, peak_fma_all = 0;
#if defined(__x86_64__)
    if (simd::cpu_has(simd::path::avx512)) {
        peak_fma_all = ptoref_bench::gflops(ptoref_bench::zmm_fma_loop, ptoref_bench::chains * 16 * 2, hw);
        json += ", \"peak_fp32_fma_zmm_gflops_all\": " + fmt(peak_fma_all, 1);
    }
    if (has_dot) {
        json += ", \"peak_bf16_dot_gflops_1t\": " +
                fmt(ptoref_bench::gflops(ptoref_bench::bf16_dot_loop, ptoref_bench::chains * 32 * 2, 1), 1);
        peak_dot_all = ptoref_bench::gflops(ptoref_bench::bf16_dot_loop, ptoref_bench::chains * 32 * 2, hw);
        json += ", \"peak_bf16_dot_gflops_all\": " + fmt(peak_dot_all, 1);
    }
#endif
    const double peak = peak_dot_all > 0 ? peak_dot_all : peak_fma_all;

    // 2. The GEMM kernels on the fused kernel's shapes: QK^T (512 rows x 64 keys x head_dim 128)
    //    and PV (512 rows x head_dim 128 x 64 keys), on every hardware thread.
    for (bool dot : {true, false}) {
        if (dot && !has_dot)
            continue;
        const std::string kind = dot ? "bf16_dot" : "fp32_fma";
        const double qk = gemm_gflops(dot, 512, 64, 128, hw), pv = gemm_gflops(dot, 512, 128, 64, hw);
        json += ", \"gemm_" + kind + "_qk_gflops_all\": " + fmt(qk, 1) + ", \"gemm_" + kind +
                "_pv_gflops_all\": " + fmt(pv, 1);
        if (peak > 0)
            json += ", \"gemm_" + kind + "_qk_fraction_of_peak\": " + fmt(qk / peak) + ", \"gemm_" + kind +
                    "_pv_fraction_of_peak\": " + fmt(pv / peak);
    }

    // 3. The program.
    std::vector<named_config> configs = {
        {"seed", {2, 64, 8, 1, 64}, true},
        {"mid", {4, 512, 64, 8, 128}, true},
    };
    if (full)
        configs.push_back({"qwen3_32b_full", {16, 4096, 64, 8, 128}, false});
    json += ", \"configs\": [";
    bool first = true;
    for (const named_config& nc : configs) {
        const qwen3_scope2::config& c = nc.cfg;
        const auto g0 = clock_type::now();
        const qwen3_scope2::tensors inputs = qwen3_scope2::make_inputs(c, 0);
        const double gen_s = seconds_since(g0);
        auto clone = [](const pl::Tensor<ptoref::bf16>& t) {
            return ptoref::tensor_from<ptoref::bf16>(t.shape(), t.to_vector()).name(t.name());
        };
        auto fresh = [&] {
            qwen3_scope2::tensors t = inputs;
            t.k_cache = clone(inputs.k_cache);
            t.v_cache = clone(inputs.v_cache);
            t.attn_out = clone(inputs.attn_out);
            return t;
        };
        json += std::string(first ? "" : ", ") + "{\"name\": \"" + nc.name +
                "\", \"batch\": " + std::to_string(c.batch) + ", \"max_seq\": " + std::to_string(c.max_seq) +
                ", \"num_heads\": " + std::to_string(c.num_heads) +
                ", \"num_kv_heads\": " + std::to_string(c.num_kv_heads) +
                ", \"head_dim\": " + std::to_string(c.head_dim) + ", \"input_generation_s\": " + fmt(gen_s);
        // Fused, on every hardware thread and (below the full config) on one.
        std::string want;
        bool same = true;
        auto run_fused = [&](unsigned threads, int n, ptoref::kernels::prefill_scope2_stats* stats) {
            std::vector<double> times;
            for (int r = 0; r < n; ++r) {
                qwen3_scope2::tensors t = fresh();
                ptoref::kernels::prefill_scope2_stats local;
                const auto t0 = clock_type::now();
                ptoref::kernels::prefill_scope2({c.batch, c.max_seq, c.num_heads, c.num_kv_heads, c.head_dim}, t.q_proj,
                                                t.k_proj, t.v_proj, t.seq_lens, t.rope_cos, t.rope_sin, t.k_cache,
                                                t.v_cache, t.attn_out, threads, r == 0 ? stats : &local);
                times.push_back(seconds_since(t0));
                const std::string d = ptoref::testing::digest(t.attn_out);
                if (want.empty())
                    want = d;
                same = same && d == want;
            }
            return median(times);
        };
        ptoref::kernels::prefill_scope2_stats stats;
        const double fused = run_fused(static_cast<unsigned>(hw), nc.op_by_op ? reps : 1, &stats);
        const double dot = stats.gemm_flops_bf16_dot.load(), fma = stats.gemm_flops_fp32_fma.load();
        const double gemm_gflops_rate = (dot + fma) / fused / 1e9;
        json += ", \"sha256_attn_out\": \"" + want + "\", \"fused_threads\": " + std::to_string(hw) +
                ", \"fused_s\": " + fmt(fused, 4) + ", \"gemm_gflop\": " + fmt((dot + fma) / 1e9, 1) +
                ", \"gemm_share_bf16_dot\": " + fmt(dot + fma > 0 ? dot / (dot + fma) : 0) +
                ", \"gemm_gflops_over_whole_run\": " + fmt(gemm_gflops_rate, 1);
        if (peak > 0)
            json += ", \"gemm_fraction_of_peak_over_whole_run\": " + fmt(gemm_gflops_rate / peak);
        if (nc.op_by_op) {
            json += ", \"fused_1t_s\": " + fmt(run_fused(1, reps, nullptr), 4);
            // Op by op, checked and unchecked, alternating (the mid config once: it takes seconds).
            const int n = c.max_seq > 64 ? 1 : reps;
            std::vector<double> on, off;
            for (int r = 0; r < n; ++r)
                for (bool checked : {true, false}) {
                    ptoref::check::enabled_scope scope(checked);
                    qwen3_scope2::tensors t = fresh();
                    ptoref::check::collector col;
                    const auto t0 = clock_type::now();
                    qwen3_scope2::prefill_scope2(c, t);
                    (checked ? on : off).push_back(seconds_since(t0));
                    same = same && ptoref::testing::digest(t.attn_out) == want;
                }
            const double s_on = median(on), s_off = median(off);
            json += ", \"op_by_op_checked_s\": " + fmt(s_on, 4) + ", \"op_by_op_unchecked_s\": " + fmt(s_off, 4) +
                    ", \"check_overhead_ratio\": " + fmt(s_on / s_off) +
                    ", \"fused_speedup_vs_unchecked\": " + fmt(s_off / fused, 1);
        }
        json += std::string(", \"all_modes_same_digest\": ") + (same ? "true" : "false");
        json += "}";
        if (!same) {
            std::printf("%s]}\n", json.c_str());
            std::fprintf(stderr, "error: the modes disagree on the digest of attn_out for config %s\n", nc.name);
            return 1;
        }
        first = false;
    }
    json += "]}";
    std::printf("%s\n", json.c_str());
    return 0;
}
