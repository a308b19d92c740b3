"""DSL functions: the decorators' result. A call checks the arguments against the parameters'
pl.Tensor / pl.Scalar annotations (shape, dtype, consistent pl.dynamic dims) and runs the
rewritten function (_rewrite.py)."""
import functools
import inspect
import os

from . import _core, _site
from ._errors import AnnotationMismatch, Unsupported
from ._tensor import Tensor, TensorType


class DynVar:
    """pl.dynamic(name): a dim bound per call by the arguments' shapes."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


class ScalarType:
    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self):
        return f"pl.Scalar[{self.dtype!r}]"


class Direction:
    """pl.Out[T] / pl.InOut[T]: direction markers around an annotation."""

    __slots__ = ("kind", "inner")

    def __init__(self, kind, inner):
        self.kind, self.inner = kind, inner

    def __repr__(self):
        return f"pl.{self.kind}[{self.inner!r}]"


class _Marker:
    def __init__(self, kind):
        self.kind = kind

    def __getitem__(self, inner):
        return Direction(self.kind, inner)

    def __repr__(self):
        return f"pl.{self.kind}"


class DslFunction:
    """A function the DSL decorators made (kind: jit, inline, incore, function, ...)."""

    def __init__(self, func, kind, options=None):
        from ._rewrite import rewrite

        functools.update_wrapper(self, func)
        self.kind = kind
        self.options = options or {}
        self.original = func
        self._src = rewrite(func)
        self._checks = None
        self.def_site = f"{func.__code__.co_filename.rsplit('/', 1)[-1]}:{func.__code__.co_firstlineno}"
        self.signature = inspect.signature(func)
        self.function_type = self.options.get("type")

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)

    def _annotation_checks(self):
        if self._checks is None:
            ns = dict(self.original.__globals__)
            code = self.original.__code__
            for name, cell in zip(code.co_freevars, self.original.__closure__ or ()):
                try:
                    ns[name] = cell.cell_contents
                except ValueError:
                    pass
            checks = []
            for name, expr in self._src.annotations:
                try:
                    ann = eval(compile(_expr(expr), code.co_filename, "eval"), ns)
                except Exception:
                    continue  # an annotation ptoref cannot evaluate is not checked
                checks.append((name, ann))
            self._checks = checks
        return self._checks

    def directions(self):
        """{param: 'Out' | 'InOut'} from the annotations."""
        return {n: a.kind for n, a in self._annotation_checks() if isinstance(a, Direction)}

    def __call__(self, *args, **kwargs):
        checks = self._annotation_checks()
        if checks:
            try:
                bound = self.signature.bind(*args, **kwargs)
            except TypeError as e:
                raise AnnotationMismatch(f"{self.__name__}: {e} (called at {_site.text()})") from None
            dyn = {}
            for name, ann in checks:
                if name in bound.arguments:
                    _check_arg(self, name, ann, bound.arguments[name], dyn)
        if self.kind == "incore" and _core.tasks_active():  # a kernel call is a task (runtime ordering)
            return self._call_as_task(args, kwargs)
        return self._src.fn(*args, **kwargs)

    def _call_as_task(self, args, kwargs):
        from . import _tasks

        task = _tasks.begin("pl.jit.incore", _site.site(), 1, None, _tasks.kernel_args(self, args, kwargs))
        try:
            result = self._src.fn(*args, **kwargs)
        except BaseException:
            _tasks.end(task, failed=True)
            raise
        _tasks.end(task)
        return result

    def compile(self, *args, **kwargs):
        raise Unsupported(f"{self.__name__}.compile", self.def_site, "ptoref runs DSL functions directly")


def _expr(node):
    import ast

    e = ast.Expression(body=node)
    ast.fix_missing_locations(e)
    return e


def _check_arg(fn, name, ann, value, dyn):
    found = _mismatch(ann.inner if isinstance(ann, Direction) else ann, value, dyn)
    if found is None:
        return
    # Only a failing argument pays for the report's sites.
    caller = _site.site(3)
    called = "" if caller.file.startswith(_PACKAGE_DIR) else f", called at {caller!r}"
    where = f"argument '{name}' of {fn.__name__} (defined at {fn.def_site}{called})"
    error, text = found
    if error is Unsupported:
        raise Unsupported(text, fn.def_site, where)
    raise AnnotationMismatch(f"{where}: {text}")


def _mismatch(ann, value, dyn):
    """None when value fits the annotation, else (error class, what is wrong); binds dyn."""
    if isinstance(ann, TensorType):
        if not isinstance(value, Tensor):
            return AnnotationMismatch, f"expected {ann!r}, got {type(value).__name__}"
        if getattr(ann.dtype, "core", True) is None:
            return Unsupported, f"{ann.dtype.name} tensors"
        if ann.dtype is not None and getattr(ann.dtype, "name", None) != value.dtype.name:
            return AnnotationMismatch, f"dtype {value.dtype.name} does not match {ann!r}"
        if ann.shape is not None:
            shape = value.shape
            if len(shape) != len(ann.shape):
                return AnnotationMismatch, f"shape {shape} does not match {ann!r} (rank)"
            for d, (want, got) in enumerate(zip(ann.shape, shape)):
                if isinstance(want, DynVar):
                    if dyn.setdefault(want.name, got) != got:
                        return AnnotationMismatch, (
                            f"dim {d} is {got} but pl.dynamic {want.name} is {dyn[want.name]} in another argument"
                        )
                elif isinstance(want, int) and not isinstance(want, bool) and want != got:
                    return AnnotationMismatch, f"shape {shape} does not match {ann!r}"
    elif isinstance(ann, ScalarType):
        if isinstance(value, Tensor):
            return AnnotationMismatch, f"expected {ann!r}, got a tensor"
        dt = getattr(ann.dtype, "name", "")
        if dt and not getattr(ann.dtype, "is_float", False) and isinstance(value, float):
            return AnnotationMismatch, f"expected {ann!r} (an integer), got the float {value!r}"
    return None


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def make(kind, func, options=None):
    return DslFunction(func, kind, options)
