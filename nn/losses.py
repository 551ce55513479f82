"""Losses, each a function and a Module (PyTorch's names), composed only from autograd's primitives.

Every loss takes ``reduction``: 'mean' (default), 'sum' or 'none' (the per-element
losses).  Predictions and targets must have the same shape: a loss never
broadcasts, because (4, 1) against (4,) silently becomes a (4, 4) table of
differences, the classic silent bug of regression code.

Arguments of every loss function: ``prediction`` (a Value or array: values,
probabilities, logits or scores as the name says), ``target`` (an array or Value of
the same shape, or integer classes for cross_entropy/nll_loss) and ``reduction``.
Each returns a Value: a scalar for 'mean'/'sum', the per-element losses for 'none'.
Shape mismatches raise ValueError naming both shapes; bad dtypes raise TypeError.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value, exp, log, log1p, logsumexp, relu, where
from nn.module import Module

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HingeLoss", "HuberLoss", "L1Loss", "MSELoss", "NLLLoss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss", "huber_loss",
    "l1_loss", "mse_loss", "nll_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _as_array(x: Any) -> np.ndarray:
    """x's numbers as an ndarray (0-d for a scalar), for shape and dtype checks and conditions."""
    return np.asarray(x.data if isinstance(x, Value) else x)


def _reduce(losses: Any, reduction: str) -> Any:
    if reduction == "mean":
        return losses.mean() if isinstance(losses, Value) else np.mean(losses)
    if reduction == "sum":
        return losses.sum() if isinstance(losses, Value) else np.sum(losses)
    return losses


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _prepare(name: str, prediction: Any, target: Any, reduction: str) -> Any:
    """Check reduction, shapes (equal, no broadcasting) and dtypes; return the target ready to use."""
    _check_reduction(name, reduction)
    in_data, target_data = _as_array(prediction), _as_array(target)
    if in_data.shape != target_data.shape:
        raise ValueError(
            f"{name}: prediction shape {in_data.shape} and target shape {target_data.shape} differ; "
            "losses do not broadcast (reshape one of them, e.g. y.reshape(-1, 1))"
        )
    if target_data.dtype.kind not in "fiub":
        raise TypeError(f"{name}: target has dtype {target_data.dtype}; expected real numbers")
    if in_data.dtype.kind != "f":
        raise TypeError(f"{name}: prediction has dtype {in_data.dtype}; expected float32 or float64")
    if isinstance(target, Value):
        return target
    return target_data.astype(in_data.dtype, copy=False)


# ---------------------------------------------------------------------------
# regression


def mse_loss(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """(prediction - target)^2 per element; d/dprediction = 2 (prediction - target)."""
    diff = prediction - _prepare("mse_loss", prediction, target, reduction)
    return _reduce(diff * diff, reduction)


def l1_loss(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """|prediction - target| per element (mean: MAE); d/dprediction = sign(prediction - target), 0 at the kink."""
    diff = prediction - _prepare("l1_loss", prediction, target, reduction)
    return _reduce(abs(diff), reduction)


def huber_loss(prediction: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Any:
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), with d = prediction - target.

    d/dprediction = d inside, delta sign(d) outside (continuous at |d| = delta).
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    diff = prediction - _prepare("huber_loss", prediction, target, reduction)
    size = abs(diff)
    inside = _as_array(size) < delta
    near = where(inside, diff, 0.0)  # the quadratic branch never sees a huge d (inf * 0 would be NaN)
    return _reduce(where(inside, 0.5 * near * near, delta * (size - 0.5 * delta)), reduction)


# ---------------------------------------------------------------------------
# binary classification

_LOG_FLOOR = -100.0  # PyTorch clamps log(p) at -100 in binary_cross_entropy
_SLOPE_FLOOR = 1e-12  # and its gradient divides by max(p (1 - p), 1e-12)


def _clamped_log(p: Any) -> Any:
    """max(log p, -100) with d/dp = 1 / max(p, 1e-12), as PyTorch's binary_cross_entropy.

    Where p <= 1e-12 the value is the constant max(log p, -100) plus (p - p), whose derivative
    1e12 is the large learning signal PyTorch gives there (a clamp of p would give none).
    """
    data = _as_array(p)
    small = data <= _SLOPE_FLOOR
    if not np.any(small):
        return log(p)
    floor = np.maximum(np.log(np.maximum(data, np.finfo(data.dtype).tiny)), _LOG_FLOOR).astype(data.dtype)
    steep = floor + (p - data) / _SLOPE_FLOOR
    return where(small, steep, log(where(small, 1.0, p)))


def binary_cross_entropy(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1], each log clamped at -100 (as PyTorch).

    d/dp = (p - t) / (p (1 - p)), with p and 1 - p taken as at least 1e-12 there (as PyTorch), so
    p = 0 or 1 gives a finite loss, a large finite gradient and no warning.

    Raises:
        ValueError: for a prediction or a target outside [0, 1].
    """
    target = _prepare("binary_cross_entropy", prediction, target, reduction)
    p = _as_array(prediction)
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError("binary_cross_entropy: prediction must hold probabilities in [0, 1] (pass logits to "
                         "binary_cross_entropy_with_logits)")
    if np.any((target < 0) | (target > 1)):
        raise ValueError("binary_cross_entropy: target must hold probabilities in [0, 1], got values from "
                         f"{np.min(target):g} to {np.max(target):g}")
    return _reduce(-(target * _clamped_log(prediction) + (1.0 - target) * _clamped_log(1.0 - prediction)),
                   reduction)


def binary_cross_entropy_with_logits(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """BCE of sigmoid(z) from the logit z: max(z, 0) - z t + log(1 + e^-|z|); d/dz = sigmoid(z) - t.

    Never forms sigmoid(z) or exp of a positive number, so it is exact for |z| up to 1000.
    """
    target = _prepare("binary_cross_entropy_with_logits", prediction, target, reduction)
    z = _as_array(prediction)
    negative_abs = where(z >= 0, -prediction, prediction)
    losses = where(z >= 0, prediction, 0.0) - prediction * target + log1p(exp(negative_abs))
    return _reduce(losses, reduction)


def hinge_loss(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """max(0, 1 - t s) for scores s and targets t in {-1, +1}; d/ds = -t where t s < 1, else 0."""
    target = _prepare("hinge_loss", prediction, target, reduction)
    labels = _as_array(target)
    if not (np.abs(labels) == 1).all():
        raise ValueError("hinge_loss: targets must be -1 or +1")
    margin = 1.0 - prediction * target
    return _reduce(relu(margin), reduction)  # max(0, margin); NaN stays NaN


# ---------------------------------------------------------------------------
# multi-class classification


def _class_targets(name: str, prediction: Any, target: Any) -> np.ndarray:
    """Check integer class targets against (N, C) or (C,) scores and return them as an int array."""
    scores, labels = _as_array(prediction), _as_array(target)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: targets must be integer class indices, got dtype {labels.dtype} "
            "(for probabilities use binary_cross_entropy; convert labels with y.astype(int))"
        )
    if scores.ndim not in (1, 2) or labels.shape != scores.shape[:-1]:
        raise ValueError(
            f"{name}: prediction shape {scores.shape} and target shape {labels.shape} do not match; "
            "expected prediction (N, C) with target (N,), or prediction (C,) with a 0-d target"
        )
    classes = scores.shape[-1]
    if labels.size and (np.minimum.reduce(labels, None) < 0 or np.maximum.reduce(labels, None) >= classes):
        bad = labels[(labels < 0) | (labels >= classes)].ravel()[0]
        raise ValueError(f"{name}: target class {bad} is out of range for {classes} classes")
    return labels.astype(np.intp)  # a copy: the graph must not see later changes to the caller's array


def nll_loss(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """-log_p[n, t_n] picked from log-probabilities log_p; d/dlog_p = -onehot(t).

    Args:
        prediction: log-probabilities, shape (N, C) (or (C,) for one sample).
        target: integer class indices in [0, C), shape (N,) (or 0-d).
        reduction: 'mean' (over N), 'sum' or 'none'.

    Raises:
        TypeError: for non-integer targets. ValueError: for out-of-range classes or mismatched shapes.
    """
    _check_reduction("nll_loss", reduction)
    return _reduce(-_picked(prediction, _class_targets("nll_loss", prediction, target)), reduction)


def _picked(prediction: Any, labels: np.ndarray) -> Any:
    """prediction[n, labels[n]] for each n (prediction[labels] for one sample), targets already checked."""
    if not isinstance(prediction, Value):
        prediction = np.asarray(prediction)  # nested lists too
    if labels.ndim == 0:
        return prediction[int(labels)]
    return prediction[np.arange(labels.shape[0]), labels]


def cross_entropy(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """nll_loss(log_softmax(z), t) = logsumexp(z_n) - z_n[t_n]; d/dz = softmax(z) - onehot(t).

    Args:
        prediction: logits z, shape (N, C) (or (C,) for one sample); any real numbers.
        target: integer class indices in [0, C), shape (N,) (or 0-d).
        reduction: 'mean' (over N), 'sum' or 'none'.

    Raises:
        TypeError: for non-integer targets. ValueError: for out-of-range classes or mismatched shapes.
    """
    _check_reduction("cross_entropy", reduction)
    labels = _class_targets("cross_entropy", prediction, target)
    # -log_softmax(z)[t] written as logsumexp(z') - z'[t] with z' = z - max(z) (a constant shift, so the
    # same derivative): both terms are then small, and their difference does not cancel the answer away
    # for large logits (float32 [1e6, 1e6, 1e6 - 1] would lose 0.013 of a 0.862 loss).
    shifted = prediction - _row_max(prediction)
    return _reduce(logsumexp(shifted, axis=-1) - _picked(shifted, labels), reduction)


def _row_max(z: Any) -> np.ndarray:
    """max(z) along the last axis (kept), 0 where it is not finite: a constant to shift logits by."""
    m = np.max(_as_array(z), axis=-1, keepdims=True)
    return np.where(np.isfinite(m), m, 0.0).astype(m.dtype, copy=False)


# ---------------------------------------------------------------------------
# Modules


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Module form of :func:`mse_loss`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return mse_loss(prediction, target, self.reduction)


class L1Loss(_Loss):
    """Module form of :func:`l1_loss`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return l1_loss(prediction, target, self.reduction)


class HuberLoss(_Loss):
    """Module form of :func:`huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if delta <= 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = float(delta)

    def forward(self, prediction: Any, target: Any) -> Any:
        return huber_loss(prediction, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta:g}"


class BCELoss(_Loss):
    """Module form of :func:`binary_cross_entropy`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return binary_cross_entropy(prediction, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return binary_cross_entropy_with_logits(prediction, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return cross_entropy(prediction, target, self.reduction)


class NLLLoss(_Loss):
    """Module form of :func:`nll_loss`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return nll_loss(prediction, target, self.reduction)


class HingeLoss(_Loss):
    """Module form of :func:`hinge_loss`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return hinge_loss(prediction, target, self.reduction)
