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


@pytest.fixture
def cli():
    return run_cli
