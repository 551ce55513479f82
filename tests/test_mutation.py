"""No mutation surprises: ops never write into their inputs, gradients never alias data or each other.

And what happens when a leaf's data is modified in place between the forward and the
backward pass (decision recorded here):

- By default it is not detected. The graph holds the input Values (and raw constant
  arrays) themselves, not snapshots, and ``backward`` reads ``.data`` as it is when
  backward runs, while outputs computed in the forward keep their old values. The
  resulting gradient mixes old and new values and is in general neither the gradient
  at the old point nor at the new one. Update data only after ``backward`` (as the
  optimizers do), and rebuild the graph with a new forward.
- Under ``autograd.detect_anomaly()`` it is detected: backward raises RuntimeError
  naming the op whose input (or output) changed, and where the op was created.
- ``Value(ndarray)`` wraps the array without copying (like ``torch.from_numpy``), so
  writing into that array later is the same in-place modification; ``nn.Parameter``
  copies its data.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, detect_anomaly
from autograd.engine import gradients
from tests.graph_fuzzer import Graph, graphs

GRAPHS = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def _arrays(*values: Any) -> list[np.ndarray]:
    return [v for v in values if type(v) is np.ndarray]


def _all_distinct(arrays: list[np.ndarray]) -> bool:
    return not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def _read_only_inputs(g: Graph, seed: int) -> list[Any]:
    rng = np.random.default_rng(seed)
    xs = []
    for shape in g.input_shapes:
        if shape:
            a = rng.uniform(-1.5, 1.5, shape)
            a.flags.writeable = False  # any in-place write into an input raises ValueError
            xs.append(a)
        else:
            xs.append(float(rng.uniform(-1.5, 1.5)))
    return xs


@GRAPHS
@given(graphs(), st.integers(0, 2**32 - 1))
def test_ops_and_backward_never_write_into_data(g: Graph, seed: int) -> None:
    """Inputs and every forward result are read-only during backward (first order and create_graph)."""
    xs = _read_only_inputs(g, seed)
    copies = [np.copy(x) for x in xs]
    f = g.function()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leaves = [Value(x) for x in xs]
        out, nodes = f(*leaves)
        assume(np.isfinite(out.data))
        for node in nodes:
            if type(node.data) is np.ndarray:
                node.data.flags.writeable = False
        snapshot = [np.copy(node.data) for node in nodes]
        first = gradients(out, leaves, create_graph=True)
        terms = [autograd.sum(d) for d in first if isinstance(d, Value) and d.requires_grad]
        if terms:
            sum(terms[1:], terms[0]).backward(retain_graph=True)
        out.backward()
    for x, c in zip(xs, copies, strict=True):
        np.testing.assert_array_equal(x, c)
    for node, before in zip(nodes, snapshot, strict=True):
        np.testing.assert_array_equal(node.data, before)


@GRAPHS
@given(graphs(), st.integers(0, 2**32 - 1))
def test_grads_are_fresh_writable_arrays(g: Graph, seed: int) -> None:
    """Every leaf's .grad is its own writable array: no memory shared with any data, seed or other grad."""
    xs = _read_only_inputs(g, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leaves = [Value(x) for x in xs]
        out, nodes = g.function()(*leaves)
        assume(np.isfinite(out.data))
        returned = gradients(out, leaves, retain_graph=True)
        out.backward()
    grads = _arrays(*(leaf.grad for leaf in leaves))
    assert all(gr.flags.writeable for gr in grads)
    datas = _arrays(*xs, *(node.data for node in nodes), out.data)
    for gr in grads:
        assert not any(np.shares_memory(gr, d) for d in datas)
    assert _all_distinct(grads + _arrays(*returned))
    for r, leaf in zip(returned, leaves, strict=True):
        np.testing.assert_array_equal(r, leaf.grad if leaf.grad is not None else np.zeros(np.shape(leaf.data)))


def test_raw_constants_and_the_seed_are_not_modified() -> None:
    c = np.array([[1.0, -2.0, 3.0]])
    c.flags.writeable = False
    seed = np.ones((2, 3))
    seed.flags.writeable = False
    x = Value(np.ones((2, 3)))
    y = (x * c + c) / (c * c) - c
    y.backward(seed)
    np.testing.assert_array_equal(c, [[1.0, -2.0, 3.0]])
    assert not np.shares_memory(x.grad, seed)


def test_accumulating_grads_never_writes_into_an_earlier_grad() -> None:
    x = Value(np.array([1.0, 2.0]))
    (x * 3.0).sum().backward()
    first = x.grad
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(first, [3.0, 3.0])  # the array the user may hold is left alone
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_value_wraps_an_array_without_copying_but_parameter_copies() -> None:
    import nn

    a = np.array([1.0, 2.0])
    assert np.shares_memory(Value(a).data, a)
    assert not np.shares_memory(nn.Parameter(a).data, a)
    assert not np.shares_memory(Value(np.array([1, 2])).data, a)  # ints are converted, hence copied


# ---------------------------------------------------------------------------- in-place after the forward


def test_in_place_change_after_forward_gives_a_mixed_gradient() -> None:
    """Not detected by default: forward results keep old values, VJPs read the leaf's new data.

    z = exp(x) * x has dz/dx = exp(x) (1 + x). The VJP of multiply reads x's data (new) and
    exp's output (old); exp's VJP reads its output (old): the engine returns exp(x_old) (1 + x_new).
    """
    x_old, x_new = np.array([0.5, -1.0]), np.array([2.0, 0.25])
    x = Value(x_old.copy())
    z = x.exp() * x
    x.data[...] = x_new  # in place, between forward and backward
    z.backward(np.ones(2))
    np.testing.assert_allclose(z.data, np.exp(x_old) * x_old)  # the forward result is stale
    np.testing.assert_allclose(x.grad, np.exp(x_old) * (1 + x_new))
    assert not np.allclose(x.grad, np.exp(x_old) * (1 + x_old))
    assert not np.allclose(x.grad, np.exp(x_new) * (1 + x_new))


def test_writing_into_the_wrapped_array_is_the_same_in_place_change() -> None:
    a = np.array([1.0, 3.0])
    x = Value(a)
    y = (x * x).sum()
    a[0] = 10.0  # the user's array is x.data
    y.backward()
    np.testing.assert_allclose(x.grad, [20.0, 6.0])  # 2 * current data, while y.data is still 10
    assert y.data == 10.0


def test_updating_data_after_backward_is_safe() -> None:
    """The optimizer pattern: backward, then change data, then a new forward."""
    x = Value(np.array([1.0, 2.0]))
    for _ in range(3):
        x.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        expected = 2 * x.data
        np.testing.assert_allclose(x.grad, expected)
        x.data -= 0.1 * x.grad


@pytest.mark.parametrize("target", ["leaf", "constant", "output"])
def test_detect_anomaly_catches_in_place_changes(target: str) -> None:
    c = np.array([2.0, 3.0])
    x = Value(np.array([1.0, -1.0]))
    with detect_anomaly():
        y = (x * c).exp()
        loss = y.sum()
        changed = {"leaf": x.data, "constant": c, "output": y.data}[target]
        changed[0] += 1.0
        with pytest.raises(RuntimeError, match="modified in place after the forward") as info:
            loss.backward()
    assert ("'sum'" if target == "output" else "'multiply'") in str(info.value)  # y is the input of sum


def test_detect_anomaly_allows_updates_after_backward() -> None:
    x = Value(np.array([1.0, 2.0]))
    with detect_anomaly():
        for _ in range(2):
            loss = (x * x).sum()
            loss.backward()
            x.data -= 0.1 * x.grad
            x.zero_grad()
