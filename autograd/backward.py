"""Reverse mode on any node with ``.parents``, ``.local_grads``, ``.requires_grad`` and ``.grad``:
the topological order, and the one loop of the chain rule, which ``backward``, ``grad`` (with and
without ``create_graph``) and the step-through page all run, keeping and watching different things."""

from __future__ import annotations

from typing import Any, Callable

from .validate import shown

__all__ = ["topological_order", "chain_rule", "gradients"]

_DONE = object()  # pushed above a node being expanded: once popped, the node's parents are all in order


def topological_order(root: Any) -> list[Any]:
    """Every node reachable from ``root``, parents before children, ``root`` last: an iterative
    depth-first search (a 1,000,000-node chain is fine) in the parents' order, so always the same."""
    if not hasattr(root, "parents"):
        raise TypeError(f"root must be a Value, got {shown(root)}")
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node is _DONE:
            order.append(stack.pop())
        elif node not in seen:  # else reached before, through another child
            seen.add(node)
            if seen.issuperset(node.parents):  # all in order already (no cycles): one C call, mostly
                order.append(node)
            else:
                stack += (node, _DONE)
                for parent in reversed(node.parents):
                    if parent not in seen:
                        stack.append(parent)
    return order


class _NoGradient:  # where a gradient Value starts (create_graph): adding to it makes no "0 + g" node
    __add__ = __radd__ = lambda self, other: other


NO_GRADIENT = _NoGradient()


def chain_rule(order: list[Any], seed: Any, local: Callable[[Any], Any] | None = None,
               on_step: Callable[[Any], None] | None = None) -> None:
    """The chain rule, once for every graph: the root (``order[-1]``) adds ``seed`` to its gradient, then, from
    the root down, each node made by an op adds ``local derivative × its gradient`` into each operand that requires
    grad. The gradients live in the nodes' ``.grad`` (a slot is faster than a dict), where the caller sets them to
    start (0.0, or NO_GRADIENT for Values). ``local(node)`` gives the local derivatives (default: the op's recorded
    floats); ``on_step(node)`` runs after each node's step."""
    order[-1].grad += seed
    for node in reversed(order):
        if node.parents:
            g = node.grad
            for parent, d in zip(node.parents, node.local_grads if local is None else local(node)):
                if parent.requires_grad:
                    parent.grad += d * g
            if on_step is not None:
                on_step(node)


def gradients(order: list[Any], seed: Any, local: Callable[[Any], Any] | None = None,
              on_step: Callable[[Any], None] | None = None) -> dict[Any, Any]:
    """:func:`chain_rule` from zero that leaves every ``.grad`` as it was, also when it raises: node ->
    gradient (floats for a float seed; Values for a Value seed, and then only the nodes reached)."""
    held = [node.grad for node in order]
    start = 0.0 if isinstance(seed, (int, float)) else NO_GRADIENT
    for node in order:
        node.grad = start
    try:
        chain_rule(order, seed, local, on_step)
        return {node: node.grad for node in order if node.grad is not NO_GRADIENT}
    finally:  # also when a step fails part-way: no Value or NO_GRADIENT stays in a .grad
        for node, before in zip(order, held):
            node.grad = before
