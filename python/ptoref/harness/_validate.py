"""The harness's comparison rules (pypto-lib golden/validation.py): what decides PASS or FAIL
between the program's exact outputs (ptoref) and the file's hand-written golden.

These are the harness's tolerance rules, not op semantics, and they are evaluated with torch
exactly as the harness evaluates them, so a verdict here is the verdict the file's own harness
would give for the same two tensors.
"""
from .._errors import Unsupported


def _describe(t):
    return f"shape={tuple(t.shape)} dtype={t.dtype}"


def validate(outputs, golden, rtol, atol, compare_fn=None, inputs=None, log=print):
    """Compares every output; prints one PASS/FAIL line each; returns {name: failure text}."""
    import torch

    compare_fn = compare_fn or {}
    failures = {}
    for name, actual in outputs.items():
        expected = golden[name].cpu()
        actual = actual.cpu()
        if name in compare_fn:
            fn = compare_fn[name]
            label = getattr(fn, "__name__", "custom")
            ok, detail = fn(actual, expected, actual_outputs=outputs, expected_outputs=golden, inputs=inputs or {},
                            rtol=rtol, atol=atol)
            verdict = "PASS" if ok else "FAIL"
            log(f"[RUN]   '{name}' {verdict}  {_describe(actual)} ({label})")
            if not ok:
                failures[name] = f"  '{name}' FAIL ({label})  {_describe(actual)}\n{detail}"
            continue
        if torch.allclose(actual, expected, rtol=rtol, atol=atol):
            log(f"[RUN]   '{name}' PASS  {_describe(actual)}")
            continue
        bad = torch.where(~torch.isclose(actual, expected, rtol=rtol, atol=atol).flatten())[0]
        fa, fe = actual.flatten(), expected.flatten()
        shown = bad[:20]
        lines = [f"    [{i.item()}] actual={fa[i].item()}, expected={fe[i].item()}" for i in shown]
        log(f"[RUN]   '{name}' FAIL  {_describe(actual)}")
        failures[name] = (
            f"  '{name}' FAIL  {_describe(actual)}\n"
            f"    Mismatched elements: {bad.numel()}/{actual.numel()}  rtol={rtol} atol={atol}\n"
            f"    first {shown.numel()} mismatches:\n" + "\n".join(lines)
        )
    return failures


def failure_message(failures):
    return f"Output(s) does not match golden: {list(failures)}\n" + "\n".join(failures.values())


def validate_golden(outputs, golden, rtol=1e-5, atol=1e-5, compare_fn=None, inputs=None):
    """The harness's validate_golden: raises AssertionError listing every failing output."""
    failures = validate(outputs, golden, rtol, atol, compare_fn, inputs)
    if failures:
        raise AssertionError(failure_message(failures))


def _prefix(actual, expected, valid_rows, valid_axis, zero_tail):
    if valid_rows is None:
        return actual, expected, ""
    total = actual.shape[valid_axis]
    if not 0 <= valid_rows <= total:
        return actual, expected, f"    valid_rows={valid_rows} out of range for axis {valid_axis} of length {total}"
    if zero_tail:
        nonzero = int(actual.narrow(valid_axis, valid_rows, total - valid_rows).count_nonzero().item())
        if nonzero:
            return actual, expected, f"    inactive tail contains {nonzero} nonzero values"
    return actual.narrow(valid_axis, 0, valid_rows), expected.narrow(valid_axis, 0, valid_rows), ""


def _nonfinite(a, e):
    import torch

    counts = [int(torch.isnan(a).sum()), int(torch.isinf(a).sum()), int(torch.isnan(e).sum()), int(torch.isinf(e).sum())]
    if not any(counts):
        return ""
    return (f"    illegal values in comparison: actual: NaN={counts[0]} Inf={counts[1]}; "
            f"expected: NaN={counts[2]} Inf={counts[3]}")


def _prepared(actual, expected, valid_rows, valid_axis, zero_tail):
    """Both comparators' common start: the valid prefix, then fp32 copies; a verdict when the
    comparison is already decided (empty passes, a bad prefix or any NaN/Inf fails)."""
    import torch

    actual, expected, err = _prefix(actual, expected, valid_rows, valid_axis, zero_tail)
    if err:
        return None, None, (False, err)
    if actual.numel() == 0:
        return None, None, (True, "")
    a = actual.cpu().to(torch.float32)
    e = expected.cpu().to(torch.float32)
    err = _nonfinite(a, e)
    return a, e, ((False, err) if err else None)


def ratio_allclose(atol=None, rtol=None, max_error_ratio=0.005, max_show=10, valid_rows=None, valid_axis=0,
                   zero_tail=False):
    """Passes when at most max_error_ratio of the points exceed atol + rtol*|expected| (fp32);
    any NaN/Inf fails. atol/rtol None take the run's tolerances."""
    if not 0.0 <= max_error_ratio <= 1.0:
        raise ValueError(f"max_error_ratio must be in [0, 1], got {max_error_ratio}")

    def cmp(actual, expected, *, actual_outputs, expected_outputs, inputs, rtol, atol):
        import torch

        a_tol = atol if cmp.atol_override is None else cmp.atol_override
        r_tol = rtol if cmp.rtol_override is None else cmp.rtol_override
        a, e, verdict = _prepared(actual, expected, valid_rows, valid_axis, zero_tail)
        if verdict is not None:
            return verdict
        diff = (a - e).abs()
        tol = a_tol + r_tol * e.abs()
        bad = diff > tol
        count = int(bad.sum().item())
        n = a.numel()
        threshold = round(max_error_ratio * n)
        if count <= threshold:
            return True, ""
        worst, flat_pos = torch.max(diff.flatten(), dim=0)
        pos = tuple(int(i) for i in torch.unravel_index(flat_pos, a.shape)) if hasattr(torch, "unravel_index") \
            else _unravel(int(flat_pos), a.shape)
        idx = torch.where(bad.flatten())[0][:max_show]
        fa, fe, ft, fd = a.flatten(), e.flatten(), tol.flatten(), diff.flatten()
        lines = [f"    [{i.item()}] actual={fa[i].item():.8g}, expected={fe[i].item():.8g}, "
                 f"diff={fd[i].item():.4g}, tol={ft[i].item():.4g}" for i in idx]
        return False, (
            f"    ratio_allclose fail: error_count={count}/{n} (ratio={count / n:.4%}, "
            f"allowed<={max_error_ratio:.4%}, threshold={threshold} pts)\n"
            f"    atol={a_tol} rtol={r_tol}\n"
            f"    max abs diff={worst.item():.6g} at {pos} (tol={float(tol[pos].item()):.6g})\n"
            f"    first {idx.numel()} mismatches:\n" + "\n".join(lines)
        )

    cmp.atol_override = atol
    cmp.rtol_override = rtol
    cmp.__name__ = (f"ratio_allclose(atol={atol}, rtol={rtol}, max_error_ratio={max_error_ratio}, "
                    f"valid_rows={valid_rows}, valid_axis={valid_axis}, zero_tail={zero_tail})")
    return cmp


def _unravel(flat, shape):
    out = []
    for d in reversed(shape):
        out.append(flat % d)
        flat //= d
    return tuple(reversed(out))


def ratio_reldiff(diff_thd=0.01, pct_thd=0.05, max_diff_hd=float("inf"), max_show=10, valid_rows=None, valid_axis=0,
                  zero_tail=False):
    """rdiff = |a-e| when |a-e| < diff_thd, else |a-e| / (max(|a|, |e|, 2^-14/diff_thd) + 1e-9);
    passes when the share of rdiff > diff_thd is at most pct_thd and the worst is < max_diff_hd."""
    if not 0.0 < diff_thd:
        raise ValueError(f"diff_thd must be > 0, got {diff_thd}")
    if not 0.0 <= pct_thd <= 1.0:
        raise ValueError(f"pct_thd must be in [0, 1], got {pct_thd}")
    if not 0.0 < max_diff_hd:
        raise ValueError(f"max_diff_hd must be > 0, got {max_diff_hd}")

    def cmp(actual, expected, *, actual_outputs, expected_outputs, inputs, rtol, atol):
        import torch

        a, e, verdict = _prepared(actual, expected, valid_rows, valid_axis, zero_tail)
        if verdict is not None:
            return verdict
        diff = (a - e).abs()
        floor = (1.0 / (1 << 14)) / diff_thd
        denom = torch.maximum(torch.maximum(a.abs(), e.abs()), torch.full_like(a, floor)) + 1e-9
        rdiff = torch.where(diff < diff_thd, diff, diff / denom)
        bad = rdiff > diff_thd
        count = int(bad.sum().item())
        n = a.numel()
        threshold = round(pct_thd * n)
        worst = float(rdiff[bad].max().item()) if count else 0.0
        if count <= threshold and worst < max_diff_hd:
            return True, ""
        idx = torch.where(bad.flatten())[0][:max_show]
        fa, fe, fd, fr = a.flatten(), e.flatten(), diff.flatten(), rdiff.flatten()
        lines = [f"    [{i.item()}] actual={fa[i].item():.8g}, expected={fe[i].item():.8g}, "
                 f"abs_diff={fd[i].item():.4g}, rdiff={fr[i].item():.4g}" for i in idx]
        reasons = []
        if count > threshold:
            reasons.append(f"error_count={count}/{n} (ratio={count / n:.4%}, allowed<={pct_thd:.4%}, "
                           f"threshold={threshold} pts)")
        if worst >= max_diff_hd:
            reasons.append(f"worst rdiff={worst:.4g} >= max_diff_hd={max_diff_hd:.4g}")
        return False, (f"    ratio_reldiff fail: {' AND '.join(reasons)}\n"
                       f"    diff_thd={diff_thd} pct_thd={pct_thd} max_diff_hd={max_diff_hd}\n"
                       f"    first {idx.numel()} mismatches:\n" + "\n".join(lines))

    cmp.__name__ = (f"ratio_reldiff(diff_thd={diff_thd}, pct_thd={pct_thd}, max_diff_hd={max_diff_hd}, "
                    f"valid_rows={valid_rows}, valid_axis={valid_axis}, zero_tail={zero_tail})")
    return cmp


def _unsupported_comparator(name):
    def make(*args, **kwargs):
        raise Unsupported(f"golden.{name}", None, "its definition is not pinned down yet")

    make.__name__ = name
    return make


def topk_pair_compare(vals_name, *, dim=-1, descending=True, max_show=10):
    """The index output of a top-k, compared with its golden up to score ties: an index that
    differs from the golden's is accepted when the paired actual values (output `vals_name`) are
    still ordered (descending by default) with both neighbours along `dim`, exactly (>=). The
    values themselves are judged by their own comparator; this one never reads the golden's."""

    def cmp(actual, expected, *, actual_outputs, expected_outputs, inputs, rtol, atol):
        import torch

        if vals_name not in actual_outputs:
            return False, f"    compare_fn misconfigured: vals_name='{vals_name}' is not an output ({list(actual_outputs)})"
        vals = actual_outputs[vals_name].to(torch.float32)
        if actual.shape != expected.shape or actual.shape != vals.shape:
            return False, (f"    shapes differ: idx {tuple(actual.shape)}, golden idx {tuple(expected.shape)}, "
                           f"vals {tuple(vals.shape)}")
        if actual.dim() == 0 or not -actual.dim() <= dim < actual.dim():
            return False, f"    dim={dim} out of range for shape {tuple(actual.shape)}"
        a = actual.movedim(dim, -1)
        e = expected.movedim(dim, -1)
        v = vals.movedim(dim, -1)
        differs = a != e
        if not bool(differs.any()):
            return True, ""
        ordered = torch.ones_like(differs)
        if a.shape[-1] >= 2:
            pair = v[..., :-1] >= v[..., 1:] if descending else v[..., :-1] <= v[..., 1:]
            ordered[..., 1:] &= pair  # with the left neighbour
            ordered[..., :-1] &= pair  # with the right neighbour
        bad = differs & ~ordered
        if not bool(bad.any()):
            return True, ""
        where = bad.nonzero(as_tuple=False)
        lines = [f"    topk_pair_compare fail: {int(bad.sum())} index mismatch(es) not explained by ties "
                 f"({'descending' if descending else 'ascending'} along dim {dim}; coordinates with that dim last)"]
        for row in where[:max_show].tolist():
            pos = tuple(row)
            lines.append(f"    [{','.join(map(str, pos))}] actual_idx={int(a[pos])} expected_idx={int(e[pos])} "
                         f"actual_val={float(v[pos])}")
        return False, "\n".join(lines)

    return cmp
def mapped_pool_ratio_allclose(mapping_name, *, mapping_shape, block_size, leading_rank_axis=False, pool_name="pool",
                               atol=None, rtol=None, max_error_ratio=0.005):
    """A block-major pool ([blocks, block_size, ...], or [ranks, blocks, block_size, ...] with
    leading_rank_axis) of which the program writes only the rows an integer input names
    (`mapping_name`, shape `mapping_shape`; -1 = no row): the named rows are judged by
    ratio_allclose (and must be finite), every other row must equal the golden's exactly (a write
    outside the mapping fails). Mapping entries below -1, past the pool's rows, or repeated within
    a rank make the comparison fail with the entry named."""
    mapping_shape = tuple(mapping_shape)
    if not mapping_shape or any(d <= 0 for d in mapping_shape):
        raise ValueError(f"mapping_shape must be non-empty with positive extents, got {mapping_shape}")
    if block_size <= 0:
        raise ValueError(f"block_size must be positive, got {block_size}")
    if leading_rank_axis and len(mapping_shape) < 2:
        raise ValueError(f"leading_rank_axis needs a rank axis and an item axis in mapping_shape, got {mapping_shape}")
    rows_cmp = ratio_allclose(atol=atol, rtol=rtol, max_error_ratio=max_error_ratio)

    def cmp(actual, expected, *, actual_outputs, expected_outputs, inputs, rtol, atol):
        import torch

        if actual.shape != expected.shape:
            return False, f"    {pool_name}: shapes differ, actual {tuple(actual.shape)} vs golden {tuple(expected.shape)}"
        block_axis = 2 if leading_rank_axis else 1
        if actual.dim() <= block_axis or actual.shape[block_axis] != block_size:
            layout = "[ranks, blocks, block_size, ...]" if leading_rank_axis else "[blocks, block_size, ...]"
            return False, (f"    {pool_name}: expected the block-major layout {layout} with block_size={block_size}, "
                           f"got {tuple(actual.shape)}")
        mapping = (inputs or {}).get(mapping_name)
        if mapping is None:
            return False, f"    compare_fn misconfigured: '{mapping_name}' is not an input"
        if mapping.dtype not in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8):
            return False, f"    '{mapping_name}' must be an integer tensor, got {mapping.dtype}"
        if tuple(mapping.shape) != mapping_shape:
            return False, f"    '{mapping_name}' must have shape {mapping_shape}, got {tuple(mapping.shape)}"
        ranks = mapping_shape[0] if leading_rank_axis else 1
        if leading_rank_axis and actual.shape[0] != ranks:
            return False, f"    {pool_name}: {actual.shape[0]} ranks, the mapping has {ranks}"
        rows = actual.shape[block_axis - 1] * block_size
        a = actual.cpu().reshape(ranks, rows, -1)
        e = expected.cpu().reshape(ranks, rows, -1)
        m = mapping.cpu().to(torch.int64).reshape(ranks, -1)

        def where(r, k):
            return f"[{r}, {k}]" if leading_rank_axis else f"[{k}]"

        written = torch.zeros((ranks, rows), dtype=torch.bool)
        for r in range(ranks):
            for k, row in enumerate(m[r].tolist()):
                if row == -1:
                    continue
                if row < -1:
                    return False, f"    '{mapping_name}'{where(r, k)} = {row}: the only negative entry allowed is -1"
                if row >= rows:
                    return False, f"    '{mapping_name}'{where(r, k)} = {row} lies outside the pool's rows [0, {rows})"
                if written[r, row]:
                    on = f" on rank {r}" if leading_rank_axis else ""
                    return False, f"    '{mapping_name}' names physical row {row} twice{on}"
                written[r, row] = True
        stray = ~written & ~(a == e).all(dim=-1)
        if bool(stray.any()):
            r, row = (int(i) for i in stray.nonzero(as_tuple=False)[0])
            changed = int((a[r, row] != e[r, row]).sum())
            on = f" rank {r}," if leading_rank_axis else ""
            return False, (f"    {pool_name}:{on} row {row} is not in '{mapping_name}' but differs from the golden "
                           f"in {changed} value(s)")
        if not bool(written.any()):
            return True, ""
        ma, me = a[written], e[written]
        for label, x in (("actual", ma), ("golden", me)):
            if torch.is_floating_point(x) and not bool(torch.isfinite(x).all()):
                n = int((~torch.isfinite(x)).sum())
                return False, f"    {label} rows of {pool_name} named by '{mapping_name}': {n} non-finite value(s)"
        ok, detail = rows_cmp(ma, me, actual_outputs=actual_outputs, expected_outputs=expected_outputs,
                              inputs=inputs, rtol=rtol, atol=atol)
        return (True, "") if ok else (False, f"    rows of {pool_name} named by '{mapping_name}':\n{detail}")

    cmp.__name__ = (f"mapped_pool_ratio_allclose(mapping={mapping_name}, shape={mapping_shape}, block_size={block_size}, "
                    f"leading_rank_axis={leading_rank_axis}, atol={atol}, rtol={rtol}, "
                    f"max_error_ratio={max_error_ratio})")
    return cmp


error_distribution = _unsupported_comparator("error_distribution")
