"""Study tools: see the graph (``to_dot``, ``render``) and the backward pass (``trace``).

    from autograd import Value
    from autograd.viz import render, trace
    a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    c = a * b; c.label = "c"
    t = trace(c)        # runs the backward pass and writes down every step
    print(t)            # the table; t.rows holds the same numbers
    a.grad              # -3.0: trace *is* a backward pass, the leaves' .grad is filled
    render(c, "c.svg", grads=t.grads)   # the graph, with every node's gradient

Every node gets a name: its ``label`` when it has one, otherwise ``v<k>`` where
k counts the unlabeled nodes from the inputs up. ``to_dot`` and ``trace`` use the
same names, so a row of the trace can be found in the picture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autograd.arrays import shape_of
from autograd.engine import _initial_grad, run_backward
from autograd.ops import unbroadcast
from autograd.value import Value

__all__ = ["GraphvizUnavailable", "Trace", "TraceInput", "TraceRow", "node_names", "render", "to_dot", "trace"]

# Elementwise ops: for equal input and output shapes their Jacobian is diagonal,
# so the local derivative can be shown as an array of the input's shape.
_ELEMENTWISE = {
    "add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "where", "negative",
    "exp", "log", "sqrt", "absolute", "tanh", "sin", "cos", "erf",
}
_SYMBOLS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**", "matmul": "@",
            "negative": "neg"}


# ---------------------------------------------------------------------------
# walking and naming the graph


def _value_inputs(node: Value) -> Iterator[Value]:
    return (x for x in node._inputs if isinstance(x, Value))


def graph_nodes(output: Value) -> list[Value]:
    """Every Value that ``output`` was computed from, inputs before the ops that use them (iterative)."""
    order: list[Value] = []
    seen = {output}
    stack = [(output, _value_inputs(output))]
    while stack:
        node, pending = stack[-1]
        for x in pending:
            if x not in seen:
                seen.add(x)
                stack.append((x, _value_inputs(x)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def node_names(output: Value) -> dict[Value, str]:
    """A unique, readable name per node: its label (made unique with ``#k``) or ``v<k>``."""
    names: dict[Value, str] = {}
    used: set[str] = set()
    unlabeled = 0
    for node in graph_nodes(output):
        if node.label:
            name = node.label
            k = 2
            while name in used:
                name = f"{node.label}#{k}"
                k += 1
        else:
            name = f"v{unlabeled}"
            unlabeled += 1
            while name in used:
                name = f"v{unlabeled}"
                unlabeled += 1
        used.add(name)
        names[node] = name
    return names


# ---------------------------------------------------------------------------
# formatting numbers


def fmt(x: Any, digits: int = 4, items: int = 3) -> str:
    """A short text for a number or an array: ``-3``, ``0.1235``, ``(3, 2) [0.1, 0.2, 0.3, ...]``."""
    if x is None:
        return "-"
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    array = np.asarray(x)
    if array.ndim == 0:
        return f"{float(array):.{digits}g}"
    flat = array.ravel()
    head = ", ".join(f"{float(v):.{digits}g}" for v in flat[:items])
    more = ", ..." if flat.size > items else ""
    return f"{array.shape} [{head}{more}]"


# ---------------------------------------------------------------------------
# DOT


def _dot_escape(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def to_dot(value: Value, grads: Mapping[Value, Any] | None = None, rankdir: str = "LR") -> str:
    """The graph that computed ``value`` as Graphviz DOT text.

    One box per Value (name | data | grad) and one ellipse per op, edges
    following the computation from the inputs to ``value``. Raw numbers and
    arrays that entered an op as constants appear as small plain nodes.

    Args:
        value: the result whose graph to draw.
        grads: gradient to show per node (for example ``trace(value).grads``, which
            holds every node's gradient); by default each node's ``.grad``
            (only leaves and ``retain_grad()`` nodes keep one).
        rankdir: Graphviz layout direction, ``"LR"`` (left to right) or ``"TB"``.

    Returns:
        DOT source text, ready for ``dot -Tsvg`` or :func:`render`.
    """
    if not isinstance(value, Value):
        raise TypeError(f"to_dot needs a Value, got {type(value).__name__}")
    names = node_names(value)
    ids = {node: f"n{k}" for k, node in enumerate(names)}
    lines = [
        "digraph autograd {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555"];',
    ]
    for node, name in names.items():
        grad = grads.get(node) if grads is not None else node.grad
        label = "{ " + " | ".join(_dot_escape(t) for t in (name, f"data {fmt(node.data)}", f"grad {fmt(grad)}")) + " }"
        style = ', style="rounded,filled", fillcolor="#eef4ff"' if node.requires_grad else ', style="rounded,dashed"'
        lines.append(f'  {ids[node]} [shape=record{style}, label="{label}"];')
        if node._prim is None and not node._inputs:
            continue
        op = ids[node] + "_op"
        lines.append(f'  {op} [shape=ellipse, style=filled, fillcolor="#fff2cc", '
                     f'label="{_dot_escape(_SYMBOLS.get(node.op, node.op))}"];')
        lines.append(f"  {op} -> {ids[node]};")
        for position, x in enumerate(node._inputs):
            if isinstance(x, Value):
                lines.append(f"  {ids[x]} -> {op};")
            else:
                const = f"{op}_c{position}"
                lines.append(f'  {const} [shape=plaintext, label="{_dot_escape(fmt(x))}"];')
                lines.append(f"  {const} -> {op};")
    lines.append("}")
    return "\n".join(lines) + "\n"


class GraphvizUnavailable(RuntimeError):
    """``render`` could not draw: the ``graphviz`` package or the ``dot`` program is missing."""


_INSTALL = ('install the Python package with  pip install graphviz  (in a clone: pip install -e ".[viz]") and the '
            "dot program with  apt-get install graphviz  (macOS: brew install graphviz)")


def render(value: Value, path: str | Path, grads: Mapping[Value, Any] | None = None, rankdir: str = "LR") -> Path:
    """Draw the graph of ``value`` to ``path`` (``.svg``, ``.png`` or ``.pdf``; no suffix means SVG).

    The DOT text is always written next to it (same name, ``.dot`` suffix) first,
    so it survives when Graphviz is not installed.

    Args:
        value: the result whose graph to draw.
        path: where the picture goes; its suffix picks the format.
        grads: as in :func:`to_dot`.
        rankdir: as in :func:`to_dot`.

    Returns:
        The path of the picture.

    Raises:
        GraphvizUnavailable: the ``graphviz`` package or the ``dot`` program is
            missing; the message says how to install them and where the .dot file is.
    """
    path = Path(path)
    fmt_name = path.suffix.lstrip(".").lower() or "svg"
    if not path.suffix:
        path = path.with_suffix(".svg")
    if fmt_name == "dot":
        raise ValueError(f"render: {path} is a .dot path; use to_dot() for DOT text, or an .svg/.png path")
    text = to_dot(value, grads, rankdir)
    dot_path = path.with_suffix(".dot")
    dot_path.parent.mkdir(parents=True, exist_ok=True)
    dot_path.write_text(text)
    try:
        import graphviz
    except ImportError:
        raise GraphvizUnavailable(
            f"render: cannot draw {path}: the graphviz Python package is not installed; {_INSTALL}. "
            f"The graph was written as DOT text to {dot_path}."
        ) from None
    try:
        picture = graphviz.Source(text).pipe(format=fmt_name)
    except graphviz.ExecutableNotFound:
        raise GraphvizUnavailable(
            f"render: cannot draw {path}: the Graphviz 'dot' program was not found on PATH; {_INSTALL}. "
            f"The graph was written as DOT text to {dot_path}."
        ) from None
    path.write_bytes(picture)
    return path


# ---------------------------------------------------------------------------
# the backward pass as a table


@dataclasses.dataclass
class TraceInput:
    """What one node passed to one of its inputs: contribution = local derivative applied to upstream."""

    position: int
    name: str
    local: Any          # d node / d input: a number, an array (diagonal of an elementwise op), or None
    contribution: Any   # the vector-Jacobian product handed to the input


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
    """

    rows: list[TraceRow]
    grads: dict[Value, Any]

    def __new__(cls, text: str, rows: list[TraceRow], grads: dict[Value, Any]) -> Trace:
        self = super().__new__(cls, text)
        self.rows = rows
        self.grads = grads
        return self


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
    names = node_names(value)
    seed = _initial_grad(value, grad, create_graph=False)
    rows: list[TraceRow] = []
    grads: dict[Value, Any] = {}

    def on_node(node: Value, g: Any, contributions: list[tuple[int, Any]]) -> None:
        inputs = []
        for position, contribution in contributions:
            x = node._inputs[position]
            inputs.append(TraceInput(position, names[x], _local_derivative(node, position, x), contribution))
        grads[node] = g
        rows.append(TraceRow(len(rows) + 1, node, names[node], node.op or "leaf", node.data, g, inputs))

    run_backward(value, seed, retain_graph, False, on_node=on_node)
    header = f"Backward pass from {names[value]} (seed {fmt(seed)}), {len(rows)} nodes in the order processed"
    return Trace(header + "\n" + _table(rows), rows, grads)


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
