"""Adagrad with PyTorch's update rule (torch.optim.Adagrad's documented algorithm).

For each parameter theta with gradient g, at step t (starting at 1), with the
accumulator s = initial_accumulator_value at first:

    g <- -g                                            (if maximize: ascend)
    g <- g + weight_decay * theta                      (if weight_decay != 0; coupled L2)
    lr_t = lr / (1 + (t - 1) * lr_decay)
    s <- s + g^2                                       (the sum of every squared gradient so far)
    theta <- theta - lr_t * g / (sqrt(s) + eps)

Each coordinate's step shrinks as its squared gradients add up: coordinates with
rare, small gradients keep large steps (good for sparse features), and the
effective learning rate decays on its own even without ``lr_decay``.

One difference from PyTorch: a parameter group's own ``initial_accumulator_value``
is used for its parameters (PyTorch fills every accumulator with the value given to
the constructor and ignores the group's).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nn.optim.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011) with coupled weight decay.

    Args:
        params: Parameters, or dicts of parameter groups.
        lr: learning rate (>= 0).
        lr_decay: the step-t learning rate is lr / (1 + (t - 1) * lr_decay) (>= 0).
        weight_decay: L2 coefficient added to the gradient (>= 0).
        initial_accumulator_value: starting value of the sum of squared gradients (>= 0).
        eps: added to the denominator (>= 0).
        maximize: ascend instead of descend.
    """

    non_negative = ("lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0, eps: float = 1e-10, maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def step(self) -> None:
        """One update of every parameter with a gradient, following the rule in the module docstring."""
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                g = self.descent_grad(param, group)
                state = self.state.setdefault(param, {})
                if not state:
                    state["step"] = 0
                    state["sum"] = np.full(param.shape, group["initial_accumulator_value"], dtype=param.dtype)
                state["step"] += 1
                lr_t = lr / (1.0 + (state["step"] - 1) * lr_decay)
                accumulator = state["sum"]
                accumulator += g * g
                self.subtract_(param, lr_t * g / (np.sqrt(accumulator) + eps))
