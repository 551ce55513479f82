"""``accuracy(f)``: how many bits of ``f`` and of its derivatives the engine gets right, and where it loses them.

The engine records ``y = f(x)`` on a vector of sample inputs, then the derivative's graph
with ``create_graph=True`` (so the derivative judged is the engine's own formula), and
re-evaluates every recorded graph exactly (:mod:`autograd.checking.exact`). For each output
(f, f', f'') it measures bits of error as Herbie does: log2(1 + the number of floats between
the computed and the correctly rounded exact value). Per graph node it measures the local
error: the bits that node's own rounding adds when its inputs are exact, which names the op
that loses the precision. The exact derivative graph is also checked against a
high-precision difference quotient of the exact function: a wrong formula is not rounding.

Samples cover every binade of [lo, hi] on both signs (subnormals included), zero's
neighbourhood and the range ends, with more of them in the binades above 2^-10.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd.anomaly import _creation_site
from autograd.checking.accuracy_measure import Collected, measure
from autograd.checking.accuracy_report import AccuracyReport
from autograd.engine import run_backward
from autograd.mode import ANOMALY, SetFlag, _Anomaly, enable_grad
from autograd.value import Value

LEVELS = (192, 1600, 3200)  # bits of working precision, tried in turn until a sample's exact value settles
DEFAULT_SAMPLES = 3000
QUICK_SAMPLES = 300
OUTPUT_NAMES = ("f", "f'", "f''")
INSTALL_HINT = 'the accuracy report needs mpmath: pip install mpmath (or pip install -e ".[accuracy]")'


def accuracy(f: Callable[[Value], Value], dtype: Any = "float64", lo: float = -1000.0, hi: float = 1000.0,
             samples: int | None = None, order: int = 1, seed: int = 0) -> AccuracyReport:
    """Measure the accuracy of an elementwise function ``f`` and its derivatives up to ``order``.

    Args:
        f: takes a Value holding a vector of inputs and returns a Value of the same shape, built with
            engine ops (not ``.data``: the report needs the recorded graph).
        dtype: 'float64' or 'float32': the arithmetic the engine computes in.
        lo, hi: the input range (finite, lo < hi).
        samples: how many inputs (default 3000; each binade gets one before the rest go to the wider
            binades above 2^-10); fewer than the binades gives evenly spaced binades.
        order: 0 (the value only), 1 (and f') or 2 (and f'').
        seed: the sampling seed.

    Returns:
        An :class:`AccuracyReport` (``str(report)`` is a readable table).

    Raises:
        ImportError: without mpmath (the message says how to install it).
        ValueError: a bad range, dtype or order; f not elementwise, not a Value, or without a graph;
            an op without an exact rule.
    """
    exact = _load_exact()
    fmt = _format(exact, dtype)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"accuracy: the range [{lo}, {hi}] must be finite with lo < hi")
    if order not in (0, 1, 2):
        raise ValueError(f"accuracy: order must be 0, 1 or 2, got {order}")
    xs = sample_points(lo, hi, fmt.dtype, DEFAULT_SAMPLES if samples is None else samples, seed)
    name = getattr(f, "__qualname__", getattr(f, "__name__", repr(f)))
    report = AccuracyReport(name, str(fmt.dtype), float(lo), float(hi), order, int(xs.size), max_precision=LEVELS[-1])
    collected = Collected(order + 1)
    pending = np.arange(xs.size)
    counter = WarningCounter()
    for prec in LEVELS:
        with counter:
            recording = _record(f, xs[pending], fmt.dtype, order)
        try:
            doubtful = measure(exact, recording.x, recording.outputs, recording.sites, prec, fmt, collected)
        except exact.MissingRule as error:
            raise ValueError(f"accuracy: {error}") from None
        pending = pending[doubtful]
        if not pending.size:
            break
    report.unsettled = int(pending.size)
    if pending.size:
        report.unsettled_range = (float(xs[pending].min()), float(xs[pending].max()))
    report.numpy_warnings = counter.count
    report.outputs = [collected.summary(k, OUTPUT_NAMES[k]) for k in range(order + 1)]
    return report


def _load_exact() -> Any:
    try:
        import autograd.checking.exact as exact  # mpmath is optional: imported when a report is asked for
    except ImportError as error:
        raise ImportError(f"{INSTALL_HINT} ({error})") from None
    return exact


def _format(exact: Any, dtype: Any) -> Any:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"accuracy: dtype must be float64 or float32, got {dtype!r}")
    return exact.Format(dt)


# ---------------------------------------------------------------------------
# sampling


def sample_points(lo: float, hi: float, dtype: Any, samples: int, seed: int = 0) -> np.ndarray:
    """Sorted distinct inputs of ``dtype`` in [lo, hi]: each binade on both signs, zero's neighbourhood, the ends."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    tiny = float(np.finfo(dt).smallest_subnormal)
    binades: list[tuple[float, float, float]] = []  # (sign, low magnitude, high magnitude)
    for sign, a, b in ((1.0, max(lo, 0.0), hi), (-1.0, max(-hi, 0.0), -lo)):
        if b <= 0 or b < a:
            continue
        e = math.floor(math.log2(max(a, tiny)))
        while 2.0 ** e <= b:
            binades.append((sign, max(2.0 ** e, a, tiny), min(2.0 ** (e + 1), b)))
            e += 1
    fixed = [lo, hi] + ([0.0, tiny, -tiny] if lo <= 0 <= hi else [])
    budget = max(samples - len(fixed), 1)
    if budget < len(binades):
        chosen = [binades[int(i)] for i in np.unique(np.linspace(0, len(binades) - 1, budget).round())]
        counts = [1] * len(chosen)
    else:  # one per binade, the rest shared by the binades above 2^-10 (where most functions change)
        chosen = binades
        counts = [1] * len(binades)
        wide = [k for k, (_, a, _) in enumerate(binades) if a >= 2.0 ** -10] or list(range(len(binades)))
        extra, left = divmod(budget - len(binades), len(wide))
        for j, k in enumerate(wide):
            counts[k] += extra + (j < left)
    points = [sign * rng.uniform(a, b, n) for (sign, a, b), n in zip(chosen, counts, strict=True)]
    xs = np.concatenate([np.asarray(fixed, dtype=np.float64), *points]).astype(dt)
    xs = xs[(xs >= lo) & (xs <= hi)]
    return np.unique(xs)


# ---------------------------------------------------------------------------
# recording the graphs, with where each node was created


class _Recording:
    def __init__(self, x: Value, outputs: list[Any], sites: dict[int, str]) -> None:
        self.x = x
        self.outputs = outputs
        self.sites = sites


class _AnomalyHooks(SetFlag):
    """This thread's anomaly flag on: ops made inside go through the hooks of detect_anomaly."""

    _flag, _on = ANOMALY, True


_RECORDER = threading.local()  # this thread's list of created nodes while _sites is active


def _dispatch(check: str) -> Callable[..., None]:
    """A hook that records sites in a thread that is recording them, and runs detect_anomaly's check elsewhere."""
    original = getattr(_Anomaly, check)

    def hook(*args: Any) -> None:
        recorder = getattr(_RECORDER, "sites", None)
        if recorder is None:
            original(*args)
        elif check == "check_forward":
            node = args[0]
            recorder[1].append(id(node))
            recorder[0][id(node)] = _short(_creation_site())

    return hook


@contextlib.contextmanager
def creation_sites(sites: dict[int, str]) -> Iterator[list[int]]:
    """Record the creation site of every op node made inside, in this thread (detect_anomaly's hooks and
    flag, without its checks: NaN and inf are what the report is looking for, not errors)."""
    created: list[int] = []
    names = ("check_forward", "check_backward", "check_constant")
    saved = [getattr(_Anomaly, name) for name in names]
    for name in names:
        setattr(_Anomaly, name, staticmethod(_dispatch(name)))
    _RECORDER.sites = (sites, created)
    try:
        with _AnomalyHooks():
            yield created
    finally:
        _RECORDER.sites = None
        for name, hook in zip(names, saved, strict=True):
            setattr(_Anomaly, name, staticmethod(hook))


def _short(site: str) -> str:
    path, sep, rest = site.partition(":")
    with contextlib.suppress(ValueError):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            path = relative
    return f"at {path}{sep}{rest}"


def _record(f: Callable[[Value], Value], xs: np.ndarray, dtype: Any, order: int) -> _Recording:
    sites: dict[int, str] = {}
    with enable_grad(), creation_sites(sites) as created:
        x = Value(xs.copy())
        y = f(x)
        if not isinstance(y, Value):
            raise ValueError(f"accuracy: f returned a {type(y).__name__}, not a Value: the report needs the graph "
                             "that engine ops record (do not compute through .data or NumPy)")
        if y.shape != x.shape:
            raise ValueError(f"accuracy: f is not elementwise: its output has shape {y.shape} for input shape "
                             f"{x.shape}")
        if not y.requires_grad or (y._prim is None and y is not x):
            raise ValueError("accuracy: f's output does not depend on its input through engine ops (no graph): "
                             "the report needs the recorded graph (did f use .data or NumPy functions?)")
        outputs: list[Any] = [y]
        for _ in range(order):
            outputs.append(_derivative(outputs[-1], x, sites, created))
    return _Recording(x, outputs, sites)


def _derivative(out: Any, x: Value, sites: dict[int, str], created: list[int]) -> Any:
    """d out/dx for an elementwise out, recorded (create_graph=True); nodes made by a node's VJP are named so."""
    if not (isinstance(out, Value) and out.requires_grad):
        return Value(np.zeros_like(x.data), requires_grad=False)
    done = [len(created)]

    def on_node(node: Value, g: Any, contributions: Any) -> None:
        for made in created[done[0]:]:
            sites[made] = f"in the backward of '{node.op}' {sites.get(id(node), '')}".rstrip()
        done[0] = len(created)

    seed = Value(np.ones(out.shape, dtype=out.dtype), requires_grad=False)
    (d,) = run_backward(out, seed, True, True, targets=[x], on_node=on_node) or [None]
    if d is None:
        return Value(np.zeros_like(x.data), requires_grad=False)
    return d if isinstance(d, Value) else Value(np.asarray(d), requires_grad=False)


class WarningCounter:
    """Counts NumPy floating-point warnings instead of printing them."""

    def __init__(self) -> None:
        self.count = 0

    def _call(self, kind: str, flag: int) -> None:
        self.count += 1

    def __enter__(self) -> None:  # what NumPy would have printed (not the kinds it ignores, such as underflow)
        current = np.geterr()
        modes: dict[str, Any] = {kind: "ignore" if mode == "ignore" else "call" for kind, mode in current.items()}
        self._saved = (np.seterr(**modes), np.seterrcall(self._call))

    def __exit__(self, *exc: object) -> None:
        np.seterr(**self._saved[0])
        np.seterrcall(self._saved[1])
