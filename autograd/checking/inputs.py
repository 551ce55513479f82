"""Which arguments a gradient check differentiates, how f is called on them, and what to call them.

Float ndarrays, Python floats and Values with ``requires_grad=True`` are checked; ints,
masks and Values that do not require grad are passed to f unchanged, as constants.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.checking.report import GradcheckWarning
from autograd.mode import no_grad
from autograd.value import Value


def flat_output(out: Any) -> np.ndarray:
    """f's result (Value, array or number) as a flat float64 array of its own.

    A copy, never a view: f's output may be a view of its input (``x.reshape(-1)``,
    ``x[1:]``, ``x.T``, ``x`` itself), and finite differences perturb that input next.
    """
    data = out.data if isinstance(out, Value) else out
    return np.array(data, dtype=np.float64).reshape(-1)



class Problem:
    """The function, its arguments, and which of them are differentiated.

    Build one from user input with :meth:`Problem.of` (which validates it); the
    constructor takes the parts as they are.
    """

    def __init__(self, f: Callable[..., Any], args: list[Any], checked: list[int], arrays: list[np.ndarray],
                 names: list[str], output_name: Callable[[tuple[int, ...]], str] | None = None) -> None:
        self.f = f
        self.args = args                # every argument of f, in order
        self.checked = checked          # the positions that are differentiated
        self.arrays = arrays            # float copies of the checked arguments
        self.names = names              # how reports name each checked argument
        self.output_name = output_name  # how reports name an output entry (None: by index)

    @classmethod
    def of(cls, f: Callable[..., Any], inputs: Any, who: str) -> Problem:
        """Validate ``f`` and its inputs: float arrays and Values that require grad are checked."""
        if not callable(f):
            raise TypeError(f"{who}: f must be callable, got {type(f).__name__}")
        args = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
        checked: list[int] = []
        arrays: list[np.ndarray] = []
        for position, arg in enumerate(args):
            data = arg.data if isinstance(arg, Value) else arg
            wanted = arg.requires_grad if isinstance(arg, Value) else _is_float_data(arg)
            if wanted:
                array = np.array(data, dtype=np.asarray(data).dtype)
                if array.dtype != np.float64:
                    warnings.warn(
                        f"{who}: input {position} has dtype {array.dtype}; finite differences in "
                        "single precision are unreliable. Check in float64.", GradcheckWarning, stacklevel=4,
                    )
                checked.append(position)
                arrays.append(array)
        if not checked:
            raise ValueError(f"{who}: no input to check (pass float arrays or Values with requires_grad=True)")
        return cls(f, args, checked, arrays, [input_name(f, position) for position in checked])

    def call(self, arrays: Sequence[np.ndarray], requires_grad: bool) -> tuple[Any, list[Value]]:
        """Run f with Values over ``arrays`` at the checked positions."""
        call_args = list(self.args)
        variables = []
        for position, array in zip(self.checked, arrays, strict=True):
            v = Value(array, requires_grad=requires_grad)
            variables.append(v)
            call_args[position] = v
        return self.f(*call_args), variables

    def evaluate(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        with no_grad():
            out, _ = self.call(arrays, requires_grad=False)
        return flat_output(out)


def _is_float_data(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, float):
        return True
    return isinstance(x, (np.ndarray, np.floating)) and np.asarray(x).dtype.kind == "f"


def signature_parameters(f: Callable[..., Any]) -> list[inspect.Parameter]:
    """f's parameters; for ``SomeFunction.apply`` those of its ``forward`` after ``ctx``.

    Raises:
        ValueError: when the signature cannot be read.
    """
    owner = getattr(f, "__self__", None)
    skip = 0
    if isinstance(owner, type) and getattr(f, "__name__", "") == "apply" and hasattr(owner, "forward"):
        f, skip = owner.forward, 1
    try:
        return list(inspect.signature(f).parameters.values())[skip:]
    except TypeError as error:
        raise ValueError(str(error)) from None


def input_name(f: Callable[..., Any], position: int) -> str:
    try:
        params = signature_parameters(f)
    except ValueError:
        params = []
    if position < len(params) and params[position].kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
    ):
        return f"input {position} ({params[position].name})"
    return f"input {position}"
