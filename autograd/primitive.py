"""The primitive registry and the one function that applies a primitive.

A primitive is an op with a forward rule (NumPy, or ``math`` for Python floats)
and one vector-Jacobian product per input.  Everything else in the project is
composed from primitives, so differentiating them is all the engine needs.

Each VJP has the plain signature ``vjp(g, ans, *inputs, **params) -> gradient``
for one input: ``g`` is the gradient flowing into the output ``ans``.  VJPs are
written with the module-level functions of :mod:`autograd.ops` and ordinary
operators, which accept both ndarrays and Values.  The engine calls them with
raw arrays on the ordinary (first-order) path, so that path costs plain NumPy
arithmetic; under ``backward(create_graph=True)`` it calls the very same VJPs
with Values, so the backward pass is recorded and can be differentiated again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from autograd.mode import _GradMode

VJP = Callable[..., Any]


class VJPTable(Protocol):
    """What ``Primitive.vjps`` is: indexed by input position, gives that input's VJP."""

    def __getitem__(self, index: int, /) -> VJP: ...


class Primitive:
    """One differentiable op: a name, a forward rule and one VJP per input.

    Args:
        name: what graphs, traces and error messages call the op.
        forward: computes the output from raw ndarrays/floats (and keyword params).
        vjps: one function per input, ``vjp(g, ans, *inputs, **params)``; or an
            object indexed by input position (variadic ops such as concatenate).
        scalar_forward: optional faster rule used when every input is a Python
            float (``math.exp`` instead of ``np.exp``); NumPy is used whenever it
            raises, so overflow gives inf and domain errors give NaN, as in NumPy.
    """

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        vjps: VJPTable,
        scalar_forward: Callable[..., Any] | None = None,
    ) -> None:
        self.name = name
        self.forward = forward
        self.vjps = vjps
        self.scalar_forward = scalar_forward
        self.freed: Primitive = _FreedPrimitive(name)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class _FreedPrimitive(Primitive):
    """Stands in for a node's primitive once ``backward`` has released the graph."""

    def __init__(self, name: str) -> None:  # noqa: D107  (no super(): no twin of its own)
        self.name = name
        self.forward = _no_forward
        self.vjps = _FreedVJPs(name)
        self.scalar_forward = None
        self.freed = self


def _no_forward(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never called
    raise RuntimeError("a freed primitive has no forward")


class _FreedVJPs:
    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, index: int) -> VJP:
        raise RuntimeError(
            f"Trying to backward through the graph a second time (at op '{self.name}'): "
            "its buffers were released by the first backward. Specify retain_graph=True "
            "on the first backward() call if you need to backward through it again."
        )


REGISTRY: dict[str, Primitive] = {}


def register(primitive: Primitive) -> Primitive:
    """Add a primitive to the registry (tests iterate it to gradient-check every primitive)."""
    if primitive.name in REGISTRY:
        raise ValueError(f"primitive {primitive.name!r} is registered twice")
    REGISTRY[primitive.name] = primitive
    return primitive


# ---------------------------------------------------------------------------
# data validation


def as_data(x: Any, dtype: Any = None, what: str = "Value data") -> Any:
    """Turn user data into what a Value stores: a Python float or a float ndarray.

    Ints become float64; float32/float64 arrays keep their dtype (or ``dtype``).
    A 0-d float64 result is stored as a Python float, which makes scalar graphs
    (micrograd-style) run at Python-float speed.

    Raises:
        TypeError: for bool, complex, object, string or other non-numeric data.
    """
    if type(x) is float and dtype is None:
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} has dtype bool; booleans are not differentiable, convert to float")
    array = np.asarray(x) if not isinstance(x, (list, tuple)) else _list_to_array(x, what)
    kind = array.dtype.kind
    if kind in "iu":
        array = array.astype(np.float64)
    elif kind != "f":
        raise TypeError(
            f"{what} has dtype {array.dtype} ({_KIND_NAMES.get(kind, 'unsupported')}); "
            "a Value holds float32 or float64 numbers (ints are converted to float64)"
        )
    if dtype is not None:
        target = np.dtype(dtype)
        if target not in (np.float32, np.float64):
            raise TypeError(f"dtype {target} is not supported; use float32 or float64")
        array = array.astype(target, copy=False)
    return normalize(array)


_KIND_NAMES = {"b": "bool", "c": "complex", "O": "object", "U": "string", "S": "bytes",
               "M": "datetime", "m": "timedelta", "V": "void"}


def _list_to_array(x: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"{what} is a ragged nested sequence: {error}") from None


def normalize(out: Any) -> Any:
    """Store float64 scalars as Python floats and every other result as an ndarray."""
    kind = type(out)
    if kind is float:
        return out
    if kind is np.ndarray:
        if out.ndim == 0 and out.dtype == np.float64:
            return float(out)
        return out
    if kind is np.float64:
        return float(out)
    return np.asarray(out)


def as_constant(x: Any, op: str) -> Any:
    """Check a raw operand (number or array) that enters an op as a constant."""
    kind = type(x)
    if kind is float or kind is int or kind is np.ndarray:
        if kind is np.ndarray and x.dtype.kind not in "fiub":
            raise TypeError(f"{op}: operand has dtype {x.dtype}; only real numbers are supported")
        return x
    if isinstance(x, (bool, np.number, np.bool_)):
        if isinstance(x, np.complexfloating):
            raise TypeError(f"{op}: operand has dtype {np.asarray(x).dtype}; only real numbers are supported")
        return x
    if isinstance(x, (list, tuple)):
        return as_constant(np.asarray(x), op)
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__}")


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of a Value, ndarray or Python number (``()`` for numbers)."""
    return getattr(x, "shape", ())


# ---------------------------------------------------------------------------
# applying a primitive


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
        if x.requires_grad and _GradMode.enabled:
            return _record(out, prim, args, params or None, (xd,))
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
        if needs_grad and _GradMode.enabled:
            return _record(out, prim, (x, y), params or None, (xd, yd))
        return _result_without_graph(prim, out, (xd, yd))
    for arg in args:
        if isinstance(arg, Value):
            break
    else:
        return compute(prim, args, params)
    inputs = tuple(arg if isinstance(arg, Value) else as_constant(arg, prim.name) for arg in args)
    datas = [arg.data if isinstance(arg, Value) else arg for arg in inputs]
    out = compute(prim, datas, params)
    if _GradMode.enabled:
        for arg in inputs:
            if isinstance(arg, Value) and arg.requires_grad:
                return _record(out, prim, inputs, params or None, datas)
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
        if needs_grad and _GradMode.enabled:
            if _Anomaly.enabled:
                return _record(out, prim, (x, y), None, (xd, yd))
            # Value._node written out here and in unary(), the hottest lines of a scalar graph
            # (a call per op would cost about 5% of it), one statement per slot (a tuple
            # assignment would build a tuple).
            node = _new(Value)
            node.data = out
            node.requires_grad = True
            node._in0 = x
            node._in1 = y
            node._prim = prim
            node._g = None
            node._note = None
            return node
        return _result_without_graph(prim, out, (xd, yd))

    apply.__name__ = f"{prim.name}{'_reflected' if reflected else ''}"
    return apply


_OPERATORS: dict[Primitive, Callable[[Any, Any], Value]] = {}


def unary(prim: Primitive, x: Value) -> Value:
    """``call`` for a one-input primitive without params, applied to a Value."""
    xd = x.data
    if type(xd) is float:
        out = compute(prim, (xd,), None)
    else:
        out = prim.forward(xd)
        if type(out) is not np.ndarray or out.ndim == 0:
            out = normalize(out)
    if x.requires_grad and _GradMode.enabled:
        if _Anomaly.enabled:
            return _record(out, prim, (x,), None, (xd,))
        node = _new(Value)  # as in binary_operator()
        node.data = out
        node.requires_grad = True
        node._in0 = x
        node._in1 = NO_INPUT
        node._prim = prim
        node._g = None
        node._note = None
        return node
    return _result_without_graph(prim, out, (xd,))


def _record(out: Any, prim: Primitive, inputs: tuple[Any, ...], params: dict[str, Any] | None,
            datas: Sequence[Any]) -> Value:
    node = Value._node(out, prim, inputs, params)
    if _Anomaly.enabled:
        _Anomaly.check_forward(node, datas)
    return node


def _result_without_graph(prim: Primitive, out: Any, datas: Sequence[Any]) -> Value:
    if type(out) is np.ndarray and any(out is d for d in datas):
        out = out.view()  # a result never shares its ndarray object with an input
    value = Value._constant(out)
    if _Anomaly.enabled:
        _Anomaly.check_constant(prim, value, datas)
    return value


class _Anomaly:
    """Hooks that ``detect_anomaly`` switches on (see autograd.anomaly)."""

    enabled: bool = False
    check_forward: Callable[[Any, Sequence[Any]], None] = staticmethod(lambda node, datas: None)
    check_backward: Callable[[Any, Any], None] = staticmethod(lambda node, grad: None)
    check_constant: Callable[[Any, Any, Sequence[Any]], None] = staticmethod(lambda prim, value, datas: None)



class PerInput:
    """VJPs of a variadic op (concatenate): ``vjps[i]`` is ``vjp(i, g, ans, *inputs, **params)``."""

    def __init__(self, vjp: Callable[..., Any]) -> None:
        self.vjp = vjp

    def __getitem__(self, index: int) -> VJP:
        return functools.partial(self.vjp, index)


from autograd.value import NO_INPUT, Value  # noqa: E402  (Value's methods call back into this module)

_new = object.__new__
