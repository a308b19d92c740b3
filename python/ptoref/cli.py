"""`ptoref run FILE.py [--set NAME=VALUE]... [--seed N] [--schedule S] [--golden-data-out DIR]
[--footprints NAMES] [--list-unsupported] [-- FILE's args]`

Runs FILE as __main__ with its folder on sys.path and `pypto.language`, `pypto.runtime` and
`golden` resolving to ptoref. Exit status: 0 when every harness run matched its golden and no
check failed; 1 on a mismatch, a failed check or an error in the program; 2 on bad arguments
or a construct ptoref does not support.
"""
import argparse
import ast
import os
import sys
import traceback

USAGE_EXIT = 2


def _parser():
    p = argparse.ArgumentParser(prog="ptoref", description="Run PyPTO programs on ptoref (exact, checked).")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a pl program file unmodified")
    r.add_argument("file", help="the program file (FILE.py)")
    r.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="replace a module-level constant of FILE before it runs (repeatable)")
    r.add_argument("--seed", type=int, help="torch.manual_seed(N) before the file runs")
    r.add_argument("--schedule", help="parallel-loop schedule: sequential, reverse, shuffled[:SEED], threads[:N]")
    r.add_argument("--ordering", choices=["program", "runtime"],
                   help="task ordering to check against: program (the default: sequential meaning) or runtime "
                        "(only the edges the simpler runtime derives; also PTOREF_ORDERING=runtime)")
    r.add_argument("--golden-data-out", metavar="DIR",
                   help="write DIR/in/<name>.pt and DIR/out/<name>.pt with ptoref's outputs as the expected values")
    r.add_argument("--footprints", default="", metavar="NAMES",
                   help="comma-separated tensor names whose per-iteration footprints top-level loops print")
    r.add_argument("--list-unsupported", action="store_true",
                   help="list the constructs of FILE ptoref does not support, without running it")
    return p


def _parse_sets(items):
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--set {item!r}: expected NAME=VALUE")
        name, text = item.split("=", 1)
        if not name.isidentifier():
            raise ValueError(f"--set {item!r}: {name!r} is not a Python name")
        try:
            out[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            out[name] = text
    return out


def _apply_sets(tree, sets, path):
    seen = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for t in targets:
            if isinstance(t, ast.Name) and t.id in sets and node.value is not None:
                node.value = ast.copy_location(ast.Constant(sets[t.id]), node.value)
                seen.add(t.id)
    missing = sorted(set(sets) - seen)
    if missing:
        raise ValueError(f"--set: {os.path.basename(path)} has no module-level constant {', '.join(missing)}")


def _missing_torch_dtype(e):
    """The file's own torch code (inputs, golden) names a float8/float4 dtype this torch lacks
    (torch 1.13 has none): say so with the file:line, and that ptoref's FP8 tensors are not it."""
    frames = [f for f in traceback.extract_tb(e.__traceback__)
              if os.sep + "ptoref" + os.sep not in f.filename and "-packages" + os.sep not in f.filename]
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    import torch  # present: the AttributeError came from it
    name = getattr(e, "name", None) or str(e).split()[-1]
    return (f"this torch ({torch.__version__}) has no torch.{name}, used by the file's own torch code{where}; "
            f"ptoref itself has FP8E4M3FN and FP8E5M2 tensors, but the file's input or golden code needs a "
            f"torch with float8 dtypes (>= 2.1) to run")


def _unsupported_keyword(e):
    """A pl function called with a keyword ptoref's version of it lacks: named, with the line."""
    import re

    m = re.match(r"(\w+)\(\) got an unexpected keyword argument '(\w+)'", str(e))
    if not m:
        return None
    from . import language

    fn, kw = m.groups()
    if getattr(language, fn, None) is None and not hasattr(language.tensor, fn):
        return None
    tb = e.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
    return f"ptoref does not support `pl.{fn}({kw}=...)` yet, used at {where}"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    # FILE's own arguments come after `--`; everything before is ptoref's.
    args = argv[argv.index("--") + 1 :] if "--" in argv else []
    ours = argv[: argv.index("--")] if "--" in argv else argv
    try:
        ns = _parser().parse_args(ours)
    except SystemExit as e:
        return USAGE_EXIT if e.code else 0
    path = os.path.abspath(ns.file)
    if not os.path.isfile(path):
        print(f"ptoref: error: {ns.file}: no such file", file=sys.stderr)
        return USAGE_EXIT
    if ns.list_unsupported:
        from .scan import list_unsupported

        return list_unsupported(path)
    try:
        sets = _parse_sets(ns.set)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        tree = ast.parse(source, filename=path)
        _apply_sets(tree, sets, path)
    except (ValueError, SyntaxError, OSError) as e:
        print(f"ptoref: error: {e}", file=sys.stderr)
        return USAGE_EXIT

    from . import _core, _imports, _session
    from ._errors import Error, Unsupported

    if ns.schedule:
        try:
            _core.set_default_schedule(ns.schedule)
        except Error as e:
            print(f"ptoref: error: --schedule: {e}", file=sys.stderr)
            return USAGE_EXIT
    if ns.ordering:
        _core.set_ordering(ns.ordering)
    _session.options.footprints = [n for n in ns.footprints.split(",") if n]
    _session.options.golden_data_out = ns.golden_data_out
    _imports.install()
    if ns.seed is not None:
        import torch

        torch.manual_seed(ns.seed)
    print(f"[ptoref] running {os.path.basename(path)} on ptoref {_core.version} "
          f"(schedule {_core.default_schedule()}, simd {_core.simd_path()}"
          f"{', ordering runtime' if _core.ordering() == 'runtime' else ''}"
          f"{', seed ' + str(ns.seed) if ns.seed is not None else ''}"
          f"{', ' + ', '.join(f'{k}={v}' for k, v in sets.items()) if sets else ''})", flush=True)

    import types

    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    saved_main, saved_argv, saved_path = sys.modules.get("__main__"), sys.argv, list(sys.path)
    sys.modules["__main__"] = module
    sys.argv = [path] + args
    sys.path.insert(0, os.path.dirname(path))
    file_exit = 0
    try:
        exec(compile(tree, path, "exec"), module.__dict__)
    except SystemExit as e:
        file_exit = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Unsupported as e:
        print(f"ptoref: {e}", file=sys.stderr)
        return USAGE_EXIT
    except Error as e:
        print(f"ptoref: error: {e}", file=sys.stderr)
        return 1
    except TypeError as e:
        kw = _unsupported_keyword(e)
        if kw:
            print(f"ptoref: {kw}", file=sys.stderr)
            return USAGE_EXIT
        traceback.print_exc()
        return 1
    except AttributeError as e:
        if "float8" in str(e) or "float4" in str(e):  # torch names this torch build lacks
            print(f"ptoref: {_missing_torch_dtype(e)}", file=sys.stderr)
            return USAGE_EXIT
        traceback.print_exc()
        return 1
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
    if not _session.runs:
        print(f"ptoref: {os.path.basename(path)} made no run()/run_jit() call: nothing was checked", file=sys.stderr)
        return 1 if file_exit else USAGE_EXIT
    matched = all(m for m, _ in _session.runs)
    clean = not any(c for _, c in _session.runs)
    times = ", ".join(f"{what} {sec:.3f} s" for what, sec in _session.timings)
    print(f"[ptoref] {'PASS' if matched and clean else 'FAIL'}: {len(_session.runs)} run(s); {times}")
    if not (matched and clean):
        return 1
    return 1 if file_exit else 0
