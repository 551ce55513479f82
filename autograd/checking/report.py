"""What a gradient check found: compared entries, the worst one, kinks; and the error and warnings it raises."""

from __future__ import annotations

from dataclasses import dataclass, field


class GradcheckWarning(UserWarning):
    """A gradient check ran, but its result may be unreliable (float32 inputs)."""


class KinkWarning(GradcheckWarning):
    """The function is not differentiable at some checked points; they were skipped."""


@dataclass
class Entry:
    """One compared number: d output[output_index] / d input[index].

    ``index``/``output_index`` are None in fast mode, where the number is a projection v^T J u.
    ``left``/``right`` are the one-sided differences (f(x) - f(x - eps)) / eps and (f(x + eps) - f(x)) / eps.
    """

    input: int
    input_name: str
    index: tuple[int, ...] | None
    output_index: tuple[int, ...] | None
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    left: float
    right: float
    point: float | None = None
    output_name: str | None = None

    def where(self) -> str:
        """``input 0 (x) at index (1, 2) (value 0.5), output index (1,)`` (just the input name for a projection)."""
        text = self.input_name
        if self.index:
            text += f" at index {self.index}"
        if self.index is not None and self.point is not None:
            text += f" (value {self.point:.6g})"
        if self.output_name:
            text += f", {self.output_name}"
        elif self.output_index:
            text += f", output index {self.output_index}"
        return text


@dataclass
class GradcheckReport:
    """The outcome of one gradient check (``gradcheck_report`` / ``gradgradcheck_report``).

    ``max_abs_error``/``max_rel_error`` cover the compared entries (kinks excluded); the
    relative error is ``|analytic - numeric| / max(|analytic|, |numeric|, atol)``, so entries
    that are both tiny (below atol) are compared by their absolute error only.
    """

    order: int
    mode: str
    atol: float
    rtol: float
    eps: float
    passed: bool = False
    n_compared: int = 0
    n_mismatched: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    worst: Entry | None = None
    kinks: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kink_policy: str = "warn"
    _worst_ratio: float = -1.0

    def what(self) -> str:
        derivative = "first derivatives" if self.order == 1 else "second derivatives (J^T v differentiated)"
        how = "full Jacobian" if self.mode == "full" else "random projections v^T J u"
        return f"{derivative}, {how}"

    def message(self) -> str:
        """A report a user can act on: where the worst mismatch is and by how much."""
        lines: list[str] = []
        if self.n_mismatched:
            w = self.worst
            assert w is not None
            lines.append(f"gradcheck failed ({self.what()}): {self.n_mismatched} of {self.n_compared} "
                         "entries disagree.")
            lines.append(f"Worst: {w.where()}:")
            lines.append(f"  analytic {w.analytic:.10g}   numeric {w.numeric:.10g}")
            lines.append(f"  abs error {w.abs_error:.3g}, rel error {w.rel_error:.3g} "
                         f"(allowed: atol {self.atol:g} + rtol {self.rtol:g} * |numeric|, eps {self.eps:g})")
        if self.kinks and (self.kink_policy == "error" or not self.n_mismatched):
            lines.append(self.kink_message())
        elif self.kinks:
            lines.append(f"({len(self.kinks)} non-differentiable point(s) skipped.)")
        lines.extend(self.notes)
        if not lines:
            lines.append(f"gradcheck passed ({self.what()}): {self.n_compared} entries, "
                         f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}")
        return "\n".join(lines)

    def kink_message(self, limit: int = 3) -> str:
        """Where f is not differentiable (left and right differences disagree)."""
        action = "not compared" if self.kink_policy != "error" else "failing the check (kinks='error')"
        lines = [f"f is not differentiable at {len(self.kinks)} checked point(s): the left and right "
                 f"one-sided differences disagree ({action}):"]
        for k in self.kinks[:limit]:
            lines.append(f"  {k.where()}: left {k.left:.6g}, right {k.right:.6g}, analytic {k.analytic:.6g}")
        if len(self.kinks) > limit:
            lines.append(f"  ... and {len(self.kinks) - limit} more")
        return "\n".join(lines)


class GradcheckError(RuntimeError):
    """A gradient check failed; ``.report`` holds the details (a :class:`GradcheckReport`)."""

    def __init__(self, message: str, report: GradcheckReport | None = None) -> None:
        super().__init__(message)
        self.report = report
