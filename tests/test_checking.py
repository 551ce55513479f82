"""The gradient checker is itself checked: it passes correct ops and catches broken ones.

The broken ops are Functions whose backward is wrong in one known way; each test
asserts that the check fails *and* that the report points at the planted error.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings

import autograd as ag
from autograd import Function, GradcheckError, Value, gradcheck, gradgradcheck, numerical_grad
from autograd.checking import GradcheckWarning, KinkWarning, gradcheck_report, gradgradcheck_report
from autograd.testing import arrays, broadcastable_shapes, floats, shapes

# ---------------------------------------------------------------------------
# broken ops, each wrong in one known way


class Sin(Function):
    """sin x, d/dx = cos x: the correct reference op."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return g * ag.cos(x)


class SinOffByOnePercent(Function):
    """sin x with a backward 1.01 times too large."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return 1.01 * g * np.cos(x)


class CubeWrongSignAtOne(Function):
    """x^3 elementwise with the sign of the derivative flipped at flat index 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        grad = 3 * x ** 2 * g
        flip = np.ones(x.shape)
        flip.flat[1] = -1.0
        return grad * flip


class AddIgnoringBroadcast(Function):
    """x + y where y is broadcast along axis 0, but backward averages the copies instead of summing them."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.rows = np.shape(x)[0]
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, np.mean(g, axis=0)


class CubeWrongSecondDerivative(Function):
    """x^3 with a correct first derivative 3 x^2 but a second derivative of 3x instead of 6x.

    Under create_graph, one factor of x is detached, so only half of d(3x^2)/dx is recorded.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        constant_x = x.detach() if isinstance(x, Value) else x
        return 3 * x * constant_x * g


# ---------------------------------------------------------------------------
# correct ops pass


CORRECT = {
    "tanh(x) * x": (lambda x: x.tanh() * x, [(3, 2)]),
    "matmul": (lambda a, b: a @ b, [(2, 3), (3, 4)]),
    "broadcast add/mul": (lambda a, b: (a + b) * b, [(3, 1), (4,)]),
    "sum over axis": (lambda x: (x * x).sum(axis=0), [(3, 2)]),
    "logsumexp": (lambda x: x.logsumexp(axis=-1), [(2, 5)]),
    "scalar output": (lambda x: (x.exp() / (1 + x * x)).sum(), [(4,)]),
    "custom Function": (Sin.apply, [(2, 3)]),
}


@pytest.mark.parametrize("name", list(CORRECT))
def test_gradcheck_passes_correct_ops(name):
    f, input_shapes = CORRECT[name]
    rng = np.random.default_rng(0)
    inputs = tuple(rng.uniform(-2, 2, size=s) for s in input_shapes)
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)
    assert gradcheck(f, inputs, fast=True)


@settings(max_examples=15)
@given(broadcastable_shapes(2).flatmap(lambda ss: arrays(ss[0]).flatmap(lambda a: arrays(ss[1]).map(lambda b: (a, b)))))
def test_gradcheck_passes_broadcasting_products(pair):
    assert gradcheck(lambda a, b: a * b + a.tanh(), pair)


def test_vector_output_compares_the_full_jacobian():
    # f mixes elements across positions, so a diagonal-only comparison would miss the planted error.
    class Roll(Function):
        @staticmethod
        def forward(ctx, x):
            return np.roll(x, 1)

        @staticmethod
        def backward(ctx, g):
            return g  # wrong: should roll back

    report = gradcheck_report(Roll.apply, np.arange(4.0))
    assert not report.passed
    assert report.n_compared == 16  # 4 outputs x 4 inputs


# ---------------------------------------------------------------------------
# broken ops are caught, and the report points at the planted error


def test_catches_backward_off_by_one_percent():
    x = np.array([0.3, -1.1, 2.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(SinOffByOnePercent.apply, x)
    message = str(info.value)
    assert "input 0 (x)" in message
    for word in ("analytic", "numeric", "abs error", "rel error"):
        assert word in message
    worst = info.value.report.worst
    assert worst.rel_error == pytest.approx(0.01 / 1.01, rel=1e-3)  # |1.01 c - c| / |1.01 c|
    assert worst.analytic == pytest.approx(1.01 * worst.numeric, rel=1e-6)
    assert gradcheck(Sin.apply, x)  # the same op with the right factor passes


def test_catches_wrong_sign_in_one_element_and_names_it():
    x = np.array([[0.5, 1.5], [-1.2, 0.8]])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: CubeWrongSignAtOne.apply(x), x)
    report = info.value.report
    assert report.n_mismatched == 1
    assert report.worst.index == (0, 1)  # flat index 1 of a (2, 2) input
    assert report.worst.output_index == (0, 1)
    assert report.worst.analytic == pytest.approx(-report.worst.numeric, rel=1e-6)
    assert "at index (0, 1)" in str(info.value)


def test_catches_wrong_sign_with_fast_mode():
    x = np.random.default_rng(1).uniform(0.5, 1.5, size=50)
    assert not gradcheck(CubeWrongSignAtOne.apply, x, fast=True, raise_exception=False)


def test_catches_gradient_that_ignores_broadcasting():
    x = np.random.default_rng(2).normal(size=(3, 4))
    y = np.random.default_rng(3).normal(size=(4,))
    with pytest.raises(GradcheckError) as info:
        gradcheck(AddIgnoringBroadcast.apply, (x, y))
    assert info.value.report.worst.input == 1
    assert "input 1 (y)" in str(info.value)
    # The numeric gradient of sum(x + y) w.r.t. y counts each of the 3 copies.
    np.testing.assert_allclose(numerical_grad(lambda x, y: x + y, x, y)[1], np.full(4, 3.0), rtol=1e-6)


def test_catches_second_derivative_wrong_while_first_is_right():
    x = np.array([0.7, -1.3, 2.1])
    assert gradcheck(CubeWrongSecondDerivative.apply, x)
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(CubeWrongSecondDerivative.apply, x)
    message = str(info.value)
    assert "second derivatives" in message
    worst = info.value.report.worst
    assert worst.analytic == pytest.approx(worst.numeric / 2, rel=1e-4)  # 3x v instead of 6x v
    assert not gradgradcheck(CubeWrongSecondDerivative.apply, x, fast=True, raise_exception=False)


def test_raise_exception_false_returns_false():
    assert gradcheck(SinOffByOnePercent.apply, np.array([0.4]), raise_exception=False) is False


def test_disconnected_output_is_reported():
    report = gradcheck_report(lambda x: Value(np.sin(x.data), requires_grad=False), np.array([0.5, 1.0]))
    assert not report.passed
    assert "not connected" in report.message()


# ---------------------------------------------------------------------------
# kinks


def test_relu_at_zero_is_a_kink_not_a_mismatch():
    x = np.array([0.0, 1.5, -2.0])
    with pytest.warns(KinkWarning, match="not differentiable"):
        assert gradcheck(lambda x: x.relu(), x)
    report = gradcheck_report(lambda x: x.relu(), x, kinks="skip")
    assert report.passed
    assert [(k.index, k.left, k.right) for k in report.kinks] == [((0,), 0.0, 1.0)]
    with pytest.raises(GradcheckError, match="not differentiable"):
        gradcheck(lambda x: x.relu(), x, kinks="error")


def test_abs_at_zero_is_reported_as_a_kink():
    report = gradcheck_report(lambda x: abs(x), np.array([0.0, 2.0]), kinks="skip")
    assert report.passed and len(report.kinks) == 1


def test_a_wrong_gradient_next_to_a_kink_is_still_a_mismatch():
    class ReluWrongSign(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mask = x > 0
            return np.maximum(x, 0.0)

        @staticmethod
        def backward(ctx, g):
            return -g * ctx.mask

    with pytest.raises(GradcheckError):
        gradcheck(ReluWrongSign.apply, np.array([0.0, 1.0]), kinks="skip")


def test_large_curvature_is_not_a_kink():
    report = gradcheck_report(lambda x: 100 * x * x, np.array([0.0, 1e-3, -2.0]), kinks="error")
    assert report.passed and not report.kinks


def test_second_order_kink():
    report = gradgradcheck_report(lambda x: x.relu() * x, np.array([0.0, 1.0]), kinks="skip")
    assert report.passed and len(report.kinks) == 1


# ---------------------------------------------------------------------------
# inputs, warnings, options


def test_float32_inputs_warn():
    with pytest.warns(GradcheckWarning, match="float32"):
        gradcheck(lambda x: x * 2.0, np.array([1.0, 2.0], dtype=np.float32), atol=1e-1, rtol=1e-1)


def test_constants_are_passed_through():
    mask = np.array([True, False, True])
    frozen = Value(np.array([1.0, 2.0, 3.0]), requires_grad=False)
    assert gradcheck(lambda x, m, c, n: ag.where(m, x, 0.0) * c * n, (np.array([0.1, 0.2, 0.3]), mask, frozen, 2))


def test_bad_arguments():
    with pytest.raises(ValueError, match="no input to check"):
        gradcheck(lambda n: n, (3,))
    with pytest.raises(ValueError, match="kinks"):
        gradcheck(lambda x: x, np.ones(2), kinks="maybe")
    with pytest.raises(TypeError, match="callable"):
        gradcheck(3, np.ones(2))
    with pytest.raises(ValueError, match="grad_outputs"):
        gradgradcheck(lambda x: x * x, np.ones(2), grad_outputs=np.ones(3))


def test_fast_mode_on_ten_thousand_elements_is_quick():
    x = np.random.default_rng(4).normal(size=10_000)
    f = lambda x: (x.tanh() * x + x.sin()).sum()  # noqa: E731
    start = time.perf_counter()
    assert gradcheck(f, x, fast=True)
    assert gradgradcheck(f, x, fast=True)
    assert time.perf_counter() - start < 0.5


@settings(max_examples=20)
@given(arrays(shapes(max_dims=2), avoid=[0.0]), floats(0.5, 2.0))
def test_numerical_grad_matches_a_known_derivative(x, scale):
    # d/dx sum(scale * x^3) = 3 scale x^2, a derivative known in closed form.
    (g,) = numerical_grad(lambda v: (scale * v ** 3).sum(), x)
    np.testing.assert_allclose(g, 3 * scale * x ** 2, rtol=1e-5, atol=1e-6)


def test_no_warning_for_smooth_float64_checks():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda x: x.exp(), np.array([0.1, 0.2]))


def test_a_problem_is_built_by_its_constructor() -> None:
    """gradgradcheck's second problem (the inputs plus v) is a Problem made by the constructor, not by
    object.__new__ with its fields set one by one."""
    from autograd.checking.inputs import Problem

    first = Problem.of(lambda x, w: x * w, (np.array([1.0, 2.0]), np.array([3.0, 4.0])), "test")
    assert first.names == ["input 0 (x)", "input 1 (w)"] and first.checked == [0, 1]
    v = np.ones(2)
    second = Problem(lambda x, w, v: x * w * v, [*first.args, v], [*first.checked, 2], [*first.arrays, v],
                     [*first.names, "v"])
    assert second.output_name is None and second.names[-1] == "v"
    assert np.array_equal(second.evaluate(second.arrays), [3.0, 8.0])
    assert gradgradcheck_report(lambda x, w: x * w * x, (np.array([1.0, 2.0]), np.array([3.0, 4.0]))).passed


VIEWS = {
    "reshape": lambda v: v.reshape(-1),
    "slice": lambda v: v[1:],
    "transpose": lambda v: v.T,
    "identity": lambda v: v,
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_function_returning_a_view_of_its_input_is_checked_correctly(name: str) -> None:
    f = VIEWS[name]
    x = np.arange(1.0, 7.0).reshape(2, 3)
    assert gradcheck(f, [x]) and gradgradcheck(f, [x])
    assert gradcheck(f, [x], fast=True)
    expected = np.ones_like(x)
    if name == "slice":
        expected[0] = 0.0  # the first row is not in the output
    (numeric,) = numerical_grad(lambda v: f(v).sum(), x)
    assert np.allclose(numeric, expected)
    (numeric,) = numerical_grad(f, x)
    assert np.allclose(numeric, expected)
