"""ptoref.language and the DSL-function rewrite: each rule, the checks' Python sites, errors."""
import numpy as np
import pytest

import ptoref
from ptoref import _core
from ptoref import language as pl


def t(arr, dtype=pl.FP32, name=""):
    return ptoref.tensor(np.asarray(arr, dtype=np.float32 if dtype is pl.FP32 else np.int32), dtype, name)


def test_ops_are_the_c_plus_plus_ops():
    a = t(np.arange(12).reshape(3, 4) * 0.25)
    b = pl.add(pl.mul(a, 3.0), a)
    assert np.array_equal(b.numpy(), (np.arange(12).reshape(3, 4) * np.float32(0.25) * np.float32(3)) +
                          np.arange(12).reshape(3, 4) * np.float32(0.25))
    bf = pl.cast(a, pl.BF16, mode="round")
    assert bf.dtype is pl.BF16 and bf.numpy().dtype == np.uint16
    assert b.digest() == _core.digest(b._t)


def test_exp_of_int32_is_an_error_naming_the_site():
    x = t([[1, 2]], pl.INT32)
    with pytest.raises(ptoref.Error, match=r"pl.exp.*floating-point.*test_language.py:\d+"):
        pl.exp(x)


def test_unsupported_construct_names_itself_and_the_line():
    with pytest.raises(ptoref.Unsupported, match=r"`pl.matmul_mx`.*test_language.py:\d+"):
        pl.matmul_mx(None, None, None, None)
    with pytest.raises(ptoref.Unsupported, match=r"`pl.no_such_op`"):
        pl.no_such_op


@pl.jit
def _truncating(a: pl.Scalar[pl.INDEX], b: pl.Scalar[pl.INDEX]):
    q = a // b
    r = a % b
    q2 = a
    q2 //= b
    return q, r, q2


def test_scalar_casts_truncate_and_a_comparison_casts_to_one_or_zero():
    idx = t([[3, -1]], pl.INT32)
    assert pl.cast(pl.read(idx, [0, 0]) >= 0, pl.INT32) == 1
    assert pl.cast(pl.read(idx, [0, 1]) >= 0, pl.INT32) == 0
    assert pl.cast(2 > 1, pl.FP32) == 1.0
    assert pl.cast(-2.7, pl.INDEX) == -2 and pl.cast(7, pl.FP32) == 7.0
    with pytest.raises(ptoref.Error, match=r"pl.cast: expected a tensor or a scalar, got str.*test_language.py:\d+"):
        pl.cast("1", pl.INT32)


@pytest.mark.parametrize("a,b", [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3)])
def test_scalar_floordiv_and_mod_truncate(a, b):
    q, r, q2 = _truncating(a, b)
    assert q == int(a / b) and q2 == q
    assert r == a - int(a / b) * b


@pl.jit
def _spmd_with(out: pl.Out[pl.Tensor[[4, 2], pl.FP32]]):
    with pl.spmd(4, name_hint="rows") as tid:
        i = pl.tile.get_block_idx()
        out = pl.assemble(out, pl.full([1, 2], dtype=pl.FP32, value=float(i)), [i, 0])
    return out, tid


@pl.jit
def _spmd_for(out: pl.Out[pl.Tensor[[4, 2], pl.FP32]]):
    for i in pl.spmd(4):
        out[i : i + 1, :] = pl.full([1, 2], dtype=pl.FP32, value=float(pl.get_block_idx()))
    return out


def test_spmd_with_and_for_forms_run_each_block():
    out, tid = _spmd_with(pl.full([4, 2], pl.FP32, 0.0))
    assert np.array_equal(out.numpy()[:, 0], [0, 1, 2, 3]) and isinstance(tid, pl.TaskId)
    out2 = _spmd_for(pl.full([4, 2], pl.FP32, 0.0))
    assert np.array_equal(out2.numpy(), out.numpy())


@pl.jit
def _carried(n: pl.Scalar[pl.INDEX]):
    acc0 = 10
    for i, (acc,) in pl.range(n, init_values=(acc0,)):
        (total,) = pl.yield_(acc + i)
    return total


@pytest.mark.parametrize("n,expect", [(0, 10), (1, 10), (4, 16)])
def test_yield_binds_init_values_on_zero_trips(n, expect):
    assert _carried(n) == expect


def test_subscripts_drop_dims_and_write_in_place():
    x = t(np.arange(24).reshape(2, 3, 4))
    assert x[1, :, 2:4].shape == [3, 2]
    assert x[1, 2, 3] == 23.0
    y = pl.full([4, 4], pl.FP32, 0.0)
    y2 = ptoref._runtime.setitem(y, ptoref._runtime.key[1:3, 0:2], pl.full([2, 2], pl.FP32, 5.0))
    assert y2.numpy()[1:3, 0:2].sum() == 20 and y.numpy().sum() == 20  # the same buffer, in place


@pl.jit
def _valid_write(dst: pl.Tensor[[2, 4], pl.FP32], src: pl.Tensor[[2, 4], pl.FP32]):
    part = pl.slice(src, [2, 4], [0, 0], valid_shape=[2, 2])
    dst[0:2, 0:4] = part  # only the valid region is assembled
    return dst


def test_subscript_write_of_a_partly_valid_view_copies_its_valid_region():
    out = _valid_write(pl.full([2, 4], pl.FP32, 0.0), pl.full([2, 4], pl.FP32, 1.0))
    assert out.numpy().tolist() == [[1, 1, 0, 0], [1, 1, 0, 0]]


@pl.jit
def _tail_rows(x: pl.Tensor[[3, 8], pl.FP32], out: pl.Out[pl.Tensor[[3, 8], pl.FP32]]):
    # A fixed 4-row window over a 3-row tensor: only the rows that exist are valid.
    for r0 in pl.range(0, 3, 2):
        rows = pl.min(2, 3 - r0)
        tile = pl.slice(x, [4, 8], [r0, 0], valid_shape=[rows, 8])
        out = pl.assemble(out, pl.slice(pl.fillpad(tile), [2, 8], [0, 0], valid_shape=[rows, 8]), [r0, 0])
    return out


def test_an_overhanging_window_is_its_valid_part_plus_padding():
    x = t(np.arange(24).reshape(3, 8))
    out = _tail_rows(x, pl.full([3, 8], pl.FP32, -1.0))
    assert np.array_equal(out.numpy(), np.arange(24, dtype=np.float32).reshape(3, 8))
    part = pl.slice(x, [4, 8], [2, 0], valid_shape=[1, 8])
    assert part.shape == [4, 8] and part.valid_shape == [1, 8]
    with pytest.raises(ptoref.Error, match=r"pl::slice.*out of bounds.*clamp=True.*test_language.py:\d+"):
        pl.slice(x, [4, 8], [2, 0], valid_shape=[2, 8])
    assert pl.slice(x, [4, 8], [2, 0], valid_shape=[2, 8], clamp=True).valid_shape == [1, 8]


@pl.jit
def _typed(x: pl.Tensor[[2, 3], pl.FP32]):
    return x


def test_annotations_are_checked_at_call_time():
    _typed(pl.full([2, 3], pl.FP32, 0.0))
    with pytest.raises(ptoref.AnnotationMismatch, match=r"argument 'x'.*shape \[3, 3\]"):
        _typed(pl.full([3, 3], pl.FP32, 0.0))
    with pytest.raises(ptoref.AnnotationMismatch, match=r"dtype BF16"):
        _typed(pl.full([2, 3], pl.BF16, 0.0))


@pl.jit
def _racy(buf: pl.Tensor[[4, 4], pl.FP32]):
    for i in pl.parallel(0, 4, 1):
        buf = pl.assemble(buf, pl.full([1, 4], dtype=pl.FP32, value=1.0), [0, 0])
    return buf


def test_race_reports_name_the_python_sites():
    c = _core.Collector()
    _racy(pl.full([4, 4], pl.FP32, 0.0))
    races = c.races()
    del c
    assert races and races[0]["kind"] == "WAW"
    assert races[0]["loop_site"].startswith("test_language.py:")
    assert "pl::assemble at test_language.py:" in races[0]["text"]


@pl.jit
def _leaks_undefined(out: pl.Out[pl.Tensor[[2, 2], pl.FP32]]):
    scratch = pl.create_tensor([2, 2], dtype=pl.FP32)
    out = pl.assemble(out, scratch, [0, 0])
    return out


def test_definedness_reports_the_create_tensor_site():
    c = _core.Collector()
    out = _leaks_undefined(pl.full([2, 2], pl.FP32, 0.0))
    _core.require_defined(out._t, "out", _core.Site("t.py", 1, ""))
    undefined = c.undefined()
    del c
    assert undefined and "pl::create_tensor at test_language.py:" in undefined[0]["origin"]


def test_mixed_dtypes_promote_like_the_dsl():
    a = pl.full([2, 2], pl.FP32, 0.25)
    b = pl.cast(pl.full([2, 2], pl.FP32, 3.0), pl.BF16)
    s = pl.add(a, b)
    assert s.dtype is pl.FP32 and s.numpy().tolist() == [[3.25, 3.25], [3.25, 3.25]]
    assert pl.add(b, pl.cast(a, pl.FP16)).dtype is pl.BF16  # equal widths: the first operand's type


def test_tile_matmul_yields_the_accumulator_and_store_narrows():
    a = pl.cast(pl.full([2, 4], pl.FP32, 0.5), pl.BF16)
    ta = pl.move(pl.load(a, [0, 0], [2, 4]), target_memory=pl.MemorySpace.Left)
    tb = pl.move(pl.load(pl.transpose(a, 0, 1), [0, 0], [4, 2]), target_memory=pl.MemorySpace.Right)
    acc = pl.matmul(ta, tb)
    assert acc.dtype is pl.FP32
    assert pl.matmul(a, pl.transpose(a, 0, 1)).dtype is pl.BF16  # tensor-level: Promote(a, b)
    out = pl.store(acc, [0, 0], pl.full([2, 2], pl.BF16, 0.0))
    assert out.dtype is pl.BF16 and pl.cast(out, pl.FP32).numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_row_expand_takes_a_lower_rank_row_vector():
    x = pl.full([1, 1, 2, 3], pl.FP32, 1.0)
    v = pl.reshape(pl.full([1, 2], pl.FP32, 2.0), [2, 1])
    assert pl.row_expand_mul(x, v).shape == [1, 1, 2, 3]


def test_hints_of_both_eras_are_accepted():
    with pl.at(level=pl.Level.CORE_GROUP, optimizations=[pl.split(pl.SplitMode.UP_DOWN), pl.auto_chunk]):
        pass
    with pl.incore(), pl.auto_incore(), pl.manual_scope(), pl.cluster():
        pass
    assert pl.LoopOrigin.ChunkOuter != pl.LoopOrigin.ChunkInner
    with pytest.raises(ptoref.Unsupported, match="split_aiv"):
        pl.split_aiv(2, mode=pl.SplitMode.UP_DOWN)


def test_rank_4_matmul_is_the_batched_matmul():
    x = pl.full([1, 1, 2, 2], pl.FP32, 1.0)
    y = pl.matmul(x, x)
    assert y.shape == [1, 1, 2, 2] and y.numpy().ravel().tolist() == [2.0] * 4


def test_rsqrt_default_and_high_precision_are_the_c_plus_plus_definitions():
    x = t([[1.001, 4.0]])  # at 1.001 the two roundings of high_precision land one ulp above
    hp = pl.rsqrt(x, high_precision=True).numpy().view(np.uint32).ravel().tolist()
    cr = pl.rsqrt(x).numpy().view(np.uint32).ravel().tolist()
    assert hp[0] == cr[0] + 1 and hp[1] == cr[1] == 0x3F000000
    assert pl.recip(x, high_precision=True).digest() == pl.recip(x).digest()  # ignored on A2A3


def test_divergence_notes_reach_the_collector_once_per_site():
    c = _core.Collector()
    x = t([[5.0, 7.0, 9.0, 2.0]])
    for _ in range(3):
        pl.div(x, 3.0)
    pl.cast(x, pl.BF16, mode="odd")
    notes = c.divergences()
    del c
    assert len(notes) == 2
    assert notes[0]["where"]["site"].startswith("test_language.py:") and notes[0]["elements"] == 2
    assert "round-to-odd only for FP32 -> FP16" in notes[1]["text"]


def test_create_tensor_with_a_valid_shape_is_a_partly_valid_view():
    x = pl.create_tensor([4, 8], dtype=pl.FP32, valid_shape=[2, 8])
    assert x.shape == [4, 8] and x.valid_shape == [2, 8]
    y = pl.create_tensor([2, 2], dtype=pl.FP32, init_value=1.5)
    assert y.numpy().tolist() == [[1.5, 1.5], [1.5, 1.5]]


def test_array_create_holds_scalars_and_task_ids():
    from ptoref.language import _array

    a = pl.array.create(3, pl.INT32)
    assert [a[i] for i in range(3)] == [0, 0, 0]
    a[1] = 7
    b = pl.array.update_element(a, 2, 9)  # functional: a is unchanged
    assert pl.array.get_element(a, 1) == 7 and a[2] == 0 and b[2] == 9
    with pytest.raises(ptoref.Error, match=r"index 3 is outside the array's extent 3"):
        a[3]
    with pytest.raises(ptoref.Error, match="extent must be a positive int"):
        pl.array.create(0, pl.INT32)
    with pytest.raises(ptoref.Error, match="integer, BOOL or TASK_ID"):
        pl.array.create(2, pl.FP32)
    t = pl.array.create(1, pl.TASK_ID)
    assert isinstance(t, _array.ScalarArray) and t[0].cid == 0  # stands for no task


def test_create_l1_is_a_new_never_written_tensor():
    t = pl.create_l1([4, 8], pl.BF16, transpose=True)  # transpose: a layout hint, same logical shape
    assert list(t.shape) == [4, 8] and t.dtype == pl.BF16
    assert not any(t._t.defined_mask())


@pl.jit
def _statement_writes(out: pl.Out[pl.Tensor[[1, 4], pl.FP32]]):
    buf = pl.create_tensor([1, 4], dtype=pl.FP32)
    buf[:, :] = pl.full([1, 4], pl.FP32, 0.0)
    pl.write(buf, [0, 1], 5.0)  # statement form: buf names the written tensor afterwards
    pl.assemble(buf, pl.full([1, 1], pl.FP32, 7.0), [0, 3])
    out[:, :] = buf
    return out


def test_in_place_ops_as_statements_rebind_their_tensor():
    c = _core.Collector()
    out = _statement_writes(pl.full([1, 4], pl.FP32, -1.0))
    assert not c.stale() and c.clean()
    del c
    np.testing.assert_array_equal(out.numpy(), np.array([[0.0, 5.0, 0.0, 7.0]], np.float32))


@pl.jit.inline
def _fill_through_parameter(dst: pl.Tensor[[2, 4], pl.FP32], row_value: pl.Tensor[[1, 4], pl.FP32]):
    dst[0:1, 0:4] = row_value  # writes the caller's tensor, through the parameter
    pl.assemble(dst, pl.full([1, 4], pl.FP32, 2.0), [1, 0])


@pl.jit
def _caller_reads_after_callee_writes(out: pl.Out[pl.Tensor[[2, 4], pl.FP32]]):
    scratch = pl.create_tensor([2, 4], dtype=pl.FP32)
    _fill_through_parameter(scratch, pl.full([1, 4], pl.FP32, 1.0))
    out = pl.assemble(out, pl.add(scratch, 1.0), [0, 0])
    return out


@pl.jit
def _reads_a_superseded_name(out: pl.Out[pl.Tensor[[1, 4], pl.FP32]]):
    first = pl.full([1, 4], pl.FP32, 0.0)
    second = pl.assemble(first, pl.full([1, 4], pl.FP32, 3.0), [0, 0])  # expression form: a new version
    out = pl.assemble(out, pl.add(first, second), [0, 0])  # `first` is the superseded version
    return out


@pl.jit.inline
def _fill_through_a_reshape_view(dst: pl.Tensor[[2, 4], pl.FP32]):
    flat = pl.reshape(dst, [1, 8])  # another handle of the caller's buffer
    flat[0:1, 0:4] = pl.full([1, 4], pl.FP32, 4.0)
    pl.assemble(flat, pl.full([1, 4], pl.FP32, 5.0), [0, 4])
    pl.write(flat, [0, 7], 6.0)


@pl.jit
def _caller_reads_after_a_view_write(out: pl.Out[pl.Tensor[[2, 4], pl.FP32]]):
    scratch = pl.create_tensor([2, 4], dtype=pl.FP32)
    _fill_through_a_reshape_view(scratch)
    out = pl.assemble(out, pl.add(scratch, 1.0), [0, 0])
    return out


@pl.jit
def _reads_a_name_an_expression_write_superseded_through_a_view(out: pl.Out[pl.Tensor[[1, 4], pl.FP32]]):
    first = pl.full([1, 4], pl.FP32, 0.0)
    view = pl.reshape(first, [4, 1])
    view[0:4, 0:1] = pl.full([4, 1], pl.FP32, 1.0)  # statement form: `first` stays current
    newer = pl.assemble(view, pl.full([4, 1], pl.FP32, 2.0), [0, 0])  # expression form: a new version
    out = pl.assemble(out, pl.add(first, pl.reshape(newer, [1, 4])), [0, 0])  # `first` is superseded
    return out


def test_a_statement_write_through_a_reshape_view_leaves_every_handle_current():
    c = _core.Collector()
    out = _caller_reads_after_a_view_write(pl.full([2, 4], pl.FP32, -1.0))
    assert not c.stale() and c.clean()
    del c
    np.testing.assert_array_equal(out.numpy(), np.array([[5.0] * 4, [6.0] * 3 + [7.0]], np.float32))
    # An expression-form write through the view still supersedes the handles made before it.
    c = _core.Collector()
    out = _reads_a_name_an_expression_write_superseded_through_a_view(pl.full([1, 4], pl.FP32, 0.0))
    stale = c.stale()
    assert len(stale) == 1 and "test_language.py" in stale[0]["text"], [r["text"] for r in stale]
    del c


def test_a_callee_writing_through_its_parameter_leaves_the_callers_tensor_current():
    c = _core.Collector()
    out = _caller_reads_after_callee_writes(pl.full([2, 4], pl.FP32, -1.0))
    assert not c.stale() and c.clean()
    del c
    np.testing.assert_array_equal(out.numpy(), np.array([[2.0] * 4, [3.0] * 4], np.float32))
    # The expression form still makes a new version: reading the old name stays a stale read.
    c = _core.Collector()
    _reads_a_superseded_name(pl.full([1, 4], pl.FP32, 0.0))
    assert len(c.stale()) == 1 and "test_language.py" in c.stale()[0]["text"]
    del c


def test_a_scalar_assigned_to_a_region_is_an_error_naming_the_site():
    y = pl.full([2, 2], pl.FP32, 0.0)
    with pytest.raises(ptoref.Error, match=r"subscript assignment of a float to a region.*test_language.py:\d+"):
        ptoref._runtime.setitem(y, ptoref._runtime.key[0:2, 0:2], 1.0)


def test_placement_and_prefetch_hints_change_nothing():
    ctx = pl.prefetch.make_context()
    w = pl.full([2, 2], pl.FP32, 3.0)
    assert pl.prefetch.async_prefetch(w, ctx) is None
    assert pl.cross_core_slot(slot_num=2) is not None
    np.testing.assert_array_equal(w.numpy(), np.full((2, 2), 3.0, np.float32))
    with pytest.raises(ptoref.Unsupported, match="pl.prefetch.wait"):
        pl.prefetch.wait()
