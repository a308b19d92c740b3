// The fused kernel of Qwen3 prefill scope 2 (RoPE, KV-cache update, causal attention with online
// softmax over 64-key tiles): the same computation as the op-by-op port
// (examples/qwen3_32b_prefill_scope2.hpp), restructured for speed, with bit-identical results.
//
// Why the bits cannot change: every value is produced by the same per-element definitions the
// ops use (detail::scalar, math::exp_cr, the canonical row sum, the k-ascending fma chain of
// matmul), in the same order per element. Only the grouping changes:
//   - one (batch, kv head) pair at a time, its K/V rows rotated and packed once;
//   - 64 consecutive positions x 8 heads = up to 512 query rows per GEMM (every position of a
//     64-aligned block has the same number of key tiles, pos / 64 + 1);
//   - (batch, kv head) pairs run on threads; they share no output element, and no reduction is
//     split, so the thread count cannot change a bit.
// The one subtle point is the diagonal tile. At position pos the op-by-op program multiplies the
// whole 64-key tile by V, and the V rows after pos still hold the cache's *old* contents (they are
// written at later positions). Their weights are exactly +0 (exp(-inf)) or NaN, and
// fma(+0, v, acc) still differs from acc when acc is -0 or v is not finite. So the diagonal
// tile's PV runs per position against a tile whose rows after pos are the old ones.
//
// Not checked: this kernel bypasses the race/definedness/stale checks (it is the fast path; the
// op-by-op port is the checked one) and writes k_cache, v_cache and attn_out in place.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ptoref/core/checked.hpp"
#include "ptoref/core/convert.hpp"
#include "ptoref/core/error.hpp"
#include "ptoref/ops/reduce.hpp"
#include "ptoref/ops/scalar.hpp"
#include "ptoref/simd/gemm_bf16.hpp"
#include "ptoref/kernels/row_ops.hpp"
#include "ptoref/simd/gemm_f32.hpp"
#include "ptoref/tensor/tensor.hpp"

namespace ptoref::kernels {

struct prefill_scope2_config {
    index batch = 2;
    index max_seq = 64;
    index num_heads = 8;
    index num_kv_heads = 1;
    index head_dim = 64;
};

// What a run did, for benchmarks: GEMM flops (2 per multiply-add, padding rows excluded, every
// computed key included) by the kernel that ran them.
struct prefill_scope2_stats {
    std::atomic<double> gemm_flops_bf16_dot{0}; // VDPBF16PS
    std::atomic<double> gemm_flops_fp32_fma{0}; // fp32 FMA (no BF16 path, or a tile out of its range)
};

// Constants of the program (qwen3_32b_prefill_tilelet); they are part of its semantics.
inline constexpr index scope2_q_head_batch = 8;
inline constexpr index scope2_seq_tile = 64;

namespace detail {

template <class T>
T* dense_data(const Tensor<T>& t, const char* name, const dims& shape)
{
    if (!t)
        throw error("kernels::prefill_scope2", std::string(name) + " is an empty tensor handle");
    if (!(t.shape() == shape))
        throw error("kernels::prefill_scope2",
                    std::string(name) + " has shape " + to_string(t.shape()) + ", expected " + to_string(shape));
    if (!t.is_contiguous() || !t.fully_valid())
        throw error("kernels::prefill_scope2", std::string(name) + " must be dense and fully valid");
    return t.numel() == 0 ? t.storage().data() : t.storage().data() + t.offset(); // empty: offset may be past the end
}

struct scope2_views {
    prefill_scope2_config cfg;
    const float *q_proj, *k_proj, *v_proj, *rope_cos, *rope_sin;
    const std::int32_t* seq_lens;
    bf16 *k_cache, *v_cache, *attn_out;
    float scale;
};

// Scratch of one worker, reused across its (batch, kv head) units. Operands are kept twice: as
// fp32 for the FMA kernel and as swapped bf16 pairs for VDPBF16PS, with a flag per packed block
// saying whether every value is in the range where VDPBF16PS is exact (simd/gemm_bf16.hpp).
struct scope2_scratch {
    std::vector<float> k_f32;          // per key tile: [head_dim][64], K transposed
    std::vector<std::uint32_t> k_pair; // per key tile: [head_dim/2][64] pairs along head_dim
    std::vector<float> v_f32;          // per key tile: [64][head_dim]
    std::vector<std::uint32_t> v_pair; // per key tile: [32][head_dim] pairs along keys
    std::vector<char> k_ok, v_ok, v_old_ok;
    std::vector<bf16> v_old;       // the cache's V rows before this unit wrote them
    std::vector<float> v_diag_f32; // the diagonal tile as one position sees it
    std::vector<std::uint32_t> v_diag_pair;
    std::vector<float> q_f32;          // [rows][head_dim]
    std::vector<std::uint32_t> q_pair; // [rows][head_dim/2]
    std::vector<float> scores;         // [rows][64]
    std::vector<float> p_f32;          // [rows][64], bf16 weights widened
    std::vector<std::uint32_t> p_pair; // [rows][32]
    std::vector<float> o_tmp;          // [rows][head_dim]
    std::vector<float> o, m, l;        // the online-softmax state per row
    std::vector<float> cur_m, cur_l;
    std::vector<float> alpha, beta; // the merge's rescaling factors per row
    std::vector<bf16> row_bf16;
};

template <class V>
void grow(V& v, index n)
{
    if (v.size() < static_cast<std::size_t>(n))
        v.resize(static_cast<std::size_t>(n));
}

// Stores the bf16 value of key row j into a [pairs][n] swapped-pair block at column d.
inline void set_pair_half(std::uint32_t* block, index n, index j, index d, bf16 x) noexcept
{
    std::uint32_t& w = block[(j / 2) * n + d];
    w = j % 2 == 0 ? ((w & 0x0000ffffu) | (static_cast<std::uint32_t>(x.bits) << 16)) : ((w & 0xffff0000u) | x.bits);
}

inline void scope2_unit(const scope2_views& v, index b, index kvh, scope2_scratch& w, double& dot_flops,
                        double& fma_flops)
{
    constexpr index T = scope2_seq_tile, G = scope2_q_head_batch;
    const prefill_scope2_config& c = v.cfg;
    const index S = c.max_seq, D = c.head_dim, half = D / 2, KV = c.num_kv_heads;
    const index hidden = c.num_heads * D, kv_hidden = KV * D;
    const index len = v.seq_lens[b];
    if (len <= 0)
        return;
    const simd::path path = simd::active_path();
    const bool dot = path == simd::path::avx512bf16;
    const bool vec = path == simd::path::avx512 || path == simd::path::avx512bf16;
    const index base = (b * KV + kvh) * S; // first cache row of this (batch, kv head)
    const index tiles = (len + T - 1) / T;

    // The V rows the diagonal tiles will need in their old state.
    w.v_old.assign(v.v_cache + base * D, v.v_cache + (base + tiles * T) * D);

    // K RoPE + cache update, V cache update, for every position of the sequence.
    for (index pos = 0; pos < len; ++pos) {
        const float* cos = v.rope_cos + pos * D;
        const float* sin = v.rope_sin + pos * D;
        const index row = base + pos;
        rope_row(v.k_proj + (b * S + pos) * kv_hidden + kvh * D, cos, sin, half, v.k_cache + row * D, vec);
        cast_row(v.v_proj + (b * S + pos) * kv_hidden + kvh * D, v.v_cache + row * D, D, vec);
    }
    // Pack every key tile (widening is exact).
    grow(w.k_f32, tiles * T * D);
    grow(w.v_f32, tiles * T * D);
    grow(w.k_pair, tiles * T * half);
    grow(w.v_pair, tiles * T * half);
    w.k_ok.assign(static_cast<std::size_t>(tiles), 1);
    w.v_ok.assign(static_cast<std::size_t>(tiles), 1);
    w.v_old_ok.assign(static_cast<std::size_t>(tiles), 1);
    for (index sb = 0; sb < tiles; ++sb) {
        float* kt = w.k_f32.data() + sb * T * D;
        float* vt = w.v_f32.data() + sb * T * D;
        std::uint32_t* kp = w.k_pair.data() + sb * T * half;
        std::uint32_t* vp = w.v_pair.data() + sb * T * half;
        bool k_ok = true, v_ok = true, old_ok = true;
        for (index j = 0; j < T; ++j) {
            const bf16* kr = v.k_cache + (base + sb * T + j) * D;
            const bf16* vr = v.v_cache + (base + sb * T + j) * D;
            k_ok = simd::all_bf16_in_dot_range(kr, D) && k_ok;
            v_ok = simd::all_bf16_in_dot_range(vr, D) && v_ok;
            old_ok = simd::all_bf16_in_dot_range(w.v_old.data() + (sb * T + j) * D, D) && old_ok;
            for (index d = 0; d < D; ++d) {
                kt[d * T + j] = kr[d].to_float();
                vt[j * D + d] = vr[d].to_float();
            }
            for (index d = 0; d < D; d += 2)
                kp[(d / 2) * T + j] = simd::bf16_swapped_pair(kr[d], kr[d + 1]);
            if (j % 2 == 1) { // V pairs run along keys: rows j - 1 and j
                const bf16* prev = vr - D;
                for (index d = 0; d < D; ++d)
                    vp[(j / 2) * D + d] = simd::bf16_swapped_pair(prev[d], vr[d]);
            }
        }
        w.k_ok[static_cast<std::size_t>(sb)] = k_ok;
        w.v_ok[static_cast<std::size_t>(sb)] = v_ok;
        w.v_old_ok[static_cast<std::size_t>(sb)] = old_ok;
    }

    const index max_rows = T * G;
    grow(w.q_f32, max_rows * D);
    grow(w.q_pair, max_rows * half);
    grow(w.scores, max_rows * T);
    grow(w.p_f32, max_rows * T);
    grow(w.p_pair, max_rows * T / 2);
    grow(w.o_tmp, max_rows * D);
    grow(w.o, max_rows * D);
    for (auto* vec : {&w.m, &w.l, &w.cur_m, &w.cur_l, &w.alpha, &w.beta})
        grow(*vec, max_rows);
    grow(w.row_bf16, D);
    grow(w.v_diag_f32, T * D);
    grow(w.v_diag_pair, T * half);

    // c = a @ b (chains from +0) on VDPBF16PS when both packed operands are in range, else by fp32 FMAs.
    auto gemm = [&](bool pairs_ok, const std::uint32_t* ap, const float* af, index lda_f32, const std::uint32_t* bp,
                    const float* bf, index ldb, float* out, index m, index n, index k) {
        const double flops = 2.0 * static_cast<double>(m * n * k);
        if (dot && pairs_ok) {
            simd::gemm_bf16_accumulate({ap, lda_f32 / 2, bp, ldb, out, n, m, n, k / 2, true});
            dot_flops += flops;
        } else {
            simd::gemm_f32_accumulate({af, lda_f32, bf, ldb, out, n, m, n, k, true});
            fma_flops += flops;
        }
    };

    for (index qb = 0; qb < tiles; ++qb) {
        const index p0 = qb * T, npos = std::min(T, len - p0), rows = npos * G;
        // Q RoPE for the block; row r = (pos - p0) * 8 + head.
        bool q_ok = true;
        for (index i = 0; i < npos; ++i) {
            const index pos = p0 + i;
            for (index h = 0; h < G; ++h) {
                const index r = i * G + h;
                rope_row(v.q_proj + (b * S + pos) * hidden + (kvh * G + h) * D, v.rope_cos + pos * D,
                         v.rope_sin + pos * D, half, w.row_bf16.data(), vec);
                for (index d = 0; d < D; ++d)
                    w.q_f32[static_cast<std::size_t>(r * D + d)] = w.row_bf16[static_cast<std::size_t>(d)].to_float();
                q_ok = simd::all_bf16_in_dot_range(w.row_bf16.data(), D) && q_ok;
                for (index d = 0; d < D; d += 2)
                    w.q_pair[static_cast<std::size_t>(r * half + d / 2)] = simd::bf16_swapped_pair(
                        w.row_bf16[static_cast<std::size_t>(d)], w.row_bf16[static_cast<std::size_t>(d + 1)]);
            }
        }
        for (index sb = 0; sb <= qb; ++sb) {
            const std::size_t tile = static_cast<std::size_t>(sb);
            // Scores: q rows x the tile's 64 keys, fp32 chains over head_dim from +0.
            gemm(q_ok && w.k_ok[tile], w.q_pair.data(), w.q_f32.data(), D, w.k_pair.data() + sb * T * half,
                 w.k_f32.data() + sb * T * D, T, w.scores.data(), rows, T, D);
            bool p_ok = true;
            for (index r = 0; r < rows; ++r) {
                const index valid = sb < qb ? T : (p0 + r / G) - sb * T + 1;
                p_ok = softmax_tile_row(w.scores.data() + r * T, valid, v.scale, w.p_f32.data() + r * T,
                                        w.p_pair.data() + r * T / 2, w.cur_m[static_cast<std::size_t>(r)],
                                        w.cur_l[static_cast<std::size_t>(r)], vec) &&
                       p_ok;
            }
            // oi_tmp = P @ V_tile.
            if (sb < qb) {
                gemm(p_ok && w.v_ok[tile], w.p_pair.data(), w.p_f32.data(), T, w.v_pair.data() + sb * T * half,
                     w.v_f32.data() + sb * T * D, D, w.o_tmp.data(), rows, D, T);
            } else {
                // Diagonal tile: the rows after pos hold the old V (see the header comment). Any
                // mixture of old and new rows is in range when both tiles are.
                const bool diag_ok = p_ok && w.v_ok[tile] && w.v_old_ok[tile];
                for (index j = 0; j < T; ++j)
                    for (index d = 0; d < D; ++d) {
                        const bf16 x = w.v_old[static_cast<std::size_t>((sb * T + j) * D + d)];
                        w.v_diag_f32[static_cast<std::size_t>(j * D + d)] = x.to_float();
                        set_pair_half(w.v_diag_pair.data(), D, j, d, x);
                    }
                for (index i = 0; i < npos; ++i) {
                    const index j = i; // pos - s0, since s0 == p0 on the diagonal
                    const bf16* vr = v.v_cache + (base + sb * T + j) * D;
                    for (index d = 0; d < D; ++d) {
                        w.v_diag_f32[static_cast<std::size_t>(j * D + d)] = vr[d].to_float();
                        set_pair_half(w.v_diag_pair.data(), D, j, d, vr[d]);
                    }
                    gemm(diag_ok, w.p_pair.data() + i * G * T / 2, w.p_f32.data() + i * G * T, T, w.v_diag_pair.data(),
                         w.v_diag_f32.data(), D, w.o_tmp.data() + i * G * D, G, D, T);
                }
            }
            // Online-softmax merge, in tile order. alpha and beta of every row first, so their
            // exps run as one vector call.
            if (sb > 0) {
                for (index r = 0; r < rows; ++r) {
                    const std::size_t i = static_cast<std::size_t>(r);
                    const float mi_new = scalar::maximum(w.m[i], w.cur_m[i]);
                    w.alpha[i] = scalar::sub(w.m[i], mi_new);
                    w.beta[i] = scalar::sub(w.cur_m[i], mi_new);
                    w.m[i] = mi_new;
                }
                simd::exp_cr(w.alpha.data(), w.alpha.data(), static_cast<std::size_t>(rows), path);
                simd::exp_cr(w.beta.data(), w.beta.data(), static_cast<std::size_t>(rows), path);
            }
            for (index r = 0; r < rows; ++r) {
                const std::size_t i = static_cast<std::size_t>(r);
                float* o = w.o.data() + r * D;
                const float* ot = w.o_tmp.data() + r * D;
                if (sb == 0) {
                    for (index d = 0; d < D; ++d)
                        o[d] = scalar::canon(ot[d]);
                    w.l[i] = w.cur_l[i];
                    w.m[i] = w.cur_m[i];
                } else {
                    const float alpha = w.alpha[i], beta = w.beta[i];
                    w.l[i] = scalar::add(mul_r(alpha, w.l[i]), mul_r(beta, w.cur_l[i]));
                    merge_row(o, ot, alpha, beta, D, vec);
                }
            }
        }
        // ctx = oi / li, cast to bf16, into attn_out[b, pos, (kvh * 8 + h) * D + d].
        for (index r = 0; r < rows; ++r) {
            const index pos = p0 + r / G, h = r % G;
            bf16* out = v.attn_out + (b * S + pos) * hidden + (kvh * G + h) * D;
            const float* o = w.o.data() + r * D;
            const float li = w.l[static_cast<std::size_t>(r)];
            finish_row(o, li, out, D, vec);
        }
    }
}

} // namespace detail

// Runs the program on q_proj [batch, max_seq, num_heads*head_dim], k_proj and v_proj
// [batch, max_seq, num_kv_heads*head_dim], seq_lens [batch], rope_cos/rope_sin [max_seq, head_dim],
// updating k_cache and v_cache [batch*num_kv_heads*max_seq, head_dim] and writing attn_out
// [batch, max_seq, num_heads*head_dim] in place (rows at positions >= seq_len are left as they
// are). `threads` = 0 uses every hardware thread; the result never depends on it. `stats`, if
// given, receives the GEMM work done (added to what it holds).
inline void prefill_scope2(const prefill_scope2_config& cfg, const Tensor<float>& q_proj, const Tensor<float>& k_proj,
                           const Tensor<float>& v_proj, const Tensor<std::int32_t>& seq_lens,
                           const Tensor<float>& rope_cos, const Tensor<float>& rope_sin, Tensor<bf16>& k_cache,
                           Tensor<bf16>& v_cache, Tensor<bf16>& attn_out, unsigned threads = 0,
                           prefill_scope2_stats* stats = nullptr)
{
    const char* op = "kernels::prefill_scope2";
    const index B = cfg.batch, S = cfg.max_seq, H = cfg.num_heads, KV = cfg.num_kv_heads, D = cfg.head_dim;
    if (B < 1 || S < 1 || KV < 1 || D < 2)
        throw error(op, "batch, max_seq and num_kv_heads must be positive and head_dim at least 2");
    // The shapes below are products of the config: checked, so a wrapped product cannot match a
    // real tensor's shape and send the kernel past its buffers.
    const auto prod = [&](std::initializer_list<index> f) {
        const auto p = checked_product(f);
        if (!p)
            throw error(op, "the config's tensor sizes overflow int64 (batch " + std::to_string(B) + ", max_seq " +
                                std::to_string(S) + ", num_heads " + std::to_string(H) + ", num_kv_heads " +
                                std::to_string(KV) + ", head_dim " + std::to_string(D) + ")");
        return *p;
    };
    if (H != prod({scope2_q_head_batch, KV}))
        throw error(op, "num_heads (" + std::to_string(H) + ") must be 8 x num_kv_heads (" + std::to_string(KV) +
                            "): the program packs one group of 8 Q heads per KV head");
    if (D % 2 != 0)
        throw error(op, "head_dim (" + std::to_string(D) + ") must be even: RoPE splits it in halves");
    if (S % scope2_seq_tile != 0)
        throw error(op,
                    "max_seq (" + std::to_string(S) + ") must be a multiple of 64: attention reads whole 64-row tiles");
    detail::scope2_views v{};
    v.cfg = cfg;
    prod({B, S, H, D}); // the largest tensor's element count: every other product below fits too
    prod({B, KV, S, D});
    v.q_proj = detail::dense_data(q_proj, "q_proj", {B, S, H * D});
    v.k_proj = detail::dense_data(k_proj, "k_proj", {B, S, KV * D});
    v.v_proj = detail::dense_data(v_proj, "v_proj", {B, S, KV * D});
    v.seq_lens = detail::dense_data(seq_lens, "seq_lens", {B});
    v.rope_cos = detail::dense_data(rope_cos, "rope_cos", {S, D});
    v.rope_sin = detail::dense_data(rope_sin, "rope_sin", {S, D});
    v.k_cache = detail::dense_data(k_cache, "k_cache", {B * KV * S, D});
    v.v_cache = detail::dense_data(v_cache, "v_cache", {B * KV * S, D});
    v.attn_out = detail::dense_data(attn_out, "attn_out", {B, S, H * D});
    for (index b = 0; b < B; ++b)
        if (v.seq_lens[b] < 0 || v.seq_lens[b] > S)
            throw error(op, "seq_lens[" + std::to_string(b) + "] = " + std::to_string(v.seq_lens[b]) +
                                " is outside [0, max_seq = " + std::to_string(S) + "]");
    // The DSL's FP32 literal 1/sqrt(head_dim): one round-to-nearest-even from double.
    v.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));

    const index units = B * KV;
    unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    n = static_cast<unsigned>(std::min<index>(n, units));
    // Longest sequences first, so the last units to start are short ones and threads finish
    // together (the order cannot change a bit: units share no output).
    std::vector<index> order(static_cast<std::size_t>(units));
    for (index u = 0; u < units; ++u)
        order[static_cast<std::size_t>(u)] = u;
    std::stable_sort(order.begin(), order.end(),
                     [&](index a, index b) { return v.seq_lens[a / KV] > v.seq_lens[b / KV]; });
    std::atomic<index> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
        detail::scope2_scratch w;
        double dot_flops = 0, fma_flops = 0;
        try {
            for (index k; (k = next.fetch_add(1)) < units;) {
                const index u = order[static_cast<std::size_t>(k)];
                detail::scope2_unit(v, u / KV, u % KV, w, dot_flops, fma_flops);
            }
            if (stats) {
                stats->gemm_flops_bf16_dot.fetch_add(dot_flops);
                stats->gemm_flops_fp32_fma.fetch_add(fma_flops);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure)
                failure = std::current_exception();
            next.store(units);
        }
    };
    if (n <= 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < n; ++t)
            pool.emplace_back(worker);
        worker();
        for (auto& t : pool)
            t.join();
    }
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace ptoref::kernels
