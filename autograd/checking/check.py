"""Gradient checking: reverse-mode derivatives against central finite differences, in float64.

    numeric  d f_i / d x_j  ~  (f_i(x + eps e_j) - f_i(x - eps e_j)) / (2 eps)

``gradcheck`` compares the full Jacobian (every output element against every input
element); ``gradcheck(..., fast=True)`` compares random projections v^T J u instead
(one backward pass and two evaluations of f per projection, whatever the size);
``gradgradcheck`` runs the same comparison on the function x -> J(x)^T v, which checks
second derivatives (``backward(create_graph=True)``).

Kinks: the one-sided differences (f(x) - f(x - eps)) / eps and (f(x + eps) - f(x)) / eps
disagree where f is not differentiable (ReLU at 0). Such an entry is reported as a
kink, not as a wrong gradient, when the analytic value lies between the two one-sided
values (the derivative of one side, or a convention in between). ``kinks=`` says what to
do with it: ``"warn"`` (default; skip it and warn), ``"skip"`` (skip silently; it is
listed in the report) or ``"error"`` (raise).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ops
from autograd.arrays import raw as _raw
from autograd.checking.inputs import Problem, signature_parameters
from autograd.checking.report import Entry, GradcheckError, GradcheckReport, GradcheckWarning, KinkWarning
from autograd.engine import gradients
from autograd.mode import enable_grad, is_grad_enabled, no_grad
from autograd.value import Value

__all__ = [
    "Entry", "GradcheckError", "GradcheckReport", "GradcheckWarning", "KinkWarning",
    "gradcheck", "gradcheck_report", "gradgradcheck", "gradgradcheck_report", "numerical_grad",
    "signature_parameters",
]

_KINK_OPTIONS = ("warn", "skip", "error")


# ---------------------------------------------------------------------------
# numerical derivatives


def _evaluate(f: Callable[..., Any], arrays: list[np.ndarray]) -> np.ndarray:
    with no_grad():
        out = f(*[Value(a, requires_grad=False) for a in arrays])
    # a copy: the output may be a view of the input array that the caller perturbs next (x.reshape(-1))
    return np.array(out.data if isinstance(out, Value) else out, dtype=np.float64)


def numerical_grad(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences d f/d x ~ (f(x + eps) - f(x - eps)) / (2 eps), one array per input.

    Args:
        f: called with Values that do not require grad (so it may use Value methods).
            For a non-scalar output this is the gradient of ``sum(f(...))``.
        *inputs: numbers, ndarrays or Values, all differentiated.
        eps: the finite-difference step.

    Returns:
        A list of float64 arrays, one per input, each of that input's shape.
    """
    arrays = [np.array(getattr(x, "data", x), dtype=np.float64) for x in inputs]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for index in np.ndindex(*a.shape):
            original = a[index]
            a[index] = original + eps
            plus = _evaluate(f, arrays)
            a[index] = original - eps
            minus = _evaluate(f, arrays)
            a[index] = original
            g[index] = np.sum(plus - minus) / (2 * eps)
        grads.append(g)
    return grads


# ---------------------------------------------------------------------------
# the comparison


def _compare(
    report: GradcheckReport,
    k: int,
    name: str,
    shapes: tuple[tuple[int, ...], tuple[int, ...]] | None,
    analytic: np.ndarray,
    central: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    atol: float,
    rtol: float,
    point: np.ndarray | None = None,
    output_name: Callable[[tuple[int, ...]], str] | None = None,
) -> None:
    """Compare one input's block of entries and record mismatches, kinks and the worst error."""
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN and a zero tolerance (atol 0) are compared too
        error = np.abs(analytic - central)
        tol = atol + rtol * np.abs(central)
        bad = ~(error <= tol)  # NaN counts as a mismatch
        # Left and right differences disagree: by more than the tolerance where the entry
        # mismatches (and the analytic value lies between them), and by 100 times that where it
        # matches (smooth curvature f'' eps can exceed the tolerance itself; a true kink's jump
        # does not shrink with eps).
        spread = np.abs(right - left)
        one_sided_tol = atol + rtol * np.maximum(np.abs(left), np.abs(right))
        lo, hi = np.minimum(left, right), np.maximum(left, right)
        between = (analytic >= lo - tol) & (analytic <= hi + tol)
        kink = between & np.where(bad, spread > one_sided_tol, spread > 100 * one_sided_tol)
        scale = np.maximum(np.maximum(np.abs(analytic), np.abs(central)), max(atol, 1e-300))
        rel = error / scale
        ratio = np.where(bad & ~np.isfinite(error), np.inf, error / tol)
    report.n_compared += analytic.size

    def entry(flat: int) -> Entry:
        row, col = divmod(flat, analytic.shape[1])
        out_index = None if shapes is None else _unravel(row, shapes[0])
        in_index = None if shapes is None else _unravel(col, shapes[1])
        return Entry(k, name, in_index, out_index, float(analytic.flat[flat]), float(central.flat[flat]),
                     float(error.flat[flat]), float(rel.flat[flat]), float(left.flat[flat]),
                     float(right.flat[flat]), None if point is None else float(point.flat[col]),
                     None if output_name is None or out_index is None else output_name(out_index))

    for position in np.flatnonzero(kink):
        report.kinks.append(entry(int(position)))
    smooth = ~kink
    report.n_mismatched += int(np.count_nonzero(bad & smooth))
    if np.any(smooth):
        masked_ratio = np.where(smooth, ratio, -1.0)
        worst = int(np.argmax(masked_ratio))
        if report.worst is None or masked_ratio.flat[worst] > report._worst_ratio:
            report.worst = entry(worst)
            report._worst_ratio = float(masked_ratio.flat[worst])
        counted = smooth & ~np.isnan(error)  # NaN entries are mismatches (ratio inf), not a maximum
        report.max_abs_error = max(report.max_abs_error, float(np.max(np.where(counted, error, 0.0))))
        report.max_rel_error = max(report.max_rel_error, float(np.max(np.where(counted, rel, 0.0))))


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _full_check(problem: Problem, report: GradcheckReport, eps: float, atol: float, rtol: float) -> None:
    """Every Jacobian entry: one backward pass per output element, two evaluations per input element."""
    out, variables = problem.call([a.copy() for a in problem.arrays], requires_grad=True)
    out_shape = out.shape if isinstance(out, Value) else np.shape(out)
    m = int(np.prod(out_shape))
    analytic = [np.zeros((m, a.size)) for a in problem.arrays]
    if isinstance(out, Value) and out.requires_grad:
        for row in range(m):
            seed = np.zeros(out_shape, dtype=out.dtype)
            seed.flat[row] = 1.0
            grads = gradients(out, variables, grad=seed, retain_graph=True)
            for block, g in zip(analytic, grads, strict=True):
                block[row] = np.asarray(_raw(g), dtype=np.float64).reshape(-1)
    else:
        report.notes.append("the output does not require grad: f is not connected to its inputs "
                            "(did it use .data or NumPy functions on Values?)")
    arrays = problem.arrays
    f0 = problem.evaluate(arrays)
    for k, array in enumerate(arrays):
        central, left, right = (np.zeros((m, array.size)) for _ in range(3))
        flat = array.reshape(-1)  # a view: perturbing it perturbs the input
        for j in range(array.size):
            original = flat[j]
            flat[j] = original + eps
            plus = problem.evaluate(arrays)
            flat[j] = original - eps
            minus = problem.evaluate(arrays)
            flat[j] = original
            central[:, j] = (plus - minus) / (2 * eps)
            left[:, j] = (f0 - minus) / eps
            right[:, j] = (plus - f0) / eps
        _compare(report, k, problem.names[k], (tuple(out_shape), array.shape), analytic[k], central,
                 left, right, atol, rtol, array, problem.output_name)


def _fast_check(
    problem: Problem, report: GradcheckReport, eps: float, atol: float, rtol: float, projections: int, seed: int
) -> None:
    """Random projections v^T J u, one input at a time: cost independent of the sizes."""
    rng = np.random.default_rng(seed)
    out, variables = problem.call([a.copy() for a in problem.arrays], requires_grad=True)
    out_shape = out.shape if isinstance(out, Value) else np.shape(out)
    connected = isinstance(out, Value) and out.requires_grad
    if not connected:
        report.notes.append("the output does not require grad: f is not connected to its inputs")
    arrays = problem.arrays
    f0 = problem.evaluate(arrays)
    for p in range(projections):
        v = _unit(rng.standard_normal(out_shape))
        grads = gradients(out, variables, grad=v, retain_graph=True) if connected else [0.0] * len(arrays)
        for k, array in enumerate(arrays):
            u = _unit(rng.standard_normal(array.shape)).astype(array.dtype)
            analytic = float(np.sum(np.asarray(_raw(grads[k]), dtype=np.float64) * u))
            original = array.copy()
            array[...] = original + eps * u
            plus = float(np.dot(problem.evaluate(arrays), v.reshape(-1)))
            array[...] = original - eps * u
            minus = float(np.dot(problem.evaluate(arrays), v.reshape(-1)))
            array[...] = original
            base = float(np.dot(f0, v.reshape(-1)))
            block = np.array([[analytic]])
            _compare(report, k, f"{problem.names[k]} (projection {p})", None, block,
                     np.array([[(plus - minus) / (2 * eps)]]), np.array([[(base - minus) / eps]]),
                     np.array([[(plus - base) / eps]]), atol, rtol)


def _unit(a: Any) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    norm = float(np.sqrt(np.sum(a * a)))
    return a / norm if norm > 0 else np.ones_like(a)


def _run(
    problem: Problem, order: int, eps: float, atol: float, rtol: float, fast: bool, kinks: str,
    projections: int, seed: int,
) -> GradcheckReport:
    if kinks not in _KINK_OPTIONS:
        raise ValueError(f"kinks must be one of {_KINK_OPTIONS}, got {kinks!r}")
    if eps <= 0 or atol < 0 or rtol < 0:
        raise ValueError(f"eps must be > 0 and atol, rtol >= 0 (got eps={eps}, atol={atol}, rtol={rtol})")
    report = GradcheckReport(order=order, mode="fast" if fast else "full", atol=atol, rtol=rtol, eps=eps)
    if fast:
        _fast_check(problem, report, eps, atol, rtol, projections, seed)
    else:
        _full_check(problem, report, eps, atol, rtol)
    report.passed = report.n_mismatched == 0 and not (kinks == "error" and report.kinks)
    report.kink_policy = kinks
    return report


def _finish(report: GradcheckReport, raise_exception: bool, kinks: str) -> bool:
    if report.kinks and kinks == "warn":
        warnings.warn(report.kink_message(), KinkWarning, stacklevel=3)
    if report.passed:
        return True
    if raise_exception:
        raise GradcheckError(report.message(), report)
    return False


# ---------------------------------------------------------------------------
# public checks


def gradcheck_report(
    f: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
    fast: bool = False, kinks: str = "warn", projections: int = 3, seed: int = 0,
) -> GradcheckReport:
    """Run the first-order comparison of :func:`gradcheck` and return the full report (never raises on mismatch)."""
    return _run(Problem.of(f, inputs, "gradcheck"), 1, eps, atol, rtol, fast, kinks, projections, seed)


def gradcheck(
    f: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
    raise_exception: bool = True, fast: bool = False, kinks: str = "warn", projections: int = 3, seed: int = 0,
) -> bool:
    """Check the reverse-mode gradient of ``f`` against central differences.

    An entry passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Args:
        f: a function of Values returning a Value (any shape; vector outputs are checked
            row by row: the full Jacobian).
        inputs: one input or a tuple of them. Float ndarrays, Python floats and Values with
            ``requires_grad=True`` are checked; anything else (ints, masks, Values that do not
            require grad) is passed to f unchanged as a constant.
        eps: finite-difference step.
        atol, rtol: tolerances (see above).
        raise_exception: raise :class:`GradcheckError` on failure (else return False).
        fast: compare ``projections`` random projections v^T J u per input instead of every entry.
        kinks: what to do where f is not differentiable: "warn", "skip" or "error" (module docstring).
        projections, seed: for ``fast``: how many random projections, and the seed that draws them.

    Returns:
        True when every entry agrees (False on failure when ``raise_exception`` is False).

    Raises:
        GradcheckError: its message names the input, the worst index, the analytic and numeric
            values and the absolute and relative errors.
    """
    report = gradcheck_report(f, inputs, eps, atol, rtol, fast, kinks, projections, seed)
    return _finish(report, raise_exception, kinks)


def _first_derivative(problem: Problem, v: np.ndarray) -> Callable[..., Any]:
    """x -> concatenated, flattened J(x)^T v: the function whose Jacobian holds the second derivatives."""
    positions = problem.checked

    def grad_dot_v(*args: Any) -> Any:
        *xs, v_arg = args
        checked = [xs[p] for p in positions]
        if is_grad_enabled() and all(isinstance(x, Value) and x.requires_grad for x in checked):
            out = problem.f(*xs)
            grads = gradients(out, checked, grad=v_arg, create_graph=True) if isinstance(out, Value) else [
                np.zeros(x.shape) for x in checked]
        else:
            with enable_grad():
                fresh = list(xs)
                variables = [Value(_raw(x)) for x in checked]
                for p, variable in zip(positions, variables, strict=True):
                    fresh[p] = variable
                out = problem.f(*fresh)
                if isinstance(out, Value) and out.requires_grad:
                    grads = gradients(out, variables, grad=np.asarray(_raw(v_arg), dtype=out.dtype))
                else:
                    grads = [np.zeros(x.shape) for x in variables]
        return ops.concatenate([ops.reshape(g, (-1,)) for g in grads], axis=0)

    return grad_dot_v


def _gradient_entry_namer(problem: Problem) -> Callable[[tuple[int, ...]], str]:
    """Name an entry of the concatenated first derivatives: 'of the gradient of input 1 (b) at index (0,)'."""
    sizes = [a.size for a in problem.arrays]

    def name(out_index: tuple[int, ...]) -> str:
        flat = out_index[0] if out_index else 0
        for k, size in enumerate(sizes):
            if flat < size:
                where = f" at index {_unravel(flat, problem.arrays[k].shape)}" if problem.arrays[k].ndim else ""
                return f"of the gradient of {problem.names[k]}{where}"
            flat -= size
        return f"output index {out_index}"

    return name


def gradgradcheck_report(
    f: Callable[..., Any], inputs: Any, grad_outputs: Any = None, eps: float = 1e-6, atol: float = 1e-5,
    rtol: float = 1e-3, fast: bool = False, kinks: str = "warn", projections: int = 3, seed: int = 0,
) -> GradcheckReport:
    """Run the second-order comparison of :func:`gradgradcheck` and return the full report."""
    problem = Problem.of(f, inputs, "gradgradcheck")
    with no_grad():
        out, _ = problem.call(problem.arrays, requires_grad=False)
    out_shape = out.shape if isinstance(out, Value) else np.shape(out)
    if grad_outputs is None:
        v = np.random.default_rng(seed).standard_normal(out_shape)
    else:
        v = np.array(_raw(grad_outputs), dtype=np.float64)
        if v.shape != tuple(out_shape):
            raise ValueError(f"gradgradcheck: grad_outputs has shape {v.shape} but f's output has shape {out_shape}")
    second = Problem(  # the same inputs (already validated) plus v
        _first_derivative(problem, v), [*problem.args, v], [*problem.checked, len(problem.args)],
        [*problem.arrays, v], [*problem.names, "grad_output v"], _gradient_entry_namer(problem),
    )
    return _run(second, 2, eps, atol, rtol, fast, kinks, projections, seed)


def gradgradcheck(
    f: Callable[..., Any], inputs: Any, grad_outputs: Any = None, eps: float = 1e-6, atol: float = 1e-5,
    rtol: float = 1e-3, raise_exception: bool = True, fast: bool = False, kinks: str = "warn",
    projections: int = 3, seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of ``(x, v) -> J(x)^T v`` computed with ``create_graph=True``.

    Args:
        f, inputs, eps, atol, rtol, raise_exception, fast, kinks, projections, seed: as in :func:`gradcheck`.
        grad_outputs: the cotangent v (shape of f's output); random (from ``seed``) when None.
            It is checked as an extra input too, so a backward that mishandles ``g`` is caught.

    Returns:
        True when the second derivatives agree (False on failure when ``raise_exception`` is False).

    Raises:
        GradcheckError: as in :func:`gradcheck`, for the derivatives of J^T v.
    """
    report = gradgradcheck_report(f, inputs, grad_outputs, eps, atol, rtol, fast, kinks, projections, seed)
    return _finish(report, raise_exception, kinks)
