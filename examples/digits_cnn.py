"""A convolutional network on real handwritten digits, and what convolution buys over an MLP.

Run:  python examples/digits_cnn.py [--quick] [--out DIR]

scikit-learn ships 1,797 real 8x8 handwritten digits (``load_digits``, no download).
We split them once (seed 0, 20 % test) and train, with AdamW on mini-batches of 64:

1. a small CNN: Conv2d(1, 16, 3, padding=1) -> BatchNorm2d -> ReLU -> MaxPool2d(2)
   -> Conv2d(16, 32, 3, padding=1) -> BatchNorm2d -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(128, 10).
   Every layer is composed from engine primitives: a convolution is a sliding window
   and one matrix product, so its gradient is the primitives' VJPs, nothing written by hand;
2. MLPs on the same 64 pixels (the best of a few widths is reported);
3. the CNN without weight decay and with far too much (10), to see over- and underfitting
   in the gap between training and test accuracy.

Figures: the 16 learned first-layer filters, the confusion matrix on the test set,
and the learning curves.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from _shared import one_blas_thread, parse_args, progress, save

import nn
from autograd import no_grad
from nn import optim

SEED, TEST_FRACTION, BATCH = 0, 0.2, 64
HEAVY_DECAY = 10.0  # AdamW shrinks every weight by lr * 10 per step: far too much


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test): images (n, 1, 8, 8) scaled to [0, 1], labels 0..9; a fixed split."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0)[:, None, :, :]
    return nn.data.train_test_split(images, digits.target, test_size=TEST_FRACTION, seed=SEED)


def make_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )


def make_mlp(hidden: Sequence[int]) -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.MLP(64, [*hidden, 10]))


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    model.eval()
    with no_grad():
        labels = model(x).data.argmax(axis=1)
    model.train()
    return labels  # type: ignore[no-any-return]


def train(model: nn.Module, data: tuple[np.ndarray, ...], epochs: int, weight_decay: float, lr: float = 0.01,
          label: str = "") -> dict[str, Any]:
    """AdamW with a cosine schedule; train and test accuracy after every epoch."""
    x_train, x_test, y_train, y_test = data
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = -(-len(x_train) // BATCH)
    schedule = optim.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    rng = np.random.default_rng(SEED)
    history = []
    start = time.perf_counter()
    for _ in progress(range(epochs), label or "training"):
        for xb, yb in nn.data.batches(x_train, y_train, BATCH, shuffle=True, rng=rng):
            loss = nn.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
        history.append((float(np.mean(predict(model, x_train) == y_train)),
                        float(np.mean(predict(model, x_test) == y_test))))
    return {"history": history, "train": history[-1][0], "test": history[-1][1],
            "seconds": time.perf_counter() - start}


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def plot(cnn: nn.Module, matrix: np.ndarray, runs: dict[str, dict[str, Any]], out: Any) -> list[Any]:
    import matplotlib.pyplot as plt

    saved = []
    filters = cnn[0].weight.data[:, 0]  # type: ignore[index]
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.3))
    for ax, f in zip(axes.flat, filters, strict=True):
        ax.imshow(f, cmap="RdBu_r", vmin=-abs(f).max(), vmax=abs(f).max())
        ax.axis("off")
    fig.suptitle("The 16 learned 3x3 filters of the first Conv2d (red +, blue -)")
    saved.append(save(fig, out, "digits_cnn_filters.png"))

    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), n in np.ndenumerate(matrix):
        if n:
            ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color="white" if n > matrix.max() / 2 else "k")
    ax.set(xlabel="predicted digit", ylabel="true digit", xticks=range(10), yticks=range(10),
           title="CNN on the test set: confusion matrix")
    saved.append(save(fig, out, "digits_cnn_confusion.png"))

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for (name, run), color in zip(runs.items(), ["C0", "C1", "C2", "C3"], strict=False):
        history = np.array(run["history"])
        epochs = np.arange(1, len(history) + 1)
        ax.plot(epochs, 1 - history[:, 0], "--", color=color, lw=1)
        ax.plot(epochs, 1 - history[:, 1], "-", color=color, label=f"{name} (test {run['test']:.3f})")
    ax.set(yscale="log", xlabel="epoch", ylabel="error rate (dashed: train, solid: test)",
           title="Learning curves on load_digits")
    ax.legend(fontsize=8)
    saved.append(save(fig, out, "digits_cnn_curves.png"))
    return saved


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    started = time.perf_counter()
    limits = one_blas_thread()  # small matrices: one BLAS thread is faster
    epochs = 2 if args.quick else 20
    data = load_split()
    x_train, x_test, y_train, y_test = data
    print(f"load_digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels (seed {SEED})\n")

    nn.manual_seed(0)
    cnn = make_cnn()
    runs = {"CNN, weight_decay=0.01": train(cnn, data, epochs, 0.01, label="CNN")}
    main_run = runs["CNN, weight_decay=0.01"]
    predictions = predict(cnn, x_test)
    matrix = confusion(y_test, predictions)
    n_params = sum(p.size for p in cnn.parameters())
    print(f"1. CNN ({n_params} parameters), {epochs} epochs of AdamW in {main_run['seconds']:.1f} s:")
    print(f"   train accuracy {main_run['train']:.4f}, test accuracy {main_run['test']:.4f} "
          f"({int((predictions != y_test).sum())} of {len(y_test)} test digits wrong)\n")

    mlps = {}
    for hidden in ([64],) if args.quick else ([64], [256], [256, 128]):
        nn.manual_seed(0)
        mlps[str(hidden)] = train(make_mlp(hidden), data, epochs, 0.01, lr=0.003, label=f"MLP {hidden}")
    best_mlp = max(mlps, key=lambda h: mlps[h]["test"])
    print("2. MLPs on the same pixels (flattened: the network must learn that neighbouring pixels are related):")
    for hidden, run in mlps.items():
        print(f"   MLP hidden {hidden:11s} train {run['train']:.4f}, test {run['test']:.4f}")
    print(f"   best MLP {best_mlp}: test accuracy {mlps[best_mlp]['test']:.4f} vs the CNN's {main_run['test']:.4f}\n")

    decays = {}
    for wd in (0.0, HEAVY_DECAY):
        nn.manual_seed(0)
        decays[wd] = train(make_cnn(), data, epochs, wd, label=f"CNN wd={wd}")
    print("3. The same CNN with other weight decays (train vs test accuracy):")
    for wd, run in [(0.0, decays[0.0]), (0.01, main_run), (HEAVY_DECAY, decays[HEAVY_DECAY])]:
        print(f"   weight_decay={wd:<5g} train {run['train']:.4f}  test {run['test']:.4f}  "
              f"gap {run['train'] - run['test']:+.4f}")
    none, heavy = decays[0.0], decays[HEAVY_DECAY]
    overfits = none["train"] > none["test"]
    underfits = heavy["train"] < none["train"] and heavy["test"] < none["test"]
    print(f"   Without decay: a train-test gap of {none['train'] - none['test']:+.4f} "
          f"({'the training set is fitted better: overfitting' if overfits else 'no overfitting at this length'}).")
    print(f"   weight_decay={HEAVY_DECAY:g} (every weight shrunk by lr * {HEAVY_DECAY:g} per step): train "
          f"{heavy['train']:.4f} vs "
          f"{none['train']:.4f} without ({'both accuracies fall: underfitting' if underfits else 'no underfitting'})\n")

    runs[f"best MLP {best_mlp}"] = mlps[best_mlp]
    runs["CNN, weight_decay=0"] = decays[0.0]
    runs[f"CNN, weight_decay={HEAVY_DECAY:g}"] = decays[HEAVY_DECAY]
    figures = plot(cnn, matrix, runs, args.out)
    seconds, cpu = time.perf_counter() - started, time.process_time()
    print(f"total run time {seconds:.1f} s (CPU time {cpu:.1f} s; load average {_load()})")
    if limits is not None:
        limits.restore_original_limits()
    return {"test_accuracy": main_run["test"], "train_accuracy": main_run["train"], "predictions": predictions,
            "confusion": matrix, "mlps": mlps, "best_mlp": best_mlp, "decays": decays, "seconds": seconds,
            "model": cnn, "figures": figures}


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main(sys.argv[1:])
