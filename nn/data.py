"""Toy data sets, generated with NumPy from a seed: moons, xor, spiral, circles, sine.

Each returns ``(X, y)``: ``X`` a float array of shape (n, features), ``y`` an int array of class
labels (0, 1, ...) or, for ``sine``, a float array of targets. ``as_values`` turns rows into
lists of ``Value`` s to feed a model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Value
from autograd.validate import positive, whole

from .init import Seed, make_rng

__all__ = ["moons", "xor", "spiral", "circles", "sine", "as_values", "MAX_SAMPLES"]

MAX_SAMPLES = 1_000_000  # points per data set: 16 MB of X; a scalar engine trains on far fewer


def _samples(n: Any, name: str) -> int:
    """A point count from 1 to ``MAX_SAMPLES`` (more would be a MemoryError from deep in NumPy)."""
    count = whole(n, name)
    if count > MAX_SAMPLES:
        raise ValueError(f"{name} must be at most {MAX_SAMPLES:,} (nn.data.MAX_SAMPLES), "
                         f"got {count:,}")
    return count


def moons(n: int = 100, noise: float = 0.1, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the data of micrograd's demo.

    Args:
        n: number of points (the first half-circle gets the extra one when n is odd), at most
            ``MAX_SAMPLES`` (as for every data set here).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: int or numpy Generator.

    Returns:
        X of shape (n, 2) and labels y in {0, 1}, shuffled.
    """
    n, noise, rng = _samples(n, "n"), positive(noise, "noise", zero=True), make_rng(seed)
    n_outer = n - n // 2
    outer = np.linspace(0.0, math.pi, n_outer)
    inner = np.linspace(0.0, math.pi, n // 2)
    X = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                        np.stack([1.0 - np.cos(inner), 0.5 - np.sin(inner)], axis=1)])
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n // 2, dtype=np.int64)])
    X = X + rng.normal(0.0, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def xor(n: int = 4, noise: float = 0.0, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """The corners of the unit square labelled by XOR: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0.

    Args:
        n: number of points; point i sits at corner i mod 4 (so n = 4 gives the four corners).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: int or numpy Generator.

    Returns:
        X of shape (n, 2) and labels y in {0, 1}.
    """
    n, noise, rng = _samples(n, "n"), positive(noise, "noise", zero=True), make_rng(seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])[np.arange(n) % 4]
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return corners + rng.normal(0.0, noise, corners.shape), y


def spiral(n_per_class: int = 50, classes: int = 3, noise: float = 0.2, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Arm k has radius growing linearly from 0 to 1 while its angle sweeps 4 radians, starting at 4k,
    plus Gaussian noise on the angle.

    Args:
        n_per_class: points per arm.
        classes: number of arms (classes).
        noise: standard deviation of the noise on the angle, in radians.
        seed: int or numpy Generator.

    Returns:
        X of shape (n_per_class·classes, 2) and labels y in {0, ..., classes - 1}.
    """
    n, classes = _samples(n_per_class, "n_per_class"), _samples(classes, "classes")
    if n * classes > MAX_SAMPLES:
        raise ValueError(f"n_per_class × classes must be at most {MAX_SAMPLES:,} "
                         f"(nn.data.MAX_SAMPLES), got {n:,} × {classes:,}")
    noise, rng = positive(noise, "noise", zero=True), make_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n), classes)
    y = np.repeat(np.arange(classes, dtype=np.int64), n)
    angle = 4.0 * y + np.tile(np.linspace(0.0, 4.0, n), classes) + rng.normal(0.0, noise, n * classes)
    return np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1), y


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one (scikit-learn's make_circles): no line separates them.

    Args:
        n: number of points (the outer circle gets the extra one when n is odd), evenly spaced in
            angle on each circle.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        factor: the inner circle's radius, the outer one's being 1 (0 < factor < 1).
        seed: int or numpy Generator.

    Returns:
        X of shape (n, 2) and labels y: 0 on the outer circle, 1 on the inner one; shuffled.
    """
    n, noise, rng = _samples(n, "n"), positive(noise, "noise", zero=True), make_rng(seed)
    factor = positive(factor, "factor")
    if factor >= 1:
        raise ValueError(f"factor must be < 1 (the inner circle inside the outer one of radius 1), got {factor}")
    n_outer = n - n // 2
    outer = np.linspace(0.0, 2 * math.pi, n_outer, endpoint=False)
    inner = np.linspace(0.0, 2 * math.pi, n // 2, endpoint=False)
    X = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                        factor * np.stack([np.cos(inner), np.sin(inner)], axis=1)])
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n // 2, dtype=np.int64)])
    X = X + rng.normal(0.0, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def sine(n: int = 50, noise: float = 0.0, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(x) at n evenly spaced x in [-π, π], plus optional Gaussian noise on y.

    Args:
        n: number of points.
        noise: standard deviation of the noise added to y.
        seed: int or numpy Generator.

    Returns:
        X of shape (n, 1) and float targets y of shape (n,).
    """
    n, noise, rng = _samples(n, "n"), positive(noise, "noise", zero=True), make_rng(seed)
    x = np.linspace(-math.pi, math.pi, n)
    return x[:, None], np.sin(x) + rng.normal(0.0, noise, n)


def as_values(rows: Any, requires_grad: bool = False) -> list[list[Value]]:
    """Each row of a 2-D array as a list of Values labelled ``x0``, ``x1``, ...

    Args:
        rows: an array-like of shape (n, features) of real numbers.
        requires_grad: False (the default) makes constants, which backward skips.

    Returns:
        n lists of ``features`` Values.
    """
    try:
        array = np.asarray(rows, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"as_values: rows must be real numbers, got {rows!r:.80}") from None
    if array.ndim != 2:
        raise ValueError(f"as_values: rows must be 2-D (n, features), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("as_values: rows contain NaN or inf")
    return [[Value(float(x), f"x{j}", requires_grad) for j, x in enumerate(row)] for row in array]
