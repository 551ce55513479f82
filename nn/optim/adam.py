"""Adam and AdamW with PyTorch's update rules (torch.optim.Adam / AdamW documented algorithms).

For each parameter theta with gradient g, at step t (starting at 1), with m, v = 0 at first:

    g <- -g                                          (if maximize: ascend)
    Adam:  g <- g + weight_decay * theta             (coupled L2: decay goes through m and v)
    AdamW: theta <- theta - lr * weight_decay * theta (decoupled: a plain shrink, outside m and v)
    m <- beta1 * m + (1 - beta1) * g
    v <- beta2 * v + (1 - beta2) * g^2
    m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
    amsgrad: v_max <- max(v_max, v), v_hat = v_max / (1 - beta2^t)
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

Coupled vs decoupled: with Adam, an L2 term in the gradient is divided by sqrt(v_hat)
like the rest of the gradient, so weights with large gradients are barely decayed;
AdamW decays every weight by the same factor (1 - lr * weight_decay) per step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from nn.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam with coupled L2 weight decay (as torch.optim.Adam).

    Args:
        params: Parameters, or dicts of parameter groups.
        lr: learning rate (>= 0).
        betas: decay rates (beta1, beta2) of the running averages of g and g^2, each in [0, 1).
        eps: added to sqrt(v_hat) in the denominator (>= 0).
        weight_decay: L2 coefficient added to the gradient (>= 0).
        amsgrad: use the running maximum of v (AMSGrad).
        maximize: ascend instead of descend.
    """

    decoupled = False

    non_negative = ("eps", "weight_decay")

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize)
        super().__init__(params, defaults)

    def check_group(self, group: dict[str, Any]) -> None:
        super().check_group(group)
        beta1, beta2 = group["betas"]
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")

    def step(self) -> None:
        """One update of every parameter with a gradient, following the rule in the module docstring.

        ``param.data`` is updated in place (a view of it sees the step); the buffers m, v (and v_max)
        are updated in place too, in the parameter's dtype.
        """
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                g = self.descent_grad(param, group, coupled_decay=not self.decoupled)
                state = self.state.setdefault(param, {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros(param.shape, dtype=param.dtype)
                    state["exp_avg_sq"] = np.zeros(param.shape, dtype=param.dtype)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros(param.shape, dtype=param.dtype)
                state["step"] += 1
                t = state["step"]
                if weight_decay != 0 and self.decoupled:
                    self.subtract_(param, lr * weight_decay * self.data_of(param))
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m *= beta1
                m += (1.0 - beta1) * g
                v *= beta2
                v += (1.0 - beta2) * (g * g)
                if group["amsgrad"]:
                    v_max = state.setdefault("max_exp_avg_sq", np.zeros_like(v))
                    np.maximum(v_max, v, out=v_max)
                    v = v_max
                step_size = lr / (1.0 - beta1**t)
                denominator = np.sqrt(v) / math.sqrt(1.0 - beta2**t) + eps
                self.subtract_(param, step_size * m / denominator)


class AdamW(Adam):
    """Adam with decoupled weight decay (as torch.optim.AdamW): theta <- theta - lr * weight_decay * theta first.

    Args: as :class:`Adam`, with ``weight_decay`` defaulting to 1e-2.
    """

    decoupled = True

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)


