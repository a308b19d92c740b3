"""The new element types through the front end: pl dtype names, numpy and torch round trips,
.npy files numpy reads, and every cast / integer op giving the C++ bits (dtype_bits writes the
inputs and the C++ digests; the same ops run here through ptoref.language)."""
import os

import numpy as np
import pytest
import torch

import ptoref
from ptoref import _core
from ptoref import language as pl
from ptoref._tensor import Tensor
from ptoref.harness import _bridge
from conftest import cpp_and_python_digests

BIN = os.environ.get("PTOREF_DTYPE_BITS_BIN")
MODES = ["none", "rint", "round", "floor", "ceil", "trunc", "odd"]
NAMES = ["FP32", "BF16", "FP16", "INT32", "INT8", "INT64", "UINT8", "UINT32", "FP8E4M3FN", "FP8E5M2"]
SITE = _core.Site("test_dtypes.py", 1, "")


def test_every_dtype_has_a_core_type():
    for n in NAMES:
        d = getattr(pl, n)
        assert d.core is not None, n
        assert d.core.name == n
    assert pl.INT16.core is None  # still a name only


@pytest.mark.parametrize(
    "name,np_dtype", [("INT8", np.int8), ("INT64", np.int64), ("UINT8", np.uint8), ("UINT32", np.uint32)]
)
def test_numpy_integers_round_trip_zero_copy(name, np_dtype):
    info = np.iinfo(np_dtype)
    a = np.array([[info.min, -1 if info.min < 0 else 1, 0], [1, info.max - 1, info.max]], dtype=np_dtype)
    t = ptoref.tensor(a)  # the dtype follows numpy's
    assert t.dtype is getattr(pl, name)
    out = t.numpy()
    assert out.dtype == np_dtype
    assert np.array_equal(out, a)
    assert t.numpy().ctypes.data == out.ctypes.data  # a view of the buffer, not a copy
    with pytest.raises(ptoref.Error, match="cannot hold"):
        ptoref.tensor(a.astype(np.float32), dtype=getattr(pl, name))


def test_int64_read_is_exact():
    t = ptoref.tensor(np.array([-(1 << 63), (1 << 63) - 1, (1 << 53) + 1], dtype=np.int64))
    assert t[0] == -(1 << 63)
    assert t[1] == (1 << 63) - 1
    assert t[2] == (1 << 53) + 1
    assert isinstance(t[2], int)


@pytest.mark.parametrize("name", ["FP8E4M3FN", "FP8E5M2"])
def test_fp8_travels_as_uint8_bits(name):
    bits = np.arange(256, dtype=np.uint8).reshape(16, 16)
    t = ptoref.tensor(bits, dtype=getattr(pl, name))
    out = t.numpy()
    assert out.dtype == np.uint8
    assert np.array_equal(out, bits)
    # The widening to FP32 is the C++ one (1.0 is 0x38 / 0x3c).
    one = 0x38 if name == "FP8E4M3FN" else 0x3C
    f = pl.cast(ptoref.tensor(np.array([one], dtype=np.uint8), dtype=getattr(pl, name)), pl.FP32)
    assert f.numpy()[0] == 1.0


def test_torch_bridge():
    for dt, np_dt in ((torch.int8, np.int8), (torch.int64, np.int64), (torch.uint8, np.uint8)):
        x = torch.tensor([[-3, 5], [7, 100]]).to(dt) if dt != torch.uint8 else torch.tensor([[3, 250]], dtype=dt)
        t = ptoref.tensor(x)
        assert t.numpy().dtype == np_dt
        back = ptoref.to_torch(t)
        assert back.dtype == dt
        assert torch.equal(back, x)
    # torch 1.13 has no uint32 / float8: UINT32 comes back as int64 values, FP8 as uint8 bits.
    u = ptoref.tensor(np.array([0, 4294967295], dtype=np.uint32))
    tu = ptoref.to_torch(u)
    if getattr(torch, "uint32", None) is None:
        assert tu.dtype == torch.int64
        assert tu.tolist() == [0, 4294967295]
    f8 = ptoref.tensor(np.array([0x38, 0x7F], dtype=np.uint8), dtype=pl.FP8E4M3FN)
    tf = _bridge.to_torch(f8)
    if getattr(torch, "float8_e4m3fn", None) is None:
        assert tf.dtype == torch.uint8
        assert tf.tolist() == [0x38, 0x7F]


@pytest.mark.parametrize("name,descr", [("INT8", "|i1"), ("INT64", "<i8"), ("UINT8", "|u1"), ("UINT32", "<u4"),
                                        ("FP8E4M3FN", "|u1"), ("FP8E5M2", "|u1")])
def test_npy_files_numpy_reads(tmp_path, name, descr):
    d = getattr(pl, name)
    bits = np.arange(24, dtype=np.uint8).reshape(4, 6) * 9
    arr = bits if name.startswith("FP8") else bits.astype(np.dtype(descr)) - (5 if name.startswith("INT") else 0)
    t = ptoref.tensor(arr, dtype=d)
    path = str(tmp_path / "x.npy")
    _core.save_npy(path, t._t, SITE)
    back = np.load(path)
    assert back.dtype == np.dtype(descr)
    assert np.array_equal(back, arr)
    again = Tensor(_core.load_npy(path, d.core, SITE))
    assert again.digest() == t.digest()


def test_errors_name_the_op_and_dtype():
    f8 = ptoref.tensor(np.zeros(4, dtype=np.uint8), dtype=pl.FP8E5M2)
    with pytest.raises(ptoref.Error, match="pl.add: not defined for FP8E5M2 tensors"):
        pl.add(f8, f8)
    with pytest.raises(ptoref.Error, match="pl.row_sum: not defined for FP8E5M2"):
        pl.row_sum(pl.reshape(f8, [2, 2]))
    with pytest.raises(ptoref.Error, match="pl.exp"):
        pl.exp(f8)
    u8 = ptoref.tensor(np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ptoref.Error, match="pl.matmul: not defined for UINT8"):
        pl.matmul(u8, u8, out_dtype=pl.INT32)
    i8 = ptoref.tensor(np.ones((2, 2), dtype=np.int8))
    with pytest.raises(ptoref.Error, match="pass out_dtype=pl.INT32 for INT8"):
        pl.matmul(i8, i8)
    assert pl.matmul(i8, i8, out_dtype=pl.INT32).numpy().tolist() == [[2, 2], [2, 2]]
    with pytest.raises(ptoref.Error, match="integer division by zero"):
        pl.div(i8, pl.full([2, 2], pl.INT8, 0))
    with pytest.raises(ptoref.Error, match="out of range for INT8"):
        pl.full([2], pl.INT8, 300)
    with pytest.raises(ptoref.Error, match="INT64 tensor takes an integer value"):
        pl.full([2], pl.INT64, 1.5)


def test_mixed_integer_dtypes_promote_as_pypto():
    i8 = ptoref.tensor(np.array([100, -100], dtype=np.int8))
    i32 = ptoref.tensor(np.array([1000, 1], dtype=np.int32))
    r = pl.add(i8, i32)
    assert r.dtype is pl.INT32
    assert r.numpy().tolist() == [1100, -99]
    f = pl.add(i8, ptoref.tensor(np.array([0.5, 0.5], dtype=np.float32)))
    assert f.dtype is pl.FP32
    assert f.numpy().tolist() == [100.5, -99.5]


def python_digests(d):
    def load(n):
        return Tensor(_core.load_npy(os.path.join(d, n + ".npy"), getattr(pl, n).core, SITE))

    out = {}
    for fn in NAMES:
        x = load(fn)
        for tn in NAMES:
            for m in MODES:
                out[f"cast/{fn}-{tn}/{m}"] = pl.cast(x, getattr(pl, tn), mode=m)
        if fn in ("INT32", "INT8", "INT64", "UINT8", "UINT32"):
            y = pl.transpose(x, 0, 1)
            for op in ("add", "sub", "mul", "maximum", "minimum"):
                out[f"{op}/{fn}"] = getattr(pl, op)(x, y)
            out[f"neg/{fn}"], out[f"abs/{fn}"] = pl.neg(x), pl.abs(x)
            out[f"div/{fn}"] = pl.div(x, pl.full([16, 16], getattr(pl, fn), 3))
            for op in ("row_sum", "row_max", "row_min"):
                out[f"{op}/{fn}"] = getattr(pl, op)(x)
            out[f"fillpad_min/{fn}"] = pl.fillpad(pl.slice(x, [16, 16], [0, 0], valid_shape=[5, 7]),
                                                  pad_value=pl.PadValue.min)
        if fn == "INT8":
            out["matmul/INT8-INT32"] = pl.matmul(x, x, out_dtype=pl.INT32)
            out["matmul/INT8-INT32-bt"] = pl.matmul(x, x, out_dtype=pl.INT32, b_trans=True)
        if fn.startswith("FP8"):
            out[f"matmul/{fn}-FP32"] = pl.matmul(x, pl.transpose(x, 0, 1), out_dtype=pl.FP32)
    return {k: v.digest() for k, v in out.items()}


@pytest.mark.skipif(not BIN, reason="dtype_bits is built with the tests (PTOREF_DTYPE_BITS_BIN)")
def test_every_cast_and_integer_op_has_the_c_plus_plus_bits(tmp_path):
    cpp, py = cpp_and_python_digests(BIN, tmp_path, python_digests)
    assert sorted(py) == sorted(cpp)
    differ = [k for k in cpp if cpp[k] != py[k]]
    assert not differ, differ[:10]
    assert len(cpp) > 700
