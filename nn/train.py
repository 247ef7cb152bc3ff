"""A training loop you can read in one screen: forward, loss, backward, step, print.

The loss name picks what the model's output means: ``hinge`` reads a score (label sign),
``binary_cross_entropy`` the output layer's logit (its pre-activation, so use a sigmoid or linear
output), ``cross_entropy`` the output layer's logits (use a softmax or linear output), and
``mse``/``mae``/``huber`` the outputs themselves (regression: no accuracy).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Value, no_grad
from autograd.format import format_number

from .data import as_values
from .init import Seed, make_rng
from .layers import MLP
from .losses import binary_cross_entropy, cross_entropy, hinge, huber, l2_penalty, mae, mse
from .optim import Adam, Optimizer

__all__ = ["History", "TASKS", "fit", "evaluate"]

# Per-sample rule: (logits vs, outputs ys, target) -> (loss, correct or None for regression).
Task = Callable[[list[Value], list[Value], Any], tuple[Value, "bool | None"]]


def _single(values: list[Value], loss: str) -> Value:
    """The model's one output; a wider model would otherwise have its other outputs ignored."""
    if len(values) != 1:
        raise ValueError(f"loss {loss!r} needs a model with one output, this one has {len(values)} "
                         "(use cross_entropy for several classes)")
    return values[0]


def _hinge(vs: list[Value], ys: list[Value], t: Any) -> tuple[Value, bool]:
    y = _single(ys, "hinge")
    return hinge(y, 1.0 if t > 0 else -1.0), (y.data > 0) == (t > 0)


def _bce(vs: list[Value], ys: list[Value], t: Any) -> tuple[Value, bool]:
    v = _single(vs, "binary_cross_entropy")
    return binary_cross_entropy(v, t), (v.data > 0) == (t > 0.5)


def _ce(vs: list[Value], ys: list[Value], t: Any) -> tuple[Value, bool]:
    best = max(range(len(vs)), key=lambda k: vs[k].data)
    return cross_entropy(vs, t), best == t


def _regression(loss: Callable[[Any, Any], Value]) -> Task:
    return lambda vs, ys, t: (loss(ys, t), None)


TASKS: dict[str, Task] = {
    "hinge": _hinge,
    "binary_cross_entropy": _bce,
    "cross_entropy": _ce,
    "mse": _regression(mse),
    "mae": _regression(mae),
    "huber": _regression(huber),
}


@dataclass
class History:
    """What ``fit`` measured at each step, before that step's update."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _check(model: MLP, X: Any, y: Any, loss: str) -> tuple[list[list[Value]], np.ndarray, Task]:
    if loss not in TASKS:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(TASKS)}")
    if not callable(getattr(model, "forward", None)) or not hasattr(model, "nin"):
        raise TypeError(f"model must be an nn.MLP (or nn.Layer), got {type(model).__name__}: {model!r:.80}")
    rows, targets = as_values(X), np.asarray(y)
    if targets.ndim == 0:
        raise ValueError(f"y must hold one target per row of X, got a single {type(y).__name__}: {y!r}")
    if len(targets) != len(rows):
        raise ValueError(f"X has {len(rows)} rows but y has {len(targets)} targets")
    if not rows:
        raise ValueError("X is empty")
    if len(rows[0]) != model.nin:
        raise ValueError(f"the model expects {model.nin} input(s) but X has {len(rows[0])} column(s)")
    return rows, targets, TASKS[loss]


def _batch_loss(model: MLP, rows: list, targets: np.ndarray, task: Task, batch: Any) -> tuple[Value, float | None]:
    """The mean loss over ``batch`` (indices) and the fraction classified right (None for regression)."""
    terms, hits = [], []
    for i in batch:
        vs, ys = model.forward(rows[i])
        term, hit = task(vs, ys, targets[i])
        terms.append(term)
        hits.append(hit)
    accuracy = None if hits[0] is None else float(sum(hits)) / len(hits)
    return autograd.sum(terms) / len(terms), accuracy


def fit(model: MLP, X: Any, y: Any, *, loss: str = "mse", optimizer: Optimizer | None = None, steps: int = 100,
        l2: float = 0.0, batch_size: int | None = None, seed: Seed = 0, log_every: int | None = None,
        log: Callable[[str], Any] | None = print) -> History:
    """Train ``model`` on ``(X, y)`` by gradient descent.

    Args:
        model: the network, e.g. ``MLP(2, [16, 16, 1])``.
        X: inputs, shape (n, model.nin).
        y: targets: labels (``hinge``: 0/1 or -1/+1; ``binary_cross_entropy``: 0/1;
            ``cross_entropy``: class indices) or numbers (regression).
        loss: a name from ``TASKS``.
        optimizer: an optimiser over ``model.parameters()``; Adam(lr=0.01) by default.
        steps: number of updates.
        l2: the strength of an L2 penalty on every parameter (0 for none).
        batch_size: samples per step, drawn without replacement; None for all of them.
        seed: picks the batches.
        log_every: print a progress line every this many steps (about 10 lines by default).
        log: where progress lines go (``print``; None for silence).

    Returns:
        The loss and accuracy of every step.

    Raises:
        FloatingPointError: the loss became NaN or inf; the message names the step.
    """
    rows, targets, task = _check(model, X, y, loss)
    if not _is_int(steps) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if batch_size is not None and not (_is_int(batch_size) and 1 <= batch_size <= len(rows)):
        raise ValueError(f"batch_size must be an int between 1 and {len(rows)}, got {batch_size!r}")
    if log_every is not None and not (_is_int(log_every) and log_every >= 1):
        raise ValueError(f"log_every must be a positive int or None, got {log_every!r}")
    if optimizer is not None and not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError(f"optimizer must be an nn optimiser such as nn.Adam(model.parameters()), got "
                        f"{type(optimizer).__name__}: {optimizer!r:.80}")
    optimizer = optimizer or Adam(model.parameters(), lr=0.01)
    log_every = log_every or max(1, steps // 10)
    rng, history = make_rng(seed), History()
    for step in range(1, steps + 1):
        batch = range(len(rows)) if batch_size is None else rng.choice(len(rows), batch_size, replace=False)
        total, accuracy = _batch_loss(model, rows, targets, task, batch)
        if l2:
            total = total + l2_penalty(model.parameters(), l2)
        if not math.isfinite(total.data):
            raise FloatingPointError(f"fit: the loss became {total.data} at step {step}; lower the learning rate")
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.loss.append(total.data)
        history.accuracy.append(accuracy)
        if log and (step % log_every == 0 or step in (1, steps)):
            shown = "" if accuracy is None else f"  accuracy {accuracy:6.1%}"
            log(f"step {step:>{len(str(steps))}}/{steps}  loss {format_number(total.data)}{shown}")
    return history


def evaluate(model: MLP, X: Any, y: Any, loss: str = "mse") -> tuple[float, float | None]:
    """The mean loss and the accuracy (None for regression) of ``model`` on ``(X, y)``, with no graph kept.

    Args:
        model: the network.
        X: inputs, shape (n, model.nin).
        y: targets, as for ``fit``.
        loss: a name from ``TASKS``.

    Returns:
        (loss, accuracy).
    """
    rows, targets, task = _check(model, X, y, loss)
    with no_grad():
        total, accuracy = _batch_loss(model, rows, targets, task, range(len(rows)))
    return total.data, accuracy
