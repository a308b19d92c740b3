"""The `golden` module a program imports under `ptoref run` (pypto-lib's harness API)."""
from ._runner import RunConfig, RunResult, run, run_jit  # noqa: F401
from ._spec import ScalarSpec, TensorSpec  # noqa: F401
from ._validate import (  # noqa: F401
    error_distribution, mapped_pool_ratio_allclose, ratio_allclose, ratio_reldiff, topk_pair_compare, validate_golden,
)
