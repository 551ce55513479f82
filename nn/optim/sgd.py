"""Stochastic gradient descent with PyTorch's update rule (torch.optim.SGD's documented algorithm).

For each parameter theta with gradient g, at step t:

    g <- -g                                            (if maximize: ascend)
    g <- g + weight_decay * theta                      (if weight_decay != 0)
    b <- g (t = 1),  b <- momentum * b + (1 - dampening) * g (t > 1)   (if momentum != 0)
    g <- g + momentum * b (nesterov)  or  g <- b        (if momentum != 0)
    theta <- theta - lr * g

The gradient is negated *before* the decay is added (as PyTorch), so with
``maximize=True`` weight decay still shrinks the weights.

Weight decay here is *coupled* L2: it is the gradient of (weight_decay / 2) * ||theta||^2,
so SGD(weight_decay = 2 * lam) on L takes the same steps as SGD on L + lam * ||theta||^2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nn.optim.optimizer import Optimizer


class SGD(Optimizer):
    """SGD with optional momentum, dampening, Nesterov momentum and coupled weight decay.

    Args:
        params: Parameters, or dicts of parameter groups.
        lr: learning rate (>= 0).
        momentum: momentum factor mu (>= 0).
        dampening: tau, scales the new gradient by (1 - tau) in the momentum buffer.
        nesterov: use g + mu * b instead of b (needs momentum > 0 and dampening = 0).
        weight_decay: coefficient of the L2 term added to the gradient (>= 0).
        maximize: ascend instead of descend.
    """

    non_negative = ("momentum", "weight_decay")

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
        nesterov: bool = False, weight_decay: float = 0.0, maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def check_group(self, group: dict[str, Any]) -> None:
        super().check_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires momentum > 0 and dampening = 0")

    def step(self) -> None:
        """One update of every parameter with a gradient, following the rule in the module docstring."""
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay = group["weight_decay"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                theta = param.data
                g = self.grad_of(param)
                owned = False  # whether g is a temporary of this step (then it is scaled in place)
                if group["maximize"]:
                    g, owned = -g, True
                if weight_decay != 0:
                    # a new array unless g already is one: param.grad itself stays as it was
                    g = _plus(g, weight_decay * theta) if owned else _plus(weight_decay * theta, g)
                    owned = True
                if momentum != 0:
                    state = self.state.setdefault(param, {})
                    buffer = state.get("momentum_buffer")
                    buffer = g.copy() if buffer is None else momentum * buffer + (1.0 - dampening) * g
                    state["momentum_buffer"] = buffer
                    g, owned = (g + momentum * buffer, True) if group["nesterov"] else (buffer, False)
                if owned and type(g) is np.ndarray:
                    g *= lr
                    step = g
                else:
                    step = lr * g
                self.subtract_(param, step)


def _plus(a: Any, b: Any) -> Any:
    """a + b, added into ``a`` when it is an array (a is a temporary of the caller)."""
    if type(a) is np.ndarray:
        a += b
        return a
    return a + b
