"""The layers beyond the MLP: gradients against finite differences, semantics, and errors for bad input.

Each layer is gradient-checked (float64, central differences) over its input and
every parameter at once, by running the module with its parameters swapped for the
checker's inputs. PyTorch parity lives in tests/test_nn_layers_torch.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value, gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def _as_function(module: nn.Module, call: Callable[[nn.Module, Any], Any]) -> tuple[Callable[..., Any], list]:
    """f(x, *params) running ``call(module, x)`` with the module's parameters replaced by the given Values."""
    names = [name for name, _ in module.named_parameters()]

    def f(x: Any, *params: Any) -> Any:
        saved = []
        for name, value in zip(names, params, strict=True):
            *path, leaf = name.split(".")
            owner = module
            for part in path:
                owner = owner._modules[part]
            saved.append((owner, leaf, owner._parameters[leaf]))
            object.__setattr__(owner, leaf, value)
        try:
            return call(module, x)
        finally:
            for owner, leaf, param in saved:
                object.__setattr__(owner, leaf, param)

    return f, [np.array(p.data) for p in module.parameters()]


def _first(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out


LAYERS: list[tuple[str, Callable[[], nn.Module], tuple[int, ...], Callable[[nn.Module, Any], Any]]] = [
    ("Conv2d", lambda: nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2), (2, 2, 5, 5), lambda m, x: m(x)),
    ("Conv2d dilated same", lambda: nn.Conv2d(2, 2, (2, 3), padding="same", dilation=(2, 1)), (1, 2, 4, 5),
     lambda m, x: m(x)),
    ("Conv1d", lambda: nn.Conv1d(3, 2, 3, padding=1), (2, 3, 6), lambda m, x: m(x)),
    ("MaxPool2d", lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (1, 2, 5, 6), lambda m, x: m(x)),
    ("AvgPool2d", lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 2, 5, 6),
     lambda m, x: m(x)),
    ("MaxPool1d", lambda: nn.MaxPool1d(2), (2, 3, 6), lambda m, x: m(x)),
    ("AvgPool1d", lambda: nn.AvgPool1d(3, 1, 1), (2, 3, 6), lambda m, x: m(x)),
    ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d((2, 3)), (2, 2, 5, 5), lambda m, x: m(x)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(3), (5, 3), lambda m, x: m(x)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(2), (3, 2, 3, 3), lambda m, x: m(x)),
    ("BatchNorm2d eval", lambda: nn.BatchNorm2d(2).eval(), (3, 2, 3, 3), lambda m, x: m(x)),
    ("LayerNorm", lambda: nn.LayerNorm((3, 4)), (2, 3, 4), lambda m, x: m(x)),
    ("GroupNorm", lambda: nn.GroupNorm(2, 4), (2, 4, 3), lambda m, x: m(x)),
    ("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2, batch_first=True), (2, 3, 4),
     lambda m, x: _first(m(x, x, x, attn_mask=~np.tril(np.ones((3, 3), dtype=bool))))),
    ("MultiheadAttention weights", lambda: nn.MultiheadAttention(4, 2), (3, 2, 4),
     lambda m, x: m(x, x * 0.5, x, average_attn_weights=False)[1]),
    # `* 1.0`: a reshape's output is a view of its input, which gradcheck's finite differences (perturbing the
    # input in place) would see move in step with the input; a copy keeps the two evaluations apart.
    ("Flatten", lambda: nn.Flatten(), (2, 3, 2), lambda m, x: m(x) * 1.0),
    ("Unflatten", lambda: nn.Unflatten(1, (2, 3)), (2, 6), lambda m, x: m(x) * 1.0),
]


@pytest.mark.parametrize(("name", "make", "shape", "call"), LAYERS, ids=[case[0] for case in LAYERS])
def test_layer_gradients_match_finite_differences(name: str, make: Callable[[], nn.Module], shape: tuple,
                                                  call: Callable[[nn.Module, Any], Any]) -> None:
    nn.manual_seed(0)
    module = make()
    for param in module.parameters():  # away from the initial ones and zeros
        param.data[...] = rng.normal(size=param.shape)
    x = rng.normal(size=shape)
    if "MaxPool" in name:
        x = rng.permutation(np.arange(x.size, dtype=np.float64)).reshape(shape) / 7  # no ties within 1e-6
    f, params = _as_function(module, call)
    assert gradcheck(f, [x, *params], atol=1e-6, rtol=1e-5)


def test_conv_and_attention_have_second_derivatives() -> None:
    x, w = rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(2, 2, 2, 2))
    assert gradgradcheck(lambda x, w: nn.conv2d(x, w, stride=2, padding=1), [x, w])
    q, k = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 4, 2))
    assert gradgradcheck(lambda q, k: nn.scaled_dot_product_attention(q, k, k), [q, k])


def test_embedding_gradient_accumulates_repeats_and_skips_the_padding_row() -> None:
    emb = nn.Embedding(5, 2, padding_idx=1)
    assert emb.weight.data[1].tolist() == [0.0, 0.0]
    out = emb(np.array([[0, 1, 0], [4, 1, 3]]))
    assert out.shape == (2, 3, 2)
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad, [[2, 2], [0, 0], [0, 0], [1, 1], [1, 1]])


def test_embedding_gradcheck_over_the_weight() -> None:
    idx = np.array([2, 0, 2, 3])
    assert gradcheck(lambda w: nn.embedding(idx, w), [rng.normal(size=(4, 3))])
    assert gradcheck(lambda w: nn.embedding(idx, w, padding_idx=1), [rng.normal(size=(4, 3))])  # row 1 unused


def test_scaled_dot_product_attention_fully_masked_rows_are_zero_without_warnings() -> None:
    q, k = rng.normal(size=(2, 3)), rng.normal(size=(4, 3))
    mask = np.ones((2, 4), dtype=bool)
    mask[1] = False
    with np.errstate(all="raise"):
        out = nn.scaled_dot_product_attention(Value(q), Value(k), Value(k), attn_mask=mask)
        out.sum().backward()
    assert out.data[1].tolist() == [0.0, 0.0, 0.0]
    # softmax over all keys, by hand
    scores = q[0] @ k.T / np.sqrt(3)
    weights = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    np.testing.assert_allclose(out.data[0], weights @ k, rtol=1e-12)


def test_batch_norm_running_statistics_by_hand() -> None:
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [rng.normal(size=(4, 2)) for _ in range(3)]
    for x in batches:
        bn(x)
    stacked = np.stack(batches)
    np.testing.assert_allclose(bn.running_mean, stacked.mean(axis=1).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, stacked.var(axis=1, ddof=1).mean(axis=0), rtol=1e-12)
    assert int(bn.num_batches_tracked) == 3
    bn.eval()
    x = rng.normal(size=(3, 2))
    np.testing.assert_allclose(bn(x).data, (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5), rtol=1e-12)


def test_flatten_unflatten_identity() -> None:
    x = Value(rng.normal(size=(2, 3, 4, 5)))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, -1))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Identity(54, unused=True)(x) is x


# ---------------------------------------------------------------------------- module buffers and traversal


def test_buffers_are_in_state_dict_and_files_but_not_parameters(tmp_path: Any) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    names = [n for n, _ in model.named_buffers()]
    assert names == ["1.running_mean", "1.running_var", "1.num_batches_tracked"]
    assert all(not isinstance(b, Value) for b in model.buffers())
    assert len(list(model.parameters())) == 4
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                        "1.running_var", "1.num_batches_tracked"]
    model(rng.normal(size=(4, 1, 5, 5)))
    nn.save(model, tmp_path / "m.npz")
    fresh = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    nn.load(tmp_path / "m.npz", into=fresh)
    np.testing.assert_array_equal(fresh[1].running_mean, model[1].running_mean)
    assert int(fresh[1].num_batches_tracked) == 1 and fresh[1].num_batches_tracked.dtype == np.int64


def test_register_buffer_rules() -> None:
    m = nn.Module()
    m.register_buffer("stats", np.zeros(3))
    m.register_buffer("scratch", np.ones(2), persistent=False)
    m.stats = np.ones(3)  # assigning keeps it a buffer
    assert list(m.state_dict()) == ["stats"] and dict(m.named_buffers())["stats"].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="not a Value"):
        m.register_buffer("bad", Value(1.0))
    with pytest.raises(KeyError, match="invalid buffer name"):
        m.register_buffer("a.b", np.zeros(1))


def test_shared_submodule_is_listed_once() -> None:
    shared = nn.Linear(2, 2)
    model = nn.Module()
    model.a = shared
    model.b = shared
    assert list(model.children()) == [shared]
    assert [n for n, _ in model.named_modules()] == ["", "a"]
    assert len(list(model.modules())) == 2


def test_apply_requires_grad_and_dtype_casts() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    visited: list[str] = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "BatchNorm1d", "Sequential"]
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.float()
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert model[1].running_mean.dtype == np.float32 and model[1].num_batches_tracked.dtype == np.int64
    assert model(np.ones((4, 2), dtype=np.float32)).dtype == np.float32
    model.double()
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float64)}
    with pytest.raises(TypeError, match="float32 or float64"):
        model.to(np.int32)


# ---------------------------------------------------------------------------- bad input


BAD_INPUT = [
    (lambda: nn.Conv2d(3, 4, 3)(np.ones((2, 2, 5, 5))), ValueError,
     r"Conv2d: expected input with 3 channels.*\(2, 2, 5, 5\)"),
    (lambda: nn.Conv2d(3, 4, 5)(np.ones((1, 3, 4, 4))), ValueError, r"Conv2d: kernel \(5, 5\).*larger than the padded"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "Conv2d: groups=2 must divide in_channels=3"),
    (lambda: nn.Conv1d(2, 2, 3, stride=2, padding="same"), ValueError, "Conv1d: padding='same'.*strided"),
    (lambda: nn.Conv2d(1, 1, 3)(np.ones((5, 5))), ValueError, r"Conv2d: input of shape \(5, 5\)"),
    (lambda: nn.conv2d(np.ones((1, 4, 5, 5)), np.ones((2, 2, 3, 3)), groups=3), ValueError, "conv2d"),
    (lambda: nn.MaxPool2d(5)(np.ones((1, 1, 3, 3))), ValueError, "MaxPool2d: kernel_size .* larger"),
    (lambda: nn.MaxPool2d(2, padding=2)(np.ones((1, 1, 6, 6))), ValueError, "MaxPool2d: padding"),
    (lambda: nn.BatchNorm2d(3)(np.ones((2, 4, 3, 3))), ValueError, r"BatchNorm2d\(3\).*\(2, 4, 3, 3\)"),
    (lambda: nn.BatchNorm1d(3)(np.ones((1, 3))), ValueError, "more than 1 value per channel"),
    (lambda: nn.LayerNorm(4)(np.ones((2, 3))), ValueError, r"LayerNorm\(\(4,\)\).*\(2, 3\)"),
    (lambda: nn.GroupNorm(3, 4), ValueError, "GroupNorm: num_groups=3 must divide num_channels=4"),
    (lambda: nn.Embedding(5, 2)(np.array([1, 5])), ValueError, r"Embedding: index 5 is out of range.*\(2,\)"),
    (lambda: nn.Embedding(5, 2)(np.array([-1])), ValueError, "Embedding: index -1"),
    (lambda: nn.Embedding(5, 2)(np.array([1.0, 2.0])), TypeError, "Embedding: indices must be integers.*float64"),
    (lambda: nn.MultiheadAttention(6, 4), ValueError,
     "MultiheadAttention: embed_dim=6 must be divisible by num_heads=4"),
    (lambda: nn.MultiheadAttention(4, 2)(*[np.ones((3, 2, 4))] * 3, attn_mask=np.ones((2, 3), dtype=bool)),
     ValueError, r"MultiheadAttention: attn_mask of shape \(2, 3\)"),
    (lambda: nn.MultiheadAttention(4, 2)(*[np.ones((3, 2, 4))] * 3, key_padding_mask=np.ones((3, 2), dtype=bool)),
     ValueError, r"MultiheadAttention: key_padding_mask of shape \(3, 2\) must be \(2, 3\)"),
    (lambda: nn.MultiheadAttention(4, 2)(*[np.ones((3, 2, 5))] * 3), ValueError, r"MultiheadAttention\(embed_dim=4\)"),
    (lambda: nn.scaled_dot_product_attention(np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 3)),
                                             attn_mask=np.ones((3, 4), dtype=bool)),
     ValueError, r"scaled_dot_product_attention: attn_mask of shape \(3, 4\) .* \(2, 4\)"),
    (lambda: nn.scaled_dot_product_attention(np.ones((2, 3)), np.ones((4, 2)), np.ones((4, 3))),
     ValueError, "scaled_dot_product_attention: query"),
    (lambda: nn.Unflatten(1, (4, 2))(np.ones((2, 6))), ValueError, "Unflatten.*size 6"),
    (lambda: nn.Flatten(2)(np.ones((2,))), ValueError, "Flatten"),
]


@pytest.mark.parametrize(("action", "error", "message"), BAD_INPUT)
def test_bad_input_is_named(action: Callable[[], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        action()
