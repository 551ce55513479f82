"""PyTorch's habits on Value: in-place updates, dim/keepdim, and the methods under PyTorch's names."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Value, no_grad

RNG = np.random.default_rng(0)


def micrograd_expression() -> tuple[float, float, float]:
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
    return g.data, a.grad, b.grad


def test_augmented_assignment_while_recording_is_a_new_node_as_in_micrograd() -> None:
    g, da, db = micrograd_expression()
    assert f"{g:.4f} {da:.4f} {db:.4f}" == "24.7041 138.8338 645.5773"
    x = Value(np.ones(3))
    c = x * 2.0
    before = c
    c += 1.0
    assert c is not before and np.array_equal(before.data, 2 * np.ones(3))  # the graph's value is untouched


@pytest.mark.parametrize("op, ufunc", [("+=", np.add), ("-=", np.subtract), ("*=", np.multiply), ("/=", np.divide)])
def test_augmented_assignment_without_a_graph_changes_data_in_place(op: str, ufunc: object) -> None:
    start = RNG.normal(size=(2, 3))
    other = RNG.normal(size=3)
    p = Value(start.copy())
    data = p.data
    namespace = {"p": p, "o": other}
    with no_grad():
        exec(f"p {op} o", namespace)
    assert namespace["p"] is p and p.data is data                          # same object, same buffer
    np.testing.assert_array_equal(p.data, ufunc(start, other))  # type: ignore[operator]
    q = Value(start.copy(), requires_grad=False)                         # a Value not requiring grad
    namespace = {"p": q, "o": other}
    exec(f"p {op} o", namespace)
    assert namespace["p"] is q
    np.testing.assert_array_equal(q.data, ufunc(start, other))  # type: ignore[operator]


def test_the_pytorch_manual_update_loop_trains() -> None:
    x = np.linspace(-1, 1, 20)
    y = 3 * x - 1
    w, b = Value(0.0), Value(0.0)
    for _ in range(200):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        with no_grad():
            for p in (w, b):
                p -= 0.1 * p.grad
                p.grad = None
    assert w.data == pytest.approx(3.0, abs=1e-3) and b.data == pytest.approx(-1.0, abs=1e-3)


def test_in_place_methods() -> None:
    p = Value(np.arange(4.0))
    with no_grad():
        assert p.add_(1.0) is p and np.array_equal(p.data, [1, 2, 3, 4])
        p.sub_(np.ones(4), alpha=2.0)
        np.testing.assert_array_equal(p.data, [-1, 0, 1, 2])
        p.mul_(Value(2.0))
        p.div_(4.0)
        np.testing.assert_array_equal(p.data, [-0.5, 0, 0.5, 1])
        p.clamp_(min=0.0, max=0.75)
        np.testing.assert_array_equal(p.data, [0, 0, 0.5, 0.75])
        p.copy_([9.0, 8.0, 7.0, 6.0])
        np.testing.assert_array_equal(p.data, [9, 8, 7, 6])
        p.fill_(3.0)
        np.testing.assert_array_equal(p.data, [3, 3, 3, 3])
        p.zero_()
        np.testing.assert_array_equal(p.data, np.zeros(4))
        s = Value(2.0)
        s.mul_(3.0).add_(1.0)
        assert s.data == 7.0 and type(s.data) is float
        with pytest.raises(ValueError, match="in place"):
            s.add_(np.ones(2))


def test_in_place_on_a_leaf_requiring_grad_while_recording_raises_pytorchs_error() -> None:
    p = Value(np.ones(3))
    for action in (lambda: p.__iadd__(1.0), lambda: p.sub_(1.0), lambda: p.zero_(), lambda: p.copy_(np.zeros(3))):
        with pytest.raises(RuntimeError, match="a leaf Value that requires grad is being used in an in-place"):
            action()
    np.testing.assert_array_equal(p.data, np.ones(3))
    c = p * 2.0
    with pytest.raises(RuntimeError, match="c = c"):  # a method cannot rebind a recorded result
        c.add_(1.0)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "logsumexp", "var"])
def test_dim_and_keepdim_equal_axis_and_keepdims(name: str) -> None:
    x = Value(RNG.normal(size=(2, 3, 4)))
    method = getattr(x, name)
    function = getattr(ag, name)
    expected = getattr(x, name)(axis=1, keepdims=True).data
    np.testing.assert_array_equal(method(dim=1, keepdim=True).data, expected)
    np.testing.assert_array_equal(function(x, dim=1, keepdim=True).data, expected)
    np.testing.assert_array_equal(method(dim=(0, 2)).data, method(axis=(0, 2)).data)
    with pytest.raises(TypeError, match="both axis= and dim="):
        method(axis=1, dim=1)
    with pytest.raises(TypeError, match="both keepdims= and keepdim="):
        function(x, keepdims=True, keepdim=True)
    with pytest.raises(TypeError, match="unexpected"):
        method(dims=1)


def test_dim_for_axis_elsewhere() -> None:
    x = Value(RNG.normal(size=(2, 1, 3)))
    assert x.squeeze(dim=1).shape == (2, 3) and x.unsqueeze(dim=0).shape == (1, 2, 1, 3)
    assert ag.concatenate([x, x], dim=2).shape == (2, 1, 6) and ag.stack([x, x], dim=1).shape == (2, 2, 1, 3)
    with pytest.raises(TypeError, match="both axis= and dim="):
        ag.stack([x, x], axis=0, dim=1)
    assert np.array_equal(x.argmax(dim=2, keepdim=True), x.data.argmax(axis=2, keepdims=True))


def test_methods_under_pytorchs_names() -> None:
    data = RNG.normal(size=(2, 3, 4))
    x = Value(data)
    np.testing.assert_array_equal(x.pow(2).data, data**2)
    np.testing.assert_array_equal(x.permute(2, 0, 1).data, data.transpose(2, 0, 1))
    np.testing.assert_array_equal(x.view(6, 4).data, data.reshape(6, 4))
    np.testing.assert_array_equal(x.reshape(-1).data, data.ravel())
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12) and x.flatten(0, 1).shape == (6, 4)
    np.testing.assert_array_equal(x.mT.data, data.swapaxes(-1, -2))
    m = Value(data[0])
    np.testing.assert_array_equal(m.t().data, data[0].T)
    assert x.argmin(dim=0).dtype.kind == "i" and np.array_equal(x.argmin(), data.argmin())
    assert x.tolist() == data.tolist() and Value(2.5).tolist() == 2.5
    e = np.exp(data - data.max(axis=1, keepdims=True))
    np.testing.assert_allclose(x.softmax(dim=1).data, e / e.sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(x.log_softmax(dim=1).exp().data, x.softmax(1).data, rtol=1e-13)
    with pytest.raises(ValueError, match="at most 2 axes"):
        x.t()


def test_view_of_a_non_contiguous_layout_works_as_reshape() -> None:
    x = Value(RNG.normal(size=(3, 4)))
    y = x.T.view(12)  # PyTorch's view refuses this layout; ours copies, as reshape does (documented)
    np.testing.assert_array_equal(y.data, x.data.T.reshape(12))


def test_clone_copies_and_keeps_the_gradient() -> None:
    x = Value(np.arange(3.0))
    y = x.clone()
    assert y.data is not x.data
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data)
    with no_grad():
        z = x.clone()
        z.requires_grad_(False)
    z.add_(1.0)
    np.testing.assert_array_equal(x.data, np.arange(3.0))


@pytest.mark.parametrize("method", ["permute", "view", "flatten", "softmax", "log_softmax", "mT", "clone", "pow"])
def test_gradients_of_the_new_methods(method: str) -> None:
    calls = {"permute": lambda v: v.permute(1, 0, 2), "view": lambda v: v.view(4, 3), "flatten": lambda v: v.flatten(1),
             "softmax": lambda v: v.softmax(dim=1), "log_softmax": lambda v: v.log_softmax(dim=0),
             "mT": lambda v: v.mT, "clone": lambda v: v.clone(), "pow": lambda v: v.pow(3)}
    weights = RNG.normal(size=(12,))
    assert ag.gradcheck(lambda v: (calls[method](v).reshape(-1) * weights).sum(), [RNG.normal(size=(2, 3, 2))])


def test_float_and_double_casts_carry_the_gradient_back() -> None:
    x = Value(np.array([1.5, -2.0]))
    y = x.float()
    assert y.dtype == np.float32 and y.float() is y and x.double() is x
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, 2 * x.data, rtol=1e-7)
    z = Value(np.array([0.5], dtype=np.float32))
    w = z.double()
    assert w.dtype == np.float64
    (w * 3.0).sum().backward()
    assert z.grad.dtype == np.float32 and z.grad[0] == 3.0
    with pytest.raises(TypeError, match="float32 or float64"):
        ag.ops.astype(x, np.int64)
