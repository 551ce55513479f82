"""cProfile of our engine on W3, W4 and both W1 forms: where the time goes, top functions first."""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from typing import Any

from benchlib import ours


def _profile(title: str, job: Any, calls: int, top: int, chunk: int = 20) -> str:
    """Profile ``calls`` steps, resetting the workload (untimed) every ``chunk`` steps as run.py does."""
    if job.setup is not None:
        job.setup()
    for _ in range(2):  # warm-up outside the profile
        job.step()
    profiler = cProfile.Profile()
    done = 0
    while done < calls:
        if job.setup is not None:
            job.setup()
        n = min(chunk, calls - done)
        profiler.enable()
        for _ in range(n):
            job.step()
        profiler.disable()
        done += n
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    # keep the table, drop pstats' preamble lines about the profile file
    body = text[text.find("   ncalls"):] if "   ncalls" in text else text
    total = stats.total_tt  # type: ignore[attr-defined]
    head = f"## {title}: {calls} calls, {total / calls * 1e3:.2f} ms per call under the profiler"
    return f"{head}\n\n```\n{body.rstrip()}\n```\n"


def profile_ours(top: int = 25) -> str:
    """Profiles of W3 (float64 and float32), W4 and W1 (batched and scalar) on our engine, sorted by own time."""
    sections: list[tuple[str, Callable[[], Any], int]] = [
        ("W3 float64 training step (ours)", lambda: ours.w3_job("float64"), 20),
        ("W3 float32 training step (ours)", lambda: ours.w3_job("float32"), 20),
        ("W4 200 elementwise ops on 8x8, forward + backward (ours)", ours.w4_job, 200),
        ("W1 batched MLP step (ours)", ours.w1_tensor_job, 200),
        ("W1 scalar MLP step (ours)", ours.w1_scalar_job, 2),
    ]
    return "\n".join(_profile(title, make(), calls, top) for title, make, calls in sections)
