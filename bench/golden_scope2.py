"""A hand-written golden of the seed program (Qwen3 prefill scope 2) in the style pypto-lib's
goldens are written: a loop over batches, then over KV heads (each a group of query heads), each
step a few vectorised torch ops over all of the batch's positions; fp32 math with the program's
bf16 rounding points (K/V cache entries and RoPE'd Q in bf16, exp rounded to bf16 before the
sums), plain causal softmax instead of the program's tiled online softmax.

It is the baseline issue 12 sets for ptoref's op-by-op path ("checked op by op <= the
hand-written torch golden"): what a user would otherwise wait for. It is not bit-exact to ptoref
(another summation order and exp); bench/compare_torch.py reports how close it is.
"""

import math

import torch


def prefill_scope2(q_proj, k_proj, v_proj, seq_lens, rope_cos, rope_sin, k_cache, v_cache, attn_out,
                   num_heads, num_kv_heads, head_dim):
    """Updates k_cache/v_cache (bf16) and attn_out (bf16) in place."""
    batch, max_seq, _ = q_proj.shape
    D, KV, H = head_dim, num_kv_heads, num_heads
    group = H // KV
    half = D // 2
    scale = 1.0 / math.sqrt(D)
    for b in range(batch):
        L = int(seq_lens[b])
        if L <= 0:
            continue
        cos, sin = rope_cos[:L], rope_sin[:L]

        def rope(x):  # [L, n, D] fp32
            lo, hi = x[..., :half], x[..., half:]
            c, s = cos[:, None, :], sin[:, None, :]
            return torch.cat([lo * c[..., :half] - hi * s[..., :half], hi * c[..., half:] + lo * s[..., half:]], -1)

        k = rope(k_proj[b, :L].view(L, KV, D)).to(torch.bfloat16)
        v = v_proj[b, :L].view(L, KV, D).to(torch.bfloat16)
        q = rope(q_proj[b, :L].view(L, H, D)).to(torch.bfloat16)
        causal = torch.ones(L, L, dtype=torch.bool).tril()
        for kvh in range(KV):
            base = (b * KV + kvh) * max_seq
            k_cache[base:base + L] = k[:, kvh]
            v_cache[base:base + L] = v[:, kvh]
            keys = k_cache[base:base + L].float()  # [L, D]
            values = v_cache[base:base + L].float()
            qg = q[:, kvh * group:(kvh + 1) * group].float()  # [L, group, D]
            scores = torch.einsum("lgd,kd->glk", qg, keys) * scale  # [group, L, L]
            scores = scores.masked_fill(~causal, float("-inf"))
            p = torch.exp(scores - scores.amax(dim=-1, keepdim=True)).to(torch.bfloat16).float()
            ctx = (p @ values) / p.sum(dim=-1, keepdim=True)  # [group, L, D]
            attn_out[b, :L, kvh * group * D:(kvh + 1) * group * D] = ctx.transpose(0, 1).reshape(L, group * D).to(
                torch.bfloat16)
    return attn_out
