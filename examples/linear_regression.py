"""Linear regression: hours of study against exam score, fitted by gradient descent.

Run:  python examples/linear_regression.py [--quick] [--out DIR]

1. Twenty students: score = w * hours + b + noise. The engine fits w and b by
   gradient descent on the mean squared error (nn.Linear, nn.mse_loss, SGD).
2. The fit predicts the score after 4 hours of study, and is scored with MSE,
   RMSE, MAE and R^2 (nn.metrics).
3. The same line from the closed-form least-squares solution (numpy.linalg.lstsq):
   gradient descent reaches it.
4. One outlier (a student who studied 7.5 hours and scored 12) pulls the MSE fit
   much more than the MAE (L1) and Huber fits, because squaring makes a large
   residual dominate the loss.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _shared import parse_args, progress, save

import nn
from nn import optim

HOURS_ASKED = 4.0
OUTLIER = (7.5, 12.0)
HUBER_DELTA = 5.0   # residuals up to 5 points count as squared, larger ones linearly


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """hours (20, 1) uniform in [0.5, 8] and scores (20, 1) = 42 + 6.5 hours + N(0, 4^2)."""
    rng = np.random.default_rng(seed)
    hours = np.round(rng.uniform(0.5, 8.0, 20), 1)
    scores = np.round(42.0 + 6.5 * hours + rng.normal(0.0, 4.0, 20), 1)
    return hours[:, None], scores[:, None]


def fit(hours: np.ndarray, scores: np.ndarray, loss_fn: Callable[[Any, Any], Any], steps: int,
        optimizer: str = "sgd") -> tuple[float, float]:
    """Fit score = w * hours + b by minimising ``loss_fn(prediction, scores)``; returns (w, b).

    SGD with a fixed step suits the smooth MSE; for L1 and Huber (whose gradient
    does not shrink near the minimum) Adam with a learning rate annealed to 0.
    """
    model = nn.Linear(1, 1, rng=np.random.default_rng(0))
    if optimizer == "sgd":
        opt: optim.Optimizer = optim.SGD(model.parameters(), lr=0.03)
        schedule = None
    else:
        opt = optim.Adam(model.parameters(), lr=1.0)
        schedule = optim.CosineAnnealingLR(opt, T_max=steps)
    for _ in progress(range(steps), "fitting"):
        opt.zero_grad()
        loss = loss_fn(model(hours), scores)
        loss.backward()
        opt.step()
        if schedule is not None:
            schedule.step()
    return float(model.weight.data[0, 0]), float(model.bias.data[0])


def closed_form(hours: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Least squares: minimise |A [w, b] - scores|^2 with A = [hours, 1]."""
    design = np.hstack([hours, np.ones_like(hours)])
    (w, b), *_ = np.linalg.lstsq(design, scores[:, 0], rcond=None)
    return float(w), float(b)


def plot(hours: np.ndarray, scores: np.ndarray, lines: dict[str, tuple[float, float]], out: Any) -> list[Any]:
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    grid = np.linspace(0, 8.5, 50)
    w, b = lines["engine (MSE)"]
    ax1.plot(hours, scores, "ko", label="students")
    ax1.plot(grid, w * grid + b, "C0", lw=2, label=f"fit: score = {w:.2f} hours + {b:.1f}")
    ax1.plot([HOURS_ASKED], [w * HOURS_ASKED + b], "C3*", ms=14, label=f"4 hours -> {w * HOURS_ASKED + b:.1f}")
    ax1.set(xlabel="hours of study", ylabel="exam score", title="Gradient descent fit")
    ax1.legend(fontsize=8)
    ax2.plot(hours, scores, "ko", label="students")
    ax2.plot([OUTLIER[0]], [OUTLIER[1]], "rX", ms=11, label="outlier")
    styles = [("C0", "-"), ("C1", "--"), ("C2", ":")]
    for (name, (w, b)), (color, line) in zip(list(lines.items())[1:], styles, strict=True):
        ax2.plot(grid, w * grid + b, color=color, ls=line, lw=2.5, label=name)
    ax2.set(xlabel="hours of study", title="With one outlier: MSE vs MAE vs Huber")
    ax2.legend(fontsize=8)
    return [save(fig, out, "linear_regression.png")]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    steps = 1000 if args.quick else 3000
    hours, scores = make_data()

    print(f"1. {len(hours)} students; the first five (hours, score):",
          ", ".join(f"({h:.1f}, {s:.1f})" for h, s in zip(hours[:5, 0], scores[:5, 0], strict=True)))
    w, b = fit(hours, scores, nn.mse_loss, steps)
    print(f"   gradient descent, {steps} SGD steps on the MSE: score = {w:.4f} * hours + {b:.4f}")

    predicted = w * HOURS_ASKED + b
    fitted = w * hours + b
    metrics = {name: getattr(nn.metrics, name)(scores, fitted) for name in ("mse", "rmse", "mae", "r2_score")}
    print(f"\n2. Predicted score after {HOURS_ASKED:g} hours of study: {predicted:.2f}")
    print(f"   MSE {metrics['mse']:.3f}   RMSE {metrics['rmse']:.3f} points   MAE {metrics['mae']:.3f} points   "
          f"R^2 {metrics['r2_score']:.4f}")
    print(f"   (RMSE and MAE are in points: a typical miss is ~{metrics['mae']:.0f} points; "
          f"R^2 = {metrics['r2_score']:.2f}: hours explain that share of the spread in scores)")

    w_exact, b_exact = closed_form(hours, scores)
    print(f"\n3. Closed-form least squares:   score = {w_exact:.4f} * hours + {b_exact:.4f}  "
          f"-> {w_exact * HOURS_ASKED + b_exact:.2f} at 4 hours")
    print(f"   gradient descent is off by {abs(w - w_exact):.1e} in the slope and {abs(b - b_exact):.1e} in the "
          f"intercept")

    hours_o = np.vstack([hours, [[OUTLIER[0]]]])
    scores_o = np.vstack([scores, [[OUTLIER[1]]]])
    print(f"\n4. Add one outlier ({OUTLIER[0]} hours, score {OUTLIER[1]}) and fit three losses:")
    losses = {
        "MSE": (nn.mse_loss, "sgd"),
        "MAE (L1)": (nn.l1_loss, "adam"),
        f"Huber (delta={HUBER_DELTA:g})": (lambda p, t: nn.huber_loss(p, t, delta=HUBER_DELTA), "adam"),
    }
    print(f"   {'loss':16s} {'slope clean':>11s} {'slope +outlier':>14s} {'4 h clean':>9s} {'4 h +outlier':>12s}")
    robust = {}
    lines = {"engine (MSE)": (w, b)}
    for name, (loss_fn, kind) in losses.items():
        clean = fit(hours, scores, loss_fn, steps, kind)
        dirty = fit(hours_o, scores_o, loss_fn, steps, kind)
        robust[name] = {"clean": clean, "outlier": dirty}
        lines[f"{name}: {dirty[0]:.2f} h + {dirty[1]:.1f}"] = dirty
        print(f"   {name:16s} {clean[0]:11.3f} {dirty[0]:14.3f} {clean[0] * 4 + clean[1]:9.2f} "
              f"{dirty[0] * 4 + dirty[1]:12.2f}")
    print("   Squared error grows with the square of the outlier's residual, so the MSE line tilts towards it;")
    print("   L1 and Huber grow only linearly there, so one bad point moves them far less.")

    figures = plot(hours, scores, lines, args.out)
    return {"w": w, "b": b, "predicted": predicted, "metrics": metrics, "closed_form": (w_exact, b_exact),
            "robust": robust, "figures": figures}


if __name__ == "__main__":
    main(sys.argv[1:])
