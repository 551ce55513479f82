"""The primitives that move elements without combining them: reshape, transpose, indexing, joining.

Indexing is getitem, whose VJP is scatter_add (and the other way round);
concatenate joins arrays along an axis, and its VJP slices the gradient back;
pad's VJP slices the padding off again. sliding_window_view's VJP adds every
window back onto the input (add_windows), and the VJP of that is the sliding
window again, so convolutions built on them differentiate to any order. As everywhere in
:mod:`autograd.ops`, each function accepts Values, ndarrays and Python numbers,
and the VJPs are written with these same functions.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from autograd.apply import call
from autograd.arrays import as_array, normalize_axis, operand, pytorch_spelling, raw, shape_of
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
    dtype = g.dtype if type(g) is np.ndarray else np.result_type(g)
    if len(shape) == 1 and len(index) == 1 and type(index[0]) is np.ndarray and index[0].dtype.kind in "iu" \
            and np.shape(g) == index[0].shape and shape[0] > 0:
        # one integer array into a vector (a gather's VJP): bincount sums repeats, many times faster than add.at
        flat = index[0].ravel()
        if flat.size and flat.min() < 0:
            flat = flat % shape[0]  # negative indices count from the end
        return np.bincount(flat, np.ravel(g), shape[0]).astype(dtype, copy=False)
    out = np.zeros(shape, dtype=dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)  # repeated integer indices accumulate
    return out


GETITEM = register(Primitive("getitem", lambda x, index: as_array(x)[index], (
    lambda g, ans, x, index: scatter_add(g, shape_of(x), index),  # route g back to the picked places
), exact=lambda m, x, index: x[index]))

SCATTER_ADD = register(Primitive("scatter_add", _scatter_add_forward, (
    lambda g, ans, x, shape, index: getitem(g, index),       # linear in x: its VJP picks
), exact=lambda m, g, shape, index: m.scatter_add(g, shape, index)))


def _concatenate_vjp(i: int, g: Any, ans: Any, xs: tuple[Any, ...], axis: int, offsets: tuple[int, ...]) -> Any:
    """The slice of g that input i filled (``offsets``: where each input starts along ``axis``, and the end)."""
    return getitem(g, (slice(None),) * axis + (slice(offsets[i], offsets[i + 1]),))


CONCATENATE = register(Primitive(
    "concatenate", lambda *xs, axis, offsets: np.concatenate(xs, axis=axis), PerInput(_concatenate_vjp),
    exact=lambda m, *xs, axis, offsets: np.concatenate(xs, axis=axis),
))



# ---------------------------------------------------------------------------
# constant padding and sliding windows (what convolution and pooling are built on)


def _pad_forward(x: Any, pad_width: tuple[tuple[int, int], ...], value: float) -> Any:
    """np.pad(x, pad_width, constant_values=value), as a filled array and one slice assignment (faster)."""
    x = as_array(x)
    out = np.full(tuple(n + a + b for n, (a, b) in zip(x.shape, pad_width, strict=True)), value, dtype=x.dtype)
    out[_unpad_index(x, pad_width)] = x
    return out


def _unpad_index(x: Any, pad_width: tuple[tuple[int, int], ...]) -> tuple[slice, ...]:
    """The slices of the padded array that hold x."""
    return tuple(slice(before, before + n) for (before, _), n in zip(pad_width, shape_of(x), strict=True))


PAD = register(Primitive("pad", _pad_forward, (
    lambda g, ans, x, pad_width, value: getitem(g, _unpad_index(x, pad_width)),  # the padding is constant
), exact=lambda m, x, pad_width, value: m.exact(_pad_forward(x, pad_width, value))))


def _window_offsets(window_shape: tuple[int, ...], axis: tuple[int, ...], ndim: int) -> Any:
    """For each window position k: the offset it adds along every input axis (repeated axes add up)."""
    for k in np.ndindex(*window_shape):
        offsets = [0] * ndim
        for a, step in zip(axis, k, strict=True):
            offsets[a] += step
        yield k, offsets


def _sliding_window_forward(x: Any, window_shape: tuple[int, ...], axis: tuple[int, ...]) -> Any:
    return np.lib.stride_tricks.sliding_window_view(as_array(x), window_shape, axis)


def _add_windows_forward(g: Any, shape: tuple[int, ...], window_shape: tuple[int, ...],
                         axis: tuple[int, ...]) -> Any:
    """zeros(shape) with every window of g added back where it was taken: one slice-add per window position."""
    g = as_array(g)
    lead = g.ndim - len(window_shape)
    counts = g.shape[:lead]
    # laid out in memory as g's window counts are (a transposed g gives a transposed result), so
    # that each slice-add walks both arrays in the same order
    order = sorted(range(lead), key=lambda a: -abs(g.strides[a]))
    out = np.zeros([shape[a] for a in order], dtype=g.dtype).transpose(np.argsort(order))
    for k, offsets in _window_offsets(window_shape, axis, len(shape)):
        target = tuple(slice(o, o + n) for o, n in zip(offsets, counts, strict=True))
        out[target] += g[(Ellipsis, *k)]
    return out


SLIDING_WINDOW_VIEW = register(Primitive("sliding_window_view", _sliding_window_forward, (
    lambda g, ans, x, window_shape, axis: add_windows(g, shape_of(x), window_shape, axis),  # windows added back
), exact=lambda m, x, window_shape, axis: _sliding_window_forward(x, window_shape, axis)))

ADD_WINDOWS = register(Primitive("add_windows", _add_windows_forward, (
    # linear: its VJP takes windows
    lambda g, ans, x, shape, window_shape, axis: sliding_window_view(g, window_shape, axis),
), exact=lambda m, g, shape, window_shape, axis: m.exact(_add_windows_forward(g, shape, window_shape, axis))))


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


def concatenate(values: Any, axis: Any = None, **spelled: Any) -> Any:
    """Join arrays along an existing axis (``axis``, also spelled ``dim``; 0 by default)."""
    if spelled:
        axis, _ = pytorch_spelling("concatenate", axis, False, spelled)
    axis = 0 if axis is None else axis
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


def _pad_widths(pad_width: Any, ndim: int) -> tuple[tuple[int, int], ...]:
    """np.pad's forms (an int, a pair, one pair per axis) as one (before, after) pair per axis."""
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu" or widths.ndim > 2 or (widths.ndim >= 1 and widths.shape[-1] not in (1, 2)):
        raise ValueError(f"pad: pad_width {pad_width!r} must be an int, a pair or one pair of ints per axis")
    try:
        pairs = np.broadcast_to(widths, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit an input with {ndim} axes") from None
    if (pairs < 0).any():
        raise ValueError(f"pad: pad_width {pad_width!r} has a negative width")
    return tuple((int(a), int(b)) for a, b in pairs)


def pad(x: Any, pad_width: Any, value: float = 0.0) -> Any:
    """x surrounded by ``value`` (constant padding; ``pad_width`` as in np.pad). d/dx picks the inner part."""
    pairs = _pad_widths(pad_width, len(shape_of(x)))
    return call(PAD, x, pad_width=pairs, value=float(value))


def _window_args(x: Any, window_shape: Any, axis: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    shape = shape_of(x)
    sizes = (window_shape,) if isinstance(window_shape, (int, np.integer)) else window_shape
    window = tuple(int(w) for w in sizes)
    if axis is None:
        if len(window) != len(shape):
            raise ValueError(f"sliding_window_view: window_shape {window} needs one entry per axis of the "
                             f"input {shape} when axis is None")
        axes: tuple[int, ...] = tuple(range(len(shape)))
    else:
        axes = tuple(int(a) % len(shape) if -len(shape) <= a < len(shape) else int(a)
                     for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis))
        if len(axes) != len(window) or any(not 0 <= a < len(shape) for a in axes):
            raise ValueError(f"sliding_window_view: axis {axis!r} must name one axis of the input {shape} "
                             f"per entry of window_shape {window}")
    for a in set(axes):
        need = builtins.sum(w - 1 for w, b in zip(window, axes, strict=True) if b == a) + 1
        if min(window) < 1 or need > shape[a]:
            raise ValueError(f"sliding_window_view: window_shape {window} does not fit the input {shape} "
                             f"along axis {a}")
    return window, tuple(int(a) for a in axes)


def sliding_window_view(x: Any, window_shape: Any, axis: Any = None) -> Any:
    """Every window of ``window_shape`` (NumPy's sliding_window_view): the window axes are appended.

    A read-only view forward; the VJP adds each window's gradient back onto the input
    (``add_windows``), whose own VJP takes the windows again. Strides and dilation are
    plain indexing of the result (``w[..., ::2, ::2, :, :]``).
    """
    window, axes = _window_args(x, window_shape, axis)
    return call(SLIDING_WINDOW_VIEW, x, window_shape=window, axis=axes)


def add_windows(g: Any, shape: tuple[int, ...], window_shape: tuple[int, ...], axis: tuple[int, ...]) -> Any:
    """zeros(shape) with every window of g added back in place (the VJP of sliding_window_view)."""
    return call(ADD_WINDOWS, g, shape=tuple(shape), window_shape=tuple(window_shape), axis=tuple(axis))
