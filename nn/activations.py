"""Activation functions by name, read from the engine's op table.

Every unary op of ``autograd.ops.OPS`` is an activation (a user's ``register_op`` included), so
derivatives live in one place; ``linear`` is the identity. ``ACTIVATIONS`` lists the ones the
table marks as activations (the lecture notes' table). ``softmax`` acts on a whole layer, so it
is not a per-unit activation.

The Heaviside ``step`` is listed because the lecture notes list it, but its derivative is 0
wherever it exists: gradient descent cannot train a unit that uses it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Callable, Sequence

import autograd
from autograd import OPS, Value
from autograd.ops import Op
from autograd.validate import items
from autograd.value import node

from . import functional

__all__ = ["ACTIVATIONS", "LAYER_ACTIVATIONS", "activation", "check_activation", "softmax"]

Activation = Callable[[Value], Value]


def _identity(v: Value) -> Value:
    return v


class _Activations(Mapping):
    """name -> per-unit function: ``linear`` and the op table's activations, read live."""

    def __getitem__(self, name: str) -> Activation:
        """The function of a name it lists, else KeyError (so ``in`` and ``.get`` work as for a dict)."""
        op = OPS.get(name) if isinstance(name, str) else None
        if name == "linear":
            return _identity
        if op is None or not op.activation:
            raise KeyError(name)
        return _unit(op)

    def __iter__(self) -> Iterator[str]:
        return iter(["linear", *(name for name, op in OPS.items() if op.activation)])

    def __len__(self) -> int:
        return sum(1 for _ in self)


ACTIVATIONS: Mapping[str, Activation] = _Activations()
LAYER_ACTIVATIONS = ("softmax",)  # act on a whole layer's pre-activations at once


def check_activation(name: object, *, layer: bool = False) -> str:
    """``name`` when it names an activation (``linear`` or a unary op of the table; ``softmax``
    too with ``layer=True``), else a TypeError or ValueError naming it."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str), got {type(name).__name__}: {name!r}")
    op = OPS.get(name)
    if name == "linear" or (op is not None and op.arity == 1) or (layer and name in LAYER_ACTIVATIONS):
        return name
    where = " (softmax acts on a Layer, not one Neuron)" if name in LAYER_ACTIVATIONS else ""
    raise ValueError(f"unknown activation {name!r}{where}; known: {', '.join([*ACTIVATIONS, *LAYER_ACTIVATIONS])}")


def activation(name: str) -> Activation:
    """The per-unit function called ``name``: ``linear`` or a unary op of the table.

    Returns:
        A function from a ``Value`` to a ``Value``.
    """
    if check_activation(name) == "linear":
        return _identity
    return _unit(OPS[name])


def _unit(op: Op) -> Activation:
    """The per-unit function of a unary op row: v -> op(v), one node."""
    return lambda v: node(op, (v,))


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """p_i = e^(v_i - m) / Σ_j e^(v_j - m), with m = max v held as a constant.

    Subtracting the constant m keeps every exponent <= 0 (no overflow for logits of ±1000) and
    changes nothing mathematically, softmax being shift-invariant; the gradient flows through the
    engine's exp, sum and div rules.

    Args:
        values: a non-empty sequence of Values (or numbers) holding finite numbers.

    Returns:
        One probability Value per input, summing to 1.
    """
    vs = [autograd.lift(v, f"values[{i}]") for i, v in enumerate(items(values, "values"))]
    if not vs:
        raise ValueError("values must not be empty")
    for i, v in enumerate(vs):
        if not math.isfinite(v.data):  # else e^(inf − inf): every probability NaN, silently
            raise ValueError(f"values[{i}] must be finite, got {v.data}")
    return functional.softmax(vs)

