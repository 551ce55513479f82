"""OneCycleLR (Smith and Topin, 2017) with PyTorch's semantics: one warm-up to ``max_lr``, one long annealing.

Stepped once per *batch*, for ``total_steps`` steps (or ``epochs * steps_per_epoch``):

    phase 1, steps 0 .. pct_start * total - 1: lr from max_lr / div_factor up to max_lr,
    phase 2, up to step total - 1:           lr from max_lr down to initial_lr / final_div_factor,

each by a half cosine ``end + (start - end) (1 + cos(pi p)) / 2`` or a line ``start + (end - start) p``
(p: the fraction of the phase done).  With ``cycle_momentum`` the momentum (or Adam's beta1) moves the
other way, from ``max_momentum`` down to ``base_momentum`` and back.  ``three_phase`` adds a symmetric
warm-down to initial_lr before the final annealing.
"""

from __future__ import annotations

import math
from typing import Any

from nn.optim.lr_scheduler import LRScheduler, check_count, check_factor
from nn.optim.optimizer import Optimizer


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[float]:
    """One value per parameter group: a list of them, or one value repeated."""
    if isinstance(value, list | tuple):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"OneCycleLR: {name} has {len(value)} values but the optimizer has "
                             f"{len(optimizer.param_groups)} parameter groups")
        return [float(v) for v in value]
    return [float(value)] * len(optimizer.param_groups)


class OneCycleLR(LRScheduler):
    """The one-cycle policy; call ``step()`` after every batch.

    Args:
        optimizer: the optimizer whose groups' lr (and momentum) to set.
        max_lr: the peak lr (one value, or one per group).
        total_steps: the number of steps of the cycle; or give ``epochs`` and ``steps_per_epoch``.
        pct_start: the fraction of the cycle spent warming up, in [0, 1].
        anneal_strategy: 'cos' or 'linear'.
        cycle_momentum: move the momentum (SGD, RMSprop) or beta1 (Adam) inversely to the lr.
        base_momentum, max_momentum: the momentum at the peak lr and at the ends.
        div_factor: initial_lr = max_lr / div_factor (> 0).
        final_div_factor: the last lr is initial_lr / final_div_factor (> 0).
        three_phase: warm up, warm down to initial_lr, then anneal to the final lr.
    """

    def __init__(
        self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
        epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
        anneal_strategy: str = "cos", cycle_momentum: bool = True, base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95, div_factor: float = 25.0, final_div_factor: float = 1e4,
        three_phase: bool = False,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR needs an Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = check_count("OneCycleLR", "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = check_count("OneCycleLR", "epochs", epochs) * check_count(
                "OneCycleLR", "steps_per_epoch", steps_per_epoch)
        else:
            raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
        pct_start = check_factor("OneCycleLR", "pct_start", pct_start, 0.0, 1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        div_factor = check_factor("OneCycleLR", "div_factor", div_factor, lo_open=True)
        final_div_factor = check_factor("OneCycleLR", "final_div_factor", final_div_factor, lo_open=True)
        warm_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            self.phases = [(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                           (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                            "max_momentum"),
                           (last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self.phases = [(warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                           (last, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        for peak, group in zip(_per_group("max_lr", optimizer, max_lr), optimizer.param_groups, strict=True):
            check_factor("OneCycleLR", "max_lr", peak)
            group["initial_lr"] = peak / div_factor
            group["max_lr"] = peak
            group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"OneCycleLR: cycle_momentum needs an optimizer with momentum or betas, "
                                 f"got {type(optimizer).__name__} (pass cycle_momentum=False)")
            self.use_beta1 = "betas" in optimizer.defaults
            highs = _per_group("max_momentum", optimizer, max_momentum)
            lows = _per_group("base_momentum", optimizer, base_momentum)
            for high, low, group in zip(highs, lows, optimizer.param_groups, strict=True):
                if self.use_beta1:
                    group["betas"] = (high, *group["betas"][1:])
                else:
                    group["momentum"] = high
                group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer)

    def _anneal(self, start: float, end: float, fraction: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {step} times, but total_steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(self.phases):
                if step <= end or i == len(self.phases) - 1:
                    fraction = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], fraction))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[momentum_from], group[momentum_to], fraction)
                    break
                start = end
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs
