"""Loss functions built from ``Value`` ops, so their gradients come from the engine's op table.

Each takes ``(prediction, target)``: a ``Value`` (or number) and a number, or equally long
sequences of them, and returns the mean over the elements as one ``Value``.
``binary_cross_entropy`` takes logits (no sigmoid applied) and ``cross_entropy`` a list of logits
and a class index: both are written in forms that stay finite for logits of ±1000.

Every loss checks its arguments once, with the same target check (``check_targets``: finite real
numbers, NaN and ±inf refused), then applies its per-element rule from ``TERMS``; ``nn.fit``
checks a whole data set once and calls the same rules.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any, Callable

import autograd
from autograd import Value, validate

from .activations import _sum

__all__ = ["mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", "hinge", "l2_penalty", "check_targets"]


def check_targets(target: Any, loss: str | None, name: str = "target") -> list[float]:
    """The shared target check: ``target`` (a number or a sequence of them) as finite floats that
    ``loss`` accepts (``hinge``: -1 or +1; ``binary_cross_entropy``, and ``nn.deltas``' ``bce`` and
    ``ce``: in [0, 1]).

    Args:
        target: a number, a 0-d NumPy array, or a sequence of numbers.
        loss: the loss's name, for its label rule (None or a loss without one: any finite number).
        name: what the message calls the argument.

    Returns:
        The targets as a list of floats.
    """
    if getattr(target, "ndim", None) == 0:  # a 0-d NumPy array, np.asarray(1.0): its one element
        target = target.item()
    if isinstance(target, numbers.Number) or target is None:
        listed, names = [target], [name]
    else:
        listed = validate.items(target, name, "a number or a sequence of numbers")
        names = [f"{name}[{i}]" for i in range(len(listed))]
    ts = [validate.finite(t, n) for t, n in zip(listed, names)]
    allowed = LABELS.get(loss or "")
    if allowed is not None:
        for t, n in zip(ts, names):
            if not allowed[0](t):
                raise ValueError(f"{n} must be {allowed[1]} for {loss}, got {t:g}")
    return ts


_PROBABILITY: tuple[Callable[[float], bool], str] = (lambda t: 0.0 <= t <= 1.0, "in [0, 1]")
LABELS: dict[str, tuple[Callable[[float], bool], str]] = {
    "hinge": (lambda t: t in (-1.0, 1.0), "-1 or +1"),
    "binary_cross_entropy": _PROBABILITY,
    "bce": _PROBABILITY,  # nn.deltas' names: binary and categorical cross-entropy
    "ce": _PROBABILITY,
}


def _pairs(prediction: Any, target: Any, loss: str) -> list[tuple[Value, float]]:
    """Prediction Values paired with checked target floats."""
    if isinstance(prediction, (Value, numbers.Number)) or prediction is None:
        preds = [prediction]
    else:
        preds = validate.items(prediction, "prediction")
    ts = check_targets(target, loss)
    if len(preds) != len(ts):
        raise ValueError(f"prediction has {len(preds)} element(s) but target has {len(ts)}")
    if not preds:
        raise ValueError("prediction is empty")
    return [(p if isinstance(p, Value) else autograd.lift(p, f"prediction[{i}]"), t)
            for i, (p, t) in enumerate(zip(preds, ts))]


def _mean(terms: list[Value]) -> Value:
    """The mean of checked terms as one node (the term itself when there is one)."""
    return terms[0] if len(terms) == 1 else _sum(terms) / len(terms)


def _huber(r: Value, delta: float) -> Value:
    return 0.5 * r * r if abs(r.data) <= delta else delta * (abs(r) - 0.5 * delta)


# loss name -> the per-element term (prediction Value, target float) -> Value, for checked inputs.
TERMS: dict[str, Callable[[Value, float], Value]] = {
    "mse": lambda p, t: (p - t) ** 2,
    "mae": lambda p, t: abs(p - t),
    "huber": lambda p, t: _huber(p - t, 1.0),
    "binary_cross_entropy": lambda z, t: z.softplus() - t * z,
    "hinge": lambda p, t: (1 - t * p).relu(),
}


def mse(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Mean squared error, mean of (p - t)².

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.

    Returns:
        The loss as a Value.
    """
    return _mean([TERMS["mse"](p, t) for p, t in _pairs(prediction, target, "mse")])


def mae(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Mean absolute error, mean of |p - t| (subgradient 0 where p = t).

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.

    Returns:
        The loss as a Value.
    """
    return _mean([TERMS["mae"](p, t) for p, t in _pairs(prediction, target, "mae")])


def huber(prediction: Value | Sequence[Value], target: float | Sequence[float], delta: float = 1.0) -> Value:
    """Huber loss: ½r² for |r| <= delta, delta·(|r| - ½delta) beyond, with r = p - t; the mean.

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.
        delta: where the quadratic turns linear (> 0).

    Returns:
        The loss as a Value.
    """
    delta = validate.positive(delta, "delta")
    return _mean([_huber(p - t, delta) for p, t in _pairs(prediction, target, "huber")])


def binary_cross_entropy(logits: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Binary cross-entropy from logits z: -t·ln σ(z) - (1 - t)·ln(1 - σ(z)) = softplus(z) - t·z.

    The softplus form never takes the log of 0, so it is finite for z = ±1000; its gradient is
    σ(z) - t.

    Args:
        logits: a Value z (or a sequence), *before* any sigmoid.
        target: a probability t in [0, 1] (or a sequence of them).

    Returns:
        The mean loss as a Value.
    """
    term = TERMS["binary_cross_entropy"]
    return _mean([term(z, t) for z, t in _pairs(logits, target, "binary_cross_entropy")])


def cross_entropy(logits: Sequence[Value], target_index: int) -> Value:
    """-ln softmax(z)[k] = logsumexp(z) - z_k, with the maximum subtracted as a constant.

    Its gradient with respect to z is softmax(z) - onehot(k).

    Args:
        logits: the scores z of one sample, one per class (Values or numbers).
        target_index: the true class k, 0 <= k < len(logits).

    Returns:
        The loss as a Value.
    """
    if isinstance(logits, (Value, numbers.Number)):
        raise TypeError(f"logits must be a sequence of Values (one per class), got {validate.shown(logits)}")
    zs = [z if isinstance(z, Value) else autograd.lift(z, f"logits[{i}]")
          for i, z in enumerate(validate.items(logits, "logits", "a sequence of Values (one per class)"))]
    if not zs:
        raise ValueError("logits is empty")
    return _class_term(zs, validate.whole(target_index, "target_index", low=0, high=len(zs) - 1))


def _class_term(zs: list[Value], k: int) -> Value:
    """``cross_entropy`` for checked logits and a checked class index."""
    m = max(z.data for z in zs)
    log_total = _sum([(z - m).exp() for z in zs]).log()
    return log_total + m - zs[k]


def hinge(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Hinge (SVM max-margin) loss, mean of max(0, 1 - t·p), as in micrograd's moons demo.

    Args:
        prediction: a score Value (or a sequence).
        target: the label, -1 or +1 (or a sequence of them).

    Returns:
        The loss as a Value.
    """
    return _mean([TERMS["hinge"](p, t) for p, t in _pairs(prediction, target, "hinge")])


def l2_penalty(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """alpha·Σ p², the L2 (weight decay) term added to a loss.

    Args:
        parameters: the Values to penalise, e.g. ``model.parameters()``.
        alpha: the strength, >= 0 (micrograd's demo uses 1e-4).

    Returns:
        The penalty as a Value.
    """
    alpha = validate.positive(alpha, "alpha", zero=True)
    if isinstance(parameters, Value):
        raise TypeError(f"parameters must be an iterable of Values (e.g. model.parameters()), got {validate.shown(parameters)}")
    params = validate.items(parameters, "parameters", "an iterable of Values (e.g. model.parameters())")
    if not params:
        raise ValueError("parameters is empty")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"parameters[{i}] must be a Value, got {validate.shown(p)}")
    return _penalty(params, alpha)


def _penalty(params: list[Value], alpha: float) -> Value:
    """``l2_penalty`` for checked arguments."""
    return alpha * _sum([p * p for p in params])
