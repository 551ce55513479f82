"""The backward pass as a table: ``trace`` runs it and writes down every step.

    from autograd import Value
    from autograd.viz import trace
    a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    c = a * b; c.label = "c"
    t = trace(c)        # runs the backward pass and writes down every step
    print(t)            # the table; t.rows holds the same numbers (in Jupyter: an HTML table)
    a.grad              # -3.0: trace *is* a backward pass, the leaves' .grad is filled

Every number comes from the engine's own pass (``run_backward``'s ``on_node``
hook): the upstream gradient of each node, the contribution each VJP sent to
each input, and the sum the input had received so far.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.arrays import shape_of
from autograd.engine import _initial_grad, run_backward
from autograd.ops import unbroadcast
from autograd.ops.formulas import formula
from autograd.value import Value
from autograd.viz.graph import fmt, graph_nodes, node_names

# Elementwise ops: for equal input and output shapes their Jacobian is diagonal,
# so the local derivative can be shown as an array of the input's shape.
_ELEMENTWISE = {
    "add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "where", "negative",
    "exp", "log", "sqrt", "absolute", "tanh", "sin", "cos", "erf",
}




@dataclasses.dataclass
class TraceInput:
    """What one node passed to one of its inputs: contribution = local derivative applied to upstream."""

    position: int
    name: str
    local: Any          # d node / d input: a number, an array (diagonal of an elementwise op), or None
    contribution: Any   # the vector-Jacobian product handed to the input
    formula: str = ""   # the primitive's derivative as text (autograd/ops/formulas.py)
    running: Any = None  # what the input had received in all, after this node (the engine's running sum)
    received: int = 1   # how many contributions that running sum holds
    uses: int = 1       # how many contributions the input receives in the whole pass


@dataclasses.dataclass
class TraceRow:
    """One processed node: its upstream gradient (summed over its consumers) and what it passed on."""

    step: int
    node: Value
    name: str
    op: str
    data: Any
    upstream: Any
    inputs: list[TraceInput]


class Trace(str):
    """The text table of a backward pass (a ``str``), with the same facts in ``rows`` and ``grads``.

    ``grads`` maps every node to the gradient that reached it, so
    ``to_dot(out, grads=t.grads)`` draws every node's gradient, micrograd style.
    In Jupyter a Trace displays as an HTML table (``_repr_html_``).
    """

    rows: list[TraceRow]
    grads: dict[Value, Any]
    seed: Any

    def __new__(cls, text: str, rows: list[TraceRow], grads: dict[Value, Any], seed: Any = 1.0) -> Trace:
        self = super().__new__(cls, text)
        self.rows = rows
        self.grads = grads
        self.seed = seed
        return self

    def _repr_html_(self) -> str:
        return trace_html(self)


def _local_derivative(node: Value, position: int, x: Value) -> Any:
    """d node / d input, when it is small enough to show; None otherwise."""
    prim = node._prim
    args = [a.data if isinstance(a, Value) else a for a in node._inputs]
    params = node._params or {}
    if node.size == 1 and not node.shape:
        seed: Any = 1.0 if type(node.data) is float else np.ones_like(node.data)
    elif prim.name in _ELEMENTWISE and x.shape == node.shape:
        seed = np.ones_like(node.data)   # diagonal Jacobian: its diagonal, elementwise
    else:
        return None
    local = prim.vjps[position](seed, node.data, *args, **params)
    if shape_of(local) != x.shape:
        local = unbroadcast(local, x.shape)
    return local


def _snapshot(g: Any) -> Any:
    return g.copy() if isinstance(g, np.ndarray) else g


def record(value: Value, grad: Any = None, retain_graph: bool = False,
           targets: Sequence[Value] | None = None) -> Trace:
    """Run the engine's backward pass from ``value`` and write down every step (see :func:`trace`).

    With ``targets`` the pass stores no ``.grad`` anywhere (as ``autograd.engine.gradients``).
    """
    names = node_names(value)
    uses: dict[Value, int] = {}
    for node in graph_nodes(value):
        for x in node._inputs:
            if isinstance(x, Value) and x.requires_grad:
                uses[x] = uses.get(x, 0) + 1
    received: dict[Value, int] = {}
    seed = _initial_grad(value, grad, create_graph=False)
    rows: list[TraceRow] = []
    grads: dict[Value, Any] = {}

    def on_node(node: Value, g: Any, contributions: list[tuple[int, Any]]) -> None:
        inputs = []
        for position, _ in contributions:  # count first: x * x sends x two contributions in one step
            x = node._inputs[position]
            received[x] = received.get(x, 0) + 1
        for position, contribution in contributions:
            x = node._inputs[position]
            inputs.append(TraceInput(position, names[x], _local_derivative(node, position, x),
                                     _snapshot(contribution), formula(node.op, position),
                                     _snapshot(x._g), received[x], uses[x]))
        grads[node] = g
        rows.append(TraceRow(len(rows) + 1, node, names[node], node.op or "leaf", node.data, g, inputs))

    run_backward(value, seed, retain_graph, False, targets=targets, on_node=on_node)
    header = f"Backward pass from {names[value]} (seed {fmt(seed)}), {len(rows)} nodes in the order processed"
    return Trace(header + "\n" + _table(rows), rows, grads, seed)


def trace(value: Value, grad: Any = None, retain_graph: bool = False) -> Trace:
    """Run the backward pass from ``value`` and return it as a table, one row per node in the order processed.

    Each row shows the node, its op, its value, the upstream gradient dL/dnode
    (everything its consumers sent it, summed), and for each input the local
    derivative d node/d input and the contribution passed down (the chain rule:
    contribution = local derivative x upstream; for arrays it is the VJP).

    ``trace`` *is* a backward pass: like ``value.backward(grad)``, it accumulates
    into the ``.grad`` of the leaves, so ``g = ...; print(trace(g)); a.grad``
    works without calling ``backward`` (and calling both would count twice).

    Args:
        value: the output to differentiate (one number, or pass ``grad``).
        grad: gradient of the final result with respect to ``value``; required
            when ``value`` holds more than one number.
        retain_graph: keep the graph for another backward pass.

    Returns:
        A :class:`Trace`: print it for the table; ``.rows`` and ``.grads`` hold the numbers.
    """
    if not isinstance(value, Value):
        raise TypeError(f"trace needs a Value, got {type(value).__name__}")
    if not value.requires_grad:
        raise RuntimeError("trace() on a Value that does not require grad: nothing to differentiate")
    return record(value, grad, retain_graph)


def trace_html(t: Trace) -> str:
    """The trace as an HTML table (what Jupyter shows); every label and number is escaped."""
    cells = ["step", "node", "op", "value", "upstream grad", "input", "d(node)/d(input)", "local", "contribution"]
    out = ['<table class="autograd-trace">', "<caption>" + html.escape(t.splitlines()[0]) + "</caption>",
           "<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>"]
    for row in t.rows:
        first = [str(row.step), row.name, row.op, fmt(row.data), fmt(row.upstream)]
        items: list[TraceInput | None] = list(row.inputs) or [None]
        for k, item in enumerate(items):
            left = first if k == 0 else [""] * 5
            if item is None:
                right = ["", "", "", "accumulated into .grad" if row.node.is_leaf else ""]
            else:
                local = fmt(item.local) if item.local is not None else "(applied as a VJP)"
                right = [item.name, item.formula, local, fmt(item.contribution)]
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in left + right) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _table(rows: list[TraceRow]) -> str:
    """Fixed-width text: one line per (node, input); a leaf's line says where its gradient went."""
    head = ("step", "node", "op", "value", "upstream grad", "-> input", "local d(node)/d(input)",
            "contribution = local x upstream")
    lines: list[tuple[str, ...]] = []
    for row in rows:
        first = (str(row.step), row.name, row.op, fmt(row.data), fmt(row.upstream))
        if not row.inputs:
            kept = row.node._prim is None or row.node._retain
            where = f"accumulated into {row.name}.grad" if kept else "(no input needs a gradient)"
            lines.append(first + ("", "", where))
        for k, item in enumerate(row.inputs):
            local = fmt(item.local) if item.local is not None else "(Jacobian; applied as a VJP)"
            cells = first if k == 0 else ("",) * 5
            lines.append(cells + (item.name, local, fmt(item.contribution)))
    widths = [max(len(r[c]) for r in [head, *lines]) for c in range(len(head))]
    out = []
    for r in [head, *lines]:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if r is head:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
