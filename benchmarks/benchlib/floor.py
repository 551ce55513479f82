"""The floor: each workload's forward and backward written by hand in NumPy (no graph at all).

Any engine on NumPy pays at least this; the suite reports every engine as a
multiple of it. The math is the same as the engines' (same data, same initial
weights, same update), so the losses must agree to round-off.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from benchlib import data
from benchlib.data import Layers
from benchlib.harness import Job

# --------------------------------------------------------------------------- W1 (batched)


def w1_step(params: list[np.ndarray], X: np.ndarray, y: np.ndarray, lr: float) -> float:
    """One SGD step of MLP(2, [16, 16, 1]) on hinge loss + alpha * sum p^2; updates ``params`` in place."""
    W1, b1, W2, b2, W3, b3 = params
    n = X.shape[0]
    z1 = X @ W1.T + b1
    h1 = np.maximum(z1, 0.0)
    z2 = h1 @ W2.T + b2
    h2 = np.maximum(z2, 0.0)
    s = (h2 @ W3.T + b3)[:, 0]
    margin = 1.0 - y * s
    alpha = data.W1_ALPHA
    loss = np.maximum(margin, 0.0).sum() / n + alpha * sum(float((p * p).sum()) for p in params)
    ds = np.where(margin > 0, -y, 0.0) / n                  # d mean(relu(1 - y s)) / ds
    dW3 = ds[None, :] @ h2
    db3 = np.array([ds.sum()])
    dz2 = (ds[:, None] @ W3) * (z2 > 0)
    dW2 = dz2.T @ h1
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2) * (z1 > 0)
    dW1 = dz1.T @ X
    db1 = dz1.sum(axis=0)
    for p, g in zip(params, (dW1, db1, dW2, db2, dW3, db3), strict=True):
        p -= lr * (g + 2.0 * alpha * p)
    return float(loss)


# --------------------------------------------------------------------------- W2


def w2_chain(steps: int, x0: float = 0.5) -> tuple[float, float]:
    """y = y*1.0001 + 0.0001 with tanh every 10th step in Python floats; returns (y, dy/dx0)."""
    y = x0
    tanh_outputs = []
    for i in range(steps):
        y = y * data.W2_FACTOR + data.W2_SHIFT
        if i % data.W2_TANH_EVERY == data.W2_TANH_EVERY - 1:
            y = math.tanh(y)
            tanh_outputs.append(y)
    g = 1.0
    for i in reversed(range(steps)):
        if i % data.W2_TANH_EVERY == data.W2_TANH_EVERY - 1:
            t = tanh_outputs.pop()
            g = g * (1.0 - t * t)
        g = g * data.W2_FACTOR
    return y, g


# --------------------------------------------------------------------------- W3


def w3_step(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray) -> float:
    """One SGD step (lr 0.01, weight_decay 5e-4) of a ReLU MLP on softmax cross-entropy; in place."""
    W1, b1, W2, b2, W3, b3 = params
    n = X.shape[0]
    z1 = X @ W1.T + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2.T + b2
    h2 = np.maximum(z2, 0)
    logits = h2 @ W3.T + b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    dlogits = e / total                                      # softmax
    dlogits[rows, labels] -= 1
    dlogits /= n
    dW3 = dlogits.T @ h2
    db3 = dlogits.sum(axis=0)
    dz2 = dlogits @ W3
    dz2 *= z2 > 0
    dW2 = dz2.T @ h1
    db2 = dz2.sum(axis=0)
    dz1 = dz2 @ W2
    dz1 *= z1 > 0
    dW1 = dz1.T @ X
    db1 = dz1.sum(axis=0)
    lr, wd = data.W3_LR, data.W3_WEIGHT_DECAY
    for p, g in zip(params, (dW1, db1, dW2, db2, dW3, db3), strict=True):
        g += wd * p
        p -= lr * g
    return loss


# --------------------------------------------------------------------------- W4


def w4_forward_backward(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """The 200-op elementwise chain and its sum; returns (sum, [d/dx, d/da, d/db])."""
    saved: list[np.ndarray] = []
    y = x
    for k in range(data.W4_OPS):
        kind = k % 4
        saved.append(y)
        if kind == 0:
            y = y * a
        elif kind == 1:
            y = y + b
        elif kind == 2:
            y = np.tanh(y)
        else:
            y = np.sin(y)
    out = float(y.sum())
    g = np.ones_like(y)
    ga = np.zeros_like(a)
    gb = np.zeros_like(b)
    tanh_out: Any = None
    for k in reversed(range(data.W4_OPS)):
        kind = k % 4
        inp = saved[k]
        if kind == 0:
            ga = ga + g * inp
            g = g * a
        elif kind == 1:
            gb = gb + g
        elif kind == 2:
            tanh_out = saved[k + 1] if k + 1 < data.W4_OPS else y
            g = g * (1.0 - tanh_out * tanh_out)
        else:
            g = g * np.cos(inp)
    return out, [g, ga, gb]


def adamw_in_place(params: list[np.ndarray], grads: list[np.ndarray], m: list[np.ndarray], v: list[np.ndarray],
                   t: int, lr: float, weight_decay: float) -> None:
    """One AdamW update by hand, in place (PyTorch's: decay, moments, bias-corrected step ``t``, 1-based)."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    correction1, correction2 = 1 - beta1**t, 1 - beta2**t
    for p, g, m_p, v_p in zip(params, grads, m, v, strict=True):
        p *= 1 - lr * weight_decay
        m_p *= beta1
        m_p += (1 - beta1) * g
        v_p *= beta2
        v_p += (1 - beta2) * g * g
        p -= (lr / correction1) * m_p / (np.sqrt(v_p / correction2) + eps)


def fresh(layers: Layers) -> list[np.ndarray]:
    """A flat list [W1, b1, W2, b2, ...] of copies (the floor updates in place)."""
    return [p.copy() for layer in layers for p in layer]


# --------------------------------------------------------------------------- jobs for the harness


def w1_tensor_job() -> Job:
    X, y = data.moons()
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = fresh(data.scalar_mlp_weights(data.W1_SIZES))
        state["k"] = 0

    def step() -> float:
        loss = w1_step(state["params"], X, y, data.w1_learning_rate(state["k"]))
        state["k"] += 1
        return loss

    return Job(step, reset)


def w3_job(dtype: str) -> Job:
    X, labels = data.w3_batch(dtype)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = fresh(data.linear_weights(data.W3_SIZES, dtype))

    return Job(lambda: w3_step(state["params"], X, labels), reset)


def w4_job() -> Job:
    x, a, b = data.w4_inputs()
    return Job(lambda: w4_forward_backward(x, a, b)[0])
