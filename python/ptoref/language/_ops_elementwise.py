"""pl's elementwise, compare/select, bitwise, remainder, activation, partial, trig, expand and
column-reduction ops: thin calls of the C++ ops (ptoref._core) with the caller's file:line.
Argument names and order mirror pypto.language (scratch `tmp` operands of the tile forms are
accepted and unused); every numeric rule is the C++ library's."""
from .. import _core, _site
from .._errors import Error
from .._tensor import Tensor, _scalar
from ._ops import _t, _unary


def _int(v, op, site):
    v = _scalar(v, op, site)
    if isinstance(v, float):
        raise Error(f"pl.{op}: expected an integer scalar, got {v!r} (at {site!r})")
    return v


def _code(cmp_type, op, site):
    if isinstance(cmp_type, bool) or not isinstance(cmp_type, int):
        cmp_type = getattr(cmp_type, "value", cmp_type)
    if isinstance(cmp_type, bool) or not isinstance(cmp_type, int):
        raise Error(f"pl.{op}: cmp_type must be an integer code (0 eq .. 5 ge), got {cmp_type!r} (at {site!r})")
    if not -(2**31) <= cmp_type < 2**31:
        raise Error(f"pl.{op}: cmp_type {cmp_type} is not a comparison (0 eq .. 5 ge) (at {site!r})")
    return cmp_type


# ---- compare and select ------------------------------------------------------------------------


def cmp(lhs, rhs, cmp_type=0):
    """1 where lhs <cmp_type> rhs, else 0, in lhs's shape and dtype (0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge)."""
    s = _site.site()
    a = _t(lhs, "cmp", "lhs", s)
    code = _code(cmp_type, "cmp", s)
    if isinstance(rhs, Tensor):
        return Tensor(_core.cmp(a, rhs._t, code, s))
    return Tensor(_core.cmps(a, _scalar(rhs, "cmp", s), code, "pl.cmp", s))


def cmps(lhs, rhs, cmp_type=0):
    s = _site.site()
    return Tensor(_core.cmps(_t(lhs, "cmps", "lhs", s), _scalar(rhs, "cmps", s), _code(cmp_type, "cmps", s),
                             "pl.cmps", s))


def sel(mask, lhs, rhs, tmp=None):
    """lhs where the mask element is non-zero, else rhs."""
    s = _site.site()
    return Tensor(_core.sel(_t(mask, "sel", "mask", s), _t(lhs, "sel", "lhs", s), _t(rhs, "sel", "rhs", s), s))


def sels(mask, src, tmp=None, scalar=None):
    """src where the mask element is non-zero, else the scalar (pypto: sels(mask, src, tmp, scalar))."""
    s = _site.site()
    if scalar is None and not isinstance(tmp, Tensor):
        tmp, scalar = None, tmp  # sels(mask, src, scalar)
    if scalar is None:
        raise Error(f"pl.sels: missing the scalar operand (at {s!r})")
    return Tensor(_core.sels(_t(mask, "sels", "mask", s), _t(src, "sels", "src", s), _scalar(scalar, "sels", s), s))


# ---- bitwise and shifts (integer tensors) --------------------------------------------------------


def _int_binary(name, scalar_name):
    def op(lhs, rhs, tmp=None):
        s = _site.site()
        a = _t(lhs, name, "lhs", s)
        if isinstance(rhs, Tensor):
            return Tensor(getattr(_core, name)(a, rhs._t, s))
        return Tensor(getattr(_core, scalar_name)(a, _int(rhs, name, s), s))

    def sop(lhs, rhs, tmp=None):
        s = _site.site()
        return Tensor(getattr(_core, scalar_name)(_t(lhs, scalar_name, "lhs", s), _int(rhs, scalar_name, s), s))

    op.__name__, sop.__name__ = name, scalar_name
    return op, sop


and_, ands = _int_binary("and_", "ands")
or_, ors = _int_binary("or_", "ors")
xor, xors = _int_binary("xor", "xors")
shl, shls = _int_binary("shl", "shls")
shr, shrs = _int_binary("shr", "shrs")


def not_(input):
    s = _site.site()
    return Tensor(_core.not_(_t(input, "not_", "input", s), s))


# ---- remainders --------------------------------------------------------------------------------


def _remainder(name, scalar_name):
    def op(lhs, rhs, tmp=None):
        s = _site.site()
        a = _t(lhs, name, "lhs", s)
        if isinstance(rhs, Tensor):
            return Tensor(getattr(_core, name)(a, rhs._t, s))
        return Tensor(getattr(_core, scalar_name)(a, _scalar(rhs, name, s), "pl." + name, s))

    def sop(lhs, rhs, tmp=None):
        s = _site.site()
        return Tensor(getattr(_core, scalar_name)(_t(lhs, scalar_name, "lhs", s), _scalar(rhs, scalar_name, s),
                                                  "pl." + scalar_name, s))

    op.__name__, sop.__name__ = name, scalar_name
    return op, sop


fmod, fmods = _remainder("fmod", "fmods")
rem, rems = _remainder("rem", "rems")


# ---- activations, partial ops, trig --------------------------------------------------------------


relu = _unary("relu")
sin = _unary("sin")
cos = _unary("cos")


def lrelu(tile, slope):
    s = _site.site()
    return Tensor(_core.lrelu(_t(tile, "lrelu", "tile", s), _scalar(slope, "lrelu", s), s))


def prelu(tile, slope, tmp=None):
    s = _site.site()
    return Tensor(_core.prelu(_t(tile, "prelu", "tile", s), _t(slope, "prelu", "slope", s), s))


def _pair(name, a_name="lhs", b_name="rhs"):
    def op(lhs, rhs):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(lhs, name, a_name, s), _t(rhs, name, b_name, s), s))

    op.__name__ = name
    return op


part_add = _pair("part_add")
part_mul = _pair("part_mul")
part_max = _pair("part_max")
part_min = _pair("part_min")

# ---- expand family -----------------------------------------------------------------------------

row_expand = _pair("row_expand", "target", "row_vec")
col_expand = _pair("col_expand", "target", "col_vec")
row_expand_max = _pair("row_expand_max", "tensor", "row_vec")
row_expand_min = _pair("row_expand_min", "tensor", "row_vec")
row_expand_expdif = _pair("row_expand_expdif", "tensor", "row_vec")
col_expand_max = _pair("col_expand_max", "tensor", "col_vec")
col_expand_min = _pair("col_expand_min", "tensor", "col_vec")
col_expand_expdif = _pair("col_expand_expdif", "tensor", "col_vec")


def expands(target, scalar):
    s = _site.site()
    return Tensor(_core.expands(_t(target, "expands", "target", s), _scalar(scalar, "expands", s), s))


# ---- reductions --------------------------------------------------------------------------------


def _reduce(name):
    def op(input, tmp_tile=None):
        s = _site.site()
        return Tensor(getattr(_core, name)(_t(input, name, "input", s), s))

    op.__name__ = name
    return op


row_prod = _reduce("row_prod")
col_sum = _reduce("col_sum")
col_max = _reduce("col_max")
col_min = _reduce("col_min")
col_prod = _reduce("col_prod")

# Tensor-scalar spellings of the tile namespace (the rounding is the C++ op's).


def maximums(lhs, rhs):
    s = _site.site()
    if isinstance(rhs, Tensor):
        raise Error(f"pl.maximums: rhs must be a scalar (at {s!r})")
    return Tensor(_core.maximum_scalar(_t(lhs, "maximums", "lhs", s), _scalar(rhs, "maximums", s), s))


def minimums(lhs, rhs):
    s = _site.site()
    if isinstance(rhs, Tensor):
        raise Error(f"pl.minimums: rhs must be a scalar (at {s!r})")
    return Tensor(_core.minimum_scalar(_t(lhs, "minimums", "lhs", s), _scalar(rhs, "minimums", s), s))


__all__ = NAMES = """cmp cmps sel sels and_ ands or_ ors xor xors shl shls shr shrs not_ fmod fmods rem rems relu lrelu
prelu sin cos part_add part_mul part_max part_min row_expand col_expand row_expand_max row_expand_min
row_expand_expdif col_expand_max col_expand_min col_expand_expdif expands row_prod col_sum col_max col_min
col_prod maximums minimums""".split()
