"""Backward, one node at a time, as data: what each step adds and the arithmetic behind it."""

from __future__ import annotations

from dataclasses import dataclass

from autograd.format import format_number

from .tracing import Edge, Trace

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


def _local_symbol(tr: Trace, operands: list[Edge], edge: Edge) -> str:
    """∂child/∂parent written with names where the rule is a name (∂(x·w)/∂w = x), else ∂c/∂p.

    ``operands`` are all the edges into the child, in operand order.
    """
    child = tr.nodes[edge.child]
    out, arg = tr.name(edge.child), tr.name(edge.parent)
    n = len(operands)
    if child.op == "mul":
        return tr.name(operands[1 - edge.position].parent)
    if child.op in ("add", "sum") or (child.op == "sub" and edge.position == 0):
        return "1"
    if child.op == "neg" or child.op == "sub":
        return "(−1)"
    if child.op == "dot":
        half = n // 2
        if edge.position >= 2 * half:
            return "1"
        partner = edge.position + half if edge.position < half else edge.position - half
        return tr.name(operands[partner].parent)
    if child.op == "tanh":
        return f"(1 − {out}²)"
    if child.op == "sigmoid":
        return f"{out}(1 − {out})"
    if child.op == "exp":
        return out
    return f"∂{out}/∂{arg}"


def replay(tr: Trace, gradient: float = 1.0) -> list[Step]:
    """Run backward's loop over ``tr`` from zero gradients, recording each step.

    One step per node that backward's loop visits, in its order: the nodes made by an op, in
    reverse topological order (leaves have nothing to pass on, so the loop skips them). The first
    step also seeds the root's gradient; the last lists the leaves' final gradients. A graph that
    is a single leaf gets one step, the seed. The arithmetic is backward's, so the final gradients
    equal what ``root.backward(gradient)`` adds to the leaves. ``.grad`` is not touched.

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
    visited = [k for k in reversed(range(len(nodes))) if nodes[k].parents] or [root]
    steps = []
    for k in visited:
        name = tr.name(k)
        g = grads[k] if grads[k] is not None else 0.0
        lines = [f"start: grad[{name}] = {format_number(gradient)}  (∂{name}/∂{name})"] if k == root else []
        updated = [k] if k == root else []
        operands = into.get(k, [])
        for edge in operands:
            arg = tr.name(edge.parent)
            if not nodes[edge.parent].requires_grad:
                lines.append(f"{arg} is a constant: no gradient for it")
                continue
            term = edge.local_grad * g
            before = grads[edge.parent]
            grads[edge.parent] = term if before is None else before + term
            lines.append(
                f"grad[{arg}] += {_local_symbol(tr, operands, edge)} × grad[{name}] = "
                f"{format_number(edge.local_grad)} × {format_number(g)} = {format_number(term)}"
                + ("" if before is None else f"  → grad[{arg}] = {format_number(grads[edge.parent])}")
            )
            updated.append(edge.parent)
        steps.append(Step(k, tuple(lines), tuple(updated), tuple(grads)))
    leaves = [i for i, node in enumerate(nodes) if not node.parents and node.requires_grad]
    done = "done: the leaves' gradients are final: " + ", ".join(f"grad[{tr.name(i)}] = {format_number(grads[i] or 0.0)}" for i in leaves)
    last = steps[-1]
    steps[-1] = Step(last.node, last.lines + (done,), last.updated, last.grads)
    return steps
