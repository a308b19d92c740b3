"""What DSL code needs at run time beyond the ops: loops, spmd blocks, loop-carried values,
scopes and task hints, and the helpers the DSL-function rewrite calls (`__ptoref_rt__.*`).

Loops drive the C++ library's own loop machinery (_core.ParallelLoop is
pl::detail::parallel_instance): the same schedule order, iteration frames and race judgement
as pl::parallel in C++. Bodies are Python, so a `threads:N` schedule runs them in order on the
calling thread (the bits of a race-free program cannot differ).
"""
import builtins
import contextlib

from . import _core, _site, _tasks
from ._errors import Error
from ._tensor import Tensor, setitem as _tensor_setitem

# ---- loops ------------------------------------------------------------------------------


def _bounds(name, args, site):
    if not 1 <= len(args) <= 3:
        raise Error(f"{name} takes 1 to 3 positional bounds, got {len(args)} (at {site!r})")
    vals = []
    for a in args:
        if isinstance(a, bool) or not isinstance(a, int):
            try:
                import operator

                a = operator.index(a)
            except TypeError:
                raise Error(f"{name}: bound {a!r} is not an integer (at {site!r})") from None
        vals.append(a)
    if len(vals) == 1:
        return 0, vals[0], 1
    if len(vals) == 2:
        return vals[0], vals[1], 1
    return vals[0], vals[1], vals[2]


def _sequential(name, start, stop, step, site):
    n = _core.trip_count(start, stop, step, name, site)
    push, pop = _core.push_frame, _core.pop_frame
    for k in builtins.range(n):
        v = start + k * step
        push(v)
        try:
            yield v
        finally:
            pop()


def _parallel(name, start, stop, step, site):
    inst = _core.ParallelLoop(name, start, stop, step, None, site)
    enter, leave = inst.enter, inst.leave
    for v in inst.values():
        enter(v)
        try:
            yield v
        finally:
            leave()
    inst.finish()


class _CarriedLoop:
    """A loop with init_values: yields (index, values); pl.yield_ feeds the next values."""

    def __init__(self, gen, init_values, site):
        self._gen = gen
        self.init_values = tuple(init_values)
        self.values = self.init_values
        self.site = site

    def __iter__(self):
        _carried.append(self)
        try:
            for i in self._gen:
                yield i, self.values
        finally:
            _carried.remove(self)

    def bind_init(self, as_tuple):
        # What the yield_ targets hold before the first trip (all of them, for a zero-trip loop).
        if not as_tuple and len(self.init_values) == 1:
            return self.init_values[0]
        return self.init_values


_carried = []


def loop(name, parallel, args, init_values, site):
    start, stop, step = _bounds(name, args, site)
    gen = (_parallel if parallel else _sequential)(name, start, stop, step, site)
    if init_values is None:
        return gen
    if not isinstance(init_values, (tuple, list)):
        init_values = (init_values,)
    return _CarriedLoop(gen, init_values, site)


def yield_(values, site):
    if not _carried:
        raise Error(f"pl.yield_ outside a loop with init_values (at {site!r})")
    lp = _carried[-1]
    if len(values) != len(lp.init_values):
        raise Error(
            f"pl.yield_ yields {len(values)} values; the loop at {lp.site!r} carries {len(lp.init_values)} (at {site!r})"
        )
    lp.values = tuple(values)
    return tuple(values)


# ---- spmd blocks --------------------------------------------------------------------------

_blocks = []  # (block index, block count, loop depth if phased) of the enclosing spmd blocks
_lanes = []  # the enclosing pl.split_aiv lanes, innermost last


class TaskId:
    """A task handle (pl.TaskId): what `as tid`, pl.submit and deps= pass around."""

    __slots__ = ("kind", "site", "name", "cid")

    def __init__(self, kind, site, name=""):
        self.kind, self.site, self.name = kind, site, name
        self.cid = 0  # the task model's TaskId (runtime ordering), 0 when nothing was recorded

    def __repr__(self):
        return f"<TaskId {self.kind} at {self.site!r}{' ' + self.name if self.name else ''}>"


class Spmd:
    """pl.spmd(n, ...): `for i in pl.spmd(n)` or (rewritten) `with pl.spmd(n) [as tid]:`."""

    def __init__(self, core_num, site, name_hint="", deps=None, kind="pl.spmd"):
        if isinstance(core_num, bool) or not isinstance(core_num, int):
            raise Error(f"pl.spmd: the block count {core_num!r} is not an integer (at {site!r})")
        self.core_num = core_num
        self.site = site
        self.task_id = TaskId("spmd", site, name_hint)
        self.deps = deps
        self.kind = kind

    def __iter__(self):
        return self._run_blocks()

    def _run_blocks(self):
        # One task whose blocks are concurrent (under runtime ordering; nothing otherwise).
        task = _tasks.begin(self.kind, self.site, self.core_num, self.deps)
        ok = False
        try:
            for b in _parallel("pl.spmd", 0, self.core_num, 1, self.site):
                _blocks.append((b, self.core_num, None))
                old = _core.task_block(b) if task is not None else None
                try:
                    yield b
                finally:
                    _blocks.pop()
                    if task is not None:
                        _core.task_block(old)
            ok = True
        finally:
            _tasks.end(task, self.task_id, failed=not ok)

    def _run_phased(self, fn, env):
        """Runs fn(env, block) -- a block's body as a generator, one yield per syncall -- for every
        block, phase by phase: phase k of every block (in the schedule's order) before phase k+1 of
        any, the race judge starting afresh at each barrier (the C++ pl::spmd's rule). A block that
        ends while another waits at a barrier is an error. Returns the bindings of the last block."""
        task = _tasks.begin(self.kind, self.site, self.core_num, self.deps)
        gens = {}
        ok = False
        try:
            inst = _core.ParallelLoop("pl.spmd", 0, self.core_num, 1, None, self.site)
            order = list(inst.values())
            state = {b: "run" for b in order}
            count = {b: 0 for b in order}
            result = {}
            while True:
                for b in order:
                    inst.enter(b)
                    _blocks.append((b, self.core_num, _core.loop_depth()))
                    old = _core.task_block(b) if task is not None else None
                    try:
                        g = gens.get(b)
                        if g is None:
                            g = gens[b] = fn(env, b)
                        try:
                            next(g)
                            count[b] += 1
                            state[b] = "wait"
                        except StopIteration as stop:
                            state[b] = "done"
                            result = stop.value
                    finally:
                        _blocks.pop()
                        if task is not None:
                            _core.task_block(old)
                        inst.leave()
                waiting = [b for b in order if state[b] == "wait"]
                if not waiting:
                    break
                if len(waiting) != len(order):
                    raise Error(self._mismatch(state, count))
                inst.barrier()
                for b in waiting:
                    state[b] = "run"
            inst.finish()
            ok = True
            return result
        finally:
            if not ok:
                for g in gens.values():
                    g.close()
            _tasks.end(task, self.task_id, failed=not ok)

    def _mismatch(self, state, count):
        groups = {}
        for b in sorted(state):
            c = count[b]
            what = (f"ended after {c} barrier{'' if c == 1 else 's'}" if state[b] == "done"
                    else f"reached barrier {c}")
            groups.setdefault(what, []).append(b)
        parts = []
        for what in sorted(groups):
            bs = groups[what]
            listed = ", ".join(str(b) for b in bs[:8]) + (f", ... ({len(bs)} blocks)" if len(bs) > 8 else "")
            parts.append(f"{'block' if len(bs) == 1 else 'blocks'} {listed} {what}")
        return (
            f"pl.system.syncall: the blocks of the pl.spmd launch of {self.core_num} blocks reach different numbers "
            f"of barriers: {'; '.join(parts)} (every block must reach every barrier; on the device the others would "
            f"wait forever) (at {self.site!r})"
        )

    def __enter__(self):
        raise Error(
            f"`with pl.spmd(...)` must be inside a DSL function (@pl.jit, @pl.function, ...) so its body can run "
            f"once per block (at {self.site!r})"
        )

    def __exit__(self, *exc):
        return False


def block_idx(site):
    if not _blocks:
        return 0  # outside any spmd launch the code runs as block 0 of 1
    return _blocks[-1][0]


def block_num(site):
    return _blocks[-1][1] if _blocks else 1


def check_syncall(core_type, mode, gm_workspace, used_cores, site):
    """pl.system.syncall's arguments, as pypto checks them (language/op/system_ops.py)."""
    if mode == "hard":
        if gm_workspace is not None or used_cores is not None:
            raise Error(f"pl.system.syncall(mode='hard') takes no gm_workspace/used_cores (at {site!r})")
    elif mode == "soft":
        if core_type not in ("aiv_only", "aic_only", "mix"):
            raise Error(f"pl.system.syncall: soft core_type must be aiv_only, aic_only or mix, got {core_type!r} "
                        f"(at {site!r})")
        if not isinstance(gm_workspace, Tensor):
            raise Error(f"pl.system.syncall(mode='soft') requires gm_workspace, a tensor (at {site!r})")
        if used_cores is None:
            raise Error(f"pl.system.syncall(mode='soft') requires used_cores (at {site!r})")
    else:
        raise Error(f"pl.system.syncall: mode must be 'hard' or 'soft', got {mode!r} (at {site!r})")


def syncall(core_type, mode, gm_workspace, used_cores, site):
    """pl.system.syncall reached as a call, not as a statement of a phased spmd body."""
    check_syncall(core_type, mode, gm_workspace, used_cores, site)
    if not _blocks:
        raise Error(f"pl.system.syncall: called outside a pl.spmd launch (a barrier needs the launch's blocks) "
                    f"(at {site!r})")
    raise Error(
        f"pl.system.syncall: reached through a call; ptoref runs barriers written as statements directly in the "
        f"body of the `with pl.spmd(...)` / `for ... in pl.spmd(...)` they synchronise (at {site!r})"
    )


def barrier(*, core_type="mix", mode="hard", gm_workspace=None, used_cores=None, span=None):
    """A syncall statement of a phased spmd body (the rewrite yields what this returns)."""
    site = _site.site()
    check_syncall(core_type, mode, gm_workspace, used_cores, site)
    if not _blocks or _blocks[-1][2] is None:
        raise Error(f"pl.system.syncall: not in a phased pl.spmd block (at {site!r})")
    if _lanes:
        raise Error(f"pl.system.syncall: called inside a pl.split_aiv lane: ptoref supports barriers between the "
                    f"lane regions of a block, not inside one (at {site!r})")
    if _core.loop_depth() != _blocks[-1][2]:
        raise Error(f"pl.system.syncall: inside a DSL loop of the block body; ptoref supports barriers at the top "
                    f"level of a pl.spmd body (at {site!r})")
    return None


_SPLIT_MODES = ("NONE", "UP_DOWN", "LEFT_RIGHT")


def split_aiv(n, mode, site):
    """`for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE)`: the block's two AIV lanes run the whole
    body each, concurrently (judged like two parallel iterations); aiv_id = get_subblock_idx()."""
    from ._errors import Unsupported

    if isinstance(n, bool) or n != 2:
        raise Error(f"pl.split_aiv: the lane count must be 2 (the two AIV lanes of a cluster), got {n!r} (at {site!r})")
    name = str(getattr(mode, "name", mode)).split(".")[-1]
    if name not in _SPLIT_MODES:
        raise Error(f"pl.split_aiv: mode must be a pl.SplitMode, got {mode!r} (at {site!r})")
    if name != "NONE":
        raise Unsupported(f"pl.split_aiv(mode=SplitMode.{name})", repr(site),
                          "it halves every vector tile of the region per lane (pypto's LowerAutoVectorSplit), "
                          "which ptoref does not model; SplitMode.NONE is supported")
    return _lanes_of(site)


def _lanes_of(site):
    for lane in _parallel("pl.split_aiv", 0, 2, 1, site):
        _lanes.append(lane)
        try:
            yield lane
        finally:
            _lanes.pop()


def subblock_idx():
    return _lanes[-1] if _lanes else 0


class Scope:
    """pl.at / pl.scope / pl.manual_scope / pl.cluster ...: recorded hints, no effect on values."""

    def __init__(self, kind, site, kwargs):
        self.kind, self.site, self.kwargs = kind, site, kwargs
        self.task_id = TaskId(kind, site, kwargs.get("name_hint", "") if isinstance(kwargs, dict) else "")

    def __enter__(self):
        self._task = _tasks.enter_scope(self)
        return self.task_id

    def __exit__(self, exc_type, *exc):
        _tasks.exit_scope(self, getattr(self, "_task", None), exc_type is not None)
        return False


# ---- helpers the DSL-function rewrite calls -----------------------------------------------


def floordiv(a, b):
    """Scalar `//` as on the device: integer division truncates toward zero."""
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise Error(f"integer division by zero (at {_site.text()})")
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    return a // b


def mod(a, b):
    """Scalar `%` as on the device: the remainder has the sign of the dividend."""
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise Error(f"integer modulo by zero (at {_site.text()})")
        r = abs(a) % abs(b)
        return r if a >= 0 else -r
    return a % b


class _Key:
    """key[a:b, c] returns the subscript key itself: how the rewrite passes `y[a:b, c] = v`'s key."""

    def __getitem__(self, k):
        return k


key = _Key()


def setitem(target, k, value):
    """`y[k] = v` in DSL code: an in-place assemble (or write); y itself becomes the new version."""
    if isinstance(target, Tensor):
        with _core.StatementWrite(target._t):
            return in_place(target, _tensor_setitem(target, k, value, _site.site()))
    target[k] = value
    return target


def statement_write(target):
    """`with statement_write(t):` around a statement-form write through t: the write makes no
    handle of t's tensor stale (check::statement_write_scope); a non-tensor target is left alone."""
    if isinstance(target, Tensor):
        return _core.StatementWrite(target._t)
    return contextlib.nullcontext()


def in_place(target, result):
    """A statement-form write through `target` (a name, perhaps a parameter of the function):
    the tensor object itself becomes the written version, so every name for it, the caller's
    included, reads it as current (the device's tensor is one memory)."""
    if isinstance(target, Tensor) and isinstance(result, Tensor) and result is not target:
        target._t = result._t
        return target
    return result
