"""The workloads on our engine (``autograd``, and ``nn`` where it provides the pieces).

The tensor forms use ``nn`` (Linear/MLP, losses, optim.SGD) when it has them and
plain autograd ops otherwise; ``nn_status()`` says which one ran.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Value
from benchlib import data
from benchlib.harness import Job
from benchlib.scalar_mlp import ScalarWorkload


def _nn() -> Any:
    """The ``nn`` package if it has what the tensor workloads need, else None."""
    try:
        import nn
        from nn import optim
    except ImportError:
        return None
    needed = [(nn, "MLP"), (nn, "Linear"), (nn, "cross_entropy"), (nn, "hinge_loss"), (nn, "l2_penalty"),
              (optim, "SGD")]
    if all(hasattr(mod, name) for mod, name in needed):
        return nn
    return None


def nn_status() -> str:
    return "nn" if _nn() is not None else "autograd ops (nn not available yet)"


def _load(params: list[Any], arrays: list[np.ndarray]) -> None:
    """Copy the shared initial weights into the model's parameters, checking shapes and dtypes."""
    if len(params) != len(arrays):
        raise ValueError(f"model has {len(params)} parameters, the shared weights {len(arrays)}")
    for p, a in zip(params, arrays, strict=True):
        if p.shape != a.shape or p.dtype != a.dtype:
            raise ValueError(f"parameter {p.shape} {p.dtype} != shared weight {a.shape} {a.dtype}")
        p.data = a.copy()


def _flat(layers: data.Layers) -> list[np.ndarray]:
    return [p for layer in layers for p in layer]


# --------------------------------------------------------------------------- W1


def w1_scalar_job(disable_gc: bool = False) -> Job:
    work = ScalarWorkload(Value)
    return Job(work.step, work.reset, disable_gc)


class _W1Tensor:
    """MLP(2, [16, 16, 1]) as one batched graph: hinge loss + alpha * sum p^2, manual SGD (the demo's)."""

    def __init__(self) -> None:
        X, y = data.moons()
        self.X = X
        self.y = y
        self.y_col = y[:, None]
        self.nn = _nn()
        self.k = 0

    def reset(self) -> None:
        arrays = _flat(data.scalar_mlp_weights(data.W1_SIZES))
        nn = self.nn
        if nn is not None:
            self.model = nn.MLP(2, data.W1_SIZES[1:])
            self.params = list(self.model.parameters())
            _load(self.params, arrays)
        else:
            self.params = [Value(a.copy()) for a in arrays]
        self.k = 0

    def forward(self) -> Any:
        nn = self.nn
        if nn is not None:
            scores = self.model(self.X)
            return nn.hinge_loss(scores, self.y_col) + data.W1_ALPHA * nn.l2_penalty(self.params)
        h: Any = self.X
        pairs = list(zip(self.params[::2], self.params[1::2], strict=True))
        for i, (W, b) in enumerate(pairs):
            h = h @ W.T + b
            if i < len(pairs) - 1:
                h = h.relu()
        margin = 1.0 - self.y_col * h
        reg = sum((p * p).sum() for p in self.params)
        return margin.relu().mean() + data.W1_ALPHA * reg

    def step(self) -> float:
        loss = self.forward()
        for p in self.params:
            p.zero_grad()
        loss.backward()
        lr = data.w1_learning_rate(self.k)
        for p in self.params:
            p.data -= lr * p.grad
        self.k += 1
        return float(loss.data)


def w1_tensor_job() -> Job:
    work = _W1Tensor()
    return Job(work.step, work.reset)


# --------------------------------------------------------------------------- W2


def w2_chain(steps: int, backward: bool = True) -> tuple[float, float]:
    """Build the chain from x0 = 0.5, backpropagate; returns (y, dy/dx0) (dy/dx0 is NaN without backward)."""
    x = Value(0.5)
    y = data.w2_chain(x, steps, Value.tanh)
    if not backward:
        return float(y.data), float("nan")
    y.backward()
    return float(y.data), float(x.grad)


# --------------------------------------------------------------------------- W3


class _W3:
    """784-256-256-10 ReLU MLP, batch 128, softmax cross-entropy, SGD(lr 0.01, weight_decay 5e-4)."""

    def __init__(self, dtype: str) -> None:
        self.dtype = dtype
        self.X, self.labels = data.w3_batch(dtype)
        self.rows = np.arange(len(self.labels))
        self.nn = _nn()

    def reset(self) -> None:
        arrays = _flat(data.linear_weights(data.W3_SIZES, self.dtype))
        nn = self.nn
        if nn is not None:
            self.model = nn.MLP(data.W3_SIZES[0], data.W3_SIZES[1:], dtype=np.dtype(self.dtype))
            self.params = list(self.model.parameters())
            _load(self.params, arrays)
            self.opt = nn.optim.SGD(self.params, lr=data.W3_LR, weight_decay=data.W3_WEIGHT_DECAY)
        else:
            self.params = [Value(a.copy()) for a in arrays]

    def step(self) -> float:
        loss = self._step()
        if loss.dtype != self.dtype:
            raise TypeError(f"W3 {self.dtype}: the loss came out as {loss.dtype}")
        return float(loss)

    def _step(self) -> np.ndarray:
        nn = self.nn
        if nn is not None:
            loss = nn.cross_entropy(self.model(self.X), self.labels)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            return np.asarray(loss.data)
        h: Any = self.X
        pairs = list(zip(self.params[::2], self.params[1::2], strict=True))
        for i, (W, b) in enumerate(pairs):
            h = h @ W.T + b
            if i < len(pairs) - 1:
                h = h.relu()
        loss = (autograd.logsumexp(h, axis=1) - h[self.rows, self.labels]).mean()
        for p in self.params:
            p.zero_grad()
        loss.backward()
        lr, wd = data.W3_LR, data.W3_WEIGHT_DECAY
        for p in self.params:
            g = p.grad
            g += wd * p.data
            p.data -= lr * g
        return np.asarray(loss.data)


def w3_job(dtype: str) -> Job:
    work = _W3(dtype)
    return Job(work.step, work.reset)


# --------------------------------------------------------------------------- W4


def w4_forward_backward(x0: np.ndarray, a0: np.ndarray, b0: np.ndarray) -> float:
    x, a, b = Value(x0), Value(a0), Value(b0)
    y = data.w4_chain(x, a, b, Value.tanh, Value.sin)  # the methods themselves: no extra call per op
    out = y.sum()
    out.backward()
    return float(out.data)


def w4_job() -> Job:
    x, a, b = data.w4_inputs()
    return Job(lambda: w4_forward_backward(x, a, b))
