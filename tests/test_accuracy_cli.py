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
