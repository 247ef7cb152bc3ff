"""Error backpropagation as the lecture notes on MLPs and error backpropagation write it, by hand in
NumPy, checked against autograd and central differences.

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

Erratum: the notes' sums over l = 1..N mix samples and output units. Here J is
the sum over the output units of ONE sample; over a batch the samples' J are summed
(``reduction="sum"``, what the notes do) or averaged (``reduction="mean"``: every δ then carries
a factor 1/N).

At a kink the derivative table takes the left derivative, as the engine's op table does
(``autograd.ops``): ReLU'(0) = 0, leaky ReLU'(0) = 0.01, ELU'(0) = α, SELU'(0) = λα; step' = 0.

``sample(model, x, target, loss)`` is the same pass by autograd for one sample: every unit's v, y,
φ'(v), δ and e, J, and every ∂J/∂w, by the names the reports and pictures use (``L0.N1.delta``,
``dJ/dL0.N1.w0``); ``compare`` checks the hand formula against it, and ``viz.draw_mlp`` and the
playground show it.

``compare`` is capped (``MAX_COMPARE_COST``, see ``compare_cost``): its central differences run
four forward passes per parameter, so its time grows with the square of the model's size. A
report with a NaN or an infinity anywhere (an overflow) is a failure, never "OK".
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

import autograd
from autograd import Value, validate
from autograd.format import format_number, format_table
from autograd.ops import SELU_ALPHA, SELU_LAMBDA

from . import functional
from .layers import MLP
from .losses import check_targets, loss_row

__all__ = [
    "HAND_ACTIVATIONS",
    "HandActivation",
    "LOSSES",
    "MAX_COMPARE_COST",
    "DeltaRule",
    "LECTURE_RULE",
    "HandBackprop",
    "DeltaRow",
    "GradientRow",
    "DeltaReport",
    "backprop",
    "objective",
    "compare",
    "compare_cost",
    "check_size",
    "hand_step",
    "Sample",
    "SampleUnit",
    "sample",
]

LEAKY_RELU_SLOPE = 0.01  # the engine's default slope (Value.leaky_relu)
ELU_ALPHA = 1.0  # the engine's default α (Value.elu); the lecture notes' 1.67326 is SELU's α
TOLERANCE = 1e-9  # float64: hand, autograd and central differences agree to this
FD_STEP = 1e-4  # step of the fourth-order central difference: truncation ~h⁴, rounding ~1e-16/h
KINK_MARGIN = 1e-3  # a unit's v this close to a kink gets a note in the report
# About 5 seconds of compare (see compare_cost): 2-2000-1 would be 1.5e9, 1,000 layers of one unit 1.8e8.
MAX_COMPARE_COST = 20_000_000

Array = np.ndarray


def _sigmoid(v: Array) -> Array:
    # exp of a non-positive number only, so no overflow for any finite v.
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _negative_part(v: Array) -> Array:
    # e^v − 1 evaluated only where it is used (v <= 0), so large positive v cannot overflow.
    return np.expm1(np.minimum(v, 0.0))


def _exp_negative_part(v: Array) -> Array:
    # e^v for v <= 0 (1 beyond): ELU's and SELU's slope written as α·e^v, not as y + α, which
    # cancels to 0 for v << 0 where the true slope is a tiny α·e^v.
    return np.exp(np.minimum(v, 0.0))


@dataclass(frozen=True)
class HandActivation:
    """One row of the hand-written table: φ, φ′ and whether φ′ jumps somewhere.

    Attributes:
        phi: v -> φ(v) on arrays.
        dphi: (v, y) -> φ′(v); it may use the output y = φ(v) where that is cheaper (σ′ = y(1 − y)).
        kinked: the slope jumps at v = 0 (ELU with α = 1 is smooth, but its curvature jumps): a
            central difference whose step crosses 0 averages the two one-sided slopes.
    """

    phi: Callable[[Array], Array]
    dphi: Callable[[Array, Array], Array]
    kinked: bool = False


# The hand derivation, independent of the engine's op table on purpose (a test checks they agree).
HAND_ACTIVATIONS: dict[str, HandActivation] = {
    "linear": HandActivation(lambda v: v, lambda v, y: np.ones_like(v)),
    "sigmoid": HandActivation(_sigmoid, lambda v, y: y * (1.0 - y)),
    "tanh": HandActivation(np.tanh, lambda v, y: 1.0 - y * y),
    "relu": HandActivation(lambda v: np.where(v > 0, v, 0.0), lambda v, y: np.where(v > 0, 1.0, 0.0), kinked=True),
    "leaky_relu": HandActivation(lambda v: np.where(v > 0, v, LEAKY_RELU_SLOPE * v),
                                 lambda v, y: np.where(v > 0, 1.0, LEAKY_RELU_SLOPE), kinked=True),
    "elu": HandActivation(lambda v: np.where(v > 0, v, ELU_ALPHA * _negative_part(v)),
                          lambda v, y: np.where(v > 0, 1.0, ELU_ALPHA * _exp_negative_part(v)), kinked=True),
    "selu": HandActivation(lambda v: SELU_LAMBDA * np.where(v > 0, v, SELU_ALPHA * _negative_part(v)),
                           lambda v, y: SELU_LAMBDA * np.where(v > 0, 1.0, SELU_ALPHA * _exp_negative_part(v)),
                           kinked=True),
    "softplus": HandActivation(lambda v: np.logaddexp(0.0, v), lambda v, y: _sigmoid(v)),
    "step": HandActivation(lambda v: np.where(v > 0, 1.0, 0.0), lambda v, y: np.zeros_like(v), kinked=True),
}

# The losses the hand delta rule knows (rows of nn.losses.LOSS_TABLE, or their ALIASES: the same J)
# -> the output activation each pairs with (None: any per-unit activation), read from the table.
LOSSES: dict[str, str | None] = {name: loss_row(name).output for name in ("sse", "bce", "ce")}
REDUCTIONS = ("sum", "mean")


def _softmax(v: Array) -> Array:
    e = np.exp(v - v.max())
    return e / e.sum()


def _activate(name: str, v: Array) -> Array:
    return _softmax(v) if name == "softmax" else HAND_ACTIVATIONS[name].phi(v)


# -- the hand formula, in pieces ---------------------------------------------------------------


def phi_prime(name: str, v: Array, y: Array) -> Array:
    """φ'(v) of the activation called ``name`` (from ``HAND_ACTIVATIONS``), given v and y = φ(v)."""
    return HAND_ACTIVATIONS[name].dphi(v, y)


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


# -- checking the input, once per public call ---------------------------------------------------


def compare_cost(widths: Sequence[int], samples: int = 1) -> int:
    """About how many operations ``compare`` takes for an MLP of these widths.

    Its central differences run four forward passes of the whole batch per parameter; a pass
    costs about one operation per weight and twenty per unit (making its nodes). So the cost is
    4 · P · N · (P + 20 · U) for P parameters, U units and N samples: it grows with P².

    Args:
        widths: the layer widths, inputs first (``[2, 3, 1]``).
        samples: the number of samples N.

    Returns:
        The estimate, to compare with ``MAX_COMPARE_COST``.
    """
    parameters = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
    units = sum(widths[1:])
    return 4 * parameters * samples * (parameters + 20 * units)


def check_size(widths: Sequence[int], samples: int = 1, name: str = "model") -> None:
    """Refuse a network ``compare`` would take too long on (more than ``MAX_COMPARE_COST``), before
    anything is built or computed; a command line can call it with its own option's ``name``.

    Args:
        widths: the layer widths, inputs first.
        samples: the number of samples.
        name: what the message calls the network's size.
    """
    cost = compare_cost(widths, samples)
    if cost > MAX_COMPARE_COST:
        parameters = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
        what = f"{name} ({parameters:,} parameters)" + (f" with x ({samples:,} samples)" if samples > 1 else "")
        raise ValueError(
            f"{what} is too big for compare: its central differences run 4 forward passes per parameter, about "
            f"{cost:.1e} operations, over the cap of {MAX_COMPARE_COST:.0e} (MAX_COMPARE_COST, a few seconds); "
            "use fewer or narrower layers, or fewer samples"
        )


def _check_model(model: Any, loss: str, hand: bool = True) -> list[Any]:
    """The model's layers, checked for ``loss``; ``hand``: also what only the hand formula needs
    (activations it knows, a diagonal Jacobian at the output, two or more classes for ce)."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an nn.MLP, got {validate.shown(model)}")
    for index, layer in enumerate(model.layers if hand else ()):
        if layer.activation != "softmax" and layer.activation not in HAND_ACTIVATIONS:
            raise ValueError(f"model: layer {index} has activation {layer.activation!r}, which the hand formula does "
                             f"not know; known: {', '.join(HAND_ACTIVATIONS)}, softmax")
    output, needed = model.layers[-1].activation, LOSSES[validate.one_of(loss, "loss", tuple(LOSSES))]
    if needed is not None and output != needed:
        raise ValueError(f"loss={loss!r} pairs with a {needed} output layer, but the model's output is {output!r}")
    if not hand:
        return model.layers
    if loss == "sse" and output == "softmax":
        raise ValueError("a softmax output layer pairs with loss='ce' (its Jacobian is not diagonal)")
    if loss == "ce" and model.nouts[-1] < 2:
        raise ValueError("loss='ce' needs a model with two or more output units: a softmax over one class is "
                         "always 1, so every δ would be 0; use loss='bce' with a sigmoid output for two classes")
    return model.layers


def _samples(x: Any) -> tuple[list[Any], bool]:
    """The samples of ``x`` (not yet checked one by one), and whether ``x`` was a batch."""
    rows = validate.items(x, "x", "a list of numbers (one sample) or a list of samples")
    if not rows:
        raise ValueError("x is empty")
    if isinstance(rows[0], numbers.Number):
        return [rows], False
    return [validate.items(row, f"x[{n}]", "a list of numbers") for n, row in enumerate(rows)], True


def _inputs(samples: list[Any], batched: bool, nin: int) -> Array:
    """The samples as an (N, nin) array of finite floats."""
    checked = []
    for n, sample in enumerate(samples):
        where = f"x[{n}]" if batched else "x"
        if len(sample) != nin:
            raise ValueError(f"{where} must hold {nin} number(s) (the model's inputs), got {len(sample)}")
        checked.append([validate.finite(a, f"{where}[{i}]") for i, a in enumerate(sample)])
    return np.array(checked, dtype=float)


def _target_row(t: Any, nout: int, loss: str, where: str) -> Array:
    if loss == "ce" and isinstance(t, numbers.Integral) and not isinstance(t, bool):
        return np.eye(nout)[validate.whole(t, f"{where} (a class index)", low=0, high=nout - 1)]
    row = np.array(check_targets(t, loss, where))  # bce and ce targets in [0, 1]
    if row.shape != (nout,):
        raise ValueError(f"{where} must hold {nout} value(s) (the model's outputs), got {len(row)}")
    if loss == "ce" and abs(row.sum() - 1.0) > 1e-9:
        raise ValueError(f"{where}: a ce target is a class index or probabilities summing to 1, got {row.tolist()}")
    return row


def _targets(target: Any, samples: int, batched: bool, nout: int, loss: str) -> Array:
    if not batched:
        return _target_row(target, nout, loss, "target")[None, :]
    targets = validate.items(target, "target", "a list with one target per sample")
    if len(targets) != samples:
        raise ValueError(f"target must hold one entry per sample ({samples}), got {len(targets)}")
    return np.array([_target_row(t, nout, loss, f"target[{n}]") for n, t in enumerate(targets)])


def _prepare(model: Any, x: Any, target: Any, loss: str, reduction: str,
             capped: bool = False) -> tuple[list, Array, Array, float]:
    """Every argument's check: the layers, the samples (N, nin), the targets (N, nout) and the
    reduction's factor. ``capped``: refuse what ``compare`` would take too long on, before the
    samples are checked one by one."""
    layers = _check_model(model, loss)
    validate.one_of(reduction, "reduction", REDUCTIONS)
    samples, batched = _samples(x)
    if capped:
        check_size([model.nin, *model.nouts], len(samples))
    xs = _inputs(samples, batched, model.nin)
    ts = _targets(target, len(xs), batched, model.nouts[-1], loss)
    return layers, xs, ts, 1.0 if reduction == "sum" else 1.0 / len(xs)


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


def _sample_loss(loss: str, v: Array, y: Array, t: Array) -> float:
    """One sample's J by the loss table's row (its value only: the hand δ do not use it)."""
    try:
        with autograd.no_grad():
            lifted = [[autograd.lift(float(a)) for a in array] for array in (v, y)]
            return loss_row(loss).objective(*lifted, t.tolist()).data
    except (ValueError, ArithmeticError):  # an overflow upstream: the report fails on the NaN
        return math.nan


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
    if not isinstance(rule, DeltaRule):
        raise TypeError(f"rule must be a DeltaRule, got {validate.shown(rule)}")
    return _backprop(*_prepare(model, x, target, loss, reduction), loss, rule)


def _weights(layers: Sequence[Any]) -> list[tuple[Array, Array]]:
    """(W, b) per layer, W[j, i] = w_ji, read from the parameters' current .data."""
    return [(np.array([[w.data for w in neuron.w] for neuron in layer.neurons], dtype=float),
             np.array([neuron.b.data for neuron in layer.neurons], dtype=float)) for layer in layers]


def _backprop(layers: Sequence[Any], xs: Array, ts: Array, scale: float, loss: str, rule: DeltaRule) -> HandBackprop:
    weights = _weights(layers)
    names = [layer.activation for layer in layers]
    count = len(layers)
    v = [np.zeros((len(xs), len(b))) for _, b in weights]
    y = [xs.copy()] + [np.zeros_like(a) for a in v]
    delta = [np.zeros_like(a) for a in v]
    grad_w = [np.zeros_like(w) for w, _ in weights]
    grad_b = [np.zeros_like(b) for _, b in weights]
    total = 0.0
    # An overflow fails the report, which names where; "divide" too: some OpenBLAS builds raise
    # spurious floating-point flags in a matmul (a RuntimeWarning with a source path, issue 23).
    with np.errstate(all="ignore"):
        for n in range(len(xs)):
            for k, ((w, b), name) in enumerate(zip(weights, names)):
                v[k][n] = w @ y[k][n] + b
                y[k + 1][n] = _activate(name, v[k][n])
            e = ts[n] - y[count][n]
            total += _sample_loss(loss, v[-1][n], y[count][n], ts[n])
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
    lr = validate.finite(lr, "lr")
    layers, xs, ts, scale = _prepare(model, x, target, loss, reduction)
    result = _backprop(layers, xs, ts, scale, loss, LECTURE_RULE)
    for k, layer in enumerate(layers):
        # Σ over the samples of δ_j · y_i; the bias's input is y_0 = 1.
        change_w = lr * result.delta[k].T @ result.y[k]
        change_b = lr * result.delta[k].sum(axis=0)
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                w.data += float(change_w[j, i])
            neuron.b.data += float(change_b[j])
    return result


# -- the same with autograd --------------------------------------------------------------------


Columns = list[list[Value]]  # one list of Values per layer


def _forward(layers: Sequence[Any], inputs: list[Value]) -> tuple[Columns, Columns]:
    """One sample through the layers: the pre-activations v and the outputs y, per layer."""
    vs, ys, signal = [], [], inputs
    for layer in layers:
        layer_vs, signal = layer._forward(signal)  # the sample was checked once, by the caller
        vs.append(layer_vs)
        ys.append(signal)
    return vs, ys


def _autograd_pass(layers: Sequence[Any], xs: Array, ts: Array, loss: str, scale: float) -> Value:
    """J as a graph built from the model."""
    terms = []
    for x, t in zip(xs, ts):
        vs, ys = _forward(layers, [autograd.lift(float(a)) for a in x])
        terms.append(loss_row(loss).objective(vs[-1], ys[-1], [float(a) for a in t]))
    total = functional.total(terms)
    return total if scale == 1.0 else total * scale


def objective(model: Any, x: Any, target: Any, loss: str = "sse", reduction: str = "sum") -> Value:
    """J as an autograd graph built from the model (for ``backward()`` and an optimiser step).

    Args:
        model, x, target, loss, reduction: as for :func:`backprop`.

    Returns:
        The Value J.
    """
    layers, xs, ts, scale = _prepare(model, x, target, loss, reduction)
    return _autograd_pass(layers, xs, ts, loss, scale)


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
                values[k] = _autograd_pass(layers, xs, ts, loss, scale).data
    finally:
        p.data = original
    return (8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * h)


# -- one sample by autograd: what compare checks, and draw_mlp and the playground show ----------

Term = Callable[[list[Value], list[Value], list[Value]], Value]  # (vs, ys, ts) -> one sample's J


@dataclass(frozen=True)
class SampleUnit:
    """One unit's numbers for one sample (see :class:`Sample`).

    Attributes:
        name: ``L{layer}.N{unit}``, as the reports and pictures name it.
        activation: its layer's activation (``softmax`` for each unit of a softmax layer).
        v: the pre-activation v = Σ_i w_i·y_i + b.
        y: the output y = φ(v).
        dphi: φ′(v), the local derivative the engine recorded on the edge v → y (1 for a linear
            unit, whose y is v). None in a softmax layer: there each y_l = e^(v_l) / Σ_k e^(v_k)
            depends on every v of the layer (∂y_l/∂v_j = y_l·([l = j] − y_j)), so no one edge
            v → y carries a φ′, and δ comes from ∂J/∂v itself (δ = t − y under cross-entropy).
        delta: δ = −∂J/∂v, the notes' sign; None without a target.
        dj_dy: ∂J/∂y, so that δ = φ′(v)·(−∂J/∂y); None without a target.
        e: the error t − y of an output unit; None for a hidden unit or without a target.
        grad_w: ∂J/∂w_i for each input i (= −δ·y_i); None without a target.
        grad_b: ∂J/∂b (= −δ); None without a target.
    """

    name: str
    activation: str
    v: float
    y: float
    dphi: float | None
    delta: float | None
    dj_dy: float | None
    e: float | None
    grad_w: tuple[float, ...] | None
    grad_b: float | None


@dataclass(frozen=True)
class Sample:
    """One sample's forward and backward pass through an MLP, from one autograd graph.

    ``sample.values`` holds the same numbers keyed by the names the reports and pictures use:
    ``L0.N1.v``, ``L0.N1.y``, ``L0.N1.dphi``, ``L0.N1.delta``, ``L1.N0.e`` (output units), ``J``,
    ``dJ/dL0.N1.w0``, ``dJ/dL0.N1.b`` and ``dJ/dL0.N1.y``; ``sample["L0.N1.delta"]`` reads one.

    Attributes:
        x: the input.
        t: the target, one number per output unit (a ce class index as its one-hot row); None
            without a target.
        loss: the loss's name (``"custom"`` for a function of one's own).
        J: the sample's loss; None without a target.
        layers: per layer, its units' :class:`SampleUnit` in index order.
    """

    x: tuple[float, ...]
    t: tuple[float, ...] | None
    loss: str
    J: float | None
    layers: tuple[tuple[SampleUnit, ...], ...]

    @property
    def values(self) -> dict[str, float]:
        """Every number by name: forward quantities, then J, then the backward ones."""
        out = {}
        for u in (u for layer in self.layers for u in layer):
            forward = (("v", u.v), ("dphi", u.dphi), ("y", u.y), ("e", u.e))
            out.update((f"{u.name}.{key}", value) for key, value in forward if value is not None)
        if self.J is not None:
            out["J"] = self.J
        for u in (u for layer in reversed(self.layers) for u in layer if u.delta is not None):
            out[f"dJ/d{u.name}.y"] = u.dj_dy
            out[f"{u.name}.delta"] = u.delta
            out.update((f"dJ/d{u.name}.w{i}", g) for i, g in enumerate(u.grad_w))
            out[f"dJ/d{u.name}.b"] = u.grad_b
        return out

    def __getitem__(self, name: str) -> float:
        return self.values[name]


def sample(model: Any, x: Any, target: Any = None, loss: str | Term = "sse") -> Sample:
    """One sample's v, y, φ′(v), δ = −∂J/∂v per unit and ∂J/∂w per weight, from one autograd pass.

    J's graph is built from the model's Values and differentiated once with ``autograd.grad``:
    the model's ``.grad`` is left alone, and it works inside ``no_grad`` too. :func:`compare`
    checks the hand formula against these numbers; ``viz.draw_mlp`` and the playground show them.

    Args:
        model: an ``nn.MLP``.
        x: one sample, ``nin`` finite numbers (a list or a NumPy row).
        target: a number or one per output unit (for ``ce`` also a class index); None for the
            forward pass only (v, y, φ′).
        loss: ``"sse"`` (J = ½ Σ e², any output), ``"bce"`` (sigmoid output), ``"ce"`` (softmax
            output), or a function ``(vs, ys, ts) -> J`` of the output layer's pre-activations and
            outputs and the target as constant Values, for a loss of one's own.

    Returns:
        A :class:`Sample`.
    """
    custom = callable(loss)
    layers = _check_model(model, "sse" if custom else loss, hand=False)
    rows, batched = _samples(x)
    if batched:
        raise ValueError(f"x must be one sample ({model.nin} numbers), got a batch of {len(rows)}: "
                         "call sample once per row")
    xs = _inputs(rows, False, model.nin)[0]
    if target is not None:
        target = _target_row(target, model.nouts[-1], None if custom else loss, "target")
    if custom:
        return _sample(layers, xs, target, loss, "custom")
    return _sample(layers, xs, target, loss_row(loss).objective, loss)


def _sample(layers: Sequence[Any], x: Array, t: Array | None, term: Term, loss: str) -> Sample:
    """:func:`sample` for checked arguments (``compare`` calls it once per sample)."""
    with autograd.enable_grad():  # the δs need the graph, even when asked for inside no_grad
        vs, ys = _forward(layers, _constants(x, "x"))
        J = grad = None
        if t is not None:
            J = term(vs[-1], ys[-1], _constants(t, "t"))
            if not isinstance(J, Value):
                raise TypeError(f"loss must return a Value (J), got {validate.shown(J)}")
            params = [p for layer in layers for p in layer.parameters()]
            nodes = params + [node for column in (*vs, *ys) for node in column]
            # one backward for all; a linear unit's y is its v: one entry
            grad = dict(zip(nodes, autograd.grad(J, nodes)))
    units = []
    for k, (layer, layer_vs, layer_ys) in enumerate(zip(layers, vs, ys)):
        row = []
        for j, (neuron, v, y) in enumerate(zip(layer.neurons, layer_vs, layer_ys)):
            dphi = 1.0 if y is v else y.local_grads[0] if y.parents == (v,) else None
            backward = (None,) * 5 if grad is None else (
                0.0 - grad[v],  # 0.0 - g: no "-0.0"
                grad[y],
                float(t[j]) - y.data if k == len(layers) - 1 else None,
                tuple(grad[w] for w in neuron.w),
                grad[neuron.b],
            )
            row.append(SampleUnit(f"L{k}.N{j}", layer.activation, v.data, y.data, dphi, *backward))
        units.append(tuple(row))
    floats = None if t is None else tuple(map(float, t))
    return Sample(tuple(map(float, x)), floats, loss, None if J is None else J.data, tuple(units))


def _constants(numbers: Array, name: str) -> list[Value]:
    """The numbers as constants labelled ``{name}0``, ``{name}1``, ..."""
    return [Value(float(a), f"{name}{i}", requires_grad=False) for i, a in enumerate(numbers)]


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
        objective: J as autograd computed it.
        disagreements: the names of the entries beyond the tolerance.
        nonfinite: every value that is NaN or ±inf (an overflow), as ``"v of L0.N1 = -inf"``.
        ok: True when nothing disagrees and every value is finite.
        notes: units sitting near a kink of their activation, where central differences mislead.
    """

    deltas: list[DeltaRow]
    gradients: list[GradientRow]
    loss: str
    reduction: str
    samples: int
    tolerance: float
    objective: float = 0.0
    max_abs_error: float = field(init=False)
    max_rel_error: float = field(init=False)
    worst: str = field(init=False)
    disagreements: list[str] = field(init=False)
    nonfinite: list[str] = field(init=False)
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
        values = [("J", self.objective)]
        for r in self.deltas:
            unit = self._delta_name(r)[2:]
            values += [(f"v of {unit}", r.v), (f"y of {unit}", r.y), (f"δ of {unit} (hand)", r.hand),
                       (f"δ of {unit} (autograd)", r.autograd)]
        for r in self.gradients:
            values += [(r.name, r.value), (f"∂J/∂{r.name} (hand)", r.hand), (f"∂J/∂{r.name} (autograd)", r.autograd),
                       (f"∂J/∂{r.name} (finite difference)", r.numeric)]
        self.nonfinite = [f"{name} = {value}" for name, value in values if not math.isfinite(value)]
        self.ok = not self.disagreements and not self.nonfinite
        self.notes = [
            f"{self._delta_name(r)[2:]}: v = {r.v:.3g} is within {KINK_MARGIN:g} of the kink of {r.activation} at 0; "
            "a central difference across it averages the two one-sided slopes"
            for r in self.deltas
            if r.activation in HAND_ACTIVATIONS and HAND_ACTIVATIONS[r.activation].kinked and abs(r.v) < KINK_MARGIN
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
        verdicts = []
        if self.disagreements:
            verdicts.append(f"DISAGREE beyond {self.tolerance:g}: {', '.join(self.disagreements)}")
        if self.nonfinite:  # last: the verdict that matters most
            shown = ", ".join(self.nonfinite[:5]) + (f", ... ({len(self.nonfinite)} in all)" if len(self.nonfinite) > 5 else "")
            verdicts.append(f"FAIL: values are not finite (an overflow; agreement means nothing then): {shown}")
        if self.ok:
            verdicts.append(f"OK: hand formula, autograd and finite differences agree within {self.tolerance:g}")
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
                *verdicts,
            ]
        )


def _full(x: float) -> str:
    return format_number(x, 12)


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
    if not isinstance(rule, DeltaRule):
        raise TypeError(f"rule must be a DeltaRule, got {validate.shown(rule)}")
    tolerance, step = validate.positive(tolerance, "tolerance"), validate.positive(step, "step")
    layers, xs, ts, scale = _prepare(model, x, target, loss, reduction, capped=True)
    hand = _backprop(layers, xs, ts, scale, loss, rule)
    term = loss_row(loss).objective
    samples = [_sample(layers, x, t, term, loss) for x, t in zip(xs, ts)]
    deltas = [
        DeltaRow(n, u.name, u.activation, hand.v[k][n, j], hand.y[k + 1][n, j], hand.delta[k][n, j],
                 scale * u.delta)
        for n, one in enumerate(samples)
        for k, units in enumerate(one.layers)
        for j, u in enumerate(units)
    ]
    params = [(f"L{k}.N{j}.{p}", value)
              for k, layer in enumerate(layers) for j, neuron in enumerate(layer.neurons)
              for p, value in [*((f"w{i}", w) for i, w in enumerate(neuron.w)), ("b", neuron.b)]]
    # ∂J/∂p summed over the samples, in the order of params (layer, unit, then its w's and b)
    per_sample = [[g for units in one.layers for u in units for g in (*u.grad_w, u.grad_b)]
                  for one in samples]
    grads = [scale * math.fsum(column) for column in zip(*per_sample)]
    hand_grads = [g for gw, gb in zip(hand.grad_w, hand.grad_b) for row, b in zip(gw, gb) for g in (*row, b)]
    gradients = [
        GradientRow(name, p.data, float(h), g, _central_difference(layers, xs, ts, loss, scale, p, step))
        for (name, p), h, g in zip(params, hand_grads, grads)
    ]
    objective_value = scale * math.fsum(s.J for s in samples)
    return DeltaReport(deltas, gradients, loss, reduction, len(xs), tolerance, objective_value)


# -- a learner's own numbers, graded (nn/handcheck.py; imported last: it builds on sample) -------

from .handcheck import HandCheck, check  # noqa: E402

__all__ += ["HandCheck", "check"]
