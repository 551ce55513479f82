"""W6: one training step of the names model's attention block (examples/names_model.py), on ours and the peers.

The block: token + position Embedding (27 symbols, width 48), LayerNorm, MultiheadAttention (4 heads,
``batch_first``, the causal boolean ``attn_mask`` the names model passes) added back to its input,
LayerNorm, Linear head to 27 logits; cross-entropy over all 32 x 16 next-character targets; one AdamW
step (lr 0.005, weight_decay 0.01, as the names model's training). It is the names model's
transformer block without its MLP sub-block and middle LayerNorm.

Every engine starts from ``data.w6_weights`` (PyTorch's state_dict names and default inits, seeded
NumPy) and ``data.w6_batch``. ``run(suite, Row)`` is run.py's ``--only W6``: the floor
(``benchlib.attention_floor``, hand-written NumPy) and ours interleaved run by run in this process,
then PyTorch, JAX jit and JAX eager each in its venv via worker.py; each engine's loss after the
timed steps is checked against the floor's. ``w6_check.py`` checks the floor's gradients against ours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchlib import data
from benchlib.harness import Job, measure_interleaved, paired_ratio

NAME = "W6 attention block (names model) {dtype} step"


def make_ours() -> Any:
    """Our model, parameters named as PyTorch names them (``state_dict`` keys = ``data.w6_weights`` keys)."""
    import nn
    from autograd import reshape

    class AttentionBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            e = data.W6_DIM
            self.token = nn.Embedding(data.W6_VOCAB, e)
            self.position = nn.Embedding(data.W6_CONTEXT, e)
            self.norm1 = nn.LayerNorm(e)
            self.attention = nn.MultiheadAttention(e, data.W6_HEADS, batch_first=True)
            self.norm_out = nn.LayerNorm(e)
            self.head = nn.Linear(e, data.W6_VOCAB)
            self.causal = data.w6_causal()
            self.positions = np.arange(data.W6_CONTEXT)

        def forward(self, tokens: np.ndarray) -> Any:
            h = self.token(tokens) + self.position(self.positions)
            a = self.norm1(h)
            h = h + self.attention(a, a, a, attn_mask=self.causal, need_weights=False)[0]
            return reshape(self.head(self.norm_out(h)), (-1, data.W6_VOCAB))

    return AttentionBlock()


def ours_job(dtype: str) -> Job:
    import nn
    from nn import optim

    x, y = data.w6_batch()
    targets = y.reshape(-1)
    state: dict[str, Any] = {}

    def reset() -> None:
        model = make_ours().to(dtype)
        model.load_state_dict(data.w6_weights(dtype))
        state["model"] = model
        state["opt"] = optim.AdamW(model.parameters(), lr=data.W6_LR, weight_decay=data.W6_WEIGHT_DECAY)

    def step() -> float:
        loss = nn.cross_entropy(state["model"](x), targets)
        state["opt"].zero_grad()
        loss.backward()
        state["opt"].step()
        return float(loss.item())

    return Job(step, reset)


def floor_job(dtype: str) -> Job:
    """The hand-written NumPy floor (benchlib/attention_floor.py), fresh weights and AdamW state every run."""
    from benchlib.attention_floor import FloorAttention

    x, y = data.w6_batch()
    state: dict[str, Any] = {}

    def reset() -> None:
        state["floor"] = FloorAttention(data.w6_weights(dtype), data.W6_LR, data.W6_WEIGHT_DECAY)

    return Job(lambda: state["floor"].step(x, y), reset)


def run(suite: Any, row_type: Any) -> None:
    """run.py's W6: a float64 and a float32 row per engine in ``suite``'s table (peers: torch, jax, jax-eager)."""
    repeats, inner = suite.plan.w6
    for dtype in ("float64", "float32"):
        name = NAME.format(dtype=dtype)
        tolerance = 1e-6 if dtype == "float64" else 1e-4
        results = measure_interleaved({"floor (numpy)": floor_job(dtype), "ours": ours_job(dtype)},
                                      repeats=repeats, inner=inner, warmup=suite.plan.warmup)
        reference = results["floor (numpy)"].loss
        rows = {label: suite.add(row_type(name, label, "step", m), reference, tolerance)
                for label, m in results.items()}
        rows["ours"].ratios["x floor"] = paired_ratio(results["ours"], results["floor (numpy)"])
        for peer in ("torch", "jax", "jax-eager"):
            if peer in suite.peers:
                result = suite.peer(peer, "W6", repeats, inner, dtype=dtype)
                row = suite.add_peer(peer, result, name, "step", 1.0, reference, tolerance)
                if row is not None:
                    row.ratios["x ours"] = row.time() / rows["ours"].time()
        suite._ratios(name, rows["floor (numpy)"])
