"""Reverse mode on any node with ``.parents``, ``.local_grads``, ``.requires_grad`` and ``.grad``:
the topological order and the one loop of the chain rule, which ``backward``, ``grad`` (with and
without ``create_graph``) and the step-through page all run."""

from __future__ import annotations

from typing import Any, Callable

from .validate import shown

__all__ = ["topological_order", "chain_rule"]

_DONE = object()  # pushed above a node being expanded: when popped, its parents are all in order


def topological_order(root: Any) -> list[Any]:
    """Every node reachable from ``root``, parents before children, ``root`` last: an iterative
    depth-first search (a 1,000,000-node chain works) in the parents' order, so always the same."""
    if not hasattr(root, "parents"):
        raise TypeError(f"root must be a Value, got {shown(root)}")
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node is _DONE:
            order.append(stack.pop())
        elif node not in seen:  # else reached before, through another child
            seen.add(node)
            if seen.issuperset(node.parents):  # all in order already (no cycles): one C call
                order.append(node)
            else:
                stack += (node, _DONE)
                for parent in reversed(node.parents):
                    if parent not in seen:
                        stack.append(parent)
    return order


def chain_rule(order: list[Any], seed: Any, local: Callable[[Any], Any] | None = None,
               on_step: Callable[[Any], None] | None = None) -> None:
    """The chain rule: the root (``order[-1]``) adds ``seed`` to its gradient, then, from the root
    down, each node made by an op adds ``local derivative × its gradient`` into each operand that
    requires grad. The gradients live in ``.grad`` (a slot is faster than a dict), where the
    caller sets them to start (0.0, or ``functional.NO_GRADIENT`` for Values). ``local(node)``
    gives the local derivatives (default: the recorded floats); ``on_step(node)`` runs after each
    node's step."""
    order[-1].grad += seed
    for node in reversed(order):
        if node.parents:
            g = node.grad
            for parent, d in zip(node.parents, node.local_grads if local is None else local(node)):
                if parent.requires_grad:
                    parent.grad += d * g
            if on_step is not None:
                on_step(node)
