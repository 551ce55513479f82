"""Regenerate every picture in README.md: ``python examples/make_figures.py``.

Runs each example in full (as README quotes them) into a temporary directory and copies
the PNG figures README shows to docs/images/, then takes the explorer's screenshot with the browser test
(tests/test_viz_browser.py, headless Chromium; skipped with a note when there is no browser).
About a minute on two cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["weight_decay", "linear_regression", "activations", "optimization", "backprop_by_hand", "moons"]
IMAGES = ROOT / "docs" / "images"


def main() -> int:
    env = {**os.environ, "EXAMPLES_NO_PROGRESS": "1", "EXAMPLES_QUICK": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        for name in EXAMPLES:
            subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--out", tmp],
                           check=True, env=env, stdout=subprocess.DEVNULL)
            print(f"ran examples/{name}.py")
        readme = (ROOT / "README.md").read_text()
        for png in sorted(Path(tmp).glob("*.png")):
            if f"docs/images/{png.name}" not in readme:
                continue  # a figure README does not show
            shutil.copy(png, IMAGES / png.name)
            print(f"updated {(IMAGES / png.name).relative_to(ROOT)}")
    shot = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", str(ROOT / "tests" / "test_viz_browser.py"),
                           "-k", "screenshot"], env={**env, "AUTOGRAD_UPDATE_IMAGES": "1"}, cwd=ROOT, check=False)
    print("updated docs/images/explorer.png" if shot.returncode == 0 else "the explorer screenshot was not taken")
    return shot.returncode


if __name__ == "__main__":
    sys.exit(main())
