"""The work the benchmarks time, written once for every engine: the moons data, micrograd's own
demo step, and micrograd's network code running on deltagrad's Values."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable, Sequence

import numpy as np

import nn
from autograd import Value, compile_graph

ALPHA = 1e-4  # micrograd's demo: L2 strength
LR = 0.05  # a fixed SGD step for every engine
MICROGRAD_MISSING = "micrograd is not installed (pip install '.[bench]', or make bench): its baselines are skipped"


def moons(n: int = 100, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """``n`` points of the two moons as lists of floats, with labels -1 and +1 (the SVM's)."""
    X, y = nn.data.moons(n, noise=0.1, seed=seed)
    return X.tolist(), (2.0 * y - 1.0).tolist()


def load_micrograd() -> ModuleType | None:
    """micrograd's ``nn`` module, or None when the package is missing."""
    try:
        return importlib.import_module("micrograd.nn")
    except ImportError:
        return None


def micrograd_twin(model: nn.MLP, mg_nn: ModuleType) -> Any:
    """A micrograd MLP of the same shape holding the same weights as ``model`` (ReLU hidden layers,
    linear output, micrograd's only kind)."""
    twin = mg_nn.MLP(model.nin, list(model.nouts))
    copy_weights(model, twin)
    return twin


def copy_weights(source: Any, target: Any) -> None:
    """Copy ``.data`` of every parameter, in order, from one model to another (either engine)."""
    params, twins = source.parameters(), target.parameters()
    if len(params) != len(twins):
        raise ValueError(f"copy_weights: {len(params)} parameters into {len(twins)}")
    for p, q in zip(params, twins):
        q.data = p.data


class ChainMLP:
    """micrograd's ``nn.MLP`` line for line, on deltagrad Values: each neuron is a chain of
    binary ``*`` and ``+`` (``sum(wi*xi ..., b)``), not one ``dot`` node.

    Args:
        model: an ``nn.MLP`` whose shape and weights to copy.
    """

    def __init__(self, model: nn.MLP) -> None:
        self.layers = [[([Value(w.data) for w in n.w], Value(n.b.data)) for n in layer.neurons] for layer in model.layers]

    def __call__(self, x: Sequence[Any]) -> Any:
        for k, layer in enumerate(self.layers):
            outs = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = outs if k == len(self.layers) - 1 else [v.relu() for v in outs]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        """Weights then bias, neuron by neuron, layer by layer (micrograd's order)."""
        return [p for layer in self.layers for w, b in layer for p in w + [b]]


def micrograd_loss(model: Callable, params: list, rows: list, targets: list) -> Any:
    """micrograd's moons demo loss, word for word (it runs on either engine's Values): the SVM
    max-margin loss averaged over the samples plus an L2 penalty."""
    scores = [model(row) for row in rows]
    losses = [(1 + -t * s).relu() for t, s in zip(targets, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


def deltagrad_loss(model: nn.MLP, params: list, rows: list, targets: list) -> Value:
    """The same loss with deltagrad's nn: one ``dot`` node per neuron, nn's hinge and L2 losses."""
    return nn.hinge([model(row) for row in rows], targets) + nn.l2_penalty(params, ALPHA)


def sgd_step(loss: Any, params: list, lr: float = LR) -> float:
    """Backward from ``loss`` and one SGD update (either engine); returns the loss."""
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def replay_step(loss: Value, inputs: list[Value], params: list[Value], batch: np.ndarray) -> Callable[[], float]:
    """A training step as a batched replay: ``loss`` is one sample's graph, compiled once and
    replayed over ``batch`` (its rows: the inputs' values), averaged, with the SGD update on arrays
    (a training session, whose parameters are written back into the Values when it is closed)."""
    session = compile_graph(loss, inputs, params, reduction="mean").training(lr=LR)
    return lambda: float(session.step(batch).mean())


def count_nodes(root: Any) -> int:
    """Nodes reachable from ``root`` in either engine (micrograd's ``_prev``), iteratively."""
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The slope of log(y) against log(x), least squares."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])
