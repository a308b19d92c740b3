"""An equivalent PyTorch implementation of Qwen3 prefill scope 2 (the seed program), written the
way a PyTorch user would write an efficient golden: vectorised over positions, heads and key
tiles, bf16 where the program stores bf16, fp32 accumulation, and the program's tile structure
(64-key tiles, per-tile max, exp rounded to bf16, per-tile sums, online merge in tile order).

It is not bit-exact to ptoref (torch rounds casts to nearest-even where the DSL's default cast
rounds ties away, sums in its own order, and uses its own exp); bench/compare_torch.py measures
how close it is and how long it takes.
"""

import math

import torch

SEQ_TILE = 64
Q_HEAD_BATCH = 8


def rope(x, cos, sin):
    """x: [..., L, n, D] fp32, cos/sin: [L, D] -> RoPE'd fp32 (halves rotated)."""
    half = x.shape[-1] // 2
    lo, hi = x[..., :half], x[..., half:]
    c = cos[:, None, :]
    s = sin[:, None, :]
    rot_lo = lo * c[..., :half] - hi * s[..., :half]
    rot_hi = hi * c[..., half:] + lo * s[..., half:]
    return torch.cat([rot_lo, rot_hi], dim=-1)


def prefill_scope2(q_proj, k_proj, v_proj, seq_lens, rope_cos, rope_sin, k_cache, v_cache, attn_out,
                   num_heads, num_kv_heads, head_dim):
    """Updates k_cache/v_cache (bf16) and attn_out (bf16) in place, like the program."""
    batch, max_seq, _ = q_proj.shape
    D, KV, H = head_dim, num_kv_heads, num_heads
    scale = 1.0 / math.sqrt(D)
    for b in range(batch):
        L = int(seq_lens[b])
        if L <= 0:
            continue
        cos, sin = rope_cos[:L], rope_sin[:L]
        k = rope(k_proj[b, :L].view(L, KV, D), cos, sin).to(torch.bfloat16)  # [L, KV, D]
        v = v_proj[b, :L].view(L, KV, D).to(torch.bfloat16)
        q = rope(q_proj[b, :L].view(L, H, D), cos, sin).to(torch.bfloat16)  # [L, H, D]
        tiles = (L + SEQ_TILE - 1) // SEQ_TILE
        rows = torch.arange(L)
        keys = torch.arange(tiles * SEQ_TILE)
        for kvh in range(KV):
            base = (b * KV + kvh) * max_seq
            k_cache[base:base + L] = k[:, kvh]
            v_cache[base:base + L] = v[:, kvh]
            kt = k_cache[base:base + tiles * SEQ_TILE].float()  # [T*64, D]
            vt = v_cache[base:base + tiles * SEQ_TILE].float()
            qg = q[:, kvh * Q_HEAD_BATCH:(kvh + 1) * Q_HEAD_BATCH].float().reshape(L * Q_HEAD_BATCH, D)
            scores = (qg @ kt.T).view(L, Q_HEAD_BATCH, tiles, SEQ_TILE)  # fp32
            causal = keys.view(tiles, SEQ_TILE)[None, :, :] <= rows[:, None, None]  # [L, T, 64]
            scores = scores.masked_fill(~causal[:, None], float("-inf")) * scale
            tile_max = scores.amax(dim=-1)  # [L, 8, T]
            live = (rows[:, None] // SEQ_TILE) >= torch.arange(tiles)[None, :]  # tile t exists for row
            safe_max = torch.where(live[:, None], tile_max, torch.zeros_like(tile_max))
            p = torch.exp(scores - safe_max[..., None]).to(torch.bfloat16).float()  # [L, 8, T, 64]
            p = p * live[:, None, :, None]
            tile_sum = p.sum(dim=-1)  # [L, 8, T]
            # P @ V per tile: [L, 8, T, 64] x [T, 64, D] -> [L, 8, T, D]
            o_tile = torch.einsum("lhtk,tkd->lhtd", p, vt.view(tiles, SEQ_TILE, D))
            # Online merge in tile order.
            o = o_tile[:, :, 0]
            li = tile_sum[:, :, 0]
            mi = safe_max[:, :, 0]
            for t in range(1, tiles):
                on = live[:, t][:, None]
                cur_m, cur_l, cur_o = safe_max[:, :, t], tile_sum[:, :, t], o_tile[:, :, t]
                m_new = torch.maximum(mi, cur_m)
                alpha, beta = torch.exp(mi - m_new), torch.exp(cur_m - m_new)
                li = torch.where(on, alpha * li + beta * cur_l, li)
                o = torch.where(on[..., None], o * alpha[..., None] + cur_o * beta[..., None], o)
                mi = torch.where(on, m_new, mi)
            ctx = (o / li[..., None]).to(torch.bfloat16)  # [L, 8, D]
            attn_out[b, :L, kvh * Q_HEAD_BATCH * D:(kvh + 1) * Q_HEAD_BATCH * D] = ctx.reshape(L, Q_HEAD_BATCH * D)
    return attn_out
