"""Every example, run end to end in quick mode into a temporary directory.

Each test checks what the example claims, with the reference numbers computed
here (closed forms, hand derivatives, least squares), not just that it exits 0.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_MAGIC = b"\x89PNG"

pytestmark = pytest.mark.slow


def load(name: str) -> ModuleType:
    """Import examples/<name>.py as a module (its directory on sys.path for the shared helpers)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """run(name) -> (returned results, printed text), quick mode, figures into tmp_path."""
    monkeypatch.setenv("EXAMPLES_NO_PROGRESS", "1")

    def run_example(name: str) -> tuple[dict, str]:
        module = load(name)
        results = module.main(["--quick", "--out", str(tmp_path)])
        printed = capsys.readouterr().out
        for figure in results.get("figures", []):
            assert Path(figure).parent == tmp_path and Path(figure).read_bytes()[:4] == PNG_MAGIC
            assert f"saved {figure}" in printed
        return results, printed

    return run_example


def test_backprop_by_hand(run, tmp_path) -> None:
    results, printed = run("backprop_by_hand")
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.881373587019543
    o = math.tanh(n)
    do_dn = 1.0 - o**2
    assert results["o"] == pytest.approx(o, rel=1e-15)
    # o = tanh(x1 w1 + x2 w2 + b): do/dx1 = w1 do/dn, do/dw1 = x1 do/dn, ...
    expected = {"x1": -3.0 * do_dn, "w1": 2.0 * do_dn, "x2": 1.0 * do_dn, "w2": 0.0, "b": do_dn}
    for name, value in expected.items():
        assert results["grads"][name] == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert results["trace_rows"] == 10          # 5 leaves and 5 ops (two *, two +, tanh), one row each
    assert printed.count("accumulated into") >= 5
    assert "x1*w1" in results["dot"].read_text()
    # the micrograd expression, against central differences of its float form
    module = load("backprop_by_hand")
    g = module.micrograd_expression
    eps = 1e-5
    assert results["dg_da"] == pytest.approx((g(-4.0 + eps, 2.0) - g(-4.0 - eps, 2.0)) / (2 * eps), rel=1e-6)
    assert results["dg_db"] == pytest.approx((g(-4.0, 2.0 + eps) - g(-4.0, 2.0 - eps)) / (2 * eps), rel=1e-6)
    if shutil.which("dot") and importlib.util.find_spec("graphviz") is not None:
        assert [p.suffix for p in results["pictures"]] == [".svg", ".png"]
    else:  # without the dot program or the graphviz package: no pictures, and how to get them
        assert results["pictures"] == [] and "graphviz" in printed


def test_backprop_by_hand_runs_as_a_script(tmp_path) -> None:
    env = {**os.environ, "EXAMPLES_NO_PROGRESS": "1"}
    done = subprocess.run([sys.executable, str(EXAMPLES / "backprop_by_hand.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "dg/da = 138.8338" in done.stdout         # micrograd's README value for this expression
    assert (tmp_path / "backprop_graph.dot").exists()


def test_optimization(run) -> None:
    results, printed = run("optimization")
    module = load("optimization")
    x, y = 0.3, -0.7
    hand_grad = [-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)]
    hand_hessian = [[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]]
    np.testing.assert_allclose(module.f_and_grad(np.array([x, y]))[1], hand_grad, rtol=1e-12)
    np.testing.assert_allclose(module.f_hessian(np.array([x, y])), hand_hessian, rtol=1e-12)
    res = results["results"]
    assert res["Newton"]["reached"] is not None and res["Newton"]["reached"] <= 10
    np.testing.assert_allclose(res["Newton"]["final"], [1.0, 1.0], atol=1e-10)
    assert res["momentum"]["f"] < res["gradient descent"]["f"]
    assert res["gradient descent"]["f"] < 24.2               # f(-1.2, 1) = 2.2^2 + 100 * 0.44^2 = 24.2
    assert "Newton" in printed and "steps to" in printed


def test_weight_decay(run) -> None:
    results, printed = run("weight_decay")
    rows = results["rows"]
    lambdas = [r["lambda"] for r in rows]
    best = results["best_lambda"]
    assert min(lambdas) < best < max(lambdas)                      # neither end of the grid
    tiny, huge = rows[0], rows[-1]
    best_val = min(r["val"] for r in rows)
    assert tiny["train"] < 0.1 * tiny["val"] and tiny["val"] > 2 * best_val     # overfits
    assert huge["train"] > 0.2 and huge["val"] > 2 * best_val                   # underfits
    assert huge["norm"] < 0.1 * tiny["norm"]
    assert "<- best" in printed
    assert results["sgd_difference"] < 1e-12                       # L2 in the loss == SGD weight_decay = 2 lambda
    lr, decay = 0.01, results["decay"]
    t = np.arange(len(decay["AdamW"]))[:, None]
    np.testing.assert_allclose(decay["AdamW"], np.array([2.0, 0.1]) * (1 - lr * 1.0) ** t, rtol=1e-12)
    moved = 2.0 - decay["Adam + L2 in the loss"][100, 0]          # Adam's steps are about lr whatever the size
    assert 0.6 * 100 * lr < moved <= 100 * lr * 1.01


def test_linear_regression(run) -> None:
    results, printed = run("linear_regression")
    module = load("linear_regression")
    hours, scores = module.make_data()
    design = np.hstack([hours, np.ones_like(hours)])
    (w, b), *_ = np.linalg.lstsq(design, scores[:, 0], rcond=None)
    assert results["predicted"] == pytest.approx(w * 4.0 + b, abs=0.01)
    assert f"after 4 hours of study: {w * 4 + b:.2f}" in printed
    residual = scores[:, 0] - (results["w"] * hours[:, 0] + results["b"])
    mse = np.mean(residual**2)
    assert results["metrics"]["mse"] == pytest.approx(mse, rel=1e-9)
    assert results["metrics"]["rmse"] == pytest.approx(math.sqrt(mse), rel=1e-9)
    assert results["metrics"]["mae"] == pytest.approx(np.mean(np.abs(residual)), rel=1e-9)
    r2 = 1 - np.sum(residual**2) / np.sum((scores - scores.mean()) ** 2)
    assert results["metrics"]["r2_score"] == pytest.approx(r2, rel=1e-9)
    shift = {name: abs(r["outlier"][0] - r["clean"][0]) for name, r in results["robust"].items()}
    mse_shift = shift.pop("MSE")
    assert all(mse_shift > 3 * other for other in shift.values())


def test_activations(run) -> None:
    results, printed = run("activations")
    assert len(results["checks"]) == 24 and max(results["checks"].values()) < 1e-6
    assert "FAILED" not in printed
    assert results["gap"] < 1e-12                       # five linear layers == one linear map
    module = load("activations")
    x, y = module.make_curve()
    design = np.hstack([x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y[:, 0], rcond=None)
    best_line = np.mean((design @ coef - y[:, 0]) ** 2)
    errors = results["errors"]
    assert errors["no activation"] >= best_line - 1e-12
    assert errors["no activation"] < best_line * 1.05   # trained, it finds (close to) the best line
    assert errors["tanh"] < 0.1 * best_line and errors["ReLU"] < 0.1 * best_line


def test_moons(run) -> None:
    results, printed = run("moons")
    assert results["test_accuracy"] >= 0.9 and results["train_accuracy"] >= 0.9
    losses = [h[0] for h in results["history"]]
    assert losses[-1] < 0.25 * losses[0]
    assert "held-out accuracy" in printed


def test_regularization(run) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install -e '.[examples]')")
    from sklearn.linear_model import Lasso, Ridge

    results, printed = run("regularization")
    module = load("regularization")
    rows = results["rows"]
    best = results["best_lambda"]
    smallest, largest = rows[0], rows[-1]
    best_row = min(rows, key=lambda r: r["val"])
    assert best_row["lambda"] == best and smallest["lambda"] < best < largest["lambda"]   # inside the grid
    assert smallest["train"] < 0.01 and smallest["val"] > 2 * best_row["val"]            # overfits
    assert largest["train"] > 0.5 and largest["val"] > 1.5 * best_row["val"]             # underfits
    assert "<- best" in printed
    # coefficient paths against scikit-learn, recomputed here from the same data
    data = module.diabetes()
    paths = results["paths"]
    ridge = np.array([Ridge(alpha=a).fit(data["X"], data["y"]).coef_ for a in paths["ridge_alphas"]])
    lasso = np.array([Lasso(alpha=a, tol=1e-12, max_iter=100_000).fit(data["X"], data["y"]).coef_
                      for a in paths["lasso_alphas"]])
    np.testing.assert_allclose(paths["ours_l2"], ridge, atol=1e-9)
    np.testing.assert_allclose(paths["ours_l1"], lasso, atol=1e-3)
    assert np.all(paths["ours_l2"] != 0) and np.sum(lasso[-1] == 0) >= 5                  # L2 shrinks, L1 zeroes
    assert np.all(np.abs(paths["ours_l1"][lasso == 0]) < 1e-3)
    assert f"largest |ours - Ridge| = {results['ridge_gap']:.1e}" in printed
    # early stopping: the restored model is the best epoch's, better on validation than the last epoch's
    curves = results["curves"]
    assert curves["best_val"] == min(curves["val"][:curves["stop_epoch"] + 1])
    assert curves["restored"]["val"] == pytest.approx(curves["best_val"], rel=1e-12)
    assert curves["restored"]["val"] < curves["last"]["val"]
    assert curves["stop_epoch"] - curves["best_epoch"] == 20                              # patience
    # weight histograms: the penalty shrinks the weights
    norms = [np.linalg.norm(v) for v in results["weights"].values()]
    assert norms[1] < 0.5 * norms[0]
    digits = results["digits"]
    assert set(digits) == {"none", "L2", "dropout", "early stopping"}
    assert all(0.85 < r["test"] <= 1.0 for r in digits.values())
    assert f"test accuracy {digits['dropout']['test']:.3f}" in printed


def test_digits_cnn(run) -> None:
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    results, printed = run("digits_cnn")
    import nn

    digits = load_digits()
    labels = nn.data.train_test_split(digits.images, digits.target, test_size=0.2, seed=0)[3]
    assert len(labels) == 360 == results["predictions"].shape[0]
    accuracy = float(np.mean(results["predictions"] == labels))
    assert results["test_accuracy"] == pytest.approx(accuracy, abs=1e-12)
    assert accuracy >= 0.9                                   # 3 epochs in quick mode (a full run: >= 0.98)
    matrix = results["confusion"]
    assert matrix.sum() == 360 and np.trace(matrix) == int(round(accuracy * 360))
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(labels, minlength=10))
    assert results["test_accuracy"] > max(run["test"] for run in results["mlps"].values())
    decays = results["decays"]
    assert decays[max(decays)]["train"] < decays[0.0]["train"] - 0.02       # far too much decay underfits
    assert "test accuracy" in printed and len(results["figures"]) == 3


def test_names_model(run) -> None:
    pytest.importorskip("names")
    results, printed = run("names_model")
    train, val, test = results["splits"]
    assert len(train) + len(val) + len(test) == len(set(train) | set(val) | set(test)) > 5000
    assert not set(train) & set(val)
    # the bigram baseline, recounted here with dictionaries
    counts: dict[tuple[str, str], int] = {}
    for word in train:
        for a, b in zip("." + word, word + ".", strict=True):
            counts[a, b] = counts.get((a, b), 0) + 1
    alphabet = ".abcdefghijklmnopqrstuvwxyz"
    totals = {a: sum(counts.get((a, b), 0) for b in alphabet) + 27 for a in alphabet}
    pairs = [(a, b) for word in val for a, b in zip("." + word, word + ".", strict=True)]
    bigram = -np.mean([math.log((counts.get(p, 0) + 1) / totals[p[0]]) for p in pairs])
    scores = results["scores"]
    assert scores["bigram counts"] == pytest.approx(bigram, rel=1e-12)
    # the MLP's validation NLL, recomputed from its logits with NumPy
    mlp = results["models"]["MLP"].eval()
    contexts, targets = [], []
    for word in val:
        chars = [alphabet.index(c) for c in word + "."]
        padded = [0, 0, 0] + chars
        contexts += [padded[i:i + 3] for i in range(len(chars))]
        targets += chars
    logits = mlp(np.array(contexts)).data
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    assert scores["MLP"] == pytest.approx(-log_probs[np.arange(len(targets)), targets].mean(), rel=1e-9)
    assert scores["MLP"] < bigram - 0.05                       # even the quick run beats the counts
    assert scores["attention"] < math.log(27) - 0.5
    assert len(results["samples"]) == 20 and all(s.isalpha() or s == "" for s in results["samples"])
    assert "validation NLL" in printed
