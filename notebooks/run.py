"""Execute the tutorial notebooks: save their outputs, or check that the saved outputs still hold.

    python notebooks/run.py            # run every notebook here and save its outputs (and print run times)
    python notebooks/run.py --check    # run them and report any output that differs from the saved one

The tests (tests/test_notebooks.py) use :func:`execute` and :func:`outputs`. Outputs are compared as
text: streams, ``text/plain`` and ``text/html``. Pictures (PNG, SVG) are compared by kind only,
and a cell tagged ``graphviz`` is left out when Graphviz's ``dot`` program is missing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOKS = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
PICTURES = ("image/png", "image/svg+xml")


def execute(path: Path, cwd: Path, timeout: int = 120) -> Any:
    """The notebook at ``path``, run top to bottom in a fresh kernel with ``cwd`` as working directory."""
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(cwd)}}
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources=resources)
    client.execute()
    return notebook


def outputs(notebook: Any, have_dot: bool = True) -> list[tuple[int, list[tuple[str, ...]]]]:
    """(cell index, what each output shows) for every code cell, in a form that compares across runs."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or ("graphviz" in cell.metadata.get("tags", []) and not have_dot):
            continue
        shown: list[tuple[str, ...]] = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                shown.append(("stream", out.name, out.text))
            elif out.output_type in ("display_data", "execute_result"):
                data = out.data
                pictures = tuple(sorted(k for k in data if k in PICTURES))
                if pictures:  # the picture's bytes and the object's repr vary; its kind does not
                    shown.append(("picture", *pictures))
                else:
                    shown.append(("data", data.get("text/html", ""), data.get("text/plain", "")))
            else:
                shown.append((out.output_type, out.get("ename", ""), out.get("evalue", "")))
        found.append((index, shown))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the saved outputs instead of saving")
    args = parser.parse_args(argv)
    have_dot = shutil.which("dot") is not None
    status = 0
    for path in NOTEBOOKS:
        start = time.perf_counter()
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = execute(path, Path(tmp))
            same = outputs(fresh, have_dot) == outputs(nbformat.read(path, as_version=4), have_dot)
            status |= not same
            print(f"{path.name}: {'same outputs' if same else 'OUTPUTS DIFFER'} ({time.perf_counter() - start:.1f} s)")
        else:
            notebook = execute(path, HERE)
            nbformat.write(notebook, path)
            print(f"{path.name}: executed and saved ({time.perf_counter() - start:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
