"""micrograd's demo network, written once over any micrograd-style ``Value`` class passed in.

The class needs ``Value(float)``, ``+``, ``*`` (with Python numbers on either side),
``relu()``, ``backward()`` and ``data``/``grad`` attributes. Ours and micrograd's both
qualify, so both run exactly this code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchlib import data
from benchlib.data import Layers


class Neuron:
    """One unit: relu(w . x + b), or the plain affine sum for an output unit."""

    def __init__(self, value_cls: Any, w: np.ndarray, b: float, nonlin: bool) -> None:
        self.w = [value_cls(float(wi)) for wi in w]
        self.b = value_cls(float(b))
        self.nonlin = nonlin

    def __call__(self, x: list[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Any]:
        return self.w + [self.b]


class Layer:
    """A list of neurons reading the same inputs."""

    def __init__(self, value_cls: Any, W: np.ndarray, b: np.ndarray, nonlin: bool) -> None:
        self.neurons = [Neuron(value_cls, W[j], b[j], nonlin) for j in range(W.shape[0])]

    def __call__(self, x: list[Any]) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Any]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Layers with ReLU between them and a linear last layer, as micrograd's MLP."""

    def __init__(self, value_cls: Any, layers: Layers) -> None:
        last = len(layers) - 1
        self.layers = [Layer(value_cls, W, b, nonlin=i != last) for i, (W, b) in enumerate(layers)]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.parameters()]


def zero_grad(params: list[Any]) -> None:
    """Reset gradients the way each engine expects (``zero_grad()`` when the Value has it, else 0)."""
    for p in params:
        if hasattr(p, "zero_grad"):
            p.zero_grad()
        else:
            p.grad = 0.0


def train_step(model: MLP, value_cls: Any, X: list[list[float]], y: list[float], lr: float) -> float:
    """The demo's step: hinge loss over all points + alpha * sum p^2, backward, SGD; returns the loss."""
    inputs = [[value_cls(v) for v in row] for row in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    params = model.parameters()
    reg_loss = data.W1_ALPHA * sum(p * p for p in params)
    total = data_loss + reg_loss
    zero_grad(params)
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return float(total.data)


class ScalarWorkload:
    """W1 in scalar form for one engine: the model is rebuilt from the shared weights before each run."""

    def __init__(self, value_cls: Any) -> None:
        self.value_cls = value_cls
        X, y = data.moons()
        self.X = X.tolist()
        self.y = y.tolist()
        self.model: MLP | None = None
        self.k = 0

    def reset(self) -> None:
        self.model = MLP(self.value_cls, data.scalar_mlp_weights(data.W1_SIZES))
        self.k = 0

    def step(self) -> float:
        assert self.model is not None
        loss = train_step(self.model, self.value_cls, self.X, self.y, data.w1_learning_rate(self.k))
        self.k += 1
        return loss
