"""Optimisers: plain/momentum SGD and Adam, updating ``Value.data`` from ``Value.grad``.

Both follow PyTorch's update rules, so results can be checked against hand computations:
SGD keeps a velocity u ← μ·u + g and steps p ← p - lr·u; Adam keeps bias-corrected moving
averages of g and g².
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value

__all__ = ["Optimizer", "SGD", "Adam"]


def _number(x: Any, name: str, low: float, high: float = math.inf, *, open_low: bool = False) -> float:
    """``x`` as a float in [low, high) (or (low, high)), else a ValueError naming it."""
    if not isinstance(x, numbers.Real) or isinstance(x, bool) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite real number, got {type(x).__name__}: {x!r}")
    if x < low or (open_low and x == low) or x >= high:
        bounds = f"{'(' if open_low else '['}{low}, {high})"
        raise ValueError(f"{name} must be in {bounds}, got {x}")
    return float(x)


class Optimizer:
    """Holds the parameters; subclasses define ``update(i, p)`` for parameter i."""

    def __init__(self, params: Iterable[Value]) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"params must be an iterable of Values (e.g. model.parameters()), got {type(params).__name__}")
        self.params = list(params)
        if not self.params:
            raise ValueError("params is empty: nothing to optimise")
        seen: dict[Value, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {type(p).__name__}")
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
        self.lr = _number(lr, "SGD lr", 0.0, open_low=True)
        self.momentum = _number(momentum, "SGD momentum", 0.0, 1.0)
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
        self.lr = _number(lr, "Adam lr", 0.0, open_low=True)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_number(betas[0], "Adam beta1", 0.0, 1.0), _number(betas[1], "Adam beta2", 0.0, 1.0))
        self.eps = _number(eps, "Adam eps", 0.0, open_low=True)
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
