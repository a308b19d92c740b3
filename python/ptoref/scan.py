"""`ptoref run --list-unsupported FILE.py`: the constructs of FILE (and of the sibling modules
it imports) that ptoref does not support, with file:line, found from the source without running
it. Exit status 0 when there are none, 2 otherwise."""
import ast
import os
import sys

from ._errors import Error


def _aliases(tree):
    """Local names bound to pypto.language (and its distributed part)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("pypto.language"):
                    names[a.asname or a.name] = a.name.replace("pypto.language", "pl")
        elif isinstance(node, ast.ImportFrom) and node.module == "pypto":
            for a in node.names:
                if a.name == "language":
                    names[a.asname or a.name] = "pl"
    return names


def _chain(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return list(reversed(parts))
    return None


def _status(chain):
    """None when ptoref has the name, else the reason."""
    from . import language
    from ._errors import Unsupported

    obj = language
    for i, part in enumerate(chain):
        try:
            obj = getattr(obj, part)
        except Unsupported as e:
            return e.reason or "not yet implemented"
        except AttributeError:
            return "not a name ptoref knows"
        if getattr(obj, "_ptoref_unsupported", None):
            return obj._ptoref_unsupported
    return None


def scan_file(path):
    from . import _dtypes
    from .language._unsupported import KEYWORDS

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    aliases = _aliases(tree)
    found = []
    base = os.path.basename(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = _chain(node)
            if not chain or chain[0] not in aliases:
                continue
            # pl.Tensor[..., pl.INT8]-style dtypes ptoref does not have as tensors
            d = _dtypes._BY_NAME.get(node.attr)
            if d is not None and d.core is None and node.attr not in ("INDEX", "TASK_ID", "BOOL"):
                found.append((node.lineno, f"pl.{node.attr}", "dtype ptoref has no tensors of yet"))
            if aliases[chain[0]] != "pl":
                found.append((node.lineno, f"{aliases[chain[0]]}.{'.'.join(chain[1:])}", "multi-rank (pld)"))
                continue
            reason = _status(chain[1:])
            if reason:
                found.append((node.lineno, "pl." + ".".join(chain[1:]), reason))
        if isinstance(node, ast.Call):
            chain = _chain(node.func)
            if not chain or chain[0] not in aliases:
                continue
            for kw in node.keywords:
                for fn, key, pred, what in KEYWORDS:
                    if chain[-1] == fn and kw.arg == key:
                        try:
                            value = ast.literal_eval(kw.value)
                        except ValueError:
                            value = _chain(kw.value)
                            value = type("V", (), {"name": value[-1] if value else "?"})()
                        if pred(value):
                            found.append((node.lineno, f"pl.{what}", "not yet implemented"))
    return sorted({(base, line, what, why) for line, what, why in found}, key=lambda x: (x[1], x[2]))


def _sibling_imports(path):
    folder = os.path.dirname(path)
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    out = []
    for node in ast.walk(tree):
        mods = []
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods = [node.module]
        for m in mods:
            p = os.path.join(folder, *m.split(".")) + ".py"
            if os.path.isfile(p):
                out.append(p)
    return out


def list_unsupported(path):
    try:
        seen, todo, rows = set(), [os.path.abspath(path)], []
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            rows += scan_file(p)
            todo += _sibling_imports(p)
    except (SyntaxError, OSError, Error) as e:
        print(f"ptoref: error: {e}", file=sys.stderr)
        return 2
    if not rows:
        print(f"{os.path.basename(path)}: every construct is supported")
        return 0
    for base, line, what, why in rows:
        print(f"{base}:{line}: {what}: {why}")
    print(f"{len(rows)} unsupported use(s)")
    return 2
