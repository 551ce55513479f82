"""More smooth activations (PyTorch's SELU, CELU, Mish, LogSigmoid, Tanhshrink, Softmin), function + Module.

Like those in ``nn/activations.py`` they are composed only of engine primitives (no
derivative is written here) and stay finite, with finite gradients and no NumPy
warning, for float64 inputs anywhere in [-1000, 1000]: ``exp`` only ever sees
numbers <= 0, and ``where`` only picks between branches finite everywhere.
"""

from __future__ import annotations

from typing import Any

from autograd import exp, tanh, where
from nn.activations import _data, _negative_abs, class_axis, elu, log1p, softmax, softplus
from nn.module import Module

__all__ = ["CELU", "SELU", "LogSigmoid", "Mish", "Softmin", "Tanhshrink", "celu", "logsigmoid", "mish", "selu",
           "softmin", "tanhshrink"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: Any) -> Any:
    """scale * elu(x, alpha) with Klambauer et al.'s constants (alpha ~ 1.6733, scale ~ 1.0507), chosen so that
    activations keep zero mean and unit variance through deep layers; d/dx = scale or scale * alpha e^x."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def celu(x: Any, alpha: float = 1.0) -> Any:
    """max(0, x) + min(0, alpha (e^(x / alpha) - 1)); d/dx = 1 for x > 0, else e^(x / alpha).

    Unlike ELU its derivative is continuous at 0 for every alpha.  exp sees min(x, 0) / alpha <= 0.
    """
    alpha = float(alpha)
    if alpha == 0.0 or alpha != alpha:
        raise ValueError(f"celu: alpha must be non-zero, got {alpha}")
    data = _data(x)
    negative_part = where(data > 0, 0.0, x)
    return where(data > 0, x, alpha * (exp(negative_part * (1.0 / alpha)) - 1.0))


def mish(x: Any) -> Any:
    """x tanh(softplus(x)) (Misra, 2019); d/dx = tanh(sp) + x sigma(x) (1 - tanh^2(sp)) with sp = softplus(x)."""
    return x * tanh(softplus(x))


def logsigmoid(x: Any) -> Any:
    """log sigma(x) = -softplus(-x) = min(x, 0) - log1p(e^-|x|); d/dx = 1 - sigma(x) = sigma(-x)."""
    return where(_data(x) >= 0, 0.0, x) - log1p(exp(_negative_abs(x)))


def tanhshrink(x: Any) -> Any:
    """x - tanh(x); d/dx = tanh^2(x)."""
    return x - tanh(x)


def softmin(x: Any, axis: Any = None, **spelled: Any) -> Any:
    """softmax(-x): e^(-x_i) / sum_j e^(-x_j), the largest weight on the smallest entry (``axis`` or ``dim``)."""
    return softmax(-x, class_axis("softmin", axis, spelled))


class SELU(Module):
    """Module form of :func:`selu`."""

    def forward(self, x: Any) -> Any:
        return selu(x)


class CELU(Module):
    """Module form of :func:`celu`."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        if float(alpha) == 0.0 or alpha != alpha:
            raise ValueError(f"CELU: alpha must be non-zero, got {alpha}")
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Any:
        return celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Mish(Module):
    """Module form of :func:`mish`."""

    def forward(self, x: Any) -> Any:
        return mish(x)


class LogSigmoid(Module):
    """Module form of :func:`logsigmoid`."""

    def forward(self, x: Any) -> Any:
        return logsigmoid(x)


class Tanhshrink(Module):
    """Module form of :func:`tanhshrink`."""

    def forward(self, x: Any) -> Any:
        return tanhshrink(x)


class Softmin(Module):
    """Module form of :func:`softmin` over ``axis``."""

    def __init__(self, axis: Any = None, **spelled: Any) -> None:
        super().__init__()
        self.axis = class_axis("Softmin", axis, spelled)

    def forward(self, x: Any) -> Any:
        return softmin(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
