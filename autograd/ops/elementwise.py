"""The elementwise primitives: forward rules and VJPs side by side.

Each function here accepts Values, ndarrays and Python numbers alike: with a
Value among its arguments it records a graph node, otherwise it is plain NumPy.
The VJPs are written with these same functions, so the first-order backward
pass runs them on ndarrays and ``create_graph=True`` runs them on Values.

Derivative conventions at kinks follow PyTorch: d|x|/dx = 0 at 0, maximum and
minimum split the gradient equally on ties (max/min reductions, in
:mod:`autograd.ops.reductions`, share it among tied elements).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from autograd.apply import call, call_binary, call_unary
from autograd.arrays import add_reduce, all_finite, broadcast_axes, normalize
from autograd.arrays import raw as _raw
from autograd.registry import PRODUCT_RULE, SUM_RULE, Primitive, register
from autograd.value import Value

# ---------------------------------------------------------------------------
# elementwise binary: NumPy broadcasting; the engine reduces each gradient back
# to its input's shape with ``unbroadcast``.

ADD = register(Primitive("add", operator.add, (
    lambda g, ans, x, y: g,                                  # d(x+y)/dx = 1
    lambda g, ans, x, y: g,                                  # d(x+y)/dy = 1
), fast_vjp=SUM_RULE, exact=lambda m, x, y: x + y))

SUBTRACT = register(Primitive("subtract", operator.sub, (
    lambda g, ans, x, y: g,                                  # d(x-y)/dx = 1
    lambda g, ans, x, y: -g,                                 # d(x-y)/dy = -1
), exact=lambda m, x, y: x - y))

MULTIPLY = register(Primitive("multiply", operator.mul, (
    lambda g, ans, x, y: g * y,                              # d(xy)/dx = y
    lambda g, ans, x, y: g * x,                              # d(xy)/dy = x
), fast_vjp=PRODUCT_RULE, exact=lambda m, x, y: x * y))

def _divide_vjp_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    """d(x/y)/dy = -x/y^2 = -ans/y. When y was broadcast (a softmax's or a norm's denominator), g * ans is
    summed back to y's shape first, so the division runs on the small array."""
    if type(y) is np.ndarray and type(ans) is np.ndarray and type(g) is np.ndarray and y.size < ans.size:
        summed = add_reduce(g * ans, broadcast_axes(ans.shape, y.shape), None, None, True)
        return -(summed.reshape(y.shape) / y)
    return -divide(g * ans, y)


DIVIDE = register(Primitive("divide", operator.truediv, (
    lambda g, ans, x, y: divide(g, y),                       # d(x/y)/dx = 1/y
    _divide_vjp_y,                                           # d(x/y)/dy = -ans/y
), exact=lambda m, x, y: m.divide(x, y)))



def _power_forward(x: Any, y: Any) -> Any:
    out = x ** y
    return math.nan if type(out) is complex else out  # a negative float to a fractional power


def _power_vjp_exponent(g: Any, ans: Any, x: Any, y: Any) -> Any:
    """d(x^y)/dy = x^y log x; 0 where x == 0 and y >= 0, NaN for a negative base (as PyTorch)."""
    base = _raw(x)
    positive = base > 0
    log_x = log(where(positive, x, 1.0))
    zero_base = np.logical_and(base == 0, _raw(y) >= 0)
    zero_or_nan = np.where(zero_base, 0.0, math.nan).astype(np.result_type(base, _raw(y)))  # not float64 always
    return where(positive, g * ans * log_x, zero_or_nan)


def _power_vjp_base(g: Any, ans: Any, x: Any, y: Any) -> Any:
    """d(x^y)/dx = y x^(y-1); 0 at x = 0 with y = 0 (x^0 is constant there too, as PyTorch, where the
    formula would be 0 * 0^-1 = NaN)."""
    undefined = np.logical_and(_raw(y) == 0, _raw(x) == 0)
    if not np.any(undefined):
        return g * y * power(x, y - 1)
    base = where(undefined, 1.0, x)  # keeps 0^-1 out of the product
    return where(undefined, 0.0, g * y * power(base, y - 1))


POWER = register(Primitive("power", _power_forward, (_power_vjp_base, _power_vjp_exponent),
                           exact=lambda m, x, y: m.power(x, y)))


def _maximum_forward(x: Any, y: Any) -> Any:
    if type(x) is float and type(y) is float:
        return x if x >= y or x != x else y
    return np.maximum(x, y)


def _minimum_forward(x: Any, y: Any) -> Any:
    if type(x) is float and type(y) is float:
        return x if x <= y or x != x else y
    return np.minimum(x, y)


def _share(x: Any, y: Any) -> Any:
    """1 where x wins, 0 where it loses, 1/2 on a tie (the gradient share of ``x``)."""
    a, b = _raw(x), _raw(y)
    share = (a > b) + 0.5 * (a == b)
    if type(a) is float and type(b) is float:
        return share
    return np.asarray(share, dtype=np.result_type(a, b))  # bools make float64: keep float32 float32


MAXIMUM = register(Primitive("maximum", _maximum_forward, (
    lambda g, ans, x, y: g * _share(x, y),                   # 1 where x > y
    lambda g, ans, x, y: g * _share(y, x),
), exact=lambda m, x, y: m.maximum(x, y)))

MINIMUM = register(Primitive("minimum", _minimum_forward, (
    lambda g, ans, x, y: g * _share(y, x),                   # 1 where x < y
    lambda g, ans, x, y: g * _share(x, y),
), exact=lambda m, x, y: m.minimum(x, y)))


def _where_forward(a: Any, b: Any, cond: Any) -> Any:
    if type(a) is float and type(b) is float and not isinstance(cond, np.ndarray):
        return a if cond else b
    if (type(b) is float and b == 0.0 and type(a) is np.ndarray and a.dtype.kind == "f" and type(cond) is np.ndarray
            and cond.shape == a.shape and cond.dtype == np.bool_ and all_finite(a)):
        # where(cond, a, 0) as a * cond (a few times faster than np.where with a scalar):
        # exact when a is finite, and + 0.0 turns the -0.0 of negative a into 0.0.
        out = a * cond
        out += 0.0
        return out
    return np.where(cond, a, b)


WHERE = register(Primitive("where", _where_forward, (
    lambda g, ans, a, b, cond: where(cond, g, 0.0),          # flows to a where cond holds
    lambda g, ans, a, b, cond: where(cond, 0.0, g),          # and to b elsewhere
), exact=lambda m, a, b, cond: np.where(cond, a, b)))

# ---------------------------------------------------------------------------
# elementwise unary

NEGATIVE = register(Primitive("negative", operator.neg, (
    lambda g, ans, x: -g,                                    # d(-x)/dx = -1
), exact=lambda m, x: -x))

EXP = register(Primitive("exp", np.exp, (
    lambda g, ans, x: g * ans,                               # d e^x/dx = e^x
), scalar_forward=math.exp, exact=lambda m, x: m.exp(x)))

LOG = register(Primitive("log", np.log, (
    lambda g, ans, x: divide(g, x),                          # d log x/dx = 1/x
), scalar_forward=math.log, exact=lambda m, x: m.log(x)))

SQRT = register(Primitive("sqrt", np.sqrt, (
    lambda g, ans, x: divide(g * 0.5, ans),                  # d sqrt(x)/dx = 1/(2 sqrt(x))
), scalar_forward=math.sqrt, exact=lambda m, x: m.sqrt(x)))


def _sign(x: Any) -> Any:
    x = _raw(x)
    return float((x > 0) - (x < 0)) if type(x) is float else np.sign(x)


ABSOLUTE = register(Primitive("absolute", np.abs, (
    lambda g, ans, x: g * _sign(x),                          # d|x|/dx = sign(x), 0 at 0
), scalar_forward=abs, exact=lambda m, x: m.abs(x)))

_COSH_LIMIT = {np.dtype(np.float32): 88.0, np.dtype(np.float64): 710.0}  # cosh stays finite below these


def _tanh_vjp(g: Any, ans: Any, x: Any) -> Any:
    """d tanh x/dx = 1 - tanh^2 x = 1 / cosh^2 x = 4e / (1 + e)^2 with e = exp(-2|x|).

    The last forms are accurate everywhere; the first loses every digit once tanh x
    rounds to 1 (|x| > 19 in float64), where the derivative is still about 4e. First
    order on raw data computes 1 / cosh^2 (five array operations: g / c / c, with |x|
    capped where the derivative is 0 anyway so that cosh never overflows); the Value
    form, which create_graph records, is 4e / (1 + e)^2. The fuzzer compares the two.
    """
    if type(x) is float:
        e = math.exp(-2.0 * abs(x))
        return g * (4.0 * e) / ((1.0 + e) * (1.0 + e))
    if type(x) is np.ndarray and x.ndim and x.dtype in _COSH_LIMIT:  # (a 0-d array: the form below)
        c = np.abs(x)
        np.minimum(c, _COSH_LIMIT[x.dtype], out=c)
        np.cosh(c, out=c)
        out = g / c
        out /= c
        return out
    e = exp(-2.0 * absolute(x))
    one_plus_e = 1.0 + e
    return g * (4.0 * e) / (one_plus_e * one_plus_e)


def _relu_forward(x: Any) -> Any:
    return np.maximum(x, 0.0)  # NaN stays NaN; -0.0 becomes 0.0


def _relu_vjp(g: Any, ans: Any, x: Any) -> Any:
    """d relu(x)/dx = 1 where x > 0 (and where x is NaN, as PyTorch), else 0 (0 at the kink).

    Read from the output: relu(x) <= 0 exactly where x <= 0. The gradient there is 0
    even when g is NaN or infinite (PyTorch's threshold_backward): where() gives that, as
    g * mask when g is finite (np.where itself is several times slower on large arrays; on
    small ones it is the faster, and tests/test_value.py compares the two).
    """
    if type(g) is float and type(ans) is float:
        return 0.0 if ans <= 0.0 else g
    out = _raw(ans)
    if type(g) is np.ndarray and type(out) is np.ndarray and out.size <= _SMALL and g.shape == out.shape:
        zero = _ZEROS.get(out.dtype, 0.0)  # small arrays: one np.where, the cheapest there
        return np.where(out <= zero, zero, g)
    return where(not out <= 0.0 if type(out) is float else ~(out <= 0.0), g, 0.0)


_SMALL = 2048  # elements: up to here np.where's fixed cost is lower than where()'s finite check and product
_ZEROS = {np.dtype(t): np.zeros((), t) for t in (np.float64, np.float32)}


RELU = register(Primitive("relu", _relu_forward, (_relu_vjp,), scalar_forward=lambda x: 0.0 if x <= 0.0 else x,
                          exact=lambda m, x: m.maximum(x, 0.0)))

TANH = register(Primitive("tanh", np.tanh, (_tanh_vjp,), scalar_forward=math.tanh, exact=lambda m, x: m.tanh(x)))

SIN = register(Primitive("sin", np.sin, (
    lambda g, ans, x: g * (np.cos(x) if type(x) is np.ndarray else cos(x)),  # d sin x/dx = cos x
), scalar_forward=math.sin, exact=lambda m, x: m.sin(x)))

COS = register(Primitive("cos", np.cos, (
    lambda g, ans, x: -(g * (np.sin(x) if type(x) is np.ndarray else sin(x))),  # d cos x/dx = -sin x
), scalar_forward=math.cos, exact=lambda m, x: m.cos(x)))

_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _erf_forward(x: Any) -> Any:
    """erf to float64 round-off: math.erf applied elementwise (NumPy has no erf)."""
    x = np.asarray(x)
    return np.asarray(_erf_ufunc(x), dtype=x.dtype)  # a 0-d input gives a Python float, not an array


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

ERF = register(Primitive("erf", _erf_forward, (
    lambda g, ans, x: g * _TWO_OVER_SQRT_PI * exp(-(x * x)),  # d erf x/dx = 2/sqrt(pi) e^(-x^2)
), scalar_forward=math.erf, exact=lambda m, x: m.erf(x)))

_erfc_ufunc = np.frompyfunc(math.erfc, 1, 1)


def _erfc_forward(x: Any) -> Any:
    """erfc = 1 - erf to float64 round-off, with no cancellation: erfc(26) is 5.7e-296, not 0."""
    x = np.asarray(x)
    return np.asarray(_erfc_ufunc(x), dtype=x.dtype)


ERFC = register(Primitive("erfc", _erfc_forward, (
    lambda g, ans, x: -(g * _TWO_OVER_SQRT_PI) * exp(-(x * x)),  # d erfc x/dx = -2/sqrt(pi) e^(-x^2)
), scalar_forward=math.erfc, exact=lambda m, x: m.erfc(x)))

LOG1P = register(Primitive("log1p", np.log1p, (
    lambda g, ans, x: divide(g, 1.0 + x),                    # d log(1+x)/dx = 1/(1+x)
), scalar_forward=math.log1p, exact=lambda m, x: m.log1p(x)))

EXPM1 = register(Primitive("expm1", np.expm1, (
    lambda g, ans, x: g * exp(x),                            # d (e^x - 1)/dx = e^x (not expm1(x) + 1: it
    # would be 0 where e^x < 2^-53)
), scalar_forward=math.expm1, exact=lambda m, x: m.expm1(x)))

ASTYPE = register(Primitive("astype", lambda x, dtype: np.asarray(x).astype(dtype), (
    lambda g, ans, x, dtype: astype(g, np.result_type(_raw(x))),  # d/dx = 1: the gradient converted back
), exact=lambda m, x, dtype: x))  # exactly the same number (only its rounding to dtype differs)


# ---------------------------------------------------------------------------
# the functions users and VJPs call (Values, ndarrays and numbers alike)


def add(x: Any, y: Any) -> Any:
    """x + y."""
    return call_binary(ADD, x, y)


def subtract(x: Any, y: Any) -> Any:
    """x - y."""
    return call_binary(SUBTRACT, x, y)


def multiply(x: Any, y: Any) -> Any:
    """x * y."""
    return call_binary(MULTIPLY, x, y)


def divide(x: Any, y: Any) -> Any:
    """x / y (x/0 gives inf or NaN as in NumPy, never an exception)."""
    return call_binary(DIVIDE, x, y)


def power(x: Any, y: Any) -> Any:
    """x ** y; y may be a Value too."""
    return call_binary(POWER, x, y)


def maximum(x: Any, y: Any) -> Any:
    """Elementwise maximum."""
    return call_binary(MAXIMUM, x, y)


def minimum(x: Any, y: Any) -> Any:
    """Elementwise minimum."""
    return call_binary(MINIMUM, x, y)


def where(cond: Any, a: Any, b: Any) -> Any:
    """a where cond holds, b elsewhere; ``cond`` is a constant (bool array or bool)."""
    if type(cond) is bool and type(a) is float and type(b) is float:  # raw scalars (a ReLU's VJP)
        return a if cond else b
    cond = _raw(cond)
    if isinstance(cond, (list, tuple)):
        cond = np.asarray(cond)
    if not isinstance(a, Value) and not isinstance(b, Value):  # raw data: plain NumPy, no detour
        return normalize(_where_forward(a, b, cond))
    return call(WHERE, a, b, cond=cond)


def negative(x: Any) -> Any:
    """-x."""
    return call_unary(NEGATIVE, x)


def exp(x: Any) -> Any:
    """e^x."""
    return call_unary(EXP, x)


def log(x: Any) -> Any:
    """Natural logarithm."""
    return call_unary(LOG, x)


def sqrt(x: Any) -> Any:
    """Square root."""
    return call_unary(SQRT, x)


def absolute(x: Any) -> Any:
    """|x|."""
    return call_unary(ABSOLUTE, x)


def relu(x: Any) -> Any:
    """max(x, 0); derivative 1 for x > 0 and 0 otherwise (0 at the kink, as PyTorch). NaN stays NaN."""
    return call_unary(RELU, x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return call_unary(TANH, x)


def sin(x: Any) -> Any:
    """Sine."""
    return call_unary(SIN, x)


def cos(x: Any) -> Any:
    """Cosine."""
    return call_unary(COS, x)


def erf(x: Any) -> Any:
    """The error function, accurate to float64 round-off."""
    return call_unary(ERF, x)



def erfc(x: Any) -> Any:
    """The complementary error function 1 - erf(x), accurate to round-off for large x (no cancellation)."""
    return call_unary(ERFC, x)


def log1p(x: Any) -> Any:
    """log(1 + x), accurate for tiny x (log1p(1e-20) = 1e-20, where log(1 + x) gives 0)."""
    return call_unary(LOG1P, x)


def expm1(x: Any) -> Any:
    """e^x - 1, accurate for tiny x (expm1(1e-20) = 1e-20, where exp(x) - 1 gives 0)."""
    return call_unary(EXPM1, x)


def astype(x: Any, dtype: Any) -> Any:
    """x converted to float32 or float64; d/dx = 1 (the gradient is converted back to x's dtype)."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"astype: dtype must be float32 or float64, got {dtype}")
    return call(ASTYPE, x, dtype=dtype)
