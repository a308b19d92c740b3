"""The DSL-function rewrite: a DSL function (@pl.jit, @pl.jit.inline, @pl.function, ...) is
re-compiled from its source with the few changes where Python's meaning differs from the DSL's:

- `with pl.spmd(n, ...) [as tid]: body` runs body once per block (a for loop over the blocks;
  `tid` is bound to the launch's TaskId afterwards); a body (of that form or of
  `for b in pl.spmd(n)`) with `pl.system.syncall()` statements becomes a generator function
  per block, each syncall a `yield`, so the launch runs the blocks phase by phase; a name the
  body reads before binding it (a tensor of the function, rebound by in-place ops) is shared by
  the blocks (nonlocal), a name it binds first is each block's own; the last block's bindings
  are visible afterwards, as with the plain loop;
- a `for` over a loop with `init_values=` binds the pl.yield_ targets to the init values before
  the loop, so a zero-trip loop leaves them bound as the DSL does;
- scalar `//` and `%` (and `//=`, `%=`) truncate toward zero, as the device's integer ops do;
- `y[k] = v` becomes `y = __ptoref_rt__.setitem(y, k, v)`: an in-place assemble that rebinds y;
- an in-place op used as a statement rebinds the tensor it writes: `pl.write(t, i, v)` becomes
  `with __ptoref_rt__.statement_write(t): t = __ptoref_rt__.in_place(t, pl.write(t, i, v))`
  (likewise `assemble` and `store`'s output tensor), as the device's tensor is one memory
  whichever handle names it. Both statement forms update the tensor object itself, and the
  write makes no handle of that tensor's buffer stale (check::statement_write_scope), so a
  caller that passed the tensor, or a callee's reshape view of its parameter, reads as current.

Everything else keeps Python's meaning. Line numbers are preserved, so every site a report
names is the line in the user's file. Annotations are removed from the compiled function and
checked at call time against the arguments (see _annotations.py).
"""
import ast
import inspect
import textwrap
import types

from . import _runtime
from ._errors import Error

RT = "__ptoref_rt__"


def _is_call_to(node, names):
    """A call whose function is `<anything>.name` or `name` for a name in names."""
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr in names) or (isinstance(f, ast.Name) and f.id in names)


def _rt(attr, node):
    return ast.copy_location(
        ast.Attribute(value=ast.Name(id=RT, ctx=ast.Load()), attr=attr, ctx=ast.Load()), node
    )


def _yield_targets(body):
    """Targets of `T = pl.yield_(...)` at the top level of a loop body (the carried names)."""
    for stmt in body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and _is_call_to(stmt.value, {"yield_"}):
            return stmt.targets[0]
    return None


class _Rewriter(ast.NodeTransformer):
    def __init__(self):
        self.counter = 0

    def _tmp(self, stem):
        self.counter += 1
        return f"__ptoref_{stem}_{self.counter}"

    # with pl.spmd(...) [as tid]:
    def visit_With(self, node):
        self.generic_visit(node)
        if len(node.items) == 1 and _is_call_to(node.items[0].context_expr, {"spmd"}):
            item = node.items[0]
            if _has_syncall(node.body):
                return self._phased(node.body, item.context_expr, None, item.optional_vars, node)
            tmp = self._tmp("spmd")
            assign = ast.Assign(targets=[ast.Name(id=tmp, ctx=ast.Store())], value=item.context_expr)
            loop = ast.For(
                target=ast.Name(id=self._tmp("block"), ctx=ast.Store()),
                iter=ast.Call(
                    func=ast.Attribute(value=ast.Name(id=tmp, ctx=ast.Load()), attr="_run_blocks", ctx=ast.Load()),
                    args=[],
                    keywords=[],
                ),
                body=node.body,
                orelse=[],
            )
            out = [assign, loop]
            if item.optional_vars is not None:
                out.append(
                    ast.Assign(
                        targets=[item.optional_vars],
                        value=ast.Attribute(value=ast.Name(id=tmp, ctx=ast.Load()), attr="task_id", ctx=ast.Load()),
                    )
                )
            return _at(out, node)
        return node

    # for ... in pl.range(..., init_values=...):
    def visit_For(self, node):
        self.generic_visit(node)
        call = node.iter
        if _is_call_to(call, {"spmd"}) and not node.orelse and _has_syncall(node.body):
            return self._phased(node.body, call, node.target, None, node)
        if isinstance(call, ast.Call) and any(k.arg == "init_values" for k in call.keywords):
            targets = _yield_targets(node.body)
            if targets is None:
                return node
            tmp = self._tmp("loop")
            assign = ast.Assign(targets=[ast.Name(id=tmp, ctx=ast.Store())], value=call)
            as_tuple = isinstance(targets, (ast.Tuple, ast.List))
            bind = ast.Assign(
                targets=[_store_copy(targets, node)],
                value=ast.Call(
                    func=ast.Attribute(value=ast.Name(id=tmp, ctx=ast.Load()), attr="bind_init", ctx=ast.Load()),
                    args=[ast.Constant(as_tuple)],
                    keywords=[],
                ),
            )
            node.iter = ast.Name(id=tmp, ctx=ast.Load())
            return _at([assign, bind, node], node)
        return node

    def _phased(self, body, launch, target, as_vars, where):
        """The phase-by-phase form of an spmd body with syncall barriers (see the module doc)."""
        _check_phased_body(body, where)
        body = [_SyncallToYield().visit(s) for s in body]
        names = set(_assigned(body))
        if target is not None:
            names |= set(_assigned([ast.Assign(targets=[target], value=ast.Constant(0))]))
        names = tuple(sorted(names))
        # A name the body reads before it binds it names the function's value (a tensor of the
        # kernel, rebound by in-place ops): shared by every block (nonlocal), as one memory is
        # on the device. A name the body binds first is the block's own (a block index, a tile).
        first = _first_use(body)
        shared = tuple(n for n in names if first.get(n) == "load")
        tmp, fn, env = self._tmp("spmd"), self._tmp("blockfn"), self._tmp("env")
        prologue = [ast.Nonlocal(names=list(shared))] if shared else []
        prologue += [_tmpl(f"if {n!r} in __ptoref_env: {n} = __ptoref_env[{n!r}]", where) for n in names
                     if n not in shared]
        if target is not None:
            prologue.append(
                _at([ast.Assign(targets=[_store_copy(target, where)], value=ast.Name(id="__ptoref_blk", ctx=ast.Load()))],
                    where)[0]
            )
        epilogue = [
            _tmpl("__ptoref_l = locals()", where),
            _tmpl(f"return {{k: __ptoref_l[k] for k in {names!r} if k in __ptoref_l}}", where),
        ]
        fdef = ast.FunctionDef(
            name=fn,
            args=ast.arguments(
                posonlyargs=[], args=[ast.arg(arg="__ptoref_env"), ast.arg(arg="__ptoref_blk")], kwonlyargs=[],
                kw_defaults=[], defaults=[],
            ),
            body=prologue + body + epilogue,
            decorator_list=[],
            returns=None,
            type_comment=None,
        )
        out = [ast.Assign(targets=[ast.Name(id=tmp, ctx=ast.Store())], value=launch), fdef,
               _tmpl(f"{env} = {tmp}._run_phased({fn}, locals())", where)]
        out += [_tmpl(f"if {n!r} in {env}: {n} = {env}[{n!r}]", where) for n in names]
        if as_vars is not None:
            out.append(ast.Assign(targets=[as_vars], value=_tmpl(f"{tmp}.task_id", where).value))
        return _at(out, where)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)):
            fn = "floordiv" if isinstance(node.op, ast.FloorDiv) else "mod"
            return ast.copy_location(ast.Call(func=_rt(fn, node), args=[node.left, node.right], keywords=[]), node)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)) and isinstance(node.target, ast.Name):
            fn = "floordiv" if isinstance(node.op, ast.FloorDiv) else "mod"
            load = ast.Name(id=node.target.id, ctx=ast.Load())
            new = ast.Assign(
                targets=[node.target], value=ast.Call(func=_rt(fn, node), args=[load, node.value], keywords=[])
            )
            return _at([new], node)[0]
        return node

    def visit_Assign(self, node):
        self.generic_visit(node)
        # pl.yield_ returns its values as a tuple; `x = pl.yield_(v)` binds the one value.
        if (
            _is_call_to(node.value, {"yield_"})
            and len(node.targets) == 1
            and not isinstance(node.targets[0], (ast.Tuple, ast.List))
            and len(node.value.args) == 1
        ):
            node.value = ast.copy_location(
                ast.Subscript(value=node.value, slice=ast.Constant(0), ctx=ast.Load()), node.value
            )
            ast.fix_missing_locations(node)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            sub = node.targets[0]
            if isinstance(sub.value, ast.Name):
                key = ast.Subscript(value=_rt("key", node), slice=sub.slice, ctx=ast.Load())
                new = ast.Assign(
                    targets=[ast.Name(id=sub.value.id, ctx=ast.Store())],
                    value=ast.Call(
                        func=_rt("setitem", node),
                        args=[ast.Name(id=sub.value.id, ctx=ast.Load()), key, node.value],
                        keywords=[],
                    ),
                )
                return _at([new], node)[0]
        return node

    # The in-place ops and the position (or keyword) of the tensor each writes.
    _IN_PLACE = {"write": (0, "dst"), "assemble": (0, "target"), "store": (2, "output_tensor")}

    def visit_Expr(self, node):
        self.generic_visit(node)
        call = node.value
        if not _is_call_to(call, set(self._IN_PLACE)):
            return node
        name = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id
        pos, kw = self._IN_PLACE[name]
        target = call.args[pos] if len(call.args) > pos else next(
            (k.value for k in call.keywords if k.arg == kw), None)
        if not isinstance(target, ast.Name):
            return node
        value = ast.Call(func=_rt("in_place", node), args=[ast.Name(id=target.id, ctx=ast.Load()), call], keywords=[])
        assign = ast.Assign(targets=[ast.Name(id=target.id, ctx=ast.Store())], value=value)
        scope = ast.Call(func=_rt("statement_write", node), args=[ast.Name(id=target.id, ctx=ast.Load())], keywords=[])
        new = ast.With(items=[ast.withitem(context_expr=scope)], body=[assign])
        return _at([new], node)[0]

    def visit_FunctionDef(self, node):
        # Nested plain functions and lambdas keep Python's meaning entirely.
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef


def _walk_scope(nodes):
    """The nodes of a body, not entering nested functions, lambdas, classes or comprehensions."""
    stack = list(nodes)
    while stack:
        n = stack.pop()
        yield n
        for c in ast.iter_child_nodes(n):
            if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                                  ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                stack.append(c)
            elif isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield c  # its name is bound here


def _is_syncall_stmt(n):
    return isinstance(n, ast.Expr) and _is_call_to(n.value, {"syncall"})


def _has_syncall(body):
    return any(_is_syncall_stmt(n) for n in _walk_scope(body))


def _assigned(body):
    """The names a body binds in its own scope."""
    for n in _walk_scope(body):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            yield n.id
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield n.name
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                yield (a.asname or a.name).split(".")[0]
        elif isinstance(n, ast.ExceptHandler) and n.name:
            yield n.name


def _first_use(body):
    """name -> "load" or "store": how the body first uses each name, in evaluation order."""
    first = {}

    class V(ast.NodeVisitor):
        def visit_Name(self, n):
            first.setdefault(n.id, "store" if isinstance(n.ctx, ast.Store) else "load")

        def visit_Assign(self, n):
            self.visit(n.value)
            for t in n.targets:
                self.visit(t)

        def visit_AnnAssign(self, n):
            if n.value is not None:
                self.visit(n.value)
            self.visit(n.target)

        def visit_AugAssign(self, n):
            if isinstance(n.target, ast.Name):
                first.setdefault(n.target.id, "load")
            self.visit(n.value)
            self.visit(n.target)

        def visit_NamedExpr(self, n):
            self.visit(n.value)
            self.visit(n.target)

        def visit_For(self, n):
            self.visit(n.iter)
            self.visit(n.target)
            for x in n.body + n.orelse:
                self.visit(x)

        def visit_FunctionDef(self, n):
            first.setdefault(n.name, "store")

        visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

        def visit_Lambda(self, n):
            pass

        visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    for stmt in body:
        V().visit(stmt)
    return first


def _check_phased_body(body, where):
    """A body that becomes a generator function may not return, nor break/continue an outer loop."""

    def visit(nodes, in_loop):
        for n in nodes:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(n, ast.Return) or (isinstance(n, (ast.Break, ast.Continue)) and not in_loop):
                what = "return" if isinstance(n, ast.Return) else type(n).__name__.lower()
                raise Error(
                    f"ptoref: `{what}` inside a pl.spmd body with pl.system.syncall (line {n.lineno}) is not "
                    f"supported: the body runs phase by phase as a function per block"
                )
            loop = isinstance(n, (ast.For, ast.While, ast.AsyncFor))
            for field, value in ast.iter_fields(n):
                kids = value if isinstance(value, list) else [value]
                kids = [k for k in kids if isinstance(k, ast.AST)]
                visit(kids, in_loop or (loop and field == "body"))

    visit(body, False)


class _SyncallToYield(ast.NodeTransformer):
    """`pl.system.syncall(...)` -> `yield __ptoref_rt__.barrier(...)` (the arguments checked there)."""

    def visit_Expr(self, node):
        if _is_syncall_stmt(node):
            call = node.value
            new = ast.Expr(value=ast.Yield(value=ast.Call(func=_rt("barrier", call), args=call.args,
                                                          keywords=call.keywords)))
            return _at([new], node)[0]
        return node

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef


def _tmpl(src, where):
    """One statement parsed from src, every node at where's line."""
    stmt = ast.parse(src).body[0]
    for n in ast.walk(stmt):
        if "lineno" in n._attributes:
            ast.copy_location(n, where)
    return stmt


def _at(nodes, where):
    """Generated statements take the line of the statement they replace (reports name it)."""
    for n in nodes:
        ast.copy_location(n, where)
        ast.fix_missing_locations(n)
    return nodes


def _store_copy(target, where):
    t = ast.parse(ast.unparse(target), mode="eval").body
    for n in ast.walk(t):
        ast.copy_location(n, where)

    def store(n):
        if isinstance(n, (ast.Tuple, ast.List)):
            for e in n.elts:
                store(e)
        n.ctx = ast.Store()

    store(t)
    return t


class DslSource:
    """A rewritten DSL function and its original annotations (as source expressions)."""

    def __init__(self, fn, annotations, returns):
        self.fn = fn
        self.annotations = annotations  # [(param name, ast.expr)]
        self.returns = returns


def rewrite(func):
    """Re-compiles func with the DSL rewrite; returns a DslSource."""
    try:
        lines, first = inspect.getsourcelines(func)
    except (OSError, TypeError) as e:
        raise Error(f"ptoref cannot read the source of DSL function {func.__qualname__}: {e}") from None
    src = textwrap.dedent("".join(lines))
    tree = ast.parse(src)
    fdef = tree.body[0]
    if not isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise Error(f"ptoref: {func.__qualname__} is not a plain function definition")
    ast.increment_lineno(tree, first - 1)
    fdef.decorator_list = []
    annotations = []
    for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs:
        if a.annotation is not None:
            annotations.append((a.arg, a.annotation))
        a.annotation = None
    returns, fdef.returns = fdef.returns, None
    rw = _Rewriter()
    fdef.body = [s for stmt in fdef.body for s in _as_list(rw.visit(stmt))]
    ast.fix_missing_locations(fdef)

    freevars = func.__code__.co_freevars
    outer = ast.FunctionDef(
        name="__ptoref_outer__",
        args=ast.arguments(
            posonlyargs=[], args=[ast.arg(arg=v) for v in freevars], kwonlyargs=[], kw_defaults=[], defaults=[]
        ),
        body=[fdef, ast.Return(value=ast.Name(id=fdef.name, ctx=ast.Load()))],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    ast.copy_location(outer, fdef)
    module = ast.Module(body=[outer], type_ignores=[])
    ast.fix_missing_locations(module)
    code = compile(module, func.__code__.co_filename, "exec", dont_inherit=True)
    outer_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner_code = next(c for c in outer_code.co_consts if isinstance(c, types.CodeType) and c.co_name == fdef.name)
    cells = dict(zip(freevars, func.__closure__ or ()))
    missing = [v for v in inner_code.co_freevars if v not in cells]
    if missing:
        raise Error(f"ptoref: rewriting {func.__qualname__} changed its free variables {missing}")
    closure = tuple(cells[v] for v in inner_code.co_freevars) or None
    g = func.__globals__
    g.setdefault(RT, _runtime)
    new = types.FunctionType(inner_code, g, func.__name__, func.__defaults__, closure)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__module__ = func.__module__
    new.__doc__ = func.__doc__
    return DslSource(new, annotations, returns)


def _as_list(x):
    return x if isinstance(x, list) else [x]
