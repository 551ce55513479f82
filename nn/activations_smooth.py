"""More smooth activations (PyTorch's SELU, CELU, Mish, LogSigmoid, Tanhshrink, Softmin), function + Module.

Like those in ``nn/activations.py`` they are composed only of engine primitives (no
derivative is written here) and stay finite, with finite gradients and no NumPy
warning, for float64 inputs anywhere in [-1000, 1000]: ``exp`` only ever sees
numbers <= 0, and ``where`` only picks between branches finite everywhere.
"""

from __future__ import annotations

from typing import Any

from autograd import exp, expm1, tanh, where
from autograd.program import derived
from nn.activations import _negative_abs, class_axis, elu, log1p, softmax, softplus
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
    positive = derived("greater", x)
    negative_part = where(positive, 0.0, x)
    return where(positive, x, alpha * expm1(negative_part * (1.0 / alpha)))  # expm1: no 1 - 1 near 0


def mish(x: Any) -> Any:
    """x tanh(softplus(x)) (Misra, 2019); d/dx = tanh(sp) + x sigma(x) (1 - tanh^2(sp)) with sp = softplus(x)."""
    return x * tanh(softplus(x))


def logsigmoid(x: Any) -> Any:
    """log sigma(x) = -softplus(-x) = min(x, 0) - log1p(e^-|x|); d/dx = 1 - sigma(x) = sigma(-x)."""
    return where(derived("greater_equal", x), 0.0, x) - log1p(exp(_negative_abs(x)))


# x - tanh x = sum_k c_k x^(2k+3) (c_k from the Bernoulli numbers), to float64 round-off for |x| < 0.75
_TANHSHRINK_SERIES = (
    0.3333333333333333, -0.13333333333333333, 0.05396825396825397, -0.021869488536155203,
    0.008863235529902197, -0.003592128036572481, 0.0014558343870513183, -0.000590027440945586,
    0.00023912911424355248, -9.691537956929451e-05, 3.927832388331683e-05, -1.5918905069328964e-05,
    6.451689215655431e-06, -2.6147711512907546e-06, 1.0597268320104654e-06, -4.294911078273806e-07,
    1.7406618963571648e-07, -7.054636946400968e-08, 2.859136662305254e-08, -1.1587644432798853e-08,
    4.6962953982309016e-09, -1.903336833931276e-09, 7.713933635359062e-10, -3.126339545892087e-10,
    1.26705769303054e-10, -5.135191408039368e-11, 2.0812146867700473e-11, 4.521114245666967e-18,
)
_SERIES_BELOW = 0.75  # above it, x - tanh x cancels at most 2.7 bits


def tanhshrink(x: Any) -> Any:
    """x - tanh x; d/dx = tanh^2 x.

    Near 0 the subtraction cancels (x - tanh x is about x^3 / 3: at x = 1e-9 it gives 0), so for
    |x| < 0.75 the value is the series x^3 (c_0 + c_1 x^2 + ...) instead, evaluated by Horner's rule.
    """
    below = derived("less", x, other=_SERIES_BELOW)  # -0.75 < x < 0.75, as two conditions on x itself
    above = derived("greater", x, other=-_SERIES_BELOW)  # (an exporter computes each from x)
    near = where(below, where(above, x, 0.0), 0.0)  # the series sees only |x| < 0.75, the subtraction the rest
    t = near * near
    series = _TANHSHRINK_SERIES[-1] + 0.0 * t
    for c in reversed(_TANHSHRINK_SERIES[:-1]):
        series = series * t + c
    far = x - tanh(x)
    return where(below, where(above, near * t * series, far), far)


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
