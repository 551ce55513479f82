"""tinygrad (CPU device) on W1 batched, W3, W4 and W5 (runs only in its own venv).

Written with tinygrad 0.14's API: ``loss.gradient(*params)`` (0.14 has no ``requires_grad``),
``.realize()`` on the updated weights, ``.item()`` on the loss. Its CPU device (``DEV=CPU``, the
default set here) compiles kernels with clang (``apt-get install clang``); without clang it finds
"no usable devices". tinygrad compiles a kernel per new graph shape, so its first steps are slow.
Steps run eagerly (``loss.backward()``, the optimizer's ``step()``), without ``TinyJit`` (W5 takes it
with ``BENCH_TINYGRAD_JIT=1``).
W3 and W5 use ``tinygrad.nn.optim`` (SGD, AdamW); its optimizer state is float32 unless
``OPTIM_DTYPE`` says otherwise, so the float64 runs set it to float64 (its bias corrections, beta^t,
and its learning rate stay float32 whatever the dtype). W2 runs here (``worker.py tinygrad W2
--steps N``) but run.py leaves it out (benchlib/peers.py's W2_NOT_RUN says why).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

os.environ.setdefault("DEV", "CPU")
os.environ.setdefault("TRAINING", "1")  # tinygrad's optimizers refuse to step otherwise

from importlib.metadata import version as _dist_version  # noqa: E402

from tinygrad import Tensor, TinyJit, dtypes  # noqa: E402
from tinygrad.nn import optim  # noqa: E402

from benchlib import data  # noqa: E402
from benchlib.harness import Job  # noqa: E402

JIT = os.environ.get("BENCH_TINYGRAD_JIT", "") == "1"  # W5 under TinyJit (see w5_job)


def version() -> str:
    return _dist_version("tinygrad") + (" (TinyJit on W5)" if JIT else "")


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
        y = data.w4_chain(x, a, b, Tensor.tanh, Tensor.sin)
        out = y.sum()
        for g in out.gradient(x, a, b):
            g.realize()
        return float(out.item())

    return Job(step)


def w2_chain(steps: int) -> tuple[float, float]:
    """The scalar chain, lazily: tinygrad fuses it into one kernel, scheduled and compiled when realized."""
    x = Tensor(0.5, dtype=dtypes.float64)
    y = data.w2_chain(x, steps, Tensor.tanh)
    (grad,) = y.gradient(x)
    return float(y.item()), float(grad.item())


def _optim_dtype(dtype: str) -> None:
    os.environ["OPTIM_DTYPE"] = dtype  # read when an optimizer is made: its moments in the workload's dtype


def w3_job(dtype: str) -> Job:
    X_np, labels_np = data.w3_batch(dtype)
    X, labels = Tensor(X_np), Tensor(labels_np.astype(np.int32))
    _optim_dtype(dtype)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = [Tensor(p.copy()) for layer in data.linear_weights(data.W3_SIZES, dtype) for p in layer]
        state["opt"] = optim.SGD(state["params"], lr=data.W3_LR, weight_decay=data.W3_WEIGHT_DECAY)

    def step() -> float:
        params = state["params"]
        h = X
        for i in range(3):
            h = h.linear(params[2 * i].T, params[2 * i + 1])
            if i < 2:
                h = h.relu()
        loss = h.sparse_categorical_crossentropy(labels)
        state["opt"].zero_grad()
        loss.backward()
        loss.realize(*state["opt"].schedule_step())  # the loss with the weights it was computed from
        return float(loss.item())

    reset()
    return Job(step, reset)


def w5_job(dtype: str, state: dict[str, Any]) -> Job:
    """The digits CNN: Tensor.conv2d, batchnorm with the batch's statistics, max_pool2d; nn.optim.AdamW.

    With ``BENCH_TINYGRAD_JIT=1`` the step runs under ``TinyJit`` (captured on its second call, replayed
    from the third), as tinygrad's training examples run it. Each run's setup writes the initial weights
    and a zero AdamW state back into the same buffers, which the captured kernels keep using.
    """
    from benchlib import w5

    x_np, labels_np = w5.batch(dtype)
    x, labels = Tensor(x_np), Tensor(labels_np.astype(np.int32))
    _optim_dtype(dtype)
    initial = w5.params(state, dtype)
    params = [Tensor(p) for p in initial]
    opt = optim.AdamW(params, lr=w5.LR, b1=w5.BETAS[0], b2=w5.BETAS[1], eps=w5.ADAM_EPS,
                      weight_decay=w5.WEIGHT_DECAY)

    def block(h: Any, w: Any, b: Any, gamma: Any, beta: Any) -> Any:
        z = h.conv2d(w, b, padding=1)
        mean = z.mean(axis=(0, 2, 3))
        var = ((z - mean.reshape(1, -1, 1, 1)) ** 2).mean(axis=(0, 2, 3))
        return z.batchnorm(gamma, beta, mean, (var + w5.EPS).rsqrt()).relu().max_pool2d((2, 2))

    def train_step() -> Tensor:
        w1, b1, g1, be1, w2, b2, g2, be2, w3, b3 = params
        h = block(block(x, w1, b1, g1, be1), w2, b2, g2, be2)
        loss = h.flatten(1).linear(w3.T, b3).sparse_categorical_crossentropy(labels)
        opt.zero_grad()
        loss.backward()
        return loss.realize(*opt.schedule_step())  # the loss with the weights it was computed from

    run_step = TinyJit(train_step) if JIT else train_step

    def reset() -> None:
        for p, a in zip(params, initial, strict=True):
            p.assign(Tensor(a))
        for t in opt.m + opt.v:
            t.assign(t.zeros_like())
        for t in (opt.b1_t, opt.b2_t):
            t.assign(t.ones_like())
        Tensor.realize(*params, *opt.m, *opt.v, opt.b1_t, opt.b2_t)

    return Job(lambda: float(run_step().item()), reset)
