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


def _argnums_tuple(argnums: int | tuple[int, ...]) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _prepare(args: tuple[Any, ...], argnums: int | tuple[int, ...]) -> tuple[list[Any], list[Value], bool]:
    nums = _argnums_tuple(argnums)
    for n in nums:
        if not -len(args) <= n < len(args):
            raise ValueError(f"argnums {n} is out of range for a function called with {len(args)} argument(s)")
    call_args = list(args)
    variables = []
    nested = False
    for n in nums:
        v, keep = _variable(args[n])
        call_args[n] = v
        variables.append(v)
        nested = nested or keep
    return call_args, variables, nested


def _scalar_output(out: Any, who: str) -> Value:
    if not isinstance(out, Value):
        out = Value(as_data(out, what=f"{who} output"), requires_grad=False)
    if out.size != 1:
        raise TypeError(f"{who}: the function must return a scalar, got a value of shape {out.shape}; "
                        "use jacobian() for vector outputs")
    return out


def _pack(results: list[Any], argnums: int | tuple[int, ...]) -> Any:
    return results[0] if isinstance(argnums, int) else tuple(results)


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., tuple[Any, Any]]:
    """``(f(*args), df/dargs[argnums])`` for a scalar-valued f."""
    return _value_and_grad(f, argnums, "value_and_grad")


def _value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...], who: str) -> Callable[..., tuple[Any, Any]]:
    @enable_grad()  # a transformation differentiates even inside no_grad()
    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        call_args, variables, nested = _prepare(args, argnums)
        out = _scalar_output(f(*call_args), who)
        grads = gradients(out, variables, create_graph=nested)
        if not nested:
            return _raw(out), _pack(grads, argnums)
        return out, _pack(grads, argnums)

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued f with respect to argument(s) ``argnums``."""
    vg = _value_and_grad(f, argnums, "grad")

    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    return grad_f


def jacobian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The Jacobian of f, shaped ``out.shape + in.shape``, built one output element (one VJP) at a time."""

    @enable_grad()  # a transformation differentiates even inside no_grad()
    def jacobian_f(*args: Any) -> Any:
        call_args, variables, nested = _prepare(args, argnums)
        out = f(*call_args)
        if not isinstance(out, Value):
            out = Value(as_data(out, what="jacobian output"), requires_grad=False)
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
    """The matrix of second derivatives of a scalar f: ``jacobian(grad(f))``, shaped x.shape + x.shape."""
    return jacobian(grad(f, argnums), argnums)


@enable_grad()  # a transformation differentiates even inside no_grad()
def hvp(f: Callable[..., Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), H v)``: the Hessian of scalar f at x times v, without forming H.

    Reverse over reverse: differentiate ``grad(f)(x) . v`` once more.
    """
    variable, nested = _variable(x)
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
