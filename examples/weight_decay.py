"""Weight decay: too little overfits, too much underfits, and the best lambda is in between.

Run:  python examples/weight_decay.py [--quick] [--out DIR]

A small network (1 -> 32 -> 32 -> 1, tanh) learns y = sin(pi x) from only 12
noisy points. We train it with the L2 penalty written into the loss,

    loss(w) = mean((f(x) - y)^2) + lambda * sum_i w_i^2          (nn.regularized_loss)

for lambda on a log grid, and measure the error on 200 fresh points that
training never saw (validation error). Then:

1. the sweep: a table of lambda, train error, validation error and weight norm;
2. L2 in the loss is the same thing as SGD with weight_decay = 2 * lambda
   (the penalty's gradient is 2 lambda w), checked on real training runs;
3. with Adam it is not: Adam divides the penalty's gradient by its running
   gradient scale, while AdamW shrinks every weight by the same factor
   (1 - lr * weight_decay) per step, outside the adaptive step ("decoupled").
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from _shared import parse_args, progress, save

import nn
from nn import optim

N_TRAIN, N_VAL, NOISE = 12, 200, 0.25


def make_data(seed: int = 0) -> tuple[np.ndarray, ...]:
    """12 training and 200 validation points of y = sin(pi x) + noise, x in [-1, 1], as (n, 1) columns."""
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1.0, 1.0, N_TRAIN))
    y_train = np.sin(np.pi * x_train) + rng.normal(0.0, NOISE, N_TRAIN)
    x_val = rng.uniform(-1.0, 1.0, N_VAL)
    y_val = np.sin(np.pi * x_val) + rng.normal(0.0, NOISE, N_VAL)
    return x_train[:, None], y_train[:, None], x_val[:, None], y_val[:, None]


def new_model() -> nn.Module:
    """The same initial weights every time (a fixed seed), so runs differ only in what we change."""
    return nn.MLP(1, [32, 32, 1], activation=nn.Tanh, rng=np.random.default_rng(1))


def weight_norm(model: nn.Module) -> float:
    """sqrt(sum of squared weights) over the weight matrices (what the penalty acts on)."""
    return float(np.sqrt(sum(float((w.data**2).sum()) for w in model.weights())))


def fit(lam: float, data: tuple[np.ndarray, ...], steps: int) -> tuple[nn.Module, dict[str, float]]:
    """Train with Adam on mse + lam * sum(w^2) over the weight matrices (biases are not decayed).

    The learning rate decays to 0 along a cosine, so training settles into a minimum: with a constant
    rate, Adam at small lambda keeps hopping between nearly equal fits, and which one it stops at
    depends on the last bits of the BLAS's sums (the figures would change with the CPU).
    """
    x_train, y_train, x_val, y_val = data
    model = new_model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    schedule = optim.CosineAnnealingLR(opt, T_max=steps)
    for _ in progress(range(steps), f"lambda={lam:.0e}"):
        opt.zero_grad()
        loss = nn.regularized_loss(nn.mse_loss(model(x_train), y_train), model.weights(), lam)
        loss.backward()
        opt.step()
        schedule.step()
    train = nn.metrics.mse(y_train, model(x_train).data)
    val = nn.metrics.mse(y_val, model(x_val).data)
    return model, {"lambda": lam, "train": train, "val": val, "norm": weight_norm(model)}


def sweep(lambdas: Sequence[float], data: tuple[np.ndarray, ...], steps: int) -> tuple[list[dict[str, float]], dict]:
    rows, models = [], {}
    for lam in progress(lambdas, "sweep"):
        model, row = fit(lam, data, steps)
        rows.append(row)
        models[lam] = model
    return rows, models


def l2_equals_sgd_weight_decay(data: tuple[np.ndarray, ...], lam: float, steps: int = 200) -> float:
    """Train twice with SGD: L2 in the loss vs weight_decay = 2 lam; return the largest parameter difference."""
    x_train, y_train = data[0], data[1]
    in_loss, in_optimizer = new_model(), new_model()
    opt_a = optim.SGD(in_loss.parameters(), lr=0.05)
    opt_b = optim.SGD(in_optimizer.parameters(), lr=0.05, weight_decay=2 * lam)
    for _ in progress(range(steps), "SGD twice"):
        for model, opt, penalty in ((in_loss, opt_a, lam), (in_optimizer, opt_b, 0.0)):
            opt.zero_grad()
            loss = nn.mse_loss(model(x_train), y_train)
            if penalty:
                loss = nn.regularized_loss(loss, model.parameters(), penalty)  # SGD decays every parameter
            loss.backward()
            opt.step()
    return max(float(np.max(np.abs(a.data - b.data)))
               for a, b in zip(in_loss.parameters(), in_optimizer.parameters(), strict=True))


def decay_alone(steps: int = 300, lr: float = 0.01) -> dict[str, np.ndarray]:
    """Two weights, 2.0 and 0.1, and no data at all: only the decay moves them.

    Adam + L2 (lambda = 0.5, i.e. weight_decay = 1 coupled): the gradient 2 lambda w is divided by its own
    running scale, so each weight moves by about lr per step whatever its size.
    AdamW (weight_decay = 1): w <- w (1 - lr * 1) each step, an exponential decay of every weight alike.
    """
    paths = {}
    for name in ("Adam + L2 in the loss", "AdamW"):
        w = nn.Parameter(np.array([2.0, 0.1]))
        if name == "AdamW":
            opt: optim.Optimizer = optim.AdamW([w], lr=lr, weight_decay=1.0)
        else:
            opt = optim.Adam([w], lr=lr)
        path = [w.data.copy()]
        for _ in range(steps):
            opt.zero_grad()
            zero_data_loss = (w * 0.0).sum()          # gradient 0, but a gradient (AdamW skips params without one)
            loss = nn.regularized_loss(zero_data_loss, [w], 0.5) if name != "AdamW" else zero_data_loss
            loss.backward()
            opt.step()
            path.append(w.data.copy())
        paths[name] = np.array(path)
    return paths


def plot(rows: list[dict[str, float]], models: dict, best: float, data: tuple[np.ndarray, ...], out: Any,
         decay: dict[str, np.ndarray], lr: float) -> list[Any]:
    import matplotlib.pyplot as plt

    x_train, y_train = data[0], data[1]
    lams = [r["lambda"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.loglog(lams, [r["train"] for r in rows], "o-", label="train error")
    ax1.loglog(lams, [r["val"] for r in rows], "s-", label="validation error")
    ax1.axvline(best, color="gray", ls=":", label=f"best lambda = {best:.0e}")
    ax1.set(xlabel="lambda (L2 strength)", ylabel="mean squared error", title="Error against lambda")
    ax1.legend()
    grid = np.linspace(-1, 1, 300)[:, None]
    ax2.plot(grid, np.sin(np.pi * grid), "k--", lw=1, label="true sin(pi x)")
    ax2.plot(x_train, y_train, "ko", label="12 training points")
    picks = [(lams[0], "overfit"), (best, "best"), (lams[-1], "underfit")]
    for lam, what in picks:
        ax2.plot(grid, models[lam](grid).data, lw=2, label=f"lambda = {lam:.0e} ({what})")
    ax2.set(xlabel="x", ylabel="y", ylim=(-2, 2), title="Fitted curves")
    ax2.legend(fontsize=8)
    saved = [save(fig, out, "weight_decay.png")]

    fig, ax = plt.subplots(figsize=(6, 3.6))
    steps = np.arange(len(next(iter(decay.values()))))
    for (name, path), color in zip(decay.items(), ["C3", "C0"], strict=True):
        ax.plot(steps, path[:, 0], color=color, label=f"{name}: w = 2.0")
        ax.plot(steps, path[:, 1], color=color, ls="--", label=f"{name}: w = 0.1")
    ax.plot(steps, 2.0 * (1 - lr) ** steps, "k:", lw=1, label="2.0 (1 - lr wd)^t")
    ax.set(xlabel="step", ylabel="weight", title="Decay alone (no data): coupled vs decoupled")
    ax.legend(fontsize=8)
    saved.append(save(fig, out, "weight_decay_adamw.png"))
    return saved


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    # quick: only three lambdas, but as many steps as it takes the net to thread the noise
    steps = 3000
    lambdas = [1e-7, 1e-3, 1.0] if args.quick else [10.0**k for k in range(-7, 1)]
    data = make_data()

    print(f"1. Sweep: {len(lambdas)} values of lambda, {steps} Adam steps each, {N_TRAIN} training points\n")
    rows, models = sweep(lambdas, data, steps)
    best = min(rows, key=lambda r: r["val"])["lambda"]
    print(f"{'lambda':>8s}  {'train MSE':>9s}  {'val MSE':>8s}  {'||w||':>7s}")
    for r in rows:
        mark = "  <- best" if r["lambda"] == best else ""
        print(f"{r['lambda']:8.0e}  {r['train']:9.3g}  {r['val']:8.3g}  {r['norm']:7.2f}{mark}")
    first, last = rows[0], rows[-1]
    print(f"\nTiny lambda ({first['lambda']:.0e}): train error {first['train']:.2g} but validation "
          f"{first['val']:.4f}: the net threads every noisy point (overfits).")
    print(f"Huge lambda ({last['lambda']:.0e}): weights squeezed to ||w|| = {last['norm']:.3f}, both errors high "
          f"({last['train']:.3f}, {last['val']:.3f}): the net cannot bend (underfits).")
    print(f"Best lambda {best:.0e}: validation error {min(r['val'] for r in rows):.4f} "
          f"(the noise variance alone is {NOISE**2:.4f}).\n")

    lam = 1e-3
    diff = l2_equals_sgd_weight_decay(data, lam)
    print(f"2. SGD on mse + {lam:g} * sum(w^2) vs SGD(weight_decay={2 * lam:g}) on mse, 200 steps from the same start:")
    print(f"   largest difference between the two sets of parameters: {diff:.1e} "
          f"({'below' if diff < 1e-15 else 'ABOVE'} 1e-15: the same run, up to round-off)\n")

    lr = 0.01
    decay = decay_alone(lr=lr)
    adam_path, adamw_path = decay["Adam + L2 in the loss"], decay["AdamW"]
    print("3. Decay alone, no data: weights start at 2.0 and 0.1, lr = 0.01, 100 steps:")
    print(f"   Adam + L2 (coupled):       {adam_path[100, 0]:.4f} and {adam_path[100, 1]:+.4f}  "
          "(each moved about lr per step, whatever its size)")
    print(f"   AdamW, weight_decay = 1:   {adamw_path[100, 0]:.4f} and {adamw_path[100, 1]:+.4f}  "
          f"(each multiplied by (1 - lr)^100 = {(1 - lr) ** 100:.4f})")
    print("   Coupled L2 through Adam is normalised away (sign-like steps, the small weight overshoots zero);")
    print("   AdamW's decoupled decay shrinks every weight by the same factor, as plain SGD's decay does.\n")

    figures = plot(rows, models, best, data, args.out, decay, lr)
    return {"rows": rows, "best_lambda": best, "sgd_difference": diff, "decay": decay, "figures": figures}


if __name__ == "__main__":
    main(sys.argv[1:])
