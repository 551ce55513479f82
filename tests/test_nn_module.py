"""Module, Parameter, layers, init, state dicts and .npz serialization."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Value


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inner = nn.Linear(3, 4)
        self.act = nn.PReLU()
        self.scale = nn.Parameter(np.ones(4))

    def forward(self, x):
        return self.act(self.inner(x)) * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.Linear(4, 2), nn.Swish(learnable=True))

    def forward(self, x):
        return self.head(self.block(x))


def test_named_parameters_use_dotted_names_in_registration_order() -> None:
    names = [name for name, _ in Net().named_parameters()]
    assert names == ["block.scale", "block.inner.weight", "block.inner.bias", "block.act.alpha",
                     "head.0.weight", "head.0.bias", "head.1.beta"]


def test_weights_are_the_matrices_only() -> None:
    net = Net()
    assert [name for name, _ in net.named_weights()] == ["block.inner.weight", "head.0.weight"]
    assert [id(p) for p in net.weights()] == [id(net.block.inner.weight), id(net.head[0].weight)]


def test_shared_parameter_listed_once_and_reassignment_replaces() -> None:
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    block = Block()
    block.scale = nn.Parameter(np.zeros(4))
    block.scale = 3.0  # no longer a Parameter: unregistered
    assert "scale" not in dict(block.named_parameters())


def test_zero_grad_and_train_eval_reach_every_submodule() -> None:
    net = Net()
    out = net(np.ones((5, 3))).sum()
    out.backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_setattr_before_init_is_a_clear_error() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(1.0)

    with pytest.raises(AttributeError, match="super"):
        Broken()


def test_repr_is_readable() -> None:
    text = repr(nn.MLP(2, [8, 1]))
    assert text == (
        "MLP(\n"
        "  (0): Linear(in_features=2, out_features=8, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=8, out_features=1, bias=True)\n"
        ")"
    )
    assert "Sequential(" in repr(Net()) and "(head): Sequential(" in repr(Net())


# ---------------------------------------------------------------------------
# layers


def test_linear_computes_x_wt_plus_b() -> None:
    layer = nn.Linear(3, 2)
    x = np.arange(12.0).reshape(4, 3)
    w, b = np.asarray(layer.weight.data), np.asarray(layer.bias.data)
    expected = np.array([[sum(x[i, k] * w[j, k] for k in range(3)) + b[j] for j in range(2)] for i in range(4)])
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-12)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert nn.Linear(3, 2, bias=False).bias is None


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in() -> None:
    layer = nn.Linear(400, 300, rng=np.random.default_rng(0))
    bound = 1.0 / math.sqrt(400)
    w = np.asarray(layer.weight.data)
    assert np.all(np.abs(w) <= bound) and np.all(np.abs(layer.bias.data) <= bound)
    assert abs(w.std() - bound / math.sqrt(3.0)) < 0.01 * bound  # the std of U(-b, b)


def test_linear_rejects_wrong_input_width() -> None:
    with pytest.raises(ValueError, match=r"in_features=3.*\(4, 2\)"):
        nn.Linear(3, 1)(np.ones((4, 2)))


def test_manual_seed_makes_models_reproducible() -> None:
    nn.manual_seed(7)
    a = nn.MLP(2, [4, 1]).state_dict()
    nn.manual_seed(7)
    b = nn.MLP(2, [4, 1]).state_dict()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_float32_model_stays_float32() -> None:
    model = nn.MLP(2, [4, 1], dtype=np.float32)
    out = model(np.ones((3, 2), dtype=np.float32))
    assert out.dtype == np.float32 and all(p.dtype == np.float32 for p in model.parameters())


def test_dropout_train_and_eval() -> None:
    drop = nn.Dropout(0.25, rng=np.random.default_rng(0))
    x = Value(np.ones((200, 50)))
    y = drop(x)
    kept = np.asarray(y.data) != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(np.asarray(y.data)[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.75)  # d out/dx = mask / (1 - p)
    drop.eval()
    assert drop(x) is x
    assert np.all(nn.Dropout(1.0)(x).data == 0)
    with pytest.raises(ValueError, match="1.5"):
        nn.Dropout(1.5)


def test_mlp_layout_and_activation_choice() -> None:
    model = nn.MLP(3, [5, 5, 2], activation=nn.Tanh)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert model(np.zeros((7, 3))).shape == (7, 2)


def test_prelu_alpha_and_swish_beta_learn() -> None:
    prelu = nn.PReLU(num_parameters=3, init=0.1)
    x = Value(np.array([[-1.0, 2.0, -3.0], [-2.0, -1.0, 1.0]]))
    prelu(x).sum().backward()
    np.testing.assert_allclose(prelu.alpha.grad, [-3.0, -1.0, -3.0])  # d/dalpha_c = sum of negative x in channel c
    swish = nn.Swish(beta=1.0, learnable=True)
    assert [n for n, _ in swish.named_parameters()] == ["beta"]
    z = 0.7
    swish(Value(z)).backward()
    s = 1 / (1 + math.exp(-z))
    assert swish.beta.grad == pytest.approx(z * z * s * (1 - s), rel=1e-12)  # d/dbeta x sigma(beta x)
    assert list(nn.Swish(2.0).parameters()) == []


# ---------------------------------------------------------------------------
# init


def test_init_bounds_and_fills() -> None:
    rng = np.random.default_rng(1)
    w = nn.Parameter(np.zeros((300, 200)))
    nn.init.xavier_uniform_(w, rng=rng)
    assert np.abs(w.data).max() <= math.sqrt(6 / 500)
    nn.init.kaiming_uniform_(w, nonlinearity="relu", rng=rng)
    assert np.abs(w.data).max() <= math.sqrt(2) * math.sqrt(3 / 200)
    nn.init.kaiming_normal_(w, nonlinearity="relu", rng=rng)
    assert abs(np.std(w.data) - math.sqrt(2 / 200)) < 0.01 * math.sqrt(2 / 200) * 3
    nn.init.xavier_normal_(w, rng=rng)
    assert abs(np.std(w.data) - math.sqrt(2 / 500)) < 0.03 * math.sqrt(2 / 500)
    nn.init.zeros_(w)
    assert not np.any(w.data)
    nn.init.constant_(w, 0.5)
    assert np.all(w.data == 0.5)
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)


# ---------------------------------------------------------------------------
# state dicts and files


def test_state_dict_round_trip_copies() -> None:
    source, target = Net(), Net()
    state = source.state_dict()
    state["block.scale"][0] = 123.0  # a copy: the model is untouched
    assert source.block.scale.data[0] == 1.0
    target.load_state_dict(source.state_dict())
    x = np.ones((2, 3))
    np.testing.assert_array_equal(source(x).data, target(x).data)
    assert target.head[1].beta.data == source.head[1].beta.data


def test_load_state_dict_strict_lists_missing_and_unexpected_keys() -> None:
    net = Net()
    state = net.state_dict()
    del state["block.inner.bias"]
    state["block.extra"] = np.zeros(2)
    with pytest.raises(KeyError) as info:
        net.load_state_dict(state)
    assert "block.inner.bias" in str(info.value) and "block.extra" in str(info.value)
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert missing == ["block.inner.bias"] and unexpected == ["block.extra"]


def test_load_state_dict_lists_misshaped_keys() -> None:
    net = Net()
    state = net.state_dict()
    state["head.0.weight"] = np.zeros((3, 3))
    state["block.scale"] = np.zeros(5)
    with pytest.raises(ValueError) as info:
        net.load_state_dict(state)
    assert "head.0.weight: expected (2, 4), got (3, 3)" in str(info.value)
    assert "block.scale: expected (4,), got (5,)" in str(info.value)


def test_save_and_load_npz(tmp_path) -> None:
    net = Net()
    path = tmp_path / "model.npz"
    nn.save(net, path)
    state = nn.load(path)
    assert list(state) == list(net.state_dict())
    other = Net()
    nn.load(path, into=other)
    x = np.ones((2, 3))
    np.testing.assert_array_equal(net(x).data, other(x).data)


def test_load_refuses_pickled_objects(tmp_path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([{"not": "an array"}], dtype=object))
    with pytest.raises(ValueError, match="pickled"):
        nn.load(path)


def test_save_refuses_non_numeric(tmp_path) -> None:
    with pytest.raises(TypeError, match="object"):
        nn.save({"w": np.array([None], dtype=object)}, tmp_path / "x.npz")
