"""``nn.functional`` (``import nn.functional as F``): the functional form of every layer, activation and loss.

Each name is the function that the Module of the same family calls (``F.relu`` is ``nn.relu``, which
``nn.ReLU`` calls), so a model may mix both styles. Layers hold parameters; their functional forms take
them as arguments (``F.linear(x, weight, bias)``, ``F.conv2d(x, weight, bias, stride, padding)``). The
containers (``Sequential``, ``ModuleList``, ...) have none. ``Flatten`` and ``Unflatten`` are the
methods ``x.flatten(start_dim, end_dim)`` and ``x.reshape``; ``Identity`` is ``x`` itself.
"""

from __future__ import annotations

from autograd import linear
from nn.activations import (
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
from nn.activations_hard import hardsigmoid, hardswish, hardtanh, relu6, softsign
from nn.activations_smooth import celu, logsigmoid, mish, selu, softmin, tanhshrink
from nn.attention import scaled_dot_product_attention
from nn.conv import conv1d, conv2d
from nn.embedding import embedding
from nn.layers import dropout
from nn.losses import (
    cosine_embedding_loss,
    hinge_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from nn.losses_classification import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, nll_loss
from nn.normalization import batch_norm, group_norm, layer_norm
from nn.pooling import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d

__all__ = [
    # layers
    "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "batch_norm", "conv1d", "conv2d", "dropout", "embedding",
    "group_norm", "layer_norm", "linear", "max_pool1d", "max_pool2d", "scaled_dot_product_attention",
    # activations
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "log_softmax", "logsigmoid", "mish",
    "prelu", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softmin", "softplus", "softsign", "swish",
    "tanh", "tanhshrink",
    # losses
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss", "cross_entropy",
    "hinge_loss", "huber_loss", "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
]
