"""What every example shares: command-line flags, the Agg backend, progress bars.

Every example takes ``--quick`` (a fast, smaller run; also switched on by the
environment variable ``EXAMPLES_QUICK=1``) and ``--out DIR`` (where its figures
go, ``figures/`` by default).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import matplotlib

matplotlib.use("Agg")  # draw to files, never open a window

T = TypeVar("T")


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``--quick`` and ``--out DIR``; the output directory is created."""
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    quick = os.environ.get("EXAMPLES_QUICK", "") not in ("", "0")
    parser.add_argument("--quick", action="store_true", default=quick,
                        help="a fast, smaller run (also: EXAMPLES_QUICK=1)")
    parser.add_argument("--out", type=Path, default=Path("figures"),
                        help="directory for the figures (default: figures)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def progress(iterable: Iterable[T], description: str, total: int | None = None) -> Iterable[T]:
    """A tqdm progress bar on stderr (plain iteration if tqdm is missing)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=description, total=total, leave=False, file=sys.stderr,
                # None: tqdm shows bars only on a terminal, so logs stay clean
                disable=True if os.environ.get("EXAMPLES_NO_PROGRESS", "") not in ("", "0") else None)


def save(fig: Any, out: Path, name: str) -> Path:
    """Save a matplotlib figure as ``out/name`` (PNG) and say so."""
    import matplotlib.pyplot as plt

    path = out / name
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    print(f"saved {path}")
    return path


def one_blas_thread() -> Any:
    """Limit BLAS to one thread while the returned object lives (threadpoolctl, when installed).

    The models of the CNN and names examples multiply small matrices, for which one BLAS
    thread is faster than several (and far steadier on a machine shared with other jobs).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(1)
