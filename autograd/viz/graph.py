"""The graph as a picture: naming the nodes, DOT text, rendering with Graphviz, ``draw`` for notebooks.

Every node gets a name: its ``label`` when it has one, otherwise ``v<k>`` where
k counts the unlabeled nodes from the inputs up. ``to_dot``, ``trace`` and
``explore`` use the same names, so a row of the trace can be found in the picture.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autograd.value import Value

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


def draw(value: Value, grads: Mapping[Value, Any] | None = None, rankdir: str = "LR") -> Any:
    """The graph of ``value`` as a ``graphviz.Digraph``, which Jupyter displays inline.

    Args:
        value: the result whose graph to draw.
        grads: as in :func:`to_dot` (``trace(value).grads`` shows every node's gradient).
        rankdir: as in :func:`to_dot`.

    Returns:
        A ``graphviz.Digraph`` holding the DOT text of :func:`to_dot`; ``.render()``
        or ``.pipe()`` draws it with Graphviz's ``dot`` program.

    Raises:
        GraphvizUnavailable: the ``graphviz`` package is not installed (the message says
            how to install it; :func:`explore` needs neither it nor ``dot``).
    """
    text = to_dot(value, grads, rankdir)
    try:
        import graphviz
    except ImportError:
        raise GraphvizUnavailable(
            f"draw: the graphviz Python package is not installed; {_INSTALL}. "
            "to_dot(value) gives the DOT text without it, and autograd.viz.explore(value) draws the graph "
            "in a browser without Graphviz."
        ) from None
    body = text.strip().splitlines()[1:-1]  # the statements between 'digraph autograd {' and '}'
    return graphviz.Digraph("autograd", body=[line + "\n" for line in body])
