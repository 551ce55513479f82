"""The engine's own benchmark: scalar chain, 8x8 tensor ops, and micrograd's demo step.

    python benchmarks/engine.py [--quick]

Prints, for our engine:
1. a scalar chain of about 10^6 ops (y = y*1.0001 + 0.0001, tanh every 10th step):
   forward + backward time per op, and bytes per node from the peak resident set of a
   subprocess; also the bytes per node of the graph alone (built, no backward), next to
   micrograd's when it is installed (micrograd cannot backpropagate such a chain: its
   topological sort is recursive);
2. forward + backward time per op on 8x8 arrays (W4: 200 elementwise ops + sum) next to
   hand-written NumPy;
3. one training step of micrograd's demo (MLP(2, [16, 16, 1]), 100 moons points, hinge
   loss + 1e-4 * sum p^2) written once over a Value class; when ``micrograd`` is importable
   the identical step runs on it in this process, and the ratios are printed as shipped
   and with ``gc.disable()``;
4. concatenate and stack of 1,000 and 4,000 pieces, forward + backward, per piece (a flat
   figure: the backward takes linear time).
The full suite (peers, W1-W4, one table) is ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import data, floor, ours  # noqa: E402
from benchlib import micrograd_peer as mg  # noqa: E402
from benchlib.harness import (  # noqa: E402
    Job,
    fmt_time,
    load_average,
    machine_info,
    measure_interleaved,
    paired_ratio,
    run_json,
)
from benchlib.peers import WORKER  # noqa: E402

import autograd  # noqa: E402
from autograd import Value  # noqa: E402

CHAIN_STEPS = 476_191  # 2.1 nodes per step: 1,000,001 nodes


def chain(engine: str, steps: int, forward_only: bool = False) -> dict:
    cmd = [sys.executable, str(WORKER), engine, "W2", "--steps", str(steps), "--repeats", "1"]
    return run_json(cmd + (["--forward-only"] if forward_only else []), timeout=900)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a 10^5-op chain and fewer repeats")
    args = parser.parse_args(argv)
    steps = CHAIN_STEPS // 10 if args.quick else CHAIN_STEPS
    repeats = 3 if args.quick else 5
    have_mg = mg.value_class() is not None

    info = machine_info()
    print("Engine benchmark: " + ", ".join(f"{k} {v}" for k, v in info.items() if k in ("cpu", "python", "numpy")))
    print(f"load average at start: {load_average()}\n")
    print("(ratios: medians of paired, interleaved runs)\n")
    print("| measurement | ours | reference | ratio |")
    print("|---|---|---|---|")

    result = chain("ours", steps)
    if "error" in result:
        print(f"| scalar chain of {data.w2_nodes(steps):,} ops | failed: {result['error']} | | |")
    else:
        nodes = result["nodes"]
        print(f"| scalar chain, {nodes:,} ops, forward + backward | {fmt_time(result['times'][0] / nodes)}/op | | |")
        print(f"| scalar chain, peak memory | {result['bytes_per_node']:.0f} B/node | | |")
    graph_steps = 10**5 if not args.quick else 10**4
    ours_graph = chain("ours", graph_steps, forward_only=True)
    mg_graph = chain("micrograd", graph_steps, forward_only=True) if have_mg else {"error": "not installed"}
    if "error" not in ours_graph:
        ref = f"micrograd {mg_graph['bytes_per_node']:.0f} B/node" if "error" not in mg_graph else "micrograd: -"
        mem_ratio = ""
        if "error" not in mg_graph:
            mem_ratio = f"{ours_graph['bytes_per_node'] / mg_graph['bytes_per_node']:.2f}"
        print(f"| graph alone, {ours_graph['nodes']:,} nodes (no backward) | "
              f"{ours_graph['bytes_per_node']:.0f} B/node | {ref} | {mem_ratio} |")

    w4 = measure_interleaved({"floor": floor.w4_job(), "ours": ours.w4_job()}, repeats=repeats, inner=20)
    ops = data.W4_OPS + 1
    o, f = w4["ours"].median / ops, w4["floor"].median / ops
    ratio = paired_ratio(w4["ours"], w4["floor"])
    print(f"| 8x8 arrays, forward + backward | {fmt_time(o)}/op | NumPy by hand {fmt_time(f)}/op | {ratio:.2f} |")

    jobs = {"ours": ours.w1_scalar_job()}
    if have_mg:
        jobs["micrograd"] = mg.w1_scalar_job()
        jobs["micrograd no-gc"] = mg.w1_scalar_job(disable_gc=True)
    w1 = measure_interleaved(jobs, repeats=repeats, inner=1)
    step = w1["ours"].median
    losses = {name: m.loss for name, m in w1.items()}
    if have_mg:
        for name, label in (("micrograd", "as shipped"), ("micrograd no-gc", "with gc.disable()")):
            theirs = w1[name].median
            print(f"| micrograd demo step vs micrograd {label} | {fmt_time(step)} | {fmt_time(theirs)} | "
                  f"{paired_ratio(w1['ours'], w1[name]):.2f} |")
        same = len({round(v, 12) for v in losses.values() if v is not None}) == 1
        print(f"\nlosses after one step: {losses} ({'identical' if same else 'DIFFERENT'})")
    else:
        print(f"| micrograd demo step | {fmt_time(step)} | micrograd not installed | |")
    _joining(repeats)
    print(f"load average at end: {load_average()}")


def _joining(repeats: int) -> None:
    """concatenate and stack of 1,000 and 4,000 pieces, forward + backward: the time per piece stays flat
    (each input's VJP takes its slice in constant time)."""
    for join in (autograd.concatenate, autograd.stack):
        per_piece = []
        for n in (1000, 4000):
            def step(n: int = n, join: object = join) -> float:
                pieces = [Value(np.ones(3)) for _ in range(n)]
                join(pieces).sum().backward()  # type: ignore[operator]
                return float(pieces[0].grad[0])

            m = measure_interleaved({"ours": Job(step)}, repeats=repeats, inner=1)["ours"]
            per_piece.append(m.median / n)
        print(f"| {join.__name__} of 1,000 / 4,000 pieces, forward + backward | {fmt_time(per_piece[0])} / "
              f"{fmt_time(per_piece[1])} per piece | | {per_piece[1] / per_piece[0]:.2f} |")


if __name__ == "__main__":
    main()
