"""pl.Tensor: the front end's tensor, a handle over a _core.Tensor (a ptoref::Tensor<T>).

Copying the handle copies nothing; slices are views and assemble/write mutate the buffer, as in
the C++ library. Subscripts follow the DSL's sugar: `x[a:b, c]` is a slice whose scalar index
drops the dim (numpy-style), `x[i, j]` with every dim indexed is a scalar read, and
`y[a:b, :] = v` is an in-place assemble (the DSL-function rewrite turns it into
`y = assemble(y, v, offset)` so the name is rebound to the new version).
"""
import numbers

from . import _core, _dtypes, _site
from ._errors import Error


class TensorType:
    """The annotation pl.Tensor[[shape], dtype(, layout)] (checked against arguments at call time)."""

    __slots__ = ("shape", "dtype", "extra")

    def __init__(self, shape, dtype, extra=()):
        self.shape = shape
        self.dtype = dtype
        self.extra = extra

    def __repr__(self):
        dims = "?" if self.shape is None else "[" + ", ".join(str(d) for d in self.shape) + "]"
        return f"pl.Tensor[{dims}, {self.dtype!r}]"


class Tensor:
    """A tensor of the program: element type, shape, valid_shape, and the buffer it views."""

    __slots__ = ("_t", "__weakref__")

    def __init__(self, core):
        self._t = core

    # ---- annotations ------------------------------------------------------------------
    def __class_getitem__(cls, params):
        if not isinstance(params, tuple):
            params = (params,)
        shape = params[0] if params else None
        dtype = params[1] if len(params) > 1 else None
        if shape is not None and not isinstance(shape, (list, tuple)):
            shape = [shape]
        return TensorType(list(shape) if shape is not None else None, dtype, tuple(params[2:]))

    # ---- inspection -------------------------------------------------------------------
    @property
    def shape(self):
        return self._t.shape

    @property
    def valid_shape(self):
        return self._t.valid_shape

    @property
    def dtype(self):
        return _dtypes.from_core(self._t.dtype)

    @property
    def ndim(self):
        return len(self._t.shape)

    @property
    def name(self):
        return self._t.name

    @name.setter
    def name(self, value):
        self._t.name = value

    def numpy(self):
        """The elements as numpy (bf16 as uint16 bits, FP8 as uint8 bits); zero-copy when the view is
        contiguous."""
        return self._t.numpy()

    def digest(self):
        """SHA-256 of the elements' bits, row-major (the C++ ptoref::testing::digest)."""
        return _core.digest(self._t)

    def bind_dynamic(self, dim, var):
        """pypto's specialiser hint: a no-op here (dims are runtime values)."""
        return self

    def __repr__(self):
        return f"<ptoref Tensor {self._t.describe()}>"

    def __len__(self):
        return self._t.shape[0]

    def __bool__(self):
        return True

    # ---- subscript sugar --------------------------------------------------------------
    def __getitem__(self, key):
        return getitem(self, key, _site.site())

    def __setitem__(self, key, value):
        # Reached only where the rewrite could not rebind a name (e.g. `self.buf[...] = v`):
        # the buffer is updated in place and this handle follows it.
        self._t = setitem(self, key, value, _site.site())._t

    # ---- operators (the DSL's Python arithmetic on tensors) ---------------------------
    def __add__(self, o):
        return _binary("add", self, o, _site.site())

    def __sub__(self, o):
        return _binary("sub", self, o, _site.site())

    def __mul__(self, o):
        return _binary("mul", self, o, _site.site())

    def __truediv__(self, o):
        return _binary("div", self, o, _site.site())

    def __radd__(self, o):
        return _binary("add", self, o, _site.site())

    def __rmul__(self, o):
        return _binary("mul", self, o, _site.site())

    def __neg__(self):
        return Tensor(_core.neg(self._t, _site.site()))


class Tile(Tensor):
    """A tensor made by a tile-level load, move or create_tile. On a CPU it is a tensor; the one
    difference the DSL makes is that pl.matmul of two tiles yields the accumulator dtype (FP32,
    INT32 for integers), as the cube unit's L0C does."""

    __slots__ = ()


def _binary(op, a, b, site):
    if isinstance(b, Tensor):
        return Tensor(getattr(_core, op)(a._t, b._t, site))
    return Tensor(getattr(_core, op + "_scalar")(a._t, _scalar(b, op, site), site))


def _scalar(v, what, site):
    """A Python (or numpy) number as the op's scalar operand: an int in the 64-bit range, or a float."""
    if type(v) is float:  # the common cases first: exact type tests, no ABC check
        return v
    if type(v) is int and -(2**63) <= v < 2**63:
        return v
    if isinstance(v, numbers.Integral):  # bool and numpy integers included
        v = int(v)
        if not -(2**63) <= v < 2**63:
            raise Error(f"pl.{what}: the scalar {v} is outside the 64-bit integer range (at {site!r})")
        return v
    if isinstance(v, numbers.Real):
        return float(v)
    raise Error(f"pl.{what}: expected a tensor or a scalar, got {type(v).__name__} (at {site!r})")


def _parse_key(t, key, site):
    """(offsets, extents, dropped dims) of a subscript key over tensor t."""
    shape = t._t.shape
    if not isinstance(key, tuple):
        key = (key,)
    if any(k is Ellipsis for k in key):
        i = key.index(Ellipsis)
        fill = len(shape) - (len(key) - 1)
        key = key[:i] + (slice(None),) * fill + key[i + 1 :]
    if len(key) > len(shape):
        raise Error(f"subscript: {len(key)} indices for {t._t.describe()} (at {site!r})")
    key = key + (slice(None),) * (len(shape) - len(key))
    offsets, extents, dropped = [], [], []
    for d, k in enumerate(key):
        if isinstance(k, slice):
            if k.step not in (None, 1):
                raise Error(f"subscript: step {k.step} in dim {d} (the DSL slices with step 1) (at {site!r})")
            start = 0 if k.start is None else _index(k.start, site)
            stop = shape[d] if k.stop is None else _index(k.stop, site)
            if start < 0 or stop < start:
                raise Error(f"subscript: bad range {start}:{stop} in dim {d} of {t._t.describe()} (at {site!r})")
            offsets.append(start)
            extents.append(stop - start)
        else:
            i = _index(k, site)
            if i < 0:
                raise Error(f"subscript: negative index {i} in dim {d} of {t._t.describe()} (at {site!r})")
            offsets.append(i)
            extents.append(1)
            dropped.append(d)
    return offsets, extents, dropped


def _index(v, site):
    if isinstance(v, bool) or not isinstance(v, int):
        try:
            import operator

            v = operator.index(v)
        except TypeError:
            raise Error(f"subscript: index {v!r} is not an integer (at {site!r})") from None
    if not -(2**63) <= v < 2**63:
        raise Error(f"subscript: index {v} is outside the 64-bit index range (at {site!r})")
    return v


def getitem(t, key, site):
    offsets, extents, dropped = _parse_key(t, key, site)
    if len(dropped) == len(extents):
        return _core.read(t._t, offsets, site)
    v = _core.slice(t._t, extents, offsets, None, site)
    if dropped:
        kept = [e for d, e in enumerate(extents) if d not in dropped]
        v = _core.reshape(v, kept, site)
    return Tensor(v)


def setitem(t, key, value, site):
    offsets, extents, dropped = _parse_key(t, key, site)
    if not isinstance(value, Tensor):
        if len(dropped) == len(extents):
            return Tensor(_core.write(t._t, offsets, _scalar(value, "write", site), site))
        raise Error(f"subscript assignment of a {type(value).__name__} to a region (at {site!r}); assign a tensor")
    src = value._t
    if dropped and src.shape == [e for d, e in enumerate(extents) if d not in dropped] and src.shape != extents:
        src = _core.reshape(src, extents, site)
    return Tensor(_core.assemble(t._t, src, offsets, site))


class NoDepTensor(Tensor):
    """What pl.no_dep(t) returns: the same tensor, its argument slot NO_DEP at a task call."""

    __slots__ = ()
