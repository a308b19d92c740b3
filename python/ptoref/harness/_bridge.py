"""torch tensors to and from ptoref tensors (bf16 travels as its bits; nothing is rounded)."""
import numpy as np

from .. import _core, _dtypes
from .._errors import Unsupported
from .._tensor import Tensor


def to_ptoref(t, name, site):
    import torch

    dt = _dtypes.from_torch(t.dtype)
    if dt is None or dt.core is None:
        raise Unsupported(f"{str(t.dtype).replace('torch.', '')} tensors", None,
                          f"'{name}'; ptoref has float32, bfloat16, float16 and int32")
    t = t.detach().contiguous().cpu()
    arr = t.view(torch.int16).numpy() if t.dtype == torch.bfloat16 else t.numpy()
    return Tensor(_core.from_numpy(arr, dt.core, name, site))


def to_torch(t):
    import torch

    arr = t.numpy()  # C-contiguous either way (a view of a dense tensor, or a fresh copy)
    if t.dtype.name == "BF16":
        return torch.from_numpy(arr.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(arr.copy())


def copy_into(dst_torch, src):
    """Writes a ptoref tensor's elements into an existing torch tensor (same shape and dtype)."""
    dst_torch.copy_(to_torch(src).reshape(dst_torch.shape))
