"""The training toolkit without PyTorch: each rule written out by hand from its documented formula.

RMSprop and Adagrad trajectories, scheduler closed forms, gradient clipping, flat
parameter vectors, L1 / elastic-net gradients, EarlyStopping and DataLoader.  The
expected values are computed here in plain NumPy, never by the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Value
from nn import optim
from nn.data import DataLoader, TensorDataset

THETA0 = np.array([[0.5, -1.5], [2.0, 0.25]])
GRADS = [np.array([[0.1, -0.2], [0.3, 0.05]]), np.array([[-0.4, 0.1], [0.2, -0.3]]),
         np.array([[0.05, 0.6], [-0.1, 0.2]]), np.array([[0.3, 0.3], [-0.2, 0.1]])]


def _run(make) -> list[np.ndarray]:
    param = nn.Parameter(THETA0)
    opt = make([param])
    out = []
    for g in GRADS:
        param.grad = g.copy()
        opt.step()
        out.append(np.array(param.data))
    return out


def _assert_trajectory(got: list[np.ndarray], expected: list[np.ndarray]) -> None:
    for step, (a, b) in enumerate(zip(got, expected, strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15, err_msg=f"step {step + 1}")


# ---------------------------------------------------------------------------
# RMSprop and Adagrad

@pytest.mark.parametrize("options", [
    dict(), dict(alpha=0.9, eps=1e-3), dict(momentum=0.8), dict(centered=True), dict(weight_decay=0.1),
    dict(centered=True, momentum=0.5, weight_decay=0.05, maximize=True),
], ids=str)
def test_rmsprop_matches_the_documented_rule(options: dict) -> None:
    lr, alpha, eps = 0.01, options.get("alpha", 0.99), options.get("eps", 1e-8)
    mu, wd = options.get("momentum", 0.0), options.get("weight_decay", 0.0)
    theta, v, g_avg, b, expected = THETA0.copy(), 0.0, 0.0, 0.0, []
    for g in GRADS:
        g = -g if options.get("maximize") else g
        g = g + wd * theta
        v = alpha * v + (1 - alpha) * g * g
        if options.get("centered"):
            g_avg = alpha * g_avg + (1 - alpha) * g
            denominator = np.sqrt(v - g_avg**2) + eps
        else:
            denominator = np.sqrt(v) + eps
        if mu:
            b = mu * b + g / denominator
            theta = theta - lr * b
        else:
            theta = theta - lr * g / denominator
        expected.append(theta)
    _assert_trajectory(_run(lambda p: optim.RMSprop(p, lr=lr, **options)), expected)


@pytest.mark.parametrize("options", [
    dict(), dict(lr_decay=0.5), dict(initial_accumulator_value=0.7, eps=1e-4), dict(weight_decay=0.2),
    dict(weight_decay=0.2, maximize=True),
], ids=str)
def test_adagrad_matches_the_documented_rule(options: dict) -> None:
    lr, decay, eps = 0.1, options.get("lr_decay", 0.0), options.get("eps", 1e-10)
    s, wd, theta, expected = options.get("initial_accumulator_value", 0.0), options.get("weight_decay", 0.0), \
        THETA0.copy(), []
    for t, g in enumerate(GRADS, start=1):
        g = -g if options.get("maximize") else g
        g = g + wd * theta
        s = s + g * g
        theta = theta - lr / (1 + (t - 1) * decay) * g / (np.sqrt(s) + eps)
        expected.append(theta)
    _assert_trajectory(_run(lambda p: optim.Adagrad(p, lr=lr, **options)), expected)


def test_adagrad_uses_each_groups_own_initial_accumulator() -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 3.0}], lr=1.0, eps=0.0)
    a.grad, b.grad = np.full(2, 1.0), np.full(2, 1.0)
    opt.step()
    np.testing.assert_allclose(a.data, 1.0 - 1.0 / 1.0)
    np.testing.assert_allclose(b.data, 1.0 - 1.0 / 2.0)        # sqrt(3 + 1) = 2


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad])
def test_maximize_ascends_where_minimizing_descends(cls) -> None:
    """On f(w) = -|w - 3|^2 (gradient -2 (w - 3)), maximize climbs to 3; without it the objective falls."""
    results = {}
    for maximize in (False, True):
        w = nn.Parameter(np.zeros(3))
        opt = cls([w], lr=0.05, maximize=maximize)
        for _ in range(200):
            w.grad = -2.0 * (np.asarray(w.data) - 3.0)
            opt.step()
        results[maximize] = float(-np.sum((np.asarray(w.data) - 3.0) ** 2))
    assert results[True] > -27.0 > results[False]


@pytest.mark.parametrize("cls", [optim.RMSprop, optim.Adagrad])
def test_new_optimizers_keep_float32_and_resume_from_state_dict(cls) -> None:
    params = [nn.Parameter(np.ones((2, 2)), dtype=np.float32), nn.Parameter(np.ones(()), dtype=np.float32)]
    opt = cls(params, lr=0.1, weight_decay=0.1)
    for _ in range(3):
        for p in params:
            p.grad = np.full(p.shape, 0.5, dtype=np.float32)
        opt.step()
    assert all(p.dtype == np.float32 for p in params)
    assert all(v.dtype == np.float32 for p in params for k, v in opt.state[p].items() if k != "step")
    reference = _run(lambda p: cls(p, lr=0.05, momentum=0.9) if cls is optim.RMSprop else cls(p, lr=0.05))
    param = nn.Parameter(THETA0)
    make = lambda: cls([param], lr=0.05, momentum=0.9) if cls is optim.RMSprop else cls([param], lr=0.05)  # noqa
    first = make()
    for g in GRADS[:2]:
        param.grad = g.copy()
        first.step()
    second = make()
    second.load_state_dict(first.state_dict())
    for g in GRADS[2:]:
        param.grad = g.copy()
        second.step()
    np.testing.assert_array_equal(param.data, reference[-1])


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1), lambda p: optim.Adam(p, lr=0.1),
    lambda p: optim.AdamW(p, lr=0.1, amsgrad=True), lambda p: optim.RMSprop(p, lr=0.1, centered=True),
    lambda p: optim.Adagrad(p, lr=0.1, weight_decay=0.1)])
def test_optimizers_update_the_parameter_array_in_place(make) -> None:
    """A view of param.data sees the step, as with PyTorch's in-place updates."""
    param = nn.Parameter(THETA0)
    array, view = param.data, param.data[:, :1]
    opt = make([param])
    for g in GRADS[:2]:
        param.grad = g.copy()
        opt.step()
    assert param.data is array
    np.testing.assert_array_equal(view, param.data[:, :1])
    assert not np.array_equal(param.data, THETA0)


# ---------------------------------------------------------------------------
# schedulers by their closed forms

def _lrs(make, steps: int = 30, lr: float = 0.8) -> list[float]:
    opt = optim.SGD([nn.Parameter(1.0)], lr=lr, momentum=0.9)
    scheduler = make(opt)
    out = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
        assert out[-1] == opt.param_groups[0]["lr"]
    return out


def test_schedulers_follow_their_closed_forms() -> None:
    t = np.arange(31)
    cases = [
        (lambda o: optim.MultiStepLR(o, [3, 7, 7], gamma=0.5), 0.8 * 0.5 ** ((t >= 3) + 2 * (t >= 7))),
        (lambda o: optim.ExponentialLR(o, gamma=0.9), 0.8 * 0.9**t),
        (lambda o: optim.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=8),
         0.8 * (0.2 + 0.7 * np.minimum(t, 8) / 8)),
        (lambda o: optim.LambdaLR(o, lambda e: 1 / (1 + e)), 0.8 / (1 + t)),
        (lambda o: optim.SequentialLR(o, [optim.LinearLR(o, 0.5, 1.0, 4), optim.ExponentialLR(o, 0.5)], [6]),
         np.where(t < 6, 0.8 * (0.5 + 0.5 * np.minimum(t, 4) / 4), 0.8 * 0.5 ** np.maximum(t - 6, 0))),
    ]
    for make, expected in cases:
        np.testing.assert_allclose(_lrs(make), expected, rtol=1e-12)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_warms_up_to_max_lr_and_anneals_to_the_floor(strategy: str) -> None:
    total, max_lr = 20, 1.0
    lrs = _lrs(lambda o: optim.OneCycleLR(o, max_lr=max_lr, total_steps=total, anneal_strategy=strategy),
               steps=total - 1)
    peak = int(0.3 * total) - 1                       # phase 1 ends at step pct_start * total - 1
    start, floor = max_lr / 25, max_lr / 25 / 1e4

    def anneal(a: float, b: float, p: float) -> float:
        return b + (a - b) * (1 + math.cos(math.pi * p)) / 2 if strategy == "cos" else a + (b - a) * p

    expected = [anneal(start, max_lr, s / peak) if s <= peak else anneal(max_lr, floor, (s - peak) / (total - 1 - peak))
                for s in range(total)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert lrs[peak] == pytest.approx(max_lr) and lrs[-1] == pytest.approx(floor)


def test_reduce_lr_on_plateau_by_hand() -> None:
    opt = optim.SGD([nn.Parameter(1.0)], lr=1.0)
    scheduler = optim.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    # best 1.0; three epochs without improvement (> patience 2) cut the lr; cooldown 1 skips one epoch
    metrics = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    lrs = []
    for m in metrics:
        scheduler.step(m)
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2]


def test_scheduler_state_dict_resumes_and_sequential_refuses_plateau() -> None:
    def run(resume_at: int | None) -> list[float]:
        opt = optim.SGD([nn.Parameter(1.0)], lr=0.8)
        make = lambda: optim.SequentialLR(opt, [optim.LinearLR(opt, 0.5, 1.0, 3),  # noqa: E731
                                                optim.CosineAnnealingLR(opt, T_max=6)], [4])
        scheduler, out = make(), []
        for t in range(12):
            if t == resume_at:
                saved, lr = scheduler.state_dict(), opt.param_groups[0]["lr"]
                for group in opt.param_groups:
                    group.pop("initial_lr")
                scheduler = make()
                scheduler.load_state_dict(saved)
                opt.param_groups[0]["lr"] = lr
            scheduler.step()
            out.append(scheduler.get_last_lr()[0])
        return out

    assert run(None) == run(7)
    opt = optim.SGD([nn.Parameter(1.0)], lr=0.8)
    with pytest.raises(TypeError, match="schedulers\\[1\\]"):
        optim.SequentialLR(opt, [optim.StepLR(opt, 2), optim.ReduceLROnPlateau(opt)], [3])


# ---------------------------------------------------------------------------
# Module helpers of the toolkit

def test_module_apply_requires_grad_and_dtype_conversion() -> None:
    model = nn.MLP(3, [4, 2], activation=nn.Tanh, rng=np.random.default_rng(0))
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "Tanh", "Linear", "MLP"]                   # children first, as PyTorch
    model.apply(lambda m: nn.init.zeros_(m.bias) if isinstance(m, nn.Linear) else None)
    assert all(np.all(m.bias.data == 0) for m in model.modules() if isinstance(m, nn.Linear))
    assert model.requires_grad_(False) is model and not any(p.requires_grad for p in model.parameters())
    model.requires_grad_(True)
    before = {name: np.array(p.data) for name, p in model.named_parameters()}
    nn.mse_loss(model(np.ones((2, 3))), np.zeros((2, 2))).backward()
    assert model.float() is model
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert model(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    model.double()
    for name, p in model.named_parameters():
        assert p.dtype == np.float64
        np.testing.assert_allclose(p.data, before[name], rtol=1e-7)       # float32 round trip
    with pytest.raises(TypeError, match="float16"):
        model.to(np.float16)


# ---------------------------------------------------------------------------
# nn.utils by hand

def test_clip_grad_norm_by_hand() -> None:
    a, b, c = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros((1, 1))), nn.Parameter(0.0)
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([[4.0]])  # joint 2-norm 5; c has no gradient
    alias = a.grad
    total = nn.utils.clip_grad_norm_([a, b, c], max_norm=1.0)
    assert total == 5.0 and c.grad is None
    np.testing.assert_allclose(a.grad, [3.0 / (5 + 1e-6), 0.0], rtol=1e-15)
    np.testing.assert_allclose(b.grad, [[4.0 / (5 + 1e-6)]], rtol=1e-15)
    assert a.grad is alias                                       # scaled in place
    a.grad, b.grad = np.array([3.0, -7.0]), np.array([[4.0]])
    assert nn.utils.clip_grad_norm_([a, b], 100.0, norm_type=math.inf) == 7.0
    np.testing.assert_allclose(a.grad, [3.0, -7.0])              # under the limit: unchanged (up to 1e-6)
    assert nn.utils.clip_grad_norm_([a, b], 100.0, norm_type=1) == 14.0
    assert nn.utils.clip_grad_norm_([c], 1.0) == 0.0             # nothing to clip


def test_clip_grad_norm_nonfinite() -> None:
    a = nn.Parameter(np.zeros(2))
    a.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="inf"):
        nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    assert math.isinf(nn.utils.clip_grad_norm_([a], 1.0))
    np.testing.assert_array_equal(a.grad, [np.nan, 0.0])        # scaled by 1 / inf = 0, as PyTorch


def test_clip_grad_value_and_vectors_by_hand() -> None:
    a, s = nn.Parameter(np.zeros((2, 2))), nn.Parameter(0.0)
    a.grad, s.grad = np.array([[-3.0, 0.1], [0.5, 2.0]]), -4.0
    nn.utils.clip_grad_value_([a, s], 0.5)
    np.testing.assert_array_equal(a.grad, [[-0.5, 0.1], [0.5, 0.5]])
    assert s.grad == -0.5
    w, b = nn.Parameter(np.arange(6.0).reshape(2, 3)), nn.Parameter(np.array([10.0, 11.0]))
    np.testing.assert_array_equal(nn.utils.parameters_to_vector([w, b]), [0, 1, 2, 3, 4, 5, 10, 11])
    view = w.data[0]
    nn.utils.vector_to_parameters(-np.arange(8.0), [w, b])
    np.testing.assert_array_equal(w.data, -np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(view, [0.0, -1.0, -2.0])      # written in place
    np.testing.assert_array_equal(b.data, [-6.0, -7.0])
    with pytest.raises(ValueError, match="length 8"):
        nn.utils.vector_to_parameters(np.zeros(7), [w, b])


# ---------------------------------------------------------------------------
# L1 and the elastic net

def test_l1_and_elastic_net_gradients() -> None:
    rng = np.random.default_rng(1)
    model = nn.MLP(3, [4, 2], activation=nn.Tanh)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))  # noqa: N806
    nn.mse_loss(model(X), y).backward()
    plain = {name: np.array(p.grad) for name, p in model.named_parameters()}
    weights = dict(model.named_weights())
    for lam, l1 in [(0.0, 0.1), (0.3, 0.2)]:
        model.zero_grad()
        loss = nn.regularized_loss(nn.mse_loss(model(X), y), model.weights(), lam, l1=l1)
        loss.backward()
        for name, p in model.named_parameters():
            w = np.asarray(p.data)
            extra = 2 * lam * w + l1 * np.sign(w) if name in weights else 0.0
            np.testing.assert_allclose(p.grad, plain[name] + extra, rtol=1e-13, atol=1e-15)
    w1, w2 = Value(np.array([1.0, -2.0])), Value(np.array([[-3.0]]))
    assert nn.l1_penalty([w1, w2]).data == 6.0 and nn.l1_penalty([]).data == 0.0
    total = nn.regularized_loss(Value(1.0), iter([w1, w2]), 0.5, l1=0.25)   # an iterator is read once
    assert total.data == 1.0 + 0.5 * 14.0 + 0.25 * 6.0


# ---------------------------------------------------------------------------
# EarlyStopping

def test_early_stopping_counts_patience_and_restores_the_best_weights() -> None:
    model = nn.Linear(2, 1)
    stopper = nn.EarlyStopping(patience=2, min_delta=0.01)
    history = [1.0, 0.5, 0.495, 0.4, 0.45, 0.41, 0.3]
    stops, best_weights = [], None
    for step, metric in enumerate(history):
        model.weight.data = np.full((1, 2), float(step))
        if step == 3:
            best_weights = np.array(model.weight.data)
        stops.append(stopper.step(metric, model))
        if stops[-1]:
            break
    # 0.495 is not better than 0.5 by more than 0.01: one bad epoch; 0.4 resets the count; 0.45, 0.41: two
    assert stops == [False, False, False, False, False, True]
    assert stopper.best == 0.4 and stopper.best_step == 3 and stopper.stopped
    np.testing.assert_array_equal(model.weight.data, np.full((1, 2), 5.0))   # step leaves the module alone
    stopper.restore(model)
    np.testing.assert_array_equal(model.weight.data, best_weights)


def test_early_stopping_max_mode_nan_and_no_restore() -> None:
    stopper = nn.EarlyStopping(patience=1, mode="max", restore_best=False)
    model = nn.Linear(1, 1)
    assert [stopper.step(m, model) for m in (0.5, 0.7)] == [False, False]
    assert stopper.step(float("nan"), model)              # NaN never improves
    assert stopper.best == 0.7 and stopper.best_step == 1 and stopper.best_state is None
    with pytest.raises(RuntimeError, match="no best state"):
        stopper.restore(model)


# ---------------------------------------------------------------------------
# TensorDataset and DataLoader

def test_data_loader_batches_cover_every_row() -> None:
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)  # noqa: N806
    dataset = TensorDataset(X, y)
    assert len(dataset) == 10
    np.testing.assert_array_equal(dataset[3][0], [6.0, 7.0])
    plain = list(DataLoader(dataset, batch_size=4))
    assert len(DataLoader(dataset, batch_size=4)) == 3 and [len(b[1]) for b in plain] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in plain]), y)
    dropped = DataLoader(dataset, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(b[1]) for b in dropped] == [4, 4]
    shuffled = DataLoader(dataset, batch_size=3, shuffle=True, seed=0)
    first, second = [np.concatenate([b[1] for b in shuffled]) for _ in range(2)]
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert not np.array_equal(first, second)                          # a new order every epoch
    again = DataLoader(dataset, batch_size=3, shuffle=True, seed=0)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in again]), first)   # seeded: reproducible
    for xb, yb in DataLoader(dataset, batch_size=3, shuffle=True, seed=1):
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)                # rows stay together
    items = [(np.array([i, i]), i) for i in range(5)]                  # any indexable dataset of tuples
    batches = list(DataLoader(items, batch_size=2))
    assert batches[0][0].shape == (2, 2) and list(batches[2][1]) == [4]
