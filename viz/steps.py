"""Backward, one node at a time, as data: which gradients each step changes, and to what.

The steps are recorded from the engine's own loop (``autograd.backward.chain_rule``, through
``autograd.functional.gradients``, which leaves ``.grad`` alone), so a page shows exactly what
backward does.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd import Value
from autograd.functional import gradients

from .tracing import Trace

__all__ = ["Step", "record_steps"]


@dataclass(frozen=True)
class Step:
    """One iteration of backward's loop: node ``node`` passes its gradient to its operands.

    Attributes:
        node: index (in ``Trace.nodes``) of the node being processed.
        updated: indices of the nodes whose gradient changed at this step (the root's first).
        grads: every node's gradient after this step (None: nothing has reached it yet).
    """

    node: int
    updated: tuple[int, ...]
    grads: tuple[float | None, ...]


def record_steps(tr: Trace, gradient: float = 1.0) -> list[Step]:
    """Run backward's loop over ``tr`` from zero gradients, recording each step.

    One step per node the loop visits, in its order (the nodes made by an op, root first); the
    first also seeds the root's gradient. A graph that is one leaf gets one step, the seed.
    ``.grad`` is left as it was.

    Args:
        tr: the graph (``viz.trace(root)``).
        gradient: ∂L/∂root to start from.

    Returns:
        One :class:`Step` per node, in the order backward visits them.
    """
    nodes, index, root = tr.nodes, tr.index, len(tr.nodes) - 1
    steps: list[Step] = []
    reached = [False] * root + [True]  # the loop starts every gradient at 0.0; the page shows "—" until reached

    def record(node: Value) -> None:
        k = index[node]
        changed = [index[p] for p in node.parents if p.requires_grad]
        for i in changed:
            reached[i] = True
        steps.append(Step(k, tuple(dict.fromkeys(([root] if k == root else []) + changed)),
                          tuple(n.grad if seen else None for n, seen in zip(nodes, reached))))

    gradients(nodes, gradient, on_step=record)
    if not steps:  # a lone leaf: the seed is the whole pass
        steps.append(Step(root, (root,), tuple(gradient if i == root else None for i in range(len(nodes)))))
    return steps
