"""Every registered primitive (and every composite) against central finite differences, to second order.

First order: the gradient of ``sum(f(x) * w)`` (random weights ``w``) from ``backward``
against ``numerical_grad``.  Second order: the gradient from ``backward(create_graph=True)``
is a Value ``g``; the gradient of ``sum(g * v)`` from a second backward against finite
differences of the first-order gradient.  All in float64; the catalogue keeps inputs in
each op's domain and off its kinks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_catalogue import CATALOGUE, COMPOSITES, Case

from autograd import REGISTRY, Value, enable_grad, ops
from autograd.checking import numerical_grad

FIRST = {"rtol": 1e-5, "atol": 1e-6}
SECOND = {"rtol": 1e-4, "atol": 1e-5}

PRIMITIVE_MODES = [(name, mode) for name, modes in CATALOGUE.items() for mode in modes]
COMPOSITE_MODES = [(name, mode) for name, modes in COMPOSITES.items() for mode in modes]
ALL_MODES = [("primitive", *m) for m in PRIMITIVE_MODES] + [("composite", *m) for m in COMPOSITE_MODES]
IDS = [f"{name}-{mode}" for _, name, mode in ALL_MODES]
TABLES = {"primitive": CATALOGUE, "composite": COMPOSITES}


def test_every_registered_primitive_has_a_catalogue_entry() -> None:
    missing = sorted(set(REGISTRY) - set(CATALOGUE))
    assert not missing, f"registered primitives with no gradient test in tests/primitive_catalogue.py: {missing}"


def test_catalogue_lists_only_registered_primitives() -> None:
    stale = sorted(set(CATALOGUE) - set(REGISTRY))
    assert not stale, f"catalogue entries for primitives that are not registered: {stale}"


def _random_like(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """Weights in +-[0.5, 1.5]: never zero, so no part of the gradient goes unchecked."""
    w = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return float(w) if shape == () else w


def _draw(data: st.DataObject, kind: str, name: str, mode: str) -> tuple[Case, np.random.Generator]:
    case = data.draw(TABLES[kind][name][mode](), label="case")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    return case, rng


def _weighted(case: Case, w: Any) -> Callable[..., Any]:
    return lambda *xs: ops.sum(case.fn(*xs) * w)


def _grads(leaves: list[Value]) -> list[np.ndarray]:
    """Each leaf's .grad as a float64 array (zeros when no gradient reached it)."""
    out = []
    for leaf in leaves:
        g = leaf.grad
        g = getattr(g, "data", g)
        out.append(np.zeros(leaf.shape) if g is None else np.asarray(g, dtype=np.float64))
    return out


def _first_order(case: Case, w: Any) -> list[np.ndarray]:
    with enable_grad():
        leaves = [Value(getattr(x, "data", x)) for x in case.inputs]
        _weighted(case, w)(*leaves).backward()
    return _grads(leaves)


@pytest.mark.parametrize(("kind", "name", "mode"), ALL_MODES, ids=IDS)
@given(data=st.data())
def test_first_derivative(kind: str, name: str, mode: str, data: st.DataObject) -> None:
    case, rng = _draw(data, kind, name, mode)
    leaves = [Value(x) for x in case.inputs]
    out = case.fn(*leaves)
    if kind == "primitive":
        assert out.op == name, f"the catalogue entry for {name!r} builds {out.op!r}"
    w = _random_like(rng, out.shape)
    ops.sum(out * w).backward()

    expected = numerical_grad(_weighted(case, w), *case.inputs)
    for i, (leaf, got, want) in enumerate(zip(leaves, _grads(leaves), expected, strict=True)):
        if leaf.grad is not None:
            assert np.shape(leaf.grad) == leaf.shape
            assert type(leaf.grad) is type(leaf.data)  # a float for a float64 scalar, else an ndarray
        np.testing.assert_allclose(got, want, **FIRST, err_msg=f"{name} ({case.what}): input {i}")


@pytest.mark.parametrize(("kind", "name", "mode"), ALL_MODES, ids=IDS)
@settings(max_examples=25)
@given(data=st.data())
def test_second_derivative(kind: str, name: str, mode: str, data: st.DataObject) -> None:
    case, rng = _draw(data, kind, name, mode)
    leaves = [Value(x) for x in case.inputs]
    out = case.fn(*leaves)
    w = _random_like(rng, out.shape)
    v = [_random_like(rng, leaf.shape) for leaf in leaves]
    ops.sum(out * w).backward(create_graph=True)
    first = [leaf.grad for leaf in leaves]

    # the recorded backward pass computes the same first derivatives as the plain one
    plain = _first_order(case, w)
    for i, (g, want) in enumerate(zip(first, plain, strict=True)):
        assert g is None or isinstance(g, Value), f"{name}: create_graph gave a {type(g).__name__}"
        got = np.zeros(want.shape) if g is None else np.asarray(g.data)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=f"{name} ({case.what}): input {i}")

    for leaf in leaves:
        leaf.zero_grad()
    dot = sum((ops.sum(g * vi) for g, vi in zip(first, v, strict=True) if g is not None), 0.0)
    if isinstance(dot, Value) and dot.requires_grad:
        dot.backward()

    def grad_dot(*xs: Value) -> float:
        grads = _first_order(Case(case.what, tuple(x.data for x in xs), case.fn), w)
        return float(sum(np.sum(g * vi) for g, vi in zip(grads, v, strict=True)))

    expected = numerical_grad(grad_dot, *case.inputs)
    for i, (got, want) in enumerate(zip(_grads(leaves), expected, strict=True)):
        np.testing.assert_allclose(got, want, **SECOND, err_msg=f"{name} ({case.what}): input {i}")
