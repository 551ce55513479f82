"""Each primitive as ONNX nodes: one rule per primitive name, the exporter's column of the registry.

``ONNX_RULES[name](b, **params) -> output name`` emits the nodes that compute the primitive's output
from its inputs through an emitter ``b`` (``nn.export``'s, which owns the ``onnx`` package, so this
table imports nothing): ``b.operands()`` gives the inputs' names cast to the output's dtype,
``b.inputs()`` them as they are, ``b.node(op_type, inputs, **attributes)`` adds a node and returns its
output's name, ``b.ints(values)`` an int64 initializer, ``b.scalar(number)`` a constant of the output's
dtype, ``b.float32(op_type, inputs)`` runs an op in float32 inside a float64 model (onnxruntime's CPU
provider has no float64 kernel for Erf), ``b.condition(cond)`` names a where's condition (computed
in the model when it was derived from the data, see :mod:`autograd.program`) and ``b.indices(array)``
an integer index array (the model's input when it is the example's indices, as for an Embedding).
``b.in_shapes``/``b.out_shape`` are the example's shapes; ``b.batch`` the symbolic batch size's
example value (None for a static export).

A primitive ONNX cannot express maps to :func:`unsupported`, whose rule raises NotImplementedError
naming it; ``tests/test_export_onnx.py`` checks that every registered primitive has an entry.
The opset is ``OPSET`` (ReduceMax/ReduceMin/ReduceLogSumExp take their axes as an input from 18).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

OPSET = 18
Rule = Callable[..., str]
ONNX_RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        ONNX_RULES[name] = function
        return function
    return register


def unsupported(name: str, reason: str) -> None:
    """Declare that ``name`` has no ONNX form (its rule raises NotImplementedError naming it)."""
    def raises(b: Any, **params: Any) -> str:
        raise NotImplementedError(f"ONNX export: primitive {name!r} cannot be exported: {reason}")
    ONNX_RULES[name] = raises


def _elementwise(name: str, op_type: str) -> None:
    ONNX_RULES[name] = lambda b, **params: b.node(op_type, b.operands())


for _name, _op in [("add", "Add"), ("subtract", "Sub"), ("multiply", "Mul"), ("divide", "Div"), ("power", "Pow"),
                   ("maximum", "Max"), ("minimum", "Min"), ("negative", "Neg"), ("exp", "Exp"), ("log", "Log"),
                   ("sqrt", "Sqrt"), ("absolute", "Abs"), ("tanh", "Tanh"), ("sin", "Sin"), ("cos", "Cos")]:
    _elementwise(_name, _op)


@rule("erf")
def _erf(b: Any) -> str:
    return b.float32("Erf", b.operands())  # no float64 Erf kernel in onnxruntime's CPU provider


@rule("erfc")
def _erfc(b: Any) -> str:
    return b.node("Sub", [b.scalar(1.0), b.float32("Erf", b.operands())])


@rule("log1p")
def _log1p(b: Any) -> str:
    """log(u) x / (u - 1) with u = 1 + x (x where u == 1): Goldberg's trick keeps tiny x's digits."""
    (x,) = b.operands()
    u = b.node("Add", [x, b.scalar(1.0)])
    ratio = b.node("Div", [b.node("Mul", [b.node("Log", [u]), x]), b.node("Sub", [u, b.scalar(1.0)])])
    return b.node("Where", [b.node("Equal", [u, b.scalar(1.0)]), x, ratio])


@rule("expm1")
def _expm1(b: Any) -> str:
    """(u - 1) x / log(u) with u = e^x (x where u == 1, -1 where u == 0): Kahan's trick for tiny x."""
    (x,) = b.operands()
    u = b.node("Exp", [x])
    ratio = b.node("Div", [b.node("Mul", [b.node("Sub", [u, b.scalar(1.0)]), x]), b.node("Log", [u])])
    ratio = b.node("Where", [b.node("Equal", [u, b.scalar(0.0)]), b.scalar(-1.0), ratio])
    return b.node("Where", [b.node("Equal", [u, b.scalar(1.0)]), x, ratio])


@rule("relu")
def _relu(b: Any) -> str:
    """Where(x <= 0, 0, x): NaN stays NaN, as the primitive (ONNX's Relu leaves NaN to the runtime)."""
    (x,) = b.operands()
    return b.node("Where", [b.node("LessOrEqual", [x, b.scalar(0.0)]), b.scalar(0.0), x])


@rule("where")
def _where(b: Any, cond: Any) -> str:
    a, other = b.operands()
    return b.node("Where", [b.condition(cond), a, other])


# ---------------------------------------------------------------------------- shapes


@rule("astype")
def _astype(b: Any, dtype: Any) -> str:
    (x,) = b.inputs()
    return b.node("Cast", [x], to=b._type(dtype))


@rule("reshape")
def _reshape(b: Any, shape: tuple[int, ...]) -> str:
    (x,) = b.inputs()
    (source,) = b.in_shapes
    target = list(shape)
    if b.batch is not None and target and source:
        if target[0] == source[0] == b.batch:
            target[0] = 0  # copy the (symbolic) batch axis
        elif (target[0] == b.batch and source[0] % b.batch == 0) or (
                source[0] == b.batch and target[0] % b.batch == 0):
            target[0] = -1  # the batch unfolded from, or folded into, the first axis (heads, pixels)
    return b.node("Reshape", [x, b.ints(target)])


@rule("transpose")
def _transpose(b: Any, axes: Any) -> str:
    (x,) = b.inputs()
    perm = list(axes) if axes is not None else list(range(len(b.in_shapes[0])))[::-1]
    return b.node("Transpose", [x], perm=perm)


@rule("broadcast_to")
def _broadcast_to(b: Any, shape: tuple[int, ...]) -> str:
    (x,) = b.inputs()
    source = (1,) * (len(shape) - len(b.in_shapes[0])) + tuple(b.in_shapes[0])
    target = [1 if s == n else n for s, n in zip(source, shape, strict=True)]  # Expand keeps what matches
    return b.node("Expand", [x, b.ints(target)])


@rule("concatenate")
def _concatenate(b: Any, axis: int, offsets: Any = None) -> str:
    return b.node("Concat", b.operands(), axis=int(axis))


@rule("pad")
def _pad(b: Any, pad_width: tuple[tuple[int, int], ...], value: float) -> str:
    (x,) = b.inputs()
    pads = [before for before, _ in pad_width] + [after for _, after in pad_width]
    return b.node("Pad", [x, b.ints(pads), b.scalar(value)], mode="constant")


@rule("sliding_window_view")
def _sliding_window_view(b: Any, window_shape: tuple[int, ...], axis: tuple[int, ...]) -> str:
    """Each window axis as a Gather of constant positions (n - k + 1, k), then the window axes moved last."""
    (x,) = b.inputs()
    ndim = len(b.in_shapes[0])
    lengths = list(b.in_shapes[0])
    layout: list[Any] = list(range(ndim))  # what each axis of the current tensor is: an input axis, or ('w', j)
    for j, (k, a) in enumerate(zip(window_shape, axis, strict=True)):
        a = a % ndim
        positions = np.arange(lengths[a] - k + 1)[:, None] + np.arange(k)[None, :]
        where = layout.index(a)
        x = b.node("Gather", [x, b.indices(positions)], axis=where)
        layout[where:where + 1] = [a, ("w", j)]
        lengths[a] -= k - 1
    order = [layout.index(a) for a in range(ndim)] + [layout.index(("w", j)) for j in range(len(axis))]
    return b.node("Transpose", [x], perm=order)


@rule("getitem")
def _getitem(b: Any, index: Any) -> str:
    """Basic indexing (slices, ints, None, ...) and one integer array (a Gather), as NumPy reads them."""
    (x,) = b.inputs()
    items = list(index) if isinstance(index, tuple) else [index]
    arrays = [i for i in items if isinstance(i, np.ndarray) or isinstance(i, (list, bool))]
    if any(np.asarray(i).dtype == np.bool_ for i in arrays) or len(arrays) > 1 or (
            arrays and any(isinstance(i, (int, np.integer)) for i in items)):
        raise NotImplementedError("ONNX export: primitive 'getitem' with this index (boolean masks, or integer "
                                  "arrays mixed with other integer indices) has no ONNX rule")
    shape = list(b.in_shapes[0])
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    ellipses = [k for k, i in enumerate(items) if i is Ellipsis]
    if ellipses:
        at = ellipses[0]
        items[at:at + 1] = [slice(None)] * (len(shape) - used)
    axis = 0
    for item in items:
        if item is None:
            x = b.node("Unsqueeze", [x, b.ints([axis])])
            shape.insert(axis, 1)
            axis += 1
        elif isinstance(item, slice):
            start, stop, step = item.indices(shape[axis])
            if (start, stop, step) != (0, shape[axis], 1):
                end = stop if stop >= 0 else -(2**63)
                x = b.node("Slice", [x, b.ints([start]), b.ints([end]), b.ints([axis]), b.ints([step])])
                shape[axis] = len(range(start, stop, step))
            axis += 1
        elif isinstance(item, (int, np.integer)):
            x = b.node("Gather", [x, b.indices(np.asarray(int(item) % shape[axis]))], axis=axis)
            del shape[axis]
        else:
            positions = np.asarray(item)
            x = b.node("Gather", [x, b.indices(item)], axis=axis)
            shape[axis:axis + 1] = list(positions.shape)
            axis += positions.ndim
    return x  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- reductions and products


def _axes(b: Any, axis: Any) -> list[int]:
    return list(range(len(b.in_shapes[0]))) if axis is None else [int(a) for a in axis]


def _reduce(op_type: str) -> Rule:
    def emit(b: Any, axis: Any, keepdims: bool) -> str:
        (x,) = b.inputs()
        axes = _axes(b, axis)
        if not axes:  # a reduction over no axis is the identity (ONNX would reduce over all of them)
            return b.node("Identity", [x])  # type: ignore[no-any-return]
        return b.node(op_type, [x, b.ints(axes)], keepdims=int(bool(keepdims)))  # type: ignore[no-any-return]
    return emit


ONNX_RULES["sum"] = _reduce("ReduceSum")
ONNX_RULES["max"] = _reduce("ReduceMax")
ONNX_RULES["min"] = _reduce("ReduceMin")


@rule("logsumexp")
def _logsumexp(b: Any, axis: Any, keepdims: bool) -> str:
    """m + log sum exp(x - m) with m the (kept) maximum, so nothing overflows."""
    (x,) = b.inputs()
    if not _axes(b, axis):
        return b.node("Identity", [x])  # type: ignore[no-any-return]
    axes = b.ints(_axes(b, axis))
    m = b.node("ReduceMax", [x, axes], keepdims=1)
    total = b.node("ReduceSum", [b.node("Exp", [b.node("Sub", [x, m])]), axes], keepdims=1)
    out = b.node("Add", [b.node("Log", [total]), m])
    return out if keepdims else b.node("Squeeze", [out, axes])  # type: ignore[no-any-return]


@rule("matmul")
def _matmul(b: Any) -> str:
    return b.node("MatMul", b.operands())


@rule("linear")
def _linear(b: Any) -> str:
    """x @ w.T (+ b)."""
    names = b.operands()
    out = b.node("MatMul", [names[0], b.node("Transpose", [names[1]], perm=[1, 0])])
    return out if len(names) == 2 else b.node("Add", [out, names[2]])  # type: ignore[no-any-return]


@rule("vdot")
def _vdot(b: Any) -> str:
    x, y = (b.node("Reshape", [name, b.ints([-1])]) for name in b.operands())
    return b.node("ReduceSum", [b.node("Mul", [x, y]), b.ints([0])], keepdims=0)


@rule("sum_of_squares")
def _sum_of_squares(b: Any) -> str:
    return b.node("Sum", [b.node("ReduceSumSquare", [x], keepdims=0) for x in b.operands()])


@rule("einsum")
def _einsum(b: Any, subscripts: str) -> str:
    return b.node("Einsum", b.operands(), equation=subscripts.replace(" ", ""))


unsupported("scatter_add", "it appears only in backward passes (indexing's VJP); export the forward graph")
unsupported("add_windows", "it appears only in backward passes (sliding_window_view's VJP); export the forward graph")
