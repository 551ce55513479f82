"""Hypothesis strategies for gradient tests, and a helper that turns a function into a property test.

Points can be kept away from kinks (``avoid=[0.0]``) by more than a finite-difference
step, so a check never straddles a point where the function is not differentiable.

>>> from hypothesis import given
>>> from autograd.testing import arrays
>>> @given(arrays((3,), avoid=[0.0]))
... def test_relu_grad(x): ...

The one-line version, collected by pytest as a test::

    from autograd.testing import gradient_test
    test_my_activation = gradient_test(my_activation, shapes=(3, 4), avoid=[0.0], second_order=True)

``run_gradient_checks`` is the same loop as a function that returns a summary (the
``python -m autograd.gradcheck`` command line is built on it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.checking.check import gradcheck_report, gradgradcheck_report
from autograd.checking.inputs import signature_parameters
from autograd.checking.report import GradcheckError, GradcheckReport
from autograd.value import Value

DEFAULT_MARGIN = 1e-3  # a thousand times the default finite-difference step

Shape = tuple[int, ...]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[Shape]:
    """Array shapes, e.g. (), (3,), (2, 4)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """Tuples of shapes that broadcast together under NumPy's rules, e.g. ((3, 1), (4,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda bs: bs.input_shapes)


def _push_off(x: float, avoid: Sequence[float], margin: float, lo: float = -np.inf, hi: float = np.inf) -> float:
    """Move x at least ``margin`` away from every point in ``avoid``, staying in [lo, hi] when possible.

    Each candidate (x itself, then each kink +- margin) is tried in order of distance from x;
    the nearest one that is clear of every kink wins.
    """
    def clear(y: float) -> bool:
        return all(abs(y - kink) >= margin for kink in avoid)

    if clear(x):
        return x
    candidates = [k + s * margin * (1 + 1e-9) for k in avoid for s in (-1.0, 1.0)]
    inside = [c for c in candidates if lo <= c <= hi and clear(c)]
    pool = inside or [c for c in candidates if clear(c)]
    return min(pool, key=lambda c: abs(c - x)) if pool else x


def floats(
    min_value: float = -3.0, max_value: float = 3.0, avoid: Sequence[float] = (), margin: float = DEFAULT_MARGIN
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], at least ``margin`` away from each point in ``avoid``.

    Args:
        min_value, max_value: the range.
        avoid: points to stay away from (kinks such as 0 for ReLU).
        margin: the distance to keep; make it larger than the finite-difference step ``eps``.
    """
    if not min_value <= max_value:
        raise ValueError(f"floats: min_value {min_value} is larger than max_value {max_value}")
    if avoid and margin <= 0:
        raise ValueError(f"floats: margin must be positive to avoid kinks, got {margin}")
    base = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    if not avoid:
        return base
    kinks = tuple(float(k) for k in avoid)
    return base.map(lambda x: _push_off(x, kinks, margin, min_value, max_value))


def arrays(
    shape: Any = None,
    elements: st.SearchStrategy[float] | None = None,
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = DEFAULT_MARGIN,
) -> st.SearchStrategy[np.ndarray]:
    """ndarrays of ``shape`` (a tuple, or a strategy; default: shapes()) with float elements."""
    if elements is None:
        elements = floats(min_value, max_value, avoid, margin)
    shape = shapes() if shape is None else shape
    return hnp.arrays(dtype=dtype, shape=shape, elements=elements)


def values(shape: Any = None, requires_grad: bool = True, **kwargs: Any) -> st.SearchStrategy[Value]:
    """Values over ``arrays(shape, **kwargs)``."""
    return arrays(shape, **kwargs).map(lambda a: Value(a, requires_grad=requires_grad))


# ---------------------------------------------------------------------------
# a function -> a property test


def count_inputs(f: Callable[..., Any]) -> int:
    """How many arrays f takes: its positional parameters without a default value.

    Raises:
        ValueError: when that cannot be read from the signature (``*args``); pass ``n_inputs``.
    """
    try:
        params = signature_parameters(f)  # for Function.apply: forward's arguments after ctx
    except ValueError:
        raise ValueError(f"cannot read the signature of {f!r}; pass n_inputs") from None
    n = 0
    for p in params:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ValueError(f"{getattr(f, '__name__', f)!r} takes *args; pass n_inputs (or one shape per input)")
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            n += 1
    if n == 0:
        raise ValueError(f"{getattr(f, '__name__', f)!r} takes no positional argument to differentiate")
    return n


def input_arrays(
    n_inputs: int,
    shapes_: Any = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = DEFAULT_MARGIN,
) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Tuples of ``n_inputs`` float64 arrays for a function under test.

    ``shapes_``: None (any shape for one input; mutually broadcastable shapes for several),
    one shape for all inputs (e.g. ``(3, 4)``), or a sequence with one shape per input.
    """
    elements = floats(min_value, max_value, avoid, margin)
    if shapes_ is None:
        if n_inputs == 1:
            return st.tuples(arrays(shapes(), elements))
        return broadcastable_shapes(n_inputs).flatmap(
            lambda ss: st.tuples(*[arrays(s, elements) for s in ss]))
    per_input = _per_input_shapes(shapes_, n_inputs)
    return st.tuples(*[arrays(s, elements) for s in per_input])


def _per_input_shapes(shapes_: Any, n_inputs: int) -> list[Shape]:
    items = list(shapes_)
    if all(isinstance(n, (int, np.integer)) for n in items):
        return [tuple(int(n) for n in items)] * n_inputs
    per_input = [tuple(int(n) for n in s) for s in items]
    if len(per_input) != n_inputs:
        raise ValueError(f"got {len(per_input)} shapes for a function of {n_inputs} input(s)")
    return per_input


def _check(f: Callable[..., Any], inputs: tuple[np.ndarray, ...], second_order: bool,
           options: dict[str, Any]) -> GradcheckReport:
    report = gradcheck_report(f, inputs, **options)
    if report.passed and second_order:
        return gradgradcheck_report(f, inputs, **options)
    return report


def gradient_test(
    f: Callable[..., Any],
    shapes: Any = None,
    *,
    n_inputs: int | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = DEFAULT_MARGIN,
    second_order: bool = False,
    max_examples: int | None = None,
    **check_options: Any,
) -> Callable[[], None]:
    """A ready hypothesis test: gradcheck (and gradgradcheck) of ``f`` on generated inputs.

    Args:
        f: a function of Values (e.g. a new activation).
        shapes: see :func:`input_arrays`.
        n_inputs: how many arrays f takes (default: read from its signature).
        min_value, max_value, avoid, margin: the input domain (see :func:`floats`).
        second_order: also check second derivatives.
        max_examples: overrides the active hypothesis profile's number of examples.
        **check_options: passed to gradcheck (eps, atol, rtol, fast, ...); ``kinks`` defaults to
            "skip" (a correct ReLU passes at 0); pass ``kinks="error"`` to fail on kinks met.

    Returns:
        A test function; assign it to a ``test_...`` name in a test module and pytest runs it.
    """
    n = count_inputs(f) if n_inputs is None else n_inputs
    strategy = input_arrays(n, shapes, min_value, max_value, avoid, margin)
    options = {"kinks": "skip", **check_options}

    def test_gradient(inputs: tuple[np.ndarray, ...]) -> None:
        report = _check(f, inputs, second_order, options)
        if not report.passed:
            raise GradcheckError(report.message(), report)

    name = getattr(f, "__name__", "function")
    name = name if name.isidentifier() else "function"
    test_gradient.__name__ = test_gradient.__qualname__ = f"test_gradient_of_{name}"
    test: Callable[..., None] = given(strategy)(test_gradient)
    if max_examples is not None:
        test = settings(max_examples=max_examples)(test)
    return test


@dataclass
class CheckSummary:
    """What ``run_gradient_checks`` saw: examples, shapes, the worst errors, kinks, the failure if any."""

    examples: int = 0
    shapes: set[tuple[Shape, ...]] = field(default_factory=set)
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    worst_abs: tuple[GradcheckReport, tuple[np.ndarray, ...]] | None = None
    worst: tuple[GradcheckReport, tuple[np.ndarray, ...]] | None = None  # the entry nearest its tolerance
    kinks: int = 0
    failure: tuple[GradcheckReport, tuple[np.ndarray, ...]] | None = None
    error: BaseException | None = None
    error_inputs: tuple[np.ndarray, ...] | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None and self.error is None


class _Failed(Exception):
    pass


def _size(inputs: tuple[np.ndarray, ...]) -> tuple[int, float]:
    """Order failing examples: fewer elements first, then smaller magnitudes."""
    return sum(a.size for a in inputs), float(sum(np.sum(np.abs(a)) for a in inputs))


def run_gradient_checks(
    f: Callable[..., Any],
    shapes: Any = None,
    *,
    n_inputs: int | None = None,
    examples: int = 100,
    second_order: bool = False,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = DEFAULT_MARGIN,
    seed: int = 0,
    max_shrink_checks: int = 60,
    **check_options: Any,
) -> CheckSummary:
    """Check ``f`` on up to ``examples`` generated inputs; on a failure, hypothesis shrinks it to a small one.

    Kinks met are counted, not failed (``kinks="skip"``). Exceptions raised by f end the run
    and are kept in ``summary.error``. Arguments as in :func:`gradient_test`; ``seed`` makes
    the run reproducible. After a failure, at most ``max_shrink_checks`` smaller candidates are
    checked (shrinking a second-order failure can otherwise take many seconds); the failure
    kept is the smallest one actually checked.
    """
    n = count_inputs(f) if n_inputs is None else n_inputs
    strategy = input_arrays(n, shapes, min_value, max_value, avoid, margin)
    options = {"kinks": "skip", **check_options}
    summary = CheckSummary()
    failing = False
    shrink_checks = 0

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False, print_blob=False,
              verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck),
              phases=(Phase.explicit, Phase.generate, Phase.shrink))
    @given(strategy)
    def run(inputs: tuple[np.ndarray, ...]) -> None:
        nonlocal failing, shrink_checks
        if not failing:
            summary.examples += 1
            summary.shapes.add(tuple(a.shape for a in inputs))
        else:
            shrink_checks += 1
            if shrink_checks > max_shrink_checks:
                raise _Failed  # stop spending time: every further candidate counts as failing
        try:
            report = _check(f, inputs, second_order, options)
        except Exception as error:
            failing = True
            summary.error, summary.error_inputs = error, inputs
            raise
        if not failing:
            summary.kinks += len(report.kinks)
            if report.max_abs_error >= summary.max_abs_error:
                summary.worst_abs = (report, inputs)
            nearer = summary.worst is None or report._worst_ratio > summary.worst[0]._worst_ratio
            if report.worst is not None and nearer:
                summary.worst = (report, inputs)
            summary.max_abs_error = max(summary.max_abs_error, report.max_abs_error)
            summary.max_rel_error = max(summary.max_rel_error, report.max_rel_error)
        if not report.passed:
            failing = True
            if summary.failure is None or _size(inputs) <= _size(summary.failure[1]):
                summary.failure = (report, inputs)  # the smallest failing example checked
            summary.error = None
            raise _Failed

    try:
        run()
    except Exception:  # noqa: BLE001 - the summary holds what happened
        if summary.failure is None and summary.error is None:
            raise
    return summary
