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

from autograd import Value, no_grad, validate
from autograd.format import format_number

from .data import as_values
from .init import Seed, make_rng
from .layers import MLP, Layer
from .losses import TERMS, _class_term, _mean, _penalty, check_targets
from .optim import Adam, Optimizer

__all__ = ["History", "TASKS", "fit", "evaluate"]


def _one(t: Any, name: str, loss: str | None) -> float:
    ts = check_targets(t, loss, name)
    if len(ts) != 1:
        raise ValueError(f"{name} must be one number, got {len(ts)}")
    return ts[0]


def _label(t: Any, name: str, nout: int) -> float:
    """A hinge label, 0/1 or -1/+1, as -1.0 or +1.0."""
    label = _one(t, name, None)
    if label not in (-1.0, 0.0, 1.0):
        raise ValueError(f"{name} must be a class label, 0/1 or -1/+1, for hinge, got {label:g}")
    return 1.0 if label > 0 else -1.0


def _probability(t: Any, name: str, nout: int) -> float:
    return _one(t, name, "binary_cross_entropy")


def _class(t: Any, name: str, nout: int) -> int:
    return validate.whole(t, name, low=0, high=nout - 1)


def _numbers(t: Any, name: str, nout: int) -> list[float]:
    ts = check_targets(t, None, name)
    if len(ts) != nout:
        raise ValueError(f"{name} must hold {nout} number(s), one per model output, got {len(ts)}")
    return ts


def _regression(term: Callable[[Value, float], Value]) -> Callable[[list[Value], list[Value], list[float]], tuple[Value, None]]:
    return lambda vs, ys, t: (_mean([term(y, tk) for y, tk in zip(ys, t)]), None)


@dataclass(frozen=True)
class Task:
    """What a loss name means to ``fit``: how one sample's target is checked, and the per-sample rule
    (logits vs, outputs ys, checked target) -> (loss, correct or None for regression)."""

    target: Callable[[Any, str, int], Any]
    rule: Callable[[list[Value], list[Value], Any], tuple[Value, "bool | None"]]
    outputs: str = "any"  # "one" for the losses that read a single output, "classes" for cross_entropy


TASKS: dict[str, Task] = {
    "hinge": Task(_label, lambda vs, ys, t: (TERMS["hinge"](ys[0], t), (ys[0].data > 0) == (t > 0)), "one"),
    "binary_cross_entropy": Task(_probability, lambda vs, ys, t: (TERMS["binary_cross_entropy"](vs[0], t),
                                                                  (vs[0].data > 0) == (t > 0.5)), "one"),
    "cross_entropy": Task(_class, lambda vs, ys, t: (_class_term(vs, t),
                                                     max(range(len(vs)), key=lambda k: vs[k].data) == t), "classes"),
    "mse": Task(_numbers, _regression(TERMS["mse"])),
    "mae": Task(_numbers, _regression(TERMS["mae"])),
    "huber": Task(_numbers, _regression(TERMS["huber"])),
}


@dataclass
class History:
    """What ``fit`` measured at each step, before that step's update."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)


def _check(model: Any, X: Any, y: Any, loss: str) -> tuple[list[list[Value]], list[Any], Task]:
    """The one check of fit's and evaluate's data: rows of Values and one checked target per row."""
    task = TASKS[validate.one_of(loss, "loss", tuple(TASKS))]
    if not isinstance(model, (MLP, Layer)):
        raise TypeError(f"model must be an nn.MLP (or nn.Layer), got {validate.shown(model)}")
    nout = model.nouts[-1] if isinstance(model, MLP) else model.nout
    if task.outputs == "one" and nout != 1:
        raise ValueError(f"loss {loss!r} needs a model with one output, this one has {nout} "
                         "(use cross_entropy for several classes)")
    if task.outputs == "classes" and nout < 2:
        raise ValueError(f"loss {loss!r} needs a model with two or more outputs (one per class), this one has 1; "
                         "use binary_cross_entropy or hinge for two classes")
    try:
        rows = as_values(X)
    except ValueError as error:
        raise ValueError(f"X: {error}") from None
    if not rows:
        raise ValueError("X is empty")
    if len(rows[0]) != model.nin:
        raise ValueError(f"the model expects {model.nin} input(s) but X has {len(rows[0])} column(s)")
    if isinstance(y, numbers.Number) or getattr(y, "ndim", None) == 0:
        raise ValueError(f"y must hold one target per row of X, got a single {validate.shown(y)}")
    targets = validate.items(y, "y", "one target per row of X")
    if len(targets) != len(rows):
        raise ValueError(f"X has {len(rows)} rows but y has {len(targets)} targets")
    return rows, [task.target(t, f"y[{i}]", nout) for i, t in enumerate(targets)], task


def _batch_loss(model: MLP | Layer, rows: list, targets: list, task: Task, batch: Any) -> tuple[Value, float | None]:
    """The mean loss over ``batch`` (indices) and the fraction classified right (None for regression)."""
    terms, hits = [], []
    for i in batch:
        vs, ys = model._forward(rows[i])
        term, hit = task.rule(vs, ys, targets[i])
        terms.append(term)
        hits.append(hit)
    accuracy = None if hits[0] is None else float(sum(hits)) / len(hits)
    return _mean(terms), accuracy


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
    steps = validate.whole(steps, "steps")
    if batch_size is not None:
        batch_size = validate.whole(batch_size, "batch_size", high=len(rows))
    if log_every is not None:
        log_every = validate.whole(log_every, "log_every")
    l2 = validate.positive(l2, "l2", zero=True)
    if optimizer is not None and not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError(f"optimizer must be an nn optimiser such as nn.Adam(model.parameters()), got "
                        f"{validate.shown(optimizer)}")
    if log is not None and not callable(log):
        raise TypeError(f"log must be a function such as print, or None, got {validate.shown(log)}")
    params = model.parameters()
    optimizer = optimizer or Adam(params, lr=0.01)
    log_every = log_every or max(1, steps // 10)
    rng, history = make_rng(seed), History()
    for step in range(1, steps + 1):
        batch = range(len(rows)) if batch_size is None else rng.choice(len(rows), batch_size, replace=False)
        total, accuracy = _batch_loss(model, rows, targets, task, batch)
        if l2:
            total = total + _penalty(params, l2)
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
