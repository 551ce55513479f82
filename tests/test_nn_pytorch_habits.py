"""nn's PyTorch habits: containers, hooks, zero_grad(set_to_none), nn.functional, nn.no_grad."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Value
from nn import optim


def test_module_list_registers_its_modules_under_pytorchs_names() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])

        def forward(self, x: object) -> object:
            for block in self.blocks:
                x = block(x)
            return x

    net = Net()
    assert list(net.state_dict()) == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias"]
    assert len(list(net.parameters())) == 4
    net.blocks.append(nn.ReLU()).extend([nn.Linear(3, 1)])
    net.blocks.insert(0, nn.Identity())
    assert [type(m).__name__ for m in net.blocks] == ["Identity", "Linear", "Linear", "ReLU", "Linear"]
    assert "blocks.4.weight" in net.state_dict() and isinstance(net.blocks[1:3], nn.ModuleList)
    del net.blocks[0]
    assert "blocks.3.weight" in net.state_dict() and len(net.blocks) == 4
    assert net(np.ones((2, 3))).shape == (2, 1)
    with pytest.raises(TypeError, match="holds Modules, got function"):
        nn.ModuleList([lambda x: x])
    with pytest.raises(TypeError, match="holds Modules"):
        net.blocks.append(np.ones(3))  # type: ignore[arg-type]


def test_module_dict_and_parameter_list() -> None:
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 3)})
    assert list(heads) == ["a", "b"] and "a" in heads and heads["b"].out_features == 3
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    heads.pop("a")
    assert list(heads.keys()) == ["b"]
    with pytest.raises(TypeError, match="holds Modules"):
        heads["c"] = 3  # type: ignore[assignment]
    params = nn.ParameterList([np.ones(2), Value(np.zeros(3))])
    assert [p.shape for p in params.parameters()] == [(2,), (3,)] and list(params.state_dict()) == ["0", "1"]
    assert all(isinstance(p, nn.Parameter) for p in params)


def test_sequential_slicing_insert_and_extend() -> None:
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    head = model[0:2]
    assert isinstance(head, nn.Sequential) and head(np.ones((1, 2))).shape == (1, 4)
    model.insert(1, nn.Tanh())
    model.extend([nn.Sigmoid()])
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "ReLU", "Linear", "Sigmoid"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    with pytest.raises(IndexError):
        model.insert(9, nn.ReLU())


def test_forward_hooks_and_their_handles() -> None:
    layer = nn.Linear(2, 2)
    seen: list[tuple[int, ...]] = []
    pre = layer.register_forward_pre_hook(lambda module, args: (args[0] * 2.0,))
    post = layer.register_forward_hook(lambda module, args, out: seen.append(out.shape) or out + 1.0)
    x = np.ones((3, 2))
    expected = (2 * x) @ layer.weight.data.T + layer.bias.data + 1.0
    np.testing.assert_allclose(layer(x).data, expected)
    assert seen == [(3, 2)]
    pre.remove()
    post.remove()
    post.remove()  # twice is harmless
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)
    assert seen == [(3, 2)] and layer._hooks is None


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_set_to_none(owner: str) -> None:
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    zero_grad = model.zero_grad if owner == "module" else opt.zero_grad
    model(np.ones((1, 2))).sum().backward()
    zero_grad(set_to_none=False)
    assert all(isinstance(p.grad, np.ndarray) and not p.grad.any() for p in model.parameters())
    zero_grad()
    assert all(p.grad is None for p in model.parameters())
    zero_grad(set_to_none=False)  # a missing gradient stays missing, as PyTorch
    assert all(p.grad is None for p in model.parameters())


def test_functional_names_every_function_of_nn_and_the_same_objects() -> None:
    functions = {name for name in nn.__all__ if name[0].islower() and callable(getattr(nn, name))
                 and not inspect.ismodule(getattr(nn, name))}
    not_layers = {"load", "save", "manual_seed", "l1_penalty", "l2_penalty", "regularized_loss", "no_grad",
                  "enable_grad", "export_onnx", "set_num_threads", "get_num_threads", "num_threads"}
    assert functions - not_layers <= set(F.__all__)
    for name in functions & set(F.__all__):
        assert getattr(F, name) is getattr(nn, name)
    assert F.linear is autograd.linear and callable(F.dropout) and callable(F.conv2d)
    assert nn.no_grad is autograd.no_grad and nn.enable_grad is autograd.enable_grad


def test_every_layer_module_has_its_functional_form() -> None:
    """Each Module class of nn names a function in F (its lower-case name or the one listed here)."""
    spelled = {"BCELoss": "binary_cross_entropy", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
               "CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss", "KLDivLoss": "kl_div",
               "MultiheadAttention": "scaled_dot_product_attention", "BatchNorm1d": "batch_norm",
               "BatchNorm2d": "batch_norm", "LeakyReLU": "leaky_relu", "LogSoftmax": "log_softmax",
               "LogSigmoid": "logsigmoid"}
    without = {"Module", "Parameter", "Sequential", "MLP", "ModuleList", "ModuleDict", "ParameterList",
               "EarlyStopping", "Identity", "Flatten", "Unflatten"}  # containers; methods (x.flatten)
    for name in nn.__all__:
        cls = getattr(nn, name)
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)) or name in without:
            continue
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()  # MaxPool2d -> max_pool2d
        candidates = {spelled.get(name), name.lower(), snake, name.lower().replace("loss", "_loss")}
        assert candidates & set(F.__all__), f"nn.{name} has no functional form in nn.functional"


def test_softmax_takes_dim() -> None:
    x = Value(np.random.default_rng(0).normal(size=(2, 3)))
    np.testing.assert_array_equal(nn.softmax(x, dim=0).data, nn.softmax(x, axis=0).data)
    np.testing.assert_array_equal(nn.Softmax(dim=0)(x).data, nn.softmax(x, 0).data)
    np.testing.assert_array_equal(F.log_softmax(x, dim=1).data, x.log_softmax(dim=1).data)
    with pytest.raises(TypeError, match="both axis= and dim="):
        nn.softmax(x, axis=0, dim=1)
    with pytest.raises(TypeError, match="unexpected"):
        nn.Softmax(dims=0)
