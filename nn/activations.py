"""Activations, each a function and a Module, composed only from autograd's primitives.

None of them defines a derivative: backward goes through the primitives they are
made of.  Stability comes from the formulation, so every one is finite, with a
finite gradient and no NumPy warning, for float64 inputs anywhere in [-1000, 1000]:

* ``exp`` is only ever applied to numbers <= 0 (``exp(-|x|)``, ``exp(min(x, 0))``,
  ``exp(x - max x)``), so it cannot overflow;
* ``where`` picks between two branches that are both finite everywhere (a NaN in
  the branch not taken would still poison the gradient, as 0 * inf = NaN);
* |x| is written as ``where(x >= 0, x, -x)`` so the derivative at 0 is that of
  the branch taken, not the 0 that d|x|/dx has at its kink.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value, erfc, exp, expm1, log1p, logsumexp, relu, sigmoid, tanh, where
from autograd.program import derived
from nn.module import Module, Parameter

__all__ = [
    "ELU", "GELU", "LeakyReLU", "LogSoftmax", "PReLU", "ReLU", "SiLU", "Sigmoid", "Softmax", "Softplus", "Swish",
    "Tanh", "elu", "gelu", "leaky_relu", "log1p", "log_softmax", "prelu", "relu", "sigmoid", "silu", "softmax",
    "softplus", "swish", "tanh",
]


def _data(x: Any) -> Any:
    """The raw numbers of x (float arrays keep their dtype; anything else becomes float64)."""
    if isinstance(x, Value):
        return x.data
    array = np.asarray(x)
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _negative_abs(x: Any) -> Any:
    """-|x| as a where, so the derivative at 0 is -1 from the right (as needed by sigmoid at 0)."""
    return where(derived("greater_equal", x), -x, x)


# ---------------------------------------------------------------------------
# functions


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x for x > 0, else negative_slope * x; derivative 1 or negative_slope."""
    return where(derived("greater", x), x, x * negative_slope)


def prelu(x: Any, alpha: Any) -> Any:
    """x for x > 0, else alpha * x, with a learnable alpha; d/dx = 1 or alpha, d/dalpha = 0 or x.

    ``alpha`` holds one slope, or one per channel: channels are axis 1 (axis 0 for 1-D input), as PyTorch.
    """
    data = _data(x)
    size = int(np.size(_data(alpha)))
    if size > 1:
        axis = 1 if data.ndim >= 2 else 0
        if data.ndim == 0 or data.shape[axis] != size:
            raise ValueError(f"prelu: alpha has {size} slopes but input of shape {data.shape} has no axis of that size")
        shape = [1] * data.ndim
        shape[axis] = size
        alpha = alpha.reshape(tuple(shape)) if isinstance(alpha, Value) else np.reshape(alpha, shape)
    elif isinstance(alpha, Value) and alpha.ndim > 0:
        alpha = alpha.reshape(())
    return where(derived("greater", x), x, alpha * x)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x for x > 0, else alpha (e^x - 1), with expm1 (e^x - 1 would be 0 for |x| < 2^-54 instead of x);
    expm1 sees min(x, 0) so it never overflows. d/dx = 1 or alpha e^x."""
    positive = derived("greater", x)
    negative_part = where(positive, 0.0, x)
    return where(positive, x, alpha * expm1(negative_part))


def class_axis(name: str, axis: Any, spelled: dict[str, Any]) -> Any:
    """``axis`` (NumPy's name) or ``dim`` (PyTorch's), the last axis when neither is given; both: TypeError."""
    if spelled:
        if set(spelled) != {"dim"}:
            raise TypeError(f"{name}: unexpected argument(s) {', '.join(sorted(set(spelled) - {'dim'}))}")
        if axis is not None:
            raise TypeError(f"{name}: got both axis= and dim= (one argument: axis is NumPy's name, dim PyTorch's)")
        axis = spelled["dim"]
    return -1 if axis is None else axis


def softmax(x: Any, axis: Any = None, **spelled: Any) -> Any:
    """e^(x_i - m) / sum_j e^(x_j - m) with m = max x (a constant shift: the result is unchanged, nothing overflows).

    d softmax_i / dx_j = s_i (delta_ij - s_j). Over ``axis`` (or ``dim``), the last by default.
    """
    axis = class_axis("softmax", axis, spelled)
    e = exp(x - derived("max", x, axis=axis))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: Any, axis: Any = None, **spelled: Any) -> Any:
    """x_i - logsumexp(x), computed as x'_i - logsumexp(x') with x' = x - max x; d/dx_j = delta_ij - softmax_j.

    Shifting first (a constant: the derivative is unchanged) keeps both terms small, so their
    difference keeps its digits for large x ([1e308, 1e308] gives -log 2, not 0 or NaN).
    Over ``axis`` (or ``dim``), the last by default.
    """
    axis = class_axis("log_softmax", axis, spelled)
    shifted = x - derived("finite_max", x, axis=axis)
    return shifted - logsumexp(shifted, axis=axis, keepdims=True)


_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: Any, approximate: str = "none") -> Any:
    """x Phi(x) = x erfc(-x / sqrt 2) / 2, or with approximate='tanh'
    x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2.  d/dx = Phi(x) + x phi(x) for the exact form.

    erfc(-x / sqrt 2) is 1 + erf(x / sqrt 2) without the cancellation that made the sum 0 for x < -8.3
    (where Phi(x) is below 2^-53), so the value no longer underflows long before Phi itself does.
    """
    if approximate == "none":
        return 0.5 * x * erfc(x * -_SQRT_HALF)
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))
        return x * sigmoid(2.0 * inner)  # (1 + tanh u) / 2 = sigmoid(2u), without 1 + tanh u's cancellation
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def swish(x: Any, beta: Any = 1.0) -> Any:
    """x sigma(beta x); d/dx = sigma(beta x) + beta x sigma(beta x)(1 - sigma(beta x)). beta may be a Value."""
    return x * sigmoid(beta * x)


def silu(x: Any) -> Any:
    """x sigma(x) (swish with beta = 1); d/dx = sigma(x)(1 + x (1 - sigma(x)))."""
    return x * sigmoid(x)


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as PyTorch); d/dx = sigma(beta x).

    Written max(z, 0) + log1p(e^-|z|) with z = beta x, so exp never overflows.
    """
    if beta <= 0:
        raise ValueError(f"softplus: beta must be positive, got {beta}")
    z = x * beta
    smooth = (where(derived("greater_equal", z), z, 0.0) + log1p(exp(_negative_abs(z)))) / beta
    return where(derived("greater", z, other=threshold), x, smooth)


# ---------------------------------------------------------------------------
# Modules


class Sigmoid(Module):
    """Module form of :func:`sigmoid`."""

    def forward(self, x: Any) -> Any:
        return sigmoid(x)


class Tanh(Module):
    """tanh(x) (a primitive); d/dx = 1 - tanh^2 x."""

    def forward(self, x: Any) -> Any:
        return tanh(x)


class ReLU(Module):
    """Module form of :func:`relu`."""

    def forward(self, x: Any) -> Any:
        return relu(x)


class LeakyReLU(Module):
    """Module form of :func:`leaky_relu`."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Any:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """:func:`prelu` with a learnable slope ``alpha`` of shape (num_parameters,), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = np.float64) -> None:
        super().__init__()
        if num_parameters < 1:
            raise ValueError(f"PReLU needs num_parameters >= 1, got {num_parameters}")
        self.num_parameters = int(num_parameters)
        self.alpha = Parameter(np.full(num_parameters, init), dtype=dtype)

    def forward(self, x: Any) -> Any:
        return prelu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """Module form of :func:`elu`."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Any:
        return elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmax(Module):
    """Module form of :func:`softmax` over ``axis``."""

    def __init__(self, axis: Any = None, **spelled: Any) -> None:
        super().__init__()
        self.axis = class_axis("Softmax", axis, spelled)

    def forward(self, x: Any) -> Any:
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """Module form of :func:`log_softmax` over ``axis``."""

    def forward(self, x: Any) -> Any:
        return log_softmax(x, self.axis)


class GELU(Module):
    """Module form of :func:`gelu` (approximate='none' or 'tanh')."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Any:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Swish(Module):
    """:func:`swish`; with ``learnable=True`` beta is a Parameter of shape () trained with the model."""

    def __init__(self, beta: float = 1.0, learnable: bool = False) -> None:
        super().__init__()
        self.learnable = bool(learnable)
        self.beta: Any = Parameter(float(beta)) if learnable else float(beta)

    def forward(self, x: Any) -> Any:
        return swish(x, self.beta)

    def extra_repr(self) -> str:
        beta = self.beta.item() if isinstance(self.beta, Value) else self.beta
        return f"beta={beta:g}, learnable={self.learnable}"


class SiLU(Module):
    """Module form of :func:`silu`."""

    def forward(self, x: Any) -> Any:
        return silu(x)


class Softplus(Module):
    """Module form of :func:`softplus`."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if beta <= 0:
            raise ValueError(f"Softplus: beta must be positive, got {beta}")
        self.beta = float(beta)
        self.threshold = float(threshold)

    def forward(self, x: Any) -> Any:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta:g}, threshold={self.threshold:g}"
