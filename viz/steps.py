"""Backward, one node at a time, as data: what each step adds and the arithmetic behind it.

The steps are recorded from the engine's own loop (``autograd.chain_rule``, through
``autograd.gradients``, which leaves ``.grad`` alone), so the page shows exactly what backward does.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd import Value, gradients
from autograd.format import format_number

from .tracing import Edge, Trace, is_atomic, local_formula

__all__ = ["Step", "record_steps"]


@dataclass(frozen=True)
class Step:
    """One iteration of backward's loop: node ``node`` passes its gradient to its operands.

    Attributes:
        node: index (in ``Trace.nodes``) of the node being processed.
        lines: the arithmetic of this step, one line per operand (or a note for a constant).
        updated: indices of the nodes whose gradient changed at this step.
        grads: every node's gradient after this step (None: nothing has reached it yet).
    """

    node: int
    lines: tuple[str, ...]
    updated: tuple[int, ...]
    grads: tuple[float | None, ...]


def _factor(text: str) -> str:
    """``text`` ready to stand in a product: bracketed unless it is one word or call."""
    return text if is_atomic(text) else f"({text})"


def record_steps(tr: Trace, gradient: float = 1.0) -> list[Step]:
    """Run backward's loop over ``tr`` from zero gradients, recording each step.

    One step per node the loop visits, in its order (the nodes made by an op, root first); the
    first also seeds the root's gradient, the last lists the leaves' final gradients. A graph
    that is one leaf gets one step, the seed. ``.grad`` is left as it was.

    Args:
        tr: the graph (``viz.trace(root)``).
        gradient: ∂L/∂root to start from.

    Returns:
        One :class:`Step` per node, in the order backward visits them.
    """
    nodes, index = tr.nodes, tr.index
    root = len(nodes) - 1
    shown: list[float | None] = [None] * len(nodes)  # the gradients as the page shows them so far
    shown[root] = gradient
    edges: dict[int, list[Edge]] = {}
    for edge in tr.edges:
        edges.setdefault(edge.child, []).append(edge)
    steps: list[Step] = []

    def record(node: Value) -> None:
        k = index[node]
        name, g = tr.name(k), node.grad
        lines = [f"start: grad[{name}] = {format_number(gradient)}  (∂{_factor(name)}/∂{_factor(name)})"] if k == root else []
        updated = [k] if k == root else []
        for edge in edges.get(k, []):
            arg = tr.name(edge.parent)
            if not nodes[edge.parent].requires_grad:
                lines.append(f"{arg} is a constant: no gradient for it")
                continue
            term, before = edge.local_grad * g, shown[edge.parent]
            shown[edge.parent] = term if before is None else before + term  # the loop's own sum, shown
            lines.append(f"grad[{arg}] += {_factor(local_formula(tr, edge))} × grad[{name}] = "
                         f"{format_number(edge.local_grad)} × {format_number(g)} = {format_number(term)}"
                         + ("" if before is None else f"  → grad[{arg}] = {format_number(shown[edge.parent])}"))
            updated.append(edge.parent)
        steps.append(Step(k, tuple(lines), tuple(updated), tuple(shown)))

    gradients(nodes, gradient, on_step=record)
    if not steps:  # a lone leaf: the seed is the whole pass
        steps.append(Step(root, (f"start: grad[{tr.name(root)}] = {format_number(gradient)}",), (root,), tuple(shown)))
    leaves = [i for i, node in enumerate(nodes) if not node.parents and node.requires_grad]
    done = "done: the leaves' gradients are final: " + ", ".join(
        f"grad[{tr.name(i)}] = {format_number(shown[i] or 0.0)}" for i in leaves)
    last = steps[-1]
    steps[-1] = Step(last.node, last.lines + (done,), last.updated, last.grads)
    return steps
