"""Random-graph fuzzing: gradients and Hessian-vector products of graphs nobody wrote by hand.

hypothesis builds expression DAGs from the primitive registry (tests/graph_fuzzer.py)
and, for each, checks in float64 that

- the forward under ``no_grad`` equals the recorded forward bit for bit, and on raw ndarrays
  (plain NumPy through the same functions) up to round-off;
- reverse-mode gradients match central finite differences, coordinate by coordinate;
- gradients taken with ``create_graph=True`` equal the first-order ones;
- Hessian-vector products (``create_graph`` over all inputs, and ``autograd.hvp`` in
  the first input) match finite differences of the reverse-mode gradient.

The fast profile runs in every test run; the long one is
``pytest -m fuzz`` (``FUZZ_EXAMPLES=n`` to change its size, default 3000 graphs per family).
A failure prints the shrunk graph as Python code together with its inputs.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, no_grad
from autograd.engine import general_path, gradients
from autograd.registry import REGISTRY, Primitive
from tests.graph_fuzzer import BUILDERS, COVERS, Graph, graphs, literal

EPS = 1e-6  # finite-difference step
BOUND = 50.0  # largest |value| allowed at any node (keeps derivatives moderate)
MARGIN = 1e-3  # smallest distance to a kink (1000 steps)
RTOL, ATOL = 1e-5, 1e-6

FAST = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


def _as_array(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Value) else x, dtype=np.float64)


# ---------------------------------------------------------------------------- test points


def _extremum_gaps(x: np.ndarray, axis: Any) -> np.ndarray:
    """Gaps between the two largest and between the two smallest entries of each reduced slice."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(int(a) % x.ndim for a in np.atleast_1d(axis))
    kept = [n for i, n in enumerate(x.shape) if i not in axes]
    moved = np.moveaxis(x, axes, tuple(range(x.ndim - len(axes), x.ndim)))
    rows = np.sort(moved.reshape(int(np.prod(kept)), -1), axis=-1)
    if rows.shape[-1] < 2:
        return np.array([np.inf])
    return np.concatenate([rows[:, -1] - rows[:, -2], rows[:, 1] - rows[:, 0]])


def _kink_distance(g: Graph, datas: list[np.ndarray]) -> float:
    """The smallest nonzero distance of the point to a kink (exact ties and zeros are structural, see below)."""
    gaps = [np.inf]
    for kink in g.kinks:
        if kink[0] == "zero":
            d = np.abs(datas[kink[1]]).ravel()
        elif kink[0] == "tie":
            d = np.abs(datas[kink[1]] - datas[kink[2]]).ravel()
        else:
            d = _extremum_gaps(datas[kink[1]], kink[2])
        # An exact zero or tie holds between results that are equal as functions near the point
        # (x - x, maximum(a, a), max over broadcast copies): both sides move together, so no kink is crossed.
        d = d[d > 0]
        gaps.append(float(d.min()) if d.size else np.inf)
    return min(gaps)


def _choose_inputs(g: Graph, f: Callable[..., Any], seed: int) -> list[Any] | None:
    """Inputs in [-2, 2] for which every node is finite, moderate and away from kinks (None if none found)."""
    for attempt in range(8):
        rng = np.random.default_rng([seed, attempt])
        xs = [autograd.arrays.as_data(rng.uniform(-2.0, 2.0, s)) for s in g.input_shapes]
        try:
            with np.errstate(all="ignore"):
                out, nodes = f(*xs)
        except ArithmeticError:  # raw Python floats raise on overflow where NumPy gives inf
            continue
        datas = [_as_array(x) for x in (*xs, *nodes, out)]
        if all(np.isfinite(d).all() and np.abs(d).max(initial=0) <= BOUND for d in datas) \
                and _kink_distance(g, datas) > MARGIN:
            return xs
    return None


def _raw_output(f: Callable[..., Any], xs: list[Any]) -> float:
    out, _ = f(*xs)
    return float(_as_array(out))


def _numerical_grads(f: Callable[..., Any], xs: list[Any]) -> list[np.ndarray]:
    arrays = [np.array(x, dtype=np.float64) for x in xs]
    grads = []
    for k, a in enumerate(arrays):
        grad = np.zeros_like(a)
        for index in np.ndindex(*a.shape):
            point = [b.copy() for b in arrays]
            point[k][index] = a[index] + EPS
            plus = _raw_output(f, [autograd.arrays.as_data(p) for p in point])
            point[k][index] = a[index] - EPS
            minus = _raw_output(f, [autograd.arrays.as_data(p) for p in point])
            grad[index] = (plus - minus) / (2 * EPS)
        grads.append(grad)
    return grads


def _reverse_grads(f: Callable[..., Any], xs: list[Any]) -> list[np.ndarray]:
    leaves = [Value(x) for x in xs]
    out, _ = f(*leaves)
    out.backward()
    arrays = [leaf.grad for leaf in leaves if type(leaf.grad) is np.ndarray]
    for k, g in enumerate(arrays):  # .grad never aliases any leaf's .data or another .grad
        others = arrays[:k] + arrays[k + 1:] + [leaf.data for leaf in leaves]
        if any(np.shares_memory(g, other) for other in others if type(other) is np.ndarray):
            raise Mismatch("a leaf's .grad shares memory with a leaf's .data or another .grad")
    return [np.zeros(np.shape(x)) if leaf.grad is None else _as_array(leaf.grad)
            for leaf, x in zip(leaves, xs, strict=True)]


def _shift(xs: list[Any], vs: list[np.ndarray], h: float) -> list[Any]:
    return [autograd.arrays.as_data(np.asarray(x) + h * v) for x, v in zip(xs, vs, strict=True)]


# ---------------------------------------------------------------------------- the check


class Mismatch(AssertionError):
    pass


def _compare(what: str, analytic: list[np.ndarray], numeric: list[np.ndarray], report: str) -> None:
    scale = max([1.0] + [float(np.abs(n).max(initial=0)) for n in numeric])
    for k, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
        error = np.abs(a - n)
        allowed = ATOL * scale + RTOL * np.abs(n)
        if not (error <= allowed).all():
            worst = np.unravel_index(int(np.argmax(error - allowed)), np.shape(error)) if np.ndim(error) else ()
            raise Mismatch(
                f"{what} of input v{k} disagrees at index {worst}: analytic {np.asarray(a)[worst]!r}, "
                f"numeric {np.asarray(n)[worst]!r} (abs error {error[worst]:.3g})\n{report}"
            )


def check_graph(g: Graph, seed: int) -> None:
    """All fuzz properties for one graph (raises Mismatch with the graph as code)."""
    f = g.function()
    xs = _choose_inputs(g, f, seed)
    assume(xs is not None)
    assert xs is not None
    report = f"--- graph ---\n{g.source()}--- inputs ---\nxs = [{', '.join(literal(x) for x in xs)}]"
    note(report)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a finite graph must not warn either
        _check_forward_modes(f, xs, report)
        grads = _reverse_grads(f, xs)
        _compare("reverse-mode gradient", grads, _numerical_grads(f, xs), report)
        _check_general_path(f, xs, grads, report)
        _check_second_order(f, xs, grads, seed, report)
        _check_nested_grad(f, xs, seed, report)
        _check_threads(f, xs, grads, report)
    _check_nan_propagation(f, xs, report)


def _check_forward_modes(f: Callable[..., Any], xs: list[Any], report: str) -> None:
    recorded_out, recorded = f(*[Value(x) for x in xs])
    with no_grad():
        quiet_out, quiet = f(*[Value(x) for x in xs])
    raw_out, raw = f(*xs)
    for k, (a, b, c) in enumerate(zip((recorded_out, *recorded), (quiet_out, *quiet), (raw_out, *raw), strict=True)):
        if not np.array_equal(_as_array(a), _as_array(b)):  # the very same computation: bit for bit
            raise Mismatch(f"no_grad forward differs from the recorded forward at result {k}\n{report}")
        # Raw code may hold np.float64 scalars where a Value holds a Python float, and NumPy's tanh/exp/...
        # may differ from math's in the last bit: equal up to round-off.
        if not np.allclose(_as_array(a), _as_array(c), rtol=1e-12, atol=1e-14):
            raise Mismatch(f"raw ndarray forward differs from the recorded forward at result {k}\n{report}")
    assert recorded_out.requires_grad and not recorded_out.is_leaf
    assert all(not v.requires_grad and v.is_leaf for v in (quiet_out, *quiet)), "no_grad recorded a graph"


def _check_general_path(f: Callable[..., Any], xs: list[Any], grads: list[np.ndarray], report: str) -> None:
    """The general path (every registered VJP called, no fast path) gives the same gradients, bit for bit."""
    with general_path():
        general = _reverse_grads(f, xs)
    for k, (fast, slow) in enumerate(zip(grads, general, strict=True)):
        if not np.array_equal(fast, slow):
            raise Mismatch(f"the general path's gradient of input {k} differs from the fast path's\n{report}")


def _check_nested_grad(f: Callable[..., Any], xs: list[Any], seed: int, report: str) -> None:
    """grad of a function that calls grad and closes over the outer variable (as in JAX and torch.func):
    d/dx0 [w . d f/dx1 (x0, x1)], against finite differences of the inner gradient along a direction u."""
    if len(xs) < 2:
        return
    rng = np.random.default_rng([seed, 7])
    w, u = rng.uniform(-1.0, 1.0, np.shape(xs[1])), rng.uniform(-1.0, 1.0, np.shape(xs[0]))
    rest = xs[2:]

    def inner(a: Any) -> Any:
        g = autograd.grad(lambda b: f(a, b, *rest)[0])(xs[1])
        return autograd.sum(g * w)

    nested = float(np.sum(_as_array(autograd.grad(inner)(xs[0])) * u))
    with no_grad():
        plus, minus = inner(_shift(xs[:1], [u], EPS)[0]), inner(_shift(xs[:1], [u], -EPS)[0])
    numeric = (float(_as_array(plus)) - float(_as_array(minus))) / (2 * EPS)
    _compare("nested grad (grad of a function calling grad)", [np.array(nested)], [np.array(numeric)], report)


def _check_threads(f: Callable[..., Any], xs: list[Any], grads: list[np.ndarray], report: str) -> None:
    """Two threads computing the same gradients at once each get the one-thread answer, bit for bit."""
    results: list[Any] = [None, None]

    def work(k: int) -> None:
        with no_grad():  # this thread's no_grad must not stop the other thread's recording
            f(*xs)
        results[k] = _reverse_grads(f, xs)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for found in results:
        if found is None or not all(np.array_equal(a, b) for a, b in zip(found, grads, strict=True)):
            raise Mismatch(f"gradients computed in two threads at once differ from one thread's\n{report}")


def _check_nan_propagation(f: Callable[..., Any], xs: list[Any], report: str) -> None:
    """A NaN in an input: the recorded forward gives what plain NumPy gives (NaN where NumPy's is NaN,
    as PyTorch propagates it), and backward runs without raising."""
    poisoned = [np.array(x, dtype=np.float64) for x in xs]
    poisoned[0].flat[0] = np.nan
    poisoned = [autograd.arrays.as_data(p) for p in poisoned]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected, _ = f(*poisoned)
        leaves = [Value(p) for p in poisoned]
        out, _ = f(*leaves)
        out.backward()
    if not np.allclose(_as_array(out), _as_array(expected), rtol=1e-12, atol=1e-14, equal_nan=True):
        raise Mismatch(f"with a NaN input the recorded forward gives {_as_array(out)!r}, NumPy "
                       f"{_as_array(expected)!r}\n{report}")


def _check_second_order(f: Callable[..., Any], xs: list[Any], grads: list[np.ndarray], seed: int,
                        report: str) -> None:
    rng = np.random.default_rng([seed, 99])
    vs = [rng.uniform(-1.0, 1.0, np.shape(x)) for x in xs]
    leaves = [Value(x) for x in xs]
    out, _ = f(*leaves)
    first = gradients(out, leaves, create_graph=True)
    _compare("create_graph gradient", [_as_array(d) for d in first], grads, report)
    terms = [autograd.sum(d * v) for d, v in zip(first, vs, strict=True) if isinstance(d, Value) and d.requires_grad]
    if terms:
        hv = [_as_array(d) for d in gradients(sum(terms[1:], terms[0]), leaves)]
    else:
        hv = [np.zeros(np.shape(x)) for x in xs]
    plus, minus = _reverse_grads(f, _shift(xs, vs, EPS)), _reverse_grads(f, _shift(xs, vs, -EPS))
    numeric = [(p - m) / (2 * EPS) for p, m in zip(plus, minus, strict=True)]
    _compare("Hessian-vector product (create_graph)", hv, numeric, report)

    rest = xs[1:]
    value, product = autograd.hvp(lambda x0: f(x0, *rest)[0], xs[0], vs[0])
    if not np.isclose(float(_as_array(value)), _raw_output(f, xs), rtol=1e-12, atol=1e-14):
        raise Mismatch(f"hvp returned f(x) = {value!r}, the forward gives {_raw_output(f, xs)!r}\n{report}")
    only_first = [vs[0]] + [np.zeros_like(v) for v in vs[1:]]
    plus, minus = _reverse_grads(f, _shift(xs, only_first, EPS)), _reverse_grads(f, _shift(xs, only_first, -EPS))
    _compare("autograd.hvp in v0", [_as_array(product)], [(plus[0] - minus[0]) / (2 * EPS)], report)


# ---------------------------------------------------------------------------- the tests

seeds = st.integers(0, 2**32 - 1)


@FAST
@given(graphs(scalar=True), seeds)
def test_fuzz_scalar_graphs(g: Graph, seed: int) -> None:
    """Graphs of Python-float scalars (the micrograd path: math.* forwards)."""
    check_graph(g, seed)


@settings(FAST, max_examples=400)
@given(graphs(), seeds)
def test_fuzz_tensor_graphs(g: Graph, seed: int) -> None:
    """Graphs of arrays with broadcasting, reductions, indexing, matmul and reuse."""
    check_graph(g, seed)


def _long_run_requested(config: pytest.Config) -> bool:
    return "fuzz" in (config.getoption("markexpr") or "") or os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


@pytest.mark.fuzz
@pytest.mark.parametrize("scalar", [True, False], ids=["scalar", "tensor"])
def test_fuzz_long(request: pytest.FixtureRequest, scalar: bool) -> None:
    """The long profile: thousands of graphs per family, new ones each run."""
    if not _long_run_requested(request.config):
        pytest.skip("long fuzz profile: run `pytest -m fuzz` or HYPOTHESIS_PROFILE=fuzz")
    n = int(os.environ.get("FUZZ_EXAMPLES", settings.get_profile("fuzz").max_examples))
    counts = {"checked": 0, "tried": 0}

    def counted(g: Graph, seed: int) -> None:
        counts["tried"] += 1
        check_graph(g, seed)
        counts["checked"] += 1

    run = settings(FAST, max_examples=n, derandomize=False, database=None)(
        given(graphs(scalar=scalar, max_ops=12), seeds)(counted))
    run()
    print(f"fuzz long profile ({'scalar' if scalar else 'tensor'} graphs): {counts['checked']} graphs checked, "
          f"{counts['tried'] - counts['checked']} rejected (no test point in the safe domain)")


# ---------------------------------------------------------------------------- coverage of the registry


def _engine_primitives() -> set[str]:
    """Registered primitives defined in the engine's modules (anything registered by tests is left out)."""
    import sys

    found = set()
    for name, module in list(sys.modules.items()):
        if name != "autograd" and not name.startswith("autograd."):
            continue
        for obj in vars(module).values():
            if isinstance(obj, Primitive) and REGISTRY.get(obj.name) is obj:
                found.add(obj.name)
    return found


def test_fuzzer_covers_every_registered_primitive() -> None:
    covered = {p for prims in COVERS.values() for p in prims}
    missing = _engine_primitives() - covered
    assert not missing, f"primitives the fuzzer never builds (add a builder in tests/graph_fuzzer.py): {missing}"
    assert set(COVERS) == set(BUILDERS)


def _recorded_ops(out: Value) -> set[str]:
    seen, stack, ops = set(), [out], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        ops.add(node.op)
        stack.extend(x for x in node._inputs if isinstance(x, Value))
    return ops


@pytest.mark.parametrize("name", sorted(BUILDERS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_builder_records_the_primitives_it_claims(name: str, data: st.DataObject) -> None:
    g = data.draw(graphs(ops=[name], max_ops=3))
    assume(name in g.ops)
    with np.errstate(all="ignore"):
        out, _ = g.function()(*[Value(np.full(s, 0.5) if s else 0.5) for s in g.input_shapes])
    assert set(COVERS[name]) <= _recorded_ops(out), g.source()


# ---------------------------------------------------------------------------- the fuzzer can fail


def _scatter_without_accumulating(g: Any, shape: tuple[int, ...], index: tuple[Any, ...]) -> Any:
    out = np.zeros(shape, dtype=np.result_type(g))
    out[index] = g  # repeated indices overwrite instead of adding up
    return out


def _plant(monkeypatch: pytest.MonkeyPatch, name: str, position: int, vjp: Callable[..., Any]) -> None:
    prim = REGISTRY[name]
    vjps = list(prim.vjps)
    original = vjps[position]
    vjps[position] = lambda *args, **params: vjp(original, *args, **params)
    monkeypatch.setattr(prim, "vjps", tuple(vjps))


PLANTED = {
    "add VJP halves y's gradient": lambda mp: _plant(mp, "add", 1, lambda vjp, *a, **p: vjp(*a, **p) * 0.5),
    "multiply VJP uses its own input": lambda mp: _plant(mp, "multiply", 0, lambda vjp, g, ans, x, y: g * x),
    "matmul VJP off by 0.1%": lambda mp: _plant(mp, "matmul", 1, lambda vjp, *a, **p: vjp(*a, **p) * 1.001),
    "divide VJP sign": lambda mp: _plant(mp, "divide", 1, lambda vjp, *a, **p: -vjp(*a, **p)),
    "exp VJP not differentiable": lambda mp: _plant(
        mp, "exp", 0, lambda vjp, g, ans, x: g * getattr(ans, "data", ans)),  # first order right, HVP wrong
    "indexing drops repeats": lambda mp: mp.setattr(REGISTRY["scatter_add"], "forward", _scatter_without_accumulating),
}


@pytest.mark.parametrize("bug", sorted(PLANTED))
def test_the_fuzzer_finds_a_planted_bug(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each planted engine bug makes the fast fuzz profile fail (so the fuzz tests can fail)."""
    from hypothesis import Phase

    PLANTED[bug](monkeypatch)
    run = settings(FAST, max_examples=400, phases=[Phase.generate], database=None, report_multiple_bugs=False)(
        given(graphs(), seeds)(check_graph))
    with pytest.raises(Mismatch):
        run()
