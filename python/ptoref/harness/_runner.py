"""run / run_jit: what the harness does, with ptoref in place of compile-and-device.

1. inputs from the specs, with torch, as the harness makes them (snapshotted);
2. the program on ptoref with every check on (races, definedness, stale versions);
3. the file's golden_fn on clones of the inputs;
4. every output compared with the file's rtol/atol/compare_fn — the program's exact result
   (ptoref) against the file's hand-written golden;
then per-loop race verdicts, output definedness and the SHA-256 of each output.
"""
import inspect
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import _core, _session, _site
from .._errors import Error, Unsupported
from .._functions import DslFunction
from .._tensor import Tensor
from . import _bridge
from ._spec import ScalarSpec
from ._validate import failure_message, validate


@dataclass
class RunConfig:
    """b6c82cf's golden.RunConfig (and the fields pypto.runtime.RunConfig adds are accepted)."""

    rtol: float = 1e-5
    atol: float = 1e-5
    compile_only: bool = False
    compile: dict = field(default_factory=dict)
    runtime: dict = field(default_factory=dict)
    platform: str = "a2a3sim"
    device_id: int = 0


@dataclass
class RunResult:
    passed: bool
    error: Any = None
    execution_time: Any = None
    work_dir: Any = None
    bench: Any = None

    def __str__(self):
        t = f" ({self.execution_time:.2f}s)" if self.execution_time is not None else ""
        return ("PASS" if self.passed else "FAIL" + (f": {self.error}" if self.error else "")) + t


class _Stage:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        print(f"[RUN] {self.name} ...", flush=True)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        print(f"[RUN] {self.name} done ({self.seconds:.2f}s)", flush=True)
        return False


def entry_of(program):
    """The function to call, and the object to call it on, for a @pl.program class or a DSL function."""
    if isinstance(program, DslFunction):
        return program, None
    if inspect.isclass(program):
        fns = [(n, v) for n, v in vars(program).items() if isinstance(v, DslFunction)]
        if not fns:
            raise Error(f"ptoref: program {program.__name__} has no @pl.function")
        orch = [f for f in fns if getattr(f[1].function_type, "name", "") == "Orchestration"]
        opaque = [f for f in fns if getattr(f[1].function_type, "name", "Opaque") in ("Opaque", None, "")]
        pick = orch or (opaque if len(opaque) == 1 else []) or (fns if len(fns) == 1 else [])
        if len(pick) != 1:
            raise Error(f"ptoref: cannot tell the entry function of program {program.__name__} "
                        f"({', '.join(n for n, _ in fns)}); mark one type=pl.FunctionType.Orchestration")
        return pick[0][1], program.__new__(program)
    if callable(program):
        raise Error(f"ptoref: {getattr(program, '__name__', program)!r} is not a DSL function "
                    f"(decorate it with @pl.jit) or a @pl.program class")
    raise Error(f"ptoref: cannot run {program!r}")


def call_program(program, specs, torch_tensors, site):
    """Runs the program on ptoref over the given torch tensors (by spec order); returns the
    ptoref tensors of every spec (outputs hold the program's result)."""
    fn, obj = entry_of(program)
    args, by_name = [], {}
    for spec in specs:
        if isinstance(spec, ScalarSpec):
            args.append(spec.to_python())
            continue
        t = _bridge.to_ptoref(torch_tensors[spec.name], spec.name, site)
        by_name[spec.name] = t
        args.append(t)
    _core.reset_frames()
    result = fn(obj, *args) if obj is not None else fn(*args)
    _bind_returns(fn, specs, by_name, result, site)
    return by_name


def _bind_returns(fn, specs, by_name, result, site):
    """What the function returns is its outputs' value. A returned tensor that views an
    argument's buffer is already in place; a fresh one is written into the output it stands for:
    the Out/InOut parameters in order, or the only output spec."""
    if result is None:
        return
    results = list(result) if isinstance(result, (tuple, list)) else [result]
    fresh = [(i, v) for i, v in enumerate(results)
             if isinstance(v, Tensor) and not any(v._t.same_buffer(a._t) for a in by_name.values())]
    if not fresh:
        return
    dirs = fn.directions()
    names = [p for p in fn.signature.parameters if p != "self"]
    outs = [n for n in names if n in dirs]
    if not outs:
        outs = [s.name for s in specs if getattr(s, "is_output", False)]
        if len(outs) != 1 or len(results) != 1:
            raise Error(f"ptoref: {fn.__name__} returns a new tensor but no parameter is marked pl.Out/pl.InOut, "
                        f"so ptoref cannot tell which output it is (defined at {fn.def_site})")
    for i, value in fresh:
        if i >= len(outs) or outs[i] not in by_name:
            raise Error(f"ptoref: {fn.__name__} returns {len(results)} values but has {len(outs)} outputs "
                        f"(defined at {fn.def_site})")
        target = by_name[outs[i]]
        by_name[outs[i]] = Tensor(_core.assemble(target._t, value._t, [0] * len(target.shape), site))


def _print_loops(collector, footprints):
    by_site = {}
    for s in collector.loops():
        a = by_site.setdefault((s["file"], s["line"], s["loop"]), [s["loop_site"], 0, 0, 0, 0])
        a[1] += 1
        a[2] += s["iterations"]
        a[3] += s["element_accesses"]
        a[4] += s["races"]
    print("[ptoref] parallel loops:")
    if not by_site:
        print("[ptoref]   (none ran)")
    for (_, line, loop), (where, inst, its, acc, races) in sorted(by_site.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        verdict = f"{races} race record(s)" if races else "race-free"
        print(f"[ptoref]   {loop} at {where}: {inst} instance{'s' if inst != 1 else ''}, {its} iterations, "
              f"{acc} element accesses: {verdict}")
    for s in collector.loops():
        if s["outer_path"]:
            continue
        for name, per_iter in s["footprints"].items():
            cells = " ".join(f"[{i}] {b};" for i, b in per_iter)
            print(f"[ptoref]   footprint of {name} per iteration of {s['loop']} at {s['loop_site']}: {cells}")


def execute(program, specs, golden_fn=None, rtol=1e-5, atol=1e-5, compare_fn=None, golden_data=None,
            compile_only=False):
    start = time.perf_counter()
    opts = _session.options
    if compile_only:
        print("[RUN] compile_only: ptoref has nothing to compile; the program was not run", flush=True)
        return RunResult(True, execution_time=time.perf_counter() - start)
    import torch

    site = _site.site(3)
    data_dir = Path(golden_data) if golden_data else None
    with _Stage("generate inputs"):
        if data_dir is not None:
            try:
                specs = _load_golden_inputs(data_dir, specs)
            except Error as e:
                print(f"[RUN] FAIL: {e}", flush=True)
                _session.record(False, False)
                return RunResult(False, str(e), time.perf_counter() - start)
            tensors = {}
            for spec in specs:
                if isinstance(spec, ScalarSpec):
                    continue
                if spec.is_output and spec.init_value is None:
                    tensors[spec.name] = torch.zeros(spec.shape, dtype=spec.dtype)
                else:
                    tensors[spec.name] = torch.load(data_dir / "in" / f"{spec.name}.pt", weights_only=True)
        else:
            tensors = {s.name: s.create_tensor() for s in specs if not isinstance(s, ScalarSpec)}
        # As the harness: inputs and in/out tensors, not the zeroed pure outputs.
        snapshot = {s.name: tensors[s.name].clone() for s in specs
                    if not isinstance(s, ScalarSpec) and (not s.is_output or s.init_value is not None)}

    collector = _core.Collector()
    _core.track_footprints(list(opts.footprints))
    error = None
    label = "run on ptoref (checked)" if _core.check_enabled() else "run on ptoref (unchecked: PTOREF_CHECK=off)"
    runtime_ordering = _core.ordering() == "runtime" and _core.check_enabled()
    task_count = 0
    if runtime_ordering:
        _core.tasks_reset()
    with _Stage(label) as st:
        try:
            result = call_program(program, specs, tensors, site)
            if runtime_ordering:
                task_count = _core.tasks_count()
                _core.tasks_finish()  # the run's tasks, judged by the runtime's edges
            for spec in specs:
                if getattr(spec, "is_output", False):
                    _core.require_defined(result[spec.name]._t, spec.name, site)
        except Unsupported:
            raise
        except Error as e:
            error = f"ptoref: error during the run: {e}"
            result = None
    _session.timings.append(("ptoref", st.seconds))
    checks_failed = not collector.clean()
    _print_loops(collector, opts.footprints)
    races, undefined, stale = collector.races(), collector.undefined(), collector.stale()
    if _core.check_enabled():
        print(f"[ptoref] races: {len(races)} record(s)" if races else
              "[ptoref] races: none (every parallel loop instance is race-free for this input)")
        for r in races + undefined + stale:
            print(r["text"], end="")
        if runtime_ordering:
            orderings = _core.collector_orderings(collector)
            print(f"[ptoref] runtime ordering: {task_count} task(s), {len(orderings)} unordered task pair(s)"
                  if orderings else
                  f"[ptoref] runtime ordering: {task_count} task(s); every conflicting pair is ordered by the runtime's "
                  "edges")
            for r in orderings:
                print(r["text"], end="")
        print("[ptoref] definedness: " + ("UNDEFINED DATA reaches an output" if undefined else "every output fully defined"))
        if stale:
            print(f"[ptoref] stale reads: {len(stale)} record(s)")
        for d in collector.divergences():
            print(d["text"], end="")
    else:
        print("[ptoref] checks: not run (PTOREF_CHECK=off)")
    del collector

    if error is not None:
        print(f"[RUN] {error}", flush=True)
        _session.record(False, True)
        return RunResult(False, error, time.perf_counter() - start)

    outputs = {s.name: _bridge.to_torch(result[s.name]) for s in specs if getattr(s, "is_output", False)}
    for spec in specs:
        if getattr(spec, "is_output", False):
            print(f"[ptoref] sha256({spec.name}) = {result[spec.name].digest()}")
    for name, t in outputs.items():  # the harness's tensors hold the outputs afterwards
        tensors[name].copy_(t.reshape(tensors[name].shape))
    if opts.golden_data_out:
        _write_golden_data(Path(opts.golden_data_out), specs, snapshot, outputs)

    failures = {}
    if golden_fn is None and data_dir is None:
        print("[RUN] validation skipped: no golden_fn or golden_data", flush=True)
    else:
        with _Stage("compute golden") as st:
            if data_dir is not None:
                golden = {n: torch.load(data_dir / "out" / f"{n}.pt", weights_only=True) for n in outputs}
            else:
                scratch = {}
                for spec in specs:
                    if isinstance(spec, ScalarSpec):
                        scratch[spec.name] = spec.to_python()
                    elif spec.is_output and spec.init_value is None:
                        scratch[spec.name] = torch.zeros(spec.shape, dtype=spec.dtype)
                    else:
                        scratch[spec.name] = snapshot[spec.name].clone()
                _call_golden(golden_fn, scratch, specs)
                golden = {n: scratch[n] for n in outputs}
        _session.timings.append(("golden", st.seconds))
        print("[RUN] validate: the program's exact result (ptoref) vs the file's golden", flush=True)
        with _Stage("validate"):
            failures = validate(outputs, golden, rtol, atol, compare_fn, inputs=snapshot)
    total = time.perf_counter() - start
    _session.record(not failures, checks_failed)
    if failures or checks_failed:
        msg = failure_message(failures) if failures else ""
        if checks_failed:
            msg = (msg + "\n" if msg else "") + "ptoref: a check failed (see the records above)"
        return RunResult(False, msg, total)
    print(f"[RUN] PASS ({total:.2f}s)", flush=True)
    return RunResult(True, None, total)


def _call_golden(golden_fn, scratch, specs):
    """golden_fn(tensors), or golden_fn(tensors, params) as b6c82cf's pypto.runtime.run calls it
    (params: the scalar arguments by name)."""
    try:
        required = [p for p in inspect.signature(golden_fn).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        required = [None]
    if len(required) >= 2:
        golden_fn(scratch, {s.name: s.to_python() for s in specs if isinstance(s, ScalarSpec)})
    else:
        golden_fn(scratch)


def _load_golden_inputs(data_dir, specs):
    """Checks a golden-data directory has every file the specs need; returns the specs with
    each ScalarSpec's value taken from in/<name>.pt (a 0-dim tensor of the spec's dtype)."""
    import torch

    need = []
    for spec in specs:
        if isinstance(spec, ScalarSpec) or not spec.is_output or spec.init_value is not None:
            need.append(data_dir / "in" / f"{spec.name}.pt")
        if getattr(spec, "is_output", False):
            need.append(data_dir / "out" / f"{spec.name}.pt")
    missing = [str(p) for p in need if not p.is_file()]
    if missing:
        raise Error(f"golden_data is missing files: {missing}")
    print(f"[RUN]   cache hit: {data_dir / 'in'}", flush=True)
    out = []
    for spec in specs:
        if isinstance(spec, ScalarSpec):
            cached = torch.load(data_dir / "in" / f"{spec.name}.pt", weights_only=True)
            if not isinstance(cached, torch.Tensor) or cached.ndim != 0 or cached.dtype != spec.dtype:
                raise Error(f"golden_data {spec.name}.pt must hold a 0-dim {spec.dtype} tensor")
            spec = ScalarSpec(spec.name, spec.dtype, cached)
        out.append(spec)
    return out


def _write_golden_data(root, specs, snapshot, outputs):
    """pypto-lib's --golden-data layout: in/<name>.pt for inputs, out/<name>.pt for outputs."""
    import torch

    (root / "in").mkdir(parents=True, exist_ok=True)
    (root / "out").mkdir(parents=True, exist_ok=True)
    for spec in specs:
        if isinstance(spec, ScalarSpec):
            torch.save(spec.value, root / "in" / f"{spec.name}.pt")
            continue
        if not spec.is_output or spec.init_value is not None:
            torch.save(snapshot[spec.name], root / "in" / f"{spec.name}.pt")
        if spec.is_output:
            torch.save(outputs[spec.name], root / "out" / f"{spec.name}.pt")
    print(f"[ptoref] golden data written to {root} (out/ holds ptoref's exact outputs)")


def run(program, tensor_specs=None, config=None, golden_fn=None, golden_data=None, runtime_dir=None, *, specs=None,
        compile_cfg=None, runtime_cfg=None, rtol=None, atol=None, compare_fn=None, compile_only=False,
        save_data=False):
    """golden.run in both eras: b6c82cf's run(program, tensor_specs, config=RunConfig(...),
    golden_fn=...) and HEAD's run(program, specs, golden_fn=None, golden_data=None, ...,
    rtol=, atol=, compare_fn=)."""
    specs = tensor_specs if tensor_specs is not None else specs
    if config is not None and not isinstance(config, RunConfig) and callable(config) and golden_fn is None:
        config, golden_fn = None, config  # HEAD order: run(program, specs, golden_fn, ...)
    if config is not None:
        rtol = config.rtol if rtol is None else rtol
        atol = config.atol if atol is None else atol
        compile_only = compile_only or config.compile_only
    return execute(program, specs or [], golden_fn, 1e-5 if rtol is None else rtol, 1e-5 if atol is None else atol,
                   compare_fn, golden_data, compile_only)


def run_jit(fn, specs=None, golden_fn=None, golden_data=None, compile_cfg=None, runtime_cfg=None, rtol=1e-5,
            atol=1e-5, compare_fn=None, compile_only=False, runtime_dir=None, save_data=False, **kwargs):
    """golden.run_jit: the same as run for a @pl.jit function."""
    return execute(fn, specs or [], golden_fn, rtol, atol, compare_fn, golden_data, compile_only)
