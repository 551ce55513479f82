"""Pooling: max_pool1d/2d, avg_pool1d/2d and AdaptiveAvgPool2d, as PyTorch defines them.

Like convolution (see :mod:`nn.conv`), pooling takes the windows of the padded input
with ``sliding_window_view`` and reduces each one:

- max pooling pads with -inf, finds in each window its first maximum (from the data: a
  constant) and picks that element out of the padded input by integer indexing, so the
  gradient goes to that one element, as PyTorch sends it (ties never split it).
- average pooling sums each window and divides by PyTorch's count: the window's
  size clipped to the padded input (``count_include_pad=True``) or the number of
  real input elements in it (False).

``ceil_mode`` keeps a last, partial window by padding the far end a little more
(never counted, and never the maximum). Adaptive average pooling is one einsum with
an averaging matrix per axis (rows from floor(i*L/out) to ceil((i+1)*L/out), as PyTorch).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from autograd import Value, einsum, pad, reshape
from autograd import sum as total
from nn.conv import as_input, ntuple, shape_of, windows
from nn.module import Module


def _output_size(length: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output length (a ceil-mode window must start inside the input or its left padding)."""
    span = length + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= length + padding:
        out -= 1
    return out


class _Geometry(NamedTuple):
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    outs: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]  # (before, after) actually added to each spatial axis


def _pool_windows(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, nd: int,
                  layer: str, fill: float, raw_windows: bool = False) -> tuple[Any, Any, _Geometry]:
    """x padded with ``fill``, its windows (N, C, *out, *kernel), the geometry; ``raw_windows``: of the data."""
    x = as_input(x)
    xs = shape_of(x)
    if len(xs) not in (nd + 1, nd + 2):
        raise ValueError(f"{layer}: input of shape {xs} must have {nd + 1} or {nd + 2} axes "
                         f"((C, *spatial) or (N, C, *spatial))")
    kernel = ntuple(kernel_size, nd, layer, "kernel_size")
    stride = kernel if stride is None or stride == () else ntuple(stride, nd, layer, "stride")
    padding = ntuple(padding, nd, layer, "padding")
    dilation = ntuple(dilation, nd, layer, "dilation")
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{layer}: kernel_size {kernel}, stride {stride} and dilation {dilation} must be positive")
    if any(2 * p > k for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(f"{layer}: padding {padding} should be at most half of kernel_size {kernel}")
    spatial = xs[-nd:]
    outs = tuple(_output_size(n, k, s, p, d, ceil_mode)
                 for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True))
    if min(outs) < 1:
        raise ValueError(f"{layer}: kernel_size {kernel} (dilation {dilation}) is larger than the padded input "
                         f"{tuple(n + 2 * p for n, p in zip(spatial, padding, strict=True))}")
    # padding after: enough for the last window (ceil mode may need more than `padding`)
    pads = tuple((p, (o - 1) * s + d * (k - 1) + 1 - n - p)
                 for n, k, s, p, d, o in zip(spatial, kernel, stride, padding, dilation, outs, strict=True))
    pads = tuple((before, max(after, 0)) for before, after in pads)
    if any(before or after for before, after in pads):
        x = pad(x, ((0, 0),) * (len(xs) - nd) + pads, value=fill)
    cols = windows(x.data if raw_windows and isinstance(x, Value) else x, kernel, stride, dilation)
    if shape_of(cols)[-2 * nd:-nd] != outs:  # a ceil-mode window that would start in the right padding
        cols = cols[(Ellipsis, *(slice(0, o) for o in outs), *(slice(None),) * nd)]
    return x, cols, _Geometry(kernel, stride, padding, dilation, outs, pads)


def _first_maximum(windows: np.ndarray, nd: int) -> np.ndarray:
    """The position (flat, within the window) of the first maximum of each window of ``windows`` (..., *kernel).

    One comparison per kernel position on strided views (a window's later element wins only
    when strictly larger), which is PyTorch's choice among ties and much faster than an
    argmax over the copied windows.
    """
    kernel = windows.shape[-nd:]
    first: tuple[Any, ...] = (Ellipsis, *(0,) * nd)
    best = windows[first]
    position = np.zeros(best.shape, dtype=np.intp)
    for k, offset in enumerate(np.ndindex(*kernel)):
        if k:
            candidate = windows[(Ellipsis, *offset)]
            np.copyto(position, k, where=candidate > best)
            best = np.maximum(best, candidate)
    return position


def _max_pool(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, nd: int,
              layer: str) -> Any:
    """Each window's first maximum, picked from the (-inf padded) input by integer indexing.

    The gradient is indexing's VJP: each output's gradient lands on the one element it
    was picked from (summed where windows overlap).
    """
    padded, cols, geometry = _pool_windows(x, kernel_size, stride, padding, dilation, ceil_mode, nd, layer, -math.inf,
                                           raw_windows=True)
    position = _first_maximum(cols, nd)
    offsets = np.unravel_index(position, geometry.kernel)
    outs = np.indices(position.shape, sparse=True)
    lead = len(position.shape) - nd
    spatial = [outs[lead + a] * geometry.stride[a] + offsets[a] * geometry.dilation[a] for a in range(nd)]
    flat = np.ravel_multi_index((*outs[:lead], *spatial), shape_of(padded))
    return reshape(padded, (-1,))[flat]


def _avg_pool(x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool, count_include_pad: bool,
              nd: int, layer: str, divisor_override: Any = None) -> Any:
    _, cols, geometry = _pool_windows(x, kernel_size, stride, padding, 1, ceil_mode, nd, layer, 0.0)
    sums = total(cols, tuple(range(-nd, 0)))
    if divisor_override is not None:
        return sums / float(divisor_override)
    # PyTorch's divisor: the window clipped to the padded input, or to the input itself
    counts = np.ones(())
    for axis, n in enumerate(shape_of(x)[-nd:]):
        (before, after), p = geometry.pads[axis], geometry.padding[axis] if count_include_pad else 0
        inside = np.zeros(before + n + after)
        inside[before - p: before + n + p] = 1.0
        per_window = np.lib.stride_tricks.sliding_window_view(inside, geometry.kernel[axis])
        counts = np.multiply.outer(counts, per_window[::geometry.stride[axis]][:geometry.outs[axis]].sum(axis=-1))
    dtype = np.asarray(getattr(sums, "data", sums)).dtype
    return sums / counts.astype(dtype)


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False) -> Any:
    """Max over windows of the last axis of (N, C, L) or (C, L)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 1, "max_pool1d")


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False) -> Any:
    """Max over windows of the last two axes of (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d")


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Any:
    """Mean over windows of the last axis of (N, C, L) or (C, L)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, 1, "avg_pool1d")


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: Any = None) -> Any:
    """Mean over windows of the last two axes of (N, C, H, W) or (C, H, W)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, 2, "avg_pool2d",
                     divisor_override)


def _averaging_matrix(length: int, size: int) -> np.ndarray:
    """(size, length): row i averages input positions floor(i*L/size) .. ceil((i+1)*L/size) - 1."""
    matrix = np.zeros((size, length))
    for i in range(size):
        start, end = (i * length) // size, -(-((i + 1) * length) // size)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """Average pooling to a fixed (H_out, W_out) (None keeps that axis), PyTorch's windows, one einsum."""
    x = as_input(input)
    xs = shape_of(x)
    if len(xs) not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: input of shape {xs} must be (N, C, H, W) or (C, H, W)")
    sizes = (output_size, output_size) if isinstance(output_size, (int, np.integer)) or output_size is None \
        else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size {output_size!r} must be an int or a pair")
    sizes = tuple(n if s is None else int(s) for s, n in zip(sizes, xs[-2:], strict=True))
    if min(sizes) < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size {sizes} must be positive")
    dtype = np.asarray(getattr(x, "data", x)).dtype
    rows, cols = (_averaging_matrix(n, s).astype(dtype) for n, s in zip(xs[-2:], sizes, strict=True))
    return einsum("...hw,ph,qw->...pq", x, rows, cols)


class _Pool(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, **options: Any) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.options = options
        for name, value in options.items():
            object.__setattr__(self, name, value)

    def extra_repr(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, {settings}"


class MaxPool1d(_Pool):
    """Max over windows of (N, C, L): MaxPool1d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode)

    def forward(self, input: Any) -> Any:  # noqa: A002
        return _max_pool(input, self.kernel_size, self.stride, self.padding, self.options["dilation"],
                         self.options["ceil_mode"], 1, "MaxPool1d")


class MaxPool2d(_Pool):
    """Max over windows of (N, C, H, W); the gradient goes to each window's first maximum (as PyTorch)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode)

    def forward(self, input: Any) -> Any:  # noqa: A002
        return _max_pool(input, self.kernel_size, self.stride, self.padding, self.options["dilation"],
                         self.options["ceil_mode"], 2, "MaxPool2d")


class AvgPool1d(_Pool):
    """Mean over windows of (N, C, L), PyTorch's divisor (count_include_pad, ceil_mode)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)

    def forward(self, input: Any) -> Any:  # noqa: A002
        return _avg_pool(input, self.kernel_size, self.stride, self.padding, self.options["ceil_mode"],
                         self.options["count_include_pad"], 1, "AvgPool1d")


class AvgPool2d(_Pool):
    """Mean over windows of (N, C, H, W), PyTorch's divisor (count_include_pad, ceil_mode, divisor_override)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: Any = None) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                         divisor_override=divisor_override)

    def forward(self, input: Any) -> Any:  # noqa: A002
        return _avg_pool(input, self.kernel_size, self.stride, self.padding, self.options["ceil_mode"],
                         self.options["count_include_pad"], 2, "AvgPool2d", self.options["divisor_override"])


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (an int, a pair, None keeps an axis), PyTorch's windows."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Any) -> Any:  # noqa: A002
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


__all__ = ["AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d", "adaptive_avg_pool2d",
           "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d"]
