"""``explore``: one self-contained HTML page that steps through the forward and the backward pass.

    from autograd import Value
    from autograd.viz import explore
    a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    explore((a * b + a).tanh(), "backprop.html")    # open the file in any browser

The page needs no server, no network and no Graphviz: the layout is computed
here (:mod:`autograd.viz.layout`), and every number on the page (each node's
value, each upstream gradient, local derivative, contribution and running sum)
was recorded from the engine's own backward pass (:func:`autograd.viz.trace.record`)
and formatted here; the page's script (``explorer.js``, plain JavaScript) only
shows them. ``explore`` changes nothing: it stores no ``.grad`` and keeps the graph.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from autograd.registry import FreedPrimitive
from autograd.value import Value
from autograd.viz.graph import _SYMBOLS, fmt, graph_nodes, node_names
from autograd.viz.layout import layered_layout
from autograd.viz.trace import Trace, record

COLUMN_WIDTH, ROW_HEIGHT = 190, 78   # pixels between columns and rows of the layout


def numbers(x: Any, digits: int = 4, items: int = 3) -> str:
    """A few numbers of a scalar or an array, without its shape: ``-3``, ``[0.1, 0.2, 0.3, ...]``."""
    text = fmt(x, digits, items)
    return "[" + text.split(") [", 1)[1] if text.startswith("(") and ") [" in text else text


def _shape(node: Value) -> str:
    return "scalar" if not node.shape else "x".join(str(n) for n in node.shape)


def _expression(node: Value, names: dict[Value, str]) -> str:
    """``a * b``, ``tanh(n)``, ``sum(x, axis=(0,))``: how the node was computed, constants inline."""
    args = [names[x] if isinstance(x, Value) else fmt(x) for x in node._inputs]
    symbol = _SYMBOLS.get(node.op)
    if symbol and len(args) == 2:
        return f"{args[0]} {symbol} {args[1]}"
    params = node._params or {}
    shown = [f"{k}={fmt(v) if isinstance(v, np.ndarray) else v}" for k, v in params.items() if k != "index"]
    return f"{node.op}({', '.join(args + shown)})"


def _check(value: Any) -> None:
    """A clear error for what has no graph to step through (see :func:`explore`)."""
    if not isinstance(value, Value):
        raise TypeError(f"explore needs a Value (the result of a computation), got {type(value).__name__}")
    if not value.requires_grad:
        raise ValueError("explore: this Value does not require grad (a constant, or computed under no_grad()), "
                         "so it has no graph to step through; compute it from Values that require grad")
    if value._prim is None:
        raise ValueError(f"explore: {node_names(value)[value]!r} is a leaf (a Value you created), not the result "
                         "of an op: it has no graph to step through. Explore a result computed from it, "
                         "for example explore(a * b + a)")
    if any(isinstance(node._prim, FreedPrimitive) for node in graph_nodes(value)):
        raise RuntimeError("explore: the graph of this Value was freed by an earlier backward(); build the "
                           "computation again and call explore before backward, or call "
                           "backward(retain_graph=True) first")


def page_data(value: Value, grad: Any = None) -> dict[str, Any]:
    """What the page shows, every number already formatted: the nodes, the forward and the backward steps."""
    nodes = graph_nodes(value)
    names = node_names(value)
    ids = {node: k for k, node in enumerate(nodes)}
    leaves = [node for node in nodes if node._prim is None and node.requires_grad]
    t: Trace = record(value, grad, retain_graph=True, targets=leaves)
    inputs = {node: [x for x in node._inputs if isinstance(x, Value)] for node in nodes}
    place = layered_layout(nodes, inputs)
    heights: dict[int, int] = {}
    for column, row in place.values():
        heights[column] = max(heights.get(column, 0), row + 1)
    tallest = max(heights.values())
    node_data = []
    for node in nodes:
        column, row = place[node]
        leaf = node._prim is None
        node_data.append({
            "id": ids[node], "name": names[node], "op": node.op or "leaf",
            "expr": "" if leaf else _expression(node, names),
            "shape": _shape(node), "dtype": str(node.dtype), "data": numbers(node.data),
            "leaf": leaf, "requiresGrad": node.requires_grad,
            "inputs": [ids[x] for x in inputs[node]],
            "x": column * COLUMN_WIDTH, "y": round((row + (tallest - heights[column]) / 2) * ROW_HEIGHT),
        })
    backward = []
    for row_ in t.rows:
        backward.append({
            "node": ids[row_.node], "upstream": numbers(row_.upstream),
            "inputs": [{
                "to": ids[row_.node._inputs[item.position]], "formula": item.formula,
                "local": numbers(item.local) if item.local is not None else "",
                "contribution": numbers(item.contribution), "running": numbers(item.running),
                "received": item.received, "uses": item.uses,
            } for item in row_.inputs],
        })
    return {
        "output": ids[value], "seed": numbers(t.seed), "nodes": node_data,
        "forward": [ids[node] for node in nodes], "backward": backward,
        "grads": [{"id": ids[leaf], "name": names[leaf], "grad": numbers(t.grads.get(leaf, 0.0))}
                  for leaf in leaves],
    }


def _script_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def explore_html(value: Value, grad: Any = None, title: str = "") -> str:
    """The explorer page for ``value`` as HTML text (see :func:`explore`)."""
    _check(value)
    files = resources.files("autograd.viz")
    data = page_data(value, grad)
    title = title or f"Backpropagation through {data['nodes'][data['output']]['name']}"
    page = (files / "explorer.html").read_text(encoding="utf-8")
    for key, text in (("CSS", (files / "explorer.css").read_text(encoding="utf-8")),
                      ("JS", (files / "explorer.js").read_text(encoding="utf-8")),
                      ("DATA", _script_json(data)),
                      ("TITLE", title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))):
        page = page.replace("{{" + key + "}}", text)
    return page


def explore(value: Value, path: str | Path = "backprop.html", grad: Any = None, title: str = "") -> Path:
    """Write a self-contained HTML page that steps through the forward and the backward pass of ``value``.

    The page lays the graph out (inputs left, output right), then steps one node
    at a time (buttons, or the arrow keys; Home and End jump): first the forward
    pass, each node's value; then the backward pass, each node's upstream
    gradient, each input's local derivative (the primitive's formula and its
    number), the contribution sent to the input and the running sum at inputs
    used more than once; it ends with every leaf's gradient. Nothing is stored
    in ``.grad`` and the graph is kept, so ``backward()`` can still run.

    Args:
        value: the result of a computation (one number, or pass ``grad``).
        path: where to write the page (its directory must exist).
        grad: the gradient to start from when ``value`` holds more than one number.
        title: the page's heading (default: "Backpropagation through <name>").

    Returns:
        The path of the page.

    Raises:
        TypeError: ``value`` is not a Value.
        ValueError: ``value`` is a leaf or a constant (no graph to step through).
        RuntimeError: the graph was freed by an earlier ``backward()`` (rebuild it,
            or use ``retain_graph=True``); or ``value`` is not one number and no ``grad`` is given.
        FileNotFoundError: the directory of ``path`` does not exist.
    """
    path = Path(path)
    _check(value)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"explore: cannot write {path}: the directory {path.parent} does not exist")
    path.write_text(explore_html(value, grad, title), encoding="utf-8")
    return path
