"""tinygrad (CPU device) on W1 batched and W4 (runs only in its own venv).

Written with tinygrad 0.14's API: ``loss.gradient(*params)`` (0.14 has no ``requires_grad``),
``.realize()`` on the updated weights, ``.item()`` on the loss. Its CPU device (``DEV=CPU``, the
default set here) compiles kernels with clang (``apt-get install clang``); without clang it finds
"no usable devices". tinygrad compiles a kernel per new graph shape, so its first steps are slow.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

os.environ.setdefault("DEV", "CPU")

import tinygrad  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402

from benchlib import data  # noqa: E402
from benchlib.harness import Job  # noqa: E402


def version() -> str:
    return str(getattr(tinygrad, "__version__", "unknown"))


def _leaves(arrays: list[np.ndarray]) -> list[Any]:
    return [Tensor(a.copy(), dtype=dtypes.float64) for a in arrays]


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
        grads = loss.gradient(*params)
        lr = data.w1_learning_rate(state["k"])
        state["params"] = [(p - lr * g).realize() for p, g in zip(params, grads, strict=True)]
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
        for g in out.gradient(x, a, b):
            g.realize()
        return float(out.item())

    return Job(step)
