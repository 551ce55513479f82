"""What the accuracy report found: bits of error per output, where they are lost, overflow and underflow."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Range = tuple[float, float]


@dataclass
class WorstInput:
    """One sample: the input, the engine's result, the correctly rounded exact result, the bits of error."""

    x: float
    computed: float
    exact: float
    bits: float


@dataclass
class NodeError:
    """The local error of one graph node: the bits its own rounding adds, given exact inputs."""

    op: str
    where: str
    max_bits: float
    mean_bits: float
    worst_x: float | None
    range: Range | None  # the inputs where it adds at least half its maximum (and 2 bits or more)

    def describe(self) -> str:
        text = f"'{self.op}' {self.where}: adds up to {self.max_bits:.1f} bits (mean {self.mean_bits:.2f})"
        if self.range is not None:
            text += f" for x in [{self.range[0]:.6g}, {self.range[1]:.6g}]"
        return text


@dataclass
class FormulaCheck:
    """The derivative graph's exact value against a high-precision difference quotient of the exact function."""

    checked: int = 0
    mismatches: int = 0
    worst_x: float | None = None
    graph_value: float | None = None
    difference_quotient: float | None = None


@dataclass
class OutputAccuracy:
    """Accuracy of one output: the value ('f'), the first derivative ("f'") or the second ("f''")."""

    name: str
    mean_bits: float = 0.0
    max_bits: float = 0.0
    worst: list[WorstInput] = field(default_factory=list)
    overflow: list[Range] = field(default_factory=list)    # inf/NaN computed, exact value finite
    underflow: list[Range] = field(default_factory=list)   # 0 computed, exact value not 0
    invalid: list[Range] = field(default_factory=list)     # NaN computed, exact value a number (or inf)
    overflow_op: str | None = None                          # the first op whose exact value left the range
    nodes: list[NodeError] = field(default_factory=list)   # largest local errors first
    formula: FormulaCheck | None = None                     # derivatives only


@dataclass
class AccuracyReport:
    """The accuracy of ``f`` and its derivatives against exact evaluation (see :func:`autograd.accuracy`)."""

    function: str
    dtype: str
    lo: float
    hi: float
    order: int
    samples: int
    unsettled: int = 0
    unsettled_range: Range | None = None
    max_precision: int = 0
    outputs: list[OutputAccuracy] = field(default_factory=list)
    numpy_warnings: int = 0

    def ok(self, max_bits: float = 8.0) -> bool:
        """True when every output's maximum error is within ``max_bits`` and every derivative formula agrees."""
        for out in self.outputs:
            if out.max_bits > max_bits:
                return False
            if out.formula is not None and out.formula.mismatches:
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return asdict(self)

    def __str__(self) -> str:
        lines = [f"accuracy of {self.function} in {self.dtype} over [{self.lo:g}, {self.hi:g}]: "
                 f"{self.samples} samples (every binade, both signs, zero and the ends)"]
        lines.append(f"  {'output':<6} {'mean bits':>9} {'max bits':>9}   worst input (computed / exact)")
        for out in self.outputs:
            worst = out.worst[0] if out.worst else None
            where = f"x = {worst.x:.6g} ({worst.computed:.6g} / {worst.exact:.6g})" if worst else ""
            lines.append(f"  {out.name:<6} {out.mean_bits:>9.2f} {out.max_bits:>9.1f}   {where}")
        for out in self.outputs:
            lines.extend(_details(out))
        if self.unsettled:
            span = (f" (x in [{self.unsettled_range[0]:.6g}, {self.unsettled_range[1]:.6g}])"
                    if self.unsettled_range else "")
            lines.append(f"  {self.unsettled} sample(s) left out: the exact value did not settle at "
                         f"{self.max_precision} bits{span}")
        if self.numpy_warnings:
            lines.append(f"  NumPy warnings while computing (counted, not printed): {self.numpy_warnings}")
        return "\n".join(lines)


def _ranges(ranges: list[Range]) -> str:
    shown = ", ".join(f"[{a:.6g}, {b:.6g}]" if a != b else f"{a:.6g}" for a, b in ranges[:4])
    return shown + (f" and {len(ranges) - 4} more" if len(ranges) > 4 else "")


def _details(out: OutputAccuracy) -> list[str]:
    lines: list[str] = []
    if out.overflow:
        cause = f"; the first op past the range: {out.overflow_op}" if out.overflow_op else ""
        lines.append(f"  {out.name}: inf or NaN where the exact value is finite (overflow) for x in "
                     f"{_ranges(out.overflow)}{cause}")
    if out.invalid:
        lines.append(f"  {out.name}: NaN where the exact value is a number for x in {_ranges(out.invalid)}")
    if out.underflow:
        lines.append(f"  {out.name}: 0 where the exact value is not (underflow) for x in {_ranges(out.underflow)}")
    if out.nodes:
        lines.append(f"  {out.name}: where the bits are lost (local error of each op, given exact inputs):")
        lines.extend(f"    {node.describe()}" for node in out.nodes[:3])
    formula = out.formula
    if formula is not None:
        if formula.mismatches:
            lines.append(
                f"  {out.name}: WRONG FORMULA: at {formula.mismatches} of {formula.checked} samples the derivative "
                f"graph's exact value differs from the exact derivative of the function (worst at x = "
                f"{formula.worst_x:.6g}: {formula.graph_value:.10g} against {formula.difference_quotient:.10g}); "
                "this is not rounding")
        elif formula.checked:
            lines.append(f"  {out.name}: the derivative formula agrees with the exact derivative of the function "
                         f"({formula.checked} samples)")
    return lines
