"""The computation graph as a Graphviz picture: values, ops, and the local derivative on every edge."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import graphviz

from autograd import OPS, Value
from autograd.format import format_number

from .escape import plain_label, record_field
from .roles import ROLES, as_parameter_set, neuron_of, node_roles
from .style import ROLE_COLORS, add_legend, grad_color, grad_legend
from .tracing import Trace, trace

__all__ = ["draw_graph", "draw_dot", "NO_GRAD_MARK", "DEFAULT_MAX_NODES"]

NO_GRAD_MARK = "—"  # shown for a gradient that no backward pass has computed yet
DEFAULT_MAX_NODES = 500
_COLORINGS = ("role", "grad")
_GROUPINGS = ("neuron", "layer", None)
_RANKDIRS = ("LR", "TB", "RL", "BT")
_BIG_GRAPH_ADVICE = (
    "draw the network with viz.draw_mlp(model, x) (one edge per weight); or keep nn's neurons "
    "boxed (group='neuron', the default) when you raise max_nodes; or "
)


@dataclass(frozen=True)
class Style:
    """How :func:`build_graph` draws: the options of :func:`draw_graph`, checked."""

    show_local_grads: bool = True
    color: str = "role"
    params: frozenset[Value] | None = None
    group: str | None = "neuron"
    rankdir: str = "LR"
    name_all_nodes: bool = False  # show "n7" for unlabelled nodes (the step-through page names them)
    title: str | None = None  # replaces the default title (root's value, whether backward has run)


def grad_text(node: Value, grad: float | None) -> str:
    """The grad field of a value node: ``grad 0.5``, ``grad —`` before backward, ``no grad``."""
    if not node.requires_grad:
        return "no grad"
    return f"grad {NO_GRAD_MARK if grad is None else format_number(grad)}"


def op_text(node: Value) -> str:
    """An op node's text: its symbol, then its attributes (``leaky_relu`` / ``slope=0.1``)."""
    op = OPS.get(node.op)
    symbol = op.symbol if op is not None else node.op
    attrs = "\n".join(f"{k}={format_number(v) if isinstance(v, float) else v}" for k, v in sorted((node.attrs or {}).items()))
    return f"{symbol}\n{attrs}" if attrs else symbol


def backward_has_run(tr: Trace) -> bool:
    """Whether a backward pass has filled gradients in the traced graph: one from its root sets
    the root's grad (1 by default); one from a later output may leave the root's grad at 0 (a
    dead ReLU, say) while its operands have gradients. All zeros reads as no backward yet."""
    return any(node.grad != 0.0 for node in tr.nodes)


def build_graph(tr: Trace, grads: Sequence[float | None] | None, style: Style) -> graphviz.Digraph:
    """The picture of ``tr`` with the given gradients (None: no backward yet, shown as —).

    Nodes are named by topological index (``v3`` for a value, ``op3`` for the op that made it),
    so the DOT source is the same in every process.
    """
    roles = node_roles(tr, style.params)
    root = tr.nodes[-1]
    graph = graphviz.Digraph("deltagrad")
    graph.attr(rankdir=style.rankdir, labelloc="t", fontname="Helvetica", fontsize="12")
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", fontname="Helvetica", fontsize="10")
    graph.attr(label=plain_label(style.title or _title(tr, grads)))

    shown = [None if grads is None or not node.requires_grad else grads[i] for i, node in enumerate(tr.nodes)]
    largest = max((abs(g) for g in shown if g is not None and math.isfinite(g)), default=0.0)
    statements: dict[tuple[int, int] | None, list[tuple[str, dict[str, str]]]] = {}
    groups = neuron_of(tr, roles) if style.group else [None] * len(tr.nodes)
    for i, node in enumerate(tr.nodes):
        g = shown[i]
        if style.color == "grad":
            fill = grad_color(g, largest)
        else:
            fill = ROLE_COLORS[roles[i]]
        label = tr.name(i) if style.name_all_nodes else node.label
        fields = (record_field(label), f"data {record_field(format_number(node.data))}", grad_text(node, g))
        attrs = {"label": "{ " + " | ".join(fields) + " }", "shape": "record", "style": "filled", "fillcolor": fill}
        if roles[i] == "constant":
            attrs["fontcolor"] = "#666666"
        if node is root:
            attrs["penwidth"] = "2"
        key = groups[i] if style.group != "layer" or groups[i] is None else (groups[i][0], -1)
        bucket = statements.setdefault(key, [])
        bucket.append((f"v{i}", attrs))
        if node.parents:
            bucket.append((f"op{i}", {"label": plain_label(op_text(node)), "shape": "ellipse", "style": "filled", "fillcolor": "#f3f3f3"}))

    _emit_nodes(graph, statements)
    for edge in tr.edges:
        attrs = {}
        if not tr.nodes[edge.parent].requires_grad:  # no gradient flows: its derivative is moot
            attrs.update(style="dashed", color="#999999")
        elif style.show_local_grads:
            attrs["label"] = format_number(edge.local_grad)
        graph.edge(f"v{edge.parent}", f"op{edge.child}", **attrs)
    for i, node in enumerate(tr.nodes):
        if node.parents:
            graph.edge(f"op{i}", f"v{i}")

    if style.color == "grad":
        entries = grad_legend()
    else:
        entries = [(role, ROLE_COLORS[role]) for role in ROLES if role in roles]
    add_legend(graph, entries, _notes(grads, style, largest, "constant" in roles))
    return graph


def _title(tr: Trace, grads: Sequence[float] | None) -> str:
    root = tr.nodes[-1]
    name = tr.name(len(tr.nodes) - 1)
    value = f"{name} = {format_number(root.data)}"
    if grads is None:
        return f"{value}   (no backward yet: gradients show as {NO_GRAD_MARK})"
    if grads[-1] == 1.0:
        return f"{value}   (gradients after backward: grad = ∂{name}/∂node)"
    # grad[root] != 1: the last backward started at a later output (or with another seed)
    return f"{value}   (gradients as the last backward left them; grad[{name}] = {format_number(grads[-1])})"


def _notes(grads: Sequence[float] | None, style: Style, largest: float, has_constants: bool) -> list[str]:
    notes = ["box: label | data | grad"]
    if style.show_local_grads:
        notes += ["edge number: local derivative ∂(op result)/∂(operand)", "backward: grad[operand] += edge × grad[result]"]
    if has_constants:
        notes.append("dashed edge: constant operand (no gradient flows)")
    if grads is None:
        notes.append(f"no backward yet: gradients show as {NO_GRAD_MARK}")
    elif style.color == "grad":
        notes.append(f"max |grad| = {format_number(largest)}")
    return notes


def _emit_nodes(graph: graphviz.Digraph, statements: dict[tuple[int, int] | None, list[tuple[str, dict[str, str]]]]) -> None:
    for name, attrs in statements.get(None, []):
        graph.node(name, **attrs)
    layers = sorted({key[0] for key in statements if key is not None})
    for layer in layers:
        with graph.subgraph(name=f"cluster_L{layer}") as cluster:
            cluster.attr(label=f"layer {layer}", labeljust="l", style="rounded", color="#999999", fontcolor="#666666")
            for key in sorted(k for k in statements if k is not None and k[0] == layer):
                if key[1] < 0:  # grouped by layer only
                    for name, attrs in statements[key]:
                        cluster.node(name, **attrs)
                    continue
                with cluster.subgraph(name=f"cluster_L{layer}_N{key[1]}") as neuron:
                    neuron.attr(label=f"L{layer}.N{key[1]}", labeljust="r", style="rounded,dashed", color="#bbbbbb")
                    for name, attrs in statements[key]:
                        neuron.node(name, **attrs)


def _check_options(format: Any, color: Any, group: Any, rankdir: Any, show_local_grads: Any) -> None:  # noqa: A002
    if not isinstance(show_local_grads, bool):  # "no" would be truthy and draw the numbers
        raise TypeError(f"draw_graph: show_local_grads must be True or False, got {show_local_grads!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"draw_graph: format must be a Graphviz output format such as 'svg' or 'png', got {format!r}")
    if color not in _COLORINGS:
        raise ValueError(f"draw_graph: color must be one of {_COLORINGS}, got {color!r}")
    if group not in _GROUPINGS:
        raise ValueError(f"draw_graph: group must be one of {_GROUPINGS}, got {group!r}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")


def check_size(tr: Trace, max_nodes: Any, what: str, option: str = "max_nodes=", advice: str = "") -> None:
    """Refuse a graph of more than ``max_nodes`` values, saying what to draw instead.

    Args:
        tr: the graph.
        max_nodes: the limit (a positive int), or None for none.
        what: who refuses, first in the message (``"draw_graph"``).
        option: how the caller's user raises the limit (``"max_nodes="``, ``"--max-nodes "``).
        advice: the caller's own suggestions, put before the common ones.
    """
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1):
        raise ValueError(f"{what}: max_nodes must be a positive int or None, got {max_nodes!r}")
    n = len(tr.nodes)
    if max_nodes is not None and n > max_nodes:
        raise ValueError(
            f"{what}: the graph has {n} nodes, more than {option}{max_nodes}, too many to read in "
            f"one picture. Instead: {advice}draw a smaller part (one neuron's output, the loss of one "
            f"sample); or pass {option}{n} to draw it anyway"
        )


def draw_graph(
    root: Value | Trace,
    format: str = "svg",  # noqa: A002 - micrograd's draw_dot(root, format='svg', rankdir='LR')
    rankdir: str = "LR",
    *,
    show_local_grads: bool = True,
    color: str = "role",
    params: Any = None,
    group: str | None = "neuron",
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """Draw the graph that computed ``root``: every value, every op, every local derivative.

    Each value is a box ``label | data | grad``; each op is an ellipse with its symbol (and
    attributes such as a slope); each edge into an op carries the local derivative
    ∂(op result)/∂(operand), so backward's ``grad[operand] += edge × grad[result]`` can be read
    off the picture. Before any backward from ``root`` the gradients show as ``—`` and the title
    says so. A legend is drawn inside the picture.

    Takes micrograd's call ``draw_dot(root, format='svg', rankdir='LR')`` as it is.

    Args:
        root: the output Value, or its ``viz.trace`` when the caller has one.
        format: the format ``graph.render(name)`` writes (``name.svg`` by default), as in micrograd.
        rankdir: Graphviz direction, ``"LR"`` (left to right) by default, ``"TB"``, ``"RL"``, ``"BT"``.
        show_local_grads: False gives micrograd's plain look (no numbers on edges).
        color: ``"role"`` fills by role (input, parameter, constant, output), ``"grad"`` by the
            sign and size of each gradient (red positive, blue negative, darker when larger).
        params: the parameters (Values, or a model with ``.parameters()``); by default a leaf is
            a parameter when its label looks like a weight or bias (``w1``, ``b``, ``L0.N3.w2``).
        group: ``"neuron"`` draws nn's neurons (labels ``L{l}.N{n}.``) as boxes inside boxes per
            layer, ``"layer"`` boxes layers only, None draws no boxes.
        max_nodes: refuse (ValueError, saying what to do instead) beyond this many values;
            None for no limit.

    Returns:
        A ``graphviz.Digraph`` (it displays inline in Jupyter; write it with ``viz.render``, or
        with its own ``.render(name)``).
    """
    _check_options(format, color, group, rankdir, show_local_grads)
    tr = root if isinstance(root, Trace) else trace(root)
    check_size(tr, max_nodes, "draw_graph", advice=_BIG_GRAPH_ADVICE)
    params_set = as_parameter_set(params)
    style = Style(show_local_grads, color, None if params_set is None else frozenset(params_set), group, rankdir)
    grads = [node.grad for node in tr.nodes] if backward_has_run(tr) else None
    graph = build_graph(tr, grads, style)
    graph.format = format
    return graph


draw_dot = draw_graph  # micrograd's name
