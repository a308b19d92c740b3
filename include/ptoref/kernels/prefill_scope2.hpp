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
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ptoref/core/convert.hpp"
#include "ptoref/core/error.hpp"
#include "ptoref/ops/reduce.hpp"
#include "ptoref/ops/scalar.hpp"
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

// Constants of the program (qwen3_32b_prefill_tilelet); they are part of its semantics.
inline constexpr index scope2_q_head_batch = 8;
inline constexpr index scope2_seq_tile = 64;

namespace detail {

using ptoref::detail::canonical_row_sum;
namespace scalar = ptoref::detail::scalar;

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

// RoPE of one head: lo = x_lo*cos_lo - x_hi*sin_lo, hi = x_hi*cos_hi + x_lo*sin_hi, each product
// and sum rounded as the ops do, then cast to bf16.
inline void rope_to_bf16(const float* x, const float* cos, const float* sin, index half, bf16* out) noexcept
{
    for (index j = 0; j < half; ++j) {
        const float lo = scalar::sub(mul_r(x[j], cos[j]), mul_r(x[half + j], sin[j]));
        const float hi = scalar::add(mul_r(x[half + j], cos[half + j]), mul_r(x[j], sin[half + j]));
        out[j] = to_bf16(lo);
        out[half + j] = to_bf16(hi);
    }
}

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
    return t.storage().data() + t.offset();
}

struct scope2_views {
    prefill_scope2_config cfg;
    const float *q_proj, *k_proj, *v_proj, *rope_cos, *rope_sin;
    const std::int32_t* seq_lens;
    bf16 *k_cache, *v_cache, *attn_out;
    float scale;
};

// Scratch of one worker, reused across its (batch, kv head) units.
struct scope2_scratch {
    std::vector<float> k_packed; // per key tile: [head_dim][64], K transposed
    std::vector<float> v_packed; // per key tile: [64][head_dim]
    std::vector<float> v_diag;   // the diagonal tile as a given position sees it
    std::vector<bf16> v_old;     // the cache's V rows before this unit wrote them
    std::vector<float> q;        // [rows][head_dim]
    std::vector<float> scores;   // [rows][64]
    std::vector<float> p;        // [rows][64], bf16 values widened
    std::vector<float> o_tmp;    // [rows][head_dim]
    std::vector<float> o, m, l;  // the online-softmax state per row
    std::vector<float> cur_m, cur_l;
    std::vector<bf16> row_bf16;
};

// Softmax of one 64-key tile row with `valid` keys: cur_mi, bf16 exp weights (widened), cur_li.
inline void tile_softmax_row(const float* raw, index valid, float scale, float* p, float& cur_mi, float& cur_li) noexcept
{
    constexpr index T = scope2_seq_tile;
    const float neg_inf = -std::numeric_limits<float>::infinity();
    float s[T];
    for (index j = 0; j < T; ++j)
        s[j] = scalar::mul(j < valid ? scalar::canon(raw[j]) : neg_inf, scale);
    float mx = s[0];
    for (index j = 1; j < T; ++j)
        mx = scalar::maximum(mx, s[j]);
    for (index j = 0; j < T; ++j)
        p[j] = to_bf16(scalar::exp(scalar::sub(s[j], mx))).to_float();
    cur_mi = mx;
    cur_li = canonical_row_sum(p, T);
}

inline void scope2_unit(const scope2_views& v, index b, index kvh, scope2_scratch& w)
{
    constexpr index T = scope2_seq_tile, G = scope2_q_head_batch;
    const prefill_scope2_config& c = v.cfg;
    const index S = c.max_seq, D = c.head_dim, half = D / 2, KV = c.num_kv_heads;
    const index hidden = c.num_heads * D, kv_hidden = KV * D;
    const index len = v.seq_lens[b];
    if (len <= 0)
        return;
    const index base = (b * KV + kvh) * S; // first cache row of this (batch, kv head)
    const index tiles = (len + T - 1) / T;

    // The V rows the diagonal tiles will need in their old state.
    w.v_old.assign(v.v_cache + base * D, v.v_cache + (base + tiles * T) * D);

    // K RoPE + cache update, V cache update, for every position of the sequence.
    for (index pos = 0; pos < len; ++pos) {
        const float* cos = v.rope_cos + pos * D;
        const float* sin = v.rope_sin + pos * D;
        const index row = base + pos;
        rope_to_bf16(v.k_proj + (b * S + pos) * kv_hidden + kvh * D, cos, sin, half, v.k_cache + row * D);
        const float* vp = v.v_proj + (b * S + pos) * kv_hidden + kvh * D;
        for (index d = 0; d < D; ++d)
            v.v_cache[row * D + d] = to_bf16(vp[d]);
    }
    // Pack K^T and V per tile as fp32 (widening is exact).
    w.k_packed.resize(static_cast<std::size_t>(tiles * T * D));
    w.v_packed.resize(static_cast<std::size_t>(tiles * T * D));
    for (index sb = 0; sb < tiles; ++sb) {
        float* kt = w.k_packed.data() + sb * T * D;
        float* vt = w.v_packed.data() + sb * T * D;
        for (index j = 0; j < T; ++j) {
            const bf16* kr = v.k_cache + (base + sb * T + j) * D;
            const bf16* vr = v.v_cache + (base + sb * T + j) * D;
            for (index d = 0; d < D; ++d) {
                kt[d * T + j] = kr[d].to_float();
                vt[j * D + d] = vr[d].to_float();
            }
        }
    }

    const index max_rows = T * G;
    w.q.resize(static_cast<std::size_t>(max_rows * D));
    w.scores.resize(static_cast<std::size_t>(max_rows * T));
    w.p.resize(static_cast<std::size_t>(max_rows * T));
    w.o_tmp.resize(static_cast<std::size_t>(max_rows * D));
    w.o.resize(static_cast<std::size_t>(max_rows * D));
    for (auto* vec : {&w.m, &w.l, &w.cur_m, &w.cur_l})
        vec->resize(static_cast<std::size_t>(max_rows));
    w.row_bf16.resize(static_cast<std::size_t>(D));
    w.v_diag.resize(static_cast<std::size_t>(T * D));

    for (index qb = 0; qb < tiles; ++qb) {
        const index p0 = qb * T, npos = std::min(T, len - p0), rows = npos * G;
        // Q RoPE for the block; row r = (pos - p0) * 8 + head.
        for (index i = 0; i < npos; ++i) {
            const index pos = p0 + i;
            for (index h = 0; h < G; ++h) {
                rope_to_bf16(v.q_proj + (b * S + pos) * hidden + (kvh * G + h) * D, v.rope_cos + pos * D,
                             v.rope_sin + pos * D, half, w.row_bf16.data());
                for (index d = 0; d < D; ++d)
                    w.q[static_cast<std::size_t>((i * G + h) * D + d)] = w.row_bf16[static_cast<std::size_t>(d)].to_float();
            }
        }
        for (index sb = 0; sb <= qb; ++sb) {
            // Scores: q rows x the tile's 64 keys, fp32 chains over head_dim from +0.
            std::fill(w.scores.begin(), w.scores.begin() + rows * T, 0.0f);
            simd::gemm_f32_accumulate({w.q.data(), D, w.k_packed.data() + sb * T * D, T, w.scores.data(), T, rows, T, D});
            for (index r = 0; r < rows; ++r) {
                const index valid = sb < qb ? T : (p0 + r / G) - sb * T + 1;
                tile_softmax_row(w.scores.data() + r * T, valid, v.scale, w.p.data() + r * T, w.cur_m[static_cast<std::size_t>(r)],
                                 w.cur_l[static_cast<std::size_t>(r)]);
            }
            // oi_tmp = P @ V_tile.
            std::fill(w.o_tmp.begin(), w.o_tmp.begin() + rows * D, 0.0f);
            if (sb < qb) {
                simd::gemm_f32_accumulate({w.p.data(), T, w.v_packed.data() + sb * T * D, D, w.o_tmp.data(), D, rows, D, T});
            } else {
                // Diagonal tile: rows after pos hold the old V (see the header comment).
                for (index j = 0; j < T; ++j)
                    for (index d = 0; d < D; ++d)
                        w.v_diag[static_cast<std::size_t>(j * D + d)] = w.v_old[static_cast<std::size_t>((sb * T + j) * D + d)].to_float();
                for (index i = 0; i < npos; ++i) {
                    const index j = i; // pos - s0, since s0 == p0 on the diagonal
                    std::copy_n(w.v_packed.data() + (sb * T + j) * D, D, w.v_diag.data() + j * D);
                    simd::gemm_f32_accumulate({w.p.data() + i * G * T, T, w.v_diag.data(), D, w.o_tmp.data() + i * G * D, D, G, D, T});
                }
            }
            // Online-softmax merge, in tile order.
            for (index r = 0; r < rows; ++r) {
                float* o = w.o.data() + r * D;
                const float* ot = w.o_tmp.data() + r * D;
                float& mi = w.m[static_cast<std::size_t>(r)];
                float& li = w.l[static_cast<std::size_t>(r)];
                const float cur_mi = w.cur_m[static_cast<std::size_t>(r)], cur_li = w.cur_l[static_cast<std::size_t>(r)];
                if (sb == 0) {
                    for (index d = 0; d < D; ++d)
                        o[d] = scalar::canon(ot[d]);
                    li = cur_li;
                    mi = cur_mi;
                } else {
                    const float mi_new = scalar::maximum(mi, cur_mi);
                    const float alpha = scalar::exp(scalar::sub(mi, mi_new));
                    const float beta = scalar::exp(scalar::sub(cur_mi, mi_new));
                    li = scalar::add(mul_r(alpha, li), mul_r(beta, cur_li));
                    for (index d = 0; d < D; ++d)
                        o[d] = scalar::add(mul_r(o[d], alpha), mul_r(scalar::canon(ot[d]), beta));
                    mi = mi_new;
                }
            }
        }
        // ctx = oi / li, cast to bf16, into attn_out[b, pos, (kvh * 8 + h) * D + d].
        for (index r = 0; r < rows; ++r) {
            const index pos = p0 + r / G, h = r % G;
            bf16* out = v.attn_out + (b * S + pos) * hidden + (kvh * G + h) * D;
            const float* o = w.o.data() + r * D;
            const float li = w.l[static_cast<std::size_t>(r)];
            for (index d = 0; d < D; ++d)
                out[d] = to_bf16(scalar::div(o[d], li));
        }
    }
}

} // namespace detail

// Runs the program on q_proj [batch, max_seq, num_heads*head_dim], k_proj and v_proj
// [batch, max_seq, num_kv_heads*head_dim], seq_lens [batch], rope_cos/rope_sin [max_seq, head_dim],
// updating k_cache and v_cache [batch*num_kv_heads*max_seq, head_dim] and writing attn_out
// [batch, max_seq, num_heads*head_dim] in place (rows at positions >= seq_len are left as they
// are). `threads` = 0 uses every hardware thread; the result never depends on it.
inline void prefill_scope2(const prefill_scope2_config& cfg, const Tensor<float>& q_proj, const Tensor<float>& k_proj,
                           const Tensor<float>& v_proj, const Tensor<std::int32_t>& seq_lens,
                           const Tensor<float>& rope_cos, const Tensor<float>& rope_sin, Tensor<bf16>& k_cache,
                           Tensor<bf16>& v_cache, Tensor<bf16>& attn_out, unsigned threads = 0)
{
    const char* op = "kernels::prefill_scope2";
    const index B = cfg.batch, S = cfg.max_seq, H = cfg.num_heads, KV = cfg.num_kv_heads, D = cfg.head_dim;
    if (B < 1 || S < 1 || KV < 1 || D < 2)
        throw error(op, "batch, max_seq and num_kv_heads must be positive and head_dim at least 2");
    if (H != scope2_q_head_batch * KV)
        throw error(op, "num_heads (" + std::to_string(H) + ") must be 8 x num_kv_heads (" + std::to_string(KV) +
                            "): the program packs one group of 8 Q heads per KV head");
    if (D % 2 != 0)
        throw error(op, "head_dim (" + std::to_string(D) + ") must be even: RoPE splits it in halves");
    if (S % scope2_seq_tile != 0)
        throw error(op, "max_seq (" + std::to_string(S) + ") must be a multiple of 64: attention reads whole 64-row tiles");
    detail::scope2_views v{};
    v.cfg = cfg;
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
    std::atomic<index> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
        detail::scope2_scratch w;
        try {
            for (index u; (u = next.fetch_add(1)) < units;)
                detail::scope2_unit(v, u / KV, u % KV, w);
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
