"""Reverse-mode differentiation: one generic loop over the reverse topological order."""

from __future__ import annotations

import math
from typing import Any, Sequence

from .format import format_number
from .mode import MODE, enable_grad
from .ops import OPS
from .value import Value, _as_list, check_real

__all__ = ["topological_order", "backward", "grad"]


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, parents before children, ``root`` last.

    Iterative depth-first search (no recursion, so a 1,000,000-node chain is fine); parents are
    visited in their recorded order, so the order is deterministic.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    # Post-order depth-first search with an explicit stack. A node comes onto the stack with the
    # flag False (expand it: push its parents, first parent on top) and is finished when, its flag
    # now True, it is on top again; a copy pushed before the node was expanded elsewhere is dropped. The two parallel lists allocate nothing per node: a stack of
    # (node, iterator) pairs did, and the garbage collector's scans of those allocations tripled
    # the time of a million-node sort.
    order: list[Value] = []
    started: set[Value] = set()
    stack, expanded = [root], [False]
    while stack:
        if expanded[-1]:
            expanded.pop()
            order.append(stack.pop())
            continue
        node = stack[-1]
        if node in started:  # reached again through another child before its turn came
            stack.pop()
            expanded.pop()
            continue
        started.add(node)
        expanded[-1] = True
        for parent in reversed(node.parents):
            if parent not in started:
                stack.append(parent)
                expanded.append(False)
    return order


def _check_gradient(gradient: Any) -> float:
    g = check_real(gradient, "backward gradient")
    if not math.isfinite(g):
        raise ValueError(f"backward gradient must be finite, got {g}")
    return g


def _name(v: Value) -> str:
    return repr(v.label) if v.label else f"a node of value {format_number(v.data)}"


def backward(root: Value, gradient: float = 1.0) -> None:
    """Fill ``.grad`` of every node reachable from ``root`` with ∂root/∂node (times ``gradient``).

    Gradients of interior nodes are reset at the start of each call; gradients of leaves
    accumulate across calls, as in PyTorch with ``retain_graph=True``: two calls give exactly
    twice the leaf gradients. Constants (``requires_grad=False``) receive nothing.

    Args:
        root: the output node.
        gradient: ∂L/∂root to start from; 1.0 for a scalar loss.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward: root must be a Value, got {type(root).__name__}: {root!r}")
    g0 = _check_gradient(gradient)
    if not root.requires_grad:
        raise RuntimeError(
            "backward: the root does not require grad (it is a constant, or was computed under "
            "no_grad), so there is no graph to differentiate"
        )
    # Only interior nodes pass gradients on, so the loop below skips the leaves. Leaves add this
    # call's total to what they held, so two calls give exactly 2x (a leaf reached by several
    # paths would otherwise round differently the second time); constants are left alone.
    interior, previous = [], []
    for node in topological_order(root):
        if node.parents:
            interior.append(node)
            node.grad = 0.0
        elif node.requires_grad:
            previous.append((node, node.grad))
            node.grad = 0.0
    root.grad = g0
    anomaly = MODE.anomaly
    for node in reversed(interior):
        g = node.grad
        for parent, local in zip(node.parents, node.local_grads):
            if parent.requires_grad:
                parent.grad += local * g
                if anomaly and not math.isfinite(parent.grad):
                    raise FloatingPointError(
                        f"detect_anomaly: in the backward pass through {node.op} "
                        f"({_name(node)}), the gradient of {_name(parent)} became {parent.grad} "
                        f"(local derivative {local}, incoming gradient {g})"
                    )
    for leaf, held in previous:
        leaf.grad += held


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> tuple:
    """∂output/∂input for each of ``inputs``, leaving every ``.grad`` untouched.

    Args:
        output: the Value to differentiate.
        inputs: the Values to differentiate with respect to (a Value alone is accepted too).
            An input that ``output`` does not depend on gets 0.
        create_graph: when True, the gradients are Values with a graph of their own (built from
            the ops' derivative rules), so they can be differentiated again.

    Returns:
        A tuple of floats, or of Values with ``create_graph=True``, one per input.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    if isinstance(inputs, Value):
        targets = [inputs]
    else:
        targets = _as_list(inputs, "grad: inputs", "a Value or an iterable of Values")
    for i, x in enumerate(targets):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    order = topological_order(output)
    if not create_graph:
        grads: dict[Value, Any] = {output: 1.0}
        for node in reversed(order):
            g = grads.get(node)
            if g is None:
                continue
            for parent, local in zip(node.parents, node.local_grads):
                if parent.requires_grad:
                    grads[parent] = grads.get(parent, 0.0) + local * g
        return tuple(float(grads.get(x, 0.0)) for x in targets)

    with enable_grad():
        grads = {output: Value(1.0, requires_grad=False)}
        for node in reversed(order):
            g = grads.get(node)
            if g is None or not node.parents:
                continue
            rule = OPS[node.op].derivative
            attrs = node.attrs or {}
            # Re-derive the local derivatives as Values, from the node and its parents.
            locals_ = rule(node, *node.parents, **attrs)
            for parent, local in zip(node.parents, locals_):
                if parent.requires_grad:
                    term = local * g
                    previous = grads.get(parent)
                    grads[parent] = term if previous is None else previous + term
    zero = Value(0.0, requires_grad=False)
    return tuple(grads.get(x, zero) for x in targets)
