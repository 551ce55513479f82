"""Activations: each one and its derivative, and why a deep network needs them.

Run:  python examples/activations.py [--quick] [--out DIR]

1. Every activation of ``nn`` and its derivative, computed by the engine (the
   activations define no derivative: backward goes through the primitives they
   are built from). Each derivative is gradient-checked against central finite
   differences before it is drawn.
2. "Can a deep network without activations be non-linear?" No: five Linear
   layers in a row are one linear map. We multiply the weights out and get the
   same outputs, then train it and the same network with tanh and ReLU on a
   curve: the linear one can do no better than the best straight line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _shared import parse_args, progress, save

import nn
from autograd import Value, gradcheck, numerical_grad, stack
from nn import optim


def two_class(f: Callable[..., Any]) -> Callable[[Any], Any]:
    """softmax/log_softmax over the pair (x, 0), first entry: they act on vectors, this makes a curve."""
    def first_of_pair(x: Any) -> Any:
        pair = stack([x, x * 0.0], axis=-1)
        return f(pair, axis=-1)[..., 0]
    return first_of_pair


PRELU_ALPHA = Value(0.25)  # PReLU's slope is a parameter; here its initial value

ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": nn.sigmoid,
    "tanh": nn.tanh,
    "relu": nn.relu,
    "leaky_relu (slope 0.1)": lambda x: nn.leaky_relu(x, negative_slope=0.1),
    "prelu (alpha 0.25)": lambda x: nn.prelu(x, PRELU_ALPHA),
    "elu": nn.elu,
    "gelu": nn.gelu,
    "gelu (tanh approx.)": lambda x: nn.gelu(x, approximate="tanh"),
    "silu = swish(beta=1)": nn.silu,
    "swish (beta 2)": lambda x: nn.swish(x, beta=2.0),
    "softplus": nn.softplus,
    "softmax over (x, 0)": two_class(nn.softmax),
    "log_softmax over (x, 0)": two_class(nn.log_softmax),
    "softmin over (x, 0)": two_class(nn.softmin),
    "selu": nn.selu,
    "celu (alpha 0.5)": lambda x: nn.celu(x, alpha=0.5),
    "mish": nn.mish,
    "logsigmoid": nn.logsigmoid,
    "softsign": nn.softsign,
    "tanhshrink": nn.tanhshrink,
    "hardtanh": nn.hardtanh,
    "relu6": nn.relu6,
    "hardsigmoid": nn.hardsigmoid,
    "hardswish": nn.hardswish,
}
# where some are not differentiable: relu & co. and selu at 0, hardtanh at +-1, hardsigmoid and hardswish at +-3
# (relu6 also at 6); the check points keep away from them
KINKS = [0.0, -1.0, 1.0, -3.0, 3.0]


def derivative(f: Callable[[Any], Any], xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(xs) and df/dx at every point, by one backward pass (elementwise f: the Jacobian is diagonal)."""
    x = Value(xs)
    y = f(x)
    y.backward(np.ones_like(xs))
    return np.asarray(y.data), np.asarray(x.grad)


def check_points(n: int, seed: int = 0) -> np.ndarray:
    """n points in [-4, 4], none closer than 0.01 to a kink."""
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-4.0, 4.0, 4 * n)
    far = np.all([np.abs(xs - k) > 0.01 for k in KINKS], axis=0)
    return xs[far][:n]


def plot_activations(curves: dict[str, tuple[np.ndarray, np.ndarray]], grid: np.ndarray, out: Any) -> Any:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 6, figsize=(18, 10.5))
    for ax, (name, (y, dy)) in zip(axes.flat, curves.items(), strict=False):
        ax.plot(grid, y, "C0", lw=2, label="f(x)")
        ax.plot(grid, dy, "C3--", lw=1.5, label="f'(x) (engine)")
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.set_title(name, fontsize=10)
        ax.set_ylim(min(-1.6, float(np.min(y)) - 0.2), 4.2)
    axes.flat[0].legend(fontsize=8, loc="upper left")
    for ax in list(axes.flat)[len(curves):]:
        ax.axis("off")
    fig.tight_layout()
    return save(fig, out, "activations.png")


def make_curve(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """80 points of y = sin(2x) + N(0, 0.05^2) on [-2, 2], as (80, 1) columns."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-2.0, 2.0, 80)[:, None]
    return x, np.sin(2.0 * x) + rng.normal(0.0, 0.05, x.shape)


def deep_linear(rng: np.random.Generator) -> nn.Sequential:
    """Five Linear layers, 1 -> 16 -> 16 -> 16 -> 16 -> 1, and nothing between them."""
    return nn.Sequential(nn.Linear(1, 16, rng=rng), nn.Linear(16, 16, rng=rng), nn.Linear(16, 16, rng=rng),
                         nn.Linear(16, 16, rng=rng), nn.Linear(16, 1, rng=rng))


def multiply_out(model: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """The single map x -> x @ W.T + b that the stack computes: W = W5 W4 W3 W2 W1, b pushed through."""
    W = np.eye(1)  # noqa: N806
    b = np.zeros(1)
    for layer in model:
        W = layer.weight.data @ W  # noqa: N806
        b = layer.weight.data @ b + layer.bias.data
    return W, b


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, steps: int, name: str) -> float:
    opt = optim.Adam(model.parameters(), lr=0.01)
    for _ in progress(range(steps), name):
        opt.zero_grad()
        loss = nn.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    return nn.metrics.mse(y, model(x).data)


def plot_fits(x: np.ndarray, y: np.ndarray, models: dict[str, nn.Module], line: np.ndarray, out: Any) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4))
    ax.plot(x, y, "k.", label="target sin(2x) + noise")
    ax.plot(x, line, "k:", lw=1.5, label="best straight line (least squares)")
    for (name, model), color in zip(models.items(), ["C3", "C0", "C2"], strict=True):
        ax.plot(x, model(x).data, color=color, lw=2, label=name)
    ax.set(xlabel="x", ylabel="y", title="Five layers: no activation vs tanh vs ReLU")
    ax.legend(fontsize=8)
    return save(fig, out, "deep_linear.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    steps = 600 if args.quick else 2500

    print("1. Each activation: gradient check at 12 points in [-4, 4] (away from the kinks at 0, +-1, +-3),")
    print("   then f and f' on a grid.\n")
    print(f"   {'activation':26s} {'gradcheck':>9s} {'max |engine - finite diff.|':>28s}")
    grid = np.linspace(-4.0, 4.0, 400)
    points = check_points(12)
    curves, checks = {}, {}
    for name, f in ACTIVATIONS.items():
        ok = gradcheck(f, (points.copy(),))
        _, engine = derivative(f, points)
        (numeric,) = numerical_grad(lambda v, f=f: f(v).sum(), points)
        checks[name] = float(np.max(np.abs(engine - numeric)))
        print(f"   {name:26s} {'passed' if ok else 'FAILED':>9s} {checks[name]:28.1e}")
        curves[name] = derivative(f, grid)
    figures = [plot_activations(curves, grid, args.out)]

    print("\n2. Five Linear layers and no activation:")
    x, y = make_curve()
    linear = deep_linear(np.random.default_rng(1))
    W, b = multiply_out(linear)  # noqa: N806
    gap = float(np.max(np.abs(linear(x).data - (x @ W.T + b))))
    print(f"   multiplied out: W5 W4 W3 W2 W1 = {W[0, 0]:+.5f}, bias = {b[0]:+.5f};  "
          f"|network(x) - (W x + b)| <= {gap:.1e} on 80 points")
    print("   So however many layers, without activations the network is one straight line.\n")

    design = np.hstack([x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y[:, 0], rcond=None)
    best_line = design @ coef
    best_line_mse = nn.metrics.mse(y[:, 0], best_line)
    models = {
        "no activation": linear,
        "tanh": nn.MLP(1, [16, 16, 16, 16, 1], activation=nn.Tanh, rng=np.random.default_rng(1)),
        "ReLU": nn.MLP(1, [16, 16, 16, 16, 1], activation=nn.ReLU, rng=np.random.default_rng(1)),
    }
    print(f"   Trained on y = sin(2x) + noise, {steps} Adam steps each:")
    errors = {name: train(model, x, y, steps, name) for name, model in models.items()}
    for name, error in errors.items():
        print(f"   {name:14s} MSE {error:.4f}")
    print(f"   {'best line':14s} MSE {best_line_mse:.4f}  (least squares: no straight line does better)")
    W, b = multiply_out(linear)  # noqa: N806
    print(f"   after training, the linear stack is still one line: slope {W[0, 0]:+.4f} "
          f"(least squares: {coef[0]:+.4f}), intercept {b[0]:+.4f} ({coef[1]:+.4f})")
    figures.append(plot_fits(x, y, models, best_line, args.out))
    return {"checks": checks, "gap": gap, "errors": errors, "best_line_mse": best_line_mse,
            "slope": float(W[0, 0]), "lstsq": coef, "figures": figures}


if __name__ == "__main__":
    main(sys.argv[1:])
