"""Backward, one node at a time, as data: what each step adds and the arithmetic behind it."""

from __future__ import annotations

from dataclasses import dataclass

from autograd.format import format_number

from .trace import Edge, Trace

__all__ = ["Step", "replay"]


@dataclass(frozen=True)
class Step:
    """One iteration of backward's loop: node ``node`` passes its gradient to its operands.

    Attributes:
        node: index (in ``Trace.nodes``) of the node being processed.
        lines: the arithmetic of this step, one line per operand (or a note for a leaf).
        updated: indices of the nodes whose gradient changed at this step.
        grads: every node's gradient after this step (None: nothing has reached it yet).
    """

    node: int
    lines: tuple[str, ...]
    updated: tuple[int, ...]
    grads: tuple[float | None, ...]


def _name(tr: Trace, i: int) -> str:
    return tr.nodes[i].label or f"n{i}"


def _local_symbol(tr: Trace, operands: list[Edge], edge: Edge) -> str:
    """∂child/∂parent written with names where the rule is a name (∂(x·w)/∂w = x), else ∂c/∂p.

    ``operands`` are all the edges into the child, in operand order.
    """
    child = tr.nodes[edge.child]
    out, arg = _name(tr, edge.child), _name(tr, edge.parent)
    n = len(operands)
    if child.op == "mul":
        return _name(tr, operands[1 - edge.position].parent)
    if child.op in ("add", "sum") or (child.op == "sub" and edge.position == 0):
        return "1"
    if child.op == "neg" or child.op == "sub":
        return "(−1)"
    if child.op == "dot":
        half = n // 2
        if edge.position >= 2 * half:
            return "1"
        partner = edge.position + half if edge.position < half else edge.position - half
        return _name(tr, operands[partner].parent)
    if child.op == "tanh":
        return f"(1 − {out}²)"
    if child.op == "sigmoid":
        return f"{out}(1 − {out})"
    if child.op == "exp":
        return out
    return f"∂{out}/∂{arg}"


def replay(tr: Trace, gradient: float = 1.0) -> list[Step]:
    """Run backward's loop over ``tr`` from zero gradients, recording each step.

    The order is backward's: reverse topological order, one step per node (leaves included:
    their step passes nothing on). The arithmetic is backward's too, so the final gradients equal
    what ``root.backward(gradient)`` gives from zeroed leaves. ``.grad`` is not touched.

    Args:
        tr: the graph (``viz.trace(root)``).
        gradient: ∂L/∂root to start from.

    Returns:
        One :class:`Step` per node, in the order backward visits them.
    """
    nodes = tr.nodes
    root = len(nodes) - 1
    grads: list[float | None] = [None] * len(nodes)
    grads[root] = gradient
    into: dict[int, list[Edge]] = {}
    for edge in tr.edges:
        into.setdefault(edge.child, []).append(edge)
    steps = []
    for k in reversed(range(len(nodes))):
        node, name = nodes[k], _name(tr, k)
        g = grads[k] if grads[k] is not None else 0.0
        lines = [f"start: grad[{name}] = {format_number(gradient)}  (∂{name}/∂{name})"] if k == root else []
        updated = [k] if k == root else []
        operands = into.get(k, [])
        for edge in operands:
            arg = _name(tr, edge.parent)
            if not nodes[edge.parent].requires_grad:
                lines.append(f"{arg} is a constant: no gradient for it")
                continue
            term = edge.local_grad * g
            before = grads[edge.parent] or 0.0
            grads[edge.parent] = before + term
            lines.append(
                f"grad[{arg}] += {_local_symbol(tr, operands, edge)} × grad[{name}] = "
                f"{format_number(edge.local_grad)} × {format_number(g)} = {format_number(term)}"
                + (f"  → grad[{arg}] = {format_number(grads[edge.parent])}" if before else "")
            )
            updated.append(edge.parent)
        if not node.requires_grad:
            lines.append(f"{name} is a constant: it takes no gradient and passes none back")
        elif not node.parents:
            lines.append(f"{name} is a leaf: nothing to pass back; grad[{name}] = {format_number(g)} is final")
        steps.append(Step(k, tuple(lines), tuple(updated), tuple(grads)))
    return steps
