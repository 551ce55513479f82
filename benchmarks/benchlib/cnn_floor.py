"""W5's floor: one training step of the digits CNN hand-written in NumPy (im2col + matmul), no graph.

The network (as examples/digits_cnn.py builds it with nn):

    Conv2d(1, 16, 3, padding=1) -> BatchNorm2d(16) -> ReLU -> MaxPool2d(2)
    -> Conv2d(16, 32, 3, padding=1) -> BatchNorm2d(32) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(128, 10)

with softmax cross-entropy and AdamW (PyTorch's update). Written the way a careful
NumPy programmer would: activations kept as (pixels, channels) matrices (NHWC), a
convolution is im2col (``sliding_window_view`` + one copy) and one matmul, its input
gradient one matmul and a col2im of 9 slice-adds, BatchNorm's backward in closed
form, max pooling by a reshape. The parameters are PyTorch's (``state_dict`` names
and layouts), so the floor starts from the same weights as ours and PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from benchlib.floor import adamw_in_place

EPS = 1e-5
NAMES = ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "9.weight", "9.bias"]


def _im2col(x: np.ndarray) -> np.ndarray:
    """x (N, H, W, C) -> (N*H*W, C*9): each row one 3x3 window of the zero-padded input, (c, i, j) order."""
    n, h, w, c = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    return sliding_window_view(padded, (3, 3), axis=(1, 2)).reshape(n * h * w, c * 9)


def _col2im(cols: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The transpose of _im2col: every window's gradient added back onto the (N, H, W, C) input."""
    n, h, w, c = shape
    windows = cols.reshape(n, h, w, c, 3, 3)
    padded = np.zeros((n, h + 2, w + 2, c), dtype=cols.dtype)
    for i in range(3):
        for j in range(3):
            padded[:, i:i + h, j:j + w, :] += windows[..., i, j]
    return padded[:, 1:-1, 1:-1, :]


def _batch_norm(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, tuple[Any, ...]]:
    mean = z.mean(axis=0)
    var = z.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + EPS)
    xhat = (z - mean) * inv_std
    return xhat * gamma + beta, (xhat, inv_std, mean, var)


def _batch_norm_backward(dy: np.ndarray, gamma: np.ndarray, cache: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    xhat, inv_std = cache[0], cache[1]
    m = dy.shape[0]
    dgamma, dbeta = (dy * xhat).sum(axis=0), dy.sum(axis=0)
    dxhat = dy * gamma
    dz = (inv_std / m) * (m * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dz, dgamma, dbeta


def _pool(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pooling of (N, H, W, C); also the mask of the maxima (ties all get the gradient: speed only)."""
    n, h, w, c = a.shape
    tiles = a.reshape(n, h // 2, 2, w // 2, 2, c)
    out = tiles.max(axis=(2, 4))
    return out, tiles == out[:, :, None, :, None, :]


class FloorCNN:
    """The CNN's parameters (PyTorch's names and layouts), a training step, and AdamW's state."""

    def __init__(self, state: dict[str, np.ndarray], dtype: Any = np.float64, lr: float = 0.01,
                 weight_decay: float = 0.01) -> None:
        self.params = [np.array(state[name], dtype=dtype) for name in NAMES]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t, self.lr, self.weight_decay = 0, lr, weight_decay

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        w1, b1, g1, be1, w2, b2, g2, be2, w3, b3 = self.params
        n = x.shape[0]
        # conv 1 (1 -> 16 channels), BN, ReLU, pool: 8x8 -> 4x4
        col1 = _im2col(x.transpose(0, 2, 3, 1))
        z1 = col1 @ w1.reshape(16, -1).T + b1
        y1, bn1 = _batch_norm(z1, g1, be1)
        r1 = np.maximum(y1, 0.0)
        p1, mask1 = _pool(r1.reshape(n, 8, 8, 16))
        # conv 2 (16 -> 32), BN, ReLU, pool: 4x4 -> 2x2
        col2 = _im2col(p1)
        z2 = col2 @ w2.reshape(32, -1).T + b2
        y2, bn2 = _batch_norm(z2, g2, be2)
        r2 = np.maximum(y2, 0.0)
        p2, mask2 = _pool(r2.reshape(n, 4, 4, 32))
        # linear on nn's flatten order (C, H, W): permute the weight's columns to our (H, W, C)
        w3_hwc = w3.reshape(10, 32, 2, 2).transpose(0, 2, 3, 1).reshape(10, 128)
        flat = p2.reshape(n, 128)
        logits = flat @ w3_hwc.T + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(n), y].mean()
        # backward
        dlogits = np.exp(log_probs)
        dlogits[np.arange(n), y] -= 1.0
        dlogits /= n
        dw3 = (dlogits.T @ flat).reshape(10, 2, 2, 32).transpose(0, 3, 1, 2).reshape(10, 128)
        db3 = dlogits.sum(axis=0)
        dp2 = (dlogits @ w3_hwc).reshape(n, 2, 1, 2, 1, 32)
        dr2 = (mask2 * dp2).reshape(n * 16, 32)
        dz2, dg2, dbe2 = _batch_norm_backward(dr2 * (y2 > 0), g2, bn2)
        dw2 = (dz2.T @ col2).reshape(w2.shape)
        db2 = dz2.sum(axis=0)
        dp1 = _col2im(dz2 @ w2.reshape(32, -1), (n, 4, 4, 16)).reshape(n, 4, 1, 4, 1, 16)
        dr1 = (mask1 * dp1).reshape(n * 64, 16)
        dz1, dg1, dbe1 = _batch_norm_backward(dr1 * (y1 > 0), g1, bn1)
        dw1 = (dz1.T @ col1).reshape(w1.shape)
        db1 = dz1.sum(axis=0)
        return float(loss), [dw1, db1, dg1, dbe1, dw2, db2, dg2, dbe2, dw3, db3]

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """Forward, backward and one AdamW update (PyTorch's: decay, moments, bias-corrected step)."""
        loss, grads = self.loss_and_grads(x, y)
        self.t += 1
        adamw_in_place(self.params, grads, self.m, self.v, self.t, self.lr, self.weight_decay)
        return loss
