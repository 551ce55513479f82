"""Embedding: a lookup table of learnable rows, ``embedding(indices, weight)[..., :] = weight[indices]``.

The lookup is the engine's integer-array indexing (getitem), whose VJP adds each
row's gradient into the rows picked (repeats accumulate), so nothing is defined
here. The padding row, when ``padding_idx`` is set, is zero at initialisation and
gets no gradient, as in PyTorch: its lookups are replaced by constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value, where
from nn import init
from nn.conv import shape_of
from nn.module import Module, Parameter


def _check_indices(indices: Any, num_embeddings: int, layer: str) -> np.ndarray:
    if isinstance(indices, Value):
        indices = indices.data
    array = np.asarray(indices)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{layer}: indices must be integers, got dtype {array.dtype} (shape {array.shape})")
    if array.size and (array.min() < 0 or array.max() >= num_embeddings):
        bad = array[(array < 0) | (array >= num_embeddings)]
        raise ValueError(f"{layer}: index {int(bad.flat[0])} is out of range for num_embeddings={num_embeddings} "
                         f"(indices of shape {array.shape} must lie in [0, {num_embeddings - 1}])")
    return array


def _padding_index(padding_idx: int | None, num_embeddings: int, layer: str) -> int | None:
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{layer}: padding_idx={padding_idx} must be within num_embeddings={num_embeddings}")
    return int(padding_idx) % num_embeddings


def embedding(input: Any, weight: Any, padding_idx: int | None = None) -> Any:  # noqa: A002
    """Rows of ``weight`` (num_embeddings, dim) picked by integer ``input`` of any shape: shape input.shape + (dim,).

    With ``padding_idx`` the rows looked up at that index get no gradient.
    """
    ws = shape_of(weight)
    if len(ws) != 2:
        raise ValueError(f"embedding: weight of shape {ws} must be (num_embeddings, embedding_dim)")
    indices = _check_indices(input, ws[0], "embedding")
    rows = weight[indices]
    padding = _padding_index(padding_idx, ws[0], "embedding")
    if padding is None or not isinstance(rows, Value):
        return rows
    at_padding = (indices == padding)[..., None]
    if not at_padding.any():
        return rows
    return where(at_padding, np.broadcast_to(weight.data[padding], rows.shape), rows)  # a constant there


class Embedding(Module):
    """A table of ``num_embeddings`` learnable vectors of size ``embedding_dim``, initialised N(0, 1).

    Args:
        num_embeddings: the number of rows (valid indices are 0 .. num_embeddings - 1).
        embedding_dim: the size of each vector.
        padding_idx: a row that starts at zero and is never updated by gradients.
        dtype, rng: float64 (default) or float32; generator for the initial values.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype: Any = np.float64, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise ValueError(f"Embedding: num_embeddings={num_embeddings} and embedding_dim={embedding_dim} "
                             "must be positive")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "Embedding")
        self.weight = Parameter(np.zeros((num_embeddings, embedding_dim)), dtype=dtype)
        init.normal_(self.weight, rng=rng)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0.0

    def forward(self, input: Any) -> Any:  # noqa: A002
        _check_indices(input, self.num_embeddings, "Embedding")
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
