"""W6's floor against ours: every parameter's gradient, and the loss after 10 AdamW steps.

    python benchmarks/w6_check.py

The floor (benchlib/attention_floor.py) derives the attention block's backward by hand; ours gets
it from the engine's primitives. From the same weights and batch, each gradient must agree to
1e-12 of its largest entry in float64 (1e-5 in float32), and the loss after 10 steps to 1e-12
relative (1e-5). Exits 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import data, w6  # noqa: E402
from benchlib.attention_floor import NAMES, FloorAttention  # noqa: E402

import nn  # noqa: E402


def main() -> int:
    x, y = data.w6_batch()
    failed = False
    for dtype, tolerance in (("float64", 1e-12), ("float32", 1e-5)):
        weights = data.w6_weights(dtype)
        floor_loss, floor_grads = FloorAttention(weights).loss_and_grads(x, y)
        model = w6.make_ours().to(dtype)
        model.load_state_dict(weights)
        loss = nn.cross_entropy(model(x), y.reshape(-1))
        loss.backward()
        params = dict(model.named_parameters())
        worst = 0.0
        for name, floor_grad in zip(NAMES, floor_grads, strict=True):
            grad = np.asarray(getattr(params[name].grad, "data", params[name].grad))
            assert grad.dtype == floor_grad.dtype == np.dtype(dtype), name
            worst = max(worst, float(np.abs(grad - floor_grad).max() / np.abs(grad).max()))
        floor, job = FloorAttention(weights), w6.ours_job(dtype)
        assert job.setup is not None
        job.setup()
        floor_after = [floor.step(x, y) for _ in range(10)][-1]
        ours_after = [job.step() for _ in range(10)][-1]
        after = abs(floor_after - ours_after) / abs(ours_after)
        ok = worst <= tolerance and after <= tolerance
        failed |= not ok
        print(f"{dtype}: loss {floor_loss:.10f} (floor) {float(loss.item()):.10f} (ours); largest gradient "
              f"difference {worst:.1e} of the largest entry; after 10 steps {floor_after:.10f} and "
              f"{ours_after:.10f} ({after:.1e}): {'ok' if ok else 'MISMATCH'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
