"""Cache attention (ptoref's own example, b6c82cf style): per batch, append the step's K/V rows
to a shared cache, then attend one query row over the cached prefix in KEY_TILE blocks with an
online softmax. The batch loop is a pl.parallel whose iterations each own their cache rows.

    ptoref run examples/python/cache_attention.py [--set BATCH=4]
"""
import pypto.language as pl

BATCH = 2
MAX_LEN = 64
DIM = 32
KEY_TILE = 16
CACHE_ROW_OF_BATCH = MAX_LEN  # rows of the cache each batch owns (the racy variant sets 0)


def build_program(batch=BATCH, max_len=MAX_LEN, dim=DIM):
    cache_rows = batch * max_len
    scale = 1.0 / (dim ** 0.5)

    @pl.program
    class CacheAttention:
        @pl.function(type=pl.FunctionType.Opaque)
        def cache_attention(
            self,
            q: pl.Tensor[[batch, dim], pl.FP32],
            k_new: pl.Tensor[[batch, dim], pl.FP32],
            v_new: pl.Tensor[[batch, dim], pl.FP32],
            lens: pl.Tensor[[batch], pl.INT32],
            k_cache: pl.Tensor[[cache_rows, dim], pl.BF16],
            v_cache: pl.Tensor[[cache_rows, dim], pl.BF16],
            out: pl.Out[pl.Tensor[[batch, dim], pl.FP32]],
        ) -> pl.Tensor[[batch, dim], pl.FP32]:
            for b in pl.parallel(0, batch, 1):
                n = pl.tensor.read(lens, [b])  # cached rows before this step
                base = b * CACHE_ROW_OF_BATCH
                with pl.at(level=pl.Level.CORE_GROUP):
                    k_cache = pl.assemble(k_cache, pl.cast(pl.slice(k_new, [1, dim], [b, 0]), target_type=pl.BF16),
                                          [base + n, 0])
                    v_cache = pl.assemble(v_cache, pl.cast(pl.slice(v_new, [1, dim], [b, 0]), target_type=pl.BF16),
                                          [base + n, 0])
                q_row = pl.cast(pl.mul(pl.slice(q, [1, dim], [b, 0]), scale), target_type=pl.BF16)
                total = n + 1
                blocks = (total + KEY_TILE - 1) // KEY_TILE
                acc = pl.full([1, dim], dtype=pl.FP32, value=0.0)
                run_max = pl.full([1, 1], dtype=pl.FP32, value=0.0)
                run_sum = pl.full([1, 1], dtype=pl.FP32, value=0.0)
                for kb in pl.range(blocks):
                    k0 = kb * KEY_TILE
                    valid = pl.min(KEY_TILE, total - k0)
                    k_tile = pl.slice(k_cache, [KEY_TILE, dim], [base + k0, 0])
                    v_tile = pl.slice(v_cache, [KEY_TILE, dim], [base + k0, 0])
                    s = pl.matmul(q_row, k_tile, b_trans=True, out_dtype=pl.FP32)
                    s = pl.fillpad(pl.slice(s, [1, KEY_TILE], [0, 0], valid_shape=[1, valid]),
                                   pad_value=pl.PadValue.min)
                    m = pl.row_max(s)
                    if kb > 0:
                        m = pl.maximum(m, run_max)
                    p = pl.exp(pl.row_expand_sub(s, m))
                    p_bf16 = pl.cast(p, target_type=pl.BF16)
                    pv = pl.matmul(p_bf16, v_tile, out_dtype=pl.FP32)
                    l_blk = pl.row_sum(pl.cast(p_bf16, target_type=pl.FP32))
                    if kb == 0:
                        acc = pv
                        run_sum = l_blk
                    else:
                        alpha = pl.exp(pl.sub(run_max, m))
                        acc = pl.add(pl.row_expand_mul(acc, alpha), pv)
                        run_sum = pl.add(pl.mul(run_sum, alpha), l_blk)
                    run_max = m
                out = pl.assemble(out, pl.row_expand_div(acc, run_sum), [b, 0])
            return out

    return CacheAttention


def build_specs(batch=BATCH, max_len=MAX_LEN, dim=DIM):
    import torch
    from golden import TensorSpec

    g = torch.Generator().manual_seed(7)
    rows = batch * max_len
    return [
        TensorSpec("q", [batch, dim], torch.float32, init_value=torch.rand(batch, dim, generator=g) - 0.5),
        TensorSpec("k_new", [batch, dim], torch.float32, init_value=torch.rand(batch, dim, generator=g) - 0.5),
        TensorSpec("v_new", [batch, dim], torch.float32, init_value=torch.rand(batch, dim, generator=g) - 0.5),
        TensorSpec("lens", [batch], torch.int32, init_value=torch.randint(0, max_len, (batch,), generator=g,
                                                                          dtype=torch.int32)),
        TensorSpec("k_cache", [rows, dim], torch.bfloat16, init_value=torch.rand(rows, dim, generator=g) - 0.5),
        TensorSpec("v_cache", [rows, dim], torch.bfloat16, init_value=torch.rand(rows, dim, generator=g) - 0.5),
        TensorSpec("out", [batch, dim], torch.float32, is_output=True),
    ]


def golden(t):
    """Plain torch: the whole prefix at once, fp32 softmax over bf16-rounded weights."""
    import torch

    batch, dim = t["q"].shape
    k_cache, v_cache = t["k_cache"].clone(), t["v_cache"].clone()
    for b in range(batch):
        n = int(t["lens"][b])
        base = b * CACHE_ROW_OF_BATCH
        k_cache[base + n] = t["k_new"][b].to(torch.bfloat16)
        v_cache[base + n] = t["v_new"][b].to(torch.bfloat16)
        q = (t["q"][b] * (1.0 / dim ** 0.5)).to(torch.bfloat16).float()
        s = k_cache[base : base + n + 1].float() @ q
        p = torch.exp(s - s.max())
        p16 = p.to(torch.bfloat16).float()
        t["out"][b] = (p16 @ v_cache[base : base + n + 1].float()) / p16.sum()


if __name__ == "__main__":
    from golden import RunConfig, run

    result = run(build_program(), build_specs(), config=RunConfig(rtol=2e-2, atol=2e-2), golden_fn=golden)
    if not result.passed:
        print(result.error)
        raise SystemExit(1)
