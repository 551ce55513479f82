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
from autograd.arrays import as_array, normalize_axis, operand, raw, shape_of
from autograd.registry import PerInput, Primitive, register

# ---------------------------------------------------------------------------
# shape and indexing


def _reshape_forward(x: Any, shape: tuple[int, ...]) -> Any:
    return as_array(x).reshape(shape)


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


TRANSPOSE = register(Primitive("transpose", lambda x, axes: as_array(x).transpose(axes), (
    lambda g, ans, x, axes: transpose(g, _inverse_axes(axes)),  # undo the permutation
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


GETITEM = register(Primitive("getitem", lambda x, index: as_array(x)[index], (
    lambda g, ans, x, index: scatter_add(g, shape_of(x), index),  # route g back to the picked places
)))

SCATTER_ADD = register(Primitive("scatter_add", _scatter_add_forward, (
    lambda g, ans, x, shape, index: getitem(g, index),       # linear in x: its VJP picks
)))


def _concatenate_vjp(i: int, g: Any, ans: Any, xs: tuple[Any, ...], axis: int, offsets: tuple[int, ...]) -> Any:
    """The slice of g that input i filled (``offsets``: where each input starts along ``axis``, and the end)."""
    return getitem(g, (slice(None),) * axis + (slice(offsets[i], offsets[i + 1]),))


CONCATENATE = register(Primitive(
    "concatenate", lambda *xs, axis, offsets: np.concatenate(xs, axis=axis), PerInput(_concatenate_vjp)
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


def _normalize_index(index: Any, shape: tuple[int, ...] | None = None) -> tuple[Any, ...]:
    """The index as a tuple, with lists as arrays and boolean masks as the integer arrays of their True places.

    With ``shape`` (the indexed array's), each mask must have the shape of the axes it covers, as in NumPy.
    """
    index = index if isinstance(index, tuple) else (index,)
    items: list[Any] = []
    for item in index:
        item = raw(item)
        if isinstance(item, list):
            item = np.asarray(item) if item else np.zeros(0, dtype=np.intp)  # x[[]] picks nothing
        items.append(item)
    if shape is not None:
        _check_masks(items, shape)
    out: list[Any] = []
    for item in items:
        if isinstance(item, np.ndarray) and item.dtype == bool:
            if item.ndim == 0:
                raise IndexError("a 0-d boolean index (x[np.array(True)]) is not supported; use x[None] or a mask "
                                 "of the indexed axes' shape")
            out.extend(np.nonzero(item))  # a mask picks the positions where it is True
        else:
            out.append(item)
    return tuple(out)


def _axes_taken(item: Any) -> int:
    if item is None:
        return 0
    if isinstance(item, np.ndarray) and item.dtype == bool:
        return item.ndim
    return 1


def _check_masks(items: list[Any], shape: tuple[int, ...]) -> None:
    """IndexError for a boolean mask whose shape is not that of the axes it indexes (NumPy's rule)."""
    ellipsis = [k for k, item in enumerate(items) if item is Ellipsis]
    taken = builtins.sum(_axes_taken(item) for item in items if item is not Ellipsis)
    axis = 0
    for item in items:
        if item is Ellipsis:
            axis += builtins.max(len(shape) - taken, 0)
            continue
        if isinstance(item, np.ndarray) and item.dtype == bool and item.ndim:
            covered = shape[axis:axis + item.ndim]
            if covered != item.shape:
                raise IndexError(f"boolean index of shape {item.shape} does not match the indexed axes of shape "
                                 f"{covered} (array of shape {shape}, axes {axis}..{axis + item.ndim - 1})")
        axis += _axes_taken(item)
    if len(ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")


def getitem(x: Any, index: Any) -> Any:
    """x[index]: ints, slices, None, ..., integer arrays (repeats accumulate) and boolean masks."""
    return call(GETITEM, x, index=_normalize_index(index, shape_of(operand(x))))


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
    offsets = [0]
    for value in values:  # computed once here, so that each input's VJP finds its slice in constant time
        size = shape_of(operand(value))
        offsets.append(offsets[-1] + (size[axis] if len(size) > axis else 0))
    return call(CONCATENATE, *values, axis=axis, offsets=tuple(offsets))
