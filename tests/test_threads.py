"""Graph modes are per thread (as PyTorch's grad mode): training in several threads gives each its own answers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

import nn
from autograd import Value, detect_anomaly, is_grad_enabled, no_grad
from autograd.anomaly import is_anomaly_enabled
from autograd.engine import general_path
from autograd.mode import STATE


def _in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * n
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(k: int) -> None:
        try:
            start.wait()
            results[k] = work(k)
        except BaseException as error:  # noqa: BLE001  (reported by the test below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_no_grad_in_one_thread_leaves_another_recording() -> None:
    entered, checked = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def quiet() -> None:
        with no_grad():
            entered.set()
            checked.wait(10)
            seen["inside"] = is_grad_enabled()

    thread = threading.Thread(target=quiet)
    thread.start()
    entered.wait(10)
    x = Value(2.0)
    y = x * 3.0
    seen["here"] = is_grad_enabled() and not y.is_leaf
    checked.set()
    thread.join(10)
    assert seen == {"inside": False, "here": True}


def test_modes_start_fresh_in_a_new_thread() -> None:
    with no_grad(), detect_anomaly(), general_path():
        (flags,) = _in_threads(1, lambda k: (STATE.flags, STATE.general_path, is_anomaly_enabled()))
    assert flags == (1, False, False)


def _train(seed: int, steps: int = 60) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    layers = [nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)]
    for k, p in enumerate(layers[0].parameters()):
        p.data[...] = np.random.default_rng([seed, k]).standard_normal(p.shape) * 0.5
    for k, p in enumerate(layers[2].parameters()):
        p.data[...] = np.random.default_rng([seed, k, 2]).standard_normal(p.shape) * 0.5
    model = nn.Sequential(*layers)
    opt = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        with no_grad():  # an evaluation in the middle of each step, as a training loop does
            model(X)
        loss = nn.mse_loss(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [p.data.copy() for p in model.parameters()]


def test_two_and_four_threads_train_separate_models_as_one_thread_does() -> None:
    alone = [_train(seed) for seed in range(4)]
    for n in (2, 4):
        together = _in_threads(n, _train)
        for mine, reference in zip(together, alone, strict=False):
            assert all(np.array_equal(a, b) for a, b in zip(mine, reference, strict=True))


def test_threads_sharing_a_parameter_add_up_every_gradient() -> None:
    shared = Value(np.ones(3))

    def steps(k: int) -> None:
        for _ in range(100):
            with no_grad():
                (shared * 2.0).sum()
            (shared * 1.0).sum().backward()

    _in_threads(5, steps)
    assert np.array_equal(shared.grad, np.full(3, 500.0))


def test_detect_anomaly_in_one_thread_checks_only_that_thread() -> None:
    def other(k: int) -> float:
        with np.errstate(divide="ignore"):
            return float(Value(0.0).log().data)  # -inf, no error: this thread is not in anomaly mode

    with detect_anomaly():
        (result,) = _in_threads(1, other)
    assert result == -np.inf


def test_an_export_in_one_thread_leaves_another_threads_ops_plain() -> None:
    from autograd.program import Derived, derived, is_recording_recipes, recording_recipes

    inside, done, seen = threading.Event(), threading.Event(), {}

    def exporter() -> None:
        with recording_recipes():
            inside.set()
            done.wait(10)

    thread = threading.Thread(target=exporter)
    thread.start()
    try:
        assert inside.wait(10)
        x = Value(np.array([1.0, -2.0]), requires_grad=True)
        seen["array"] = type(derived("greater_equal", x))
        seen["recording"] = is_recording_recipes()
    finally:
        done.set()
        thread.join()
    assert seen == {"array": np.ndarray, "recording": False}  # this thread is not exporting
    with recording_recipes():  # while the thread that exports sees recipes
        assert type(derived("greater_equal", x)) is Derived and is_recording_recipes()
    assert not is_recording_recipes()
