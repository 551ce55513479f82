"""W5, the digits CNN's training step: its data, initial weights, floor and ours (NumPy only at import).

The network is examples/digits_cnn.py's (Conv2d-BatchNorm2d-ReLU-MaxPool2d twice, Flatten,
Linear(128, 10)); one step = forward + cross-entropy + backward + AdamW (lr 0.01, weight decay
0.01, PyTorch's update), BatchNorm in training mode (batch statistics). Every engine starts from
our ``nn`` model's seeded ``state_dict`` (PyTorch's names and layouts) and the same batch of 64
random 8x8 images and labels. The peers' workers import only NumPy: run.py (or w5_cnn.py) writes
the initial state to an ``.npz`` file (``state_file``) and the worker reads it (``load_state``).

Each Job resets the model and the optimizer in its untimed ``setup``, so a timed run of ``inner``
steps ends on the loss of step ``inner`` from the start (``floor_loss`` gives the reference).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from benchlib.cnn_floor import NAMES, FloorCNN
from benchlib.harness import Job

BATCH, LR, WEIGHT_DECAY, EPS = 64, 0.01, 0.01, 1e-5
BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
DTYPES = ("float64", "float32")
_STATE: dict[str, np.ndarray] = {}


def batch(dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """64 random 8x8 one-channel images (N, C, H, W) of ``dtype`` and integer labels in 0..9 (seed 5)."""
    rng = np.random.default_rng(5)
    return rng.random((BATCH, 1, 8, 8)).astype(dtype), rng.integers(0, 10, BATCH)


def make_ours() -> Any:
    import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 10),
    )


def initial_state() -> dict[str, np.ndarray]:
    """The CNN's initial weights, from our nn (seed 0), as a name -> float64 array dict (made once)."""
    if not _STATE:
        import nn

        nn.manual_seed(0)
        _STATE.update({k: np.asarray(v, dtype=np.float64) for k, v in make_ours().state_dict().items()})
    return _STATE


def params(state: dict[str, np.ndarray], dtype: Any) -> list[np.ndarray]:
    """The ten trained parameters in ``cnn_floor.NAMES``' order (conv1 w, b, bn1 gamma, beta, conv2..., linear)."""
    return [np.array(state[name], dtype=dtype) for name in NAMES]


@contextlib.contextmanager
def state_file() -> Iterator[str]:
    """The initial state saved to a temporary ``.npz`` (for the peers' workers), removed afterwards."""
    fd, path = tempfile.mkstemp(suffix=".npz", prefix="w5_state_")
    os.close(fd)
    try:
        np.savez(path, **initial_state())  # type: ignore[arg-type]  # (the stubs read it as allow_pickle)
        yield path
    finally:
        os.unlink(path)


def load_state(path: str) -> dict[str, np.ndarray]:
    with np.load(path) as archive:
        return {k: archive[k] for k in archive.files}


def resettable(make: Any) -> Job:
    """A Job whose setup builds a fresh (model, optimizer) step function with ``make()``."""
    current: list[Any] = [make()]

    def setup() -> None:
        current[0] = make()

    return Job(lambda: current[0](), setup)


def ours_job(dtype: str, state: dict[str, np.ndarray] | None = None) -> Job:
    import nn
    from nn import optim

    x, y = batch(dtype)

    def make() -> Any:
        model = make_ours()
        model.load_state_dict(state or initial_state())
        model.to(np.dtype(dtype))
        opt = optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)

        def step() -> float:
            loss = nn.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return float(loss.item())

        return step

    return resettable(make)


def floor_job(dtype: str, state: dict[str, np.ndarray] | None = None) -> Job:
    x, y = batch(dtype)

    def make() -> Any:
        floor = FloorCNN(state or initial_state(), np.dtype(dtype), LR, WEIGHT_DECAY)
        return lambda: floor.step(x, y)

    return resettable(make)


def floor_loss(dtype: str, steps: int, state: dict[str, np.ndarray] | None = None) -> float:
    """The floor's loss at step ``steps`` from the start (the reference every engine is checked against)."""
    floor = FloorCNN(state or initial_state(), np.dtype(dtype), LR, WEIGHT_DECAY)
    x, y = batch(dtype)
    loss = 0.0
    for _ in range(steps):
        loss = floor.step(x, y)
    return loss


def adamw_update(p: Any, g: Any, m: Any, v: Any, t: int) -> tuple[Any, Any, Any]:
    """PyTorch's AdamW on arrays (NumPy or jax.numpy): the new (p, m, v) after step ``t`` (1-based)."""
    beta1, beta2 = BETAS
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    p = p * (1 - LR * WEIGHT_DECAY) - (LR / (1 - beta1**t)) * m / ((v / (1 - beta2**t)) ** 0.5 + ADAM_EPS)
    return p, m, v
