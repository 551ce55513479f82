"""Layers: Linear, Sequential, MLP and Dropout."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np

from autograd import Value, linear
from nn import init
from nn.module import Module, Parameter


class Linear(Module):
    """y = x @ W.T + b, with W of shape (out_features, in_features).

    Initialised as PyTorch does: W and b from U(-1/sqrt(in), 1/sqrt(in))
    (``kaiming_uniform_`` with a = sqrt(5) gives exactly that bound for W).

    Args:
        in_features: size of each input row.
        out_features: size of each output row.
        bias: whether to add a learnable bias b of shape (out_features,).
        dtype: float64 (default) or float32.
        rng: NumPy generator for the initial values (default: ``nn.init``'s generator).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: Any = np.float64,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(f"Linear needs positive sizes, got in_features={in_features}, out_features={out_features}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.zeros((out_features, in_features)), dtype=dtype)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), rng=rng)
        if bias:
            self.bias: Parameter | None = Parameter(np.zeros(out_features), dtype=dtype)
            bound = 1.0 / math.sqrt(in_features)
            init.uniform_(self.bias, -bound, bound, rng=rng)
        else:
            self.bias = None

    def forward(self, x: Any) -> Any:
        shape = x.shape if isinstance(x, (Value, np.ndarray)) else np.shape(x)
        if len(shape) == 0 or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}): input of shape {shape} must end in {self.in_features}"
            )
        return linear(x, self.weight, self.bias)  # x @ W.T + b as one graph node

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after the other: Sequential(a, b)(x) = b(a(x)); named "0", "1", ..."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        """One module, or for a slice a Sequential of those modules under their names (as PyTorch)."""
        if isinstance(index, slice):
            part = Sequential()
            for name, module in list(self._modules.items())[index]:
                part.add_module(name, module)
            return part
        return list(self._modules.values())[index]

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Add each of ``modules`` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Put ``module`` before position ``index`` (negative counts from the end); the modules are renumbered."""
        modules = list(self._modules.values())
        if not -len(modules) <= index <= len(modules):
            raise IndexError(f"Sequential.insert: index {index} is out of range for {len(modules)} modules")
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.insert: expected a Module, got {type(module).__name__}")
        modules.insert(index, module)
        for name in list(self._modules):
            delattr(self, name)
        for position, item in enumerate(modules):
            self.add_module(str(position), item)
        return self


class MLP(Sequential):
    """A multilayer perceptron: Linear layers with an activation between them (none after the last).

    MLP(2, [16, 16, 1]) is Linear(2, 16), ReLU, Linear(16, 16), ReLU, Linear(16, 1).

    Args:
        n_in: input features.
        sizes: hidden sizes followed by the output size.
        activation: a Module class (or any callable returning a Module) put between layers.
        dtype: float64 (default) or float32.
        rng: NumPy generator for the initial values.
    """

    def __init__(
        self, n_in: int, sizes: Sequence[int], activation: Callable[[], Module] | None = None,
        dtype: Any = np.float64, rng: np.random.Generator | None = None,
    ) -> None:
        if not sizes:
            raise ValueError("MLP needs at least one layer size (the output size)")
        if activation is None:
            from nn.activations import ReLU

            activation = ReLU
        if isinstance(activation, Module):
            raise TypeError(f"MLP: activation must be a Module class such as nn.ReLU (MLP makes one per layer), "
                            f"got the instance {activation!r}; pass {type(activation).__name__} instead")
        modules: list[Module] = []
        widths = [n_in, *sizes]
        for k in range(len(sizes)):
            modules.append(Linear(widths[k], widths[k + 1], dtype=dtype, rng=rng))
            if k < len(sizes) - 1:
                modules.append(activation())
        super().__init__(*modules)


def dropout(x: Any, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None) -> Any:
    """Training: each element zeroed with probability p, the rest scaled by 1/(1-p); otherwise x itself.

    The mask is a constant, so d out/dx = mask / (1 - p). ``rng``: default ``nn.init``'s generator.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    raw = x.data if isinstance(x, Value) else np.asarray(x)
    shape = np.shape(raw)
    dtype = raw.dtype if isinstance(raw, np.ndarray) and raw.dtype.kind == "f" else np.dtype(np.float64)
    if p == 1.0:
        return x * np.zeros(shape, dtype=dtype)
    rng = rng if rng is not None else init.default_generator()
    keep = rng.random(shape) >= p
    return x * (keep / (1.0 - p)).astype(dtype)


class Dropout(Module):
    """Training: zero each element with probability p and scale the rest by 1/(1-p); eval: identity.

    The mask is a constant, so d out/dx = mask / (1 - p).

    Args:
        p: probability of zeroing an element, in [0, 1].
        rng: NumPy generator for the masks (default: ``nn.init``'s generator).
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability must be in [0, 1], got {p}")
        self.p = float(p)
        self.rng = rng

    def forward(self, x: Any) -> Any:
        return dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
