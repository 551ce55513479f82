"""Rounding exact numbers to a floating-point format, and bits of error as Herbie counts them.

``round_to`` is correct rounding (ties to even, subnormals, overflow to inf) from an mpmath
number; ``bits_of_error`` is log2(1 + the number of floats between two floats of a format).
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np


class Format:
    """A binary floating-point format: precision in bits, the smallest exponent of a subnormal's unit, max."""

    def __init__(self, dtype: Any) -> None:
        info = np.finfo(dtype)
        self.dtype = np.dtype(dtype)
        self.bits = info.bits
        self.precision = info.nmant + 1
        self.quantum = int(info.minexp) - int(info.nmant)  # the exponent of the smallest subnormal
        self.max = float(info.max)


def round_to(v: Any, fmt: Format) -> float:
    """The float of ``fmt`` nearest to the mpmath number ``v`` (ties to even), subnormals and overflow included."""
    if mpmath.isnan(v):
        return math.nan
    if mpmath.isinf(v):
        return math.inf if v > 0 else -math.inf
    sign, man, exp, bc = v._mpf_
    if not man:
        return 0.0
    quantum = max(exp + bc - fmt.precision, fmt.quantum)
    if exp < quantum:
        shift = quantum - exp
        man, rest = divmod(man, 1 << shift)
        half = 1 << (shift - 1)
        if rest > half or (rest == half and man & 1):
            man += 1
        exp = quantum
    try:
        out = math.ldexp(man, exp)
    except OverflowError:
        out = math.inf
    if out > fmt.max:
        out = math.inf
    return -out if sign else out


def rounded(values: np.ndarray, fmt: Format) -> np.ndarray:
    """An object array of Exact rounded to ``fmt`` (an ndarray of its dtype)."""
    flat = [round_to(e.v, fmt) for e in values.reshape(-1)]
    return np.array(flat, dtype=np.float64).astype(fmt.dtype).reshape(values.shape)


def flags(values: np.ndarray) -> np.ndarray:
    """Which entries are doubtful."""
    return np.array([e.doubtful for e in values.reshape(-1)], dtype=bool).reshape(values.shape)


def _distance(a: np.ndarray, b: np.ndarray, fmt: Format) -> np.ndarray:
    """How many floats apart a and b are (adjacent floats: 1; +0 and -0: 0), as float64."""
    def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        view: np.ndarray = np.ascontiguousarray(x, dtype=fmt.dtype).view(np.int64 if fmt.bits == 64 else np.int32)
        ints = view.astype(np.int64)
        return ints < 0, np.bitwise_and(ints, (1 << (fmt.bits - 1)) - 1).astype(np.uint64)

    negative_a, magnitude_a = split(a)
    negative_b, magnitude_b = split(b)
    apart = np.where(magnitude_a >= magnitude_b, magnitude_a - magnitude_b, magnitude_b - magnitude_a)
    across = magnitude_a + magnitude_b  # opposite signs: through zero (fits in uint64)
    return np.where(negative_a == negative_b, apart, across).astype(np.float64)


def bits_of_error(approx: np.ndarray, exact: np.ndarray, fmt: Format) -> np.ndarray:
    """log2(1 + the number of floats between approx and the rounded exact value), as Herbie measures it.

    NaN against a number (or a number against NaN) counts as every bit wrong; NaN against NaN as none.
    """
    approx = np.asarray(approx, dtype=fmt.dtype)
    exact = np.asarray(exact, dtype=fmt.dtype)
    nan_a, nan_e = np.isnan(approx), np.isnan(exact)
    distance = _distance(np.where(nan_a, 0, approx), np.where(nan_e, 0, exact), fmt)
    bits = np.log2(1.0 + distance)
    bits = np.where(nan_a != nan_e, float(fmt.bits), np.where(nan_a & nan_e, 0.0, bits))
    return np.minimum(bits, float(fmt.bits))


def finite(values: np.ndarray) -> np.ndarray:
    """Which exact values are finite real numbers."""
    return np.array([bool(mpmath.isfinite(e.v)) for e in values.reshape(-1)], dtype=bool).reshape(values.shape)
