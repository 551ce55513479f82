"""The functional API (grad, value_and_grad, jacobian, hessian, hvp, jvp) against finite differences."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, exp, grad, hessian, hvp, jacobian, jvp, no_grad, value_and_grad
from autograd.checking import numerical_grad
from autograd.testing import arrays, floats

TOL = {"rtol": 1e-5, "atol": 1e-6}


def scalar_f(x: Any) -> Any:
    """sum(sin(x) x^2) + (sum x)^2: a scalar function with a full Hessian."""
    return (x.sin() * x**2).sum() + x.sum() ** 2


def vector_f(x: Any) -> Any:
    """(2, 3) -> (3,): column sums of exp(x) x, times tanh of the total."""
    return (x.exp() * x).sum(axis=0) * x.sum().tanh()


def numerical_jacobian(f: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    """J[out_index + in_index] by central differences, one output element at a time."""
    out_shape = np.shape(np.asarray(f(Value(x, requires_grad=False)).data))
    rows = []
    for index in np.ndindex(*out_shape):
        pick = np.zeros(out_shape)
        pick[index] = 1.0
        rows.append(numerical_grad(lambda v, pick=pick: (f(v) * pick).sum(), x)[0])
    return np.reshape(np.stack(rows), out_shape + x.shape)


@given(arrays((3,), min_value=-2.0, max_value=2.0))
def test_grad_matches_finite_differences_and_returns_raw(x0: np.ndarray) -> None:
    g = grad(scalar_f)(x0)
    assert type(g) is np.ndarray and g.shape == x0.shape
    np.testing.assert_allclose(g, numerical_grad(scalar_f, x0)[0], **TOL)


def test_grad_of_a_float_is_a_float() -> None:
    g = grad(lambda x: x**3)(2.0)
    assert type(g) is float and g == pytest.approx(12.0)


@given(floats(-2.0, 2.0))
def test_grad_of_grad(x0: float) -> None:
    f = lambda x: x**3 + x.sin()  # noqa: E731
    assert grad(grad(f))(x0) == pytest.approx(6 * x0 - math.sin(x0), abs=1e-12)
    assert grad(grad(grad(f)))(x0) == pytest.approx(6 - math.cos(x0), abs=1e-12)


def test_value_and_grad_with_int_and_tuple_argnums() -> None:
    x0, y0 = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.25, -0.5])
    f = lambda x, y: (x * exp(y)).sum()  # noqa: E731  (one argument stays an ndarray)
    value, gx = value_and_grad(f)(x0, y0)
    assert value == pytest.approx(float(np.sum(x0 * np.exp(y0))))
    np.testing.assert_allclose(gx, np.exp(y0))
    _, gy = value_and_grad(f, argnums=1)(x0, y0)
    np.testing.assert_allclose(gy, x0 * np.exp(y0))
    value, both = value_and_grad(f, argnums=(0, 1))(x0, y0)
    assert isinstance(both, tuple) and len(both) == 2
    np.testing.assert_allclose(both[0], np.exp(y0))
    np.testing.assert_allclose(both[1], x0 * np.exp(y0))
    grads = grad(f, argnums=(1, 0))(x0, y0)
    np.testing.assert_allclose(grads[0], x0 * np.exp(y0))


def test_argnums_out_of_range() -> None:
    with pytest.raises(ValueError, match="argnums"):
        grad(lambda x: x.sum(), argnums=2)(np.ones(2))


@given(arrays((2, 3), min_value=-1.5, max_value=1.5))
def test_jacobian_shape_and_values(x0: np.ndarray) -> None:
    j = jacobian(vector_f)(x0)
    assert type(j) is np.ndarray and j.shape == (3, 2, 3)  # out.shape + in.shape
    np.testing.assert_allclose(j, numerical_jacobian(vector_f, x0), **TOL)


@settings(max_examples=20)
@given(arrays((3,), min_value=-2.0, max_value=2.0))
def test_hessian_matches_finite_differences_of_the_gradient(x0: np.ndarray) -> None:
    h = hessian(scalar_f)(x0)
    assert type(h) is np.ndarray and h.shape == (3, 3)
    expected = numerical_jacobian(lambda v: grad(scalar_f)(v.data), x0)
    np.testing.assert_allclose(h, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, h.T, atol=1e-12)


@given(arrays((3,), min_value=-2.0, max_value=2.0), arrays((3,), min_value=-1.0, max_value=1.0))
def test_hvp_is_hessian_times_v(x0: np.ndarray, v: np.ndarray) -> None:
    value, product = hvp(scalar_f, x0, v)
    assert value == pytest.approx(float(scalar_f(Value(x0)).data))
    np.testing.assert_allclose(product, hessian(scalar_f)(x0) @ v, rtol=1e-10, atol=1e-10)


@given(arrays((2, 3), min_value=-1.5, max_value=1.5), arrays((2, 3), min_value=-1.0, max_value=1.0))
def test_jvp_is_jacobian_times_v(x0: np.ndarray, v: np.ndarray) -> None:
    value, product = jvp(vector_f, x0, v)
    np.testing.assert_allclose(value, vector_f(Value(x0)).data)
    expected = np.tensordot(jacobian(vector_f)(x0), v, axes=2)
    np.testing.assert_allclose(product, expected, rtol=1e-10, atol=1e-10)


def test_raw_inputs_give_raw_outputs() -> None:
    x0, v = np.array([0.3, -1.2]), np.array([1.0, 2.0])
    results = [grad(scalar_f)(x0), *value_and_grad(scalar_f)(x0), jacobian(lambda x: x.exp())(x0),
               hessian(scalar_f)(x0), *hvp(scalar_f, x0, v), *jvp(lambda x: x.exp(), x0, v)]
    assert not any(isinstance(r, Value) for r in results)


def test_value_inputs_give_values_that_stay_differentiable() -> None:
    x0, v = np.array([0.3, -1.2, 0.7]), np.array([1.0, 2.0, -1.0])
    x = Value(x0)
    g = grad(scalar_f)(x)
    assert isinstance(g, Value) and g.requires_grad
    (g * v).sum().backward()  # d/dx (grad f . v) = H v
    np.testing.assert_allclose(x.grad, hessian(scalar_f)(x0) @ v, rtol=1e-10)
    assert isinstance(jacobian(lambda z: z.exp())(Value(x0)), Value)
    assert all(isinstance(r, Value) for r in hvp(scalar_f, Value(x0), v))
    assert all(isinstance(r, Value) for r in jvp(lambda z: z.exp(), Value(x0), v))


@pytest.mark.parametrize("shape", [(3,), (2, 2)])
def test_grad_of_a_non_scalar_function_names_the_shape(shape: tuple[int, ...]) -> None:
    with pytest.raises(TypeError, match=re.escape(str(shape))):
        grad(lambda x: x * 2.0)(np.ones(shape))


@given(st.integers(1, 3))
def test_jacobian_of_a_linear_map_is_its_matrix(n: int) -> None:
    m = np.arange(1.0, 1.0 + 2 * n).reshape(2, n)
    np.testing.assert_allclose(jacobian(lambda x: m @ x)(np.ones(n)), m)


def test_transformations_differentiate_inside_no_grad() -> None:
    x0, v = np.array([0.3, -1.2]), np.array([1.0, 2.0])
    def all_four() -> tuple[Any, ...]:
        exp_jacobian = jacobian(lambda x: x.exp())(x0)
        return grad(scalar_f)(x0), exp_jacobian, hvp(scalar_f, x0, v)[1], jvp(lambda x: x.exp(), x0, v)[1]

    outside = all_four()
    with no_grad():
        inside = all_four()
    for a, b in zip(outside, inside, strict=True):
        np.testing.assert_array_equal(a, b)
