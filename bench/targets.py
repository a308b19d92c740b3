"""Issue 12's and 14's performance targets as measured/target pairs, from the JSON files one
`make bench` run wrote (every figure measured in that run, side by side with its reference).
Prints one JSON object; a target whose benchmark did not run is listed with "measured": null.

usage: targets.py BUILD_DIR
"""

import json
import os
import sys


def load(build, name):
    path = os.path.join(build, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text.splitlines()[-1]) if text else {}


def config(attention, name):
    return next((c for c in attention.get("configs", []) if c.get("name") == name), {})


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    mid, mid1024 = load(build, "bench_torch_mid.json"), load(build, "bench_torch_mid1024.json")
    front, npy = load(build, "bench_frontend.json"), load(build, "bench_npy_io.json")
    attention, tasks = load(build, "bench_attention.json"), load(build, "bench_task_ordering.json")
    full = config(attention, "qwen3_32b_full")

    def pair(what, measured, target, better, source):
        met = None
        if measured is not None:
            met = measured <= target if better == "lower" else measured >= target
        return {"what": what, "measured": measured, "target": target, "better": better, "met": met, "source": source}

    t = [
        pair("op by op checked / torch golden (per-batch loops, 2 threads), mid config B=4 S=512",
             mid.get("checked_over_golden"), 1.0, "lower", "bench_torch_mid.json"),
        pair("op by op checked / torch golden, B=2 S=1024 H=64 KV=8 D=128",
             mid1024.get("checked_over_golden"), 1.0, "lower", "bench_torch_mid1024.json"),
        pair("op by op unchecked / fused, mid config", mid.get("unchecked_over_fused"), 10.0, "lower",
             "bench_torch_mid.json"),
        pair("op by op checked / unchecked (C++), mid config", mid.get("checked_over_unchecked"), 1.5, "lower",
             "bench_torch_mid.json"),
        pair("op by op checked / unchecked (C++), B=2 S=1024", mid1024.get("checked_over_unchecked"), 1.5, "lower",
             "bench_torch_mid1024.json"),
        pair("checked / unchecked through ptoref run (examples/python/cache_attention.py)",
             front.get("python_checked_over_unchecked"), 1.5, "lower", "bench_frontend.json"),
        pair("ptoref run / its C++ twin, checked (cache_attention)", front.get("python_over_cpp_checked"), 1.5,
             "lower", "bench_frontend.json"),
        pair(".npy save, fp32, GB/s", npy.get("fp32", {}).get("save_gb_per_s"), 1.0, "higher", "bench_npy_io.json"),
        pair(".npy load, fp32, GB/s", npy.get("fp32", {}).get("load_gb_per_s"), 1.0, "higher", "bench_npy_io.json"),
        pair("seed CLI outside its kernel at the mid config, s", mid.get("ptoref_fused_cli_outside_kernel_s"), 0.1,
             "lower", "bench_torch_mid.json"),
        pair("fused kernel's GEMM flops over its whole run / bf16-dot peak, full config",
             full.get("gemm_fraction_of_peak_over_whole_run"), 0.6, "higher", "bench_attention.json"),
        pair("op by op checked RSS / unchecked RSS, mid config", mid.get("checked_over_unchecked_rss"), 2.0, "lower",
             "bench_torch_mid.json"),
        pair("runtime ordering / unchecked, %s tasks of %sx16 fp32 tiles (issue 14)" %
             (tasks.get("tasks"), tasks.get("cols")), tasks.get("runtime_vs_unchecked"), 2.0, "lower",
             "bench_task_ordering.json"),
    ]
    met = [x["met"] for x in t if x["met"] is not None]
    print(json.dumps({"benchmark": "targets", "met": sum(met), "measured": len(met), "targets": t}))


if __name__ == "__main__":
    main()
