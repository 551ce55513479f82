"""A recorded graph read as a program: its steps in order, and the raw arrays derived from its data.

An exporter (``nn.export_onnx``) or any other interpreter re-runs a recorded graph with its own rule
table, keyed by primitive name (autodidax's ``eval_jaxpr``). :func:`steps` lists the nodes that lead
to an output, inputs before the nodes that use them, each with its primitive's name, its inputs
(Values, or raw constants) and its static params.

Some raw arrays in a graph are not constants: a ReLU's condition ``x.data > 0`` or a softmax's shift
``max x`` are computed from the data with NumPy, outside the graph. Composites compute them with
:func:`derived`, which returns the plain NumPy result, except inside :func:`recording_recipes`, where
the result is a :class:`Derived` array that remembers its rule and the Value it was computed from,
so that an exporter can emit the computation instead of freezing the example's numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from autograd.mode import RECIPES, STATE, Changed, SetFlag
from autograd.value import Value


def _finite_max(data: Any, axis: int = -1) -> Any:
    """max over ``axis`` (kept), with 0 where the maximum is not finite (a shift that never makes NaN)."""
    m = np.max(data, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0.0).astype(np.result_type(m), copy=False)


# Each rule computes a raw array from one array's data (and params); an exporter has a rule for each name.
RULES: dict[str, Callable[..., Any]] = {
    "greater": lambda data, other=0.0: data > other,
    "greater_equal": lambda data, other=0.0: data >= other,
    "less": lambda data, other=0.0: data < other,
    "less_equal": lambda data, other=0.0: data <= other,
    "max": lambda data, axis=-1: np.max(data, axis=axis, keepdims=True),
    "finite_max": _finite_max,
}

class Derived(np.ndarray):
    """A raw array computed by ``RULES[rule]`` from ``source``'s data; NumPy sees a plain array.

    ``recipe`` is ``(rule, source, params)``. Arithmetic on it gives plain arrays again.
    """

    recipe: tuple[str, Value, dict[str, Any]]

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        plain = [x.view(np.ndarray) if isinstance(x, Derived) else x for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)


def derived(rule: str, x: Any, **params: Any) -> Any:
    """``RULES[rule](data of x, **params)``: a plain array, or a :class:`Derived` one while recording recipes."""
    data = x.data if isinstance(x, Value) else x if isinstance(x, (float, int, np.ndarray)) else np.asarray(x)
    out = RULES[rule](data, **params)
    if not is_recording_recipes() or not isinstance(x, Value) or type(out) is not np.ndarray:
        return out
    view = out.view(Derived)
    view.recipe = (rule, x, params)
    return view


def is_recording_recipes() -> bool:
    """Whether an exporter is tracing in this thread (composites then prefer forms whose raw arrays carry
    their recipe)."""
    return bool(Changed.threads and STATE.flags & RECIPES)


class recording_recipes(SetFlag):
    """Inside, :func:`derived` returns :class:`Derived` arrays that remember how they were computed.

    The switch is this thread's, as the other graph modes (autograd/mode.py): an export in one thread
    leaves the ops of another plain.
    """

    _flag, _on = RECIPES, True


class Step(NamedTuple):
    """One node of a recorded graph: ``output = op(*inputs, **params)``."""

    output: Value
    op: str
    inputs: tuple[Any, ...]
    params: dict[str, Any]


def steps(output: Value) -> list[Step]:
    """The nodes that lead to ``output``, each after the nodes it uses (an iterative walk); leaves excluded.

    Inputs are Values (leaves or other steps' outputs) or raw constants.
    """
    order: list[Step] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(output, False)]
    while stack:
        node, expanded = stack.pop()
        if node._prim is None:
            continue
        if expanded:
            order.append(Step(node, node.op, tuple(node._inputs), dict(node._params or {})))
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for x in reversed(node._inputs):
            if isinstance(x, Value) and id(x) not in seen:
                stack.append((x, False))
    return order
