"""deltagrad's neural networks, built from ``autograd.Value``."""

from . import data, deltas, functional, init
from .activations import ACTIVATIONS, activation, softmax
from .handcheck import HandCheck
from .layers import MLP, Layer, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge, huber, l2_penalty, mae, mse
from .module import Module
from .optim import SGD, Adam, Optimizer
from .torch_bridge import to_torch_state_dict, torch_code
from .train import History, evaluate, fit

__all__ = [
    "ACTIVATIONS",
    "Adam",
    "HandCheck",
    "History",
    "Layer",
    "MLP",
    "Module",
    "Neuron",
    "Optimizer",
    "SGD",
    "activation",
    "binary_cross_entropy",
    "cross_entropy",
    "data",
    "deltas",
    "evaluate",
    "fit",
    "functional",
    "hinge",
    "huber",
    "init",
    "l2_penalty",
    "mae",
    "mse",
    "softmax",
    "to_torch_state_dict",
    "torch_code",
]
