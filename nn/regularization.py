"""Weight decay written into the loss: L + lam * sum_i w_i^2.

Its gradient is grad L + 2 lam w, so plain SGD on the regularized loss takes
exactly the steps of SGD with ``weight_decay = 2 * lam`` on L (the optimizer adds
weight_decay * w to the gradient: *coupled* L2).  AdamW instead shrinks the
weights directly, w <- w - lr * weight_decay * w, outside the adaptive step
(*decoupled* decay); with Adam the two are no longer the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import Value, vdot


def l2_penalty(params: Iterable[Value]) -> Value:
    """sum over every parameter of sum(w^2); d/dw = 2 w.

    Args:
        params: Values to penalise, e.g. ``model.weights()`` (weight matrices only)
            or ``model.parameters()``.

    Returns:
        A scalar Value (0.0 for no parameters).
    """
    total: Any = None
    for param in params:
        term = vdot(param, param)  # sum(w^2) as one graph node
        total = term if total is None else total + term
    return Value(0.0, requires_grad=False) if total is None else total


def regularized_loss(loss: Any, params: Iterable[Value], lam: float) -> Any:
    """loss + lam * l2_penalty(params); its gradient is grad loss + 2 lam w.

    Args:
        loss: a scalar Value.
        params: the Values to decay.
        lam: the penalty strength, >= 0.

    Raises:
        ValueError: for a negative ``lam``.
    """
    lam = float(lam)
    if not lam >= 0.0:
        raise ValueError(f"regularized_loss: lam must be >= 0, got {lam}")
    return loss + lam * l2_penalty(params)
