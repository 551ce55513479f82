"""Activation and loss values against independent references (math/NumPy formulas), and their errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Value

X = np.linspace(-8.0, 8.0, 33)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.array([1 / (1 + math.exp(-v)) for v in x])


def _gelu(x: np.ndarray) -> np.ndarray:
    return np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])


REFERENCES = [
    (nn.sigmoid, _sigmoid),
    (nn.tanh, np.tanh),
    (nn.relu, lambda x: np.maximum(x, 0)),
    (lambda x: nn.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (lambda x: nn.prelu(x, 0.3), lambda x: np.where(x > 0, x, 0.3 * x)),
    (lambda x: nn.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    (nn.gelu, _gelu),
    (lambda x: nn.gelu(x, "tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    (lambda x: nn.swish(x, 1.7), lambda x: x * _sigmoid(1.7 * x)),
    (nn.silu, lambda x: x * _sigmoid(x)),
    (nn.softplus, lambda x: np.log1p(np.exp(x))),
    (lambda x: nn.softplus(x, 2.0, 3.0), lambda x: np.where(2 * x > 3, x, np.log1p(np.exp(2 * x)) / 2)),
    # the SELU constants from Klambauer et al. (2017), written out independently of nn's
    (nn.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    (lambda x: nn.celu(x, 0.5), lambda x: np.maximum(x, 0) + np.minimum(0, 0.5 * np.expm1(x / 0.5))),
    (nn.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    (nn.hardtanh, lambda x: np.clip(x, -1, 1)),
    (lambda x: nn.hardtanh(x, -2.0, 3.0), lambda x: np.clip(x, -2, 3)),
    (nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6)),
    (nn.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    (nn.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    (nn.softsign, lambda x: x / (1 + np.abs(x))),
    (nn.logsigmoid, lambda x: np.log(_sigmoid(x))),
    (nn.tanhshrink, lambda x: x - np.tanh(x)),
]


@pytest.mark.parametrize("index", range(len(REFERENCES)))
def test_activation_values(index: int) -> None:
    fn, reference = REFERENCES[index]
    np.testing.assert_allclose(fn(Value(X)).data, reference(X), rtol=1e-13, atol=1e-15)


def test_softmax_and_log_softmax_values() -> None:
    x = np.random.default_rng(0).normal(size=(4, 5)) * 3
    e = np.exp(x)
    np.testing.assert_allclose(nn.softmax(Value(x)).data, e / e.sum(1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(nn.softmax(Value(x), axis=0).data, e / e.sum(0, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(nn.log_softmax(Value(x)).data, np.log(e / e.sum(1, keepdims=True)), rtol=1e-12)


def test_tiny_values_keep_their_relative_accuracy() -> None:
    assert nn.activations.log1p(Value(1e-20)).data == 1e-20
    assert nn.softplus(Value(-40.0)).data == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-14)
    assert nn.sigmoid(Value(-700.0)).data == pytest.approx(1 / (1 + math.exp(700.0)), rel=1e-14)


def test_derivatives_at_zero_match_the_smooth_function() -> None:
    for fn, expected in [(nn.sigmoid, 0.25), (nn.softplus, 0.5), (nn.silu, 0.5), (nn.gelu, 0.5), (nn.elu, 1.0)]:
        x = Value(0.0)
        fn(x).backward()
        assert x.grad == pytest.approx(expected, rel=1e-12), fn.__name__


def test_activation_modules_match_functions() -> None:
    x = Value(X)
    pairs = [(nn.Sigmoid(), nn.sigmoid(x)), (nn.Tanh(), nn.tanh(x)), (nn.ReLU(), nn.relu(x)),
             (nn.LeakyReLU(0.2), nn.leaky_relu(x, 0.2)), (nn.PReLU(), nn.prelu(x, 0.25)),
             (nn.ELU(0.5), nn.elu(x, 0.5)), (nn.Softmax(), nn.softmax(x)), (nn.LogSoftmax(), nn.log_softmax(x)),
             (nn.GELU("tanh"), nn.gelu(x, "tanh")), (nn.Swish(2.0), nn.swish(x, 2.0)), (nn.SiLU(), nn.silu(x)),
             (nn.Softplus(2.0, 10.0), nn.softplus(x, 2.0, 10.0)), (nn.SELU(), nn.selu(x)),
             (nn.CELU(0.3), nn.celu(x, 0.3)), (nn.Mish(), nn.mish(x)),
             (nn.Hardtanh(-2.0, 0.5), nn.hardtanh(x, -2.0, 0.5)),
             (nn.ReLU6(), nn.relu6(x)), (nn.Hardsigmoid(), nn.hardsigmoid(x)), (nn.Hardswish(), nn.hardswish(x)),
             (nn.Softsign(), nn.softsign(x)), (nn.LogSigmoid(), nn.logsigmoid(x)), (nn.Tanhshrink(), nn.tanhshrink(x)),
             (nn.Softmin(), nn.softmin(x))]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).data, expected.data, err_msg=repr(module))


def test_activation_argument_errors() -> None:
    with pytest.raises(ValueError, match="approximate"):
        nn.gelu(Value(1.0), "fast")
    with pytest.raises(ValueError, match="beta"):
        nn.softplus(Value(1.0), beta=0.0)
    with pytest.raises(ValueError, match="slopes"):
        nn.PReLU(3)(Value(np.ones((2, 4))))
    for make in (lambda: nn.celu(Value(1.0), 0.0), lambda: nn.CELU(0.0)):
        with pytest.raises(ValueError, match="alpha.*0.0"):
            make()
    for make in (lambda: nn.hardtanh(Value(1.0), 1.0, -1.0), lambda: nn.Hardtanh(2.0, 1.0)):
        with pytest.raises(ValueError, match="max_val"):
            make()


def test_softmin_is_softmax_of_the_negation() -> None:
    x = np.random.default_rng(0).normal(size=(4, 5)) * 3
    e = np.exp(-x)
    np.testing.assert_allclose(nn.softmin(Value(x)).data, e / e.sum(1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(nn.softmin(Value(x), axis=0).data, e / e.sum(0, keepdims=True), rtol=1e-13)


def test_derivatives_of_the_piecewise_activations_at_their_joints() -> None:
    """At the joints the derivative is PyTorch's (that of the outer piece): 0 at the clipping points."""
    cases = [(nn.hardtanh, [-1.0, 1.0], [0.0, 0.0]), (nn.relu6, [0.0, 6.0], [0.0, 0.0]),
             (nn.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]), (nn.hardswish, [-3.0, 3.0], [0.0, 1.0]),
             (nn.softsign, [0.0], [1.0]), (nn.logsigmoid, [0.0], [0.5]), (nn.celu, [0.0], [1.0])]
    for fn, points, expected in cases:
        x = Value(np.array(points))
        fn(x).sum().backward()
        np.testing.assert_allclose(x.grad, expected, rtol=1e-15, err_msg=fn.__name__)


# ---------------------------------------------------------------------------
# losses

P = np.array([[0.5, -1.0], [2.0, 3.5], [-0.25, 0.0]])
T = np.array([[1.0, -1.5], [0.0, 3.0], [0.75, 2.0]])


def _reductions(per_element: np.ndarray) -> dict[str, object]:
    return {"none": per_element, "sum": per_element.sum(), "mean": per_element.mean()}


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_regression_losses(reduction: str) -> None:
    d = P - T
    huber = np.where(np.abs(d) < 1.0, 0.5 * d**2, np.abs(d) - 0.5)
    huber_half = np.where(np.abs(d) < 0.5, 0.5 * d**2, 0.5 * (np.abs(d) - 0.25))
    cases = [(nn.mse_loss(Value(P), T, reduction), d**2), (nn.l1_loss(Value(P), T, reduction), np.abs(d)),
             (nn.huber_loss(Value(P), T, reduction), huber),
             (nn.huber_loss(Value(P), T, reduction, delta=0.5), huber_half)]
    for got, per_element in cases:
        np.testing.assert_allclose(got.data, _reductions(per_element)[reduction], rtol=1e-14)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_classification_losses(reduction: str) -> None:
    probs = np.array([0.1, 0.8, 0.5, 0.999])
    targets = np.array([0.0, 1.0, 0.3, 1.0])
    bce = -(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))
    np.testing.assert_allclose(nn.binary_cross_entropy(Value(probs), targets, reduction).data,
                               _reductions(bce)[reduction], rtol=1e-13)
    logits = np.log(probs / (1 - probs))
    np.testing.assert_allclose(nn.binary_cross_entropy_with_logits(Value(logits), targets, reduction).data,
                               _reductions(bce)[reduction], rtol=1e-12)
    scores, labels = np.array([0.3, -2.0, 1.5, -0.5]), np.array([1.0, -1.0, -1.0, 1.0])
    np.testing.assert_allclose(nn.hinge_loss(Value(scores), labels, reduction).data,
                               _reductions(np.maximum(0, 1 - labels * scores))[reduction])
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    classes = np.array([1, 0])
    log_p = z - np.log(np.exp(z).sum(1, keepdims=True))
    picked = -log_p[[0, 1], classes]
    np.testing.assert_allclose(nn.cross_entropy(Value(z), classes, reduction).data,
                               _reductions(picked)[reduction], rtol=1e-13)
    np.testing.assert_allclose(nn.nll_loss(Value(log_p), classes, reduction).data,
                               _reductions(picked)[reduction], rtol=1e-13)


def test_cross_entropy_gradient_is_softmax_minus_onehot() -> None:
    z = Value(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]))
    nn.cross_entropy(z, np.array([2, 1]), reduction="sum").backward()
    s = np.exp(z.data) / np.exp(z.data).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad, s - np.eye(3)[[2, 1]], rtol=1e-12)


def test_cross_entropy_single_sample() -> None:
    z = np.array([0.5, 1.5])
    expected = -(1.5 - np.log(np.exp(z).sum()))
    assert nn.cross_entropy(Value(z), np.array(1)).data == pytest.approx(expected)


def test_class_losses_take_nested_lists_and_plain_arrays() -> None:
    z = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]
    log_p = np.array(z) - np.log(np.exp(z).sum(1, keepdims=True))
    expected = -(log_p[0, 1] + log_p[1, 0]) / 2
    for prediction in (z, np.array(z)):
        assert nn.cross_entropy(prediction, np.array([1, 0])) == pytest.approx(expected, rel=1e-13)
    assert nn.nll_loss(log_p.tolist(), np.array([1, 0])) == pytest.approx(expected, rel=1e-13)


def test_losses_never_broadcast() -> None:
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        nn.mse_loss(Value(np.zeros((4, 1))), np.zeros(4))
    for fn in (nn.l1_loss, nn.huber_loss, nn.binary_cross_entropy_with_logits, nn.hinge_loss):
        with pytest.raises(ValueError, match=r"\(3,\).*\(1, 3\)"):
            fn(Value(np.zeros(3)), np.ones((1, 3)))


def test_loss_input_errors() -> None:
    with pytest.raises(TypeError, match="float64"):
        nn.cross_entropy(Value(np.zeros((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="out of range"):
        nn.cross_entropy(Value(np.zeros((2, 3))), np.array([0, 3]))
    with pytest.raises(ValueError, match="out of range"):
        nn.nll_loss(Value(np.zeros((2, 3))), np.array([-1, 0]))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        nn.cross_entropy(Value(np.zeros((2, 3))), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="probabilities"):
        nn.binary_cross_entropy(Value(np.array([1.2])), np.array([1.0]))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge_loss(Value(np.array([1.0])), np.array([0.0]))
    with pytest.raises(ValueError, match="reduction"):
        nn.mse_loss(Value(np.zeros(2)), np.zeros(2), reduction="avg")
    with pytest.raises(TypeError, match="dtype"):
        nn.mse_loss(Value(np.zeros(2)), np.array(["a", "b"]))


def test_loss_modules_match_functions() -> None:
    p, t = Value(np.array([0.2, 0.9])), np.array([0.0, 1.0])
    pairs = [(nn.MSELoss(), nn.mse_loss), (nn.L1Loss("sum"), nn.l1_loss), (nn.BCELoss(), nn.binary_cross_entropy),
             (nn.BCEWithLogitsLoss(), nn.binary_cross_entropy_with_logits)]
    for module, fn in pairs:
        assert module(p, t).data == fn(p, t, module.reduction).data
    assert nn.HuberLoss(delta=0.1)(p, t).data == nn.huber_loss(p, t, delta=0.1).data
    z = Value(np.array([[0.1, 0.7]]))
    assert nn.CrossEntropyLoss()(z, np.array([1])).data == nn.cross_entropy(z, np.array([1])).data
    assert nn.NLLLoss()(z, np.array([1])).data == -0.7
    assert nn.HingeLoss()(Value(np.array([0.5])), np.array([1.0])).data == 0.5


def test_float32_losses_stay_float32() -> None:
    p = Value(np.array([0.2, 0.9], dtype=np.float32))
    for fn in (nn.mse_loss, nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits):
        assert fn(p, np.array([0.0, 1.0])).dtype == np.float32


def test_targets_changed_after_the_forward_do_not_change_the_gradient() -> None:
    z = Value(np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]))
    targets = np.array([2, 0], dtype=np.intp)
    loss = nn.cross_entropy(z, targets)
    targets[:] = [0, 1]  # the caller reuses its array before calling backward
    loss.backward()
    shifted = np.exp(z.data - z.data.max(axis=1, keepdims=True))
    expected = shifted / shifted.sum(axis=1, keepdims=True)
    expected[[0, 1], [2, 0]] -= 1.0
    np.testing.assert_allclose(z.grad, expected / 2, rtol=1e-14)


def test_sigmoid_relu_and_log1p_have_one_definition_in_autograd() -> None:
    """nn delegates to autograd's composites instead of keeping copies that can drift apart."""
    import autograd

    assert nn.sigmoid is autograd.sigmoid and nn.relu is autograd.relu and nn.activations.log1p is autograd.log1p
    x = Value(np.array([-3.0, 0.0, 2.0]))
    assert np.array_equal(Value(np.array([-3.0, 0.0, 2.0])).sigmoid().data, nn.sigmoid(x).data)
