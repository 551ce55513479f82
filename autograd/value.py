"""``Value``: one class for scalars and NumPy arrays, the nodes of the graph.

A Value holds ``data`` (a Python float for a float64 scalar, otherwise an
ndarray) and, once ``backward`` has run, ``grad`` (same shape as ``data``).  An
op's output remembers its primitive, its inputs and (in ``_extras``) its static
params; no closure refers back to the node, so the graph holds no reference
cycles and is freed by reference counting as soon as it is dropped.

This module defines the data structure only. The arithmetic operators and the op
methods (``exp``, ``sum``, ``reshape``, ...) are attached by ``autograd/ops/__init__.py``,
the one place that does so; their signatures are declared below for type checkers.
``Value.backward`` imports the engine when called: the one edge in the import graph
that points back up (the engine is built on Value).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.arrays import Node, as_data, few_numbers, format_grad, raw

_new = object.__new__


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


class Extras:
    """The fields few Values set: a gradient, a label, whether retain_grad() was called, an op's params."""

    __slots__ = ("grad", "label", "retain", "params")

    def __init__(self, label: str, params: dict[str, Any] | None = None) -> None:
        self.grad: Any = None
        self.label = label
        self.retain = False
        self.params = params

    def copy(self) -> Extras:
        extras = Extras(self.label, self.params)
        extras.grad, extras.retain = self.grad, self.retain
        return extras


NO_INPUT = _Marker("NO_INPUT")
VARIADIC = _Marker("VARIADIC")


class Value(Node):
    """A number or array that records how it was computed, for reverse-mode differentiation.

    Args:
        data: a Python number, nested list or ndarray of real numbers. Ints become
            float64; float32 stays float32; bool, complex, object and string data
            raise ``TypeError``.
        requires_grad: whether ``backward`` computes a gradient for it.
        dtype: ``float32`` or ``float64`` to convert to (default: keep float, ints -> float64).
        label: free text shown by the study tools (:mod:`autograd.viz`).

    ``grad`` is None until a backward pass reaches the Value, then accumulates
    across calls until ``zero_grad()``. Only leaves (Values you create) keep a
    gradient; call ``retain_grad()`` on an intermediate result to keep its gradient too.
    """

    # An op's inputs sit in two slots rather than a tuple: one object per node halves
    # the allocations and the cyclic collector's work on big scalar graphs.
    # _in0/_in1: the input(s); NO_INPUT in _in1 for a unary op (and in both for a leaf);
    # for three or more inputs _in0 holds the tuple and _in1 is VARIADIC.
    # _g: the gradient a backward pass is accumulating for this node (None outside a pass).
    # _extras: None, or what few nodes carry: ``grad`` (leaves and retained results), a label,
    # the retain_grad() flag and an op's static params (axis, shape, a where's condition). One
    # slot for them all: every slot is a store per op and a visit per node in each of the
    # garbage collector's passes.
    __slots__ = ("data", "requires_grad", "_in0", "_in1", "_prim", "_g", "_extras", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Value defers to Value's reflected operator

    data: Any

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value(data) got a Value; use value.detach() to copy one without its graph")
        if isinstance(data, (list, tuple)) and _holds_a_value(data):
            raise TypeError("Value(data) got a list holding Values; use autograd.stack(values) to join them "
                            "(that keeps their graph)")
        self.data = as_data(data, dtype)
        self.requires_grad = bool(requires_grad)
        self._in0: Any = NO_INPUT
        self._in1: Any = NO_INPUT
        self._prim: Any = None
        self._g: Any = None
        self._extras: Extras | None = Extras(str(label)) if label else None

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of ``data`` (``()`` for a scalar)."""
        data = self.data
        return data.shape if type(data) is np.ndarray else ()

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        data = self.data
        return data.size if type(data) is np.ndarray else 1

    @property
    def dtype(self) -> np.dtype[Any]:
        data = self.data
        return data.dtype if type(data) is np.ndarray else np.dtype(np.float64)

    @property
    def is_leaf(self) -> bool:
        """True for Values created by the user (not by an op)."""
        return self._prim is None

    @property
    def op(self) -> str:
        """Name of the primitive that produced this Value ('' for a leaf)."""
        return "" if self._prim is None else self._prim.name

    @property
    def _inputs(self) -> tuple[Any, ...]:
        """The op's inputs in order: Values, or raw arrays/numbers for constants (() for a leaf)."""
        first, second = self._in0, self._in1
        if second is NO_INPUT:
            return () if first is NO_INPUT else (first,)
        if second is VARIADIC:
            return first  # type: ignore[no-any-return]
        return (first, second)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The op's inputs as Values (constants appear as Values that do not require grad)."""
        return tuple(x if isinstance(x, Value) else Value(x, requires_grad=False) for x in self._inputs)

    def __len__(self) -> int:
        if type(self.data) is not np.ndarray or self.data.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return len(self.data)

    def __bool__(self) -> bool:
        """Truth of a one-element Value (as NumPy and PyTorch); ambiguous for more elements."""
        if self.size != 1:
            raise ValueError(
                f"the truth value of a Value of shape {self.shape} is ambiguous; "
                "test its data instead, e.g. (v.data > 0).all()"
            )
        return bool(np.asarray(self.data).reshape(()))

    def __float__(self) -> float:
        """float(v) for a one-element Value (the same as ``v.item()``)."""
        return self.item()

    def __repr__(self) -> str:
        if type(self.data) is not np.ndarray:
            return f"Value(data={self.data:.6g}, grad={format_grad(self.grad)})"
        body = np.array2string(self.data, precision=4, threshold=8, separator=", ")
        text = f"Value(shape={self.shape}, dtype={self.dtype}, data={body}"
        return text + (f", grad=<{format_grad(self.grad)}>)" if self.grad is not None else ")")

    def _repr_html_(self) -> str:
        """A compact HTML summary for Jupyter: name, op, shape, dtype, a few numbers of data and grad."""
        name = html.escape(self.label) if self.label else "Value"
        op = html.escape(self.op) if self._prim is not None else "leaf"
        shape = "scalar" if not self.shape else "&times;".join(str(n) for n in self.shape)
        cells = (("op", op), ("shape", f"{shape}, {self.dtype}"), ("data", few_numbers(self.data)),
                 ("grad", few_numbers(self.grad)), ("requires grad", "yes" if self.requires_grad else "no"))
        rows = "".join(f'<tr><th style="text-align:left">{k}</th><td style="text-align:left">'
                       f"<code>{v}</code></td></tr>" for k, v in cells)
        return f'<table class="autograd-value"><caption style="text-align:left"><b>{name}</b></caption>{rows}</table>'

    # ------------------------------------------------------------------ methods
    def backward(self, grad: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        Args:
            grad: gradient of the final result with respect to ``self``, same shape;
                may be omitted only when ``self`` holds a single number (then 1).
            retain_graph: keep the graph so that ``backward`` can run through it again.
            create_graph: record the backward pass, so that each ``.grad`` is a Value
                that can be differentiated again (higher-order derivatives).
        """
        run = _ENGINE_BACKWARD[0] if _ENGINE_BACKWARD else _engine_backward()
        run(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    def item(self) -> float:
        """The value as a Python float (only for a Value holding one number)."""
        if self.size != 1:
            raise ValueError(f"item() needs a Value with one element, got shape {self.shape}")
        return float(np.asarray(self.data).reshape(()))

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (a 0-d array for a scalar)."""
        return np.asarray(self.data)

    def detach(self) -> Value:
        """The same data as a new leaf that does not require grad (shares memory)."""
        return constant(self.data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``grad`` becomes None)."""
        self.grad = None

    def requires_grad_(self, flag: bool = True) -> Value:
        """Set ``requires_grad`` on a leaf in place; returns self."""
        if self._prim is not None and not flag:
            raise RuntimeError("requires_grad_(False) only applies to leaves; use detach() on an op's result")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> Value:
        """Keep this intermediate result's gradient in ``.grad`` after ``backward``."""
        self._own_extras().retain = True
        return self

    def __copy__(self) -> Value:
        """A shallow copy with its own grad, label and retain flag (the arrays themselves are shared)."""
        clone = _new(Value)
        clone.data, clone.requires_grad, clone._in0, clone._in1 = self.data, self.requires_grad, self._in0, self._in1
        clone._prim, clone._g = self._prim, None
        clone._extras = None if self._extras is None else self._extras.copy()
        return clone

    @property
    def grad(self) -> Any:
        """The accumulated gradient: None until a backward pass reaches this Value (or after zero_grad())."""
        extras = self._extras
        return None if extras is None else extras.grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None and self._extras is None:
            return
        self._own_extras().grad = value

    @property
    def label(self) -> str:
        """Free text shown by the study tools (:mod:`autograd.viz`); "" when unset."""
        extras = self._extras
        return "" if extras is None else extras.label

    @label.setter
    def label(self, text: str) -> None:
        self._own_extras().label = str(text)

    @property
    def _retain(self) -> bool:
        """Whether ``retain_grad()`` was called."""
        extras = self._extras
        return extras is not None and extras.retain

    @property
    def _params(self) -> dict[str, Any] | None:
        """The op's static params (None for none)."""
        extras = self._extras
        return None if extras is None else extras.params

    def _own_extras(self) -> Extras:
        if self._extras is None:
            self._extras = Extras("")
        return self._extras

    # ------------------------------------------------------------------ ops
    # Attached by autograd/ops/__init__.py (see the module docstring); declared here for type checkers.
    if TYPE_CHECKING:
        def __add__(self, other: Any) -> Value: ...
        def __radd__(self, other: Any) -> Value: ...
        def __sub__(self, other: Any) -> Value: ...
        def __rsub__(self, other: Any) -> Value: ...
        def __mul__(self, other: Any) -> Value: ...
        def __rmul__(self, other: Any) -> Value: ...
        def __truediv__(self, other: Any) -> Value: ...
        def __rtruediv__(self, other: Any) -> Value: ...
        def __pow__(self, other: Any) -> Value: ...
        def __rpow__(self, other: Any) -> Value: ...
        def __matmul__(self, other: Any) -> Value: ...
        def __rmatmul__(self, other: Any) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def __getitem__(self, index: Any) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def abs(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def erf(self) -> Value: ...
        def erfc(self) -> Value: ...
        def log1p(self) -> Value: ...
        def expm1(self) -> Value: ...
        def maximum(self, other: Any) -> Value: ...
        def minimum(self, other: Any) -> Value: ...
        def sum(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Value: ...
        def max(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Value: ...
        def min(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Value: ...
        def mean(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Value: ...
        def var(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, **spelled: Any) -> Value: ...
        def logsumexp(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> Value: ...
        def reshape(self, *shape: Any) -> Value: ...
        def transpose(self, *axes: Any) -> Value: ...
        @property
        def T(self) -> Value: ...
        def broadcast_to(self, shape: Any) -> Value: ...
        def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Value: ...
        def squeeze(self, axis: Any = None, **spelled: Any) -> Value: ...
        def unsqueeze(self, axis: Any = None, **spelled: Any) -> Value: ...
        def relu(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def clip(self, lo: Any = None, hi: Any = None) -> Value: ...
        # PyTorch's names (autograd/ops/pytorch.py)
        def __iadd__(self, other: Any) -> Value: ...
        def __isub__(self, other: Any) -> Value: ...
        def __imul__(self, other: Any) -> Value: ...
        def __itruediv__(self, other: Any) -> Value: ...
        def add_(self, other: Any, *, alpha: Any = 1) -> Value: ...
        def sub_(self, other: Any, *, alpha: Any = 1) -> Value: ...
        def mul_(self, other: Any, *, alpha: Any = 1) -> Value: ...
        def div_(self, other: Any, *, alpha: Any = 1) -> Value: ...
        def zero_(self) -> Value: ...
        def fill_(self, value: Any) -> Value: ...
        def copy_(self, src: Any) -> Value: ...
        def clamp_(self, min: Any = None, max: Any = None) -> Value: ...  # noqa: A002
        def clamp(self, min: Any = None, max: Any = None) -> Value: ...  # noqa: A002
        def pow(self, exponent: Any) -> Value: ...
        def permute(self, *dims: Any) -> Value: ...
        def view(self, *shape: Any) -> Value: ...
        def clone(self) -> Value: ...
        def argmax(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> np.ndarray: ...
        def argmin(self, axis: Any = None, keepdims: bool = False, **spelled: Any) -> np.ndarray: ...
        def softmax(self, axis: Any = None, **spelled: Any) -> Value: ...
        def log_softmax(self, axis: Any = None, **spelled: Any) -> Value: ...
        def tolist(self) -> Any: ...
        def t(self) -> Value: ...
        def float(self) -> Value: ...
        def double(self) -> Value: ...
        @property
        def mT(self) -> Value: ...  # noqa: N802

    def __pos__(self) -> Value:
        return self

    # ``==`` and hash are object identity (inherited), so Values live in sets and dicts.
    # Comparisons give plain booleans (ndarrays for arrays): no gradient flows through them.
    def __lt__(self, other: Any) -> Any:
        return self.data < raw(other)

    def __le__(self, other: Any) -> Any:
        return self.data <= raw(other)

    def __gt__(self, other: Any) -> Any:
        return self.data > raw(other)

    def __ge__(self, other: Any) -> Any:
        return self.data >= raw(other)


_ENGINE_BACKWARD: list[Callable[..., None]] = []


def _engine_backward() -> Callable[..., None]:
    """autograd.engine.backward, imported on the first backward pass (an import statement costs a
    microsecond each time it runs; this is the one import pointing back up, see the module docstring)."""
    from autograd.engine import backward

    _ENGINE_BACKWARD.append(backward)
    return backward


def op_node(data: Any, prim: Any, inputs: tuple[Any, ...], params: dict[str, Any] | None) -> Value:
    """An op's output (internal: no validation). Every slot is set here; the two hot paths of
    autograd/apply.py write the same statements out inline, and a test checks every path sets every slot."""
    node = _new(Value)
    node.data = data
    node.requires_grad = True
    if len(inputs) == 2:
        node._in0, node._in1 = inputs
    elif len(inputs) == 1:
        node._in0 = inputs[0]
        node._in1 = NO_INPUT
    elif inputs:
        node._in0 = tuple(inputs)
        node._in1 = VARIADIC
    else:
        node._in0 = node._in1 = NO_INPUT
    node._prim = prim
    node._g = None
    node._extras = Extras("", params) if params else None
    return node


def constant(data: Any) -> Value:
    """A result computed while nothing required a gradient: a leaf that does not require grad (internal)."""
    value = op_node(data, None, (), None)
    value.requires_grad = False
    return value


def _holds_a_value(items: list[Any] | tuple[Any, ...]) -> bool:
    """Whether a nested list or tuple holds a Value anywhere (checked without recursion)."""
    stack: list[Any] = [items]
    while stack:
        for item in stack.pop():
            if isinstance(item, Value):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False
