"""Answers a hostile test found wrong (silently), each pinned against NumPy's or PyTorch's documented result."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Function, Value, grad, hvp, jvp
from tests.test_nn_catalogue import ACTIVATIONS

# ---------------------------------------------------------------------------- indexing (item 3)


@pytest.mark.parametrize("shape, mask_shape", [((3,), (2,)), ((3, 4), (4,)), ((3, 4), (3, 3)), ((3, 4), (2, 4))])
def test_a_boolean_mask_of_the_wrong_shape_is_an_index_error(shape, mask_shape) -> None:
    x, mask = Value(np.ones(shape)), np.ones(mask_shape, dtype=bool)
    with pytest.raises(IndexError):
        np.ones(shape)[mask]  # NumPy refuses it too
    with pytest.raises(IndexError, match="boolean index"):
        x[mask]


def test_boolean_masks_of_the_right_shape_still_pick() -> None:
    data = np.arange(12.0).reshape(3, 4)
    x = Value(data)
    for index in [data > 5, (data > 5)[:, 0], (slice(None), np.array([True, False, True, False])),
                  (Ellipsis, np.array([True, False, True, False]))]:
        np.testing.assert_array_equal(x[index].data, data[index])


# ---------------------------------------------------------------------------- large logits (item 4)


def test_cross_entropy_keeps_its_answer_for_large_float32_logits() -> None:
    z = Value(np.array([[1e6, 1e6, 1e6 - 1]], dtype=np.float32))
    loss = nn.cross_entropy(z, np.array([0]))
    loss.backward()
    exact = np.log(2 + np.exp(-1.0))  # -log softmax(z)[0], by hand
    assert abs(float(loss.data) - exact) < 1e-6
    assert abs(float(z.grad.sum())) < 1e-6  # softmax - onehot sums to 0


def test_log_softmax_and_cross_entropy_at_the_top_of_float64() -> None:
    z = Value(np.array([1e308, 1e308]))
    np.testing.assert_allclose(nn.log_softmax(z).data, [-np.log(2), -np.log(2)], rtol=1e-15)
    assert nn.cross_entropy(z, np.array(0)).data == pytest.approx(np.log(2), rel=1e-15)


def test_the_softmax_in_logsumexps_gradient_sums_to_one() -> None:
    for dtype in (np.float32, np.float64):
        x = Value(np.array([3e5, 3e5 + 0.5, 3e5 - 2.0], dtype=dtype))
        x.logsumexp().backward()
        assert abs(float(x.grad.sum()) - 1.0) < 10 * np.finfo(dtype).eps


# ---------------------------------------------------------------------------- x ** 0 (item 5)


@pytest.mark.parametrize("exponent", [0.0, np.zeros(2), "value"])
def test_zero_to_the_power_zero_has_gradient_zero(exponent) -> None:
    x = Value(np.array([0.0, 2.0]))
    y = Value(np.zeros(2)) if isinstance(exponent, str) else exponent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    if isinstance(y, Value):
        np.testing.assert_allclose(y.grad, [0.0, np.log(2.0)])  # d(x^y)/dy = x^y log x, 0 at x = 0
    s = Value(0.0)
    (s**0).backward()
    assert s.grad == 0.0


# ---------------------------------------------------------------------------- NaN propagation (item 6)

NAN = np.array([np.nan, -1.0, 2.0])


@pytest.mark.parametrize("entry", ACTIVATIONS, ids=lambda e: e.name)
def test_every_activation_passes_nan_on(entry) -> None:
    """Every activation of the catalogue (tests/test_nn_catalogue.py), as PyTorch's: NaN in, NaN out."""
    extra = [Value(np.array(v)) for v in entry.extra]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = entry.fn(Value(NAN), *extra)
    assert np.isnan(np.asarray(out.data)[0]), f"{entry.name} turned NaN into a number"


@pytest.mark.parametrize("loss, target", [
    (nn.mse_loss, np.zeros(3)), (nn.l1_loss, np.zeros(3)), (nn.huber_loss, np.zeros(3)),
    (nn.hinge_loss, np.ones(3)), (nn.binary_cross_entropy_with_logits, np.ones(3)),
])
def test_every_loss_passes_nan_on(loss, target) -> None:
    with np.errstate(invalid="ignore"):
        assert np.isnan(loss(Value(NAN), target, reduction="none").data[0])


def test_relu_of_nan_is_nan() -> None:
    assert np.isnan(Value(float("nan")).relu().data)
    assert np.isnan(ag.relu(NAN)[0]) and np.isnan(Value(NAN).relu().data[0])


# ---------------------------------------------------------------------------- functional API (item 7)


def test_nested_grad_keeps_the_outer_dependence() -> None:
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(3.0) == 6.0  # d/dx x^2 (torch.func, JAX: 6)


def test_grad_does_not_free_a_graph_that_f_closes_over() -> None:
    x = Value(2.0)
    z = x * x
    grad(lambda y: y * z)(1.0)
    z.backward()
    assert x.grad == 4.0


def test_duplicate_argnums_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        grad(lambda x, y: x * y, argnums=(0, 0))(3.0, 2.0)


@pytest.mark.parametrize("transform", [hvp, jvp])
def test_a_tangent_of_the_wrong_shape_is_refused(transform) -> None:
    with pytest.raises(ValueError, match=r"v has shape \(3, 1\) but x has shape \(3,\)"):
        transform(lambda x: (x * x).sum(), np.ones(3), np.ones((3, 1)))


# ---------------------------------------------------------------------------- binary cross-entropy (item 8)


def test_binary_cross_entropy_gives_a_large_gradient_where_p_is_clamped() -> None:
    p = Value(np.array([0.0, 1.0, 1e-13]))
    loss = nn.binary_cross_entropy(p, np.array([1.0, 0.0, 1.0]), reduction="sum")
    loss.backward()
    assert float(loss.data) == pytest.approx(100 + 100 - np.log(1e-13))  # log clamped at -100, as PyTorch
    np.testing.assert_allclose(p.grad, [-1e12, 1e12, -1e12], rtol=1e-6)  # (p - t) / max(p (1 - p), 1e-12)


@pytest.mark.parametrize("target", [-0.1, 1.5])
def test_binary_cross_entropy_refuses_a_target_outside_0_1(target) -> None:
    with pytest.raises(ValueError, match="target must hold probabilities"):
        nn.binary_cross_entropy(Value(np.array([0.5])), np.array([target]))


# ---------------------------------------------------------------------------- custom Function (items 9, 14)


class _ReturnsSavedInput(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 1.0

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return x  # a wrong derivative, but a legal return: the saved input itself


def test_a_backward_returning_a_saved_input_never_aliases_the_leafs_data() -> None:
    x = Value(np.array([1.0, 2.0]))
    _ReturnsSavedInput.apply(x).backward(np.ones(2))
    assert not np.shares_memory(x.grad, x.data)
    x.data -= 1.0
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])


def test_a_backward_returning_a_value_gives_an_array_gradient() -> None:
    class ReturnsValue(Function):
        @staticmethod
        def forward(ctx, x):
            return 2.0 * x

        @staticmethod
        def backward(ctx, g):
            return Value(2.0 * np.asarray(g))

    x = Value(np.array([1.0, 2.0]))
    ReturnsValue.apply(x).sum().backward()
    assert type(x.grad) is np.ndarray and np.array_equal(x.grad, [2.0, 2.0])


@pytest.mark.parametrize("shape", [(1,), (3,)])
def test_a_backward_returning_a_list_works_for_any_shape(shape) -> None:
    class Doubled(Function):
        @staticmethod
        def forward(ctx, x):
            return 2.0 * x

        @staticmethod
        def backward(ctx, g):
            return [2.0] * int(np.size(g))

    x = Value(np.ones(shape))
    Doubled.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 2.0))


# ---------------------------------------------------------------------------- smaller (item 10)


def test_huber_loss_at_infinity_has_gradient_delta() -> None:
    p = Value(np.array([np.inf, -np.inf]))
    nn.huber_loss(p, np.zeros(2), reduction="sum", delta=1.5).backward()
    np.testing.assert_array_equal(p.grad, [1.5, -1.5])  # PyTorch's: delta * sign(d)


def test_clip_with_lo_above_hi_gives_hi_everywhere_as_numpy() -> None:
    x = np.array([0.5, 1.5, 2.5])
    np.testing.assert_array_equal(ag.clip(x, 2.0, 1.0), np.clip(x, 2.0, 1.0))
    np.testing.assert_array_equal(ag.clip(Value(x), 2.0, 1.0).data, [1.0, 1.0, 1.0])


def test_a_slice_of_a_sequential_is_a_sequential_with_the_same_names() -> None:
    model = nn.MLP(2, [3, 3, 1])
    part = model[1:3]
    assert type(part) is nn.Sequential and list(part._modules) == ["1", "2"]
    assert part[1] is model[2]


# ---------------------------------------------------------------------------- speed (item 15)


@pytest.mark.parametrize("join", [ag.concatenate, ag.stack])
def test_joining_many_pieces_backpropagates_every_piece(join) -> None:
    """Correctness of the linear-time backward (its speed is measured in benchmarks/engine.py, not here)."""
    pieces = [Value(np.full(2, float(k))) for k in range(500)]
    (join(pieces) * 2.0).sum().backward()
    assert all(np.array_equal(p.grad, [2.0, 2.0]) for p in pieces)
