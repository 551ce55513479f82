"""The fuzzer's graphs: the Graph record, literals written into its source, and the choice of operands.

See tests/graph_fuzzer.py (the builders of elementwise ops and reductions, and the ``graphs`` strategy)
and tests/fuzz_shape_builders.py (shapes, indexing, joining, matrix products, windows).
"""


from __future__ import annotations

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
