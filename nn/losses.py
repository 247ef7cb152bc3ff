"""Losses: ONE table, ``LOSS_TABLE``, with one row per distinct loss J, and the public functions.

Each row says everything the rest of deltagrad needs to know about one loss: J for one sample
built from ``Value`` s (so the batched replay can run it, the targets being leaves that vary per
sample, and no Python ``if`` on a value), what J reads (the output layer's logits v or its
outputs y), the output activation it pairs with in the delta rule, how a target is checked and
encoded, how a prediction is scored, and its formula as text. ``nn.fit``, ``nn.evaluate``, the
playground's heads, ``deltagrad train`` and ``nn.deltas``' autograd side all read it.

Three squared errors, three meanings, so three names:

- ``mse``: (1/K) Σ_k (y_k − t_k)², the mean over the K outputs (``nn.mse``'s J, mean over elements);
- ``sse``: ½ Σ_k (t_k − y_k)², the lecture notes' J (for one output ½e², the playground's
  "linear + MSE" head; ``nn.deltas``' ``sse``), whose −∂J/∂y is e itself;
- ``huber`` and ``mae`` are means over the outputs too.

``nn.deltas`` calls binary and categorical cross-entropy ``bce`` and ``ce``: ``ALIASES`` maps
those names to the rows, the same J.

The public functions (``mse(prediction, target)`` ...) check their arguments once, with the shared
target check :func:`check_targets`, then average the row's per-element term over the elements.
``binary_cross_entropy`` takes logits (no sigmoid applied) and ``cross_entropy`` a list of logits
and a class index: both stay finite for logits of ±1000.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Value, validate

from . import functional

__all__ = [
    "ALIASES", "LABELS", "LOSS_TABLE", "Loss", "TARGETS", "Target", "binary_cross_entropy",
    "check_targets", "cross_entropy", "hinge", "huber", "l2_penalty", "loss_row", "mae", "mse",
]

Term = Callable[[Sequence[Value], Sequence[Any]], Value]
Score = Callable[[np.ndarray, np.ndarray], np.ndarray]


# -- targets: how one sample's target is checked and encoded ------------------------------------


def check_targets(target: Any, loss: str | None, name: str = "target") -> list[float]:
    """The shared target check: ``target`` (a number or a sequence of them) as finite floats that
    ``loss`` accepts element by element (``LABELS``: ``hinge`` -1 or +1; ``binary_cross_entropy``,
    ``bce`` and ``ce``: in [0, 1]).

    Args:
        target: a number, a 0-d NumPy array, or a sequence of numbers.
        loss: a loss's name, for its element rule (None or a loss without one: any finite number).
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


def _one(t: Any, name: str, loss: str | None) -> float:
    ts = check_targets(t, loss, name)
    if len(ts) != 1:
        raise ValueError(f"{name} must be one number, got {len(ts)}")
    return ts[0]


def _numbers(t: Any, name: str, nout: int) -> list[float]:
    ts = check_targets(t, None, name)
    if len(ts) != nout:
        raise ValueError(f"{name} must hold {nout} number(s), one per model output, got {len(ts)}")
    return ts


def _sign_label(t: Any, name: str, nout: int) -> list[float]:
    label = _one(t, name, None)
    if label not in (-1.0, 0.0, 1.0):
        raise ValueError(f"{name} must be a class label, 0/1 or -1/+1, for hinge, got {label:g}")
    return [1.0 if label > 0 else -1.0]


def _probability(t: Any, name: str, nout: int) -> list[float]:
    return [_one(t, name, "binary_cross_entropy")]


def _one_hot(t: Any, name: str, nout: int) -> list[float]:
    return _row_of_class(validate.whole(t, name, low=0, high=nout - 1), nout)


def _row_of_class(k: int, classes: int) -> list[float]:
    return [1.0 if j == k else 0.0 for j in range(classes)]


def _numbers_many(ts: np.ndarray, nout: int) -> np.ndarray | None:
    column = ts[:, None] if ts.ndim == 1 and nout == 1 else ts
    return column if column.ndim == 2 and column.shape[1] == nout else None


def _sign_many(ts: np.ndarray, nout: int) -> np.ndarray | None:
    if ts.ndim != 1 or not np.isin(ts, (-1.0, 0.0, 1.0)).all():
        return None
    return np.where(ts > 0, 1.0, -1.0)[:, None]


def _probability_many(ts: np.ndarray, nout: int) -> np.ndarray | None:
    return ts[:, None] if ts.ndim == 1 and ((ts >= 0.0) & (ts <= 1.0)).all() else None


def _one_hot_many(ts: np.ndarray, nout: int) -> np.ndarray | None:
    whole = ts.ndim == 1 and ts.dtype.kind in "iu" and ((ts >= 0) & (ts < nout)).all()
    return np.eye(nout)[ts] if whole else None


@dataclass(frozen=True)
class Target:
    """One kind of target: how a data set's target for one sample is checked and encoded.

    Attributes:
        encode: ``(target, name, nout) -> floats``, one per target leaf of J; a bad target is a
            TypeError or ValueError naming ``name``.
        outputs: the model outputs it needs: ``"one"``, ``"classes"`` (two or more) or ``"any"``.
        element: for the public functions, the rule each element obeys and how a message says
            it, or None for any finite number.
        encode_many: ``(targets, nout) -> (n, width)``, ``encode`` of a whole array of finite
            real numbers at once, or None when one of them is not right (then ``encode``, sample
            by sample, names it).
    """

    encode: Callable[[Any, str, int], list[float]]
    outputs: str
    element: tuple[Callable[[float], bool], str] | None
    encode_many: Callable[[np.ndarray, int], np.ndarray | None]


_IN_UNIT = (lambda t: 0.0 <= t <= 1.0, "in [0, 1]")
TARGETS: dict[str, Target] = {
    # one number per output (regression)
    "numbers": Target(_numbers, "any", None, _numbers_many),
    # a class label, 0/1 or ±1, encoded as ±1
    "sign": Target(_sign_label, "one", (lambda t: t in (-1.0, 1.0), "-1 or +1"), _sign_many),
    # a probability of class 1
    "probability": Target(_probability, "one", _IN_UNIT, _probability_many),
    # a class index, encoded as a one-hot row
    "class": Target(_one_hot, "classes", _IN_UNIT, _one_hot_many),
}


# -- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """One loss J: a row of ``LOSS_TABLE``.

    Attributes:
        name: the row's key.
        term: ``(zs, ts) -> J`` of ONE sample, from the Values J reads and the target leaves (or
            numbers), without a Python ``if`` on a value so that a replayed graph stays right.
        reads: ``"logits"`` (the output layer's pre-activations v) or ``"outputs"`` (its y).
        target: the key of its kind of target in ``TARGETS``.
        output: the output activation it pairs with in the delta rule, where φ′ cancels and
            δ = t − y outright (sigmoid for binary, softmax for categorical cross-entropy), or
            None when any per-unit activation goes (then δ = −∂J/∂y · φ′(v)).
        score: ``(read values (n, K), encoded targets (n, K')) -> hits (n,)`` on arrays, or
            None for regression (no accuracy).
        formula: J as text.
        slope: −∂J/∂y of an output unit as the page writes it (for one output), or None when J
            reads the logits.
        element: the per-element term ``(z, t) -> Value`` the public function averages, or None
            (cross-entropy, whose term is not per element).
    """

    name: str
    term: Term
    reads: str
    target: str
    output: str | None
    score: Score | None
    formula: str
    slope: str | None
    element: Callable[[Value, Any], Value] | None

    def objective(self, vs: Sequence[Value], ys: Sequence[Value], ts: Sequence[Any]) -> Value:
        """J of one sample from the output layer's logits ``vs`` and outputs ``ys``.

        Args:
            vs: the output layer's pre-activations.
            ys: its outputs.
            ts: the encoded targets (leaves or numbers), as ``TARGETS[self.target].encode`` gives.

        Returns:
            J as a Value.
        """
        return self.term(vs if self.reads == "logits" else ys, ts)


def _averaged(element: Callable[[Value, Any], Value]) -> Term:
    return lambda zs, ts: functional.mean([element(z, t) for z, t in zip(zs, ts)])


def _added(element: Callable[[Value, Any], Value]) -> Term:
    def term(zs: Sequence[Value], ts: Sequence[Any]) -> Value:
        terms = [element(z, t) for z, t in zip(zs, ts)]
        return terms[0] if len(terms) == 1 else functional.total(terms)
    return term


def _cross_entropy(zs: Sequence[Value], ts: Sequence[Any]) -> Value:
    # −Σ t_k ln softmax(z)_k = logsumexp(z) − Σ t_k z_k for targets summing to 1 (a one-hot row
    # picks the true class's logit); Σ t·z is one dot node.
    return functional.logsumexp(zs) - autograd.dot(ts, zs)


def _above_zero(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    return (z[:, 0] > 0) == (t[:, 0] > 0.5)  # a score or logit > 0 says class 1 (t = 1, or +1)


def _argmax(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    return z.argmax(axis=1) == t.argmax(axis=1)


def _squared(z: Value, t: Any) -> Value:
    return (z - t) ** 2


def _half_squared(z: Value, t: Any) -> Value:
    e = t - z
    return 0.5 * e * e


def _absolute(z: Value, t: Any) -> Value:
    return abs(z - t)


def _huber(z: Value, t: Any) -> Value:
    return functional.huber(z - t, 1.0)


def _logistic(z: Value, t: Any) -> Value:
    return z.softplus() - t * z  # = −t ln σ(z) − (1 − t) ln(1 − σ(z)), finite for z = ±1000


def _margin(z: Value, t: Any) -> Value:
    return (1 - t * z).relu()


LOSS_TABLE: dict[str, Loss] = {row.name: row for row in [
    Loss("mse", _averaged(_squared), reads="outputs", target="numbers", output=None, score=None,
         formula="J = (1/K) Σ_k (y_k − t_k)²", slope="2e", element=_squared),
    Loss("sse", _added(_half_squared), reads="outputs", target="numbers", output=None, score=None,
         formula="J = ½ Σ_k e_k², e = t − y", slope="e", element=_half_squared),
    Loss("mae", _averaged(_absolute), reads="outputs", target="numbers", output=None, score=None,
         formula="J = (1/K) Σ_k |e_k|", slope="sign(e)", element=_absolute),
    Loss("huber", _averaged(_huber), reads="outputs", target="numbers", output=None, score=None,
         formula="J = ½e² for |e| ≤ 1, |e| − ½ beyond", slope="clip(e, −1, 1)", element=_huber),
    Loss("binary_cross_entropy", _added(_logistic), reads="logits", target="probability",
         output="sigmoid", score=_above_zero,
         formula="J = −Σ_k [t_k ln y_k + (1 − t_k) ln(1 − y_k)], y = σ(v)", slope=None,
         element=_logistic),
    Loss("cross_entropy", _cross_entropy, reads="logits", target="class", output="softmax",
         score=_argmax, formula="J = −Σ_k t_k ln y_k, y = softmax(v)", slope=None, element=None),
    Loss("hinge", _averaged(_margin), reads="outputs", target="sign", output=None,
         score=_above_zero, formula="J = max(0, 1 − t·y), t = ±1", slope="t·[t·y < 1]",
         element=_margin),
]}

# nn.deltas' short names for the same J.
ALIASES: dict[str, str] = {"bce": "binary_cross_entropy", "ce": "cross_entropy"}

# loss name (aliases too) -> the rule each target element obeys, for check_targets.
LABELS: dict[str, tuple[Callable[[float], bool], str]] = {
    name: TARGETS[LOSS_TABLE[ALIASES.get(name, name)].target].element
    for name in [*LOSS_TABLE, *ALIASES]
    if TARGETS[LOSS_TABLE[ALIASES.get(name, name)].target].element is not None
}


def loss_row(name: Any, argument: str = "loss") -> Loss:
    """The row of ``LOSS_TABLE`` called ``name`` (or an alias of ``ALIASES``), checked.

    Args:
        name: a loss's name.
        argument: what the message calls the argument.

    Returns:
        The row.
    """
    name = validate.one_of(name, argument, (*LOSS_TABLE, *ALIASES))
    return LOSS_TABLE[ALIASES.get(name, name)]


# -- the public functions: mean over the elements of the row's per-element term -----------------


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


def _mean_of(loss: str, prediction: Any, target: Any) -> Value:
    element = LOSS_TABLE[loss].element
    return functional.mean([element(p, t) for p, t in _pairs(prediction, target, loss)])


def mse(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Mean squared error, mean of (p - t)² (the ``mse`` row).

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.

    Returns:
        The loss as a Value.
    """
    return _mean_of("mse", prediction, target)


def mae(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Mean absolute error, mean of |p - t| (subgradient 0 where p = t).

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.

    Returns:
        The loss as a Value.
    """
    return _mean_of("mae", prediction, target)


def huber(prediction: Value | Sequence[Value], target: float | Sequence[float],
          delta: float = 1.0) -> Value:
    """Huber loss: ½r² for |r| <= delta, delta·(|r| - ½delta) beyond, with r = p - t; the mean.

    Args:
        prediction: a Value or a sequence of Values.
        target: a number or a sequence of numbers of the same length.
        delta: where the quadratic turns linear (> 0); the ``huber`` row's is 1.

    Returns:
        The loss as a Value.
    """
    delta = validate.positive(delta, "delta")
    pairs = _pairs(prediction, target, "huber")
    return functional.mean([functional.huber(p - t, delta) for p, t in pairs])


def binary_cross_entropy(logits: Value | Sequence[Value],
                         target: float | Sequence[float]) -> Value:
    """Binary cross-entropy from logits z: -t·ln σ(z) - (1 - t)·ln(1 - σ(z)) = softplus(z) - t·z.

    The softplus form never takes the log of 0, so it is finite for z = ±1000; its gradient is
    σ(z) - t.

    Args:
        logits: a Value z (or a sequence), *before* any sigmoid.
        target: a probability t in [0, 1] (or a sequence of them).

    Returns:
        The mean loss as a Value.
    """
    return _mean_of("binary_cross_entropy", logits, target)


def cross_entropy(logits: Sequence[Value], target_index: int) -> Value:
    """-ln softmax(z)[k] = logsumexp(z) - z_k, with the maximum subtracted as a constant.

    Its gradient with respect to z is softmax(z) - onehot(k).

    Args:
        logits: the scores z of one sample, one per class (Values or numbers).
        target_index: the true class k, 0 <= k < len(logits).

    Returns:
        The loss as a Value.
    """
    wanted = "a sequence of Values (one per class)"
    if isinstance(logits, (Value, numbers.Number)):
        raise TypeError(f"logits must be {wanted}, got {validate.shown(logits)}")
    zs = [z if isinstance(z, Value) else autograd.lift(z, f"logits[{i}]")
          for i, z in enumerate(validate.items(logits, "logits", wanted))]
    if not zs:
        raise ValueError("logits is empty")
    k = validate.whole(target_index, "target_index", low=0, high=len(zs) - 1)
    return LOSS_TABLE["cross_entropy"].term(zs, _row_of_class(k, len(zs)))


def hinge(prediction: Value | Sequence[Value], target: float | Sequence[float]) -> Value:
    """Hinge (SVM max-margin) loss, mean of max(0, 1 - t·p), as in micrograd's moons demo.

    Args:
        prediction: a score Value (or a sequence).
        target: the label, -1 or +1 (or a sequence of them).

    Returns:
        The loss as a Value.
    """
    return _mean_of("hinge", prediction, target)


def l2_penalty(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """alpha·Σ p², the L2 (weight decay) term added to a loss.

    Args:
        parameters: the Values to penalise, e.g. ``model.parameters()``.
        alpha: the strength, >= 0 (micrograd's demo uses 1e-4).

    Returns:
        The penalty as a Value.
    """
    alpha = validate.positive(alpha, "alpha", zero=True)
    wanted = "an iterable of Values (e.g. model.parameters())"
    if isinstance(parameters, Value):
        raise TypeError(f"parameters must be {wanted}, got {validate.shown(parameters)}")
    params = validate.items(parameters, "parameters", wanted)
    if not params:
        raise ValueError("parameters is empty")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"parameters[{i}] must be a Value, got {validate.shown(p)}")
    return functional.l2(params, alpha)


def __getattr__(name: str) -> Any:
    if name == "TERMS":  # the per-element terms before LOSS_TABLE
        warnings.warn("nn.losses.TERMS is deprecated; use nn.losses.LOSS_TABLE[name].element",
                      DeprecationWarning, stacklevel=2)
        old = ("mse", "mae", "huber", "binary_cross_entropy", "hinge")
        return {key: LOSS_TABLE[key].element for key in old}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
