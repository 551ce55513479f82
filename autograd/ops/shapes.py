"""The primitives that move elements without combining them: reshape, transpose, indexing, joining.

Indexing is getitem, whose VJP is scatter_add (and the other way round);
concatenate joins arrays along an axis, and its VJP slices the gradient back.
The coming pad and sliding-window primitives belong here too. As everywhere in
:mod:`autograd.ops`, each function accepts Values, ndarrays and Python numbers,
and the VJPs are written with these same functions.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from autograd.apply import call
from autograd.arrays import as_array, normalize_axis, raw, shape_of
from autograd.registry import PerInput, Primitive, register

# ---------------------------------------------------------------------------
# shape and indexing


def _reshape_forward(x: Any, shape: tuple[int, ...]) -> Any:
    return as_array(x).reshape(shape)


RESHAPE = register(Primitive("reshape", _reshape_forward, (
    lambda g, ans, x, shape: reshape(g, shape_of(x)),        # undo the reshape
), exact=lambda m, x, shape: x.reshape(shape)))


def _inverse_axes(axes: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The permutation that undoes ``axes`` (None, a full reversal, is its own inverse)."""
    if axes is None:
        return None
    inverse = [0] * len(axes)
    for position, axis in enumerate(axes):
        inverse[axis] = position
    return tuple(inverse)


TRANSPOSE = register(Primitive("transpose", lambda x, axes: as_array(x).transpose(axes), (
    lambda g, ans, x, axes: transpose(g, _inverse_axes(axes)),  # undo the permutation
), exact=lambda m, x, axes: x.transpose(axes)))


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
), exact=lambda m, x, index: x[index]))

SCATTER_ADD = register(Primitive("scatter_add", _scatter_add_forward, (
    lambda g, ans, x, shape, index: getitem(g, index),       # linear in x: its VJP picks
), exact=lambda m, g, shape, index: m.scatter_add(g, shape, index)))


def _concatenate_vjp(i: int, g: Any, ans: Any, *xs: Any, axis: int) -> Any:
    """The slice of g that input i filled."""
    sizes = [shape_of(x)[axis] for x in xs]
    start = builtins.sum(sizes[:i])
    index = (slice(None),) * axis + (slice(start, start + sizes[i]),)
    return getitem(g, index)


CONCATENATE = register(Primitive(
    "concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis), PerInput(_concatenate_vjp),
    exact=lambda m, *xs, axis: np.concatenate(xs, axis=axis),
))


# ---------------------------------------------------------------------------
# the functions users and VJPs call


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
    return call(TRANSPOSE, x, axes=None if axes is None else normalize_axis(tuple(axes), len(shape_of(x))))


def _normalize_index(index: Any) -> tuple[Any, ...]:
    index = index if isinstance(index, tuple) else (index,)
    out: list[Any] = []
    for item in index:
        item = raw(item)
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
    (axis,) = normalize_axis(axis, ndim) or (0,)
    return call(CONCATENATE, *values, axis=axis)
