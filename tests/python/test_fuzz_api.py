"""The Python API under hostile arguments: every bad shape, offset, dtype or value raises
ptoref.Error (Unsupported included) — never a segfault, never a bare TypeError/ValueError/
OverflowError. Random op sequences from a fixed seed, extreme values near 0, 2^31, 2^32, 2^62,
INT64_MAX and negatives, plus wrong types."""
import random

import pytest

import ptoref
from ptoref import language as pl

EXTREMES = [0, 1, 2, 3, -1, -2, 2**31 - 1, 2**31, 2**32, 2**62, 2**63 - 1, -(2**63), 2**64, 7, 16]
DTYPES = [pl.FP32, pl.BF16, pl.FP16, pl.INT32, pl.INT8, pl.UINT32, pl.FP8E4M3FN, pl.INT16, "FP32", None, 3]


def _dim(r):
    return r.choice(EXTREMES) if r.random() < 0.3 else r.randint(0, 6)


def _shape(r):
    n = r.choice([0, 1, 2, 2, 3, 9])
    if r.random() < 0.05:
        return r.choice(["4x4", None, 2.5, [1.5, 2], [[1]]])
    return [_dim(r) for _ in range(n)]


def _tensor(r, pool):
    if pool and r.random() < 0.7:
        return r.choice(pool)
    try:
        return pl.full([r.randint(1, 4), r.randint(1, 4)], r.choice(DTYPES[:4]), r.choice([0.0, 1.5, -2.0]))
    except ptoref.Error:
        return None


def _one_op(r, pool):
    a, b = _tensor(r, pool), _tensor(r, pool)
    op = r.randrange(20)
    if op == 0:
        return pl.create_tensor(_shape(r), dtype=r.choice(DTYPES))
    if op == 1:
        return pl.full(_shape(r), r.choice(DTYPES), r.choice([0, 1.5, float("nan"), 2**40, "x"]))
    if op == 2:
        return pl.slice(a, _shape(r), _shape(r), valid_shape=r.choice([None, _shape(r)]))
    if op == 3:
        return pl.reshape(a, _shape(r))
    if op == 4:
        return pl.assemble(a, b, _shape(r))
    if op == 5:
        return pl.read(a, _shape(r))
    if op == 6:
        return pl.write(a, _shape(r), r.choice([0, 1.5, 2**40, "v"]))
    if op == 7:
        return pl.matmul(a, b, out_dtype=r.choice(DTYPES[:5] + [None]), a_trans=r.random() < 0.5,
                         b_trans=r.random() < 0.5)
    if op == 8:
        return pl.cast(a, r.choice(DTYPES), mode=r.choice(["round", "rint", "odd", "bogus", 7]))
    if op == 9:
        return pl.add(a, r.choice([b, 1.0, 3, "s", None]))
    if op == 10:
        return pl.transpose(a, r.choice(EXTREMES), r.choice(EXTREMES))
    if op == 11:
        return pl.concat(a, b)
    if op == 12:
        return pl.fillpad(a, pad_value=r.choice([pl.PadValue.min, pl.PadValue.zero, None]))
    if op == 13:
        return pl.row_expand_mul(a, b)
    if op == 14:
        return pl.row_sum(a)
    if op == 15:
        return pl.exp(a)
    if op == 16:
        return a[r.choice(EXTREMES): r.choice(EXTREMES)] if a is not None else None
    if op == 17:
        return pl.matmul_acc(a, b, b)
    if op == 18:
        return pl.store(a, _shape(r), b)
    return pl.col_expand_div(a, b)


@pytest.fixture
def small_cap():
    ptoref.set_max_bytes(64 << 20)  # huge shapes must be refused, not allocated
    yield
    ptoref.set_max_bytes(0)


@pytest.mark.parametrize("seed", range(8))
def test_random_op_sequences_raise_only_ptoref_errors(seed, small_cap):
    r = random.Random(seed)
    pool = []
    for _ in range(400):
        try:
            out = _one_op(r, pool)
        except ptoref.Error:
            continue
        if isinstance(out, ptoref.Tensor) and len(pool) < 32:
            pool.append(out)


def test_an_allocation_over_the_cap_is_a_ptoref_error(small_cap):
    with pytest.raises(ptoref.Error, match=r"pl::full: cannot allocate 4 TiB for FP32\[1048576, 1048576\]: more than the size cap of 64 MiB"):
        pl.full([2**20, 2**20], pl.FP32, 0.0)
    with pytest.raises(ptoref.Error, match="pl::create_tensor"):
        pl.create_tensor([2**32, 2**32], dtype=pl.FP32)
