"""ptoref: run PyPTO (pypto.language) programs on a CPU with their exact semantics.

`ptoref run FILE.py` runs a program file unmodified (docs/frontend.md); `ptoref.language` is
the `pl` such a file imports; `ptoref._core` is the C++ library.
"""
from . import _core
from ._errors import AnnotationMismatch, DefinednessError, Error, OrderingError, RaceError, StaleError, Unsupported  # noqa: F401
from ._tensor import Tensor  # noqa: F401

__version__ = _core.version
set_max_bytes = _core.set_max_bytes  # the size cap on one allocation (0: PTOREF_MAX_BYTES or 1 TiB)
max_bytes = _core.max_bytes


def tensor(array, dtype=None, name=""):
    """A ptoref tensor holding a copy of a numpy array or torch tensor (bf16: torch.bfloat16, or
    uint16 bits with dtype=pl.BF16; FP8: uint8 bits with dtype=pl.FP8E4M3FN / pl.FP8E5M2)."""
    from . import _dtypes, _site

    s = _site.site()
    try:
        import torch

        if isinstance(array, torch.Tensor):
            from .harness._bridge import to_ptoref

            return to_ptoref(array, name, s)
    except ImportError:  # torch is optional
        pass
    import numpy as np

    arr = np.asarray(array)
    if dtype is None:
        dtype = {
            "float32": _dtypes.FP32,
            "float16": _dtypes.FP16,
            "int32": _dtypes.INT32,
            "int8": _dtypes.INT8,
            "int64": _dtypes.INT64,
            "uint8": _dtypes.UINT8,
            "uint32": _dtypes.UINT32,
        }.get(str(arr.dtype))
        if dtype is None:
            raise Error(f"ptoref.tensor: numpy dtype {arr.dtype} needs an explicit dtype=")
    return Tensor(_core.from_numpy(arr, _dtypes.require_core(dtype, "ptoref.tensor", s), name, s))


def to_torch(t):
    """A torch copy of a ptoref tensor (bf16 as torch.bfloat16, same bits; UINT32 as torch.int64 and
    FP8 as torch.uint8 bits where torch lacks those dtypes)."""
    from .harness._bridge import to_torch as conv

    return conv(t)
