"""``python -m autograd.gradcheck FILE:FUNC --accuracy``: the real command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FUNCTIONS = textwrap.dedent(
    """
    import nn

    def softplus_naive(x):
        return (1.0 + x.exp()).log()

    def softplus_stable(x):
        return nn.softplus(x)

    def total(x):
        return x.sum()

    def through_data(x):
        return x.data * 2

    def absolute(x):
        return abs(x)

    def squareplus(x):
        return (x + (x * x + 4.0).sqrt()) / 2
    """
)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accuracy") / "functions.py"
    path.write_text(FUNCTIONS)
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd.gradcheck", *args], capture_output=True, text=True,
                          timeout=300)


def test_a_naive_formula_fails_and_names_the_op_and_line(target: Path) -> None:
    done = _run(f"{target}:softplus_naive", "--accuracy", "--quick")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "overflow" in done.stdout and "'exp' at" in done.stdout and "functions.py:5" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("FAIL")
    assert "Warning" not in done.stderr  # NumPy's warnings are counted, not printed


def test_a_stable_formula_passes(target: Path) -> None:
    done = _run(f"{target}:softplus_stable", "--accuracy", "--quick", "--dtype", "float32")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in float32" in done.stdout and done.stdout.rstrip().endswith("PASS: every maximum within 8 bits")


@pytest.mark.parametrize(("name", "options", "message"), [
    ("total", [], "not elementwise"),
    ("through_data", [], "needs the graph"),
    ("softplus_naive", ["--order", "3"], "--order 3"),
    ("softplus_naive", ["--range", "1,1"], "LO < HI"),
    ("softplus_naive", ["--range", "0,inf"], "finite"),
])
def test_bad_input_exits_2_with_a_message(target: Path, name: str, options: list[str], message: str) -> None:
    done = _run(f"{target}:{name}", "--accuracy", "--quick", *options)
    assert done.returncode == 2 and message in done.stderr, done.stdout + done.stderr


# --------------------------------------------------------------------------- the gradient check, as a new user meets it


def test_an_overflow_is_named_with_its_op_line_and_start_and_numpy_stays_quiet(target: Path) -> None:
    done = _run(f"{target}:softplus_naive", "--range", "-1000,1000")
    assert done.returncode == 1 and done.stderr == "", done.stderr[:500]
    out = done.stdout
    assert "not finite here" in out and "inf (overflow)" in out and "'exp' at" in out and "functions.py:5" in out
    start = float(out.split("inf from ")[1].split()[0])
    assert abs(start - 709.782712893384) < 1e-9  # by hand: log(DBL_MAX)
    assert "NumPy warnings while checking (counted, not printed)" in out


def test_a_pass_with_underflowing_values_points_to_accuracy(target: Path) -> None:
    done = _run(f"{target}:softplus_naive", "--range", "-50,50")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "underflow" in done.stdout and "--accuracy" in done.stdout


def test_a_collapsed_finite_difference_is_not_called_a_wrong_gradient(target: Path) -> None:
    done = _run(f"{target}:softplus_naive", "--range", "-45,-35", "--atol", "0")
    assert "numeric side is unreliable" in done.stdout and "gradient mismatch" not in done.stdout
    assert done.stderr == ""  # the checker's own divisions by a zero tolerance do not warn


def test_a_second_order_failure_at_a_kink_says_so(target: Path) -> None:
    done = _run(f"{target}:absolute", "--second-order")
    assert done.returncode == 1 and "kink" in done.stdout and "--avoid" in done.stdout


def test_the_worst_errors_and_their_line_are_one_entry(target: Path) -> None:
    done = _run(f"{target}:squareplus", "--shape", "3", "--examples", "20")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    abs_error = float(next(line for line in lines if "worst abs error" in line).split(":")[1])
    rel_error = float(next(line for line in lines if "worst rel error" in line).split(":")[1].split()[0])
    at = next(line for line in lines if line.strip().startswith("at "))
    analytic = float(at.split("analytic ")[1].split(",")[0])
    numeric = float(at.split("numeric ")[1].split()[0])
    assert abs(analytic - numeric) <= abs_error + 1e-9 * max(abs(analytic), 1.0)  # (10 printed digits)
    assert rel_error == pytest.approx(abs_error / max(abs(analytic), abs(numeric)), rel=1e-2)


def test_without_mpmath_the_command_says_how_to_install_it(target: Path) -> None:
    code = ("import sys; sys.modules['mpmath'] = None; from autograd.checking.cli import main; "
            f"sys.exit(main([{str(target) + ':softplus_stable'!r}, '--accuracy', '--quick']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "pip install mpmath" in done.stderr and "Traceback" not in done.stderr
