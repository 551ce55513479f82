"""Optimising a plain function with the engine: four ways down the Rosenbrock valley.

Run:  python examples/optimization.py [--quick] [--out DIR]

f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 has its minimum f = 0 at (1, 1), at the
end of a long, narrow, curved valley. Starting from (-1.2, 1) we compare:

- gradient descent:  p <- p - lr * grad f(p)
- momentum:          v <- mu v + grad f(p);  p <- p - lr v
- Adam:              per-coordinate steps scaled by running averages of the
                     gradient and of its square (bias-corrected)
- Newton's method:   p <- p - H^-1 grad f(p), with the Hessian H from ``hessian``

``value_and_grad`` and ``hessian`` differentiate the Python function below; no
derivative is written by hand. The update rules are written out here on
purpose (``nn.optim`` has them packaged for networks).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _shared import parse_args, progress, save

from autograd import hessian, value_and_grad

START = np.array([-1.2, 1.0])
MINIMUM = np.array([1.0, 1.0])


def rosenbrock(p: Any) -> Any:
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 (p may be an ndarray or a Value of shape (2,))."""
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


f_and_grad = value_and_grad(rosenbrock)
f_hessian = hessian(rosenbrock)

Path2D = np.ndarray  # (steps + 1, 2): every point visited


def gradient_descent(steps: int, lr: float = 1.5e-3) -> Path2D:
    p = START.copy()
    path = [p]
    for _ in progress(range(steps), "gradient descent"):
        _, g = f_and_grad(p)
        p = p - lr * g
        path.append(p)
    return np.array(path)


def momentum(steps: int, lr: float = 1.5e-3, mu: float = 0.9) -> Path2D:
    p, v = START.copy(), np.zeros(2)
    path = [p]
    for _ in progress(range(steps), "momentum"):
        _, g = f_and_grad(p)
        v = mu * v + g
        p = p - lr * v
        path.append(p)
    return np.array(path)


def adam(steps: int, lr: float = 0.02, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Path2D:
    p, m, s = START.copy(), np.zeros(2), np.zeros(2)
    path = [p]
    for t in progress(range(1, steps + 1), "Adam"):
        _, g = f_and_grad(p)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(s_hat) + eps)
        path.append(p)
    return np.array(path)


def newton(steps: int) -> Path2D:
    p = START.copy()
    path = [p]
    for _ in range(steps):
        _, g = f_and_grad(p)
        H = f_hessian(p)                     # the 2x2 matrix of second derivatives, by reverse-over-reverse
        p = p - np.linalg.solve(H, g)
        path.append(p)
        if np.linalg.norm(g) < 1e-12:
            break
    return np.array(path)


def steps_to(path: Path2D, tol: float) -> int | None:
    """The first step whose point is within ``tol`` of (1, 1) (None if never)."""
    distances = np.linalg.norm(path - MINIMUM, axis=1)
    hits = np.nonzero(distances < tol)[0]
    return int(hits[0]) if hits.size else None


def plot(paths: dict[str, Path2D], out: Any) -> list[Any]:
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-2.0, 2.0, 300), np.linspace(-3.5, 3.0, 300))
    zs = (1 - xs) ** 2 + 100 * (ys - xs**2) ** 2
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    ax.contour(xs, ys, np.log10(zs + 1e-3), levels=25, cmap="Greys", linewidths=0.6)
    styles = [("C0", "-", 4.0), ("C1", "-", 1.5), ("C2", "--", 1.5), ("C3", "o-", 1.5)]
    for (name, path), (color, line, width) in zip(paths.items(), styles, strict=True):
        ax.plot(path[:, 0], path[:, 1], line, color=color, lw=width, ms=4, label=f"{name} ({len(path) - 1} steps)")
    ax.plot(*START, "ks", ms=7, label="start (-1.2, 1)")
    ax.plot(*MINIMUM, "k*", ms=13, label="minimum (1, 1)")
    ax.set(xlabel="x", ylabel="y", title="Rosenbrock: paths of four optimisers", xlim=(-2, 2), ylim=(-3.5, 3))
    ax.legend(loc="lower right", fontsize=8)
    saved = [save(fig, out, "optimization_paths.png")]

    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for (name, path), color in zip(paths.items(), ["C0", "C1", "C2", "C3"], strict=True):
        values = np.array([rosenbrock(p) for p in path])
        ax.semilogy(np.arange(len(path)), np.maximum(values, 1e-20), color=color, label=name,
                    marker="o" if len(path) < 30 else None, ms=4)
    ax.set(xlabel="step", ylabel="f(x, y)", title="Loss against step (log scale)")
    ax.set_xscale("symlog", linthresh=10)
    ax.legend(fontsize=8)
    saved.append(save(fig, out, "optimization_loss.png"))
    return saved


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    steps = 2000 if args.quick else 10000

    value, g = f_and_grad(START)
    H = f_hessian(START)
    print("At the start (-1.2, 1), from the engine:")
    print(f"  f = {value:.4f}, grad f = {g}, Hessian = {H.tolist()}")
    x, y = START
    by_hand_g = [-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)]
    by_hand_h = [[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]]
    print("and from the formulas by hand, grad = (-2(1-x) - 400x(y-x^2), 200(y-x^2)),")
    print("H = [[2 - 400(y-x^2) + 800x^2, -400x], [-400x, 200]]:")
    print(f"  grad f = {np.array(by_hand_g)}, Hessian = {np.array(by_hand_h).tolist()}\n")

    methods: dict[str, Callable[[], Path2D]] = {
        "gradient descent": lambda: gradient_descent(steps),
        "momentum": lambda: momentum(steps),
        "Adam": lambda: adam(steps),
        "Newton": lambda: newton(50),
    }
    paths = {name: run() for name, run in methods.items()}

    print(f"{'method':18s} {'steps':>6s} {'final x':>10s} {'final y':>10s} {'f(final)':>10s} "
          f"{'steps to |p-(1,1)|<1e-3':>24s}")
    results = {}
    for name, path in paths.items():
        final = path[-1]
        reached = steps_to(path, 1e-3)
        results[name] = {"steps": len(path) - 1, "final": final, "f": float(rosenbrock(final)), "reached": reached}
        print(f"{name:18s} {len(path) - 1:6d} {final[0]:10.6f} {final[1]:10.6f} {rosenbrock(final):10.2e} "
              f"{'never' if reached is None else reached:>24}")
    print("\nGradient descent creeps along the valley floor (its step must stay small for the steep walls);")
    print("momentum builds up speed along the floor; Adam rescales each coordinate; Newton uses the curvature")
    print("and lands on the minimum in a handful of steps, at the price of a Hessian per step.")
    print("Adam's step is about lr * m / sqrt(s): as the gradient shrinks so does sqrt(s), so with a fixed lr it")
    print("keeps jittering around the minimum (the spikes late in the loss plot); a decaying lr calms it.")

    figures = plot(paths, args.out)
    return {"results": results, "figures": figures}


if __name__ == "__main__":
    main(sys.argv[1:])
