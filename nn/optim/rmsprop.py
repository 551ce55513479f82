"""RMSprop with PyTorch's update rule (torch.optim.RMSprop's documented algorithm).

For each parameter theta with gradient g, with v = 0 (and b = 0, g_avg = 0) at first:

    g <- -g                                            (if maximize: ascend)
    g <- g + weight_decay * theta                      (if weight_decay != 0; coupled L2)
    v <- alpha * v + (1 - alpha) * g^2                 (running mean of g^2)
    centered: g_avg <- alpha * g_avg + (1 - alpha) * g,  denominator = sqrt(v - g_avg^2) + eps
    otherwise:                                         denominator = sqrt(v) + eps
    momentum > 0: b <- momentum * b + g / denominator,  theta <- theta - lr * b
    otherwise:    theta <- theta - lr * g / denominator

Dividing by the root mean square of recent gradients gives every coordinate a
step of about lr whatever the scale of its gradient; ``centered`` divides by the
standard deviation instead (the variance of g rather than its raw second moment).
Unlike Adam there is no bias correction, so the first steps are large (v starts at 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nn.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), with optional momentum, centering and coupled weight decay.

    Args:
        params: Parameters, or dicts of parameter groups.
        lr: learning rate (>= 0).
        alpha: smoothing constant of the running mean of g^2 (>= 0).
        eps: added to the denominator (>= 0).
        weight_decay: L2 coefficient added to the gradient (>= 0).
        momentum: momentum factor (>= 0).
        centered: divide by an estimate of the gradient's standard deviation instead of its RMS.
        maximize: ascend instead of descend.
    """

    non_negative = ("alpha", "eps", "weight_decay", "momentum")

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
        weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def step(self) -> None:
        """One update of every parameter with a gradient, following the rule in the module docstring."""
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            momentum = group["momentum"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                g = self.descent_grad(param, group)
                state = self.state.setdefault(param, {})
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros(param.shape, dtype=param.dtype)
                state["step"] += 1
                square_avg = state["square_avg"]
                square_avg *= alpha
                square_avg += (1.0 - alpha) * (g * g)
                if group["centered"]:
                    grad_avg = state.setdefault("grad_avg", np.zeros_like(square_avg))
                    grad_avg += (1.0 - alpha) * (g - grad_avg)
                    denominator = np.sqrt(square_avg - grad_avg * grad_avg) + eps
                else:
                    denominator = np.sqrt(square_avg) + eps
                if momentum > 0:
                    buffer = state.setdefault("momentum_buffer", np.zeros_like(square_avg))
                    buffer *= momentum
                    buffer += g / denominator
                    self.subtract_(param, lr * buffer)
                else:
                    self.subtract_(param, lr * g / denominator)
