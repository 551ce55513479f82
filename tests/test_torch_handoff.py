"""The hand-off to PyTorch: each nn layer's state_dict, and an nn.save file read with NumPy, load into the
PyTorch module of the same name and give the same outputs (float64, 1e-10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch", reason="PyTorch is not installed (the hand-off tests need it)")

LAYERS = [  # (name, constructor arguments, input shape)
    ("Linear", (4, 3), (5, 4)),
    ("Conv1d", (2, 3, 3), (2, 2, 7)),
    ("Conv2d", (2, 3, 3), (2, 2, 6, 6)),
    ("BatchNorm1d", (3,), (4, 3)),
    ("BatchNorm2d", (3,), (2, 3, 4, 4)),
    ("LayerNorm", (4,), (2, 3, 4)),
    ("GroupNorm", (2, 4), (2, 4, 3)),
    pytest.param("PReLU", (3,), (2, 3), marks=pytest.mark.xfail(
        strict=True, reason="our PReLU names its slope `alpha` (API.md); PyTorch's is `weight`"), id="PReLU"),
    ("Embedding", (10, 4), None),
    ("MultiheadAttention", (4, 2), (3, 2, 4)),
]


IDS = [layer.id if hasattr(layer, "marks") else layer[0] for layer in LAYERS]


def _load_with_numpy(path: Path) -> dict[str, Any]:
    arrays = np.load(path)                                         # the three lines the README shows
    return {key: torch.from_numpy(arrays[key]) for key in arrays.files}


@pytest.mark.parametrize(("name", "args", "shape"), LAYERS, ids=IDS)
def test_each_layer_hands_off_to_the_pytorch_module_of_the_same_name(name: str, args: tuple, shape: Any,
                                                                       tmp_path: Path) -> None:
    nn.manual_seed(0)
    ours = getattr(nn, name)(*args)
    theirs = getattr(torch.nn, name)(*args).double()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, (2, 5)) if shape is None else rng.standard_normal(shape)
    if "BatchNorm" in name:
        ours(x)  # running statistics away from their initial values
        ours.eval()
        theirs.eval()
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}, strict=True)
    path = tmp_path / "model.npz"
    nn.save(ours, path)
    from_file = getattr(torch.nn, name)(*args).double()
    from_file.load_state_dict(_load_with_numpy(path), strict=True)
    if "BatchNorm" in name:
        from_file.eval()
    inputs = (x, x, x) if name == "MultiheadAttention" else (x,)
    expected = ours(*inputs)
    expected = (expected[0] if isinstance(expected, tuple) else expected).data
    with torch.no_grad():
        for module in (theirs, from_file):
            got = module(*(torch.from_numpy(np.asarray(i)) for i in inputs))
            got = got[0] if isinstance(got, tuple) else got
            np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)
