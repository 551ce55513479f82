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
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import ops
from autograd.testing import arrays, broadcastable_shapes, floats, shapes
from tests.primitive_case import SMALL, Case, Strategy, _point
from tests.primitive_cases_arrays import (
    add_windows_case,
    einsum_modes,
    indexing,
    linear_modes,
    matmul_modes,
    pad_case,
    sliding_window_case,
    sum_of_squares_case,
    vdot_case,
)

__all__ = ["CATALOGUE", "COMPOSITES", "Case"]


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
