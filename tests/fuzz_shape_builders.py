"""The fuzzer's builders of shape, indexing, joining, matrix-product and window ops (see tests/graph_fuzzer.py)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.fuzz_graph import MAX_SIZE, Graph, _constant, _index_literal, _pick, literal


def build_reshape(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    shape = g.shapes[a]
    size = int(np.prod(shape))
    options = [(size,), shape[::-1], (1,) + shape, shape + (1,)]
    options += [(d, size // d) for d in range(2, size) if size % d == 0]
    if size == 1:
        options.append(())
    new = draw(st.sampled_from(options))
    g.add("reshape", f"ag.reshape(v{a}, {new!r})", new, (a,))
    return True


def build_transpose(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 2)
    if a is None:
        return False
    ndim = len(g.shapes[a])
    axes = draw(st.sampled_from([None] + list(itertools.permutations(range(ndim)))[1:]))
    shape = np.transpose(np.zeros(g.shapes[a]), axes).shape
    g.add("transpose", f"ag.transpose(v{a}, {axes!r})", shape, (a,))
    return True


def build_broadcast_to(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: 2 * int(np.prod(s)) <= MAX_SIZE and len(s) < 3)
    if a is None:
        return False
    shape = g.shapes[a]
    new = draw(st.sampled_from([(2,) + shape, tuple(3 if n == 1 else n for n in shape) or (3,)]))
    g.add("broadcast_to", f"ag.broadcast_to(v{a}, {new!r})", new, (a,))
    return True


def _basic_item(draw: Any, n: int) -> Any:
    kind = draw(st.sampled_from(["slice", "int", "full"]))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "full":
        return slice(None)
    start = draw(st.integers(-n, n - 1))
    step = draw(st.sampled_from([None, 1, 2, -1]))
    return slice(start, None, step)


def _index(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(["basic", "integer array", "mask", "mixed"]))
    if kind == "basic":
        index: list[Any] = [_basic_item(draw, n) for n in shape[: draw(st.integers(1, len(shape)))]]
        if draw(st.booleans()):
            index.insert(draw(st.integers(0, len(index))), None)
        if draw(st.booleans()) and len(index) < len(shape):
            index.insert(0, Ellipsis)
        return tuple(index)
    if kind == "integer array":
        picks = draw(hnp.arrays(np.int64, st.sampled_from([(3,), (2, 2), (4,)]), elements=st.integers(0, shape[0] - 1)))
        return (picks,)
    if kind == "mask":
        mask_shape = shape if draw(st.booleans()) else shape[:1]
        mask = draw(hnp.arrays(np.bool_, mask_shape, elements=st.booleans()))
        return (mask,)
    picks = draw(hnp.arrays(np.int64, (3,), elements=st.integers(-shape[-1], shape[-1] - 1)))
    return (Ellipsis, picks) if len(shape) == 1 else (_basic_item(draw, shape[0]), Ellipsis, picks)


def build_getitem(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    index = _index(draw, g.shapes[a])
    try:
        shape = np.zeros(g.shapes[a])[index].shape
    except IndexError:
        return False
    if int(np.prod(shape)) == 0:
        return False
    g.add("getitem", f"v{a}[{_index_literal(index)}]", shape, (a,))
    return True


def build_scatter_add(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: 2 * max(int(np.prod(s)), 1) <= MAX_SIZE)
    if a is None:
        return False
    shape = g.shapes[a]
    rows = draw(st.integers(1, 4))
    if shape and draw(st.booleans()):  # integer array along the first axis: repeated rows accumulate
        picks = draw(hnp.arrays(np.int64, (shape[0],), elements=st.integers(0, rows - 1)))
        target, index = (rows,) + shape[1:], f"({literal(picks)},)"
    else:
        target, index = (rows,) + shape, f"({draw(st.integers(0, rows - 1))},)"
    g.add("scatter_add", f"ag.ops.scatter_add(v{a}, {target!r}, {index})", target, (a,))
    return True


def build_concatenate(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1 and 2 * int(np.prod(s)) <= MAX_SIZE)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.integers(0, len(shape) - 1))

    def fits(s: tuple[int, ...]) -> bool:
        if len(s) != len(shape) or int(np.prod(s)) + int(np.prod(shape)) > MAX_SIZE:
            return False
        return all(m == n for i, (m, n) in enumerate(zip(s, shape, strict=True)) if i != axis)

    b = _pick(draw, g, fits)
    assert b is not None
    new = list(shape)
    new[axis] += g.shapes[b][axis]
    g.add("concatenate", f"ag.concatenate([v{a}, v{b}], axis={axis})", tuple(new), (a, b))
    return True


def build_stack(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: 2 * max(int(np.prod(s)), 1) <= MAX_SIZE)
    if a is None:
        return False
    b = _pick(draw, g, lambda s: s == g.shapes[a])
    axis = draw(st.integers(0, len(g.shapes[a])))
    shape = np.stack([np.zeros(g.shapes[a])] * 2, axis=axis).shape
    g.add("stack", f"ag.stack([v{a}, v{b}], axis={axis})", shape, (a, b))  # type: ignore[arg-type]
    return True


def _matmul_shape(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...] | None:
    if not x or not y:
        return None
    try:
        return np.matmul(np.zeros(x), np.zeros(y)).shape
    except ValueError:
        return None


def build_matmul(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    sa = g.shapes[a]
    kind = draw(st.sampled_from(["pair", "self", "constant"]))
    if kind == "pair":
        b = _pick(draw, g, lambda s: (m := _matmul_shape(sa, s)) is not None and int(np.prod(m)) <= MAX_SIZE)
        if b is not None:
            g.add("matmul", f"v{a} @ v{b}", _matmul_shape(sa, g.shapes[b]), (a, b))  # type: ignore[arg-type]
            return True
    if kind != "constant":  # a @ a^T (or a @ a for vectors): always fits and reuses a
        if len(sa) == 1:
            g.add("matmul", f"v{a} @ v{a}", (), (a,))
        else:
            perm = tuple(range(len(sa) - 2)) + (len(sa) - 1, len(sa) - 2)
            shape = sa[:-1] + (sa[-2],)
            g.add("matmul", f"v{a} @ ag.transpose(v{a}, {perm!r})", shape, (a,))
        return True
    cols = draw(st.sampled_from([(), (2,)]))
    c = _constant(draw, (sa[-1],) + cols)
    shape = _matmul_shape(sa, (sa[-1],) + cols)
    g.add("matmul", f"v{a} @ {c}", shape, (a,))  # type: ignore[arg-type]
    return True


def build_linear(draw: Any, g: Graph) -> bool:
    """linear(a, w[, bias]): w another result of shape (out, in), or a constant; the bias a constant."""
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    sa = g.shapes[a]
    w = _pick(draw, g, lambda s: len(s) == 2 and s[1] == sa[-1] and int(np.prod(sa[:-1])) * s[0] <= MAX_SIZE)
    n_out = g.shapes[w][0] if w is not None else 2
    weight = f"v{w}" if w is not None else _constant(draw, (n_out, sa[-1]))
    bias = f", {_constant(draw, (n_out,))}" if draw(st.booleans()) else ""
    inputs = (a,) if w is None else (a, w)
    g.add("linear", f"ag.linear(v{a}, {weight}{bias})", sa[:-1] + (n_out,), inputs)
    return True


def build_vdot(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g)
    assert a is not None
    b = _pick(draw, g, lambda s: int(np.prod(s)) == int(np.prod(g.shapes[a])))
    g.add("vdot", f"ag.vdot(v{a}, v{b})", (), (a, b))  # type: ignore[arg-type]
    return True


def build_sum_of_squares(draw: Any, g: Graph) -> bool:
    picked = sorted({_pick(draw, g) for _ in range(draw(st.integers(1, 3)))})  # distinct nodes, any shapes
    g.add("sum_of_squares", f"ag.sum_of_squares({', '.join(f'v{i}' for i in picked)})", (), tuple(picked))
    return True


def build_pad(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1 and 3 * int(np.prod(s)) <= MAX_SIZE)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.integers(0, len(shape) - 1))
    pair = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    width = tuple(pair if i == axis else (0, 0) for i in range(len(shape)))
    value = draw(st.sampled_from([0.0, -0.5, 1.5]))
    new = tuple(n + sum(w) for n, w in zip(shape, width, strict=True))
    g.add("pad", f"ag.pad(v{a}, {width!r}, {value!r})", new, (a,))
    return True


def build_sliding_window_view(draw: Any, g: Graph) -> bool:
    a = _pick(draw, g, lambda s: len(s) >= 1 and max(s) >= 2 and len(s) < 3)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.sampled_from([i for i, n in enumerate(shape) if n >= 2]))
    window = draw(st.integers(2, shape[axis]))
    new = np.lib.stride_tricks.sliding_window_view(np.zeros(shape), window, axis).shape
    if int(np.prod(new)) > MAX_SIZE:
        return False
    g.add("sliding_window_view", f"ag.sliding_window_view(v{a}, {window}, axis={axis})", new, (a,))
    return True


def build_add_windows(draw: Any, g: Graph) -> bool:
    """The last axis of a result taken as a window along one of the others, added back (a 'col2im')."""
    a = _pick(draw, g, lambda s: len(s) >= 2)
    if a is None:
        return False
    shape = g.shapes[a]
    axis = draw(st.integers(0, len(shape) - 2))
    target = tuple(n + shape[-1] - 1 if i == axis else n for i, n in enumerate(shape[:-1]))
    g.add("add_windows", f"ag.ops.add_windows(v{a}, {target!r}, ({shape[-1]},), ({axis},))", target, (a,))
    return True


def build_einsum(draw: Any, g: Graph) -> bool:
    """A contraction of one result with itself, another result of its shape, or a constant."""
    a = _pick(draw, g, lambda s: len(s) >= 1)
    if a is None:
        return False
    shape = g.shapes[a]
    letters = "ijkl"[: len(shape)]
    out = "".join(c for c in letters if draw(st.booleans()))
    out = "".join(draw(st.permutations(out))) if out else ""
    b = _pick(draw, g, lambda s: s == shape)
    kind = draw(st.sampled_from(["one", "pair", "constant", "ellipsis"]))
    if kind == "one":
        g.add("einsum", f"ag.einsum('{letters}->{out}', v{a})", tuple(shape[letters.index(c)] for c in out), (a,))
    elif kind == "ellipsis":
        last = shape[-1]
        g.add("einsum", f"ag.einsum('...i,i->...', v{a}, {_constant(draw, (last,))})", shape[:-1], (a,))
    else:
        other = f"v{b}" if kind == "pair" else _constant(draw, shape)
        g.add("einsum", f"ag.einsum('{letters},{letters}->{out}', v{a}, {other})",
              tuple(shape[letters.index(c)] for c in out), (a, b) if kind == "pair" else (a,))  # type: ignore[arg-type]
    return True
