"""``autograd.testing``: the strategies keep their promises, and the property-test helper catches bugs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Function, GradcheckError, Value
from autograd.testing import (
    DEFAULT_MARGIN,
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


def squareplus(x):
    """(x + sqrt(x^2 + 4)) / 2, smooth everywhere."""
    return (x + (x * x + 4.0).sqrt()) / 2


class LeakyWrongSlope(Function):
    """max(x, 0.1 x) whose backward uses slope 0.2 on the negative side."""

    @staticmethod
    def forward(ctx, x):
        ctx.negative = x < 0
        return np.where(ctx.negative, 0.1 * x, x)

    @staticmethod
    def backward(ctx, g):
        return g * np.where(ctx.negative, 0.2, 1.0)


# The helper in use: a ready property test that pytest collects and runs.
test_gradient_of_squareplus = gradient_test(squareplus, shapes=(3, 2), second_order=True, max_examples=10)
test_gradient_of_relu_away_from_zero = gradient_test(lambda x: x.relu() * x, avoid=[0.0], max_examples=10)
test_gradient_of_broadcast_product = gradient_test(lambda a, b: a * b.exp(), max_examples=10)


@settings(max_examples=60)
@given(st.data())
def test_floats_stay_in_range_and_away_from_kinks(data):
    avoid = data.draw(st.lists(st.floats(-2, 2), max_size=3))
    margin = data.draw(st.sampled_from([1e-3, 1e-2, 0.1]))
    x = data.draw(floats(-3.0, 3.0, avoid=avoid, margin=margin))
    assert all(abs(x - k) >= margin for k in avoid) or _crowded(avoid, margin)
    assert -3.0 <= x <= 3.0 or _crowded(avoid, margin)


def _crowded(avoid, margin):
    """Kinks so close together that no point between them is clear (then x may stay put)."""
    ordered = sorted(avoid)
    return any(b - a < 2 * margin for a, b in zip(ordered, ordered[1:], strict=False))


def test_floats_avoid_zero_exactly():
    # Hypothesis tries 0.0 early and often; it must be pushed off.
    @settings(max_examples=30)
    @given(floats(avoid=[0.0]))
    def check(x):
        assert abs(x) >= DEFAULT_MARGIN

    check()


@settings(max_examples=30)
@given(arrays(shapes(max_dims=2), min_value=-1, max_value=1, avoid=[0.0, 0.5]))
def test_arrays_respect_range_and_avoid(a):
    assert a.dtype == np.float64
    assert np.all(np.abs(a) <= 1.0)
    assert np.all(np.abs(a) >= DEFAULT_MARGIN) and np.all(np.abs(a - 0.5) >= DEFAULT_MARGIN)


@settings(max_examples=30)
@given(broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(ss):
    assert len(ss) == 3
    np.broadcast_shapes(*ss)


@settings(max_examples=10)
@given(values((2, 3)))
def test_values_are_leaves_requiring_grad(v):
    assert isinstance(v, Value) and v.shape == (2, 3) and v.requires_grad and v.is_leaf


def test_margin_and_range_are_validated():
    with pytest.raises(ValueError, match="margin"):
        floats(avoid=[0.0], margin=0.0)
    with pytest.raises(ValueError, match="min_value"):
        floats(2.0, 1.0)


def test_count_inputs():
    assert count_inputs(lambda x: x) == 1
    assert count_inputs(lambda x, y, scale=2.0: x) == 2
    assert count_inputs(LeakyWrongSlope.apply) == 1  # read from forward(ctx, x)
    with pytest.raises(ValueError, match="n_inputs"):
        count_inputs(lambda *xs: xs[0])
    with pytest.raises(ValueError, match="no positional"):
        count_inputs(lambda: 0)


@settings(max_examples=10)
@given(st.data())
def test_input_arrays_shapes(data):
    a, b = data.draw(input_arrays(2, [(2, 3), (3,)]))
    assert a.shape == (2, 3) and b.shape == (3,)
    (c,) = data.draw(input_arrays(1, (4,)))
    assert c.shape == (4,)
    x, y = data.draw(input_arrays(2))
    np.broadcast_shapes(x.shape, y.shape)
    with pytest.raises(ValueError, match="2 shapes for a function of 3"):
        input_arrays(3, [(2,), (3,)])


def test_gradient_test_catches_a_wrong_slope():
    test = gradient_test(LeakyWrongSlope.apply, shapes=(4,), avoid=[0.0], max_examples=20)
    with pytest.raises(GradcheckError, match="input 0"):
        test()


def test_gradient_test_passes_the_correct_op():
    gradient_test(lambda x: x.maximum(0.1 * x), shapes=(4,), avoid=[0.0], max_examples=10)()


def test_run_gradient_checks_summary():
    ok = run_gradient_checks(squareplus, (3,), examples=8)
    assert ok.passed and ok.examples == 8 and ok.shapes == {((3,),)}
    assert 0 < ok.max_abs_error < 1e-6
    bad = run_gradient_checks(LeakyWrongSlope.apply, (3,), examples=30)
    assert not bad.passed
    report, inputs = bad.failure
    assert report.worst.input == 0 and inputs[0].shape == (3,)
    assert np.any(inputs[0] < 0)  # the planted error lives on the negative side
