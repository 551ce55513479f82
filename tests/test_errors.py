"""Every bad input gets a clear error: the right type, and a message that names what was wrong.

One table row per case: what is called, the exception type expected, and the pieces of
text the message must contain (the op or function, the offending shapes, dtypes or values).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value
from nn import optim


def _m23() -> Value:
    return Value(np.ones((2, 3)))


def _v4() -> Value:
    return Value(np.ones(4))


def _used_up() -> Value:
    y = (Value(np.ones(3)) * 2.0).sum()
    y.backward()
    return y


def _sgd() -> optim.SGD:
    return optim.SGD([Value(1.0)], lr=0.1)


def _linear() -> nn.Linear:
    return nn.Linear(2, 3)


LOSSES = {
    "mse_loss": (nn.mse_loss, np.ones(4)),
    "l1_loss": (nn.l1_loss, np.ones(4)),
    "huber_loss": (nn.huber_loss, np.ones(4)),
    "binary_cross_entropy": (nn.binary_cross_entropy, np.full(4, 0.5)),
    "binary_cross_entropy_with_logits": (nn.binary_cross_entropy_with_logits, np.ones(4)),
    "hinge_loss": (nn.hinge_loss, np.ones(4)),
}
LOSS_MODULES = {"MSELoss": nn.MSELoss, "L1Loss": nn.L1Loss, "HuberLoss": nn.HuberLoss, "BCELoss": nn.BCELoss,
                "BCEWithLogitsLoss": nn.BCEWithLogitsLoss, "HingeLoss": nn.HingeLoss}

CASES: list[tuple[str, Callable[[], Any], type[BaseException], tuple[str, ...]]] = [
    # ---- Value data of a type that is not a real number
    ("data object", lambda: Value(np.array([object()])), TypeError, ("object",)),
    ("data str", lambda: Value("abc"), TypeError, ("string", "<U3")),
    ("data str array", lambda: Value(np.array(["a", "b"])), TypeError, ("string",)),
    ("data complex", lambda: Value(np.array([1 + 2j])), TypeError, ("complex",)),
    ("data complex scalar", lambda: Value(1 + 2j), TypeError, ("complex",)),
    ("data bool", lambda: Value(True), TypeError, ("bool",)),
    ("data bool array", lambda: Value(np.array([True, False])), TypeError, ("bool",)),
    ("data ragged", lambda: Value([[1.0], [2.0, 3.0]]), TypeError, ("ragged",)),
    ("dtype int32", lambda: Value([1.0, 2.0], dtype=np.int32), TypeError, ("int32", "float32 or float64")),
    ("complex constant", lambda: _m23() * np.array([1j, 1j, 1j]), TypeError, ("complex",)),
    # ---- shape mismatch in every binary op, matmul, concatenate, where
    *[(f"shapes {op}", (lambda op=op: getattr(ag, op)(_m23(), _v4())), ValueError, (op, "(2, 3)", "(4,)"))
      for op in ("add", "subtract", "multiply", "divide", "power", "maximum", "minimum")],
    ("shapes operator +", lambda: _m23() + _v4(), ValueError, ("add", "(2, 3)", "(4,)")),
    ("shapes operator * ndarray", lambda: np.ones(4) * _m23(), ValueError, ("multiply", "(2, 3)", "(4,)")),
    ("shapes matmul", lambda: _m23() @ Value(np.ones((4, 5))), ValueError, ("matmul", "(2, 3)", "(4, 5)")),
    ("shapes matmul vector", lambda: _m23() @ _v4(), ValueError, ("matmul", "(2, 3)", "(4,)")),
    ("matmul scalar", lambda: Value(2.0) @ _v4(), ValueError, ("matmul", "dimension")),
    ("shapes concatenate", lambda: ag.concatenate([_m23(), Value(np.ones((3, 3)))], axis=1), ValueError,
     ("concatenate", "(2, 3)", "(3, 3)")),
    ("shapes stack", lambda: ag.stack([_m23(), _v4()]), ValueError, ("stack", "(2, 3)", "(4,)")),
    ("shapes where", lambda: ag.where(np.ones(5, dtype=bool), _m23(), 0.0), ValueError, ("where", "(5,)", "(2, 3)")),
    ("reshape size", lambda: _m23().reshape(4, 2), ValueError, ("reshape", "(2, 3)", "(4,2)")),
    ("axis out of range", lambda: _m23().sum(axis=2), ValueError, ("axis 2", "2 dimension")),
    ("item of an array", lambda: _m23().item(), ValueError, ("item", "(2, 3)")),
    # ---- backward misuse
    ("backward twice", lambda: _used_up().backward(), RuntimeError, ("second time", "retain_graph=True")),
    ("backward non-scalar", lambda: (_m23() * 2.0).backward(), RuntimeError, ("non-scalar", "(2, 3)", "grad")),
    ("backward grad shape", lambda: (_m23() * 2.0).backward(np.ones(3)), ValueError, ("(3,)", "(2, 3)")),
    ("backward without grad", lambda: Value(1.0, requires_grad=False).backward(), RuntimeError,
     ("requires_grad",)),
    ("grad of a vector function", lambda: ag.grad(lambda x: x * 2.0)(np.ones(3)), TypeError, ("scalar", "(3,)")),
    ("value_and_grad of a vector function", lambda: ag.value_and_grad(lambda x: x * 2.0)(np.ones(3)), TypeError,
     ("scalar", "(3,)")),
    ("hvp of a vector function", lambda: ag.hvp(lambda x: x * 2.0, np.ones(3), np.ones(3)), TypeError,
     ("scalar", "(3,)")),
    ("grad argnums", lambda: ag.grad(lambda x: x, argnums=2)(1.0), ValueError, ("argnums 2",)),
    ("requires_grad_ on a result", lambda: (_m23() * 2.0).requires_grad_(False), RuntimeError, ("leaves",)),
    ("Value of a Value", lambda: Value(_m23()), TypeError, ("detach",)),
    # ---- losses: shapes (each loss and its Module), targets
    *[(f"shapes {name}", (lambda f=f, t=t: f(Value(np.full((4, 1), 0.5)), t)), ValueError, (name, "(4, 1)", "(4,)"))
      for name, (f, t) in LOSSES.items()],
    *[(f"shapes {name}", (lambda M=M, t=LOSSES[f][1]: M()(Value(np.full((4, 1), 0.5)), t)), ValueError,
       ("(4, 1)", "(4,)")) for (name, M), f in zip(LOSS_MODULES.items(), LOSSES, strict=True)],
    ("shapes cross_entropy", lambda: nn.cross_entropy(Value(np.ones((4, 3))), np.array([0, 1, 2])), ValueError,
     ("cross_entropy", "(4, 3)", "(3,)")),
    ("shapes nll_loss", lambda: nn.nll_loss(Value(np.ones((4, 3))), np.array([0, 1, 2])), ValueError,
     ("nll_loss", "(4, 3)", "(3,)")),
    ("cross_entropy float targets", lambda: nn.cross_entropy(Value(np.ones((4, 3))), np.array([0.0, 1.0, 2.0, 0.0])),
     TypeError, ("cross_entropy", "integer", "float64")),
    ("CrossEntropyLoss float targets", lambda: nn.CrossEntropyLoss()(Value(np.ones((2, 3))), np.array([0.0, 1.0])),
     TypeError, ("integer", "float64")),
    ("nll_loss float targets", lambda: nn.nll_loss(Value(np.ones((4, 3))), np.array([0.5, 1, 1, 1])), TypeError,
     ("nll_loss", "integer")),
    ("cross_entropy class too large", lambda: nn.cross_entropy(Value(np.ones((4, 3))), np.array([0, 1, 3, 0])),
     ValueError, ("class 3", "out of range", "3 classes")),
    ("cross_entropy negative class", lambda: nn.cross_entropy(Value(np.ones((4, 3))), np.array([0, -1, 2, 0])),
     ValueError, ("class -1", "out of range")),
    ("nll_loss class too large", lambda: nn.nll_loss(Value(np.ones((2, 3))), np.array([5, 0])), ValueError,
     ("class 5", "out of range")),
    ("loss reduction", lambda: nn.mse_loss(Value(np.ones(2)), np.ones(2), reduction="avg"), ValueError,
     ("reduction", "'avg'")),
    ("huber delta", lambda: nn.huber_loss(Value(np.ones(2)), np.ones(2), delta=-1.0), ValueError, ("delta",)),
    ("bce probabilities", lambda: nn.binary_cross_entropy(Value(np.array([1.5, 0.5])), np.ones(2)), ValueError,
     ("probabilities",)),
    ("hinge targets", lambda: nn.hinge_loss(Value(np.ones(2)), np.array([0.0, 1.0])), ValueError, ("-1 or +1",)),
    # ---- negative lambda, lr, weight_decay
    ("negative lam", lambda: nn.regularized_loss(Value(1.0), [Value(np.ones(2))], -0.1), ValueError,
     ("lam", "-0.1")),
    *[(f"{opt.__name__} negative {arg}", (lambda opt=opt, arg=arg: opt([Value(1.0)], **{"lr": 0.1, arg: -0.5})),
       ValueError, (arg, "-0.5")) for opt in (optim.SGD, optim.Adam, optim.AdamW) for arg in ("lr", "weight_decay")],
    ("Adam betas", lambda: optim.Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, ("[0, 1)",)),
    ("empty parameter list", lambda: optim.SGD([], lr=0.1), ValueError, ("empty",)),
    # ---- the training toolkit: optimizers, schedulers, clipping, penalties, early stopping, data
    *[(f"{opt.__name__} bad {arg}={value}", (lambda opt=opt, arg=arg, value=value: opt([Value(1.0)], **{arg: value})),
       ValueError, (arg, str(value))) for opt, arg, value in [
        (optim.RMSprop, "lr", -0.5), (optim.RMSprop, "alpha", -0.5), (optim.RMSprop, "eps", -1e-8),
        (optim.RMSprop, "momentum", float("nan")), (optim.RMSprop, "weight_decay", -0.5),
        (optim.Adagrad, "lr", float("nan")), (optim.Adagrad, "lr_decay", -0.5), (optim.Adagrad, "eps", -1.0),
        (optim.Adagrad, "initial_accumulator_value", -0.5), (optim.Adagrad, "weight_decay", -0.5),
        (optim.SGD, "momentum", float("nan")), (optim.Adam, "eps", float("nan"))]],
    ("Adam beta1 negative", lambda: optim.Adam([Value(1.0)], betas=(-0.1, 0.9)), ValueError, ("beta1", "-0.1")),
    ("AdamW beta2 NaN", lambda: optim.AdamW([Value(1.0)], betas=(0.9, float("nan"))), ValueError, ("beta2", "nan")),
    ("negative l1", lambda: nn.regularized_loss(Value(1.0), [Value(np.ones(2))], 0.0, l1=-0.2), ValueError,
     ("l1", "-0.2")),
    ("NaN lam", lambda: nn.regularized_loss(Value(1.0), [Value(np.ones(2))], float("nan")), ValueError,
     ("lam", "nan")),
    ("StepLR gamma NaN", lambda: optim.StepLR(_sgd(), 2, gamma=float("nan")), ValueError, ("gamma", "nan")),
    ("MultiStepLR milestone", lambda: optim.MultiStepLR(_sgd(), [2, -1]), ValueError, ("milestones", "-1")),
    ("LinearLR start_factor", lambda: optim.LinearLR(_sgd(), start_factor=0.0), ValueError, ("start_factor", "0.0")),
    ("ExponentialLR gamma", lambda: optim.ExponentialLR(_sgd(), gamma=-0.5), ValueError, ("gamma", "-0.5")),
    ("OneCycleLR anneal", lambda: optim.OneCycleLR(_sgd(), 0.1, total_steps=10, anneal_strategy="exp"), ValueError,
     ("anneal_strategy", "'exp'")),
    ("OneCycleLR no length", lambda: optim.OneCycleLR(_sgd(), 0.1), ValueError, ("total_steps",)),
    ("OneCycleLR too many steps", lambda: [s.step() for s in [optim.OneCycleLR(_sgd(), 0.1, total_steps=2)]
                                           for _ in range(3)], ValueError, ("3", "total_steps is 2")),
    ("Plateau mode", lambda: optim.ReduceLROnPlateau(_sgd(), mode="avg"), ValueError, ("mode", "'avg'")),
    ("Plateau threshold_mode", lambda: optim.ReduceLROnPlateau(_sgd(), threshold_mode="pct"), ValueError,
     ("threshold_mode", "'pct'")),
    ("Plateau factor", lambda: optim.ReduceLROnPlateau(_sgd(), factor=1.5), ValueError, ("factor", "1.5")),
    ("Plateau without metric", lambda: optim.ReduceLROnPlateau(_sgd()).step(), TypeError, ("metric", "None")),
    ("SequentialLR milestones", lambda: [optim.SequentialLR(o, [optim.StepLR(o, 2)], [3]) for o in [_sgd()]],
     ValueError, ("milestones", "[3]")),
    ("clip max_norm 0", lambda: nn.utils.clip_grad_norm_([Value(1.0)], 0.0), ValueError, ("max_norm", "0.0")),
    ("clip max_norm negative", lambda: nn.utils.clip_grad_norm_([Value(1.0)], -1.0), ValueError, ("max_norm", "-1.0")),
    ("clip norm_type", lambda: nn.utils.clip_grad_norm_([Value(1.0)], 1.0, norm_type=-2), ValueError,
     ("norm_type", "-2")),
    ("clip_grad_value_ negative", lambda: nn.utils.clip_grad_value_([Value(1.0)], -1.0), ValueError,
     ("clip_value", "-1.0")),
    ("EarlyStopping patience", lambda: nn.EarlyStopping(patience=-1), ValueError, ("patience", "-1")),
    ("EarlyStopping min_delta", lambda: nn.EarlyStopping(min_delta=-0.1), ValueError, ("min_delta", "-0.1")),
    ("EarlyStopping mode", lambda: nn.EarlyStopping(mode="avg"), ValueError, ("mode", "'avg'")),
    ("DataLoader batch_size 0", lambda: nn.data.DataLoader(nn.data.TensorDataset(np.ones(3)), batch_size=0),
     ValueError, ("batch_size", "0")),
    ("DataLoader batch_size float", lambda: nn.data.DataLoader(nn.data.TensorDataset(np.ones(3)), batch_size=2.5),
     TypeError, ("batch_size", "2.5")),
    ("TensorDataset lengths", lambda: nn.data.TensorDataset(np.ones((3, 2)), np.ones(4)), ValueError,
     ("different lengths", "[3, 4]")),
    # ---- layers and state dicts
    ("Linear input shape", lambda: _linear()(np.ones((4, 5))), ValueError, ("in_features=2", "(4, 5)")),
    ("Linear sizes", lambda: nn.Linear(0, 3), ValueError, ("in_features=0",)),
    ("Dropout p", lambda: nn.Dropout(1.5), ValueError, ("[0, 1]", "1.5")),
    ("state dict missing", lambda: _linear().load_state_dict({"weight": np.ones((3, 2))}), KeyError,
     ("missing", "bias")),
    ("state dict unexpected", lambda: _linear().load_state_dict(
        {"weight": np.ones((3, 2)), "bias": np.ones(3), "scale": np.ones(1)}), KeyError, ("unexpected", "scale")),
    ("state dict shapes", lambda: _linear().load_state_dict({"weight": np.ones((2, 2)), "bias": np.ones(3)}),
     ValueError, ("weight", "(3, 2)", "(2, 2)")),
]


@pytest.mark.parametrize(("call", "error", "needles"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_a_clear_message(call: Callable[[], Any], error: type[BaseException],
                                                   needles: tuple[str, ...]) -> None:
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    missing = [n for n in needles if n not in message]
    assert not missing, f"message {message!r} does not mention {missing}"


def test_state_dict_lists_every_missing_and_unexpected_key() -> None:
    model = nn.MLP(2, [3, 1])
    state = dict(model.state_dict())
    del state["0.bias"], state["2.weight"]
    state["head.weight"] = np.ones(1)
    with pytest.raises(KeyError) as info:
        model.load_state_dict(state)
    assert all(k in str(info.value) for k in ("0.bias", "2.weight", "head.weight"))


def test_non_strict_load_reports_missing_and_unexpected_keys() -> None:
    model = _linear()
    missing, unexpected = model.load_state_dict({"weight": np.zeros((3, 2)), "extra": np.ones(1)}, strict=False)
    assert missing == ["bias"] and unexpected == ["extra"]
    np.testing.assert_array_equal(model.weight.data, np.zeros((3, 2)))


# ---------------------------------------------------------------------------- nn.load never unpickles

_MARKER = "unpickled-marker"


def _plant(path: str) -> None:
    """What the pickled payload would run if it were ever unpickled."""
    with open(path, "w") as handle:
        handle.write("code ran")


class _Trap:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (_plant, (self.path,))


def test_load_refuses_pickled_objects_and_runs_nothing(tmp_path: Any) -> None:
    marker = os.fspath(tmp_path / _MARKER)
    path = os.fspath(tmp_path / "model.npz")
    np.savez(path, weight=np.ones((3, 2)), payload=np.array([_Trap(marker)], dtype=object))
    with pytest.raises(ValueError) as info:
        nn.load(path)
    assert "payload" in str(info.value) and "pickle" in str(info.value)
    assert not os.path.exists(marker)
    with pytest.raises(ValueError):
        nn.load(path, into=_linear())
    assert not os.path.exists(marker)

    # The trap is real: unpickling the same file does run the payload.
    with np.load(path, allow_pickle=True) as archive:
        archive["payload"]
    assert os.path.exists(marker)


def test_save_refuses_objects(tmp_path: Any) -> None:
    with pytest.raises(TypeError, match="object"):
        nn.save({"w": np.array([object()], dtype=object)}, os.fspath(tmp_path / "x.npz"))
