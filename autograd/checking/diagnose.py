"""What the gradient-check command line says about a failure or a pass, beyond the comparison itself.

- a non-finite value (NaN or inf) is not a wrong derivative: :func:`nonfinite` names the first op
  whose result is not finite, where it was created, and from which input on (bisection);
- a finite difference can be unreliable (f's own rounding swamps it, or it collapsed to 0):
  :func:`unreliable_numeric` recomputes the entry at eps / 10 and eps * 10;
- a second-order mismatch where the first derivative jumps is a kink of f', not a wrong second
  derivative: :func:`first_derivative_kink` sees the difference quotient grow as eps shrinks;
- a pass says nothing about the value's own accuracy: :func:`accuracy_hint` runs a quick accuracy
  report (when mpmath is there) and points to ``--accuracy`` when bits are lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.checking.accuracy import QUICK_SAMPLES, WarningCounter, accuracy, creation_sites
from autograd.checking.accuracy_measure import graph_nodes
from autograd.checking.check import gradcheck_report, gradgradcheck_report
from autograd.checking.report import Entry, GradcheckReport
from autograd.mode import no_grad
from autograd.value import Value

__all__ = ["WarningCounter", "accuracy_hint", "first_derivative_kink", "nonfinite", "unreliable_numeric"]


def _call(f: Callable[..., Any], arrays: Sequence[np.ndarray]) -> Any:
    with no_grad(), np.errstate(all="ignore"):
        return f(*[Value(a, requires_grad=False) for a in arrays])


def _finite(out: Any) -> bool:
    data = out.data if isinstance(out, Value) else out
    return bool(np.all(np.isfinite(np.asarray(data, dtype=np.float64))))


def nonfinite(f: Callable[..., Any], inputs: Sequence[np.ndarray], entry: Entry, lo: float, hi: float) -> list[str]:
    """Why f or its gradient is NaN/inf at ``inputs``: the first op with a non-finite result, and where it starts."""
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    sites: dict[int, str] = {}
    with creation_sites(sites), np.errstate(all="ignore"):
        variables = [Value(a) for a in arrays]
        out = f(*variables)
    if not isinstance(out, Value):
        return []
    culprit = next((node for node in graph_nodes([out]) if not _finite(node.data)), None)
    if culprit is None:
        return [f"f's value is finite here but its gradient is {entry.analytic:g} and the finite difference "
                f"{entry.numeric:g}: an op's derivative overflows (run --accuracy to see which)"]
    kind = "NaN" if bool(np.any(np.isnan(np.asarray(culprit.data, dtype=np.float64)))) else "inf"
    lines = [f"f's value is {kind} ({'overflow' if kind == 'inf' else 'invalid'}): not a wrong derivative. "
             f"The first op with an {kind} result is '{culprit.op}' {sites.get(id(culprit), '')}".rstrip()]
    start = _threshold(f, arrays, entry, lo, hi)
    if start is not None:
        lines.append(f"  for {entry.input_name}, f is finite up to {start[0]:.17g} and {kind} from {start[1]:.17g} on "
                     "(the other entries held fixed); `--accuracy` reports such ranges for every output")
    return lines


def _threshold(f: Callable[..., Any], arrays: list[np.ndarray], entry: Entry, lo: float,
               hi: float) -> tuple[float, float] | None:
    """Bisect the failing entry between a finite point (0 or a range end) and the failing value."""
    if entry.index is None or entry.point is None:
        return None
    k, index = entry.input, entry.index
    trial = [a.copy() for a in arrays]

    def finite_at(v: float) -> bool:
        trial[k][index] = v
        return _finite(_call(f, trial))

    bad = entry.point
    good = next((v for v in (0.0, lo, hi) if finite_at(v)), None)
    if good is None or finite_at(bad):
        return None
    for _ in range(80):
        middle = (good + bad) / 2
        if middle in (good, bad):
            break
        if finite_at(middle):
            good = middle
        else:
            bad = middle
    return (good, bad) if good < bad else (bad, good)


def unreliable_numeric(f: Callable[..., Any], inputs: Sequence[np.ndarray], report: GradcheckReport) -> list[str]:
    """Whether the failing entry's finite difference is itself unreliable: it changes with eps, or it is 0.

    The entry is recomputed at eps / 10 and eps * 10; its central and one-sided differences at the
    three steps spread further apart than the analytic value is from the numeric one when f's own
    rounding, not the derivative, decides the difference.
    """
    entry = report.worst
    if entry is None or report.order != 1 or not (np.isfinite(entry.analytic) and np.isfinite(entry.numeric)):
        return []
    centrals = {report.eps: entry.numeric}
    seen = [entry.numeric, entry.left, entry.right]
    for eps in (report.eps / 10, report.eps * 10):
        again = gradcheck_report(f, tuple(np.array(a) for a in inputs), eps=eps, atol=report.atol, rtol=report.rtol,
                                 kinks="skip")
        same = _same_entry(again, entry)
        if same is not None:
            centrals[eps] = same.numeric
            seen += [same.numeric, same.left, same.right]
    spread = max(seen) - min(seen)
    collapsed = entry.numeric == 0 and entry.left == 0 and entry.right == 0 and entry.analytic != 0
    if not collapsed and not spread > abs(entry.analytic - entry.numeric):
        return []
    shown = ", ".join(f"{centrals[e]:.10g} (eps {e:g})" for e in sorted(centrals))
    reason = ("f(x - eps), f(x) and f(x + eps) are the same float: f's value does not change at this step "
              "(it has lost its digits here)" if collapsed else
              "they and the one-sided differences spread further apart than the analytic value is from them: "
              "f's own rounding decides the difference")
    return [f"The numeric side is unreliable here, so the analytic value is not shown wrong: central differences "
            f"give {shown}; {reason}. Run --accuracy to measure f's own accuracy."]


def _same_entry(report: GradcheckReport, entry: Entry) -> Entry | None:
    for candidate in [report.worst, *report.kinks]:
        if candidate is not None and candidate.input == entry.input and candidate.index == entry.index \
                and candidate.output_index == entry.output_index:
            return candidate
    return None


def first_derivative_kink(f: Callable[..., Any], inputs: Sequence[np.ndarray], report: GradcheckReport) -> list[str]:
    """A second-order mismatch whose difference quotient grows like 1/eps: the first derivative jumps there."""
    entry = report.worst
    if entry is None or report.order != 2 or not np.isfinite(entry.numeric) or entry.numeric == 0:
        return []
    smaller = gradgradcheck_report(f, tuple(np.array(a) for a in inputs), eps=report.eps / 10, atol=report.atol,
                                   rtol=report.rtol, kinks="skip")  # the same grad_outputs v (seed 0)
    again = smaller.worst
    if again is None or not np.isfinite(again.numeric) or abs(again.numeric) < 5 * abs(entry.numeric):
        return []
    where = f" (value {entry.point:g})" if entry.point is not None else ""
    return [f"This is a kink of f, not a wrong second derivative: at {entry.input_name}{where} the first derivative "
            f"jumps (the difference quotient grows from {entry.numeric:.4g} to {again.numeric:.4g} as eps shrinks "
            f"tenfold), so f has no second derivative there. The first-order check skips such points; keep the "
            f"inputs away from it with --avoid."]


def accuracy_hint(f: Callable[..., Any], lo: float, hi: float, max_bits: float = 8.0) -> list[str]:
    """After a pass: a quick accuracy report of an elementwise f; a note when its value or derivative loses bits."""
    try:
        report = accuracy(f, lo=lo, hi=hi, samples=QUICK_SAMPLES // 2)
    except Exception:  # noqa: BLE001 - not elementwise, no mpmath, no exact rule: no hint
        return []
    lines = []
    for out in report.outputs:
        if out.max_bits > max_bits:
            where = ""
            if out.underflow:
                where = f", 0 instead of a non-zero value (underflow) for x in [{out.underflow[0][0]:.4g}, " \
                        f"{out.underflow[-1][1]:.4g}]"
            elif out.overflow:
                where = f", overflow for x in [{out.overflow[0][0]:.4g}, {out.overflow[-1][1]:.4g}]"
            lines.append(f"  note: {out.name} loses up to {out.max_bits:.0f} bits{where}; the derivatives agree, "
                         "but the values are not accurate: run with --accuracy for the report")
    return lines
