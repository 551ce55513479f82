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

Times are CPU seconds of the process per step (``time.process_time``: steady on a shared machine;
run with ``--blas-threads 1`` so that it equals the step's cost on one idle core). Floor and ours are
timed interleaved run by run (the `x floor` ratio is the paired median);
after the timed steps each engine's loss must match the floor's (1e-6 relative in float64,
1e-4 in float32). ``--profile`` prints a cProfile of ours (float64).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

if "--blas-threads" in sys.argv:  # before NumPy loads
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = sys.argv[sys.argv.index("--blas-threads") + 1]

import numpy as np  # noqa: E402
from benchlib.cnn_floor import FloorCNN  # noqa: E402
from benchlib.harness import Job, Measurement, fmt_time, load_average, paired_ratio, rel_diff  # noqa: E402

BATCH, LR, WEIGHT_DECAY = 64, 0.01, 0.01


def measure_cpu(jobs: dict[str, Job], repeats: int, inner: int) -> dict[str, Measurement]:
    """Like harness.measure_interleaved, but CPU seconds of this process (``time.process_time``) per call.

    On a machine shared with other jobs, wall time counts the time other processes hold
    the cores; CPU time does not, so the ratio to the floor stays steady. With one BLAS
    thread (``--blas-threads 1``) CPU time is what the step costs on an idle core.
    """
    import time

    for job in jobs.values():
        job.step()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            start = time.process_time()
            for _ in range(inner):
                job.step()
            times[name].append((time.process_time() - start) / inner)
    return {name: Measurement(t) for name, t in times.items()}


def batch(dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.random((BATCH, 1, 8, 8)).astype(dtype), rng.integers(0, 10, BATCH)


def initial_state() -> dict[str, np.ndarray]:
    """The CNN's initial weights, from our nn (seed 0), as a name -> float64 array dict."""
    import nn

    nn.manual_seed(0)
    return {k: np.asarray(v, dtype=np.float64) for k, v in make_ours().state_dict().items()}


def make_ours() -> Any:
    import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 10),
    )


def ours_job(state: dict[str, np.ndarray], dtype: Any) -> Job:
    import nn
    from nn import optim

    model = make_ours()
    model.load_state_dict(state)
    model.to(dtype)
    opt = optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    x, y = batch(dtype)

    def step() -> float:
        loss = nn.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return Job(step)


def floor_job(state: dict[str, np.ndarray], dtype: Any) -> Job:
    floor = FloorCNN(state, dtype, LR, WEIGHT_DECAY)
    x, y = batch(dtype)
    return Job(lambda: floor.step(x, y))


def torch_times(state: dict[str, np.ndarray], dtype_name: str, repeats: int, inner: int) -> dict[str, Any]:
    """Seconds per step of the same model in PyTorch (in this process); the last loss."""
    import time

    import torch

    torch_dtype = getattr(torch, dtype_name)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(128, 10)).to(torch_dtype)
    model.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in state.items()}, strict=False)
    model.to(torch_dtype)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    x_np, y_np = batch(np.dtype(dtype_name))
    x, y = torch.tensor(x_np), torch.tensor(y_np)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> float:
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    step()
    times, loss = [], 0.0
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(inner):
            loss = step()
        times.append((time.process_time() - start) / inner)
    return {"times": times, "loss": loss, "version": torch.__version__, "threads": torch.get_num_threads()}


def torch_measure(state: dict[str, np.ndarray], dtype_name: str, repeats: int, inner: int) -> dict[str, Any] | str:
    try:
        import torch  # noqa: F401
    except ImportError:
        python = os.environ.get("BENCH_TORCH_PYTHON", "/work/benchvenv-torch/bin/python")
        if not Path(python).exists():
            return "skipped: torch not importable here and no venv at $BENCH_TORCH_PYTHON"
        path = Path(__file__).resolve().parent / "w5_state.npz"
        np.savez(path, **state)
        done = subprocess.run([python, __file__, "--torch-worker", str(path), dtype_name, str(repeats), str(inner)],
                              capture_output=True, text=True, timeout=600, check=False)
        path.unlink(missing_ok=True)
        if done.returncode:
            return f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
        return json.loads(done.stdout)  # type: ignore[no-any-return]
    return torch_times(state, dtype_name, repeats, inner)


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--torch-worker":  # the PyTorch venv runs only this (NumPy and torch)
        with np.load(argv[1]) as archive:
            state = {k: archive[k] for k in archive.files}
        print(json.dumps(torch_times(state, argv[2], int(argv[3]), int(argv[4]))))
        return
    quick = "--quick" in argv
    repeats, inner, checked_steps = (3, 3, 5) if quick else (9, 10, 20)
    state = initial_state()
    print(f"W5 digits CNN, batch {BATCH}, one AdamW step; load average {load_average()}")
    print("| dtype | floor (NumPy im2col) | ours | ours / floor | PyTorch CPU | loss check (ours, torch) |")
    print("|---|---|---|---|---|---|")
    for dtype_name in ("float64", "float32"):
        dtype = np.dtype(dtype_name)
        jobs = {"floor": floor_job(state, dtype), "ours": ours_job(state, dtype)}
        result = measure_cpu(jobs, repeats, inner)
        ratio = paired_ratio(result["ours"], result["floor"])
        # correctness: the same number of steps from the same start gives the same loss
        fresh = {"floor": floor_job(state, dtype), "ours": ours_job(state, dtype)}
        losses = {name: [job.step() for _ in range(checked_steps)][-1] for name, job in fresh.items()}
        tolerance = 1e-6 if dtype == np.float64 else 1e-4
        check = rel_diff(losses["ours"], losses["floor"])
        torch_result = torch_measure(state, dtype_name, repeats, inner)
        if isinstance(torch_result, str):
            torch_cell, torch_check = torch_result, "-"
        else:
            med = float(np.median(torch_result["times"]))
            torch_cell = f"{fmt_time(med)} ({torch_result['threads']} threads)"
            torch_state = {"floor": floor_job(state, dtype)}
            floor_after = [torch_state["floor"].step() for _ in range(repeats * inner + 1)][-1]
            torch_check = f"{'ok' if rel_diff(torch_result['loss'], floor_after) < tolerance else 'MISMATCH'}"
        print(f"| {dtype_name} | {fmt_time(result['floor'].median)} | {fmt_time(result['ours'].median)} | "
              f"{ratio:.2f}x | {torch_cell} | {'ok' if check < tolerance else 'MISMATCH'} ({check:.1e}), "
              f"{torch_check} |")
    if "--profile" in argv:
        import cProfile
        import pstats

        job = ours_job(state, np.float64)
        job.step()
        profile = cProfile.Profile()
        profile.runcall(lambda: [job.step() for _ in range(20)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main(sys.argv[1:])
