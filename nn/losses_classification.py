"""Classification losses with PyTorch's options, each a function and a Module, composed from primitives.

``cross_entropy(logits, t, reduction, weight=None, ignore_index=-100, label_smoothing=0.0)``,
``nll_loss(log_probs, t, reduction, weight=None, ignore_index=-100)``, ``binary_cross_entropy(p, t,
reduction, weight=None)`` and ``binary_cross_entropy_with_logits(z, t, reduction, weight=None,
pos_weight=None)`` give PyTorch's values and gradients: a class weight w[t] scales each sample's loss
and 'mean' divides by the sum of the weights of the targets that count; a target equal to
``ignore_index`` adds nothing (every target ignored: 'mean' is NaN, as PyTorch); label smoothing
mixes in the cross entropy against the uniform distribution, (1 - eps) nll + eps / C sum_c -w_c log p_c.
Without options each is the plain formula (the hot path of a training loop is unchanged).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value, exp, log, log1p, logsumexp, where
from autograd.program import derived
from nn.losses import _as_array, _check_reduction, _Loss, _prepare, _reduce

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
]


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


def binary_cross_entropy(prediction: Any, target: Any, reduction: str = "mean", weight: Any = None) -> Any:
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
    losses = -(target * _clamped_log(prediction) + (1.0 - target) * _clamped_log(1.0 - prediction))
    return _reduce(losses if weight is None else losses * weight, reduction)  # weight: rescales each element


def binary_cross_entropy_with_logits(prediction: Any, target: Any, reduction: str = "mean", weight: Any = None,
                                     pos_weight: Any = None) -> Any:
    """BCE of sigmoid(z) from the logit z: max(z, 0) - z t + log(1 + e^-|z|); d/dz = sigmoid(z) - t.

    Never forms sigmoid(z) or exp of a positive number, so it is exact for |z| up to 1000.
    ``pos_weight`` (one per class, the last axis) scales the positive term, as PyTorch:
    (1 - t) z + (1 + (pos_weight - 1) t) (log(1 + e^-|z|) + max(-z, 0)); ``weight`` scales each element.
    """
    target = _prepare("binary_cross_entropy_with_logits", prediction, target, reduction)
    z = _as_array(prediction)
    negative_abs = where(z >= 0, -prediction, prediction)
    if pos_weight is None:
        losses = where(z >= 0, prediction, 0.0) - prediction * target + log1p(exp(negative_abs))
    else:
        softplus_of_minus_z = log1p(exp(negative_abs)) + where(z >= 0, 0.0, -prediction)  # log(1 + e^-z)
        losses = (1.0 - target) * prediction + (1.0 + (pos_weight - 1.0) * target) * softplus_of_minus_z
    return _reduce(losses if weight is None else losses * weight, reduction)


# ---------------------------------------------------------------------------
# multi-class classification


def _class_targets(name: str, prediction: Any, target: Any, ignore_index: int = -100) -> np.ndarray:
    """Check integer class targets against (N, C) or (C,) scores and return them as an int array.

    Targets equal to ``ignore_index`` need not be valid classes."""
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
    counted = labels[labels != ignore_index]
    if counted.size and (np.minimum.reduce(counted, None) < 0 or np.maximum.reduce(counted, None) >= classes):
        bad = counted[(counted < 0) | (counted >= classes)].ravel()[0]
        raise ValueError(f"{name}: target class {bad} is out of range for {classes} classes")
    return labels.astype(np.intp)  # a copy: the graph must not see later changes to the caller's array


def nll_loss(prediction: Any, target: Any, reduction: str = "mean", weight: Any = None,
             ignore_index: int = -100) -> Any:
    """-w[t_n] log_p[n, t_n] picked from log-probabilities log_p; d/dlog_p = -w[t] onehot(t).

    Args:
        prediction: log-probabilities, shape (N, C) (or (C,) for one sample).
        target: integer class indices in [0, C), shape (N,) (or 0-d); ``ignore_index`` entries add nothing.
        reduction: 'mean' (over N, weighted by w[t_n]: sum / sum of those weights), 'sum' or 'none'.
        weight: one rescaling weight per class, shape (C,), or None (all 1).

    Raises:
        TypeError: for non-integer targets. ValueError: for out-of-range classes or mismatched shapes.
    """
    _check_reduction("nll_loss", reduction)
    labels = _class_targets("nll_loss", prediction, target, ignore_index)
    if weight is None and not np.any(labels == ignore_index):
        return _reduce(-_picked(prediction, labels), reduction)
    losses, weights = _weighted_picks(prediction, labels, weight, ignore_index)
    return _weighted_reduce(-losses, weights, reduction, labels.shape)


def _weighted_picks(log_p: Any, labels: np.ndarray, weight: Any, ignore_index: int) -> tuple[Any, np.ndarray]:
    """(w[t_n] log_p[n, t_n] with 0 where ignored, and the weights w[t_n] (0 where ignored)), rows of (N, C)."""
    if labels.ndim == 0:
        log_p, labels = log_p.reshape(1, -1) if isinstance(log_p, Value) else np.reshape(log_p, (1, -1)), labels[None]
    classes = _as_array(log_p).shape[-1]
    counted = labels != ignore_index
    safe = np.where(counted, labels, 0)
    per_class = np.ones(classes) if weight is None else _as_array(weight).astype(np.float64)
    if per_class.shape != (classes,):
        raise ValueError(f"weight must hold one number per class, shape ({classes},), got {per_class.shape}")
    weights = np.where(counted, per_class[safe], 0.0).astype(_as_array(log_p).dtype)
    return _picked(log_p, safe) * weights, weights


def _weighted_reduce(losses: Any, weights: np.ndarray, reduction: str, shape: tuple[int, ...]) -> Any:
    """'mean' divides by the sum of the counted weights (NaN when nothing counts, as PyTorch)."""
    if reduction == "none":
        return losses.reshape(shape)
    if reduction == "sum":
        return losses.sum()
    total = float(weights.sum())
    return losses.sum() / total if total else losses.sum() * np.nan


def _picked(prediction: Any, labels: np.ndarray) -> Any:
    """prediction[n, labels[n]] for each n (prediction[labels] for one sample), targets already checked."""
    if not isinstance(prediction, Value):
        prediction = np.asarray(prediction)  # nested lists too
    if labels.ndim == 0:
        return prediction[int(labels)]
    return prediction[np.arange(labels.shape[0]), labels]


def cross_entropy(prediction: Any, target: Any, reduction: str = "mean", weight: Any = None,
                  ignore_index: int = -100, label_smoothing: float = 0.0) -> Any:
    """nll_loss(log_softmax(z), t) = logsumexp(z_n) - z_n[t_n]; d/dz = softmax(z) - onehot(t).

    Args:
        prediction: logits z, shape (N, C) (or (C,) for one sample); any real numbers.
        target: integer class indices in [0, C), shape (N,) (or 0-d); ``ignore_index`` entries add nothing.
        reduction: 'mean' (over N; weighted as nll_loss), 'sum' or 'none'.
        weight: one rescaling weight per class (C,), or None.
        label_smoothing: eps in [0, 1]: (1 - eps) nll + eps / C * sum_c -w_c log softmax(z)_c (as PyTorch).

    Raises:
        TypeError: for non-integer targets. ValueError: for out-of-range classes, mismatched shapes or
        label_smoothing outside [0, 1].
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    labels = _class_targets("cross_entropy", prediction, target, ignore_index)
    # -log_softmax(z)[t] written as logsumexp(z') - z'[t] with z' = z - max(z) (a constant shift, so the
    # same derivative): both terms are then small, and their difference does not cancel the answer away
    # for large logits (float32 [1e6, 1e6, 1e6 - 1] would lose 0.013 of a 0.862 loss).
    shifted = prediction - derived("finite_max", prediction, axis=-1)  # (as log_softmax shifts)
    if weight is None and not label_smoothing and not np.any(labels == ignore_index):
        return _reduce(logsumexp(shifted, axis=-1) - _picked(shifted, labels), reduction)
    log_p = shifted - logsumexp(shifted, axis=-1, keepdims=True)
    picked, weights = _weighted_picks(log_p, labels, weight, ignore_index)
    loss = _weighted_reduce(-picked, weights, reduction, labels.shape)
    if not label_smoothing:
        return loss
    classes = _as_array(prediction).shape[-1]
    per_class = 1.0 if weight is None else _as_array(weight).astype(_as_array(log_p).dtype)
    counted = (np.atleast_1d(labels) != ignore_index).astype(_as_array(log_p).dtype)
    rows = log_p.reshape(-1, classes) if isinstance(log_p, Value) else np.reshape(log_p, (-1, classes))
    smooth = -(rows * per_class).sum(axis=-1) * counted
    smooth_weights = weights if weight is not None else counted
    smooth_loss = _weighted_reduce(smooth, smooth_weights, reduction, labels.shape)
    return (1.0 - label_smoothing) * loss + (label_smoothing / classes) * smooth_loss


# ---------------------------------------------------------------------------
# Modules


class BCELoss(_Loss):
    """Module form of :func:`binary_cross_entropy` (``weight``: per-element rescaling, broadcast)."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def forward(self, prediction: Any, target: Any) -> Any:
        return binary_cross_entropy(prediction, target, self.reduction, self.weight)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`."""

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, prediction: Any, target: Any) -> Any:
        return binary_cross_entropy_with_logits(prediction, target, self.reduction, self.weight, self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy` (PyTorch's arguments, in PyTorch's order)."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.weight, self.ignore_index, self.label_smoothing = weight, int(ignore_index), float(label_smoothing)

    def forward(self, prediction: Any, target: Any) -> Any:
        return cross_entropy(prediction, target, self.reduction, self.weight, self.ignore_index,
                             self.label_smoothing)


class NLLLoss(_Loss):
    """Module form of :func:`nll_loss` (PyTorch's arguments, in PyTorch's order)."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, int(ignore_index)

    def forward(self, prediction: Any, target: Any) -> Any:
        return nll_loss(prediction, target, self.reduction, self.weight, self.ignore_index)
