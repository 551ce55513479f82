"""Each primitive's ONNX rule against onnxruntime, on the gradient tests' own cases (tests/primitive_catalogue.py).

The case's first input is the model's input and the others are parameters; float64, 1e-6 relative to
the largest output. Only indexes ONNX cannot express may raise, and then NotImplementedError naming getitem.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from primitive_catalogue import CATALOGUE, COMPOSITES, Case

import nn
from autograd import Value

try:
    import onnxruntime as ort
except ImportError:  # pragma: no cover - only without the extra
    if os.environ.get("CI") == "true":
        raise  # CI installs the onnx extra (.ci/run)
    pytest.skip("the onnx extra (onnx, onnxruntime) is not installed", allow_module_level=True)

BACKWARD_ONLY = {"scatter_add", "add_windows"}
# erfc is 1 - Erf (computed in float32 in a float64 model): its tail (x >= 2) loses its relative digits
LIMITS = {("erfc", "tail"): "erfc's tail: 1 - Erf, with Erf in float32, keeps about 1e-8 absolute, not relative"}
MODES = [(kind, name, mode) for kind, table in (("primitive", CATALOGUE), ("composite", COMPOSITES))
         for name in sorted(table) if name not in BACKWARD_ONLY for mode in sorted(table[name]) if mode != "scalar"]


class _Case(nn.Module):
    def __init__(self, case: Case) -> None:
        super().__init__()
        self.fn = case.fn
        self.others = [nn.Parameter(np.asarray(x)) for x in case.inputs[1:]]
        for k, p in enumerate(self.others):
            setattr(self, f"input{k + 1}", p)

    def forward(self, x: Any) -> Any:
        return self.fn(x, *self.others)


@pytest.mark.parametrize(("kind", "name", "mode"), MODES, ids=[f"{n}-{m}" for _, n, m in MODES])
def test_each_primitive_agrees_with_onnxruntime(kind: str, name: str, mode: str, tmp_path: Path) -> None:
    table = CATALOGUE if kind == "primitive" else COMPOSITES
    if (name, mode) in LIMITS:
        pytest.xfail(LIMITS[name, mode])

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: Any) -> None:
        case = data.draw(table[name][mode]())
        x = np.asarray(case.inputs[0], dtype=np.float64)
        module = _Case(case)
        expected = np.asarray(module(Value(x)).data)
        path = tmp_path / "case.onnx"
        try:
            nn.export_onnx(module, x, path, dynamic_batch=False)
        except NotImplementedError as error:
            assert name == "getitem" and "getitem" in str(error), str(error)
            return
        except ValueError as error:  # clip(None, None) is its input: there is no graph
            assert name == "clip" and "records no graph" in str(error), str(error)
            return
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {"input": x})
        assert got.shape == expected.shape, case.what
        scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-300)
        assert float(np.max(np.abs(got - expected), initial=0.0)) <= 1e-6 * scale, case.what

    check()
