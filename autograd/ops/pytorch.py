"""PyTorch's habits beside NumPy's spellings: in-place updates and the Value methods a PyTorch user types.

NumPy's spellings stay the primary ones (``axis``, ``keepdims``, ``reshape``, ``transpose``); these
are the second names, each a few lines over the primitives, defining no derivative. ``autograd/ops/__init__.py``
attaches them to Value (the one place that does so).

In-place updates follow one rule. When no graph is being recorded (inside ``no_grad``, or when
neither the Value nor the operand requires grad), ``p -= x``, ``p += x``, ``p *= x``, ``p /= x`` and
``p.sub_(x)``, ``add_``, ``mul_``, ``div_``, ``zero_``, ``copy_``, ``fill_``, ``clamp_`` change
``p.data`` in place and return ``p``, as PyTorch does, so ``with no_grad(): for p in params: p -= lr * p.grad``
trains. While a graph is recorded, ``c += x`` keeps micrograd's meaning ``c = c + x`` (a new node;
micrograd's README expression still gives 138.8338 / 645.5773), a method such as ``c.add_(x)``, which
cannot rebind ``c``, raises, and any in-place change of a leaf that requires grad raises PyTorch's error,
since it would change a value that the graph has already used.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.arrays import as_data, pytorch_spelling, raw
from autograd.mode import is_grad_enabled
from autograd.ops.composites import clip
from autograd.ops.elementwise import astype
from autograd.ops.reductions import logsumexp
from autograd.ops.shapes import reshape, transpose
from autograd.value import Value

LEAF_ERROR = "a leaf Value that requires grad is being used in an in-place operation."


# ---------------------------------------------------------------------------
# in-place updates


def _in_place_allowed(self: Value, operand: Any, what: str, method: bool) -> bool:
    """Whether ``what`` may change ``self.data`` in place now (see the module docstring); raises where PyTorch does."""
    if not is_grad_enabled():
        return True
    if self.requires_grad:
        if self._prim is None:
            raise RuntimeError(f"{what}: {LEAF_ERROR} Update it inside `with no_grad():`.")
    elif not (isinstance(operand, Value) and operand.requires_grad):
        return True
    if method:
        raise RuntimeError(f"{what}: a graph is being recorded and cannot be changed in place; write "
                           f"`c = c {what}` instead, or update the data inside `with no_grad():`")
    return False


def _write(self: Value, ufunc: Any, *operands: Any, what: str) -> Value:
    """self.data = ufunc(self.data, *operands), in place for an array (views see the change)."""
    data = self.data
    if type(data) is np.ndarray:
        try:
            ufunc(data, *operands, out=data, casting="same_kind")
        except ValueError as error:  # an operand that does not broadcast to self's shape, or read-only data
            raise ValueError(f"{what}: cannot update a Value of shape {data.shape} in place: {error}") from None
        return self
    result = ufunc(data, *operands)
    if np.shape(result) != ():
        raise ValueError(f"{what}: cannot update a scalar Value in place with an operand of shape {np.shape(result)}")
    self.data = as_data(result, dtype=self.dtype)
    return self


def _in_place_operator(ufunc: Any, operator: str, symbol: str) -> Any:
    """``p -= x`` and friends: in place without a graph, ``p = p - x`` (a new node) while recording."""

    def method(self: Value, other: Any) -> Value:
        if _in_place_allowed(self, other, f"{symbol}=", method=False):
            return _write(self, ufunc, raw(other), what=f"{symbol}=")
        return getattr(self, operator)(other)  # type: ignore[no-any-return]

    method.__name__ = operator.replace("__", "__i", 1)
    return method


def _in_place_method(ufunc: Any, name: str, symbol: str) -> Any:
    """``p.add_(x, alpha=1)`` and friends (alpha scales x, as PyTorch's add_ and sub_)."""

    def method(self: Value, other: Any, *, alpha: Any = 1) -> Value:
        _in_place_allowed(self, other, f"{symbol} x", method=True)
        operand = raw(other) if alpha == 1 else raw(other) * alpha
        return _write(self, ufunc, operand, what=name)

    method.__name__ = name
    method.__doc__ = f"self {symbol}= other (times alpha) in place, when no graph is recorded; returns self."
    return method


def zero_(self: Value) -> Value:
    """Set every element to 0 in place (no graph recorded); returns self."""
    return fill_(self, 0.0)


def fill_(self: Value, value: Any) -> Value:
    """Set every element to ``value`` in place (no graph recorded); returns self."""
    _in_place_allowed(self, value, "fill_", method=True)
    if type(self.data) is np.ndarray:
        self.data[...] = raw(value)
    else:
        self.data = as_data(float(raw(value)), dtype=self.dtype)
    return self


def copy_(self: Value, src: Any) -> Value:
    """Copy ``src``'s numbers into self in place (broadcast to self's shape, cast to its dtype); returns self."""
    _in_place_allowed(self, src, "copy_", method=True)
    src = np.asarray(raw(src))
    if type(self.data) is np.ndarray:
        np.copyto(self.data, np.broadcast_to(src, self.data.shape), casting="unsafe")
        return self
    if src.size != 1:
        raise ValueError(f"copy_: cannot copy an operand of shape {src.shape} into a scalar Value")
    self.data = as_data(src.reshape(()), dtype=self.dtype)
    return self


def clamp_(self: Value, min: Any = None, max: Any = None) -> Value:  # noqa: A002 (PyTorch's names)
    """Limit every element to [min, max] in place (no graph recorded); returns self."""
    _in_place_allowed(self, None, "clamp_", method=True)
    if min is None and max is None:
        raise ValueError("clamp_: give min, max or both")
    low = -np.inf if min is None else raw(min)
    high = np.inf if max is None else raw(max)
    return _write(self, np.clip, low, high, what="clamp_")


# ---------------------------------------------------------------------------
# methods under PyTorch's names (each a composition of primitives)


def _shape_args(shape: tuple[Any, ...]) -> Any:
    return shape[0] if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) else shape


def pow(self: Value, exponent: Any) -> Value:  # noqa: A001
    """self ** exponent."""
    return self ** exponent


def permute(self: Value, *dims: Any) -> Value:
    """The axes reordered: ``x.permute(2, 0, 1)`` is NumPy's ``x.transpose(2, 0, 1)``."""
    return transpose(self, tuple(_shape_args(dims)))  # type: ignore[no-any-return]


def view(self: Value, *shape: Any) -> Value:
    """``reshape`` under PyTorch's name. Unlike PyTorch's view it always works, also on a
    non-contiguous layout (a transpose): the result is then a copy, as ``reshape`` gives."""
    return reshape(self, _shape_args(shape))  # type: ignore[no-any-return]


def flatten(self: Value, start_dim: int = 0, end_dim: int = -1) -> Value:
    """Axes ``start_dim`` to ``end_dim`` (inclusive) merged into one; by default every axis (a 1-d result)."""
    shape = self.shape
    if not shape:
        return reshape(self, (1,))  # type: ignore[no-any-return]
    start, end = (d + len(shape) if d < 0 else d for d in (start_dim, end_dim))
    if not 0 <= start <= end < len(shape):
        raise IndexError(f"flatten: start_dim {start_dim} and end_dim {end_dim} do not fit a shape {shape}")
    return reshape(self, (*shape[:start], -1, *shape[end + 1:]))  # type: ignore[no-any-return]


def clone(self: Value) -> Value:
    """A copy of the data that stays in the graph (d clone/dx = 1), so changing it in place leaves self alone."""
    return self * 1.0


def _arg_reduction(function: Any, name: str) -> Any:
    def method(self: Value, axis: Any = None, keepdims: bool = False, **spelled: Any) -> np.ndarray:
        if spelled:
            axis, keepdims = pytorch_spelling(name, axis, keepdims, spelled)
        return function(np.asarray(self.data), axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    method.__name__ = name
    method.__doc__ = f"Indices of the {name[3:]}ima over ``axis`` (or ``dim``) as a raw integer ndarray (no gradient)."
    return method


argmax = _arg_reduction(np.argmax, "argmax")
argmin = _arg_reduction(np.argmin, "argmin")


def log_softmax(self: Value, axis: Any = None, **spelled: Any) -> Value:
    """x - logsumexp(x) over ``axis`` (or ``dim``; the last axis by default)."""
    if spelled:
        axis, _ = pytorch_spelling("log_softmax", axis, False, spelled)
    return self - logsumexp(self, -1 if axis is None else axis, keepdims=True)  # type: ignore[no-any-return]


def softmax(self: Value, axis: Any = None, **spelled: Any) -> Value:
    """exp(log_softmax(x)) over ``axis`` (or ``dim``; the last axis by default): stable for any inputs."""
    return log_softmax(self, axis, **spelled).exp()


def tolist(self: Value) -> Any:
    """The data as (nested) Python lists of floats, or a float for a scalar."""
    return np.asarray(self.data).tolist()


def t(self: Value) -> Value:
    """The transpose of a matrix (a vector or a scalar is returned as it is), as PyTorch's ``t()``."""
    if self.ndim > 2:
        raise ValueError(f"t() expects a Value with at most 2 axes, got shape {self.shape}; use mT or permute")
    return transpose(self, None) if self.ndim == 2 else self  # type: ignore[no-any-return]


def matrix_transpose(self: Value) -> Value:
    """``x.mT``: the last two axes swapped (a batch of matrices transposed)."""
    if self.ndim < 2:
        raise ValueError(f"mT needs at least 2 axes, got shape {self.shape}")
    axes = list(range(self.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return transpose(self, tuple(axes))  # type: ignore[no-any-return]


def clamp(self: Value, min: Any = None, max: Any = None) -> Value:  # noqa: A002
    """PyTorch's name for ``clip(lo, hi)``."""
    return clip(self, min, max)  # type: ignore[no-any-return]


def to_float32(self: Value) -> Value:
    """``x.float()``: x in float32 (x itself when it already is); the gradient flows back in x's dtype."""
    return self if self.dtype == np.float32 else astype(self, np.float32)  # type: ignore[no-any-return]


def to_float64(self: Value) -> Value:
    """``x.double()``: x in float64 (x itself when it already is); the gradient flows back in x's dtype."""
    return self if self.dtype == np.float64 else astype(self, np.float64)  # type: ignore[no-any-return]
