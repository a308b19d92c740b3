"""Runtime ordering from Python (ptoref/_tasks.py over check/runtime_ordering.hpp): which
constructs are tasks, what they pass, and the hazards (hazards.md E4, E22, manual scopes,
kernel-call WAR) with their legal twins, in both modes; `ptoref run --ordering runtime`."""
import os
import textwrap

import pytest

import ptoref
from ptoref import _core
from ptoref import language as pl

CG = pl.Level.CORE_GROUP


def judge(fn, *args):
    """(program-order collector clean?, runtime-ordering records) for fn(*args) (fresh args each)."""
    c = _core.Collector()
    fn(*[a() for a in args])
    clean = c.clean()
    del c
    _core.set_ordering("runtime")
    try:
        _core.tasks_reset()
        c = _core.Collector()
        fn(*[a() for a in args])
        _core.tasks_finish()
        recs = _core.collector_orderings(c)
        other = c.races() + c.undefined() + c.stale()
        del c
    finally:
        _core.set_ordering("program")
    assert not other
    return clean, recs


def zeros(*shape):
    return lambda: pl.full(list(shape), pl.FP32, 0.0)


# ---- E4: the lost WAR of a plain-INPUT reader -------------------------------------------------


@pl.jit
def _e4(x, out, fence):
    buf = pl.create_tensor([16, 64], dtype=pl.FP32)
    last = None
    for b in pl.range(2):
        with pl.at(level=CG, deps=[last] if fence else None):  # W_b: buf = x[b]
            buf = pl.assemble(buf, pl.reshape(pl.slice(x, [1, 16, 64], [b, 0, 0]), [16, 64]), [0, 0])
        with pl.at(level=CG) as last:  # R_b: out[b] = buf + 1
            out = pl.assemble(out, pl.reshape(pl.add(buf, 1.0), [1, 16, 64]), [b, 0, 0])
    return out


def test_e4_plain_input_reader_then_rewrite_is_an_unordered_war():
    clean, recs = judge(_e4, zeros(2, 16, 64), zeros(2, 16, 64), lambda: False)
    assert clean
    assert len(recs) == 1
    r = recs[0]
    assert r["kind"] == "WAR" and r["first"]["id"] == 2 and r["second"]["id"] == 3
    assert r["first"]["tag"] == "INPUT" and r["second"]["tag"] == "INOUT"
    assert r["first"]["site"].startswith("test_tasks.py:") and r["first"]["path"] == [0]
    assert r["why"] == "WAR: reader task was a plain INPUT; the runtime tracks no readers"
    assert r["elements"] == 1024 and r["missing"] == "task #2 -> task #3 (WAR)"
    assert "Previous read by pl.at task #2 at test_tasks.py:" in r["text"]
    clean, recs = judge(_e4, zeros(2, 16, 64), zeros(2, 16, 64), lambda: True)
    assert clean and recs == []


def test_program_order_is_the_default_and_records_nothing():
    assert _core.ordering() == "program"
    _e4(pl.full([2, 16, 64], pl.FP32, 0.0), pl.full([2, 16, 64], pl.FP32, 0.0), False)
    assert _core.tasks_count() == 0


# ---- E22: manual_dep and manual scopes are ordered only by deps= ------------------------------


@pl.jit
def _e22(copy, manual, with_deps):
    scratch = pl.create_tensor([256, 128], dtype=pl.FP32, manual_dep=not manual)
    tids = []
    scope = pl.manual_scope() if manual else pl.scope()
    with scope:
        for i in pl.range(4):
            with pl.at(level=CG) as tid:
                scratch = pl.assemble(scratch, pl.full([64, 128], dtype=pl.FP32, value=float(i)), [64 * i, 0])
            tids.append(tid)
        with pl.at(level=CG, deps=tids if with_deps else None):
            copy = pl.assemble(copy, pl.mul(scratch, 1.0), [0, 0])
    return copy


@pytest.mark.parametrize("manual", [False, True])
def test_e22_writers_not_named_in_deps_race_with_the_reader(manual):
    clean, recs = judge(_e22, zeros(256, 128), lambda: manual, lambda: False)
    assert clean
    assert [(r["kind"], r["first"]["id"], r["second"]["id"]) for r in recs] == [("RAW", k, 5) for k in (1, 2, 3, 4)]
    assert recs[1]["region_text"].endswith("[64:128, 0:128]")
    assert all(("manual_scope" if manual else "manual_dep=True") in r["why"] for r in recs)
    clean, recs = judge(_e22, zeros(256, 128), lambda: manual, lambda: True)
    assert clean and recs == []


# ---- kernel calls, pl.submit, task_dummy: declared directions ----------------------------------


@pl.jit.incore
def _fill(x: pl.Tensor[[4, 8], pl.FP32], out: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    out = pl.assemble(out, pl.mul(x, 2.0), [0, 0])
    return out


@pl.jit.incore
def _copy(src: pl.Tensor[[4, 8], pl.FP32], dst: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    dst = pl.assemble(dst, pl.mul(src, 1.0), [0, 0])
    return dst


@pl.jit
def _kernels(x, y, z, fence):
    y = _fill(x, y)  # task 1: y OUTPUT_EXISTING
    z, read_tid = pl.submit(_copy, y, z)  # task 2: y INPUT (RAW edge from 1)
    gate = pl.system.task_dummy(deps=[read_tid] if fence else [])  # task 3
    y, _ = pl.submit(_fill, x, y, deps=[gate])  # task 4: y INOUT (R-prior): finds task 1, not the reader
    return y, z


def test_kernel_calls_take_declared_directions_and_a_rewrite_after_a_read_is_unordered():
    clean, recs = judge(_kernels, zeros(4, 8), zeros(4, 8), zeros(4, 8), lambda: False)
    assert clean
    assert len(recs) == 1
    r = recs[0]
    assert (r["kind"], r["first"]["id"], r["second"]["id"]) == ("WAR", 2, 4)
    assert r["first"]["kind"] == "pl.submit" and r["second"]["tag"] == "INOUT"
    # The dummy joins the read: the rewrite waits for it.
    clean, recs = judge(_kernels, zeros(4, 8), zeros(4, 8), zeros(4, 8), lambda: True)
    assert clean and recs == []


# ---- spmd launches and TaskIds carried out of pl.parallel --------------------------------------


@pl.jit
def _spmd_then_read(y, z, carry):
    for i in pl.parallel(4):
        with pl.at(level=CG, no_dep_args=[y]) as tid:
            y = pl.assemble(y, pl.full([1, 8], dtype=pl.FP32, value=1.0), [i, 0])
    with pl.spmd(4, deps=[tid] if carry else []) as s:
        b = pl.tile.get_block_idx()
        z = pl.assemble(z, pl.mul(pl.slice(y, [1, 8], [b, 0]), 1.0), [b, 0])
    return z, s


def test_a_taskid_carried_out_of_pl_parallel_stands_for_every_iteration():
    clean, recs = judge(_spmd_then_read, zeros(4, 8), zeros(4, 8), lambda: True)
    assert clean and recs == []
    clean, recs = judge(_spmd_then_read, zeros(4, 8), zeros(4, 8), lambda: False)
    assert clean
    assert [(r["first"]["id"], r["second"]["id"], r["second"]["block"]) for r in recs] == [
        (1, 5, 0), (2, 5, 1), (3, 5, 2), (4, 5, 3)]
    assert recs[0]["second"]["kind"] == "pl.spmd" and recs[0]["second"]["blocks"] == 4
    assert "block 2 of 4" in recs[2]["text"]


def test_finish_without_a_collector_raises_ordering_error():
    _core.set_ordering("runtime")
    try:
        _core.tasks_reset()
        _spmd_then_read(pl.full([4, 8], pl.FP32, 0.0), pl.full([4, 8], pl.FP32, 0.0), False)
        with pytest.raises(ptoref.OrderingError, match=r"SUMMARY: ptoref: unordered RAW"):
            _core.tasks_finish()
    finally:
        _core.set_ordering("program")


def test_deps_must_be_task_ids():
    with pytest.raises(ptoref.Error, match=r"deps= takes TaskIds"):
        from ptoref import _tasks

        _core.set_ordering("runtime")
        try:
            _tasks.begin("pl.at", _core.Site("t.py", 1, ""), 1, [3], None)
        finally:
            _core.set_ordering("program")


# ---- ptoref run --ordering runtime -------------------------------------------------------------

PROGRAM = textwrap.dedent('''
    import pypto.language as pl

    @pl.jit
    def prog(x: pl.Tensor[[2, 16, 64], pl.FP32], out: pl.Out[pl.Tensor[[2, 16, 64], pl.FP32]]):
        buf = pl.create_tensor([16, 64], dtype=pl.FP32)
        for b in pl.range(2):
            with pl.at(level=pl.Level.CORE_GROUP):
                buf = pl.assemble(buf, pl.reshape(pl.slice(x, [1, 16, 64], [b, 0, 0]), [16, 64]), [0, 0])
            with pl.at(level=pl.Level.CORE_GROUP):
                out = pl.assemble(out, pl.reshape(pl.add(buf, 1.0), [1, 16, 64]), [b, 0, 0])
        return out

    def build_specs():
        import torch
        from golden import TensorSpec
        return [TensorSpec("x", [2, 16, 64], torch.float32, init_value=torch.ones(2, 16, 64)),
                TensorSpec("out", [2, 16, 64], torch.float32, is_output=True)]

    def golden_fn(t):
        t["out"][:] = t["x"] + 1.0

    if __name__ == "__main__":
        from golden import run_jit
        result = run_jit(fn=prog, specs=build_specs(), golden_fn=golden_fn)
        raise SystemExit(0 if result.passed else 1)
''')


def test_cli_ordering_runtime_reports_and_fails(cli, tmp_path):
    path = tmp_path / "e4_prog.py"
    path.write_text(PROGRAM)
    code, out = cli("run", str(path))
    assert code == 0, out
    code, out = cli("run", "--ordering", "runtime", str(path))
    assert code == 1, out
    assert "ordering runtime" in out
    assert "[ptoref] runtime ordering: 4 task(s), 1 unordered task pair(s)" in out
    assert "Why: WAR: reader task was a plain INPUT; the runtime tracks no readers" in out
    os.environ["PTOREF_ORDERING"] = "runtime"  # the environment switch, read by the C++ library
    try:
        code, out = cli("run", str(path))
    finally:
        del os.environ["PTOREF_ORDERING"]
    assert code == 1 and "1 unordered task pair(s)" in out, out
