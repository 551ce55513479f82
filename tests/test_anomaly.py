"""detect_anomaly(): the first NaN/inf in a forward output or a backward gradient raises, saying where."""

from __future__ import annotations

import gc
import inspect
import os
import warnings
import weakref

import numpy as np
import pytest

import autograd
from autograd import Value, detect_anomaly, no_grad
from autograd.anomaly import _ORIGINS, is_anomaly_enabled

HERE = os.path.basename(__file__)


def _line() -> int:
    """The caller's line number (so the tests do not hard-code line numbers)."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


@pytest.fixture(autouse=True)
def _quiet_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def test_forward_nan_names_op_shapes_and_line():
    x = Value(np.array([[1.0, -1.0, 2.0], [3.0, 4.0, 5.0]]))
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _line(); x.log()  # noqa: E702
    message = str(info.value)
    assert "'log'" in message and "nan" in message
    assert "(2, 3)" in message
    assert f"{HERE}:{line}" in message


def test_forward_inf_in_binary_op_names_both_shapes():
    x = Value(np.ones((2, 3)))
    y = Value(np.array([1.0, 0.0, 2.0]))
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"'divide' returned inf") as info:
        x / y
    assert "(2, 3), (3,)" in str(info.value)
    assert "all inputs were finite" in str(info.value)


def test_forward_on_python_float_scalars():
    a = Value(1e308)
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"'multiply' returned inf"):
        a * 10.0


def test_nan_already_in_the_input_is_reported_as_such():
    x = Value(np.array([1.0, np.nan]))
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"input\(s\) \[0\] already held nan"):
        x * 2.0


def test_outside_the_mode_nan_is_data():
    x = Value(np.array([-1.0, 1.0]))
    y = x.log()
    assert np.isnan(y.data[0])
    assert not is_anomaly_enabled()


def test_backward_inf_names_the_op_and_where_it_was_created():
    x = Value(np.array([0.0, 4.0]))
    with detect_anomaly():
        line = _line(); y = x.sqrt()  # noqa: E702
        loss = y.sum()
        with pytest.raises(FloatingPointError) as info:
            loss.backward()
    message = str(info.value)
    assert "backward of op 'sqrt'" in message and "inf" in message
    assert "(2,)" in message
    assert f"{HERE}:{line}" in message


def test_backward_nan_under_create_graph():
    x = Value(0.0)
    with detect_anomaly():
        y = (x * x).sqrt()  # sqrt(x^2) at 0: the VJP divides 0 by 0
        with pytest.raises(FloatingPointError, match=r"backward of op 'sqrt' returned (nan|inf)"):
            y.backward(create_graph=True)


def test_backward_nan_in_the_seed_gradient():
    x = Value(np.ones(3))
    with detect_anomaly():
        y = x * 2.0
        with pytest.raises(FloatingPointError, match=r"gradient reaching the output of op 'multiply'.*nan"):
            y.backward(np.array([1.0, np.nan, 1.0]))


def test_backward_of_a_graph_built_outside_the_mode_has_no_location():
    x = Value(np.array([0.0, 1.0]))
    loss = x.sqrt().sum()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="created outside detect_anomaly"):
        loss.backward()


def test_functional_grad_inside_the_mode():
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'log'"):
        autograd.grad(lambda v: (v * 0.0).log().sum())(np.ones(2))


def test_finite_computations_are_unchanged():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(3, 4))

    def run():
        x = Value(data)
        loss = ((x @ x.T).tanh() * x.sum(axis=1)).sum()
        loss.backward()
        return loss.data, x.grad

    plain = run()
    with detect_anomaly():
        watched = run()
    assert plain[0] == watched[0]
    np.testing.assert_array_equal(plain[1], watched[1])


def test_nesting_and_disabling_restore_the_state():
    x = Value(np.array([-1.0]))
    with detect_anomaly():
        with detect_anomaly(enabled=False):
            assert not is_anomaly_enabled()
            x.log()  # allowed: checks switched off here
        assert is_anomaly_enabled()
        with detect_anomaly():
            assert is_anomaly_enabled()
        assert is_anomaly_enabled()
        with pytest.raises(FloatingPointError):
            x.log()
    assert not is_anomaly_enabled()


def test_an_exception_leaving_the_block_restores_the_state():
    with pytest.raises(ZeroDivisionError):
        with detect_anomaly():
            raise ZeroDivisionError
    assert not is_anomaly_enabled()
    with pytest.raises(FloatingPointError):
        with detect_anomaly():
            Value(np.array([-1.0])).log()
    assert not is_anomaly_enabled()
    Value(np.array([-1.0])).log()  # no longer checked


def test_usable_as_a_decorator():
    @detect_anomaly()
    def f(v):
        assert is_anomaly_enabled()
        return v.log()

    with pytest.raises(FloatingPointError):
        f(Value(np.array([0.0])))
    assert not is_anomaly_enabled()


def test_creation_sites_do_not_keep_nodes_alive():
    with detect_anomaly():
        x = Value(np.ones(2))
        y = x * 3.0
        assert y in _ORIGINS
        alive = weakref.ref(y)
        del y
        gc.collect()
    assert alive() is None


def test_no_grad_ops_are_checked_too():
    """An op whose inputs need no gradient builds no node; its output is still checked."""
    x = Value(np.array([-1.0, 1.0]), requires_grad=False)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'log'"):
        x.log()
    y = Value(np.array([-1.0, 1.0]))
    with detect_anomaly(), no_grad(), pytest.raises(FloatingPointError, match="'log'"):
        y.log()


def test_an_op_inside_nn_names_the_layer_and_the_users_line():
    import nn

    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    model[0].weight.data[...] = 1.0
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _line(); model(np.full((3, 2), 1e308))  # noqa: E702  (1e308 + 1e308 overflows)
    message = str(info.value)
    assert "'linear' returned inf" in message and "(3, 2), (2, 2), (2,)" in message
    assert os.path.join("nn", "layers.py") in message
    assert f"{HERE}:{line}" in message


def test_training_step_with_nn_under_anomaly_mode_is_unchanged():
    import nn

    def step():
        model = nn.MLP(3, [4, 1], rng=np.random.default_rng(0))
        X = np.random.default_rng(1).normal(size=(5, 3))
        loss = nn.mse_loss(model(X), np.zeros((5, 1)))
        loss.backward()
        return loss.item(), [p.grad for p in model.parameters()]

    plain = step()
    with detect_anomaly():
        watched = step()
    assert plain[0] == watched[0]
    for a, b in zip(plain[1], watched[1], strict=True):
        np.testing.assert_array_equal(a, b)
