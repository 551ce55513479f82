"""Array helpers shared by every layer of the engine; this module imports only NumPy.

What a Value stores (``as_data``, ``normalize``), how a raw operand is checked
(``as_constant``, ``operand``), and small shape helpers (``shape_of``,
``normalize_axis``). ``Node`` is the base class of :class:`autograd.value.Value`,
declared here so that these helpers can tell a Value from data without importing it
(an ndarray has a ``.data`` attribute too: a memoryview).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class Node:
    """The base of ``Value`` (see autograd/value.py): a graph node with ``data``."""

    __slots__ = ()
    data: Any


def raw(x: Any) -> Any:
    """The data of a Value, or x itself (masks, shapes and conditions are computed on raw data)."""
    return x.data if isinstance(x, Node) else x


def as_array(x: Any) -> np.ndarray:
    """An ndarray view of x (forwards call ndarray methods, which skip NumPy's Python-level wrappers)."""
    return x if type(x) is np.ndarray else np.asarray(x)


def operand(x: Any) -> Any:
    """Nested lists and tuples as arrays (reductions need the operand's shape first)."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of a Value, ndarray or Python number (``()`` for numbers)."""
    return getattr(x, "shape", ())


def all_finite(a: np.ndarray) -> bool:
    """Whether an array holds no inf or NaN; for floats judged by the squared norm (one BLAS pass).

    The norm is inf or NaN when any element is; it can also overflow for finite
    elements beyond about 1e19 (float32) or 1e154 (float64): then the answer is
    False, which only sends the caller to its slower general path. A strided array
    is summed instead (vdot would copy it first).
    """
    if a.dtype.kind != "f":
        return bool(np.isfinite(a).all())
    if a.flags.c_contiguous:
        return math.isfinite(np.vdot(a, a))
    if a.flags.f_contiguous:
        return math.isfinite(np.vdot(a.T, a.T))
    permuted = a.transpose(sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis])))
    if permuted.flags.c_contiguous:  # a contiguous array seen through a transpose (NCHW views of NHWC data)
        return math.isfinite(np.vdot(permuted, permuted))
    return math.isfinite(np.add.reduce(a, None))


# ndarray.sum goes through a Python-level wrapper in NumPy; the ufunc's reduce does not.
add_reduce: Any = np.add.reduce


def broadcast_axes(stretched: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of an array of shape ``stretched`` that broadcasting ``shape`` to it added (leading ones)
    or stretched (length 1 in ``shape``): what a gradient is summed over to return to ``shape``."""
    lead = len(stretched) - len(shape)
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and stretched[i + lead] != 1)


def normalize_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """``axis`` (None, an int or a sequence of ints, negative allowed) as a tuple of non-negative axes."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for an array of {ndim} dimension(s)")
        out.append(int(a) % ndim)
    return tuple(out)


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


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_KIND_NAMES = {"b": "bool", "c": "complex", "O": "object", "U": "string", "S": "bytes",
               "M": "datetime", "m": "timedelta", "V": "void"}


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
    elif array.dtype not in _FLOATS and dtype is None:
        raise TypeError(f"{what} has dtype {array.dtype}, which is not supported (as dtype={array.dtype} is not): "
                        f"convert it with .astype(np.float32) or .astype(np.float64), or pass dtype=")
    if dtype is not None:
        target = np.dtype(dtype)
        if target not in (np.float32, np.float64):
            raise TypeError(f"dtype {target} is not supported; use float32 or float64")
        array = array.astype(target, copy=False)
    return normalize(array)


def _list_to_array(x: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"{what} is a ragged nested sequence: {error}") from None


def as_constant(x: Any, op: str) -> Any:
    """Check a raw operand (number or array) that enters an op as a constant."""
    kind = type(x)
    if kind is float or kind is int or kind is np.ndarray:
        if kind is np.ndarray and (x.dtype.kind not in "fiub" or (x.dtype.kind == "f" and x.dtype not in _FLOATS)):
            raise TypeError(f"{op}: operand has dtype {x.dtype}; only real numbers in float32 or float64 (or ints "
                            "and bools) are supported")
        return x
    if isinstance(x, np.ndarray):  # a subclass: autograd.program's Derived arrays stay themselves
        as_constant(x.view(np.ndarray), op)  # the same dtype checks
        return x
    if isinstance(x, (bool, np.number, np.bool_)):
        if isinstance(x, np.complexfloating):
            raise TypeError(f"{op}: operand has dtype {np.asarray(x).dtype}; only real numbers are supported")
        return x
    if isinstance(x, (list, tuple)):
        return as_constant(np.asarray(x), op)
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__}")


def pytorch_spelling(name: str, axis: Any, keepdims: Any, spelled: dict[str, Any]) -> tuple[Any, Any]:
    """``axis`` and ``keepdims`` given PyTorch's ``dim=`` / ``keepdim=`` in ``spelled`` (NumPy's stay primary).

    Called only when a function got keyword arguments it does not name, so a NumPy-spelled
    call pays nothing. Both spellings of one argument, or any other keyword: TypeError.
    """
    spelled = dict(spelled)
    if "dim" in spelled:
        if axis is not None:
            raise TypeError(f"{name}: got both axis= and dim= (one argument: axis is NumPy's name, dim PyTorch's)")
        axis = spelled.pop("dim")
    if "keepdim" in spelled:
        if keepdims:
            raise TypeError(f"{name}: got both keepdims= and keepdim= (NumPy's and PyTorch's names of one argument)")
        keepdims = bool(spelled.pop("keepdim"))
    if spelled:
        raise TypeError(f"{name}: unexpected argument(s) {', '.join(sorted(spelled))}")
    return axis, keepdims


def format_grad(grad: Any) -> str:
    """A gradient in a repr: None, the shape of a Value or an array, or the number."""
    if grad is None:
        return "None"
    if isinstance(grad, Node):
        return f"Value {np.shape(grad.data)}"
    if type(grad) is np.ndarray:
        return f"array {grad.shape}"
    return f"{grad:.6g}"


def few_numbers(x: Any, items: int = 6) -> str:
    """Up to ``items`` numbers of a scalar or an array (``-`` for None); digits only, so safe in HTML."""
    if x is None:
        return "-"
    if isinstance(x, Node):
        x = x.data
    array = np.asarray(x)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    flat = array.ravel()
    text = ", ".join(f"{float(v):.4g}" for v in flat[:items]) + (", ..." if flat.size > items else "")
    return f"[{text}]"
