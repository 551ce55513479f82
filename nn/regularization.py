"""Penalties written into the loss: L2 (weight decay), L1 (the lasso) and both (the elastic net).

    regularized_loss(L, params, lam, l1) = L + lam * sum_i w_i^2 + l1 * sum_i |w_i|

Its gradient is grad L + 2 lam w + l1 sign(w) (with sign(0) = 0, the subgradient
PyTorch's abs uses).  L2 shrinks every weight in proportion to its size, so
weights get small but rarely exactly zero; L1 pulls every weight towards 0 by the
same amount whatever its size, so weak weights end at (or, with gradient steps,
hover around) zero: a sparse model.  Both together are the elastic net.

L2 and SGD: plain SGD on L + lam ||w||^2 takes exactly the steps of SGD with
``weight_decay = 2 * lam`` on L (the optimizer adds weight_decay * w to the
gradient: *coupled* L2).  AdamW instead shrinks the weights directly,
w <- w - lr * weight_decay * w, outside the adaptive step (*decoupled* decay); with
Adam the two are no longer the same thing.

Relation to scikit-learn: with L = mean squared error over n samples,
``Ridge(alpha)`` minimises ||y - Xw||^2 + alpha ||w||^2 = n * (L + (alpha / n) ||w||^2), so
lam = alpha / n; ``Lasso(alpha)`` minimises ||y - Xw||^2 / (2n) + alpha ||w||_1 = (L + 2 alpha ||w||_1) / 2,
so l1 = 2 * alpha.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import Value, absolute, sum_of_squares

__all__ = ["l1_penalty", "l2_penalty", "regularized_loss"]


def l2_penalty(params: Iterable[Value]) -> Value:
    """sum over every parameter of sum(w^2); d/dw = 2 w.

    Args:
        params: Values to penalise, e.g. ``model.weights()`` (weight matrices only)
            or ``model.parameters()``.

    Returns:
        A scalar Value (0.0 for no parameters).
    """
    params = list(params)
    return sum_of_squares(*params) if params else Value(0.0, requires_grad=False)  # one graph node


def l1_penalty(params: Iterable[Value]) -> Value:
    """sum over every parameter of sum(|w|); d/dw = sign(w) (0 at w = 0).

    Args:
        params: Values to penalise, e.g. ``model.weights()``.

    Returns:
        A scalar Value (0.0 for no parameters).
    """
    total: Any = None
    for param in params:
        term = absolute(param).sum()
        total = term if total is None else total + term
    return Value(0.0, requires_grad=False) if total is None else total


def _strength(name: str, value: float) -> float:
    value = float(value)
    if not value >= 0.0:
        raise ValueError(f"regularized_loss: {name} must be >= 0, got {value}")
    return value


def regularized_loss(loss: Any, params: Iterable[Value], lam: float, l1: float = 0.0) -> Any:
    """loss + lam * l2_penalty(params) + l1 * l1_penalty(params) (the elastic net when both are set).

    Its gradient is grad loss + 2 lam w + l1 sign(w).

    Args:
        loss: a scalar Value.
        params: the Values to penalise (an iterable, read once).
        lam: the L2 strength, >= 0.
        l1: the L1 strength, >= 0 (0: no L1 term in the graph).

    Raises:
        ValueError: for a negative or NaN ``lam`` or ``l1``.
    """
    lam, l1 = _strength("lam", lam), _strength("l1", l1)
    params = list(params)
    total = loss
    if lam != 0.0 or l1 == 0.0:
        total = total + lam * l2_penalty(params)
    if l1 != 0.0:
        total = total + l1 * l1_penalty(params)
    return total
