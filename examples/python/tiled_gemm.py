"""Tiled GEMM with a bias row (ptoref's own example, HEAD style): `with pl.spmd` launches one
block per output tile, subscripts slice and assemble, and a data-dependent `if` starts the
k-chain with pl.matmul and continues it with pl.matmul_acc. The row-sum tail uses a loop with
init_values / pl.yield_.

    ptoref run examples/python/tiled_gemm.py [--set M=64]
"""
import pypto.language as pl

M = 64
N = 96
K = 80
TM = 32
TN = 32
TK = 16
N_TILES = (N + TN - 1) // TN
M_TILES = M // TM


@pl.jit.inline
def tile_product(a, b, row0, col0, cols):
    acc = None
    for k0 in pl.range(0, K, TK):
        a_tile = a[row0 : row0 + TM, k0 : k0 + TK]
        b_tile = pl.slice(b, [TK, TN], [k0, col0], valid_shape=[TK, cols])
        if k0 == 0:
            acc = pl.matmul(a_tile, pl.fillpad(b_tile), out_dtype=pl.FP32)
        else:
            acc = pl.matmul_acc(acc, a_tile, pl.fillpad(b_tile))
    return acc


@pl.jit
def tiled_gemm(
    a: pl.Tensor[[M, K], pl.BF16],
    b: pl.Tensor[[K, N], pl.BF16],
    bias: pl.Tensor[[1, N], pl.FP32],
    c: pl.Out[pl.Tensor[[M, N], pl.FP32]],
    row_sums: pl.Out[pl.Tensor[[M, 1], pl.FP32]],
):
    with pl.spmd(M_TILES * N_TILES, name_hint="gemm_tiles"):
        blk = pl.tile.get_block_idx()
        row0 = (blk // N_TILES) * TM
        col0 = (blk % N_TILES) * TN
        cols = pl.min(TN, N - col0)
        acc = tile_product(a, b, row0, col0, cols)
        out = pl.col_expand_add(acc, pl.fillpad(pl.slice(bias, [1, TN], [0, col0], valid_shape=[1, cols])))
        c[row0 : row0 + TM, col0 : col0 + TN] = pl.slice(out, [TM, TN], [0, 0], valid_shape=[TM, cols])
    for r in pl.parallel(0, M, TM):
        total = pl.full([TM, 1], dtype=pl.FP32, value=0.0)
        for j, (part,) in pl.range(N_TILES, init_values=(total,)):
            cols = pl.min(TN, N - j * TN)
            block = pl.fillpad(pl.slice(c, [TM, TN], [r, j * TN], valid_shape=[TM, cols]))
            (total,) = pl.yield_(pl.add(part, pl.row_sum(block)))
        row_sums[r : r + TM, :] = total
    return c, row_sums


def build_specs():
    import torch
    from golden import TensorSpec

    g = torch.Generator().manual_seed(11)
    return [
        TensorSpec("a", [M, K], torch.bfloat16, init_value=torch.rand(M, K, generator=g) - 0.5),
        TensorSpec("b", [K, N], torch.bfloat16, init_value=torch.rand(K, N, generator=g) - 0.5),
        TensorSpec("bias", [1, N], torch.float32, init_value=torch.rand(1, N, generator=g)),
        TensorSpec("c", [M, N], torch.float32, is_output=True),
        TensorSpec("row_sums", [M, 1], torch.float32, is_output=True),
    ]


def golden(t):
    c = t["a"].float() @ t["b"].float() + t["bias"]
    t["c"][:] = c
    t["row_sums"][:] = c.sum(dim=1, keepdim=True)


if __name__ == "__main__":
    from golden import run_jit

    result = run_jit(fn=tiled_gemm, specs=build_specs(), golden_fn=golden, rtol=1e-4, atol=1e-4)
    if not result.passed:
        print(result.error)
        raise SystemExit(1)
