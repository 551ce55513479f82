"""Value as a data type: construction, attributes, comparisons, identity, dtypes, reflected ops, no aliasing."""

from __future__ import annotations

import copy
import operator
import warnings

import numpy as np
import pytest

import autograd
from autograd import Value


def test_numbers_and_lists_become_float64() -> None:
    assert type(Value(3).data) is float and Value(3).data == 3.0
    v = Value([[1, 2], [3, 4]])
    assert v.dtype == np.float64 and v.shape == (2, 2)
    assert Value(np.arange(3)).dtype == np.float64
    assert Value(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert Value([1.0, 2.0], dtype=np.float32).dtype == np.float32


def test_attributes() -> None:
    x = Value(np.ones((2, 3)), label="x")
    assert (x.shape, x.ndim, x.size, x.dtype, x.label) == ((2, 3), 2, 6, np.float64, "x")
    assert x.is_leaf and x.op == "" and x.parents == () and x.requires_grad
    y = x * 2.0
    assert not y.is_leaf and y.op == "multiply"
    assert y.parents[0] is x and not y.parents[1].requires_grad
    s = Value(2.5)
    assert (s.shape, s.ndim, s.size, s.item()) == ((), 0, 1, 2.5)
    assert isinstance(s.numpy(), np.ndarray) and s.numpy().shape == ()
    assert s.requires_grad_(False) is s and not s.requires_grad


def test_repr_shows_data_and_grad() -> None:
    a = Value(-4.0)
    (a * a).backward()
    text = repr(a)
    assert "-4" in text and "-8" in text


def test_comparisons_return_plain_booleans() -> None:
    a, b = Value(2.0), Value(3.0)
    for result in (a < b, a <= 3, a > 1.0, b >= a):
        assert result is True or result is np.True_
    assert (a > b) in (False, np.False_)
    x = Value(np.array([1.0, 5.0]))
    mask = x > np.array([2.0, 2.0])
    assert type(mask) is np.ndarray and mask.dtype == bool and mask.tolist() == [False, True]
    assert (x <= Value(np.array([1.0, 1.0]))).tolist() == [True, False]


def test_equality_and_hash_are_identity_based() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and not (a == b)
    assert len({a, b}) == 2 and {a: 1, b: 2}[b] == 2
    x, y = Value(np.ones(3)), Value(np.ones(3))
    assert (x == y) is False and (x == x) is True  # not elementwise
    assert hash(x) != hash(y)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x + 1, lambda x: 1 + x, lambda x: x - 1.5, lambda x: 2.0 - x, lambda x: x * 2.5,
        lambda x: 3 * x, lambda x: x / 3, lambda x: 3.0 / x, lambda x: x**2, lambda x: 2.0**x, lambda x: -x,
        lambda x: x.exp(), lambda x: x.sum(), lambda x: x.mean(), lambda x: x.sigmoid(), lambda x: x.relu(),
        lambda x: x.maximum(0.5), lambda x: x.clip(-1, 1), lambda x: x.logsumexp(),
    ],
)
def test_float32_stays_float32_with_python_numbers(op: object) -> None:
    x = Value(np.array([0.5, 1.5, -1.0], dtype=np.float32))
    out = op(x)  # type: ignore[operator]
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_float32_with_float64_promotes_as_numpy() -> None:
    x = Value(np.ones(2, dtype=np.float32))
    y = Value(np.ones(2))
    assert (x + y).dtype == np.float64
    (x * y).sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64


def _all_distinct(*arrays: np.ndarray) -> bool:
    return not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def test_grad_never_aliases_data_or_another_grad() -> None:
    seed = np.array([1.0, 2.0, 3.0])
    x, y = Value(np.array([1.0, 1.0, 1.0])), Value(np.array([2.0, 2.0, 2.0]))
    (x + y).backward(seed)  # both gradients are the seed itself
    assert _all_distinct(x.grad, y.grad, seed, x.data, y.data)
    x.grad[0] = 100.0
    assert y.grad[0] == 1.0 and seed[0] == 1.0

    z = Value(np.ones((2, 3)))
    z.sum().backward()  # the VJP of sum broadcasts a scalar: a read-only view
    assert z.grad.flags.writeable and _all_distinct(z.grad, z.data)

    w = Value(np.array([1.0, 2.0]))
    h = (w * 1.0).retain_grad()
    r = h.reshape(2, 1)
    r.backward(np.ones((2, 1)))
    assert _all_distinct(w.grad, h.grad, h.data, w.data)

    u = Value(np.array([3.0, 4.0]))
    (u + 0.0).sum().backward()
    (u + 0.0).sum().backward()  # accumulation makes a new array, never writes into a shared one
    assert _all_distinct(u.grad, u.data)


def test_grad_of_a_leaf_used_as_an_op_result_is_its_own_array() -> None:
    a = Value(np.array([1.0, 2.0]))
    out = a.reshape(2)  # a view of a.data (forward data may share memory; gradients may not)
    seed = np.array([1.0, 1.0])
    out.backward(seed)
    assert _all_distinct(a.grad, a.data, seed) and not np.shares_memory(a.grad, out.data)


def test_create_graph_grads_are_distinct_objects() -> None:
    x, y = Value(np.ones(2)), Value(np.ones(2))
    (x + y).backward(np.ones(2), create_graph=True)
    assert x.grad is not y.grad


@pytest.mark.parametrize(
    ("op", "name"),
    [(operator.add, "add"), (operator.sub, "subtract"), (operator.mul, "multiply"),
     (operator.truediv, "divide"), (operator.pow, "power")],
)
def test_ndarray_and_number_on_the_left_use_reflected_ops(op: object, name: str) -> None:
    left = np.array([1.5, 2.0, 0.5])
    x = Value(np.array([2.0, 3.0, 1.0]))
    out = op(left, x)  # type: ignore[operator]
    assert isinstance(out, Value) and out.op == name
    np.testing.assert_allclose(out.data, op(left, x.data))  # type: ignore[operator]
    scalar_out = op(2.0, x)  # type: ignore[operator]
    assert isinstance(scalar_out, Value)
    np.testing.assert_allclose(scalar_out.data, op(2.0, x.data))  # type: ignore[operator]


def test_ndarray_matmul_value_and_data_arithmetic_stays_numpy() -> None:
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = Value(np.array([1.0, -1.0]))
    out = m @ x
    assert isinstance(out, Value) and out.op == "matmul"
    out.sum().backward()
    np.testing.assert_allclose(x.grad, m.sum(axis=0))
    assert type(x.data + 1) is np.ndarray


def test_value_of_a_value_is_refused() -> None:
    with pytest.raises(TypeError, match="detach"):
        Value(Value(1.0))


def test_item_needs_one_element() -> None:
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Value(np.ones(2)).item()


def test_matrix_ops_accept_nested_lists_like_numpy() -> None:
    x, w, b = [[1.0, 2.0]], [[3.0, 4.0], [0.5, -1.0]], [1.0, -2.0]
    np.testing.assert_array_equal(autograd.matmul(x, [[3.0], [4.0]]), np.matmul(x, [[3.0], [4.0]]))
    np.testing.assert_array_equal(autograd.linear(x, w, b), np.asarray(x) @ np.asarray(w).T + b)
    assert autograd.vdot([1.0, 2.0], [3.0, 4.0]) == np.vdot([1.0, 2.0], [3.0, 4.0])
    value = autograd.linear(Value(np.asarray(x)), w, b)
    np.testing.assert_array_equal(value.data, np.asarray(x) @ np.asarray(w).T + b)


def test_a_copy_keeps_its_own_grad_and_label() -> None:
    x = Value(np.array([1.0, 2.0]), label="x")
    c = copy.copy(x)
    (c * c).sum().backward()
    assert x.grad is None and c.grad is not None
    c.label = "c"
    assert x.label == "x"
    x.retain_grad()
    c.zero_grad()
    assert c.grad is None and c._extras is not None and not c._extras.retain


def test_reductions_accept_nested_lists_like_numpy() -> None:
    data = [[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]]
    assert autograd.mean(data) == pytest.approx(np.mean(data))
    assert autograd.var(data) == pytest.approx(np.var(data))
    np.testing.assert_allclose(autograd.sum(data, axis=0), np.sum(data, axis=0))
    np.testing.assert_allclose(autograd.max(data, axis=1), np.max(data, axis=1))
    np.testing.assert_allclose(autograd.logsumexp(data, axis=0), np.log(np.sum(np.exp(data), axis=0)), rtol=1e-15)


def test_relu_of_an_integer_array() -> None:
    np.testing.assert_array_equal(autograd.relu(np.array([1, -2, 3])), [1, 0, 3])


def test_logsumexp_with_infinite_rows_warns_nothing() -> None:
    x = np.array([[np.inf, 0.0], [-np.inf, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = autograd.logsumexp(x, axis=1)
    np.testing.assert_array_equal(out, [np.inf, 1.0])


def test_results_without_a_graph_have_no_parents() -> None:
    x = Value(np.array([1.0, 2.0]))
    assert x.detach().parents == ()
    assert Value(np.array([1.0]), requires_grad=False).exp().parents == ()


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("special", [np.inf, -np.inf, np.nan, 3e30, -3e30, 1e200])
def test_relu_and_where_pick_exactly_around_non_finite_or_huge_values(dtype: type, special: float, layout: str) -> None:
    data = np.array([[1.5, -2.0, 0.25], [-0.5, 4.0, -1.0]], dtype=dtype)
    with np.errstate(over="ignore"):
        data[0, 1] = special  # a masked place (special < 0, nan) or a kept one (special > 0)
    if layout == "F":
        data = np.asfortranarray(data)
    elif layout == "strided":
        wide = np.zeros((2, 6), dtype=dtype)
        wide[:, ::2] = data
        data = wide[:, ::2]
    x = Value(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = autograd.relu(x)
        y.backward(np.full(data.shape, np.inf, dtype=dtype))
    kept = ~(data <= 0)  # x > 0, and NaN (passed on, as PyTorch's relu does)
    expected = np.where(kept, data, dtype(0))
    np.testing.assert_array_equal(y.data, expected)
    assert not np.signbit(y.data[data <= 0]).any()  # zeros, never -0.0
    np.testing.assert_array_equal(x.grad, np.where(kept, np.inf, 0.0).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [12, 5000])  # below and above the VJP's np.where / finite-product switch
def test_relu_backward_is_pytorchs_threshold_backward_on_small_and_large_arrays(dtype: type, size: int) -> None:
    rng = np.random.default_rng(size)
    data = rng.standard_normal(size).astype(dtype)
    data[:3] = [np.nan, 0.0, -0.0]
    g = rng.standard_normal(size).astype(dtype)
    expected = np.where(data <= 0, dtype(0), g)  # PyTorch's rule: 0 where x <= 0 whatever g is, else g (NaN x too)
    x = Value(data, requires_grad=True)
    autograd.relu(x).backward(g)
    np.testing.assert_array_equal(x.grad, expected)
    assert not np.signbit(x.grad[data <= 0]).any()  # masked places are +0.0, as PyTorch's
    g[3:6] = [np.nan, np.inf, -np.inf]  # non-finite gradients: 0 where masked, passed on where kept
    x = Value(data, requires_grad=True)
    autograd.relu(x).backward(g)
    np.testing.assert_array_equal(x.grad, np.where(data <= 0, dtype(0), g))
