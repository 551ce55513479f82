"""Reverse mode: walk the graph from the output back to the leaves, applying VJPs.

The walk is iterative (no recursion, so a chain of a million ops is fine) and
in two passes, as in HIPS autograd's toposort:

1. from the output, count for every node how many consumers it has in the graph;
2. starting with the output, process a node once all of its consumers have
   passed their gradient to it: sum what it received, apply its primitive's
   VJPs, and hand each input its share.

Gradients of the pass live in a dict, never in ``.grad``, so a second backward
through a retained graph propagates only that pass's gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.mode import enable_grad, no_grad
from autograd.ops import unbroadcast
from autograd.primitive import _Anomaly, shape_of
from autograd.value import NO_INPUT, VARIADIC, Value


def _initial_grad(output: Value, grad: Any, create_graph: bool) -> Any:
    """The seed gradient: 1 for a one-element output, else the caller's ``grad`` (checked)."""
    if grad is None:
        if output.size != 1:
            raise RuntimeError(
                f"backward() on a non-scalar Value of shape {output.shape} needs an explicit "
                f"gradient: pass grad= an array of shape {output.shape} (for example ones)."
            )
        data = output.data
        seed: Any = 1.0 if type(data) is float else np.ones_like(data)
    else:
        seed = grad.data if isinstance(grad, Value) and not create_graph else grad
        if isinstance(seed, Value):
            if seed.shape != output.shape:
                raise ValueError(f"backward: grad has shape {seed.shape} but the output has shape {output.shape}")
            return seed
        seed = np.array(seed, dtype=output.dtype)  # a copy: the caller's array is never aliased
        if seed.shape != output.shape:
            raise ValueError(f"backward: grad has shape {seed.shape} but the output has shape {output.shape}")
        if seed.ndim == 0 and seed.dtype == np.float64:
            seed = float(seed)
    return Value._constant(seed) if create_graph else seed


def _consumer_counts(output: Value) -> dict[Value, int]:
    """For every node that needs a gradient, how many edges lead into it from above."""
    counts: dict[Value, int] = {output: 0}
    stack = [output]
    pop, push, value_type = stack.pop, stack.append, Value
    while stack:
        node = pop()
        first, second = node._in0, node._in1
        inputs = (first,) if second is NO_INPUT else first if second is VARIADIC else (first, second)
        for x in inputs:
            if isinstance(x, value_type) and x.requires_grad:
                if x in counts:
                    counts[x] += 1
                else:
                    counts[x] = 1
                    push(x)
    return counts


def _store(node: Value, g: Any, deposited: set[int]) -> None:
    """Accumulate a finished gradient into ``node.grad`` (never aliasing another array)."""
    if isinstance(g, Value):
        node.grad = g if node.grad is None else node.grad + g
        return
    data = node.data
    if type(data) is float:
        g = float(g)
    else:
        if type(g) is not np.ndarray or g.dtype != data.dtype:
            g = np.asarray(g, dtype=data.dtype)
        if g.base is not None or id(g) in deposited:
            g = g.copy()
        deposited.add(id(g))
    if node.grad is None:
        node.grad = g
    else:
        node.grad = node.grad + g


def run_backward(
    output: Value,
    seed: Any,
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Value] | None = None,
    on_node: Callable[[Value, Any, list[tuple[int, Any]]], None] | None = None,
) -> list[Any] | None:
    """Propagate ``seed`` from ``output`` to every node below it.

    Without ``targets`` the gradients are accumulated into the leaves' (and
    retained nodes') ``.grad``. With ``targets`` nothing is stored: the gradient
    reaching each target is returned (None where none reaches it).
    ``on_node(node, g, [(input_position, contribution), ...])`` is called for each
    node in the order processed (the study tools record the pass with it).
    """
    counts = _consumer_counts(output)
    wanted = {t: None for t in targets} if targets is not None else None
    grads: dict[Value, Any] = {output: seed}
    ready = [output]
    pop, push, value_type = ready.pop, ready.append, Value
    deposited: set[int] = set()
    watch = _Anomaly.enabled
    with enable_grad() if create_graph else no_grad():
        while ready:
            node = pop()
            g = grads.pop(node)
            if watch:
                _Anomaly.check_backward(node, g)
            prim = node._prim
            if wanted is not None:
                if node in wanted:
                    wanted[node] = g
            elif prim is None or node._retain:
                _store(node, g, deposited)
            if prim is None:
                if on_node is not None:
                    on_node(node, g, [])
                continue
            first, second = node._in0, node._in1
            inputs = (first,) if second is NO_INPUT else first if second is VARIADIC else (first, second)
            params = node._params
            if create_graph:
                args: Sequence[Any] = inputs
                ans: Any = node
            else:
                args = [x.data if isinstance(x, value_type) else x for x in inputs]
                ans = node.data
            vjps = prim.vjps
            contributions: list[tuple[int, Any]] | None = [] if on_node is not None else None
            i = -1
            for x in inputs:
                i += 1
                if not (isinstance(x, value_type) and x.requires_grad):
                    continue
                gx = vjps[i](g, ans, *args, **params) if params else vjps[i](g, ans, *args)
                if type(gx) is not float:
                    xshape = x.shape
                    if shape_of(gx) != xshape:
                        gx = unbroadcast(gx, xshape)
                if contributions is not None:
                    contributions.append((i, gx))
                if x in grads:
                    grads[x] = grads[x] + gx
                else:
                    grads[x] = gx
                remaining = counts[x] - 1
                if remaining:
                    counts[x] = remaining
                else:
                    push(x)
            if contributions is not None:
                on_node(node, g, contributions)  # type: ignore[misc]
            if not retain_graph:
                node._prim = prim.freed
    if wanted is None:
        return None
    return [wanted[t] for t in targets]  # type: ignore[union-attr]


def backward(output: Value, grad: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
    """Accumulate the gradient of ``output`` into ``.grad`` of every leaf below it (see Value.backward)."""
    if not output.requires_grad:
        raise RuntimeError(
            "backward() on a Value that does not require grad: no input of the computation "
            "has requires_grad=True (or it was computed under no_grad())"
        )
    seed = _initial_grad(output, grad, create_graph)
    run_backward(output, seed, retain_graph or create_graph, create_graph)


def gradients(
    output: Value,
    inputs: Sequence[Value],
    grad: Any = None,
    retain_graph: bool = False,
    create_graph: bool = False,
) -> list[Any]:
    """d output / d input for each of ``inputs``, returned instead of stored (like torch.autograd.grad).

    An input that the output does not depend on gets zeros of its shape.
    """
    if not output.requires_grad:
        results: list[Any] = [None] * len(inputs)
    else:
        seed = _initial_grad(output, grad, create_graph)
        results = run_backward(output, seed, retain_graph or create_graph, create_graph, targets=inputs) or []
    out = []
    for x, g in zip(inputs, results):
        if g is None:
            g = 0.0 if type(x.data) is float else np.zeros_like(x.data)
        elif not isinstance(g, Value):
            g = float(g) if type(x.data) is float else np.array(g, dtype=x.dtype)
        elif shape_of(g) != x.shape:
            g = unbroadcast(g, x.shape)
        out.append(g)
    return out
