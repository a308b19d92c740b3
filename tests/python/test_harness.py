"""The harness shims and `ptoref run`: inputs per spec, the tolerance rules, the FAIL report,
golden-data round trip, exit statuses, and the Python/C++ twin giving one digest."""
import os
import re
import subprocess

import pytest
import torch

from conftest import EXAMPLES
from ptoref.harness import _validate


def test_allclose_fail_report_is_the_harness_text():
    lines = []
    actual = {"y": torch.tensor([1.0, 2.0, 3.5])}
    golden = {"y": torch.tensor([1.0, 2.0, 3.0])}
    failures = _validate.validate(actual, golden, 1e-3, 1e-3, log=lines.append)
    assert lines == ["[RUN]   'y' FAIL  shape=(3,) dtype=torch.float32"]
    assert failures["y"] == (
        "  'y' FAIL  shape=(3,) dtype=torch.float32\n"
        "    Mismatched elements: 1/3  rtol=0.001 atol=0.001\n"
        "    first 1 mismatches:\n"
        "    [2] actual=3.5, expected=3.0"
    )


def test_ratio_allclose_tolerates_a_bounded_share():
    cmp = _validate.ratio_allclose(atol=0.0, rtol=0.0, max_error_ratio=0.25)
    e = torch.zeros(8)
    a = e.clone()
    a[:2] = 1.0
    ok, _ = cmp(a, e, actual_outputs={}, expected_outputs={}, inputs={}, rtol=0, atol=0)
    assert ok
    a[:3] = 1.0
    ok, detail = cmp(a, e, actual_outputs={}, expected_outputs={}, inputs={}, rtol=0, atol=0)
    assert not ok and "error_count=3/8" in detail
    a[0] = float("nan")
    ok, detail = cmp(a, e, actual_outputs={}, expected_outputs={}, inputs={}, rtol=0, atol=0)
    assert not ok and "NaN=1" in detail


def test_ratio_reldiff_formula():
    cmp = _validate.ratio_reldiff(diff_thd=0.01, pct_thd=0.0)
    e = torch.tensor([100.0, 1e-6])
    ok, _ = cmp(torch.tensor([100.5, 0.005]), e, actual_outputs={}, expected_outputs={}, inputs={}, rtol=0, atol=0)
    assert ok  # 0.5/100.5 < 0.01, and 0.005 - 1e-6 < diff_thd counts absolutely
    ok, detail = cmp(torch.tensor([102.0, 0.0]), e, actual_outputs={}, expected_outputs={}, inputs={}, rtol=0,
                     atol=0)
    assert not ok and "error_count=1/2" in detail


def test_topk_pair_compare_accepts_tie_swaps_only():
    cmp = _validate.topk_pair_compare("vals")
    golden_idx = torch.tensor([[3, 1, 2, 0]])
    kw = dict(expected_outputs={}, inputs={}, rtol=0, atol=0)
    # Positions 1 and 2 swapped between tied scores: still descending, accepted.
    tied = {"vals": torch.tensor([[9.0, 5.0, 5.0, 1.0]])}
    assert cmp(torch.tensor([[3, 2, 1, 0]]), golden_idx, actual_outputs=tied, **kw) == (True, "")
    # The same swap with a strictly worse score picked first breaks the order: rejected.
    worse = {"vals": torch.tensor([[9.0, 4.0, 5.0, 1.0]])}
    ok, detail = cmp(torch.tensor([[3, 2, 1, 0]]), golden_idx, actual_outputs=worse, **kw)
    assert not ok and "2 index mismatch(es)" in detail and "[0,1] actual_idx=2 expected_idx=1" in detail
    # Ascending order and another dim.
    up = _validate.topk_pair_compare("vals", dim=0, descending=False)
    ok, _ = up(torch.tensor([[1], [0]]), torch.tensor([[0], [1]]), actual_outputs={"vals": torch.tensor([[2.0], [2.0]])},
               **kw)
    assert ok
    ok, detail = cmp(torch.tensor([[3, 1, 2, 0]]), golden_idx, actual_outputs={"v": tied["vals"]}, **kw)
    assert not ok and "misconfigured" in detail


def test_mapped_pool_ratio_allclose_judges_named_rows_and_freezes_the_rest():
    kw = dict(actual_outputs={}, expected_outputs={}, rtol=0.0, atol=0.0)
    golden = torch.arange(2 * 4 * 3, dtype=torch.float32).reshape(2, 4, 3)  # 2 blocks of 4 rows
    slots = torch.tensor([[5, -1], [0, 7]], dtype=torch.int32)  # rows 5, 0, 7 written
    cmp = _validate.mapped_pool_ratio_allclose("slots", mapping_shape=(2, 2), block_size=4, pool_name="kv",
                                               atol=1e-3, rtol=0.0, max_error_ratio=0.0)
    ok, detail = cmp(golden.clone(), golden, inputs={"slots": slots}, **kw)
    assert ok, detail
    near = golden.clone()
    near.view(8, 3)[5] += 5e-4  # a named row within tolerance
    assert cmp(near, golden, inputs={"slots": slots}, **kw)[0]
    far = golden.clone()
    far.view(8, 3)[7, 1] += 1.0
    ok, detail = cmp(far, golden, inputs={"slots": slots}, **kw)
    assert not ok and "rows of kv named by 'slots'" in detail and "error_count=1/9" in detail
    stray = golden.clone()
    stray.view(8, 3)[3, 2] = -1.0  # row 3 is nobody's
    ok, detail = cmp(stray, golden, inputs={"slots": slots}, **kw)
    assert not ok and "row 3 is not in 'slots' but differs from the golden in 1 value(s)" in detail
    nan = golden.clone()
    nan.view(8, 3)[0, 0] = float("nan")
    ok, detail = cmp(nan, golden, inputs={"slots": slots}, **kw)
    assert not ok and "actual rows of kv named by 'slots': 1 non-finite" in detail
    for bad, text in (([[5, -2], [0, 7]], "[1] = -2"), ([[5, 8], [0, 7]], "= 8 lies outside the pool's rows [0, 8)"),
                      ([[5, 0], [0, 7]], "names physical row 0 twice")):
        ok, detail = cmp(golden, golden, inputs={"slots": torch.tensor(bad, dtype=torch.int32)}, **kw)
        assert not ok and text in detail, detail
    assert "must be an integer tensor" in cmp(golden, golden, inputs={"slots": slots.float()}, **kw)[1]
    assert "must have shape (2, 2)" in cmp(golden, golden, inputs={"slots": slots.reshape(4)}, **kw)[1]
    assert "misconfigured" in cmp(golden, golden, inputs={}, **kw)[1]
    assert "block_size=4" in cmp(golden.reshape(4, 2, 3), golden.reshape(4, 2, 3), inputs={"slots": slots}, **kw)[1]
    # With a leading rank axis every rank has its own rows; the same row on two ranks is fine.
    ranked = _validate.mapped_pool_ratio_allclose("slots", mapping_shape=(2, 2), block_size=2, leading_rank_axis=True)
    pool = torch.zeros(2, 1, 2, 3)
    ok, detail = ranked(pool, pool, inputs={"slots": torch.tensor([[1, -1], [1, 0]])}, **kw)
    assert ok, detail
    ok, detail = ranked(pool, pool, inputs={"slots": torch.tensor([[1, 1], [1, 0]])}, **kw)
    assert not ok and "names physical row 1 twice on rank 0" in detail
    with pytest.raises(ValueError, match="block_size"):
        _validate.mapped_pool_ratio_allclose("slots", mapping_shape=(2,), block_size=0)
    with pytest.raises(ValueError, match="leading_rank_axis"):
        _validate.mapped_pool_ratio_allclose("slots", mapping_shape=(2,), block_size=1, leading_rank_axis=True)


def test_compare_fn_overrides_allclose():
    lines = []
    always = lambda a, e, **kw: (True, "")  # noqa: E731
    assert not _validate.validate({"y": torch.ones(2)}, {"y": torch.zeros(2)}, 0, 0, {"y": always}, log=lines.append)
    assert lines[0].endswith("(<lambda>)")


def test_cache_attention_passes_race_free(cli):
    code, out = cli("run", os.path.join(EXAMPLES, "cache_attention.py"), "--footprints", "k_cache")
    assert code == 0, out
    assert "race-free" in out and "[RUN]   'out' PASS" in out
    assert "footprint of k_cache per iteration" in out and "[0] k_cache[0:" in out


def test_racy_variant_fails_with_python_sites(cli):
    code, out = cli("run", os.path.join(EXAMPLES, "cache_attention.py"), "--set", "CACHE_ROW_OF_BATCH=0")
    assert code == 1, out
    assert re.search(r"data race \((RAW|WAR|WAW)\) on k_cache in pl.parallel at cache_attention.py:\d+", out)


def test_tiled_gemm_passes(cli):
    code, out = cli("run", os.path.join(EXAMPLES, "tiled_gemm.py"))
    assert code == 0, out
    assert "pl.spmd at tiled_gemm.py:" in out and "[RUN]   'row_sums' PASS" in out


def test_bad_arguments_exit_2(cli, tmp_path):
    assert cli("run", str(tmp_path / "missing.py"))[0] == 2
    code, out = cli("run", os.path.join(EXAMPLES, "tiled_gemm.py"), "--set", "NO_SUCH=1")
    assert code == 2 and "no module-level constant NO_SUCH" in out
    code, out = cli("run", os.path.join(EXAMPLES, "tiled_gemm.py"), "--schedule", "bogus")
    assert code == 2


def test_multi_rank_and_extern_toolchain_imports_exit_2_with_their_line(cli, tmp_path):
    f = tmp_path / "multi_rank.py"
    f.write_text("import pypto.language as pl\nfrom pypto.ir.distributed_compiled_program import DistributedConfig\n")
    code, out = cli("run", str(f))
    assert code == 2 and "DistributedConfig" in out and "multi-rank" in out and "multi_rank.py:2" in out, out
    f = tmp_path / "extern.py"
    f.write_text("from pypto.runtime import pto_isa_include_dir\n\nINCLUDES = [pto_isa_include_dir()]\n")
    code, out = cli("run", str(f))
    assert code == 2 and "pto_isa_include_dir" in out and "jit.extern" in out and "extern.py:3" in out, out


def test_unsupported_construct_exits_2_with_its_line(cli, tmp_path):
    f = tmp_path / "uses_matmul_mx.py"
    f.write_text("import pypto.language as pl\n\n@pl.jit\ndef k(x: pl.Tensor[[32], pl.FP32]):\n"
                 "    return pl.matmul_mx(x, x, x, x)\n\n"
                 "import torch\nfrom golden import TensorSpec, run_jit\n"
                 "run_jit(k, [TensorSpec('x', [32], torch.float32, is_output=True)])\n")
    code, out = cli("run", str(f))
    assert code == 2 and "`pl.matmul_mx`" in out and "uses_matmul_mx.py:5" in out
    code, out = cli("run", "--list-unsupported", str(f))
    assert code == 2 and "uses_matmul_mx.py:5: pl.matmul_mx" in out


def test_list_unsupported_names_exactly_the_keyword_uses_the_ops_refuse(cli, tmp_path):
    # Every rule the scan lists is one an op enforces at run time (a reject_keyword call with the
    # same op and keyword), so --list-unsupported never lists what a run accepts.
    import inspect
    from ptoref.language import _ops, _ops_elementwise, _ops_index, _ops_matmul2, _unsupported

    source = "".join(inspect.getsource(m) for m in (_ops, _ops_elementwise, _ops_index, _ops_matmul2))
    for fn, key, _pred, _what in _unsupported.KEYWORDS:
        assert f'reject_keyword("{fn}", "{key}"' in source, (fn, key)
    f = tmp_path / "clamped.py"
    f.write_text("import pypto.language as pl\n\n@pl.jit\ndef k(x: pl.Tensor[[4, 8], pl.FP32]):\n"
                 "    v = pl.slice(x, [4, 8], [2, 0], valid_shape=[2, 8], clamp=True)\n"
                 "    return pl.load(x, [0, 0], [4, 8], clamp=True)\n")
    code, out = cli("run", "--list-unsupported", str(f))
    assert code == 2 and "clamped.py:6: pl.load(clamp=True)" in out and "slice(clamp" not in out, out


def test_a_torch_float8_dtype_missing_from_torch_names_the_files_line(cli, tmp_path):
    f = tmp_path / "fixture_fp8.py"
    f.write_text("import torch\n\n"
                 "def weights():\n"
                 "    return torch.ones(4).to(torch.float8_e4m3fn_not_in_any_torch)\n\n"
                 "weights()\n")
    code, out = cli("run", str(f))
    assert code == 2, out
    assert "has no torch.float8_e4m3fn_not_in_any_torch" in out and "fixture_fp8.py:4" in out
    assert "FP8E4M3FN" in out


def test_golden_data_round_trip_and_twin_digest(cli, tmp_path):
    code, out = cli("run", os.path.join(EXAMPLES, "cache_attention.py"), "--golden-data-out", str(tmp_path / "gd"))
    assert code == 0, out
    digest = re.search(r"sha256\(out\) = ([0-9a-f]{64})", out).group(1)
    saved = torch.load(tmp_path / "gd" / "out" / "out.pt", weights_only=True)
    assert saved.shape == (2, 32) and saved.dtype == torch.float32
    assert torch.load(tmp_path / "gd" / "in" / "k_cache.pt", weights_only=True).dtype == torch.bfloat16
    twin = os.environ.get("PTOREF_CACHE_ATTENTION_BIN")
    if not twin:
        pytest.skip("the C++ twin is not built (PTOREF_BUILD_EXAMPLES=OFF)")
    from ptoref import golden_data

    assert golden_data.convert(tmp_path / "gd", tmp_path / "npy") == 7
    p = subprocess.run([twin, "--inputs", str(tmp_path / "npy" / "in")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert f"sha256(out) = {digest}" in p.stdout


def test_run_from_golden_data_dir(cli, tmp_path):
    """Inputs from in/<name>.pt and the expected outputs from out/<name>.pt (scalars too)."""
    gd = tmp_path / "gd"
    code, out = cli("run", os.path.join(EXAMPLES, "cache_attention.py"), "--golden-data-out", str(gd))
    assert code == 0, out
    f = tmp_path / "replay.py"
    f.write_text(
        "import sys\n"
        f"sys.path.insert(0, {EXAMPLES!r})\n"
        "import cache_attention as ca\n"
        "from golden import run\n"
        f"r = run(ca.build_program(), ca.build_specs(), golden_data={str(gd)!r})\n"
        "raise SystemExit(0 if r.passed else 1)\n"
    )
    code, out = cli("run", str(f))
    assert code == 0, out
    assert "cache hit" in out and "[RUN]   'out' PASS" in out
    (gd / "in" / "q.pt").unlink()
    code, out = cli("run", str(f))
    assert code == 1 and "golden_data is missing files" in out


def _write(tmp_path, name, body):
    f = tmp_path / name
    f.write_text(body)
    return str(f)


def test_returned_tensors_bind_to_outputs(cli, tmp_path):
    """A returned view of an argument is already in place; a fresh tensor fills its Out param."""
    f = _write(tmp_path, "returns.py", """
import pypto.language as pl
import torch
from golden import TensorSpec, run_jit

@pl.jit
def k(x: pl.Tensor[[4], pl.FP32], first: pl.Tensor[[4], pl.FP32], second: pl.Out[pl.Tensor[[4], pl.FP32]]):
    first = pl.assemble(first, pl.add(x, 1.0), [0])
    return pl.mul(x, 2.0)   # a fresh tensor: the value of `second`, the one Out parameter

def golden(t):
    t["first"][:] = t["x"] + 1
    t["second"][:] = t["x"] * 2

specs = [TensorSpec("x", [4], torch.float32, init_value=torch.randn),
         TensorSpec("first", [4], torch.float32, is_output=True),
         TensorSpec("second", [4], torch.float32, is_output=True)]
raise SystemExit(0 if run_jit(k, specs, golden, rtol=0, atol=0).passed else 1)
""")
    code, out = cli("run", f)
    assert code == 0, out


def test_b6_runtime_run_keyword_form_and_golden_params(cli, tmp_path):
    f = _write(tmp_path, "b6_runtime.py", """
import pypto.language as pl
import torch

@pl.program
class P:
    @pl.function(type=pl.FunctionType.Opaque)
    def f(self, x: pl.Tensor[[8, 8], pl.FP32], y: pl.Out[pl.Tensor[[8, 8], pl.FP32]]):
        y = pl.assemble(y, pl.mul(x, 2.0), [0, 0])
        return y

def golden(tensors, params):
    tensors["y"][:] = tensors["x"] * 2.0

from pypto.backend import BackendType
from pypto.ir.pass_manager import OptimizationStrategy
from pypto.runtime import RunConfig, TensorSpec, run
specs = [TensorSpec("x", [8, 8], torch.float32, init_value=torch.randn),
         TensorSpec("y", [8, 8], torch.float32, is_output=True)]
r = run(program=P, tensor_specs=specs, golden=golden,
        config=RunConfig(platform="a2a3", rtol=0, atol=0, strategy=OptimizationStrategy.Default,
                         backend_type=BackendType.CCE, dump_passes=False))
raise SystemExit(0 if r.passed else 1)
""")
    code, out = cli("run", f)
    assert code == 0, out


def test_unsupported_dtype_in_an_annotation_exits_2(cli, tmp_path):
    f = _write(tmp_path, "u16.py", """
import pypto.language as pl
import torch
from golden import TensorSpec, run_jit

@pl.jit
def k(idx: pl.Tensor[[4], pl.UINT16], y: pl.Out[pl.Tensor[[4], pl.FP32]]):
    return y

run_jit(k, [TensorSpec("idx", [4], torch.int32), TensorSpec("y", [4], torch.float32, is_output=True)])
""")
    code, out = cli("run", f)
    assert code == 2 and "UINT16 tensors" in out and "u16.py:6" in out, out


def test_an_unknown_keyword_of_a_pl_op_is_unsupported_with_its_line(cli, tmp_path):
    f = _write(tmp_path, "kw.py", "import pypto.language as pl\n\nx = pl.full([2, 2], pl.FP32, 0.0, layout_hint=1)\n")
    code, out = cli("run", f)
    assert code == 2 and "`pl.full(layout_hint=...)`" in out and "kw.py:3" in out, out
