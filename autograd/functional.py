"""The functional API (JAX / HIPS autograd style): transformations of Python functions.

Each transformation takes ndarrays, numbers or Values. Raw inputs give raw
outputs (first-order, fast); Value inputs give Values connected to them, so
transformations nest: ``grad(grad(f))``, ``jacobian(grad(f))`` (the Hessian).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ops
from autograd.arrays import as_data
from autograd.arrays import raw as _raw
from autograd.engine import gradients
from autograd.mode import enable_grad, is_grad_enabled
from autograd.ops import stack
from autograd.value import Value


def _variable(x: Any) -> tuple[Value, bool]:
    """The Value to differentiate with respect to, and whether to return Values (nesting)."""
    if isinstance(x, Value):
        if x.requires_grad and is_grad_enabled():
            return x, True
        return Value(x.data), False
    return Value(as_data(x, what="input")), False


def _argnums_tuple(argnums: Any, who: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else tuple(argnums)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in nums):
        raise TypeError(f"{who}: argnums must be an int or a tuple of ints, got {argnums!r}")
    if len(set(int(n) for n in nums)) != len(nums):
        raise ValueError(f"{who}: argnums {tuple(int(n) for n in nums)} names an argument twice")
    return tuple(int(n) for n in nums)


def _prepare(args: tuple[Any, ...], argnums: Any, who: str) -> tuple[list[Any], list[Value], bool]:
    nums = _argnums_tuple(argnums, who)
    for n in nums:
        if not -len(args) <= n < len(args):
            raise ValueError(f"{who}: argnums {n} is out of range for a function called with {len(args)} argument(s)")
    call_args = list(args)
    variables = []
    nested = False
    for n in nums:
        v, keep = _variable(args[n])
        call_args[n] = v
        variables.append(v)
        nested = nested or keep
    return call_args, variables, nested


def _depends_on_others(out: Value, variables: list[Value]) -> bool:
    """Whether ``out`` was computed from a recorded Value other than ``variables`` (one that f closes over,
    or another argument): then the transformation's result must stay differentiable with respect to it."""
    if not is_grad_enabled():
        return False
    mine = {id(v) for v in variables}
    seen: set[int] = set()
    stack = [out]
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in mine:
            continue
        seen.add(id(node))
        if node._prim is None:
            if node.requires_grad:
                return True
            continue
        stack.extend(x for x in node._inputs if isinstance(x, Value) and x.requires_grad)
    return False


def _output(out: Any, who: str) -> Value:
    if isinstance(out, (tuple, list)):
        raise TypeError(f"{who}: the function returned a {type(out).__name__}; it must return one Value "
                        "(differentiate each output separately, or stack them)")
    if not isinstance(out, Value):
        out = Value(as_data(out, what=f"{who} output"), requires_grad=False)
    return out


def _scalar_output(out: Any, who: str) -> Value:
    out = _output(out, who)
    if out.size != 1:
        raise TypeError(f"{who}: the function must return a scalar, got a value of shape {out.shape}; "
                        "use jacobian() for vector outputs")
    return out


def _pack(results: list[Any], argnums: Any) -> Any:
    return results[0] if isinstance(argnums, (int, np.integer)) else tuple(results)


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., tuple[Any, Any]]:
    """``(f(*args), df/dargs[argnums])`` for a scalar-valued f; keyword arguments go to f undifferentiated."""
    return _value_and_grad(f, argnums, "value_and_grad")


def _value_and_grad(f: Callable[..., Any], argnums: Any, who: str) -> Callable[..., tuple[Any, Any]]:
    _argnums_tuple(argnums, who)  # bad argnums fail here, not at the first call

    @enable_grad()  # a transformation differentiates even inside no_grad()
    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        call_args, variables, nested = _prepare(args, argnums, who)
        out = _scalar_output(f(*call_args, **kwargs), who)
        # Nested also when f closes over a recorded Value: the gradient then depends on it (as in JAX),
        # and that graph is the caller's, so it must not be freed either.
        nested = nested or _depends_on_others(out, variables)
        grads = gradients(out, variables, create_graph=nested)
        if not nested:
            return _raw(out), _pack(grads, argnums)
        return out, _pack(grads, argnums)

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued f with respect to argument(s) ``argnums``."""
    vg = _value_and_grad(f, argnums, "grad")

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    return grad_f


def jacobian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The Jacobian of f, shaped ``out.shape + in.shape``, built one output element (one VJP) at a time."""

    _argnums_tuple(argnums, "jacobian")

    @enable_grad()  # a transformation differentiates even inside no_grad()
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        call_args, variables, nested = _prepare(args, argnums, "jacobian")
        out = _output(f(*call_args, **kwargs), "jacobian")
        nested = nested or _depends_on_others(out, variables)
        rows: list[list[Any]] = [[] for _ in variables]
        for index in np.ndindex(*out.shape):
            seed = np.zeros(out.shape, dtype=out.dtype)
            seed[index] = 1.0
            grads = gradients(out, variables, grad=seed, retain_graph=True, create_graph=nested)
            for row, g in zip(rows, grads, strict=True):
                row.append(g)
        results = []
        for v, row in zip(variables, rows, strict=True):
            if nested:
                stacked = ops.reshape(_stack_values(row, v), out.shape + v.shape)
            else:
                stacked = np.reshape(np.stack([np.asarray(g) for g in row]), out.shape + v.shape)
            results.append(stacked)
        return _pack(results, argnums)

    return jacobian_f


def _stack_values(row: list[Any], v: Value) -> Any:
    return stack([g if isinstance(g, Value) else Value(g, requires_grad=False) for g in row], 0)


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The matrix of second derivatives of a scalar f: ``jacobian(grad(f))``, shaped x.shape + x.shape.

    One argument at a time (``argnums`` an int): for several, take ``jacobian(grad(f, argnums), argnums)``.
    """
    if not isinstance(argnums, (int, np.integer)) or isinstance(argnums, bool):
        raise TypeError(f"hessian: argnums must be one int, got {argnums!r}; for the blocks of several "
                        "arguments use jacobian(grad(f, argnums), argnums)")
    return jacobian(grad(f, argnums), argnums)


def _tangent(v: Any, x: Value, who: str) -> Any:
    """The direction v, checked to have x's shape (it would broadcast silently otherwise)."""
    data = _raw(v)
    if np.shape(data) != x.shape:
        raise ValueError(f"{who}: v has shape {np.shape(data)} but x has shape {x.shape}; they must be equal")
    return data


@enable_grad()  # a transformation differentiates even inside no_grad()
def hvp(f: Callable[..., Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), H v)``: the Hessian of scalar f at x times v, without forming H.

    Reverse over reverse: differentiate ``grad(f)(x) . v`` once more.
    """
    variable, nested = _variable(x)
    v = _tangent(v, variable, "hvp")
    out = _scalar_output(f(variable), "hvp")
    (g,) = gradients(out, [variable], create_graph=True)
    if not isinstance(g, Value):
        zero = 0.0 if type(variable.data) is float else np.zeros_like(variable.data)
        return (out if nested else _raw(out)), zero
    (product,) = gradients(ops.sum(g * _raw(v)), [variable], create_graph=nested)
    return (out if nested else _raw(out)), product


@enable_grad()  # a transformation differentiates even inside no_grad()
def jvp(f: Callable[..., Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), J v)``: the forward-mode (tangent) product, by the double-VJP trick.

    ``u -> J^T u`` is linear in u, so its own VJP with cotangent v is ``J v``.
    """
    variable, nested = _variable(x)
    v = _tangent(v, variable, "jvp")
    out = f(variable)
    if not isinstance(out, Value) or not out.requires_grad:
        zero = np.zeros(np.shape(_raw(out)))
        return (out if nested else _raw(out)), (float(zero) if zero.ndim == 0 else zero)
    dummy = Value(np.zeros(out.shape, dtype=out.dtype) if out.shape else 0.0)
    (vjp_of_dummy,) = gradients(out, [variable], grad=dummy, create_graph=True)
    if not isinstance(vjp_of_dummy, Value) or not vjp_of_dummy.requires_grad:
        zero = np.zeros(out.shape)
        return (out if nested else _raw(out)), (float(zero) if zero.ndim == 0 else zero)
    (product,) = gradients(ops.sum(vjp_of_dummy * _raw(v)), [dummy], create_graph=nested)
    return (out if nested else _raw(out)), product
