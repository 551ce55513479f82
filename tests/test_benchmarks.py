"""The benchmark workloads compute what they claim: ours agrees with the hand-written NumPy floor.

No timing is asserted here. These checks keep ``benchmarks/`` honest as the engine and
``nn`` change: the same steps from the same weights must give the floor's loss (and, for
W4 and W2, its gradients), so a speed figure is never reported for a wrong computation.
"""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from benchlib import data, floor, ours  # noqa: E402
from benchlib.scalar_mlp import ScalarWorkload  # noqa: E402

import autograd  # noqa: E402


def test_w1_scalar_and_batched_match_the_floor_over_two_steps():
    X, y = data.moons()
    params = floor.fresh(data.scalar_mlp_weights(data.W1_SIZES))
    expected = [floor.w1_step(params, X, y, data.w1_learning_rate(k)) for k in range(2)]
    scalar = ScalarWorkload(autograd.Value)
    scalar.reset()
    batched = ours.w1_tensor_job()
    batched.setup()
    for k in range(2):
        assert scalar.step() == pytest.approx(expected[k], rel=1e-12)
        assert batched.step() == pytest.approx(expected[k], rel=1e-12)


@pytest.mark.parametrize("dtype, rel", [("float64", 1e-10), ("float32", 1e-5)])
def test_w3_matches_the_floor_over_two_sgd_steps(dtype, rel):
    X, labels = data.w3_batch(dtype)
    params = floor.fresh(data.linear_weights(data.W3_SIZES, dtype))
    expected = [floor.w3_step(params, X, labels) for _ in range(2)]
    job = ours.w3_job(dtype)
    job.setup()
    got = [job.step() for _ in range(2)]
    assert got == pytest.approx(expected, rel=rel)


@pytest.mark.parametrize("dtype, rel", [("float64", 1e-10), ("float32", 1e-5)])
def test_w3_budget_arrays_only_step_matches_the_floor(dtype, rel):
    import w3_budget

    X, labels = data.w3_batch(dtype)
    params = floor.fresh(data.linear_weights(data.W3_SIZES, dtype))
    expected = [floor.w3_step(params, X, labels) for _ in range(2)]
    params = floor.fresh(data.linear_weights(data.W3_SIZES, dtype))
    for k in range(2):
        assert w3_budget.arrays_only_step(params, X, labels) == pytest.approx(expected[k], rel=rel)


def test_w4_gradients_match_the_floor():
    x0, a0, b0 = data.w4_inputs()
    out, grads = floor.w4_forward_backward(x0, a0, b0)
    x, a, b = autograd.Value(x0), autograd.Value(a0), autograd.Value(b0)
    y = x
    for k in range(data.W4_OPS):
        y = [lambda t: t * a, lambda t: t + b, lambda t: t.tanh(), lambda t: t.sin()][k % 4](y)
    total = y.sum()
    total.backward()
    assert float(total.data) == pytest.approx(out, rel=1e-12)
    for got, want in zip((x.grad, a.grad, b.grad), grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-300)


def test_w2_chain_gradient_matches_the_python_float_floor():
    y, g = ours.w2_chain(2000)
    y_ref, g_ref = floor.w2_chain(2000)
    assert y == pytest.approx(y_ref, rel=1e-12)
    assert g == pytest.approx(g_ref, rel=1e-10)
    assert math.isfinite(g) and g != 0.0


@pytest.mark.parametrize("dtype, rel", [("float64", 1e-10), ("float32", 1e-5)])
def test_w5_matches_the_floor_over_three_adamw_steps_and_resets(dtype, rel):
    from benchlib import w5

    expected = [w5.floor_loss(dtype, k) for k in (1, 2, 3)]
    for job in (w5.ours_job(dtype), w5.floor_job(dtype)):
        for _ in range(2):  # the setup puts the weights and AdamW's state back to the start
            job.setup()
            assert [job.step() for _ in range(3)] == pytest.approx(expected, rel=rel)
    # the saved initial state (what the peers' workers load) is the same state
    with w5.state_file() as path:
        state = w5.load_state(path)
    assert w5.floor_loss(dtype, 2, state) == expected[1]
