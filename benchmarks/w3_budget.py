"""Where W3's time goes beyond the floor: our array work alone versus the whole engine.

    OPENBLAS_NUM_THREADS=1 python benchmarks/w3_budget.py [--repeats N]

Times three versions of one W3 training step (784-256-256-10 ReLU MLP, batch 128,
softmax cross-entropy, SGD lr 0.01 weight_decay 5e-4), interleaved run by run:

- floor: the hand-written NumPy step of ``benchlib/floor.py``;
- arrays only: the NumPy calls our engine makes for that step, in its order
  (ReLU as ``where``'s ``a * cond`` with its finiteness check, cross-entropy
  as ``logsumexp(z) - z[t]``, gradients as the VJPs compute them), written out
  with no graph, no modules and no optimizer object;
- ours: ``nn.MLP`` + ``nn.cross_entropy`` + ``nn.optim.SGD``, as in ``run.py``.

The gap between "arrays only" and the floor is the cost of our choices of array
operations; the gap between "ours" and "arrays only" is the Python the engine runs
(building and walking the graph, modules, checks, the optimizer's loop).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import data, floor, ours  # noqa: E402
from benchlib.harness import Job, load_average, measure_interleaved, paired_ratio  # noqa: E402


def _where0(cond: np.ndarray, a: np.ndarray) -> np.ndarray:
    """where(cond, a, 0) as the engine computes it for finite a."""
    if math.isfinite(np.vdot(a, a)):
        out = a * cond
        out += 0.0
        return out
    return np.where(cond, a, 0.0)


def arrays_only_step(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray) -> float:
    """The engine's array operations for one W3 step, without the engine; updates params in place."""
    add_reduce = np.add.reduce
    W1, b1, W2, b2, W3, b3 = params
    n = X.shape[0]
    rows = np.arange(n)
    z1 = np.matmul(X, W1.T)                                   # linear: x @ W.T, then += b
    z1 += b1
    c1 = z1 > 0
    h1 = _where0(c1, z1)                                      # relu = where(x > 0, x, 0)
    z2 = np.matmul(h1, W2.T)
    z2 += b2
    c2 = z2 > 0
    h2 = _where0(c2, z2)
    z3 = np.matmul(h2, W3.T)
    z3 += b3
    m = np.maximum.reduce(z3, (1,), keepdims=True)            # logsumexp
    math.isfinite(np.vdot(m, m))
    lse = np.log(add_reduce(np.exp(z3 - m), (1,), keepdims=True))
    lse += m
    lse = lse.reshape(n)
    d = lse - z3[rows, labels]                                # cross-entropy = logsumexp(z) - z[t]
    loss = add_reduce(d, None) / n                            # mean
    g = np.empty(n, dtype=d.dtype)                            # backward: mean, subtract, getitem, logsumexp
    g[...] = np.array(1, dtype=d.dtype) / n
    g_picked = -g
    gz3 = np.zeros(z3.shape, z3.dtype)
    np.add.at(gz3, (rows, labels), g_picked)
    gz3 = gz3 + g.reshape(n, 1) * np.exp(z3 - lse.reshape(n, 1))
    dW3, db3, gh2 = np.matmul(gz3.T, h2), add_reduce(gz3, (0,)), np.matmul(gz3, W3)
    gz2 = _where0(c2, gh2)
    dW2, db2, gh1 = np.matmul(gz2.T, h1), add_reduce(gz2, (0,)), np.matmul(gz2, W2)
    gz1 = _where0(c1, gh1)
    dW1, db1 = np.matmul(gz1.T, X), add_reduce(gz1, (0,))
    grads = [dW1, db1, dW2, db2, dW3, db3]
    for p, grad in zip(params, grads, strict=True):           # SGD with coupled weight decay
        step = data.W3_WEIGHT_DECAY * p
        step += grad
        step *= data.W3_LR
        p -= step
    return float(loss)


def arrays_only_job(dtype: str) -> Job:
    X, labels = data.w3_batch(dtype)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = floor.fresh(data.linear_weights(data.W3_SIZES, dtype))

    return Job(lambda: arrays_only_step(state["params"], X, labels), reset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per version (5 steps each)")
    args = parser.parse_args()
    for dtype in ("float64", "float32"):  # the same loss as the floor, step after step
        jobs = [floor.w3_job(dtype), arrays_only_job(dtype)]
        for job in jobs:
            job.setup()  # type: ignore[misc]
        for _ in range(3):
            a, b = (job.step() for job in jobs)
            if not abs(a - b) <= 1e-6 * abs(a):
                raise SystemExit(f"{dtype}: arrays-only loss {b} differs from the floor's {a}")
    print(f"load average at the start: {load_average()}")
    print("(times are medians over runs; ratios are medians of paired runs, run i against run i)")
    print("| dtype | floor | arrays only | ours | arrays only / floor | ours / floor | ours / arrays only |")
    print("|---|---|---|---|---|---|---|")
    for dtype in ("float64", "float32"):
        jobs = {"floor": floor.w3_job(dtype), "arrays": arrays_only_job(dtype), "ours": ours.w3_job(dtype)}
        res = measure_interleaved(jobs, repeats=args.repeats, inner=5, warmup=2)
        f, a, o = (res[k] for k in ("floor", "arrays", "ours"))
        ms = " | ".join(f"{r.median * 1e3:.2f} ms" for r in (f, a, o))
        print(f"| {dtype} | {ms} | {paired_ratio(a, f):.3f} | {paired_ratio(o, f):.3f} | {paired_ratio(o, a):.3f} |")


if __name__ == "__main__":
    main()
