"""Convenience ops composed from primitives (they define no derivative of their own).

Like the primitives, each accepts Values, ndarrays and numbers; the stable
formulations (``exp(-|x|)`` in sigmoid) are what
keep them finite at |x| = 1000.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.arrays import normalize_axis, operand, pytorch_spelling, shape_of
from autograd.ops.elementwise import divide, exp, where
from autograd.ops.reductions import sum  # noqa: A004
from autograd.ops.shapes import concatenate, reshape
from autograd.program import derived


def _count(shape: tuple[int, ...], axis: Any) -> int:
    axes = normalize_axis(axis, len(shape))
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes)


def mean(x: Any, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Any:
    """Average over ``axis``: sum(x) / n, so d mean/dx_i = 1/n."""
    if spelled:  # PyTorch's dim= / keepdim=
        axis, keepdims = pytorch_spelling("mean", axis, keepdims, spelled)
    x = operand(x)
    return divide(sum(x, axis, keepdims), float(_count(shape_of(x), axis)))


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0, **spelled: Any) -> Any:
    """Variance sum((x - mean)^2) / (n - ddof); ddof=0 as NumPy (PyTorch's default is 1; dim= and keepdim= work)."""
    if spelled:
        axis, keepdims = pytorch_spelling("var", axis, keepdims, spelled)
    x = operand(x)
    centered = x - mean(x, axis, keepdims=True)
    n = _count(shape_of(x), axis) - ddof
    return divide(sum(centered * centered, axis, keepdims), float(n))


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), from e = exp(-|x|) so nothing overflows; d/dx = s (1 - s)."""
    x = operand(x)
    positive = derived("greater_equal", x)
    e = exp(where(positive, -x, x))  # -|x|, with the slope of the branch taken at 0
    r = 1.0 / (1.0 + e)
    return where(positive, r, e * r)


def clip(x: Any, lo: Any = None, hi: Any = None) -> Any:
    """x limited to [lo, hi]; derivative 1 inside, 0 where clipped. With lo > hi every element is hi (np.clip)."""
    if lo is not None:
        x = where(derived("less", x, other=lo), lo, x)
    if hi is not None:
        x = where(derived("greater", x, other=hi), hi, x)  # after the lower clip, as np.clip: min(max(x, lo), hi)
    return x


def squeeze(x: Any, axis: Any = None, **spelled: Any) -> Any:
    """Drop axes of length 1 (all of them, or those in ``axis``, also spelled ``dim``)."""
    if spelled:
        axis, _ = pytorch_spelling("squeeze", axis, False, spelled)
    return reshape(x, np.squeeze(np.empty(shape_of(x), dtype=np.bool_), axis).shape)


def unsqueeze(x: Any, axis: Any = None, **spelled: Any) -> Any:
    """Insert an axis of length 1 at position ``axis`` (also spelled ``dim``)."""
    if spelled:
        axis, _ = pytorch_spelling("unsqueeze", axis, False, spelled)
    if axis is None:
        raise TypeError("unsqueeze: needs the position of the new axis (axis= or dim=)")
    return reshape(x, np.expand_dims(np.empty(shape_of(x), dtype=np.bool_), axis).shape)


def stack(values: Any, axis: Any = None, **spelled: Any) -> Any:
    """Join arrays of one shape along a new axis (``axis``, also spelled ``dim``; 0 by default)."""
    if spelled:
        axis, _ = pytorch_spelling("stack", axis, False, spelled)
    axis = 0 if axis is None else axis
    values = list(values)
    shapes = {shape_of(v) for v in values}
    if len(shapes) > 1:
        raise ValueError(f"stack: all inputs must have the same shape, got {sorted(shapes)}")
    return concatenate([unsqueeze(v, axis) for v in values], axis)
