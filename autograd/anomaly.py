"""``detect_anomaly()``: stop at the first op that produces NaN or inf, and say where it came from.

Inside ``with detect_anomaly():``

- forward: every op's output is checked as soon as it is computed (also ops
  whose inputs need no gradient, and ops recorded by ``create_graph=True``);
- backward: the gradient reaching each node is checked, and so is every
  gradient a node's VJP hands to its inputs, before the engine passes it on;
- in between: an array that an op's VJP will read (its inputs and its output)
  and that was modified in place after the forward raises ``RuntimeError`` at
  backward (outside the mode this is not detected: backward reads ``.data`` as
  it is when backward runs).

The first NaN/inf raises ``FloatingPointError`` naming the primitive, the shapes
of its inputs and the line of your code that created the op.  Creation sites
are recorded (weakly, so nothing is kept alive) for ops built inside the
block, which is what lets a backward error point back at forward code.

The checks cost a scan of every result, a look at the call stack for every op,
and a second evaluation of every VJP during backward: use the mode to find a
problem, not for training.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.arrays import shape_of
from autograd.mode import ANOMALY, STATE, SetFlag, _Anomaly, no_grad
from autograd.registry import FreedPrimitive
from autograd.value import Value

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Frames in the engine, the standard library and installed packages (pytest, ...) are not "your code".
_SKIPPED = tuple({_PACKAGE_DIR, os.path.dirname(contextlib.__file__) + os.sep}
                 | {sysconfig.get_paths()[key] + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")})
_LIBRARY_PACKAGES = ("autograd", "nn")  # frames in these are library code, not the user's

# Where each op recorded under detect_anomaly() was created: node -> "file:line in func, ...".
_ORIGINS: weakref.WeakKeyDictionary[Value, str] = weakref.WeakKeyDictionary()
# Fingerprints of the data each such op's VJPs will read (its inputs, then its output), to
# detect arrays modified in place between the forward and the backward pass.
_FINGERPRINTS: weakref.WeakKeyDictionary[Value, tuple[Any, ...]] = weakref.WeakKeyDictionary()


def _creation_site() -> str:
    """Where the op is being created: ``file:line in func`` of the innermost frame outside the engine and,
    when that frame is library code (``nn``), also the first frame of the user's own code that led there."""
    frame: Any = sys._getframe(1)
    op_site = None
    while frame is not None:
        filename = frame.f_code.co_filename
        package = str(frame.f_globals.get("__name__", "")).partition(".")[0]
        if package != "autograd" and not filename.startswith(_SKIPPED) and not filename.startswith("<frozen"):
            here = f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}"
            if package not in _LIBRARY_PACKAGES:
                return here if op_site is None else f"{op_site}, called from {here}"
            op_site = op_site or here
        frame = frame.f_back
    return op_site or "<unknown>"


def _bad_kind(x: Any) -> str | None:
    """'nan' or 'inf' if x (a number, ndarray or Value) holds one, else None."""
    data = x.data if isinstance(x, Value) else x
    if type(data) is float:
        if data == data and data - data == 0.0:
            return None
        return "nan" if data != data else "inf"
    array = np.asarray(data)
    if array.dtype.kind != "f" or bool(np.isfinite(array).all()):
        return None
    return "nan" if bool(np.isnan(array).any()) else "inf"


def _describe_inputs(inputs: Sequence[Any]) -> str:
    return ", ".join(str(shape_of(x)) for x in inputs) or "none"


def _origin(node: Value) -> str:
    return _ORIGINS.get(node, "<unknown: the op was created outside detect_anomaly()>")


def _fingerprint(data: Any) -> Any:
    if type(data) is np.ndarray:
        return (data.shape, data.dtype.str, hash(data.tobytes()))
    if type(data) is float:
        return data.hex()  # NaN-safe equality
    return data if isinstance(data, int) else None


def _check_forward(node: Value, datas: Sequence[Any]) -> None:
    """Record where ``node`` was created and what its data are; raise if its output holds NaN/inf."""
    site = _creation_site()
    _ORIGINS[node] = site
    _check_output(node.op, node.data, datas, site)
    _FINGERPRINTS[node] = tuple(_fingerprint(d) for d in (*datas, node.data))


def _check_unmodified(node: Value) -> None:
    """Raise if data that the node's VJPs read were changed in place after the forward pass."""
    recorded = _FINGERPRINTS.get(node)
    if recorded is None or node._prim is None or isinstance(node._prim, FreedPrimitive):
        return
    datas = [x.data if isinstance(x, Value) else x for x in node._inputs] + [node.data]
    for i, (before, data) in enumerate(zip(recorded, datas, strict=True)):
        if before is not None and _fingerprint(data) != before:
            what = f"its input {i}" if i < len(datas) - 1 else "its output"
            raise RuntimeError(
                f"detect_anomaly: the data of {what} (shape {shape_of(data)}) of op '{node.op}' was modified "
                f"in place after the forward pass, so its gradient would mix old and new values; "
                f"op created at {_origin(node)}. Update data only after backward()."
            )


def _check_constant(prim: Any, value: Value, datas: Sequence[Any]) -> None:
    """The same check for an op computed while none of its inputs required grad (no node)."""
    if _bad_kind(value.data) is not None:
        _check_output(prim.name, value.data, datas, _creation_site())


def _check_output(name: str, out: Any, datas: Sequence[Any], site: str) -> None:
    kind = _bad_kind(out)
    if kind is None:
        return
    bad_inputs = [i for i, x in enumerate(datas) if _bad_kind(x) is not None]
    cause = (
        f"input(s) {bad_inputs} already held nan/inf" if bad_inputs
        else "all inputs were finite, so this op produced it"
    )
    raise FloatingPointError(
        f"detect_anomaly: op '{name}' returned {kind} in its forward output "
        f"(input shapes {_describe_inputs(datas)}; {cause}); op created at {site}"
    )


def _check_backward(node: Value, g: Any) -> None:
    """Raise if the gradient reaching ``node``, or any gradient its VJPs produce from it, holds NaN/inf.

    Also raises RuntimeError if data the node's VJPs read were modified in place since the forward.
    """
    _check_unmodified(node)
    kind = _bad_kind(g)
    if kind is not None:
        what = f"op '{node.op}'" if node._prim is not None else "a leaf"
        raise FloatingPointError(
            f"detect_anomaly: the gradient reaching the output of {what} (shape {node.shape}) holds {kind}; "
            f"it was computed by the backward pass of the op(s) that consume it, or passed as the seed "
            f"gradient; {what} was created at {_origin(node)}"
        )
    prim = node._prim
    if prim is None or isinstance(prim, FreedPrimitive):  # (reading prim.freed would free it)
        return  # a leaf, or a freed graph (the engine raises its own error)
    inputs = node._inputs
    datas = [x.data if isinstance(x, Value) else x for x in inputs]
    g_data = g.data if isinstance(g, Value) else g
    params = node._params or {}
    for i, x in enumerate(inputs):
        if not (isinstance(x, Value) and x.requires_grad):
            continue
        with no_grad(), np.errstate(all="ignore"):
            gx = prim.vjps[i](g_data, node.data, *datas, **params)
        kind = _bad_kind(gx)
        if kind is not None:
            raise FloatingPointError(
                f"detect_anomaly: the backward of op '{prim.name}' returned {kind} in the gradient of its "
                f"input {i} (input shapes {_describe_inputs(datas)}; the incoming gradient was finite); "
                f"op created at {_origin(node)}"
            )


class detect_anomaly(SetFlag):
    """Raise ``FloatingPointError`` at the first NaN/inf in a forward output or a backward gradient.

    Usable as ``with detect_anomaly():`` or as a decorator; nests, and restores
    the previous state on exit (also when an exception leaves the block). Like
    ``no_grad``, the mode is per thread.

    Args:
        enabled: False switches the checks off inside an enclosing ``detect_anomaly()``.

    >>> from autograd import Value, detect_anomaly
    >>> x = Value(0.0)
    >>> with detect_anomaly():
    ...     y = x.log()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    FloatingPointError: detect_anomaly: op 'log' returned inf in its forward output ...
    """

    _flag = ANOMALY

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = bool(enabled)
        self._on = self.enabled

    def _copy(self) -> detect_anomaly:
        return detect_anomaly(self.enabled)


_Anomaly.check_forward = staticmethod(_check_forward)  # type: ignore[assignment]
_Anomaly.check_backward = staticmethod(_check_backward)  # type: ignore[assignment]
_Anomaly.check_constant = staticmethod(_check_constant)  # type: ignore[assignment]


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (in this thread)."""
    return bool(STATE.flags & ANOMALY)
