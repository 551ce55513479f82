"""``Function``: custom ops in the same graph as primitives, checked against finite differences."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings

import autograd as ag
from autograd import Function, Value, detect_anomaly, gradcheck, gradgradcheck, hessian, no_grad, numerical_grad
from autograd.testing import arrays, broadcastable_shapes, shapes


class Cube(Function):
    """x^3, d/dx = 3 x^2 (backward written with operators: differentiable again)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return 3 * x ** 2 * g


class Mul(Function):
    """x * y with broadcasting; counts its backward calls."""

    calls = 0

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        Mul.calls += 1
        x, y = ctx.saved
        return g * y, g * x  # the engine sums the broadcast copies back to each input's shape


class Softsign(Function):
    """x / (1 + |x|), d/dx = 1 / (1 + |x|)^2; saves its output too."""

    @staticmethod
    def forward(ctx, x):
        out = x / (1 + np.abs(x))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved
        return g * (1 - ag.abs(out)) ** 2  # 1 - |out| = 1 / (1 + |x|)


@settings(max_examples=25)
@given(arrays(shapes(max_dims=2)))
def test_cube_gradient_matches_finite_differences(x):
    v = Value(x)
    Cube.apply(v).sum().backward()
    (expected,) = numerical_grad(lambda t: Cube.apply(t).sum(), x)
    np.testing.assert_allclose(v.grad, expected, rtol=1e-5, atol=1e-6)


@settings(max_examples=20)
@given(broadcastable_shapes(2).flatmap(lambda ss: arrays(ss[0]).flatmap(lambda a: arrays(ss[1]).map(lambda b: (a, b)))))
def test_two_inputs_with_broadcasting(pair):
    assert gradcheck(Mul.apply, pair)


@settings(max_examples=15)
@given(arrays((3,), avoid=[0.0]))
def test_second_derivatives_through_a_function(x):
    assert gradgradcheck(Cube.apply, x)
    assert gradgradcheck(Softsign.apply, x)
    h = hessian(lambda t: Cube.apply(t).sum())(x)
    # The Hessian of sum(x^3) by central differences of its (checked) gradient.
    numeric = np.stack([numerical_grad(lambda t, i=i: 3 * t[i] ** 2, x)[0] for i in range(3)])
    np.testing.assert_allclose(h, numeric, rtol=1e-5, atol=1e-6)


def test_function_mixes_with_primitives():
    x = np.array([[0.2, -0.7], [1.1, 0.4]])
    assert gradcheck(lambda t: (Cube.apply(t.tanh()) * t).sum(axis=1) @ Softsign.apply(t), x)


def test_backward_runs_once_per_pass_for_several_inputs():
    x, y = Value(np.ones((2, 3))), Value(np.arange(3.0))
    out = Mul.apply(x, y)
    before = Mul.calls
    out.sum().backward()
    assert Mul.calls == before + 1
    np.testing.assert_allclose(y.grad, [2.0, 2.0, 2.0])  # summed over the broadcast rows


def test_scalar_values_and_op_name():
    a = Value(2.0)
    b = Cube.apply(a)
    assert b.op == "Cube" and b.parents == (a,)
    b.backward()
    assert b.data == 8.0 and a.grad == 12.0


def test_no_grad_and_raw_inputs_only_compute():
    with no_grad():
        out = Cube.apply(Value(np.array([1.0, 2.0])))
    assert not out.requires_grad and out.is_leaf
    np.testing.assert_array_equal(out.data, [1.0, 8.0])
    raw = Cube.apply(np.array([3.0]))
    assert isinstance(raw, np.ndarray) and raw[0] == 27.0
    constant = Cube.apply(Value(2.0, requires_grad=False))
    assert not constant.requires_grad


def test_output_never_aliases_an_input():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = Value(np.array([1.0, 2.0]))
    y = Identity.apply(x)
    y.data[0] = 5.0
    assert x.data[0] == 1.0


def test_none_gradient_and_needs_input_grad():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, s):
            ctx.save_for_backward(s)
            assert ctx.needs_input_grad == (True, False)
            return x * s

        @staticmethod
        def backward(ctx, g):
            (s,) = ctx.saved
            return g * s, None

    x = Value(np.array([1.0, 2.0]))
    Scale.apply(x, Value(3.0, requires_grad=False)).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_saved_arrays_are_released_with_the_graph():
    refs = []

    class SinCached(Function):
        @staticmethod
        def forward(ctx, x):
            cosine = np.cos(x)
            refs.append(weakref.ref(cosine))
            ctx.save_for_backward(cosine)
            return np.sin(x)

        @staticmethod
        def backward(ctx, g):
            (cosine,) = ctx.saved
            return g * cosine

    x = Value(np.array([0.1, 0.2]))
    y = SinCached.apply(x)
    y.sum().backward()
    gc.collect()
    assert y.requires_grad and refs[0]() is None  # the node lives on, its buffer is gone
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.sum().backward()


def test_retain_graph_allows_a_second_pass():
    x = Value(np.array([1.0, -2.0]))
    y = Cube.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * 3 * x.data ** 2)


# ---------------------------------------------------------------------------
# higher order: clear errors instead of wrong answers


class CubeRawBackward(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        x = x.data if isinstance(x, Value) else x
        g = g.data if isinstance(g, Value) else g
        return 3 * x ** 2 * g


class ExpNumpyBackward(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return g * np.exp(x)


class SigmoidSavesIntermediate(Function):
    @staticmethod
    def forward(ctx, x):
        s = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(s * 1.0)  # a fresh array: neither input nor output
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        return g * s * (1 - s)


@pytest.mark.parametrize("op", [CubeRawBackward, ExpNumpyBackward, SigmoidSavesIntermediate])
def test_non_differentiable_backward_raises_under_create_graph(op):
    x = np.array([0.3, -0.5])
    assert gradcheck(op.apply, x)  # first order is fine
    with pytest.raises(RuntimeError, match=f"{op.__name__}.*create_graph"):
        hessian(lambda t: op.apply(t).sum())(x)
    v = Value(x)
    with pytest.raises(RuntimeError, match="create_graph"):
        op.apply(v).sum().backward(create_graph=True)


# ---------------------------------------------------------------------------
# bad definitions give clear errors


def test_wrong_number_of_gradients():
    class Two(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="Two.backward returned 1 gradient"):
        Two.apply(Value(1.0), Value(2.0)).backward()


def test_wrong_gradient_shape():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return np.ones(5)

    with pytest.raises(ValueError, match=r"shape \(5,\) for input 0 of shape \(2,\)"):
        Bad.apply(Value(np.ones(2))).sum().backward()


def test_forward_must_return_one_float_array():
    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    class Boolean(Function):
        @staticmethod
        def forward(ctx, x):
            return x > 0

    with pytest.raises(TypeError, match="one output"):
        Pair.apply(Value(1.0))
    with pytest.raises(TypeError, match="bool"):
        Boolean.apply(Value(1.0))
    with pytest.raises(NotImplementedError):
        Function.apply(Value(1.0))


def test_detect_anomaly_sees_function_outputs():
    class Log(Function):
        @staticmethod
        def forward(ctx, x):
            return np.log(x)

    with detect_anomaly(), pytest.raises(FloatingPointError, match="Log"):
        with np.errstate(invalid="ignore"):
            Log.apply(Value(np.array([-1.0])))


def test_a_function_that_saves_arrays_runs_forward_and_backward_under_detect_anomaly():
    """The anomaly checks never release ctx.saved (they used to, by reading the primitive's freed twin)."""
    x = Value(np.array([1.0, -2.0]))
    with detect_anomaly():
        Cube.apply(x).sum().backward()
    assert np.array_equal(x.grad, [3.0, 12.0])


def test_a_nan_in_a_function_backward_under_detect_anomaly_is_a_floating_point_error():
    class NanBackward(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved
            return g * np.nan * x

    with detect_anomaly(), pytest.raises(FloatingPointError, match="NanBackward"):
        NanBackward.apply(Value(np.array([1.0]))).sum().backward()


def test_saved_masks_and_numbers_are_constants_under_create_graph():
    class LeakyScaled(Function):
        @staticmethod
        def forward(ctx, x, slope=0.1):
            positive = x > 0
            ctx.save_for_backward(x, positive, slope)
            return np.where(positive, x, slope * x) * x

        @staticmethod
        def backward(ctx, g):
            x, positive, slope = ctx.saved
            return g * 2 * x * ag.where(positive, 1.0, slope)  # d/dx (k x^2) = 2 k x

    x = np.array([0.5, -1.5, 2.0])
    assert gradcheck(LeakyScaled.apply, x)
    assert gradgradcheck(LeakyScaled.apply, x)


class _MultiplyAdd(Function):
    """a * b + c: a Function of three inputs (the engine's loop for nodes of three or more)."""

    @staticmethod
    def forward(ctx, a, b, c):  # type: ignore[no-untyped-def]
        ctx.save_for_backward(a, b)
        return a * b + c

    @staticmethod
    def backward(ctx, g):  # type: ignore[no-untyped-def]
        a, b = ctx.saved
        return g * b, g * a, g


def test_a_function_of_three_inputs_backpropagates_to_each() -> None:
    a, b, c = (Value(np.array([1.0, 2.0])), Value(np.array([3.0, 4.0])), Value(np.array([5.0, 6.0])))
    _MultiplyAdd.apply(a, b, c).sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])
    np.testing.assert_array_equal(b.grad, [1.0, 2.0])
    np.testing.assert_array_equal(c.grad, [1.0, 1.0])


@pytest.mark.parametrize("returned", ["inputs", "swapped", "as_strided views", "frombuffer views"])
def test_a_backward_returning_input_memory_never_makes_a_grad_alias_any_data(returned: str) -> None:
    from numpy.lib.stride_tricks import as_strided

    pick = {
        "inputs": lambda a, b: (a, b),
        "swapped": lambda a, b: (b, a),
        "as_strided views": lambda a, b: (as_strided(a, a.shape, a.strides), as_strided(b, b.shape, b.strides)),
        "frombuffer views": lambda a, b: (np.frombuffer(a.data, dtype=a.dtype), np.frombuffer(b.data, dtype=b.dtype)),
    }[returned]

    class Product(Function):
        @staticmethod
        def forward(ctx, a, b):  # type: ignore[no-untyped-def]
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):  # type: ignore[no-untyped-def]
            return pick(*ctx.saved)  # (wrong as a derivative unless g is 1; what matters here is memory)

    A, B = Value(np.arange(1.0, 5.0)), Value(np.arange(5.0, 9.0))
    Product.apply(A, B).backward(np.ones(4))
    for grad in (A.grad, B.grad):
        for data in (A.data, B.data):
            assert not np.shares_memory(grad, data)
    assert not np.shares_memory(A.grad, B.grad)
