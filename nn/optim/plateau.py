"""ReduceLROnPlateau with PyTorch's semantics: cut the lr when a watched metric stops improving.

Call ``scheduler.step(metric)`` once per epoch with, e.g., the validation loss.  A metric
is an improvement when it beats the best so far by more than the threshold:

    mode='min', threshold_mode='rel': metric < best * (1 - threshold)
    mode='min', threshold_mode='abs': metric < best - threshold
    (mode='max': metric > best * (1 + threshold), or > best + threshold)

After more than ``patience`` epochs in a row without improvement every group's lr
becomes max(lr * factor, min_lr) (changes smaller than ``eps`` are skipped), and
the count restarts after ``cooldown`` epochs in which bad epochs are not counted.
"""

from __future__ import annotations

import math
from typing import Any

from nn.optim.lr_scheduler import LRScheduler, check_count, check_factor
from nn.optim.optimizer import Optimizer


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when the metric has not improved for more than ``patience`` epochs.

    Args:
        optimizer: the optimizer whose groups' lr to set.
        mode: 'min' (the metric should fall, e.g. a loss) or 'max' (e.g. an accuracy).
        factor: the lr multiplier, in [0, 1).
        patience: epochs without improvement tolerated (>= 0).
        threshold: the margin an improvement needs (>= 0).
        threshold_mode: 'rel' (relative to the best) or 'abs'.
        cooldown: epochs to wait after a cut before counting bad epochs again (>= 0).
        min_lr: the smallest lr (one value, or one per group; >= 0).
        eps: a cut smaller than this is not applied (>= 0).
    """

    needs_metric = True

    def __init__(
        self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
        threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
        min_lr: float | list[float] = 0.0, eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau needs an Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.factor = check_factor("ReduceLROnPlateau", "factor", factor, 0.0, 1.0)
        if self.factor == 1.0:
            raise ValueError("ReduceLROnPlateau: factor must be < 1, got 1.0")
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != groups:
                raise ValueError(f"ReduceLROnPlateau: expected {groups} min_lr values, got {len(min_lr)}")
            self.min_lrs = [check_factor("ReduceLROnPlateau", "min_lr", v) for v in min_lr]
        else:
            self.min_lrs = [check_factor("ReduceLROnPlateau", "min_lr", min_lr)] * groups
        self.optimizer = optimizer
        self.mode, self.threshold_mode = mode, threshold_mode
        self.patience = check_count("ReduceLROnPlateau", "patience", patience, 0)
        self.cooldown = check_count("ReduceLROnPlateau", "cooldown", cooldown, 0)
        self.threshold = check_factor("ReduceLROnPlateau", "threshold", threshold)
        self.eps = check_factor("ReduceLROnPlateau", "eps", eps)
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self._last_lr = list(self.base_lrs)

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` improves on ``best`` by more than the threshold (see the module docstring)."""
        if self.mode == "min":
            return metric < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return metric > (best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metrics: Any = None) -> None:  # type: ignore[override]
        """Record this epoch's metric and cut the lr after too many epochs without improvement.

        Raises:
            TypeError: when called without a metric.
        """
        if metrics is None:
            raise TypeError("ReduceLROnPlateau.step needs the watched metric, e.g. step(val_loss); got metrics=None")
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, low in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                old = float(group["lr"])
                new = max(old * self.factor, low)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
