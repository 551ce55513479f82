"""A plain install works: the wheel holds every package, and its modules import outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ["autograd", "autograd.ops", "autograd.testing", "autograd.viz", "autograd.gradcheck", "autograd.checking",
          "autograd.functional", "autograd.function", "nn", "nn.optim", "nn.data", "nn.metrics", "nn.init"]


def _packages_in_tree() -> set[str]:
    found = [p for top in ("autograd", "nn") for p in (ROOT / top).rglob("__init__.py")]
    return {".".join(p.parent.relative_to(ROOT).parts) for p in found}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for top in ("autograd", "nn"):
        shutil.copytree(ROOT / top, source / top, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
                    str(source)], check=True, timeout=300)
    (built,) = out.glob("*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_every_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        packaged = {str(Path(n).parent).replace("/", ".") for n in archive.namelist() if n.endswith("__init__.py")}
    assert packaged == _packages_in_tree()


@pytest.mark.slow
def test_a_non_editable_install_imports_and_runs_the_command_line(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"{wheel}[test]"], check=True, timeout=600)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = f"import importlib, autograd; assert 'site-packages' in autograd.__file__, autograd.__file__\n" \
           f"for name in {PUBLIC!r}: importlib.import_module(name)\n" \
           "from autograd import Value; from autograd.viz import explore_html\n" \
           "assert 'function drawGraph' in explore_html(Value(2.0) * 3.0)  # the page's files are in the wheel"
    subprocess.run([str(python), "-c", code], check=True, timeout=120, cwd=tmp_path, env=env)
    done = subprocess.run([str(python), "-m", "autograd.gradcheck", "--help"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0 and "usage: python -m autograd.gradcheck" in done.stdout
