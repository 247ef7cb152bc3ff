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


def chain_rule(order: list[Any], seed: Any, local: Callable[[Any], Any] | None = None,
               on_step: Callable[[Any], None] | None = None) -> None:
    """The chain rule, once for every graph: from the root (``order[-1]``, gradient ``seed``) down,
    each node adds ``local derivative × its gradient`` into each operand that requires grad. The
    gradients live in the nodes' ``.grad`` (a slot is faster than a dict), None until reached;
    callers save what they keep (:func:`gradients`). ``local(node)`` gives the local derivatives
    (default: the op's recorded floats); ``on_step(node)`` runs after each node's step."""
    for node in order:
        node.grad = None
    order[-1].grad = seed
    for node in reversed(order):
        g = node.grad
        if g is None or not node.parents:
            continue
        for parent, d in zip(node.parents, node.local_grads if local is None else local(node)):
            if parent.requires_grad:
                before = parent.grad
                parent.grad = d * g if before is None else before + d * g
        if on_step is not None:
            on_step(node)


def gradients(order: list[Any], seed: Any, local: Callable[[Any], Any] | None = None,
              on_step: Callable[[Any], None] | None = None) -> dict[Any, Any]:
    """:func:`chain_rule` that leaves every ``.grad`` as it was: node -> gradient, for the nodes reached."""
    held = [node.grad for node in order]
    chain_rule(order, seed, local, on_step)
    reached = {node: node.grad for node in order if node.grad is not None}
    for node, before in zip(order, held):
        node.grad = before
    return reached
