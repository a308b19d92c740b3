"""The batched, bias and gemv matmuls, transpose_view and the partly valid reshape through
ptoref.language: the same bits as the C++ ops (op_bits_matmul2), pypto's call forms and errors."""
import os

import numpy as np
import pytest

import ptoref
from ptoref import _core
from ptoref import language as pl
from ptoref._tensor import Tensor, Tile
from conftest import cpp_and_python_digests

BIN = os.environ.get("PTOREF_OP_BITS_MATMUL2_BIN")


def t(arr, dtype=pl.FP32):
    np_dtype = {pl.FP32: np.float32, pl.INT32: np.int32, pl.INT8: np.int8}[dtype]
    return ptoref.tensor(np.asarray(arr, dtype=np_dtype), dtype, "")


def python_digests(d):
    site = _core.Site("test_ops_matmul2.py", 1, "")

    def load(name, dtype):
        return Tensor(_core.load_npy(os.path.join(d, name + ".npy"), dtype, site))

    F, I8 = _core.DType.FP32, _core.DType.INT8
    a, b, bias, v = load("a", F), load("b", F), load("bias", F), load("v", F)
    a8, b8 = load("a8", I8), load("b8", I8)
    out = {}
    out["batch_matmul/FP32"] = pl.batch_matmul(a, b)
    ab, bb = pl.cast(a, pl.BF16, mode="rint"), pl.cast(b, pl.BF16, mode="rint")
    out["batch_matmul/BF16"] = pl.tile.batch_matmul(ab, bb)
    out["matmul/rank4/BF16/b_trans"] = pl.matmul(ab, pl.transpose(bb, 1, 2), b_trans=True)
    out["matmul/rank4/FP32/a_trans"] = pl.matmul(pl.transpose(a, 2, 3), b, out_dtype=pl.FP32, a_trans=True)
    acc = pl.batch_matmul(pl.slice(a, [2, 1, 4, 16], [0, 0, 0, 0]), pl.slice(b, [3, 16, 24], [0, 0, 0]))
    out["batch_matmul_acc"] = pl.tile.batch_matmul_acc(acc, pl.slice(a, [2, 1, 4, 24], [0, 0, 0, 16]),
                                                       pl.slice(b, [3, 24, 24], [0, 16, 0]))
    b2 = pl.reshape(pl.slice(b, [1, 40, 24], [1, 0, 0]), [40, 24])
    a2 = pl.reshape(pl.slice(a, [1, 1, 4, 40], [1, 0, 0, 0]), [4, 40])
    out["matmul_bias/FP32"] = pl.tile.matmul_bias(a2, b2, bias)
    out["matmul_bias/INT8"] = pl.matmul_bias(a8, b8, pl.cast(pl.slice(bias, [1, 16], [0, 0]), pl.INT32, mode="rint"))
    g = pl.tile.gemv(v, b2)
    out["gemv"] = g
    out["gemv_acc"] = pl.tile.gemv_acc(g, v, b2, acc_phase="final")
    out["gemv_bias"] = pl.gemv_bias(v, b2, bias, acc_phase="partial")
    out["gemv/INT8"] = pl.gemv(a8, b8)
    out["transpose_view/matmul"] = pl.matmul(a2, pl.tile.transpose_view(pl.tile.transpose_view(b2)), out_dtype=pl.FP32)
    out["reshape/partly_valid"] = pl.reshape(pl.slice(b2, [40, 24], [0, 0], valid_shape=[3, 24]), [10, 4, 24])
    return {k: x.digest() for k, x in out.items()}


@pytest.mark.skipif(not BIN, reason="op_bits_matmul2 is built with the tests (PTOREF_OP_BITS_MATMUL2_BIN)")
def test_every_matmul2_op_has_the_c_plus_plus_bits(tmp_path):
    cpp, py = cpp_and_python_digests(BIN, tmp_path, python_digests)
    assert sorted(py) == sorted(cpp)
    differ = [k for k in cpp if cpp[k] != py[k]]
    assert not differ, differ


def test_shapes_dtypes_and_values():
    a = t(np.arange(12).reshape(2, 2, 3))
    b = t(np.ones((3, 4)))
    c = pl.batch_matmul(a, b)
    assert c.shape == [2, 2, 4] and c.dtype is pl.FP32
    assert c.numpy()[:, :, 0].tolist() == [[3, 12], [21, 30]]
    # pl.matmul of rank > 2: the operands' dtype without out_dtype, as in 2-D.
    h = pl.matmul(pl.cast(a, pl.BF16), pl.cast(b, pl.BF16))
    assert h.dtype is pl.BF16 and h.shape == [2, 2, 4]
    i = pl.batch_matmul(t([[1, 2]], pl.INT8), t([[3], [4]], pl.INT8))
    assert i.dtype is pl.INT32 and i.numpy().tolist() == [[11]]
    g = pl.gemv(t([[1, 2, 3]]), t(np.ones((3, 5))))
    assert g.shape == [16, 5] and g.valid_shape == [1, 5]
    assert pl.fillpad(g).numpy()[0].tolist() == [6.0] * 5 and pl.fillpad(g).numpy()[1:].sum() == 0
    mb = pl.matmul_bias(t([[1, 2]]), t([[1], [1]]), t([[0.5]]))
    assert mb.numpy().tolist() == [[3.5]]
    # transpose_view keeps a tile a tile (pl.matmul of two tiles then yields the accumulator).
    x = pl.full([4, 8], pl.BF16, 1.0)
    tile = Tile(x._t)
    tv = pl.tile.transpose_view(tile)
    assert isinstance(tv, Tile) and tv.shape == [8, 4]
    assert pl.matmul(tile, tv).dtype is pl.FP32
    # The gate.py pattern: a [8, 1] row_sum result with valid [1, 1] reshapes.
    s = pl.slice(t(np.arange(8).reshape(8, 1)), [8, 1], [0, 0], valid_shape=[1, 1])
    assert pl.reshape(s, [8, 1]).valid_shape == [1, 1]
    assert pl.reshape(s, [1, 8]).valid_shape == [1, 1]


def test_errors_name_the_op_and_the_site():
    a = t(np.ones((2, 2, 3)))
    with pytest.raises(ptoref.Error, match=r"pl::batch_matmul.*K mismatch.*test_ops_matmul2.py:\d+"):
        pl.batch_matmul(a, t(np.ones((2, 4))))
    with pytest.raises(ptoref.Error, match=r"batch dims.*do not broadcast"):
        pl.matmul(a, t(np.ones((3, 3, 4))))
    with pytest.raises(ptoref.Error, match=r"pl.batch_matmul: operands have different dtypes"):
        pl.batch_matmul(a, pl.cast(a, pl.BF16))
    with pytest.raises(ptoref.Error, match=r"pl.batch_matmul_acc: the accumulator is BF16"):
        pl.batch_matmul_acc(pl.full([2, 2, 3], pl.BF16, 0.0), a, t(np.ones((3, 3))))
    with pytest.raises(ptoref.Error, match=r"pl::matmul_bias.*bias is \[2, 1\]"):
        pl.matmul_bias(t([[1, 2]]), t([[1], [1]]), t([[0.5], [1]]))
    with pytest.raises(ptoref.Error, match=r"pl.matmul_bias: the bias is INT32"):
        pl.matmul_bias(t([[1, 2]]), t([[1], [1]]), t([[1]], pl.INT32))
    with pytest.raises(ptoref.Error, match=r"pl.gemv: acc_phase \"later\""):
        pl.gemv(t([[1.0]]), t([[1.0]]), acc_phase="later")
    with pytest.raises(ptoref.Error, match=r"pl.gemv: not defined for INT32"):
        pl.gemv(t([[1]], pl.INT32), t([[1]], pl.INT32))
    with pytest.raises(ptoref.Error, match=r"pl::gemv.*exactly one row"):
        pl.gemv(t(np.ones((2, 3))), t(np.ones((3, 3))))
    with pytest.raises(ptoref.Error, match=r"transpose_view.*at least 2 dims.*test_ops_matmul2.py:\d+"):
        pl.tile.transpose_view(t([1.0, 2.0]))
    s = pl.slice(t(np.ones((4, 6))), [4, 6], [0, 0], valid_shape=[2, 5])
    with pytest.raises(ptoref.Error, match=r"pl::reshape.*partially valid.*top-left box.*test_ops_matmul2.py:\d+"):
        pl.reshape(s, [24])
    with pytest.raises(ptoref.Unsupported, match="init_cond"):
        pl.matmul_acc(pl.full([2, 2, 4], pl.FP32, 0.0), a, t(np.ones((3, 4))), init_cond=True)
