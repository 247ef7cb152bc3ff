"""The optimisers' update rules, once: functions on float64 arrays that change them in place.

``nn.SGD`` and ``nn.Adam`` apply them to the parameter vector gathered from their ``Value``s; the
replay's array training (``CompiledGraph.training``) applies them to its parameter vector. Both
follow PyTorch's rules (its ``torch.optim`` functional forms), so results can be checked by hand:

- SGD keeps a velocity u ← μ·u + g and steps p ← p − lr·u (with μ = 0: p ← p − lr·g);
- Adam keeps moving averages m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², bias-corrects them at
  step t (m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)) and steps p ← p − lr·m̂/(√v̂ + ε).

:data:`RULES` names each rule's state arrays and settings, so that code holding an optimiser
(duck-typed: ``rule``, the settings and the state as attributes) can apply it to its own arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import validate

__all__ = ["sgd", "adam", "Rule", "RULES", "Settings", "settings", "require_finite"]


def sgd(p: np.ndarray, g: np.ndarray, velocity: np.ndarray | None, *, lr: float,
        momentum: float) -> None:
    """One SGD update in place: u ← μ·u + g; p ← p − lr·u.

    Args:
        p: the parameters (changed in place).
        g: their gradients.
        velocity: u, one per parameter (changed in place); unused, and may be None, when
            ``momentum`` is 0.
        lr: the learning rate.
        momentum: μ.
    """
    if momentum:
        velocity *= momentum
        velocity += g
        g = velocity
    p -= lr * g


def adam(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, *, steps: int, lr: float,
         betas: tuple[float, float], eps: float) -> None:
    """One Adam update in place (Kingma and Ba, 2015).

    Args:
        p: the parameters (changed in place).
        g: their gradients.
        m, v: the moving averages of g and g² (changed in place).
        steps: t, the number of updates so far, this one included (from 1).
        lr: the learning rate.
        betas: (β1, β2), the decay rates of m and v.
        eps: ε, added to √v̂.
    """
    beta1, beta2 = betas
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    m_hat = m / (1 - beta1**steps)
    v_hat = v / (1 - beta2**steps)
    p -= lr * m_hat / (np.sqrt(v_hat) + eps)


@dataclass(frozen=True)
class Rule:
    """One optimiser's update: the function and the names it reads.

    Attributes:
        update: ``(p, g, *state, **settings)``, in place.
        state: the names of its state arrays, one entry per parameter each, zero at the start.
        settings: the names of its keyword settings (``steps`` is the update count, from 1).
    """

    update: Callable[..., None]
    state: tuple[str, ...]
    settings: tuple[str, ...]


RULES: dict[str, Rule] = {
    "sgd": Rule(sgd, ("velocity",), ("lr", "momentum")),
    "adam": Rule(adam, ("m", "v"), ("steps", "lr", "betas", "eps")),
}


@dataclass
class Settings:
    """An optimiser's settings without parameters or state (what ``training(lr, optimizer=...)``
    trains with; only ``lr`` may change between steps); see :func:`settings`."""

    rule: str
    lr: float
    momentum: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    steps: int = 0


def _rate(x: Any, name: str) -> float:
    """A decay rate: a finite number in [0, 1)."""
    rate = validate.positive(x, name, zero=True)
    if rate >= 1:
        raise ValueError(f"{name} must be < 1, got {rate}")
    return rate


def settings(rule: str, lr: Any, momentum: Any = 0.0, betas: Any = (0.9, 0.999),
             eps: Any = 1e-8) -> Settings:
    """Check an optimiser's settings: the one place they are checked.

    Args:
        rule: ``"sgd"`` or ``"adam"``.
        lr: the learning rate, > 0.
        momentum: μ in [0, 1) (SGD).
        betas: a pair (β1, β2), each in [0, 1) (Adam).
        eps: ε > 0 (Adam).

    Returns:
        The :class:`Settings`, numbers as floats.
    """
    validate.one_of(rule, "optimizer", tuple(RULES))
    pair = validate.items(betas, "betas", "a pair (beta1, beta2)")
    if len(pair) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {len(pair)} number(s)")
    return Settings(rule, validate.positive(lr, "lr"), _rate(momentum, "momentum"),
                    (_rate(pair[0], "betas[0]"), _rate(pair[1], "betas[1]")),
                    validate.positive(eps, "eps"))


def require_finite(g: np.ndarray, name: Callable[[int], str], where: str) -> None:
    """Raise before an update whose gradient holds NaN or inf (so nothing is updated).

    Args:
        g: the gradients.
        name: parameter index -> its name, for the message.
        where: who updates, e.g. ``"SGD.step"``.

    Raises:
        FloatingPointError: naming the first parameter whose gradient is not finite, and it.
    """
    if np.isfinite(np.add.reduce(g)) or np.isfinite(g).all():  # the sum first: one pass
        return
    i = int(np.flatnonzero(~np.isfinite(g))[0])
    raise FloatingPointError(f"{where}: the gradient of {name(i)} is {g[i]}")
