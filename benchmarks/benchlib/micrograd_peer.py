"""micrograd (Karpathy's scalar engine) on the workloads it can run: W1 scalar and W2 (same process)."""

from __future__ import annotations

import sys
from typing import Any

from benchlib import data
from benchlib.harness import Job
from benchlib.scalar_mlp import ScalarWorkload


def value_class() -> Any:
    """micrograd's Value, or None when micrograd is not installed."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return None
    return Value


def version() -> str:
    try:
        from importlib.metadata import version as v

        return v("micrograd")
    except Exception:  # noqa: BLE001
        return "?"


def w1_scalar_job(disable_gc: bool = False) -> Job:
    work = ScalarWorkload(value_class())
    return Job(work.step, work.reset, disable_gc)


W2_NOTE = "micrograd 0.1.0 has no tanh: relu stands in for it (the identity here, y stays positive)"


def w2_chain(steps: int, backward: bool = True) -> tuple[float, float]:
    """The W2 chain on micrograd (its recursive topological sort limits the depth).

    micrograd's Value has no tanh, so ``relu`` takes its place: the same graph size
    and depth, but not the same numbers (the loss check does not apply).
    """
    Value = value_class()
    x = Value(0.5)
    y = data.w2_chain(x, steps, Value.tanh if hasattr(Value, "tanh") else Value.relu)
    if not backward:
        return float(y.data), float("nan")
    y.backward()
    return float(y.data), float(x.grad)


def recursion_limit() -> int:
    return sys.getrecursionlimit()
