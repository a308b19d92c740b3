"""Every op through the extension gives the same bits as the C++ op: op_bits (C++) writes fixed
inputs and the digests of every op on them; the same ops run here through ptoref.language on
the same files."""
import os

import pytest

from ptoref import _core
from ptoref import language as pl
from ptoref._tensor import Tensor
from conftest import cpp_and_python_digests

BIN = os.environ.get("PTOREF_OP_BITS_BIN")
MODES = ["none", "rint", "round", "floor", "ceil", "trunc", "odd"]


def python_digests(d):
    site = _core.Site("test_core_bits.py", 1, "")

    def load(name, dtype):
        return Tensor(_core.load_npy(os.path.join(d, name + ".npy"), dtype, site))

    F, I = _core.DType.FP32, _core.DType.INT32
    a, b, vr, vc, ma, mb = (load(n, F) for n in ("a", "b", "vr", "vc", "ma", "mb"))
    ia, ib = load("ia", I), load("ib", I)
    abf, bbf = pl.cast(a, pl.BF16, mode="rint"), pl.cast(b, pl.BF16, mode="rint")
    mabf, mbbf = pl.cast(ma, pl.BF16, mode="rint"), pl.cast(mb, pl.BF16, mode="rint")
    a16, b16 = pl.cast(a, pl.FP16), pl.cast(b, pl.FP16)
    out = {}
    for name in ("add", "sub", "mul", "div", "maximum", "minimum"):
        op = getattr(pl, name)
        out[f"{name}/FP32"] = op(a, b)
        out[f"{name}/BF16"] = op(abf, bbf)
        out[f"{name}/FP16"] = op(a16, b16)
        out[f"{name}/INT32"] = op(ia, ib)
        out[f"{name}_scalar/FP32"] = op(a, 0.3)
        out[f"{name}_scalar/INT32"] = op(ia, 5)
    for name in ("exp", "log", "sqrt", "rsqrt", "recip", "neg", "abs"):
        op = getattr(pl, name)
        out[f"{name}/FP32"], out[f"{name}/BF16"], out[f"{name}/FP16"] = op(a), op(abf), op(a16)
    out["rsqrt_hp/FP32"] = pl.rsqrt(a, high_precision=True)
    out["rsqrt_hp/BF16"] = pl.rsqrt(abf, high_precision=True)
    out["neg/INT32"], out["abs/INT32"] = pl.neg(ia), pl.abs(ia)
    for name in ("row_expand_add", "row_expand_sub", "row_expand_mul", "row_expand_div"):
        out[f"{name}/FP32"] = getattr(pl, name)(a, vr)
    for name in ("col_expand_add", "col_expand_sub", "col_expand_mul", "col_expand_div"):
        out[f"{name}/FP32"] = getattr(pl, name)(a, vc)
    out["row_max/FP32"], out["row_min/FP32"], out["row_sum/FP32"] = pl.row_max(a), pl.row_min(a), pl.row_sum(a)
    out["row_sum/BF16"] = pl.row_sum(abf)
    for m in MODES:
        out[f"cast/FP32-BF16/{m}"] = pl.cast(a, pl.BF16, mode=m)
        out[f"cast/FP32-FP16/{m}"] = pl.cast(a, pl.FP16, mode=m)
        out[f"cast/FP32-INT32/{m}"] = pl.cast(b, pl.INT32, mode=m)
        out[f"cast/INT32-FP32/{m}"] = pl.cast(ia, pl.FP32, mode=m)
        out[f"cast/INT32-BF16/{m}"] = pl.cast(ia, pl.BF16, mode=m)
        out[f"cast/BF16-FP32/{m}"] = pl.cast(abf, pl.FP32, mode=m)
    out["matmul/BF16-FP32"] = pl.matmul(mabf, mbbf, out_dtype=pl.FP32)
    out["matmul/BF16-BF16"] = pl.matmul(mabf, mbbf)
    out["matmul/FP32"] = pl.matmul(ma, mb)
    out["matmul/BF16-bt"] = pl.matmul(mabf, pl.cast(pl.transpose(mb, 0, 1), pl.BF16, mode="rint"), out_dtype=pl.FP32,
                                      b_trans=True)
    out["matmul_acc/BF16"] = pl.matmul_acc(pl.matmul(mabf, mbbf, out_dtype=pl.FP32), mabf, mbbf)
    part = pl.slice(a, [8, 16], [4, 4], valid_shape=[5, 9])
    out["fillpad/zero"] = pl.fillpad(part, pad_value=pl.PadValue.zero)
    out["fillpad/min"] = pl.fillpad(part, pad_value=pl.PadValue.min)
    out["fillpad/max"] = pl.fillpad(part, pad_value=pl.PadValue.max)
    out["reshape"] = pl.reshape(pl.slice(a, [4, 24], [2, 0]), [8, 12])
    out["transpose"] = pl.transpose(a, 0, 1)
    out["concat"] = pl.concat(a, b)
    out["assemble"] = pl.assemble(pl.full([16, 24], pl.FP32, -2.5), part, [1, 2])
    out["full/BF16"] = pl.full([3, 5], pl.BF16, 0.1)
    out["write/BF16"] = pl.write(pl.full([2, 2], pl.BF16, 0.0), [1, 1], 1.0 / 3.0)
    return {k: v.digest() for k, v in out.items()}


@pytest.mark.skipif(not BIN, reason="op_bits is built with the tests (PTOREF_OP_BITS_BIN)")
def test_every_op_has_the_c_plus_plus_bits(tmp_path):
    cpp, py = cpp_and_python_digests(BIN, tmp_path, python_digests)
    assert sorted(py) == sorted(cpp)
    differ = [k for k in cpp if cpp[k] != py[k]]
    assert not differ, differ
    assert len(cpp) > 100
