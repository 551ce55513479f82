"""Finding the peers: micrograd in this process; HIPS autograd, PyTorch, JAX, MyGrad, tinygrad in their own venvs.

A peer's venv is taken from an environment variable, else a default path:
``BENCH_HIPS_PYTHON`` (default /work/benchvenv-hips/bin/python), ``BENCH_TORCH_PYTHON``
(default /work/benchvenv-torch/bin/python), and so on (``DEFAULTS``). A peer that is missing is
skipped with a note.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from benchlib.harness import worker_env

WORKER = Path(__file__).resolve().parent.parent / "worker.py"

DEFAULTS = {
    "hips": ("BENCH_HIPS_PYTHON", "/work/benchvenv-hips/bin/python", "autograd.numpy"),
    "torch": ("BENCH_TORCH_PYTHON", "/work/benchvenv-torch/bin/python", "torch"),
    "jax": ("BENCH_JAX_PYTHON", "/work/benchvenv-jax/bin/python", "jax"),
    "jax-eager": ("BENCH_JAX_PYTHON", "/work/benchvenv-jax/bin/python", "jax"),
    "mygrad": ("BENCH_MYGRAD_PYTHON", "/work/benchvenv-mygrad/bin/python", "mygrad"),
    "tinygrad": ("BENCH_TINYGRAD_PYTHON", "/work/benchvenv-tinygrad/bin/python", "tinygrad"),
}

INSTALL_HINT = {
    "hips": "sh benchmarks/make_peer_venvs.sh hips (autograd==1.9.1)",
    "torch": "python -m venv /work/benchvenv-torch && /work/benchvenv-torch/bin/pip install torch==2.13.0 numpy",
    "jax": "sh benchmarks/make_peer_venvs.sh jax",
    "jax-eager": "sh benchmarks/make_peer_venvs.sh jax",
    "mygrad": "sh benchmarks/make_peer_venvs.sh mygrad",
    "tinygrad": "sh benchmarks/make_peer_venvs.sh tinygrad; its CPU device needs clang (apt-get install clang)",
    "micrograd": "pip install micrograd (into the venv that runs the benchmarks)",
}

# W2 (a chain of 2.1 N scalar nodes) is not run on these peers, for the reasons given (a note under the table)
W2_NOT_RUN = {
    "jax": "jit turns the chain into one straight-line XLA program, so W2 would time its compiler (N = 10^3: "
           "0.7 s, 10^4: 7.8 s to compile, then 85 and 19 ns per node with no graph built); the jax-eager row "
           "is JAX's autodiff on it",
    "tinygrad": "it has no eager mode: the chain is one lazy graph that it schedules, fuses into one kernel and "
                "compiles with clang when realized, so W2 times that pipeline (by hand, worker.py tinygrad W2: "
                "N = 10^3 and 10^4 at 380-430 us per node on the first run, 160-200 on a repeat, 5.8-6.7 kB per "
                "node, values ok); N = 10^5 would take minutes per run",
}


def peer_python(name: str) -> tuple[str | None, str]:
    """(the peer venv's python, '') when it can import the peer, else (None, why it is skipped)."""
    variable, default, module = DEFAULTS[name]
    python = os.environ.get(variable, default)
    if not Path(python).exists():
        return None, f"{name} skipped: no python at {python} (set {variable}; install: {INSTALL_HINT[name]})"
    try:
        proc = subprocess.run([python, "-c", f"import {module}"], capture_output=True, text=True, timeout=120,
                              env=worker_env(), cwd=str(WORKER.parent))
    except subprocess.TimeoutExpired:
        return None, f"{name} skipped: importing {module} timed out"
    if proc.returncode != 0:
        return None, f"{name} skipped: {python} cannot import {module} (install: {INSTALL_HINT[name]})"
    return python, ""
