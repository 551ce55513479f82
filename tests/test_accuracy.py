"""The accuracy report is right about itself: functions whose error is known, answers computed independently.

Each expected value below comes from mpmath's own functions (log1p, expm1, ...) or by hand, never
from the code under test; the bits of error are recomputed here from the floats' bit patterns.
"""

from __future__ import annotations

import math
import struct
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import autograd
from autograd import Function, Value
from autograd.checking import exact
from autograd.checking.accuracy import sample_points
from autograd.ops import elementwise

QUICK = 300  # samples per report (evenly spaced binades when the range has more)


def _ordinal64(x: float) -> int:
    (bits,) = struct.unpack("<q", struct.pack("<d", x))
    return bits if bits >= 0 else -(bits & 0x7FFFFFFFFFFFFFFF)


def _ordinal32(x: float) -> int:
    (bits,) = struct.unpack("<i", struct.pack("<f", x))
    return bits if bits >= 0 else -(bits & 0x7FFFFFFF)


def _bits(computed: float, exact_value: float, dtype: str = "float64") -> float:
    ordinal = _ordinal64 if dtype == "float64" else _ordinal32
    return math.log2(1 + abs(ordinal(computed) - ordinal(exact_value)))


def _report(f, dtype="float64", lo=-1000.0, hi=1000.0, order=1, samples=QUICK):
    return autograd.accuracy(f, dtype=dtype, lo=lo, hi=hi, samples=samples, order=order)


def _losing(report, output=0):
    return report.outputs[output].nodes[0]


# --------------------------------------------------------------------------- the classic cases


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_log_of_one_plus_x_loses_its_bits_near_zero_in_the_log(dtype: str) -> None:
    report = _report(lambda x: (1.0 + x).log(), dtype, lo=-0.5, hi=0.5)
    value = report.outputs[0]
    worst = value.worst[0]
    # by hand: for |x| below half an ulp of 1, 1 + x rounds to 1 and log gives 0 instead of about x
    assert abs(worst.x) < 1e-7 and worst.computed == 0.0
    assert worst.exact == float(np.dtype(dtype).type(float(mpmath.log1p(worst.x))))
    assert value.max_bits == pytest.approx(_bits(worst.computed, worst.exact, dtype), abs=1e-9)
    assert value.max_bits > (60 if dtype == "float64" else 29)
    node = _losing(report)
    assert node.op == "log" and "test_accuracy.py" in node.where
    assert node.range is not None and -1e-2 < node.range[0] < 0 < node.range[1] < 1e-2


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_exp_minus_one_loses_its_bits_near_zero_in_the_subtraction(dtype: str) -> None:
    report = _report(lambda x: x.exp() - 1.0, dtype, lo=-1.0, hi=1.0)
    worst = report.outputs[0].worst[0]
    assert worst.exact == float(np.dtype(dtype).type(float(mpmath.expm1(worst.x))))
    assert report.outputs[0].max_bits > (60 if dtype == "float64" else 29)
    node = _losing(report)
    assert node.op == "subtract"
    assert node.range is not None and abs(node.range[0]) < 1e-2 and abs(node.range[1]) < 1e-2
    assert report.outputs[0].underflow  # exp(x) - 1 is 0 for tiny x, where expm1(x) = x is not


def test_sqrt_difference_loses_bits_for_large_x_in_the_subtraction() -> None:
    report = _report(lambda x: (x + 1.0).sqrt() - x.sqrt(), lo=1.0, hi=1e15)
    value = report.outputs[0]
    worst = value.worst[0]
    mpmath.mp.prec = 200
    expected = 1 / (mpmath.sqrt(mpmath.mpf(worst.x) + 1) + mpmath.sqrt(mpmath.mpf(worst.x)))  # no cancellation
    assert worst.exact == float(expected)
    assert worst.x > 1e8 and value.max_bits > 20  # about log2(sqrt(x)) bits are cancelled away
    node = _losing(report)
    assert node.op == "subtract" and node.range is not None and node.range[0] > 1e3


def test_naive_softplus_overflows_past_709_78_in_exp() -> None:
    report = _report(lambda x: (1.0 + x.exp()).log(), samples=3000)
    value = report.outputs[0]
    threshold = math.log(sys.float_info.max)  # by hand: exp overflows past log(DBL_MAX) = 709.7827...
    assert value.overflow
    assert min(lo for lo, _ in value.overflow) > threshold
    assert max(hi for _, hi in value.overflow) == 1000.0
    xs = sample_points(-1000.0, 1000.0, np.float64, 3000)
    assert min(lo for lo, _ in value.overflow) == xs[xs > threshold].min()  # from the first sample past it
    assert value.overflow_op is not None and value.overflow_op.startswith("'exp'")
    assert "test_accuracy.py" in value.overflow_op
    assert report.outputs[1].overflow  # the derivative e^x / (1 + e^x) is inf / inf there
    assert not report.ok()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_one_minus_cos_loses_its_bits_near_zero(dtype: str) -> None:
    report = _report(lambda x: 1.0 - x.cos(), dtype, lo=-3.0, hi=3.0)
    worst = report.outputs[0].worst[0]
    half = mpmath.sin(mpmath.mpf(worst.x) / 2)
    assert worst.exact == float(np.dtype(dtype).type(float(2 * half * half)))  # 1 - cos x = 2 sin^2(x/2)
    assert _losing(report).op == "subtract"
    assert abs(_losing(report).range[0]) < 1e-2 and abs(_losing(report).range[1]) < 1e-2


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_well_conditioned_polynomial_is_within_one_bit(dtype: str) -> None:
    report = _report(lambda x: x * x + 1.0, dtype, order=2)
    # by hand: two correctly rounded ops on x^2 + 1 >= 1 stay within an ulp (log2(1 + 1) = 1 bit);
    # the derivatives 2x and 2 are exact
    assert [out.max_bits for out in report.outputs][0] <= 1.0
    assert report.outputs[1].max_bits == 0.0 and report.outputs[2].max_bits == 0.0
    assert report.ok(max_bits=1)


def test_one_minus_tanh_squared_loses_its_bits_in_the_tails() -> None:
    report = _report(lambda x: 1.0 - x.tanh() * x.tanh(), samples=1000)
    value = report.outputs[0]
    worst = value.worst[0]
    mpmath.mp.prec = 200
    assert worst.exact == float(1 / mpmath.cosh(mpmath.mpf(worst.x)) ** 2)  # sech^2, computed another way
    assert value.max_bits > 60 and abs(worst.x) > 18  # tanh x rounds to 1 for |x| > 19.06
    node = _losing(report)
    assert node.op == "subtract" and min(abs(node.range[0]), abs(node.range[1])) > 1
    assert value.underflow and all(abs(lo) > 18 for lo, _ in value.underflow)


def test_tanh_derivative_stays_accurate_in_the_tails() -> None:
    report = _report(autograd.tanh, samples=1000)
    derivative = report.outputs[1]
    assert report.outputs[0].max_bits <= 1.0 and derivative.max_bits <= 2.0  # the registered VJP is sech^2's
    assert not derivative.underflow                                           # stable form, 4e / (1 + e)^2
    assert derivative.formula is not None and derivative.formula.checked and not derivative.formula.mismatches


# --------------------------------------------------------------------------- a wrong formula is not rounding


def test_a_wrong_derivative_formula_is_told_apart_from_rounding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(elementwise.TANH, "vjps", (lambda g, ans, x: g * (1.0 - ans),))  # should be 1 - ans^2
    report = _report(autograd.tanh, lo=-3.0, hi=3.0)
    formula = report.outputs[1].formula
    assert formula is not None and formula.mismatches > 0
    x = formula.worst_x
    assert formula.difference_quotient == pytest.approx(1 - math.tanh(x) ** 2, rel=1e-12)
    assert formula.graph_value == pytest.approx(1 - math.tanh(x), rel=1e-12)
    assert "WRONG FORMULA" in str(report) and not report.ok(max_bits=64)


def test_second_derivatives_are_measured_and_their_formula_checked() -> None:
    report = _report(autograd.sigmoid, lo=-30.0, hi=30.0, order=2)
    second = report.outputs[2]
    assert second.name == "f''" and second.formula is not None
    assert second.formula.checked > 0 and second.formula.mismatches == 0


# --------------------------------------------------------------------------- the arithmetic underneath


def test_rounding_to_float64_is_correct_rounding() -> None:
    rng = np.random.default_rng(1)
    fmt = exact.Format(np.float64)
    for _ in range(400):
        mantissa = int(rng.integers(1, 2**62)) << 40 | int(rng.integers(0, 2**40))  # about 100 bits
        exponent = int(rng.integers(-1180, 930))
        value = Fraction(mantissa) * Fraction(2) ** exponent
        try:
            expected = float(value)  # Python's Fraction -> float is correctly rounded, subnormals included
        except OverflowError:
            expected = math.inf
        assert exact.round_to(mpmath.ldexp(mpmath.mpf(mantissa), exponent), fmt) == expected
    halfway = Fraction(1) + Fraction(1, 2**53)  # a tie: to even, 1.0
    assert exact.round_to(mpmath.mpf(1) + mpmath.ldexp(1, -53), fmt) == float(halfway) == 1.0


def test_bits_of_error_count_floats_in_between() -> None:
    fmt = exact.Format(np.float64)
    one = np.array([1.0, 1.0, 0.0, np.nan, np.nan, -0.0])
    other = np.array([np.nextafter(1.0, 2.0), 1.0, 5e-324, 1.0, np.nan, 0.0])
    assert exact.bits_of_error(one, other, fmt).tolist() == [1.0, 0.0, 1.0, 64.0, 0.0, 0.0]


def test_samples_cover_every_binade_on_both_signs_zero_and_the_ends() -> None:
    xs = sample_points(-1000.0, 1000.0, np.float64, 3000)
    exponents_pos = {math.frexp(x)[1] for x in xs if x > 0}
    exponents_neg = {math.frexp(-x)[1] for x in xs if x < 0}
    assert exponents_pos == exponents_neg == set(range(-1073, 11))  # 2^-1074 ... [512, 1000]
    assert {0.0, 1000.0, -1000.0, 5e-324, -5e-324} <= set(xs.tolist())
    assert np.all(np.diff(xs) > 0)


# --------------------------------------------------------------------------- bad input


class _Cube(Function):
    @staticmethod
    def forward(ctx, x):  # type: ignore[no-untyped-def]
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):  # type: ignore[no-untyped-def]
        (x,) = ctx.saved
        return 3 * x**2 * g


@pytest.mark.parametrize(("f", "kwargs", "message"), [
    (lambda x: x.sum(), {}, "not elementwise"),
    (lambda x: x.data * 2, {}, "needs the graph"),
    (lambda x: Value(x.data * 2), {}, "no graph"),
    (_Cube.apply, {}, "has no exact rule"),
    (autograd.exp, {"lo": 1.0, "hi": 1.0}, "lo < hi"),
    (autograd.exp, {"hi": math.inf}, "finite"),
    (autograd.exp, {"order": 3}, "order"),
    (autograd.exp, {"dtype": "float16"}, "float64 or float32"),
])
def test_bad_input_is_named(f, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        autograd.accuracy(f, samples=50, **kwargs)


def test_without_mpmath_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mpmath", None)
    monkeypatch.delitem(sys.modules, "autograd.checking.exact")
    with pytest.raises(ImportError, match="pip install mpmath"):
        autograd.accuracy(autograd.exp, samples=10)


def test_the_report_reads_and_serializes() -> None:
    report = _report(lambda x: x.exp() - 1.0, lo=-1.0, hi=1.0)
    text = str(report)
    assert "mean bits" in text and "'subtract'" in text and "underflow" in text
    data = report.to_dict()
    assert data["outputs"][0]["name"] == "f" and data["outputs"][0]["max_bits"] == report.outputs[0].max_bits
