"""Shape layers: Identity, Flatten and Unflatten (PyTorch's), reshapes with no parameters."""

from __future__ import annotations

import math
from typing import Any

from autograd import reshape
from nn.conv import shape_of
from nn.module import Module


class Identity(Module):
    """Returns its input unchanged (any arguments to the constructor are ignored, as PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:  # noqa: A002
        return input


class Flatten(Module):
    """Merge axes start_dim .. end_dim into one: (N, C, H, W) -> (N, C*H*W) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, input: Any) -> Any:  # noqa: A002
        shape = shape_of(input)
        n = max(len(shape), 1)
        start, end = self.start_dim % n if -n <= self.start_dim < n else None, \
            self.end_dim % n if -n <= self.end_dim < n else None
        if start is None or end is None or start > end:
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}): does not fit an input "
                             f"of shape {shape}")
        if not shape:
            return reshape(input, (1,))
        return reshape(input, (*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:]))

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``: Unflatten(1, (C, H, W)) undoes Flatten()."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim, self.unflattened_size = int(dim), tuple(int(n) for n in unflattened_size)

    def forward(self, input: Any) -> Any:  # noqa: A002
        shape = shape_of(input)
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"Unflatten(dim={self.dim}): input of shape {shape} has no axis {self.dim}")
        dim = self.dim % len(shape)
        sizes = self.unflattened_size
        known = math.prod(n for n in sizes if n != -1)
        if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != shape[dim]) or \
                (sizes.count(-1) == 1 and (known == 0 or shape[dim] % known)):
            raise ValueError(f"Unflatten(dim={self.dim}, unflattened_size={sizes}): does not split axis {dim} of "
                             f"size {shape[dim]} (input {shape})")
        return reshape(input, (*shape[:dim], *sizes, *shape[dim + 1:]))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
