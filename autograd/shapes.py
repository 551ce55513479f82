"""The primitives that change shapes: reductions, reshaping, broadcasting, indexing, joining.

Reductions are sum, max, min and logsumexp over any axes; the shape primitives are
reshape, transpose and broadcast_to, with ``unbroadcast`` (the sum that undoes a
broadcast, which the engine applies to every gradient); indexing is getitem, whose
VJP is scatter_add; concatenate joins arrays along an axis.

As in :mod:`autograd.ops`, each function accepts Values, ndarrays and Python numbers,
and the VJPs are written with these same functions, so they run on ndarrays in the
first-order pass and on Values with ``create_graph=True``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ops  # the module (names looked up at call time: ops imports this module at its end)
from autograd.primitive import PerInput, Primitive, call, register, shape_of

# ndarray.sum goes through a Python-level wrapper in NumPy; the ufunc's reduce does not.
_add_reduce: Callable[..., Any] = np.add.reduce


def _operand(x: Any) -> Any:
    """Nested lists and tuples as arrays (reductions need the operand's shape first)."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


# ---------------------------------------------------------------------------
# reductions


def _normalize_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for an array of {ndim} dimension(s)")
        out.append(int(a) % ndim)
    return tuple(out)


def _kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The reduced shape with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _expand_reduced(g: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Broadcast a reduction's gradient back over the reduced axes."""
    shape = shape_of(x)
    if not keepdims:
        g = reshape(g, _kept_shape(shape, axis))
    return broadcast_to(g, shape)


def _as_array(x: Any) -> np.ndarray:
    """An ndarray view of x (forwards call ndarray methods, which skip NumPy's Python-level wrappers)."""
    return x if type(x) is np.ndarray else np.asarray(x)


SUM = register(Primitive("sum", lambda x, axis, keepdims: _add_reduce(_as_array(x), axis, None, None, keepdims), (
    lambda g, ans, x, axis, keepdims: _expand_reduced(g, x, axis, keepdims),  # d sum/dx_i = 1
)))


def _extremum_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """d max/dx_i = 1 at the maximum (shared equally among ties), 0 elsewhere."""
    shape = shape_of(x)
    kept = _kept_shape(shape, axis)
    winners = ops._raw(x) == np.reshape(ops._raw(ans), kept)
    share = (winners / np.sum(winners, axis=axis, keepdims=True)).astype(np.result_type(ops._raw(x)), copy=False)
    return _expand_reduced(g, x, axis, keepdims) * share


MAX = register(Primitive("max", lambda x, axis, keepdims: _as_array(x).max(axis=axis, keepdims=keepdims), (
    _extremum_vjp,
)))

MIN = register(Primitive("min", lambda x, axis, keepdims: _as_array(x).min(axis=axis, keepdims=keepdims), (
    _extremum_vjp,
)))


def _logsumexp_forward(x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """log(sum(exp(x))) as m + log(sum(exp(x - m))), m = max(x): exp never overflows."""
    x = _as_array(x)
    m = np.maximum.reduce(x, axis, keepdims=True)
    if not ops._all_finite(m):  # (also when the norm of finite maxima overflows: the branch is exact for them too)
        m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype, copy=False)  # all -inf (or inf): leave them to exp/log
    out = np.log(_add_reduce(np.exp(x - m), axis, keepdims=True))
    out += m
    return out if keepdims else out.squeeze(axis)  # drop the reduced axes (all of them for None)


def _logsumexp_vjp(g: Any, ans: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """d logsumexp/dx_i = exp(x_i - logsumexp(x)), the softmax of x along ``axis``."""
    if not keepdims:
        kept = _kept_shape(shape_of(x), axis)
        g, ans = reshape(g, kept), reshape(ans, kept)
    return g * ops.exp(x - ans)


LOGSUMEXP = register(Primitive("logsumexp", _logsumexp_forward, (_logsumexp_vjp,)))

# ---------------------------------------------------------------------------
# shape and indexing


def _reshape_forward(x: Any, shape: tuple[int, ...]) -> Any:
    return _as_array(x).reshape(shape)


RESHAPE = register(Primitive("reshape", _reshape_forward, (
    lambda g, ans, x, shape: reshape(g, shape_of(x)),        # undo the reshape
)))


def _inverse_axes(axes: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The permutation that undoes ``axes`` (None, a full reversal, is its own inverse)."""
    if axes is None:
        return None
    inverse = [0] * len(axes)
    for position, axis in enumerate(axes):
        inverse[axis] = position
    return tuple(inverse)


TRANSPOSE = register(Primitive("transpose", lambda x, axes: _as_array(x).transpose(axes), (
    lambda g, ans, x, axes: transpose(g, _inverse_axes(axes)),  # undo the permutation
)))


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum a gradient over the axes that broadcasting added or stretched, to return it to ``shape``.

    Broadcasting copies an input along new leading axes and along axes of length 1;
    the gradient of a copy is the sum of the copies' gradients.
    """
    gshape = shape_of(g)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
    )
    if axes:
        g = sum(g, axes, True)
    return reshape(g, shape)


BROADCAST_TO = register(Primitive("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), (
    lambda g, ans, x, shape: unbroadcast(g, shape_of(x)),    # sum over the copies
)))


def _is_basic(index: tuple[Any, ...]) -> bool:
    return builtins.all(
        isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in index
    )


def _scatter_add_forward(g: Any, shape: tuple[int, ...], index: tuple[Any, ...]) -> Any:
    out = np.zeros(shape, dtype=g.dtype if type(g) is np.ndarray else np.result_type(g))
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)  # repeated integer indices accumulate
    return out


GETITEM = register(Primitive("getitem", lambda x, index: x[index], (
    lambda g, ans, x, index: scatter_add(g, shape_of(x), index),  # route g back to the picked places
)))

SCATTER_ADD = register(Primitive("scatter_add", _scatter_add_forward, (
    lambda g, ans, x, shape, index: getitem(g, index),       # linear in x: its VJP picks
)))


def _concatenate_vjp(i: int, g: Any, ans: Any, *xs: Any, axis: int) -> Any:
    """The slice of g that input i filled."""
    sizes = [shape_of(x)[axis] for x in xs]
    start = builtins.sum(sizes[:i])
    index = (slice(None),) * axis + (slice(start, start + sizes[i]),)
    return getitem(g, index)


CONCATENATE = register(Primitive(
    "concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis), PerInput(_concatenate_vjp)
))

# ---------------------------------------------------------------------------
# the functions users and VJPs call


def _reduction(prim: Primitive, x: Any, axis: Any, keepdims: Any) -> Any:
    """Apply a reduction primitive with its axis normalized (nested lists become arrays first)."""
    x = _operand(x)
    return call(prim, x, axis=_normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
    if type(x) is np.ndarray:  # raw data (a VJP on the first-order path): plain NumPy
        return _add_reduce(x, axis, None, None, keepdims)
    return _reduction(SUM, x, axis, keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Largest element over ``axis``."""
    return _reduction(MAX, x, axis, keepdims)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """log(sum(exp(x))) over ``axis``, computed stably (the max is subtracted first); d/dx = softmax(x)."""
    return _reduction(LOGSUMEXP, x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Smallest element over ``axis``."""
    return _reduction(MIN, x, axis, keepdims)


def reshape(x: Any, shape: Any) -> Any:
    """The same elements in a new shape."""
    if type(x) is np.ndarray:
        return x.reshape(shape)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
    return call(RESHAPE, x, shape=shape)


def transpose(x: Any, axes: Any = None) -> Any:
    """Permute axes (reverse them when ``axes`` is None)."""
    if type(x) is np.ndarray:
        return x.transpose(axes)
    return call(TRANSPOSE, x, axes=None if axes is None else _normalize_axis(tuple(axes), len(shape_of(x))))


def broadcast_to(x: Any, shape: Any) -> Any:
    """Repeat x along new or length-1 axes to ``shape`` (NumPy's rules)."""
    if type(x) is np.ndarray:  # raw data: a new array (NumPy's broadcast_to view costs more to make)
        out = np.empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    if type(x) is float:  # a float64 scalar gradient (the VJP of a sum of everything)
        return np.full(shape, x) if len(shape) else x
    return call(BROADCAST_TO, x, shape=tuple(int(n) for n in shape))


def _normalize_index(index: Any) -> tuple[Any, ...]:
    index = index if isinstance(index, tuple) else (index,)
    out: list[Any] = []
    for item in index:
        item = ops._raw(item)
        if isinstance(item, list):
            item = np.asarray(item)
        if isinstance(item, np.ndarray) and item.dtype == bool:
            out.extend(np.nonzero(item))  # a mask picks the positions where it is True
        else:
            out.append(item)
    return tuple(out)


def getitem(x: Any, index: Any) -> Any:
    """x[index]: ints, slices, None, ..., integer arrays (repeats accumulate) and boolean masks."""
    return call(GETITEM, x, index=_normalize_index(index))


def scatter_add(g: Any, shape: tuple[int, ...], index: Any) -> Any:
    """zeros(shape) with g added at ``index`` (the VJP of indexing)."""
    if type(g) is np.ndarray:  # raw data: plain NumPy
        return _scatter_add_forward(g, tuple(shape), _normalize_index(index))
    return call(SCATTER_ADD, g, shape=tuple(shape), index=_normalize_index(index))


def concatenate(values: Any, axis: int = 0) -> Any:
    """Join arrays along an existing axis."""
    values = list(values)
    if not values:
        raise ValueError("concatenate needs at least one array")
    ndim = len(shape_of(values[0]))
    if ndim == 0:
        raise ValueError("concatenate: zero-dimensional values cannot be concatenated")
    (axis,) = _normalize_axis(axis, ndim) or (0,)
    return call(CONCATENATE, *values, axis=axis)
