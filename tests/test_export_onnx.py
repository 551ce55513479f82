"""nn.export_onnx: every primitive has an ONNX rule (or says why not), and onnxruntime agrees with us.

Agreement is relative to the output's largest magnitude: 1e-6 in float64, 1e-4 in float32, at the
example's batch size and at another one (the batch axis is symbolic).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import REGISTRY
from autograd.ops.onnx_rules import ONNX_RULES

try:
    import onnx
    import onnxruntime as ort
except ImportError:  # pragma: no cover - only without the extra
    if os.environ.get("CI") == "true":
        raise  # CI installs the onnx extra (.ci/run), so the export tests run there
    pytest.skip("the onnx extra (onnx, onnxruntime) is not installed: pip install -e '.[onnx]'",
                allow_module_level=True)

TOLERANCE = {np.float64: 1e-6, np.float32: 1e-4}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_primitive_has_an_onnx_rule(name: str) -> None:
    assert name in ONNX_RULES, f"no ONNX rule for primitive {name!r} (autograd/ops/onnx_rules.py)"


@pytest.mark.parametrize("name", ["scatter_add", "add_windows"])
def test_a_primitive_onnx_cannot_express_raises_naming_it(name: str) -> None:
    with pytest.raises(NotImplementedError, match=name):
        ONNX_RULES[name](None)


def _session(path: Path) -> Any:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _relative_error(ours: Any, theirs: np.ndarray) -> float:
    ours = np.asarray(ours.data if hasattr(ours, "data") else ours)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    return float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(ours)), 1e-30))


def _check_agreement(model: nn.Module, example: np.ndarray, path: Path, make: Any, **names: Any) -> Any:
    """Export, check the model, and compare onnxruntime with us at the example's batch size and another."""
    proto = nn.export_onnx(model, example, path, **names)
    onnx.checker.check_model(onnx.load(str(path)))
    session = _session(path)
    dtype = example.dtype.type if example.dtype.kind == "f" else np.float64
    for batch in (example.shape[0], example.shape[0] + 5):
        x = make(batch)
        ours = model(x)
        ours = ours[0] if isinstance(ours, tuple) else ours
        (theirs,) = session.run(None, {session.get_inputs()[0].name: x})[:1]
        assert _relative_error(ours, theirs) <= TOLERANCE[dtype], f"batch {batch}"
    return proto


def _normal(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> Any:
    return lambda batch: (3 * np.random.default_rng(seed + batch).standard_normal((batch, *shape))).astype(dtype)


ACTIVATIONS = [nn.ReLU, nn.Sigmoid, nn.Tanh, lambda: nn.LeakyReLU(0.1), nn.PReLU, nn.ELU, nn.GELU,
               lambda: nn.GELU("tanh"), nn.SiLU, nn.Swish, nn.Softplus, nn.Softmax, nn.LogSoftmax, nn.SELU,
               nn.CELU, nn.Mish, nn.Hardtanh, nn.ReLU6, nn.Hardsigmoid, nn.Hardswish, nn.Softsign, nn.LogSigmoid,
               nn.Tanhshrink, nn.Softmin]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: type(a()).__name__)
def test_an_mlp_with_each_activation_agrees_with_onnxruntime(activation: Any, dtype: Any, tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), activation(), nn.Linear(16, 3)).to(dtype)
    make = _normal((4,), dtype)
    _check_agreement(model, make(6), tmp_path / "mlp.onnx", make)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_cnn_agrees_with_onnxruntime(dtype: Any, tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 10)).to(dtype)
    make = _normal((1, 8, 8), dtype)
    model(make(16))  # one training batch moves the running statistics away from (0, 1)
    model.eval()
    before = {k: np.array(v) for k, v in model.state_dict().items()}
    _check_agreement(model, make(3), tmp_path / "cnn.onnx", make)
    for key, value in model.state_dict().items():
        assert np.array_equal(value, before[key]), f"exporting changed {key}"


class _Attention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(20, 8)
        self.norm = nn.LayerNorm(8)
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, indices: Any) -> Any:
        h = self.norm(self.embedding(indices))
        return self.attention(h, h, h)[0]


def test_embedding_layernorm_attention_agrees_with_onnxruntime(tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = _Attention()
    make = lambda batch: np.random.default_rng(batch).integers(0, 20, (batch, 5))  # noqa: E731
    _check_agreement(model, make(4), tmp_path / "attention.onnx", make)


def test_names_are_honoured(tmp_path: Path) -> None:
    nn.manual_seed(0)
    model = nn.MLP(3, [5, 2])
    proto = nn.export_onnx(model, np.ones((4, 3)), tmp_path / "m.onnx", input_names=["features"],
                           output_names=["logits"])
    assert [i.name for i in proto.graph.input] == ["features"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    static = nn.export_onnx(model, np.ones((4, 3)), tmp_path / "s.onnx", dynamic_batch=False)
    assert static.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 4


def test_a_wrong_rule_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison can fail: a planted bug in tanh's rule (Sigmoid) makes onnxruntime disagree."""
    monkeypatch.setitem(ONNX_RULES, "tanh", lambda b: b.node("Sigmoid", b.operands()))
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    make = _normal((3,), np.float64)
    with pytest.raises(AssertionError, match="batch"):
        _check_agreement(model, make(2), tmp_path / "bad.onnx", make)


class _Constant(nn.Module):
    def forward(self, x: Any) -> Any:
        return nn.Linear(2, 2)(np.ones((1, 2))).detach()


class _RawCondition(nn.Module):
    def forward(self, x: Any) -> Any:
        return autograd.where(x.data > 0, x, 0.5 * x)  # a condition on raw data, not recorded


class _Masked(nn.Module):
    def forward(self, x: Any) -> Any:
        return x[x.data > 0]


def test_bad_input_gives_a_clear_error(tmp_path: Path) -> None:
    model = nn.MLP(3, [4, 2])
    with pytest.raises(ValueError, match="records no graph"):
        nn.export_onnx(_Constant(), np.ones((2, 2)), tmp_path / "c.onnx")
    with pytest.raises(ValueError, match=r"cannot run on the example of shape \(2, 5\)"):
        nn.export_onnx(model, np.ones((2, 5)), tmp_path / "m.onnx")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.export_onnx(model, np.ones((2, 3)), tmp_path / "missing" / "m.onnx")
    with pytest.raises(ValueError, match="input_names has 2 names"):
        nn.export_onnx(model, np.ones((2, 3)), tmp_path / "m.onnx", input_names=["a", "b"])
    with pytest.raises(ValueError, match="output_names has 2 names"):
        nn.export_onnx(model, np.ones((2, 3)), tmp_path / "m.onnx", output_names=["a", "b"])
    with pytest.raises(NotImplementedError, match="getitem"):
        nn.export_onnx(_Masked(), np.ones((2, 3)), tmp_path / "m.onnx")


def test_numbers_computed_from_the_data_outside_the_graph_are_not_frozen(tmp_path: Path) -> None:
    example = np.linspace(-1, 1, 6).reshape(2, 3)
    with pytest.raises(NotImplementedError, match="outside the graph"):
        nn.export_onnx(_RawCondition(), example, tmp_path / "m.onnx")
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))  # training mode: a random mask
    with pytest.raises(NotImplementedError, match=r"eval\(\)"):
        nn.export_onnx(model, example, tmp_path / "m.onnx")
    model.eval()
    nn.export_onnx(model, example, tmp_path / "m.onnx")
