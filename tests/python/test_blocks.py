"""pl.system.syncall barriers in pl.spmd blocks (the phase-by-phase rewrite, _rewrite.py, and
Spmd._run_phased), pl.split_aiv lanes with pl.get_subblock_idx, and pl.no_dep at a call site,
under every schedule; the skip-a-barrier error text pinned."""
import numpy as np
import pytest

import ptoref
from ptoref import _core
from ptoref import language as pl

SCHEDULES = ["sequential", "reverse", "shuffled:7", "shuffled:123", "threads:3"]


@pytest.fixture(params=SCHEDULES)
def schedule(request):
    old = _core.default_schedule()
    _core.set_default_schedule(request.param)
    yield request.param
    _core.set_default_schedule(old)


# ---- syncall --------------------------------------------------------------------------------


@pl.jit
def _neighbours(stage: pl.Tensor[[5, 4], pl.FP32], out: pl.Out[pl.Tensor[[5, 4], pl.FP32]], barrier: bool):
    with pl.spmd(5) as tid:
        b = pl.tile.get_block_idx()
        stage = pl.assemble(stage, pl.full([1, 4], dtype=pl.FP32, value=float(10 * (b + 1))), [b, 0])
        if barrier:
            pl.system.syncall()
        right = (b + 1) % 5
        nb = pl.add(pl.slice(stage, [1, 4], [right, 0]), 0.0)  # read in this phase (a slice is a view)
        pl.system.syncall(core_type="mix")
        stage = pl.assemble(stage, nb, [b, 0])  # overwrites what another block read: the barrier orders it
        out = pl.assemble(out, pl.add(nb, 1.0), [b, 0])
    return out, stage, b, tid


def test_syncall_orders_phases_and_each_block_keeps_its_variables(schedule):
    c = _core.Collector()
    out, stage, b, tid = _neighbours(pl.full([5, 4], pl.FP32, 0.0), pl.full([5, 4], pl.FP32, 0.0), True)
    assert c.clean()  # no race, and no stale handle: stage and out are shared by the blocks
    want = np.array([[10.0 * ((k + 1) % 5 + 1)] * 4 for k in range(5)])
    assert np.array_equal(stage.numpy(), want)
    assert np.array_equal(out.numpy(), want + 1)
    assert isinstance(tid, pl.TaskId)
    assert b in range(5)  # the last block's binding is visible after the launch, as with the plain loop


def test_without_the_first_barrier_the_neighbour_read_races(schedule):
    c = _core.Collector()
    _neighbours(pl.full([5, 4], pl.FP32, 0.0), pl.full([5, 4], pl.FP32, 0.0), False)
    kinds = {r["kind"] for r in c.races()}
    assert kinds and kinds <= {"RAW", "WAR"}


@pl.jit
def _skip(t: pl.Out[pl.Tensor[[4, 2], pl.FP32]]):
    for b in pl.spmd(4):
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=1.0), [b, 0])
        if b != 1:
            pl.system.syncall()
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=2.0), [b, 0])
    return t


def test_a_block_skipping_a_barrier_is_an_error_naming_the_launch_and_counts(schedule):
    with pytest.raises(ptoref.Error) as e:
        _skip(pl.full([4, 2], pl.FP32, 0.0))
    msg = str(e.value)
    assert msg.startswith(
        "pl.system.syncall: the blocks of the pl.spmd launch of 4 blocks reach different numbers of barriers: "
        "block 1 ended after 0 barriers; blocks 0, 2, 3 reached barrier 1 (every block must reach every barrier; "
        "on the device the others would wait forever) (at test_blocks.py:"
    )
    assert _core.loop_depth() == 0  # the frames of the abandoned blocks are gone


@pl.jit
def _extra(t: pl.Out[pl.Tensor[[3, 2], pl.FP32]]):
    with pl.spmd(3):
        b = pl.get_block_idx()
        pl.system.syncall()
        if b == 2:
            pl.system.syncall()
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=1.0), [b, 0])
    return t


def test_a_block_reaching_an_extra_barrier_is_an_error(schedule):
    with pytest.raises(ptoref.Error, match=r"blocks 0, 1 ended after 1 barrier; block 2 reached barrier 2"):
        _extra(pl.full([3, 2], pl.FP32, 0.0))


@pl.jit
def _phase2_race(t: pl.Out[pl.Tensor[[2, 2], pl.FP32]]):
    with pl.spmd(2):
        b = pl.get_block_idx()
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=1.0), [b, 0])
        pl.system.syncall()
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=float(b)), [0, 0])
    return t


def test_a_conflict_inside_one_phase_is_still_a_race():
    c = _core.Collector()
    _phase2_race(pl.full([2, 2], pl.FP32, 0.0))
    races = c.races()
    assert len(races) == 1 and races[0]["kind"] == "WAW" and races[0]["elements"] == 2


@pl.jit
def _in_loop(t: pl.Out[pl.Tensor[[2, 2], pl.FP32]]):
    with pl.spmd(2):
        for k in pl.range(2):
            pl.system.syncall()
    return t


def test_syncall_errors():
    with pytest.raises(ptoref.Error, match="called outside a pl.spmd launch"):
        pl.system.syncall()
    with pytest.raises(ptoref.Error, match="mode must be 'hard' or 'soft'"):
        pl.system.syncall(mode="firm")
    with pytest.raises(ptoref.Error, match="takes no gm_workspace/used_cores"):
        pl.system.syncall(used_cores=4)
    with pytest.raises(ptoref.Error, match="inside a DSL loop of the block body"):
        _in_loop(pl.full([2, 2], pl.FP32, 0.0))
    assert _core.loop_depth() == 0
    with pytest.raises(ptoref.Error, match="`return` inside a pl.spmd body with pl.system.syncall"):

        @pl.jit  # refused when the function is rewritten
        def _returns(t):
            with pl.spmd(2):
                pl.system.syncall()
                return t
    assert "syncall" not in ptoref.language._unsupported.SYSTEM


@pl.jit
def _runtime_phases(t: pl.Out[pl.Tensor[[4, 2], pl.FP32]]):
    with pl.spmd(4) as tid:
        b = pl.get_block_idx()
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=1.0), [b, 0])
        pl.system.syncall()
        t = pl.assemble(t, pl.full([1, 2], dtype=pl.FP32, value=2.0), [(b + 1) % 4, 0])
    return t, tid


def test_a_phased_launch_is_one_task_under_runtime_ordering():
    _core.set_ordering("runtime")
    try:
        _core.tasks_reset()
        c = _core.Collector()
        t, tid = _runtime_phases(pl.full([4, 2], pl.FP32, 0.0))
        assert tid.cid == 1 and _core.tasks_count() == 1
        _core.tasks_finish()
        assert _core.collector_orderings(c) == [] and c.races() == []
        del c
    finally:
        _core.set_ordering("program")
    assert np.array_equal(t.numpy(), np.full([4, 2], 2.0))


# ---- split_aiv ------------------------------------------------------------------------------


@pl.jit
def _lanes(y: pl.Out[pl.Tensor[[4, 2], pl.INT32]], shared: bool):
    with pl.spmd(4):
        core = pl.tile.get_block_idx()
        for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE):
            assert aiv_id == pl.tile.get_subblock_idx() == pl.get_subblock_idx()
            lane = core * 2 + aiv_id
            if shared:
                y = pl.assemble(y, pl.full([1, 2], dtype=pl.INT32, value=lane), [core, 0])
            else:
                y = pl.assemble(y, pl.full([1, 1], dtype=pl.INT32, value=lane), [core, aiv_id])
        assert pl.get_subblock_idx() == 0
    return y


def test_split_aiv_lanes_are_concurrent_with_hc_pre_lane_numbering(schedule):
    c = _core.Collector()
    y = _lanes(pl.full([4, 2], pl.INT32, 0), False)
    assert c.races() == []
    assert np.array_equal(y.numpy().reshape(-1), np.arange(8))
    c2 = _core.Collector()
    _lanes(pl.full([4, 2], pl.INT32, 0), True)  # both lanes write the whole row: a race between the lanes
    races = c2.races()
    assert races and all(r["kind"] == "WAW" and r["loop"] == "pl.split_aiv" for r in races)


def test_split_aiv_argument_rules():
    with pytest.raises(ptoref.Error, match="the lane count must be 2"):
        pl.split_aiv(4, mode=pl.SplitMode.NONE)
    with pytest.raises(ptoref.Unsupported, match=r"split_aiv\(mode=SplitMode.LEFT_RIGHT\)"):
        pl.split_aiv(2, mode=pl.SplitMode.LEFT_RIGHT)
    assert pl.get_subblock_idx() == 0


# ---- pl.no_dep at a call site -----------------------------------------------------------------


@pl.jit.incore
def _writer(cache: pl.Out[pl.Tensor[[8, 4], pl.FP32]], row: pl.Scalar[pl.INDEX]):
    cache = pl.assemble(cache, pl.full([1, 4], dtype=pl.FP32, value=1.0), [row, 0])
    return cache


@pl.jit
def _no_dep_program(cache, use_no_dep: bool, fence: bool):
    tids = []
    for b in pl.parallel(2):
        arg = pl.no_dep(cache) if use_no_dep else cache
        cache, tid = pl.submit(_writer, arg, 2 * b + 1)
        tids.append(tid)
    with pl.at(level=pl.Level.CORE_GROUP, deps=tids if fence else None):
        s = pl.row_sum(cache)
    return s


def judge(fn, *args):
    _core.set_ordering("runtime")
    try:
        _core.tasks_reset()
        c = _core.Collector()
        fn(*args)
        _core.tasks_finish()
        recs = _core.collector_orderings(c)
        del c
    finally:
        _core.set_ordering("program")
    return recs


def test_no_dep_slot_registers_nothing_and_needs_covering_deps():
    zeros = lambda: pl.full([8, 4], pl.FP32, 0.0)  # noqa: E731
    # Without pl.no_dep the writers are OUTPUT_EXISTING (registered), and the reader's lookup orders it.
    assert judge(_no_dep_program, zeros(), False, False) == []
    recs = judge(_no_dep_program, zeros(), True, False)
    assert len(recs) == 2 and {r["kind"] for r in recs} == {"RAW"}
    assert all(r["first"]["tag"] == "NO_DEP" for r in recs)
    assert all("the earlier writer's argument is NO_DEP (no_dep_args / pl.no_dep): it registers nothing" in r["why"]
               for r in recs)
    assert judge(_no_dep_program, zeros(), True, True) == []  # the legal twin: deps= covers the writers
    # Program order is unchanged by pl.no_dep.
    c = _core.Collector()
    s = _no_dep_program(zeros(), True, False)
    assert c.clean()
    assert np.array_equal(s.numpy().reshape(-1), [0, 4, 0, 4, 0, 0, 0, 0])
    assert "no_dep" not in ptoref.language._unsupported.OPS
