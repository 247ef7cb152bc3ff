"""Gradients returned instead of stored in ``.grad``: ``gradients`` (the chain rule's loop from
zero, for pages that show it) and ``grad`` (PyTorch's ``torch.autograd.grad``), as floats or as
Values whose graphs can be differentiated again (``create_graph=True``): then the op table's
derivative rules run on Values and build the gradient's own graph."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .backward import chain_rule, topological_order
from .mode import MODE, check_backward, enable_grad
from .ops import OPS
from .validate import flag, items, shown
from .value import Value, lift

__all__ = ["gradients", "grad", "NO_GRADIENT"]


class _NoGradient:  # where a gradient Value starts (create_graph): adding to it makes no "0 + g"
    __add__ = __radd__ = lambda self, other: other


NO_GRADIENT = _NoGradient()


def gradients(order: list[Any], seed: Any, local: Callable[[Any], Any] | None = None,
              on_step: Callable[[Any], None] | None = None) -> dict[Any, Any]:
    """:func:`chain_rule` from zero, leaving every ``.grad`` as it was (also when it raises).

    Returns:
        node -> gradient: floats for a float seed; Values for a Value seed (the nodes reached).
    """
    held = [node.grad for node in order]
    start = 0.0 if isinstance(seed, (int, float)) else NO_GRADIENT
    for node in order:
        node.grad = start
    try:
        chain_rule(order, seed, local, on_step)
        return {node: node.grad for node in order if node.grad is not NO_GRADIENT}
    finally:  # no Value or NO_GRADIENT stays in a .grad
        for node, before in zip(order, held):
            node.grad = before


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> tuple:
    """∂output/∂input for each input, leaving every ``.grad`` alone.

    Args:
        output: a Value. inputs: a Value or a sequence of Values.
        create_graph: True to get Values that can be differentiated again.

    Returns:
        A tuple, one gradient per input (0 where output does not depend on it).
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {shown(output)}")
    if isinstance(inputs, Value):
        targets = [inputs]
    else:
        targets = items(inputs, "inputs", "a Value or a sequence of Values")
    for i, x in enumerate(targets):
        if not isinstance(x, Value):
            raise TypeError(f"inputs[{i}] must be a Value, got {shown(x)}")
    order = topological_order(output)
    if not flag(create_graph, "create_graph"):
        grads = gradients(order, 1.0, on_step=check_backward if MODE.anomaly else None)
        return tuple(grads.get(x, 0.0) + 0.0 for x in targets)
    with enable_grad():  # the derivative rules run on Values: they build the gradient's graph
        grads = gradients(order, Value(1.0, "", False), local=lambda v: OPS[v.op].derivative(
            v, *v.parents, **(v.attrs or {})))
    return tuple(lift(grads.get(x, 0.0)) for x in targets)
