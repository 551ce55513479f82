"""Backward-pass semantics: accumulation, graph reuse and release, higher order, recording modes, constants."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, enable_grad, is_grad_enabled, no_grad
from autograd.engine import gradients
from autograd.testing import arrays, floats


def test_micrograd_readme_example() -> None:
    # The expected numbers are the ones micrograd's README prints for this program.
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"
    assert type(a.data) is float and type(a.grad) is float


def test_a_million_chained_ops_backpropagate_without_recursion() -> None:
    n, c = 10**6, 1.0 + 1e-7
    x = Value(2.0)
    y = x
    for _ in range(n):
        y = y * c
    assert y.data == pytest.approx(2.0 * c**n, rel=1e-9)
    y.backward()
    assert x.grad == pytest.approx(c**n, rel=1e-9)  # d(x c^n)/dx = c^n
    del y  # releasing the chain must not recurse either


def test_reused_non_leaf_nodes() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0

    x = Value(np.array([1.0, -2.0, 0.5]))
    square = x * x
    (square * square).sum().backward()  # d x^4/dx = 4 x^3
    np.testing.assert_allclose(x.grad, 4 * x.data**3)


def test_diamond_graph() -> None:
    x = Value(0.7)
    u, v = x.sin(), x.exp()
    (u * v + u).backward()
    assert x.grad == pytest.approx(math.cos(0.7) * math.exp(0.7) + math.sin(0.7) * math.exp(0.7) + math.cos(0.7))


def test_gradients_accumulate_across_backward_calls() -> None:
    a = Value(2.0)
    (a * 3.0).backward()
    (a * a).backward()
    assert a.grad == 3.0 + 2 * 2.0

    x = Value(np.array([1.0, 2.0]))
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * 2 * x.data)


def test_zero_grad() -> None:
    a = Value(np.array([1.0, -1.0]))
    (a * 5.0).sum().backward()
    a.zero_grad()
    assert a.grad is None
    (a * 2.0).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])


def test_second_backward_through_a_freed_graph_raises() -> None:
    x, y = Value(2.0), Value(3.0)
    z = x * y + x.exp()
    z.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        z.backward()


def test_backward_through_a_subgraph_freed_by_another_output_raises() -> None:
    x = Value(np.array([1.0, 2.0]))
    shared = (x * x).sum()
    first, second = shared * 2.0, shared * 3.0
    first.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        second.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates() -> None:
    x, y = Value(2.0), Value(3.0)
    z = x * y + x.exp()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad == pytest.approx(2 * (3.0 + math.exp(2.0)))
    assert y.grad == pytest.approx(2 * 2.0)

    w = Value(np.array([[1.0, 2.0], [3.0, 4.0]]))
    out = (w @ w).sum()
    out.backward(retain_graph=True)
    once = w.grad.copy()
    out.backward()
    np.testing.assert_allclose(w.grad, 2 * once)


@given(floats(-2.0, 2.0))
def test_create_graph_gives_higher_derivatives_of_a_scalar_function(x0: float) -> None:
    x = Value(x0)
    (x**4).backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value)
    assert first.data == pytest.approx(4 * x0**3)
    x.zero_grad()
    first.backward(create_graph=True)
    second = x.grad
    assert second.data == pytest.approx(12 * x0**2)
    x.zero_grad()
    second.backward()
    assert x.grad == pytest.approx(24 * x0)


@given(arrays((3,), min_value=-2.0, max_value=2.0), arrays((3,), min_value=-1.0, max_value=1.0))
def test_create_graph_gives_higher_derivatives_of_a_tensor_function(x0: np.ndarray, v: np.ndarray) -> None:
    x = Value(x0)
    (x.sin() * x).sum().backward(create_graph=True)  # d/dx = sin x + x cos x
    first = x.grad
    np.testing.assert_allclose(first.data, np.sin(x0) + x0 * np.cos(x0), rtol=1e-12, atol=1e-12)
    x.zero_grad()
    (first * v).sum().backward()  # Hessian is diagonal: 2 cos x - x sin x
    np.testing.assert_allclose(x.grad, v * (2 * np.cos(x0) - x0 * np.sin(x0)), rtol=1e-12, atol=1e-12)


def test_mixed_partial_derivatives_with_gradients() -> None:
    x, y = Value(1.5), Value(-0.5)
    f = x * y**2 + x.exp() * y
    dfdx, dfdy = gradients(f, [x, y], create_graph=True)
    assert dfdx.data == pytest.approx(0.25 + math.exp(1.5) * -0.5)
    assert x.grad is None and y.grad is None  # gradients() returns, it does not store
    (d2f_dydx,) = gradients(dfdx, [y], retain_graph=True)  # dfdy shares the recorded graph
    assert d2f_dydx == pytest.approx(2 * -0.5 + math.exp(1.5))
    (d2f_dxdy,) = gradients(dfdy, [x])
    assert d2f_dxdy == pytest.approx(d2f_dydx)


def test_no_grad_records_nothing_and_enable_grad_restores_recording() -> None:
    x = Value(np.array([1.0, 2.0]))
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2.0
        with enable_grad():
            z = x * 3.0
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.op == ""
    assert z.requires_grad and z.op == "multiply"
    with pytest.raises(RuntimeError):
        y.sum().backward()
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_no_grad_and_enable_grad_as_decorators() -> None:
    @no_grad()
    def double(v: Value) -> Value:
        return v * 2.0

    @enable_grad()
    def triple(v: Value) -> Value:
        return v * 3.0

    x = Value(1.0)
    assert not double(x).requires_grad
    with no_grad():
        assert triple(x).requires_grad
    assert is_grad_enabled()


def test_a_recursive_decorated_function_restores_the_mode() -> None:
    @enable_grad()
    def countdown(n: int) -> None:
        if n:
            countdown(n - 1)

    with no_grad():
        countdown(2)
        assert not is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        raise ZeroDivisionError
    assert is_grad_enabled()


def test_detach_is_a_constant_sharing_the_data() -> None:
    x = Value(np.array([1.0, 2.0]))
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.data is y.data
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad, d.data)  # d is a constant: no path through y
    assert d.grad is None


def test_requires_grad_false_gets_no_gradient() -> None:
    w = Value(3.0, requires_grad=False)
    x = Value(2.0)
    (w * x).backward()
    assert w.grad is None and x.grad == 3.0
    only_constants = w * Value(4.0, requires_grad=False)
    assert not only_constants.requires_grad
    with pytest.raises(RuntimeError, match="requires_grad"):
        only_constants.backward()


def test_raw_ndarrays_and_numbers_are_constants() -> None:
    batch = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    kept = batch.copy()
    w = Value(np.array([0.5, -1.0]))
    product = batch @ w
    loss = ((product + 2.0) ** 2).sum()
    loss.backward()
    residual = batch @ w.data + 2.0
    np.testing.assert_allclose(w.grad, 2 * batch.T @ residual)
    np.testing.assert_array_equal(batch, kept)
    constant, _ = product.parents
    assert not constant.requires_grad and constant.grad is None
    np.testing.assert_array_equal(constant.data, batch)


def test_power_with_value_exponent_and_negative_base_gives_nan_exponent_gradient() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no exception, and no NumPy warning either
        x, y = Value(-2.0), Value(3.0)
        (x**y).backward()
        x_arr = Value(np.array([-2.0, 0.0, 2.0]))
        y_arr = Value(np.array([3.0, 2.0, 0.5]))
        (x_arr**y_arr).sum().backward()
    assert x.grad == pytest.approx(3 * (-2.0) ** 2)
    assert math.isnan(y.grad)
    np.testing.assert_allclose(x_arr.grad, [12.0, 0.0, 0.5 / math.sqrt(2.0)])
    assert math.isnan(y_arr.grad[0])
    np.testing.assert_allclose(y_arr.grad[1:], [0.0, math.sqrt(2.0) * math.log(2.0)])  # x^y log x; 0 at x = 0


@given(st.lists(st.integers(0, 3), min_size=1, max_size=8), arrays((4,)))
def test_getitem_with_repeated_integer_indices_accumulates(picks: list[int], x0: np.ndarray) -> None:
    x = Value(x0)
    weights = np.arange(1.0, len(picks) + 1.0)
    (x[np.asarray(picks)] * weights).sum().backward()
    expected = np.zeros(4)
    for i, w in zip(picks, weights, strict=True):
        expected[i] += w
    np.testing.assert_array_equal(x.grad, expected)


def test_getitem_with_repeated_index_pairs_accumulates() -> None:
    x = Value(np.zeros((2, 3)))
    rows, cols = np.array([0, 1, 0, 0]), np.array([2, 1, 2, 2])
    x[rows, cols].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0, 3], [0, 1, 0]])


def test_retained_intermediate_gradient() -> None:
    x = Value(np.array([1.0, 2.0]))
    h = (x * 3.0).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    np.testing.assert_allclose(x.grad, 6 * h.data)


def test_a_backward_inside_a_backward_over_the_same_leaf() -> None:
    """A custom Function whose backward runs its own pass through a leaf of the outer graph."""
    from autograd import Function

    w = Value(np.array([1.5, -2.0]))

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):  # type: ignore[no-untyped-def]
            return x**3

        @staticmethod
        def backward(ctx, g):  # type: ignore[no-untyped-def]
            with enable_grad():  # recompute w^3 with the engine and differentiate it (a nested pass)
                (dw,) = gradients((w * w * w).sum(), [w])
            return g * dw

    for cube_first in (True, False):
        w.zero_grad()
        cube, square = Cube.apply(w).sum(), (w * w).sum()
        (cube + square if cube_first else square + cube).backward()
        np.testing.assert_allclose(w.grad, 3 * w.data**2 + 2 * w.data, rtol=1e-15)
    assert w._g is None


def test_a_failed_backward_leaves_no_partial_gradient() -> None:
    x = Value(3.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        (y * 2.0 + x).backward()  # reaches y's released graph after sending x a gradient
    assert x._g is None and y._g is None
    x.zero_grad()
    (x * x).backward()
    assert x.grad == 6.0


def test_an_input_switched_off_after_the_forward_gets_no_gradient() -> None:
    """requires_grad_(False) between forward and backward: the rest of the graph still gets its gradients."""
    x, w = Value(2.0), Value(3.0)
    y = x.exp() * w
    x.requires_grad_(False)
    y.backward()
    assert x.grad is None and w.grad == pytest.approx(math.exp(2.0), rel=1e-15)
    a = Value(np.ones(3))
    total = a.sum() + (a * 2.0).sum()
    a.requires_grad_(False)
    total.backward()  # no input needs a gradient any more: nothing to store, and no error
    assert a.grad is None and a._g is None


def test_backward_passes_in_two_threads_over_a_shared_leaf() -> None:
    """Passes keep their state on the nodes, so passes in different threads take turns."""
    import sys
    import threading

    w = Value(np.array([1.0, -2.0, 0.5]))
    outputs = [((w * float(k)) ** 2).sum() for k in range(1, 9)]
    errors: list[BaseException] = []
    results: dict[int, np.ndarray] = {}

    def work(k: int) -> None:
        try:
            for _ in range(50):
                (g,) = gradients(outputs[k], [w], retain_graph=True)
            results[k] = g
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(len(outputs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    for k, g in results.items():
        np.testing.assert_allclose(g, 2.0 * (k + 1) ** 2 * w.data, rtol=1e-15)
    assert w._g is None


@pytest.mark.parametrize("make", [
    lambda x, w, b: autograd.linear(x, w, b).sum(),   # three inputs, a tuple of VJPs
    lambda x, w, b: autograd.sum_of_squares(x, w, b),  # three inputs, one VJP per input (PerInput)
])
def test_a_second_backward_through_a_node_of_three_inputs_says_the_graph_was_released(make: Any) -> None:
    x, w, b = (Value(np.ones(shape), requires_grad=True) for shape in ((2, 3), (4, 3), (4,)))
    y = make(x, w, b)
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
