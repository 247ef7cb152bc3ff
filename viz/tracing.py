"""The nodes and edges of a computation graph, in a deterministic order."""

from __future__ import annotations

from typing import NamedTuple

from autograd import Value, topological_order

__all__ = ["Edge", "Trace", "trace"]


class Edge(NamedTuple):
    """One operand slot: ``child = op(..., parent, ...)`` with ``parent`` at ``position``."""

    parent: int  # index of the operand in Trace.nodes
    child: int  # index of the op's result in Trace.nodes
    position: int  # which operand of the child (an x*x node has two edges from x)
    local_grad: float  # ∂child/∂parent, as recorded when the op ran


class Trace(NamedTuple):
    """A graph as data: ``nodes`` in topological order (root last) and the ``edges`` between them."""

    nodes: list[Value]
    edges: list[Edge]

    def name(self, i: int) -> str:
        """How text refers to node ``i``: its label, or ``n{i}`` (its name in the DOT source)."""
        return self.nodes[i].label or f"n{i}"

    @property
    def index(self) -> dict[Value, int]:
        """Each node's position in ``nodes``: the stable name pictures give it."""
        return {node: i for i, node in enumerate(self.nodes)}


def trace(root: Value) -> Trace:
    """Collect every node reachable from ``root`` and every parent→child edge.

    Iterative (reuses ``autograd.topological_order``) and deterministic: nodes come parents
    first, root last, parents in their recorded order, so the same graph always gives the same
    order and the same indices, in any process.

    Args:
        root: the output Value.

    Returns:
        ``Trace(nodes, edges)``; ``edges`` are grouped by child in node order, operands in order.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace: root must be a Value, got {type(root).__name__}")
    nodes = topological_order(root)
    for i, node in enumerate(nodes):
        if not isinstance(node.label, str):  # set after construction, which Value() does not check
            raise TypeError(f"trace: node n{i}'s label must be a str, got {type(node.label).__name__}: {node.label!r}")
    index = {node: i for i, node in enumerate(nodes)}
    edges = [
        Edge(index[parent], i, position, float(local))
        for i, node in enumerate(nodes)
        for position, (parent, local) in enumerate(zip(node.parents, node.local_grads))
    ]
    return Trace(nodes, edges)
