"""W5: one training step of the digits CNN at batch 64, float32 and float64: floor, ours, PyTorch CPU.

    python benchmarks/w5_cnn.py [--quick] [--profile] [--blas-threads N]

The network is examples/digits_cnn.py's (Conv2d-BatchNorm2d-ReLU-MaxPool2d twice, Flatten,
Linear), one step = forward + cross-entropy + backward + AdamW. Three engines start from the
same weights (ours, seeded; loaded into the floor and into PyTorch through state_dict names)
and the same batch (random 8x8 images and labels, fixed seed):

- floor: benchlib/cnn_floor.py, hand-written NumPy (im2col + matmul, closed-form BatchNorm backward);
- ours: ``nn`` layers and ``nn.optim.AdamW``, every derivative from the engine's primitives;
- PyTorch CPU: in this process when ``import torch`` works, else in ``$BENCH_TORCH_PYTHON``
  (default /work/benchvenv-torch/bin/python) if it exists, else skipped with a note.

The workload itself (data, weights, floor and ours) is benchlib/w5.py, which run.py's W5
rows share (run.py also runs the JAX, MyGrad and tinygrad peers, in wall time).

Times are CPU seconds of the process per step (``time.process_time``: steady on a shared machine;
run with ``--blas-threads 1`` so that it equals the step's cost on one idle core). Floor and ours are
timed interleaved run by run (the `x floor` ratio is the paired median);
after the timed steps each engine's loss must match the floor's (1e-6 relative in float64,
1e-4 in float32). ``--profile`` prints a cProfile of ours (float64).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

if "--blas-threads" in sys.argv:  # before NumPy loads
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = sys.argv[sys.argv.index("--blas-threads") + 1]

from benchlib import w5  # noqa: E402
from benchlib.harness import (  # noqa: E402
    Measurement,
    fmt_time,
    load_average,
    measure,
    measure_interleaved,
    paired_ratio,
    rel_diff,
    run_json,
    worker_env,
)
from benchlib.peers import WORKER, peer_python  # noqa: E402


def torch_measure(state_path: str, dtype: str, repeats: int, inner: int) -> tuple[Measurement | None, str]:
    """PyTorch's CPU seconds per step, here when torch imports, else in its venv (None and why when absent)."""
    try:
        from benchlib import torch_peer
    except ImportError:
        python, why = peer_python("torch")
        if python is None:
            return None, why
        result = run_json([python, str(WORKER), "torch", "W5", "--state", state_path, "--dtype", dtype, "--cpu-time",
                           "--repeats", str(repeats), "--inner", str(inner)], timeout=600, env=worker_env())
        if "error" in result:
            return None, f"failed: {result['error']}"
        return Measurement.from_json(result["measurement"]), str(result["version"])
    job = torch_peer.w5_job(dtype, w5.load_state(state_path))
    return measure(job, repeats=repeats, inner=inner, clock=time.process_time), torch_peer.version()


def check(loss: float | None, reference: float, tolerance: float) -> str:
    diff = rel_diff(loss if loss is not None else float("nan"), reference)
    return f"{'ok' if diff <= tolerance else 'MISMATCH'} ({diff:.1e})"


def main(argv: list[str]) -> None:
    repeats, inner = (3, 3) if "--quick" in argv else (9, 10)
    print(f"W5 digits CNN, batch {w5.BATCH}, one AdamW step; load average {load_average()}")
    print("| dtype | floor (NumPy im2col) | ours | ours / floor | PyTorch CPU | loss check (ours, torch) |")
    print("|---|---|---|---|---|---|")
    with w5.state_file() as state_path:
        for dtype in w5.DTYPES:
            jobs = {"floor": w5.floor_job(dtype), "ours": w5.ours_job(dtype)}
            result = measure_interleaved(jobs, repeats=repeats, inner=inner, clock=time.process_time)
            reference, tolerance = w5.floor_loss(dtype, inner), 1e-6 if dtype == "float64" else 1e-4
            torch_m, torch_note = torch_measure(state_path, dtype, repeats, inner)
            torch_cell = f"{fmt_time(torch_m.median)} ({torch_note})" if torch_m else torch_note
            torch_check = check(torch_m.loss, reference, tolerance) if torch_m else "-"
            print(f"| {dtype} | {fmt_time(result['floor'].median)} | {fmt_time(result['ours'].median)} | "
                  f"{paired_ratio(result['ours'], result['floor']):.2f}x | {torch_cell} | "
                  f"{check(result['ours'].loss, reference, tolerance)}, {torch_check} |")
    if "--profile" in argv:
        import cProfile
        import pstats

        job = w5.ours_job("float64")
        job.step()
        profile = cProfile.Profile()
        profile.runcall(lambda: [job.step() for _ in range(20)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main(sys.argv[1:])
