"""Every figure README.md quotes from an example, checked against a full run of that example.

Each example runs once, in full (as README says its numbers are), with figures into a
temporary directory; each claim below formats the example's own results the way README
quotes them and asserts README says exactly that. The figures are quoted at a precision that
reproduces across BLAS kernels (OPENBLAS_CORETYPE=Haswell and SkylakeX give the same text).
The README's Python snippets that state their output in a comment are run too.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from test_examples import load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
README = " ".join((ROOT / "README.md").read_text().split())   # lines rewrapped: compare with one space
pytestmark = pytest.mark.slow


def _exp(x: float, digits: int = 0) -> str:
    """1e-3, 2.3e-3 and 1 as README writes them (not Python's 1e-03, 2.3e-03 and 1e+00)."""
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}" if int(exponent) else mantissa


def _distance(point: Any) -> float:
    return float(np.hypot(*(np.asarray(point) - 1.0)))


Claim = tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]
CLAIMS: dict[str, list[Claim]] = {
    "weight_decay": [
        ("At λ = {} the training error is {} but validation is {} (overfit)",
         lambda r: (_exp(r["rows"][0]["lambda"]), f"{r['rows'][0]['train']:.2g}", f"{r['rows'][0]['val']:.2f}")),
        ("at λ = {} both are high, {} / {} (underfit)",
         lambda r: (_exp(r["rows"][-1]["lambda"]), f"{r['rows'][-1]['train']:.2f}", f"{r['rows'][-1]['val']:.2f}")),
        ("the best is λ = {}, with validation {} (the noise variance is 0.0625)",
         lambda r: (_exp(r["best_lambda"]), f"{min(row['val'] for row in r['rows']):.3f}")),
        ("the parameters agree to round-off, {} 1e-15 after 200 steps",
         lambda r: ("below" if r["sgd_difference"] < 1e-15 else "ABOVE",)),
    ],
    "linear_regression": [
        ("score = {} · hours + {}, and {} predicted for 4 hours",
         lambda r: (f"{r['w']:.3f}", f"{r['b']:.2f}", f"{r['predicted']:.2f}")),
        ("MSE {}, RMSE {}, MAE {}, R² {}",
         lambda r: tuple(f"{r['metrics'][key]:.{digits}f}"
                         for key, digits in (("mse", 2), ("rmse", 2), ("mae", 2), ("r2_score", 3)))),
        ("the same line as closed-form least squares to {} 1e-12",
         lambda r: ("within" if max(abs(r["w"] - r["closed_form"][0]), abs(r["b"] - r["closed_form"][1])) < 1e-12
                    else "NOT within",)),
        ("One outlier drags the MSE slope from {} to {}, while MAE stays at {} and Huber at {}",
         lambda r: (f"{r['robust']['MSE']['clean'][0]:.2f}", f"{r['robust']['MSE']['outlier'][0]:.2f}",
                    f"{r['robust']['MAE (L1)']['outlier'][0]:.2f}",
                    f"{r['robust']['Huber (delta=5)']['outlier'][0]:.2f}")),
    ],
    "activations": [
        ("all {} `nn` activations and their engine-computed derivatives, each passing `gradcheck` first "
         "(max error {} 1e-9)",
         lambda r: (len(r["checks"]), "about" if 1e-10 < max(r["checks"].values()) < 1e-8 else "NOT about")),
        ("multiply out to one line (|net(x) − (Wx+b)| is round-off, {} 1e-15)",
         lambda r: ("below" if r["gap"] < 1e-15 else "ABOVE",)),
        ("that net's MSE is {}, the same as the best straight line; with tanh it is {}, with ReLU {}",
         lambda r: (f"{r['errors']['no activation']:.3f}", f"{r['errors']['tanh']:.4f}", f"{r['errors']['ReLU']:.4f}")),
    ],
    "optimization": [
        ("Newton's method reaches (1, 1) within 1e-3 in {} steps, momentum takes {} steps and Adam {}; plain "
         "gradient descent is still {} away after {} steps",
         lambda r: (r["results"]["Newton"]["reached"], r["results"]["momentum"]["reached"],
                    r["results"]["Adam"]["reached"], _exp(_distance(r["results"]["gradient descent"]["final"]), 1),
                    f"{r['results']['gradient descent']['steps']:,}".replace(",", " "))),
    ],
    "backprop_by_hand": [
        ("The micrograd README expression gives dg/da = {} and dg/db = {}, matching finite differences",
         lambda r: (f"{r['dg_da']:.4f}", f"{r['dg_db']:.4f}")),
    ],
    "moons": [
        ("{}% train accuracy, {}% on 100 held-out points",
         lambda r: (f"{100 * r['train_accuracy']:.0f}", f"{100 * r['test_accuracy']:.0f}")),
    ],
}


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("figures")
    results = {}
    for name in CLAIMS:
        with contextlib.redirect_stdout(io.StringIO()):
            results[name] = load(name).main(["--out", str(out)])
    return results


@pytest.mark.parametrize("name", list(CLAIMS))
def test_readme_quotes_the_examples_full_run(name: str, full_runs: dict[str, dict[str, Any]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLES_NO_PROGRESS", "1")
    for template, figures in CLAIMS[name]:
        sentence = template.format(*figures(full_runs[name]))
        assert sentence in README, f"README should say: {sentence!r}"


def test_a_changed_figure_is_caught() -> None:
    template, _ = CLAIMS["moons"][0]
    assert template.format("100", "99") in README and template.format("100", "98") not in README


def _snippets_with_output() -> list[tuple[str, list[str]]]:
    """README's ```python blocks that state what they print (``# prints: ...``), as (code, [line, ...])."""
    found = []
    for block in re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S):
        expected = [m.group(1).strip() for m in re.finditer(r"#\s*prints:\s*(.+)$", block, re.M)]
        if expected:
            found.append((block, expected))
    return found


SNIPPETS = _snippets_with_output()


def test_readme_has_snippets_with_stated_output() -> None:
    assert len(SNIPPETS) >= 2


@pytest.mark.parametrize("code, expected", SNIPPETS, ids=[f"snippet{k}" for k in range(len(SNIPPETS))])
def test_readme_snippets_print_what_they_say(code: str, expected: list[str]) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert printed.getvalue().splitlines() == expected
