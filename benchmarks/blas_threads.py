"""When do more BLAS threads help? Square float64 matmuls and a W3 training step at 1 and 2 threads.

    python benchmarks/blas_threads.py [--sizes 64,128,256,512,1024] [--rounds 5]

Thread counts are switched inside one process with ``nn.set_num_threads`` (threadpoolctl);
the two counts take turns round by round, and the median of each is printed with the load
average, so that idle and loaded runs can be told apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import ours  # noqa: E402

import nn  # noqa: E402


def _time(fn, seconds: float = 0.3) -> float:
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return (time.perf_counter() - start) / n


def _restarting(job: object, every: int = 50) -> object:
    """The job's step, started again from its initial weights every ``every`` steps (W1's schedule runs out
    after 100 steps, and a model trained for thousands of steps at it would diverge to NaN)."""
    done = [0]

    def step() -> None:
        if done[0] == every:
            job.setup()  # type: ignore[attr-defined]
            done[0] = 0
        done[0] += 1
        job.step()  # type: ignore[attr-defined]

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,128,256,512,1024")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    counts = (1, os.cpu_count() or 2)
    rng = np.random.default_rng(0)
    cases = {}
    for n in (int(s) for s in args.sizes.split(",")):
        a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        cases[f"matmul {n}x{n}"] = (lambda a=a, b=b: a @ b)
    w3 = ours.w3_job("float64")
    w3.setup()  # type: ignore[misc]
    cases["W3 step (784-256-256-10, batch 128)"] = _restarting(w3)
    w1 = ours.w1_tensor_job()
    w1.setup()  # type: ignore[misc]
    cases["W1 tensor step (2-16-16-1, batch 100)"] = _restarting(w1)
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    times = {(case, c): [] for case in cases for c in counts}
    for r in range(args.rounds):
        for case, fn in cases.items():
            for c in (counts if r % 2 == 0 else counts[::-1]):
                with nn.num_threads(c):
                    times[case, c].append(_time(fn))
    print(f"| case | {counts[0]} thread | {counts[1]} threads | {counts[1]} / {counts[0]} |")
    print("|---|---|---|---|")
    for case in cases:
        one, many = (statistics.median(times[case, c]) for c in counts)
        print(f"| {case} | {one * 1e3:.3f} ms | {many * 1e3:.3f} ms | {many / one:.2f} |")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
