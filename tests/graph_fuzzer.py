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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd

MAX_SIZE = 48  # largest intermediate (elements)
NAMESPACE = {"np": np, "ag": autograd}


@dataclass
class Graph:
    """A random expression graph: the shapes of its inputs and one line of code per op."""

    input_shapes: list[tuple[int, ...]]
    lines: list[str] = field(default_factory=list)
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # one per node (inputs first)
    kinks: list[tuple[Any, ...]] = field(default_factory=list)  # ("zero", k) | ("tie", a, b) | ("gap", k, axis)
    consumed: set[int] = field(default_factory=set)
    weights: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)  # builder names, in order

    @property
    def n_inputs(self) -> int:
        return len(self.input_shapes)

    def add(self, op: str, expression: str, shape: tuple[int, ...], uses: tuple[int, ...]) -> int:
        k = len(self.shapes)
        self.lines.append(f"v{k} = {expression}")
        self.shapes.append(tuple(shape))
        self.consumed.update(uses)
        self.ops.append(op)
        return k

    def source(self) -> str:
        """The graph as a Python function returning ``(scalar output, intermediates)``."""
        args = ", ".join(f"v{k}" for k in range(self.n_inputs))
        body = [f"    {line}" for line in self.lines]
        terms = []
        for k, w in zip(self.output_nodes(), self.weights, strict=True):
            terms.append(f"{w} * v{k}" if not self.shapes[k] else f"ag.sum(v{k} * {w})")
        body.append("    out = " + " + ".join(terms))
        intermediates = "".join(f"v{k}, " for k in range(self.n_inputs, len(self.shapes)))
        body.append(f"    return out, ({intermediates})")
        return f"def f({args}):\n" + "\n".join(body) + "\n"

    def __repr__(self) -> str:
        return "Graph:\n" + self.source()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints an example
        printer.text(repr(self))

    def output_nodes(self) -> list[int]:
        return [k for k in range(len(self.shapes)) if k not in self.consumed]

    def function(self) -> Callable[..., Any]:
        namespace = dict(NAMESPACE)
        exec(compile(self.source(), "<fuzzed graph>", "exec"), namespace)
        return namespace["f"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- literals


def literal(array: Any) -> str:
    """Python source for a constant (floats printed exactly, by repr)."""
    array = np.asarray(array)
    if array.ndim == 0:
        return repr(array.item())
    return f"np.array({array.tolist()!r})"


def _index_literal(index: tuple[Any, ...]) -> str:
    parts = []
    for item in index:
        if isinstance(item, slice):
            text = ":".join("" if v is None else str(v) for v in (item.start, item.stop))
            parts.append(text + (f":{item.step}" if item.step is not None else ""))
        elif item is None:
            parts.append("None")
        elif item is Ellipsis:
            parts.append("...")
        elif isinstance(item, np.ndarray):
            parts.append(literal(item))
        else:
            parts.append(str(item))
    return ", ".join(parts) if len(parts) != 1 else parts[0] + ("," if isinstance(index, tuple) else "")


def _constant(draw: Any, shape: tuple[int, ...]) -> str:
    values = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.5, -0.5, 0.25, 0.75, 2.0])))
    return literal(values)


# ---------------------------------------------------------------------------- operand choice


def _broadcast(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def _pick(draw: Any, g: Graph, ok: Callable[[tuple[int, ...]], bool] = lambda s: True) -> int | None:
    candidates = [k for k, s in enumerate(g.shapes) if ok(s)]
    if not candidates:
        return None
    return draw(st.sampled_from(candidates[::-1]))  # shrinks towards the latest result


def _pick_partner(draw: Any, g: Graph, a: int) -> int:
    """A result that broadcasts with result ``a`` without growing past MAX_SIZE (``a`` itself always fits)."""
    limit = max(MAX_SIZE, int(np.prod(g.shapes[a])))
    b = _pick(draw, g, lambda s: (shape := _broadcast(g.shapes[a], s)) is not None and int(np.prod(shape)) <= limit)
    assert b is not None
    return b


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


def build_reshape(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    shape = g.shapes[a]
    size = int(np.prod(shape))
    options = [(size,), shape[::-1], (1,) + shape, shape + (1,)]
    options += [(d, size // d) for d in range(2, size) if size % d == 0]
    if size == 1:
        options.append(())
    new = draw(st.sampled_from(options))
    g.add("reshape", f"ag.reshape(v{a}, {new!r})", new, (a,))
    return True


def build_transpose(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 2)
    if a is None:
        return False
    ndim = len(g.shapes[a])
    axes = draw(st.sampled_from([None] + list(itertools.permutations(range(ndim)))[1:]))
    shape = np.transpose(np.zeros(g.shapes[a]), axes).shape
    g.add("transpose", f"ag.transpose(v{a}, {axes!r})", shape, (a,))
    return True


def build_broadcast_to(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: 2 * int(np.prod(s)) <= MAX_SIZE and len(s) < 3)
    if a is None:
        return False
    shape = g.shapes[a]
    new = draw(st.sampled_from([(2,) + shape, tuple(3 if n == 1 else n for n in shape) or (3,)]))
    g.add("broadcast_to", f"ag.broadcast_to(v{a}, {new!r})", new, (a,))
    return True


def _basic_item(draw: Any, n: int) -> Any:
    kind = draw(st.sampled_from(["slice", "int", "full"]))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "full":
        return slice(None)
    start = draw(st.integers(-n, n - 1))
    step = draw(st.sampled_from([None, 1, 2, -1]))
    return slice(start, None, step)


def _index(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(["basic", "integer array", "mask", "mixed"]))
    if kind == "basic":
        index: list[Any] = [_basic_item(draw, n) for n in shape[: draw(st.integers(1, len(shape)))]]
        if draw(st.booleans()):
            index.insert(draw(st.integers(0, len(index))), None)
        if draw(st.booleans()) and len(index) < len(shape):
            index.insert(0, Ellipsis)
        return tuple(index)
    if kind == "integer array":
        picks = draw(hnp.arrays(np.int64, st.sampled_from([(3,), (2, 2), (4,)]), elements=st.integers(0, shape[0] - 1)))
        return (picks,)
    if kind == "mask":
        mask_shape = shape if draw(st.booleans()) else shape[:1]
        mask = draw(hnp.arrays(np.bool_, mask_shape, elements=st.booleans()))
        return (mask,)
    picks = draw(hnp.arrays(np.int64, (3,), elements=st.integers(-shape[-1], shape[-1] - 1)))
    return (Ellipsis, picks) if len(shape) == 1 else (_basic_item(draw, shape[0]), Ellipsis, picks)


def build_getitem(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    index = _index(draw, g.shapes[a])
    try:
        shape = np.zeros(g.shapes[a])[index].shape
    except IndexError:
        return False
    if int(np.prod(shape)) == 0:
        return False
    g.add("getitem", f"v{a}[{_index_literal(index)}]", shape, (a,))
    return True


def build_scatter_add(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: 2 * max(int(np.prod(s)), 1) <= MAX_SIZE)
    if a is None:
        return False
    shape = g.shapes[a]
    rows = draw(st.integers(1, 4))
    if shape and draw(st.booleans()):  # integer array along the first axis: repeated rows accumulate
        picks = draw(hnp.arrays(np.int64, (shape[0],), elements=st.integers(0, rows - 1)))
        target, index = (rows,) + shape[1:], f"({literal(picks)},)"
    else:
        target, index = (rows,) + shape, f"({draw(st.integers(0, rows - 1))},)"
    g.add("scatter_add", f"ag.ops.scatter_add(v{a}, {target!r}, {index})", target, (a,))
    return True


def build_concatenate(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1 and 2 * int(np.prod(s)) <= MAX_SIZE)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.integers(0, len(shape) - 1))

    def fits(s: tuple[int, ...]) -> bool:
        if len(s) != len(shape) or int(np.prod(s)) + int(np.prod(shape)) > MAX_SIZE:
            return False
        return all(m == n for i, (m, n) in enumerate(zip(s, shape, strict=True)) if i != axis)

    b = _pick(draw, g, fits)
    assert b is not None
    new = list(shape)
    new[axis] += g.shapes[b][axis]
    g.add("concatenate", f"ag.concatenate([v{a}, v{b}], axis={axis})", tuple(new), (a, b))
    return True


def build_stack(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: 2 * max(int(np.prod(s)), 1) <= MAX_SIZE)
    if a is None:
        return False
    b = _pick(draw, g, lambda s: s == g.shapes[a])
    axis = draw(st.integers(0, len(g.shapes[a])))
    shape = np.stack([np.zeros(g.shapes[a])] * 2, axis=axis).shape
    g.add("stack", f"ag.stack([v{a}, v{b}], axis={axis})", shape, (a, b))  # type: ignore[arg-type]
    return True


def _matmul_shape(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...] | None:
    if not x or not y:
        return None
    try:
        return np.matmul(np.zeros(x), np.zeros(y)).shape
    except ValueError:
        return None


def build_matmul(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    sa = g.shapes[a]
    kind = draw(st.sampled_from(["pair", "self", "constant"]))
    if kind == "pair":
        b = _pick(draw, g, lambda s: (m := _matmul_shape(sa, s)) is not None and int(np.prod(m)) <= MAX_SIZE)
        if b is not None:
            g.add("matmul", f"v{a} @ v{b}", _matmul_shape(sa, g.shapes[b]), (a, b))  # type: ignore[arg-type]
            return True
    if kind != "constant":  # a @ a^T (or a @ a for vectors): always fits and reuses a
        if len(sa) == 1:
            g.add("matmul", f"v{a} @ v{a}", (), (a,))
        else:
            perm = tuple(range(len(sa) - 2)) + (len(sa) - 1, len(sa) - 2)
            shape = sa[:-1] + (sa[-2],)
            g.add("matmul", f"v{a} @ ag.transpose(v{a}, {perm!r})", shape, (a,))
        return True
    cols = draw(st.sampled_from([(), (2,)]))
    c = _constant(draw, (sa[-1],) + cols)
    shape = _matmul_shape(sa, (sa[-1],) + cols)
    g.add("matmul", f"v{a} @ {c}", shape, (a,))  # type: ignore[arg-type]
    return True


def build_linear(draw: Any, g: Graph) -> bool:
    """linear(a, w[, bias]): w another result of shape (out, in), or a constant; the bias a constant."""
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    sa = g.shapes[a]
    w = _pick(draw, g, lambda s: len(s) == 2 and s[1] == sa[-1] and int(np.prod(sa[:-1])) * s[0] <= MAX_SIZE)
    n_out = g.shapes[w][0] if w is not None else 2
    weight = f"v{w}" if w is not None else _constant(draw, (n_out, sa[-1]))
    bias = f", {_constant(draw, (n_out,))}" if draw(st.booleans()) else ""
    inputs = (a,) if w is None else (a, w)
    g.add("linear", f"ag.linear(v{a}, {weight}{bias})", sa[:-1] + (n_out,), inputs)
    return True


def build_vdot(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    b = _pick(draw, g, lambda s: int(np.prod(s)) == int(np.prod(g.shapes[a])))
    g.add("vdot", f"ag.vdot(v{a}, v{b})", (), (a, b))  # type: ignore[arg-type]
    return True


def build_sum_of_squares(draw: Any, g: Graph) -> bool:
    picked = sorted({_pick(draw, g) for _ in range(draw(st.integers(1, 3)))})  # distinct nodes, any shapes
    g.add("sum_of_squares", f"ag.sum_of_squares({', '.join(f'v{i}' for i in picked)})", (), tuple(picked))
    return True


def build_pad(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1 and 3 * int(np.prod(s)) <= MAX_SIZE)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.integers(0, len(shape) - 1))
    pair = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    width = tuple(pair if i == axis else (0, 0) for i in range(len(shape)))
    value = draw(st.sampled_from([0.0, -0.5, 1.5]))
    new = tuple(n + sum(w) for n, w in zip(shape, width, strict=True))
    g.add("pad", f"ag.pad(v{a}, {width!r}, {value!r})", new, (a,))
    return True


def build_sliding_window_view(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1 and max(s) >= 2 and len(s) < 3)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.sampled_from([i for i, n in enumerate(shape) if n >= 2]))
    window = draw(st.integers(2, shape[axis]))
    new = np.lib.stride_tricks.sliding_window_view(np.zeros(shape), window, axis).shape
    if int(np.prod(new)) > MAX_SIZE:
        return False
    g.add("sliding_window_view", f"ag.sliding_window_view(v{a}, {window}, axis={axis})", new, (a,))
    return True


def build_add_windows(draw: Any, g: Graph) -> bool:
    """The last axis of a result taken as a window along one of the others, added back (a 'col2im')."""
    a = _pick(draw, g, lambda s: len(s) >= 2)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.integers(0, len(shape) - 2))
    target = tuple(n + shape[-1] - 1 if i == axis else n for i, n in enumerate(shape[:-1]))
    g.add("add_windows", f"ag.ops.add_windows(v{a}, {target!r}, ({shape[-1]},), ({axis},))", target, (a,))
    return True


def build_einsum(draw: Any, g: Graph) -> bool:
    """A contraction of one result with itself, another result of its shape, or a constant."""
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    shape = g.shapes[a]
    letters = "ijkl"[: len(shape)]
    out = "".join(c for c in letters if draw(st.booleans()))
    out = "".join(draw(st.permutations(out))) if out else ""
    b = _pick(draw, g, lambda s: s == shape)
    kind = draw(st.sampled_from(["one", "pair", "constant", "ellipsis"]))
    if kind == "one":
        g.add("einsum", f"ag.einsum('{letters}->{out}', v{a})", tuple(shape[letters.index(c)] for c in out), (a,))
    elif kind == "ellipsis":
        last = shape[-1]
        g.add("einsum", f"ag.einsum('...i,i->...', v{a}, {_constant(draw, (last,))})", shape[:-1], (a,))
    else:
        other = f"v{b}" if kind == "pair" else _constant(draw, shape)
        g.add("einsum", f"ag.einsum('{letters},{letters}->{out}', v{a}, {other})",
              tuple(shape[letters.index(c)] for c in out), (a, b) if kind == "pair" else (a,))  # type: ignore[arg-type]
    return True


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
