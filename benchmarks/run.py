"""One command for the whole benchmark suite: prints one markdown table.

    python benchmarks/run.py            # full run (about 100 s on 2 cores)
    python benchmarks/run.py --quick    # fewer repeats and sizes (about 25 s)
    python benchmarks/run.py --profile  # cProfile of ours on W3, W4, W1 batched and W1 scalar
    python benchmarks/run.py --only W1,W4 --out table.md
    python benchmarks/run.py --blas-threads 1   # steadier W3 on a machine shared with other jobs

Every workload runs on the NumPy floor (hand-written forward and backward, no graph),
on our engine, and on the peers that are installed: micrograd in this process,
HIPS autograd and PyTorch in their own venvs (see benchlib/peers.py). Each engine
starts from the same weights; its final loss is checked against the floor's
(1e-6 relative in float64, 1e-4 in float32). Times are the median and min-max of
repeated runs after a warm-up. See README.md for what each workload means.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _pin_blas_threads(argv: list[str]) -> None:
    """``--blas-threads N``: set the BLAS/OpenMP thread variables before NumPy loads (workers inherit them)."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--blas-threads=") else (
            argv[i + 1] if arg == "--blas-threads" and i + 1 < len(argv) else None)
        if value is not None:
            for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ[name] = value


_pin_blas_threads(sys.argv[1:])

from benchlib import data, floor, ours, w5  # noqa: E402
from benchlib import micrograd_peer as mg  # noqa: E402
from benchlib.goals import targets  # noqa: E402
from benchlib.harness import (  # noqa: E402
    Job,
    Measurement,
    busy,
    fmt_time,
    load_average,
    machine_info,
    measure_interleaved,
    paired_ratio,
    rel_diff,
    run_json,
    worker_env,
)
from benchlib.peers import W2_NOT_RUN, WORKER, peer_python  # noqa: E402


@dataclass
class Plan:
    """How much to run: repeats and calls per timed run for each workload, W2 sizes."""

    w1s: tuple[int, int] = (7, 2)
    w1t: tuple[int, int] = (11, 20)
    w2_ours: list[int] = field(default_factory=lambda: [10**3, 10**4, 10**5, 10**6])
    w2_peers: list[int] = field(default_factory=lambda: [10**3, 10**4, 10**5])
    w2_repeats: int = 3
    w3: tuple[int, int] = (11, 5)
    w4: tuple[int, int] = (11, 20)
    w5: tuple[int, int] = (9, 5)
    w6: tuple[int, int] = (7, 5)
    warmup: int = 1


QUICK = Plan(w1s=(3, 1), w1t=(3, 5), w2_ours=[10**3, 10**4, 10**5], w2_peers=[10**4],
             w2_repeats=2, w3=(3, 2), w4=(3, 5), w5=(3, 2), w6=(3, 3))


@dataclass
class Row:
    workload: str
    engine: str
    unit: str                      # what the time is per: "step", "op", "node"
    m: Measurement | None = None
    scale: float = 1.0             # divide the measured time by this (ops per call)
    memory: str = ""
    check: str = ""
    ratios: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def time(self) -> float:
        assert self.m is not None
        return self.m.median / self.scale


class Suite:
    def __init__(self, plan: Plan, only: set[str]) -> None:
        self.plan = plan
        self.only = only
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.peers: dict[str, str] = {}
        self.versions: dict[str, str] = {}
        self.load_start = load_average()
        self.was_busy = busy()
        for name in ("hips", "torch", "jax", "jax-eager", "mygrad", "tinygrad"):
            python, why = peer_python(name)
            if python is None:
                self.notes.append(why)
            else:
                self.peers[name] = python
        if mg.value_class() is None:
            self.notes.append("micrograd skipped: not importable here (" + "pip install micrograd" + ")")

    # ------------------------------------------------------------------ helpers
    def wanted(self, workload: str) -> bool:
        return not self.only or workload in self.only

    def peer(self, name: str, workload: str, repeats: int, inner: int, **extra: Any) -> dict[str, Any]:
        cmd = [self.peers[name], str(WORKER), name, workload, "--repeats", str(repeats), "--inner", str(inner),
               "--warmup", str(self.plan.warmup)]
        for key, value in extra.items():
            cmd += [f"--{key}", str(value)]
        # tinygrad compiles kernels per graph: it gets 180 s per workload, then a note (it can take far longer)
        result = run_json(cmd, timeout=180 if name == "tinygrad" else 600, env=worker_env())
        if "version" in result:
            self.versions[name] = str(result["version"])
        for what, seconds in result.get("compile_seconds", {}).items():
            self.notes.append(f"{name} on {what}: first call (trace + XLA compile) {seconds:.2f} s, not in the times")
        return result

    def add(self, row: Row, reference: float | None, tolerance: float = 1e-6) -> Row:
        if row.m is not None and reference is not None and row.m.loss is not None:
            diff = rel_diff(row.m.loss, reference)
            row.check = f"{'ok' if diff <= tolerance else 'MISMATCH'} ({diff:.0e})"
        self.rows.append(row)
        return row

    def add_peer(self, name: str, result: dict[str, Any], workload: str, unit: str, scale: float,
                 reference: float | None, tolerance: float = 1e-6) -> Row | None:
        if "error" in result:
            self.notes.append(f"{name} on {workload}: {result['error']}")
            return None
        m = Measurement.from_json(result["measurement"])
        return self.add(Row(workload, name, unit, m, scale), reference, tolerance)

    # ------------------------------------------------------------------ workloads
    def w1(self) -> None:
        p = self.plan
        repeats, inner = p.w1s
        name = "W1 scalar MLP step"
        reference = _floor_w1_loss(inner)
        jobs = {"ours": ours.w1_scalar_job(), "ours, gc.disable()": ours.w1_scalar_job(disable_gc=True)}
        if mg.value_class() is not None:
            self.versions["micrograd"] = mg.version()
            jobs["micrograd"] = mg.w1_scalar_job()
            jobs["micrograd, gc.disable()"] = mg.w1_scalar_job(disable_gc=True)
        results = measure_interleaved(jobs, repeats=repeats, inner=inner, warmup=p.warmup)
        rows = {label: self.add(Row(name, label, "step", m), reference) for label, m in results.items()}
        if "micrograd" in rows:
            shipped, nogc = results["micrograd"], results["micrograd, gc.disable()"]
            rows["ours"].ratios["x micrograd"] = paired_ratio(results["ours"], shipped)
            rows["ours"].ratios["x micrograd no-gc"] = paired_ratio(results["ours"], nogc)
            rows["ours, gc.disable()"].ratios["x micrograd no-gc"] = paired_ratio(results["ours, gc.disable()"], nogc)
            rows["micrograd"].ratios["x micrograd no-gc"] = paired_ratio(shipped, nogc)
        repeats, inner = p.w1t
        name = "W1 batched MLP step"
        self._tensor_workload(name, "W1t", floor.w1_tensor_job(), ours.w1_tensor_job(), _floor_w1_loss(inner),
                              repeats, inner, "step")
        self._note_via(name)

    def _tensor_workload(self, name: str, key: str, floor_job: Job, ours_job: Job, reference: float,
                         repeats: int, inner: int, unit: str, scale: float = 1.0, tolerance: float = 1e-6,
                         **peer_args: Any) -> None:
        """Floor and ours interleaved in this process, then each peer in its venv."""
        results = measure_interleaved({"floor (numpy)": floor_job, "ours": ours_job},
                                      repeats=repeats, inner=inner, warmup=self.plan.warmup)
        base = None
        for label, m in results.items():
            row = self.add(Row(name, label, unit, m, scale), reference, tolerance)
            base = base or row
        row.ratios["x floor"] = paired_ratio(results["ours"], results["floor (numpy)"])
        for peer in self.peers:
            self.add_peer(peer, self.peer(peer, key, repeats, inner, **peer_args), name, unit, scale, reference,
                          tolerance)
        assert base is not None
        self._ratios(name, base)

    def _note_via(self, name: str) -> None:
        for row in self.rows:
            if row.workload == name and row.engine == "ours":
                row.note = ours.nn_status()

    def w2(self) -> None:
        p = self.plan
        sizes = sorted(set(p.w2_ours) | set(p.w2_peers))
        small = [400] if mg.value_class() is not None else []  # micrograd's recursion stops near 1,000 nodes
        engines = [("floor (python floats)", "floor", small + p.w2_ours), ("ours", "ours", small + p.w2_ours)]
        if small:
            engines.append(("micrograd", "micrograd", small + [10**3]))
            engines.append(("micrograd, graph only (forward, no backward)", "micrograd-graph", [10**4]))
            sizes = sorted(set(sizes) | set(small))
            self.notes.append(f"W2 on micrograd: {mg.W2_NOTE}; no loss check there")
        engines += [(peer, peer, p.w2_peers) for peer in self.peers if peer not in W2_NOT_RUN]
        self.notes += [f"W2 not run on {peer}: {why}" for peer, why in W2_NOT_RUN.items() if peer in self.peers]
        for n in sizes:
            name = f"W2 chain N={n:,} ({data.w2_nodes(n):,} nodes)"
            base: Row | None = None
            reference: tuple[float, float] | None = None
            for label, engine, allowed in engines:
                if n not in allowed:
                    continue
                python = self.peers.get(engine, sys.executable)
                repeats = 1 if n >= 10**6 and engine != "floor" else p.w2_repeats
                cmd = [python, str(WORKER), engine, "W2", "--steps", str(n), "--repeats", str(repeats)]
                if engine == "micrograd-graph":
                    cmd[2:3] = ["micrograd"]
                    cmd.append("--forward-only")
                result = run_json(cmd, timeout=900, env=worker_env())
                if "error" in result:
                    self.rows.append(Row(name, label, "node", note=f"fails: {result['error'][:60]}"))
                    continue
                nodes = result["nodes"]
                m = Measurement([t / nodes for t in result["times"]], None)
                row = Row(name, label, "node", m, memory=f"{result['bytes_per_node']:.0f} B/node")
                if engine == "floor":
                    base, reference = row, (result["y"], result["grad"])
                    row.memory = "(no graph)"
                elif not engine.startswith("micrograd") and reference is not None:
                    row.check = _chain_check((result["y"], result["grad"]), reference)
                self.rows.append(row)
            if base is not None:
                self._ratios(name, base)

    def w3(self) -> None:
        p = self.plan
        repeats, inner = p.w3
        for dtype in ("float64", "float32"):
            name = f"W3 MLP 784-256-256-10 {dtype} step"
            self._tensor_workload(name, "W3", floor.w3_job(dtype), ours.w3_job(dtype), _floor_w3_loss(dtype, inner),
                                  repeats, inner, "step", tolerance=1e-6 if dtype == "float64" else 1e-4,
                                  dtype=dtype)
            self._note_via(name)

    def w4(self) -> None:
        p = self.plan
        repeats, inner = p.w4
        x, a, b = data.w4_inputs()
        reference = floor.w4_forward_backward(x, a, b)[0]
        self._tensor_workload("W4 200 elementwise ops on 8x8 + sum", "W4", floor.w4_job(), ours.w4_job(),
                              reference, repeats, inner, "op", scale=data.W4_OPS + 1)

    def w5(self) -> None:
        repeats, inner = self.plan.w5
        with w5.state_file() as state:
            for dtype in w5.DTYPES:
                self._tensor_workload(f"W5 digits CNN {dtype} step", "W5", w5.floor_job(dtype), w5.ours_job(dtype),
                                      w5.floor_loss(dtype, inner), repeats, inner, "step",
                                      tolerance=1e-6 if dtype == "float64" else 1e-4, dtype=dtype, state=state)

    def w6(self) -> None:
        from benchlib import w6

        w6.run(self, Row)  # the names model's attention block: floor, ours, torch, jax (benchlib/w6.py)

    def _ratios(self, workload: str, base: Row) -> None:
        for row in self.rows:
            if row.workload == workload and row is not base and row.m is not None:
                row.ratios.setdefault("x floor", row.time() / base.time())

    # ------------------------------------------------------------------ output
    def table(self) -> str:
        lines = ["| workload | engine | median | min - max | x floor | other ratios | memory | loss check |",
                 "|---|---|---|---|---|---|---|---|"]
        for row in self.rows:
            if row.m is None:
                lines.append(f"| {row.workload} | {row.engine} | {row.note} | | | | | |")
                continue
            s = row.scale
            ratio = row.ratios.get("x floor")
            others = ", ".join(f"{v:.2f} {k}" for k, v in row.ratios.items() if k != "x floor")
            engine = row.engine + (f" [{row.note}]" if row.note else "")
            lines.append(
                f"| {row.workload} | {engine} | {fmt_time(row.m.median / s)}/{row.unit} | "
                f"{fmt_time(row.m.low / s)} - {fmt_time(row.m.high / s)} | "
                f"{'' if ratio is None else f'{ratio:.2f}'} | {others} | {row.memory} | {row.check} |"
            )
        return "\n".join(lines)

    def header(self, elapsed: float, mode: str) -> str:
        info = machine_info()
        info["ours"] = "autograd (this repository), tensor forms via " + ours.nn_status()
        info["load average"] = f"{self.load_start} at the start, {load_average()} at the end"
        for name, version in sorted(self.versions.items()):
            info[name] = version
        lines = [f"Benchmark run ({mode}), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                 f"{elapsed:.0f} s", ""]
        lines += [f"- {k}: {v}" for k, v in info.items()]
        if self.was_busy or busy():
            lines += ["", "WARNING: other processes kept the machine busy during this run (see the load average):",
                      "absolute times are inflated and spread out. Floor, ours and micrograd were interleaved run",
                      "by run in one process and their ratios are medians of paired runs, so those hold up best."]
        return "\n".join(lines)


def _floor_w1_loss(steps: int) -> float:
    X, y = data.moons()
    params = floor.fresh(data.scalar_mlp_weights(data.W1_SIZES))
    loss = 0.0
    for k in range(steps):
        loss = floor.w1_step(params, X, y, data.w1_learning_rate(k))
    return loss


def _floor_w3_loss(dtype: str, steps: int) -> float:
    X, labels = data.w3_batch(dtype)
    params = floor.fresh(data.linear_weights(data.W3_SIZES, dtype))
    loss = 0.0
    for _ in range(steps):
        loss = floor.w3_step(params, X, labels)
    return loss


def _chain_check(got: tuple[float, float], want: tuple[float, float]) -> str:
    """y and dy/dx0 against the floor's (gradients that underflowed to ~0 compare absolutely)."""
    worst = 0.0
    for g, w in zip(got, want, strict=True):
        worst = max(worst, 0.0 if abs(g) < 1e-290 and abs(w) < 1e-290 else rel_diff(g, w))
    return f"{'ok' if worst <= 1e-6 else 'MISMATCH'} ({worst:.0e})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes (about 25 s)")
    parser.add_argument("--only", default="", help="comma-separated subset of W1,W2,W3,W4,W5,W6")
    parser.add_argument("--profile", action="store_true",
                        help="profile ours on W3, W4, W1 batched and W1 scalar with cProfile instead")
    parser.add_argument("--top", type=int, default=25, help="functions to show per profile")
    parser.add_argument("--out", default="", help="also write the report (markdown) to this file")
    parser.add_argument("--blas-threads", type=int, default=0,
                        help="threads for BLAS/OpenMP here and in the peers' workers (default: leave as set)")
    args = parser.parse_args(argv)
    if args.profile:
        from benchlib.profiling import profile_ours

        print(profile_ours(args.top))
        return
    plan = QUICK if args.quick else Plan()
    only = {w.strip().upper() for w in args.only.split(",") if w.strip()}
    start = time.perf_counter()
    suite = Suite(plan, only)
    for workload, run in (("W1", suite.w1), ("W4", suite.w4), ("W3", suite.w3), ("W2", suite.w2), ("W5", suite.w5),
                          ("W6", suite.w6)):
        if suite.wanted(workload):
            print(f"running {workload} ...", file=sys.stderr, flush=True)
            run()
    elapsed = time.perf_counter() - start
    report = [suite.header(elapsed, "quick" if args.quick else "full"), "", suite.table(), "",
              "Goals:", "", targets(suite.rows)]
    if suite.notes:
        report += ["", "Notes:", ""] + [f"- {note}" for note in suite.notes]
    text = "\n".join(report)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
