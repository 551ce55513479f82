"""Graphs the explorer tests share: the micrograd neuron, a node used twice, a tensor graph, a big graph."""

from __future__ import annotations

import numpy as np

import nn
from autograd import Value

NEURON_B = 6.8813735870195432


def neuron(w2_label: str = "w2") -> tuple[Value, dict[str, Value]]:
    """o = tanh(x1 w1 + x2 w2 + b), micrograd's neuron, every leaf labelled."""
    leaves = {"x1": Value(2.0, label="x1"), "w1": Value(-3.0, label="w1"), "x2": Value(0.0, label="x2"),
              "w2": Value(1.0, label=w2_label), "b": Value(NEURON_B, label="b")}
    x1, w1, x2, w2, b = leaves.values()
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, leaves


def used_twice() -> tuple[Value, Value, Value]:
    """e = (a*b + a)^2 at a = 2, b = -3: a receives two contributions (-8 from d, 24 from c)."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    e = d**2
    e.label = "e"
    return e, a, b


def tensor_mlp() -> tuple[Value, list[Value]]:
    """A 3-4-1 MLP's mean squared error on 5 points: matmuls, broadcasting, a reduction."""
    rng = np.random.default_rng(0)
    model = nn.MLP(3, [4, 1], activation=nn.Tanh, rng=rng)
    x = rng.normal(size=(5, 3))
    y = rng.normal(size=(5, 1))
    return nn.mse_loss(model(x), y), list(model.parameters())


def chain_of_neurons(n_nodes: int) -> Value:
    """A scalar graph of about ``n_nodes`` nodes: tanh neurons, each fed by the two before it."""
    rng = np.random.default_rng(1)
    values = [Value(float(v), label=f"x{k}") for k, v in enumerate(rng.normal(size=2))]
    while True:
        w = Value(float(rng.normal()), label=f"w{len(values)}")
        values.append((values[-1] * w + values[-2]).tanh())
        if 2 + 4 * (len(values) - 2) >= n_nodes:
            return values[-1]
