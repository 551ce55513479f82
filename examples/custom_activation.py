"""A new activation, written twice and checked both ways: squareplus.

Run:  python examples/custom_activation.py [--quick] [--out DIR]

    squareplus(x) = (x + sqrt(x^2 + b)) / 2          (b = 4: a smooth ReLU)
    d/dx          = (1 + x / sqrt(x^2 + b)) / 2
    d^2/dx^2      = b / (2 (x^2 + b)^(3/2))

1. Composed from primitives (``+``, ``*``, ``sqrt``): the engine derives the gradient.
2. As a ``Function`` with the derivative above written by hand in ``backward``.
3. ``gradcheck`` / ``gradgradcheck`` compare both against finite differences; two
   mistakes a learner makes are shown with the report that catches each:
   a typo in the derivative, and a backward that saves an intermediate array and so
   cannot be differentiated a second time.
4. The same checks from the command line, on hypothesis-generated inputs:

       python -m autograd.gradcheck examples/custom_activation.py:squareplus_function --shape 3,4 --second-order

5. Right derivatives are not enough: is the formula numerically sound? softplus written the
   textbook way, log(1 + e^x), passes the gradient check on [-3, 3], yet overflows past
   x = 709.78 and returns 0 for x < -37 where the answer is e^x. ``autograd.accuracy`` (and
   ``--accuracy`` on the command line) measures the bits of error of the value and of the
   derivative against exact evaluation, and names the op that loses them; the stable form
   max(x, 0) + log1p(e^-|x|) loses none (needs mpmath):

       python -m autograd.gradcheck examples/custom_activation.py:softplus_naive --accuracy    # exit 1
       python -m autograd.gradcheck examples/custom_activation.py:softplus_stable --accuracy   # exit 0

The figure shows the activation, its derivative by the engine and by hand, and
central differences at a few points.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, GradcheckError, Value, gradcheck, gradgradcheck, numerical_grad

B = 4.0  # the curvature parameter: squareplus -> relu as b -> 0


# ---------------------------------------------------------------------------
# 1. composed from primitives


def squareplus(x: Any) -> Any:
    """(x + sqrt(x^2 + b)) / 2, built from primitives (Values or ndarrays): no derivative to write."""
    return (x + ag.sqrt(x * x + B)) / 2


# ---------------------------------------------------------------------------
# 2. a Function with a hand-derived backward


class SquarePlus(Function):
    """squareplus with d/dx = (1 + x / sqrt(x^2 + b)) / 2 written by hand.

    ``backward`` recomputes sqrt(x^2 + b) from the saved input with ``ag.sqrt``, which
    accepts ndarrays and Values alike: the same code gives first derivatives (ndarrays)
    and, under ``create_graph=True``, a recorded graph that can be differentiated again.
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return (x + np.sqrt(x * x + B)) / 2

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved
        return g * (1 + x / ag.sqrt(x * x + B)) / 2


squareplus_function = SquarePlus.apply


class SquarePlusTypo(Function):
    """Mistake 1: the derivative is missing its factor 1/2 on the x / sqrt term."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return (x + np.sqrt(x * x + B)) / 2

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved
        return g * (0.5 + x / ag.sqrt(x * x + B))


squareplus_typo = SquarePlusTypo.apply


class SquarePlusSavedRoot(Function):
    """Mistake 2: right first derivative, but sqrt(x^2 + b) is saved as a plain array.

    Its dependence on x is then invisible to the graph, so a second derivative through
    this backward would be wrong; the engine refuses with an error instead.
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        root = np.sqrt(x * x + B)
        ctx.save_for_backward(x, root)
        return (x + root) / 2

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, root = ctx.saved
        return g * (1 + x / root) / 2


squareplus_saved_root = SquarePlusSavedRoot.apply


# ---------------------------------------------------------------------------
# 5. the same function, two formulas: which one is numerically sound?


def softplus_naive(x: Any) -> Any:
    """log(1 + e^x), as in the textbook: e^x overflows past 709.78, and 1 + e^x rounds to 1 below -37."""
    return ag.log(1.0 + ag.exp(x))


def softplus_stable(x: Any) -> Any:
    """max(x, 0) + log1p(e^-|x|): exp only sees numbers <= 0, and log1p keeps a tiny e^-|x|."""
    return ag.maximum(x, 0.0) + ag.log1p(ag.exp(-ag.absolute(x)))


# ---------------------------------------------------------------------------
# the story


def check_from_python(x: np.ndarray) -> dict[str, Any]:
    """Both versions agree with each other and with finite differences, to second order."""
    results: dict[str, Any] = {}
    a, b = Value(x), Value(x)
    squareplus(a).sum().backward()
    squareplus_function(b).sum().backward()
    results["max_value_gap"] = float(np.max(np.abs(squareplus(x) - squareplus_function(x))))
    results["max_grad_gap"] = float(np.max(np.abs(a.grad - b.grad)))
    print(f"composed vs Function: values differ by {results['max_value_gap']:.1e}, "
          f"gradients by {results['max_grad_gap']:.1e}")
    for name, f in [("composed", squareplus), ("Function", squareplus_function)]:
        assert gradcheck(f, x) and gradgradcheck(f, x)
        print(f"gradcheck + gradgradcheck of the {name} version: passed")
    results["passed"] = True

    print("\nmistake 1, a typo in the derivative:")
    try:
        gradcheck(squareplus_typo, x)
        results["typo_caught"] = False
    except GradcheckError as error:
        results["typo_caught"] = True
        results["typo_report"] = error.report
        print("  " + str(error).replace("\n", "\n  "))

    print("\nmistake 2, an intermediate array saved for backward:")
    assert gradcheck(squareplus_saved_root, x)
    print("  first derivatives: passed")
    try:
        gradgradcheck(squareplus_saved_root, x)
        results["saved_root_caught"] = False
    except RuntimeError as error:
        results["saved_root_caught"] = True
        print(f"  second derivatives: RuntimeError: {error}")
    return results


def compare_formulas(samples: int | None) -> dict[str, Any]:
    """The accuracy report of the naive and the stable softplus, side by side, and what changed."""
    reports = {name: ag.accuracy(f, samples=samples) for name, f in
               [("naive", softplus_naive), ("stable", softplus_stable)]}
    for name, report in reports.items():
        print(f"\n{name} softplus:\n{report}")
    naive, stable = reports["naive"].outputs, reports["stable"].outputs
    print("\nwhat changed:")
    for before, after in zip(naive, stable, strict=True):
        print(f"  {before.name}: max {before.max_bits:.1f} -> {after.max_bits:.1f} bits, "
              f"mean {before.mean_bits:.2f} -> {after.mean_bits:.2f}")
    print("  the overflow past 709.78 is gone: exp only ever sees -|x| <= 0, so it cannot overflow;")
    print("  the underflow below -37 is gone: 1 + e^x rounded to 1 there, log1p(e^x) keeps e^x;")
    print("  the derivative, e^x / (1 + e^x) before, is the stable form's own graph now.")
    return {name: report.to_dict() for name, report in reports.items()}


def check_from_the_command_line(examples: int) -> list[tuple[list[str], int, str]]:
    """Run ``python -m autograd.gradcheck`` on this file, as a user would."""
    here = Path(__file__).resolve()
    root = here.parent.parent
    runs = []
    for target, options in [
        ("squareplus", ["--shape", "3,4", "--second-order"]),
        ("squareplus_function", ["--shape", "3,4", "--second-order"]),
        ("squareplus_typo", []),
        ("softplus_naive", ["--accuracy", "--quick"]),
        ("softplus_stable", ["--accuracy", "--quick"]),
    ]:
        count = [] if "--accuracy" in options else ["--examples", str(examples)]
        arguments = [f"examples/{here.name}:{target}", *options, *count]
        shown = ["python", "-m", "autograd.gradcheck", *arguments]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run([sys.executable, "-m", "autograd.gradcheck", *arguments], capture_output=True,
                              text=True, env=env, cwd=root, timeout=300)
        print(f"\n$ {' '.join(shown)}\n{done.stdout}{done.stderr}(exit status {done.returncode})")
        runs.append((shown, done.returncode, done.stdout))
    return runs


def plot(out: Path) -> Path:
    """squareplus, its derivative by the engine and by hand, and central differences."""
    import matplotlib.pyplot as plt
    from _shared import save

    xs = np.linspace(-4, 4, 161)
    engine = ag.grad(lambda t: squareplus(t).sum())(xs)
    by_hand = ag.grad(lambda t: squareplus_function(t).sum())(xs)
    points = np.linspace(-3.5, 3.5, 9)
    (numeric,) = numerical_grad(lambda t: squareplus(t).sum(), points)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, squareplus(xs), label="squareplus(x)")
    ax.plot(xs, np.maximum(xs, 0), ":", color="gray", label="relu(x)")
    ax.plot(xs, engine, label="d/dx, composed (engine)")
    ax.plot(xs, by_hand, "--", label="d/dx, Function (by hand)")
    ax.plot(points, numeric, "o", label="central differences")
    ax.set_xlabel("x")
    ax.legend()
    ax.set_title("squareplus, b = 4")
    return save(fig, out, "custom_activation.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    from _shared import parse_args

    args = parse_args(__doc__ or "", argv)
    x = np.random.default_rng(0).uniform(-3, 3, size=(3, 4))
    results = check_from_python(x)
    results["accuracy"] = compare_formulas(samples=300 if args.quick else None)
    results["cli"] = check_from_the_command_line(examples=10 if args.quick else 100)
    results["figures"] = [plot(args.out)]
    return results


if __name__ == "__main__":
    main()
