"""The second round of primitives: log1p, expm1, erfc, pad, sliding_window_view, einsum.

Their first and second derivatives are checked with every other primitive in
tests/test_primitives.py (from tests/primitive_catalogue.py); here: accuracy
against independent references (math, NumPy), the forward semantics against
NumPy, and the errors for bad input.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import Value


def test_erfc_does_not_underflow_before_the_true_value() -> None:
    xs = np.array([-3.0, 0.0, 0.5, 5.0, 10.0, 26.0, 27.2])
    got = ag.erfc(xs)
    want = np.array([math.erfc(x) for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    assert 5.6e-296 < ag.erfc(26.0) < 5.7e-296  # 1 - erf(26) would be 0
    assert Value(26.0).erfc().data == math.erfc(26.0)


def test_erfc_gradient_in_the_tail() -> None:
    x = Value(np.array([6.0, 26.0]))
    ag.sum(x.erfc()).backward()
    want = -2 / math.sqrt(math.pi) * np.exp(-np.array([6.0, 26.0]) ** 2)
    np.testing.assert_allclose(x.grad, want, rtol=1e-14)
    assert x.grad[1] != 0.0


@pytest.mark.parametrize(("fn", "reference"), [(ag.log1p, math.log1p), (ag.expm1, math.expm1)])
def test_log1p_and_expm1_keep_tiny_inputs(fn: object, reference: object) -> None:
    for x in (1e-20, -3e-17, 1e-8, 0.3, -0.7):
        assert fn(Value(x)).data == pytest.approx(reference(x), rel=1e-15)  # type: ignore[operator]
        assert fn(np.array([x]))[0] == pytest.approx(reference(x), rel=1e-15)  # type: ignore[operator]
    assert ag.log1p(1e-20) == 1e-20 and ag.expm1(1e-20) == 1e-20  # type: ignore[operator]


def test_log1p_is_a_primitive_and_the_composite_is_gone() -> None:
    import autograd.ops.composites as composites

    assert Value(0.5).log1p().op == "log1p"
    assert not hasattr(composites, "log1p")


def test_new_primitives_keep_float32() -> None:
    x = Value(np.linspace(-1, 1, 5, dtype=np.float32))
    for out in (x.erfc(), (x * 0.5).log1p(), x.expm1(), ag.pad(x, 1), ag.sliding_window_view(x, 2),
                ag.einsum("i,i->", x, x)):
        assert out.dtype == np.float32


@pytest.mark.parametrize("pad_width", [1, (1, 2), ((0, 1), (2, 0)), [[1, 1]]])
def test_pad_matches_numpy(pad_width: object) -> None:
    x = np.arange(6.0).reshape(2, 3)
    got = ag.pad(Value(x), pad_width, value=-1.5)
    np.testing.assert_array_equal(got.data, np.pad(x, pad_width, constant_values=-1.5))  # type: ignore[call-overload]


@pytest.mark.parametrize("pad_width", [-1, (1, -1), ((1, 1), (1, 1), (1, 1)), 1.5, "a"])
def test_pad_rejects_bad_widths(pad_width: object) -> None:
    with pytest.raises(ValueError, match="pad: pad_width"):
        ag.pad(Value(np.ones((2, 3))), pad_width)


@pytest.mark.parametrize(("window", "axis"), [((2, 3), None), (2, 1), ((2, 2), (0, 1)), ((2, 2), (1, 1)), (3, -1)])
def test_sliding_window_view_matches_numpy(window: object, axis: object) -> None:
    x = np.arange(20.0).reshape(4, 5)
    got = ag.sliding_window_view(Value(x), window, axis)
    np.testing.assert_array_equal(got.data, np.lib.stride_tricks.sliding_window_view(x, window, axis))


def test_sliding_window_gradient_counts_each_element_once_per_window() -> None:
    x = Value(np.zeros(5))
    ag.sum(ag.sliding_window_view(x, 3)).backward()
    np.testing.assert_array_equal(x.grad, [1, 2, 3, 2, 1])  # element i lies in min(i+1, 3, 5-i) windows


def test_sliding_window_gradient_is_differentiable_again() -> None:
    x = Value(np.array([0.5, -1.0, 2.0, 0.25]))
    y = ag.sum(ag.sliding_window_view(x * x, 2) ** 3)
    y.backward(create_graph=True)
    (g,) = [x.grad]
    assert isinstance(g, Value) and "add_windows" in {n.op for n in _nodes(g)}


def _nodes(v: Value) -> list[Value]:
    seen, stack, out = set(), [v], []
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            out.append(node)
            stack.extend(p for p in node.parents if isinstance(p, Value))
    return out


@pytest.mark.parametrize(("window", "axis", "message"), [
    ((6,), 0, "does not fit"), ((2, 2, 2), None, "one entry per axis"), ((2,), 2, "must name one axis"),
    ((2, 2), 0, "must name one axis"), ((0,), 0, "does not fit"), ((3, 4), (1, 1), "does not fit"),
])
def test_sliding_window_view_rejects_bad_windows(window: object, axis: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"sliding_window_view: .*{message}"):
        ag.sliding_window_view(Value(np.ones((4, 5))), window, axis)


@pytest.mark.parametrize(("subscripts", "shapes"), [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("ij->", [(2, 3)]),
    ("...ij,jk->...ik", [(2, 1, 2, 3), (3, 2)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("i,j,k->ijk", [(2,), (3,), (2,)]), ("ij,jk,kl->li", [(2, 3), (3, 4), (4, 2)]),
])
def test_einsum_matches_numpy_and_its_gradients_match_finite_differences(subscripts: str, shapes: list) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    got = ag.einsum(subscripts, *[Value(a) for a in arrays])
    np.testing.assert_allclose(got.data, np.einsum(subscripts, *arrays), rtol=1e-13)
    assert ag.gradcheck(lambda *xs: ag.einsum(subscripts, *xs), arrays)


def test_einsum_of_raw_arrays_is_plain_numpy() -> None:
    a, b = np.ones((2, 3)), np.ones((3, 2))
    out = ag.einsum("ij,jk->ik", a, b)
    assert type(out) is np.ndarray and out.shape == (2, 2)


@pytest.mark.parametrize(("subscripts", "shapes", "message"), [
    ("ij,jk", [(2, 3), (3, 2)], "explicit output"),
    ("ij,jk->ik", [(2, 3)], "name 2 operand"),
    ("ij,jk->ik", [(2, 3), (3, 2, 1)], "do not fit"),
    ("ii->i", [(3, 3)], "repeated within one operand"),
    ("ij->ik", [(2, 3)], "output subscripts"),
    ("i1->i", [(2, 3)], "only letters"),
])
def test_einsum_rejects_bad_subscripts(subscripts: str, shapes: list, message: str) -> None:
    with pytest.raises(ValueError, match=f"einsum: .*{message}"):
        ag.einsum(subscripts, *[Value(np.ones(s)) for s in shapes])


def test_einsum_names_mismatched_sizes() -> None:
    with pytest.raises(ValueError, match="einsum"):
        ag.einsum("ij,jk->ik", Value(np.ones((2, 3))), Value(np.ones((4, 2))))
