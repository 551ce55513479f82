"""nn: neural-network modules, activations, losses and optimizers built on autograd.

>>> import nn
>>> from nn import optim
>>> model = nn.MLP(2, [16, 16, 2])
>>> opt = optim.AdamW(model.parameters(), lr=0.01)

Everything here is composed from autograd's public primitives; no activation or
loss defines a derivative of its own.
"""

from nn import data, init, metrics, optim
from nn.activations import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Swish,
    Tanh,
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    prelu,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    swish,
    tanh,
)
from nn.init import manual_seed
from nn.layers import MLP, Dropout, Linear, Sequential
from nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
from nn.module import Module, Parameter
from nn.regularization import l2_penalty, regularized_loss
from nn.serialization import load, save

__all__ = [
    "ELU", "GELU", "MLP", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "HingeLoss", "HuberLoss",
    "L1Loss", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "Module", "NLLLoss", "PReLU", "Parameter", "ReLU",
    "Sequential", "SiLU", "Sigmoid", "Softmax", "Softplus", "Swish", "Tanh", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "data", "elu", "gelu", "hinge_loss", "huber_loss", "init",
    "l1_loss", "l2_penalty", "leaky_relu", "load", "log_softmax", "manual_seed", "metrics", "mse_loss", "nll_loss",
    "optim", "prelu", "regularized_loss", "relu", "save", "sigmoid", "silu", "softmax", "softplus", "swish", "tanh",
]
