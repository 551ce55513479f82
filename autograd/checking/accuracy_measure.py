"""One precision level of the accuracy report: exact values, bits of error, local errors, the formula check.

``measure`` takes the exact arithmetic as an argument (``exact``, the module
:mod:`autograd.checking.exact`, which needs mpmath), so this module imports without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.checking.accuracy_report import FormulaCheck, NodeError, OutputAccuracy, Range, WorstInput
from autograd.value import Value

FORMULA_RTOL_BITS = 16  # a derivative graph further than 2^-16 (relative) from the difference quotient is wrong


class Collected:
    """Per-output samples gathered over the precision levels, and per-node local errors."""

    def __init__(self, outputs: int) -> None:
        self.x: list[list[np.ndarray]] = [[] for _ in range(outputs)]
        self.computed: list[list[np.ndarray]] = [[] for _ in range(outputs)]
        self.exact: list[list[np.ndarray]] = [[] for _ in range(outputs)]
        self.bits: list[list[np.ndarray]] = [[] for _ in range(outputs)]
        self.nodes: list[dict[int, dict[str, Any]]] = [{} for _ in range(outputs)]
        self.formulas = [FormulaCheck() for _ in range(outputs)]
        self.overflow_op: list[str | None] = [None] * outputs

    def summary(self, k: int, name: str) -> OutputAccuracy:
        """What was collected for output k, summarized."""
        out = OutputAccuracy(name)
        if not self.x[k]:
            return out
        x, computed = np.concatenate(self.x[k]), np.concatenate(self.computed[k])
        exact, bits = np.concatenate(self.exact[k]), np.concatenate(self.bits[k])
        order = np.argsort(x, kind="stable")
        x, computed, exact, bits = x[order], computed[order], exact[order], bits[order]
        out.mean_bits = float(np.mean(bits))
        out.max_bits = float(np.max(bits))
        for i in np.argsort(-bits, kind="stable")[:3]:
            if bits[i] > 0:
                out.worst.append(WorstInput(float(x[i]), float(computed[i]), float(exact[i]), float(bits[i])))
        finite = np.isfinite(exact)
        wrong = bits > 2.0  # more than a float or two away: a rounding at the edge of the range is not flagged
        out.overflow = _runs(x, ~np.isfinite(computed) & finite & wrong)
        out.invalid = _runs(x, np.isnan(computed) & ~np.isnan(exact) & ~finite)
        out.underflow = _runs(x, (computed == 0) & (exact != 0) & wrong)
        out.overflow_op = self.overflow_op[k] if out.overflow else None
        nodes = []
        for record in self.nodes[k].values():
            node_x, node_bits = np.concatenate(record["x"]), np.concatenate(record["bits"])
            top = float(np.max(node_bits)) if node_bits.size else 0.0
            if top < 1.0:
                continue
            losing = node_bits >= max(2.0, top / 2)
            span = (float(np.min(node_x[losing])), float(np.max(node_x[losing]))) if np.any(losing) else None
            worst = float(node_x[int(np.argmax(node_bits))]) if node_x.size else None
            nodes.append(NodeError(record["op"], record["where"], top, float(np.mean(node_bits)), worst, span))
        out.nodes = sorted(nodes, key=lambda n: (-n.max_bits, -n.mean_bits))
        if k > 0:
            out.formula = self.formulas[k]
        return out


def graph_nodes(outputs: Sequence[Value]) -> list[Value]:
    """Every op node below ``outputs``, inputs before their consumers (an iterative depth-first search)."""
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(out, False) for out in reversed(outputs) if isinstance(out, Value)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen or node._prim is None:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for x in reversed(node._inputs):
            if isinstance(x, Value) and id(x) not in seen and x._prim is not None:
                stack.append((x, False))
    return order


def _runs(x: np.ndarray, flagged: np.ndarray) -> list[Range]:
    """The runs of consecutive flagged samples (x sorted), as [first x, last x] ranges."""
    ranges: list[Range] = []
    start = None
    for i, flag in enumerate(flagged):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            ranges.append((float(x[start]), float(x[i - 1])))
            start = None
    if start is not None:
        ranges.append((float(x[start]), float(x[len(x) - 1])))
    return ranges


def _exact_of(out: Any, values: dict[int, np.ndarray], exact: Any) -> np.ndarray:
    if isinstance(out, Value) and id(out) in values:
        return values[id(out)]
    return exact.to_exact(out.data if isinstance(out, Value) else out)


def _per_sample(a: np.ndarray, n: int, reduce: Any) -> np.ndarray | None:
    """An array over the samples (first axis n) reduced to one number per sample; None when it is not one."""
    if a.ndim == 0 or a.shape[0] != n:
        return None
    return reduce(a.reshape(n, -1), axis=1)  # type: ignore[no-any-return]


def measure(exact: Any, x: Value, outputs: list[Any], sites: dict[int, str], prec: int, fmt: Any,
            collected: Collected) -> np.ndarray:
    """Evaluate the recorded graphs exactly at ``prec`` bits, collect the settled samples.

    Returns:
        A mask of the samples whose exact value is doubtful at this precision (to re-run higher).
    """
    n = x.data.shape[0]
    x_exact = exact.to_exact(x.data)
    all_nodes = graph_nodes(outputs)
    values = exact.evaluate(all_nodes, {id(x): x_exact}, prec)
    exact_outputs = [_exact_of(out, values, exact) for out in outputs]
    doubtful = np.zeros(n, dtype=bool)
    for e in exact_outputs:
        doubtful |= exact.flags(e)
    quotients = [None] + [_difference_quotient(exact, x, x_exact, outputs[k - 1], prec) for k in
                          range(1, len(outputs))]
    for q in quotients[1:]:
        if q is not None:
            doubtful |= q[1]
    keep = ~doubtful
    if not np.any(keep):
        return doubtful
    for k, (out, e) in enumerate(zip(outputs, exact_outputs, strict=True)):
        computed = np.asarray(out.data if isinstance(out, Value) else out, dtype=fmt.dtype)
        exact_rounded = exact.rounded(e, fmt)
        collected.x[k].append(x.data[keep])
        collected.computed[k].append(computed[keep])
        collected.exact[k].append(exact_rounded[keep])
        collected.bits[k].append(exact.bits_of_error(computed, exact_rounded, fmt)[keep])
        nodes = graph_nodes([out])
        used = _used(nodes, out, n)
        _local_errors(exact, nodes, values, sites, fmt, x.data, keep, used, collected.nodes[k])
        overflowed = keep & ~np.isfinite(computed) & np.isfinite(exact_rounded)
        if np.any(overflowed) and collected.overflow_op[k] is None:
            collected.overflow_op[k] = _first_overflow(exact, nodes, values, sites, overflowed)
        if quotients[k] is not None:
            _check_formula(exact, e, quotients[k][0], exact_outputs[k - 1], x.data, keep, prec,
                           collected.formulas[k])
    return doubtful


def _used(nodes: list[Value], out: Any, n: int) -> dict[int, np.ndarray]:
    """For each node, the samples whose output its value reaches (a ``where`` passes on one branch per sample)."""
    used: dict[int, np.ndarray] = {id(out): np.ones(n, dtype=bool)}
    for node in reversed(nodes):
        reaches = used.get(id(node), np.zeros(n, dtype=bool))
        cond = (node._params or {}).get("cond") if node.op == "where" else None
        for i, arg in enumerate(node._inputs):
            if not isinstance(arg, Value):
                continue
            passed = reaches
            if cond is not None:
                picked = _per_sample(np.asarray(cond if i == 0 else ~np.asarray(cond)), n, np.any)
                if picked is not None:
                    passed = reaches & picked
            used[id(arg)] = used.get(id(arg), np.zeros(n, dtype=bool)) | passed
    return used


def _local_errors(exact: Any, nodes: list[Value], values: dict[int, np.ndarray], sites: dict[int, str], fmt: Any,
                  xs: np.ndarray, keep: np.ndarray, used: dict[int, np.ndarray],
                  table: dict[int, dict[str, Any]]) -> None:
    """Bits each node's own rounding adds: its forward on its rounded exact inputs against its rounded exact value.

    Samples where the node's value does not reach the output (the branch a ``where`` did not take), or
    where an input already left the format's range upstream, count 0.
    """
    n = xs.shape[0]
    for position, node in enumerate(nodes):
        args = []
        upstream = np.zeros(n, dtype=bool)  # inputs that left the range upstream: not this node's error
        for arg in node._inputs:
            if not isinstance(arg, Value):
                args.append(arg)
                continue
            e = values[id(arg)]
            r = exact.rounded(e, fmt)
            left = ~np.isfinite(r) & exact.finite(e)
            per_sample = _per_sample(left, n, np.any)
            upstream |= per_sample if per_sample is not None else bool(np.any(left))
            args.append(r if r.ndim else r[()])
        with np.errstate(all="ignore"):
            approx = np.asarray(node._prim.forward(*args, **(node._params or {})))
        bits = exact.bits_of_error(approx, exact.rounded(values[id(node)], fmt), fmt)
        per = _per_sample(bits, n, np.max)
        if per is None:
            per = np.full(n, float(np.max(bits)) if bits.size else 0.0)
        per = np.where(upstream | ~used.get(id(node), True), 0.0, per)  # only errors that reach the output
        record = table.setdefault(position, {"op": node.op, "where": sites.get(id(node), ""), "x": [], "bits": []})
        record["x"].append(xs[keep])
        record["bits"].append(per[keep])


def _first_overflow(exact: Any, nodes: list[Value], values: dict[int, np.ndarray], sites: dict[int, str],
                    samples: np.ndarray) -> str | None:
    """The first op (in evaluation order) whose computed value is inf or NaN where its exact value is finite."""
    n = samples.shape[0]
    for node in nodes:
        data = np.asarray(node.data)
        bad = ~np.isfinite(data) & exact.finite(values[id(node)])
        per = _per_sample(bad, n, np.any)
        if (np.any(per & samples) if per is not None else np.any(bad)):
            return f"'{node.op}' {sites.get(id(node), '')}".rstrip()
    return None


def _difference_quotient(exact: Any, x: Value, x_exact: np.ndarray, previous: Any, prec: int) -> Any:
    """(F(x + h) - F(x - h)) / 2h of the previous output F, evaluated exactly; and where it is doubtful."""
    if not (isinstance(previous, Value) and previous.requires_grad):
        return None
    nodes = graph_nodes([previous])
    h = exact.steps(x_exact, prec)
    plus = _exact_of(previous, exact.evaluate(nodes, {id(x): exact.shifted(x_exact, h, 1)}, prec), exact)
    minus = _exact_of(previous, exact.evaluate(nodes, {id(x): exact.shifted(x_exact, h, -1)}, prec), exact)
    doubtful = exact.flags(plus) | exact.flags(minus)
    return (plus, minus, h), doubtful


def _check_formula(exact: Any, graph: np.ndarray, quotient: Any, centre: np.ndarray, xs: np.ndarray,
                   keep: np.ndarray, prec: int, check: FormulaCheck) -> None:
    plus, minus, h = quotient
    agree, difference = exact.compare_derivative(graph, plus, minus, h, prec, FORMULA_RTOL_BITS, centre)
    usable = keep & (agree >= 0)
    check.checked += int(np.count_nonzero(usable))
    wrong = usable & (agree == 0)
    check.mismatches += int(np.count_nonzero(wrong))
    if np.any(wrong):
        i = int(np.flatnonzero(wrong)[0])
        if check.worst_x is None:
            check.worst_x = float(xs[i])
            check.graph_value, check.difference_quotient = float(graph[i].v), float(difference[i])
