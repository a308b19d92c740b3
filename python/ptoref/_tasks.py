"""Tasks for the runtime-ordering mode: which Python constructs are tasks, and what they pass.

`with pl.at(...)` (core-level), `pl.spmd` launches, `@pl.jit.incore` calls, `pl.submit`,
`pl.spmd_submit` and `pl.system.task_dummy` become tasks of the C++ task model
(check/runtime_ordering.hpp) through _core.task_begin / Task.end; `pl.manual_scope()` and
`pl.scope(mode=MANUAL)` open a manual scope. A kernel called inside a task is part of it. With
ordering "program" (the default) nothing here records anything.

Arguments: a kernel call (incore, submit) passes its tensor arguments with the directions its
annotations declare (unannotated = In), as pypto's call-site derivation sees them; a scope
(`pl.at`, `pl.spmd`) passes every buffer it touches, whole, with the direction its use implies
(pypto outlines the scope and infers the directions from the body). No rule lives here.
"""
from . import _core

_HIERARCHY_LEVELS = {"CHIP_DIE", "CHIP", "HOST", "CLUSTER_0", "CLUSTER_1", "CLUSTER_2", "GLOBAL"}


def _ids(deps, out):
    """deps= entries: TaskIds, None (dropped), lists/tuples of them (a pl.array of TaskIds)."""
    if deps is None:
        return out
    if isinstance(deps, (list, tuple)) or hasattr(deps, "_values"):  # hasattr: a pl.array
        for d in getattr(deps, "_values", deps):
            _ids(d, out)
        return out
    cid = getattr(deps, "cid", None)
    if cid is None:
        from ._errors import Error

        raise Error(f"deps= takes TaskIds, got {deps!r}")
    if cid:
        out.append(cid)
    return out


def _tensors(values):
    from ._tensor import Tensor

    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    return [v._t for v in values if isinstance(v, Tensor)]


def begin(kind, site, blocks=1, deps=None, args=None, no_dep=None):
    """A task in progress (a _core.Task), or None when nothing is recorded."""
    if not _core.tasks_active():
        return None
    task = _core.task_begin(kind, site, blocks, _ids(deps, []), args, _tensors(no_dep))
    return task if task.active() else None


def end(task, task_id=None, failed=False):
    if task is None:
        return 0
    if failed:
        task.abort()
        return 0
    cid = task.end()
    if task_id is not None:
        task_id.cid = cid
    return cid


def kernel_args(fn, args, kwargs):
    """(tensor, direction) for a DSL function's tensor arguments, or None (not a DSL function)."""
    from ._tensor import NoDepTensor, Tensor

    directions = getattr(fn, "directions", None)
    signature = getattr(fn, "signature", None)
    if directions is None or signature is None:
        return None
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    dirs = directions()
    out = []
    for name, value in bound.arguments.items():
        if isinstance(value, Tensor):
            # pl.no_dep(t) at the call: the slot is NO_DEP whatever the direction.
            d = dirs.get(name, "In")
            out.append((value._t, d + "|NoDep" if isinstance(value, NoDepTensor) else d))
    return out


# ---- scopes -------------------------------------------------------------------------------


def enter_scope(scope):
    kw = scope.kwargs if isinstance(scope.kwargs, dict) else {}
    if scope.kind in ("pl.manual_scope",) or (scope.kind == "pl.scope" and "MANUAL" in str(kw.get("mode", ""))):
        _core.manual_enter()
        return "manual"
    if scope.kind in ("pl.at", "pl.incore"):
        level = kw.get("level")
        if level is not None and str(getattr(level, "name", level)).split(".")[-1] in _HIERARCHY_LEVELS:
            return None  # a hierarchy scope, not a task
        return begin(scope.kind, scope.site, 1, kw.get("deps"), None, kw.get("no_dep_args"))
    return None


def exit_scope(scope, state, failed):
    if state == "manual":
        _core.manual_leave()
    elif state is not None:
        end(state, scope.task_id, failed)


def dummy(deps, site, task_id):
    end(begin("pl.system.task_dummy", site, 1, deps, [], None), task_id)
    return task_id
