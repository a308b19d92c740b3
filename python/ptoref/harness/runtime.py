"""The `pypto.runtime` module a program imports under `ptoref run`."""
import time

from .. import _site
from .._errors import Unsupported
from . import _bridge
from ._runner import RunConfig, call_program  # noqa: F401
from ._spec import ScalarSpec, TensorSpec  # noqa: F401


def run(program, *tensors, config=None):
    """pypto.runtime.run: runs the program on the given torch tensors (in parameter order) on
    ptoref and writes every tensor argument back in place (outputs and in-place updates)."""
    import torch

    fn_specs, named = [], {}
    for i, t in enumerate(tensors):
        if isinstance(t, torch.Tensor):
            name = f"arg{i}"
            fn_specs.append(TensorSpec(name, list(t.shape), t.dtype))
            named[name] = t
        else:
            fn_specs.append(ScalarSpec(f"arg{i}", torch.float32 if isinstance(t, float) else torch.int64, t))
    t0 = time.perf_counter()
    result = call_program(program, fn_specs, named, _site.site())
    for name, t in named.items():
        _bridge.copy_into(t, result[name])
    return time.perf_counter() - t0


def compile_program(*args, **kwargs):
    raise Unsupported("pypto.runtime.compile_program", _site.text(), "ptoref runs programs directly")


def execute_compiled(*args, **kwargs):
    raise Unsupported("pypto.runtime.execute_compiled", _site.text(), "ptoref runs programs directly")
