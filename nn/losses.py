"""Regression and embedding losses, each a function and a Module (PyTorch's names and options), from primitives.

The classification losses (cross entropy, NLL, binary cross entropy) are in ``nn/losses_classification.py``.

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

from autograd import Value, exp, log, relu, sqrt, where
from nn.module import Module

__all__ = [
    "CosineEmbeddingLoss", "HingeLoss", "HuberLoss", "KLDivLoss", "L1Loss", "MSELoss", "SmoothL1Loss",
    "cosine_embedding_loss", "hinge_loss", "huber_loss", "kl_div", "l1_loss", "mse_loss", "smooth_l1_loss",
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


def smooth_l1_loss(prediction: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Any:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (PyTorch's SmoothL1Loss: huber_loss / beta; L1 at 0)."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0:
        return l1_loss(prediction, target, reduction)
    return huber_loss(prediction, target, reduction, delta=beta) / beta


def kl_div(prediction: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> Any:
    """KL(target || q) per element from log-probabilities ``prediction`` = log q: t (log t - log q), 0 where t = 0.

    With ``log_target`` the target is given as log t: exp(log t) (log t - log q). ``reduction`` as
    PyTorch: 'mean' averages over every element, 'batchmean' divides the sum by the batch size (the
    true KL divergence per sample), 'sum', 'none'. d/dlog q = -t.
    """
    if reduction not in (*_REDUCTIONS, "batchmean"):
        raise ValueError(f"kl_div: reduction must be one of {(*_REDUCTIONS, 'batchmean')}, got {reduction!r}")
    target = _prepare("kl_div", prediction, target, "sum")
    if log_target:
        losses = exp(target) * (target - prediction)
    else:
        t = _as_array(target)
        log_t = log(where(t > 0, target, 1.0))  # t log t = 0 at t = 0 (xlogy), without log(0)
        losses = where(t > 0, target * (log_t - prediction), 0.0 * prediction)
    if reduction == "batchmean":
        shape = _as_array(prediction).shape
        return losses.sum() / float(shape[0] if shape else 1)
    return _reduce(losses, reduction)


def cosine_embedding_loss(x1: Any, x2: Any, target: Any, margin: float = 0.0, reduction: str = "mean") -> Any:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1 (rows of (N, D) or one (D,)).

    cos = sum(x1 x2) / sqrt((sum x1^2 + 1e-12)(sum x2^2 + 1e-12)), as PyTorch computes it.
    """
    _check_reduction("cosine_embedding_loss", reduction)
    a, b, labels = _as_array(x1), _as_array(x2), _as_array(target)
    if a.shape != b.shape or a.ndim not in (1, 2) or labels.shape != a.shape[:-1]:
        raise ValueError(f"cosine_embedding_loss: inputs {a.shape} and {b.shape} with target {labels.shape} do not "
                         "fit; expected (N, D), (N, D) and (N,), or (D,), (D,) and a 0-d target")
    if not np.isin(labels, (-1, 1)).all():
        raise ValueError("cosine_embedding_loss: targets must be 1 or -1")
    cos = (x1 * x2).sum(axis=-1) / sqrt(((x1 * x1).sum(axis=-1) + 1e-12) * ((x2 * x2).sum(axis=-1) + 1e-12))
    losses = where(labels == 1, 1.0 - cos, 0.0) + where(labels == -1, relu(cos - margin), 0.0)
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


class HingeLoss(_Loss):
    """Module form of :func:`hinge_loss`."""

    def forward(self, prediction: Any, target: Any) -> Any:
        return hinge_loss(prediction, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Module form of :func:`smooth_l1_loss`."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be non-negative, got {beta}")
        self.beta = float(beta)

    def forward(self, prediction: Any, target: Any) -> Any:
        return smooth_l1_loss(prediction, target, self.reduction, self.beta)


class KLDivLoss(Module):
    """Module form of :func:`kl_div` (``reduction`` also 'batchmean')."""

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__()
        self.reduction, self.log_target = reduction, bool(log_target)

    def forward(self, prediction: Any, target: Any) -> Any:
        return kl_div(prediction, target, self.reduction, self.log_target)


class CosineEmbeddingLoss(_Loss):
    """Module form of :func:`cosine_embedding_loss`."""

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = float(margin)

    def forward(self, x1: Any, x2: Any, target: Any) -> Any:
        return cosine_embedding_loss(x1, x2, target, self.margin, self.reduction)
