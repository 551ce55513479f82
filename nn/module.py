"""``Module`` and ``Parameter``: the containers that models are built from.

A Module registers every ``Parameter`` and every sub-Module assigned to one of
its attributes, in assignment order, so ``parameters()`` finds them without a
list kept by hand; names are dotted paths as in PyTorch (``"0.weight"``,
``"encoder.layers.1.bias"``).

Weight decay and ``weights()``: by convention only parameters with at least two
dimensions (the weight matrices of ``Linear`` layers) are decayed.  Biases,
PReLU slopes and Swish's beta are vectors or scalars; shrinking them toward zero
does not limit the capacity of the model, it only shifts or bends it, so they
are left out.  ``weights()`` yields exactly the parameters with ``ndim >= 2``.

Buffers (``register_buffer``) are arrays a module keeps but does not learn, such as
BatchNorm's ``running_mean``: they are in ``state_dict()`` (and so in ``nn.save``)
but not in ``parameters()``. They are plain ndarrays, never part of a graph.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Value
from nn.hooks import RemovableHandle


class Parameter(Value):
    """A Value that a Module registers as learnable (``requires_grad=True``).

    Args:
        data: a number, nested list, ndarray or Value (its data is copied).
        requires_grad: whether optimizers and ``backward`` treat it as learnable.
        dtype: float32 or float64 (default: keep float data, ints -> float64).
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        if isinstance(data, Value):
            data = np.array(data.data)
        elif isinstance(data, np.ndarray):
            data = data.copy()
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model: subclass it and write ``forward``.

    Assigning a Parameter or a Module to an attribute registers it::

        class Affine(Module):
            def __init__(self):
                super().__init__()
                self.scale = Parameter(np.ones(3))
            def forward(self, x):
                return x * self.scale
    """

    training: bool
    _parameters: OrderedDict[str, Parameter]
    _modules: OrderedDict[str, Module]
    _buffers: OrderedDict[str, np.ndarray | None]
    _non_persistent: set[str]

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before assigning attributes")
        if name in self._buffers and not isinstance(value, (Parameter, Module)):
            self._buffers[name] = None if value is None else np.asarray(value)  # a buffer stays a buffer
            object.__setattr__(self, name, self._buffers[name])
            return
        self._buffers.pop(name, None)
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._buffers.pop(name, None)
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (the same as assigning the attribute)."""
        setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Keep ``tensor`` (an array, or None) under ``name``: in ``state_dict`` when persistent, never learned.

        Raises:
            KeyError: ``name`` is already a parameter or sub-module, or holds a dot.
            TypeError: ``tensor`` is a Value (a buffer is plain data, not part of a graph).
        """
        if "." in name or not name:
            raise KeyError(f"register_buffer: invalid buffer name {name!r}")
        if name in self._parameters or name in self._modules:
            raise KeyError(f"register_buffer: {name!r} is already a parameter or sub-module of {type(self).__name__}")
        if isinstance(tensor, Value):
            raise TypeError(f"register_buffer: {name!r} must be an ndarray or None, not a Value")
        self._buffers[name] = None if tensor is None else np.asarray(tensor)
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        object.__setattr__(self, name, self._buffers[name])

    def add_module(self, name: str, module: Module) -> None:
        """Register a sub-module under ``name`` (names such as "0" are allowed)."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} is a {type(module).__name__}, not a Module")
        setattr(self, name, module)

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._hooks is None:  # the common case: one attribute check
            return self.forward(*args, **kwargs)
        pre, post = self._hooks
        for hook in list(pre.values()):
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        output = self.forward(*args, **kwargs)
        for hook in list(post.values()):
            changed = hook(self, args, output)
            if changed is not None:
                output = changed
        return output

    _hooks: tuple[dict[int, Callable[..., Any]], dict[int, Callable[..., Any]]] | None = None

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces the args. Returns a handle
        whose ``remove()`` takes the hook off again (as PyTorch)."""
        return self._add_hook(0, hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None result replaces the output.
        Returns a handle whose ``remove()`` takes the hook off again (as PyTorch)."""
        return self._add_hook(1, hook)

    def _add_hook(self, kind: int, hook: Callable[..., Any]) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"a forward hook must be callable, got {type(hook).__name__}")
        if self._hooks is None:
            object.__setattr__(self, "_hooks", ({}, {}))
        assert self._hooks is not None
        handle = RemovableHandle(self, kind)
        self._hooks[kind][handle.id] = hook
        return handle

    # ------------------------------------------------------------------ traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every module inside it, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child}" if name else child, sub) for child, sub in module._modules.items()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the directly registered sub-modules, each module once (as PyTorch)."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The directly registered sub-modules, each once even when two attributes share one."""
        for _, module in self.named_children():
            yield module

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) for every buffer of this module and its sub-modules, each once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, buffer in module._buffers.items():
                if buffer is None or id(buffer) in seen:
                    continue
                seen.add(id(buffer))
                yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self) -> Iterator[np.ndarray]:
        """Every buffer of this module and its sub-modules."""
        for _, buffer in self.named_buffers():
            yield buffer

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first, as PyTorch) and on this module; returns self.

        E.g. ``model.apply(init_weights)`` with a function that re-initialises each ``Linear``.
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, each parameter once even if shared between modules."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                if id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter of this module and its sub-modules, each once."""
        for _, param in self.named_parameters():
            yield param

    def named_weights(self) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) for the parameters weight decay covers: those with ndim >= 2."""
        for name, param in self.named_parameters():
            if param.ndim >= 2:
                yield name, param

    def weights(self) -> Iterator[Parameter]:
        """The parameters that weight decay usually covers: weight matrices (ndim >= 2).

        Biases, PReLU slopes and Swish's beta are not included (see the module docstring).
        """
        for _, param in self.named_weights():
            yield param

    # ------------------------------------------------------------------ state
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``grad`` becomes None), or with ``set_to_none=False``
        set each existing gradient to zeros (a parameter without one keeps None, as PyTorch)."""
        zero_grads(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (False freezes them); returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def to(self, dtype: Any) -> Module:
        """Cast every parameter (and its gradient) and every floating buffer to ``dtype`` (float32 or float64)
        in place; returns self."""
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"{type(self).__name__}.to: dtype must be float32 or float64, got {dtype}")
        for param in self.parameters():
            if np.dtype(param.dtype) != dtype:
                param.data = Value(np.asarray(param.data, dtype=dtype), requires_grad=False, dtype=dtype).data
                if param.grad is not None:  # the gradient follows, as PyTorch's
                    grad = param.grad.data if isinstance(param.grad, Value) else param.grad
                    param.grad = Value(np.asarray(grad, dtype=dtype), requires_grad=False, dtype=dtype).data
        for module in self.modules():
            for name, buffer in list(module._buffers.items()):
                if buffer is not None and buffer.dtype.kind == "f":
                    setattr(module, name, buffer.astype(dtype))
        return self

    def float(self) -> Module:
        """Cast parameters and floating buffers to float32; returns self."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Cast parameters and floating buffers to float64; returns self."""
        return self.to(np.float64)

    def train(self, mode: bool = True) -> Module:
        """Switch this module and its sub-modules to training mode (Dropout active); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (Dropout is the identity); returns self."""
        return self.train(False)

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter's data and every persistent buffer, keyed by dotted name.

        Ordered as PyTorch orders them: each module's parameters, then its buffers, then its sub-modules'.
        """
        state: OrderedDict[str, np.ndarray] = OrderedDict()
        params = dict(self.named_parameters())
        for name, array in self._named_state():
            state[name] = np.array(array.data, dtype=params[name].dtype) if name in params else np.array(array)
        return state

    def _named_state(self) -> Iterator[tuple[str, Any]]:
        """(name, parameter or buffer) in state_dict order, each object once; non-persistent buffers left out."""
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            own = [*module._parameters.items(),
                   *((n, b) for n, b in module._buffers.items() if n not in module._non_persistent)]
            for name, item in own:
                if item is None or id(item) in seen:
                    continue
                seen.add(id(item))
                yield (f"{module_name}.{name}" if module_name else name), item

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> tuple[list[str], list[str]]:
        """Copy arrays from ``state`` into the parameters of the same name.

        Args:
            state: name -> array (as returned by ``state_dict`` or ``nn.load``).
            strict: when True, a missing or unexpected key raises ``KeyError``.

        Returns:
            (missing keys, unexpected keys), both empty when ``strict`` passed.

        Raises:
            KeyError: (strict) keys missing from ``state`` or not in the module, all listed.
            ValueError: arrays whose shape differs from the parameter's, all listed.
        """
        own = OrderedDict(self._named_state())
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict for {type(self).__name__}: missing keys {missing}, unexpected keys {unexpected}"
            )
        misshaped = []
        for name, param in own.items():
            if name in state and np.shape(state[name]) != param.shape:
                misshaped.append(f"{name}: expected {param.shape}, got {np.shape(state[name])}")
        if misshaped:
            raise ValueError(f"load_state_dict for {type(self).__name__}: mis-shaped keys: " + "; ".join(misshaped))
        for name, item in own.items():
            if name not in state:
                continue
            if isinstance(item, Value):
                item.data = Value(np.array(state[name], dtype=item.dtype), requires_grad=False).data
            else:  # a buffer: copied in place (its dtype kept), so that every alias of it follows
                np.copyto(item, np.asarray(state[name]), casting="unsafe")
        return missing, unexpected

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of ``repr`` (layer settings)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        if not self._modules:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}(" + (extra if extra else "")]
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


def zero_grads(params: Iterable[Value], set_to_none: bool = True) -> None:
    """grad = None for each parameter, or (``set_to_none=False``) existing gradients set to zeros."""
    for param in params:
        if set_to_none or param.grad is None:
            param.grad = None
        else:
            param.grad = np.zeros_like(param.grad.data if isinstance(param.grad, Value) else param.grad)
