"""Folded views of a graph: which fold fits a screen, a layer as one box, a batch drawn once.

Folding is a view: every number shown is one of the graph's own floats (or, for a layer, the
norm of some of them); nothing is recomputed by another route.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import graphviz

from autograd.format import format_fixed

from .escape import plain_label
from .roles import SHARED, Unit, neuron_of, node_roles
from .tracing import Trace

__all__ = [
    "FOLDS",
    "FOLD_TITLES",
    "SCREEN_BOXES",
    "SCREEN_ROWS",
    "Batch",
    "batch_of",
    "choose_fold",
    "draw_layers",
    "gradient_parts",
    "parts_text",
    "tallest_column",
]

FOLDS = ("neuron", "layer", "sample", None)
# What the title says of each fold ("auto" picks one of them, see choose_fold).
FOLD_TITLES = {
    "neuron": "fold=neuron: a table per neuron",
    "layer": "fold=layer: a box per layer",
    "sample": "fold=sample: sample 1 drawn for all",
    None: "fold=None: every scalar",
}
SCREEN_ROWS = 80  # table rows one column of a 1080-pixel screen shows at a readable size
SCREEN_BOXES = 120  # value boxes beside the tables that still lay out in one readable screen


def tallest_column(units: Sequence[Unit]) -> int:
    """The rows of the tallest layer column of the neuron tables (a header and φ′ row each)."""
    rows: dict[int, int] = {}
    for unit in units:
        rows[unit.layer] = rows.get(unit.layer, 1) + len(unit.members) + 2
    return max(rows.values(), default=0)


@dataclass(frozen=True)
class Batch:
    """The samples of a batch graph (see ``viz.roles.samples_of``).

    Attributes:
        samples: each node's sample (``SHARED`` for none); ``count`` how many samples.
        hidden: the nodes of samples 2..N, which the sample fold leaves out.
    """

    samples: list[int]
    count: int

    @property
    def hidden(self) -> set[int]:
        """Nodes of every sample but the first."""
        return {i for i, k in enumerate(self.samples) if k not in (0, SHARED)}


def batch_of(samples: list[int]) -> Batch:
    """The :class:`Batch` of ``samples`` (from ``viz.roles.samples_of``)."""
    count = max(samples, default=0) + 1 if any(k != SHARED for k in samples) else 1
    return Batch(samples, count)


def choose_fold(tr: Trace, units: Sequence[Unit], batch: Batch) -> str | None:
    """The most detailed fold whose picture fits one screen: every scalar for a graph without
    nn's neurons; else one table per neuron; for a batch, one sample drawn for all; else a layer
    per box.

    Args:
        tr: the graph.
        units: its neurons (``viz.roles.find_units``).
        batch: its samples (:func:`batch_of`).

    Returns:
        A name of :data:`FOLDS`.
    """
    if not units:
        return None
    in_tables = sum(len(u.members) for u in units)
    fits = tallest_column(units) <= SCREEN_ROWS
    if batch.count == 1:
        return "neuron" if fits and len(tr.nodes) - in_tables <= SCREEN_BOXES else "layer"
    others = len(tr.nodes) - len(batch.hidden) - in_tables
    return "sample" if fits and others <= SCREEN_BOXES else "layer"


def gradient_parts(
    tr: Trace, grads: Sequence[float | None], batch: Batch
) -> dict[int, list[float]]:
    """For each shared node that requires grad and is used by several samples: its gradient's
    part from each sample, Σ local × grad[user] over that sample's users (the parts add up to
    the gradient, as backward adds them)."""
    parts: dict[int, list[float]] = {}
    users: dict[int, set[int]] = {}
    for edge in tr.edges:
        p, k = edge.parent, batch.samples[edge.child]
        if batch.samples[p] != SHARED or k == SHARED or grads[edge.child] is None:
            continue
        if tr.nodes[p].requires_grad:
            row = parts.setdefault(p, [0.0] * batch.count)
            row[k] += edge.local_grad * grads[edge.child]
            users.setdefault(p, set()).add(k)
    return {p: row for p, row in parts.items() if len(users[p]) > 1}


def parts_text(row: Sequence[float], decimals: int) -> str:
    """``Σ 100 samples, largest s17 0.0123``: a gradient as the sum of its per-sample parts
    (s1 is the first sample)."""
    largest = max(range(len(row)), key=lambda k: abs(row[k]))
    if row[largest] == 0.0:
        return f"Σ {len(row)} samples, all 0"
    return f"Σ {len(row)} samples, largest s{largest + 1} {format_fixed(row[largest], decimals)}"


def _count(n: int, word: str, words: str | None = None) -> str:
    """``1 value``, ``2 values``."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def _norm(xs: Sequence[float]) -> float:
    return math.sqrt(math.fsum(x * x for x in xs))


def draw_layers(
    graph: graphviz.Digraph,
    tr: Trace,
    grads: Sequence[float | None] | None,
    batch: Batch,
    decimals: int,
) -> None:
    """Draw ``tr`` into ``graph`` with each layer of nn as one box (its width, activation,
    parameter counts and the norms of its gradients over all samples), the inputs as one box
    and the rest (the loss) as one box; an edge says how many values flow between boxes."""
    roles = node_roles(tr)
    owner = neuron_of(tr, roles)
    block: list[str] = []
    for i, node in enumerate(tr.nodes):
        if owner[i] is not None:
            block.append(f"L{owner[i][0]}")
        elif not node.parents and roles[i] != "parameter":
            block.append("inputs")
        else:
            block.append("rest")
    users: list[set[str]] = [set() for _ in tr.nodes]
    for edge in tr.edges:
        users[edge.parent].add(block[edge.child])
    for i, b in enumerate(block):  # an input that only the loss uses (a target) belongs to the loss
        if b == "inputs" and all(not u.startswith("L") for u in users[i]):
            block[i] = "rest"
    layers = sorted({b for b in block if b.startswith("L")}, key=lambda b: int(b[1:]))
    for name in layers:
        graph.node(
            name, label=_layer_table(tr, grads, batch, decimals, name, block, roles), shape="plain"
        )
    members = {b: [i for i, x in enumerate(block) if x == b] for b in ("inputs", "rest")}
    if members["inputs"]:
        graph.node(
            "inputs",
            label=plain_label(f"inputs\n{_count(len(members['inputs']), 'value')}"),
            shape="box",
            style="filled",
            fillcolor="#cfe2f3",
        )
    root = len(tr.nodes) - 1
    if members["rest"]:
        value = f"{tr.name(root)} = {format_fixed(tr.nodes[root].data, decimals)}"
        graph.node(
            "rest",
            label=plain_label(f"loss and the rest\n{len(members['rest'])} nodes\n{value}"),
            shape="box",
            style="filled",
            fillcolor="#b6d7a8",
            penwidth="2",
        )
    flows: dict[tuple[str, str], set[int]] = {}
    for edge in tr.edges:
        a, b = block[edge.parent], block[edge.child]
        if a != b:
            flows.setdefault((a, b), set()).add(edge.parent)
    for (a, b), sources in flows.items():
        graph.edge(a, b, label=plain_label(_count(len(sources), "value")))


def _layer_table(
    tr: Trace,
    grads: Sequence[float | None] | None,
    batch: Batch,
    decimals: int,
    name: str,
    block: list[str],
    roles: list[str],
) -> str:
    mine = [i for i, b in enumerate(block) if b == name]
    dots = [i for i in mine if tr.nodes[i].op == "dot"]
    weights = [
        i
        for i in mine
        if roles[i] == "parameter" and tr.nodes[i].label.rsplit(".", 1)[-1].startswith("w")
    ]
    biases = [i for i in mine if roles[i] == "parameter" and i not in weights]
    width = len({tr.nodes[i].label.rsplit(".", 1)[0] for i in weights + biases})
    after = {tr.nodes[i].op for i in mine if tr.nodes[i].parents and tr.nodes[i].op != "dot"}
    activation = ", ".join(sorted(after)) or "linear"
    neurons = _count(width, "neuron")
    rows = [
        f"<B>layer {name[1:]}</B>: {neurons}, {html.escape(activation)}",
        f"{_count(len(weights), 'weight')}, {_count(len(biases), 'bias', 'biases')}",
    ]
    if grads is None:
        rows.append("no backward yet")
    else:

        def norm(nodes: list[int]) -> str:
            return format_fixed(_norm([grads[i] or 0.0 for i in nodes]), decimals)

        over = f" over {batch.count} samples" if batch.count > 1 else ""
        d = f"∂{html.escape(tr.name(len(tr.nodes) - 1))}"
        rows += [
            f"‖{d}/∂w‖ = {norm(weights)}",
            f"‖{d}/∂b‖ = {norm(biases)}",
            f"‖δ‖ = ‖{d}/∂v‖ = {norm(dots)}{over}",
        ]
    cells = "".join(f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#fce5cd">'
        f"{cells}</TABLE>>"
    )
