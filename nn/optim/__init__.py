"""Optimizers and learning-rate schedulers with PyTorch's update rules: ``from nn import optim``."""

from nn.optim.adam import Adam, AdamW
from nn.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR
from nn.optim.optimizer import Optimizer
from nn.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "CosineAnnealingLR", "LRScheduler", "Optimizer", "StepLR"]
