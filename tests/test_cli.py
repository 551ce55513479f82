"""``python -m autograd.gradcheck``: the real command in a subprocess, on temporary files.

(The CLI module is never imported here: importing ``autograd.gradcheck`` would rebind
the package attribute of the same name.)
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ACTIVATIONS = textwrap.dedent(
    """
    import numpy as np
    import autograd as ag
    from autograd import Function

    def squareplus(x):
        return (x + (x * x + 4.0).sqrt()) / 2

    def relu(x):
        return x.relu()

    def product(a, b):
        return a @ b

    class SinOffByOnePercentAboveOne(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved
            return g * np.cos(x) * np.where(x > 1.0, 1.01, 1.0)

    broken = SinOffByOnePercentAboveOne.apply

    class CubeWrongSecond(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved
            frozen = x.detach() if isinstance(x, ag.Value) else x
            return 3 * x * frozen * g

    wrong_second = CubeWrongSecond.apply

    def raises(x):
        raise KeyError("boom")

    def flatten(x):
        return x.reshape(-1)

    def hangs(x):
        while True:
            pass

    def returns_list(x):
        return [x]

    def returns_none(x):
        x * 2.0

    NOT_CALLABLE = 3
    """
)


@pytest.fixture(scope="module")
def module_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "my_activations.py"
    path.write_text(ACTIVATIONS)
    return path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd.gradcheck", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_passing_function_exits_0_with_a_report(module_file):
    result = run(f"{module_file}:squareplus", "--shape", "3,4", "--examples", "15")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "examples tried: 15" in out
    assert "(3, 4)" in out
    assert "worst abs error" in out and "worst rel error" in out
    assert out.rstrip().endswith("PASS")


def test_second_order_and_several_shapes(module_file):
    result = run(f"{module_file}:product", "--shape", "2,3", "--shape", "3", "--second-order", "--examples", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "first and second derivatives" in result.stdout
    assert "(2, 3) & (3,)" in result.stdout


def test_mismatch_exits_1_and_shows_the_shrunk_example(module_file):
    result = run(f"{module_file}:broken", "--examples", "50", "--range", "-3,3")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "FAIL" in out and "input 0 (x)" in out
    assert "analytic" in out and "numeric" in out and "rel error 0.0099" in out
    assert_no_traceback(result)


def test_wrong_second_derivative_needs_second_order(module_file):
    first = run(f"{module_file}:wrong_second", "--shape", "3", "--examples", "5", "--range", "0.5,2")
    assert first.returncode == 0, first.stdout + first.stderr
    second = run(f"{module_file}:wrong_second", "--shape", "3", "--examples", "5", "--range", "0.5,2",
                 "--second-order")
    assert second.returncode == 1, second.stdout + second.stderr
    assert "second derivatives" in second.stdout


def test_kinks_are_counted_not_failed(module_file):
    result = run(f"{module_file}:relu", "--shape", "4", "--examples", "20")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kinks met" in result.stdout
    avoided = run(f"{module_file}:relu", "--shape", "4", "--examples", "20", "--avoid", "0")
    assert "kinks met:      0" in avoided.stdout


def test_module_path_target(module_file):
    result = run("my_activations:squareplus", "--shape", "2", "--examples", "3", cwd=module_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["nowhere.py:f"], "no such file"),
        (["{file}:missing"], "has no name 'missing'"),
        (["{file}:NOT_CALLABLE"], "not a function"),
        (["no_such_module_xyz:f"], "cannot import module"),
        (["{file}"], "FILE.py:function"),
        (["{file}:squareplus", "--shape", "3,a"], "--shape"),
        (["{file}:squareplus", "--range", "3,1"], "--range"),
        (["{file}:squareplus", "--bogus"], "unrecognized arguments"),
        (["{file}:raises", "--examples", "2"], "KeyError"),
    ],
)
def test_usage_and_import_errors_exit_2_without_traceback(module_file, args, message):
    result = run(*[a.format(file=module_file) for a in args])
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert_no_traceback(result)


def test_syntax_error_in_target_file(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    return x +\n")
    result = run(f"{bad}:f")
    assert result.returncode == 2 and "syntax error" in result.stderr
    assert_no_traceback(result)


def test_importing_the_cli_module_keeps_gradcheck_callable():
    code = ("import numpy as np, autograd.gradcheck, autograd; "
            "print(autograd.gradcheck(lambda x: x.sin(), np.array([0.5])))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.slow
def test_custom_activation_example(tmp_path, monkeypatch, capsys):
    """examples/custom_activation.py in quick mode: both versions pass, both mistakes are caught."""
    pytest.importorskip("matplotlib")
    import importlib.util

    examples = Path(__file__).resolve().parent.parent / "examples"
    monkeypatch.syspath_prepend(str(examples))
    spec = importlib.util.spec_from_file_location("example_custom_activation", examples / "custom_activation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(["--quick", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert results["passed"] and results["max_grad_gap"] < 1e-12
    assert results["typo_caught"] and results["saved_root_caught"]
    worst = results["typo_report"].worst
    x = worst.point
    # The closed-form derivative (1 + x / sqrt(x^2 + 4)) / 2 against the typo's 1/2 + x / sqrt(x^2 + 4).
    assert worst.numeric == pytest.approx((1 + x / np.sqrt(x * x + 4)) / 2, rel=1e-6)
    assert worst.analytic == pytest.approx(0.5 + x / np.sqrt(x * x + 4), rel=1e-9)
    assert [code for _, code, _ in results["cli"]] == [0, 0, 1, 1, 0]  # naive softplus 1, stable 0
    naive, stable = results["accuracy"]["naive"]["outputs"], results["accuracy"]["stable"]["outputs"]
    assert naive[0]["overflow"] and naive[0]["max_bits"] > 60 and stable[0]["max_bits"] <= 2
    assert all(hi < -36 for _, hi in naive[0]["underflow"]) and not stable[0]["overflow"]
    assert "PASS" in results["cli"][1][2] and "FAIL" in results["cli"][2][2]
    assert "$ python -m autograd.gradcheck examples/custom_activation.py:squareplus_function" in printed
    assert results["figures"][0].read_bytes()[:4] == b"\x89PNG"


def test_a_function_returning_a_view_of_its_input_passes(module_file):
    result = run(f"{module_file}:flatten", "--shape", "2,3", "--examples", "5", "--second-order")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("PASS")


@pytest.mark.parametrize("n", ["0", "-1"])
def test_fewer_than_one_input_is_a_usage_error(module_file, n):
    result = run(f"{module_file}:squareplus", "--n-inputs", n)
    assert result.returncode == 2 and "--n-inputs" in result.stderr
    assert_no_traceback(result)


def test_a_target_that_never_returns_is_stopped_with_a_clear_message(module_file):
    result = run(f"{module_file}:hangs", "--timeout", "2")
    assert result.returncode == 2
    assert "did not finish within 2 s" in result.stderr and "--timeout" in result.stderr


def test_sys_exit_while_importing_the_target_is_a_usage_error(tmp_path):
    script = tmp_path / "exits.py"
    script.write_text("import sys\nsys.exit(7)\ndef f(x):\n    return x\n")
    result = run(f"{script}:f")
    assert result.returncode == 2 and "sys.exit(7)" in result.stderr
    assert_no_traceback(result)


@pytest.mark.parametrize("bounds", ["-inf,inf", "0,inf", "nan,1"])
def test_a_range_that_is_not_finite_is_refused(module_file, bounds):
    result = run(f"{module_file}:squareplus", "--range", bounds)
    assert result.returncode == 2 and "finite" in result.stderr


def test_a_range_where_finite_differences_round_away_is_warned_about(module_file):
    result = run(f"{module_file}:relu", "--range", "0,1e308", "--shape", "2", "--examples", "3")
    assert "finite-difference step of 1e-06 is lost in rounding" in result.stderr


@pytest.mark.parametrize("name, kind", [("returns_list", "list"), ("returns_none", "NoneType")])
def test_a_target_that_does_not_return_a_value_is_a_usage_error(module_file, name, kind):
    result = run(f"{module_file}:{name}")
    assert result.returncode == 2 and f"returned {kind}" in result.stderr
    assert_no_traceback(result)
