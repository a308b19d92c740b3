"""The index, sort, scatter, atomic and data-movement ops through ptoref.language: the same bits as
the C++ ops (op_bits_index), pypto's call forms, enums and errors."""
import os

import numpy as np
import pytest

import ptoref
from ptoref import _core
from ptoref import language as pl
from ptoref._tensor import Tensor
from conftest import cpp_and_python_digests

BIN = os.environ.get("PTOREF_OP_BITS_INDEX_BIN")


def t(arr, dtype=pl.FP32):
    return ptoref.tensor(np.asarray(arr, dtype=np.float32 if dtype is pl.FP32 else np.int32), dtype, "")


def python_digests(d):
    site = _core.Site("test_ops_index.py", 1, "")

    def load(name, dtype):
        return Tensor(_core.load_npy(os.path.join(d, name + ".npy"), dtype, site))

    F, I = _core.DType.FP32, _core.DType.INT32
    a, m, keys = load("a", F), load("m", F), load("keys", F)
    idx, rows = load("idx", I), load("rows", I)
    P = pl.tile.MaskPattern
    out = {}
    out["arange"] = pl.arange(3, [1, 40], dtype=pl.INT32, descending=True)
    out["gather/index"] = pl.gather(a, -1, idx)
    out["gather/P1010/INT32"] = pl.gather(a, mask_pattern=P.P1010, output_dtype=pl.INT32)
    out["gather/P0001"] = pl.gather(a, mask_pattern=P.P0001)
    out["scatter/index"] = pl.scatter(a, -1, idx, pl.slice(m, [4, 48], [0, 0]))
    out["scatter/P0010"] = pl.scatter(pl.slice(m, [4, 16], [0, 0]), mask_pattern=P.P0010, dst=a)
    out["scatter_update"] = pl.scatter_update(a, -2, rows, pl.slice(m, [3, 64], [0, 0]))
    s = pl.sort32(keys, pl.arange(0, [1, 256]))
    out["sort32/FP32"] = s
    out["mrgsort/blocks"] = pl.mrgsort(s, block_len=64)
    h = pl.cast(pl.slice(keys, [1, 64], [0, 0]), pl.FP16, mode="rint")
    out["sort32/FP16"] = pl.sort32(h, pl.arange(0, [1, 64]))
    out["mrgsort/lists"] = pl.mrgsort(pl.slice(s, [1, 64], [0, 0]), pl.slice(s, [1, 128], [0, 64]),
                                      pl.slice(s, [1, 64], [0, 192]), exhausted=True)
    out["row_argmax"] = pl.row_argmax(a)
    out["col_argmin"] = pl.col_argmin(a)
    out["row_argmin/BF16"] = pl.row_argmin(pl.cast(a, pl.BF16, mode="rint"))
    acc = pl.full([4, 64], pl.FP32, 0.0)
    acc = pl.assemble(acc, m, [0, 0], atomic=pl.AtomicType.Add)
    acc = pl.assemble(acc, pl.slice(a, [2, 8], [1, 1]), [2, 3], atomic=pl.AtomicType.Add)
    out["assemble/atomic"] = acc
    accb = pl.full([4, 64], pl.BF16, 0.0)
    accb = pl.store(m, [0, 0], accb, atomic=pl.AtomicType.Add)
    accb = pl.tile.store(a, [0, 0], accb, atomic=pl.AtomicType.Add)
    out["store/atomic/BF16"] = accb
    out["set_validshape"] = pl.fillpad(pl.set_validshape(a, 3, 5))
    out["fillpad_expand"] = pl.fillpad_expand(pl.slice(a, [4, 64], [0, 0], valid_shape=[2, 7]), [5, 66],
                                              pad_value=pl.PadValue.max)
    out["expand_clone"] = pl.expand_clone(pl.reshape(pl.slice(a, [1, 64], [1, 0]), [1, 4, 16]),
                                          pl.full([2, 4, 16], pl.FP32, 0.0))
    out["reinterpret_view/BF16"] = pl.reinterpret_view(a, pl.BF16)
    out["reinterpret_view/INT32"] = pl.reinterpret_view(a, pl.INT32, shape=[8, 32])
    out["gather_row"] = pl.gather_row(pl.full([64, 3], pl.FP32, 1.0), a, [0, 2], [2, 0], [1, 64], True)
    out["create_tensor/init"] = pl.create_tensor([2, 3], pl.FP32, init_value=0.3)
    out["concat/INT32"] = pl.concat(idx, idx)
    return {k: v.digest() for k, v in out.items()}


@pytest.mark.skipif(not BIN, reason="op_bits_index is built with the tests (PTOREF_OP_BITS_INDEX_BIN)")
def test_every_index_op_has_the_c_plus_plus_bits(tmp_path):
    cpp, py = cpp_and_python_digests(BIN, tmp_path, python_digests)
    assert sorted(py) == sorted(cpp)
    differ = [k for k in cpp if cpp[k] != py[k]]
    assert not differ, differ


def test_enums_are_pyptos():
    P = pl.tile.MaskPattern
    assert (P.P0101, P.P1010, P.P0001, P.P0010, P.P0100, P.P1000, P.P1111) == (1, 2, 3, 4, 5, 6, 7)
    assert pl.AtomicType.Add != pl.AtomicType.None_
    with pytest.raises(ptoref.Unsupported):
        pl.AtomicType.Sub


def test_topk_pipeline_is_a_stable_descending_argsort():
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(1, 512)).astype(np.float32)  # many ties
    s = pl.sort32(t(x), pl.arange(0, [1, 512]))
    s = pl.mrgsort(pl.mrgsort(s, block_len=64), block_len=256)
    pairs = s[:, 0:32]
    vals = pl.gather(pairs, mask_pattern=pl.tile.MaskPattern.P0101).numpy()
    idx = pl.gather(pairs, mask_pattern=pl.tile.MaskPattern.P1010, output_dtype=pl.INT32).numpy()
    want = np.argsort(-x[0], kind="stable")[:16]
    assert idx[0].tolist() == want.tolist()
    assert vals[0].tolist() == x[0][want].tolist()


def test_gather_scatter_and_argmax_values():
    x = t(np.arange(8).reshape(2, 4))
    i = t([[3, 0], [1, 1]], pl.INT32)
    assert pl.gather(x, dim=-1, index=i).numpy().tolist() == [[3, 0], [5, 5]]
    assert pl.scatter(x, -1, i, t([[9, 8], [7, 6]])).numpy().tolist() == [[8, 1, 2, 9], [4, 6, 6, 7]]
    assert pl.row_argmax(t([[1, 3, 3], [np.nan, 5, np.nan]])).numpy().tolist() == [[1], [0]]
    assert pl.row_argmax(x).dtype is pl.INT32
    upd = pl.scatter_update(x, t([[1, 1]], pl.INT32), t([[1, 1, 1, 1], [2, 2, 2, 2]]), dim=-2)
    assert upd.numpy().tolist() == [[0, 1, 2, 3], [2, 2, 2, 2]]


def test_errors_name_the_op_and_the_site():
    x = t(np.arange(8).reshape(2, 4))
    with pytest.raises(ptoref.Error, match=r"pl::gather.*index value 4.*test_ops_index.py:\d+"):
        pl.gather(x, -1, t([[4], [0]], pl.INT32))
    with pytest.raises(ptoref.Error, match=r"pl.gather: the index must be INT32"):
        pl.gather(x, -1, x)
    with pytest.raises(ptoref.Error, match=r"mutually exclusive"):
        pl.gather(x, -1, mask_pattern=1)
    with pytest.raises(ptoref.Unsupported, match=r"compare form"):
        pl.gather(x, kvalue=1, cmp_mode="eq", out_cols=4)
    with pytest.raises(ptoref.Error, match=r"pl::scatter.*index value -1"):
        pl.scatter(x, -1, t([[-1], [0]], pl.INT32), t([[1], [1]]))
    with pytest.raises(ptoref.Error, match=r"pl::sort32.*FP32 and FP16 values only"):
        pl.sort32(pl.full([1, 32], pl.BF16, 0.0), pl.arange(0, [1, 32]))
    with pytest.raises(ptoref.Error, match=r"pl::mrgsort.*multiple of 64"):
        pl.mrgsort(pl.full([1, 256], pl.FP32, 0.0), block_len=32)
    with pytest.raises(ptoref.Error, match=r"pl.mrgsort: format 1"):
        pl.mrgsort(x, x, block_len=64)
    with pytest.raises(ptoref.Error, match=r"pl::arange.*leaves the range of INT32"):
        pl.arange(2**31 - 1, [1, 2])
    with pytest.raises(ptoref.Error, match=r"pl.arange: makes integer sequences"):
        pl.arange(0, [1, 2], dtype=pl.FP32)
    with pytest.raises(ptoref.Error, match=r"atomic must be"):
        pl.assemble(x, x, [0, 0], atomic=pl.PadValue.zero)
    with pytest.raises(ptoref.Error, match=r"pl::set_validshape.*must lie within"):
        pl.set_validshape(x, 3, 1)
    with pytest.raises(ptoref.Error, match=r"pl::create_tensor.*only 0 is accepted"):
        pl.create_tensor([1], pl.BF16, init_value=1.0)


def test_atomic_adds_of_parallel_iterations_do_not_race_but_a_plain_write_does():
    @pl.jit
    def split_k(out: pl.Out[pl.Tensor[[1, 4], pl.FP32]]):
        for i in pl.parallel(4):
            out = pl.assemble(out, pl.full([1, 4], pl.FP32, 1.0), [0, 0], atomic=pl.AtomicType.Add)
        return out

    @pl.jit
    def mixed(out: pl.Out[pl.Tensor[[1, 4], pl.FP32]]):
        for i in pl.parallel(2):
            if i == 0:
                out = pl.assemble(out, pl.full([1, 4], pl.FP32, 1.0), [0, 0], atomic=pl.AtomicType.Add)
            else:
                out = pl.assemble(out, pl.full([1, 4], pl.FP32, 1.0), [0, 0])
        return out

    c = _core.Collector()
    r = split_k(pl.full([1, 4], pl.FP32, 0.0))
    clean = c.races()
    del c
    assert clean == [] and r.numpy().tolist() == [[4, 4, 4, 4]]
    c = _core.Collector()
    mixed(pl.full([1, 4], pl.FP32, 0.0))
    races = c.races()
    del c
    assert len(races) == 1 and races[0]["kind"] == "WAW"
    assert races[0]["first"]["kind"] == "atomic_add" and "Previous atomic add" in races[0]["text"]


def test_set_validshape_widens_and_reinterpret_is_a_copy():
    x = pl.slice(t(np.arange(8).reshape(2, 4)), [2, 4], [0, 0], valid_shape=[1, 1])
    assert list(pl.set_validshape(x, 2, 4).valid_shape) == [2, 4]
    assert pl.fillpad(pl.set_validshape(x, 2, 4)).numpy().tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    f = t([[1.0, -2.0]])
    assert pl.reinterpret_view(f, pl.INT32).numpy().tolist() == [[0x3F800000, -0x40000000]]
    assert pl.reinterpret_view(f, pl.BF16).numpy().tolist() == [[0, 0x3F80, 0, 0xC000]]
