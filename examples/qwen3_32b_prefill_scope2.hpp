// Port of pypto-lib's examples/models/qwen3/qwen3_32b_prefill_scope2.py (commit b6c82cf):
// Qwen3-32B prefill scope 2 — RoPE, the KV-cache update and causal attention with online
// softmax for every token position. Read it side by side with the Python: every pl.* call has
// its pl:: twin in the same order, the loops have the same kinds, bounds and chunk sizes, and the
// `with pl.at(...)` regions are plain blocks (they only choose kernel boundaries).
#pragma once

#include <ptoref/ptoref.hpp>

#include <cmath>

namespace qwen3_scope2 {

namespace pl = ptoref::pl;

// Tiling constants aligned with `qwen3_32b_prefill_tilelet`.
inline constexpr pl::index TOK_TILE = 32;
inline constexpr pl::index Q_HEAD_BATCH = 8; // Q heads per attention group
inline constexpr pl::index Q_HEAD_PAD = 16;  // padded Q rows for cube alignment
inline constexpr pl::index SEQ_TILE = 64;    // sequence tile for attention
inline constexpr pl::index SB_BATCH = 64;

struct config {
    pl::index batch = 2;
    pl::index max_seq = 64;
    pl::index num_heads = 8;
    pl::index num_kv_heads = 1;
    pl::index head_dim = 64;
};

struct tensors {
    pl::Tensor<float> q_proj;          // [batch, max_seq, hidden]
    pl::Tensor<float> k_proj;          // [batch, max_seq, kv_hidden]
    pl::Tensor<float> v_proj;          // [batch, max_seq, kv_hidden]
    pl::Tensor<std::int32_t> seq_lens; // [batch]
    pl::Tensor<float> rope_cos;        // [max_seq, head_dim]
    pl::Tensor<float> rope_sin;        // [max_seq, head_dim]
    pl::Tensor<pl::bf16> k_cache;      // [cache_rows, head_dim]
    pl::Tensor<pl::bf16> v_cache;      // [cache_rows, head_dim]
    pl::Tensor<pl::bf16> attn_out;     // [batch, max_seq, hidden], Out
};

// Options that are not part of the Python program: `racy_cache_row` makes the cache row offset
// ignore the batch index (the bug the checker must catch; see qwen3_prefill_scope2_racy.cpp).
struct variant {
    bool racy_cache_row = false;
};

// prefill_scope2(q_proj, k_proj, v_proj, seq_lens, rope_cos, rope_sin, k_cache, v_cache, attn_out)
inline pl::Tensor<pl::bf16> prefill_scope2(const config& cfg, tensors& t, variant var = {})
{
    const pl::index batch = cfg.batch, max_seq = cfg.max_seq, num_kv_heads = cfg.num_kv_heads;
    const pl::index head_dim = cfg.head_dim;
    const pl::index hidden = cfg.num_heads * head_dim;
    const pl::index q_per_kv = cfg.num_heads / num_kv_heads;
    const pl::index half_dim = head_dim / 2;
    const pl::index q_groups = q_per_kv / Q_HEAD_BATCH;
    const pl::index total_q_groups = num_kv_heads * q_groups;
    const double attn_scale = 1.0 / std::sqrt(static_cast<double>(head_dim)); // FP32 literal in the DSL
    const pl::index max_ctx_blocks = (max_seq + SEQ_TILE - 1) / SEQ_TILE;

    auto& q_proj = t.q_proj;
    auto& k_proj = t.k_proj;
    auto& v_proj = t.v_proj;
    auto& seq_lens = t.seq_lens;
    auto& rope_cos = t.rope_cos;
    auto& rope_sin = t.rope_sin;
    auto& k_cache = t.k_cache;
    auto& v_cache = t.v_cache;
    auto& attn_out = t.attn_out;

    pl::parallel(0, batch, 1, [&](pl::index b) {
        const pl::index seq_len_b = pl::read(seq_lens, {b});
        const pl::index tok_blocks = (seq_len_b + TOK_TILE - 1) / TOK_TILE;
        pl::range(tok_blocks, [&](pl::index p0_idx) {
            const pl::index p0 = p0_idx * TOK_TILE;
            const pl::index valid_tok = pl::min(TOK_TILE, seq_len_b - p0);

            pl::range(valid_tok, [&](pl::index ti) {
                const pl::index pos = p0 + ti;
                const pl::index ctx_len = pos + 1;
                const pl::index ctx_blocks = (ctx_len + SEQ_TILE - 1) / SEQ_TILE;
                auto cos_row = pl::slice(rope_cos, {1, head_dim}, {pos, 0});
                auto sin_row = pl::slice(rope_sin, {1, head_dim}, {pos, 0});
                auto cos_lo = pl::slice(cos_row, {1, half_dim}, {0, 0});
                auto cos_hi = pl::slice(cos_row, {1, half_dim}, {0, half_dim});
                auto sin_lo = pl::slice(sin_row, {1, half_dim}, {0, 0});
                auto sin_hi = pl::slice(sin_row, {1, half_dim}, {0, half_dim});

                // Stage 1: K RoPE + cache update + V cache + Q RoPE + pad.
                auto all_q_padded = pl::create_tensor({total_q_groups * Q_HEAD_PAD, head_dim}, pl::BF16);
                { // pl.at(level=CORE_GROUP, optimization=chunked_loop_optimizer)
                    pl::parallel(0, total_q_groups, pl::chunk(total_q_groups), [&](pl::index gi) {
                        all_q_padded = pl::assemble(
                            all_q_padded,
                            pl::cast(pl::full({Q_HEAD_PAD - Q_HEAD_BATCH, head_dim}, pl::FP32, 0.0), pl::BF16),
                            {gi * Q_HEAD_PAD + Q_HEAD_BATCH, 0});
                    });
                }
                { // pl.at(level=CORE_GROUP, optimization=chunked_loop_optimizer)
                    pl::parallel(0, num_kv_heads, pl::chunk(8), [&](pl::index ki) {
                        // K RoPE + cache update.
                        const pl::index kv_col = ki * head_dim;
                        auto k_lo = pl::reshape(pl::slice(k_proj, {1, 1, half_dim}, {b, pos, kv_col}), {1, half_dim});
                        auto k_hi = pl::reshape(pl::slice(k_proj, {1, 1, half_dim}, {b, pos, kv_col + half_dim}),
                                                {1, half_dim});
                        auto rot_lo = pl::sub(pl::col_expand_mul(k_lo, cos_lo), pl::col_expand_mul(k_hi, sin_lo));
                        auto rot_hi = pl::add(pl::col_expand_mul(k_hi, cos_hi), pl::col_expand_mul(k_lo, sin_hi));
                        const pl::index batch_row = var.racy_cache_row ? 0 : b * num_kv_heads * max_seq;
                        const pl::index cache_row = batch_row + ki * max_seq + pos;
                        k_cache = pl::assemble(k_cache, pl::cast(rot_lo, pl::BF16), {cache_row, 0});
                        k_cache = pl::assemble(k_cache, pl::cast(rot_hi, pl::BF16), {cache_row, half_dim});
                        // V cache update.
                        v_cache = pl::assemble(
                            v_cache,
                            pl::cast(pl::reshape(pl::slice(v_proj, {1, 1, head_dim}, {b, pos, ki * head_dim}),
                                                 {1, head_dim}),
                                     pl::BF16),
                            {cache_row, 0});
                        // Q RoPE + pad (ki == kvh since q_groups == 1).
                        const pl::index q_base = ki * q_per_kv;
                        pl::range(Q_HEAD_BATCH, [&](pl::index qi) {
                            const pl::index q_col = (q_base + qi) * head_dim;
                            auto q_lo =
                                pl::reshape(pl::slice(q_proj, {1, 1, half_dim}, {b, pos, q_col}), {1, half_dim});
                            auto q_hi = pl::reshape(pl::slice(q_proj, {1, 1, half_dim}, {b, pos, q_col + half_dim}),
                                                    {1, half_dim});
                            auto rot_lo_bf16 = pl::cast(
                                pl::sub(pl::col_expand_mul(q_lo, cos_lo), pl::col_expand_mul(q_hi, sin_lo)), pl::BF16);
                            auto rot_hi_bf16 = pl::cast(
                                pl::add(pl::col_expand_mul(q_hi, cos_hi), pl::col_expand_mul(q_lo, sin_hi)), pl::BF16);
                            all_q_padded = pl::assemble(all_q_padded, rot_lo_bf16, {ki * Q_HEAD_PAD + qi, 0});
                            all_q_padded = pl::assemble(all_q_padded, rot_hi_bf16, {ki * Q_HEAD_PAD + qi, half_dim});
                        });
                    });
                }

                auto attn_row = pl::create_tensor({1, hidden}, pl::BF16);

                pl::range(total_q_groups, [&](pl::index gi) {
                    const pl::index kvh = gi / q_groups;
                    const pl::index qg = gi - kvh * q_groups;
                    const pl::index q_base = kvh * q_per_kv + qg * Q_HEAD_BATCH;

                    auto q_padded = pl::slice(all_q_padded, {Q_HEAD_PAD, head_dim}, {gi * Q_HEAD_PAD, 0});

                    auto all_raw_scores = pl::create_tensor({max_ctx_blocks * Q_HEAD_PAD, SEQ_TILE}, pl::FP32);
                    auto all_exp_padded = pl::create_tensor({max_ctx_blocks * Q_HEAD_PAD, SEQ_TILE}, pl::BF16);
                    auto all_oi_tmp = pl::create_tensor({max_ctx_blocks * Q_HEAD_PAD, head_dim}, pl::FP32);
                    auto all_cur_mi = pl::create_tensor({max_ctx_blocks * Q_HEAD_BATCH, 1}, pl::FP32);
                    auto all_cur_li = pl::create_tensor({max_ctx_blocks * Q_HEAD_BATCH, 1}, pl::FP32);

                    // Stage 2: QK matmul for all active sb blocks.
                    { // pl.at(level=CORE_GROUP, optimization=chunked_loop_optimizer)
                        pl::parallel(ctx_blocks, pl::chunk(SB_BATCH), [&](pl::index sb) {
                            const pl::index s0 = sb * SEQ_TILE;
                            const pl::index cache_row0 = b * num_kv_heads * max_seq + kvh * max_seq + s0;
                            auto k_tile = pl::slice(k_cache, {SEQ_TILE, head_dim}, {cache_row0, 0});
                            auto raw_scores =
                                pl::matmul(q_padded, k_tile, pl::FP32, /*a_trans=*/false, /*b_trans=*/true);
                            all_raw_scores = pl::assemble(all_raw_scores, raw_scores, {sb * Q_HEAD_PAD, 0});
                        });
                    }

                    // Stage 3: softmax for all active sb blocks.
                    { // pl.at(level=CORE_GROUP, optimization=chunked_loop_optimizer)
                        pl::parallel(ctx_blocks, pl::chunk(SB_BATCH), [&](pl::index sb) {
                            const pl::index s0 = sb * SEQ_TILE;
                            const pl::index valid_len = pl::min(SEQ_TILE, ctx_len - s0);
                            auto scores_valid =
                                pl::slice(all_raw_scores, {Q_HEAD_BATCH, SEQ_TILE}, {sb * Q_HEAD_PAD, 0},
                                          /*valid_shape=*/{Q_HEAD_BATCH, valid_len});
                            auto scores_padded = pl::fillpad(scores_valid, pl::PadValue::min);
                            auto scores = pl::mul(scores_padded, attn_scale);
                            auto cur_mi = pl::row_max(scores);
                            auto exp_scores = pl::exp(pl::row_expand_sub(scores, cur_mi));
                            auto exp_scores_bf16 = pl::cast(exp_scores, pl::BF16);
                            auto cur_li = pl::row_sum(pl::cast(exp_scores_bf16, pl::FP32));
                            all_exp_padded = pl::assemble(all_exp_padded, exp_scores_bf16, {sb * Q_HEAD_PAD, 0});
                            all_cur_mi = pl::assemble(all_cur_mi, cur_mi, {sb * Q_HEAD_BATCH, 0});
                            all_cur_li = pl::assemble(all_cur_li, cur_li, {sb * Q_HEAD_BATCH, 0});
                        });
                    }

                    // Stage 4: SV matmul for all active sb blocks.
                    { // pl.at(level=CORE_GROUP, optimization=chunked_loop_optimizer)
                        pl::parallel(ctx_blocks, pl::chunk(SB_BATCH), [&](pl::index sb) {
                            const pl::index s0 = sb * SEQ_TILE;
                            const pl::index cache_row0 = b * num_kv_heads * max_seq + kvh * max_seq + s0;
                            auto exp_tile = pl::slice(all_exp_padded, {Q_HEAD_PAD, SEQ_TILE}, {sb * Q_HEAD_PAD, 0});
                            auto v_tile = pl::slice(v_cache, {SEQ_TILE, head_dim}, {cache_row0, 0});
                            auto oi_tmp = pl::matmul(exp_tile, v_tile, pl::FP32);
                            all_oi_tmp = pl::assemble(all_oi_tmp, oi_tmp, {sb * Q_HEAD_PAD, 0});
                        });
                    }

                    // Stage 5a: initialize online-softmax accumulators.
                    pl::Tensor<float> oi, li, mi;
                    { // pl.at(level=CORE_GROUP)
                        oi = pl::full({Q_HEAD_BATCH, head_dim}, pl::FP32, 0.0);
                        auto li_flat = pl::full({1, Q_HEAD_BATCH}, pl::FP32, 0.0);
                        li = pl::reshape(li_flat, {Q_HEAD_BATCH, 1});
                        auto mi_flat = pl::full({1, Q_HEAD_BATCH}, pl::FP32, 0.0);
                        mi = pl::reshape(mi_flat, {Q_HEAD_BATCH, 1});
                    }

                    // Stage 5b: accumulate online softmax across active sb blocks.
                    pl::range(0, ctx_blocks, SB_BATCH, [&](pl::index sb0) {
                        // pl.at(level=CORE_GROUP)
                        pl::range(SB_BATCH, [&](pl::index si) {
                            const pl::index sb = sb0 + si;
                            if (sb < ctx_blocks) {
                                auto oi_tmp_valid =
                                    pl::slice(all_oi_tmp, {Q_HEAD_BATCH, head_dim}, {sb * Q_HEAD_PAD, 0});
                                auto cur_mi = pl::slice(all_cur_mi, {Q_HEAD_BATCH, 1}, {sb * Q_HEAD_BATCH, 0});
                                auto cur_li = pl::slice(all_cur_li, {Q_HEAD_BATCH, 1}, {sb * Q_HEAD_BATCH, 0});
                                if (sb == 0) {
                                    oi = oi_tmp_valid;
                                    li = cur_li;
                                    mi = cur_mi;
                                } else {
                                    auto mi_new = pl::maximum(mi, cur_mi);
                                    auto alpha = pl::exp(pl::sub(mi, mi_new));
                                    auto beta = pl::exp(pl::sub(cur_mi, mi_new));
                                    li = pl::add(pl::mul(alpha, li), pl::mul(beta, cur_li));
                                    oi = pl::add(pl::row_expand_mul(oi, alpha), pl::row_expand_mul(oi_tmp_valid, beta));
                                    mi = mi_new;
                                }
                            }
                        });
                    });

                    // Finalize ctx = oi / li and write back with single assemble.
                    { // pl.at(level=CORE_GROUP)
                        auto ctx = pl::row_expand_div(oi, li);
                        auto ctx_flat = pl::reshape(ctx, {1, Q_HEAD_BATCH * head_dim});
                        auto ctx_flat_bf16 = pl::cast(ctx_flat, pl::BF16);
                        attn_row = pl::assemble(attn_row, ctx_flat_bf16, {0, q_base * head_dim});
                    }
                });

                // Write the attention row back to GM.
                attn_out = pl::assemble(attn_out, attn_row, {b, pos, 0});
            });
        });
    });

    return attn_out;
}

} // namespace qwen3_scope2
