"""HIPS autograd on the tensor workloads and W2 (runs only in its own venv: its import name is ``autograd``).

Written as its users write it: a loss function of a parameter list, ``value_and_grad``,
and the update in plain NumPy.
"""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp  # HIPS autograd, not ours: this module runs in the peer's venv only
import numpy as np

from autograd import value_and_grad
from benchlib import data
from benchlib.harness import Job


def version() -> str:
    from importlib.metadata import version as v

    return v("autograd")


def _mlp(params: list[Any], X: Any) -> Any:
    h = X
    n_layers = len(params) // 2
    for i in range(n_layers):
        W, b = params[2 * i], params[2 * i + 1]
        h = anp.dot(h, W.T) + b
        if i < n_layers - 1:
            h = anp.maximum(h, 0.0)
    return h


def w1_tensor_job() -> Job:
    X, y = data.moons()
    y_col = y[:, None]

    def loss_fn(params: list[Any]) -> Any:
        scores = _mlp(params, X)
        reg = sum(anp.sum(p * p) for p in params)
        return anp.mean(anp.maximum(1.0 - y_col * scores, 0.0)) + data.W1_ALPHA * reg

    loss_and_grad = value_and_grad(loss_fn)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = [p.copy() for layer in data.scalar_mlp_weights(data.W1_SIZES) for p in layer]
        state["k"] = 0

    def step() -> float:
        params = state["params"]
        loss, grads = loss_and_grad(params)
        lr = data.w1_learning_rate(state["k"])
        state["params"] = [p - lr * g for p, g in zip(params, grads, strict=True)]
        state["k"] += 1
        return float(loss)

    return Job(step, reset)


def w2_chain(steps: int) -> tuple[float, float]:
    def chain(x: Any) -> Any:
        return data.w2_chain(x, steps, anp.tanh)

    y, g = value_and_grad(chain)(0.5)
    return float(y), float(g)


def w3_job(dtype: str) -> Job:
    X, labels = data.w3_batch(dtype)
    rows = np.arange(len(labels))

    def loss_fn(params: list[Any]) -> Any:
        logits = _mlp(params, X)
        m = anp.max(logits, axis=1, keepdims=True)
        lse = anp.log(anp.sum(anp.exp(logits - m), axis=1)) + m[:, 0]
        return anp.mean(lse - logits[rows, labels])

    loss_and_grad = value_and_grad(loss_fn)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = [p.copy() for layer in data.linear_weights(data.W3_SIZES, dtype) for p in layer]

    def step() -> float:
        params = state["params"]
        loss, grads = loss_and_grad(params)
        lr, wd = data.W3_LR, data.W3_WEIGHT_DECAY
        for p, g in zip(params, grads, strict=True):
            g += wd * p
            p -= lr * g
        return float(loss)

    return Job(step, reset)


def w4_job() -> Job:
    x0, a0, b0 = data.w4_inputs()

    def chain(x: Any, a: Any, b: Any) -> Any:
        return anp.sum(data.w4_chain(x, a, b, anp.tanh, anp.sin))

    loss_and_grads = value_and_grad(chain, (0, 1, 2))

    def step() -> float:
        out, _ = loss_and_grads(x0, a0, b0)
        return float(out)

    return Job(step)

