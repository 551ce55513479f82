"""Cross-check against PyTorch in float64 (skipped where torch is not installed, as in CI).

Run it from an environment that has torch, e.g. a separate venv with the pinned
CPU wheel and this project on PYTHONPATH:  ``PYTHONPATH=. venv/bin/python -m pytest tests/test_nn_torch.py``.

Each optimizer (and scheduler) runs 20 steps on the same small network in both
frameworks; parameters must agree to 1e-10 at every step.  Activations and losses
are compared on random and extreme inputs, values and gradients.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the cross-checks against it are skipped")

import nn  # noqa: E402
from autograd import Value  # noqa: E402
from nn import optim  # noqa: E402

TOLERANCE = 1e-10
rng = np.random.default_rng(0)
X = rng.normal(size=(16, 3))
Y = rng.normal(size=(16, 2))
W1, B1 = rng.normal(size=(5, 3)) * 0.5, rng.normal(size=5) * 0.1
W2, B2 = rng.normal(size=(2, 5)) * 0.5, rng.normal(size=2) * 0.1

OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    # maximize on all five; with weight decay PyTorch negates the gradient before adding the decay
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.01, momentum=0.5, nesterov=True, weight_decay=0.2, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.005, momentum=0.8)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.003, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.2, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.05, weight_decay=0.2, maximize=True)),
]
SCHEDULERS = [None, ("StepLR", dict(step_size=4, gamma=0.5)), ("CosineAnnealingLR", dict(T_max=7, eta_min=1e-3))]
MAX_DEVIATION: dict[str, float] = {}


def _ours(name: str, options: dict, scheduler: tuple | None) -> list[list[np.ndarray]]:
    params = [nn.Parameter(a) for a in (W1, B1, W2, B2)]
    opt = getattr(optim, name)(params, **options)
    sched = getattr(optim, scheduler[0])(opt, **scheduler[1]) if scheduler else None
    trajectory = []
    for _ in range(20):
        opt.zero_grad()
        hidden = nn.tanh(Value(X) @ params[0].T + params[1])
        loss = nn.mse_loss(hidden @ params[2].T + params[3], Y)
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        trajectory.append([np.array(p.data) for p in params])
    return trajectory


def _theirs(name: str, options: dict, scheduler: tuple | None) -> list[list[np.ndarray]]:
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W1, B1, W2, B2)]
    opt = getattr(torch.optim, name)(params, foreach=False, **options)
    sched = getattr(torch.optim.lr_scheduler, scheduler[0])(opt, **scheduler[1]) if scheduler else None
    x, y = torch.tensor(X), torch.tensor(Y)
    trajectory = []
    for _ in range(20):
        opt.zero_grad()
        hidden = torch.tanh(x @ params[0].T + params[1])
        loss = torch.nn.functional.mse_loss(hidden @ params[2].T + params[3], y)
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


@pytest.mark.parametrize("scheduler", SCHEDULERS, ids=lambda s: s[0] if s else "constant")
@pytest.mark.parametrize("name,options", OPTIMIZERS, ids=[f"{n}{o}" for n, o in OPTIMIZERS])
def test_twenty_step_trajectories_match_torch(name: str, options: dict, scheduler: tuple | None) -> None:
    ours, theirs = _ours(name, options, scheduler), _theirs(name, options, scheduler)
    worst = max(float(np.max(np.abs(a - b))) for step_a, step_b in zip(ours, theirs, strict=True)
                for a, b in zip(step_a, step_b, strict=True))
    MAX_DEVIATION[f"{name} {options} {scheduler}"] = worst
    assert worst < TOLERANCE, worst
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(ours[-1], (W1, B1, W2, B2), strict=True))
    assert moved > 1e-3


F = torch.nn.functional
ACTIVATION_PAIRS = [
    (nn.sigmoid, torch.sigmoid), (nn.tanh, torch.tanh), (nn.relu, F.relu),
    (lambda x: nn.leaky_relu(x, 0.1), lambda x: F.leaky_relu(x, 0.1)),
    (lambda x: nn.prelu(x, 0.25), lambda x: F.prelu(x, torch.tensor([0.25], dtype=torch.float64))),
    (lambda x: nn.elu(x, 0.7), lambda x: F.elu(x, 0.7)),
    (nn.softmax, lambda x: F.softmax(x, -1)), (nn.log_softmax, lambda x: F.log_softmax(x, -1)),
    (nn.gelu, F.gelu), (lambda x: nn.gelu(x, "tanh"), lambda x: F.gelu(x, approximate="tanh")),
    (nn.silu, F.silu), (lambda x: nn.swish(x, 1.0), F.silu),
    (nn.softplus, F.softplus), (lambda x: nn.softplus(x, 2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.selu, F.selu), (nn.celu, F.celu),
    # PyTorch computes celu with 1 / alpha in float32: an alpha whose inverse is exact there
    (lambda x: nn.celu(x, 0.5), lambda x: F.celu(x, 0.5)),
    (nn.mish, F.mish), (nn.hardtanh, F.hardtanh),
    (lambda x: nn.hardtanh(x, -2.0, 2.5), lambda x: F.hardtanh(x, -2.0, 2.5)), (nn.relu6, F.relu6),
    # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (a relative error of 3e-8)
    (nn.hardsigmoid, F.hardsigmoid, 1e-7), (nn.hardswish, F.hardswish), (nn.softsign, F.softsign),
    (nn.logsigmoid, F.logsigmoid), (nn.tanhshrink, F.tanhshrink), (nn.softmin, lambda x: F.softmin(x, -1)),
    (lambda x: nn.softmin(x, 0), lambda x: F.softmin(x, 0)),
]
INPUTS = np.concatenate([rng.normal(size=60) * 4, [-1000.0, -50.0, -1e-8, 1e-8, 2.4999, 2.5001, 19.9, 20.1, 1000.0],
                         [-3.0, 3.0, -1.0, 1.0, 0.0, 6.0, -2.0, 2.5, -3.0001, 5.9999, -25.0, 25.0]])


@pytest.mark.parametrize("index", range(len(ACTIVATION_PAIRS)))
def test_activations_match_torch(index: int) -> None:
    ours_fn, torch_fn, *loose = ACTIVATION_PAIRS[index]
    x = INPUTS.reshape(-1, 3)
    w = np.cos(np.arange(x.size)).reshape(x.shape)
    v = Value(x)
    out = ours_fn(v)
    (out * w).sum().backward()
    t = torch.tensor(x, requires_grad=True)
    t_out = torch_fn(t)
    (t_out * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(v.grad, t.grad.numpy(), rtol=loose[0] if loose else 1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_torch(reduction: str) -> None:
    p = rng.normal(size=(6, 4)) * 3
    t = rng.normal(size=(6, 4)) * 3
    probs = 1 / (1 + np.exp(-p))
    soft = rng.random((6, 4))
    labels = rng.integers(0, 4, size=6)
    signs = np.where(rng.random((6, 4)) < 0.5, -1.0, 1.0)
    cases = [
        (nn.mse_loss, F.mse_loss, p, t), (nn.l1_loss, F.l1_loss, p, t),
        (nn.huber_loss, F.huber_loss, p, t),
        (lambda a, b, r: nn.huber_loss(a, b, r, delta=2.0), lambda a, b, reduction: F.huber_loss(
            a, b, reduction=reduction, delta=2.0), p, t),
        (nn.binary_cross_entropy, F.binary_cross_entropy, probs, soft),
        (nn.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, p * 100, soft),
        (nn.cross_entropy, F.cross_entropy, p * 100, labels), (nn.nll_loss, F.nll_loss, p, labels),
        (nn.hinge_loss, lambda a, b, reduction: getattr(torch, reduction if reduction != "none" else "clone")(
            torch.clamp(1 - a * b, min=0)), p, signs),
    ]
    for ours_fn, torch_fn, a, b in cases:
        v = Value(a)
        out = ours_fn(v, b, reduction)
        w = np.cos(np.arange(np.size(out.data))).reshape(np.shape(out.data))
        (out * w).sum().backward()
        ta = torch.tensor(a, requires_grad=True)
        t_out = torch_fn(ta, torch.tensor(b), reduction=reduction)
        (t_out * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(v.grad, ta.grad.numpy(), rtol=1e-9, atol=1e-12)
