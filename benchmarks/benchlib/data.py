"""Inputs and initial weights of every workload, made with NumPy from fixed seeds.

Every engine starts from these same arrays, so their losses can be compared with
the NumPy floor's. Weights use PyTorch's layout: a layer is ``(W, b)`` with ``W`` of
shape (out, in) and ``y = x @ W.T + b``; in the scalar MLP, neuron ``j`` of a layer
holds ``W[j]`` and ``b[j]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Layers = list[tuple[np.ndarray, np.ndarray]]

SEED = 1234


def moons(n: int = 100, noise: float = 0.1, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X (n, 2) float64 and labels y (n,) in {-1.0, +1.0}."""
    rng = np.random.default_rng(seed)
    n_top = n // 2
    n_bottom = n - n_top
    t_top = np.linspace(0.0, np.pi, n_top)
    t_bottom = np.linspace(0.0, np.pi, n_bottom)
    top = np.stack([np.cos(t_top), np.sin(t_top)], axis=1)
    bottom = np.stack([1.0 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)], axis=1)
    X = np.concatenate([top, bottom]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([-np.ones(n_top), np.ones(n_bottom)])
    order = rng.permutation(n)
    return X[order], y[order]


def scalar_mlp_weights(sizes: list[int], seed: int = SEED) -> Layers:
    """micrograd's init for MLP(sizes[0], sizes[1:]): weights uniform in [-1, 1], biases 0."""
    rng = np.random.default_rng(seed + 1)
    pairs = zip(sizes, sizes[1:], strict=False)
    return [(rng.uniform(-1.0, 1.0, (n_out, n_in)), np.zeros(n_out)) for n_in, n_out in pairs]


def w1_learning_rate(k: int) -> float:
    """The demo's schedule: 1.0 at step 0, decaying linearly by 0.9 over 100 steps."""
    return 1.0 - 0.9 * k / 100


W1_SIZES = [2, 16, 16, 1]
W1_ALPHA = 1e-4

W3_SIZES = [784, 256, 256, 10]
W3_BATCH = 128
W3_LR = 0.01
W3_WEIGHT_DECAY = 5e-4


def linear_weights(sizes: list[int], dtype: str = "float64", seed: int = SEED) -> Layers:
    """PyTorch's default Linear init: W and b uniform in +-1/sqrt(fan_in)."""
    rng = np.random.default_rng(seed + 3)
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:], strict=False):
        bound = 1.0 / np.sqrt(n_in)
        W = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
        b = rng.uniform(-bound, bound, n_out).astype(dtype)
        layers.append((W, b))
    return layers


def w3_batch(dtype: str = "float64", seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """One MNIST-shaped batch: X (128, 784) in [0, 1) and integer labels (128,) in 0..9."""
    rng = np.random.default_rng(seed + 4)
    X = rng.random((W3_BATCH, W3_SIZES[0])).astype(dtype)
    labels = rng.integers(0, W3_SIZES[-1], W3_BATCH)
    return X, labels


W4_OPS = 200
W4_SHAPE = (8, 8)
W4_CYCLE = ("multiply a", "add b", "tanh", "sin")


def w4_inputs(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, a, b of shape 8x8: the chain is x -> x*a -> +b -> tanh -> sin -> x*a -> ... (200 ops), then sum."""
    rng = np.random.default_rng(seed + 5)
    x = rng.uniform(-1.0, 1.0, W4_SHAPE)
    a = rng.uniform(0.5, 1.5, W4_SHAPE)
    b = rng.uniform(-0.5, 0.5, W4_SHAPE)
    return x, a, b


def w4_chain(y: Any, a: Any, b: Any, tanh: Callable[[Any], Any], sin: Callable[[Any], Any]) -> Any:
    """The W4 chain from y: y*a, +b, tanh, sin, repeated to W4_OPS ops, on any engine's arrays (its tanh, sin)."""
    for k in range(W4_OPS):
        kind = k % 4
        if kind == 0:
            y = y * a
        elif kind == 1:
            y = y + b
        elif kind == 2:
            y = tanh(y)
        else:
            y = sin(y)
    return y


W2_FACTOR = 1.0001
W2_SHIFT = 0.0001
W2_TANH_EVERY = 10


def w2_chain(y: Any, steps: int, tanh: Callable[[Any], Any]) -> Any:
    """The W2 chain from y: y * 1.0001 + 0.0001 for ``steps`` steps, tanh after every 10th (the engine's tanh)."""
    for i in range(steps):
        y = y * W2_FACTOR + W2_SHIFT
        if i % W2_TANH_EVERY == W2_TANH_EVERY - 1:
            y = tanh(y)
    return y


def w2_nodes(steps: int) -> int:
    """Graph nodes a chain of ``steps`` creates: a multiply and an add per step, a tanh every 10th."""
    return 2 * steps + steps // W2_TANH_EVERY


# W6: the names model's attention block (examples/names_model.py: 27 symbols, width 48, 4 heads, AdamW)
W6_VOCAB = 27
W6_DIM = 48
W6_HEADS = 4
W6_BATCH = 32
W6_CONTEXT = 16
W6_LR = 0.005
W6_WEIGHT_DECAY = 0.01


def w6_batch(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Tokens (32, 16) and their next-character targets (32, 16): one random sequence of 17 symbols per row."""
    rng = np.random.default_rng(seed + 6)
    chars = rng.integers(0, W6_VOCAB, (W6_BATCH, W6_CONTEXT + 1))
    return chars[:, :-1].copy(), chars[:, 1:].copy()


def w6_causal() -> np.ndarray:
    """PyTorch MultiheadAttention's boolean attn_mask for a causal block: True where attention is NOT allowed."""
    return ~np.tril(np.ones((W6_CONTEXT, W6_CONTEXT), dtype=bool))


def w6_weights(dtype: str = "float64", seed: int = SEED) -> dict[str, np.ndarray]:
    """The block's initial weights by PyTorch's state_dict names, with PyTorch's default inits.

    token/position Embedding N(0, 1); LayerNorm ones and zeros; MultiheadAttention's in_proj_weight
    xavier-uniform, its biases zero, out_proj.weight uniform +-1/sqrt(E); the head Linear uniform +-1/sqrt(E).
    """
    rng = np.random.default_rng(seed + 7)
    e, v = W6_DIM, W6_VOCAB
    bound, xavier = 1.0 / np.sqrt(e), np.sqrt(6.0 / (e + 3 * e))
    state = {
        "token.weight": rng.standard_normal((v, e)),
        "position.weight": rng.standard_normal((W6_CONTEXT, e)),
        "norm1.weight": np.ones(e), "norm1.bias": np.zeros(e),
        "attention.in_proj_weight": rng.uniform(-xavier, xavier, (3 * e, e)),
        "attention.in_proj_bias": np.zeros(3 * e),
        "attention.out_proj.weight": rng.uniform(-bound, bound, (e, e)),
        "attention.out_proj.bias": np.zeros(e),
        "norm_out.weight": np.ones(e), "norm_out.bias": np.zeros(e),
        "head.weight": rng.uniform(-bound, bound, (v, e)),
        "head.bias": rng.uniform(-bound, bound, v),
    }
    return {name: array.astype(dtype) for name, array in state.items()}
