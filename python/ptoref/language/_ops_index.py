"""The index, sort, scatter and data-movement ops of pl (docs/semantics.md section 9), as thin
calls of the C++ ops with the caller's file:line. Argument names and order mirror
pypto.language; every rule (dtypes, ranges, orders, ties) is the C++ library's."""
from .. import _core, _site
from .._errors import Error, Unsupported
from .._tensor import Tensor, _scalar
from ._ops import _dims, _dt, _index, _t


class MaskPattern:
    """pl.tile.MaskPattern: pypto's selectors of the mask forms of gather and scatter (read right to left)."""

    P0101 = 1  # columns 0, 2, 4, ...
    P1010 = 2  # columns 1, 3, 5, ...
    P0001 = 3  # columns 0, 4, 8, ...
    P0010 = 4
    P0100 = 5
    P1000 = 6
    P1111 = 7  # every column


def _pattern(p, op, s):
    if isinstance(p, bool) or not isinstance(p, int):
        raise Error(f"pl.{op}: mask_pattern must be a pl.tile.MaskPattern member (an int 1..7), got {p!r} (at {s!r})")
    return p


_ATOMIC = {"None_": 0, "Add": 1}


def _atomic(a, op, s):
    if a is None:
        return 0
    name = getattr(a, "name", None)
    if getattr(a, "enum", None) != "AtomicType" or name not in _ATOMIC:
        raise Error(f"pl.{op}: atomic must be pl.AtomicType.None_ or pl.AtomicType.Add, got {a!r} (at {s!r})")
    return _ATOMIC[name]


def _pad(p):
    name = "zero" if p is None else getattr(p, "name", str(p))
    return "zero" if name == "null" else name


def arange(start, shape, dtype=None, descending=False):
    s = _site.site()
    d = _core.DType.INT32 if dtype is None else _dt(dtype, "arange", s)
    return Tensor(_core.arange(_index(start, "arange", "start", s), _dims(shape, "arange", "shape", s), d,
                               bool(descending), s))


ci = arange


def gather(input, dim=None, index=None, *, mask_pattern=None, output_dtype=None, kvalue=None, cmp_mode=None,
           out_cols=None, offset=0, count_dtype=None):
    s = _site.site()
    x = _t(input, "gather", "input", s)
    is_index = dim is not None or index is not None
    is_mask = mask_pattern is not None
    is_compare = kvalue is not None or cmp_mode is not None or out_cols is not None
    if int(is_index) + int(is_mask) + int(is_compare) > 1:
        raise Error(f"pl.gather: the index form (dim, index), mask form (mask_pattern=) and compare form (kvalue=, "
                    f"cmp_mode=, out_cols=) are mutually exclusive (at {s!r})")
    if is_compare:
        raise Unsupported("pl.gather(kvalue=..., cmp_mode=...)", _site.text(), "the compare form is not implemented")
    if is_mask:
        out = None if output_dtype is None else _dt(output_dtype, "gather", s)
        return Tensor(_core.gather_mask(x, _pattern(mask_pattern, "gather", s), out, s))
    if output_dtype is not None:
        raise Error(f"pl.gather: output_dtype is only valid for the mask form (at {s!r})")
    if dim is None or index is None:
        raise Error(f"pl.gather: the index form needs both dim and index (at {s!r})")
    return Tensor(_core.gather_index(x, _index(dim, "gather", "dim", s), _t(index, "gather", "index", s), s))


def gather_row(dst, src, dst_offset, src_offset, shapes, transpose=False, *, valid_shape=None):
    s = _site.site()
    op = "gather_row"
    return Tensor(_core.gather_row(
        _t(dst, op, "dst", s), _t(src, op, "src", s), _dims(dst_offset, op, "dst_offset", s),
        _dims(src_offset, op, "src_offset", s), _dims(shapes, op, "shapes", s), bool(transpose),
        None if valid_shape is None else _dims(valid_shape, op, "valid_shape", s), s))


def scatter(input, dim=None, index=None, src=None, *, mask_pattern=None, dst=None):
    s = _site.site()
    x = _t(input, "scatter", "input", s)
    is_index = dim is not None or index is not None or src is not None
    is_mask = mask_pattern is not None or dst is not None
    if is_index and is_mask:
        raise Error(f"pl.scatter: the index form (dim, index, src) and mask form (mask_pattern, dst) are mutually "
                    f"exclusive (at {s!r})")
    if is_mask:
        if mask_pattern is None or dst is None:
            raise Error(f"pl.scatter: the mask form needs both mask_pattern and dst (at {s!r})")
        return Tensor(_core.scatter_mask(x, _pattern(mask_pattern, "scatter", s), _t(dst, "scatter", "dst", s), s))
    if dim is None or index is None or src is None:
        raise Error(f"pl.scatter: the index form needs dim, index and src (at {s!r})")
    return Tensor(_core.scatter_index(x, _index(dim, "scatter", "dim", s), _t(index, "scatter", "index", s),
                                      _t(src, "scatter", "src", s), s))


def scatter_update(input, *args, **kwargs):
    """pypto's call shapes: (input, dim, index, src), (input, index, src, dim=-2), (input, dim, index=, src=)."""
    s = _site.site()
    op = "scatter_update"
    dim, index, src = kwargs.pop("dim", None), kwargs.pop("index", None), kwargs.pop("src", None)
    if kwargs:
        raise Error(f"pl.scatter_update: unexpected keywords {sorted(kwargs)} (at {s!r})")
    rest = list(args)
    if rest and not isinstance(rest[0], Tensor):
        dim = rest.pop(0)
    if rest:
        index = rest.pop(0)
    if rest:
        src = rest.pop(0)
    if rest or index is None or src is None:
        raise Error(f"pl.scatter_update: expected (input, dim, index, src) (at {s!r})")
    return Tensor(_core.scatter_update(_t(input, op, "input", s), _index(-2 if dim is None else dim, op, "dim", s),
                                       _t(index, op, "index", s), _t(src, op, "src", s), s))


def sort32(src, idx):
    s = _site.site()
    return Tensor(_core.sort32(_t(src, "sort32", "src", s), _t(idx, "sort32", "idx", s), s))


def mrgsort(src0, src1=None, src2=None, src3=None, tmp=None, *, exhausted=False, block_len=None):
    s = _site.site()
    # tmp is the device's scratch tile: no effect on the result.
    if block_len is not None:
        if exhausted or any(a is not None for a in (src1, src2, src3)):
            raise Error(f"pl.mrgsort: format 1 (block_len=) and format 2 (src1, ...) are mutually exclusive (at {s!r})")
        return Tensor(_core.mrgsort_blocks(_t(src0, "mrgsort", "src0", s), _index(block_len, "mrgsort", "block_len", s), s))
    if src1 is None:
        raise Error(f"pl.mrgsort: needs block_len= (format 1) or at least src0, src1 (format 2) (at {s!r})")
    lists = [_t(x, "mrgsort", f"src{i}", s) for i, x in enumerate((src0, src1, src2, src3)) if x is not None]
    return Tensor(_core.mrgsort_lists(lists, bool(exhausted), s))


def _arg(name):
    def op(input, tmp_tile=None):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(input, name, "input", s), s))

    op.__name__ = name
    return op


row_argmax = _arg("row_argmax")
row_argmin = _arg("row_argmin")
col_argmax = _arg("col_argmax")
col_argmin = _arg("col_argmin")


def assemble(target, source, offset, *, atomic=None):
    s = _site.site()
    return Tensor(_core.assemble_atomic(
        _t(target, "assemble", "target", s), _t(source, "assemble", "source", s),
        _dims(offset, "assemble", "offset", s), _atomic(atomic, "assemble", s), s))


def store(tile, offsets, output_tensor, shapes=None, *, atomic=None):
    s = _site.site()
    src = _t(tile, "store", "tile", s)
    if shapes is not None:
        ext = _dims(shapes, "store", "shapes", s)
        if ext != src.shape:
            src = _core.slice(src, ext, [0] * len(ext), None, s)
    return Tensor(_core.store_atomic(src, _dims(offsets, "store", "offsets", s),
                                     _t(output_tensor, "store", "output_tensor", s), _atomic(atomic, "store", s), s))


def set_validshape(input, valid_rows, valid_cols):
    s = _site.site()
    op = "set_validshape"
    return Tensor(_core.set_validshape(_t(input, op, "input", s), _index(valid_rows, op, "valid_rows", s),
                                       _index(valid_cols, op, "valid_cols", s), s))


def fillpad_expand(value, shape, pad_value=None):
    s = _site.site()
    return Tensor(_core.fillpad_expand(_t(value, "fillpad_expand", "value", s),
                                       _dims(shape, "fillpad_expand", "shape", s), _pad(pad_value), s))


def expand_clone(src, target):
    s = _site.site()
    return Tensor(_core.expand_clone(_t(src, "expand_clone", "src", s), _t(target, "expand_clone", "target", s), s))


def reinterpret_view(data, dtype, *, shape=None):
    s = _site.site()
    op = "reinterpret_view"
    return Tensor(_core.reinterpret_view(_t(data, op, "data", s), _dt(dtype, op, s),
                                         None if shape is None else _dims(shape, op, "shape", s), s))


def create_tensor(shape, dtype, layout=None, manual_dep=False, init_value=None, valid_shape=None):
    s = _site.site()
    dims = _dims(shape, "create_tensor", "shape", s)
    if init_value is not None:
        t = _core.create_tensor_init(dims, _dt(dtype, "create_tensor", s), _scalar(init_value, "create_tensor", s), s)
    else:
        t = _core.create_tensor(dims, _dt(dtype, "create_tensor", s), s)
    if valid_shape is not None:  # b6c82cf's form: the new tensor seen with a valid region
        t = _core.slice(t, dims, [0] * len(dims), _dims(valid_shape, "create_tensor", "valid_shape", s), s)
    if manual_dep:  # runtime ordering: the runtime tracks no view of this buffer
        _core.set_manual_dep(t)
    return Tensor(t)


def create_l1(shape, dtype, transpose=False):
    """pypto's on-chip (L1/Mat) tensor: a new, never-written tensor of `shape`; `transpose` only
    picks the device's layout (the logical shape stays `shape`), a recorded hint here."""
    s = _site.site()
    return Tensor(_core.create_tensor(_dims(shape, "create_l1", "shape", s), _dt(dtype, "create_l1", s), s))


NAMES = """arange ci gather gather_row scatter scatter_update sort32 mrgsort row_argmax row_argmin col_argmax col_argmin
assemble store set_validshape fillpad_expand expand_clone reinterpret_view create_tensor create_l1""".split()
