"""The ``Optimizer`` base class: parameter groups, per-parameter state, zero_grad and state_dict.

As in PyTorch, an optimizer holds ``param_groups`` (a list of dicts, each with
its ``params`` and its own hyperparameters such as ``lr``) and ``state`` (a dict
from parameter to its buffers).  Learning-rate schedulers change ``group['lr']``.

Updates are computed in NumPy in each parameter's own dtype, so float32
parameters stay float32; a parameter whose ``grad`` is None is skipped.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value
from nn.module import zero_grads


def check_non_negative(name: str, value: float) -> float:
    """``value`` as a float, or ValueError naming the argument if it is negative (or NaN)."""
    value = float(value)
    if not value >= 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


class Optimizer:
    """Base class: subclasses define ``step`` and validate their hyperparameters in ``check_group``.

    Args:
        params: an iterable of Parameters (Values), or of dicts ``{'params': [...], 'lr': ...}``
            giving groups their own hyperparameters.
        defaults: hyperparameters used where a group gives none.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Value, dict[str, Any]] = {}
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    non_negative: tuple[str, ...] = ()  # hyperparameters that must be >= 0 besides lr (each optimizer names its own)

    def check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for invalid hyperparameters (subclasses extend it for other rules)."""
        for name in ("lr", *self.non_negative):
            check_non_negative(f"{type(self).__name__}: {name}", group[name])

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones from the defaults)."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError("a parameter group is a dict with a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Value) else list(params)
        for param in params:
            if not isinstance(param, Value):
                raise TypeError(f"{type(self).__name__} can only optimize Values, got {type(param).__name__}")
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError("some parameters appear more than once (in one group or across groups)")
        full = {**self.defaults, **group, "params": params}
        self.check_group(full)
        self.param_groups.append(full)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``grad`` becomes None), or with ``set_to_none=False`` set each
        existing gradient to zeros (as PyTorch)."""
        zero_grads((param for group in self.param_groups for param in group["params"]), set_to_none)

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers for step()
    @staticmethod
    def data_of(param: Value) -> np.ndarray:
        """A copy of the parameter's data as an ndarray of its dtype."""
        return np.array(param.data, dtype=param.dtype)

    def descent_grad(self, param: Value, group: dict[str, Any], coupled_decay: bool = True) -> np.ndarray:
        """The gradient a step descends along: negated under ``maximize`` (first, as PyTorch), then
        ``+ weight_decay * param`` when the decay is coupled (L2 through the gradient)."""
        g = self.grad_of(param)
        if group["maximize"]:
            g = -g
        decay = group.get("weight_decay", 0.0)
        if coupled_decay and decay != 0:
            g = g + decay * self.data_of(param)
        return g

    @staticmethod
    def grad_of(param: Value) -> np.ndarray:
        """The parameter's gradient as an ndarray of the parameter's dtype and shape."""
        grad, data = param.grad, param.data
        if type(grad) is np.ndarray and type(data) is np.ndarray and grad.dtype == data.dtype \
                and grad.shape == data.shape:
            return grad  # the usual case, checked without conversions
        grad = grad.data if isinstance(grad, Value) else grad
        grad = np.asarray(grad, dtype=param.dtype)
        if grad.shape != param.shape:
            raise ValueError(f"gradient of shape {grad.shape} does not match its parameter's shape {param.shape}")
        return grad

    @staticmethod
    def subtract_(param: Value, delta: np.ndarray) -> None:
        """``param.data -= delta``: in place for an array parameter (as PyTorch's optimizers update
        parameters), so a step allocates no new parameter arrays."""
        data = param.data
        if type(data) is np.ndarray and data.flags.writeable and data.shape == getattr(delta, "shape", ()):
            np.subtract(data, delta, out=data)  # ufuncs cast "same_kind" into out by default
        else:
            Optimizer.assign(param, data - delta)

    @staticmethod
    def assign(param: Value, array: np.ndarray) -> None:
        """Store ``array`` as the parameter's new data, in place for an array parameter (as PyTorch's
        optimizers do: a view of ``param.data`` sees the update)."""
        data = param.data
        if type(data) is np.ndarray and data.flags.writeable:
            data[...] = np.reshape(array, data.shape)
        elif type(data) is np.ndarray:  # read-only data (a broadcast view, say) is replaced
            param.data = np.array(array, dtype=data.dtype).reshape(data.shape)
        else:
            param.data = float(np.reshape(array, ()))

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: buffers}, 'param_groups': [hyperparameters with 'params' as indices]}.

        Parameters are numbered in the order the groups list them, as in PyTorch.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            entry = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            entry["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(entry)
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state:
                    state[index[id(param)]] = copy.deepcopy(self.state[param])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and buffers saved by ``state_dict`` (same parameter layout)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
            len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups, strict=True)
        ):
            raise ValueError("loaded state dict has a different number of groups or parameters per group")
        by_index = {}
        for saved, own in zip(groups, self.param_groups, strict=True):
            for k, v in saved.items():
                if k != "params":
                    own[k] = copy.deepcopy(v)
            by_index.update(dict(zip(saved["params"], own["params"], strict=True)))
        self.state = {by_index[i]: copy.deepcopy(buffers) for i, buffers in state_dict["state"].items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params")
        return "\n".join(lines) + "\n)"
