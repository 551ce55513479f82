"""Hypothesis strategies for gradient tests (``autograd.testing``): see :mod:`autograd.checking.strategies`.

>>> from autograd.testing import gradient_test
>>> test_my_activation = gradient_test(lambda x: x.tanh(), shapes=(3, 4), second_order=True)
"""

from __future__ import annotations

from autograd.checking.strategies import (
    DEFAULT_MARGIN,
    CheckSummary,
    arrays,
    broadcastable_shapes,
    count_inputs,
    floats,
    gradient_test,
    input_arrays,
    run_gradient_checks,
    shapes,
    values,
)

__all__ = [
    "DEFAULT_MARGIN", "CheckSummary", "arrays", "broadcastable_shapes", "count_inputs", "floats", "gradient_test",
    "input_arrays", "run_gradient_checks", "shapes", "values",
]
