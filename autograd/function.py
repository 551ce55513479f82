"""``Function``: user-defined ops with a hand-written backward, living in the same graph as primitives.

Subclass :class:`Function` with two static methods and call ``apply``::

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):              # x: ndarray
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):             # d(x^3)/dx = 3 x^2
            (x,) = ctx.saved
            return 3 * x ** 2 * g

    y = Cube.apply(v)

How it fits the engine: each ``apply`` that records a node builds a small
:class:`~autograd.registry.Primitive` whose per-input VJPs call ``backward``
once per backward pass (the result is cached on the ctx, so an op with n inputs
does not call ``backward`` n times) and hand each input its share.

Higher-order derivatives (``backward(create_graph=True)``, ``hessian``,
``gradgradcheck``): the engine then passes ``g`` as a Value, and ``ctx.saved``
hands back the *inputs and output* of ``forward`` as the Values of the graph
instead of ndarrays. A backward written with Value-friendly operations
(``*``, ``**``, ``autograd.exp``, ``autograd.where``, ... which accept ndarrays
and Values alike) is then recorded and can be differentiated again. A backward
that cannot be differentiated raises ``RuntimeError`` naming the Function and
``create_graph`` instead of giving a wrong second derivative, when:

* it returns raw ndarrays while ``g`` or a saved input is a Value that requires grad;
* it calls NumPy functions on the Values (``np.exp(x)`` raises a TypeError on a Value);
* ``save_for_backward`` got a float array that is neither an input nor the output
  of ``forward`` (an intermediate such as ``s = sigmoid(x)``): its dependence on
  the inputs is unknown to the graph. Save the inputs (or the output) and recompute
  the intermediate in ``backward`` with autograd functions instead.

Saved Python numbers and bool/int arrays (masks, indices), and anything stored on
``ctx`` as an attribute, are treated as constants. The saved arrays are released when the engine frees the
graph (a backward without ``retain_graph=True``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.apply import record
from autograd.arrays import as_constant, normalize
from autograd.mode import RECORD, STATE, no_grad
from autograd.registry import FreedPrimitive, Primitive
from autograd.value import Value, constant


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved arrays and any attributes you set.

    Attributes:
        needs_input_grad: one bool per input of ``apply``, True where a gradient is needed.
    """

    def __init__(self, name: str, needs_input_grad: tuple[bool, ...]) -> None:
        self.name = name
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Any, ...] = ()
        self._released = False

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep ``arrays`` (ndarrays or numbers) for ``backward``; read them back from ``ctx.saved``."""
        self._saved = arrays

    @property
    def saved(self) -> tuple[Any, ...]:
        """The arrays given to ``save_for_backward``, in order (Values under ``create_graph=True``)."""
        if self._released:
            raise RuntimeError(
                f"{self.name}: the saved arrays were released by an earlier backward; "
                "pass retain_graph=True to the first backward() to backward through it again"
            )
        return self._saved

    # kept for symmetry with PyTorch
    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        return self.saved


class Function:
    """Base class for an op with a hand-written derivative.

    Subclasses define ``forward(ctx, *arrays) -> ndarray`` (NumPy in, NumPy out; one output)
    and ``backward(ctx, g) -> gradient or tuple of gradients`` (one per input of ``apply``,
    each of the input's shape, or of the output's shape when the input was broadcast; None
    for an input that needs no gradient). Call it as ``MyOp.apply(*inputs)``.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: FunctionCtx, g: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, g)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on the inputs' data and record a graph node when a gradient is needed.

        Args:
            *args: Values, ndarrays or numbers. Raw ndarrays and numbers are constants.
            **kwargs: passed unchanged to ``forward`` (static parameters).

        Returns:
            A Value when any argument is a Value (a graph node when recording is on and an
            input requires grad); the raw result when no argument is a Value.
        """
        name = cls.__name__
        any_value = False
        inputs: list[Any] = []
        for position, arg in enumerate(args):
            if isinstance(arg, Value):
                any_value = True
                inputs.append(arg)
            else:
                inputs.append(as_constant(arg, f"{name}.apply (argument {position})"))
        datas = [_as_forward_array(x.data if isinstance(x, Value) else x) for x in inputs]
        needs = tuple(isinstance(x, Value) and x.requires_grad for x in inputs)
        recording = bool(STATE.flags & RECORD) and any(needs)
        ctx = FunctionCtx(name, needs if recording else (False,) * len(inputs))
        with no_grad():
            raw_out = cls.forward(ctx, *datas, **kwargs)
        out = _check_output(raw_out, name)
        if isinstance(out, np.ndarray) and any(
            np.may_share_memory(out, d) for d in datas if isinstance(d, np.ndarray)
        ):
            out = out.copy()  # the result never aliases an input
        if not any_value:
            return out
        if not recording:
            return constant(out)
        roles = _saved_roles(ctx._saved, datas, raw_out)
        prim = _FunctionPrimitive(cls, ctx, roles)
        return record(out, prim, tuple(inputs), None, datas)  # (detect_anomaly sees it too)


def _as_forward_array(data: Any) -> Any:
    """Forward receives ndarrays (0-d for scalars), whatever the Value stores internally."""
    return np.asarray(data) if not isinstance(data, np.ndarray) else data


def _check_output(raw: Any, name: str) -> Any:
    if isinstance(raw, Value):
        raise TypeError(f"{name}.forward returned a Value; forward works on ndarrays and must return an ndarray")
    if isinstance(raw, (tuple, list)):
        raise TypeError(f"{name}.forward returned a {type(raw).__name__}; a Function has exactly one output array")
    array = np.asarray(raw)
    if array.dtype.kind in "iu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"{name}.forward returned dtype {array.dtype}; it must return real floats")
    return normalize(array)


def _saved_roles(saved: Sequence[Any], datas: Sequence[Any], raw_out: Any) -> tuple[Any, ...]:
    """For each saved item: ('input', k), ('output',), ('other',) or ('constant',) (matched by identity)."""
    roles: list[Any] = []
    for item in saved:
        for k, d in enumerate(datas):
            if item is d:
                roles.append(("input", k))
                break
        else:
            if item is raw_out:
                roles.append(("output",))
            elif isinstance(item, np.floating) or (isinstance(item, np.ndarray) and item.dtype.kind == "f"):
                roles.append(("other",))  # computed in forward: may depend on the inputs
            else:
                roles.append(("constant",))  # Python numbers, masks, index arrays
    return tuple(roles)


class _FunctionPrimitive(Primitive):
    """The primitive behind one application of a Function (holds its ctx)."""

    __slots__ = ("function", "ctx", "roles", "_cache")

    def __init__(self, cls: type[Function], ctx: FunctionCtx, roles: tuple[Any, ...]) -> None:  # noqa: D107
        self.name = cls.__name__
        self.forward = _no_forward
        self.scalar_forward = None
        self.fast_vjp = None
        self.function = cls
        self.ctx = ctx
        self.roles = roles
        self._cache: tuple[Any, ...] | None = None

    @property
    def vjps(self) -> _FunctionVJPs:  # type: ignore[override]
        """Per-input VJPs (a fresh view each time, so the primitive holds no reference cycle)."""
        return _FunctionVJPs(self)

    @property
    def freed(self) -> Primitive:  # type: ignore[override]
        """The engine asks for this when it releases the graph: drop the saved arrays too."""
        self.ctx._saved = ()
        self.ctx._released = True
        self._cache = None
        return FreedPrimitive(self.name)

    def gradient(self, index: int, g: Any, ans: Any, inputs: Sequence[Any]) -> Any:
        """Gradient for input ``index``; runs ``backward`` on the first input of each pass."""
        needs = self.ctx.needs_input_grad
        first = needs.index(True)
        last = len(needs) - 1 - needs[::-1].index(True)
        if index == first or self._cache is None:
            self._cache = self._run_backward(g, ans, inputs)
        grads = self._cache
        if index == last:
            self._cache = None  # do not keep this pass's gradients alive
        gx = grads[index]
        if gx is None:
            return np.zeros(np.shape(inputs[index].data if isinstance(inputs[index], Value) else inputs[index]))
        return gx

    def _run_backward(self, g: Any, ans: Any, inputs: Sequence[Any]) -> tuple[Any, ...]:
        ctx = self.ctx
        create_graph = isinstance(ans, Value)
        raw_saved = ctx.saved
        saved_values: tuple[Any, ...] = ()
        if create_graph:
            saved_values = ctx._saved = self._saved_as_values(raw_saved, ans, inputs)
        try:
            result = self.function.backward(ctx, g)
        except TypeError as error:
            if not create_graph:
                raise
            raise RuntimeError(
                f"{self.name}.backward failed under create_graph=True, where g and ctx.saved are Values: "
                f"{error}. Write backward with operations that accept Values (operators, autograd.exp, "
                "autograd.where, ...) rather than NumPy functions to allow higher-order derivatives."
            ) from error
        finally:
            ctx._saved = raw_saved
        grads = result if isinstance(result, tuple) else (result,)
        if len(grads) != len(inputs):
            raise RuntimeError(
                f"{self.name}.backward returned {len(grads)} gradient(s) but apply() got {len(inputs)} input(s); "
                "return one gradient per input (None for an input that needs none)"
            )
        grads = tuple(_as_gradient(gx, create_graph) for gx in grads)
        if not create_graph:
            grads = tuple(_own(gx, inputs) for gx in grads)
        for k, (gx, x) in enumerate(zip(grads, inputs, strict=True)):
            if gx is not None and ctx.needs_input_grad[k]:
                self._check_gradient(k, gx, x, g, saved_values if create_graph else None)
        return grads

    def _saved_as_values(self, saved: Sequence[Any], ans: Value, inputs: Sequence[Any]) -> tuple[Any, ...]:
        out = []
        for position, (item, role) in enumerate(zip(saved, self.roles, strict=True)):
            if role[0] == "input":
                out.append(inputs[role[1]])
            elif role[0] == "output":
                out.append(ans)
            elif role[0] == "other":
                raise RuntimeError(
                    f"{self.name}: backward cannot be differentiated under create_graph=True: saved item "
                    f"{position} is an array computed inside forward (not an input or the output), so its "
                    "dependence on the inputs is not in the graph. Save the inputs/output instead and recompute "
                    "it in backward with autograd functions (autograd.exp, operators, ...)."
                )
            else:
                out.append(item)
        return tuple(out)

    def _check_gradient(self, k: int, gx: Any, x: Any, g: Any, saved_values: tuple[Any, ...] | None) -> None:
        """Shape check; under create_graph (``saved_values`` given) a raw result that should be a Value raises."""
        xshape = x.shape if isinstance(x, Value) else np.shape(x)
        gshape = gx.shape if isinstance(gx, Value) else np.shape(gx)
        if gshape != xshape:
            try:
                broadcast = np.broadcast_shapes(xshape, gshape) == gshape
            except ValueError:
                broadcast = False
            if not broadcast:
                raise ValueError(
                    f"{self.name}.backward returned a gradient of shape {gshape} for input {k} of shape {xshape}"
                )
        if saved_values is not None and not isinstance(gx, Value):
            if (isinstance(g, Value) and g.requires_grad) or any(
                isinstance(v, Value) and v.requires_grad for v in saved_values
            ):
                raise RuntimeError(
                    f"{self.name}.backward returned a raw {type(gx).__name__} for input {k} under "
                    "create_graph=True, so its derivative cannot be recorded and a higher-order gradient "
                    "would be wrong. Compute the gradient from g and ctx.saved with Value operations."
                )


class _FunctionVJPs:
    """``vjps[i]`` for a Function node: ``vjp(g, ans, *inputs)`` reading the shared backward result."""

    def __init__(self, prim: _FunctionPrimitive) -> None:
        self.prim = prim

    def __getitem__(self, index: int) -> Any:
        prim = self.prim

        def vjp(g: Any, ans: Any, *inputs: Any) -> Any:
            return prim.gradient(index, g, ans, inputs)

        return vjp


def _as_gradient(gx: Any, create_graph: bool) -> Any:
    """What backward returned for one input, as the engine takes it: an ndarray or float (a list becomes an
    array; a Value its data, unless the pass records the graph), None for no gradient."""
    if gx is None:
        return None
    if isinstance(gx, Value):
        return gx if create_graph else gx.data
    if type(gx) is np.ndarray or type(gx) is float:
        return gx
    array = np.asarray(gx)
    return normalize(array.astype(np.float64) if array.dtype.kind in "biu" else array)


def _own(gx: Any, inputs: Sequence[Any]) -> Any:
    """A gradient backward returned, copied when it shares memory with an input's data (returning an input,
    or a view of one, must never make a leaf's ``.grad`` the same memory as some array of the graph)."""
    if type(gx) is np.ndarray and any(type(x) is np.ndarray and np.may_share_memory(gx, x) for x in inputs):
        return gx.copy()
    return gx


def _no_forward(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never called
    raise RuntimeError("a Function node is computed by its forward() at apply time")
