"""Makes `import pypto.language as pl`, `from golden import run`, `from pypto.runtime import
TensorSpec` (and friends) resolve to ptoref's front end and harness shims."""
import sys
import types

from ._errors import Unsupported


class _Package(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        from . import _site

        reason = getattr(self, "__ptoref_reason__", "not part of ptoref's front end")
        raise Unsupported(f"{self.__name__}.{name}", _site.text(), reason)


def install():
    from . import language
    from .harness import golden, runtime

    pypto = _Package("pypto")
    pypto.__path__ = []
    pypto.language = language
    pypto.runtime = runtime
    dist = _Package("pypto.language.distributed")
    dist.__ptoref_reason__ = "multi-rank programs (pypto.language.distributed) are not supported yet"
    language.distributed = dist
    sys.modules.update({
        "pypto": pypto,
        "pypto.language": language,
        "pypto.language.distributed": dist,
        "pypto.runtime": runtime,
        "golden": golden,
        "golden.runner": golden,
        "golden.validation": golden,
        "golden.spec": golden,
        "golden.tensor_spec": golden,
    })
    from .language import _Enum

    backend = _Package("pypto.backend")
    backend.BackendType = _Enum("BackendType", ["Ascend910B", "Ascend950", "CCE", "PTO"])
    backend.set_backend_type = lambda *a, **k: None
    ir = _Package("pypto.ir")
    ir.__path__ = []
    pass_manager = _Package("pypto.ir.pass_manager")
    pass_manager.OptimizationStrategy = _Enum("OptimizationStrategy", ["Default"])
    ir.pass_manager = pass_manager
    # Multi-rank programs import their launch configuration from here.
    distributed_program = _Package("pypto.ir.distributed_compiled_program")
    distributed_program.__ptoref_reason__ = dist.__ptoref_reason__
    ir.distributed_compiled_program = distributed_program
    pypto.backend, pypto.ir = backend, ir
    sys.modules.update({"pypto.backend": backend, "pypto.ir": ir, "pypto.ir.pass_manager": pass_manager,
                        "pypto.ir.distributed_compiled_program": distributed_program})
    for name in ("jit", "frontend"):
        sys.modules[f"pypto.{name}"] = _Package(f"pypto.{name}")
