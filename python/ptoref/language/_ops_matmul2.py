"""The batched, bias and matrix-vector matmul forms and pl.tile.transpose_view (docs/semantics.md
section "Batched, bias and matrix-vector matmuls"), as thin calls of the C++ ops with the
caller's file:line. Argument names and order mirror pypto.language; every rule (dtypes, shapes,
accumulation order) is the C++ library's. pl.matmul / pl.matmul_acc are re-exported here so that
operands of rank > 2 take the batched form (pypto lowers them to tile.batch_matmul[_acc])."""
from .. import _core, _dtypes, _site
from .._tensor import Tensor, Tile
from ._ops import _dt, _t
from ._unsupported import reject_keyword


def _batched(*cores):
    # Operands already unwrapped (_core tensors): one shape query each, no generator.
    for c in cores:
        if len(c.shape) > 2:
            return True
    return False


def _phase(p):
    return p if isinstance(p, str) else str(p)


def matmul(lhs, rhs, out_dtype=None, a_trans=False, b_trans=False, c_matrix_nz=False):
    s = _site.site()
    reject_keyword("matmul", "c_matrix_nz", c_matrix_nz)
    if out_dtype is None and isinstance(lhs, Tile) and isinstance(rhs, Tile):
        out_dtype = _dtypes.FP32 if lhs.dtype.is_float else _dtypes.INT32  # the L0C accumulator
    od = None if out_dtype is None else _dt(out_dtype, "matmul", s)
    a, b = _t(lhs, "matmul", "lhs", s), _t(rhs, "matmul", "rhs", s)
    if _batched(a, b):
        od = a.dtype if od is None else od  # without out_dtype: the operands' dtype, as in 2-D
        return Tensor(_core.batch_matmul(a, b, od, bool(a_trans), bool(b_trans), s))
    return Tensor(_core.matmul(a, b, od, bool(a_trans), bool(b_trans), s))


def matmul_acc(acc, lhs, rhs, a_trans=False, b_trans=False, init_cond=None):
    s = _site.site()
    reject_keyword("matmul_acc", "init_cond", init_cond)
    c = _t(acc, "matmul_acc", "acc", s)
    a, b = _t(lhs, "matmul_acc", "lhs", s), _t(rhs, "matmul_acc", "rhs", s)
    if _batched(c, a, b):
        return Tensor(_core.batch_matmul_acc(c, a, b, bool(a_trans), bool(b_trans), s))
    return Tensor(_core.matmul_acc(c, a, b, bool(a_trans), bool(b_trans), s))


def batch_matmul(lhs, rhs):
    s = _site.site()
    return Tensor(_core.batch_matmul(_t(lhs, "batch_matmul", "lhs", s), _t(rhs, "batch_matmul", "rhs", s), None,
                                     False, False, s))


def batch_matmul_acc(acc, lhs, rhs):
    s = _site.site()
    return Tensor(_core.batch_matmul_acc(_t(acc, "batch_matmul_acc", "acc", s), _t(lhs, "batch_matmul_acc", "lhs", s),
                                         _t(rhs, "batch_matmul_acc", "rhs", s), False, False, s))


def matmul_bias(lhs, rhs, bias):
    s = _site.site()
    return Tensor(_core.matmul_bias(_t(lhs, "matmul_bias", "lhs", s), _t(rhs, "matmul_bias", "rhs", s),
                                    _t(bias, "matmul_bias", "bias", s), s))


def gemv(lhs, rhs, acc_phase="unspecified"):
    s = _site.site()
    return Tensor(_core.gemv(_t(lhs, "gemv", "lhs", s), _t(rhs, "gemv", "rhs", s), _phase(acc_phase), s))


def gemv_acc(acc, lhs, rhs, acc_phase="unspecified"):
    s = _site.site()
    return Tensor(_core.gemv_acc(_t(acc, "gemv_acc", "acc", s), _t(lhs, "gemv_acc", "lhs", s),
                                 _t(rhs, "gemv_acc", "rhs", s), _phase(acc_phase), s))


def gemv_bias(lhs, rhs, bias, acc_phase="unspecified"):
    s = _site.site()
    return Tensor(_core.gemv_bias(_t(lhs, "gemv_bias", "lhs", s), _t(rhs, "gemv_bias", "rhs", s),
                                  _t(bias, "gemv_bias", "bias", s), _phase(acc_phase), s))


def transpose_view(tile):
    s = _site.site()
    out = _core.transpose_view(_t(tile, "transpose_view", "tile", s), s)
    return Tile(out) if isinstance(tile, Tile) else Tensor(out)  # a view of a tile is a tile


NAMES = """matmul matmul_acc batch_matmul batch_matmul_acc matmul_bias gemv gemv_acc gemv_bias
transpose_view""".split()
