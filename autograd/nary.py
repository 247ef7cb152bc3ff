"""``autograd.sum`` and ``autograd.dot``: one node for a whole sum, or for a neuron's pre-activation
w·x + b, the table's n-ary rows ``sum`` and ``dot`` made from checked arguments (``nn`` builds its
layers' dot nodes with :func:`autograd.fast.layer`)."""

from __future__ import annotations

from typing import Any, Iterable

from .ops import OPS
from .validate import items
from .value import Value, lift, node

__all__ = ["sum", "dot"]


def sum(values: Iterable[Any]) -> Value:  # noqa: A001 - the contract's name, autograd.sum
    """The sum of ``values`` (Values or numbers, at least one) as one n-ary node."""
    operands = items(values, "values")
    if not operands:
        raise ValueError("values must not be empty")
    return node(OPS["sum"], tuple(lift(x, f"values[{i}]") for i, x in enumerate(operands)))


def dot(weights: Iterable[Any], inputs: Iterable[Any], bias: Any = None) -> Value:
    """w·x + b as one node, a neuron's pre-activation: parents (w_1..w_n, x_1..x_n[, b]) and local
    derivatives (x_1..x_n, w_1..w_n[, 1]); Values or numbers, n >= 1, no bias when it is None."""
    ws, xs = items(weights, "weights"), items(inputs, "inputs")
    if len(ws) != len(xs) or not ws:
        raise ValueError(f"weights and inputs must be as many and not empty, "
                         f"got {len(ws)} and {len(xs)}")
    operands = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return node(OPS["dot"], tuple(lift(x, "weights, inputs and bias") for x in operands))
