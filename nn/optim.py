"""Optimisers: plain/momentum SGD and Adam, updating ``Value.data`` from ``Value.grad``.

Both follow PyTorch's update rules, so results can be checked against hand computations:
SGD keeps a velocity u ← μ·u + g and steps p ← p - lr·u; Adam keeps bias-corrected moving
averages of g and g².
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd import Value, validate

__all__ = ["Optimizer", "SGD", "Adam"]


def _below_one(x: Any, name: str) -> float:
    """A decay rate: a finite number in [0, 1)."""
    rate = validate.positive(x, name, zero=True)
    if rate >= 1:
        raise ValueError(f"{name} must be < 1, got {rate}")
    return rate


class Optimizer:
    """Holds the parameters; subclasses define ``update(i, p)`` for parameter i.

    Args:
        params: the Values to train, each once, e.g. ``model.parameters()``.
    """

    def __init__(self, params: Iterable[Value]) -> None:
        if isinstance(params, Value):
            raise TypeError(f"params must be an iterable of Values (e.g. model.parameters()), got {validate.shown(params)}")
        self.params = validate.items(params, "params", "an iterable of Values (e.g. model.parameters())")
        if not self.params:
            raise ValueError("params is empty: nothing to optimise")
        seen: dict[Value, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {validate.shown(p)}")
            if p in seen:  # it would be stepped twice per step()
                raise ValueError(f"params[{i}] is params[{seen[p]}] again ({p!r}); give each parameter once")
            seen[p] = i
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``.

        Raises:
            FloatingPointError: a gradient is NaN or inf (nothing is updated).
        """
        for i, p in enumerate(self.params):
            if not math.isfinite(p.grad):
                name = p.label or f"params[{i}]"
                raise FloatingPointError(f"{type(self).__name__}.step: the gradient of {name} is {p.grad}")
        self.steps += 1
        for i, p in enumerate(self.params):
            self.update(i, p)

    def update(self, i: int, p: Value) -> None:
        """Change ``p.data`` using ``p.grad``; ``i`` indexes per-parameter state."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (PyTorch's form).

    Args:
        params: the Values to train, e.g. ``model.parameters()``.
        lr: the learning rate, > 0.
        momentum: μ in [0, 1); 0 gives p ← p - lr·g.
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params)
        self.lr = validate.positive(lr, "lr")
        self.momentum = _below_one(momentum, "momentum")
        self.velocity = [0.0] * len(self.params)

    def update(self, i: int, p: Value) -> None:
        """u ← μ·u + g; p ← p - lr·u."""
        self.velocity[i] = self.momentum * self.velocity[i] + p.grad
        p.data -= self.lr * self.velocity[i]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015).

    Args:
        params: the Values to train.
        lr: the learning rate, > 0.
        betas: decay rates (β1, β2) of the moving averages of g and g², each in [0, 1).
        eps: added to √v̂ to avoid division by zero, > 0.
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        super().__init__(params)
        self.lr = validate.positive(lr, "lr")
        pair = validate.items(betas, "betas", "a pair (beta1, beta2)")
        if len(pair) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {len(pair)} number(s)")
        self.betas = (_below_one(pair[0], "betas[0]"), _below_one(pair[1], "betas[1]"))
        self.eps = validate.positive(eps, "eps")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def update(self, i: int, p: Value) -> None:
        """m ← β1·m + (1-β1)·g; v ← β2·v + (1-β2)·g²; p ← p - lr·m̂/(√v̂ + eps)."""
        beta1, beta2 = self.betas
        self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad
        self.v[i] = beta2 * self.v[i] + (1 - beta2) * p.grad * p.grad
        m_hat = self.m[i] / (1 - beta1 ** self.steps)
        v_hat = self.v[i] / (1 - beta2 ** self.steps)
        p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)
