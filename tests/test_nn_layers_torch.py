"""The layers beyond the MLP against PyTorch in float64 (skipped where torch is not installed).

Every layer is built in both frameworks, our ``state_dict()`` is loaded into the
PyTorch module with ``load_state_dict`` (so names, shapes and layouts must be
PyTorch's), and outputs and gradients (input and every parameter) must agree to
1e-8. BatchNorm's running statistics are compared step for step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (the parity tests need it)")

import nn  # noqa: E402
from autograd import Value  # noqa: E402
from autograd import sum as total  # noqa: E402

TOL = 1e-8
F = torch.nn.functional


def _load_into_torch(ours: nn.Module, theirs: Any) -> None:
    theirs.double()
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}, strict=True)


def _compare(ours: nn.Module, theirs: Any, x: np.ndarray, call: Any = None, seed: int = 0) -> None:
    """Same output and same gradients of sum(out * w) for the input and every parameter."""
    call = call or (lambda module, inp: module(inp))
    _load_into_torch(ours, theirs)
    xv, xt = Value(x), torch.tensor(x, requires_grad=True)
    out, out_t = call(ours, xv), call(theirs, xt)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=TOL, rtol=TOL)
    w = np.random.default_rng(seed).normal(size=out.shape)
    total(out * w).backward()
    (out_t * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xv.grad, xt.grad.numpy(), atol=TOL, rtol=TOL, err_msg="input gradient")
    theirs_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        want = theirs_params[name].grad
        got = np.zeros(param.shape) if param.grad is None else param.grad
        np.testing.assert_allclose(got, want.numpy(), atol=TOL, rtol=TOL, err_msg=name)


rng = np.random.default_rng(0)

CONVS = [
    ("Conv2d", (3, 4, 3), {}, (2, 3, 7, 6)),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=2, padding=1, groups=2), (2, 4, 8, 7)),
    ("Conv2d", (2, 3, 3), dict(padding="same", dilation=2, bias=False), (2, 2, 6, 6)),
    ("Conv2d", (2, 4, 2), dict(padding="valid", stride=(1, 2), dilation=(2, 1)), (2, 6, 5)),  # unbatched
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=2), (2, 3, 9)),
    ("Conv1d", (4, 4, 2), dict(groups=4, padding="same"), (4, 7)),  # depthwise, unbatched, uneven 'same'
]


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CONVS)
def test_conv_matches_torch(name: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    nn.manual_seed(1)
    _compare(getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs), rng.normal(size=shape))


POOLS = [
    ("MaxPool2d", dict(kernel_size=2), (2, 3, 6, 7)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 2, 7, 8)),
    ("MaxPool2d", dict(kernel_size=(2, 3), stride=1, dilation=(2, 1)), (3, 6, 7)),
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 3, 8)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 2, 7, 8)),
    ("AvgPool2d", dict(kernel_size=2, padding=1), (2, 2, 5, 5)),
    ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 3, 8)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, 2)), (2, 3, 7, 5)),
    ("AdaptiveAvgPool2d", dict(output_size=1), (2, 3, 4, 4)),
]


@pytest.mark.parametrize(("name", "kwargs", "shape"), POOLS)
def test_pooling_matches_torch(name: str, kwargs: dict, shape: tuple) -> None:
    _compare(getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs), rng.normal(size=shape))


def test_max_pool_sends_a_tie_to_one_element_as_torch() -> None:
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, :2, :2] = 1.0  # a four-way tie in the first window
    _compare(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)


@pytest.mark.parametrize(("name", "kwargs", "shape"), [
    ("BatchNorm1d", dict(), (8, 3)), ("BatchNorm1d", dict(momentum=None), (6, 3, 5)),
    ("BatchNorm2d", dict(momentum=0.3, eps=1e-3), (4, 3, 5, 5)), ("BatchNorm2d", dict(affine=False), (4, 2, 3, 3)),
    ("BatchNorm2d", dict(track_running_stats=False), (4, 2, 3, 3)),
])
def test_batch_norm_matches_torch_step_for_step(name: str, kwargs: dict, shape: tuple) -> None:
    ours, theirs = getattr(nn, name)(shape[1], **kwargs), getattr(torch.nn, name)(shape[1], **kwargs)
    local = np.random.default_rng(3)
    ours.weight is not None and ours.weight.data.__setitem__(Ellipsis, local.normal(size=shape[1]))
    _load_into_torch(ours, theirs)
    for step in range(4):
        x = local.normal(size=shape) * 2.0 + 1.0
        _compare(ours, theirs, x, seed=step) if step == 0 else None
        if step:
            out, out_t = ours(Value(x)), theirs(torch.tensor(x))
            np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=TOL, rtol=TOL)
        for buffer_name, buffer in ours.named_buffers():
            np.testing.assert_allclose(buffer, getattr(theirs, buffer_name).numpy(), atol=1e-12, rtol=1e-12,
                                       err_msg=f"{buffer_name} after step {step}")
        _load_into_torch(ours, theirs)  # the same parameters again (torch's grads are not stepped)
    ours.eval()
    theirs.eval()
    x = local.normal(size=shape)
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), atol=TOL, rtol=TOL)


@pytest.mark.parametrize(("ours", "theirs", "shape"), [
    (lambda: nn.LayerNorm(5), lambda: torch.nn.LayerNorm(5), (3, 4, 5)),
    (lambda: nn.LayerNorm((4, 5), bias=False), lambda: torch.nn.LayerNorm((4, 5), bias=False), (3, 4, 5)),
    (lambda: nn.LayerNorm(5, elementwise_affine=False), lambda: torch.nn.LayerNorm(5, elementwise_affine=False),
     (2, 5)),
    (lambda: nn.GroupNorm(2, 4), lambda: torch.nn.GroupNorm(2, 4), (3, 4, 5, 2)),
    (lambda: nn.GroupNorm(4, 4, affine=False), lambda: torch.nn.GroupNorm(4, 4, affine=False), (3, 4, 6)),
])
def test_layer_and_group_norm_match_torch(ours: Any, theirs: Any, shape: tuple) -> None:
    a = ours()
    for param in a.parameters():
        param.data[...] = rng.normal(size=param.shape)
    _compare(a, theirs(), rng.normal(size=shape))


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(padding_idx: Any) -> None:
    ours = nn.Embedding(6, 3, padding_idx=padding_idx)
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx).double()
    _load_into_torch(ours, theirs)
    idx = np.array([[0, 2, 5, 2], [5, 5, 1, 4]])
    out, out_t = ours(idx), theirs(torch.tensor(idx))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=0)
    w = rng.normal(size=out.shape)
    total(out * w).backward()
    (out_t * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=TOL)
    assert ours.weight.data[padding_idx].tolist() == [0.0] * 3 if padding_idx is not None else True


def _sdpa_masks(length: int, source: int) -> list[tuple[str, Any, bool]]:
    allowed = rng.random((length, source)) > 0.4
    allowed[:, 0] = True  # no row is masked out completely
    return [("none", None, False), ("bool", allowed, False), ("float", rng.normal(size=(2, 1, length, source)), False),
            ("causal", None, True)]


@pytest.mark.parametrize("which", ["none", "bool", "float", "causal"])
def test_scaled_dot_product_attention_matches_torch(which: str) -> None:
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 2))
    if which == "causal":
        k, v = k[:, :, :4], v[:, :, :4]
    mask, causal = next((m, c) for name, m, c in _sdpa_masks(4, k.shape[2]) if name == which)
    values = [Value(a) for a in (q, k, v)]
    tensors = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = nn.scaled_dot_product_attention(*values, attn_mask=mask, is_causal=causal, scale=0.3)
    out_t = F.scaled_dot_product_attention(*tensors, attn_mask=None if mask is None else torch.tensor(mask),
                                           is_causal=causal, scale=0.3)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=TOL, rtol=TOL)
    w = rng.normal(size=out.shape)
    total(out * w).backward()
    (out_t * torch.tensor(w)).sum().backward()
    for ours, theirs in zip(values, tensors, strict=True):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=TOL, rtol=TOL)


MHA_CASES = [
    (dict(batch_first=False), dict(), (5, 2)),
    (dict(batch_first=True), dict(need_weights=True, average_attn_weights=False), (2, 5)),
    (dict(batch_first=True, bias=False), dict(key_padding_mask="bool"), (2, 5)),
    (dict(batch_first=True), dict(attn_mask="causal bool", key_padding_mask="float"), (2, 5)),
    (dict(batch_first=False), dict(attn_mask="float per head", need_weights=False), (5, 2)),
    (dict(batch_first=True), dict(attn_mask="causal bool"), (5,)),  # unbatched
]


def _mha_mask(kind: Any, length: int, batch: int, heads: int) -> Any:
    if kind == "bool":
        mask = np.zeros((batch, length), dtype=bool)
        mask[0, -2:] = True
        return mask
    if kind == "float":
        return rng.normal(size=(batch, length))
    if kind == "causal bool":
        return ~np.tril(np.ones((length, length), dtype=bool))
    if kind == "float per head":
        return rng.normal(size=(batch * heads, length, length))
    return kind


@pytest.mark.parametrize(("init", "call", "lead"), MHA_CASES)
def test_multihead_attention_matches_torch(init: dict, call: dict, lead: tuple) -> None:
    e, heads = 6, 2
    ours, theirs = nn.MultiheadAttention(e, heads, **init), torch.nn.MultiheadAttention(e, heads, **init)
    assert [k for k, _ in ours.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    batch = 1 if len(lead) == 1 else (lead[0] if init["batch_first"] else lead[1])
    length = lead[1] if init["batch_first"] and len(lead) == 2 else lead[0]
    options = {k: _mha_mask(v, length, batch, heads) for k, v in call.items()}
    options_t = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    x = rng.normal(size=(*lead, e))

    def run(module: Any, inp: Any) -> Any:
        """The output, plus (when returned) a weighted sum of the attention weights, so their gradient counts too."""
        out, weights = module(inp, inp, inp, **(options if isinstance(inp, Value) else options_t))
        return out if weights is None else out + (weights * 0.1).sum()

    _compare(ours, theirs, x, call=run)
    weights = ours(x, x, x, **options)[1]
    weights_t = theirs(torch.tensor(x), torch.tensor(x), torch.tensor(x), **options_t)[1]
    assert (weights is None) == (weights_t is None)
    if weights is not None:
        np.testing.assert_allclose(weights.data, weights_t.detach().numpy(), atol=TOL, rtol=TOL)


def test_a_small_cnn_state_dict_loads_into_torch_and_gives_the_same_outputs() -> None:
    nn.manual_seed(0)
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 10))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 10))
    x = rng.normal(size=(5, 1, 8, 8))
    ours(x)  # a training step moves the running statistics
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _compare(ours.eval(), theirs.eval(), x)
