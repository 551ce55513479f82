"""float32 end to end: given float32, every op, layer, loss and optimizer computes in float32.

Promotion follows NumPy: a float32 Value with a Python number stays float32; with a
float64 Value or float64 (or int64) ndarray it becomes float64, as the same NumPy
expression would. Within float32, nothing is silently upcast: not the forward
results, not the gradients, not the optimizers' states.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from autograd.engine import gradients
from nn import optim
from tests.graph_fuzzer import NAMESPACE, Graph, graphs

F32 = np.float32


def _float32_numpy() -> types.SimpleNamespace:
    """``np`` for the fuzzed graphs' source, with float literals made float32 (index arrays stay ints)."""

    def array(obj: Any) -> np.ndarray:
        a = np.array(obj)
        return a.astype(F32) if a.dtype.kind == "f" else a

    return types.SimpleNamespace(array=array)


def _dtype(x: Any) -> np.dtype[Any]:
    return x.dtype if isinstance(x, Value) else np.asarray(x).dtype


# ---------------------------------------------------------------------------- the engine


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(graphs(), st.integers(0, 2**32 - 1))
def test_every_result_and_gradient_of_a_float32_graph_is_float32(g: Graph, seed: int) -> None:
    """Random graphs of every primitive: forward results, .grad and create_graph gradients stay float32."""
    namespace = dict(NAMESPACE, np=_float32_numpy())
    exec(compile(g.source(), "<fuzzed graph>", "exec"), namespace)
    f = namespace["f"]
    rng = np.random.default_rng(seed)
    leaves = [Value(rng.uniform(-1.5, 1.5, s).astype(F32)) for s in g.input_shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out, nodes = f(*leaves)
        assume(np.isfinite(out.data))
        first = gradients(out, leaves, create_graph=True)
        out.backward()
    upcast = [line for line, node in zip(g.lines, nodes, strict=True) if node.dtype != F32]
    assert not upcast and out.dtype == F32, f"float64 results from: {upcast}\n{g.source()}"
    assert all(_dtype(leaf.grad) == F32 for leaf in leaves if leaf.grad is not None)
    assert all(_dtype(d) == F32 for d in first)


def test_scalars_and_promotion_follow_numpy() -> None:
    x = Value(np.float32(1.5))
    assert x.dtype == F32 and x.shape == ()
    assert (x * 2.0 + 1).dtype == F32 and (2 ** x).dtype == F32  # Python numbers do not promote
    v = Value(np.ones(2, dtype=F32))
    assert (v + Value(np.ones(2))).dtype == np.float64  # a float64 array Value promotes (as NumPy)
    assert (v * np.ones(2)).dtype == np.float64
    # A float64 scalar Value stores a Python float, so it combines like a Python number
    # (as a 0-d tensor does in PyTorch's promotion): a float32 array stays float32.
    assert (v + Value(1.0)).dtype == F32 and (x + Value(1.0)).dtype == F32
    assert Value([1.0, 2.0], dtype=F32).dtype == F32
    y = Value(np.ones(3, dtype=F32))
    (y.exp().sum() * 3.0).backward()
    assert y.grad.dtype == F32


def test_functional_api_keeps_float32() -> None:
    x = np.array([0.5, -1.0, 2.0], dtype=F32)

    def f(v: Any) -> Any:
        return (v.tanh() * v).sum()

    assert autograd.grad(f)(x).dtype == F32
    value, hv = autograd.hvp(f, x, np.ones(3, dtype=F32))
    assert _dtype(hv) == F32 and _dtype(value) == F32
    assert autograd.jacobian(lambda v: v.sin())(x).dtype == F32


# ---------------------------------------------------------------------------- nn: one test per layer

LAYERS: dict[str, Callable[[], nn.Module]] = {
    "Linear": lambda: nn.Linear(4, 3, dtype=F32),
    "Linear no bias": lambda: nn.Linear(4, 3, bias=False, dtype=F32),
    "Sequential": lambda: nn.Sequential(nn.Linear(4, 5, dtype=F32), nn.Tanh(), nn.Linear(5, 2, dtype=F32)),
    "MLP": lambda: nn.MLP(4, [6, 6, 2], dtype=F32),
    "MLP GELU": lambda: nn.MLP(4, [6, 2], activation=nn.GELU, dtype=F32),
    "Dropout": lambda: nn.Dropout(0.3, rng=np.random.default_rng(0)),
    "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "ReLU": nn.ReLU, "LeakyReLU": nn.LeakyReLU,
    "PReLU": lambda: nn.PReLU(dtype=F32), "PReLU per channel": lambda: nn.PReLU(4, dtype=F32),
    "ELU": nn.ELU, "Softmax": nn.Softmax, "LogSoftmax": nn.LogSoftmax,
    "GELU": nn.GELU, "GELU tanh": lambda: nn.GELU("tanh"),
    "Swish": nn.Swish, "Swish learnable": lambda: nn.Swish(1.5, learnable=True), "SiLU": nn.SiLU,
    "Softplus": nn.Softplus, "Softplus beta": lambda: nn.Softplus(beta=2.0, threshold=1.0),
    "SELU": nn.SELU, "CELU": lambda: nn.CELU(0.5), "Mish": nn.Mish, "Hardtanh": lambda: nn.Hardtanh(-0.5, 0.5),
    "ReLU6": nn.ReLU6, "Hardsigmoid": nn.Hardsigmoid, "Hardswish": nn.Hardswish, "Softsign": nn.Softsign,
    "LogSigmoid": nn.LogSigmoid, "Tanhshrink": nn.Tanhshrink, "Softmin": nn.Softmin,
}


def test_every_activation_module_is_in_the_layer_checks() -> None:
    modules = (nn.activations, nn.activations_hard, nn.activations_smooth)
    classes = {name for module in modules for name in module.__all__ if name[0].isupper()}
    assert classes <= set(LAYERS), classes - set(LAYERS)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_keeps_float32(name: str) -> None:
    layer = LAYERS[name]()
    x = Value(np.random.default_rng(1).normal(size=(5, 4)).astype(F32))
    for mode in ("train", "eval"):
        getattr(layer, mode)()
        x.zero_grad()
        layer.zero_grad()
        y = layer(x)
        assert y.dtype == F32, f"{name} ({mode}) returned {y.dtype}"
        (y * y).sum().backward()
        assert x.grad.dtype == F32
        for pname, p in layer.named_parameters():
            if p.dtype == F32 or pname.endswith("beta"):  # Swish's beta is a Python-float scalar (weak type)
                assert p.grad is not None and (p.dtype != F32 or p.grad.dtype == F32), pname


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_on_a_raw_float32_batch_keeps_float32(name: str) -> None:
    """A raw ndarray batch is a constant; the result is still float32."""
    raw = LAYERS[name]()(np.linspace(-2, 2, 8, dtype=F32).reshape(2, 4))
    assert _dtype(raw) == F32


def test_float32_layers_have_float32_parameters_and_state() -> None:
    model = nn.MLP(3, [4, 2], dtype=F32)
    assert all(p.dtype == F32 for p in model.parameters())
    assert all(a.dtype == F32 for a in model.state_dict().values())
    other = nn.MLP(3, [4, 2])  # float64, loaded from float32: keeps its own dtype
    other.load_state_dict(model.state_dict())
    assert all(p.dtype == np.float64 for p in other.parameters())


# ---------------------------------------------------------------------------- nn: losses

_rng = np.random.default_rng(2)
_PRED = _rng.normal(size=(6,)).astype(F32)
_PROBS = _rng.uniform(0.05, 0.95, size=(6,)).astype(F32)
_TARGET = _rng.normal(size=(6,)).astype(F32)
_BINARY = (_rng.uniform(size=6) > 0.5).astype(F32)
_SIGNS = np.where(_BINARY > 0, 1.0, -1.0).astype(F32)
_LOGITS = _rng.normal(size=(6, 3)).astype(F32)
_CLASSES = np.array([0, 2, 1, 1, 0, 2])

LOSSES: dict[str, tuple[Callable[..., Any], np.ndarray, Any]] = {
    "mse_loss": (nn.mse_loss, _PRED, _TARGET),
    "l1_loss": (nn.l1_loss, _PRED, _TARGET),
    "huber_loss": (nn.huber_loss, _PRED, _TARGET),
    "binary_cross_entropy": (nn.binary_cross_entropy, _PROBS, _BINARY),
    "binary_cross_entropy_with_logits": (nn.binary_cross_entropy_with_logits, _PRED, _BINARY),
    "hinge_loss": (nn.hinge_loss, _PRED, _SIGNS),
    "cross_entropy": (nn.cross_entropy, _LOGITS, _CLASSES),
    "nll_loss": (nn.nll_loss, np.log(np.full((6, 3), 1 / 3, dtype=F32)), _CLASSES),
    "MSELoss": (nn.MSELoss(), _PRED, _TARGET),
    "CrossEntropyLoss": (nn.CrossEntropyLoss(), _LOGITS, _CLASSES),
    "float64 target": (nn.mse_loss, _PRED, _TARGET.astype(np.float64)),  # cast to the prediction's dtype
    "int signs": (nn.hinge_loss, _PRED, _SIGNS.astype(np.int64)),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_keeps_float32(name: str, reduction: str) -> None:
    loss_fn, prediction, target = LOSSES[name]
    p = Value(prediction.copy())
    if isinstance(loss_fn, nn.Module):
        loss_fn.reduction = reduction
        loss = loss_fn(p, target)
    else:
        loss = loss_fn(p, target, reduction=reduction)
    assert loss.dtype == F32, f"{name} returned {loss.dtype}"
    (loss * loss).sum().backward()
    assert p.grad.dtype == F32


def test_regularization_keeps_float32() -> None:
    model = nn.MLP(3, [4, 1], dtype=F32)
    penalty = nn.l2_penalty(model.weights())
    assert penalty.dtype == F32
    loss = nn.regularized_loss(penalty * 0.5, model.parameters(), 1e-3)
    assert loss.dtype == F32
    loss.backward()
    assert all(p.grad.dtype == F32 for p in model.parameters())


# ---------------------------------------------------------------------------- nn: optimizers

OPTIMIZERS: dict[str, Callable[[Any], optim.Optimizer]] = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1),
    "SGD momentum wd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "SGD nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.01),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_keeps_float32(name: str) -> None:
    model = nn.MLP(3, [4, 1], dtype=F32)
    opt = OPTIMIZERS[name](model.parameters())
    scheduler = optim.StepLR(opt, step_size=1, gamma=0.5)
    X = np.random.default_rng(3).normal(size=(8, 3)).astype(F32)
    for _ in range(3):
        opt.zero_grad()
        nn.mse_loss(model(X), np.zeros((8, 1), dtype=F32)).backward()
        opt.step()
        scheduler.step()
    for p in model.parameters():
        assert p.dtype == F32 and p.data.dtype == F32
    for state in opt.state.values():
        for key, buffer in state.items():
            if isinstance(buffer, np.ndarray):
                assert buffer.dtype == F32, key


# ---------------------------------------------------------------------------- a training run


def _train(dtype: Any, steps: int = 150) -> tuple[list[float], nn.Module]:
    X, y, _ = nn.data.make_regression(n_samples=64, n_features=3, noise=0.1, seed=0)
    X, y = X.astype(dtype), y.reshape(-1, 1).astype(dtype)
    reference = nn.MLP(3, [8, 8, 1], activation=nn.Tanh, rng=np.random.default_rng(0))  # the same start for both
    model = nn.MLP(3, [8, 8, 1], activation=nn.Tanh, dtype=dtype)
    model.load_state_dict(reference.state_dict())
    opt = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.mse_loss(model(X), y)
        assert loss.dtype == dtype
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, model


def test_float32_training_matches_float64() -> None:
    """150 Adam steps of a tanh MLP on a regression set, from the same initial weights.

    Tolerance: each loss within 1e-4 relative of float64's, the final weights within 1e-5
    absolute. (float32 round-off is 6e-8 per op; measured here: losses agree to 1.0e-6
    relative and weights to 7e-7, so the bounds leave a margin of about 15-100x.)
    """
    losses32, model32 = _train(F32)
    losses64, model64 = _train(np.float64)
    assert losses64[-1] < 0.5 * losses64[0]  # it does train
    np.testing.assert_allclose(losses32, losses64, rtol=1e-4)
    for (name, p32), (_, p64) in zip(model32.named_parameters(), model64.named_parameters(), strict=True):
        assert p32.dtype == F32
        np.testing.assert_allclose(p32.data, p64.data, rtol=0, atol=1e-5, err_msg=name)
