"""The `pypto.runtime` module a program imports under `ptoref run`."""
import time

from .. import _site
from .._errors import Unsupported
from . import _bridge
from ._runner import call_program, execute
from ._spec import ScalarSpec, TensorSpec  # noqa: F401


class RunConfig:
    """pypto.runtime.RunConfig: rtol/atol are used; every other field (platform, device_id,
    strategy, backend_type, dump_passes, runtime_profiling, ...) is accepted and recorded."""

    def __init__(self, rtol=1e-5, atol=1e-5, **fields):
        self.rtol, self.atol = rtol, atol
        self.__dict__.update(fields)

    def __repr__(self):
        return "RunConfig(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"


def run(program, *tensors, config=None, tensor_specs=None, golden=None, golden_fn=None, **kwargs):
    """pypto.runtime.run in both forms:
    - run(program, *tensors, config=...) runs the program on the given torch tensors (in
      parameter order) on ptoref and writes every tensor argument back in place;
    - b6c82cf's run(program=, tensor_specs=, golden=, config=RunConfig(...)) is the harness run
      (inputs per spec, checks, golden comparison at config's rtol/atol)."""
    import torch

    if tensor_specs is not None:
        rtol = getattr(config, "rtol", 1e-5)
        atol = getattr(config, "atol", 1e-5)
        return execute(program, tensor_specs, golden if golden is not None else golden_fn, rtol, atol)

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


def _extern_toolchain(name):
    # Programs ask for these to compile their @pl.jit.extern device kernels, which ptoref cannot run.
    def refuse(*args, **kwargs):
        raise Unsupported(f"pypto.runtime.{name}", _site.text(),
                          "it serves @pl.jit.extern device kernels (C++ for the NPU), which ptoref does not run")

    refuse.__name__ = name
    return refuse


pto_isa_include_dir = _extern_toolchain("pto_isa_include_dir")
ensure_pto_isa_root = _extern_toolchain("ensure_pto_isa_root")
