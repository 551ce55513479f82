"""Where W3's time goes beyond the floor: our array work alone versus the whole engine.

    OPENBLAS_NUM_THREADS=1 python benchmarks/w3_budget.py [--repeats N]

Times three versions of one W3 training step (784-256-256-10 ReLU MLP, batch 128,
softmax cross-entropy, SGD lr 0.01 weight_decay 5e-4), interleaved run by run:

- floor: the hand-written NumPy step of ``benchlib/floor.py``;
- arrays only: the array work our engine does for that step, in its order:
  the primitives' own forward and VJP functions called on ndarrays (ReLU as
  ``where``'s ``a * cond`` with its finiteness check, cross-entropy as
  ``logsumexp(z) - z[t]``), with no graph, no modules and no optimizer object;
- ours: ``nn.MLP`` + ``nn.cross_entropy`` + ``nn.optim.SGD``, as in ``run.py``.

The gap between "arrays only" and the floor is the cost of our choices of array
operations; the gap between "ours" and "arrays only" is the Python the engine runs
(building and walking the graph, modules, checks, the optimizer's loop).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import data, floor, ours  # noqa: E402
from benchlib.harness import Job, load_average, measure_interleaved, paired_ratio  # noqa: E402

from autograd.ops.elementwise import _where_forward  # noqa: E402
from autograd.ops.linalg import _linear_forward  # noqa: E402
from autograd.ops.reductions import _logsumexp_forward, _logsumexp_vjp, broadcast_to  # noqa: E402
from autograd.ops.shapes import _scatter_add_forward  # noqa: E402


def arrays_only_step(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray) -> float:
    """The engine's array work for one W3 step, without the graph; updates params in place.

    The forwards and VJPs are the engine's own functions, called on ndarrays as the
    first-order pass calls them, so this stays what the engine computes.
    """
    add_reduce = np.add.reduce
    W1, b1, W2, b2, W3, b3 = params
    n = X.shape[0]
    rows = np.arange(n)
    z1 = _linear_forward(X, W1, b1)                           # linear: x @ W.T + b
    c1 = z1 > 0
    h1 = _where_forward(z1, 0.0, c1)                          # relu = where(x > 0, x, 0)
    z2 = _linear_forward(h1, W2, b2)
    c2 = z2 > 0
    h2 = _where_forward(z2, 0.0, c2)
    z3 = _linear_forward(h2, W3, b3)
    lse = _logsumexp_forward(z3, (1,), False)
    d = lse - z3[rows, labels]                                # cross-entropy = logsumexp(z) - z[t]
    loss = add_reduce(d, None) / n                            # mean
    g = broadcast_to(np.array(1, dtype=d.dtype) / n, d.shape)  # backward: mean, subtract, getitem, logsumexp
    gz3 = _scatter_add_forward(-g, z3.shape, (rows, labels))
    gz3 = gz3 + _logsumexp_vjp(g, lse, z3, (1,), False)
    dW3, db3, gh2 = np.matmul(gz3.T, h2), add_reduce(gz3, (0,)), np.matmul(gz3, W3)
    gz2 = _where_forward(gh2, 0.0, c2)                        # where's VJP: where(cond, g, 0)
    dW2, db2, gh1 = np.matmul(gz2.T, h1), add_reduce(gz2, (0,)), np.matmul(gz2, W2)
    gz1 = _where_forward(gh1, 0.0, c1)
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
