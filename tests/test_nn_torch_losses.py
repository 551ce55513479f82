"""Losses with PyTorch's options: values and gradients equal PyTorch's (float64, where torch is installed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the parity checks need it")
F = torch.nn.functional
RNG = np.random.default_rng(7)
N, C = 6, 4
LOGITS = RNG.normal(size=(N, C)) * 2
CLASSES = np.array([0, 3, 1, 3, 2, 1])
WEIGHT = RNG.random(C) + 0.2
PROBS = 1 / (1 + np.exp(-RNG.normal(size=(N, C))))
TARGET01 = RNG.random((N, C))
ELEMENT_WEIGHT = RNG.random((N, C))
POS_WEIGHT = RNG.random(C) * 3


def _both(ours: Callable[[Any], Any], theirs: Callable[[Any], Any], x: np.ndarray) -> None:
    value = Value(x.copy())
    out = ours(value)
    tensor = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    expected = theirs(tensor)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    weights = RNG.normal(size=np.shape(out.data))
    (out * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(value.grad, tensor.grad.numpy(), rtol=1e-11, atol=1e-14)


def t(a: Any) -> Any:
    return torch.tensor(a)


CASES = {
    "cross_entropy weight": (lambda z, r: nn.cross_entropy(z, CLASSES, r, weight=WEIGHT),
                             lambda z, r: F.cross_entropy(z, t(CLASSES), weight=t(WEIGHT), reduction=r), LOGITS),
    "cross_entropy ignore_index": (
        lambda z, r: nn.cross_entropy(z, CLASSES, r, ignore_index=3),
        lambda z, r: F.cross_entropy(z, t(CLASSES), ignore_index=3, reduction=r), LOGITS),
    "cross_entropy label_smoothing": (
        lambda z, r: nn.cross_entropy(z, CLASSES, r, label_smoothing=0.1),
        lambda z, r: F.cross_entropy(z, t(CLASSES), label_smoothing=0.1, reduction=r), LOGITS),
    "cross_entropy all options": (
        lambda z, r: nn.CrossEntropyLoss(WEIGHT, ignore_index=1, reduction=r, label_smoothing=0.3)(z, CLASSES),
        lambda z, r: torch.nn.CrossEntropyLoss(t(WEIGHT), ignore_index=1, reduction=r, label_smoothing=0.3)(
            z, t(CLASSES)), LOGITS),
    "nll_loss weight ignore_index": (
        lambda z, r: nn.NLLLoss(WEIGHT, ignore_index=0, reduction=r)(z, CLASSES),
        lambda z, r: torch.nn.NLLLoss(t(WEIGHT), ignore_index=0, reduction=r)(z, t(CLASSES)), LOGITS),
    "bce weight": (lambda p, r: nn.BCELoss(ELEMENT_WEIGHT, reduction=r)(p, TARGET01),
                   lambda p, r: torch.nn.BCELoss(t(ELEMENT_WEIGHT), reduction=r)(p, t(TARGET01)), PROBS),
    "bce_with_logits weight pos_weight": (
        lambda z, r: nn.BCEWithLogitsLoss(ELEMENT_WEIGHT, reduction=r, pos_weight=POS_WEIGHT)(z, TARGET01),
        lambda z, r: torch.nn.BCEWithLogitsLoss(t(ELEMENT_WEIGHT), reduction=r, pos_weight=t(POS_WEIGHT))(
            z, t(TARGET01)), LOGITS * 10),
    "huber delta": (lambda x, r: nn.HuberLoss(r, delta=0.7)(x, TARGET01),
                    lambda x, r: torch.nn.HuberLoss(r, delta=0.7)(x, t(TARGET01)), LOGITS),
    "smooth_l1 beta": (lambda x, r: nn.SmoothL1Loss(r, beta=0.6)(x, TARGET01),
                       lambda x, r: torch.nn.SmoothL1Loss(reduction=r, beta=0.6)(x, t(TARGET01)), LOGITS),
    "kl_div": (lambda x, r: nn.KLDivLoss(r)(x, np.where(TARGET01 > 0.2, TARGET01, 0.0)),
               lambda x, r: torch.nn.KLDivLoss(reduction=r)(x, t(np.where(TARGET01 > 0.2, TARGET01, 0.0))),
               np.log(PROBS)),
    "kl_div log_target": (lambda x, r: nn.KLDivLoss(r, log_target=True)(x, np.log(TARGET01)),
                          lambda x, r: torch.nn.KLDivLoss(reduction=r, log_target=True)(x, t(np.log(TARGET01))),
                          np.log(PROBS)),
    "cosine_embedding": (
        lambda x, r: nn.CosineEmbeddingLoss(margin=0.2, reduction=r)(x, PROBS, np.array([1, -1, 1, -1, -1, 1])),
        lambda x, r: torch.nn.CosineEmbeddingLoss(margin=0.2, reduction=r)(x, t(PROBS), t([1, -1, 1, -1, -1, 1])),
        LOGITS),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", list(CASES))
def test_loss_equals_pytorch(case: str, reduction: str) -> None:
    ours, theirs, x = CASES[case]
    _both(lambda v: ours(v, reduction), lambda v: theirs(v, reduction), x)


def test_kl_div_batchmean_equals_pytorch() -> None:
    target = TARGET01 / TARGET01.sum(axis=1, keepdims=True)
    _both(lambda v: nn.kl_div(v, target, reduction="batchmean"),
          lambda v: F.kl_div(v, t(target), reduction="batchmean"), np.log(PROBS))


def test_every_target_ignored_gives_nan_as_pytorch() -> None:
    ours = nn.cross_entropy(Value(LOGITS), np.full(N, -100))
    theirs = F.cross_entropy(t(LOGITS), torch.full((N,), -100))
    assert np.isnan(ours.data) and torch.isnan(theirs)
    assert nn.cross_entropy(Value(LOGITS), np.full(N, -100), reduction="sum").data == 0.0


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match="one number per class"):
        nn.cross_entropy(Value(LOGITS), CLASSES, weight=np.ones(C + 1))
    with pytest.raises(ValueError, match="out of range"):
        nn.cross_entropy(Value(LOGITS), np.array([0, 1, 2, 3, 4, -100]))
    with pytest.raises(ValueError, match="beta"):
        nn.SmoothL1Loss(beta=-1.0)
    with pytest.raises(ValueError, match="reduction"):
        nn.kl_div(Value(LOGITS), TARGET01, reduction="batch")
