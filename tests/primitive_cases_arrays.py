"""The catalogue's strategies for indexing, matrix products, inner products, padding, windows and einsum.

Part of tests/primitive_catalogue.py's CATALOGUE (see its docstring for what a mode is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import autograd
from autograd import ops
from autograd.ops.shapes import _normalize_index
from autograd.testing import arrays, shapes
from tests.primitive_case import SMALL, Case, Strategy, _point

# ---------------------------------------------------------------------------
# indexing: one strategy per index kind, shared by getitem and scatter_add


@st.composite
def basic_index(draw: Any, shape: tuple[int, ...]) -> Any:
    """Ints, slices, None and ... (NumPy's basic indexing)."""
    def one(n: int) -> Strategy[Any]:
        steps = st.sampled_from([None, 1, 2, -1])
        return st.one_of(st.integers(-n, n - 1),
                         st.builds(slice, st.integers(-n, n) | st.none(), st.integers(-n, n) | st.none(), steps))

    k = draw(st.integers(1, len(shape)))
    ellipsis = draw(st.booleans())
    sizes = shape[len(shape) - k:] if ellipsis else shape[:k]
    items: list[Any] = [Ellipsis] * ellipsis + [draw(one(n)) for n in sizes]
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return items[0] if len(items) == 1 else tuple(items)


@st.composite
def integer_array_index(draw: Any, shape: tuple[int, ...]) -> Any:
    """Integer arrays (repeats likely), a Python list, or two arrays that broadcast together."""
    n = shape[0]
    ints = st.integers(-n, n - 1)
    picks = np.asarray(draw(st.lists(ints, min_size=1, max_size=6)))
    kind = draw(st.sampled_from(["1-D", "2-D", "list", "pair", "then slice", "after slice"]))
    if kind == "2-D":
        return np.asarray(draw(st.lists(ints, min_size=4, max_size=4))).reshape(2, 2)
    if kind == "list":
        return picks.tolist()
    if len(shape) >= 2 and kind == "pair":
        return (picks, np.asarray(draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=1))))
    if len(shape) >= 2 and kind == "then slice":
        return (picks, slice(None, None, -1))
    if len(shape) >= 2 and kind == "after slice":
        cols = np.asarray(draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=5)))
        return (slice(None), cols)
    return picks


@st.composite
def mask_index(draw: Any, shape: tuple[int, ...]) -> Any:
    """A boolean mask over all axes, or over the leading ones."""
    lead = draw(st.integers(1, len(shape)))
    size = int(np.prod(shape[:lead]))
    bits = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    return np.asarray(bits, dtype=bool).reshape(shape[:lead])


INDEX_KINDS = {"basic": basic_index, "integer array": integer_array_index, "boolean mask": mask_index}


def _describe(index: Any) -> str:
    items = index if isinstance(index, tuple) else (index,)
    return repr(tuple(item.tolist() if isinstance(item, np.ndarray) else item for item in items))


def indexing(scatter: bool) -> dict[str, Callable[[], Strategy[Case]]]:
    """Modes of getitem (x[index]) or of its VJP scatter_add (zeros(shape) with g added at index)."""

    def mode(kind: str) -> Callable[[], Strategy[Case]]:
        @st.composite
        def case(draw: Any) -> Case:
            shape = draw(shapes(min_dims=1, **SMALL))
            index = draw(INDEX_KINDS[kind](shape))
            what = f"shape {shape}, index {_describe(index)}"
            if not scatter:
                return Case(what, (draw(arrays(shape)),), lambda x: x[index])
            picked = np.empty(shape)[_normalize_index(index)].shape
            g = _point(draw, picked or None, -3.0, 3.0)
            return Case(what, (g,), lambda g: ops.scatter_add(g, shape, index))

        return case

    return {kind: mode(kind) for kind in INDEX_KINDS}


# ---------------------------------------------------------------------------
# matmul: NumPy's rules, 1-D operands and batch broadcasting


MATMUL_SHAPES = {
    "matrix": lambda b, m, n, p: [((m, n), (n, p))],
    "vector": lambda b, m, n, p: [((n,), (n,)), ((m, n), (n,)), ((n,), (n, p))],
    "batched": lambda b, m, n, p: [((b, m, n), (n, p)), ((m, n), (b, n, p)), ((b, 1, m, n), (2, n, p)),
                                   ((n,), (b, n, p)), ((b, m, n), (n,)), ((b, m, n), (b, n, p))],
}


def matmul_modes() -> dict[str, Callable[[], Strategy[Case]]]:
    def mode(kind: str) -> Callable[[], Strategy[Case]]:
        @st.composite
        def case(draw: Any) -> Case:
            b, m, n, p = (draw(st.integers(1, 3)) for _ in range(4))
            xs, ys = draw(st.sampled_from(MATMUL_SHAPES[kind](b, m, n, p)))
            inputs = (draw(arrays(xs, min_value=-2.0, max_value=2.0)), draw(arrays(ys, min_value=-2.0, max_value=2.0)))
            return Case(f"{xs} @ {ys}", inputs, lambda x, y: x @ y)

        return case

    return {kind: mode(kind) for kind in MATMUL_SHAPES}


# ---------------------------------------------------------------------------
# linear (x @ W.T + b) and vdot


LINEAR_INPUTS = {"matrix": lambda b: (b,), "vector": lambda b: (), "batched": lambda b: (2, b)}


def linear_modes() -> dict[str, Callable[[], Strategy[Case]]]:
    def mode(kind: str) -> Callable[[], Strategy[Case]]:
        @st.composite
        def case(draw: Any) -> Case:
            batch, n_in, n_out = (draw(st.integers(1, 3)) for _ in range(3))
            xs = LINEAR_INPUTS[kind](batch) + (n_in,)
            inputs = [draw(arrays(xs, min_value=-2.0, max_value=2.0)),
                      draw(arrays((n_out, n_in), min_value=-2.0, max_value=2.0))]
            if draw(st.booleans()):
                inputs.append(draw(arrays((n_out,), min_value=-2.0, max_value=2.0)))
            return Case(f"linear of {xs} by weight {(n_out, n_in)}, bias {len(inputs) == 3}", tuple(inputs),
                        lambda *args: autograd.linear(*args))

        return case

    return {kind: mode(kind) for kind in LINEAR_INPUTS}


@st.composite
def sum_of_squares_case(draw: Any) -> Case:
    """One to three arrays of any shapes (0-d included): the squared norm of all of them together."""
    inputs = tuple(draw(arrays(draw(shapes(min_dims=0, **SMALL)))) for _ in range(draw(st.integers(1, 3))))
    return Case(f"sum_of_squares of {[np.shape(x) for x in inputs]}", inputs, autograd.sum_of_squares)


@st.composite
def vdot_case(draw: Any) -> Case:
    """Two arrays of one size, possibly of different shapes (vdot flattens both)."""
    shape = draw(shapes(min_dims=1, **SMALL))
    other = draw(st.sampled_from([shape, (int(np.prod(shape)),), tuple(reversed(shape))]))
    return Case(f"vdot of {shape} and {other}", (draw(arrays(shape)), draw(arrays(other))), autograd.vdot)


# ---------------------------------------------------------------------------
# pad, sliding windows and their transpose, einsum


@st.composite
def pad_case(draw: Any) -> Case:
    """np.pad's three forms of pad_width (an int, a pair, one pair per axis) and a constant value."""
    shape = draw(shapes(min_dims=1, **SMALL))
    widths = st.integers(0, 2)
    form = draw(st.sampled_from(["int", "pair", "per axis"]))
    if form == "int":
        width: Any = draw(widths)
    elif form == "pair":
        width = (draw(widths), draw(widths))
    else:
        width = tuple((draw(widths), draw(widths)) for _ in shape)
    value = draw(st.sampled_from([0.0, -1.5, 2.0]))
    return Case(f"shape {shape}, pad_width={width}, value={value}", (draw(arrays(shape)),),
                lambda x: autograd.pad(x, width, value))


@st.composite
def window_args(draw: Any) -> tuple[tuple[int, ...], tuple[int, ...], Any]:
    """An input shape, a window that fits it, and ``axis`` (None, an int, a tuple, or a repeated axis)."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    kind = draw(st.sampled_from(["all axes", "one axis", "some axes", "repeated axis"]))
    if kind == "all axes":
        return shape, tuple(draw(st.integers(1, n)) for n in shape), None
    if kind == "one axis":
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return shape, (draw(st.integers(1, shape[axis])),), axis
    if kind == "some axes":
        axes = tuple(draw(st.permutations(range(len(shape))))[: draw(st.integers(1, len(shape)))])
        return shape, tuple(draw(st.integers(1, shape[a])) for a in axes), axes
    axis = draw(st.integers(0, len(shape) - 1))
    first = draw(st.integers(1, shape[axis]))
    return shape, (first, draw(st.integers(1, shape[axis] - first + 1))), (axis, axis)


@st.composite
def sliding_window_case(draw: Any) -> Case:
    shape, window, axis = draw(window_args())
    return Case(f"shape {shape}, window_shape={window}, axis={axis}", (draw(arrays(shape)),),
                lambda x: autograd.sliding_window_view(x, window, axis))


@st.composite
def add_windows_case(draw: Any) -> Case:
    """add_windows(g, shape, ...): the windows of a ``shape`` input, added back (sliding_window_view's VJP)."""
    shape, window, axis = draw(window_args())
    axes = tuple(range(len(shape))) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    axes = tuple(a % len(shape) for a in axes)
    g_shape = np.lib.stride_tricks.sliding_window_view(np.empty(shape), window, axis).shape
    return Case(f"windows {window} of shape {shape}, axis={axis}", (draw(arrays(g_shape)),),
                lambda g: ops.add_windows(g, shape, window, axes))


EINSUM_FORMS = {
    # name: (subscripts, operand shapes) with sizes i=2, j=3, k=2, b=2
    "two operands": [("ij,jk->ik", [(2, 3), (3, 2)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
                     ("ij,ij->", [(2, 3), (2, 3)]), ("i,j->ij", [(2,), (3,)]), ("ij,kj->ki", [(2, 3), (2, 3)]),
                     ("ijk,jk->i", [(2, 3, 2), (3, 2)])],
    "one operand": [("ij->ji", [(2, 3)]), ("ijk->i", [(2, 3, 2)]), ("ij->", [(2, 3)]), ("ijk->kj", [(2, 3, 2)])],
    "three operands": [("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("i,ij,j->", [(2,), (2, 3), (3,)]),
                       ("bi,bj,ij->b", [(2, 2), (2, 3), (2, 3)])],
    "broadcast": [("...ij,jk->...ik", [(2, 2, 3), (3, 2)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
                  ("...i,...i->...", [(2, 1, 3), (2, 3)]), ("...ij->...j", [(2, 3)])],
}


def einsum_modes() -> dict[str, Callable[[], Strategy[Case]]]:
    def mode(kind: str) -> Callable[[], Strategy[Case]]:
        @st.composite
        def case(draw: Any) -> Case:
            subscripts, in_shapes = draw(st.sampled_from(EINSUM_FORMS[kind]))
            inputs = tuple(draw(arrays(s, min_value=-2.0, max_value=2.0)) for s in in_shapes)
            return Case(f"einsum {subscripts!r} of {in_shapes}", inputs, lambda *xs: autograd.einsum(subscripts, *xs))

        return case

    return {kind: mode(kind) for kind in EINSUM_FORMS}
