"""The lecture's error backpropagation (seed 003) written by hand in NumPy, checked against autograd.

Notation and sign convention of the notes, kept here:

    e_l = t_l − y_l                     error of output unit l
    J   = ½ Σ_k e_k²                    one sample, summed over the output units k  (loss="sse")
    δ_l = e_l · φ'(v_l)                 output unit: the local gradient δ = −∂J/∂v
    δ_j = φ'(v_j) · Σ_l δ_l · w_lj      hidden unit j, fed back from the units l it feeds
    ∂J/∂w_ji = −δ_j · y_i               y_i is the input on the weight w_ji (y_i = 1 for the bias)
    w_ji ← w_ji + η · δ_j · y_i         the update: a gradient-descent step on J

Two output/loss pairs give δ_l = e_l = t_l − y_l outright (φ' cancels against the loss):
a sigmoid output with binary cross-entropy (``loss="bce"``, J = −Σ_k [t ln y + (1 − t) ln(1 − y)])
and a softmax output with cross-entropy (``loss="ce"``, J = −Σ_k t_k ln y_k).

Erratum (seeds/README.md): the notes' sums over l = 1..N mix samples and output units. Here J is
the sum over the output units of ONE sample; over a batch the samples' J are summed
(``reduction="sum"``, what the notes do) or averaged (``reduction="mean"``: every δ then carries
a factor 1/N).

At a kink the derivative table takes the left derivative, as the engine's op table does
(``autograd.ops``): ReLU'(0) = 0, leaky ReLU'(0) = 0.01, ELU'(0) = α, SELU'(0) = λα; step' = 0.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

import autograd
from autograd import Value
from autograd.format import format_number, format_table
from autograd.ops import SELU_ALPHA, SELU_LAMBDA

__all__ = [
    "NUMPY_ACTIVATIONS",
    "LOSSES",
    "DeltaRule",
    "LECTURE_RULE",
    "HandBackprop",
    "DeltaRow",
    "GradientRow",
    "DeltaReport",
    "backprop",
    "objective",
    "compare",
    "hand_step",
]

LEAKY_RELU_SLOPE = 0.01  # the engine's default slope (Value.leaky_relu)
ELU_ALPHA = 1.0  # the engine's default α (Value.elu); seed 003's 1.67326 is SELU's α
TOLERANCE = 1e-9  # float64: hand, autograd and central differences agree to this
FD_STEP = 1e-4  # step of the fourth-order central difference: truncation ~h⁴, rounding ~1e-16/h
KINK_MARGIN = 1e-3  # a unit's v this close to a kink gets a note in the report

Array = np.ndarray


def _sigmoid(v: Array) -> Array:
    # exp of a non-positive number only, so no overflow for any finite v.
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _negative_part(v: Array) -> Array:
    # e^v − 1 evaluated only where it is used (v <= 0), so large positive v cannot overflow.
    return np.expm1(np.minimum(v, 0.0))


# name -> (φ(v), φ'(v, y)); φ' may use the output y = φ(v) where that is cheaper (σ' = y(1 − y)).
NUMPY_ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array, Array], Array]]] = {
    "linear": (lambda v: v, lambda v, y: np.ones_like(v)),
    "sigmoid": (_sigmoid, lambda v, y: y * (1.0 - y)),
    "tanh": (np.tanh, lambda v, y: 1.0 - y * y),
    "relu": (lambda v: np.where(v > 0, v, 0.0), lambda v, y: np.where(v > 0, 1.0, 0.0)),
    "leaky_relu": (
        lambda v: np.where(v > 0, v, LEAKY_RELU_SLOPE * v),
        lambda v, y: np.where(v > 0, 1.0, LEAKY_RELU_SLOPE),
    ),
    "elu": (
        lambda v: np.where(v > 0, v, ELU_ALPHA * _negative_part(v)),
        lambda v, y: np.where(v > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(v, 0.0))),
    ),
    "selu": (
        lambda v: SELU_LAMBDA * np.where(v > 0, v, SELU_ALPHA * _negative_part(v)),
        lambda v, y: SELU_LAMBDA * np.where(v > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(v, 0.0))),
    ),
    "softplus": (lambda v: np.logaddexp(0.0, v), lambda v, y: _sigmoid(v)),
    "step": (lambda v: np.where(v > 0, 1.0, 0.0), lambda v, y: np.zeros_like(v)),
}

# Activations whose slope jumps at v = 0 (ELU with α = 1 is smooth, but its curvature jumps):
# a central difference whose step crosses the kink averages the two one-sided slopes.
KINKED = ("relu", "leaky_relu", "elu", "selu", "step")

# loss -> the output activation it pairs with (None: any per-unit activation).
LOSSES: dict[str, str | None] = {"sse": None, "bce": "sigmoid", "ce": "softmax"}
REDUCTIONS = ("sum", "mean")


def _softmax(v: Array) -> Array:
    e = np.exp(v - v.max())
    return e / e.sum()


def _activate(name: str, v: Array) -> Array:
    return _softmax(v) if name == "softmax" else NUMPY_ACTIVATIONS[name][0](v)


# -- the hand formula, in pieces ---------------------------------------------------------------


def phi_prime(name: str, v: Array, y: Array) -> Array:
    """φ'(v) of the activation called ``name`` (NumPy table), given v and y = φ(v)."""
    return NUMPY_ACTIVATIONS[name][1](v, y)


def output_delta(e: Array, dphi: Array) -> Array:
    """δ_l = e_l · φ'(v_l), the output units' local gradients under J = ½ Σ e²."""
    return e * dphi


def hidden_delta(dphi: Array, delta_next: Array, w_next: Array) -> Array:
    """δ_j = φ'(v_j) · Σ_l δ_l · w_lj; ``w_next[l, j]`` is the weight from unit j to unit l."""
    return dphi * (w_next.T @ delta_next)


def weight_gradient(delta: Array, y_in: Array) -> Array:
    """∂J/∂w_ji = −δ_j · y_i for every j (rows) and i (columns)."""
    return -np.outer(delta, y_in)


@dataclass(frozen=True)
class DeltaRule:
    """The pieces of the hand formula, as data: replace one to see the comparison catch it.

    Attributes:
        derivative: ``(activation name, v, y) -> φ'(v)``.
        output_delta: ``(e, φ'(v)) -> δ`` of the output units (loss "sse").
        hidden_delta: ``(φ'(v_j), δ of the next layer, its weight matrix) -> δ_j``.
        weight_gradient: ``(δ_j, y_i) -> ∂J/∂w_ji`` as a matrix (the bias uses y_i = 1).
    """

    derivative: Callable[[str, Array, Array], Array] = phi_prime
    output_delta: Callable[[Array, Array], Array] = output_delta
    hidden_delta: Callable[[Array, Array, Array], Array] = hidden_delta
    weight_gradient: Callable[[Array, Array], Array] = weight_gradient


LECTURE_RULE = DeltaRule()


# -- checking the input ------------------------------------------------------------------------


def _layers(model: Any) -> list[Any]:
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"model must be an nn.MLP (with .layers), got {type(model).__name__}")
    for index, layer in enumerate(layers):
        name = getattr(layer, "activation", None)
        if name == "softmax" and index != len(layers) - 1:
            raise ValueError(f"model: softmax is only handled on the output layer, found on layer {index}")
        if name != "softmax" and name not in NUMPY_ACTIVATIONS:
            raise ValueError(
                f"model: layer {index} has activation {name!r}, which the hand formula does not know; "
                f"known: {', '.join(NUMPY_ACTIVATIONS)}, softmax"
            )
    return list(layers)


def _weights(layers: Sequence[Any]) -> list[tuple[Array, Array]]:
    """(W, b) per layer, W[j, i] = w_ji, read from the parameters' current .data."""
    return [
        (
            np.array([[w.data for w in neuron.w] for neuron in layer.neurons], dtype=float),
            np.array([neuron.b.data for neuron in layer.neurons], dtype=float),
        )
        for layer in layers
    ]


def _check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def _check_pairing(layers: Sequence[Any], loss: str) -> None:
    _check_choice(loss, "loss", tuple(LOSSES))
    output = layers[-1].activation
    needed = LOSSES[loss]
    if needed is not None and output != needed:
        raise ValueError(f"loss={loss!r} pairs with a {needed} output layer, but the model's output is {output!r}")
    if loss == "sse" and output == "softmax":
        raise ValueError("a softmax output layer pairs with loss='ce' (its Jacobian is not diagonal)")


def _inputs(x: Any, nin: int) -> tuple[Array, bool]:
    """The samples as an (N, nin) array, and whether ``x`` was a batch."""
    try:
        array = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x must be a list of numbers or a list of samples, got {x!r}") from None
    if array.ndim not in (1, 2) or array.shape[-1] != nin or array.size == 0:
        raise ValueError(f"x must hold {nin} number(s) per sample (the model's inputs), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"x must be finite, got {x!r}")
    return np.atleast_2d(array), array.ndim == 2


def _target_row(t: Any, nout: int, loss: str, where: str) -> Array:
    if loss == "ce" and isinstance(t, numbers.Integral) and not isinstance(t, bool):
        if not 0 <= t < nout:
            raise ValueError(f"{where}: class index must be in 0..{nout - 1}, got {t}")
        return np.eye(nout)[int(t)]
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        t = [t]
    try:
        row = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{where} must be a number or a list of numbers, got {t!r}") from None
    if row.shape != (nout,):
        raise ValueError(f"{where} must have {nout} value(s) (the model's outputs), got {t!r}")
    if not np.all(np.isfinite(row)):
        raise ValueError(f"{where} must be finite, got {t!r}")
    if loss in ("bce", "ce") and np.any((row < 0) | (row > 1)):
        raise ValueError(f"{where}: {loss} targets must lie in [0, 1], got {t!r}")
    if loss == "ce" and abs(row.sum() - 1.0) > 1e-9:
        raise ValueError(f"{where}: a ce target is a class index or probabilities summing to 1, got {t!r}")
    return row


def _targets(target: Any, samples: int, batched: bool, nout: int, loss: str) -> Array:
    if not batched:
        return _target_row(target, nout, loss, "target")[None, :]
    if isinstance(target, (str, bytes)) or not isinstance(target, (Sequence, np.ndarray)):
        raise TypeError(f"target must be a list with one target per sample, got {target!r}")
    if len(target) != samples:
        raise ValueError(f"target must have one entry per sample ({samples}), got {len(target)}")
    return np.array([_target_row(t, nout, loss, f"target[{n}]") for n, t in enumerate(target)])


def _scale(reduction: str, samples: int) -> float:
    return 1.0 if _check_choice(reduction, "reduction", REDUCTIONS) == "sum" else 1.0 / samples


def _prepare(model: Any, x: Any, target: Any, loss: str, reduction: str) -> tuple[list, Array, Array, float]:
    """The layers, the samples (N, nin), the targets (N, nout) and the reduction's factor."""
    layers = _layers(model)
    _check_pairing(layers, loss)
    xs, batched = _inputs(x, len(layers[0].neurons[0].w))
    ts = _targets(target, len(xs), batched, len(layers[-1].neurons), loss)
    return layers, xs, ts, _scale(reduction, len(xs))


# -- the hand computation ----------------------------------------------------------------------


@dataclass
class HandBackprop:
    """The hand computation for a batch of N samples and L layers.

    Attributes:
        v: per layer, the pre-activations, shape (N, units).
        y: per layer plus the input first (``y[0]`` is x), the outputs, shape (N, units).
        delta: per layer, δ = −∂J/∂v of every unit for every sample, shape (N, units).
        grad_w: per layer, ∂J/∂w_ji summed over the samples, shape (units, inputs).
        grad_b: per layer, ∂J/∂b_j, shape (units,).
        loss: J.
    """

    v: list[Array]
    y: list[Array]
    delta: list[Array]
    grad_w: list[Array]
    grad_b: list[Array]
    loss: float


def _sample_loss(loss: str, t: Array, y: Array) -> float:
    if loss == "sse":
        return 0.5 * float(np.sum((t - y) ** 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if loss == "bce":
            return -float(np.sum(np.where(t > 0, t * np.log(y), 0.0) + np.where(t < 1, (1 - t) * np.log1p(-y), 0.0)))
        return -float(np.sum(np.where(t > 0, t * np.log(y), 0.0)))


def backprop(
    model: Any,
    x: Any,
    target: Any,
    loss: str = "sse",
    reduction: str = "sum",
    rule: DeltaRule = LECTURE_RULE,
) -> HandBackprop:
    """The forward and backward pass of the notes, by hand in NumPy, from the model's weights.

    Args:
        model: an ``nn.MLP`` (only its weights and activation names are read).
        x: one sample (a list of numbers) or a batch (a list of samples).
        target: one target per sample: a number or a list (one per output); for ``ce`` a class
            index or a list of probabilities.
        loss: ``"sse"`` (J = ½ Σ e²), ``"bce"`` (sigmoid output) or ``"ce"`` (softmax output).
        reduction: ``"sum"`` or ``"mean"`` of the samples' J.
        rule: the pieces of the formula (see :class:`DeltaRule`).

    Returns:
        A :class:`HandBackprop` with every v, y, δ and ∂J/∂w.
    """
    layers, xs, ts, scale = _prepare(model, x, target, loss, reduction)
    weights = _weights(layers)
    names = [layer.activation for layer in layers]
    count = len(layers)
    v = [np.zeros((len(xs), len(b))) for _, b in weights]
    y = [xs.copy()] + [np.zeros_like(a) for a in v]
    delta = [np.zeros_like(a) for a in v]
    grad_w = [np.zeros_like(w) for w, _ in weights]
    grad_b = [np.zeros_like(b) for _, b in weights]
    total = 0.0
    for n in range(len(xs)):
        for k, ((w, b), name) in enumerate(zip(weights, names)):
            v[k][n] = w @ y[k][n] + b
            y[k + 1][n] = _activate(name, v[k][n])
        e = ts[n] - y[count][n]
        total += _sample_loss(loss, ts[n], y[count][n])
        if loss == "sse":
            delta[-1][n] = scale * rule.output_delta(e, rule.derivative(names[-1], v[-1][n], y[count][n]))
        else:  # sigmoid + bce, softmax + ce: δ_l = e_l
            delta[-1][n] = scale * e
        for k in range(count - 2, -1, -1):
            dphi = rule.derivative(names[k], v[k][n], y[k + 1][n])
            delta[k][n] = rule.hidden_delta(dphi, delta[k + 1][n], weights[k + 1][0])
        for k in range(count):
            grad_w[k] += rule.weight_gradient(delta[k][n], y[k][n])
            grad_b[k] += rule.weight_gradient(delta[k][n], np.ones(1))[:, 0]
    return HandBackprop(v, y, delta, grad_w, grad_b, scale * total)


def hand_step(
    model: Any, x: Any, target: Any, lr: float, loss: str = "sse", reduction: str = "sum"
) -> HandBackprop:
    """One step of the notes' update, w_ji ← w_ji + η · δ_j · y_i, written into the model.

    Args:
        model: an ``nn.MLP``; its parameters' ``.data`` change in place.
        x, target, loss, reduction: as for :func:`backprop`.
        lr: the learning rate η (finite).

    Returns:
        The :class:`HandBackprop` computed before the step.
    """
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
        raise ValueError(f"lr must be a finite number, got {lr!r}")
    result = backprop(model, x, target, loss, reduction)
    for k, layer in enumerate(_layers(model)):
        # Σ over the samples of δ_j · y_i; the bias's input is y_0 = 1.
        change_w = lr * result.delta[k].T @ result.y[k]
        change_b = lr * result.delta[k].sum(axis=0)
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                w.data += float(change_w[j, i])
            neuron.b.data += float(change_b[j])
    return result


# -- the same with autograd --------------------------------------------------------------------


def _autograd_pass(layers: Sequence[Any], xs: Array, ts: Array, loss: str, scale: float) -> tuple[Value, list]:
    """J as a graph built from the model, and the pre-activation Values [sample][layer][unit]."""
    terms, vs = [], []
    for x, t in zip(xs, ts):
        signal: list[Any] = [float(a) for a in x]
        sample_vs = []
        for layer in layers:
            layer_vs, signal = layer.forward(signal)
            sample_vs.append(layer_vs)
        vs.append(sample_vs)
        terms.extend(_loss_terms(loss, [float(a) for a in t], signal))
    total = autograd.sum(terms)
    return (total if scale == 1.0 else total * scale), vs


def _loss_terms(loss: str, t: list[float], ys: list[Value]) -> list[Value]:
    try:
        if loss == "sse":
            return [0.5 * (tk - yk) ** 2 for tk, yk in zip(t, ys)]
        if loss == "bce":
            return [-(tk * yk.log() + (1.0 - tk) * (1.0 - yk).log()) for tk, yk in zip(t, ys)]
        return [-(tk * yk.log()) for tk, yk in zip(t, ys) if tk > 0]
    except ValueError as error:
        raise ValueError(f"{loss}: an output saturated to exactly 0 or 1, so its log is undefined ({error})") from None


def objective(model: Any, x: Any, target: Any, loss: str = "sse", reduction: str = "sum") -> Value:
    """J as an autograd graph built from the model (for ``backward()`` and an optimiser step).

    Args:
        model, x, target, loss, reduction: as for :func:`backprop`.

    Returns:
        The Value J.
    """
    layers, xs, ts, scale = _prepare(model, x, target, loss, reduction)
    return _autograd_pass(layers, xs, ts, loss, scale)[0]


def _central_difference(layers: Sequence[Any], xs: Array, ts: Array, loss: str, scale: float, p: Value, h: float) -> float:
    # Fourth-order central difference: (8[J(+h) - J(-h)] - [J(+2h) - J(-2h)]) / 12h. Its truncation
    # error ~h⁴ stays far below 1e-9 even where a unit's input is large (the plain two-point
    # difference's ~h² does not), and its rounding error is ~1e-16/h.
    original = p.data
    values = {}
    try:
        with autograd.no_grad():
            for k in (-2, -1, 1, 2):
                p.data = original + k * h
                values[k] = _autograd_pass(layers, xs, ts, loss, scale)[0].data
    finally:
        p.data = original
    return (8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * h)


# -- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeltaRow:
    """One unit of one sample: δ by the hand formula next to −∂J/∂v from autograd."""

    sample: int
    unit: str
    activation: str
    v: float
    y: float
    hand: float
    autograd: float


@dataclass(frozen=True)
class GradientRow:
    """One weight or bias: ∂J/∂w by hand, by autograd and by a central difference."""

    name: str
    value: float
    hand: float
    autograd: float
    numeric: float


def _error(a: float, reference: float) -> tuple[float, float]:
    """(absolute error, relative error); relative to max(1, |reference|), so absolute near 0."""
    absolute = abs(a - reference)
    return absolute, absolute / max(1.0, abs(reference))


@dataclass
class DeltaReport:
    """What :func:`compare` found. ``str(report)`` is an aligned table.

    Attributes:
        deltas: one :class:`DeltaRow` per unit and sample.
        gradients: one :class:`GradientRow` per weight and bias.
        loss, reduction, samples: what was compared.
        tolerance: entries agree when their relative error is at most this.
        max_abs_error, max_rel_error: the largest errors over every comparison.
        worst: the name of the entry with the largest relative error.
        disagreements: the names of the entries beyond the tolerance.
        ok: True when there are none.
        notes: units sitting near a kink of their activation, where central differences mislead.
    """

    deltas: list[DeltaRow]
    gradients: list[GradientRow]
    loss: str
    reduction: str
    samples: int
    tolerance: float
    max_abs_error: float = field(init=False)
    max_rel_error: float = field(init=False)
    worst: str = field(init=False)
    disagreements: list[str] = field(init=False)
    ok: bool = field(init=False)
    notes: list[str] = field(init=False)

    def __post_init__(self) -> None:
        entries = [(self._delta_name(r), r.hand, r.autograd) for r in self.deltas]
        for r in self.gradients:
            entries.append((f"{r.name} (hand)", r.hand, r.autograd))
            entries.append((f"{r.name} (finite difference)", r.numeric, r.autograd))
        errors = [(name, *_error(a, reference)) for name, a, reference in entries]
        self.max_abs_error = max(e[1] for e in errors)
        self.worst, _, self.max_rel_error = max(errors, key=lambda e: e[2])
        # `not <=` also flags NaN.
        self.disagreements = [name for name, _, rel in errors if not rel <= self.tolerance]
        self.ok = not self.disagreements
        self.notes = [
            f"{self._delta_name(r)[2:]}: v = {r.v:.3g} is within {KINK_MARGIN:g} of the kink of {r.activation} at 0; "
            "a central difference across it averages the two one-sided slopes"
            for r in self.deltas
            if r.activation in KINKED and abs(r.v) < KINK_MARGIN
        ]

    def _delta_name(self, row: DeltaRow) -> str:
        return f"δ {row.unit}" + (f" [sample {row.sample}]" if self.samples > 1 else "")

    def __str__(self) -> str:
        batch = f", {self.samples} samples, reduction {self.reduction}" if self.samples > 1 else ""
        sample_column = ["sample"] if self.samples > 1 else []
        delta_rows = [
            ([str(r.sample)] if self.samples > 1 else [])
            + [r.unit, format_number(r.v), format_number(r.y), _full(r.hand), _full(r.autograd), _small(_error(r.hand, r.autograd)[1])]
            for r in self.deltas
        ]
        gradient_rows = [
            [r.name, format_number(r.value), _full(r.hand), _full(r.autograd), _full(r.numeric),
             _small(_error(r.hand, r.autograd)[1]), _small(_error(r.numeric, r.autograd)[1])]
            for r in self.gradients
        ]
        verdict = (
            f"OK: hand formula, autograd and finite differences agree within {self.tolerance:g}"
            if self.ok
            else f"DISAGREE beyond {self.tolerance:g}: {', '.join(self.disagreements)}"
        )
        return "\n".join(
            [
                f"Local gradients δ = −∂J/∂v (loss {self.loss}{batch})",
                format_table(sample_column + ["unit", "v", "y", "δ hand", "−∂J/∂v autograd", "rel err"], delta_rows),
                "",
                "Gradients ∂J/∂w = −δ_j·y_i",
                format_table(["parameter", "value", "hand", "autograd", "central diff", "hand err", "diff err"], gradient_rows),
                "",
                f"largest absolute error {_small(self.max_abs_error)}, largest relative error "
                f"{_small(self.max_rel_error)} (at {self.worst})",
                *(f"note: {note}" for note in self.notes),
                verdict,
            ]
        )


def _full(x: float) -> str:
    return f"{x:.12g}"


def _small(x: float) -> str:
    return f"{x:.1e}"


def compare(
    model: Any,
    x: Any,
    target: Any,
    loss: str = "sse",
    reduction: str = "sum",
    *,
    rule: DeltaRule = LECTURE_RULE,
    tolerance: float = TOLERANCE,
    step: float = FD_STEP,
) -> DeltaReport:
    """Check the hand-derived deltas and gradients against autograd and central differences.

    Args:
        model: an ``nn.MLP``; left as it was (its gradients are not touched).
        x: one sample or a batch (list of samples).
        target: one target per sample (see :func:`backprop`).
        loss: ``"sse"``, ``"bce"`` (sigmoid output) or ``"ce"`` (softmax output).
        reduction: ``"sum"`` or ``"mean"`` over the samples.
        rule: the hand formula's pieces; swap one to see the check fail.
        tolerance: the largest relative error (|a − b| / max(1, |b|)) still called agreement.
        step: the central difference's step h.

    Returns:
        A :class:`DeltaReport`; ``report.ok`` tells whether everything agrees.
    """
    for name, number in (("tolerance", tolerance), ("step", step)):
        if isinstance(number, bool) or not isinstance(number, numbers.Real) or not 0 < number < math.inf:
            raise ValueError(f"{name} must be a positive finite number, got {number!r}")
    hand = backprop(model, x, target, loss, reduction, rule)
    layers, xs, ts, scale = _prepare(model, x, target, loss, reduction)
    total, vs = _autograd_pass(layers, xs, ts, loss, scale)
    params = [(f"L{k}.N{j}.{p}", value) for k, layer in enumerate(layers) for j, neuron in enumerate(layer.neurons)
              for p, value in [*((f"w{i}", w) for i, w in enumerate(neuron.w)), ("b", neuron.b)]]
    flat_vs = [v for sample in vs for layer_vs in sample for v in layer_vs]
    grads = autograd.grad(total, [p for _, p in params] + flat_vs)
    minus_dj_dv = iter(-g for g in grads[len(params):])
    deltas = [
        DeltaRow(n, f"L{k}.N{j}", layers[k].activation, hand.v[k][n, j], hand.y[k + 1][n, j], hand.delta[k][n, j], next(minus_dj_dv))
        for n in range(len(xs)) for k in range(len(layers)) for j in range(len(layers[k].neurons))
    ]
    hand_grads = [g for gw, gb in zip(hand.grad_w, hand.grad_b) for row, b in zip(gw, gb) for g in (*row, b)]
    gradients = [
        GradientRow(name, p.data, float(h), g, _central_difference(layers, xs, ts, loss, scale, p, step))
        for (name, p), h, g in zip(params, hand_grads, grads)
    ]
    return DeltaReport(deltas, gradients, loss, reduction, len(xs), float(tolerance))
