"""How to gradient-check every primitive: valid inputs, parameters and shape modes.

``CATALOGUE`` maps each primitive's registry name to its shape modes; each mode is a
hypothesis strategy of :class:`Case` (a function of the differentiable inputs and a
point to evaluate it at).  Inputs stay inside the op's domain (log/sqrt positive,
divisors away from 0, a positive base when the exponent is differentiated) and off
its kinks by far more than the finite-difference step (|x| at 0, ties of maximum and
of max reductions).  ``COMPOSITES`` does the same for the ops built from primitives.

Shape modes: ``scalar`` (Python floats), ``array`` (ndarrays of one shape),
``broadcast`` (shapes that broadcast together), and op-specific ones (indexing kinds,
matmul's vector and batched forms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import ops
from autograd.ops.shapes import _normalize_index
from autograd.testing import arrays, broadcastable_shapes, floats, shapes

Strategy = st.SearchStrategy


@dataclass(frozen=True)
class Case:
    """One check point: ``fn(*inputs)``; ``what`` describes the parameters for failure reports."""

    what: str
    inputs: tuple[Any, ...]
    fn: Callable[..., Any] = field(repr=False)


SMALL = {"max_dims": 3, "max_side": 3}  # at most 27 elements: finite differences stay cheap


def _point(draw: Any, shape: tuple[int, ...] | None, lo: float, hi: float, avoid: tuple[float, ...] = (),
           margin: float = 1e-2, elements: Strategy[float] | None = None) -> Any:
    """A Python float (shape None) or a float64 array of ``shape``."""
    elements = elements if elements is not None else floats(lo, hi, avoid=avoid, margin=margin)
    if shape is None:
        return draw(elements)
    return draw(arrays(shape, elements=elements))


# ---------------------------------------------------------------------------
# elementwise ops


def unary(fn: Callable[[Any], Any], lo: float = -3.0, hi: float = 3.0,
          avoid: tuple[float, ...] = ()) -> dict[str, Callable[[], Strategy[Case]]]:
    """Modes of an elementwise unary op with inputs in [lo, hi], away from ``avoid``."""

    @st.composite
    def scalar(draw: Any) -> Case:
        return Case("scalar", (_point(draw, None, lo, hi, avoid),), fn)

    @st.composite
    def array(draw: Any) -> Case:
        shape = draw(shapes(min_dims=1, **SMALL))
        return Case(f"shape {shape}", (_point(draw, shape, lo, hi, avoid),), fn)

    return {"scalar": scalar, "array": array}


def binary(fn: Callable[[Any, Any], Any], x_elements: Callable[[], Strategy[float]],
           y_elements: Callable[[], Strategy[float]]) -> dict[str, Callable[[], Strategy[Case]]]:
    """Modes of an elementwise binary op: two floats, two arrays of one shape, broadcasting shapes."""

    @st.composite
    def scalar(draw: Any) -> Case:
        return Case("scalars", (draw(x_elements()), draw(y_elements())), fn)

    @st.composite
    def array(draw: Any) -> Case:
        shape = draw(shapes(min_dims=1, **SMALL))
        inputs = (draw(arrays(shape, elements=x_elements())), draw(arrays(shape, elements=y_elements())))
        return Case(f"shapes {shape} {shape}", inputs, fn)

    @st.composite
    def broadcast(draw: Any) -> Case:
        xs, ys = draw(broadcastable_shapes(2, **SMALL))
        inputs = (draw(arrays(xs, elements=x_elements())), draw(arrays(ys, elements=y_elements())))
        return Case(f"shapes {xs} {ys}", inputs, fn)

    return {"scalar": scalar, "array": array, "broadcast": broadcast}


def lattice(odd: bool) -> Strategy[float]:
    """Points k/5 + u (u in [0, 0.05]), shifted by 0.1 when ``odd``: an even and an odd point differ by >= 0.05."""
    offset = 0.1 if odd else 0.0
    return st.tuples(st.integers(-12, 12), st.floats(0.0, 0.05)).map(lambda ku: ku[0] / 5 + offset + ku[1])


def any_real() -> Strategy[float]:
    return floats(-3.0, 3.0)


def nonzero() -> Strategy[float]:
    return floats(-3.0, 3.0, avoid=(0.0,), margin=0.5)


def positive() -> Strategy[float]:
    return floats(0.5, 2.5)


def exponents() -> Strategy[float]:
    return floats(-2.0, 2.0)


@st.composite
def integer_power(draw: Any) -> Case:
    """x ** k with a constant integer k: any nonzero base, negative ones included."""
    k = draw(st.integers(-3, 4))
    shape = draw(shapes(min_dims=0, **SMALL))
    x = _point(draw, shape or None, -2.0, 2.0, avoid=(0.0,), margin=0.4)
    return Case(f"x ** {k}, shape {shape}", (x,), lambda x: x ** k)


@st.composite
def where_case(draw: Any, mode: str) -> Case:
    """where(cond, a, b) with a constant boolean cond; a and b differentiable."""
    if mode == "scalar":
        cond = draw(st.booleans())
        return Case(f"cond={cond}", (draw(any_real()), draw(any_real())), lambda a, b: ops.where(cond, a, b))
    if mode == "array":
        cs = xs = ys = draw(shapes(min_dims=1, **SMALL))
    else:
        cs, xs, ys = draw(broadcastable_shapes(3, **SMALL))
    cond = np.asarray(draw(st.lists(st.booleans(), min_size=int(np.prod(cs)), max_size=int(np.prod(cs)))))
    cond = cond.reshape(cs)
    inputs = (draw(arrays(xs)), draw(arrays(ys)))
    return Case(f"cond {cond.tolist()}, shapes {xs} {ys}", inputs, lambda a, b: ops.where(cond, a, b))


# ---------------------------------------------------------------------------
# reductions


@st.composite
def axes(draw: Any, ndim: int) -> Any:
    """None, an int (possibly negative) or a tuple of distinct axes (possibly empty)."""
    return draw(st.one_of(
        st.none(),
        st.integers(-ndim, ndim - 1),
        st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple),
    ))


def distinct_elements() -> Strategy[float]:
    """Multiples of 0.05: with unique=True no two elements are within 0.05 (max/min never tie)."""
    return st.integers(-60, 60).map(lambda k: k / 20)


def reduction(method: str, distinct: bool = False) -> dict[str, Callable[[], Strategy[Case]]]:
    """Modes of sum/max/min: a float (axis None), and arrays with axis and keepdims."""
    elements = distinct_elements if distinct else any_real

    @st.composite
    def scalar(draw: Any) -> Case:
        return Case("scalar", (draw(elements()),), lambda x: getattr(ops, method)(x))

    @st.composite
    def array(draw: Any) -> Case:
        shape = draw(shapes(min_dims=1, **SMALL))
        if distinct:
            x = draw(hnp.arrays(np.float64, shape, elements=distinct_elements(), unique=True))
        else:
            x = draw(arrays(shape))
        axis, keepdims = draw(axes(len(shape))), draw(st.booleans())
        return Case(f"shape {shape}, axis={axis}, keepdims={keepdims}", (x,),
                    lambda x: getattr(x, method)(axis, keepdims))

    return {"scalar": scalar, "array": array}


# ---------------------------------------------------------------------------
# shape ops


@st.composite
def reshape_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=0, **SMALL))
    size = int(np.prod(shape))
    targets = [(-1,), (size,), shape[::-1], (1, *shape), (*shape, 1), (size, 1)] + ([()] if size == 1 else [])
    target = draw(st.sampled_from(targets))
    x = _point(draw, shape or None, -3.0, 3.0)
    return Case(f"{shape} -> {target}", (x,), lambda x: ops.reshape(x, target))


@st.composite
def transpose_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, **SMALL))
    ndim = len(shape)
    permutation = draw(st.permutations(range(ndim)))
    negative = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
    signed = tuple(a - ndim if neg else a for a, neg in zip(permutation, negative, strict=True))
    order = draw(st.sampled_from([None, signed]))
    return Case(f"shape {shape}, axes={order}", (draw(arrays(shape)),), lambda x: ops.transpose(x, order))


@st.composite
def broadcast_to_case(draw: Any) -> Case:
    xs, other = draw(broadcastable_shapes(2, **SMALL))
    target = np.broadcast_shapes(xs, other)
    x = _point(draw, xs or None, -3.0, 3.0)
    return Case(f"{xs} -> {target}", (x,), lambda x: ops.broadcast_to(x, target))


@st.composite
def concatenate_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, **SMALL))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    in_shapes = [shape[:axis % len(shape)] + (n,) + shape[axis % len(shape) + 1:] for n in sizes]
    inputs = tuple(draw(arrays(s)) for s in in_shapes)
    return Case(f"shapes {in_shapes}, axis={axis}", inputs, lambda *xs: ops.concatenate(xs, axis))


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


# ---------------------------------------------------------------------------
# the catalogue


def _one(strategy: Callable[..., Strategy[Case]], *args: Any) -> Callable[[], Strategy[Case]]:
    return lambda: strategy(*args)


CATALOGUE: dict[str, dict[str, Callable[[], Strategy[Case]]]] = {
    "add": binary(lambda x, y: x + y, any_real, any_real),
    "subtract": binary(lambda x, y: x - y, any_real, any_real),
    "multiply": binary(lambda x, y: x * y, any_real, any_real),
    "divide": binary(lambda x, y: x / y, any_real, nonzero),
    "power": {**binary(lambda x, y: x ** y, positive, exponents), "integer exponent": integer_power},
    "maximum": binary(lambda x, y: x.maximum(y), lambda: lattice(False), lambda: lattice(True)),
    "minimum": binary(lambda x, y: x.minimum(y), lambda: lattice(False), lambda: lattice(True)),
    "where": {mode: _one(where_case, mode) for mode in ("scalar", "array", "broadcast")},
    "negative": unary(lambda x: -x),
    "exp": unary(lambda x: x.exp()),
    "log": unary(lambda x: x.log(), 0.2, 3.0),
    "sqrt": unary(lambda x: x.sqrt(), 0.2, 3.0),
    "absolute": unary(lambda x: abs(x), avoid=(0.0,)),
    "tanh": unary(lambda x: x.tanh()),
    "sin": unary(lambda x: x.sin()),
    "cos": unary(lambda x: x.cos()),
    "erf": unary(lambda x: x.erf()),
    "sum": reduction("sum"),
    "max": reduction("max", distinct=True),
    "min": reduction("min", distinct=True),
    "reshape": {"array": reshape_case},
    "transpose": {"array": transpose_case},
    "broadcast_to": {"broadcast": broadcast_to_case},
    "getitem": indexing(scatter=False),
    "scatter_add": indexing(scatter=True),
    "concatenate": {"array": concatenate_case},
    "matmul": matmul_modes(),
    "linear": linear_modes(),
    "logsumexp": {"array": lambda: reduced("logsumexp"),
                  "large": lambda: reduced("logsumexp").map(
                      lambda c: Case(c.what + ", shifted by 500", tuple(x + 500.0 for x in c.inputs), c.fn))},
    "vdot": {"array": vdot_case},
    "sum_of_squares": {"array": sum_of_squares_case},
    "log1p": {**unary(lambda x: x.log1p(), -0.8, 3.0),
              "tiny": lambda: unary(lambda x: x.log1p(), -1e-3, 1e-3)["array"]()},
    "expm1": unary(lambda x: x.expm1()),
    "relu": unary(lambda x: x.relu(), avoid=(0.0,)),
    "astype": unary(lambda x: ops.astype(x * x, np.float64)),
    "erfc": {**unary(lambda x: x.erfc()), "tail": lambda: unary(lambda x: x.erfc(), 2.0, 8.0)["array"]()},
    "pad": {"array": pad_case},
    "sliding_window_view": {"array": sliding_window_case},
    "add_windows": {"array": add_windows_case},
    "einsum": einsum_modes(),
}


# ---------------------------------------------------------------------------
# composites: no derivative of their own, checked through the primitives


@st.composite
def reduced(draw: Any, name: str) -> Case:
    shape = draw(shapes(min_dims=1, **SMALL))
    axis, keepdims = draw(axes(len(shape))), draw(st.booleans())
    fn = getattr(autograd, name)
    return Case(f"{name}, shape {shape}, axis={axis}, keepdims={keepdims}", (draw(arrays(shape)),),
                lambda x: fn(x, axis, keepdims))


@st.composite
def variance(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, min_side=2, **SMALL))
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    keepdims, ddof = draw(st.booleans()), draw(st.sampled_from([0, 1]))
    return Case(f"shape {shape}, axis={axis}, keepdims={keepdims}, ddof={ddof}", (draw(arrays(shape)),),
                lambda x: x.var(axis, keepdims, ddof))


@st.composite
def clipped(draw: Any) -> Case:
    lo = draw(st.sampled_from([None, -1.0]))
    hi = draw(st.sampled_from([None, 1.5]))
    shape = draw(shapes(min_dims=0, **SMALL))
    x = _point(draw, shape or None, -3.0, 3.0, avoid=(-1.0, 1.5), margin=0.05)
    return Case(f"clip({lo}, {hi}), shape {shape}", (x,), lambda x: x.clip(lo, hi))


@st.composite
def squeezed(draw: Any) -> Case:
    shape = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4).map(tuple))
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis = draw(st.sampled_from([None, *ones, *[i - len(shape) for i in ones]]))
    return Case(f"shape {shape}, axis={axis}", (draw(arrays(shape)),), lambda x: x.squeeze(axis))


@st.composite
def unsqueezed(draw: Any) -> Case:
    shape = draw(shapes(min_dims=0, **SMALL))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return Case(f"shape {shape}, axis={axis}", (_point(draw, shape or None, -3.0, 3.0),), lambda x: x.unsqueeze(axis))


@st.composite
def stacked(draw: Any) -> Case:
    shape = draw(shapes(min_dims=0, **SMALL))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    inputs = tuple(_point(draw, shape or None, -3.0, 3.0) for _ in range(draw(st.integers(1, 3))))
    return Case(f"{len(inputs)} x {shape}, axis={axis}", inputs, lambda *xs: autograd.stack(xs, axis))


COMPOSITES: dict[str, dict[str, Callable[[], Strategy[Case]]]] = {
    "mean": {"array": _one(reduced, "mean"), "scalar": unary(lambda x: autograd.mean(x))["scalar"]},
    "var": {"array": variance},
    "sigmoid": {**unary(lambda x: x.sigmoid()), "large": lambda: unary(lambda x: x.sigmoid(), -40, 40)["array"]()},
    "clip": {"mixed": clipped},
    "squeeze": {"array": squeezed},
    "unsqueeze": {"array": unsqueezed},
    "stack": {"array": stacked},
}
