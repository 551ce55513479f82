"""A character-level language model of real first names: bigram counts, an MLP, and causal self-attention.

Run:  python examples/names_model.py [--quick] [--out DIR]

The ``names`` package ships the US Census name lists (read from the installed package,
no download); we take its 5,494 first names (male and female lists, unique lowercase
names), split them by name into train / validation / test (80/10/10, seed 0) and model
each name one character at a time, with '.' marking the start and the end.

1. bigram counts (NumPy): P(next | previous) from the training counts (+1 smoothing);
2. the MLP of Bengio et al. (2003): the last 3 characters, each embedded (Embedding), concatenated,
   Linear -> BatchNorm1d -> tanh -> Linear;
3. a small causal transformer block: token + position embeddings, LayerNorm, MultiheadAttention
   with a causal mask (each position sees only the characters before it), an MLP, LayerNorm.

Each is scored by the validation negative log-likelihood per character (lower is better;
a uniform guess over 27 symbols scores log 27 = 3.30). Every layer is composed from engine
primitives. At the end, 20 names sampled from the best model.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from _shared import one_blas_thread, parse_args, progress, save

import nn
from autograd import Value, no_grad
from nn import optim

ALPHABET = ".abcdefghijklmnopqrstuvwxyz"  # '.' starts and ends every name
VOCAB, BLOCK = len(ALPHABET), 3
SEED = 0


def load_names() -> list[str]:
    """The unique first names of the Census lists shipped with the ``names`` package, lowercase."""
    import names

    found: set[str] = set()
    for key in ("first:male", "first:female"):
        with open(names.FILES[key]) as lines:
            for line in lines:
                name = line.split()[0].lower() if line.strip() else ""
                if name.isalpha() and name.isascii():
                    found.add(name)
    return sorted(found)


def split(words: list[str], seed: int = SEED) -> tuple[list[str], list[str], list[str]]:
    order = np.random.default_rng(seed).permutation(len(words))
    shuffled = [words[i] for i in order]
    n_train, n_val = int(0.8 * len(words)), int(0.9 * len(words))
    return shuffled[:n_train], shuffled[n_train:n_val], shuffled[n_val:]


def encode(word: str) -> list[int]:
    return [ALPHABET.index(c) for c in word]


def bigram_nll(train: list[str], evaluate: list[str]) -> tuple[float, np.ndarray]:
    """Validation NLL per character of smoothed bigram counts; also the probability table."""
    counts = np.ones((VOCAB, VOCAB))
    for word in train:
        chars = [0, *encode(word), 0]
        np.add.at(counts, (chars[:-1], chars[1:]), 1)
    probs = counts / counts.sum(axis=1, keepdims=True)
    pairs = np.array([(a, b) for w in evaluate for a, b in zip([0, *encode(w)], [*encode(w), 0], strict=True)])
    return float(-np.log(probs[pairs[:, 0], pairs[:, 1]]).mean()), probs


# ---------------------------------------------------------------------------- the MLP (Bengio et al. 2003)


def contexts(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(the previous BLOCK characters, the next one) for every character of every name and its end."""
    xs, ys = [], []
    for word in words:
        context = [0] * BLOCK
        for c in [*encode(word), 0]:
            xs.append(context)
            ys.append(c)
            context = [*context[1:], c]
    return np.array(xs), np.array(ys)


class BengioMLP(nn.Module):
    def __init__(self, embed: int = 10, hidden: int = 200) -> None:
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, embed)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(BLOCK * embed, hidden, bias=False), nn.BatchNorm1d(hidden),
                                 nn.Tanh(), nn.Linear(hidden, VOCAB))

    def forward(self, context: np.ndarray) -> Any:
        return self.net(self.embedding(context))


# ---------------------------------------------------------------------------- causal self-attention


class TinyTransformer(nn.Module):
    """One pre-LayerNorm transformer block over the whole name, causal."""

    def __init__(self, length: int, dim: int = 48, heads: int = 4) -> None:
        super().__init__()
        self.length = length
        self.token = nn.Embedding(VOCAB, dim)
        self.position = nn.Embedding(length, dim)
        self.norm1, self.norm2, self.norm_out = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.ReLU(), nn.Linear(4 * dim, dim))
        self.head = nn.Linear(dim, VOCAB)
        self.causal = ~np.tril(np.ones((length, length), dtype=bool))  # True: not allowed (PyTorch's MHA)

    def forward(self, tokens: np.ndarray) -> Any:
        n = tokens.shape[1]
        h = self.token(tokens) + self.position(np.arange(n))
        a = self.norm1(h)
        h = h + self.attention(a, a, a, attn_mask=self.causal[:n, :n], need_weights=False)[0]
        h = h + self.mlp(self.norm2(h))
        return self.head(self.norm_out(h))


def sequences(words: list[str], length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs '.name' and targets 'name.', padded to ``length``; the mask of real targets."""
    x = np.zeros((len(words), length), dtype=np.int64)
    y = np.zeros((len(words), length), dtype=np.int64)
    mask = np.zeros((len(words), length), dtype=bool)
    for i, word in enumerate(words):
        chars = encode(word)
        x[i, 1:len(chars) + 1] = chars
        y[i, :len(chars) + 1] = [*chars, 0]
        mask[i, :len(chars) + 1] = True
    return x, y, mask


def masked_nll(logits: Any, targets: np.ndarray, mask: np.ndarray) -> Any:
    """Mean negative log-likelihood over the positions where ``mask`` holds."""
    log_probs = nn.log_softmax(logits, axis=-1)
    rows = np.nonzero(mask)
    picked = log_probs[(*rows, targets[rows])]
    return -picked.sum() / float(len(rows[0]))


# ---------------------------------------------------------------------------- training


def train(model: nn.Module, batch_fn: Any, loss_fn: Any, steps: int, lr: float, label: str) -> list[float]:
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = optim.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 20)
    rng = np.random.default_rng(SEED)
    losses = []
    for _ in progress(range(steps), label):
        loss = loss_fn(model, *batch_fn(rng))
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.item())
    return losses


def evaluate(model: nn.Module, loss_fn: Any, *data: Any) -> float:
    model.eval()
    with no_grad():
        value = float(loss_fn(model, *data).item())
    model.train()
    return value


def sample(model: nn.Module, kind: str, count: int, rng: np.random.Generator) -> list[str]:
    """Names drawn one character at a time from the model's predicted distribution."""
    model.eval()
    out = []
    with no_grad():
        for _ in range(count):
            chars: list[int] = []
            while len(chars) < 20:
                if kind == "mlp":
                    context = ([0] * BLOCK + chars)[-BLOCK:]
                    logits = model(np.array([context])).data[0]
                else:
                    tokens = np.array([[0, *chars][-model.length:]])
                    logits = model(tokens).data[0, -1]
                p = np.exp(logits - logits.max())
                c = int(rng.choice(VOCAB, p=p / p.sum()))
                if c == 0:
                    break
                chars.append(c)
            out.append("".join(ALPHABET[c] for c in chars))
    model.train()
    return out


def plot(curves: dict[str, list[float]], scores: dict[str, float], out: Any) -> list[Any]:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for (name, losses), color in zip(curves.items(), ["C0", "C1"], strict=False):
        window = max(1, len(losses) // 50)
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(np.linspace(0, 1, len(smooth)), smooth, color=color, label=f"{name} (training loss)")
        ax.axhline(scores[name], color=color, ls="--", lw=1, label=f"{name}: validation {scores[name]:.3f}")
    ax.axhline(scores["bigram counts"], color="k", ls=":", label=f"bigram counts: {scores['bigram counts']:.3f}")
    ax.axhline(math.log(VOCAB), color="grey", ls="-.", lw=1, label="uniform guess: log 27")
    ax.set(xlabel="fraction of training", ylabel="negative log-likelihood per character",
           title="Character models of first names", ylim=(1.6, 3.4))
    ax.legend(fontsize=8)
    return [save(fig, out, "names_model_nll.png")]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__ or "", argv)
    started = time.perf_counter()
    limits = one_blas_thread()  # small matrices: one BLAS thread is faster
    words = load_names()
    train_words, val_words, test_words = split(words)
    print(f"{len(words)} unique first names (US Census, the `names` package): {len(train_words)} train, "
          f"{len(val_words)} validation, {len(test_words)} test; e.g. {', '.join(train_words[:5])}\n")

    scores: dict[str, float] = {}
    scores["bigram counts"], _ = bigram_nll(train_words, val_words)
    print(f"1. bigram counts:      validation NLL {scores['bigram counts']:.4f} per character "
          f"(uniform: {math.log(VOCAB):.4f})")

    nn.manual_seed(SEED)
    mlp = BengioMLP()
    x_train, y_train = contexts(train_words)
    x_val, y_val = contexts(val_words)
    mlp_steps = 300 if args.quick else 6000

    def mlp_batch(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        rows = rng.integers(0, len(x_train), 128)
        return x_train[rows], y_train[rows]

    def mlp_loss(model: nn.Module, x: np.ndarray, y: np.ndarray) -> Value:
        return nn.cross_entropy(model(x), y)  # type: ignore[no-any-return]

    start = time.perf_counter()
    curves = {"MLP": train(mlp, mlp_batch, mlp_loss, mlp_steps, 0.01, "MLP")}
    scores["MLP"] = evaluate(mlp, mlp_loss, x_val, y_val)
    print(f"2. MLP (Bengio 2003):  validation NLL {scores['MLP']:.4f} ({mlp_steps} steps, "
          f"{time.perf_counter() - start:.1f} s, {sum(p.size for p in mlp.parameters())} parameters)")

    length = max(len(w) for w in words) + 1
    nn.manual_seed(SEED)
    transformer = TinyTransformer(length)
    s_train, s_val = sequences(train_words, length), sequences(val_words, length)
    attention_steps = 60 if args.quick else 1500

    def sequence_batch(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        rows = rng.integers(0, len(train_words), 32)
        longest = int(s_train[2][rows].sum(axis=1).max())  # trim the padding every name of the batch has
        return tuple(a[rows, :longest] for a in s_train)

    def sequence_loss(model: nn.Module, x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> Value:
        return masked_nll(model(x), y, mask)  # type: ignore[no-any-return]

    start = time.perf_counter()
    curves["attention"] = train(transformer, sequence_batch, sequence_loss, attention_steps, 0.005, "attention")
    scores["attention"] = evaluate(transformer, sequence_loss, *s_val)
    print(f"3. causal attention:   validation NLL {scores['attention']:.4f} ({attention_steps} steps, "
          f"{time.perf_counter() - start:.1f} s, {sum(p.size for p in transformer.parameters())} parameters)\n")
    for name in ("MLP", "attention"):
        print(f"   {name} beats the bigram counts by {scores['bigram counts'] - scores[name]:.3f} nats per character")

    best = min(("MLP", "attention"), key=lambda k: scores[k])
    model, kind = (mlp, "mlp") if best == "MLP" else (transformer, "attention")
    samples = sample(model, kind, 20, np.random.default_rng(SEED))
    fresh = [s for s in samples if s not in set(words)]
    print(f"\n20 names sampled from the {best} model ({len(fresh)} of them not in the Census lists):")
    print("   " + ", ".join(samples))
    figures = plot(curves, scores, args.out)
    seconds, cpu = time.perf_counter() - started, time.process_time()
    print(f"total run time {seconds:.1f} s (CPU time {cpu:.1f} s; load average {_load()})")
    if limits is not None:
        limits.restore_original_limits()
    return {"scores": scores, "samples": samples, "splits": (train_words, val_words, test_words),
            "models": {"MLP": mlp, "attention": transformer}, "seconds": seconds, "figures": figures}


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main(sys.argv[1:])
