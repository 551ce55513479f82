"""One catalogue of every nn activation and loss drives their gradient and extreme-input tests.

Gradient: for hypothesis-drawn float64 points (kept off each function's kinks by
more than the finite-difference step), the reverse-mode gradient of a random
projection sum(w * f(x)) equals central finite differences, for every
differentiable input (PReLU's alpha and Swish's beta included).

Extreme inputs: anywhere in [-1000, 1000] every activation and loss is finite,
with a finite gradient, and NumPy emits no warning (warnings are errors there,
and NumPy's floating-point errors raise).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from autograd.checking import numerical_grad
from autograd.testing import arrays, shapes
from nn import activations, activations_hard, activations_smooth, losses, losses_classification


@dataclass(frozen=True)
class Entry:
    """``fn(x, *extra)``: x is the main input; ``extra`` are further differentiable inputs (e.g. alpha)."""

    name: str
    fn: Callable[..., Any]
    covers: str                                     # the public function this entry checks
    avoid: tuple[float, ...] = ()                   # kinks of fn in x
    lo: float = -3.0
    hi: float = 3.0
    extra: tuple[float, ...] = ()                   # starting values of extra differentiable inputs
    min_dims: int = 1


_PRELU_ALPHA = 0.3
ACTIVATIONS = [
    Entry("sigmoid", nn.sigmoid, "sigmoid"),
    Entry("tanh", nn.tanh, "tanh"),
    Entry("relu", nn.relu, "relu", avoid=(0.0,)),
    Entry("leaky_relu", nn.leaky_relu, "leaky_relu", avoid=(0.0,)),
    Entry("leaky_relu(0.2)", lambda x: nn.leaky_relu(x, 0.2), "leaky_relu", avoid=(0.0,)),
    Entry("prelu(x, alpha)", lambda x, a: nn.prelu(x, a), "prelu", avoid=(0.0,), extra=(_PRELU_ALPHA,)),
    Entry("elu", nn.elu, "elu", avoid=(0.0,)),
    Entry("elu(0.5)", lambda x: nn.elu(x, 0.5), "elu", avoid=(0.0,)),
    Entry("softmax", nn.softmax, "softmax"),
    Entry("softmax(axis=0)", lambda x: nn.softmax(x, axis=0), "softmax"),
    Entry("log_softmax", nn.log_softmax, "log_softmax"),
    Entry("log_softmax(axis=0)", lambda x: nn.log_softmax(x, axis=0), "log_softmax"),
    Entry("gelu", nn.gelu, "gelu"),
    Entry("gelu(tanh)", lambda x: nn.gelu(x, "tanh"), "gelu"),
    Entry("swish(beta=1.5)", lambda x: nn.swish(x, 1.5), "swish"),
    Entry("swish(x, beta)", lambda x, b: nn.swish(x, b), "swish", extra=(0.8,)),
    Entry("silu", nn.silu, "silu"),
    Entry("softplus", nn.softplus, "softplus"),
    # beta x = threshold is a (tiny) jump: keep away from x = 5 / 2
    Entry("softplus(beta=2, threshold=5)", lambda x: nn.softplus(x, 2.0, 5.0), "softplus", avoid=(2.5,)),
    Entry("log1p", activations.log1p, "log1p", lo=-0.9, hi=3.0),
    Entry("selu", nn.selu, "selu", avoid=(0.0,)),
    Entry("celu", nn.celu, "celu"),
    Entry("celu(0.5)", lambda x: nn.celu(x, 0.5), "celu"),
    Entry("celu(-2)", lambda x: nn.celu(x, -2.0), "celu", avoid=(0.0,)),
    Entry("mish", nn.mish, "mish"),
    Entry("mish(wide)", nn.mish, "mish", lo=-30.0, hi=30.0, avoid=(20.0,)),  # softplus switches to x at 20
    Entry("hardtanh", nn.hardtanh, "hardtanh", avoid=(-1.0, 1.0)),
    Entry("hardtanh(-2, 0.5)", lambda x: nn.hardtanh(x, -2.0, 0.5), "hardtanh", avoid=(-2.0, 0.5)),
    Entry("relu6", nn.relu6, "relu6", lo=-3.0, hi=9.0, avoid=(0.0, 6.0)),
    Entry("hardsigmoid", nn.hardsigmoid, "hardsigmoid", lo=-5.0, hi=5.0, avoid=(-3.0, 3.0)),
    Entry("hardswish", nn.hardswish, "hardswish", lo=-5.0, hi=5.0, avoid=(-3.0, 3.0)),
    Entry("softsign", nn.softsign, "softsign"),
    Entry("logsigmoid", nn.logsigmoid, "logsigmoid"),
    Entry("tanhshrink", nn.tanhshrink, "tanhshrink"),
    Entry("softmin", nn.softmin, "softmin"),
    Entry("softmin(axis=0)", lambda x: nn.softmin(x, axis=0), "softmin"),
]


def _fixed(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


def _labels(shape: tuple[int, ...]) -> np.ndarray:
    return np.where(np.random.default_rng(1).random(shape) < 0.5, -1.0, 1.0)


def _classes(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(2).integers(0, shape[-1], size=shape[:-1])


# Each loss entry maps the drawn x to (prediction, target) so that kinks sit at x = 0 or x = +-delta.
LOSSES = [
    Entry("mse_loss", lambda x, r: nn.mse_loss(x, _fixed(x.shape, 0), r), "mse_loss"),
    Entry("l1_loss", lambda x, r: nn.l1_loss(x + _fixed(x.shape, 0), _fixed(x.shape, 0), r), "l1_loss",
          avoid=(0.0,)),
    Entry("huber_loss", lambda x, r: nn.huber_loss(x + _fixed(x.shape, 0), _fixed(x.shape, 0), r), "huber_loss",
          avoid=(-1.0, 1.0)),
    Entry("huber_loss(delta=0.5)", lambda x, r: nn.huber_loss(x, np.zeros(x.shape), r, delta=0.5), "huber_loss",
          avoid=(-0.5, 0.5)),
    Entry("binary_cross_entropy", lambda x, r: nn.binary_cross_entropy(
        1.0 / (1.0 + (-x).exp()), np.random.default_rng(3).random(x.shape), r), "binary_cross_entropy"),
    Entry("binary_cross_entropy_with_logits", lambda x, r: nn.binary_cross_entropy_with_logits(
        x, np.random.default_rng(3).random(x.shape), r), "binary_cross_entropy_with_logits"),
    Entry("hinge_loss", lambda x, r: nn.hinge_loss((1.0 + x) * _labels(x.shape), _labels(x.shape), r),
          "hinge_loss", avoid=(0.0,)),
    Entry("cross_entropy", lambda x, r: nn.cross_entropy(x, _classes(x.shape), r), "cross_entropy", min_dims=2),
    Entry("nll_loss", lambda x, r: nn.nll_loss(x, _classes(x.shape), r), "nll_loss", min_dims=2),
    # PyTorch's options
    Entry("cross_entropy(weight, ignore_index, label_smoothing)", lambda x, r: nn.cross_entropy(
        x, _ignoring(_classes(x.shape)), r, weight=_fixed(x.shape[-1:], 1) ** 2 + 0.5, label_smoothing=0.2),
        "cross_entropy", min_dims=2),
    Entry("nll_loss(weight)", lambda x, r: nn.nll_loss(x, _classes(x.shape), r, weight=_fixed(x.shape[-1:], 1) ** 2),
          "nll_loss", min_dims=2),
    Entry("binary_cross_entropy_with_logits(weight, pos_weight)", lambda x, r: nn.binary_cross_entropy_with_logits(
        x, np.random.default_rng(3).random(x.shape), r, weight=_fixed(x.shape, 1) ** 2,
        pos_weight=_fixed(x.shape[-1:], 2) ** 2 + 0.1), "binary_cross_entropy_with_logits"),
    Entry("smooth_l1_loss(beta=0.5)", lambda x, r: nn.smooth_l1_loss(x, np.zeros(x.shape), r, beta=0.5),
          "smooth_l1_loss", avoid=(-0.5, 0.5)),
    Entry("kl_div", lambda x, r: nn.kl_div(x, np.random.default_rng(4).random(x.shape), r), "kl_div"),
    Entry("kl_div(log_target)", lambda x, r: nn.kl_div(x, _fixed(x.shape, 3), r, log_target=True), "kl_div"),
    Entry("cosine_embedding_loss", lambda x, r: nn.cosine_embedding_loss(
        x + 4.0, _fixed(x.shape, 4), np.ones(x.shape[:-1]), reduction=r), "cosine_embedding_loss", min_dims=2),
]


def _ignoring(classes: np.ndarray) -> np.ndarray:
    """Class targets whose last one (of two or more) is -100, PyTorch's default ignore_index."""
    if classes.size > 1:
        classes = classes.copy()
        classes.flat[-1] = -100
    return classes


def _public_functions(module: Any) -> set[str]:
    return {name for name in module.__all__ if name[0].islower()}


def test_catalogue_covers_every_activation_and_loss() -> None:
    public = set().union(*(_public_functions(m) for m in (activations, activations_hard, activations_smooth)))
    assert {e.covers for e in ACTIVATIONS} == public
    assert {e.covers for e in LOSSES} == _public_functions(losses) | _public_functions(losses_classification)


def _projection(shape: tuple[int, ...]) -> np.ndarray:
    """Fixed weights w so that sum(w * f(x)) is sensitive to every output (softmax sums to 1)."""
    return np.cos(1.3 * np.arange(int(np.prod(shape))) + 0.5).reshape(shape)


def _check_gradients(objective: Callable[..., Any], inputs: list[np.ndarray]) -> None:
    values = [Value(a) for a in inputs]
    objective(*values).backward()
    expected = numerical_grad(objective, *inputs)
    for value, numeric in zip(values, expected, strict=True):
        analytic = np.zeros(value.shape) if value.grad is None else np.asarray(value.grad)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)


def _point(data: st.DataObject, entry: Entry, max_dims: int = 2) -> np.ndarray:
    shape = data.draw(shapes(min_dims=entry.min_dims, max_dims=max_dims, max_side=4), label="shape")
    return data.draw(arrays(shape, min_value=entry.lo, max_value=entry.hi, avoid=entry.avoid), label="x")


@pytest.mark.parametrize("entry", ACTIVATIONS, ids=lambda e: e.name)
@settings(max_examples=25)
@given(data=st.data())
def test_activation_gradient(entry: Entry, data: st.DataObject) -> None:
    x = _point(data, entry)
    w = _projection(x.shape)
    inputs = [x] + [np.array(value) for value in entry.extra]
    _check_gradients(lambda *vs: (entry.fn(*vs) * w).sum(), inputs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
@settings(max_examples=15)
@given(data=st.data())
def test_loss_gradient(entry: Entry, reduction: str, data: st.DataObject) -> None:
    x = _point(data, entry)

    def objective(v: Any) -> Any:
        out = entry.fn(v, reduction)
        return (out * _projection(out.shape)).sum()

    _check_gradients(objective, [x])


# ---------------------------------------------------------------------------
# extreme inputs

EXTREMES = np.concatenate([
    np.linspace(-1000.0, 1000.0, 2001),
    [-1e-300, 1e-300, -5e-324, 5e-324, 0.0, -0.0, 709.0, 710.0, -745.0, -746.0, 20.0, -20.0, 37.0, -37.0],
])


def _strict_numpy() -> Any:
    """A context in which NumPy warnings and floating-point errors (but underflow) raise."""

    class Strict:
        def __enter__(self) -> None:
            self.warnings = warnings.catch_warnings()
            self.warnings.__enter__()
            warnings.simplefilter("error")
            self.errstate = np.errstate(over="raise", divide="raise", invalid="raise")
            self.errstate.__enter__()

        def __exit__(self, *exc: Any) -> None:
            self.errstate.__exit__(*exc)
            self.warnings.__exit__(*exc)

    return Strict()


def _assert_finite_with_finite_gradient(objective: Callable[..., Any], inputs: list[np.ndarray]) -> None:
    values = [Value(a) for a in inputs]
    with _strict_numpy():
        out = objective(*values)
        out.backward()
    assert np.all(np.isfinite(out.data))
    for value in values:
        assert value.grad is not None and np.all(np.isfinite(value.grad))


def _extreme_rows(entry: Entry) -> np.ndarray:
    """EXTREMES laid out as (rows, 5) so row-wise ops (softmax) see mixed huge and tiny entries."""
    x = np.resize(EXTREMES, (len(EXTREMES) // 5 + 1) * 5).reshape(-1, 5)
    return x


@pytest.mark.parametrize("entry", ACTIVATIONS, ids=lambda e: e.name)
def test_activation_extreme_inputs(entry: Entry) -> None:
    x = _extreme_rows(entry)
    if entry.covers == "log1p":
        x = np.abs(x)  # log1p's domain is u > -1
    w = _projection(x.shape)
    inputs = [x] + [np.array(value) for value in entry.extra]
    _assert_finite_with_finite_gradient(lambda *vs: (entry.fn(*vs) * w).sum(), inputs)


@pytest.mark.parametrize("entry", ACTIVATIONS, ids=lambda e: e.name)
@settings(max_examples=10)
@given(x=arrays((3, 4), min_value=-1000.0, max_value=1000.0))
def test_activation_extreme_random(entry: Entry, x: np.ndarray) -> None:
    if entry.covers == "log1p":
        x = np.abs(x)
    inputs = [x] + [np.array(value) for value in entry.extra]
    _assert_finite_with_finite_gradient(lambda *vs: entry.fn(*vs).sum(), inputs)


def _extreme_loss_inputs(entry: Entry, x: np.ndarray) -> tuple[np.ndarray, Any]:
    """(prediction, target) at extreme values for the loss of ``entry``."""
    if entry.covers == "binary_cross_entropy":
        p = np.resize(np.array([0.0, 1.0, 1e-300, 1.0 - 1e-16, 0.5, 5e-324, 1e-45]), x.shape)
        t = np.resize(np.array([1.0, 0.0, 1.0, 0.0, 0.3, 1.0, 0.7]), x.shape)
        return p, t
    if entry.covers in ("cross_entropy", "nll_loss"):
        return x, _classes(x.shape)
    if entry.covers == "hinge_loss":
        return x, _labels(x.shape)
    return x, np.resize(np.array([1000.0, -1000.0, 0.0, 0.25, 1.0]), x.shape)


_LOSS_FUNCTIONS = {name: getattr(module, name) for module in (losses, losses_classification)
                   for name in _public_functions(module)}
_LOSS_FUNCTIONS["cosine_embedding_loss"] = lambda p, t, r: nn.cosine_embedding_loss(
    p, t, np.resize([1.0, -1.0], np.shape(p)[:-1]), reduction=r)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("entry", LOSSES, ids=lambda e: e.name)
def test_loss_extreme_inputs(entry: Entry, reduction: str) -> None:
    prediction, target = _extreme_loss_inputs(entry, _extreme_rows(entry))
    fn = _LOSS_FUNCTIONS[entry.covers]
    _assert_finite_with_finite_gradient(lambda p: fn(p, target, reduction), [prediction])


def test_extreme_values_are_right() -> None:
    """Not just finite: the limits are the mathematically right ones."""
    x = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(nn.sigmoid(Value(x)).data, [0.0, 1.0])
    np.testing.assert_array_equal(nn.softplus(Value(x)).data, [0.0, 1000.0])
    np.testing.assert_array_equal(nn.elu(Value(x)).data, [-1.0, 1000.0])
    np.testing.assert_array_equal(nn.gelu(Value(x)).data, [0.0, 1000.0])
    np.testing.assert_array_equal(nn.silu(Value(x)).data, [0.0, 1000.0])
    np.testing.assert_allclose(nn.log_softmax(Value(x)).data, [-2000.0, 0.0])
    np.testing.assert_array_equal(nn.softmax(Value(x)).data, [0.0, 1.0])
    np.testing.assert_array_equal(nn.softmin(Value(x)).data, [1.0, 0.0])
    np.testing.assert_allclose(nn.selu(Value(x)).data, [-1.0507009873554805 * 1.6732632423543772, 1050.7009873554805])
    np.testing.assert_array_equal(nn.celu(Value(x), 2.0).data, [-2.0, 1000.0])
    np.testing.assert_array_equal(nn.mish(Value(x)).data, [0.0, 1000.0])
    np.testing.assert_array_equal(nn.logsigmoid(Value(x)).data, [-1000.0, 0.0])
    np.testing.assert_array_equal(nn.tanhshrink(Value(x)).data, [-999.0, 999.0])
    np.testing.assert_array_equal(nn.softsign(Value(x)).data, [-1000.0 / 1001.0, 1000.0 / 1001.0])
    np.testing.assert_array_equal(nn.hardswish(Value(x)).data, [0.0, 1000.0])
    np.testing.assert_array_equal(nn.hardsigmoid(Value(x)).data, [0.0, 1.0])
    np.testing.assert_array_equal(nn.relu6(Value(x)).data, [0.0, 6.0])
    np.testing.assert_array_equal(nn.hardtanh(Value(x)).data, [-1.0, 1.0])
    z = Value(np.array([1000.0, -1000.0]))
    loss = nn.binary_cross_entropy_with_logits(z, np.array([0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.data, [1000.0, 1000.0])
    p = Value(np.array([0.0, 1.0]))
    np.testing.assert_allclose(nn.binary_cross_entropy(p, np.array([1.0, 0.0]), reduction="none").data, [100.0, 100.0])
