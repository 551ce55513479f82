"""Convolutions: conv1d / Conv1d and conv2d / Conv2d, as PyTorch defines them (cross-correlation).

A convolution here is an unfold and one contraction, composed from engine primitives:
``pad`` the input, take every kernel-sized window with ``sliding_window_view``
(strides and dilation are then plain indexing of the windows), and contract the
windows with the weight in one matrix product:

    out[n, o, y, x] = sum_{c, i, j} windows[n, c, y, x, i, j] * weight[o, c, i, j] + bias[o]

The windows are laid out as one row per output pixel (im2col: a transpose and a reshape,
which copies them once) and multiplied by the weight as a (C_out, C_in * kernel) matrix
in one ``linear`` node, bias included.

No Python loop runs over output pixels, and no derivative is written here: the
gradient comes from the VJPs of pad, sliding_window_view, getitem, transpose, reshape and linear
(the windows' VJP adds each window's gradient back onto the input, a col2im).
Groups split the channels into ``groups`` independent convolutions: one ``einsum``
with a group axis.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value, einsum, linear, pad, reshape, sliding_window_view, transpose
from nn import init
from nn.module import Module, Parameter


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a Value, an ndarray or nested lists."""
    return tuple(x.shape) if isinstance(x, (Value, np.ndarray)) else np.shape(x)


def as_input(x: Any) -> Any:
    """A Value stays a Value; anything else becomes a float ndarray (a constant)."""
    if isinstance(x, Value):
        return x
    array = np.asarray(x)
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def ntuple(value: Any, n: int, layer: str, name: str) -> tuple[int, ...]:
    """An int or a tuple of ``n`` ints as a tuple of ``n`` ints (PyTorch's _pair)."""
    items = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(items) != n or not all(isinstance(v, (int, np.integer)) for v in items):
        raise ValueError(f"{layer}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(int(v) for v in items)


def windows(x: Any, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> Any:
    """The (dilated, strided) windows of the last ``len(kernel)`` axes: (..., *out, *kernel).

    The undilated windows span ``dilation * (k - 1) + 1`` elements; taking every
    ``dilation``-th element of each window and every ``stride``-th window is indexing.
    """
    nd = len(kernel)
    spans = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    view = sliding_window_view(x, spans, axis=tuple(range(-nd, 0)))
    if all(s == 1 for s in stride) and all(d == 1 for d in dilation):
        return view
    index = (Ellipsis, *(slice(None, None, s) for s in stride), *(slice(None, None, d) for d in dilation))
    return view[index]


_SPATIAL = "xyz"
_KERNEL = "ijk"


def _conv(x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: int, nd: int,
          layer: str) -> Any:
    """The N-d convolution behind conv1d and conv2d (input (N, C, *spatial) or unbatched (C, *spatial))."""
    x, weight = as_input(x), as_input(weight)
    xs, ws = shape_of(x), shape_of(weight)
    if len(ws) != nd + 2:
        raise ValueError(f"{layer}: weight of shape {ws} must have {nd + 2} axes (out, in/groups, *kernel)")
    if len(xs) not in (nd + 1, nd + 2):
        raise ValueError(f"{layer}: input of shape {xs} must be (N, C, {'L' if nd == 1 else 'H, W'}) or unbatched "
                         f"(C, {'L' if nd == 1 else 'H, W'})")
    batched = len(xs) == nd + 2
    if not batched:
        x = reshape(x, (1, *xs))
        xs = (1, *xs)
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{layer}: groups must be a positive int, got {groups!r}")
    out_channels, in_per_group, kernel = ws[0], ws[1], ws[2:]
    if xs[1] != in_per_group * groups:
        raise ValueError(f"{layer}: expected input with {in_per_group * groups} channels (weight {ws}, "
                         f"groups={groups}), got input of shape {xs[1:] if not batched else xs} with {xs[1]} channels")
    if out_channels % groups:
        raise ValueError(f"{layer}: groups={groups} does not divide the {out_channels} output channels")
    stride = ntuple(stride, nd, layer, "stride")
    dilation = ntuple(dilation, nd, layer, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{layer}: stride {stride} and dilation {dilation} must be positive")
    pads = _padding(padding, kernel, stride, dilation, layer)
    if any(before or after for before, after in pads):
        x = pad(x, ((0, 0), (0, 0), *pads))
    padded = shape_of(x)[2:]
    spans = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if any(s > n for s, n in zip(spans, padded, strict=True)):
        raise ValueError(f"{layer}: kernel {kernel} (dilation {dilation}) is larger than the padded input "
                         f"{padded} (input {xs[2:]}, padding {pads})")
    cols = windows(x, kernel, stride, dilation)          # (N, C, *out, *kernel)
    out_shape = shape_of(cols)[2:2 + nd]
    if groups == 1:
        # im2col: one row per output pixel, copied once into matmul's layout; the copy is what the
        # weight's gradient reads too. Then one matmul with the bias (linear), back to (N, C_out, *out).
        rows = reshape(transpose(cols, (0, *range(2, 2 + nd), 1, *range(2 + nd, 2 + 2 * nd))),
                       (xs[0] * math.prod(out_shape), in_per_group * math.prod(kernel)))
        out = linear(rows, reshape(weight, (out_channels, -1)), None if bias is None else as_input(bias))
        out = transpose(reshape(out, (xs[0], *out_shape, out_channels)), (0, nd + 1, *range(1, nd + 1)))
    else:
        space, taps = _SPATIAL[:nd], _KERNEL[:nd]
        cols = reshape(cols, (xs[0], groups, in_per_group, *shape_of(cols)[2:]))
        w = reshape(weight, (groups, out_channels // groups, in_per_group, *kernel))
        out = einsum(f"ngc{space}{taps},goc{taps}->ngo{space}", cols, w)
        out = reshape(out, (xs[0], out_channels, *out_shape))
        if bias is not None:
            out = out + reshape(as_input(bias), (out_channels,) + (1,) * nd)
    return out if batched else reshape(out, shape_of(out)[1:])


def _padding(padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...],
             layer: str) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial axis: ints, 'valid' (none) or 'same' (stride 1; the extra one after, as PyTorch)."""
    nd = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding != "same":
            raise ValueError(f"{layer}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{layer}: padding='same' is not supported for strided convolutions (stride {stride})")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)
    pads = ntuple(padding, nd, layer, "padding")
    if min(pads) < 0:
        raise ValueError(f"{layer}: padding {pads} must not be negative")
    return tuple((p, p) for p in pads)


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,  # noqa: A002
           groups: int = 1) -> Any:
    """1-D convolution of (N, C_in, L) (or (C_in, L)) with weight (C_out, C_in/groups, k), as torch's conv1d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,  # noqa: A002
           groups: int = 1) -> Any:
    """2-D convolution of (N, C_in, H, W) (or (C_in, H, W)) with weight (C_out, C_in/groups, kh, kw)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: PyTorch's arguments, parameters and default initialisation."""

    nd = 0
    layer = ""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 dtype: Any = np.float64, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        name = self.layer
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(f"{name}: in_channels={in_channels} and out_channels={out_channels} must be positive")
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must divide in_channels={in_channels} "
                             f"and out_channels={out_channels}")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = ntuple(kernel_size, self.nd, name, "kernel_size")
        self.stride = ntuple(stride, self.nd, name, "stride")
        self.dilation = ntuple(dilation, self.nd, name, "dilation")
        self.padding = padding if isinstance(padding, str) else ntuple(padding, self.nd, name, "padding")
        if isinstance(padding, str):
            _padding(padding, self.kernel_size, self.stride, self.dilation, name)  # checks 'same' with stride
        self.padding_mode = padding_mode
        self.weight = Parameter(np.zeros((out_channels, in_channels // groups, *self.kernel_size)), dtype=dtype)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), rng=rng)  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        if bias:
            self.bias: Parameter | None = Parameter(np.zeros(out_channels), dtype=dtype)
            bound = 1.0 / math.sqrt(in_channels // groups * math.prod(self.kernel_size))
            init.uniform_(self.bias, -bound, bound, rng=rng)
        else:
            self.bias = None

    def forward(self, input: Any) -> Any:  # noqa: A002
        return _conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups, self.nd,
                     self.layer)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}")
        if self.padding != (0,) * self.nd:
            text += f", padding={self.padding!r}"
        if self.dilation != (1,) * self.nd:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L): weight (C_out, C_in/groups, k), bias (C_out,).

    Args:
        in_channels, out_channels: channel counts.
        kernel_size, stride, dilation: ints (or 1-tuples).
        padding: an int, 'valid' (0) or 'same' (stride 1 only).
        groups: channels split into this many independent convolutions.
        bias: learn a bias per output channel.
        dtype, rng: float64 (default) or float32; generator for the initial values.
    """

    nd = 1
    layer = "Conv1d"


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W): weight (C_out, C_in/groups, kh, kw), bias (C_out,).

    Initialised as PyTorch: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    fan_in = C_in/groups * kh * kw. Arguments as :class:`Conv1d`, with ints or pairs.
    """

    nd = 2
    layer = "Conv2d"
