"""Toy data sets, generated with NumPy from a seed: moons, xor, spiral, circles, sine; and your
own, read from CSV text (``read_csv``, ``parse_csv``).

Each returns ``(X, y)``: ``X`` a float array of shape (n, features), ``y`` an int array of class
labels (0, 1, ...) or, for ``sine``, a float array of targets. ``as_values`` turns rows into
lists of ``Value`` s to feed a model.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import numpy as np

from autograd import Value
from autograd.validate import positive, whole

from .init import Seed, make_rng

__all__ = ["moons", "xor", "spiral", "circles", "sine", "as_values", "read_csv", "parse_csv",
           "MAX_SAMPLES", "MAX_CSV_ROWS", "MAX_CSV_COLUMNS", "MAX_CSV_BYTES"]

MAX_SAMPLES = 1_000_000  # points per data set: 16 MB of X; a scalar engine trains on far fewer
MAX_CSV_ROWS = 10_000  # data rows of a CSV (the playground asks for fewer)
MAX_CSV_COLUMNS = 17  # 16 features and the label
MAX_CSV_BYTES = 2_000_000  # a bigger file is refused before it is read
_INTEGER = re.compile(r"[+-]?[0-9]+")


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


def read_csv(path: str | os.PathLike, *, max_rows: int = MAX_CSV_ROWS,
             max_columns: int = MAX_CSV_COLUMNS) -> tuple[np.ndarray, np.ndarray]:
    """Your own data from a CSV file: feature columns, then a label column (see ``parse_csv``).

    Args:
        path: the file (UTF-8 text, at most ``MAX_CSV_BYTES``).
        max_rows: the most data rows allowed.
        max_columns: the most columns allowed, the label's included.

    Returns:
        X (n, features) of floats; y of ints (class labels) or floats (regression targets).

    Raises:
        ValueError: naming the file and the file's own 1-based line number (a header counted).
        OSError: the file cannot be read.
    """
    name = os.fspath(path)
    size = os.path.getsize(name)
    if size > MAX_CSV_BYTES:
        raise ValueError(f"{name}: the file has {size:,} bytes; at most {MAX_CSV_BYTES:,} are read")
    with open(name, encoding="utf-8-sig") as file:
        try:
            text = file.read()
        except UnicodeDecodeError:
            raise ValueError(f"{name}: not UTF-8 text (a CSV file is)") from None
    return parse_csv(text, source=name, max_rows=max_rows, max_columns=max_columns)


def parse_csv(text: str, *, source: str = "the CSV text", max_rows: int = MAX_CSV_ROWS,
              max_columns: int = MAX_CSV_COLUMNS) -> tuple[np.ndarray, np.ndarray]:
    """Data from CSV text: each line ``x0,x1,...,label``; a first line that is not numbers is a
    header; blank lines and lines starting with ``#`` are skipped.

    Labels that are all whole numbers are classes 0, 1, ... (labels -1 and 1 are read as 0 and
    1); otherwise they are real-number targets (regression).

    Args:
        text: the CSV text.
        source: how errors name it (a file's name, "the pasted text").
        max_rows: the most data rows allowed.
        max_columns: the most columns allowed, the label's included.

    Returns:
        X (n, features) of floats; y of ints (classes) or floats (regression).

    Raises:
        ValueError: naming ``source`` and the 1-based line number (a header line counted).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    rows: list[list[float]] = []
    labels: list[tuple[int, str]] = []  # (line number, label text)
    width = None
    for number, line in enumerate(text.splitlines(), start=1):
        fields = [field.strip() for field in line.split(",")]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{source}, line {number}"
        values = [_number(field) for field in fields]
        if width is None and not any(_is_float(field) for field in fields):
            if len(fields) > max_columns:
                raise ValueError(f"{where}: {len(fields)} columns; at most {max_columns} are "
                                 "allowed")
            width = len(fields)  # a header: it fixes the number of columns
            continue
        if width is None:
            width = len(fields)
        if len(fields) > max_columns:
            raise ValueError(f"{where}: {len(fields)} columns; at most {max_columns} are allowed")
        if width < 2:
            raise ValueError(f"{where}: one column; a feature column and a label column are needed")
        if len(fields) != width:
            raise ValueError(f"{where}: {len(fields)} columns, but the lines before have {width}")
        bad = [(j, f) for j, (f, v) in enumerate(zip(fields, values)) if v is None]
        if bad:
            j, field = bad[0]
            raise ValueError(f"{where}, column {j + 1}: {field[:40]!r} is not a finite number")
        if len(rows) == max_rows:
            raise ValueError(f"{where}: more than {max_rows:,} data rows; at most {max_rows:,} "
                             "are allowed")
        rows.append(values[:-1])
        labels.append((number, fields[-1]))
    if not rows:
        raise ValueError(f"{source}: no data rows (each line: x0,x1,...,label)")
    X = np.array(rows, dtype=float)
    if all(_INTEGER.fullmatch(label) for _, label in labels):
        y = np.array([int(label) for _, label in labels], dtype=np.int64)
        if set(y.tolist()) <= {-1, 1}:
            return X, np.where(y < 0, 0, y)
        negative = [number for (number, _), t in zip(labels, y) if t < 0]
        if negative:
            raise ValueError(f"{source}, line {negative[0]}: class labels are 0, 1, 2, ... "
                             "(or -1 and 1), got a negative one")
        return X, y
    return X, np.array([float(label) for _, label in labels])


def _number(field: str) -> float | None:
    """The finite number a CSV field holds, or None."""
    try:
        value = float(field)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_float(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True
