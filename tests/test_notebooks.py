"""The tutorial notebooks run top to bottom, and what they show still matches their saved outputs.

Each notebook is executed in a fresh kernel (nbclient + ipykernel, extra ``notebooks``) in a
temporary directory. Save new outputs with ``python notebooks/run.py`` after changing one.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbclient", reason='the notebook tests need nbclient and ipykernel: pip install -e ".[notebooks]"')
pytest.importorskip("ipykernel", reason='the notebook tests need ipykernel: pip install -e ".[notebooks]"')
pytest.importorskip("matplotlib", reason='notebook 3 plots with matplotlib: pip install -e ".[examples]"')

import nbformat  # noqa: E402

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
pytestmark = pytest.mark.slow


def _runner():
    spec = importlib.util.spec_from_file_location("notebooks_run", NOTEBOOKS_DIR / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["notebooks_run"] = module
    spec.loader.exec_module(module)
    return module


run = _runner()


def test_there_are_three_tutorials_with_saved_outputs() -> None:
    assert [p.name for p in run.NOTEBOOKS] == [
        "01_backprop_by_hand.ipynb", "02_scalars_to_tensors.ipynb", "03_weight_decay.ipynb"]
    for path in run.NOTEBOOKS:
        saved = nbformat.read(path, as_version=4)
        code = [c for c in saved.cells if c.cell_type == "code"]
        assert code and all(c.execution_count is not None for c in code), f"{path.name} is saved unexecuted"
        assert all(o.output_type != "error" for c in code for o in c.outputs)


@pytest.mark.parametrize("path", run.NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_runs_and_shows_what_it_saved(path: Path, tmp_path: Path) -> None:
    fresh = run.execute(path, tmp_path)
    have_dot = shutil.which("dot") is not None and importlib.util.find_spec("graphviz") is not None
    saved = nbformat.read(path, as_version=4)
    for (index, now), (_, before) in zip(run.outputs(fresh, have_dot), run.outputs(saved, have_dot), strict=True):
        assert now == before, f"{path.name}, cell {index}: the outputs changed; rerun python notebooks/run.py"
    if path.name.startswith("01_"):
        page = (tmp_path / "backprop.html").read_text()      # the explorer page the notebook writes
        assert "Backpropagation through o" in page


def test_a_changed_output_is_caught() -> None:
    saved = nbformat.read(run.NOTEBOOKS[0], as_version=4)
    before = run.outputs(saved)
    cell = next(c for c in saved.cells if c.cell_type == "code" and any(o.output_type == "stream" for o in c.outputs))
    stream = next(o for o in cell.outputs if o.output_type == "stream")
    stream.text = stream.text.replace("0.7071", "0.7072")
    assert run.outputs(saved) != before
