"""Applying a primitive: the hot path every op runs through, forward and graph recording.

``call(prim, *args, **params)`` computes a primitive's forward on the inputs' data and,
when recording is on and an input requires a gradient, records the output as a graph
node. ``unary_operator`` and ``binary_operator`` are the same for the two commonest shapes
of call (one Value input; two operands and no params), written so that an op runs in one
Python frame: Value's arithmetic operators are ``binary_operator`` functions, its methods
``v.exp()`` ... ``unary_operator`` ones, and a scalar graph spends most of its forward pass there.

Node construction: ``op_node`` (autograd/value.py) builds every node, except on these
two hot paths, which write its statements out inline (a call would cost about 5% of
a scalar graph); ``tests/test_value.py`` checks that every path sets every slot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.arrays import as_constant, normalize, shape_of
from autograd.mode import ANOMALY, RECORD, STATE, Changed, _Anomaly
from autograd.registry import Primitive
from autograd.value import NO_INPUT, Value, constant, op_node

_new = object.__new__


def compute(prim: Primitive, datas: Sequence[Any], params: dict[str, Any] | None) -> Any:
    """Run a primitive's forward rule on raw data (no graph)."""
    scalar = prim.scalar_forward
    if scalar is not None and type(datas[0]) is float and len(datas) == 1:
        try:
            return scalar(datas[0], **params) if params else scalar(datas[0])
        except (ArithmeticError, ValueError):
            pass  # math raises on overflow and domain errors; NumPy gives inf/NaN
    try:
        out = prim.forward(*datas, **params) if params else prim.forward(*datas)
    except ArithmeticError:
        # Python floats raise (ZeroDivisionError, OverflowError) where NumPy gives inf/NaN.
        out = prim.forward(*[np.float64(d) if type(d) is float else d for d in datas], **(params or {}))
    except ValueError as error:
        raise ValueError(_shape_error(prim, datas, params, error)) from None
    return normalize(out)


def _shape_error(prim: Primitive, datas: Sequence[Any], params: dict[str, Any] | None, error: ValueError) -> str:
    """A message naming the op and every input shape (NumPy's own text only when it adds something)."""
    text = str(error).strip()
    if text.startswith(prim.name + ":"):
        return text  # the forward already said it in our words
    shapes = [str(shape_of(d)) for d in datas]
    if params and "cond" in params:
        shapes.append(f"{np.shape(params['cond'])} (the condition)")
    listed = " and ".join(shapes)
    if "could not be broadcast" in text:
        return f"{prim.name}: input shapes {listed} do not broadcast together (NumPy's broadcasting rules)"
    return f"{prim.name}: invalid input shapes {listed}: {text}"


def call(prim: Primitive, *args: Any, **params: Any) -> Any:
    """Apply ``prim`` to Values and/or raw data.

    With no Value among ``args`` this is plain NumPy: the raw result is returned.
    Otherwise the result is a Value, recorded as a graph node when recording is
    on and some input requires a gradient.
    """
    if len(args) == 1:  # the common case (reductions, reshapes, indexing), without the loops below
        (x,) = args
        if not isinstance(x, Value):
            return compute(prim, args, params)
        xd = x.data
        if type(xd) is np.ndarray:
            try:
                out = prim.forward(xd, **params)
            except ValueError:  # let compute name the op and the shapes
                out = compute(prim, (xd,), params)
            if type(out) is not np.ndarray or out.ndim == 0:
                out = normalize(out)
        else:
            out = compute(prim, (xd,), params)
        if x.requires_grad and (not Changed.threads or STATE.flags & RECORD):
            return record(out, prim, args, params or None, (xd,))
        return _result_without_graph(prim, out, (xd,))
    if len(args) == 2:  # binary ops with parameters (where): the loops below unrolled
        x, y = args
        if isinstance(x, Value):
            xd, needs_grad = x.data, x.requires_grad
        elif isinstance(y, Value):
            x = xd = as_constant(x, prim.name)
            needs_grad = False
        else:
            return compute(prim, args, params)
        if isinstance(y, Value):
            yd = y.data
            needs_grad = needs_grad or y.requires_grad
        else:
            y = yd = as_constant(y, prim.name)
        try:
            out = prim.forward(xd, yd, **params)
        except (ArithmeticError, ValueError):  # float exceptions, shape errors: let compute explain
            out = compute(prim, (xd, yd), params)
        if type(out) is not float and (type(out) is not np.ndarray or out.ndim == 0):
            out = normalize(out)
        if needs_grad and (not Changed.threads or STATE.flags & RECORD):
            return record(out, prim, (x, y), params or None, (xd, yd))
        return _result_without_graph(prim, out, (xd, yd))
    for arg in args:
        if isinstance(arg, Value):
            break
    else:
        return compute(prim, args, params)
    inputs = tuple([arg if isinstance(arg, Value) else as_constant(arg, prim.name) for arg in args])
    datas = [arg.data if isinstance(arg, Value) else arg for arg in inputs]
    out = compute(prim, datas, params)
    if not Changed.threads or STATE.flags & RECORD:
        for arg in inputs:
            if isinstance(arg, Value) and arg.requires_grad:
                return record(out, prim, inputs, params or None, datas)
    return _result_without_graph(prim, out, datas)


def call_unary(prim: Primitive, x: Any) -> Any:
    """``call`` for a one-input primitive without params (what ``exp(x)`` etc. run)."""
    if isinstance(x, Value):
        return unary(prim, x)
    if type(x) is np.ndarray:
        out = prim.forward(x)
        return out if type(out) is np.ndarray and out.ndim else normalize(out)
    return compute(prim, (x,), None)


def call_binary(prim: Primitive, x: Any, y: Any) -> Any:
    """``call`` for a two-input primitive without params (what ``multiply(x, y)`` etc. run)."""
    if isinstance(x, Value) or isinstance(y, Value):
        return binary(prim, x, y)
    return compute(prim, (x, y), None)


def binary(prim: Primitive, x: Any, y: Any) -> Value:
    """``call`` for a two-input primitive without params, on operands one of which is a Value."""
    operator = _OPERATORS.get(prim)
    if operator is None:
        operator = _OPERATORS[prim] = binary_operator(prim)
    return operator(x, y)


def binary_operator(prim: Primitive, reflected: bool = False) -> Callable[[Any, Any], Value]:
    """``binary(prim, x, y)`` as a function of the two operands, run in one frame.

    Value's operators are these functions (``__mul__`` is ``binary_operator(MULTIPLY)``,
    ``__rmul__`` the ``reflected`` one, which swaps its operands): a scalar graph spends
    most of its forward pass here.
    """

    def apply(first: Any, second: Any) -> Value:
        if reflected:
            x, y = second, first
        else:
            x, y = first, second
        if isinstance(x, Value):
            xd = x.data
            needs_grad = x.requires_grad
        else:
            x = xd = x if type(x) is float else as_constant(x, prim.name)
            needs_grad = False
        if isinstance(y, Value):
            yd = y.data
            needs_grad = needs_grad or y.requires_grad
        else:
            y = yd = y if type(y) is float else as_constant(y, prim.name)
        try:
            out = prim.forward(xd, yd)
        except (ArithmeticError, ValueError):  # float exceptions, shape errors: let compute explain
            out = compute(prim, (xd, yd), None)
        if type(out) is not float and (type(out) is not np.ndarray or out.ndim == 0):
            out = normalize(out)
        if needs_grad:
            if Changed.threads and STATE.flags != RECORD:  # not recording, or recording with anomaly checks
                if STATE.flags & RECORD:
                    return record(out, prim, (x, y), None, (xd, yd))
                return _result_without_graph(prim, out, (xd, yd))
            # op_node written out here and in unary() (see the module docstring), one
            # statement per slot (a tuple assignment would build a tuple).
            node = _new(Value)
            node.data = out
            node.requires_grad = True
            node._in0 = x
            node._in1 = y
            node._prim = prim
            node._g = None
            node._extras = None
            return node
        return _result_without_graph(prim, out, (xd, yd))

    apply.__name__ = f"{prim.name}{'_reflected' if reflected else ''}"
    return apply


_OPERATORS: dict[Primitive, Callable[[Any, Any], Value]] = {}


def unary(prim: Primitive, x: Value) -> Value:
    """``call`` for a one-input primitive without params, applied to a Value."""
    operator = _UNARY_OPERATORS.get(prim)
    if operator is None:
        operator = _UNARY_OPERATORS[prim] = unary_operator(prim)
    return operator(x)


def unary_operator(prim: Primitive) -> Callable[[Value], Value]:
    """``unary(prim, x)`` as a function of the Value alone, run in one frame (Value's ``v.exp()`` methods are these)."""

    def apply(x: Value) -> Value:
        xd = x.data
        if type(xd) is float:
            out = compute(prim, (xd,), None)
        else:
            out = prim.forward(xd)
            if type(out) is not np.ndarray or out.ndim == 0:
                out = normalize(out)
        if x.requires_grad:
            if Changed.threads and STATE.flags != RECORD:  # as in binary_operator()
                if STATE.flags & RECORD:
                    return record(out, prim, (x,), None, (xd,))
                return _result_without_graph(prim, out, (xd,))
            node = _new(Value)  # as in binary_operator()
            node.data = out
            node.requires_grad = True
            node._in0 = x
            node._in1 = NO_INPUT
            node._prim = prim
            node._g = None
            node._extras = None
            return node
        return _result_without_graph(prim, out, (xd,))

    apply.__name__ = prim.name
    return apply


_UNARY_OPERATORS: dict[Primitive, Callable[[Value], Value]] = {}


def record(out: Any, prim: Primitive, inputs: tuple[Any, ...], params: dict[str, Any] | None,
           datas: Sequence[Any]) -> Value:
    """The graph node for ``out`` (checked by detect_anomaly when it is on)."""
    node = op_node(out, prim, inputs, params)
    if Changed.threads and STATE.flags & ANOMALY:
        _Anomaly.check_forward(node, datas)
    return node


def _result_without_graph(prim: Primitive, out: Any, datas: Sequence[Any]) -> Value:
    if type(out) is np.ndarray and any(out is d for d in datas):
        out = out.view()  # a result never shares its ndarray object with an input
    value = constant(out)
    if Changed.threads and STATE.flags & ANOMALY:
        _Anomaly.check_constant(prim, value, datas)
    return value


def unary_method(prim: Primitive) -> Callable[[Value], Value]:
    """``unary(prim, self)`` as a method of Value (``v.exp()``), in one frame."""
    method = _UNARY_OPERATORS[prim] = unary_operator(prim)
    return method
