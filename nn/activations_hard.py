"""Piecewise-linear ("hard") activations and softsign, as PyTorch defines them, function + Module.

Hardtanh, ReLU6, Hardsigmoid and Hardswish are cheap stand-ins for tanh, a bounded
ReLU, sigmoid and swish, made of straight pieces (MobileNetV3 uses the last two).
Each is a ``where`` over pieces, so no derivative is written here; at a joint the
derivative is the one PyTorch uses: that of the outer, flat or identity, piece
(0 at the clipping points of hardtanh, relu6 and hardsigmoid; 0 at -3 and 1 at 3
for hardswish).
"""

from __future__ import annotations

from typing import Any

from autograd import where
from autograd.program import derived
from nn.module import Module

__all__ = ["Hardsigmoid", "Hardswish", "Hardtanh", "ReLU6", "Softsign", "hardsigmoid", "hardswish", "hardtanh",
           "relu6", "softsign"]


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Any:
    """x clipped to [min_val, max_val]; d/dx = 1 strictly inside, 0 elsewhere (also at the ends)."""
    min_val, max_val = float(min_val), float(max_val)
    if not min_val <= max_val:
        raise ValueError(f"hardtanh: max_val must be >= min_val, got min_val={min_val}, max_val={max_val}")
    return where(derived("less_equal", x, other=min_val), min_val,
                 where(derived("greater_equal", x, other=max_val), max_val, x))


def relu6(x: Any) -> Any:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6); d/dx = 1 on (0, 6), else 0."""
    return hardtanh(x, 0.0, 6.0)


def hardsigmoid(x: Any) -> Any:
    """relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between; d/dx = 1/6 on (-3, 3), else 0."""
    low, high = derived("less_equal", x, other=-3.0), derived("greater_equal", x, other=3.0)
    return where(low, 0.0, where(high, 1.0, x * (1.0 / 6.0) + 0.5))


def hardswish(x: Any) -> Any:
    """x relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3, x (x + 3) / 6 between; d/dx = x / 3 + 1/2 on (-3, 3)."""
    low, high = derived("less_equal", x, other=-3.0), derived("greater_equal", x, other=3.0)
    return where(low, 0.0, where(high, x, x * (x + 3.0) * (1.0 / 6.0)))


def softsign(x: Any) -> Any:
    """x / (1 + |x|); d/dx = 1 / (1 + |x|)^2. |x| is a where so the derivative at 0 is that of the smooth curve.

    For |x| >= 1 it is written sign(x) (1 - 1 / (1 + |x|)): the quotient's derivative,
    1 / (1 + |x|) - |x| / (1 + |x|)^2, cancels for large |x| (10 bits at 1000); this form's does not.
    """
    nonnegative = derived("greater_equal", x)
    magnitude = where(nonnegative, x, -x)
    outer = 1.0 - 1.0 / (1.0 + magnitude)
    far = where(nonnegative, outer, -outer)
    return where(derived("less", magnitude, other=1.0), x / (1.0 + magnitude), far)


class Hardtanh(Module):
    """Module form of :func:`hardtanh`."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if not float(min_val) <= float(max_val):
            raise ValueError(f"Hardtanh: max_val must be >= min_val, got min_val={min_val}, max_val={max_val}")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: Any) -> Any:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Module):
    """Module form of :func:`relu6`."""

    def forward(self, x: Any) -> Any:
        return relu6(x)


class Hardsigmoid(Module):
    """Module form of :func:`hardsigmoid`."""

    def forward(self, x: Any) -> Any:
        return hardsigmoid(x)


class Hardswish(Module):
    """Module form of :func:`hardswish`."""

    def forward(self, x: Any) -> Any:
        return hardswish(x)


class Softsign(Module):
    """Module form of :func:`softsign`."""

    def forward(self, x: Any) -> Any:
        return softsign(x)
