"""Random expression graphs for the fuzzer: built by hypothesis, written out as Python code.

A graph is the source of a function ``f(v0, ..., v{n-1})`` whose body applies
one op per line to earlier results (inputs and intermediates alike, so nodes are
reused), and ends with ``out = sum of (unused result * fixed weights)``, so every
node feeds the scalar output.  The same source is what runs and what a failure
prints, so the printed code reproduces the failure exactly.

Each op builder draws its operands among the results whose shapes fit, keeps
inputs of log/sqrt/divide/power in safe domains (``log(a*a + 1)``,
``b / (c*c + 1)``), and records the kinks the op has (zero of ``abs`` and of a
``where`` condition, ties of ``maximum``/``max``) so a test point near one can be
rejected before differencing across it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.fuzz_graph import MAX_SIZE, NAMESPACE, Graph, _broadcast, _constant, _pick, _pick_partner, literal
from tests.fuzz_shape_builders import (
    build_add_windows,
    build_broadcast_to,
    build_concatenate,
    build_einsum,
    build_getitem,
    build_linear,
    build_matmul,
    build_pad,
    build_reshape,
    build_scatter_add,
    build_sliding_window_view,
    build_stack,
    build_sum_of_squares,
    build_transpose,
    build_vdot,
)

__all__ = ["BUILDERS", "COVERS", "MAX_SIZE", "NAMESPACE", "Graph", "graphs", "literal"]


# ---------------------------------------------------------------------------- builders
# Each builder adds one op to the graph (returns False when no operand fits).

UNARY = {
    "exp": ("ag.exp({a})", ("exp",)),
    "log": ("ag.log({a} * {a} + 1.0)", ("log", "multiply", "add")),
    "sqrt": ("ag.sqrt({a} * {a} + 0.5)", ("sqrt", "multiply", "add")),
    "tanh": ("ag.tanh({a})", ("tanh",)),
    "sin": ("ag.sin({a})", ("sin",)),
    "cos": ("ag.cos({a})", ("cos",)),
    "erf": ("ag.erf({a})", ("erf",)),
    "erfc": ("ag.erfc({a})", ("erfc",)),
    "log1p": ("ag.log1p({a} * {a})", ("log1p", "multiply")),
    "expm1": ("ag.expm1({a})", ("expm1",)),
    "astype": ("ag.ops.astype({a}, getattr({a}, 'dtype', 'float64'))", ("astype",)),  # to its own dtype
    "negative": ("-{a}", ("negative",)),
    "sigmoid": ("ag.sigmoid({a})", ("exp", "divide", "where")),
    "square": ("{a} ** 2", ("power",)),
    "cube": ("{a} ** 3.0", ("power",)),
    "rsqrt": ("({a} * {a} + 0.5) ** -1.5", ("power", "multiply", "add")),
}


def unary(name: str) -> Callable[[Any, Graph], bool]:
    template = UNARY[name][0]

    def build(draw: Any, g: Graph) -> bool:
        a = _pick(draw, g)
        assert a is not None
        g.add(name, template.format(a=f"v{a}"), g.shapes[a], (a,))
        return True

    return build


def build_abs(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    g.add("abs", f"ag.abs(v{a})", g.shapes[a], (a,))
    g.kinks.append(("zero", a))
    return True


def build_relu(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    g.add("relu", f"ag.relu(v{a})", g.shapes[a], (a,))
    g.kinks.append(("zero", a))
    return True


BINARY = {
    "add": "v{a} + v{b}",
    "subtract": "v{a} - v{b}",
    "multiply": "v{a} * v{b}",
    "divide": "v{a} / (v{b} * v{b} + 1.0)",
    "power": "(v{a} * v{a} + 0.5) ** v{b}",
    "maximum": "ag.maximum(v{a}, v{b})",
    "minimum": "ag.minimum(v{a}, v{b})",
}


def binary(name: str) -> Callable[[Any, Graph], bool]:
    template = BINARY[name]

    def build(draw: Any, g: Graph) -> bool:
        a = _pick(draw, g)
        assert a is not None
        b = _pick_partner(draw, g, a)
        shape = _broadcast(g.shapes[a], g.shapes[b])
        assert shape is not None
        g.add(name, template.format(a=a, b=b), shape, (a, b))
        if name in ("maximum", "minimum"):
            g.kinks.append(("tie", a, b))
        return True

    return build


def build_constant_operand(draw: Any, g: Graph) -> bool:
    """A Value with a raw number or ndarray on either side (reflected operators)."""
    a = _pick(draw, g)
    assert a is not None
    shape = g.shapes[a]
    const_shape = draw(st.sampled_from([(), shape[-1:], shape]))
    c = _constant(draw, const_shape)
    template = draw(st.sampled_from(["{c} * v{a}", "v{a} - {c}", "{c} - v{a}", "{c} + v{a}", "v{a} / {c}",
                                     "{c} / (v{a} * v{a} + 1.0)"]))
    g.add("constant", template.format(a=a, c=c), shape, (a,))
    return True


def build_where(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    b = _pick_partner(draw, g, a)
    ab = _broadcast(g.shapes[a], g.shapes[b])
    assert ab is not None
    limit = max(MAX_SIZE, int(np.prod(ab)))
    c = _pick(draw, g, lambda s: (x := _broadcast(ab, s)) is not None and int(np.prod(x)) <= limit)
    assert c is not None  # a fits
    other = draw(st.sampled_from([f"v{b}", "0.0"]))
    shape = _broadcast(ab if other != "0.0" else g.shapes[a], g.shapes[c])
    assert shape is not None
    g.add("where", f"ag.where(v{c} > 0, v{a}, {other})", shape, (a, b) if other != "0.0" else (a,))
    g.kinks.append(("zero", c))
    return True


def _axes(draw: Any, ndim: int) -> Any:
    if ndim == 0:
        return None
    options = [None] + list(range(-ndim, ndim))
    if ndim >= 2:
        options += [tuple(sorted(c)) for r in (2, ndim) for c in itertools.combinations(range(ndim), r)]
    return draw(st.sampled_from(options))


def _reduced_shape(shape: tuple[int, ...], axis: Any, keepdims: bool) -> tuple[int, ...]:
    return np.sum(np.zeros(shape), axis=axis, keepdims=keepdims).shape  # type: ignore[no-any-return]


REDUCTIONS = {"sum": ("sum",), "max": ("max",), "min": ("min",), "mean": ("sum", "divide"),
              "logsumexp": ("logsumexp",), "var": ("sum", "multiply", "divide")}


def reduction(name: str) -> Callable[[Any, Graph], bool]:
    def build(draw: Any, g: Graph) -> bool:
        a = _pick(draw, g)
        assert a is not None
        axis = _axes(draw, len(g.shapes[a]))
        keepdims = draw(st.booleans())
        shape = _reduced_shape(g.shapes[a], axis, keepdims)
        g.add(name, f"ag.{name}(v{a}, axis={axis!r}, keepdims={keepdims})", shape, (a,))
        if name in ("max", "min"):
            g.kinks.append(("gap", a, axis))
        return True

    return build


BUILDERS: dict[str, Callable[[Any, Graph], bool]] = {
    **{name: binary(name) for name in BINARY},
    **{name: unary(name) for name in UNARY},
    "abs": build_abs, "relu": build_relu, "constant": build_constant_operand, "where": build_where,
    **{name: reduction(name) for name in REDUCTIONS},
    "reshape": build_reshape, "transpose": build_transpose, "broadcast_to": build_broadcast_to,
    "getitem": build_getitem, "scatter_add": build_scatter_add, "concatenate": build_concatenate,
    "stack": build_stack, "matmul": build_matmul, "linear": build_linear, "vdot": build_vdot,
    "sum_of_squares": build_sum_of_squares,
    "pad": build_pad, "sliding_window_view": build_sliding_window_view, "add_windows": build_add_windows,
    "einsum": build_einsum,
}

# The primitives each builder records (checked by a test, so the table cannot drift).
COVERS: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in BINARY},
    "divide": ("divide", "multiply", "add"), "power": ("power", "multiply", "add"),
    **{name: prims for name, (_, prims) in UNARY.items()},
    "abs": ("absolute",), "relu": ("relu",), "constant": (), "where": ("where",),
    **REDUCTIONS,
    "reshape": ("reshape",), "transpose": ("transpose",), "broadcast_to": ("broadcast_to",),
    "getitem": ("getitem",), "scatter_add": ("scatter_add",), "concatenate": ("concatenate",),
    "stack": ("reshape", "concatenate"), "matmul": ("matmul",), "linear": ("linear",), "vdot": ("vdot",),
    "sum_of_squares": ("sum_of_squares",),
    "pad": ("pad",), "sliding_window_view": ("sliding_window_view",), "add_windows": ("add_windows",),
    "einsum": ("einsum",),
}

SCALAR_OPS = [*BINARY, *UNARY, "abs", "relu", "constant", "where"]
EXTRA_WEIGHT = ["getitem", "getitem", "matmul", "transpose", "broadcast_to"]  # drawn more often in tensor graphs


@st.composite
def graphs(draw: Any, scalar: bool = False, ops: list[str] | None = None, max_ops: int = 8) -> Graph:
    """Random graphs: 1-3 inputs of mutually broadcastable shapes (all () when ``scalar``), 1-``max_ops`` ops."""
    n_inputs = draw(st.integers(1, 3))
    if scalar:
        input_shapes: list[tuple[int, ...]] = [()] * n_inputs
    else:
        input_shapes = list(draw(hnp.mutually_broadcastable_shapes(
            num_shapes=n_inputs, min_dims=0, max_dims=3, max_side=4)).input_shapes)
    g = Graph(input_shapes, shapes=list(input_shapes))
    pool = ops or (SCALAR_OPS if scalar else [*BUILDERS, *EXTRA_WEIGHT])
    for _ in range(draw(st.integers(1, max_ops))):
        BUILDERS[draw(st.sampled_from(pool))](draw, g)
    for k in g.output_nodes():
        g.weights.append(_constant(draw, g.shapes[k]))
    return g
