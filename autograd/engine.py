"""Reverse mode: walk the graph from the output back to the leaves, applying VJPs.

The walk is iterative (no recursion anywhere, so a chain of a million ops is
fine) and in two passes:

1. ``backward_order``: a depth-first search from the output, with an explicit
   stack, lists the nodes that need a gradient so that every node comes after
   all of the nodes that consume it;
2. in that order, each node sums the gradients its consumers sent it, applies
   its primitive's VJPs and sends each input its share.

The gradient a node is accumulating during the pass lives in its ``_g`` slot
(None outside a pass), never in ``.grad``, so a second backward through a
retained graph propagates only that pass's gradients.

Two paths apply the VJPs. The general path (``_propagate``) serves any node: it
gathers the inputs, calls each input's registered VJP and sends the result on.
The fast path, for unary and binary nodes on the first-order pass (most nodes of
a scalar graph, where this loop is most of the cost), does the same without
argument lists or a per-input loop, and applies a primitive's declared
``fast_vjp`` (autograd/registry.py: ``g`` for add, ``g`` times the other input
for multiply) instead of calling its VJPs. ``with general_path():`` sends every
node through the general path; the tests compare the two on random graphs.

A pass started while another one is running over some of the same nodes (a
backward inside a custom Function's backward) sets the other pass's partial
gradients aside when it reaches those nodes and gives them back when it ends.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.arrays import shape_of
from autograd.mode import ANOMALY, RECORD, STATE, _Anomaly, set_flags
from autograd.ops.reductions import unbroadcast
from autograd.registry import PRODUCT_RULE, SUM_RULE, PerInput
from autograd.value import NO_INPUT, VARIADIC, Value, constant


def _initial_grad(output: Value, grad: Any, create_graph: bool) -> Any:
    """The seed gradient: 1 for a one-element output, else the caller's ``grad`` (checked)."""
    if grad is None:
        if output.size != 1:
            raise RuntimeError(
                f"backward() on a non-scalar Value of shape {output.shape} needs an explicit "
                f"gradient: pass grad= an array of shape {output.shape} (for example ones)."
            )
        data = output.data
        if type(data) is float:
            seed: Any = 1.0
        else:  # np.array skips ones_like's Python-level wrapper for the usual 0-d loss
            seed = np.array(1, dtype=data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
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
    return constant(seed) if create_graph else seed


def backward_order(output: Value, mark: object, set_aside: list[tuple[Value, Any]]) -> list[Value]:
    """The nodes below ``output`` that need a gradient, each listed after all of its consumers.

    Iterative depth-first search: a node is appended to the post-order once all of
    its inputs are, and the reversed post-order starts with ``output``. Each node
    found gets ``_g = mark``: the mark is the visited flag and, for the pass, "no
    gradient yet"; a gradient that another, unfinished pass left in ``_g`` is saved
    in ``set_aside``.
    """
    post_order: list[Value] = []
    stack: list[Value | None] = [output]
    pop, push, finish, value_type = stack.pop, stack.append, post_order.append, Value
    while stack:
        node = pop()
        if node is None:  # the marker: everything below the node under it is finished
            finish(pop())  # type: ignore[arg-type]
            continue
        previous = node._g
        if previous is mark:
            continue
        if previous is not None:
            set_aside.append((node, previous))
        node._g = mark
        if node._prim is None:  # a leaf: nothing below it
            finish(node)
            continue
        push(node)
        push(None)
        first, second = node._in0, node._in1
        if second is NO_INPUT:  # unary: the input is a Value
            if first.requires_grad and first._g is not mark:
                push(first)
            continue
        if second is VARIADIC:
            for x in first:
                if isinstance(x, value_type) and x.requires_grad and x._g is not mark:
                    push(x)
            continue
        if isinstance(first, value_type) and first.requires_grad and first._g is not mark:
            push(first)
        if isinstance(second, value_type) and second.requires_grad and second._g is not mark:
            push(second)
    post_order.reverse()
    return post_order


# sys.getrefcount of a view's base that nothing else holds: the view's reference and the call's.
_ONLY_THE_VIEW = 2


def _store(node: Value, g: Any, deposited: set[int]) -> None:
    """Accumulate a finished gradient into ``node.grad``, never aliasing another array.

    A gradient is copied only when it could share memory with another: when the same
    array already went to another leaf, or when it is a view (a transposed, reshaped or
    broadcast gradient) of an array that something else still holds, or a read-only
    broadcast view, or when it is (or overlaps) the node's own data. A writeable view of a fresh result
    that nothing else refers to is kept as it is (for a Linear layer's weight that
    saves a copy of the whole weight gradient per step).
    """
    if isinstance(g, Value):
        if id(g) in deposited:
            g = g * 1.0  # a Value of its own: two leaves never share one gradient object
        deposited.add(id(g))
        node.grad = g if node.grad is None else node.grad + g
        return
    data = node.data
    if type(data) is float:
        g = float(g)
    else:
        if type(g) is not np.ndarray or g.dtype != data.dtype:
            g = np.asarray(g, dtype=data.dtype)
        if g.base is not None and (sys.getrefcount(g.base) > _ONLY_THE_VIEW or not g.flags.writeable):
            g = g.copy()  # shares memory with another array (or is a broadcast view): make its own
        elif id(g) in deposited:
            g = g.copy()  # the same array already went to another leaf
        elif g is data or id(g) == id(getattr(data, "base", None)) or (
                g.base is not None and np.may_share_memory(g, data)):
            g = g.copy()  # (a view of) the node's own data (a custom backward returning a saved input)
        deposited.add(id(g))
    extras = node._extras
    if extras is None or extras.grad is None:
        node.grad = g
    else:
        extras.grad = extras.grad + g


_NO_PARAMS: dict[str, Any] = {}


def _send(x: Value, gx: Any, mark: object) -> Any:
    """Add one consumer's contribution ``gx`` to the gradient of input ``x``; returns it reduced to x's shape."""
    if type(gx) is not float:
        data = x.data
        if type(gx) is np.ndarray and type(data) is np.ndarray:  # ndarrays: their shapes, without calls
            if gx.shape != data.shape:
                gx = unbroadcast(gx, data.shape)
        elif shape_of(gx) != shape_of(data):
            gx = unbroadcast(gx, shape_of(data))
    previous = x._g
    x._g = gx if previous is mark else previous + gx
    return gx


def _propagate(
    node: Value,
    g: Any,
    mark: object,
    create_graph: bool,
    on_node: Callable[[Value, Any, list[tuple[int, Any]]], None] | None,
) -> None:
    """Apply a node's VJPs for any number of inputs; with create_graph the VJPs run on Values."""
    inputs = node._inputs
    if create_graph:
        args: Sequence[Any] = inputs
        ans: Any = node
    else:
        args = [x.data if isinstance(x, Value) else x for x in inputs]
        ans = node.data
    extras = node._extras
    params = _NO_PARAMS if extras is None or not extras.params else extras.params
    vjps = node._prim.vjps
    per_input = isinstance(vjps, PerInput)  # a variadic op: its inputs passed once, not once per input
    if per_input:
        args = tuple(args)
    contributions: list[tuple[int, Any]] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value) and x.requires_grad:
            if per_input:
                gx = vjps.gradient(i, g, ans, args, params)
            else:
                gx = vjps[i](g, ans, *args, **params) if params else vjps[i](g, ans, *args)
            gx = _send(x, gx, mark)
            if on_node is not None:
                contributions.append((i, gx))
    if on_node is not None:
        on_node(node, g, contributions)


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
    with _PASS_LOCK:  # one pass at a time across threads (passes nested in one thread are fine)
        return _run_backward(output, seed, retain_graph, create_graph, targets, on_node)


class general_path(contextlib.ContextDecorator):
    """Inside ``with general_path():`` backward passes apply every VJP through the general path.

    No fast path (autograd/registry.py's ``fast_vjp``, the unrolled loop for one- and
    two-input nodes) is taken: each input's registered VJP is called. The gradients are
    the same; the tests use this to compare the two paths.
    """

    def _recreate_cm(self) -> general_path:
        return general_path()

    def __enter__(self) -> general_path:
        self._previous = STATE.general_path
        STATE.general_path = True
        return self

    def __exit__(self, *exc: object) -> None:
        STATE.general_path = self._previous


# The pass state lives on the nodes (_g), so passes in two threads over shared nodes must not
# interleave; a re-entrant lock lets a pass started inside another (same thread) go ahead.
_PASS_LOCK = threading.RLock()


def _run_backward(
    output: Value,
    seed: Any,
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Value] | None,
    on_node: Callable[[Value, Any, list[tuple[int, Any]]], None] | None,
) -> list[Any] | None:
    wanted = {t: None for t in targets} if targets is not None else None
    mark = object()
    set_aside: list[tuple[Value, Any]] = []
    order = backward_order(output, mark, set_aside)
    output._g = seed
    flags = STATE.flags  # recording on for create_graph, off otherwise (enable_grad/no_grad, without the objects)
    set_flags(flags | RECORD if create_graph else flags & ~RECORD)
    try:
        _walk(order, mark, retain_graph, create_graph, wanted, on_node)
    except BaseException:
        for node in order:  # a failed pass leaves no gradient behind (a finished one cleared each node)
            node._g = None
        raise
    finally:
        set_flags((STATE.flags & ~RECORD) | (flags & RECORD))
        for node, g in set_aside:  # give back what another, unfinished pass had left on these nodes
            node._g = g
    if wanted is None:
        return None
    return [wanted[t] for t in targets]  # type: ignore[union-attr]


def _walk(
    order: list[Value],
    mark: object,
    retain_graph: bool,
    create_graph: bool,
    wanted: dict[Value, Any] | None,
    on_node: Callable[[Value, Any, list[tuple[int, Any]]], None] | None,
) -> None:
    """The pass proper: each node in ``order`` takes its gradient from ``_g`` and sends its inputs theirs."""
    deposited: set[int] = set()
    watch = STATE.flags & ANOMALY
    general = create_graph or on_node is not None or STATE.general_path
    value_type, ndarray = Value, np.ndarray
    for node in order:
        g = node._g
        node._g = None
        if watch:
            _Anomaly.check_backward(node, g)
        prim = node._prim
        extras = node._extras
        if wanted is not None:
            if node in wanted:
                wanted[node] = g
        elif prim is None or (extras is not None and extras.retain):
            _store(node, g, deposited)
        if prim is None:
            if on_node is not None:
                on_node(node, g, [])
            continue
        first, second = node._in0, node._in1
        if general or second is VARIADIC:
            _propagate(node, g, mark, create_graph, on_node)
            if not retain_graph:
                node._prim = prim.freed
            continue
        # The fast path (first order, one or two inputs), unrolled for speed: for each
        # input that needs it, gx = vjp(g, ans, *inputs), reduced to the input's shape,
        # added to what the input has received so far; a declared fast VJP is applied
        # here instead of calling the VJP it stands for.
        params = None if extras is None else extras.params
        vjps = prim.vjps
        ans = node.data
        if second is NO_INPUT:  # unary: the input is a Value
            if not first.requires_grad:  # switched off since the forward (requires_grad_(False))
                if not retain_graph:
                    node._prim = prim.freed
                continue
            a = first.data
            gx = vjps[0](g, ans, a, **params) if params else vjps[0](g, ans, a)
            if type(gx) is not float:  # floats (scalar graphs) first; then ndarrays without getattr calls
                if type(gx) is ndarray and type(a) is ndarray:
                    if gx.shape != a.shape:
                        gx = unbroadcast(gx, first.shape)
                elif getattr(gx, "shape", ()) != getattr(a, "shape", ()):
                    gx = unbroadcast(gx, first.shape)
            previous = first._g
            first._g = gx if previous is mark else previous + gx
        else:
            if isinstance(first, value_type):
                a, need_a = first.data, first.requires_grad
            else:
                a, need_a = first, False
            if isinstance(second, value_type):
                b, need_b = second.data, second.requires_grad
            else:
                b, need_b = second, False
            fast = prim.fast_vjp
            if need_a:
                if fast is SUM_RULE:
                    gx = g
                elif fast is PRODUCT_RULE:
                    gx = g * b
                else:
                    gx = vjps[0](g, ans, a, b, **params) if params else vjps[0](g, ans, a, b)
                if type(gx) is not float:  # floats (scalar graphs) first; then ndarrays without getattr calls
                    if type(gx) is ndarray and type(a) is ndarray:
                        if gx.shape != a.shape:
                            gx = unbroadcast(gx, first.shape)
                    elif getattr(gx, "shape", ()) != getattr(a, "shape", ()):
                        gx = unbroadcast(gx, first.shape)
                previous = first._g
                first._g = gx if previous is mark else previous + gx
            if need_b:
                if fast is SUM_RULE:
                    gx = g
                elif fast is PRODUCT_RULE:
                    gx = g * a
                else:
                    gx = vjps[1](g, ans, a, b, **params) if params else vjps[1](g, ans, a, b)
                if type(gx) is not float:  # floats (scalar graphs) first; then ndarrays without getattr calls
                    if type(gx) is ndarray and type(b) is ndarray:
                        if gx.shape != b.shape:
                            gx = unbroadcast(gx, second.shape)
                    elif getattr(gx, "shape", ()) != getattr(b, "shape", ()):
                        gx = unbroadcast(gx, second.shape)
                previous = second._g
                second._g = gx if previous is mark else previous + gx
        if not retain_graph:
            node._prim = prim.freed


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
    for x, g in zip(inputs, results, strict=True):
        if g is None:
            g = 0.0 if type(x.data) is float else np.zeros_like(x.data)
        elif not isinstance(g, Value):
            g = float(g) if type(x.data) is float else np.array(g, dtype=x.dtype)
        elif shape_of(g) != x.shape:
            g = unbroadcast(g, x.shape)
        out.append(g)
    return out
