"""Two moons: an MLP classifier trained with the hinge loss and an L2 penalty.

Run:  python examples/moons.py [--quick] [--out DIR]

The network 2 -> 16 -> 16 -> 1 (ReLU) outputs a score s(x); the predicted class
is the sign of s. The loss is the hinge loss of a support vector machine plus
weight decay,

    loss = mean(max(0, 1 - t * s(x))) + lambda * sum_i w_i^2,   t in {-1, +1},

which is zero only for points on the right side with a margin of at least 1.
Training is full-batch SGD with momentum; we report accuracy on held-out
points and draw the decision boundary s(x) = 0.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from _shared import parse_args, progress, save

import nn
from autograd import no_grad
from nn import optim

LAMBDA = 1e-4


def make_data() -> tuple[np.ndarray, ...]:
    """300 noisy moon points, split 200 for training and 100 held out; labels 0/1."""
    X, y = nn.data.make_moons(300, noise=0.15, seed=0)  # noqa: N806
    return X[:200], y[:200], X[200:], y[200:]


def scores(model: nn.Module, X: np.ndarray) -> np.ndarray:  # noqa: N803
    with no_grad():
        return np.asarray(model(X).data)[:, 0]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    steps = 150 if args.quick else 500
    X_train, y_train, X_test, y_test = make_data()  # noqa: N806
    targets = (2.0 * y_train - 1.0)[:, None]      # {0, 1} -> {-1, +1}, one column like the scores

    model = nn.MLP(2, [16, 16, 1], activation=nn.ReLU, rng=np.random.default_rng(0))
    n_params = sum(p.size for p in model.parameters())
    print(f"Model: {model}\n{n_params} parameters; {len(X_train)} training points, {len(X_test)} held out\n")

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = optim.CosineAnnealingLR(opt, T_max=steps)
    history = []
    for step in progress(range(steps), "training"):
        opt.zero_grad()
        data_loss = nn.hinge_loss(model(X_train), targets)
        loss = nn.regularized_loss(data_loss, model.weights(), LAMBDA)
        loss.backward()
        opt.step()
        schedule.step()
        accuracy = nn.metrics.accuracy(y_train, (scores(model, X_train) > 0).astype(int))
        history.append((float(loss.data), float(data_loss.data), accuracy))
        if step % (steps // 5) == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {loss.data:.4f} (hinge {data_loss.data:.4f})  train accuracy {accuracy:.3f}")

    train_acc = nn.metrics.accuracy(y_train, (scores(model, X_train) > 0).astype(int))
    test_acc = nn.metrics.accuracy(y_test, (scores(model, X_test) > 0).astype(int))
    print(f"\nFinal: train accuracy {train_acc:.3f}, held-out accuracy {test_acc:.3f}")
    print("The hinge loss stops pushing a point once its margin t * s(x) passes 1; the L2 term keeps the")
    print("weights small, which keeps the boundary smooth between the moons.")
    figures = plot(model, X_train, y_train, X_test, y_test, history, args.out)
    return {"train_accuracy": train_acc, "test_accuracy": test_acc, "history": history, "figures": figures}


def plot(model: nn.Module, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,  # noqa: N803
         y_test: np.ndarray, history: list[tuple[float, float, float]], out: Any) -> list[Any]:
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-1.6, 2.6, 200), np.linspace(-1.1, 1.6, 150))
    grid_scores = scores(model, np.column_stack([xs.ravel(), ys.ravel()])).reshape(xs.shape)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    ax1.contourf(xs, ys, grid_scores, levels=[-1e9, 0, 1e9], colors=["#cfe0f7", "#f7d9cf"], alpha=0.8)
    ax1.contour(xs, ys, grid_scores, levels=[-1, 0, 1], colors=["gray", "k", "gray"], linestyles=[":", "-", ":"])
    for label, color in ((0, "C0"), (1, "C3")):
        ax1.scatter(*X_train[y_train == label].T, c=color, s=14, label=f"class {label} (train)")
        ax1.scatter(*X_test[y_test == label].T, c=color, s=30, marker="x", label=f"class {label} (held out)")
    ax1.set(title="Decision boundary s(x) = 0 (margins s = +-1 dotted)", xlabel="x1", ylabel="x2")
    ax1.legend(fontsize=7, loc="lower left")
    hist = np.array(history)
    ax2.plot(hist[:, 0], label="loss (hinge + L2)")
    ax2.plot(hist[:, 2], label="train accuracy")
    ax2.set(xlabel="step", title="Training", ylim=(0, 1.05))
    ax2.legend(fontsize=8)
    return [save(fig, out, "moons.png")]


if __name__ == "__main__":
    main(sys.argv[1:])
