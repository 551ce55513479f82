"""nn.data (splits, batches, synthetic sets), nn.metrics, and end-to-end training."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn import data, metrics, optim


def test_make_moons_shape_dtype_and_geometry() -> None:
    X, y = data.make_moons(200, seed=0)  # noqa: N806
    assert X.shape == (200, 2) and X.dtype == np.float64 and y.shape == (200,) and y.dtype.kind == "i"
    assert set(np.unique(y)) == {0, 1} and (y == 0).sum() == 100
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)  # on the unit circle
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0)
    assert np.all(outer[:, 1] >= 0) and np.all(inner[:, 1] <= 0.5)


def test_generators_are_seeded() -> None:
    for make in (lambda s: data.make_moons(50, noise=0.1, seed=s), lambda s: data.make_spirals(60, 3, 0.1, seed=s),
                 lambda s: data.make_regression(30, 2, noise=0.5, seed=s),
                 lambda s: data.make_polynomial(30, (1, 2), noise=0.1, seed=s)):
        a, b, c = make(3), make(3), make(4)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
        assert not np.array_equal(a[0], c[0])


def test_spirals_regression_and_polynomial() -> None:
    X, y = data.make_spirals(90, n_classes=3, seed=0)  # noqa: N806
    assert X.shape == (90, 2) and np.bincount(y).tolist() == [30, 30, 30]
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)
    X, y, coef = data.make_regression(50, 3, bias=2.0, seed=1)  # noqa: N806
    np.testing.assert_allclose(y, X @ coef + 2.0)
    X, y = data.make_polynomial(40, (1.0, -2.0, 0.5), seed=2)  # noqa: N806
    x = X[:, 0]
    np.testing.assert_allclose(y, 1.0 - 2.0 * x + 0.5 * x * x)
    assert X.shape == (40, 1) and np.all(np.abs(x) <= 1.0)


def test_train_test_split() -> None:
    X, y = np.arange(20).reshape(10, 2), np.arange(10)  # noqa: N806
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.3, seed=0)  # noqa: N806
    assert len(X_test) == 3 and len(X_train) == 7
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    _, X_test2, _, _ = data.train_test_split(X, y, test_size=2, shuffle=False)  # noqa: N806
    np.testing.assert_array_equal(X_test2, X[:2])
    with pytest.raises(ValueError, match="rows"):
        data.train_test_split(X, y[:5])


def test_batches_cover_every_row_once() -> None:
    X, y = np.arange(10).reshape(10, 1), np.arange(10)  # noqa: N806
    plain = list(data.batches(X, y, 4))
    assert [len(b) for b, _ in plain] == [4, 4, 2]
    shuffled = list(data.batches(X, y, 3, shuffle=True, rng=np.random.default_rng(0)))
    seen = np.concatenate([b for _, b in shuffled])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    for xb, yb in shuffled:
        np.testing.assert_array_equal(xb[:, 0], yb)
    again = list(data.batches(X, y, 3, shuffle=True, rng=0))
    assert [b.tolist() for _, b in again] == [b.tolist() for _, b in data.batches(X, y, 3, shuffle=True, rng=0)]
    with pytest.raises(ValueError, match="batch_size"):
        list(data.batches(X, y, 0))


def test_metrics() -> None:
    y, p = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 2.0, 2.0, 4.0])
    assert metrics.mse(y, p) == pytest.approx((0.25 + 1.0) / 4)
    assert metrics.rmse(y, p) == pytest.approx(np.sqrt(1.25 / 4))
    assert metrics.mae(y, p) == pytest.approx(1.5 / 4)
    assert metrics.r2_score(y, p) == pytest.approx(1 - 1.25 / 5.0)
    assert metrics.r2_score(y, y) == 1.0
    assert metrics.accuracy(np.array([0, 1, 1]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    scores = nn.Parameter(np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]))
    assert metrics.accuracy(np.array([0, 1, 1]), scores) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"\(4,\).*\(3,\)"):
        metrics.mse(y, p[:3])


def test_mlp_with_adamw_learns_moons() -> None:
    """MLP(2, [16, 16, 2]) + AdamW on make_moons(200, noise=0.1) reaches >= 95% accuracy (training and new points)."""
    X, y = data.make_moons(200, noise=0.1, seed=0)  # noqa: N806
    nn.manual_seed(0)
    model = nn.MLP(2, [16, 16, 2])
    opt = optim.AdamW(model.parameters(), lr=0.02, weight_decay=1e-3)
    for _ in range(300):
        opt.zero_grad()
        loss = nn.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
    accuracy = metrics.accuracy(y, model(X))
    assert accuracy >= 0.95, (accuracy, loss.item())
    X_new, y_new = data.make_moons(500, noise=0.1, seed=1)  # noqa: N806  (fresh points from the same moons)
    assert metrics.accuracy(y_new, model(X_new)) >= 0.95


def test_regression_with_sgd_and_scheduler() -> None:
    X, y, coef = data.make_regression(100, 3, noise=0.01, bias=0.5, seed=1)  # noqa: N806
    model = nn.Linear(3, 1, rng=np.random.default_rng(0))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.CosineAnnealingLR(opt, T_max=100)
    for _ in range(100):
        for xb, yb in data.batches(X, y.reshape(-1, 1), 25, shuffle=True, rng=0):
            opt.zero_grad()
            nn.mse_loss(model(xb), yb).backward()
            opt.step()
        scheduler.step()
    np.testing.assert_allclose(np.asarray(model.weight.data)[0], coef, atol=0.01)
    assert metrics.r2_score(y, model(X).data[:, 0]) > 0.999
