"""The DSL's dtype objects (pl.FP32, pl.BF16, ...). Those ptoref has map to _core.DType; the
others exist so programs can name them, and using one for a tensor raises Unsupported."""
from . import _core


class DataType:
    __slots__ = ("name", "core", "is_float", "torch_name", "bits")

    def __init__(self, name, core=None, is_float=False, torch_name=None, bits=0):
        self.name = name
        self.core = core
        self.is_float = is_float
        self.torch_name = torch_name
        self.bits = bits

    def __repr__(self):
        return f"pl.{self.name}"

    def __reduce__(self):
        return (by_name, (self.name,))


_D = _core.DType
_ALL = [
    DataType("FP32", _D.FP32, True, "float32", 32),
    DataType("BF16", _D.BF16, True, "bfloat16", 16),
    DataType("FP16", _D.FP16, True, "float16", 16),
    DataType("INT32", _D.INT32, False, "int32", 32),
    DataType("INT8", _D.INT8, False, "int8", 8),
    DataType("INT16", None, False, "int16", 16),
    DataType("INT64", _D.INT64, False, "int64", 64),
    DataType("INT4", None, False, None, 4),
    DataType("UINT4", None, False, None, 4),
    DataType("UINT8", _D.UINT8, False, "uint8", 8),
    DataType("UINT16", None, False, None, 16),
    DataType("UINT32", _D.UINT32, False, "uint32", 32),  # torch >= 2.3 only
    DataType("UINT64", None, False, None, 64),
    DataType("FP4", None, True, None, 4),
    DataType("FP8E4M3FN", _D.FP8E4M3FN, True, "float8_e4m3fn", 8),  # torch >= 2.1 only
    DataType("FP8E5M2", _D.FP8E5M2, True, "float8_e5m2", 8),
    DataType("FP8E8M0", None, True, None, 8),
    DataType("HF4", None, True, None, 4),
    DataType("HF8", None, True, None, 8),
    DataType("BOOL", None, False, "bool", 8),
    DataType("INDEX", None, False, None, 64),  # scalars only (loop indices, offsets)
    DataType("TASK_ID", None, False, None, 64),  # scalars only (dependency handles)
]
_BY_NAME = {d.name: d for d in _ALL}
_BY_CORE = {d.core: d for d in _ALL if d.core is not None}
_BY_TORCH = {d.torch_name: d for d in _ALL if d.torch_name}


def by_name(name):
    return _BY_NAME[name]


def from_core(core):
    return _BY_CORE[core]


def from_torch(torch_dtype):
    """The DataType of a torch dtype (torch.float32 -> FP32), or None."""
    return _BY_TORCH.get(str(torch_dtype).replace("torch.", ""))


def require_core(dtype, what, site=None):
    """The _core.DType for a tensor of this dtype, or Unsupported."""
    if isinstance(dtype, DataType):
        if dtype.core is None:
            raise _unsupported_dtype(dtype, what, site)
        return dtype.core
    raise TypeError(f"{what}: expected a pl dtype such as pl.FP32, got {dtype!r}")


def _unsupported_dtype(dtype, what, site):
    from ._errors import Unsupported

    return Unsupported(f"{dtype.name} tensors", site, f"{what}; ptoref has {', '.join(d.name for d in _ALL if d.core is not None)}")


globals().update(_BY_NAME)
