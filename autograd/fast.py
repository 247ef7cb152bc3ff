"""The speed paths: the nodes most graphs are made of, built without the general path's detours.

``add`` and ``mul`` (Value's ``+`` and ``*``: most of a hand-written graph, micrograd's neurons,
long chains) and ``layer`` (a whole layer's ``dot`` and activation nodes, for ``nn``) inline the
rules of the table's rows ``add``, ``mul`` and ``dot`` instead of calling them, and read each
input's float once. They record exactly the nodes :func:`autograd.value.node` records from the
table; ``tests/autograd/test_fast_paths.py`` checks that, node for node. Under ``no_grad``,
``detect_anomaly``, for constants or when an op fails, they take the general path.
"""

from __future__ import annotations

import operator
from math import fsum
from typing import Any, Sequence

from .mode import MODE
from .ops import OPS, Op
from .value import Value, node, operand_pair

__all__ = ["add", "mul", "layer"]

_needs_grad = operator.attrgetter("requires_grad")


def _inline(a: Value, b: Value) -> bool:
    """Whether the inlined rules may record the node of ``a`` and ``b``."""
    return not MODE.anomaly and MODE.grad_enabled and (a.requires_grad or b.requires_grad)


def add(a: Any, b: Any) -> Value:
    """``a + b``: the add row's rule, local derivatives (1, 1), inlined.

    Args:
        a, b: Values or numbers (made constants).

    Returns:
        The node, or NotImplemented when one side is not a number (as an operator must).
    """
    pair = operand_pair(a, b)
    if pair is None:
        return NotImplemented
    a, b = pair
    if not _inline(a, b):
        return node(OPS["add"], pair)
    return Value(a.data + b.data, "", True, "add", pair, (1.0, 1.0), None)


def mul(a: Any, b: Any) -> Value:
    """``a * b``: the mul row's rule, local derivatives (b, a), inlined (see :func:`add`)."""
    pair = operand_pair(a, b)
    if pair is None:
        return NotImplemented
    a, b = pair
    if not _inline(a, b):
        return node(OPS["mul"], pair)
    return Value(a.data * b.data, "", True, "mul", pair, (b.data, a.data), None)


def layer(weights: Sequence[Sequence[Value]], inputs: Sequence[Value], biases: Sequence[Value],
          op: Op | None = None) -> tuple[list[Value], list[Value]]:
    """A layer's nodes: per row ``w`` of ``weights`` and bias ``b``, v = ``dot(w, inputs, b)`` and
    y = ``op(v)``, the dot row's rule inlined and the inputs' floats read once.

    Args:
        weights: one row of weight Values per unit; inputs: Values, as many as a row;
        biases: one Value per unit (all checked by the caller); op: the activation's row, or None.

    Returns:
        ``(vs, ys)``: the pre-activations and the outputs (``ys`` is ``vs`` when ``op`` is None).
    """
    if not MODE.anomaly and MODE.grad_enabled and all(map(_needs_grad, biases)):
        try:
            return _inlined_layer(weights, inputs, biases, op)
        except (ValueError, ArithmeticError):
            pass  # the general path below raises the error naming the op and its operands
    vs = [node(OPS["dot"], (*w, *inputs, b)) for w, b in zip(weights, biases)]
    return vs, [node(op, (v,)) for v in vs] if op is not None else vs


def _inlined_layer(weights: Sequence[Sequence[Value]], inputs: Sequence[Value],
                   biases: Sequence[Value], op: Op | None) -> tuple[list[Value], list[Value]]:
    xs, vs, ys, mul = [x.data for x in inputs], [], [], operator.mul
    # the row's rules and name read once, not once per unit
    forward, derivative, name = (op.forward, op.derivative, op.name) if op else (None, None, "")
    for w, b in zip(weights, biases):
        ws = [p.data for p in w]
        v = fsum(map(mul, ws, xs)) + b.data  # the dot row's rule, correctly rounded
        vs.append(pre := Value(v, "", True, "dot", (*w, *inputs, b), (*xs, *ws, 1.0), None))
        if forward is not None:
            y = forward(v)
            ys.append(Value(y, "", True, name, (pre,), derivative(y, v), None))
    return vs, ys if op is not None else vs
