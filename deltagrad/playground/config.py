"""What the playground trains: the data sets, the output heads, the limits, and the settings checked
against them.

Every setting the page (or the command line) can change is a field of :class:`Config`;
:func:`configure` merges a change into a configuration and checks it with ``autograd.validate``,
so a bad value is one ``TypeError``/``ValueError`` naming the setting, whatever sent it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Callable

import numpy as np

from autograd import validate
from nn import ACTIVATIONS, data, deltas
from nn.losses import LOSS_TABLE, loss_row
from nn.train import MAX_STEPS
from viz.formulas import derivative_text

__all__ = ["Config", "DATASETS", "HEADS", "LIMITS", "Dataset", "Head", "configure", "options", "RESETTING"]

# The caps on what one request may ask for: the page stays quick and the server's memory bounded.
LIMITS = {
    "width": 16,  # units in a hidden layer
    "depth": 6,  # hidden layers
    "samples": 1000,
    "min_samples": 4,
    "noise": 1.0,
    "lr": 10.0,
    "l2": 1.0,
    "batch_size": 1000,
    "max_steps": MAX_STEPS,  # nn.train's, the command line's too
    "speed": 1000,  # steps per second
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

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data."""
        out = asdict(self)
        out["hidden"], out["activations"] = list(self.hidden), list(self.activations)
        return out

    @property
    def task(self) -> str:
        """``binary``, ``multiclass`` or ``regression``."""
        return DATASETS[self.dataset].task


# Changing one of these starts a new run (new data or a new network); the others apply to the
# run in progress.
RESETTING = ("dataset", "samples", "noise", "seed", "hidden", "activations", "head")


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


# setting -> its check; each returns the value in the form Config holds.
CHECKS: dict[str, Callable[[Any], Any]] = {
    "dataset": lambda x: validate.one_of(x, "dataset", tuple(DATASETS)),
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
    if "dataset" in values and "head" not in values and new.task not in HEADS[new.head].tasks:
        new = replace(new, head=DATASETS[new.dataset].head)
    if "dataset" in values and "noise" not in values and new.dataset != base.dataset:
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


def options() -> dict[str, Any]:
    """What the page offers: data sets with their tasks, heads, activations (with φ' as text),
    optimisers, limits."""
    return {
        "datasets": {name: {"task": d.task, "noise": d.noise, "head": d.head} for name, d in DATASETS.items()},
        "heads": {name: {"label": h.label, "tasks": list(h.tasks), "output": h.output,
                         "loss": h.loss, "formula": LOSS_TABLE[h.loss].formula}
                  for name, h in HEADS.items()},
        "activations": list(ACTIVATIONS),
        "derivatives": {name: derivative_text(name) for name in ACTIVATIONS},
        "optimizers": list(OPTIMIZERS),
        "limits": dict(LIMITS),
    }
