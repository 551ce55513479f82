"""The accuracy of every ``nn`` activation and loss: bits of error of the value and the first derivative.

    python benchmarks/accuracy_table.py [--quick] [--only gelu,elu] [--dtype float64]

Prints the README's table (markdown): for each function, float64 and float32, over [-1000, 1000]
(probabilities in [0, 1] for binary_cross_entropy), the mean and maximum bits of error of f and f'
against exact evaluation (``autograd.accuracy``), and the ranges where the result overflows or
underflows. Functions of several numbers are made elementwise in x: softmax and log_softmax of
the pair (x, 0), first entry; the losses per element (reduction='none') against fixed targets, and
cross_entropy / nll_loss of the logits (x, 0) with class 0. Needs mpmath.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd import Value  # noqa: E402


def _pair(x: Value) -> Value:
    """(x, 0) per sample: shape (n, 2)."""
    zeros = np.zeros((x.shape[0], 1), dtype=x.dtype)
    return autograd.concatenate([x.reshape((-1, 1)), zeros], axis=1)


def _target(x: Value, value: float) -> np.ndarray:
    return np.full(x.shape, value, dtype=x.dtype)


FULL = (-1000.0, 1000.0)
FUNCTIONS: dict[str, tuple[Callable[[Value], Value], tuple[float, float]]] = {
    "sigmoid": (nn.sigmoid, FULL),
    "tanh": (nn.tanh, FULL),
    "relu": (nn.relu, FULL),
    "leaky_relu": (nn.leaky_relu, FULL),
    "prelu (alpha 0.25)": (lambda x: nn.prelu(x, 0.25), FULL),
    "elu": (nn.elu, FULL),
    "softmax of (x, 0)": (lambda x: nn.softmax(_pair(x), axis=-1)[:, 0], FULL),
    "log_softmax of (x, 0)": (lambda x: nn.log_softmax(_pair(x), axis=-1)[:, 0], FULL),
    "gelu": (nn.gelu, FULL),
    "gelu (tanh)": (lambda x: nn.gelu(x, approximate="tanh"), FULL),
    "swish (beta 1)": (nn.swish, FULL),
    "silu": (nn.silu, FULL),
    "softplus": (nn.softplus, FULL),
    "selu": (nn.selu, FULL),
    "celu": (nn.celu, FULL),
    "mish": (nn.mish, FULL),
    "hardtanh": (nn.hardtanh, FULL),
    "relu6": (nn.relu6, FULL),
    "hardsigmoid": (nn.hardsigmoid, FULL),
    "hardswish": (nn.hardswish, FULL),
    "softsign": (nn.softsign, FULL),
    "logsigmoid": (nn.logsigmoid, FULL),
    "tanhshrink": (nn.tanhshrink, FULL),
    "softmin of (x, 0)": (lambda x: nn.softmin(_pair(x), axis=-1)[:, 0], FULL),
    "mse_loss (target 0.5)": (lambda x: nn.mse_loss(x, _target(x, 0.5), reduction="none"), FULL),
    "l1_loss (target 0.5)": (lambda x: nn.l1_loss(x, _target(x, 0.5), reduction="none"), FULL),
    "huber_loss (target 0.5)": (lambda x: nn.huber_loss(x, _target(x, 0.5), reduction="none"), FULL),
    "binary_cross_entropy (p in [0, 1], target 0.3)":
        (lambda x: nn.binary_cross_entropy(x, _target(x, 0.3), reduction="none"), (0.0, 1.0)),
    "binary_cross_entropy_with_logits (target 0.3)":
        (lambda x: nn.binary_cross_entropy_with_logits(x, _target(x, 0.3), reduction="none"), FULL),
    "cross_entropy of (x, 0), class 0":
        (lambda x: nn.cross_entropy(_pair(x), np.zeros(x.shape[0], dtype=int), reduction="none"), FULL),
    "nll_loss of (x, 0), class 0":
        (lambda x: nn.nll_loss(_pair(x), np.zeros(x.shape[0], dtype=int), reduction="none"), FULL),
    "hinge_loss (target 1)": (lambda x: nn.hinge_loss(x, _target(x, 1.0), reduction="none"), FULL),
}


def _ranges(report: Any) -> str:
    parts = []
    for out in report.outputs:
        for kind, ranges in (("overflow", out.overflow), ("underflow", out.underflow)):
            if ranges:
                lo, hi = min(a for a, _ in ranges), max(b for _, b in ranges)
                parts.append(f"{out.name} {kind} [{lo:.4g}, {hi:.4g}]")
    return "; ".join(parts) or "none"


def row(name: str, dtype: str, samples: int | None) -> tuple[str, Any]:
    f, (lo, hi) = FUNCTIONS[name]
    report = autograd.accuracy(f, dtype=dtype, lo=lo, hi=hi, samples=samples)
    value, derivative = report.outputs
    cells = [name, dtype, f"{value.mean_bits:.2f}", f"{value.max_bits:.1f}", f"{derivative.mean_bits:.2f}",
             f"{derivative.max_bits:.1f}", _ranges(report)]
    return "| " + " | ".join(cells) + " |", report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 samples per function instead of 3000")
    parser.add_argument("--only", default="", help="comma-separated names (prefixes) to run")
    parser.add_argument("--dtype", default="", help="float64 or float32 (default both)")
    args = parser.parse_args()
    names = [n for n in FUNCTIONS if not args.only or any(n.startswith(p) for p in args.only.split(","))]
    dtypes = [args.dtype] if args.dtype else ["float64", "float32"]
    print("| function | dtype | f mean bits | f max bits | f' mean bits | f' max bits | overflow / underflow |")
    print("|---|---|---|---|---|---|---|")
    start = time.perf_counter()
    for name in names:
        for dtype in dtypes:
            print(row(name, dtype, 300 if args.quick else None)[0], flush=True)
    print(f"\n({time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
