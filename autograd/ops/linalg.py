"""The matrix primitives: matmul (NumPy's rules), a dense layer's linear map, vdot and einsum.

Like every primitive, each has its forward and one VJP per input side by side, and
the VJPs are written with the functions of :mod:`autograd.ops`, so they
run on ndarrays (first order) or on Values (``create_graph=True``).
"""

from __future__ import annotations

import builtins
import functools
import math
import string
from typing import Any

import numpy as np

from autograd.apply import call, call_binary
from autograd.arrays import as_array, normalize, raw, shape_of
from autograd.ops.reductions import broadcast_to, sum  # noqa: A004  (sum of Values and arrays)
from autograd.ops.shapes import reshape, transpose
from autograd.registry import PerInput, Primitive, register

# ---------------------------------------------------------------------------
# matrix product (NumPy's matmul rules: 1-D operands, batch broadcasting)


def _swap_last(a: Any) -> Any:
    n = len(shape_of(a))
    return transpose(a, tuple(range(n - 2)) + (n - 1, n - 2))


def _as_row(g: Any) -> Any:
    """(..., m) -> (..., 1, m)."""
    s = shape_of(g)
    return reshape(g, s[:-1] + (1, s[-1]))


def _matmul_vjp_x(g: Any, ans: Any, x: Any, y: Any) -> Any:
    xs, ys = shape_of(x), shape_of(y)
    if len(ys) == 1:                                          # out[..., i] = sum_k x[..., i, k] y[k]
        return g * y if len(xs) == 1 else reshape(g, shape_of(g) + (1,)) * y
    if len(xs) == 1:                                          # out[..., j] = sum_k x[k] y[..., k, j]
        product = matmul(_as_row(g), _swap_last(y))
        return reshape(product, shape_of(product)[:-2] + (xs[0],))
    return matmul(g, _swap_last(y))                            # dX = G Y^T


def _matmul_vjp_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    xs, ys = shape_of(x), shape_of(y)
    if len(xs) == 1:
        if len(ys) == 1:
            return g * x
        return reshape(x, (xs[0], 1)) * _as_row(g)             # dY[..., k, j] = x[k] g[..., j]
    if len(ys) == 1:
        product = matmul(_as_row(g), x)                       # dy[k] = sum g[..., i] x[..., i, k]
        return reshape(product, shape_of(product)[:-2] + (ys[0],))
    if _is_transposed(y):
        # y is a transposed view (a Linear layer's W.T): (G^T X)^T is the same dY, laid out so
        # that the transpose's own VJP hands W a C-ordered gradient (no copy, fast updates).
        return _swap_last(matmul(_swap_last(g), x))
    return matmul(_swap_last(x), g)                            # dY = X^T G


def _is_transposed(a: Any) -> bool:
    data = raw(a)
    return type(data) is np.ndarray and data.ndim >= 2 and data.flags.f_contiguous and not data.flags.c_contiguous


def _matmul_forward(x: Any, y: Any) -> Any:
    x, y = as_array(x), as_array(y)
    xs, ys = x.shape, y.shape
    if not xs or not ys:
        raise ValueError(f"matmul: shapes {xs} and {ys}: both operands need at least one dimension")
    inner_y = ys[0] if len(ys) == 1 else ys[-2]
    if xs[-1] != inner_y:
        which = "only" if len(ys) == 1 else "second-to-last"
        raise ValueError(f"matmul: shapes {xs} and {ys} do not align: the last axis of the first ({xs[-1]}) "
                         f"must match the {which} axis of the second ({inner_y})")
    return np.matmul(x, y)


MATMUL = register(Primitive("matmul", _matmul_forward, (_matmul_vjp_x, _matmul_vjp_y),
                            exact=lambda m, x, y: m.matmul(x, y)))


# ---------------------------------------------------------------------------
# a dense layer's affine map, and the inner product of two arrays


def _linear_forward(x: Any, w: Any, b: Any = None) -> Any:
    if type(x) is not np.ndarray or type(w) is not np.ndarray:
        x, w = as_array(x), as_array(w)
    if b is not None and type(b) is not np.ndarray:
        b = as_array(b)
    xs, ws = x.shape, w.shape
    if len(ws) != 2 or not xs or xs[-1] != ws[1] or (b is not None and b.shape != ws[:1]):
        bias = "" if b is None else f" and bias {b.shape}"
        raise ValueError(f"linear: input {xs}, weight {ws}{bias} do not fit: the weight must be "
                         "(out, in) with the input ending in `in`, and the bias (out,)")
    out = np.matmul(x, w.T)
    if b is None:
        return out
    if b.dtype == out.dtype or out.dtype == np.result_type(out, b):
        out += b  # out is a fresh array: the bias is added in place
        return out
    return out + b


def _linear_vjp_x(g: Any, ans: Any, x: Any, w: Any, b: Any = None) -> Any:
    return matmul(g, w)                                        # dx = G W


def _linear_vjp_w(g: Any, ans: Any, x: Any, w: Any, b: Any = None) -> Any:
    xs, ws = shape_of(x), shape_of(w)
    if len(xs) == 1:                                          # dW[o, i] = g[o] x[i]
        return reshape(g, (ws[0], 1)) * reshape(x, (1, ws[1]))
    if len(xs) > 2:                                           # every leading axis is a batch axis
        g, x = reshape(g, (-1, ws[0])), reshape(x, (-1, ws[1]))
    return matmul(transpose(g, None), x)                       # dW = G^T X, summed over the batch


def _linear_vjp_b(g: Any, ans: Any, x: Any, w: Any, b: Any = None) -> Any:
    lead = len(shape_of(g)) - 1
    return sum(g, tuple(range(lead)), False) if lead else g   # db = G summed over the batch


LINEAR = register(Primitive("linear", _linear_forward, (_linear_vjp_x, _linear_vjp_w, _linear_vjp_b),
                            exact=lambda m, x, w, b=None: m.linear(x, w, b)))


def _vdot_forward(x: Any, y: Any) -> Any:
    x, y = as_array(x), as_array(y)
    if x.size != y.size:
        raise ValueError(f"vdot: inputs of shapes {shape_of(x)} and {shape_of(y)} have different sizes")
    return np.vdot(x, y)


def _vdot_vjp(g: Any, x: Any, y: Any) -> Any:
    """d(sum x_i y_i)/dx_i = y_i (y reshaped to x's shape when the two differ)."""
    if type(x) is np.ndarray and type(y) is np.ndarray and x.shape == y.shape:
        return g * y
    return g * reshape(y, shape_of(x))


VDOT = register(Primitive("vdot", _vdot_forward, (
    lambda g, ans, x, y: _vdot_vjp(g, x, y),
    lambda g, ans, x, y: _vdot_vjp(g, y, x),
), exact=lambda m, x, y: m.sum(x.reshape(-1) * y.reshape(-1), None, False)))


def _sum_of_squares_forward(*xs: Any) -> Any:
    total: Any = 0.0  # a Python float: the first array's dtype wins (float32 stays float32)
    for x in xs:
        a = x if type(x) is np.ndarray and x.dtype.kind == "f" else np.asarray(x, dtype=np.result_type(x, 0.0))
        total = total + np.vdot(a, a)  # BLAS's dot of the flattened array with itself
    return total


def _sum_of_squares_vjp(i: int, g: Any, ans: Any, xs: tuple[Any, ...]) -> Any:
    """d (sum_k sum_j x_kj^2)/dx_ij = 2 x_ij."""
    return (g * 2.0) * xs[i]


SUM_OF_SQUARES = register(Primitive("sum_of_squares", _sum_of_squares_forward, PerInput(_sum_of_squares_vjp),
                                    exact=lambda m, *xs: _exact_sum_of_squares(m, xs)))


def _exact_sum_of_squares(m: Any, xs: tuple[Any, ...]) -> Any:
    flat = np.concatenate([np.asarray(x, dtype=object).reshape(-1) for x in xs])
    return m.sum(flat * flat, None, False)


# ---------------------------------------------------------------------------
# einsum: explicit subscripts, any number of operands; each VJP is again an einsum


@functools.lru_cache(maxsize=512)
def _contraction_path(subscripts: str, shapes: tuple[tuple[int, ...], ...]) -> Any:
    """The engine's choice of ``optimize``: NumPy's greedy path (BLAS where it can), cached per shapes."""
    if len(shapes) == 1:
        return False
    dummies = [np.broadcast_to(np.zeros((), dtype=np.float64), s) for s in shapes]
    return np.einsum_path(subscripts, *dummies, optimize="greedy")[0]


def _einsum_forward(*operands: Any, subscripts: str) -> Any:
    arrays = [as_array(x) for x in operands]
    if len(arrays) == 2:
        out = _pair_as_matmul(subscripts, arrays[0], arrays[1])
        if out is not None:
            return out
    return np.einsum(subscripts, *arrays, optimize=_contraction_path(subscripts, tuple(a.shape for a in arrays)))


def _pair_as_matmul(subscripts: str, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """A two-operand contraction as one (batched) matmul: (batch, free of a, summed) @ (batch, summed, free of b).

    Laid out this way, the one copy each operand needs is a transpose into matmul's order (what
    an im2col does), often cheaper than the layout NumPy's einsum picks. None when it does not
    apply (a letter of one operand alone and not in the output, or sizes that broadcast).
    """
    inputs, output = subscripts.split("->")
    sa, sb = inputs.split(",")
    sizes: dict[str, int] = {}
    for letters, shape in ((sa, a.shape), (sb, b.shape)):
        for c, n in zip(letters, shape, strict=True):
            if sizes.setdefault(c, n) != n:
                return None
    if any(c not in sb and c not in output for c in sa) or any(c not in sa and c not in output for c in sb):
        return None
    batch = [c for c in output if c in sa and c in sb]
    free_a = [c for c in output if c in sa and c not in sb]
    free_b = [c for c in output if c in sb and c not in sa]
    summed = [c for c in sa if c in sb and c not in output]
    first = a.transpose([sa.index(c) for c in batch + free_a + summed])
    second = b.transpose([sb.index(c) for c in batch + summed + free_b])
    n_batch, n_a, n_b, n_sum = (math.prod(sizes[c] for c in group) for group in (batch, free_a, free_b, summed))
    product = np.matmul(first.reshape(n_batch, n_a, n_sum), second.reshape(n_batch, n_sum, n_b))
    result = product.reshape([sizes[c] for c in batch + free_a + free_b])
    order = batch + free_a + free_b
    return result.transpose([order.index(c) for c in output])


def _einsum_vjp(i: int, g: Any, ans: Any, operands: tuple[Any, ...], subscripts: str) -> Any:
    """d/d operand i: g contracted with every other operand onto operand i's subscripts.

    Letters of operand i found nowhere else (summed out of it alone) get the
    gradient by broadcasting, and size-1 axes that broadcast against the others
    are summed back to 1.
    """
    inputs, output = subscripts.split("->")
    terms = inputs.split(",")
    mine = terms[i]
    others = [t for j, t in enumerate(terms) if j != i]
    known = set(output).union(*others)
    kept = "".join(c for c in mine if c in known)
    grad = einsum(",".join([output, *others]) + "->" + kept, g, *[x for j, x in enumerate(operands) if j != i])
    shape = shape_of(operands[i])
    sizes = dict(zip(kept, shape_of(grad), strict=True))
    squashed = tuple(a for a, c in enumerate(kept) if sizes[c] > shape[mine.index(c)])  # broadcast size-1 axes
    if squashed:
        grad = sum(grad, squashed, True)
    if kept != mine:
        grad = reshape(grad, tuple(shape[a] if c in known else 1 for a, c in enumerate(mine)))
    if shape_of(grad) != shape:
        grad = broadcast_to(grad, shape)
    return grad


EINSUM = register(Primitive("einsum", _einsum_forward, PerInput(_einsum_vjp),
                            exact=lambda m, *operands, subscripts: m.einsum(subscripts, *operands)))


def _explicit_subscripts(subscripts: str, shapes: list[tuple[int, ...]]) -> str:
    """``subscripts`` with ``...`` spelled out as letters, checked against the operands' shapes."""
    text = subscripts.replace(" ", "")
    if "->" not in text:
        raise ValueError(f"einsum: subscripts {subscripts!r} need an explicit output ('ij,jk->ik')")
    inputs, output = text.split("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s), got {len(shapes)}")
    letters = set(text) - {",", "-", ">", "."}
    if any(c not in string.ascii_letters for c in letters):
        raise ValueError(f"einsum: subscripts {subscripts!r} may hold only letters, ',', '...' and '->'")
    free = [c for c in string.ascii_letters if c not in letters]
    widths = [len(s) - len(t.replace("...", "")) if "..." in t else 0 for t, s in zip(terms, shapes, strict=True)]
    n_ellipsis = builtins.max(widths, default=0)
    spelled = "".join(free[:n_ellipsis])
    explicit = [t.replace("...", spelled[n_ellipsis - w:] if w else "") for t, w in zip(terms, widths, strict=True)]
    out = output.replace("...", spelled)
    for term, shape in zip(explicit, shapes, strict=True):
        if len(term) != len(shape) or "." in term:
            raise ValueError(f"einsum: subscripts {subscripts!r} do not fit operand shapes {shapes}")
        if len(set(term)) != len(term):
            raise ValueError(f"einsum: subscripts {subscripts!r}: a letter repeated within one operand "
                             "(a diagonal) is not supported")
    if len(set(out)) != len(out) or not set(out) <= set("".join(explicit)):
        raise ValueError(f"einsum: output subscripts {output!r} must be distinct letters of the inputs")
    return ",".join(explicit) + "->" + out


def einsum(subscripts: str, *operands: Any) -> Any:
    """Einstein summation with NumPy's explicit-output subscripts (``'bij,bjk->bik'``, ``'...ij,jk->...ik'``).

    Any number of operands; the VJP of each operand is again an einsum (of the
    gradient and the other operands), so second derivatives come free. The
    contraction order (``optimize``) is chosen by the engine and cached.
    """
    if not operands:
        raise ValueError("einsum needs at least one operand")
    explicit = _explicit_subscripts(subscripts, [shape_of(x) for x in operands])
    return call(EINSUM, *operands, subscripts=explicit)


def matmul(x: Any, y: Any) -> Any:
    """Matrix product with NumPy's rules (1-D operands, batch broadcasting)."""
    if type(x) is np.ndarray and type(y) is np.ndarray and x.ndim and y.ndim:  # raw data: plain NumPy
        try:
            return normalize(x @ y)
        except ValueError:
            pass  # let the primitive name the op and the shapes
    return call_binary(MATMUL, x, y)


def linear(x: Any, weight: Any, bias: Any = None) -> Any:
    """A dense layer's map x @ weight.T + bias, as one op (weight (out, in), bias (out,)).

    d/dx = G weight, d/dweight = G^T x and d/dbias = G, summed over the batch axes.
    """
    if bias is None:
        return call_binary(LINEAR, x, weight)
    return call(LINEAR, x, weight, bias)


def sum_of_squares(*xs: Any) -> Any:
    """sum_k sum_j x_kj^2 over every element of every array, as one op (the L2 penalty of many arrays).

    d/dx_k = 2 x_k. ``sum_of_squares(w)`` is ``vdot(w, w)``; nn.l2_penalty passes every parameter at once.
    """
    if not xs:
        raise ValueError("sum_of_squares needs at least one array")
    return call(SUM_OF_SQUARES, *xs)


def vdot(x: Any, y: Any) -> Any:
    """Inner product sum_i x_i y_i of two arrays of the same size (flattened, as np.vdot).

    d/dx = y and d/dy = x (reshaped to the other's shape); vdot(w, w) is w's squared norm.
    """
    return call_binary(VDOT, x, y)

