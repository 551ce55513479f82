"""A/B benchmark: two checkouts of this engine ("before" and "after") measured side by side in one run.

    python benchmarks/ab.py --before /work/baseline --after /work/main [--rounds N] [--quick] [--only W1s,W4]

Workloads (those of ``run.py``, ours only): W1s (micrograd's demo step on scalar Values), W2 (deep scalar
chain, N = 10^4 and 10^5 steps, time per node), W3 (784-256-256-10 MLP step, float64 and float32) and
W4 (200 elementwise ops on 8x8 + sum, time per op).

How it stays fair:

- Both checkouts import as ``autograd``/``nn``, so every measurement is a fresh subprocess running
  ``worker.py`` with ``PYTHONPATH`` set to the checkout under test. Both sides run the worker and
  ``benchlib`` next to THIS file (same workload code, data and timing loop), so only the engine
  differs; the cost is that if "after" changes the engine's API, this ``benchlib/ours.py`` must follow.
- A first subprocess per side prints ``autograd.__file__`` and ``nn.__file__``; the run stops (exit 2)
  unless both lie inside that checkout (the venv has /work/main installed in editable mode).
- Rounds are interleaved workload by workload: round 1 before then after, round 2 after then before,
  and so on, so a drift in the machine's load falls on both sides. A round's figure is the per-call
  time of its worker's fastest timed run (a worker does a warm-up run, then 2-15 timed runs).
- The table gives each side's median and min-max over the rounds, the after/before ratio as the
  median of the paired per-round ratios (round i against round i; their min-max shows the noise),
  and a verdict: "ok" when that median is <= --threshold (1.03), else "slower" when after was slower
  in at least 3/4 of the rounds and "slower? (k/n rounds)" when not (load drift can move identical
  code by a few %: rerun); "ok, faster" below 2 - threshold with 3/4 of the rounds faster. A quick
  run's verdicts are only indicative.
- The losses (W2: y and dy/dx0) of both sides must agree within 1e-6 relative (1e-4 in float32);
  the exit status is 1 on a mismatch or a failed worker.
- BLAS runs on one thread (``--blas-threads``, default 1; 0 leaves the environment alone): with two
  threads on a shared 2-core machine a 3 ms W3 step took 10-80 ms in some rounds.

Progress goes to stderr, the report (markdown) to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib.data import w2_nodes  # noqa: E402
from benchlib.harness import busy, fmt_time, load_average, machine_info, rel_diff, run_json  # noqa: E402

WORKER = HERE / "worker.py"
SIDES = ("before", "after")
BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Variant:
    """One row: a workload, its worker arguments, and what a call is divided into (nodes, ops)."""

    family: str
    label: str
    args: list[str]
    per: str = "step"
    divide: int = 1
    float32: bool = False
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    losses: dict[str, list[list[float]]] = field(default_factory=lambda: {s: [] for s in SIDES})
    error: str = ""


def variants(quick: bool) -> list[Variant]:
    def timed(repeats: int, inner: int) -> list[str]:
        return ["--repeats", str(repeats), "--inner", str(inner), "--warmup", "1"]

    w2 = [(10**4, 10 if quick else 15), (10**5, 2 if quick else 3)]
    return [
        Variant("W1s", "W1 scalar MLP step (micrograd demo)", ["W1s", *timed(3, 1)]),
        *[Variant("W2", f"W2 chain N={n:,} ({w2_nodes(n):,} nodes)", ["W2", "--steps", str(n), "--repeats", str(r)],
                  "node", w2_nodes(n)) for n, r in w2],
        *[Variant("W3", f"W3 MLP 784-256-256-10 {dt} step", ["W3", "--dtype", dt, *timed(3 if quick else 5, 5)],
                  float32=dt == "float32") for dt in ("float64", "float32")],
        Variant("W4", "W4 200 elementwise ops on 8x8 + sum", ["W4", *timed(3 if quick else 5, 20)], "op", 201),
    ]


def side_env(checkout: Path) -> dict[str, str]:
    """This environment with the checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(checkout)
    env.pop("PYTHONHOME", None)
    return env


def check_side(name: str, checkout: Path) -> str:
    """The checkout's commit and where its autograd and nn import from; exits if they are not inside it."""
    code = "import json, autograd, nn; print(json.dumps([autograd.__file__, nn.__file__]))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=side_env(checkout),
                          cwd=HERE)
    files = json.loads(proc.stdout) if proc.returncode == 0 else []
    if not files or not all(Path(f).resolve().is_relative_to(checkout) for f in files):
        print(f"{name}: autograd/nn do not import from {checkout}: {files or proc.stderr.strip()[-300:]}",
              file=sys.stderr)
        sys.exit(2)
    git = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h (%cs)"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    commit = git.stdout.strip() or "? (not a git checkout)"
    return f"{checkout} at {commit}{' + uncommitted changes' if dirty else ''} (autograd from {files[0]})"


def run_round(v: Variant, side: str, checkout: Path) -> None:
    """One worker subprocess: record its fastest run's time per call and its loss (or the row's error)."""
    if v.error:  # an earlier round failed: the row is an error, skip the rest
        return
    out = run_json([sys.executable, str(WORKER), "ours", *v.args], timeout=900, env=side_env(checkout))
    if "error" in out:
        v.error = v.error or f"{side}: {out['error']}"
        return
    if "measurement" in out:
        seconds, losses = min(out["measurement"]["times"]), [out["measurement"]["loss"]]
    else:  # W2: whole-chain times; y and dy/dx0 stand for the loss
        seconds, losses = min(out["times"]), [out["y"], out["grad"]]
    v.times[side].append(seconds / v.divide)
    v.losses[side].append([float("nan") if x is None else float(x) for x in losses])  # NaN fails the check


def loss_check(v: Variant) -> tuple[str, bool]:
    tol = 1e-4 if v.float32 else 1e-6
    worst = max((rel_diff(a, b) for la, lb in zip(v.losses["after"], v.losses["before"], strict=True)
                 for a, b in zip(la, lb, strict=True)), default=float("nan"))
    ok = worst <= tol
    return f"{'ok' if ok else 'MISMATCH'} ({worst:.0e}, tol {tol:.0e})", ok


def report(rows: list[Variant], threshold: float) -> bool:
    """Print one markdown table per workload family; True when every row ran and every loss agreed."""
    all_ok = True
    for family in dict.fromkeys(v.family for v in rows):
        print(f"\n### {family}\n")
        print("| workload | before median | before min - max | after median | after min - max "
              "| after/before (paired: median, min - max) | verdict | loss check |")
        print("|---|---|---|---|---|---|---|---|")
        for v in [row for row in rows if row.family == family]:
            if v.error:
                all_ok = False
                print(f"| {v.label} | error: {v.error[:150]} | | | | | | |")
                continue
            cells = []
            for side in SIDES:
                t = v.times[side]
                cells += [f"{fmt_time(statistics.median(t))}/{v.per}", f"{fmt_time(min(t))} - {fmt_time(max(t))}"]
            ratios = [a / b for a, b in zip(v.times["after"], v.times["before"], strict=True)]
            ratio = statistics.median(ratios)
            n, slower, faster = len(ratios), sum(r > 1 for r in ratios), sum(r < 1 for r in ratios)
            if ratio <= threshold:
                verdict = "ok, faster" if ratio < 2 - threshold and faster >= 0.75 * n else "ok"
            else:
                verdict = "slower" if slower >= 0.75 * n else f"slower? ({slower}/{n} rounds)"
            check, ok = loss_check(v)
            all_ok &= ok
            spread = f"{ratio:.3f} ({min(ratios):.2f} - {max(ratios):.2f})"
            print(f"| {v.label} | {' | '.join(cells)} | {spread} | {verdict} | {check} |")
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, type=Path, help="checkout of the engine before the change")
    parser.add_argument("--after", required=True, type=Path, help="checkout of the engine after the change")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds per workload (default 10, quick 4)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and timed runs per round")
    parser.add_argument("--only", default="", help="comma-separated subset of W1s,W2,W3,W4")
    parser.add_argument("--threshold", type=float, default=1.03, help="largest after/before ratio called ok")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="OPENBLAS/OMP/MKL_NUM_THREADS for the workers (default 1; 0: as in the environment)")
    args = parser.parse_args(argv)
    if args.blas_threads:  # the workers inherit them, and the machine line shows them
        os.environ.update(dict.fromkeys(BLAS_VARS, str(args.blas_threads)))
    rounds = args.rounds or (4 if args.quick else 10)
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    rows = [v for v in variants(args.quick) if not only or v.family in only]
    if unknown := only - {"W1s", "W2", "W3", "W4"}:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    checkouts = {"before": args.before.resolve(), "after": args.after.resolve()}
    described = {side: check_side(side, path) for side, path in checkouts.items()}

    start, load_start, was_busy = time.monotonic(), load_average(), busy()
    for v in rows:
        for r in range(rounds):
            print(f"{v.label}: round {r + 1}/{rounds}", file=sys.stderr, flush=True)
            for side in SIDES if r % 2 == 0 else SIDES[::-1]:  # the side that goes first alternates
                run_round(v, side, checkouts[side])

    print(f"A/B benchmark ({'quick' if args.quick else 'full'}, {rounds} interleaved rounds), "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {time.monotonic() - start:.0f} s\n")
    for side in SIDES:
        print(f"- {side}: {described[side]}")
    print("- machine: " + "; ".join(f"{key} {value}" for key, value in machine_info().items()))
    print(f"- load average: {load_start} at the start, {load_average()} at the end"
          + (" (busy: over 0.5 per core, expect noise)" if was_busy or busy() else ""))
    return 0 if report(rows, args.threshold) else 1


if __name__ == "__main__":
    sys.exit(main())
