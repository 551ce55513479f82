"""README's commands: CI runs exactly the README's test command, and the explorer one-liner works."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    (command,) = [line for line in re.findall(r"```bash\n(.*?)```", README, re.S)
                  if "pytest -q" in line and line.startswith("python3 -m venv")]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == command.strip()
    for package in ("chromium", "graphviz"):        # the Debian packages README names are the ones CI installs
        assert "apt-get install chromium graphviz" in README and f"missing+=({package})" in "\n".join(ci)


def test_the_readme_one_liner_writes_backprop_html(tmp_path: Path) -> None:
    (line,) = [line for line in README.splitlines() if line.startswith('python -c "') and "explore(" in line]
    argv = shlex.split(line)
    done = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "backprop.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and '"name": "a"' in page
