"""MyGrad (a NumPy autograd, mygrad.Tensor) on the tensor workloads and W2 (runs only in its own venv)."""

from __future__ import annotations

from typing import Any

import mygrad as mg
import numpy as np

from benchlib import data
from benchlib.harness import Job


def version() -> str:
    return mg.__version__


def _leaves(arrays: list[np.ndarray]) -> list[Any]:
    return [mg.Tensor(a.copy()) for a in arrays]


def _mlp(params: list[Any], X: Any) -> Any:
    h = X
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = mg.matmul(h, params[2 * i].T) + params[2 * i + 1]
        if i < n_layers - 1:
            h = mg.maximum(h, 0.0)
    return h


def _sgd(params: list[Any], lr: float, wd: float = 0.0) -> None:
    for p in params:
        g = p.grad + wd * p.data if wd else p.grad
        p.data -= lr * g


def w1_tensor_job() -> Job:
    X, y = data.moons()
    y_col = y[:, None]
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = _leaves([p for layer in data.scalar_mlp_weights(data.W1_SIZES) for p in layer])
        state["k"] = 0

    def step() -> float:
        params = state["params"]
        reg = sum((p * p).sum() for p in params)
        loss = mg.maximum(1.0 - y_col * _mlp(params, X), 0.0).mean() + data.W1_ALPHA * reg
        loss.backward()
        _sgd(params, data.w1_learning_rate(state["k"]))
        state["k"] += 1
        return float(loss.item())

    return Job(step, reset)


def w2_chain(steps: int) -> tuple[float, float]:
    x = mg.Tensor(0.5)
    y = data.w2_chain(x, steps, mg.tanh)
    y.backward()
    return float(y.item()), float(x.grad)


def w3_job(dtype: str) -> Job:
    X, labels = data.w3_batch(dtype)
    rows = np.arange(len(labels))
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = _leaves([p for layer in data.linear_weights(data.W3_SIZES, dtype) for p in layer])

    def step() -> float:
        params = state["params"]
        z = _mlp(params, X)
        shift = z.data.max(axis=1, keepdims=True)  # a constant: the shift cancels in the gradient
        lse = mg.log(mg.exp(z - shift).sum(axis=1)) + shift[:, 0]
        loss = (lse - z[rows, labels]).mean()
        loss.backward()
        _sgd(params, data.W3_LR, data.W3_WEIGHT_DECAY)
        return float(loss.item())

    return Job(step, reset)


def w4_job() -> Job:
    x, a, b = _leaves(list(data.w4_inputs()))

    def step() -> float:
        y = data.w4_chain(x, a, b, mg.tanh, mg.sin)
        out = y.sum()
        out.backward()
        return float(out.item())

    return Job(step)


def w5_job(dtype: str, state: dict[str, Any]) -> Job:
    """The digits CNN with mygrad.nnet's conv_nd, batchnorm (batch statistics) and max_pool; AdamW by hand.

    MyGrad has no optimizers: PyTorch's AdamW is written on the arrays (``w5.adamw_update``). In float32,
    MyGrad 2.5's ``max_pool`` returns float64 (and ``astype`` does not backpropagate), so from the first
    pooling on the step runs in float64: the float32 row is not a float32 step (the worker says so).
    """
    from mygrad.nnet.layers import batchnorm, conv_nd, max_pool
    from mygrad.nnet.losses import softmax_crossentropy

    from benchlib import w5

    x, labels = w5.batch(dtype)
    run: dict[str, Any] = {}

    def block(h: Any, w: Any, b: Any, gamma: Any, beta: Any) -> Any:
        z = conv_nd(h, w, stride=1, padding=1) + b.reshape(1, -1, 1, 1)
        return max_pool(mg.maximum(batchnorm(z, gamma=gamma, beta=beta, eps=w5.EPS), 0.0), (2, 2), 2)

    def reset() -> None:
        run["params"] = _leaves(w5.params(state, dtype))
        run["m"] = [np.zeros_like(p.data) for p in run["params"]]
        run["v"] = [np.zeros_like(p.data) for p in run["params"]]
        run["t"] = 0

    def step() -> float:
        w1, b1, g1, be1, w2, b2, g2, be2, w3, b3 = params = run["params"]
        h = block(block(x, w1, b1, g1, be1), w2, b2, g2, be2)
        loss = softmax_crossentropy(mg.matmul(h.reshape(len(x), -1), w3.T) + b3, labels)
        loss.backward()
        run["t"] += 1
        for i, p in enumerate(params):
            p.data[...], run["m"][i], run["v"][i] = w5.adamw_update(p.data, p.grad, run["m"][i], run["v"][i], run["t"])
        return float(loss.item())

    reset()
    return Job(step, reset)
