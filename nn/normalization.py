"""Normalization: batch_norm / BatchNorm1d / BatchNorm2d, layer_norm / LayerNorm, group_norm / GroupNorm.

Each normalises x to (x - mean) / sqrt(var + eps) over some axes and then scales
and shifts it per channel, composed from engine primitives (mean, var, sqrt), so
the gradient, through the batch statistics too, comes from their VJPs.

BatchNorm follows PyTorch exactly: training normalises with the batch's biased
variance and updates the running statistics with the unbiased one,
``running = (1 - momentum) * running + momentum * batch`` (``momentum=None``: the
cumulative average, factor 1 / num_batches_tracked); eval uses the running
statistics. The running statistics are buffers (in ``state_dict``, not learned).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import mean, reshape, sqrt, var
from nn.conv import as_input, shape_of
from nn.module import Module, Parameter


def batch_norm(input: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None,  # noqa: A002
               weight: Any = None, bias: Any = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Any:
    """Normalise (N, C, *) per channel C; with ``training`` use the batch and update the running arrays in place."""
    x = as_input(input)
    xs = shape_of(x)
    if len(xs) < 2:
        raise ValueError(f"batch_norm: input of shape {xs} must be (N, C) or (N, C, ...)")
    channels = xs[1]
    for name, array in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                        ("bias", bias)):
        if array is not None and shape_of(array) != (channels,):
            raise ValueError(f"batch_norm: {name} of shape {shape_of(array)} does not fit input {xs} "
                             f"with {channels} channels")
    axes = (0, *range(2, len(xs)))
    per_channel = (1, channels) + (1,) * (len(xs) - 2)
    if training or running_mean is None or running_var is None:
        count = math.prod(xs) // channels
        if training and count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input {xs}")
        mu = mean(x, axes, keepdims=True)
        centered = x - mu
        variance = mean(centered * centered, axes, keepdims=True)  # biased, as PyTorch normalises
        if training and running_mean is not None and running_var is not None:
            batch_mean = np.asarray(getattr(mu, "data", mu)).reshape(channels)
            unbiased = np.asarray(getattr(variance, "data", variance)).reshape(channels) * (count / (count - 1))
            running_mean *= 1.0 - momentum
            running_mean += momentum * batch_mean
            running_var *= 1.0 - momentum
            running_var += momentum * unbiased
        scale = 1.0 / sqrt(variance + eps)                       # per channel: small
        if weight is not None:
            scale = scale * reshape(as_input(weight), per_channel)
        out = centered * scale                                   # two full-size products in all
    else:  # eval: an affine map per channel from the running statistics (constants)
        scale = 1.0 / np.sqrt(running_var.reshape(per_channel) + eps)
        if weight is not None:
            scale = scale * reshape(as_input(weight), per_channel)
        out = (x - running_mean.reshape(per_channel)) * scale
    if bias is not None:
        out = out + reshape(as_input(bias), per_channel)
    return out


class _BatchNorm(Module):
    """BatchNorm1d and BatchNorm2d: PyTorch's arguments, parameters (weight, bias) and buffers."""

    ndims: tuple[int, ...] = ()
    layer = ""
    running_mean: Any  # buffers (ndarrays, or None without track_running_stats)
    running_var: Any
    num_batches_tracked: Any

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype: Any = np.float64) -> None:
        super().__init__()
        if num_features <= 0:
            raise ValueError(f"{self.layer}: num_features must be positive, got {num_features}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight: Parameter | None = Parameter(np.ones(num_features), dtype=dtype)
            self.bias: Parameter | None = Parameter(np.zeros(num_features), dtype=dtype)
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean[...] = 0.0
            self.running_var[...] = 1.0
            self.num_batches_tracked[...] = 0

    def forward(self, input: Any) -> Any:  # noqa: A002
        xs = shape_of(input)
        if len(xs) not in self.ndims or xs[1] != self.num_features:
            wanted = " or ".join(str(n) for n in self.ndims)
            raise ValueError(f"{self.layer}({self.num_features}): expected a {wanted}-D input with "
                             f"{self.num_features} channels on axis 1, got shape {xs}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1  # in place: the buffer stays the same array
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or not self.track_running_stats
        return batch_norm(input, self.running_mean if not use_batch or self.training else None,
                          self.running_var if not use_batch or self.training else None,
                          self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) per channel C; buffers running_mean, running_var,
    num_batches_tracked; parameters weight (ones) and bias (zeros) when ``affine``."""

    ndims = (2, 3)
    layer = "BatchNorm1d"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) per channel C (statistics over N, H and W)."""

    ndims = (4,)
    layer = "BatchNorm2d"


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,  # noqa: A002
               eps: float = 1e-5) -> Any:
    """Normalise over the trailing ``normalized_shape`` axes of each sample, then scale by weight and add bias."""
    x = as_input(input)
    xs = shape_of(x)
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not shape or xs[len(xs) - len(shape):] != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape} must be the trailing axes of the input {xs}")
    axes = tuple(range(-len(shape), 0))
    out = (x - mean(x, axes, keepdims=True)) / sqrt(var(x, axes, keepdims=True) + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class LayerNorm(Module):
    """Normalise each sample over its trailing ``normalized_shape`` axes; weight (ones), bias (zeros) of that shape."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else \
            tuple(int(n) for n in normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, float(eps), elementwise_affine
        self.weight: Parameter | None = Parameter(np.ones(shape), dtype=dtype) if elementwise_affine else None
        self.bias: Parameter | None = Parameter(np.zeros(shape), dtype=dtype) if elementwise_affine and bias else None

    def forward(self, input: Any) -> Any:  # noqa: A002
        xs = shape_of(input)
        if xs[len(xs) - len(self.normalized_shape):] != self.normalized_shape:
            raise ValueError(f"LayerNorm({self.normalized_shape}): input of shape {xs} must end in "
                             f"{self.normalized_shape}")
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,  # noqa: A002
               eps: float = 1e-5) -> Any:
    """Normalise (N, C, *) over each group of C/num_groups channels (and all spatial axes), then scale per channel."""
    x = as_input(input)
    xs = shape_of(x)
    if len(xs) < 2 or num_groups < 1 or xs[1] % num_groups:
        raise ValueError(f"group_norm: num_groups={num_groups} must divide the channels (axis 1) of input {xs}")
    grouped = reshape(x, (xs[0], num_groups, -1))
    out = reshape((grouped - mean(grouped, -1, keepdims=True)) / sqrt(var(grouped, -1, keepdims=True) + eps), xs)
    per_channel = (1, xs[1]) + (1,) * (len(xs) - 2)
    if weight is not None:
        out = out * reshape(as_input(weight), per_channel)
    if bias is not None:
        out = out + reshape(as_input(bias), per_channel)
    return out


class GroupNorm(Module):
    """Group normalization of (N, C, *): statistics per sample and group; weight (ones) and bias (zeros) per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_groups={num_groups} must divide num_channels={num_channels}")
        self.num_groups, self.num_channels, self.eps, self.affine = int(num_groups), int(num_channels), eps, affine
        self.weight: Parameter | None = Parameter(np.ones(num_channels), dtype=dtype) if affine else None
        self.bias: Parameter | None = Parameter(np.zeros(num_channels), dtype=dtype) if affine else None

    def forward(self, input: Any) -> Any:  # noqa: A002
        xs = shape_of(input)
        if len(xs) < 2 or xs[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}): input of shape {xs} must have "
                             f"{self.num_channels} channels on axis 1")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
