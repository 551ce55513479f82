"""Learning-rate schedulers with PyTorch's semantics (``torch.optim.lr_scheduler``).

Creating a scheduler records each group's starting ``lr`` as ``initial_lr`` (the
``base_lrs``) and counts as step 0; call ``scheduler.step()`` once per epoch (or
per batch for OneCycleLR), after ``optimizer.step()``.  ``get_last_lr()`` lists the
learning rate of every group set by the last step.  Like PyTorch's, the rules are
written recursively (each lr from the previous one), which equals the closed forms
below as long as nothing else changes ``lr``  (t = the number of ``step()`` calls):

    StepLR:            lr_t = lr_0 * gamma ** (t // step_size)
    MultiStepLR:       lr_t = lr_0 * gamma ** (number of milestones <= t)
    ExponentialLR:     lr_t = lr_0 * gamma ** t
    CosineAnnealingLR: lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2
    LinearLR:          lr_t = lr_0 * (start + (end - start) * min(t, total_iters) / total_iters)
    LambdaLR:          lr_t = lr_0 * lr_lambda(t)

SequentialLR hands over from one scheduler to the next at its milestones (the next
one restarts from its own step 0); OneCycleLR and ReduceLROnPlateau live in
``one_cycle.py`` and ``plateau.py``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from typing import Any

from nn.optim.optimizer import Optimizer


def check_factor(owner: str, name: str, value: float, lo: float = 0.0, hi: float = math.inf,
                 lo_open: bool = False) -> float:
    """``value`` as a float, or ValueError naming ``owner: name`` and the value unless lo <(=) value <= hi."""
    value = float(value)
    inside = (value > lo if lo_open else value >= lo) and value <= hi
    if not inside:
        bracket = "(" if lo_open else "["
        raise ValueError(f"{owner}: {name} must be in {bracket}{lo}, {hi}], got {value}")
    return value


def check_count(owner: str, name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int, or ValueError naming ``owner: name`` unless it is an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) \
            or value != math.floor(value) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(math.floor(value))


class LRScheduler:
    """Base class: subclasses define ``get_lr`` (the new lr of each group, usually from the current one)
    and may define ``closed_form_lr`` (the lr at ``last_epoch`` from ``base_lrs``), which SequentialLR uses
    when it hands over to a scheduler."""

    needs_metric = False  # True for schedulers stepped with a metric (ReduceLROnPlateau)

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._last_lr: list[float] = []
        self.initial_step()

    def initial_step(self) -> None:
        """Step 0: what creating the scheduler does (SequentialLR calls it again when it starts)."""
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rate of every group at ``last_epoch``."""
        raise NotImplementedError

    def closed_form_lr(self) -> list[float] | None:
        """The learning rate of every group at ``last_epoch`` from ``base_lrs`` alone (None: no closed form)."""
        return None

    def step(self) -> None:
        """Advance one epoch and set each group's ``lr``."""
        self.last_epoch += 1
        self._set(self.get_lr())

    def jump_to(self, epoch: int) -> None:
        """Set ``last_epoch`` to ``epoch`` and each lr to its closed form there (as PyTorch's ``_update_lr``)."""
        self.last_epoch = epoch
        closed = self.closed_form_lr()
        self._set(self.get_lr() if closed is None else closed)

    def _set(self, lrs: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
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

    def _current(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs: lr_t = lr_0 * gamma ** (t // step_size).

    Args:
        optimizer: the optimizer whose groups' lr to set.
        step_size: epochs between decays (>= 1).
        gamma: the decay factor (>= 0).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_count("StepLR", "step_size", step_size)
        self.gamma = check_factor("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current()
        return [lr * self.gamma for lr in self._current()]

    def closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each milestone epoch: lr_t = lr_0 * gamma ** (milestones <= t).

    Args:
        optimizer: the optimizer whose groups' lr to set.
        milestones: epochs at which to decay (a milestone listed twice decays twice).
        gamma: the decay factor (>= 0).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1) -> None:
        self.milestones = Counter(check_count("MultiStepLR", "milestones", m, 0) for m in milestones)
        self.gamma = check_factor("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._current()]

    def closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: lr_t = lr_0 * gamma ** t.

    Args:
        optimizer: the optimizer whose groups' lr to set.
        gamma: the decay factor (>= 0).
    """

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_factor("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current()
        return [lr * self.gamma for lr in self._current()]

    def closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


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
        self.T_max = check_count("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_factor("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        t, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current()
        if (t - 1 - period) % (2 * period) == 0:
            # at the trough the ratio below would be 0/0: step up from eta_min instead
            return [lr + (base - low) * (1 - math.cos(math.pi / period)) / 2
                    for base, lr in zip(self.base_lrs, self._current(), strict=True)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - low) + low for lr in self._current()]

    def closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs (a warm-up when start < end), then keep it: lr_t = lr_0 (s + (e - s) min(t, total_iters) / total_iters).

    Args:
        optimizer: the optimizer whose groups' lr to set.
        start_factor: the factor at epoch 0, in (0, 1].
        end_factor: the factor from epoch ``total_iters`` on, in [0, 1].
        total_iters: the number of epochs of the ramp (>= 1).
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5) -> None:
        self.start_factor = check_factor("LinearLR", "start_factor", start_factor, 0.0, 1.0, lo_open=True)
        self.end_factor = check_factor("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        self.total_iters = check_count("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in self._current()]

    def closed_form_lr(self) -> list[float]:
        fraction = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * fraction)
                for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """lr_t = lr_0 * lr_lambda(t), with one function for every group or a list of one per group.

    Args:
        optimizer: the optimizer whose groups' lr to set.
        lr_lambda: a function of the epoch t returning a factor, or a list of them (one per group).
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]) -> None:
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if isinstance(lr_lambda, list | tuple):
            if len(lr_lambda) != groups:
                raise ValueError(f"LambdaLR: expected {groups} lr_lambdas (one per group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        if not all(callable(f) for f in self.lr_lambdas):
            raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {lr_lambda!r}")
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer and the functions (which cannot be saved)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}


class SequentialLR(LRScheduler):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` (restarted at its step 0), ...

    Args:
        optimizer: the optimizer all the schedulers belong to.
        schedulers: the schedulers, already created on ``optimizer``.
        milestones: the epochs at which to switch (one fewer than the schedulers, increasing).
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int]) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"SequentialLR needs an Optimizer, got {type(optimizer).__name__}")
        schedulers, milestones = list(schedulers), [check_count("SequentialLR", "milestones", m) for m in milestones]
        if not schedulers:
            raise ValueError("SequentialLR: schedulers is empty")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or isinstance(scheduler, SequentialLR) or scheduler.needs_metric:
                raise TypeError(f"SequentialLR: schedulers[{i}] must be an epoch scheduler, got {scheduler!r}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: schedulers[{i}] belongs to another optimizer")
        if len(milestones) != len(schedulers) - 1 or milestones != sorted(milestones):
            raise ValueError(f"SequentialLR: milestones must be {len(schedulers) - 1} increasing epochs "
                             f"(one fewer than the schedulers), got {milestones}")
        self.optimizer = optimizer
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = 0
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        for scheduler in schedulers:  # undo the step 0 each made when it was created
            scheduler.last_epoch -= 1
        schedulers[0].initial_step()
        self._last_lr = schedulers[0].get_last_lr()

    def step(self) -> None:
        """Advance one epoch: the scheduler in charge steps, or the next one starts at its step 0."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler.jump_to(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """Its own counters and each scheduler's state."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""
        state = dict(state)
        for scheduler, saved in zip(self._schedulers, state.pop("_schedulers"), strict=True):
            scheduler.load_state_dict(saved)
        self.__dict__.update(state)
