"""Run one workload on one engine and print the result as one JSON line (used by run.py and engine.py).

    python benchmarks/worker.py ENGINE WORKLOAD [--dtype float64] [--repeats R] [--inner I] [--warmup W]
    python benchmarks/worker.py ENGINE W2 --steps N [--repeats R]
    python benchmarks/worker.py ENGINE W5 --state STATE.npz [--dtype float32] [--cpu-time] ...

ENGINE is ours, floor, micrograd, hips, torch, jax, jax-eager, mygrad or tinygrad;
WORKLOAD is W1s (scalar MLP), W1t (batched MLP),
W2 (deep scalar chain), W3 (784-256-256-10 MLP), W4 (200 elementwise ops on 8x8),
W5 (the digits CNN's training step, from the initial weights in STATE.npz: see benchlib/w5.py) or
W6 (the names model's attention block, benchlib/w6.py; torch, jax and jax-eager).
Peers run with their own venv's python; this file and ``benchlib.harness``/``benchlib.data``
need only NumPy, so nothing of ours is imported there.

W2 measures memory as the growth of the peak resident set while one chain is built and
backpropagated: the peak is reset (Linux ``/proc/self/clear_refs``) after a small warm-up
chain, so imports do not count.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import re
import sys
import time
from typing import Any

from benchlib import data
from benchlib.harness import blas_info, current_rss_bytes, measure, peak_rss_bytes

MODULES = {
    "ours": "benchlib.ours",
    "floor": "benchlib.floor",
    "micrograd": "benchlib.micrograd_peer",
    "hips": "benchlib.hips_peer",
    "torch": "benchlib.torch_peer",
    "jax": "benchlib.jax_peer",
    "jax-eager": "benchlib.jax_eager_peer",
    "mygrad": "benchlib.mygrad_peer",
    "tinygrad": "benchlib.tinygrad_peer",
}


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so that it measures from now on; False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_since_reset() -> int:
    try:
        with open("/proc/self/status") as f:
            match = re.search(r"VmHWM:\s+(\d+)\s+kB", f.read())
        if match:
            return int(match.group(1)) * 1024
    except OSError:
        pass
    return peak_rss_bytes()


def run_w2(module: Any, steps: int, repeats: int, forward_only: bool = False) -> dict[str, Any]:
    """Time the chain (forward + backward) and measure the bytes it holds per node at its peak.

    With ``forward_only`` the graph is built and dropped without a backward pass: the
    bytes per node are then those of the graph itself (engines whose backward cannot
    run at this depth can still be compared).
    """
    chain = module.w2_chain if not forward_only else (lambda n: module.w2_chain(n, backward=False))
    chain(100)  # warm-up: imports, caches, first allocations
    gc.collect()
    resettable = _reset_peak()
    before = current_rss_bytes()
    start = time.perf_counter()
    y, grad = chain(steps)
    times = [time.perf_counter() - start]
    peak = _peak_since_reset()
    for _ in range(repeats - 1):
        gc.collect()
        start = time.perf_counter()
        chain(steps)
        times.append(time.perf_counter() - start)
    nodes = data.w2_nodes(steps)
    return {
        "times": times,
        "nodes": nodes,
        "bytes_per_node": (peak - before) / nodes,
        "peak_reset": resettable,
        "y": y,
        "grad": grad,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("engine", choices=sorted(MODULES))
    parser.add_argument("workload", choices=["W1s", "W1t", "W2", "W3", "W4", "W5", "W6"])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--inner", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--no-gc", action="store_true", help="W1s only: disable the cyclic GC while timing")
    parser.add_argument("--state", default="", help="W5 only: the .npz of the initial weights (benchlib/w5.py)")
    parser.add_argument("--cpu-time", action="store_true", help="time CPU seconds of this process, not wall time")
    parser.add_argument("--forward-only", action="store_true", help="W2 only: build the graph, skip backward")
    args = parser.parse_args(argv)
    module = importlib.import_module(MODULES[args.engine])
    out: dict[str, Any] = {"engine": args.engine, "workload": args.workload,
                           "version": getattr(module, "version", lambda: "")(), "blas": blas_info()}
    try:
        if args.workload == "W2":
            out.update(run_w2(module, args.steps, args.repeats, args.forward_only))
        else:
            if args.workload == "W1s":
                job = module.w1_scalar_job(disable_gc=args.no_gc)
            elif args.workload == "W1t":
                job = module.w1_tensor_job()
            elif args.workload == "W3":
                job = module.w3_job(args.dtype)
            elif args.workload == "W6":
                job = module.w6_job(args.dtype)
            elif args.workload == "W5":
                from benchlib.w5 import load_state

                job = module.w5_job(args.dtype, load_state(args.state))
            else:
                job = module.w4_job()
            clock = time.process_time if args.cpu_time else time.perf_counter
            m = measure(job, repeats=args.repeats, inner=args.inner, warmup=args.warmup, clock=clock)
            out["measurement"] = m.to_json()
            if getattr(module, "COMPILE_SECONDS", None):
                out["compile_seconds"] = module.COMPILE_SECONDS
    except RecursionError as error:
        out["error"] = f"RecursionError ({error})"
    except AttributeError as error:
        out["error"] = f"workload not available for this engine ({error})"
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
