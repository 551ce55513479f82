"""Errors that used to be unclear: each now names the problem, or behaves as NumPy/PyTorch do."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value, grad, hessian, jacobian


def test_logsumexp_of_nothing_is_minus_infinity() -> None:
    assert ag.logsumexp(np.zeros(0)) == -np.inf  # as PyTorch
    np.testing.assert_array_equal(ag.logsumexp(Value(np.zeros((0, 3))), axis=0).data, [-np.inf] * 3)


def test_indexing_with_an_empty_list_picks_nothing() -> None:
    x = Value(np.ones((3, 4)))
    assert x[[]].shape == np.ones((3, 4))[[]].shape == (0, 4)


def test_a_zero_dimensional_boolean_index_is_refused_with_a_hint() -> None:
    with pytest.raises(IndexError, match="0-d boolean index"):
        Value(np.ones(3))[np.array(False)]


def test_a_scalar_value_can_be_indexed_as_numpy_does() -> None:
    x = Value(3.0)
    assert x[()].data == 3.0 and x[None].shape == (1,)
    x[None].sum().backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_float16_and_longdouble_are_refused_as_data_and_as_dtype(dtype) -> None:
    with pytest.raises(TypeError, match=np.dtype(dtype).name):
        Value(np.ones(2, dtype=dtype))
    with pytest.raises(TypeError, match=np.dtype(dtype).name):
        Value(np.ones(2), dtype=dtype)
    with pytest.raises(TypeError, match=np.dtype(dtype).name):
        Value(np.ones(2)) + np.ones(2, dtype=dtype)
    assert Value(np.ones(2, dtype=dtype), dtype=np.float32).dtype == np.float32  # an explicit conversion is fine


def test_numpys_reductions_accept_a_value() -> None:
    v = Value(np.array([1.0, 2.0, 3.0]))
    assert np.sum(v).data == 6.0 and np.mean(v).data == 2.0 and np.max(v).data == 3.0 and np.min(v).data == 1.0
    with pytest.raises(TypeError, match="out= is not supported"):
        np.sum(v, out=np.zeros(()))


def test_a_list_of_values_points_to_stack() -> None:
    with pytest.raises(TypeError, match="autograd.stack"):
        Value([Value(1.0), Value(2.0)])
    with pytest.raises(TypeError, match="autograd.stack"):
        Value([[1.0], [Value(2.0)]])


@pytest.mark.parametrize("transform", [grad, jacobian])
def test_a_function_returning_a_tuple_is_named(transform) -> None:
    with pytest.raises(TypeError, match="returned a tuple"):
        transform(lambda x: (x, x))(1.0)


def test_hessian_takes_one_argnum() -> None:
    with pytest.raises(TypeError, match="one int"):
        hessian(lambda x, y: x * y, argnums=(0, 1))


def test_numpy_integers_as_argnums_and_keyword_arguments_pass_through() -> None:
    assert grad(lambda x, y: x * y, argnums=np.int64(1))(3.0, 2.0) == 3.0
    assert grad(lambda x, scale=1.0: x * x * scale)(3.0, scale=2.0) == 12.0
    assert np.array_equal(jacobian(lambda x, scale=1.0: x * scale)(np.ones(2), scale=3.0), 3.0 * np.eye(2))


def test_mlp_with_an_activation_instance_says_to_pass_the_class() -> None:
    with pytest.raises(TypeError, match="pass ReLU instead"):
        nn.MLP(2, [3, 1], activation=nn.ReLU())
