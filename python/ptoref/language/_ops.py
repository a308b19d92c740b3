"""The ops of pl, as thin calls of the C++ ops (ptoref._core) with the caller's file:line.
Argument names and order mirror pypto.language; every numeric rule is the C++ library's."""
from .. import _core, _dtypes, _site
from .._errors import Error
from .._tensor import Tensor, Tile, _binary, _scalar, getitem
from ._unsupported import reject_keyword


def _t(x, op, what, site):
    if isinstance(x, Tensor):
        return x._t
    raise Error(f"pl.{op}: {what} must be a tensor, got {type(x).__name__} (at {site!r})")


_I64 = (-(2**63), 2**63 - 1)


def _dims(v, op, what, site):
    # Fast path, taken by nearly every call: a list or tuple of plain ints in the index range.
    if type(v) is list or type(v) is tuple:
        for e in v:
            if type(e) is not int or not _I64[0] <= e <= _I64[1]:
                break
        else:
            return list(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return [_index(v, op, what, site)]
    if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
        raise Error(f"pl.{op}: {what} must be a list of integers, got {v!r} (at {site!r})")
    return [_index(e, op, what, site) for e in v]


def _index(e, op, what, site):
    if isinstance(e, bool) or not isinstance(e, int):
        import operator

        try:
            e = operator.index(e)
        except TypeError:
            raise Error(f"pl.{op}: {what} holds {e!r}, not an integer (at {site!r})") from None
    if not _I64[0] <= e <= _I64[1]:
        raise Error(f"pl.{op}: {what} holds {e}, outside the 64-bit index range (at {site!r})")
    return e


def _dt(dtype, op, site):
    if not isinstance(dtype, _dtypes.DataType):
        raise Error(f"pl.{op}: expected a pl dtype such as pl.FP32, got {dtype!r} (at {site!r})")
    return _dtypes.require_core(dtype, f"pl.{op}", site)


# ---- elementwise ----------------------------------------------------------------------------


def _elementwise_at(name, lhs, rhs, s):
    if True:
        if not isinstance(lhs, Tensor):
            if isinstance(rhs, Tensor) and name in ("add", "mul", "maximum", "minimum"):
                lhs, rhs = rhs, lhs  # commutative: scalar-tensor is tensor-scalar
            else:
                raise Error(f"pl.{name}: the left operand must be a tensor, got {type(lhs).__name__} (at {s!r})")
        return _binary(name, lhs, rhs, s)


def _elementwise(name):
    def op(lhs, rhs):
        return _elementwise_at(name, lhs, rhs, _site.site())

    op.__name__ = name
    return op


add = _elementwise("add")
sub = _elementwise("sub")
mul = _elementwise("mul")
maximum = _elementwise("maximum")
minimum = _elementwise("minimum")


def div(lhs, rhs, high_precision=False):
    # high_precision is ignored on A2A3 (pto-isa TDIV.md); ptoref's div is an IEEE division.
    return _elementwise_at("div", lhs, rhs, _site.site())


def _tensor_scalar(name):
    def op(lhs, rhs):
        s = _site.site()
        return Tensor(getattr(_core, name + "_scalar")(_t(lhs, name + "s", "lhs", s), _scalar(rhs, name, s), s))

    op.__name__ = name + "s"
    return op


adds = _tensor_scalar("add")
subs = _tensor_scalar("sub")
muls = _tensor_scalar("mul")
divs = _tensor_scalar("div")


def _unary(name):
    def op(input):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(input, name, "input", s), s))

    op.__name__ = name
    return op


exp = _unary("exp")
neg = _unary("neg")
abs = _unary("abs")
sqrt = _unary("sqrt")


def _unary_hp(name):
    # high_precision=True is ignored on A2A3 for log/recip (pto-isa TLOG.md, TRECIP.md); ptoref's
    # log is correctly rounded and recip an IEEE division either way.
    def op(input, high_precision=False):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(input, name, "input", s), s))

    op.__name__ = name
    return op


log = _unary_hp("log")
recip = _unary_hp("recip")


def rsqrt(input, high_precision=False):
    """Correctly rounded 1/sqrt(x); high_precision=True: sqrt then 1/x, two roundings (A2A3's
    high-precision sequence)."""
    s = _site.site()
    return Tensor(_core.rsqrt(_t(input, "rsqrt", "input", s), bool(high_precision), s))


# ---- broadcasts and reductions --------------------------------------------------------------


def _expand(name):
    def op(lhs, rhs):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(lhs, name, "lhs", s), _t(rhs, name, "rhs", s), s))

    op.__name__ = name
    return op


row_expand_add = _expand("row_expand_add")
row_expand_sub = _expand("row_expand_sub")
row_expand_mul = _expand("row_expand_mul")
row_expand_div = _expand("row_expand_div")
col_expand_add = _expand("col_expand_add")
col_expand_sub = _expand("col_expand_sub")
col_expand_mul = _expand("col_expand_mul")
col_expand_div = _expand("col_expand_div")


def _reduce(name):
    def op(input, tmp_tile=None):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(input, name, "input", s), s))

    op.__name__ = name
    return op


row_max = _reduce("row_max")
row_min = _reduce("row_min")
row_sum = _reduce("row_sum")

# ---- casts, matmul ----------------------------------------------------------------------------


def cast(input, target_type, mode="round"):
    s = _site.site()
    if not isinstance(input, Tensor):
        return _scalar_cast(input, target_type, s)
    mode_name = mode if isinstance(mode, str) else getattr(mode, "name", None)
    if not isinstance(mode_name, str):
        raise Error(f"pl.cast: mode must be a string such as 'round', got {mode!r} (at {s!r})")
    return Tensor(_core.cast(input._t, _dt(target_type, "cast", s), mode_name, s))


def _scalar_cast(v, target_type, s):
    # A scalar cast in DSL code (pl.cast(i, pl.INDEX), pl.cast(x, pl.FP32)): integer targets
    # truncate toward zero, float targets keep the value. A comparison of two scalars is the
    # DSL's Scalar[BOOL] (a Python bool here): it casts to 1 or 0.
    name = getattr(target_type, "name", "")
    if not isinstance(v, (int, float)):
        raise Error(f"pl.cast: expected a tensor or a scalar, got {type(v).__name__} (at {s!r})")
    if name.startswith(("INT", "UINT")) or name in ("INDEX", "BOOL"):
        return int(v)
    if name.startswith(("FP", "BF")):
        return float(v)
    raise Error(f"pl.cast: unknown scalar target {target_type!r} (at {s!r})")


def matmul(lhs, rhs, out_dtype=None, a_trans=False, b_trans=False, c_matrix_nz=False):
    s = _site.site()
    reject_keyword("matmul", "c_matrix_nz", c_matrix_nz)
    for x in (lhs, rhs):
        if isinstance(x, Tensor) and len(x.shape) > 2:
            from .._errors import Unsupported

            raise Unsupported("pl.matmul of rank > 2 operands (batch_matmul)", repr(s))
    if out_dtype is None and isinstance(lhs, Tile) and isinstance(rhs, Tile):
        out_dtype = _dtypes.FP32 if lhs.dtype.is_float else _dtypes.INT32  # the L0C accumulator
    od = None if out_dtype is None else _dt(out_dtype, "matmul", s)
    return Tensor(
        _core.matmul(_t(lhs, "matmul", "lhs", s), _t(rhs, "matmul", "rhs", s), od, bool(a_trans), bool(b_trans), s)
    )


def matmul_acc(acc, lhs, rhs, a_trans=False, b_trans=False, init_cond=None):
    s = _site.site()
    reject_keyword("matmul_acc", "init_cond", init_cond)
    return Tensor(
        _core.matmul_acc(
            _t(acc, "matmul_acc", "acc", s),
            _t(lhs, "matmul_acc", "lhs", s),
            _t(rhs, "matmul_acc", "rhs", s),
            bool(a_trans),
            bool(b_trans),
            s,
        )
    )


# ---- shape and data movement ------------------------------------------------------------------


def reshape(input, shape):
    s = _site.site()
    return Tensor(_core.reshape(_t(input, "reshape", "input", s), _dims(shape, "reshape", "shape", s), s))


def transpose(input, axis1, axis2):
    s = _site.site()
    a1, a2 = _index(axis1, "transpose", "axis1", s), _index(axis2, "transpose", "axis2", s)
    return Tensor(_core.transpose(_t(input, "transpose", "input", s), a1, a2, s))


def concat(src0, src1):
    s = _site.site()
    return Tensor(_core.concat(_t(src0, "concat", "src0", s), _t(src1, "concat", "src1", s), s))


def slice(input, shape, offset, valid_shape=None, drop_dims=None, pad_value=None, clamp=False):
    s = _site.site()
    reject_keyword("slice", "pad_value", pad_value)
    t = _t(input, "slice", "input", s)
    ext = _dims(shape, "slice", "shape", s)
    v = _core.slice(
        t,
        ext,
        _dims(offset, "slice", "offset", s),
        None if valid_shape is None else _dims(valid_shape, "slice", "valid_shape", s),
        s,
        clamp=bool(clamp),
    )
    if drop_dims:
        drop = {d % len(ext) for d in _dims(drop_dims, "slice", "drop_dims", s)}
        v = _core.reshape(v, [e for d, e in enumerate(ext) if d not in drop], s)
    return Tensor(v)


def set_validshape(input, valid_rows, valid_cols):
    """A view of the whole tensor whose valid region is [valid_rows, valid_cols] (2-D)."""
    s = _site.site()
    t = _t(input, "set_validshape", "input", s)
    shape = t.shape
    return Tensor(_core.slice(t, shape, [0] * len(shape), [int(valid_rows), int(valid_cols)], s))


def fillpad(value, pad_value=None):
    s = _site.site()
    name = "zero" if pad_value is None else getattr(pad_value, "name", str(pad_value))
    if name == "null":
        name = "zero"
    return Tensor(_core.fillpad(_t(value, "fillpad", "value", s), name, s))


def read(src, offset):
    s = _site.site()
    return _core.read(_t(src, "read", "src", s), _dims(offset, "read", "offset", s), s)


def write(dst, offset, value):
    s = _site.site()
    return Tensor(
        _core.write(_t(dst, "write", "dst", s), _dims(offset, "write", "offset", s), _scalar(value, "write", s), s)
    )


def assemble(target, source, offset, *, atomic=None):
    s = _site.site()
    reject_keyword("assemble", "atomic", atomic)
    return Tensor(
        _core.assemble(
            _t(target, "assemble", "target", s), _t(source, "assemble", "source", s), _dims(offset, "assemble", "offset", s), s
        )
    )


def create_tensor(shape, dtype, layout=None, manual_dep=False, init_value=None, valid_shape=None):
    s = _site.site()
    dims = _dims(shape, "create_tensor", "shape", s)
    if init_value is not None:
        t = _core.full(dims, _dt(dtype, "create_tensor", s), _scalar(init_value, "create_tensor", s), s)
    else:
        t = _core.create_tensor(dims, _dt(dtype, "create_tensor", s), s)
    if valid_shape is not None:  # b6c82cf's form: the new tensor seen with a valid region
        t = _core.slice(t, dims, [0] * len(dims), _dims(valid_shape, "create_tensor", "valid_shape", s), s)
    if manual_dep:  # runtime ordering: the runtime tracks no view of this buffer
        _core.set_manual_dep(t)
    return Tensor(t)


def full(shape, dtype, value):
    s = _site.site()
    return Tensor(_core.full(_dims(shape, "full", "shape", s), _dt(dtype, "full", s), _scalar(value, "full", s), s))


def dim(tensor, axis):
    s = _site.site()
    shape = _t(tensor, "dim", "tensor", s).shape
    a = int(axis)
    if not -len(shape) <= a < len(shape):
        raise Error(f"pl.tensor.dim: axis {a} is outside rank {len(shape)} (at {s!r})")
    return shape[a]


# ---- tile ops: on a CPU a tile is a tensor; load is a slice, store an assemble ----------------


def load(tensor, offsets, shapes, valid_shape=None, target_memory=None, clamp=False):
    s = _site.site()
    reject_keyword("load", "clamp", clamp)
    return Tile(
        _core.slice(
            _t(tensor, "load", "tensor", s),
            _dims(shapes, "load", "shapes", s),
            _dims(offsets, "load", "offsets", s),
            None if valid_shape is None else _dims(valid_shape, "load", "valid_shape", s),
            s,
        )
    )


def store(tile, offsets, output_tensor, shapes=None, *, atomic=None):
    s = _site.site()
    reject_keyword("store", "atomic", atomic)
    src = _t(tile, "store", "tile", s)
    if shapes is not None:
        ext = _dims(shapes, "store", "shapes", s)
        if ext != src.shape:
            src = _core.slice(src, ext, [0] * len(ext), None, s)
    return Tensor(_core.store(src, _dims(offsets, "store", "offsets", s), _t(output_tensor, "store", "output_tensor", s), s))


def move(tile, target_memory=None, **hints):
    # memory spaces are hints on a CPU; the result is a tile
    return tile if isinstance(tile, Tile) else Tile(tile._t)


def create_tile(shape, dtype, target_memory=None, **hints):
    s = _site.site()
    return Tile(_core.create_tensor(_dims(shape, "create_tile", "shape", s), _dt(dtype, "create_tile", s), s))


# ---- scalar helpers ----------------------------------------------------------------------------


def min(lhs, rhs):
    if isinstance(lhs, int) and isinstance(rhs, int):
        return _core.scalar_min(lhs, rhs)
    return _core.scalar_min(float(lhs), float(rhs))


def max(lhs, rhs):
    if isinstance(lhs, int) and isinstance(rhs, int):
        return _core.scalar_max(lhs, rhs)
    return _core.scalar_max(float(lhs), float(rhs))


def subscript(t, key):
    return getitem(t, key, _site.site())
