"""Gradient checking against central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.mode import no_grad
from autograd.value import Value


def _evaluate(f: Callable[..., Any], arrays: list[np.ndarray]) -> np.ndarray:
    with no_grad():
        out = f(*[Value(a, requires_grad=False) for a in arrays])
    return np.asarray(out.data if isinstance(out, Value) else out, dtype=np.float64)


def numerical_grad(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences (f(x + eps) - f(x - eps)) / (2 eps) of a scalar f, one array per input.

    ``f`` is called with Values (that do not require grad), so it may use Value methods.
    """
    arrays = [np.array(getattr(x, "data", x), dtype=np.float64) for x in inputs]
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        for index in np.ndindex(*a.shape):
            original = a[index]
            a[index] = original + eps
            plus = _evaluate(f, arrays)
            a[index] = original - eps
            minus = _evaluate(f, arrays)
            a[index] = original
            g[index] = np.sum(plus - minus) / (2 * eps)
        grads.append(g)
    return grads
