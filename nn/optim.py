"""Optimisers: plain/momentum SGD and Adam, updating ``Value.data`` from ``Value.grad``.

The update rules are written once, in ``autograd.updates``, on arrays: an optimiser gathers its
parameters and their gradients into vectors, applies its rule (its state, the velocity or the
moments, kept as arrays) and writes the parameters back. The replay's array training applies the
same rules, and takes an optimiser of this module directly (``graph.training(optimizer=opt)``),
starting from its state and writing it back, so either can go on where the other stopped.

Both follow PyTorch's update rules, so results can be checked against hand computations:
SGD keeps a velocity u ← μ·u + g and steps p ← p - lr·u; Adam keeps bias-corrected moving
averages of g and g².
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from autograd import Value, updates, validate

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Holds the parameters and applies an update rule of ``autograd.updates`` to them.

    A subclass names its rule (``rule = "sgd"``) and holds the rule's settings and state arrays
    as attributes (see ``autograd.updates.RULES``); or, with ``rule = None``, defines
    ``update(i, p)`` for parameter i, called once per parameter.

    Args:
        params: the Values to train, each once, e.g. ``model.parameters()``.
    """

    rule: str | None = None

    def __init__(self, params: Iterable[Value]) -> None:
        if isinstance(params, Value):
            raise TypeError("params must be an iterable of Values (e.g. model.parameters()), "
                            f"got {validate.shown(params)}")
        self.params = validate.items(params, "params",
                                     "an iterable of Values (e.g. model.parameters())")
        if not self.params:
            raise ValueError("params is empty: nothing to optimise")
        seen: dict[Value, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {validate.shown(p)}")
            if p in seen:  # it would be stepped twice per step()
                raise ValueError(f"params[{i}] is params[{seen[p]}] again ({p!r}); "
                                 "give each parameter once")
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
        g = np.array([p.grad for p in self.params])
        updates.require_finite(g, lambda i: self.params[i].label or f"params[{i}]",
                               f"{type(self).__name__}.step")
        self.steps += 1
        if self.rule is None:
            for i, p in enumerate(self.params):
                self.update(i, p)
            return
        data = np.array([p.data for p in self.params])
        self.apply(data, g)
        for p, x in zip(self.params, data.tolist()):
            p.data = x

    def apply(self, p: np.ndarray, g: np.ndarray) -> None:
        """This optimiser's rule on arrays, in place: ``p`` the parameters, ``g`` their gradients,
        in the order of ``params``; ``steps`` counts this update already."""
        rule = updates.RULES[self.rule]
        state = [getattr(self, name) for name in rule.state]
        rule.update(p, g, *state, **{name: getattr(self, name) for name in rule.settings})

    def update(self, i: int, p: Value) -> None:
        """Change ``p.data`` using ``p.grad``; ``i`` indexes per-parameter state (``rule = None``).

        For SGD and Adam this is deprecated: ``step()`` updates all parameters at once."""
        if self.rule is None:
            raise NotImplementedError
        warnings.warn(f"{type(self).__name__}.update(i, p) is deprecated; use step()",
                      DeprecationWarning, stacklevel=2)
        rule = updates.RULES[self.rule]
        data = np.array([p.data])
        state = [getattr(self, name)[i : i + 1] for name in rule.state]  # views: updated in place
        rule.update(data, np.array([p.grad]), *state,
                    **{name: getattr(self, name) for name in rule.settings})
        p.data = float(data[0])


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (PyTorch's form).

    Args:
        params: the Values to train, e.g. ``model.parameters()``.
        lr: the learning rate, > 0.
        momentum: μ in [0, 1); 0 gives p ← p - lr·g.

    Attributes:
        velocity: u, one per parameter (an array in the order of ``params``).
    """

    rule = "sgd"

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params)
        checked = updates.settings("sgd", lr, momentum=momentum)
        self.lr, self.momentum = checked.lr, checked.momentum
        self.velocity = np.zeros(len(self.params))


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015).

    Args:
        params: the Values to train.
        lr: the learning rate, > 0.
        betas: decay rates (β1, β2) of the moving averages of g and g², each in [0, 1).
        eps: added to √v̂ to avoid division by zero, > 0.

    Attributes:
        m, v: the moving averages of g and g², one per parameter (arrays in the order of
            ``params``).
    """

    rule = "adam"

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params)
        checked = updates.settings("adam", lr, betas=betas, eps=eps)
        self.lr, self.betas, self.eps = checked.lr, checked.betas, checked.eps
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))
