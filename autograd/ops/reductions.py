"""Reductions and their transpose, broadcasting: sum, max, min, logsumexp, broadcast_to.

The VJP of a sum is a broadcast and the VJP of a broadcast is a sum
(``unbroadcast``, which the engine also applies to every gradient whose input was
broadcast), so the two live together. Each function accepts Values, ndarrays and
Python numbers, and the VJPs are written with these same functions, so they run on
ndarrays in the first-order pass and on Values with ``create_graph=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.apply import call
from autograd.arrays import (
    add_reduce,
    all_finite,
    as_array,
    broadcast_axes,
    normalize_axis,
    operand,
    pytorch_spelling,
    raw,
    shape_of,
)
from autograd.ops.elementwise import exp
from autograd.ops.shapes import reshape
from autograd.registry import Primitive, register

# ---------------------------------------------------------------------------
# reductions


def _kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The reduced shape with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _expand_reduced(g: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Broadcast a reduction's gradient back over the reduced axes."""
    shape = shape_of(x)
    if type(g) is float:  # a float64 number: the gradient of a sum over every axis (or of a 1-D one)
        return np.full(shape, g) if shape else g
    if not keepdims:
        g = reshape(g, _kept_shape(shape, axis))
    return broadcast_to(g, shape)


SUM = register(Primitive("sum", lambda x, axis, keepdims: add_reduce(as_array(x), axis, None, None, keepdims), (
    lambda g, ans, x, axis, keepdims: _expand_reduced(g, x, axis, keepdims),  # d sum/dx_i = 1
), exact=lambda m, x, axis, keepdims: m.sum(x, axis, keepdims)))


def _extremum_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """d max/dx_i = 1 at the maximum (shared equally among ties), 0 elsewhere."""
    shape = shape_of(x)
    kept = _kept_shape(shape, axis)
    winners = raw(x) == np.reshape(raw(ans), kept)
    share = (winners / np.sum(winners, axis=axis, keepdims=True)).astype(np.result_type(raw(x)), copy=False)
    return _expand_reduced(g, x, axis, keepdims) * share


MAX = register(Primitive("max", lambda x, axis, keepdims: as_array(x).max(axis=axis, keepdims=keepdims), (
    _extremum_vjp,
), exact=lambda m, x, axis, keepdims: m.max(x, axis, keepdims)))

MIN = register(Primitive("min", lambda x, axis, keepdims: as_array(x).min(axis=axis, keepdims=keepdims), (
    _extremum_vjp,
), exact=lambda m, x, axis, keepdims: m.min(x, axis, keepdims)))


def _shift(x: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    """max(x) along ``axis`` (kept), replaced by 0 where it is not finite: the constant logsumexp subtracts."""
    m = np.maximum.reduce(x, axis, keepdims=True, initial=-np.inf)
    if not all_finite(m):  # (also when the norm of finite maxima overflows: the branch is exact for them too)
        m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype, copy=False)  # all -inf (or inf): leave them to exp/log
    return m


def _logsumexp_forward(x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """log(sum(exp(x))) as m + log(sum(exp(x - m))), m = max(x): exp never overflows. -inf over no elements."""
    x = as_array(x)
    if x.size == 0:  # as PyTorch: the log of an empty sum
        return np.full(add_reduce(x, axis, None, None, keepdims).shape, -np.inf, dtype=x.dtype)
    m = _shift(x, axis)
    out = np.log(add_reduce(np.exp(x - m), axis, keepdims=True))
    out += m
    return out if keepdims else out.squeeze(axis)  # drop the reduced axes (all of them for None)


def _logsumexp_vjp(g: Any, ans: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """d logsumexp/dx_i = softmax(x)_i = e_i / sum_j e_j with e = exp(x - max x).

    Computed from x shifted by its max (a constant), not as exp(x - ans): for large x the
    rounded ans would make the softmax sum to something other than 1.
    """
    if not keepdims:
        g = reshape(g, _kept_shape(shape_of(x), axis))
    e = exp(x - _shift(as_array(raw(x)), axis))
    return g * e / sum(e, axis, True)


LOGSUMEXP = register(Primitive("logsumexp", _logsumexp_forward, (_logsumexp_vjp,),
                               exact=lambda m, x, axis, keepdims: m.log(m.sum(m.exp(x), axis, keepdims))))


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum a gradient over the axes that broadcasting added or stretched, to return it to ``shape``.

    Broadcasting copies an input along new leading axes and along axes of length 1;
    the gradient of a copy is the sum of the copies' gradients.
    """
    gshape = shape_of(g)
    if gshape == shape:
        return g
    axes = broadcast_axes(gshape, shape)
    if axes:
        g = sum(g, axes, True)
    return reshape(g, shape)


BROADCAST_TO = register(Primitive("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), (
    lambda g, ans, x, shape: unbroadcast(g, shape_of(x)),    # sum over the copies
), exact=lambda m, x, shape: np.broadcast_to(x, shape)))


def _reduction(prim: Primitive, x: Any, axis: Any, keepdims: Any) -> Any:
    """Apply a reduction primitive with its axis normalized (nested lists become arrays first)."""
    x = operand(x)
    return call(prim, x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def sum(x: Any, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Any:  # noqa: A001
    """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
    if spelled:  # PyTorch's dim= / keepdim=
        axis, keepdims = pytorch_spelling("sum", axis, keepdims, spelled)
    if type(x) is np.ndarray:  # raw data (a VJP on the first-order path): plain NumPy
        return add_reduce(x, axis, None, None, keepdims)
    return _reduction(SUM, x, axis, keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Any:  # noqa: A001
    """Largest element over ``axis``."""
    if spelled:  # PyTorch's dim= / keepdim=
        axis, keepdims = pytorch_spelling("max", axis, keepdims, spelled)
    return _reduction(MAX, x, axis, keepdims)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Any:
    """log(sum(exp(x))) over ``axis``, computed stably (the max is subtracted first); d/dx = softmax(x)."""
    if spelled:  # PyTorch's dim= / keepdim=
        axis, keepdims = pytorch_spelling("logsumexp", axis, keepdims, spelled)
    return _reduction(LOGSUMEXP, x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Any:  # noqa: A001
    """Smallest element over ``axis``."""
    if spelled:  # PyTorch's dim= / keepdim=
        axis, keepdims = pytorch_spelling("min", axis, keepdims, spelled)
    return _reduction(MIN, x, axis, keepdims)


def broadcast_to(x: Any, shape: Any) -> Any:
    """Repeat x along new or length-1 axes to ``shape`` (NumPy's rules)."""
    if type(x) is np.ndarray:  # raw data: a new array (NumPy's broadcast_to view costs more to make)
        out = np.empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    if type(x) is float:  # a float64 scalar gradient (the VJP of a sum of everything)
        return np.full(shape, x) if len(shape) else x
    return call(BROADCAST_TO, x, shape=tuple(int(n) for n in shape))
