"""The training toolkit against PyTorch in float64 (skipped where torch is not installed).

Learning-rate sequences of every scheduler (``get_last_lr()`` and the optimizer's
groups, momentum and betas included for OneCycleLR), parameter groups with their
own hyperparameters, ``state_dict()`` round trips in the middle of a run, and
nn.utils' clipping and vector functions, each compared with torch's own result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the cross-checks against it are skipped")

import nn  # noqa: E402
from autograd import Value  # noqa: E402
from nn import optim  # noqa: E402

TOLERANCE = 1e-10
rng = np.random.default_rng(7)
X = rng.normal(size=(12, 3))
Y = rng.normal(size=(12, 2))
START = [rng.normal(size=(4, 3)) * 0.5, rng.normal(size=4) * 0.1, rng.normal(size=(2, 4)) * 0.5, rng.normal(size=2)]


def _loss_ours(params: list[Any]) -> Any:
    hidden = nn.tanh(Value(X) @ params[0].T + params[1])
    return nn.mse_loss(hidden @ params[2].T + params[3], Y)


def _loss_torch(params: list[Any]) -> Any:
    hidden = torch.tanh(torch.tensor(X) @ params[0].T + params[1])
    return torch.nn.functional.mse_loss(hidden @ params[2].T + params[3], torch.tensor(Y))


def _groups(params: list[Any], groups: list[dict] | None) -> list[Any]:
    """The parameters split into groups [W1, b1] and [W2, b2] with the given options each (or one list)."""
    if groups is None:
        return params
    return [{"params": params[2 * i:2 * i + 2], **options} for i, options in enumerate(groups)]


# ---------------------------------------------------------------------------
# schedulers: the learning-rate sequence (and momentum / beta1 for OneCycleLR)

def _seq(module: Any, opt: Any) -> Any:
    """SequentialLR: a LinearLR warm-up for 4 epochs, then a cosine over the rest."""
    s = module.lr_scheduler if module is torch.optim else module
    warm = s.LinearLR(opt, start_factor=0.1, total_iters=4)
    cosine = s.CosineAnnealingLR(opt, T_max=10, eta_min=1e-4)
    return s.SequentialLR(opt, [warm, cosine], milestones=[4])


def _seq3(module: Any, opt: Any) -> Any:
    s = module.lr_scheduler if module is torch.optim else module
    parts = [s.ExponentialLR(opt, gamma=0.8), s.StepLR(opt, step_size=2, gamma=0.5),
             s.MultiStepLR(opt, milestones=[3, 5, 5], gamma=0.3)]
    return s.SequentialLR(opt, parts, milestones=[5, 12])


SCHEDULERS: list[tuple[str, str, Callable[[Any, Any], Any] | dict]] = [
    ("StepLR", "SGD", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", "SGD", dict(milestones=[2, 5, 5, 11], gamma=0.4)),
    ("ExponentialLR", "Adam", dict(gamma=0.9)),
    ("CosineAnnealingLR", "SGD", dict(T_max=6, eta_min=0.01)),
    ("LinearLR", "SGD", dict(start_factor=0.25, end_factor=1.0, total_iters=6)),
    ("LinearLR", "Adam", dict(start_factor=1.0, end_factor=0.1, total_iters=10)),
    ("LambdaLR", "SGD", dict(lr_lambda=lambda t: 1.0 / (1.0 + 0.3 * t))),
    ("OneCycleLR", "SGD", dict(max_lr=0.5, total_steps=25)),
    ("OneCycleLR", "Adam", dict(max_lr=[0.02, 0.05], total_steps=25, anneal_strategy="linear", pct_start=0.4)),
    ("OneCycleLR", "RMSprop", dict(max_lr=0.03, epochs=5, steps_per_epoch=5, three_phase=True, div_factor=10.0,
                                   final_div_factor=100.0)),
    ("OneCycleLR", "Adagrad", dict(max_lr=0.1, total_steps=25, cycle_momentum=False)),
    ("SequentialLR", "SGD", _seq),
    ("SequentialLR", "AdamW", _seq3),
]
OPTIONS = {"SGD": dict(lr=0.1, momentum=0.9), "Adam": dict(lr=0.01), "AdamW": dict(lr=0.01),
           "RMSprop": dict(lr=0.01, momentum=0.5), "Adagrad": dict(lr=0.1)}


def _schedule(module: Any, name: str, opt_name: str, make: Any) -> tuple[list, list, list]:
    """(lrs, momenta, parameters) over 25 steps of training with the scheduler stepping after each step."""
    is_torch = module is torch.optim
    params = [torch.tensor(a, requires_grad=True) if is_torch else nn.Parameter(a) for a in START]
    lrs = [0.1, 0.2] if name == "OneCycleLR" and isinstance(make, dict) and isinstance(make["max_lr"], list) else None
    groups = _groups(params, [dict(lr=lr) for lr in lrs] if lrs else [{}, {"lr": OPTIONS[opt_name]["lr"] * 2}])
    extra = dict(foreach=False) if is_torch else {}
    opt = getattr(module, opt_name)(groups, **OPTIONS[opt_name], **extra)
    schedulers = module.lr_scheduler if is_torch else module
    scheduler = make(module, opt) if callable(make) else getattr(schedulers, name)(opt, **make)
    sequence, momenta, trajectory = [scheduler.get_last_lr()], [], []
    for _ in range(25):
        opt.zero_grad()
        (_loss_torch if is_torch else _loss_ours)(params).backward()
        opt.step()
        scheduler.step()
        sequence.append(list(scheduler.get_last_lr()))
        momenta.append([g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups])
        trajectory.append([np.array(p.detach().numpy() if is_torch else p.data) for p in params])
    return sequence, momenta, trajectory


@pytest.mark.parametrize("name,opt_name,make", SCHEDULERS, ids=[f"{s[0]}-{s[1]}" for s in SCHEDULERS])
def test_scheduler_sequences_match_torch(name: str, opt_name: str, make: Any) -> None:
    ours_lr, ours_momentum, ours_params = _schedule(optim, name, opt_name, make)
    torch_lr, torch_momentum, torch_params = _schedule(torch.optim, name, opt_name, make)
    np.testing.assert_allclose(np.array(ours_lr, dtype=float), np.array(torch_lr, dtype=float), rtol=1e-13, atol=1e-16)
    assert len({tuple(lr) for lr in ours_lr}) > 2                      # the schedule did change the lr
    np.testing.assert_allclose(np.array(ours_momentum, dtype=float), np.array(torch_momentum, dtype=float),
                               rtol=1e-13)
    for a_step, b_step in zip(ours_params, torch_params, strict=True):
        for a, b in zip(a_step, b_step, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=TOLERANCE)


PLATEAU = [dict(), dict(mode="max", factor=0.5, patience=2, threshold=0.05, threshold_mode="abs", cooldown=2),
           dict(factor=0.3, patience=1, threshold=0.1, cooldown=1, min_lr=[0.004, 0.02], eps=1e-3),
           dict(mode="max", patience=0, threshold_mode="rel", threshold=0.2, min_lr=0.01)]
METRICS = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.91, 0.8, 0.85, 0.86, 0.9, 0.7, 0.71, 0.7, 0.69, 0.72, 0.6, 0.61,
           float("nan"), 0.62, 0.5, 0.55, 0.56, 0.57, 0.58, 0.59, 0.6, 0.4, 0.41, 0.42]


@pytest.mark.parametrize("options", PLATEAU, ids=str)
def test_reduce_lr_on_plateau_matches_torch(options: dict) -> None:
    sequences = []
    for module in (optim, torch.optim):
        params = [torch.tensor(a) if module is torch.optim else nn.Parameter(a) for a in START]
        opt = module.SGD(_groups(params, [{}, {"lr": 0.2}]), lr=0.1)
        schedulers = module.lr_scheduler if module is torch.optim else module
        scheduler = schedulers.ReduceLROnPlateau(opt, **options)
        lrs = []
        for metric in METRICS * 2:
            scheduler.step(metric)
            lrs.append(list(scheduler.get_last_lr()))
        sequences.append(lrs)
    np.testing.assert_allclose(sequences[0], sequences[1], rtol=1e-15)
    assert sequences[0][-1] != sequences[0][0]                          # it did cut the lr


# ---------------------------------------------------------------------------
# parameter groups and state_dict mid-run

GROUPED = [
    ("SGD", dict(lr=0.1), [dict(momentum=0.9, nesterov=True), dict(lr=0.02, weight_decay=0.1, maximize=True)]),
    ("Adam", dict(lr=0.01), [dict(betas=(0.8, 0.9), amsgrad=True), dict(lr=0.03, weight_decay=0.2)]),
    ("AdamW", dict(lr=0.01), [dict(weight_decay=0.5), dict(lr=0.002, eps=1e-4, amsgrad=True)]),
    ("RMSprop", dict(lr=0.01), [dict(centered=True, momentum=0.3), dict(alpha=0.8, weight_decay=0.1)]),
    # (PyTorch's Adagrad ignores a group's own initial_accumulator_value; ours uses it: see test_nn_training.py)
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5), [dict(lr_decay=0.1), dict(eps=1e-3, weight_decay=0.3)]),
]


def _grouped_run(module: Any, name: str, defaults: dict, groups: list[dict], reload_at: int | None) -> list:
    """20 steps with two parameter groups; at ``reload_at`` a new optimizer continues from a state_dict."""
    is_torch = module is torch.optim
    params = [torch.tensor(a, requires_grad=True) if is_torch else nn.Parameter(a) for a in START]
    extra = dict(foreach=False) if is_torch else {}
    make = lambda: getattr(module, name)(_groups(params, groups), **defaults, **extra)  # noqa: E731
    opt = make()
    trajectory = []
    for step in range(20):
        if step == reload_at:
            saved = opt.state_dict()
            opt = make()
            opt.load_state_dict(saved)
        opt.zero_grad()
        (_loss_torch if is_torch else _loss_ours)(params).backward()
        opt.step()
        trajectory.append([np.array(p.detach().numpy() if is_torch else p.data) for p in params])
    return trajectory


def _worst(a: list, b: list) -> float:
    return max(float(np.max(np.abs(x - y))) for sa, sb in zip(a, b, strict=True) for x, y in zip(sa, sb, strict=True))


@pytest.mark.parametrize("name,defaults,groups", GROUPED, ids=[g[0] for g in GROUPED])
def test_parameter_groups_and_state_dict_round_trip_match_torch(name: str, defaults: dict, groups: list) -> None:
    theirs = _grouped_run(torch.optim, name, defaults, groups, None)
    ours = _grouped_run(optim, name, defaults, groups, None)
    resumed = _grouped_run(optim, name, defaults, groups, reload_at=9)
    assert _worst(ours, theirs) < TOLERANCE
    assert _worst(resumed, ours) == 0.0                   # continuing from a state_dict changes nothing
    assert _worst(ours, [START] * 20) > 1e-3              # the parameters did move


# ---------------------------------------------------------------------------
# nn.utils

def _grads(scale: float) -> list[np.ndarray]:
    g = np.random.default_rng(3)
    return [g.normal(size=a.shape) * scale for a in START]


@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    grads = _grads(2.0)
    ours = [nn.Parameter(a) for a in START]
    theirs = [torch.tensor(a, requires_grad=True) for a in START]
    for p, t, g in zip(ours, theirs, grads, strict=True):
        p.grad, t.grad = g.copy(), torch.tensor(g)
    ours[1].grad = theirs[1].grad = None                     # a parameter without a gradient is skipped
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type, foreach=False)
    assert isinstance(total, float) and total == pytest.approx(float(expected), rel=1e-13)
    for p, t in zip(ours, theirs, strict=True):
        if t.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-13)


def test_clip_grad_value_and_vectors_match_torch() -> None:
    grads = _grads(1.0)
    ours = [nn.Parameter(a) for a in START]
    theirs = [torch.tensor(a, requires_grad=True) for a in START]
    for p, t, g in zip(ours, theirs, grads, strict=True):
        p.grad, t.grad = g.copy(), torch.tensor(g)
    nn.utils.clip_grad_value_(ours, 0.3)
    torch.nn.utils.clip_grad_value_(theirs, 0.3, foreach=False)
    for p, t in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
    vector = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vector, torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    new = np.arange(vector.size, dtype=np.float64)
    nn.utils.vector_to_parameters(new, ours)
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for p, t in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.data, t.detach().numpy())
