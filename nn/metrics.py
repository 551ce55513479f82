"""Metrics in plain NumPy (no gradient): they take ndarrays, lists or Values and return floats."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value

__all__ = ["accuracy", "mae", "mse", "r2_score", "rmse"]


def _pair(name: str, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray(y_true.data if isinstance(y_true, Value) else y_true, dtype=np.float64)
    pred = np.asarray(y_pred.data if isinstance(y_pred, Value) else y_pred, dtype=np.float64)
    if true.shape != pred.shape:
        raise ValueError(f"{name}: y_true shape {true.shape} and y_pred shape {pred.shape} differ")
    if true.size == 0:
        raise ValueError(f"{name}: empty input")
    return true, pred


def mse(y_true: Any, y_pred: Any) -> float:
    """Mean squared error mean((y - y_hat)^2)."""
    true, pred = _pair("mse", y_true, y_pred)
    return float(np.mean((true - pred) ** 2))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error sqrt(mse)."""
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error mean(|y - y_hat|)."""
    true, pred = _pair("mae", y_true, y_pred)
    return float(np.mean(np.abs(true - pred)))


def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (1 is perfect, 0 is predicting the mean).

    A constant y_true gives 1.0 for a perfect prediction and 0.0 otherwise (as scikit-learn).
    """
    true, pred = _pair("r2_score", y_true, y_pred)
    residual = float(np.sum((true - pred) ** 2))
    total = float(np.sum((true - np.mean(true)) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted correctly.

    Args:
        y_true: integer labels, shape (N,).
        y_pred: labels of shape (N,), or scores of shape (N, C) (the argmax is the prediction).
    """
    true = np.asarray(y_true.data if isinstance(y_true, Value) else y_true)
    pred = np.asarray(y_pred.data if isinstance(y_pred, Value) else y_pred)
    if pred.ndim == true.ndim + 1:
        pred = np.argmax(pred, axis=-1)
    if true.shape != pred.shape:
        raise ValueError(f"accuracy: y_true shape {true.shape} and y_pred shape {pred.shape} do not match")
    if true.size == 0:
        raise ValueError("accuracy: empty input")
    return float(np.mean(true == pred))
