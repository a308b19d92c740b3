"""What the Python front end adds over the C++ op-by-op run of the same program: the example
examples/python/cache_attention.py under `ptoref run`, and its C++ twin examples/cache_attention.cpp
on the very same inputs (the `--golden-data-out` directory, converted to .npy), checked and
unchecked, alternating in one run. Both times are the program only: the harness's `ptoref N s`
(the call of the program, inputs already made) and the twin's `time:` line (inputs already read).
The digests must agree, or the comparison is void (exit 1). Prints one JSON object.

usage: frontend_overhead.py PTOREF_BIN TWIN_BIN [--batch N] [--max-len N] [--dim N] [--reps N]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "python", "cache_attention.py")


def run(args, check):
    env = dict(os.environ, PTOREF_CHECK=check)
    p = subprocess.run(args, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ptoref")
    ap.add_argument("twin")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-len", type=int, default=512)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    sets = ["--set", f"BATCH={a.batch}", "--set", f"MAX_LEN={a.max_len}", "--set", f"DIM={a.dim}"]
    times = {("python", "on"): [], ("python", "off"): [], ("cpp", "on"): [], ("cpp", "off"): []}
    with tempfile.TemporaryDirectory() as tmp:
        gd, npy = os.path.join(tmp, "gd"), os.path.join(tmp, "npy")
        out = run([a.ptoref, "run", EXAMPLE, *sets, "--golden-data-out", gd], "on")
        py_digest = re.search(r"sha256\(out\) = ([0-9a-f]{64})", out).group(1)
        env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(a.ptoref), "..", "python"))
        subprocess.run([sys.executable, "-m", "ptoref.golden_data", gd, npy], env=env, check=True,
                       capture_output=True)
        for _ in range(a.reps):
            for check in ("on", "off"):
                out = run([a.ptoref, "run", EXAMPLE, *sets], check)
                times[("python", check)].append(float(re.search(r"ptoref ([0-9.]+) s", out).group(1)))
                out = run([a.twin, "--inputs", os.path.join(npy, "in")], check)
                if f"sha256(out) = {py_digest}" not in out:
                    raise SystemExit("the C++ twin's digest differs from the Python run's:\n" + out)
                times[("cpp", check)].append(float(re.search(r"^time: ([0-9.]+) s", out, re.M).group(1)))

    def median(v):
        v = sorted(v)
        return v[len(v) // 2]

    m = {k: median(v) for k, v in times.items()}
    result = {
        "benchmark": "frontend_overhead", "program": "examples/python/cache_attention.py",
        "batch": a.batch, "max_len": a.max_len, "dim": a.dim, "reps": a.reps, "digest": py_digest,
        "python_checked_s": m[("python", "on")], "cpp_checked_s": m[("cpp", "on")],
        "python_unchecked_s": m[("python", "off")], "cpp_unchecked_s": m[("cpp", "off")],
        "python_over_cpp_checked": round(m[("python", "on")] / m[("cpp", "on")], 2),
        "python_over_cpp_unchecked": round(m[("python", "off")] / m[("cpp", "off")], 2),
        "python_checked_over_unchecked": round(m[("python", "on")] / m[("python", "off")], 2),
        "target_python_over_cpp": 1.5,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
