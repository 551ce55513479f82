"""Hypothesis strategies for gradient tests: shapes, arrays, broadcastable shapes, Values.

Points can be kept away from kinks (``avoid=[0.0]``) by more than a finite-difference
step, so a check never straddles a point where the function is not differentiable.

>>> from hypothesis import given
>>> from autograd.testing import arrays
>>> @given(arrays((3,), avoid=[0.0]))
... def test_relu_grad(x): ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.value import Value

DEFAULT_MARGIN = 1e-3  # a thousand times the default finite-difference step


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, e.g. (), (3,), (2, 4)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of shapes that broadcast together under NumPy's rules, e.g. ((3, 1), (4,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda bs: bs.input_shapes)


def _push_off(x: float, avoid: Sequence[float], margin: float) -> float:
    for kink in avoid:
        if abs(x - kink) < margin:
            x = kink + margin if x >= kink else kink - margin
    return x


def floats(
    min_value: float = -3.0, max_value: float = 3.0, avoid: Sequence[float] = (), margin: float = DEFAULT_MARGIN
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], at least ``margin`` away from each point in ``avoid``."""
    base = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    if not avoid:
        return base
    return base.map(lambda x: _push_off(x, avoid, margin))


def arrays(
    shape: Any = None,
    elements: st.SearchStrategy[float] | None = None,
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = DEFAULT_MARGIN,
) -> st.SearchStrategy[np.ndarray]:
    """ndarrays of ``shape`` (a tuple, or a strategy; default: shapes()) with float elements."""
    if elements is None:
        elements = floats(min_value, max_value, avoid, margin)
    shape = shapes() if shape is None else shape
    return hnp.arrays(dtype=dtype, shape=shape, elements=elements)


def values(shape: Any = None, requires_grad: bool = True, **kwargs: Any) -> st.SearchStrategy[Value]:
    """Values over ``arrays(shape, **kwargs)``."""
    return arrays(shape, **kwargs).map(lambda a: Value(a, requires_grad=requires_grad))
