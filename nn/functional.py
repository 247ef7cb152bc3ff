"""The unchecked inner layer of ``nn``: small functions of Values a public entry checked already.

The public functions (``nn.softmax``, ``nn.mse``, ``nn.l2_penalty`` ...) check their arguments once
and then call these; so do the layers, the loss table and ``fit``, which trust their callers.
Each builds its result from the engine's ops, so every derivative comes from the op table.

Every function here takes checked inputs: non-empty lists of ``Value`` s holding finite numbers.
Passing anything else gives whatever the ops give, not a clear error; use the public functions.
"""

from __future__ import annotations

from typing import Sequence

from autograd import OPS, Value
from autograd.value import node

__all__ = ["total", "mean", "softmax", "logsumexp", "l2", "huber"]

_SUM = OPS["sum"]


def total(values: Sequence[Value]) -> Value:
    """Σ values as one n-ary ``sum`` node (``autograd.sum`` without its check).

    Args:
        values: a non-empty list of Values.

    Returns:
        The sum as one Value.
    """
    return node(_SUM, tuple(values))


def mean(values: Sequence[Value]) -> Value:
    """The mean of ``values``: the value itself when there is one, else one sum node divided by n.

    Args:
        values: a non-empty list of Values.

    Returns:
        The mean as a Value.
    """
    return values[0] if len(values) == 1 else total(values) / len(values)


def logsumexp(values: Sequence[Value]) -> Value:
    """ln Σ e^(v_i), as ln Σ e^(v_i − m) + m with m = max v held as a constant.

    Subtracting m keeps every exponent <= 0, so logits of ±1000 do not overflow; m is a number,
    not a node, so a replayed graph keeps the recorded sample's m (any m gives the same value).

    Args:
        values: a non-empty list of Values.

    Returns:
        The log-sum-exp as a Value.
    """
    m = max(v.data for v in values)
    return total([(v - m).exp() for v in values]).log() + m


def softmax(values: Sequence[Value]) -> list[Value]:
    """p_i = e^(v_i − m) / Σ_j e^(v_j − m), with m = max v held as a constant (no overflow).

    Args:
        values: a non-empty list of Values holding finite numbers.

    Returns:
        One probability Value per input, summing to 1.
    """
    m = max(v.data for v in values)
    exps = [(v - m).exp() for v in values]
    denominator = total(exps)
    return [e / denominator for e in exps]


def l2(params: Sequence[Value], alpha: float | Value) -> Value:
    """The L2 (weight decay) penalty alpha·Σ p², one sum of squares that the replay fuses.

    Args:
        params: a non-empty list of Values.
        alpha: the strength, a finite number >= 0, or a constant leaf holding it (to change it
            between replays of a compiled graph).

    Returns:
        The penalty as a Value; its gradient 2·alpha·p comes from the graph.
    """
    return alpha * total([p * p for p in params])


def huber(r: Value, delta: float) -> Value:
    """Huber's function of a residual r: ½r² where |r| <= delta, delta·(|r| − ½delta) beyond.

    Written without a Python ``if`` on a value, so that a replayed graph takes the right piece
    for every sample: with a = |r| and s = step(a − delta) (0 or 1, slope 0),
    J = (1 − s)·½a² + s·delta·(a − ½delta). Each piece is the textbook expression, so the
    value is exactly the branching one's (no cancellation as in ½a² − ½(a − delta)²).

    Args:
        r: the residual, a Value.
        delta: where the quadratic turns linear, a finite number > 0.

    Returns:
        The Huber term as a Value.
    """
    a = abs(r)
    s = (a - delta).step()
    return (1.0 - s) * (0.5 * a * a) + s * (delta * (a - 0.5 * delta))
