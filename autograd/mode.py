"""Graph-recording state: ``no_grad`` and ``enable_grad``, and the switch of ``detect_anomaly``.

While recording is off, ops compute their result and build no graph, so nothing
can be differentiated through them (and nothing is paid for it).

The state is per thread, as PyTorch's grad mode: a ``no_grad`` block, a backward
pass (which switches recording off, or on for ``create_graph=True``, while it runs)
or ``detect_anomaly`` in one thread changes nothing in another (nor does an exporter's
tracing, ``RECIPES``: see autograd/program.py). A new thread starts recording, without
anomaly checks. Ops read it as one integer of flags, and only
when some thread has changed it (``Changed.threads``, a process-wide count): reading
a thread-local value costs more than the rest of recording a scalar op.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

RECORD = 1   # ops record the graph (grad mode)
ANOMALY = 2  # detect_anomaly's checks run
RECIPES = 4  # an exporter traces: autograd.program.derived arrays remember how they were computed


class _ThreadState(threading.local):
    """The calling thread's modes (the class attributes are each new thread's defaults)."""

    flags: int = RECORD
    general_path: bool = False  # autograd.engine.general_path(): no fast path in backward passes


STATE = _ThreadState()


class Changed:
    """How many threads have flags other than the default (RECORD) now.

    While it is 0, every thread records without checks, so ops need not read their
    thread's flags. A thread counts itself before its own next op, so a thread that
    reads 0 is itself in the default state; other threads' changes concern them only.
    """

    threads: int = 0
    lock = threading.Lock()


def set_flags(flags: int) -> None:
    """Set this thread's flags, keeping ``Changed.threads`` up to date."""
    previous = STATE.flags
    STATE.flags = flags
    if (previous == RECORD) != (flags == RECORD):
        with Changed.lock:
            Changed.threads += 1 if flags != RECORD else -1


class _Anomaly:
    """The checks of ``detect_anomaly`` (autograd/anomaly.py installs them; the ANOMALY flag turns them on)."""

    check_forward: Callable[[Any, Sequence[Any]], None] = staticmethod(lambda node, datas: None)
    check_backward: Callable[[Any, Any], None] = staticmethod(lambda node, grad: None)
    check_constant: Callable[[Any, Any, Sequence[Any]], None] = staticmethod(lambda prim, value, datas: None)


def is_grad_enabled() -> bool:
    """True when ops record the graph in this thread (the default)."""
    return bool(STATE.flags & RECORD)


class SetFlag(contextlib.ContextDecorator):
    """Context manager (and decorator) that sets one flag of this thread's state on or off, then restores it.

    Only its own flag is restored on exit, so blocks of different kinds may be left in any order.
    """

    _flag: int
    _on: bool

    def _recreate_cm(self) -> SetFlag:
        return self._copy()  # each call of a decorated function gets its own saved state (recursion-safe)

    def _copy(self) -> SetFlag:
        return type(self)()

    def __enter__(self) -> Any:
        flags = STATE.flags
        self._previous = flags & self._flag
        set_flags((flags | self._flag) if self._on else (flags & ~self._flag))
        return self

    def __exit__(self, *exc: object) -> None:
        set_flags((STATE.flags & ~self._flag) | self._previous)


class no_grad(SetFlag):
    """Inside ``with no_grad():`` (or a function decorated with ``@no_grad()``) ops record nothing."""

    _flag, _on = RECORD, False

    def __enter__(self) -> None:
        super().__enter__()


class enable_grad(SetFlag):
    """Turn recording back on inside a ``no_grad`` block."""

    _flag, _on = RECORD, True

    def __enter__(self) -> None:
        super().__enter__()
