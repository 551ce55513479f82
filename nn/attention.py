"""Attention: scaled_dot_product_attention and MultiheadAttention, with PyTorch's semantics and layouts.

    attention(Q, K, V) = softmax(Q K^T * scale + mask) V,   scale = 1 / sqrt(E) by default

composed from einsum, where, exp and sum, so its gradient comes from theirs. The
softmax subtracts each row's largest allowed score, and a row with nothing allowed
gets zero weights (PyTorch's safe softmax) instead of NaN and a NumPy warning.

Masks: for ``scaled_dot_product_attention`` a boolean mask is True where attention
is allowed and a float mask is added to the scores; ``is_causal`` allows position i
to see positions j <= i. For ``MultiheadAttention`` (as in PyTorch) a boolean
``attn_mask`` or ``key_padding_mask`` is True where attention is NOT allowed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import einsum, exp, linear, reshape, transpose, where
from autograd import sum as total
from nn import init
from nn.conv import as_input, shape_of
from nn.layers import Linear
from nn.module import Module, Parameter


def _data(x: Any) -> np.ndarray:
    return np.asarray(getattr(x, "data", x))


def _masked_softmax(scores: Any) -> Any:
    """softmax over the last axis; -inf scores get weight 0, and rows of only -inf give zeros (not NaN)."""
    data = _data(scores)
    shift = np.max(data, axis=-1, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0.0).astype(data.dtype)
    e = exp(scores - shift)
    norm = total(e, -1, keepdims=True)
    empty = _data(norm) == 0.0
    return e / (where(empty, 1.0, norm) if empty.any() else norm)


def _causal(length: int, source: int) -> np.ndarray:
    """True where query i may attend key j: j <= i (PyTorch's tril of ones(L, S))."""
    return np.tril(np.ones((length, source), dtype=bool))


def _attention(query: Any, key: Any, value: Any, mask: Any, dropout_p: float, scale: float | None,
               layer: str) -> tuple[Any, Any]:
    """(output, weights) of softmax(Q K^T scale + mask) V; ``mask`` is None, boolean (True = allowed) or float."""
    qs, ks, vs = shape_of(query), shape_of(key), shape_of(value)
    if len(qs) < 2 or len(ks) < 2 or len(vs) < 2 or qs[-1] != ks[-1] or ks[-2] != vs[-2]:
        raise ValueError(f"{layer}: query {qs}, key {ks} and value {vs} must be (..., L, E), (..., S, E) "
                         "and (..., S, Ev)")
    scale = 1.0 / math.sqrt(qs[-1]) if scale is None else float(scale)
    scores = einsum("...le,...se->...ls", query, key) * scale
    if mask is not None:
        mask = np.asarray(mask)
        target = np.broadcast_shapes(qs[:-2], ks[:-2]) + (qs[-2], ks[-2])
        try:
            full = np.broadcast_shapes(mask.shape, target)
        except ValueError:
            full = None
        if full != target:
            raise ValueError(f"{layer}: attn_mask of shape {mask.shape} does not broadcast to the attention "
                             f"weights' shape {target} (query {qs}, key {ks})")
        if mask.dtype == bool:
            scores = where(mask, scores, -math.inf)
        elif mask.dtype.kind == "f":
            scores = scores + mask.astype(_data(scores).dtype)
        else:
            raise TypeError(f"{layer}: attn_mask must be boolean or float, got dtype {mask.dtype}")
    weights = _masked_softmax(scores)
    if dropout_p > 0.0:
        keep = init.default_generator().random(shape_of(weights)) >= dropout_p
        weights = weights * (keep / (1.0 - dropout_p)).astype(_data(weights).dtype)
    return einsum("...ls,...sv->...lv", weights, value), weights


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Any:
    """softmax(Q K^T * scale + mask) V for query (..., L, E), key (..., S, E), value (..., S, Ev).

    Args:
        attn_mask: boolean (True where attention is allowed) or float (added to the scores),
            broadcastable to (..., L, S).
        dropout_p: probability of dropping an attention weight (applied whenever > 0, as PyTorch).
        is_causal: query i attends only to keys j <= i (cannot be combined with ``attn_mask``).
        scale: defaults to 1 / sqrt(E).
    """
    layer = "scaled_dot_product_attention"
    query, key, value = as_input(query), as_input(key), as_input(value)
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{layer}: dropout_p must be in [0, 1), got {dropout_p}")
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{layer}: pass either attn_mask or is_causal=True, not both")
        attn_mask = _causal(shape_of(query)[-2], shape_of(key)[-2])
    return _attention(query, key, value, attn_mask, dropout_p, scale, layer)[0]


class MultiheadAttention(Module):
    """Multi-head attention with PyTorch's parameters: in_proj_weight (3E, E), in_proj_bias (3E,), out_proj.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) -> (output, weights or None)``; inputs
    (L, N, E) or (N, L, E) with ``batch_first``, or unbatched (L, E). ``is_causal``
    without an ``attn_mask`` builds the causal mask.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False, dtype: Any = np.float64, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim={embed_dim} must be divisible by num_heads={num_heads}")
        self.embed_dim, self.num_heads, self.head_dim = int(embed_dim), int(num_heads), embed_dim // num_heads
        self.dropout, self.batch_first = float(dropout), batch_first
        self.in_proj_weight = Parameter(np.zeros((3 * embed_dim, embed_dim)), dtype=dtype)
        init.xavier_uniform_(self.in_proj_weight, rng=rng)
        self.in_proj_bias: Parameter | None = Parameter(np.zeros(3 * embed_dim), dtype=dtype) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype, rng=rng)
        if bias:
            init.zeros_(self.out_proj.bias)  # type: ignore[arg-type]

    def _masks(self, attn_mask: Any, key_padding_mask: Any, batch: int, length: int, source: int,
               batched: bool) -> Any:
        """One additive float mask (N, H, L, S) from PyTorch's masks (boolean True = not allowed), or None."""
        layer, heads = "MultiheadAttention", self.num_heads
        mask = None
        if attn_mask is not None:
            attn_mask = np.asarray(attn_mask)
            shapes = [(length, source), (batch * heads, length, source)]
            if attn_mask.shape not in shapes:
                raise ValueError(f"{layer}: attn_mask of shape {attn_mask.shape} must be {shapes[0]} or {shapes[1]} "
                                 f"(L={length}, S={source}, N*num_heads={batch * heads})")
            mask = attn_mask.reshape((1, 1, length, source) if attn_mask.ndim == 2 else (batch, heads, length, source))
            mask = _additive(mask, layer, "attn_mask")
        if key_padding_mask is not None:
            key_padding_mask = np.asarray(key_padding_mask)
            wanted = (batch, source) if batched else (source,)
            if key_padding_mask.shape != wanted:
                raise ValueError(f"{layer}: key_padding_mask of shape {key_padding_mask.shape} must be {wanted} "
                                 f"(N={batch}, S={source})")
            padding = _additive(key_padding_mask.reshape(batch, 1, 1, source), layer, "key_padding_mask")
            mask = padding if mask is None else mask + padding
        return mask

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None, need_weights: bool = True,
                attn_mask: Any = None, average_attn_weights: bool = True, is_causal: bool = False) -> tuple[Any, Any]:
        layer, e, heads, d = "MultiheadAttention", self.embed_dim, self.num_heads, self.head_dim
        query, key, value = as_input(query), as_input(key), as_input(value)
        qs, ks, vs = shape_of(query), shape_of(key), shape_of(value)
        if len(qs) not in (2, 3) or qs[-1] != e or ks[-1] != e or vs[-1] != e or len(ks) != len(qs) or ks != vs:
            raise ValueError(f"{layer}(embed_dim={e}): query {qs}, key {ks} and value {vs} must be "
                             f"{'(N, L, E)' if self.batch_first else '(L, N, E)'} or (L, E) with E={e}, "
                             "key and value of one shape")
        batched = len(qs) == 3
        if not batched:
            query, key, value = (reshape(t, (1, *shape_of(t))) for t in (query, key, value))
        elif not self.batch_first:
            query, key, value = (transpose(t, (1, 0, 2)) for t in (query, key, value))
        batch, length, source = shape_of(query)[0], shape_of(query)[1], shape_of(key)[1]
        if shape_of(key)[0] != batch:
            raise ValueError(f"{layer}: query {qs} and key {ks} have different batch sizes")
        w, b = self.in_proj_weight, self.in_proj_bias
        q, k, v = (linear(t, w[i * e:(i + 1) * e], None if b is None else b[i * e:(i + 1) * e])
                   for i, t in enumerate((query, key, value)))
        q, k, v = (transpose(reshape(t, (batch, n, heads, d)), (0, 2, 1, 3))
                   for t, n in ((q, length), (k, source), (v, source)))
        if is_causal and attn_mask is None:
            attn_mask = ~_causal(length, source)
        mask = self._masks(attn_mask, key_padding_mask, batch, length, source, batched)
        out, weights = _attention(q, k, v, mask, self.dropout if self.training else 0.0, None, layer)
        out = self.out_proj(reshape(transpose(out, (0, 2, 1, 3)), (batch, length, e)))
        if not batched:
            out = reshape(out, (length, e))
        elif not self.batch_first:
            out = transpose(out, (1, 0, 2))
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = total(weights, 1) / float(heads)
        return out, (weights if batched else reshape(weights, shape_of(weights)[1:]))

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"


def _additive(mask: np.ndarray, layer: str, name: str) -> np.ndarray:
    """A PyTorch MHA mask as a float mask to add: boolean True (not allowed) -> -inf, floats kept."""
    if mask.dtype == bool:
        return np.where(mask, -math.inf, 0.0)
    if mask.dtype.kind != "f":
        raise TypeError(f"{layer}: {name} must be boolean or float, got dtype {mask.dtype}")
    return mask.astype(np.float64)


__all__ = ["MultiheadAttention", "scaled_dot_product_attention"]
