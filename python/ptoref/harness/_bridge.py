"""torch tensors to and from ptoref tensors (bf16 and FP8 travel as their bits; nothing is rounded).

torch 1.13 has no uint32 and no float8 dtypes: a UINT32 tensor comes back as torch.int64 (the
same values), an FP8 tensor as torch.uint8 holding its bits (a torch with float8 gets its own
float8 dtype). INT8/INT64/UINT8 are torch's own."""
import numpy as np

from .. import _core, _dtypes
from .._errors import Unsupported
from .._tensor import Tensor


def to_ptoref(t, name, site):
    import torch

    dt = _dtypes.from_torch(t.dtype)
    if dt is None or dt.core is None:
        raise Unsupported(f"{str(t.dtype).replace('torch.', '')} tensors", None,
                          f"'{name}'; ptoref has float32, bfloat16, float16, float8_e4m3fn, float8_e5m2, "
                          "int8, int32, int64, uint8 and uint32")
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        arr = t.view(torch.int16).numpy()
    elif dt.name in ("FP8E4M3FN", "FP8E5M2"):
        arr = t.view(torch.uint8).numpy()
    else:
        arr = t.numpy()
    return Tensor(_core.from_numpy(arr, dt.core, name, site))


def to_torch(t):
    import torch

    arr = t.numpy()  # C-contiguous either way (a view of a dense tensor, or a fresh copy)
    name = t.dtype.name
    if name == "BF16":
        return torch.from_numpy(arr.view(np.int16).copy()).view(torch.bfloat16)
    if name in ("FP8E4M3FN", "FP8E5M2"):
        bits = torch.from_numpy(arr.copy())
        fp8 = getattr(torch, t.dtype.torch_name, None)
        return bits.view(fp8) if fp8 is not None else bits
    if name == "UINT32" and getattr(torch, "uint32", None) is None:
        return torch.from_numpy(arr.astype(np.int64))
    return torch.from_numpy(arr.copy())


def copy_into(dst_torch, src):
    """Writes a ptoref tensor's elements into an existing torch tensor (same shape and dtype)."""
    dst_torch.copy_(to_torch(src).reshape(dst_torch.shape))
