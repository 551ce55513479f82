"""A recorded graph re-run in exact arithmetic: the registry's ``exact`` rules and one small interpreter.

Each primitive's ``exact`` rule (declared beside its forward and VJPs in ``autograd/ops``)
computes the op on object arrays of :class:`Exact` numbers with the functions of an
:class:`Arithmetic` (``m.exp``, ``m.erf``, ...). ``evaluate`` walks a recorded graph in
topological order and applies those rules, so the graph of ``f`` and the graph of its
derivative (recorded with ``create_graph=True``) get their real-number values without
a second implementation of any op (autodidax's ``eval_jaxpr`` with another rule table).

How exact is "exact": addition, subtraction and multiplication of exact operands are
done without rounding (mpmath's ``exact=True``), and so are negation, |x|, max, min,
selection and every structural op; anything else (division, exp, log, erf, ...) is
correctly rounded to ``prec`` bits and marks its result *inexact*. A result is
*doubtful* when an inexact number was cancelled or hidden by the precision: a sum that
loses more than ``prec - 64`` bits to cancellation (or cancels to 0), a function that
turns a non-zero inexact input into 0, a division by an inexact 0. The caller re-runs
doubtful samples at a higher precision (Ziv's strategy; a rigorous interval bound, as
Herbie's Rival computes, is stronger but needs interval rules for every op).

Needs mpmath (the optional extra ``accuracy``); :mod:`autograd.checking.accuracy`
imports this module when a report is asked for, and says how to install mpmath
when it is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from autograd.checking.rounding import Format, bits_of_error, finite, flags, round_to, rounded
from autograd.registry import Primitive
from autograd.value import Value

__all__ = [  # the rounding helpers are re-exported: the accuracy report reaches everything exact through here
    "ARITHMETIC", "Arithmetic", "Exact", "Format", "MissingRule", "bits_of_error", "compare_derivative", "evaluate",
    "finite", "flags", "round_to", "rounded", "shifted", "steps", "to_exact",
]

GUARD_BITS = 64  # bits a result must keep after cancellation to count as settled


class Exact:
    """A real number (an mpmath ``mpf``) and what is known of it: rounded (inexact), unreliable (doubtful)."""

    __slots__ = ("v", "inexact", "doubtful")

    def __init__(self, v: Any, inexact: bool = False, doubtful: bool = False) -> None:
        self.v = v
        self.inexact = inexact
        self.doubtful = doubtful

    def __repr__(self) -> str:
        marks = ("~" if self.inexact else "") + ("?" if self.doubtful else "")
        return f"Exact({mpmath.nstr(self.v, 20)}{marks})"

    # arithmetic: exact for exact operands, rounded to mp.prec otherwise
    def _combine(self, other: Any, op: Callable[..., Any], additive: bool) -> Exact:
        other = _lift(other)
        inexact = self.inexact or other.inexact
        doubtful = self.doubtful or other.doubtful
        if inexact:
            v = op(self.v, other.v)
            if additive and not doubtful:
                doubtful = _cancelled(v, self.v, other.v)
        else:
            v = op(self.v, other.v, exact=True)
        return Exact(v, inexact, doubtful)

    def __add__(self, other: Any) -> Exact:
        return self._combine(other, mp.fadd, True)

    def __radd__(self, other: Any) -> Exact:
        return _lift(other)._combine(self, mp.fadd, True)

    def __sub__(self, other: Any) -> Exact:
        return self._combine(other, mp.fsub, True)

    def __rsub__(self, other: Any) -> Exact:
        return _lift(other)._combine(self, mp.fsub, True)

    def __mul__(self, other: Any) -> Exact:
        return self._combine(other, mp.fmul, False)

    def __rmul__(self, other: Any) -> Exact:
        return _lift(other)._combine(self, mp.fmul, False)

    def __neg__(self) -> Exact:
        return Exact(-self.v, self.inexact, self.doubtful)

    def __lt__(self, other: Any) -> bool:
        return bool(self.v < _lift(other).v)

    def __le__(self, other: Any) -> bool:
        return bool(self.v <= _lift(other).v)

    def __gt__(self, other: Any) -> bool:
        return bool(self.v > _lift(other).v)

    def __ge__(self, other: Any) -> bool:
        return bool(self.v >= _lift(other).v)


def _lift(x: Any) -> Exact:
    return x if isinstance(x, Exact) else Exact(mpmath.mpf(float(x)))


def _finite(v: Any) -> bool:
    return bool(mpmath.isfinite(v))


def _cancelled(result: Any, a: Any, b: Any) -> bool:
    """True when a + b (or a - b) of inexact operands lost all but GUARD_BITS of the precision."""
    if not (_finite(result) and _finite(a) and _finite(b)):
        return False
    if result == 0:
        return bool(a != 0 or b != 0)
    top = max(mpmath.mag(a) if a else -(10**9), mpmath.mag(b) if b else -(10**9))
    return bool(top - mpmath.mag(result) > mp.prec - GUARD_BITS)


def _real(v: Any) -> Any:
    """mpmath returns complex numbers outside a real function's domain: NaN, as NumPy."""
    return v if isinstance(v, mpmath.mpf) else mpmath.mpf("nan")


def _unary(function: Callable[[Any], Any], exact_at: Callable[[Any], bool] | None = None,
           lost: Callable[[Any, Any], int] | None = None) -> Callable[[Any], Any]:
    """An elementwise rule on object arrays: f correctly rounded to mp.prec bits, marked inexact.

    ``lost(x, f(x))`` estimates the bits an inexact input loses through f (log2 of the condition
    number |x f'(x) / f(x)|, for the functions where it can be large); beyond prec - GUARD_BITS the
    result is doubtful, like a 0 or an overflow made from a non-zero inexact input.
    """

    def scalar(x: Exact) -> Exact:
        if mpmath.isnan(x.v):
            return Exact(x.v, x.inexact, x.doubtful)
        v = _real(function(x.v))
        inexact = not (exact_at is not None and exact_at(x.v)) or x.inexact
        doubtful = x.doubtful
        if x.inexact and not doubtful and _finite(x.v) and x.v != 0:
            doubtful = v == 0 or not _finite(v) or (lost is not None and lost(x.v, v) > mp.prec - GUARD_BITS)
        return Exact(v, inexact, bool(doubtful))

    ufunc = np.frompyfunc(scalar, 1, 1)
    return lambda x: _as_object(ufunc(x))


def _as_object(out: Any) -> np.ndarray:
    return out if isinstance(out, np.ndarray) else np.asarray(out, dtype=object)


def _absolute(x: Exact) -> Exact:
    x = _lift(x)
    return Exact(abs(x.v), x.inexact, x.doubtful)


def _divide(x: Exact, y: Exact) -> Exact:
    x, y = _lift(x), _lift(y)
    inexact = x.inexact or y.inexact
    doubtful = x.doubtful or y.doubtful or (y.inexact and y.v == 0)
    if y.v == 0:  # NumPy's x/0: a signed infinity, or NaN for 0/0
        v = mpmath.mpf("nan") if x.v == 0 or mpmath.isnan(x.v) else mpmath.mpf("inf") * mpmath.sign(x.v)
        return Exact(v, inexact, doubtful)
    v = mp.fdiv(x.v, y.v)
    return Exact(v, True, doubtful)


def _power(x: Exact, y: Exact) -> Exact:
    x, y = _lift(x), _lift(y)
    doubtful = x.doubtful or y.doubtful
    if x.v == 0 and y.v < 0:
        return Exact(mpmath.mpf("inf"), x.inexact or y.inexact, doubtful)
    if x.v < 0 and y.v != mpmath.floor(y.v):
        return Exact(mpmath.mpf("nan"), True, doubtful)
    whole = y.v == mpmath.floor(y.v) and 0 <= y.v <= 64 and not (x.inexact or y.inexact)
    if whole:  # a small whole power of an exact number: exact
        return Exact(mpmath.fprod([x.v] * int(y.v)) if y.v else mpmath.mpf(1), False, doubtful)
    return Exact(_real(mpmath.power(x.v, y.v)), True, doubtful)


def _extreme(pick: Callable[[Any, Any], bool]) -> Callable[[Exact, Exact], Exact]:
    def scalar(x: Exact, y: Exact) -> Exact:
        x, y = _lift(x), _lift(y)
        if mpmath.isnan(x.v) or mpmath.isnan(y.v):
            return x if mpmath.isnan(x.v) else y
        return x if pick(x.v, y.v) else y

    return scalar


def _log_lost(x: Any, r: Any) -> int:
    """log near 1 amplifies the relative error of its input by 1/|log x|."""
    return -int(mpmath.mag(r)) if _finite(r) else 0


def _periodic_lost(x: Any, r: Any) -> int:
    """sin and cos near their zeros amplify it by about |x / f(x)|."""
    return int(mpmath.mag(x)) - int(mpmath.mag(r)) if _finite(r) else 0


def _reduce(ufunc: np.ufunc, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """``ufunc.reduce`` over several axes (a Python function's ufunc takes one): they are moved last and merged."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(axis)
    kept = [a for a in range(x.ndim) if a not in axes]
    merged = x.transpose(kept + list(axes)).reshape([x.shape[a] for a in kept] + [-1])
    out = ufunc.reduce(merged, axis=-1)
    if keepdims:
        out = np.reshape(out, [1 if a in axes else n for a, n in enumerate(x.shape)])
    return _as_object(out)


def _erf_exact_at(v: Any) -> bool:
    return bool(v == 0)


class Arithmetic:
    """The functions that the registry's ``exact`` rules call (``m``), on object arrays of :class:`Exact`."""

    exp = staticmethod(_unary(mpmath.exp, lambda v: v == 0))
    log = staticmethod(_unary(lambda v: mpmath.log(v) if v != 0 else -mpmath.inf, lambda v: v == 1, _log_lost))
    log1p = staticmethod(_unary(lambda v: mpmath.log1p(v) if v != -1 else -mpmath.inf, lambda v: v == 0))
    expm1 = staticmethod(_unary(mpmath.expm1, lambda v: v == 0))
    sqrt = staticmethod(_unary(mpmath.sqrt, lambda v: v == 0 or v == 1))
    tanh = staticmethod(_unary(mpmath.tanh, lambda v: v == 0))
    sin = staticmethod(_unary(mpmath.sin, lambda v: v == 0, _periodic_lost))
    cos = staticmethod(_unary(mpmath.cos, lambda v: v == 0, _periodic_lost))
    erf = staticmethod(_unary(mpmath.erf, _erf_exact_at))
    erfc = staticmethod(_unary(mpmath.erfc, _erf_exact_at))
    abs = staticmethod(lambda x: _as_object(np.frompyfunc(_absolute, 1, 1)(x)))
    divide = staticmethod(lambda x, y: _as_object(np.frompyfunc(_divide, 2, 1)(x, y)))
    power = staticmethod(lambda x, y: _as_object(np.frompyfunc(_power, 2, 1)(x, y)))
    maximum = staticmethod(lambda x, y: _as_object(np.frompyfunc(_extreme(lambda a, b: a >= b), 2, 1)(x, y)))
    minimum = staticmethod(lambda x, y: _as_object(np.frompyfunc(_extreme(lambda a, b: a <= b), 2, 1)(x, y)))

    @staticmethod
    def sum(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        if x.size == 0:
            return _as_object(np.full(np.sum(np.zeros(x.shape), axis, keepdims=keepdims).shape, Exact(mpmath.mpf(0))))
        return _as_object(np.add.reduce(x, axis=axis, keepdims=bool(keepdims)))  # type: ignore[call-overload]

    @staticmethod
    def max(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return _reduce(np.frompyfunc(_extreme(lambda a, b: a >= b), 2, 1), x, axis, keepdims)

    @staticmethod
    def min(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return _reduce(np.frompyfunc(_extreme(lambda a, b: a <= b), 2, 1), x, axis, keepdims)

    @staticmethod
    def matmul(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _as_object(np.matmul(x, y))

    @staticmethod
    def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        out = np.matmul(x, w.T)
        return _as_object(out if b is None else out + b)

    @staticmethod
    def einsum(subscripts: str, *operands: np.ndarray) -> np.ndarray:
        return _as_object(np.einsum(subscripts, *operands, optimize=False))

    @staticmethod
    def exact(a: Any) -> np.ndarray:
        """An array of Exact numbers from one that mixes them with plain numbers (a forward's zeros or padding)."""
        return _as_object(np.frompyfunc(_lift, 1, 1)(np.asarray(a, dtype=object)))

    @staticmethod
    def scatter_add(g: np.ndarray, shape: tuple[int, ...], index: tuple[Any, ...]) -> np.ndarray:
        out = np.empty(shape, dtype=object)
        out.fill(Exact(mpmath.mpf(0)))
        np.add.at(out, index, g)
        return out


ARITHMETIC = Arithmetic()
_TO_EXACT = np.frompyfunc(lambda x: Exact(mpmath.mpf(float(x))), 1, 1)


def to_exact(data: Any) -> np.ndarray:
    """Float data (a number or array) as an object array of exact numbers."""
    with np.errstate(invalid="ignore"):  # NaN data converts to an exact NaN without a warning
        return _as_object(_TO_EXACT(np.asarray(data, dtype=np.float64)))


class MissingRule(Exception):
    """The graph holds an op without an ``exact`` rule."""

    def __init__(self, name: str) -> None:
        super().__init__(f"op '{name}' has no exact rule in the registry, so its exact value is unknown")
        self.name = name


def evaluate(nodes: Sequence[Value], leaves: dict[int, np.ndarray], prec: int) -> dict[int, np.ndarray]:
    """The exact value of every node (object arrays of :class:`Exact`), keyed by ``id(node)``.

    Args:
        nodes: ops in topological order (:func:`graph_nodes`).
        leaves: exact values of the leaves, by ``id``; other leaves and constants are exact as stored.
        prec: bits to which inexact results are rounded.
    """
    values: dict[int, np.ndarray] = dict(leaves)
    with mp.workprec(prec):
        for node in nodes:
            prim: Primitive = node._prim
            rule = getattr(prim, "exact", None)  # (a custom Function's primitive has none)
            if rule is None:
                raise MissingRule(prim.name)
            args = [_exact_input(x, values) for x in node._inputs]
            values[id(node)] = _as_object(rule(ARITHMETIC, *args, **(node._params or {})))
    return values


def _exact_input(x: Any, values: dict[int, np.ndarray]) -> np.ndarray:
    if isinstance(x, Value):
        known = values.get(id(x))
        if known is None:
            known = values[id(x)] = to_exact(x.data)  # a leaf or a constant Value
        return known
    return to_exact(x)


# ---------------------------------------------------------------------------
# the derivative formula against a difference quotient of the exact function


def steps(x: np.ndarray, prec: int) -> np.ndarray:
    """A step h for each input: a power of two near |x| 2^-36 (2^-76 at 0).

    Small enough that the quotient's truncation error (about (h/x)^2) is far below the
    2^-16 that separates a wrong formula from a right one, large enough that the
    subtraction F(x + h) - F(x - h) keeps most of the GUARD_BITS every settled value has.
    """
    out = np.empty(x.shape, dtype=object)
    for i, e in enumerate(x.reshape(-1)):
        scale = int(mpmath.mag(e.v)) - 1 if e.v != 0 and _finite(e.v) else -40
        out.reshape(-1)[i] = mpmath.ldexp(mpmath.mpf(1), scale - 36)
    return out


def shifted(x: np.ndarray, h: np.ndarray, sign: int) -> np.ndarray:
    """x + sign h, exactly."""
    return _as_object(np.frompyfunc(lambda e, step: Exact(mp.fadd(e.v, sign * step, exact=True)), 2, 1)(x, h))


def compare_derivative(graph: np.ndarray, plus: np.ndarray, minus: np.ndarray, h: np.ndarray, prec: int,
                       rtol_bits: int, centre: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whether the derivative graph's exact value matches (F(x+h) - F(x-h)) / 2h.

    With ``centre`` = F(x), a disagreement where the graph's value lies between the one-sided
    quotients (F(x+h) - F(x)) / h and (F(x) - F(x-h)) / h is a kink (relu at 0), not a wrong formula.

    Returns:
        (1 agree / 0 disagree / -1 not comparable (non-finite, or a kink), the difference quotients as floats).
    """
    agree = np.full(graph.shape, -1, dtype=np.int8)
    quotients = np.full(graph.shape, np.nan)
    with mp.workprec(prec):
        for i in range(graph.size):
            d, a, b, step = graph.flat[i].v, plus.flat[i].v, minus.flat[i].v, h.flat[i]
            if not (_finite(d) and _finite(a) and _finite(b)):
                continue
            q = (a - b) / (2 * step)
            quotients.flat[i] = float(q)
            # the quotient's own error: F(x +- h) are good to GUARD_BITS (relative) at least; and its
            # truncation, about h^2 times F's third derivative / 6, which the relative term misses at a
            # derivative of 0 (h^2 is taken for it)
            tolerance = mpmath.ldexp(max(abs(d), abs(q)), -rtol_bits) + (abs(a) + abs(b)) * mpmath.ldexp(
                1, 8 - GUARD_BITS) / step + step * step
            agree.flat[i] = 1 if abs(d - q) <= tolerance else 0
            if not agree.flat[i] and centre is not None and _finite(centre.flat[i].v):
                right, left = (a - centre.flat[i].v) / step, (centre.flat[i].v - b) / step
                if min(left, right) - tolerance <= d <= max(left, right) + tolerance:
                    agree.flat[i] = -1  # a kink: the derivative of one side, or a convention between them
    return agree, quotients
