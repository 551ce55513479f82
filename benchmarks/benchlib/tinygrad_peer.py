"""tinygrad (CPU device) on W1 batched and W4 (runs only in its own venv).

Written as its users write it: ``Tensor(..., requires_grad=True)``, ``loss.backward()``,
``.realize()`` on the updated weights, ``.item()`` on the loss. tinygrad compiles a kernel for
each new graph shape, so its first steps are slow; the warm-up runs absorb part of that.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tinygrad
from tinygrad import Tensor, dtypes

from benchlib import data
from benchlib.harness import Job


def version() -> str:
    return str(getattr(tinygrad, "__version__", "unknown"))


def _leaves(arrays: list[np.ndarray]) -> list[Any]:
    return [Tensor(a.copy(), dtype=dtypes.float64, requires_grad=True) for a in arrays]


def w1_tensor_job() -> Job:
    X_np, y_np = data.moons()
    X = Tensor(X_np, dtype=dtypes.float64)
    y_col = Tensor(y_np[:, None], dtype=dtypes.float64)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = _leaves([p for layer in data.scalar_mlp_weights(data.W1_SIZES) for p in layer])
        state["k"] = 0

    def step() -> float:
        params = state["params"]
        h = X
        for i in range(3):
            h = h.linear(params[2 * i].T, params[2 * i + 1])
            if i < 2:
                h = h.relu()
        reg = sum((p * p).sum() for p in params)
        loss = (1.0 - y_col * h).relu().mean() + data.W1_ALPHA * reg
        loss.backward()
        lr = data.w1_learning_rate(state["k"])
        new = [(p - lr * p.grad).detach().realize() for p in params]
        state["params"] = [Tensor(n.numpy(), dtype=dtypes.float64, requires_grad=True) for n in new]
        state["k"] += 1
        return float(loss.item())

    return Job(step, reset)


def w4_job() -> Job:
    x0, a0, b0 = data.w4_inputs()

    def step() -> float:
        x, a, b = _leaves([x0, a0, b0])
        y = x
        for k in range(data.W4_OPS):
            kind = k % 4
            if kind == 0:
                y = y * a
            elif kind == 1:
                y = y + b
            elif kind == 2:
                y = y.tanh()
            else:
                y = y.sin()
        out = y.sum()
        out.backward()
        for t in (x, a, b):
            assert t.grad is not None
            t.grad.realize()
        return float(out.item())

    return Job(step)
