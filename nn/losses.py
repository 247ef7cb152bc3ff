"""Loss functions built from ``Value`` ops, so their gradients come from the engine's op table.

Each takes ``(prediction, target)``: a ``Value`` (or number) and a number, or equally long
sequences of them, and returns the mean over the elements as one ``Value``.
``binary_cross_entropy`` takes logits (no sigmoid applied) and ``cross_entropy`` a list of logits
and a class index: both are written in forms that stay finite for logits of ±1000.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import autograd
from autograd import Value

__all__ = ["mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", "hinge", "l2_penalty"]


def _real(x: Any, name: str) -> float:
    if isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x):
        return float(x)
    raise ValueError(f"{name} must be a finite real number, got {type(x).__name__}: {x!r}")


def _as_list(x: Any, scalar: tuple[type, ...], who: str, what: str) -> list[Any]:
    if getattr(x, "ndim", None) == 0:  # a 0-d NumPy array, np.asarray(1.0): its one element
        x = x.item()
    if isinstance(x, scalar):
        return [x]
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{who}: {what} must be a number or a sequence of them, got {type(x).__name__}: {x!r}")
    return list(x)


def _pairs(prediction: Any, target: Any, who: str) -> list[tuple[Value, float]]:
    """Prediction Values paired with target floats, checking lengths and types."""
    preds = _as_list(prediction, (Value, numbers.Real), who, "prediction")
    targets = _as_list(target, (numbers.Real,), who, "target")
    if len(preds) != len(targets):
        raise ValueError(f"{who}: prediction has {len(preds)} element(s) but target has {len(targets)}")
    if not preds:
        raise ValueError(f"{who}: prediction is empty")
    return [(autograd.lift(p, f"{who}: prediction[{i}]"), _real(t, f"{who}: target[{i}]"))
            for i, (p, t) in enumerate(zip(preds, targets))]


def _mean(terms: list[Value]) -> Value:
    return terms[0] if len(terms) == 1 else autograd.sum(terms) / len(terms)


def mse(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Mean squared error, mean of (p - t)².

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.

    Returns:
        The loss as a Value.
    """
    return _mean([(p - t) ** 2 for p, t in _pairs(prediction, target, "mse")])


def mae(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Mean absolute error, mean of |p - t| (subgradient 0 where p = t).

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.

    Returns:
        The loss as a Value.
    """
    return _mean([abs(p - t) for p, t in _pairs(prediction, target, "mae")])


def huber(prediction: Value | Sequence[Value], target: float | Sequence[float], delta: float = 1.0) -> Value:
    """Huber loss: ½r² for |r| <= delta, delta·(|r| - ½delta) beyond, with r = p - t; the mean.

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.
        delta: where the quadratic turns linear (> 0).

    Returns:
        The loss as a Value.
    """
    delta = _real(delta, "huber: delta")
    if delta <= 0:
        raise ValueError(f"huber: delta must be > 0, got {delta}")
    residuals = [p - t for p, t in _pairs(prediction, target, "huber")]
    return _mean([0.5 * r * r if abs(r.data) <= delta else delta * (abs(r) - 0.5 * delta) for r in residuals])


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
    pairs = _pairs(logits, target, "binary_cross_entropy")
    for i, (_, t) in enumerate(pairs):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: target[{i}] must be in [0, 1], got {t}")
    return _mean([z.softplus() - t * z for z, t in pairs])


def cross_entropy(logits: Sequence[Value], target_index: int) -> Value:
    """-ln softmax(z)[k] = logsumexp(z) - z_k, with the maximum subtracted as a constant.

    Its gradient with respect to z is softmax(z) - onehot(k).

    Args:
        logits: the scores z of one sample, one per class (Values or numbers).
        target_index: the true class k, 0 <= k < len(logits).

    Returns:
        The loss as a Value.
    """
    if isinstance(logits, (Value, numbers.Real)) or not isinstance(logits, Sequence):
        raise TypeError(f"cross_entropy: logits must be a sequence of Values (one per class), got {type(logits).__name__}")
    zs = [autograd.lift(z, f"cross_entropy: logits[{i}]") for i, z in enumerate(logits)]
    if not isinstance(target_index, numbers.Integral) or isinstance(target_index, bool):
        raise ValueError(f"cross_entropy: target_index must be an int class index, got {type(target_index).__name__}: {target_index!r}")
    if not 0 <= target_index < len(zs):
        raise ValueError(f"cross_entropy: target_index {target_index} is out of range for {len(zs)} logits")
    m = max(z.data for z in zs)
    log_total = autograd.sum([(z - m).exp() for z in zs]).log()
    return log_total + m - zs[int(target_index)]


def hinge(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Hinge (SVM max-margin) loss, mean of max(0, 1 - t·p), as in micrograd's moons demo.

    Args:
        prediction: a score Value (or a sequence).
        target: the label, -1 or +1 (or a sequence of them).

    Returns:
        The loss as a Value.
    """
    pairs = _pairs(prediction, target, "hinge")
    for i, (_, t) in enumerate(pairs):
        if t not in (-1.0, 1.0):
            raise ValueError(f"hinge: target[{i}] must be -1 or +1, got {t}")
    return _mean([(1 - t * p).relu() for p, t in pairs])


def l2_penalty(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """alpha·Σ p², the L2 (weight decay) term added to a loss.

    Args:
        parameters: the Values to penalise, e.g. ``model.parameters()``.
        alpha: the strength, >= 0 (micrograd's demo uses 1e-4).

    Returns:
        The penalty as a Value.
    """
    alpha = _real(alpha, "l2_penalty: alpha")
    if alpha < 0:
        raise ValueError(f"l2_penalty: alpha must be >= 0, got {alpha}")
    if isinstance(parameters, Value) or not isinstance(parameters, Iterable):
        raise TypeError(f"l2_penalty: parameters must be an iterable of Values (e.g. model.parameters()), "
                        f"got {type(parameters).__name__}")
    params = list(parameters)
    if not params:
        raise ValueError("l2_penalty: parameters is empty")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"l2_penalty: parameters[{i}] must be a Value, got {type(p).__name__}")
    return alpha * autograd.sum([p * p for p in params])
