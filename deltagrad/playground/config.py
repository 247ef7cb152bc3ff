"""What the playground trains: the data sets, the output heads, the limits, and the settings checked
against them.

Every setting the page (or the command line) can change is a field of :class:`Config`;
:func:`configure` merges a change into a configuration and checks it with ``autograd.validate``,
so a bad value is one ``TypeError``/``ValueError`` naming the setting, whatever sent it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from autograd import validate
from nn import ACTIVATIONS, data, deltas
from nn.losses import LOSS_TABLE, loss_row
from nn.train import MAX_STEPS
from viz.formulas import derivative_text

__all__ = ["Config", "DATASETS", "HEADS", "LIMITS", "Dataset", "Head", "Points", "CUSTOM",
           "configure", "options", "default_head", "split", "RESETTING"]

# The caps on what one request may ask for: the page stays quick and the server's memory bounded.
LIMITS = {
    "width": 16,  # units in a hidden layer
    "depth": 6,  # hidden layers
    "samples": 1000,
    "min_samples": 4,
    "noise": 1.0,
    "lr": 100.0,  # a learner may make a run blow up on purpose
    "l2": 1.0,
    "batch_size": 1000,
    "max_steps": MAX_STEPS,  # nn.train's, the command line's too
    "speed": 1000,  # steps per second
    "test_fraction": 0.9,  # the share of the data held out (the rest trains)
    "classes": 3,  # of your own data (the page has three class colours)
    "seed": 2**32 - 1,
}


@dataclass(frozen=True)
class Dataset:
    """One data set of ``nn.data``: its task and how to draw ``samples`` points."""

    task: str  # "binary", "multiclass" or "regression"
    make: Callable[[int, float, int], tuple[np.ndarray, np.ndarray]]  # (samples, noise, seed) -> (X, y)
    noise: float  # the default noise
    head: str  # the default head


DATASETS: dict[str, Dataset] = {
    "moons": Dataset("binary", lambda n, noise, seed: data.moons(n, noise, seed), 0.1, "sigmoid+bce"),
    "xor": Dataset("binary", lambda n, noise, seed: data.xor(n, noise, seed), 0.15, "sigmoid+bce"),
    "circles": Dataset("binary", lambda n, noise, seed: data.circles(n, noise, seed=seed), 0.05, "sigmoid+bce"),
    "spiral": Dataset("multiclass", lambda n, noise, seed: data.spiral(max(1, n // 3), 3, noise, seed), 0.2,
                      "softmax+ce"),
    "sine": Dataset("regression", lambda n, noise, seed: data.sine(n, noise, seed), 0.1, "linear+mse"),
}


@dataclass(frozen=True)
class Head:
    """An output layer's activation and the loss it pairs with, as the lecture notes pair them.

    Attributes:
        output: the output layer's activation.
        loss: the per-sample loss J: the name of its row in ``nn.losses.LOSS_TABLE`` (formula,
            target encoding, score).
        tasks: the tasks it fits.
        label: how the page names it.
        deltas_loss: the name ``nn.deltas`` gives the same pairing, or None when it has none
            (read from ``nn.deltas.LOSSES``).
    """

    output: str
    loss: str
    tasks: tuple[str, ...]
    label: str
    deltas_loss: str | None


def _head(output: str, loss: str, tasks: tuple[str, ...], label: str) -> Head:
    """A head over the loss table's row ``loss``, with nn.deltas' name for it where it has one."""
    row = LOSS_TABLE[loss]
    known = [name for name, pairs in deltas.LOSSES.items()
             if loss_row(name) is row and pairs in (None, output)]
    return Head(output, loss, tasks, label, known[0] if known else None)


HEADS: dict[str, Head] = {
    "sigmoid+bce": _head("sigmoid", "binary_cross_entropy", ("binary",),
                         "sigmoid + binary cross-entropy"),
    "softmax+ce": _head("softmax", "cross_entropy", ("binary", "multiclass"),
                        "softmax + cross-entropy"),
    "linear+hinge": _head("linear", "hinge", ("binary",), "linear + hinge (labels ±1)"),
    # J = ½e², the lecture's squared error (the row "sse"); nn.mse's J is (y − t)² without the ½
    "linear+mse": _head("linear", "sse", ("regression",), "linear + squared error (J = ½e²)"),
    "linear+mae": _head("linear", "mae", ("regression",), "linear + MAE (J = |e|)"),
    "linear+huber": _head("linear", "huber", ("regression",), "linear + Huber (δ = 1)"),
}

OPTIMIZERS = ("adam", "sgd")
CUSTOM = "custom"  # the data set's name when the points are your own (``Config.data``)


def default_head(task: str) -> str:
    """The head a task gets unless one is chosen."""
    return {"binary": "sigmoid+bce", "multiclass": "softmax+ce", "regression": "linear+mse"}[task]


# What a CSV of your own points may hold, from a file or pasted: x0, x1 and the label.
CSV_LIMITS = {"max_rows": LIMITS["samples"], "max_columns": 3}


@dataclass(frozen=True)
class Points:
    """Your own data: from a CSV file or text, or the page's clicks. Frozen, so a Config holding it
    compares by value.

    Attributes:
        x: one tuple of features per point (2 features; 1 for regression on a line).
        y: the labels (ints, classes 0, 1, 2) or the targets (floats: regression).
        source: where they came from (a file's name, "pasted", "the page").
    """

    x: tuple[tuple[float, ...], ...]
    y: tuple[float, ...] | tuple[int, ...]
    source: str = "the page"

    @property
    def task(self) -> str:
        """``binary``, ``multiclass`` or ``regression``, from the labels' type."""
        if self.y and isinstance(self.y[0], float):
            return "regression"
        return "multiclass" if max(self.y) >= 2 else "binary"

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) as NumPy arrays."""
        kind = float if self.task == "regression" else np.int64
        return np.array(self.x, dtype=float), np.array(self.y, dtype=kind)

    @staticmethod
    def parse(text: str) -> "Points":
        """Points from pasted CSV text (``nn.data.parse_csv``), with the same limits as a file.

        Raises:
            ValueError: naming the pasted CSV and its 1-based line, or what ``of`` refuses.
        """
        return Points.of(*data.parse_csv(text, source="the pasted CSV", **CSV_LIMITS),
                         source="pasted")

    @staticmethod
    def read(path: str) -> "Points":
        """Points from a CSV file (``nn.data.read_csv``), with the same limits as pasted text.

        Raises:
            ValueError: naming the file and its 1-based line, or what ``of`` refuses.
            OSError: the file cannot be read.
        """
        return Points.of(*data.read_csv(path, **CSV_LIMITS), source=path)

    @staticmethod
    def of(X: np.ndarray, y: np.ndarray, source: str = "the page") -> "Points":
        """Points from arrays, checked against the playground's limits.

        Raises:
            ValueError: too few or too many points, the wrong number of features, or too many
                classes, naming ``source``.
        """
        n, features = X.shape
        regression = y.dtype.kind == "f"
        if not LIMITS["min_samples"] <= n <= LIMITS["samples"]:
            raise ValueError(f"{source}: {n} points; the playground takes from "
                             f"{LIMITS['min_samples']} to {LIMITS['samples']}")
        if features != 2 and not (regression and features == 1):
            raise ValueError(f"{source}: {features} feature column(s); the playground draws two "
                             "(x0, x1, label), or one for a regression on a line (x, target)")
        if not regression and int(y.max()) >= LIMITS["classes"]:
            raise ValueError(f"{source}: class {int(y.max())}; the playground shows classes "
                             f"0 to {LIMITS['classes'] - 1}")
        if not regression and len(set(y.tolist())) < 2:
            raise ValueError(f"{source}: every point is in one class; two are needed")
        labels = tuple(float(t) for t in y) if regression else tuple(int(t) for t in y)
        return Points(tuple(tuple(float(a) for a in row) for row in X), labels, source)


@dataclass(frozen=True)
class Config:
    """One run's settings. ``hidden`` and ``activations`` have one entry per hidden layer."""

    dataset: str = "moons"
    samples: int = 200
    noise: float = 0.1
    seed: int = 0
    hidden: tuple[int, ...] = (8, 8)
    activations: tuple[str, ...] = ("tanh", "tanh")
    head: str = "sigmoid+bce"
    optimizer: str = "adam"
    lr: float = 0.03
    momentum: float = 0.9
    batch_size: int = 32
    l2: float = 0.0
    speed: int = 60
    max_steps: int = 5000
    test_fraction: float = 0.0
    data: Points | None = None  # your own points (then ``dataset`` is CUSTOM)

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data (your own points as ``{"x", "y", "source"}``), with the
        task they make."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["hidden"], out["activations"] = list(self.hidden), list(self.activations)
        out["task"] = self.task  # read only: what the page offers depends on it
        if self.data is not None:
            out["data"] = {"x": [list(r) for r in self.data.x], "y": list(self.data.y),
                           "source": self.data.source}
        return out

    @property
    def task(self) -> str:
        """``binary``, ``multiclass`` or ``regression``."""
        return self.data.task if self.data is not None else DATASETS[self.dataset].task

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """The data (X, y): your own points, or drawn from the data set with the seed."""
        if self.data is not None:
            return self.data.arrays()
        return DATASETS[self.dataset].make(self.samples, self.noise, self.seed)


# Changing one of these starts a new run (new data or a new network); the others apply to the
# run in progress.
RESETTING = ("dataset", "samples", "noise", "seed", "hidden", "activations", "head",
             "test_fraction", "data")


def _hidden(x: Any) -> tuple[int, ...]:
    widths = validate.items(x, "hidden", "a list of layer widths")
    if len(widths) > LIMITS["depth"]:
        raise ValueError(f"hidden must have at most {LIMITS['depth']} layers, got {len(widths)}")
    return tuple(validate.whole(w, f"hidden[{i}]", high=LIMITS["width"]) for i, w in enumerate(widths))


def _activations(x: Any) -> tuple[str, ...]:
    names = validate.items(x, "activations", "a list of activation names")
    return tuple(validate.one_of(a, f"activations[{i}]", tuple(ACTIVATIONS)) for i, a in enumerate(names))


def _at_most(x: float, name: str) -> float:
    if x > LIMITS[name]:
        raise ValueError(f"{name} must be at most {LIMITS[name]:g}, got {x:g}")
    return x


def _below_one(x: float, name: str) -> float:
    if x >= 1:
        raise ValueError(f"{name} must be below 1, got {x:g}")
    return x


# What the labels of ``{"x", "y", "task"}`` are: JSON writes the target 1.0 as 1, so a page whose
# targets happen to be whole numbers says that they are regression targets.
LABEL_TASKS = ("classification", "regression")


def _points(x: Any) -> Points | None:
    """Your own points: a Points, ``{"x": [[x0, x1], ...], "y": [...]}`` (with ``"task":
    "regression"`` or ``"classification"``; without, whole-number labels are classes),
    ``{"csv": text}``, or None."""
    if x is None or isinstance(x, Points):
        return x
    if not isinstance(x, dict) or not (set(x) in ({"x", "y"}, {"x", "y", "task"}, {"csv"})):
        raise TypeError('data must be {"x": [[x0, x1], ...], "y": [labels]} (and optionally '
                        '"task") or {"csv": "text"}, '
                        f"got {validate.shown(x)}")
    if "csv" in x:
        text = validate.text(x["csv"], "data.csv")
        return Points.parse(text)
    rows = validate.items(x["x"], "data.x", "a list of points")
    labels = validate.items(x["y"], "data.y", "a list of labels")
    if len(rows) != len(labels):
        raise ValueError(f"data.x has {len(rows)} points but data.y {len(labels)} labels")
    if len(rows) > LIMITS["samples"]:
        raise ValueError(f"data.x must have at most {LIMITS['samples']} points, got {len(rows)}")
    width = len(validate.items(rows[0], "data.x[0]", "a point")) if rows else 0
    X = np.array([[validate.finite(a, f"data.x[{i}][{j}]")
                   for j, a in enumerate(validate.items(row, f"data.x[{i}]", "a point"))]
                  for i, row in enumerate(rows)], dtype=float) if rows else np.zeros((0, 2))
    if any(len(row) != width for row in rows):
        raise ValueError(f"data.x: every point must have {width} coordinates")
    if "task" in x:
        whole = validate.one_of(x["task"], "data.task", LABEL_TASKS) == "classification"
    else:
        whole = all(isinstance(t, int) and not isinstance(t, bool) for t in labels)
    if whole:
        y = np.array([validate.whole(t, f"data.y[{i}]", low=0) for i, t in enumerate(labels)],
                     dtype=np.int64)
    else:
        y = np.array([validate.finite(t, f"data.y[{i}]") for i, t in enumerate(labels)])
    return Points.of(X, y, source="data")


# setting -> its check; each returns the value in the form Config holds.
CHECKS: dict[str, Callable[[Any], Any]] = {
    "dataset": lambda x: validate.one_of(x, "dataset", tuple(DATASETS) + (CUSTOM,)),
    "samples": lambda x: validate.whole(x, "samples", low=LIMITS["min_samples"], high=LIMITS["samples"]),
    "noise": lambda x: _at_most(validate.positive(x, "noise", zero=True), "noise"),
    "seed": lambda x: validate.whole(x, "seed", low=0, high=LIMITS["seed"]),
    "hidden": _hidden,
    "activations": _activations,
    "head": lambda x: validate.one_of(x, "head", tuple(HEADS)),
    "optimizer": lambda x: validate.one_of(x, "optimizer", OPTIMIZERS),
    "lr": lambda x: _at_most(validate.positive(x, "lr"), "lr"),
    "momentum": lambda x: _below_one(validate.positive(x, "momentum", zero=True), "momentum"),
    "batch_size": lambda x: validate.whole(x, "batch_size", high=LIMITS["batch_size"]),
    "l2": lambda x: _at_most(validate.positive(x, "l2", zero=True), "l2"),
    "speed": lambda x: validate.whole(x, "speed", high=LIMITS["speed"]),
    "max_steps": lambda x: validate.whole(x, "max_steps", high=LIMITS["max_steps"]),
    "test_fraction": lambda x: _at_most(validate.positive(x, "test_fraction", zero=True),
                                        "test_fraction"),
    "data": _points,
}


def configure(base: Config, change: Any) -> Config:
    """``base`` with the settings of ``change`` (a mapping of setting names to values), checked.

    When the data set changes to another task and ``change`` names no head, the new task's
    default head is taken; when ``hidden`` changes length and ``change`` gives no activations,
    the last hidden activation (or tanh) fills the new layers.

    Args:
        base: the current settings.
        change: e.g. ``{"lr": 0.1}`` or ``{"hidden": [4, 4], "activations": ["relu", "relu"]}``.

    Returns:
        The new settings.

    Raises:
        TypeError, ValueError: naming the setting and its value.
    """
    if not isinstance(change, dict):
        raise TypeError(f"the settings must be a JSON object, got {validate.shown(change)}")
    unknown = [key for key in change if key not in CHECKS]
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; known: {', '.join(CHECKS)}")
    values = {key: CHECKS[key](value) for key, value in change.items()}
    new = replace(base, **values)
    if values.get("data") is not None:
        new = replace(new, dataset=CUSTOM)
    elif new.dataset != CUSTOM:
        new = replace(new, data=None)  # a generated data set replaces your own points
    elif new.data is None:
        raise ValueError(f"dataset {CUSTOM!r} needs your own points (data, or a CSV file)")
    task_changed = new.task != base.task or "dataset" in values
    if task_changed and "head" not in values and new.task not in HEADS[new.head].tasks:
        new = replace(new, head=default_head(new.task) if new.data else DATASETS[new.dataset].head)
    if "dataset" in values and "noise" not in values and new.dataset not in (base.dataset, CUSTOM):
        new = replace(new, noise=DATASETS[new.dataset].noise)
    if "hidden" in values and "activations" not in values:
        fill = base.activations[-1] if base.activations else "tanh"
        new = replace(new, activations=(base.activations + (fill,) * len(new.hidden))[: len(new.hidden)])
    if len(new.activations) != len(new.hidden):
        raise ValueError(f"activations must name one activation per hidden layer ({len(new.hidden)}), "
                         f"got {len(new.activations)}")
    if new.task not in HEADS[new.head].tasks:
        fits = [name for name, head in HEADS.items() if new.task in head.tasks]
        raise ValueError(f"head {new.head!r} does not fit the {new.task} task of {new.dataset}; "
                         f"choose one of {', '.join(fits)}")
    return new


def split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``n`` points train and which are held out: a ``fraction`` of them (rounded, at
    least one point left on each side when the fraction is not 0), drawn with ``seed``.

    Returns:
        (training rows, test rows), each in increasing order.
    """
    held = 0 if fraction == 0 else min(n - 1, max(1, round(fraction * n)))
    order = np.random.default_rng([seed, 1]).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def options() -> dict[str, Any]:
    """What the page offers: data sets with their tasks, heads, activations (with φ' as text),
    optimisers, limits."""
    return {
        "datasets": {name: {"task": d.task, "noise": d.noise, "head": d.head} for name, d in DATASETS.items()},
        "custom": CUSTOM,
        "heads": {name: {"label": h.label, "tasks": list(h.tasks), "output": h.output,
                         "loss": h.loss, "formula": LOSS_TABLE[h.loss].formula}
                  for name, h in HEADS.items()},
        "activations": list(ACTIVATIONS),
        "derivatives": {name: derivative_text(name) for name in ACTIVATIONS},
        "optimizers": list(OPTIMIZERS),
        "limits": dict(LIMITS),
    }
