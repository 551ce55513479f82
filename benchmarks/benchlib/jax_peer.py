"""JAX (CPU) on the tensor workloads, as its users run it: the whole step under ``jax.jit``.

Runs only in its own venv. Float64 is switched on (``jax_enable_x64``) so that the loss check
against the floor holds. The first call of each jitted step (tracing and XLA compilation) runs
in the Job's untimed setup and its time is reported separately (``COMPILE_SECONDS``, printed by
worker.py). ``jax_eager_peer`` runs the same code without ``jit``.
"""

from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp

from benchlib import data
from benchlib.harness import Job

jax.config.update("jax_enable_x64", True)

JIT = True
COMPILE_SECONDS: dict[str, float] = {}


def version() -> str:
    return f"{jax.__version__} ({'jit' if JIT else 'eager'}, {jax.default_backend()})"


def _compile(name: str, fn: Any) -> Any:
    return jax.jit(fn) if JIT else fn


def _first_call(name: str, fn: Any, *args: Any) -> Any:
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    COMPILE_SECONDS.setdefault(name, time.perf_counter() - start)
    return out


def _mlp(params: list[Any], X: Any) -> Any:
    h = X
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = h @ params[2 * i].T + params[2 * i + 1]
        if i < n_layers - 1:
            h = jax.nn.relu(h)
    return h


def w1_tensor_job() -> Job:
    X_np, y_np = data.moons()
    X, y_col = jnp.asarray(X_np), jnp.asarray(y_np[:, None])

    def loss_fn(params: list[Any]) -> Any:
        reg = sum((p * p).sum() for p in params)
        return jax.nn.relu(1.0 - y_col * _mlp(params, X)).mean() + data.W1_ALPHA * reg

    def update(params: list[Any], lr: Any) -> tuple[Any, list[Any]]:
        loss, grads = jax.value_and_grad(loss_fn)(params)
        return loss, [p - lr * g for p, g in zip(params, grads, strict=True)]

    step_fn = _compile("W1t", update)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = [jnp.asarray(p) for layer in data.scalar_mlp_weights(data.W1_SIZES) for p in layer]
        state["k"] = 0
        _first_call("W1t", step_fn, state["params"], 0.1)

    def step() -> float:
        loss, state["params"] = step_fn(state["params"], data.w1_learning_rate(state["k"]))
        jax.block_until_ready(state["params"])
        state["k"] += 1
        return float(loss)

    return Job(step, reset)


def w3_job(dtype: str) -> Job:
    X_np, labels_np = data.w3_batch(dtype)
    X, labels = jnp.asarray(X_np), jnp.asarray(labels_np)
    rows = jnp.arange(len(labels_np))

    def loss_fn(params: list[Any]) -> Any:
        z = _mlp(params, X)
        return (jax.nn.logsumexp(z, axis=1) - z[rows, labels]).mean()

    def update(params: list[Any]) -> tuple[Any, list[Any]]:
        loss, grads = jax.value_and_grad(loss_fn)(params)
        lr, wd = data.W3_LR, data.W3_WEIGHT_DECAY
        return loss, [p - lr * (g + wd * p) for p, g in zip(params, grads, strict=True)]

    step_fn = _compile("W3", update)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = [jnp.asarray(p) for layer in data.linear_weights(data.W3_SIZES, dtype) for p in layer]
        _first_call(f"W3 {dtype}", step_fn, state["params"])

    def step() -> float:
        loss, state["params"] = step_fn(state["params"])
        jax.block_until_ready(state["params"])
        return float(loss)

    return Job(step, reset)


def w4_job() -> Job:
    x0, a0, b0 = (jnp.asarray(v) for v in data.w4_inputs())

    def chain(x: Any, a: Any, b: Any) -> Any:
        return data.w4_chain(x, a, b, jnp.tanh, jnp.sin).sum()

    step_fn = _compile("W4", jax.value_and_grad(chain, argnums=(0, 1, 2)))

    def setup() -> None:
        _first_call("W4", step_fn, x0, a0, b0)

    def step() -> float:
        out, grads = step_fn(x0, a0, b0)
        jax.block_until_ready(grads)
        return float(out)

    return Job(step, setup)


def _layer_norm(h: Any, weight: Any, bias: Any, eps: float = 1e-5) -> Any:
    mean = h.mean(axis=-1, keepdims=True)
    var = ((h - mean) ** 2).mean(axis=-1, keepdims=True)
    return (h - mean) / jnp.sqrt(var + eps) * weight + bias


def _w6_logits(p: dict[str, Any], tokens: Any, allowed: Any) -> Any:
    """The attention block of benchlib/w6.py, as PyTorch's layers compute it (batch_first, causal mask)."""
    batch, length = tokens.shape
    e, heads = data.W6_DIM, data.W6_HEADS
    d = e // heads
    h = p["token.weight"][tokens] + p["position.weight"][:length]
    a = _layer_norm(h, p["norm1.weight"], p["norm1.bias"])
    qkv = a @ p["attention.in_proj_weight"].T + p["attention.in_proj_bias"]
    q, k, v = (qkv[..., i * e:(i + 1) * e].reshape(batch, length, heads, d).transpose(0, 2, 1, 3) for i in range(3))
    scores = jnp.where(allowed, q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(float(d)).astype(q.dtype), -jnp.inf)
    out = (jax.nn.softmax(scores, axis=-1) @ v).transpose(0, 2, 1, 3).reshape(batch, length, e)
    h = h + out @ p["attention.out_proj.weight"].T + p["attention.out_proj.bias"]
    z = _layer_norm(h, p["norm_out.weight"], p["norm_out.bias"]) @ p["head.weight"].T + p["head.bias"]
    return z.reshape(-1, data.W6_VOCAB)


def w6_job(dtype: str) -> Job:
    """W6: the names model's attention block, one AdamW step (PyTorch's update rule) in one jitted function."""
    x_np, y_np = data.w6_batch()
    tokens, targets = jnp.asarray(x_np), jnp.asarray(y_np.reshape(-1))
    allowed, rows = jnp.asarray(~data.w6_causal()), jnp.arange(y_np.size)
    lr, wd, b1, b2, eps = data.W6_LR, data.W6_WEIGHT_DECAY, 0.9, 0.999, 1e-8

    def loss_fn(params: dict[str, Any]) -> Any:
        z = _w6_logits(params, tokens, allowed)
        return (jax.nn.logsumexp(z, axis=1) - z[rows, targets]).mean()

    def update(params: dict[str, Any], m: dict[str, Any], v: dict[str, Any], t: Any) -> tuple[Any, ...]:
        loss, grads = jax.value_and_grad(loss_fn)(params)
        new_p, new_m, new_v = {}, {}, {}
        for name, p in params.items():
            g = grads[name]
            new_m[name] = b1 * m[name] + (1 - b1) * g
            new_v[name] = b2 * v[name] + (1 - b2) * g * g
            step_size = jnp.asarray(lr / (1 - b1 ** t), p.dtype)
            denom = jnp.sqrt(new_v[name]) / jnp.sqrt(jnp.asarray(1 - b2 ** t, p.dtype)) + eps
            new_p[name] = p * (1 - lr * wd) - step_size * new_m[name] / denom
        return loss, new_p, new_m, new_v

    step_fn = _compile("W6", update)
    state: dict[str, Any] = {}

    def reset() -> None:
        params = {k: jnp.asarray(a) for k, a in data.w6_weights(dtype).items()}
        zeros = {k: jnp.zeros_like(a) for k, a in params.items()}
        state.update(params=params, m=zeros, v=zeros, t=0)
        _first_call(f"W6 {dtype}", step_fn, params, zeros, zeros, 1)

    def step() -> float:
        state["t"] += 1
        loss, state["params"], state["m"], state["v"] = step_fn(state["params"], state["m"], state["v"], state["t"])
        jax.block_until_ready(state["params"])
        return float(loss)

    return Job(step, reset)


def _batch_norm(z: Any, gamma: Any, beta: Any) -> Any:
    """Training-mode BatchNorm2d: batch statistics over (N, H, W), biased variance."""
    mean = z.mean(axis=(0, 2, 3), keepdims=True)
    var = ((z - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    return (z - mean) / jnp.sqrt(var + 1e-5) * gamma[None, :, None, None] + beta[None, :, None, None]


def _conv_block(h: Any, w: Any, b: Any, gamma: Any, beta: Any) -> Any:
    z = jax.lax.conv_general_dilated(h, w, (1, 1), ((1, 1), (1, 1))) + b[None, :, None, None]  # NCHW, OIHW
    r = jax.nn.relu(_batch_norm(z, gamma, beta))
    n, c, height, width = r.shape
    return r.reshape(n, c, height // 2, 2, width // 2, 2).max(axis=(3, 5))  # MaxPool2d(2)


def w5_job(dtype: str, state: dict[str, Any]) -> Job:
    """The digits CNN; the whole step (forward, value_and_grad, AdamW written on the arrays) under jit."""
    from benchlib import w5

    x_np, labels_np = w5.batch(dtype)
    x, labels = jnp.asarray(x_np), jnp.asarray(labels_np)
    rows = jnp.arange(len(labels_np))

    def loss_fn(params: list[Any]) -> Any:
        w1, b1, g1, be1, w2, b2, g2, be2, w3, b3 = params
        h = _conv_block(_conv_block(x, w1, b1, g1, be1), w2, b2, g2, be2)
        z = h.reshape(h.shape[0], -1) @ w3.T + b3
        return (jax.nn.logsumexp(z, axis=1) - z[rows, labels]).mean()

    def update(params: list[Any], m: list[Any], v: list[Any], t: Any) -> tuple[Any, ...]:
        loss, grads = jax.value_and_grad(loss_fn)(params)
        new = [w5.adamw_update(*pgmv, t) for pgmv in zip(params, grads, m, v, strict=True)]
        return loss, [n[0] for n in new], [n[1] for n in new], [n[2] for n in new]

    step_fn = _compile("W5", update)
    state_: dict[str, Any] = {}

    def reset() -> None:
        params = [jnp.asarray(p) for p in w5.params(state, dtype)]
        zeros = [jnp.zeros_like(p) for p in params]
        state_.update(params=params, m=zeros, v=zeros, t=0)
        _first_call(f"W5 {dtype}", step_fn, params, zeros, zeros, jnp.asarray(1, dtype=dtype))

    def step() -> float:
        state_["t"] += 1
        loss, state_["params"], state_["m"], state_["v"] = step_fn(
            state_["params"], state_["m"], state_["v"], jnp.asarray(state_["t"], dtype=dtype))
        jax.block_until_ready(state_["params"])
        return float(loss)

    return Job(step, reset)


def eager_w2_chain(steps: int) -> tuple[float, float]:
    """W2 op by op, eager only (jax_eager_peer exports it as w2_chain): a jitted 10^5-op chain times XLA."""
    def chain(x: Any) -> Any:
        return data.w2_chain(x, steps, jnp.tanh)

    y, pullback = jax.vjp(chain, jnp.asarray(0.5))
    (grad,) = pullback(jnp.ones_like(y))
    return float(y), float(grad)
