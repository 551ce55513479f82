"""nn: neural-network modules, activations, losses and optimizers built on autograd.

>>> import nn
>>> from nn import optim
>>> model = nn.MLP(2, [16, 16, 2])
>>> opt = optim.AdamW(model.parameters(), lr=0.01)

Everything here is composed from autograd's public primitives; no activation or
loss defines a derivative of its own.
"""

from autograd import enable_grad, no_grad
from nn import data, functional, init, metrics, optim, utils
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
from nn.activations_hard import (
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    ReLU6,
    Softsign,
    hardsigmoid,
    hardswish,
    hardtanh,
    relu6,
    softsign,
)
from nn.activations_smooth import (
    CELU,
    SELU,
    LogSigmoid,
    Mish,
    Softmin,
    Tanhshrink,
    celu,
    logsigmoid,
    mish,
    selu,
    softmin,
    tanhshrink,
)
from nn.attention import MultiheadAttention, scaled_dot_product_attention
from nn.containers import ModuleDict, ModuleList, ParameterList
from nn.conv import Conv1d, Conv2d, conv1d, conv2d
from nn.early_stopping import EarlyStopping
from nn.embedding import Embedding, embedding
from nn.export import export_onnx
from nn.flatten import Flatten, Identity, Unflatten
from nn.init import manual_seed
from nn.layers import MLP, Dropout, Linear, Sequential
from nn.losses import (
    CosineEmbeddingLoss,
    HingeLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    SmoothL1Loss,
    cosine_embedding_loss,
    hinge_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from nn.losses_classification import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    NLLLoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    nll_loss,
)
from nn.module import Module, Parameter
from nn.normalization import (
    BatchNorm1d,
    BatchNorm2d,
    GroupNorm,
    LayerNorm,
    batch_norm,
    group_norm,
    layer_norm,
)
from nn.pooling import (
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from nn.regularization import l1_penalty, l2_penalty, regularized_loss
from nn.serialization import load, save
from nn.threads import get_num_threads, num_threads, set_num_threads

__all__ = ["export_onnx",
    "CELU", "ELU", "GELU", "MLP", "SELU", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout",
    "EarlyStopping", "Hardsigmoid", "Hardswish", "Hardtanh", "HingeLoss", "HuberLoss", "L1Loss", "LeakyReLU",
    "Linear", "LogSigmoid", "LogSoftmax", "MSELoss", "Mish", "Module", "NLLLoss", "PReLU", "Parameter", "ReLU",
    "ReLU6", "Sequential", "SiLU", "Sigmoid", "Softmax", "Softmin", "Softplus", "Softsign", "Swish", "Tanh",
    "Tanhshrink", "binary_cross_entropy", "binary_cross_entropy_with_logits", "celu", "cross_entropy", "data", "elu",
    "gelu", "hardsigmoid", "hardswish", "hardtanh", "hinge_loss", "huber_loss", "init", "l1_loss", "l1_penalty",
    "l2_penalty", "leaky_relu", "load", "log_softmax", "logsigmoid", "manual_seed", "metrics", "mish", "mse_loss",
    "nll_loss", "optim", "prelu", "regularized_loss", "relu", "relu6", "save", "selu", "sigmoid", "silu", "softmax",
    "softmin", "softplus", "softsign", "swish", "tanh", "tanhshrink", "utils",
    "get_num_threads", "num_threads", "set_num_threads",
    # layers beyond the MLP
    "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "Embedding",
    "Flatten", "GroupNorm", "Identity", "LayerNorm", "MaxPool1d", "MaxPool2d", "MultiheadAttention", "Unflatten",
    "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "batch_norm", "conv1d", "conv2d", "embedding", "group_norm",
    "layer_norm", "max_pool1d", "max_pool2d", "scaled_dot_product_attention",
    # PyTorch habits
    "CosineEmbeddingLoss", "KLDivLoss", "ModuleDict", "ModuleList", "ParameterList", "SmoothL1Loss",
    "cosine_embedding_loss", "enable_grad", "functional", "kl_div", "no_grad", "smooth_l1_loss",
]
