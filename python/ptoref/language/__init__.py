"""ptoref.language: the `pl` a PyPTO program imports (`import pypto.language as pl` resolves
here under `ptoref run`). Every op computes at once through ptoref._core, so the bits are the
C++ library's; DSL functions are re-compiled with the small rewrite of ptoref._rewrite.

Names of pypto.language that ptoref does not implement yet exist as stand-ins that raise
ptoref.Unsupported with the construct and the file:line of the use.
"""
import builtins as _builtins
import sys as _sys

from .. import _dtypes, _runtime, _site, _tasks
from .._errors import Unsupported
from .._functions import DslFunction, DynVar, ScalarType, _Marker, make as _make
from .._tensor import Tensor, TensorType
from . import _unsupported
from ._ops import *  # noqa: F401,F403  (the op surface)
from ._ops import (  # noqa: F401
    abs, add, adds, assemble, cast, col_expand_add, col_expand_div, col_expand_mul, col_expand_sub, concat,
    create_tensor, create_tile, dim, div, divs, exp, fillpad, full, load, log, matmul, matmul_acc, max, maximum, min,
    minimum, move, mul, muls, neg, read, recip, reshape, row_expand_add, row_expand_div, row_expand_mul,
    row_expand_sub, row_max, row_min, row_sum, rsqrt, set_validshape, slice, sqrt, store, sub, subs, transpose, write,
)
from . import _ops_elementwise
from ._ops_elementwise import *  # noqa: F401,F403  (compare/select, bitwise, remainders, expands, col reductions)
from . import _ops_index  # noqa: E402  (index, sort, scatter, atomic and data-movement ops; overrides _ops' forms)

for _n in _ops_index.NAMES:
    globals()[_n] = getattr(_ops_index, _n)
from . import _ops_matmul2  # noqa: E402  (batched, bias and gemv matmuls, transpose_view; overrides _ops' matmul)
for _n in _ops_matmul2.NAMES:
    globals()[_n] = getattr(_ops_matmul2, _n)

# ---- dtypes -----------------------------------------------------------------------------------
for _d in _dtypes._ALL:
    globals()[_d.name] = _d
DataType = _dtypes.DataType

# ---- types and markers ------------------------------------------------------------------------
from .._tensor import Tile  # noqa: E402  (tensors made by tile loads: matmul accumulates)
Out = _Marker("Out")
InOut = _Marker("InOut")
TaskId = _runtime.TaskId


class _ScalarFactory:
    def __getitem__(self, dtype):
        return ScalarType(dtype)


Scalar = _ScalarFactory()


class _Hint:
    """Annotations ptoref accepts and ignores (Array, Tuple, MemRef, Ptr)."""

    def __init__(self, name):
        self._name = name

    def __getitem__(self, params):
        return self

    def __repr__(self):
        return f"pl.{self._name}"


Array = _Hint("Array")
Tuple = _Hint("Tuple")
MemRef = _Hint("MemRef")
Ptr = _Hint("Ptr")


def dynamic(name):
    return DynVar(name)


# ---- enums (members are recorded hints; any member name pypto may add is accepted) -------------
class _Member:
    __slots__ = ("enum", "name")

    def __init__(self, enum, name):
        self.enum, self.name = enum, name

    def __repr__(self):
        return f"pl.{self.enum}.{self.name}"

    def __eq__(self, other):
        return isinstance(other, _Member) and (self.enum, self.name) == (other.enum, other.name)

    def __hash__(self):
        return hash((self.enum, self.name))


class _Enum:
    def __init__(self, name, members, strict=False):
        self._name = name
        self._strict = strict
        for m in members:
            setattr(self, m, _Member(name, m))

    def __getattr__(self, m):
        if m.startswith("_") or self._strict:
            if self._strict and not m.startswith("_"):
                raise Unsupported(f"pl.{self._name}.{m}", _site.text(), "not a member ptoref knows")
            raise AttributeError(m)
        v = _Member(self._name, m)
        setattr(self, m, v)
        return v

    def __repr__(self):
        return f"pl.{self._name}"


Level = _Enum("Level", "AIV AIC CORE_GROUP CHIP_DIE CHIP HOST CLUSTER_0 CLUSTER_1 CLUSTER_2 GLOBAL".split())
Role = _Enum("Role", ["Orchestrator", "SubWorker"])
SplitMode = _Enum("SplitMode", ["NONE", "UP_DOWN", "LEFT_RIGHT"])
PadValue = _Enum("PadValue", ["null", "zero", "max", "min"], strict=True)
AtomicType = _Enum("AtomicType", ["None_", "Add"], strict=True)
MemorySpace = _Enum("MemorySpace", "DDR Vec Mat Left Right Acc Bias".split())
Mem = MemorySpace
TensorLayout = _Enum("TensorLayout", ["ND", "DN", "NZ"])
ForKind = _Enum("ForKind", ["Sequential", "Parallel", "Unroll", "Pipeline"])
FunctionType = _Enum("FunctionType", "Opaque Orchestration InCore AIC AIV Group Spmd Inline Graph".split())
ScopeMode = _Enum("ScopeMode", ["AUTO", "MANUAL"])
chunked_loop_optimizer = _Member("optimizations", "chunked_loop_optimizer")  # b6c82cf's pl.at hint
auto_chunk = _Member("optimizations", "auto_chunk")  # b6c82cf's pl.at hint
LoopOrigin = _Enum("LoopOrigin", ["Original", "ChunkOuter", "ChunkInner", "ChunkRemainder"])


def split(mode=None, *, slot_num=None):
    """pl.split(mode): a pl.at optimization hint (cross-core splitting); no effect on values."""
    return _Member("optimizations", "split")


def cross_core_slot(*, slot_num):
    """pl.cross_core_slot(slot_num=): a pl.at/pl.spmd optimization hint (cube/vector hand-off
    buffering); no effect on values."""
    return _Member("optimizations", "cross_core_slot")


class _PrefetchContext:
    """pl.prefetch.make_context(): the handle async_prefetch warms a cache through (a hint here)."""

    def __repr__(self):
        return "<pl.prefetch context (a hint)>"


def _async_prefetch(src, ctx):
    """pl.prefetch.async_prefetch(src, ctx): warms the device's L2 with src; no effect on values."""
    return None


class _Optimizations:
    def __getattr__(self, name):
        return _Member("optimizations", name)


optimizations = _Optimizations()


# ---- loops --------------------------------------------------------------------------------------
def range(*args, init_values=None, attrs=None):
    return _runtime.loop("pl.range", False, args, init_values, _site.site())


def parallel(*args, init_values=None, attrs=None, chunk=None, chunk_policy=None):
    # chunk= (b6c82cf's) splits the loop for the device; numerically it changes nothing.
    return _runtime.loop("pl.parallel", True, args, init_values, _site.site())


def unroll(*args, attrs=None):
    return _runtime.loop("pl.unroll", False, args, None, _site.site())


def pipeline(*args, stage=None, init_values=None, attrs=None):
    return _runtime.loop("pl.pipeline", False, args, init_values, _site.site())


def yield_(*values):
    return _runtime.yield_(values, _site.site())


# ---- scopes and tasks ---------------------------------------------------------------------------
def at(level=None, role=None, **kwargs):
    return _runtime.Scope("pl.at", _site.site(), dict(kwargs, level=level))


def scope(mode=None, **kwargs):
    return _runtime.Scope("pl.scope", _site.site(), dict(kwargs, mode=mode))


def manual_scope(**kwargs):
    return _runtime.Scope("pl.manual_scope", _site.site(), kwargs)


def cluster(**kwargs):
    return _runtime.Scope("pl.cluster", _site.site(), kwargs)


def incore(**kwargs):
    """b6c82cf's `with pl.incore():` scope (removed from pypto later): a recorded hint."""
    return _runtime.Scope("pl.incore", _site.site(), kwargs)


def auto_incore(**kwargs):
    return _runtime.Scope("pl.auto_incore", _site.site(), kwargs)


def spmd(core_num, *, sync_start=False, name_hint="", optimizations=None, deps=None, allow_early_resolve=False,
         predicate=None):
    if predicate is not None:
        raise Unsupported("pl.spmd(predicate=...)", _site.text())
    return _runtime.Spmd(core_num, _site.site(), name_hint, deps)


def submit(kernel, *args, deps=None, dumps=None, allow_early_resolve=False, predicate=None):
    """Runs kernel(*args) as one task; returns (result, TaskId)."""
    s = _site.site()
    tid = _runtime.TaskId("submit", s)
    task = _tasks.begin("pl.submit", s, 1, deps, _tasks.kernel_args(kernel, args, {}))
    try:
        result = kernel(*args)
    except BaseException:
        _tasks.end(task, tid, failed=True)
        raise
    _tasks.end(task, tid)
    return result, tid


def spmd_submit(kernel, *args, core_num=1, deps=None, **kwargs):
    """Runs kernel(*args) once per block of a core_num-block launch; returns (result, TaskId)."""
    s = _site.site()
    result = None
    launch = _runtime.Spmd(core_num, s, deps=deps, kind="pl.spmd_submit")
    for _ in launch._run_blocks():
        result = kernel(*args)
    return result, launch.task_id


def get_block_idx():
    return _runtime.block_idx(_site.site())


def get_block_num():
    return _runtime.block_num(_site.site())


def get_subblock_idx():
    """The AIV lane (0 or 1) of the enclosing pl.split_aiv region; 0 outside one."""
    return _runtime.subblock_idx()


def split_aiv(n, *, mode):
    """`for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE)`: the two AIV lanes, concurrent."""
    return _runtime.split_aiv(n, mode, _site.site())


def no_dep(tensor):
    """pl.no_dep(t) as a call argument: that argument slot is NO_DEP for the runtime (the tensor is
    passed unchanged; inside pl.manual_scope it is a no-op)."""
    from .._tensor import Tensor, NoDepTensor

    if not isinstance(tensor, Tensor):
        from .._errors import Error

        raise Error(f"pl.no_dep takes a tensor, got {type(tensor).__name__} (at {_site.text()})")
    return NoDepTensor(tensor._t)


def _syncall(*, core_type="mix", mode="hard", gm_workspace=None, used_cores=None, span=None):
    _runtime.syncall(core_type, mode, gm_workspace, used_cores, _site.site())


# ---- helpers ------------------------------------------------------------------------------------
def const(value, dtype=None):
    return value


def static_print(*args):
    print(*args)


def static_assert(cond, msg=""):
    if not cond:
        from .._errors import Error

        raise Error(f"pl.static_assert failed{': ' + msg if msg else ''} (at {_site.text()})")


def func_attr(attrs):
    return None


# ---- decorators ---------------------------------------------------------------------------------
def function(func=None, *, type=None, level=None, role=None, attrs=None, auto_scope=True, strict_ssa=False,
             external_source=None):
    opts = {"type": type, "level": level, "role": role}
    if func is not None:
        return _make("function", func, opts)
    return lambda f: _make("function", f, opts)


def inline(func):
    return _make("inline", func)


def program(cls=None, *, strict_ssa=False):
    def mark(c):
        c.__ptoref_program__ = True
        return c

    return mark(cls) if cls is not None else mark


class _Jit:
    """pl.jit and its variants: @pl.jit, @pl.jit.inline, @pl.jit.incore(level=...), ..."""

    def __call__(self, func=None, *, auto_scope=True):
        if func is None:
            return lambda f: _make("jit", f)
        return _make("jit", func)

    def inline(self, func=None, *, auto_scope=True):
        return _make("inline", func) if func is not None else (lambda f: _make("inline", f))

    def incore(self, func=None, *, level=None, **kw):
        return _make("incore", func, {"level": level}) if func is not None else (lambda f: _make("incore", f))

    def opaque(self, func=None, **kw):
        return _make("opaque", func) if func is not None else (lambda f: _make("opaque", f))

    def host(self, func=None, **kw):
        return _unsupported_decorator("pl.jit.host", "multi-rank L3 dispatch", func)

    def extern(self, func=None, **kw):
        return _unsupported_decorator("pl.jit.extern", "its body is a .cpp kernel", func)


def _unsupported_decorator(name, reason, func):
    where = _site.text(2)

    def wrap(f):
        def call(*a, **k):
            raise Unsupported(f"@{name}", where, reason)

        call.__name__ = getattr(f, "__name__", name)
        call._ptoref_unsupported = reason
        return call

    return wrap(func) if func is not None else wrap


_Jit.host._ptoref_unsupported = "multi-rank L3 dispatch"
_Jit.extern._ptoref_unsupported = "its body is a .cpp kernel"
jit = _Jit()

# ---- namespaces ---------------------------------------------------------------------------------
_tensor_names = {
    n: globals()[n]
    for n in """add sub mul div maximum minimum adds subs muls divs exp neg abs sqrt log recip rsqrt row_expand_add
    row_expand_sub row_expand_mul row_expand_div col_expand_add col_expand_sub col_expand_mul col_expand_div row_max
    row_min row_sum cast matmul matmul_acc reshape transpose concat slice set_validshape fillpad read write assemble
    create_tensor full dim get_block_idx get_block_num get_subblock_idx no_dep""".split() + _ops_elementwise.NAMES
}
_tensor_names.update({n: getattr(_ops_index, n) for n in _ops_index.NAMES if n not in ("store",)})
_tensor_names.update({n: getattr(_ops_matmul2, n) for n in _ops_matmul2.NAMES})
tensor = _unsupported.UnknownNamespace(
    "pl.tensor", dict(_tensor_names, create=create_tensor), _unsupported.OPS
)
tile = _unsupported.UnknownNamespace(
    "pl.tile",
    dict(_tensor_names, load=load, move=move, create=create_tile, create_tile=create_tile,
         MaskPattern=_ops_index.MaskPattern, store=store, get_block_idx=get_block_idx,
         get_subblock_idx=get_subblock_idx),
    _unsupported.OPS,
)
system = _unsupported.UnknownNamespace(
    "pl.system",
    {"task_dummy": lambda *, deps=None, **kw: _tasks.dummy(deps, _site.site(), _runtime.TaskId("task_dummy", _site.site())),
     "syncall": _syncall},
    _unsupported.SYSTEM,
)
from . import _array  # noqa: E402

array = _unsupported.UnknownNamespace(
    "pl.array", {"create": _array.create, "get_element": _array.get_element, "update_element": _array.update_element}
)
prefetch = _unsupported.UnknownNamespace(
    "pl.prefetch", {"make_context": _PrefetchContext, "async_prefetch": _async_prefetch}, _unsupported.PREFETCH
)
for _n in _unsupported.OPS:
    globals().setdefault(_n, _unsupported.stub(f"pl.{_n}"))


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    raise Unsupported(f"pl.{name}", _site.text(), "not a name ptoref knows")


_builtins  # keep the import (range, min, max, abs and slice shadow the builtins here)
_sys
