"""Timing, statistics, machine description and subprocess helpers (NumPy and stdlib only).

Every measurement follows the same recipe: ``warmup`` untimed runs, then ``repeats``
timed runs; each run calls ``step`` ``inner`` times and records the mean time of one
call. A Measurement keeps all repeats, so tables show the median and the min-max.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Measurement:
    """Seconds per call of one workload on one engine, over repeated runs.

    Args:
        times: seconds per call, one entry per timed run.
        loss: the loss the workload ended on (None when it has none).
        extra: anything else worth printing (bytes per node, notes).
    """

    times: list[float]
    loss: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def low(self) -> float:
        return min(self.times)

    @property
    def high(self) -> float:
        return max(self.times)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: dict[str, Any]) -> Measurement:
        return Measurement(times=list(d["times"]), loss=d.get("loss"), extra=dict(d.get("extra", {})))


@dataclass
class Job:
    """One engine's share of a workload: ``step`` is timed, ``setup`` runs untimed before every run.

    ``disable_gc`` switches Python's cyclic garbage collector off inside each timed run
    (it is collected untimed between runs so memory does not pile up).
    """

    step: Callable[[], Any]
    setup: Callable[[], Any] | None = None
    disable_gc: bool = False


def _timed_run(job: Job, inner: int, clock: Callable[[], float] = time.perf_counter) -> tuple[float, Any]:
    if job.setup is not None:
        job.setup()
    gc.collect()
    was_enabled = gc.isenabled()
    if job.disable_gc:
        gc.disable()
    result = None
    try:
        start = clock()
        for _ in range(inner):
            result = job.step()
        elapsed = clock() - start
    finally:
        if job.disable_gc and was_enabled:
            gc.enable()
    return elapsed / inner, result


def measure_interleaved(
    jobs: dict[str, Job], *, repeats: int, inner: int = 1, warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Measurement]:
    """Time several engines on one workload, alternating them run by run.

    Each engine gets ``warmup`` untimed runs, then the engines take turns for
    ``repeats`` timed runs of ``inner`` calls each, so a change in the machine's
    load (other processes, frequency) falls on all of them alike. ``clock`` is wall time by
    default; ``time.process_time`` gives CPU seconds of this process (steadier on a shared machine).

    Returns:
        for each engine, a Measurement of seconds per call (loss: the last call's result).
    """
    for job in jobs.values():
        for _ in range(warmup):
            _timed_run(job, inner, clock)
    times: dict[str, list[float]] = {name: [] for name in jobs}
    last: dict[str, Any] = {}
    for _ in range(repeats):
        for name, job in jobs.items():
            seconds, last[name] = _timed_run(job, inner, clock)
            times[name].append(seconds)
    gc.collect()
    return {name: Measurement(times[name], _as_loss(last[name])) for name in jobs}


def measure(job: Job, *, repeats: int, inner: int = 1, warmup: int = 1,
            clock: Callable[[], float] = time.perf_counter) -> Measurement:
    """Time one engine on one workload (see ``measure_interleaved``)."""
    return measure_interleaved({"job": job}, repeats=repeats, inner=inner, warmup=warmup, clock=clock)["job"]


def _as_loss(result: Any) -> float | None:
    try:
        return float(result)
    except (TypeError, ValueError):
        return None


def paired_ratio(a: Measurement, b: Measurement) -> float:
    """Median over runs of a's time / b's time, for two engines measured interleaved (run i with run i).

    Robust to the machine's load drifting during the measurement, unlike a ratio of medians.
    """
    if len(a.times) != len(b.times):
        return a.median / b.median
    return statistics.median(x / y for x, y in zip(a.times, b.times, strict=True))


def busy(threshold: float = 0.5) -> bool:
    """True when the 1-minute load average exceeds ``threshold`` per core (timings will be inflated)."""
    try:
        return os.getloadavg()[0] > threshold * (os.cpu_count() or 1)
    except OSError:
        return False


def fmt_time(seconds: float) -> str:
    """Seconds in the most readable unit (ns, us, ms or s)."""
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def rel_diff(a: float, b: float) -> float:
    """|a - b| / max(|b|, tiny): the relative difference of a from the reference b."""
    return abs(a - b) / max(abs(b), 1e-300)


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)


def current_rss_bytes() -> int:
    """Resident set size now (from /proc on Linux; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return peak_rss_bytes()


def run_json(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a worker that prints one JSON object on its last stdout line; return it (or an error dict)."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {proc.returncode}: {tail[:200]}"}
    try:
        return dict(json.loads(lines[-1]))
    except json.JSONDecodeError:
        return {"error": f"unreadable worker output: {lines[-1][:200]}"}


def worker_env() -> dict[str, str]:
    """The environment for a peer's worker: ours, minus anything that would put our ``autograd`` on its path."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    return env


def blas_info() -> str:
    """Which BLAS NumPy uses, its kernel and thread count (threadpoolctl when installed)."""
    try:
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            return (f"{p.get('internal_api')} {p.get('version')} kernel={p.get('architecture')} "
                    f"threads={p.get('num_threads')}")
    except ImportError:
        pass
    try:
        import numpy as np

        config = np.show_config(mode="dicts")  # type: ignore[call-arg]
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name')} {blas.get('version')} (threadpoolctl not installed: kernel unknown)"
    except Exception as error:  # noqa: BLE001  (older numpy: no dict mode)
        return f"unknown ({error})"


def load_average() -> str:
    """The 1-minute load average and the core count (other processes skew timings)."""
    try:
        return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def machine_info() -> dict[str, str]:
    """Processor, cores, memory, OS, Python, NumPy, BLAS and the OpenBLAS environment variables."""
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as f:
            memory = f"{int(f.readline().split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    blas_env = " ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                         "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                         "MKL_NUM_THREADS")
                        if k in os.environ) or "none set"
    return {
        "cpu": f"{cpu} ({os.cpu_count()} logical cores)",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "blas env": blas_env,
    }
