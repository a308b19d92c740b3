"""TensorSpec and ScalarSpec, as pypto-lib's harness defines them (golden/spec.py; b6c82cf's
golden/tensor_spec.py has the same TensorSpec without `resident`). Inputs are made exactly as
the harness makes them, with torch, so `--seed N` reproduces a file's own inputs."""
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TensorSpec:
    name: str
    shape: list
    dtype: Any
    init_value: Any = field(default=None)
    is_output: bool = False
    resident: Any = None

    def create_tensor(self):
        import torch

        v = self.init_value
        if v is None:
            return torch.zeros(self.shape, dtype=self.dtype)
        if isinstance(v, (int, float)):
            return torch.full(self.shape, v, dtype=self.dtype)
        if isinstance(v, torch.Tensor):
            return v.to(dtype=self.dtype)
        if callable(v):
            if v in (torch.randn, torch.rand, torch.zeros, torch.ones):
                return v(self.shape, dtype=self.dtype)
            return torch.as_tensor(v(), dtype=self.dtype)
        raise TypeError(f"Unsupported init_value type {type(v)!r} for tensor {self.name!r}")


_INT_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, (1 << 8) - 1),
    "uint32": (0, (1 << 32) - 1),
}


@dataclass
class ScalarSpec:
    """A scalar argument; `value` becomes a 0-dim torch tensor of `dtype` (as the harness does)."""

    name: str
    dtype: Any
    value: Any

    def __post_init__(self):
        import torch

        key = str(self.dtype).replace("torch.", "")
        if isinstance(self.value, torch.Tensor):
            if self.value.ndim != 0 or self.value.dtype != self.dtype:
                raise ValueError(f"ScalarSpec {self.name!r}: value must be a 0-dim {self.dtype} tensor")
            return
        if key in _INT_RANGES:
            lo, hi = _INT_RANGES[key]
            if isinstance(self.value, bool) or not isinstance(self.value, int):
                raise ValueError(f"ScalarSpec {self.name!r} dtype={self.dtype} requires int value")
            if not lo <= self.value <= hi:
                raise ValueError(f"ScalarSpec {self.name!r} value {self.value} out of range for {self.dtype}")
        elif key == "bool":
            if not isinstance(self.value, bool):
                raise ValueError(f"ScalarSpec {self.name!r} dtype=torch.bool requires bool value")
        elif key in ("float32", "float16", "bfloat16"):
            if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
                raise ValueError(f"ScalarSpec {self.name!r} dtype={self.dtype} requires int or float value")
        else:
            raise ValueError(f"ScalarSpec {self.name!r}: unsupported dtype {self.dtype!r}")
        self.value = torch.tensor(self.value, dtype=self.dtype)

    @property
    def is_output(self):
        return False

    def to_python(self):
        return self.value.item()
