"""Data helpers in NumPy: splitting, mini-batches and seeded synthetic data sets.

Every generator takes ``seed`` (an int, a NumPy Generator, or None for fresh
randomness) and returns float64 features; class labels are int64.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from numbers import Integral
from typing import Any

import numpy as np

__all__ = ["DataLoader", "TensorDataset", "batches", "make_moons", "make_polynomial", "make_regression", "make_spirals",
           "train_test_split"]

Seed = int | np.random.Generator | None


def _rng(seed: Seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def train_test_split(
    X: Any, y: Any, test_size: float = 0.25, shuffle: bool = True, seed: Seed = None  # noqa: N803
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split rows into (X_train, X_test, y_train, y_test), as scikit-learn orders them.

    Args:
        X, y: arrays with the same number of rows.
        test_size: a fraction in (0, 1) or a number of rows.
        shuffle: shuffle the rows before splitting.
        seed: for the shuffle.
    """
    X, y = np.asarray(X), np.asarray(y)  # noqa: N806
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_test_split: X has {n} rows but y has {len(y)}")
    n_test = int(np.ceil(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size} leaves no rows for training or testing (n={n})")
    order = _rng(seed).permutation(n) if shuffle else np.arange(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(
    X: Any, y: Any, batch_size: int, shuffle: bool = False, rng: Seed = None  # noqa: N803
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (X_batch, y_batch) covering every row once; the last batch may be smaller.

    Args:
        X, y: arrays with the same number of rows.
        batch_size: rows per batch (>= 1).
        shuffle: visit the rows in a random order (drawn from ``rng``).
        rng: a seed or Generator for the shuffle.
    """
    X, y = np.asarray(X), np.asarray(y)  # noqa: N806
    if len(X) != len(y):
        raise ValueError(f"batches: X has {len(X)} rows but y has {len(y)}")
    if batch_size < 1:
        raise ValueError(f"batches: batch_size must be >= 1, got {batch_size}")
    order = _rng(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        index = order[start:start + batch_size]
        yield X[index], y[index]


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 on (cos t, sin t), class 1 on (1 - cos t, 1/2 - sin t), t in [0, pi].

    Returns:
        X float64 (n, 2) with Gaussian noise of std ``noise`` added, y int64 (n,) in {0, 1}, rows shuffled.
    """
    if n_samples < 2:
        raise ValueError(f"make_moons: n_samples must be >= 2, got {n_samples}")
    rng = _rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)], axis=1)
    X = np.concatenate([outer, inner])  # noqa: N806
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)  # noqa: N806
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spirals(
    n_samples: int = 100, n_classes: int = 2, noise: float = 0.0, turns: float = 1.0, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: radius r in [0, 1], angle 2 pi (turns r + k / n_classes).

    Returns:
        X float64 (n, 2), y int64 (n,) in {0, ..., n_classes - 1}; Gaussian noise of std ``noise``.
    """
    if n_classes < 2 or n_samples < n_classes:
        raise ValueError(f"make_spirals: need n_classes >= 2 and n_samples >= n_classes, got {n_samples}, {n_classes}")
    rng = _rng(seed)
    sizes = [n_samples // n_classes + (1 if k < n_samples % n_classes else 0) for k in range(n_classes)]
    parts, labels = [], []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = 2 * np.pi * (turns * radius + k / n_classes)
        parts.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1))
        labels.append(np.full(size, k, dtype=np.int64))
    X = np.concatenate(parts)  # noqa: N806
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)  # noqa: N806
    order = rng.permutation(n_samples)
    return X[order], np.concatenate(labels)[order]


def make_regression(
    n_samples: int = 100, n_features: int = 1, noise: float = 0.0, bias: float = 0.0, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A linear target y = X w + bias + noise with X ~ N(0, 1) and w ~ U(-2, 2) per feature.

    Returns:
        X float64 (n, n_features), y float64 (n,), and the true coefficients w (n_features,).
    """
    rng = _rng(seed)
    X = rng.normal(size=(n_samples, n_features))  # noqa: N806
    coef = rng.uniform(-2.0, 2.0, size=n_features)
    y = X @ coef + bias
    if noise > 0:
        y = y + rng.normal(0.0, noise, size=n_samples)
    return X, y, coef


def make_polynomial(
    n_samples: int = 100, coefficients: Sequence[float] = (0.0, 1.0, -1.0), noise: float = 0.0,
    x_range: tuple[float, float] = (-1.0, 1.0), seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray]:
    """y = sum_k c_k x^k + noise for x ~ U(x_range); ``coefficients`` from the constant term up.

    Returns:
        X float64 (n, 1), y float64 (n,).
    """
    rng = _rng(seed)
    x = rng.uniform(x_range[0], x_range[1], size=n_samples)
    y = np.polynomial.polynomial.polyval(x, np.asarray(coefficients, dtype=np.float64))
    if noise > 0:
        y = y + rng.normal(0.0, noise, size=n_samples)
    return x.reshape(-1, 1), y


class TensorDataset:
    """Rows of several arrays taken together: ``dataset[i]`` is ``(a[i] for a in arrays)``, as PyTorch's.

    Args:
        *arrays: ndarrays (or anything ``np.asarray`` takes; Values give their data) with the same
            number of rows (first dimension).
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(np.asarray(a.data if hasattr(a, "requires_grad") else a) for a in arrays)
        if any(a.ndim == 0 for a in self.arrays):
            raise ValueError("TensorDataset: every array needs a first dimension (rows), got a 0-d array")
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) != 1:
            raise ValueError(f"TensorDataset: the arrays have different lengths {lengths}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[np.ndarray, ...]:
        return tuple(a[index] for a in self.arrays)


class DataLoader:
    """Mini-batches of a dataset: iterating yields tuples of ndarray batches, one entry per array.

    Each pass over the loader is one epoch; with ``shuffle`` every epoch visits the rows in a
    new order drawn from one generator seeded by ``seed``, so a run is reproducible.  ``len()``
    is the number of batches: ceil(n / batch_size), or floor with ``drop_last``.

    Args:
        dataset: a :class:`TensorDataset`, or any object with ``len()`` whose items are tuples of
            arrays (they are stacked into batches).
        batch_size: rows per batch (an integer >= 1).
        shuffle: visit the rows in a random order, new each epoch.
        drop_last: leave out the last batch when it is smaller than ``batch_size``.
        seed: an int, a NumPy Generator or None, for the shuffle.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed: Seed = None) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
            raise TypeError(f"DataLoader: batch_size must be an integer, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: the dataset needs len() and indexing, got {type(dataset).__name__}")
        self.dataset: Any = dataset
        self.batch_size: int = int(batch_size)
        self.shuffle: bool = bool(shuffle)
        self.drop_last: bool = bool(drop_last)
        self.rng: np.random.Generator = _rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for k in range(len(self)):
            index = order[k * self.batch_size:(k + 1) * self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                yield self.dataset[index]
            else:
                rows = [self.dataset[int(i)] for i in index]
                rows = [row if isinstance(row, tuple) else (row,) for row in rows]
                yield tuple(np.stack([np.asarray(column) for column in columns]) for columns in zip(*rows, strict=True))
