"""The elementwise, compare/select, bitwise, remainder, activation, partial, trig, expand and
column-reduction ops through ptoref.language: the same bits as the C++ ops (op_bits_elementwise
writes inputs and digests; the same ops run here on the same files), the pl / pl.tensor / pl.tile
spellings, and errors with the Python call site."""
import os

import numpy as np
import pytest

import ptoref
from ptoref import _core
from ptoref import language as pl
from ptoref._tensor import Tensor
from conftest import cpp_and_python_digests

BIN = os.environ.get("PTOREF_OP_BITS_ELEM_BIN")


def python_digests(d):
    site = _core.Site("test_ops_elementwise.py", 1, "")

    def load(name, dtype):
        return Tensor(_core.load_npy(os.path.join(d, name + ".npy"), dtype, site))

    F, I = _core.DType.FP32, _core.DType.INT32
    a, b, vr, vc = (load(n, F) for n in ("a", "b", "vr", "vc"))
    ia, ib, is_ = load("ia", I), load("ib", I), load("is", I)
    abf, bbf = pl.cast(a, pl.BF16, mode="rint"), pl.cast(b, pl.BF16, mode="rint")
    a16, b16 = pl.cast(a, pl.FP16, mode="rint"), pl.cast(b, pl.FP16, mode="rint")
    out = {}
    for c in range(6):
        out[f"cmp/FP32/{c}"] = pl.cmp(a, b, c)
        out[f"cmp/BF16/{c}"] = pl.cmp(abf, bbf, cmp_type=c)
        out[f"cmp/INT32/{c}"] = pl.tensor.cmp(ia, ib, c)
        out[f"cmps/FP32/{c}"] = pl.tile.cmps(a, 0.5, c)
        out[f"cmps/INT32/{c}"] = pl.cmps(ia, 3, c)
    mask = pl.cmp(a, b, 2)
    out["sel/FP32"] = pl.sel(mask, a, b)
    out["sel/INT32"] = pl.tile.sel(mask, ia, ib, None)
    out["sels/FP32"] = pl.sels(mask, a, None, -1.5)
    out["and/INT32"], out["or/INT32"], out["xor/INT32"] = pl.and_(ia, ib), pl.or_(ia, ib), pl.xor(ia, ib)
    out["not/INT32"] = pl.not_(ia)
    out["ands/INT32"], out["ors/INT32"], out["xors/INT32"] = pl.ands(ia, 0xFF0), pl.ors(ia, -16), pl.xors(ia, 12345)
    out["shl/INT32"], out["shr/INT32"] = pl.shl(ia, is_), pl.shr(ia, is_)
    out["shls/INT32"], out["shrs/INT32"] = pl.shls(ia, 7), pl.shr(ia, 9)
    out["fmod/FP32"], out["rem/FP32"], out["fmod/BF16"] = pl.fmod(a, b), pl.tile.rem(a, b, None), pl.fmod(abf, bbf)
    out["fmods/FP32"], out["rems/FP32"] = pl.fmods(a, 0.7), pl.rems(a, -0.7)
    out["fmod/INT32"], out["rem/INT32"], out["rems/INT32"] = pl.fmod(ia, ib), pl.rem(ia, ib), pl.rem(ia, -7)
    out["relu/FP32"], out["relu/BF16"], out["relu/INT32"] = pl.relu(a), pl.relu(abf), pl.tile.relu(ia)
    out["lrelu/FP32"], out["prelu/FP16"] = pl.lrelu(a, 0.1), pl.prelu(a16, b16)
    pa = pl.slice(a, [12, 16], [0, 0], valid_shape=[7, 9])
    out["part_add/FP32"], out["part_mul/FP32"] = pl.part_add(pa, b), pl.part_mul(a, pa)
    out["part_max/FP32"], out["part_min/FP32"] = pl.part_max(pa, b), pl.part_min(b, pa)
    out["sin/FP32"], out["cos/FP32"], out["sin/BF16"], out["cos/FP16"] = pl.sin(a), pl.cos(a), pl.sin(abf), pl.cos(a16)
    out["row_expand/FP32"], out["col_expand/FP32"] = pl.row_expand(a, vr), pl.col_expand(a, vc)
    for n in ("max", "min", "expdif"):
        out[f"row_expand_{n}/FP32"] = getattr(pl, f"row_expand_{n}")(a, vr)
        out[f"col_expand_{n}/FP32"] = getattr(pl.tensor, f"col_expand_{n}")(a, vc)
    out["expands/BF16"], out["expands/INT32"] = pl.expands(abf, 0.1), pl.expands(ia, -9)
    for n in ("sum", "max", "min", "prod"):
        out[f"col_{n}/FP32"] = getattr(pl, f"col_{n}")(a)
    out["col_sum/BF16"], out["col_sum/INT32"] = pl.col_sum(abf), pl.col_sum(ia)
    out["row_prod/FP32"], out["row_prod/FP16"], out["row_prod/INT32"] = pl.row_prod(a), pl.row_prod(a16), pl.row_prod(ia)
    out["adds/BF16"], out["muls/FP16"] = pl.adds(abf, 0.1), pl.mul(a16, 3.3)
    out["subs/BF16"], out["divs/FP16"] = pl.subs(abf, 1.0 + 2.0**-8 + 2.0**-30), pl.divs(a16, 0.3)
    out["maximums/BF16"], out["minimums/FP32"] = pl.tile.maximums(abf, 0.5), pl.minimums(a, 0.5)
    out["div_hp/FP32"] = pl.div(a, b, high_precision=True)
    out["recip_hp/FP32"] = pl.recip(a, high_precision=True)
    out["log_hp/BF16"] = pl.log(abf, high_precision=True)
    return {k: v.digest() for k, v in out.items()}


@pytest.mark.skipif(not BIN, reason="op_bits_elementwise is built with the tests (PTOREF_OP_BITS_ELEM_BIN)")
def test_every_new_op_has_the_c_plus_plus_bits(tmp_path):
    cpp, py = cpp_and_python_digests(BIN, tmp_path, python_digests)
    assert sorted(py) == sorted(cpp)
    differ = [k for k in cpp if cpp[k] != py[k]]
    assert not differ, differ


def t(values, dtype=pl.FP32):
    arr = np.asarray(values, dtype=np.int32 if dtype == pl.INT32 else np.float32)
    return ptoref.tensor(arr) if dtype in (pl.FP32, pl.INT32) else pl.cast(ptoref.tensor(arr), dtype, mode="rint")


def vals(x):
    return x.numpy().tolist()


def test_values_and_spellings():
    x, y = t([1.0, 2.0, float("nan")]), t([2.0, 2.0, 1.0])
    assert vals(pl.cmp(x, y, 2)) == [1.0, 0.0, 0.0]
    assert vals(pl.cmp(x, 2.0, 1)) == [1.0, 0.0, 1.0]
    assert vals(pl.sel(pl.cmp(x, y, 2), x, y))[:2] == [1.0, 2.0]
    assert vals(pl.sels(pl.cmp(x, y, 2), x, 9.0))[:2] == [1.0, 9.0]
    i = t([-8, 7, 1], pl.INT32)
    assert vals(pl.shr(i, 1)) == [-4, 3, 0]
    assert vals(pl.xor(i, 1)) == [-7, 6, 0]
    assert vals(pl.rem(i, 3)) == [1, 1, 1]
    assert vals(pl.fmod(i, 3)) == [-2, 1, 1]
    assert vals(pl.relu(i)) == [0, 7, 1]
    assert pl.col_sum(t([[1.0, 2.0], [3.0, 4.0]])).numpy().tolist() == [[4.0, 6.0]]
    assert pl.row_prod(t([[1.0, 2.0], [3.0, 4.0]])).numpy().tolist() == [[2.0], [12.0]]
    for ns in (pl, pl.tensor, pl.tile):
        for n in ("cmp", "sel", "xor", "and_", "shl", "fmod", "rem", "sin", "cos", "relu", "col_sum", "row_prod",
                  "row_expand", "col_expand", "expands", "part_add", "col_expand_expdif"):
            assert callable(getattr(ns, n)), (ns, n)


def test_bf16_tensor_scalar_runs_in_bf16():
    x = t([1.0, 3.0], pl.BF16)
    r = pl.adds(x, 0.1)
    assert r.dtype == pl.BF16
    # BF16(FP32(0.1)) = 0.10009765625; 1 + that rounds to 1.1015625 in BF16
    assert pl.cast(r, pl.FP32).numpy().tolist() == [1.1015625, 3.09375]


def test_errors_name_the_op_and_the_python_line():
    f, i = t([1.0, 2.0]), t([1, 2], pl.INT32)
    with pytest.raises(ptoref.Error, match=r"pl::cmp: cmp_type 7 is not a comparison .*test_ops_elementwise.py"):
        pl.cmp(f, f, 7)
    with pytest.raises(ptoref.Error, match=r"pl.xor: is defined for integer tensors, not FP32"):
        pl.xor(f, f)
    with pytest.raises(ptoref.Error, match=r"pl.sin: is defined for floating-point tensors, not INT32"):
        pl.sin(i)
    with pytest.raises(ptoref.Error, match=r"pl::shls: shift amount 32 is outside \[0, 32\)"):
        pl.shls(i, 32)
    with pytest.raises(ptoref.Error, match=r"pl::rems: integer division by zero"):
        pl.rems(i, 0)
    with pytest.raises(ptoref.Error, match=r"pl.ands: expected an integer scalar"):
        pl.ands(i, 1.5)
    with pytest.raises(ptoref.Error, match=r"integer tensor takes an integer scalar"):
        pl.cmps(i, 1.5)
    with pytest.raises(ptoref.Error, match=r"pl::part_max: the valid regions"):
        pl.part_max(pl.slice(t([[1.0, 2.0], [3.0, 4.0]]), [2, 2], [0, 0], valid_shape=[1, 2]),
                    pl.slice(t([[1.0, 2.0], [3.0, 4.0]]), [2, 2], [0, 0], valid_shape=[2, 1]))
    with pytest.raises(ptoref.Error, match=r"pl::col_sum: needs at least 2 dims"):
        pl.col_sum(f)
