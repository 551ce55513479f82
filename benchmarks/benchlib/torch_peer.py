"""PyTorch (CPU) on the tensor workloads and W2 (runs only in its own venv).

Written as its users write it: leaf tensors made from the shared NumPy weights,
``torch.nn.functional`` ops, ``loss.backward()`` and ``torch.optim.SGD`` for W3.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from benchlib import data
from benchlib.harness import Job


def version() -> str:
    return f"{torch.__version__} (threads={torch.get_num_threads()})"


def _leaves(arrays: list[Any]) -> list[torch.Tensor]:
    return [torch.tensor(a.copy(), requires_grad=True) for a in arrays]


def _mlp(params: list[torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    h = X
    n_layers = len(params) // 2
    for i in range(n_layers):
        h = F.linear(h, params[2 * i], params[2 * i + 1])
        if i < n_layers - 1:
            h = F.relu(h)
    return h


def w1_tensor_job() -> Job:
    X_np, y_np = data.moons()
    X = torch.tensor(X_np)
    y_col = torch.tensor(y_np[:, None])
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = _leaves([p for layer in data.scalar_mlp_weights(data.W1_SIZES) for p in layer])
        state["k"] = 0

    def step() -> float:
        params = state["params"]
        scores = _mlp(params, X)
        reg = sum((p * p).sum() for p in params)
        loss = F.relu(1.0 - y_col * scores).mean() + data.W1_ALPHA * reg
        for p in params:
            p.grad = None
        loss.backward()
        lr = data.w1_learning_rate(state["k"])
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        state["k"] += 1
        return float(loss.item())

    return Job(step, reset)


def w2_chain(steps: int) -> tuple[float, float]:
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = data.w2_chain(x, steps, torch.tanh)
    y.backward()
    assert x.grad is not None
    return float(y.item()), float(x.grad.item())


def w3_job(dtype: str) -> Job:
    X_np, labels_np = data.w3_batch(dtype)
    X = torch.tensor(X_np)
    labels = torch.tensor(labels_np)
    state: dict[str, Any] = {}

    def reset() -> None:
        state["params"] = _leaves([p for layer in data.linear_weights(data.W3_SIZES, dtype) for p in layer])
        state["opt"] = torch.optim.SGD(state["params"], lr=data.W3_LR, weight_decay=data.W3_WEIGHT_DECAY)

    def step() -> float:
        loss = F.cross_entropy(_mlp(state["params"], X), labels)
        state["opt"].zero_grad()
        loss.backward()
        state["opt"].step()
        return float(loss.item())

    return Job(step, reset)


def w4_job() -> Job:
    x0, a0, b0 = data.w4_inputs()
    x, a, b = _leaves([x0, a0, b0])

    def step() -> float:
        y = data.w4_chain(x, a, b, torch.tanh, torch.sin)
        out = y.sum()
        for t in (x, a, b):
            t.grad = None
        out.backward()
        return float(out.item())

    return Job(step)


def w6_job(dtype: str) -> Job:
    """W6: the names model's attention block (see benchlib/w6.py), torch.nn layers and torch.optim.AdamW."""
    torch_dtype = getattr(torch, dtype)
    x_np, y_np = data.w6_batch()
    x, targets = torch.tensor(x_np), torch.tensor(y_np.reshape(-1))
    causal, positions = torch.tensor(data.w6_causal()), torch.arange(data.W6_CONTEXT)
    e, vocab = data.W6_DIM, data.W6_VOCAB

    class AttentionBlock(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.token = torch.nn.Embedding(vocab, e)
            self.position = torch.nn.Embedding(data.W6_CONTEXT, e)
            self.norm1 = torch.nn.LayerNorm(e)
            self.attention = torch.nn.MultiheadAttention(e, data.W6_HEADS, batch_first=True)
            self.norm_out = torch.nn.LayerNorm(e)
            self.head = torch.nn.Linear(e, vocab)

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            h = self.token(tokens) + self.position(positions)
            a = self.norm1(h)
            h = h + self.attention(a, a, a, attn_mask=causal, need_weights=False)[0]
            return self.head(self.norm_out(h)).reshape(-1, vocab)

    state: dict[str, Any] = {}

    def reset() -> None:
        model = AttentionBlock().to(torch_dtype)
        model.load_state_dict({k: torch.tensor(v) for k, v in data.w6_weights(dtype).items()})
        state["model"] = model
        state["opt"] = torch.optim.AdamW(model.parameters(), lr=data.W6_LR, weight_decay=data.W6_WEIGHT_DECAY)

    def step() -> float:
        loss = F.cross_entropy(state["model"](x), targets)
        state["opt"].zero_grad()
        loss.backward()
        state["opt"].step()
        return float(loss.item())

    return Job(step, reset)


def w5_job(dtype: str, state: dict[str, Any]) -> Job:
    """The digits CNN (torch.nn layers, BatchNorm in training mode) with torch.optim.AdamW."""
    from benchlib import w5

    torch_dtype = getattr(torch, dtype)
    x_np, y_np = w5.batch(dtype)
    x, y = torch.tensor(x_np), torch.tensor(y_np)

    def make() -> Any:
        nn = torch.nn
        model = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(128, 10))
        model.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in state.items()}, strict=False)
        model.to(torch_dtype)
        opt = torch.optim.AdamW(model.parameters(), lr=w5.LR, weight_decay=w5.WEIGHT_DECAY)

        def step() -> float:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return float(loss.item())

        return step

    return w5.resettable(make)
