"""The elementwise, reduction and shape primitives: forward rules and VJPs side by side.

The matrix primitives (matmul, linear, vdot) are in :mod:`autograd.linalg`; both
register into the one registry of :mod:`autograd.primitive`.

Each function here accepts Values, ndarrays and Python numbers alike: with a
Value among its arguments it records a graph node, otherwise it is plain NumPy.
The VJPs are written with these same functions, so the first-order backward
pass runs them on ndarrays and ``create_graph=True`` runs them on Values.

Derivative conventions at kinks follow PyTorch: d|x|/dx = 0 at 0, maximum and
minimum split the gradient equally on ties, max/min reductions share it among
tied elements.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.primitive import (
    PerInput,
    Primitive,
    binary_operator,
    call,
    call_binary,
    call_unary,
    normalize,
    register,
    shape_of,
)


def _raw(x: Any) -> Any:
    """The data of a Value, or x itself (masks and shapes are computed on raw data)."""
    return x.data if isinstance(x, Value) else x


# ---------------------------------------------------------------------------
# elementwise binary: NumPy broadcasting; the engine reduces each gradient back
# to its input's shape with ``unbroadcast``.

ADD = register(Primitive("add", operator.add, (
    lambda g, ans, x, y: g,                                  # d(x+y)/dx = 1
    lambda g, ans, x, y: g,                                  # d(x+y)/dy = 1
)))

SUBTRACT = register(Primitive("subtract", operator.sub, (
    lambda g, ans, x, y: g,                                  # d(x-y)/dx = 1
    lambda g, ans, x, y: -g,                                 # d(x-y)/dy = -1
)))

MULTIPLY = register(Primitive("multiply", operator.mul, (
    lambda g, ans, x, y: g * y,                              # d(xy)/dx = y
    lambda g, ans, x, y: g * x,                              # d(xy)/dy = x
)))

DIVIDE = register(Primitive("divide", operator.truediv, (
    lambda g, ans, x, y: divide(g, y),                       # d(x/y)/dx = 1/y
    lambda g, ans, x, y: -divide(g * ans, y),                # d(x/y)/dy = -x/y^2 = -ans/y
)))


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


POWER = register(Primitive("power", _power_forward, (
    lambda g, ans, x, y: g * y * power(x, y - 1),            # d(x^y)/dx = y x^(y-1)
    _power_vjp_exponent,
)))


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
)))

MINIMUM = register(Primitive("minimum", _minimum_forward, (
    lambda g, ans, x, y: g * _share(y, x),                   # 1 where x < y
    lambda g, ans, x, y: g * _share(x, y),
)))


# ndarray.sum goes through a Python-level wrapper in NumPy; the ufunc's reduce does not.
_add_reduce: Callable[..., Any] = np.add.reduce


def _all_finite(a: np.ndarray) -> bool:
    """Whether a float array holds no inf or NaN, judged by its squared norm (one BLAS pass).

    The norm is inf or NaN when any element is; it can also overflow for finite
    elements beyond about 1e19 (float32) or 1e154 (float64): then the answer is
    False, which only sends the caller to its slower general path.
    """
    return math.isfinite(np.vdot(a, a))


def _operand(x: Any) -> Any:
    """Nested lists and tuples as arrays (reductions need the operand's shape first)."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def _where_forward(a: Any, b: Any, cond: Any) -> Any:
    if type(a) is float and type(b) is float and not isinstance(cond, np.ndarray):
        return a if cond else b
    if (type(b) is float and b == 0.0 and type(a) is np.ndarray and a.dtype.kind == "f" and type(cond) is np.ndarray
            and cond.shape == a.shape and cond.dtype == np.bool_ and _all_finite(a)):
        # where(cond, a, 0) as a * cond (a few times faster than np.where with a scalar):
        # exact when a is finite, and + 0.0 turns the -0.0 of negative a into 0.0.
        out = a * cond
        out += 0.0
        return out
    return np.where(cond, a, b)


WHERE = register(Primitive("where", _where_forward, (
    lambda g, ans, a, b, cond: where(cond, g, 0.0),          # flows to a where cond holds
    lambda g, ans, a, b, cond: where(cond, 0.0, g),          # and to b elsewhere
)))

# ---------------------------------------------------------------------------
# elementwise unary

NEGATIVE = register(Primitive("negative", operator.neg, (
    lambda g, ans, x: -g,                                    # d(-x)/dx = -1
)))

EXP = register(Primitive("exp", np.exp, (
    lambda g, ans, x: g * ans,                               # d e^x/dx = e^x
), scalar_forward=math.exp))

LOG = register(Primitive("log", np.log, (
    lambda g, ans, x: divide(g, x),                          # d log x/dx = 1/x
), scalar_forward=math.log))

SQRT = register(Primitive("sqrt", np.sqrt, (
    lambda g, ans, x: divide(g * 0.5, ans),                  # d sqrt(x)/dx = 1/(2 sqrt(x))
), scalar_forward=math.sqrt))


def _sign(x: Any) -> Any:
    x = _raw(x)
    return float((x > 0) - (x < 0)) if type(x) is float else np.sign(x)


ABSOLUTE = register(Primitive("absolute", np.abs, (
    lambda g, ans, x: g * _sign(x),                          # d|x|/dx = sign(x), 0 at 0
), scalar_forward=abs))

TANH = register(Primitive("tanh", np.tanh, (
    lambda g, ans, x: g * (1.0 - ans * ans),                 # d tanh x/dx = 1 - tanh^2 x
), scalar_forward=math.tanh))

SIN = register(Primitive("sin", np.sin, (
    lambda g, ans, x: g * cos(x),                            # d sin x/dx = cos x
), scalar_forward=math.sin))

COS = register(Primitive("cos", np.cos, (
    lambda g, ans, x: -(g * sin(x)),                         # d cos x/dx = -sin x
), scalar_forward=math.cos))

_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _erf_forward(x: Any) -> Any:
    """erf to float64 round-off: math.erf applied elementwise (NumPy has no erf)."""
    x = np.asarray(x)
    return np.asarray(_erf_ufunc(x), dtype=x.dtype)  # a 0-d input gives a Python float, not an array


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

ERF = register(Primitive("erf", _erf_forward, (
    lambda g, ans, x: g * _TWO_OVER_SQRT_PI * exp(-(x * x)),  # d erf x/dx = 2/sqrt(pi) e^(-x^2)
), scalar_forward=math.erf))

# ---------------------------------------------------------------------------
# reductions


def _normalize_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for an array of {ndim} dimension(s)")
        out.append(int(a) % ndim)
    return tuple(out)


def _kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The reduced shape with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _expand_reduced(g: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Broadcast a reduction's gradient back over the reduced axes."""
    shape = shape_of(x)
    if not keepdims:
        g = reshape(g, _kept_shape(shape, axis))
    return broadcast_to(g, shape)


def _as_array(x: Any) -> np.ndarray:
    """An ndarray view of x (forwards call ndarray methods, which skip NumPy's Python-level wrappers)."""
    return x if type(x) is np.ndarray else np.asarray(x)


SUM = register(Primitive("sum", lambda x, axis, keepdims: _add_reduce(_as_array(x), axis, None, None, keepdims), (
    lambda g, ans, x, axis, keepdims: _expand_reduced(g, x, axis, keepdims),  # d sum/dx_i = 1
)))


def _extremum_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """d max/dx_i = 1 at the maximum (shared equally among ties), 0 elsewhere."""
    shape = shape_of(x)
    kept = _kept_shape(shape, axis)
    winners = _raw(x) == np.reshape(_raw(ans), kept)
    share = (winners / np.sum(winners, axis=axis, keepdims=True)).astype(np.result_type(_raw(x)), copy=False)
    return _expand_reduced(g, x, axis, keepdims) * share


MAX = register(Primitive("max", lambda x, axis, keepdims: _as_array(x).max(axis=axis, keepdims=keepdims), (
    _extremum_vjp,
)))

MIN = register(Primitive("min", lambda x, axis, keepdims: _as_array(x).min(axis=axis, keepdims=keepdims), (
    _extremum_vjp,
)))

def _logsumexp_forward(x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """log(sum(exp(x))) as m + log(sum(exp(x - m))), m = max(x): exp never overflows."""
    x = _as_array(x)
    m = np.maximum.reduce(x, axis, keepdims=True)
    if not _all_finite(m):  # (also when the norm of finite maxima overflows: the branch is exact for them too)
        m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype, copy=False)  # all -inf (or inf): leave them to exp/log
    out = np.log(_add_reduce(np.exp(x - m), axis, keepdims=True))
    out += m
    return out if keepdims else out.reshape(_reduced_shape(x.shape, axis))


def _reduced_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The reduced shape with keepdims=False."""
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def _logsumexp_vjp(g: Any, ans: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """d logsumexp/dx_i = exp(x_i - logsumexp(x)), the softmax of x along ``axis``."""
    if not keepdims:
        kept = _kept_shape(shape_of(x), axis)
        g, ans = reshape(g, kept), reshape(ans, kept)
    return g * exp(x - ans)


LOGSUMEXP = register(Primitive("logsumexp", _logsumexp_forward, (_logsumexp_vjp,)))

# ---------------------------------------------------------------------------
# shape and indexing


def _reshape_forward(x: Any, shape: tuple[int, ...]) -> Any:
    return _as_array(x).reshape(shape)


RESHAPE = register(Primitive("reshape", _reshape_forward, (
    lambda g, ans, x, shape: reshape(g, shape_of(x)),        # undo the reshape
)))


def _inverse_axes(axes: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The permutation that undoes ``axes`` (None, a full reversal, is its own inverse)."""
    if axes is None:
        return None
    inverse = [0] * len(axes)
    for position, axis in enumerate(axes):
        inverse[axis] = position
    return tuple(inverse)


TRANSPOSE = register(Primitive("transpose", lambda x, axes: _as_array(x).transpose(axes), (
    lambda g, ans, x, axes: transpose(g, _inverse_axes(axes)),  # undo the permutation
)))


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum a gradient over the axes that broadcasting added or stretched, to return it to ``shape``.

    Broadcasting copies an input along new leading axes and along axes of length 1;
    the gradient of a copy is the sum of the copies' gradients.
    """
    gshape = shape_of(g)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
    )
    if axes:
        g = sum(g, axes, True)
    return reshape(g, shape)


BROADCAST_TO = register(Primitive("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), (
    lambda g, ans, x, shape: unbroadcast(g, shape_of(x)),    # sum over the copies
)))


def _is_basic(index: tuple[Any, ...]) -> bool:
    return builtins.all(
        isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in index
    )


def _scatter_add_forward(g: Any, shape: tuple[int, ...], index: tuple[Any, ...]) -> Any:
    out = np.zeros(shape, dtype=g.dtype if type(g) is np.ndarray else np.result_type(g))
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)  # repeated integer indices accumulate
    return out


GETITEM = register(Primitive("getitem", lambda x, index: x[index], (
    lambda g, ans, x, index: scatter_add(g, shape_of(x), index),  # route g back to the picked places
)))

SCATTER_ADD = register(Primitive("scatter_add", _scatter_add_forward, (
    lambda g, ans, x, shape, index: getitem(g, index),       # linear in x: its VJP picks
)))


def _concatenate_vjp(i: int, g: Any, ans: Any, *xs: Any, axis: int) -> Any:
    """The slice of g that input i filled."""
    sizes = [shape_of(x)[axis] for x in xs]
    start = builtins.sum(sizes[:i])
    index = (slice(None),) * axis + (slice(start, start + sizes[i]),)
    return getitem(g, index)


CONCATENATE = register(Primitive(
    "concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis), PerInput(_concatenate_vjp)
))

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


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
    if type(x) is np.ndarray:  # raw data (a VJP on the first-order path): plain NumPy
        return _add_reduce(x, axis, None, None, keepdims)
    x = _operand(x)
    return call(SUM, x, axis=_normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Largest element over ``axis``."""
    x = _operand(x)
    return call(MAX, x, axis=_normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """log(sum(exp(x))) over ``axis``, computed stably (the max is subtracted first); d/dx = softmax(x)."""
    x = _operand(x)
    return call(LOGSUMEXP, x, axis=_normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Smallest element over ``axis``."""
    x = _operand(x)
    return call(MIN, x, axis=_normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def reshape(x: Any, shape: Any) -> Any:
    """The same elements in a new shape."""
    if type(x) is np.ndarray:
        return x.reshape(shape)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
    return call(RESHAPE, x, shape=shape)


def transpose(x: Any, axes: Any = None) -> Any:
    """Permute axes (reverse them when ``axes`` is None)."""
    if type(x) is np.ndarray:
        return x.transpose(axes)
    return call(TRANSPOSE, x, axes=None if axes is None else _normalize_axis(tuple(axes), len(shape_of(x))))


def broadcast_to(x: Any, shape: Any) -> Any:
    """Repeat x along new or length-1 axes to ``shape`` (NumPy's rules)."""
    if type(x) is np.ndarray:  # raw data: a new array (NumPy's broadcast_to view costs more to make)
        out = np.empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    if type(x) is float:  # a float64 scalar gradient (the VJP of a sum of everything)
        return np.full(shape, x) if len(shape) else x
    return call(BROADCAST_TO, x, shape=tuple(int(n) for n in shape))


def _normalize_index(index: Any) -> tuple[Any, ...]:
    index = index if isinstance(index, tuple) else (index,)
    out: list[Any] = []
    for item in index:
        item = _raw(item)
        if isinstance(item, list):
            item = np.asarray(item)
        if isinstance(item, np.ndarray) and item.dtype == bool:
            out.extend(np.nonzero(item))  # a mask picks the positions where it is True
        else:
            out.append(item)
    return tuple(out)


def getitem(x: Any, index: Any) -> Any:
    """x[index]: ints, slices, None, ..., integer arrays (repeats accumulate) and boolean masks."""
    return call(GETITEM, x, index=_normalize_index(index))


def scatter_add(g: Any, shape: tuple[int, ...], index: Any) -> Any:
    """zeros(shape) with g added at ``index`` (the VJP of indexing)."""
    if type(g) is np.ndarray:  # raw data: plain NumPy
        return _scatter_add_forward(g, tuple(shape), _normalize_index(index))
    return call(SCATTER_ADD, g, shape=tuple(shape), index=_normalize_index(index))


def concatenate(values: Any, axis: int = 0) -> Any:
    """Join arrays along an existing axis."""
    values = list(values)
    if not values:
        raise ValueError("concatenate needs at least one array")
    ndim = len(shape_of(values[0]))
    if ndim == 0:
        raise ValueError("concatenate: zero-dimensional values cannot be concatenated")
    (axis,) = _normalize_axis(axis, ndim) or (0,)
    return call(CONCATENATE, *values, axis=axis)


# The matrix primitives live in autograd/linalg.py (they build on the functions above).
from autograd.linalg import LINEAR, MATMUL, VDOT, linear, matmul, vdot  # noqa: E402, F401
from autograd.value import Value  # noqa: E402

# Value's arithmetic operators, each the primitive's binary operator (one frame per op);
# @ is attached in autograd/linalg.py.
for _name, _primitive, _reflected in (
    ("__add__", ADD, False), ("__radd__", ADD, True),
    ("__sub__", SUBTRACT, False), ("__rsub__", SUBTRACT, True),
    ("__mul__", MULTIPLY, False), ("__rmul__", MULTIPLY, True),
    ("__truediv__", DIVIDE, False), ("__rtruediv__", DIVIDE, True),
    ("__pow__", POWER, False), ("__rpow__", POWER, True),
):
    setattr(Value, _name, binary_operator(_primitive, _reflected))
