"""Activation functions by name: a table from name to a function of one ``Value``.

Every entry uses an op of the engine's table, so derivatives live in one place (``autograd.ops``).
``softmax`` acts on a whole layer (a list of pre-activations), so it is not in the per-unit table.

The Heaviside ``step`` is listed because the seeds list it, but its derivative is 0 wherever it
exists: every gradient through it is 0 and gradient descent cannot train a unit that uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable, Sequence

import autograd
from autograd import Value

__all__ = ["ACTIVATIONS", "LAYER_ACTIVATIONS", "activation", "check_activation", "softmax"]

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": lambda v: v,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,  # slope 0.01
    "elu": Value.elu,  # alpha 1.0
    "selu": Value.selu,
    "softplus": Value.softplus,
    "step": Value.step,  # derivative 0 everywhere: nothing trains through it
}

# Activations that act on a whole layer's pre-activations at once.
LAYER_ACTIVATIONS = ("softmax",)


def check_activation(name: object, *, layer: bool = False) -> str:
    """``name`` when it is a known activation, else a ``ValueError`` listing the known ones.

    Args:
        name: an activation name.
        layer: also accept the layer-level activations (``softmax``).

    Returns:
        The name, unchanged.
    """
    known = list(ACTIVATIONS) + (list(LAYER_ACTIVATIONS) if layer else [])
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str), got {type(name).__name__}: {name!r}")
    if name not in known:
        where = "" if layer or name not in LAYER_ACTIVATIONS else " (softmax acts on a Layer, not one Neuron)"
        raise ValueError(f"unknown activation {name!r}{where}; known: {', '.join(known)}")
    return name


def activation(name: str) -> Callable[[Value], Value]:
    """The per-unit function called ``name`` (see ``ACTIVATIONS``).

    Args:
        name: one of ``linear sigmoid tanh relu leaky_relu elu selu softplus step``.

    Returns:
        A function from a ``Value`` to a ``Value``.
    """
    return ACTIVATIONS[check_activation(name)]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """p_i = e^(v_i - m) / Σ_j e^(v_j - m), with m = max v held as a constant.

    Subtracting the constant m keeps every exponent <= 0 (no overflow for logits of ±1000) and
    changes nothing mathematically, softmax being shift-invariant; the gradient flows through the
    engine's exp, sum and div rules.

    Args:
        values: a non-empty sequence of Values (or numbers).

    Returns:
        One probability Value per input, summing to 1.
    """
    if isinstance(values, (Value, str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"softmax: values must be a sequence of Values or numbers (a layer's pre-activations), "
                        f"got {type(values).__name__}")
    vs = [autograd.lift(v, f"softmax: values[{i}]") for i, v in enumerate(values)]
    if not vs:
        raise ValueError("softmax: values is empty")
    m = max(v.data for v in vs)
    exps = [(v - m).exp() for v in vs]
    total = autograd.sum(exps)
    return [e / total for e in exps]
