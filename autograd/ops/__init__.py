"""Every op of the engine, and the one place that gives Value its operators and op methods.

The primitives, each registered with its forward rule and VJPs side by side
(see :mod:`autograd.registry`), live by family:

- :mod:`autograd.ops.elementwise`: add ... power, maximum, minimum, where, exp, log, tanh, erf, erfc, log1p, expm1,
  relu
- :mod:`autograd.ops.shapes`: reshape, transpose, getitem / scatter_add, concatenate, pad,
  sliding_window_view / add_windows
- :mod:`autograd.ops.reductions`: sum, max, min, logsumexp, and broadcast_to (a sum's transpose)
- :mod:`autograd.ops.linalg`: matmul, linear, vdot, sum_of_squares, einsum

and :mod:`autograd.ops.composites` builds mean, var, sigmoid, clip, squeeze,
unsqueeze and stack from them (no derivative of their own). Every function accepts
Values, ndarrays and Python numbers: with a Value among its arguments it records a
graph node, otherwise it is plain NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd.ops.pytorch as pytorch
from autograd.apply import binary_operator, unary_method
from autograd.arrays import pytorch_spelling
from autograd.ops.composites import clip, mean, sigmoid, squeeze, stack, unsqueeze, var
from autograd.ops.elementwise import (
    ABSOLUTE,
    ADD,
    ASTYPE,
    COS,
    DIVIDE,
    ERF,
    ERFC,
    EXP,
    EXPM1,
    LOG,
    LOG1P,
    MAXIMUM,
    MINIMUM,
    MULTIPLY,
    NEGATIVE,
    POWER,
    RELU,
    SIN,
    SQRT,
    SUBTRACT,
    TANH,
    WHERE,
    absolute,
    add,
    astype,
    cos,
    divide,
    erf,
    erfc,
    exp,
    expm1,
    log,
    log1p,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    relu,
    sin,
    sqrt,
    subtract,
    tanh,
    where,
)
from autograd.ops.linalg import (
    EINSUM,
    LINEAR,
    MATMUL,
    SUM_OF_SQUARES,
    VDOT,
    einsum,
    linear,
    matmul,
    sum_of_squares,
    vdot,
)
from autograd.ops.reductions import (
    BROADCAST_TO,
    LOGSUMEXP,
    MAX,
    MIN,
    SUM,
    broadcast_to,
    logsumexp,
    max,  # noqa: A004
    min,  # noqa: A004
    sum,  # noqa: A004
    unbroadcast,
)
from autograd.ops.shapes import (
    ADD_WINDOWS,
    CONCATENATE,
    GETITEM,
    PAD,
    RESHAPE,
    SCATTER_ADD,
    SLIDING_WINDOW_VIEW,
    TRANSPOSE,
    add_windows,
    concatenate,
    getitem,
    pad,
    reshape,
    scatter_add,
    sliding_window_view,
    transpose,
)
from autograd.value import Value

__all__ = [
    "ABSOLUTE", "ADD", "BROADCAST_TO", "CONCATENATE", "COS", "DIVIDE", "ERF", "EXP", "GETITEM", "LINEAR", "LOG",
    "LOGSUMEXP", "MATMUL", "MAX", "MAXIMUM", "MIN", "MINIMUM", "MULTIPLY", "NEGATIVE", "POWER", "RESHAPE",
    "SCATTER_ADD", "SIN", "SQRT", "SUBTRACT", "SUM", "TANH", "TRANSPOSE", "VDOT", "WHERE",
    "absolute", "add", "broadcast_to", "clip", "concatenate", "cos", "divide", "erf", "exp", "getitem", "linear",
    "log", "log1p", "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "negative", "power",
    "relu", "reshape", "scatter_add", "sigmoid", "sin", "sqrt", "squeeze", "stack", "subtract", "sum", "tanh",
    "transpose", "unbroadcast", "unsqueeze", "var", "vdot", "where", "SUM_OF_SQUARES", "sum_of_squares",
    "ADD_WINDOWS", "EINSUM", "ERFC", "EXPM1", "LOG1P", "RELU", "PAD", "SLIDING_WINDOW_VIEW",
    "add_windows", "einsum", "erfc", "expm1", "pad", "sliding_window_view", "ASTYPE", "astype",
]


# ---------------------------------------------------------------------------
# Value's operators and methods (declared in autograd/value.py for type checkers)

# Each arithmetic operator is its primitive's binary operator, so that an op runs in one frame.
for _name, _primitive, _reflected in (
    ("__add__", ADD, False), ("__radd__", ADD, True),
    ("__sub__", SUBTRACT, False), ("__rsub__", SUBTRACT, True),
    ("__mul__", MULTIPLY, False), ("__rmul__", MULTIPLY, True),
    ("__truediv__", DIVIDE, False), ("__rtruediv__", DIVIDE, True),
    ("__pow__", POWER, False), ("__rpow__", POWER, True),
    ("__matmul__", MATMUL, False), ("__rmatmul__", MATMUL, True),
):
    setattr(Value, _name, binary_operator(_primitive, _reflected))

for _name, _primitive in (
    ("__neg__", NEGATIVE), ("__abs__", ABSOLUTE), ("abs", ABSOLUTE), ("exp", EXP), ("log", LOG), ("sqrt", SQRT),
    ("tanh", TANH), ("sin", SIN), ("cos", COS), ("erf", ERF),
    ("erfc", ERFC), ("log1p", LOG1P), ("expm1", EXPM1), ("relu", RELU),
):
    setattr(Value, _name, unary_method(_primitive))


def _reshape_method(self: Value, *shape: Any) -> Value:
    """v.reshape(2, 3) or v.reshape((2, 3))."""
    return reshape(self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape)  # type: ignore[no-any-return]


def _transpose_method(self: Value, *axes: Any) -> Value:
    """v.transpose() reverses the axes; v.transpose(1, 0, 2) or v.transpose((1, 0, 2)) permutes them."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return transpose(self, tuple(axes) if axes else None)  # type: ignore[no-any-return]


def _numpy_reduction(function: Any) -> Any:
    """A reduction method that also takes NumPy's dtype= and out= (np.sum(v) passes them), which it refuses."""

    def method(self: Value, axis: Any = None, keepdims: bool = False, *, dtype: Any = None, out: Any = None,
               **kwargs: Any) -> Value:
        if out is not None:
            raise TypeError(f"{function.__name__}: out= is not supported (a Value is never written in place)")
        if dtype is not None and np.dtype(dtype) != self.dtype:
            raise TypeError(f"{function.__name__}: dtype={dtype} differs from the Value's {self.dtype}; "
                            "convert the data first")
        if kwargs:  # PyTorch's dim= / keepdim=
            axis, keepdims = pytorch_spelling(function.__name__, axis, keepdims, kwargs)
        return function(self, axis, keepdims)  # type: ignore[no-any-return]

    method.__name__ = function.__name__
    method.__doc__ = function.__doc__
    return method


for _name, _method in (
    ("__getitem__", getitem), ("maximum", maximum), ("minimum", minimum), ("sum", _numpy_reduction(sum)),
    ("max", _numpy_reduction(max)), ("min", _numpy_reduction(min)), ("mean", _numpy_reduction(mean)),
    ("var", var), ("logsumexp", logsumexp), ("broadcast_to", broadcast_to),
    ("squeeze", squeeze), ("unsqueeze", unsqueeze), ("sigmoid", sigmoid), ("clip", clip),
    ("reshape", _reshape_method), ("transpose", _transpose_method), ("flatten", pytorch.flatten),
    # PyTorch's names (autograd/ops/pytorch.py)
    ("pow", pytorch.pow), ("permute", pytorch.permute), ("view", pytorch.view), ("clone", pytorch.clone),
    ("argmax", pytorch.argmax), ("argmin", pytorch.argmin), ("softmax", pytorch.softmax),
    ("log_softmax", pytorch.log_softmax), ("tolist", pytorch.tolist), ("t", pytorch.t), ("clamp", pytorch.clamp),
    ("float", pytorch.to_float32), ("double", pytorch.to_float64),
    ("zero_", pytorch.zero_), ("fill_", pytorch.fill_), ("copy_", pytorch.copy_), ("clamp_", pytorch.clamp_),
):
    setattr(Value, _name, _method)
Value.mT = property(pytorch.matrix_transpose, doc="The last two axes swapped.")  # type: ignore[method-assign, assignment]

# In place without a graph, a new node while recording (the rule: autograd/ops/pytorch.py's docstring)
for _ufunc, _operator, _symbol, _method_name in (
    (np.add, "__add__", "+", "add_"), (np.subtract, "__sub__", "-", "sub_"),
    (np.multiply, "__mul__", "*", "mul_"), (np.divide, "__truediv__", "/", "div_"),
):
    setattr(Value, _operator.replace("__", "__i", 1), pytorch._in_place_operator(_ufunc, _operator, _symbol))
    setattr(Value, _method_name, pytorch._in_place_method(_ufunc, _method_name, _symbol))
Value.T = property(lambda self: transpose(self, None), doc="The array with its axes reversed.")  # type: ignore[method-assign, assignment]
