"""Train the digits CNN briefly, export it to ONNX, run it in onnxruntime and compare with ours.

Run:  python examples/export.py [--quick] [--out DIR]      (needs the extras: pip install -e ".[examples,onnx]")

The model is examples/digits_cnn.py's CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d twice, Flatten, Linear),
trained for two epochs with AdamW. ``nn.export_onnx`` walks the graph one forward pass records and
writes one or a few ONNX nodes per primitive (autograd/ops/onnx_rules.py); the batch axis is symbolic.
We then print the file size, the largest difference between onnxruntime's logits and ours on the
whole test set (float64, and a float32 copy of the model), whether the predicted classes agree, and
the time per batch of 64 in both.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from _shared import one_blas_thread, parse_args
from digits_cnn import load_split, make_cnn

import nn
from autograd import no_grad
from nn import optim


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
    opt = optim.AdamW(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        for xb, yb in nn.data.batches(x, y, 64, shuffle=True, rng=epoch):
            loss = nn.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()


def per_batch(run: Any, x: np.ndarray, repeats: int) -> float:
    """Best-of-`repeats` seconds for one batch of 64."""
    batch = x[:64]
    run(batch)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(batch)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import onnxruntime as ort

    args = parse_args(__doc__ or "", argv)
    x_train, x_test, y_train, y_test = load_split()
    nn.manual_seed(0)
    model = make_cnn()
    with one_blas_thread():
        train(model, x_train, y_train, epochs=1 if args.quick else 2)
    model.eval()
    report: dict[str, Any] = {}
    for dtype in (np.float64, np.float32):
        model.to(dtype)
        x = x_test.astype(dtype)
        path = args.out / f"digits_cnn_{np.dtype(dtype).name}.onnx"
        nn.export_onnx(model, x[:64], path, input_names=["images"], output_names=["logits"])
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (theirs,) = session.run(None, {"images": x})
        with no_grad():
            ours = model(x).data
        error = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(ours)))
        same = float(np.mean(ours.argmax(axis=1) == theirs.argmax(axis=1)))
        with no_grad():
            t_ours = per_batch(lambda b: model(b), x, 3 if args.quick else 20)
        t_onnx = per_batch(lambda b, s=session: s.run(None, {"images": b}), x, 3 if args.quick else 20)
        name = np.dtype(dtype).name
        print(f"{name}: {path.name} {path.stat().st_size / 1024:.1f} KiB; onnxruntime vs ours on {len(x)} test "
              f"images: largest difference {error:.1e} of the largest logit, same class for {same:.1%}; "
              f"per batch of 64: onnxruntime {t_onnx * 1e3:.2f} ms, ours {t_ours * 1e3:.2f} ms")
        report[name] = {"relative_error": error, "same_class": same, "onnx_ms": t_onnx * 1e3,
                        "ours_ms": t_ours * 1e3, "bytes": path.stat().st_size}
    with no_grad():
        accuracy = float(np.mean(model(x_test.astype(np.float32)).data.argmax(axis=1) == y_test))
    print(f"test accuracy after {1 if args.quick else 2} epoch(s): {accuracy:.3f}")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
