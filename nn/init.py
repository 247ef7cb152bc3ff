"""Weight initialisation: micrograd's U(-1, 1), Xavier/Glorot and He, drawn with NumPy.

Biases start at 0 (as in micrograd). A ``seed`` makes a draw reproducible; without one the
generator is seeded from Python's ``random`` module, so ``random.seed(1337)`` makes models
reproducible exactly as it does in micrograd's demo.
"""

from __future__ import annotations

import math
import numbers
import random

import numpy as np

from autograd import OPS

__all__ = ["INITS", "make_rng", "init_weights"]

Seed = int | np.random.Generator | None

INITS = ("uniform", "xavier", "he", "auto")


def make_rng(seed: Seed) -> np.random.Generator:
    """A NumPy ``Generator`` for ``seed``.

    Args:
        seed: a non-negative int, an existing Generator (used as is), or None (seeded from
            Python's ``random``, so ``random.seed`` governs it).

    Returns:
        The generator.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng(random.getrandbits(64))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise TypeError(f"seed must be a non-negative int, a numpy Generator or None, got {type(seed).__name__}: {seed!r}")


def damps_negatives(activation: str) -> bool:
    """Whether the activation passes positive inputs on more steeply than negative ones
    (φ'(1) > φ'(−1)): the ReLU family, whose variance He's gain of 2 keeps. Read from the op table."""
    op = OPS.get(activation)
    if op is None or op.arity != 1:
        return False
    slope = lambda x: op.derivative(op.forward(x), x)[0]  # noqa: E731
    return slope(1.0) > slope(-1.0)


def init_weights(scheme: str, activation: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """A (fan_out, fan_in) weight matrix drawn by ``scheme``.

    Args:
        scheme: ``uniform`` (micrograd's U(-1, 1)), ``xavier`` (Glorot uniform,
            U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), suited to sigmoid/tanh), ``he``
            (normal with std sqrt(2 / fan_in), suited to the ReLU family) or ``auto`` (``he`` for
            the ReLU family, see :func:`damps_negatives`, ``xavier`` otherwise; a ValueError naming
            init and the activation for one undefined at ±1, such as ``log``).
        activation: the layer's activation name (used by ``auto``).
        fan_in: inputs per unit.
        fan_out: units in the layer.
        rng: the generator to draw from.

    Returns:
        The weights as floats, one row per unit.
    """
    if scheme not in INITS:
        raise ValueError(f"unknown init {scheme!r}; known: {', '.join(INITS)}")
    if scheme == "auto":
        try:
            scheme = "he" if damps_negatives(activation) else "xavier"
        except (ValueError, ArithmeticError) as error:  # an op undefined at ±1 (log, sqrt): no family to read
            raise ValueError(f"init='auto' cannot choose a scheme for activation {activation!r}: its slope at "
                             f"-1 or +1 is undefined ({error}); pass init='xavier', 'he' or 'uniform'") from None
    shape = (fan_out, fan_in)
    if scheme == "uniform":
        return rng.uniform(-1.0, 1.0, shape)
    if scheme == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, shape)
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), shape)
