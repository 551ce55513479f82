"""The primitive registry: every differentiable op, its forward rule and its VJPs, in one table.

A primitive is an op with a forward rule (NumPy, or ``math`` for Python floats)
and one vector-Jacobian product per input.  Everything else in the project is
composed from primitives, so differentiating them is all the engine needs, and a
test that iterates ``REGISTRY`` can check that every primitive is gradient-tested.

Each VJP has the plain signature ``vjp(g, ans, *inputs, **params) -> gradient``
for one input: ``g`` is the gradient flowing into the output ``ans``.  VJPs are
written with the module-level functions of :mod:`autograd.ops` and ordinary
operators, which accept both ndarrays and Values.  The engine calls them with
raw arrays on the ordinary (first-order) path, so that path costs plain NumPy
arithmetic; under ``backward(create_graph=True)`` it calls the very same VJPs
with Values, so the backward pass is recorded and can be differentiated again.

Fast paths are declared here too, beside the rule they speed up, never written
elsewhere: ``scalar_forward`` (``math.exp`` for a Python float) and ``fast_vjp``,
a :class:`FastVJP` rule naming what the VJPs compute in a form the engine applies
without a call (``SUM_RULE``: ``g`` for both inputs of add; ``PRODUCT_RULE``: ``g``
times the other input, for multiply). A fast VJP describes the VJP functions it was
declared with: assigning new ``vjps`` to a primitive switches it off. ``autograd.engine.general_path()``
switches every fast VJP off, and the tests compare the two paths.

A third column, ``exact``, re-evaluates the op in another arithmetic: the rule
``exact(m, *inputs, **params)`` computes the op's real-number value from object
arrays of exact numbers with the functions of ``m`` (``m.exp``, ``m.erf``, ...: mpmath
at a chosen precision, see :mod:`autograd.checking.exact`), which is how the accuracy
report finds the exact value of a recorded graph. A primitive without one makes the
report say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

VJP = Callable[..., Any]


class VJPTable(Protocol):
    """What ``Primitive.vjps`` is: indexed by input position, gives that input's VJP."""

    def __getitem__(self, index: int, /) -> VJP: ...


class FastVJP:
    """The VJPs of a two-input primitive in a form the engine applies inline (first order, no call).

    ``gradient(i, g, x, y)`` is the readable twin of the engine's inline code, used by the tests.
    """

    def __init__(self, name: str, formulas: tuple[str, str], gradient: Callable[[int, Any, Any, Any], Any]) -> None:
        self.name = name
        self.formulas = formulas
        self.gradient = gradient

    def __repr__(self) -> str:
        return f"FastVJP({self.name}: {', '.join(self.formulas)})"


SUM_RULE = FastVJP("SUM_RULE", ("g", "g"), lambda i, g, x, y: g)                      # d(x + y)
PRODUCT_RULE = FastVJP("PRODUCT_RULE", ("g * y", "g * x"), lambda i, g, x, y: g * (y if i == 0 else x))  # d(xy)


class Primitive:
    """One differentiable op: a name, a forward rule and one VJP per input.

    Args:
        name: what graphs, traces and error messages call the op.
        forward: computes the output from raw ndarrays/floats (and keyword params).
        vjps: one function per input, ``vjp(g, ans, *inputs, **params)``; or an
            object indexed by input position (variadic ops such as concatenate).
        scalar_forward: optional faster rule used when every input is a Python
            float (``math.exp`` instead of ``np.exp``); NumPy is used whenever it
            raises, so overflow gives inf and domain errors give NaN, as in NumPy.
        fast_vjp: optional, for a two-input primitive without params, the :class:`FastVJP`
            rule that ``vjps`` compute, applied inline by the first-order backward pass.
        exact: optional, the op in exact arithmetic: ``exact(m, *inputs, **params)`` on
            object arrays of exact numbers, with ``m`` the arithmetic (module docstring).
    """

    # Slots: the engine reads a node's primitive's fields on every node of every pass.
    __slots__ = ("name", "forward", "vjps", "scalar_forward", "fast_vjp", "freed", "_declared", "exact")
    fast_vjp: FastVJP | None
    exact: Callable[..., Any] | None

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        vjps: VJPTable,
        scalar_forward: Callable[..., Any] | None = None,
        fast_vjp: FastVJP | None = None,
        exact: Callable[..., Any] | None = None,
    ) -> None:
        self.name = name
        self.exact = exact
        self.forward = forward
        self._declared = (vjps, fast_vjp)
        self.vjps = vjps
        self.scalar_forward = scalar_forward
        self.freed: Primitive = FreedPrimitive(name)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name == "vjps":  # a fast VJP holds only for the VJP functions it was declared with
            declared_vjps, fast = getattr(self, "_declared", (None, None))
            object.__setattr__(self, "fast_vjp", fast if value is declared_vjps else None)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class FreedPrimitive(Primitive):
    """Stands in for a node's primitive once ``backward`` has released the graph."""

    __slots__ = ()

    def __init__(self, name: str) -> None:  # noqa: D107  (no super(): no twin of its own)
        self.name = name
        self.forward = _no_forward
        self.vjps = _FreedVJPs(name)  # (sets fast_vjp to None)
        self.scalar_forward = None
        self.exact = None
        self.freed = self


def _no_forward(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never called
    raise RuntimeError("a freed primitive has no forward")


class _FreedVJPs:
    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, index: int) -> VJP:
        raise RuntimeError(
            f"Trying to backward through the graph a second time (at op '{self.name}'): "
            "its buffers were released by the first backward. Specify retain_graph=True "
            "on the first backward() call if you need to backward through it again."
        )


class PerInput:
    """VJPs of a variadic op (concatenate): one function ``vjp(i, g, ans, inputs, **params)`` for every input i.

    ``inputs`` comes as one tuple, so that the engine can ask for each of n inputs' gradients without
    passing n arguments each time (``gradient``); ``vjps[i]`` is the usual per-input signature.
    """

    def __init__(self, vjp: Callable[..., Any]) -> None:
        self.vjp = vjp

    def gradient(self, index: int, g: Any, ans: Any, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        return self.vjp(index, g, ans, inputs, **params) if params else self.vjp(index, g, ans, inputs)

    def __getitem__(self, index: int) -> VJP:
        return lambda g, ans, *inputs, **params: self.vjp(index, g, ans, inputs, **params)


REGISTRY: dict[str, Primitive] = {}


def register(primitive: Primitive) -> Primitive:
    """Add a primitive to the registry (tests iterate it to gradient-check every primitive)."""
    if primitive.name in REGISTRY:
        raise ValueError(f"primitive {primitive.name!r} is registered twice")
    REGISTRY[primitive.name] = primitive
    return primitive
