"""Fighting overfitting on real data: L2, L1, early stopping and dropout, checked against scikit-learn.

Run:  python examples/regularization.py [--quick] [--out DIR]

The data ship with scikit-learn (no download): diabetes (442 patients, 10 standardized
measurements, a disease-progression score to predict) and digits (1797 8x8 images of
handwritten digits). The story:

1. a validation curve: a wide MLP trained on 100 diabetes patients with
   ``nn.regularized_loss(loss, model.weights(), lam)`` for lambda on a log grid. Small lambda
   overfits (train error near 0, validation error high), large lambda underfits (both high);
   the best lambda sits in the U between them;
2. coefficient paths of a linear model as the penalty grows: L2 (ridge) shrinks every
   coefficient smoothly, L1 (lasso) drives them to exactly zero one after the other. Ours are
   trained by gradient descent on our loss and drawn over scikit-learn's Ridge and Lasso paths
   (the penalties map as lam = alpha / n for ridge and l1 = 2 * alpha for lasso: our loss is a
   mean, Ridge's a sum, Lasso's half a mean);
3. learning curves of the unregularized MLP trained with mini-batches (``DataLoader``):
   validation error falls, then rises as the net memorises; ``EarlyStopping`` marks where to
   stop and ``restore`` gives back the best epoch's weights;
4. weight histograms without a penalty and at the best lambda;
5. on digits: the same MLP with no regularization, L2, dropout and early stopping,
   and each one's test accuracy (seeded, so the numbers reproduce).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from _shared import parse_args, progress, save
from sklearn.datasets import load_diabetes, load_digits
from sklearn.linear_model import Lasso, Ridge

import nn
from autograd import no_grad
from nn import optim
from nn.data import DataLoader, TensorDataset

N_FIT = 100  # diabetes patients the MLP trains on (few, so that a wide net can memorise them)


# ---------------------------------------------------------------------------------------------- data

def diabetes(seed: int = 0) -> dict[str, np.ndarray]:
    """Standardized diabetes split into fit (100), validation (171) and test (171) rows, targets as (n, 1)."""
    X, y = load_diabetes(return_X_y=True)  # noqa: N806
    X, y = (X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std()  # noqa: N806
    order = np.random.default_rng(seed).permutation(len(X))
    fit, val, test = order[:N_FIT], order[N_FIT:N_FIT + 171], order[N_FIT + 171:]
    return {"X": X, "y": y, "X_fit": X[fit], "y_fit": y[fit, None], "X_val": X[val], "y_val": y[val, None],
            "X_test": X[test], "y_test": y[test, None]}


def digits(seed: int = 0) -> dict[str, np.ndarray]:
    """Digits scaled to [0, 1]: 400 rows to train on, 400 to validate (early stopping), the rest (997) to test."""
    X, y = load_digits(return_X_y=True)  # noqa: N806
    order = np.random.default_rng(seed).permutation(len(X))
    X = X / 16.0  # noqa: N806
    train, val, test = order[:400], order[400:800], order[800:]
    return {"X_train": X[train], "y_train": y[train], "X_val": X[val], "y_val": y[val], "X_test": X[test],
            "y_test": y[test]}


def wide_mlp(n_in: int, n_out: int, activation: Any = nn.Tanh, dropout: float = 0.0) -> nn.Module:
    """n_in -> 64 -> 64 -> n_out (and Dropout after each hidden layer when dropout > 0); seeded, so every
    run starts from the same weights and differs only in the regularization."""
    rng = np.random.default_rng(1)
    layers: list[nn.Module] = [nn.Linear(n_in, 64, rng=rng), activation()]
    if dropout:
        layers.append(nn.Dropout(dropout, rng=np.random.default_rng(2)))
    layers += [nn.Linear(64, 64, rng=rng), activation()]
    if dropout:
        layers.append(nn.Dropout(dropout, rng=np.random.default_rng(3)))
    layers.append(nn.Linear(64, n_out, rng=rng))
    return nn.Sequential(*layers)


def mse_of(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:  # noqa: N803
    """The model's mean squared error on (X, y), in eval mode and without recording a graph."""
    model.eval()
    with no_grad():
        error = nn.metrics.mse(y, model(X).data)
    model.train()
    return error


# ---------------------------------------------------------------------------------------------- 1. validation curve

def fit_mlp(data: dict[str, np.ndarray], lam: float, steps: int) -> tuple[nn.Module, dict[str, float]]:
    """Full-batch Adam on mse + lam * sum(w^2) over the weight matrices."""
    model = wide_mlp(10, 1)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    for _ in progress(range(steps), f"lambda={lam:.0e}"):
        opt.zero_grad()
        nn.regularized_loss(nn.mse_loss(model(data["X_fit"]), data["y_fit"]), model.weights(), lam).backward()
        opt.step()
    row = {"lambda": lam, "train": mse_of(model, data["X_fit"], data["y_fit"]),
           "val": mse_of(model, data["X_val"], data["y_val"]), "test": mse_of(model, data["X_test"], data["y_test"])}
    return model, row


# ---------------------------------------------------------------------------------------------- 2. coefficient paths

def fit_linear(X: np.ndarray, y: np.ndarray, lam: float = 0.0, l1: float = 0.0, steps: int = 600) -> np.ndarray:  # noqa: N803
    """The weights of nn.Linear(10, 1) trained on mean((Xw + b - y)^2) + lam ||w||^2 + l1 ||w||_1.

    Heavy-ball SGD with the step size and momentum that are optimal for the quadratic part (set from the
    extreme eigenvalues of its Hessian 2 (X^T X / n + lam I); the bias's is 2). With L1 the loss has a kink
    at w_j = 0, so gradient steps of a fixed size would hop over zero forever; the learning rate decays
    (ExponentialLR, a millionfold over the run) so the hops shrink and the weights that belong at zero
    end close to it.
    """
    model = nn.Linear(X.shape[1], 1, rng=np.random.default_rng(0))
    eigenvalues = 2 * (np.linalg.eigvalsh(X.T @ X / len(X)) + lam)
    big, small = np.sqrt(max(eigenvalues.max(), 2.0)), np.sqrt(min(eigenvalues.min(), 2.0))
    opt = optim.SGD(model.parameters(), lr=4 / (big + small) ** 2, momentum=((big - small) / (big + small)) ** 2)
    scheduler = optim.ExponentialLR(opt, gamma=1e-6 ** (1.0 / steps)) if l1 else None
    for _ in range(steps):
        opt.zero_grad()
        nn.regularized_loss(nn.mse_loss(model(X), y[:, None]), model.weights(), lam, l1=l1).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return np.array(model.weight.data[0])


def coefficient_paths(X: np.ndarray, y: np.ndarray, ridge_alphas: np.ndarray, lasso_alphas: np.ndarray,  # noqa: N803
                      lasso_steps: int) -> dict[str, np.ndarray]:
    n = len(X)
    ours_l2 = np.array([fit_linear(X, y, lam=alpha / n) for alpha in ridge_alphas])
    sk_l2 = np.array([Ridge(alpha=alpha).fit(X, y).coef_ for alpha in ridge_alphas])
    ours_l1 = np.array([fit_linear(X, y, l1=2 * alpha, steps=lasso_steps)
                        for alpha in progress(lasso_alphas, "lasso path")])
    sk_l1 = np.array([Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y).coef_ for alpha in lasso_alphas])
    return {"ridge_alphas": ridge_alphas, "lasso_alphas": lasso_alphas, "ours_l2": ours_l2, "sk_l2": sk_l2,
            "ours_l1": ours_l1, "sk_l1": sk_l1}


# ---------------------------------------------------------------------------------------------- 3. early stopping

def learning_curves(data: dict[str, np.ndarray], epochs: int, patience: int) -> dict[str, Any]:
    """Mini-batch Adam on the unregularized MLP; EarlyStopping watches the validation error."""
    model = wide_mlp(10, 1)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(data["X_fit"], data["y_fit"]), batch_size=20, shuffle=True, seed=0)
    stopper = nn.EarlyStopping(patience=patience, restore_best=True)
    train, val, stop_epoch = [], [], None
    for epoch in progress(range(epochs), "epochs"):
        for xb, yb in loader:
            opt.zero_grad()
            nn.mse_loss(model(xb), yb).backward()
            opt.step()
        train.append(mse_of(model, data["X_fit"], data["y_fit"]))
        val.append(mse_of(model, data["X_val"], data["y_val"]))
        # keep training after the stop signal only to draw what would have followed
        if stop_epoch is None and stopper.step(val[-1], model):
            stop_epoch = epoch
    last = {"val": val[-1], "test": mse_of(model, data["X_test"], data["y_test"])}
    stopper.restore(model)
    restored = {"val": mse_of(model, data["X_val"], data["y_val"]),
                "test": mse_of(model, data["X_test"], data["y_test"])}
    return {"train": train, "val": val, "best_epoch": stopper.best_step, "best_val": stopper.best,
            "stop_epoch": stop_epoch, "last": last, "restored": restored}


# ---------------------------------------------------------------------------------------------- 5. digits

def train_digits(data: dict[str, np.ndarray], how: str, epochs: int) -> dict[str, Any]:
    """Mini-batch Adam on cross-entropy with one regularizer: 'none', 'L2' (lam = 1e-3 in the loss),
    'dropout' (p = 0.5 after each hidden layer) or 'early stopping' (patience 10 on validation accuracy)."""
    model = wide_mlp(64, 10, activation=nn.ReLU, dropout=0.5 if how == "dropout" else 0.0)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    loader = DataLoader(TensorDataset(data["X_train"], data["y_train"]), batch_size=50, shuffle=True, seed=0)
    stopper = nn.EarlyStopping(patience=10, mode="max") if how == "early stopping" else None
    epoch = 0
    for epoch in range(epochs):  # noqa: B007
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.cross_entropy(model(xb), yb)
            if how == "L2":
                loss = nn.regularized_loss(loss, model.weights(), 1e-3)
            loss.backward()
            opt.step()
        if stopper is not None:
            model.eval()
            val_accuracy = nn.metrics.accuracy(data["y_val"], model(data["X_val"]).data)
            model.train()
            if stopper.step(val_accuracy, model):
                stopper.restore(model)
                break
    model.eval()
    accuracy = {split: nn.metrics.accuracy(data[f"y_{split}"], model(data[f"X_{split}"]).data)
                for split in ("train", "test")}
    return {**accuracy, "epochs": epoch + 1}


# ---------------------------------------------------------------------------------------------- figures

def plot(rows: list[dict], best: float, paths: dict, curves: dict, weights: dict, out: Any) -> list[Any]:
    import matplotlib.pyplot as plt

    figures = []
    fig, ax = plt.subplots(figsize=(6.5, 4))
    lambdas = [r["lambda"] for r in rows]
    ax.semilogx(lambdas, [r["train"] for r in rows], "o-", label="train (100 patients)")
    ax.semilogx(lambdas, [r["val"] for r in rows], "s-", label="validation (171 patients)")
    ax.axvline(best, color="gray", ls="--", label=f"best lambda = {best:.0e}")
    ax.set_xlabel("lambda (L2 penalty strength)")
    ax.set_ylabel("mean squared error (standardized target)")
    ax.set_title("Validation curve: overfit at small lambda, underfit at large")
    ax.legend()
    figures.append(save(fig, out, "regularization_validation_curve.png"))

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    names = load_diabetes().feature_names
    for ax, key, alphas, title in ((axes[0], "l2", paths["ridge_alphas"], "L2 (ridge): coefficients shrink"),
                                  (axes[1], "l1", paths["lasso_alphas"], "L1 (lasso): coefficients hit zero")):
        for j in range(paths[f"ours_{key}"].shape[1]):
            line, = ax.semilogx(alphas, paths[f"ours_{key}"][:, j], lw=1.5, label=names[j])
            ax.semilogx(alphas, paths[f"sk_{key}"][:, j], "o", ms=3.5, mfc="none", color=line.get_color())
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xlabel("scikit-learn alpha (ours: lam = alpha / n, l1 = 2 alpha)")
        ax.set_ylabel("coefficient")
        ax.set_title(title + "\nlines: nn by gradient descent, circles: scikit-learn")
    axes[1].legend(fontsize=7, ncol=2)
    figures.append(save(fig, out, "regularization_paths.png"))

    fig, ax = plt.subplots(figsize=(6.5, 4))
    epochs = np.arange(len(curves["train"]))
    ax.semilogy(epochs, curves["train"], label="train")
    ax.semilogy(epochs, curves["val"], label="validation")
    ax.axvline(curves["best_epoch"], color="green", ls="--", label=f"best epoch {curves['best_epoch']} (restored)")
    if curves["stop_epoch"] is not None:
        ax.axvline(curves["stop_epoch"], color="red", ls=":", label=f"early stopping at epoch {curves['stop_epoch']}")
    ax.set_xlabel("epoch (5 mini-batches of 20)")
    ax.set_ylabel("mean squared error")
    ax.set_title("Learning curves, no penalty: stop when validation turns up")
    ax.legend()
    figures.append(save(fig, out, "regularization_early_stopping.png"))

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, values in weights.items():
        ax.hist(values, bins=160, range=(-0.6, 0.6), histtype="step", lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("weight value (all weight matrices)")
    ax.set_ylabel("count")
    ax.set_title("Weights with and without the L2 penalty")
    ax.legend()
    figures.append(save(fig, out, "regularization_weights.png"))
    return figures


# ---------------------------------------------------------------------------------------------- the story

def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    quick = args.quick
    data = diabetes()

    lambdas = [1e-5, 1e-1, 1.0] if quick else sorted([10.0**k for k in range(-5, 1)] + [3e-3, 3e-2, 3e-1])
    steps = 1000 if quick else 2000
    print(f"1. Validation curve: a 10-64-64-1 tanh net, {N_FIT} diabetes patients, {steps} Adam steps per lambda\n")
    rows, models = [], {}
    for lam in progress(lambdas, "sweep"):
        models[lam], row = fit_mlp(data, lam, steps)
        rows.append(row)
    best = min(rows, key=lambda r: r["val"])["lambda"]
    print(f"{'lambda':>8s}  {'train MSE':>9s}  {'val MSE':>8s}")
    for r in rows:
        print(f"{r['lambda']:8.0e}  {r['train']:9.4f}  {r['val']:8.4f}" + ("  <- best" if r["lambda"] == best else ""))
    line = Ridge(alpha=1.0).fit(data["X_fit"], data["y_fit"][:, 0])
    linear_val = nn.metrics.mse(data["y_val"][:, 0], line.predict(data["X_val"]))
    print(f"(a ridge line on the same patients: validation {linear_val:.4f}; predicting the mean: about 1)\n")

    ridge_alphas = np.logspace(-2, 4, 7 if quick else 25)
    lasso_alphas = np.logspace(-3, 0, 4 if quick else 16)
    paths = coefficient_paths(data["X"], data["y"], ridge_alphas, lasso_alphas, lasso_steps=2000 if quick else 5000)
    ridge_gap = float(np.max(np.abs(paths["ours_l2"] - paths["sk_l2"])))
    lasso_gap = float(np.max(np.abs(paths["ours_l1"] - paths["sk_l1"])))
    sk_zero = (paths["sk_l1"] == 0).sum(axis=1)
    ours_zero = (np.abs(paths["ours_l1"]) < 1e-3).sum(axis=1)
    print("2. Coefficient paths of a linear model on all 442 patients, ours against scikit-learn's:")
    print(f"   L2: {len(ridge_alphas)} alphas, largest |ours - Ridge| = {ridge_gap:.1e}")
    print(f"   L1: {len(lasso_alphas)} alphas, largest |ours - Lasso| = {lasso_gap:.1e}")
    print(f"   coefficients at zero along the L1 path (alpha {lasso_alphas[0]:.0e} .. {lasso_alphas[-1]:.0e}): "
          f"Lasso {[int(k) for k in sk_zero]}, ours (|w| < 1e-3) {[int(k) for k in ours_zero]}")
    smallest = np.abs(paths["ours_l2"][-1]).min()
    print(f"   along the L2 path none is zero: smallest |w| at the largest alpha {smallest:.1e}\n")

    epochs = 120 if quick else 400
    curves = learning_curves(data, epochs=epochs, patience=20)
    print(f"3. Early stopping (patience 20) on the unregularized net, mini-batches of 20, {epochs} epochs:")
    print(f"   best validation error {curves['best_val']:.4f} at epoch {curves['best_epoch']}; "
          f"the stopper says stop at epoch {curves['stop_epoch']}")
    print(f"   trained on to epoch {epochs - 1}: validation {curves['last']['val']:.4f}, "
          f"test {curves['last']['test']:.4f}")
    print(f"   restore_best gives back epoch {curves['best_epoch']}: validation {curves['restored']['val']:.4f}, "
          f"test {curves['restored']['test']:.4f}\n")

    weights = {f"lambda = {lam:.0e}": np.concatenate([np.ravel(w.data) for w in models[lam].weights()])
               for lam in (lambdas[0], best)}
    print("4. Weights: " + "; ".join(f"{label}: ||w|| = {np.linalg.norm(v):.2f}, {np.mean(np.abs(v) < 0.01):.0%} "
                                     "of them below 0.01" for label, v in weights.items()) + "\n")

    digit_data = digits()
    digit_epochs = 40 if quick else 100
    print(f"5. Digits: 64-64-64-10 ReLU net, 400 training images, {digit_epochs} epochs of mini-batches of 50:")
    digit_results = {how: train_digits(digit_data, how, digit_epochs)
                     for how in progress(["none", "L2", "dropout", "early stopping"], "digits")}
    for how, r in digit_results.items():
        print(f"   {how:15s} train accuracy {r['train']:.3f}  test accuracy {r['test']:.3f}  ({r['epochs']} epochs)")
    print()

    figures = plot(rows, best, paths, curves, weights, args.out)
    return {"rows": rows, "best_lambda": best, "paths": paths, "ridge_gap": ridge_gap, "lasso_gap": lasso_gap,
            "curves": curves, "weights": weights, "digits": digit_results, "figures": figures}


if __name__ == "__main__":
    main(sys.argv[1:])
