"""Gradient clipping and flat parameter vectors, as ``torch.nn.utils``.

``clip_grad_norm_`` rescales all gradients together so that their joint norm
(the norm of the vector of every gradient entry) is at most ``max_norm``; the
direction of the step is kept, only its length shrinks.  ``clip_grad_value_``
clamps each entry separately (which can change the direction).  Both change the
gradients in place and skip parameters whose ``grad`` is None, as PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _parameters(parameters: Value | Iterable[Value], name: str) -> list[Value]:
    params = [parameters] if isinstance(parameters, Value) else list(parameters)
    for param in params:
        if not isinstance(param, Value):
            raise TypeError(f"{name}: expected Values (parameters), got {type(param).__name__}")
    return params


def _grad_array(param: Value) -> np.ndarray:
    """The parameter's gradient as an ndarray (a Value gradient from create_graph gives its data)."""
    grad = param.grad.data if isinstance(param.grad, Value) else param.grad
    return np.asarray(grad)


def _set_grad(param: Value, array: np.ndarray) -> None:
    """Store a changed gradient: in place when the gradient is an array, else as a new float or array."""
    grad = param.grad
    target = grad.data if isinstance(grad, Value) else grad
    if type(target) is np.ndarray and target.flags.writeable:
        target[...] = array
    elif isinstance(grad, Value):
        grad.data = float(array) if np.ndim(array) == 0 and isinstance(grad.data, float) else array
    else:
        param.grad = float(array) if np.ndim(array) == 0 and isinstance(grad, float) else array


def clip_grad_norm_(parameters: Value | Iterable[Value], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), where total_norm is the p-norm of all
    gradient entries together (``norm_type`` p > 0, or ``inf`` for the largest |entry|).

    Args:
        parameters: a Value or an iterable of Values; those whose ``grad`` is None are skipped.
        max_norm: the largest norm allowed (> 0).
        norm_type: p of the p-norm (> 0), or ``float('inf')``.
        error_if_nonfinite: raise RuntimeError when the total norm is NaN or infinite
            (otherwise the gradients are scaled by a NaN factor, as PyTorch does).

    Returns:
        The total norm of the gradients before clipping, as a float.
    """
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not max_norm > 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be > 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 or inf, got {norm_type}")
    params = [p for p in _parameters(parameters, "clip_grad_norm_") if p.grad is not None]
    if not params:
        return 0.0
    grads = [_grad_array(p) for p in params]
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        norms = np.array([np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in grads])
        total = float(np.sum(norms) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
                           "pass error_if_nonfinite=False to scale by it anyway")
    if math.isfinite(total):
        scale = min(max_norm / (total + 1e-6), 1.0)
        for param, grad in zip(params, grads, strict=True):
            _set_grad(param, (grad * scale).astype(grad.dtype, copy=False))
    else:  # as PyTorch: scaled by max_norm / inf = 0 (an infinite entry becomes 0 * inf = NaN) or by NaN
        for param, grad in zip(params, grads, strict=True):
            finite = np.isfinite(grad)
            scaled = np.where(finite, 0.0 * np.where(finite, grad, 0.0), math.nan) if math.isinf(total) \
                else np.full_like(grad, math.nan)
            _set_grad(param, scaled.astype(grad.dtype, copy=False))
    return total


def clip_grad_value_(parameters: Value | Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient entry to [-clip_value, clip_value] in place (parameters without grad are skipped).

    Args:
        parameters: a Value or an iterable of Values.
        clip_value: the largest |entry| allowed (>= 0).
    """
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for param in _parameters(parameters, "clip_grad_value_"):
        if param.grad is not None:
            grad = _grad_array(param)
            _set_grad(param, np.clip(grad, -clip_value, clip_value).astype(grad.dtype, copy=False))


def parameters_to_vector(parameters: Value | Iterable[Value]) -> np.ndarray:
    """Every parameter's data flattened (C order) and concatenated into one 1-D ndarray (a copy)."""
    params = _parameters(parameters, "parameters_to_vector")
    if not params:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(p.data, dtype=p.dtype)) for p in params])


def vector_to_parameters(vec: Any, parameters: Value | Iterable[Value]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters' data (the inverse of
    :func:`parameters_to_vector`); array parameters are written in place.

    Raises:
        ValueError: when ``vec`` is not 1-D or its length is not the total size of the parameters.
    """
    vec = np.asarray(vec.data if isinstance(vec, Value) else vec)
    params = _parameters(parameters, "vector_to_parameters")
    total = sum(p.size for p in params)
    if vec.ndim != 1 or vec.size != total:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of length {total} (the parameters' total "
                         f"size), got shape {vec.shape}")
    start = 0
    for param in params:
        piece = vec[start:start + param.size].reshape(param.shape).astype(param.dtype)
        start += param.size
        data = param.data
        if type(data) is np.ndarray and data.flags.writeable:
            data[...] = piece
        else:
            param.data = float(piece) if piece.ndim == 0 and piece.dtype == np.float64 else piece
