"""Optimizers and learning-rate schedulers with PyTorch's update rules: ``from nn import optim``."""

from nn.optim.adagrad import Adagrad
from nn.optim.adam import Adam, AdamW
from nn.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    SequentialLR,
    StepLR,
)
from nn.optim.one_cycle import OneCycleLR
from nn.optim.optimizer import Optimizer
from nn.optim.plateau import ReduceLROnPlateau
from nn.optim.rmsprop import RMSprop
from nn.optim.sgd import SGD

__all__ = [
    "SGD", "Adagrad", "Adam", "AdamW", "CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR",
    "MultiStepLR", "OneCycleLR", "Optimizer", "RMSprop", "ReduceLROnPlateau", "SequentialLR", "StepLR",
]
