"""Three PyTorch tutorials ported line by line to ``nn``, their losses compared with PyTorch's from the same start.

1. PyTorch's "fit sin(x) with a third-order polynomial" (``nn`` version): nn.Linear on [x, x^2, x^3],
   MSELoss(reduction='sum'), manual updates ``param -= learning_rate * param.grad`` under no_grad.
2. The same model trained with ``optim.SGD`` and ``zero_grad(set_to_none=True)``.
3. A small classifier: CrossEntropyLoss(label_smoothing=0.1), DataLoader over a TensorDataset, SGD
   with momentum, for a few epochs.

Each port is what a PyTorch user writes, with NumPy's creation functions in place of torch's.
Both sides run in float64 from the same weights (our state_dict loaded into torch's model).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

import nn
from autograd import Value
from nn import optim
from nn.data import DataLoader, TensorDataset, make_moons

STEPS = 2000


def polynomial_manual(steps: int = STEPS) -> tuple[list[float], nn.Module]:
    x = np.linspace(-math.pi, math.pi, 2000)
    y = np.sin(x)
    p = np.array([1, 2, 3])
    xx = Value(x, requires_grad=False).unsqueeze(-1).pow(p)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
    start = model.state_dict()
    loss_fn = nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    losses = []
    for _ in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with nn.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    return losses, start


def polynomial_optim(steps: int = STEPS) -> tuple[list[float], nn.Module]:
    x = np.linspace(-math.pi, math.pi, 2000)
    y = np.sin(x)
    xx = Value(x, requires_grad=False).unsqueeze(-1).pow(np.array([1, 2, 3]))
    nn.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
    start = model.state_dict()
    loss_fn = nn.MSELoss(reduction="sum")
    optimizer = optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return losses, start


def classifier(epochs: int = 5) -> tuple[list[float], nn.Module]:
    X, y = make_moons(256, noise=0.2, seed=0)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=False)
    nn.manual_seed(2)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    start = model.state_dict()
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return losses, start


def test_the_ports_train() -> None:
    """Without PyTorch too: the manual update loop changes the weights (the bug of issue 16) and each port learns."""
    manual, _ = polynomial_manual(200)
    with_optim, _ = polynomial_optim(200)
    classified, _ = classifier(2)
    assert manual[-1] < 0.2 * manual[0] and with_optim[-1] < 0.2 * with_optim[0]
    assert classified[-1] < 0.7 * classified[0]


# ---------------------------------------------------------------------------
# the same tutorials in PyTorch, from our starting weights

def _torch_polynomial(start: dict, use_optim: bool, steps: int = STEPS) -> list[float]:
    import torch

    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float64)
    y = torch.sin(x)
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)).double()
    model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9) if use_optim else None
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        if optimizer is None:
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= 1e-6 * param.grad
        else:
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return losses


def _torch_classifier(start: dict, epochs: int = 5) -> list[float]:
    import torch

    X, y = make_moons(256, noise=0.2, seed=0)
    data = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y))
    loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=False)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)).double()
    model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return losses


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """PyTorch on one thread: on a shared 2-core machine its thread pool made 2000 tiny steps take 20 s."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: nothing to compare the ports with")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("tutorial", ["polynomial, manual updates", "polynomial, optim.SGD", "classifier"])
def test_losses_equal_pytorchs(tutorial: str, one_torch_thread: None) -> None:
    if tutorial == "classifier":
        ours, start = classifier()
        theirs = _torch_classifier(start)
    else:
        manual = tutorial.endswith("manual updates")
        ours, start = polynomial_manual() if manual else polynomial_optim()
        theirs = _torch_polynomial(start, use_optim=not manual)
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    print(f"{tutorial}: first loss {ours[0]:.6f}, last ours {ours[-1]:.10g}, PyTorch {theirs[-1]:.10g}")
