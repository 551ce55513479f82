"""W6's floor: one training step of the names model's attention block hand-written in NumPy, no graph.

The block (benchlib/w6.py builds it with nn):

    h = token[x] + position[:L];  a = LayerNorm1(h);  h = h + MultiheadAttention(a, a, a, causal)
    logits = Linear(LayerNorm_out(h))   -> softmax cross-entropy over every next-character target

with AdamW (PyTorch's update). Written the way a careful NumPy programmer would: the heads as one
(B, H, L, D) array and batched matmuls, the causal mask added as 0 / -inf, the softmax, LayerNorm
and cross-entropy backwards in closed form, the embedding's gradient by ``np.add.at``. The
parameters are PyTorch's (``state_dict`` names and layouts), so the floor starts from the same
weights as ours, PyTorch and JAX.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchlib import data
from benchlib.floor import adamw_in_place

EPS = 1e-5
NAMES = ["token.weight", "position.weight", "norm1.weight", "norm1.bias", "attention.in_proj_weight",
         "attention.in_proj_bias", "attention.out_proj.weight", "attention.out_proj.bias", "norm_out.weight",
         "norm_out.bias", "head.weight", "head.bias"]


def _layer_norm(h: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, tuple[Any, ...]]:
    centered = h - h.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=-1, keepdims=True) + EPS)
    xhat = centered * inv_std
    return xhat * gamma + beta, (xhat, inv_std)


def _layer_norm_backward(dy: np.ndarray, gamma: np.ndarray, cache: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    xhat, inv_std = cache
    rows = dy.reshape(-1, dy.shape[-1])
    dgamma, dbeta = (rows * xhat.reshape(rows.shape)).sum(axis=0), rows.sum(axis=0)
    dxhat = dy * gamma
    dh = inv_std * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                    - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dh, dgamma, dbeta


class FloorAttention:
    """The block's parameters (PyTorch's names and layouts), a training step, and AdamW's state."""

    def __init__(self, state: dict[str, np.ndarray], lr: float = data.W6_LR,
                 weight_decay: float = data.W6_WEIGHT_DECAY, heads: int = data.W6_HEADS) -> None:
        self.params = [np.array(state[name]) for name in NAMES]
        self.dtype = self.params[0].dtype
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t, self.lr, self.weight_decay, self.heads = 0, lr, weight_decay, heads
        self.mask = np.where(data.w6_causal(), -np.inf, 0.0).astype(self.dtype)  # added to the scores

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        tok, pos, g1, be1, w_in, b_in, w_out, b_out, g2, be2, w_head, b_head = self.params
        batch, length = x.shape
        e, heads = tok.shape[1], self.heads
        d = e // heads
        scale = self.dtype.type(1.0 / np.sqrt(d))
        # forward
        h0 = tok[x] + pos[:length]
        a, ln1 = _layer_norm(h0, g1, be1)
        qkv = (a @ w_in.T + b_in).reshape(batch, length, 3, heads, d).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                                   # (B, H, L, D)
        scores = q @ k.transpose(0, 1, 3, 2) * scale + self.mask[:length, :length]
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        merged = (weights @ v).transpose(0, 2, 1, 3).reshape(batch * length, e)
        h1 = h0 + (merged @ w_out.T + b_out).reshape(batch, length, e)
        a2, ln2 = _layer_norm(h1, g2, be2)
        flat = a2.reshape(batch * length, e)
        logits = flat @ w_head.T + b_head
        n, rows, targets = batch * length, np.arange(batch * length), y.reshape(-1)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[rows, targets].mean()
        # backward
        dlogits = np.exp(log_probs)
        dlogits[rows, targets] -= 1.0
        dlogits /= n
        dw_head, db_head = dlogits.T @ flat, dlogits.sum(axis=0)
        dh1, dg2, dbe2 = _layer_norm_backward((dlogits @ w_head).reshape(batch, length, e), g2, ln2)
        dattn = dh1.reshape(n, e)
        dw_out, db_out = dattn.T @ merged, dattn.sum(axis=0)
        dheads = (dattn @ w_out).reshape(batch, length, heads, d).transpose(0, 2, 1, 3)
        dweights = dheads @ v.transpose(0, 1, 3, 2)
        dv = weights.transpose(0, 1, 3, 2) @ dheads
        dscores = weights * (dweights - (dweights * weights).sum(axis=-1, keepdims=True)) * scale
        dq, dk = dscores @ k, dscores.transpose(0, 1, 3, 2) @ q
        dqkv = np.stack([dq, dk, dv]).transpose(1, 3, 0, 2, 4).reshape(n, 3 * e)
        dw_in, db_in = dqkv.T @ a.reshape(n, e), dqkv.sum(axis=0)
        da = (dqkv @ w_in).reshape(batch, length, e)
        dh0, dg1, dbe1 = _layer_norm_backward(da, g1, ln1)
        dh0 += dh1
        dtok = np.zeros_like(tok)
        np.add.at(dtok, x.reshape(-1), dh0.reshape(n, e))
        dpos = np.zeros_like(pos)
        dpos[:length] = dh0.sum(axis=0)
        grads = [dtok, dpos, dg1, dbe1, dw_in, db_in, dw_out, db_out, dg2, dbe2, dw_head, db_head]
        return float(loss), grads

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """Forward, backward and one AdamW update (PyTorch's: decay, moments, bias-corrected step)."""
        loss, grads = self.loss_and_grads(x, y)
        self.t += 1
        adamw_in_place(self.params, grads, self.m, self.v, self.t, self.lr, self.weight_decay)
        return loss
