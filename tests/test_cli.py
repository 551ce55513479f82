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
    assert [code for _, code, _ in results["cli"]] == [0, 0, 1]
    assert "PASS" in results["cli"][1][2] and "FAIL" in results["cli"][2][2]
    assert "$ python -m autograd.gradcheck examples/custom_activation.py:squareplus_function" in printed
    assert results["figures"][0].read_bytes()[:4] == b"\x89PNG"
