"""Learning-rate schedulers with PyTorch's semantics.

Creating a scheduler records each group's starting ``lr`` as ``initial_lr`` and
counts as step 0; call ``scheduler.step()`` once per epoch, after ``optimizer.step()``.
Like PyTorch's, the rules are written recursively (each lr from the previous one),
which equals the closed forms below as long as nothing else changes ``lr``:

    StepLR:            lr_t = lr_0 * gamma ** (t // step_size)
    CosineAnnealingLR: lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2
"""

from __future__ import annotations

import math
from typing import Any

from nn.optim.optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses define ``get_lr`` (the new lr of each group from the current one)."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._last_lr: list[float] = []
        self.step()

    def get_lr(self) -> list[float]:
        """The learning rate of every group at ``last_epoch``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set each group's ``lr``."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step``."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""
        self.__dict__.update(state)


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: lr_t = lr_0 * gamma ** (t // step_size).

    Args:
        optimizer: the optimizer whose groups' lr to set.
        step_size: epochs between decays (>= 1).
        gamma: the decay factor (>= 0).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if int(step_size) < 1:
            raise ValueError(f"StepLR: step_size must be >= 1, got {step_size}")
        if not gamma >= 0:
            raise ValueError(f"StepLR: gamma must be >= 0, got {gamma}")
        self.step_size = int(step_size)
        self.gamma = float(gamma)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]


class CosineAnnealingLR(LRScheduler):
    """Cosine decay from lr_0 to eta_min over T_max epochs (continuing as a cosine beyond, as PyTorch).

    lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2, computed recursively:
    lr_t = eta_min + (lr_{t-1} - eta_min) (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T)).

    Args:
        optimizer: the optimizer whose groups' lr to set.
        T_max: the number of epochs of the half cosine (>= 1).
        eta_min: the smallest lr (>= 0).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803
        if int(T_max) < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be >= 1, got {T_max}")
        if not eta_min >= 0:
            raise ValueError(f"CosineAnnealingLR: eta_min must be >= 0, got {eta_min}")
        self.T_max = int(T_max)
        self.eta_min = float(eta_min)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, period, low = self.last_epoch, self.T_max, self.eta_min
        if t == 0:
            return [group["lr"] for group in groups]
        if (t - 1 - period) % (2 * period) == 0:
            # at the trough the ratio below would be 0/0: step up from eta_min instead
            return [group["lr"] + (base - low) * (1 - math.cos(math.pi / period)) / 2
                    for base, group in zip(self.base_lrs, groups, strict=True)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (group["lr"] - low) + low for group in groups]
