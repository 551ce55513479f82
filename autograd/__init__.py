"""autograd: a reverse-mode automatic differentiation engine over scalars and NumPy arrays.

>>> from autograd import Value
>>> a = Value(2.0); b = Value(-3.0)
>>> c = a * b + b ** 2
>>> c.backward()
>>> a.grad, b.grad
(-3.0, -4.0)
"""

from autograd import ops as _ops
from autograd import program, viz
from autograd.anomaly import detect_anomaly
from autograd.checking import AccuracyReport, GradcheckError, accuracy, gradcheck, gradgradcheck, numerical_grad
from autograd.function import Function
from autograd.functional import grad, hessian, hvp, jacobian, jvp, value_and_grad
from autograd.mode import enable_grad, is_grad_enabled, no_grad
from autograd.ops import (
    absolute,
    add,
    broadcast_to,
    clip,
    concatenate,
    cos,
    divide,
    einsum,
    erf,
    erfc,
    exp,
    expm1,
    linear,
    log,
    log1p,
    logsumexp,
    matmul,
    maximum,
    mean,
    minimum,
    multiply,
    negative,
    pad,
    power,
    relu,
    reshape,
    sigmoid,
    sin,
    sliding_window_view,
    sqrt,
    squeeze,
    stack,
    subtract,
    sum_of_squares,
    tanh,
    transpose,
    unbroadcast,
    unsqueeze,
    var,
    vdot,
    where,
)
from autograd.registry import REGISTRY, Primitive
from autograd.value import Value

# Reductions keep NumPy's names, which shadow Python's builtins inside this namespace only.
sum = _ops.sum  # noqa: A001
max = _ops.max  # noqa: A001
min = _ops.min  # noqa: A001
abs = absolute  # noqa: A001

__all__ = [
    "REGISTRY", "AccuracyReport", "Function", "GradcheckError", "Primitive", "Value", "abs", "absolute", "accuracy",
    "add", "broadcast_to", "clip", "concatenate", "cos", "detect_anomaly", "divide", "enable_grad", "erf", "exp",
    "grad", "gradcheck", "gradgradcheck", "hessian", "hvp", "is_grad_enabled", "jacobian", "jvp", "linear", "log",
    "log1p", "logsumexp",
    "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "negative", "no_grad", "numerical_grad",
    "power", "relu", "reshape", "sigmoid", "sin", "sqrt", "squeeze", "stack", "subtract", "sum", "tanh", "transpose",
    "unbroadcast", "unsqueeze", "value_and_grad", "var", "vdot", "viz", "where",
    "einsum", "erfc", "expm1", "pad", "sliding_window_view", "program", "sum_of_squares",
]
