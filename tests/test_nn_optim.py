"""Optimizers and schedulers: each option's update written out by hand from the documented formulas.

The expected values below are computed in the test with plain NumPy from the
update rules (PyTorch's documented algorithms), never by the optimizer itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import optim

THETA0 = np.array([[0.5, -1.5], [2.0, 0.25]])
GRADS = [np.array([[0.1, -0.2], [0.3, 0.05]]), np.array([[-0.4, 0.1], [0.2, -0.3]]),
         np.array([[0.05, 0.6], [-0.1, 0.2]])]


def _run(make, steps: int = 3) -> list[np.ndarray]:
    """Apply GRADS[0..steps) to a fresh parameter; return the parameter after each step."""
    param = nn.Parameter(THETA0)
    opt = make([param])
    out = []
    for g in GRADS[:steps]:
        param.grad = g.copy()
        opt.step()
        out.append(np.array(param.data))
    return out


def _assert_trajectory(got: list[np.ndarray], expected: list[np.ndarray]) -> None:
    for step, (a, b) in enumerate(zip(got, expected, strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15, err_msg=f"step {step + 1}")


# ---------------------------------------------------------------------------
# SGD


@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight_decay=0.1), dict(momentum=0.9), dict(momentum=0.9, dampening=0.3),
     dict(momentum=0.8, nesterov=True), dict(momentum=0.9, dampening=0.2, weight_decay=0.05),
     dict(momentum=0.7, nesterov=True, weight_decay=0.01), dict(maximize=True, momentum=0.5),
     dict(maximize=True, weight_decay=0.1), dict(maximize=True, momentum=0.9, nesterov=True, weight_decay=0.2)],
    ids=str,
)
def test_sgd_matches_the_documented_rule(options: dict) -> None:
    lr = 0.1
    mu, tau = options.get("momentum", 0.0), options.get("dampening", 0.0)
    wd, nesterov = options.get("weight_decay", 0.0), options.get("nesterov", False)
    theta, buffer, expected = THETA0.copy(), None, []
    for t, g in enumerate(GRADS, start=1):
        if options.get("maximize"):
            g = -g  # negated first: the decay below still shrinks the weights
        g = g + wd * theta
        if mu:
            buffer = g if t == 1 else mu * buffer + (1 - tau) * g
            g = g + mu * buffer if nesterov else buffer
        theta = theta - lr * g
        expected.append(theta)
    _assert_trajectory(_run(lambda p: optim.SGD(p, lr=lr, **options)), expected)


def test_sgd_one_plain_step_by_hand() -> None:
    (after,) = _run(lambda p: optim.SGD(p, lr=0.5), steps=1)
    np.testing.assert_allclose(after, [[0.45, -1.4], [1.85, 0.225]], rtol=1e-15)


def test_sgd_on_l2_regularized_loss_equals_weight_decay_2_lambda() -> None:
    """SGD on L + lam * sum w^2 takes the same steps as SGD(weight_decay = 2 lam) on L."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))  # noqa: N806
    lam = 0.05
    nn.manual_seed(0)
    a = nn.Linear(3, 1)
    b = nn.Linear(3, 1)
    b.load_state_dict(a.state_dict())
    start = np.array(a.weight.data)
    opt_a = optim.SGD(a.weights(), lr=0.1, momentum=0.9)
    opt_b = optim.SGD(b.weights(), lr=0.1, momentum=0.9, weight_decay=2 * lam)
    for _ in range(20):
        for model, opt, regularize in ((a, opt_a, True), (b, opt_b, False)):
            opt.zero_grad()
            model.zero_grad()
            loss = nn.mse_loss(model(X), y)
            if regularize:
                loss = nn.regularized_loss(loss, model.weights(), lam)
            loss.backward()
            opt.step()
        np.testing.assert_allclose(a.weight.data, b.weight.data, rtol=1e-12, atol=1e-15)
    assert np.abs(a.weight.data - start).max() > 1e-2  # the weights did move


def test_regularized_loss_gradient_is_grad_plus_two_lambda_w() -> None:
    rng = np.random.default_rng(1)
    model = nn.MLP(3, [4, 2], activation=nn.Tanh)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))  # noqa: N806
    lam = 0.3
    nn.mse_loss(model(X), y).backward()
    plain = {name: np.array(p.grad) for name, p in model.named_parameters()}
    model.zero_grad()
    nn.regularized_loss(nn.mse_loss(model(X), y), model.weights(), lam).backward()
    weights = dict(model.named_weights())
    for name, p in model.named_parameters():
        extra = 2 * lam * np.asarray(p.data) if name in weights else 0.0
        np.testing.assert_allclose(p.grad, plain[name] + extra, rtol=1e-13, atol=1e-15)


def test_l2_penalty_value() -> None:
    w1, w2 = Value(np.array([1.0, -2.0])), Value(np.array([[3.0]]))
    assert nn.l2_penalty([w1, w2]).data == 14.0
    assert nn.l2_penalty([]).data == 0.0
    with pytest.raises(ValueError, match="lam"):
        nn.regularized_loss(Value(1.0), [w1], -0.1)


# ---------------------------------------------------------------------------
# Adam / AdamW


def _adam_by_hand(lr, betas, eps, wd, decoupled, amsgrad=False) -> list[np.ndarray]:
    beta1, beta2 = betas
    theta, m, v, v_max, out = THETA0.copy(), 0.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        if decoupled:
            theta = theta - lr * wd * theta
        else:
            g = g + wd * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        m_hat = m / (1 - beta1**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta)
    return out


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("wd", [0.0, 0.1])
@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_and_adamw_match_the_documented_rules(decoupled: bool, wd: float, amsgrad: bool) -> None:
    cls = optim.AdamW if decoupled else optim.Adam
    make = lambda p: cls(p, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=wd, amsgrad=amsgrad)  # noqa: E731
    _assert_trajectory(_run(make), _adam_by_hand(0.01, (0.8, 0.95), 1e-6, wd, decoupled, amsgrad))


def test_adam_first_step_moves_each_coordinate_by_lr() -> None:
    """At t = 1, m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps) ~ lr * sign(g)."""
    (after,) = _run(lambda p: optim.Adam(p, lr=0.01, eps=0.0), steps=1)
    np.testing.assert_allclose(after, THETA0 - 0.01 * np.sign(GRADS[0]), rtol=1e-14)


def test_adamw_default_decay_and_coupling_differ() -> None:
    assert optim.AdamW([nn.Parameter(1.0)]).param_groups[0]["weight_decay"] == 1e-2
    assert optim.Adam([nn.Parameter(1.0)]).param_groups[0]["weight_decay"] == 0.0
    coupled = _run(lambda p: optim.Adam(p, lr=0.01, weight_decay=0.5))
    decoupled = _run(lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.5))
    assert not np.allclose(coupled[-1], decoupled[-1])


# ---------------------------------------------------------------------------
# common behaviour


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=-0.1), lambda p: optim.SGD(p, lr=0.1, weight_decay=-1.0),
    lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), lambda p: optim.SGD(p, lr=0.1, nesterov=True),
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda p: optim.Adam(p, lr=-1e-3), lambda p: optim.Adam(p, weight_decay=-0.1),
    lambda p: optim.Adam(p, betas=(1.0, 0.9)), lambda p: optim.Adam(p, eps=-1.0),
    lambda p: optim.AdamW(p, weight_decay=-0.01), lambda p: optim.AdamW(p, lr=float("nan")),
])
def test_invalid_hyperparameters_raise(make) -> None:
    with pytest.raises(ValueError):
        make([nn.Parameter(np.zeros(2))])


def test_empty_and_duplicate_parameters_raise() -> None:
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    p = nn.Parameter(1.0)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda p: optim.Adam(p, lr=0.1, weight_decay=0.1, amsgrad=True), lambda p: optim.AdamW(p, lr=0.1),
])
def test_float32_parameters_stay_float32(make) -> None:
    params = [nn.Parameter(np.ones((2, 2)), dtype=np.float32), nn.Parameter(np.ones(()), dtype=np.float32)]
    opt = make(params)
    for _ in range(3):
        for p in params:
            p.grad = np.full(p.shape, 0.5, dtype=np.float32)
        opt.step()
    assert all(p.dtype == np.float32 and isinstance(p.data, np.ndarray) for p in params)
    assert all(opt.state[p][k].dtype == np.float32 for p in params for k in opt.state[p] if k != "step")


def test_scalar_parameters_and_missing_grads() -> None:
    a, b = nn.Parameter(2.0), nn.Parameter(np.ones(3))
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = 1.0
    opt.step()
    assert a.data == 1.5 and isinstance(a.data, float)
    np.testing.assert_array_equal(b.data, np.ones(3))  # no gradient: untouched
    opt.zero_grad()
    assert a.grad is None


def test_parameter_groups_have_their_own_lr() -> None:
    a, b = nn.Parameter(1.0), nn.Parameter(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (a.data, b.data) == (0.9, 0.5)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_state_dict_resumes_the_same_trajectory(cls) -> None:
    options = dict(lr=0.05, momentum=0.9) if cls is optim.SGD else dict(lr=0.05)
    reference = _run(lambda p: cls(p, **options))
    param = nn.Parameter(THETA0)
    opt = cls([param], **options)
    for g in GRADS[:2]:
        param.grad = g.copy()
        opt.step()
    saved = opt.state_dict()
    resumed = cls([param], **options)
    resumed.load_state_dict(saved)
    param.grad = GRADS[2].copy()
    resumed.step()
    np.testing.assert_array_equal(param.data, reference[2])


# ---------------------------------------------------------------------------
# schedulers


def test_step_lr_follows_the_closed_form() -> None:
    opt = optim.SGD([nn.Parameter(1.0)], lr=0.8)
    scheduler = optim.StepLR(opt, step_size=3, gamma=0.5)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(10):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(lrs, [0.8 * 0.5 ** (t // 3) for t in range(11)], rtol=1e-15)


def test_cosine_annealing_follows_the_closed_form_beyond_t_max() -> None:
    opt = optim.SGD([nn.Parameter(1.0)], lr=0.1)
    scheduler = optim.CosineAnnealingLR(opt, T_max=5, eta_min=0.01)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(15):
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    expected = [0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * t / 5)) / 2 for t in range(16)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)
    assert lrs[5] == pytest.approx(0.01) and lrs[10] == pytest.approx(0.1)


def test_scheduler_errors_and_state() -> None:
    opt = optim.SGD([nn.Parameter(1.0)], lr=0.1)
    with pytest.raises(ValueError):
        optim.StepLR(opt, step_size=0)
    with pytest.raises(ValueError):
        optim.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(TypeError):
        optim.StepLR("not an optimizer", step_size=1)
    scheduler = optim.StepLR(opt, step_size=1, gamma=0.5)
    scheduler.step()
    state = scheduler.state_dict()
    assert state["last_epoch"] == 1 and "optimizer" not in state


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
    lambda ps: optim.AdamW(ps, lr=0.1),
], ids=["SGD", "Adam", "AdamW"])
def test_every_optimizer_updates_the_parameter_array_in_place(make: Any) -> None:
    """As PyTorch's: a view of param.data taken before the step sees the update."""
    param = nn.Parameter(np.array([[1.0, -2.0], [3.0, 0.5]]))
    view, row = param.data, param.data[0]
    opt = make([param])
    (param * param).sum().backward()
    before = view.copy()
    opt.step()
    assert param.data is view
    assert not np.array_equal(view, before) and np.array_equal(row, param.data[0])
