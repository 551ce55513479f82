"""Initialisers that fill a Parameter in place, with PyTorch's names and formulas.

Random ones draw from ``rng`` when given, else from the module generator that
``nn.manual_seed(seed)`` resets, so a whole model is reproducible from one seed.

fan_in / fan_out of a weight of shape (out, in, *kernel) are in * k and out * k
(k = product of the kernel sizes); a 1-D tensor has fan_in = fan_out = its length.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value

_generator: np.random.Generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reset the generator that initialisers and Dropout use by default."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The generator used when no ``rng`` is passed."""
    return _generator


def _rng(rng: np.random.Generator | None) -> np.random.Generator:
    return _generator if rng is None else rng


def _fill(param: Value, array: Any) -> Value:
    """Store ``array`` in ``param`` keeping its shape and dtype."""
    array = np.asarray(array, dtype=param.dtype).reshape(param.shape)
    param.data = Value(array, requires_grad=False).data
    return param


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady: relu sqrt(2), tanh 5/3, leaky_relu sqrt(2/(1+a^2))."""
    linear = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def fan_in_and_fan_out(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (out, in, *kernel)."""
    if len(shape) == 0:
        raise ValueError("fan in and fan out cannot be computed for a scalar")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(shape: tuple[int, ...], mode: str) -> int:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def uniform_(param: Value, a: float = 0.0, b: float = 1.0, rng: np.random.Generator | None = None) -> Value:
    """Fill with draws from U(a, b)."""
    return _fill(param, _rng(rng).uniform(a, b, size=param.shape))


def normal_(param: Value, mean: float = 0.0, std: float = 1.0, rng: np.random.Generator | None = None) -> Value:
    """Fill with draws from N(mean, std^2)."""
    return _fill(param, _rng(rng).normal(mean, std, size=param.shape))


def constant_(param: Value, value: float) -> Value:
    """Fill with ``value``."""
    return _fill(param, np.full(param.shape, value))


def zeros_(param: Value) -> Value:
    """Fill with 0."""
    return constant_(param, 0.0)


def ones_(param: Value) -> Value:
    """Fill with 1."""
    return constant_(param, 1.0)


def xavier_uniform_(param: Value, gain: float = 1.0, rng: np.random.Generator | None = None) -> Value:
    """Glorot: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(param.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(param, -bound, bound, rng)


def xavier_normal_(param: Value, gain: float = 1.0, rng: np.random.Generator | None = None) -> Value:
    """Glorot: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(param.shape)
    return normal_(param, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def kaiming_uniform_(
    param: Value, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    rng: np.random.Generator | None = None,
) -> Value:
    """He: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(param.shape, mode))
    return uniform_(param, -bound, bound, rng)


def kaiming_normal_(
    param: Value, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    rng: np.random.Generator | None = None,
) -> Value:
    """He: N(0, std^2) with std = gain / sqrt(fan)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(param.shape, mode))
    return normal_(param, 0.0, std, rng)
