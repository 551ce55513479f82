"""Early stopping: stop training when a validation metric has not improved for ``patience`` epochs.

Call ``stopper.step(val_loss, model)`` once per epoch; it returns True when training
should stop.  An epoch improves on the best so far when (mode='min')
``metric < best - min_delta`` (mode='max': ``metric > best + min_delta``); a NaN metric
never improves.  With ``restore_best`` the module's ``state_dict`` is copied at each
improvement; ``restore(model)`` puts it back, so the model you keep is the one from the
best epoch, not the last.  ``step`` itself never changes the module:

    stopper = nn.EarlyStopping(patience=20)
    for epoch in range(max_epochs):
        train_one_epoch(model)
        if stopper.step(validation_loss(model), model):
            break
    stopper.restore(model)        # the weights of epoch stopper.best_step
"""

from __future__ import annotations

import copy
import math
from typing import Any

from nn.module import Module

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Watch a metric, remember the best epoch (and its weights), and say when to stop.

    Args:
        patience: stop after this many epochs in a row without improvement (>= 0; 0 and 1 both stop at the
            first epoch that does not improve).
        min_delta: how much better than the best a metric must be to count as an improvement (>= 0).
        mode: 'min' (e.g. a loss) or 'max' (e.g. an accuracy).
        restore_best: keep a copy of the best ``state_dict`` (for :meth:`restore`).

    Attributes:
        best: the best metric so far (inf for 'min', -inf for 'max' before any step).
        best_step: the index (0, 1, ...) of the ``step`` call that gave ``best`` (None before any).
        num_bad_steps: steps since the last improvement.
        best_state: the copy of the best ``state_dict`` (None without ``restore_best`` or a module).
        stopped: whether a ``step`` has returned True.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, mode: str = "min",
                 restore_best: bool = True) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0, got {patience!r}")
        min_delta = float(min_delta)
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.restore_best = bool(restore_best)
        self.best = math.inf if mode == "min" else -math.inf
        self.best_step: int | None = None
        self.best_state: dict[str, Any] | None = None
        self.num_bad_steps = 0
        self.steps = 0
        self.stopped = False

    def is_improvement(self, metric: float) -> bool:
        """Whether ``metric`` beats ``best`` by more than ``min_delta``."""
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric: Any, module: Module | None = None) -> bool:
        """Record this epoch's metric; True when the last ``patience`` epochs (at least one) have not improved.

        Args:
            metric: a number (or a scalar Value) to watch.
            module: the model; with ``restore_best`` its weights are copied at each improvement
                (the module itself is not changed).
        """
        value = float(metric.item() if hasattr(metric, "item") else metric)
        index = self.steps
        self.steps += 1
        if self.is_improvement(value):
            self.best, self.best_step, self.num_bad_steps = value, index, 0
            if self.restore_best and module is not None:
                self.best_state = copy.deepcopy(module.state_dict())
            return False
        self.num_bad_steps += 1
        if self.num_bad_steps >= self.patience:
            self.stopped = True
        return self.num_bad_steps >= self.patience

    def restore(self, module: Module) -> None:
        """Load the best ``state_dict`` seen into ``module``.

        Raises:
            RuntimeError: when no state was kept (``restore_best=False``, or no step with a module improved).
        """
        if self.best_state is None:
            raise RuntimeError("EarlyStopping.restore: no best state kept (restore_best=False, or step() was never "
                               "given the module)")
        module.load_state_dict(self.best_state)

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, mode={self.mode!r}, "
                f"best={self.best}, best_step={self.best_step})")
