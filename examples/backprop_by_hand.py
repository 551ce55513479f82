"""Backpropagation by hand: a tiny neuron, its graph, and every step of the chain rule.

Run:  python examples/backprop_by_hand.py [--out DIR]

1. A neuron o = tanh(x1*w1 + x2*w2 + b), every intermediate labelled.
2. ``trace(o)`` runs the backward pass and prints one row per node: what
   reached it from above (upstream), its local derivative for each input, and
   what it passes down (contribution = local x upstream).
3. The graph drawn with every node's value and gradient (SVG and PNG when
   Graphviz is installed; the DOT text always).
4. A longer expression (the one from micrograd's README), whose gradients are
   checked against finite differences.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from _shared import parse_args

from autograd import Value
from autograd.viz import GraphvizUnavailable, render, to_dot, trace


def neuron() -> tuple[dict[str, Value], Value]:
    """o = tanh(x1*w1 + x2*w2 + b), with the bias chosen so that n = 0.8814 and o = 0.7071."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.881373587019543, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1w1+x2w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}, o


def micrograd_expression(a: Any, b: Any) -> Any:
    """The expression of micrograd's README (works on Values and on plain floats)."""
    relu = (lambda v: v.relu()) if isinstance(a, Value) else (lambda v: max(v, 0.0))
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + relu(b + a)
    d = d + 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)

    print("1. The forward pass of one neuron: o = tanh(x1*w1 + x2*w2 + b)")
    leaves, o = neuron()
    print(f"   o = {o.data:.4f}\n")

    print("2. The backward pass, node by node (trace runs it, as o.backward() would):")
    t = trace(o)
    print(t)
    print("\n   Read it top to bottom: the gradient flows from o down to the leaves.")
    print(f"   tanh: do/dn = 1 - o^2 = {1 - o.data**2:.4f};  '+' hands its upstream unchanged to both inputs;")
    upstream = next(row.upstream for row in t.rows if row.name == "x1*w1")
    print("   '*' hands upstream x (the other input): do/dw1 = upstream(x1*w1) * x1 "
          f"= {upstream:.4g} * {leaves['x1'].data:g} = {leaves['w1'].grad:.4g}.")
    grads = {name: v.grad for name, v in leaves.items()}
    for name, g in grads.items():
        print(f"   d o / d {name:2s} = {g: .4f}")

    print("\n3. The graph, with every node's value and gradient:")
    dot_text = to_dot(o, grads=t.grads)
    pictures = []
    for suffix in ("svg", "png"):
        try:
            pictures.append(render(o, args.out / f"backprop_graph.{suffix}", grads=t.grads))
        except GraphvizUnavailable as error:
            print(f"   {error}")
            break
    for path in pictures:
        print(f"saved {path}")
    print(f"saved {args.out / 'backprop_graph.dot'}  ({len(dot_text.splitlines())} lines of DOT)")

    print("\n4. A longer expression (micrograd's README): g(a, b) at a = -4, b = 2")
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    g = micrograd_expression(a, b)
    g.label = "g"
    t2 = trace(g)
    print(f"   the trace has {len(t2.rows)} rows; its last lines:")
    print("\n".join("   " + line for line in t2.splitlines()[-4:]))
    eps = 1e-6
    numeric_a = (micrograd_expression(-4.0 + eps, 2.0) - micrograd_expression(-4.0 - eps, 2.0)) / (2 * eps)
    numeric_b = (micrograd_expression(-4.0, 2.0 + eps) - micrograd_expression(-4.0, 2.0 - eps)) / (2 * eps)
    print(f"   g = {g.data:.4f}")
    print(f"   dg/da = {a.grad:.4f}   (finite differences: {numeric_a:.4f})")
    print(f"   dg/db = {b.grad:.4f}   (finite differences: {numeric_b:.4f})")
    assert math.isclose(a.grad, numeric_a, rel_tol=1e-6) and math.isclose(b.grad, numeric_b, rel_tol=1e-6)

    return {"o": o.data, "grads": grads, "trace_rows": len(t.rows), "g": g.data, "dg_da": a.grad, "dg_db": b.grad,
            "numeric": (numeric_a, numeric_b), "pictures": pictures, "dot": args.out / "backprop_graph.dot"}


if __name__ == "__main__":
    main(sys.argv[1:])
