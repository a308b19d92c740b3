import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples", "python")


def run_cli(*args, cwd=None):
    """ptoref run ... in a fresh interpreter; returns (exit status, stdout + stderr)."""
    p = subprocess.run([sys.executable, "-m", "ptoref", *args], capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ))
    return p.returncode, p.stdout + p.stderr


def cpp_and_python_digests(binary, tmp_path, python_digests):
    """The two sides of a bit check: `binary DIR` writes its fixed inputs into DIR and prints
    "<name> <sha256>" per C++ result; python_digests(DIR) computes the same results through
    ptoref.language with checking off (the bits do not depend on it). Returns (cpp, py) dicts."""
    from ptoref import _core

    p = subprocess.run([binary, str(tmp_path)], capture_output=True, text=True, check=True)
    cpp = dict(line.split() for line in p.stdout.splitlines())
    _core.set_check_enabled(False)
    try:
        py = python_digests(str(tmp_path))
    finally:
        _core.set_check_enabled(True)
    return cpp, py


@pytest.fixture
def cli():
    return run_cli
