"""The goals the engine is tuned against, as a markdown table under run.py's report."""

from __future__ import annotations

from typing import Any


def targets(rows: list[Any]) -> str:
    """The goals the engine is tuned against, next to the measured ratios (run.py's rows)."""
    def find(workload_prefix: str, engine: str) -> Any:
        for row in rows:
            if row.workload.startswith(workload_prefix) and row.engine == engine and row.m is not None:
                return row
        return None

    lines = ["| goal | measured | met |", "|---|---|---|"]

    def goal(text: str, value: float | None, limit: float, fmt: str = "{:.2f}") -> None:
        if value is None:
            lines.append(f"| {text} | not measured | |")
        else:
            lines.append(f"| {text} | {fmt.format(value)} | {'yes' if value <= limit else 'no'} |")

    w1 = find("W1 scalar", "ours")
    goal("W1 scalar: ours <= 0.1 x micrograd as shipped", w1.ratios.get("x micrograd") if w1 else None, 0.1)
    goal("W1 scalar: ours <= 0.8 x micrograd with gc.disable()",
         w1.ratios.get("x micrograd no-gc") if w1 else None, 0.8)
    w1t = find("W1 batched", "ours")
    goal("W1 batched: ours <= 2.5 x floor", w1t.ratios.get("x floor") if w1t else None, 2.5)
    big: Any = None
    for row in rows:
        if row.workload.startswith("W2") and row.engine == "ours" and row.m is not None:
            big = row  # the largest N (rows are in increasing N)
    goal(f"{big.workload if big else 'W2'}: ours <= 3 us per node", big.time() * 1e6 if big else None, 3.0,
         "{:.2f} us")
    goal("W2: ours <= 400 bytes per node", float(big.memory.split()[0]) if big else None, 400.0, "{:.0f} B")
    for dtype in ("float64", "float32"):
        w3 = find(f"W3 MLP 784-256-256-10 {dtype}", "ours")
        goal(f"W3 {dtype}: ours <= 1.05 x floor", w3.ratios.get("x floor") if w3 else None, 1.05)
    w4 = find("W4", "ours")
    goal("W4: ours <= 1.6 x floor per op", w4.ratios.get("x floor") if w4 else None, 1.6)
    return "\n".join(lines)
