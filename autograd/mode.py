"""Graph-recording state: ``no_grad`` and ``enable_grad``, and the switch of ``detect_anomaly``.

While recording is off, ops compute their result and build no graph, so nothing
can be differentiated through them (and nothing is paid for it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any


class _GradMode:
    """Process-wide switch read by every op before it records a node."""

    enabled: bool = True


class _Anomaly:
    """The switch and hooks of ``detect_anomaly`` (autograd/anomaly.py installs the checks)."""

    enabled: bool = False
    check_forward: Callable[[Any, Sequence[Any]], None] = staticmethod(lambda node, datas: None)
    check_backward: Callable[[Any, Any], None] = staticmethod(lambda node, grad: None)
    check_constant: Callable[[Any, Any, Sequence[Any]], None] = staticmethod(lambda prim, value, datas: None)


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return _GradMode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager (and decorator) that sets recording on or off, then restores it."""

    _target: bool

    def _recreate_cm(self) -> _SetGradMode:
        return type(self)()  # each call of a decorated function gets its own saved state (recursion-safe)

    def __enter__(self) -> None:
        self._previous = _GradMode.enabled
        _GradMode.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._previous


class no_grad(_SetGradMode):
    """Inside ``with no_grad():`` (or a function decorated with ``@no_grad()``) ops record nothing."""

    _target = False


class enable_grad(_SetGradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    _target = True
