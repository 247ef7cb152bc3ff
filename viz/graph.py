"""The computation graph as a Graphviz picture: values, ops, and the local derivative on every edge."""

from __future__ import annotations

import html
import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import graphviz

from autograd import OPS, Value
from autograd.format import (APPROX_MARK, Check, NumberFormat, choose_decimals, format_fixed,
                             format_number)

from .escape import plain_label, record_field
from .folds import (FOLD_TITLES, FOLDS, Batch, batch_of, choose_fold, draw_layers, gradient_parts,
                    parts_text)
from .roles import ROLES, Unit, as_parameter_set, find_units, neuron_of, node_roles, samples_of
from .style import ROLE_COLORS, ROLE_LEGEND, add_legend, grad_color, grad_legend
from .tracing import Edge, Trace, local_formula, trace

__all__ = ["draw_graph", "draw_dot", "picture_decimals", "hand_checks", "NO_GRAD_MARK", "DEFAULT_MAX_NODES",
           "approximate", "LEGEND_WIDTH",
           "EDGES_PER_NODE", "layout_edges"]

NO_GRAD_MARK = "—"  # shown for a gradient that no backward pass has computed yet
DEFAULT_MAX_NODES = 500
LEGEND_WIDTH = 30  # characters a network's legend wraps at: its column no wider than the root's
EDGES_PER_NODE = 3  # edge pieces allowed per allowed node: a layered net has about 2 a node; past 2,000
# pieces dot can take ten seconds and more (x + x + ... + x, 50 terms: 2,500 pieces, 10 s)
_COLORINGS = ("role", "grad")
_GROUPINGS = ("neuron", "layer", None)  # the deprecated group= option
_UNSET: Any = object()  # group= not given
_RANKDIRS = ("LR", "TB", "RL", "BT")
_SIDE = {"LR": "n", "RL": "n", "TB": "w", "BT": "w"}  # an op's side that no operand flows along
_BIG_GRAPH_ADVICE = (
    "draw the network with viz.draw_mlp(model, x) (one edge per weight); or fold it, nn's "
    "neurons as one table each (fold='neuron'), a layer per box (fold='layer') or a batch's "
    "samples drawn once (fold='sample'); or "
)


@dataclass(frozen=True)
class Style:
    """How :func:`build_graph` draws: the options of :func:`draw_graph`, checked."""

    show_local_grads: bool = True
    color: str = "role"
    params: frozenset[Value] | None = None
    fold: str | None = None  # one of folds.FOLDS: "neuron", "layer", "sample" or None
    rankdir: str = "LR"
    title: str | None = None  # replaces the default title (root's value, whether backward has run)
    decimals: int | None = None  # the view's (a page and its frames share one); None: the picture's own
    clusters: bool = False  # every node, boxed by layer (the deprecated group="layer")
    unfold: frozenset[str] = frozenset()  # neurons (L0.N1) drawn as scalars in a folded view
    cell_ids: bool = False  # table cells get SVG ids (r3, g3: node 3's row and grad), for pages
    legend: str = "inside"  # "inside" the picture, "none", or "only" (a picture of the legend)


def grad_text(node: Value, grad: float | None, decimals: int | None = None) -> str:
    """The grad field of a value node: ``grad 0.5``, ``grad —`` before backward, ``no grad``.

    ``decimals``: the picture's (:func:`picture_decimals`); None for 4 significant digits.
    """
    if not node.requires_grad:
        return "no grad"
    return f"grad {NO_GRAD_MARK if grad is None else _number(grad, decimals)}"


def _number(x: float, decimals: int | None) -> str:
    return format_number(x) if decimals is None else format_fixed(x, decimals)


def op_text(node: Value, separator: str = "\n") -> str:
    """An op node's text: its symbol, then its attributes (``leaky_relu`` / ``slope=0.1``)."""
    op = OPS.get(node.op)
    symbol = op.symbol if op is not None else node.op
    attrs = separator.join(f"{k}={format_number(v) if isinstance(v, float) else v}" for k, v in sorted((node.attrs or {}).items()))
    return f"{symbol}{separator}{attrs}" if attrs else symbol


def backward_has_run(tr: Trace) -> bool:
    """Whether a backward pass has filled gradients in the traced graph: one from its root sets
    the root's grad (1 by default); one from a later output may leave the root's grad at 0 (a
    dead ReLU, say) while its operands have gradients. All zeros reads as no backward yet."""
    return any(node.grad != 0.0 for node in tr.nodes)


# How a reader redoes an op by hand, as a sum of products Σ a·b (operands' values in order).
_BY_HAND: dict[str, Callable[[list[float]], list[tuple[float, float]]]] = {
    "add": lambda xs: [(xs[0], 1.0), (xs[1], 1.0)],
    "sub": lambda xs: [(xs[0], 1.0), (xs[1], -1.0)],
    "mul": lambda xs: [(xs[0], xs[1])],
    "neg": lambda xs: [(xs[0], -1.0)],
    "sum": lambda xs: [(x, 1.0) for x in xs],
    "dot": lambda xs: list(zip(xs[: len(xs) // 2], xs[len(xs) // 2 : len(xs) // 2 * 2])) + [(b, 1.0) for b in xs[len(xs) // 2 * 2 :]],
}


def hand_checks(tr: Trace, grads: Sequence[float | None] | None) -> list[Check]:
    """The sums a reader of the picture can redo: each +, −, ×, Σ and w·x+b node from its operands,
    and each gradient from its users (grad[x] = Σ local × grad[user])."""
    checks: list[Check] = [(_BY_HAND[node.op]([p.data for p in node.parents]), node.data)
                           for node in tr.nodes if node.op in _BY_HAND]
    if grads is not None:
        terms: list[list[tuple[float, float]]] = [[] for _ in tr.nodes]
        for edge in tr.edges:
            if tr.nodes[edge.parent].requires_grad and grads[edge.child] is not None:
                terms[edge.parent].append((edge.local_grad, grads[edge.child]))
        checks += [(t, grads[i]) for i, t in enumerate(terms) if t and grads[i] is not None]
    return checks


def approximate(tr: Trace, grads: Sequence[float | None] | None,
                numbers: NumberFormat) -> tuple[set[int], set[int]]:
    """The nodes whose shown value, and those whose shown gradient, the picture's shown operands
    do not give by hand to the last digit (:func:`hand_checks`' sums): they are marked ≈.
    Gradients are checked only when backward started at the drawn root with 1 (else the picture
    shows another pass's gradients, which no sum over this graph gives)."""
    def missed(terms: list[tuple[float, float]], result: float) -> bool:
        by_hand = math.fsum(numbers.shown(a) * numbers.shown(b) for a, b in terms)
        return numbers.result(result, by_hand).startswith(APPROX_MARK)

    data = {i for i, node in enumerate(tr.nodes) if node.op in _BY_HAND
            and missed(_BY_HAND[node.op]([p.data for p in node.parents]), node.data)}
    if grads is None or grads[-1] != 1.0:
        return data, set()
    terms: list[list[tuple[float, float]]] = [[] for _ in tr.nodes]
    for edge in tr.edges:
        if tr.nodes[edge.parent].requires_grad and grads[edge.child] is not None:
            terms[edge.parent].append((edge.local_grad, grads[edge.child]))
    grad = {i for i, t in enumerate(terms) if t and grads[i] is not None and missed(t, grads[i])}
    return data, grad


def picture_decimals(tr: Trace, grads: Sequence[float | None] | None) -> int:
    """The decimals every number of the picture of ``tr`` is shown with (see ``choose_decimals``)."""
    return choose_decimals(hand_checks(tr, grads))


def build_graph(tr: Trace, grads: Sequence[float | None] | None, style: Style) -> graphviz.Digraph:
    """The picture of ``tr`` with the given gradients (None: no backward yet, shown as —).

    Nodes are named by topological index (``v3`` for a value, ``op3`` for the op that made it,
    ``u3`` for the table of the neuron whose v is node 3), so the DOT source is the same in every
    process.
    """
    roles = node_roles(tr, style.params)
    root = tr.nodes[-1]
    decimals = picture_decimals(tr, grads) if style.decimals is None else style.decimals
    marks = approximate(tr, grads, NumberFormat(decimals))
    graph = graphviz.Digraph("deltagrad")
    graph.attr(rankdir=style.rankdir, labelloc="t", fontname="Helvetica", fontsize="12")
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", fontname="Helvetica", fontsize="10")
    batch = batch_of(samples_of(tr)) if style.fold in ("layer", "sample") else Batch([], 1)
    title = style.title or _title(tr, grads, decimals)
    if style.fold is not None or find_units(tr):  # a graph with nothing to fold does not say so
        title = f"{title}   [{_fold_title(style.fold, batch)}]"
    graph.attr(label=plain_label(title))
    if style.fold == "layer":
        draw_layers(graph, tr, grads, batch, decimals)
        return graph
    units = []
    if style.fold in ("neuron", "sample"):
        units = [u for u in find_units(tr) if u.prefix.rstrip(".") not in style.unfold]
    hidden = batch.hidden if style.fold == "sample" else set()
    parts = gradient_parts(tr, grads, batch) if hidden and grads is not None else {}
    # a gradient summed over samples not drawn is no hand sum of what is shown: no ≈ on it
    marks = (marks[0], marks[1] - parts.keys()) if parts else marks
    if units:  # compact, so that a 2-4-4-1 network and its loss fit a 1920x1080 screen
        graph.attr(ranksep="0.28", nodesep="0.12")
        graph.attr("node", fontsize="10", margin="0.05,0.03")

    shown = [None if grads is None or not node.requires_grad else grads[i] for i, node in enumerate(tr.nodes)]
    largest = max((abs(g) for g in shown if g is not None and math.isfinite(g)), default=0.0)

    def fill(i: int) -> str:
        return grad_color(shown[i], largest) if style.color == "grad" else ROLE_COLORS[roles[i]]

    unit_of = {member: unit for unit in units for member in unit.members}
    statements: dict[tuple[int, int] | None, list[tuple[str, dict[str, str]]]] = {}
    groups = neuron_of(tr, roles) if style.clusters else [None] * len(tr.nodes)
    hidden_operands = {}  # a shown node -> how many of its operands are in hidden samples
    for edge in tr.edges:
        if edge.parent in hidden and edge.child not in hidden:
            hidden_operands[edge.child] = hidden_operands.get(edge.child, 0) + 1
    for i, node in enumerate(tr.nodes):
        if i in unit_of or i in hidden:
            continue
        data_text = _mark(i, marks[0]) + format_fixed(node.data, decimals)
        grad = grad_text(node, shown[i], decimals).replace("grad ", "grad " + _mark(i, marks[1]))
        if i in parts:
            grad += f"\n{parts_text(parts[i], decimals)}"
        fields = (record_field(tr.name(i)), f"data {record_field(data_text)}", record_field(grad))
        attrs = {"label": "{ " + " | ".join(fields) + " }", "shape": "record", "style": "filled", "fillcolor": fill(i)}
        if roles[i] == "constant":
            attrs["fontcolor"] = "#666666"
        if node is root:
            attrs["penwidth"] = "2"
        key = None if groups[i] is None else (groups[i][0], -1)
        bucket = statements.setdefault(key, [])
        bucket.append((f"v{i}", attrs))
        if node.parents:
            text = op_text(node, "\n")
            if i in hidden_operands:  # the sum over a batch: the other samples' operands are folded
                text += f"\n+ {hidden_operands[i]} from samples 2..{batch.count}"
            op_attrs = {"label": plain_label(text), "shape": "ellipse", "style": "filled",
                        "fillcolor": "#f3f3f3"}
            if node.op == "dot":  # operands top to bottom as drawn: w_1, x_1, w_2, x_2, ..., b
                op_attrs["ordering"] = "in"
            if units:
                op_attrs.update(width="0.4", height="0.3")
            bucket.append((f"op{i}", op_attrs))

    if style.color == "grad":
        entries = grad_legend()
    else:
        entries = [(ROLE_LEGEND[role], ROLE_COLORS[role]) for role in ROLES if role in roles]
    notes = _notes(grads, style, largest, "constant" in roles, decimals, bool(units), any(marks))
    if hidden:
        notes += [f"samples 2..{batch.count} are computed as sample 1 is (not drawn)",
                  "a parameter's grad is the sum of its parts from every",
                  "  sample; the largest is named (s1: sample 1)"]
    if style.legend == "only":
        legend = graphviz.Digraph("legend")
        add_legend(legend, entries, notes)
        return legend
    _emit_nodes(graph, statements)
    inside = (entries, notes) if style.legend == "inside" else None
    if units:
        _emit_units(graph, tr, units, shown, decimals, fill, inside, parts, style.cell_ids, marks)
    elif inside:
        add_legend(graph, entries, notes)
    for edge in _drawing_order(tr):
        if edge.parent in hidden or edge.child in hidden:
            continue
        attrs = {}
        parent, child = tr.nodes[edge.parent], tr.nodes[edge.child]
        unit = unit_of.get(edge.child)
        if unit is not None and (edge.child != unit.dot or edge.parent in unit.members):
            continue  # inside the neuron's table
        tail = f"u{unit_of[edge.parent].dot}:o{edge.parent}:e" if edge.parent in unit_of else f"v{edge.parent}"
        if unit is not None:  # an input of a neuron enters the row of the weight that multiplies it
            n = len(child.parents) // 2
            head = f"u{unit.dot}:i{unit.weights[edge.position - n]}:w"
        else:
            head = f"op{edge.child}"
        if not parent.requires_grad:  # no gradient flows: its derivative is moot
            attrs.update(style="dashed", color="#999999")
            if unit is None:  # from the side, apart from the labelled edges into the same op
                attrs["headport"] = _SIDE[style.rankdir]
        elif style.show_local_grads and unit is None:
            # Mid-edge: dot reserves the label's room on its own edge (a head label is placed
            # after layout and may land on a box or a neighbouring edge).
            number = format_fixed(edge.local_grad, decimals)
            if units:
                attrs["label"] = number
            else:  # a function's edge also says which rule gave the number: 1 − o² = 0.5
                attrs["label"] = plain_label(f"{local_formula(tr, edge)} = {number}" if _shows_formula(child) else number)
        graph.edge(tail, head, **attrs)
    for i, node in enumerate(tr.nodes):
        if node.parents and i not in unit_of and i not in hidden:
            graph.edge(f"op{i}", f"v{i}")
    return graph


def _fold_title(fold: str | None, batch: Batch) -> str:
    """The title's second line: what the picture folds, and how to see more."""
    if fold in ("sample", "layer") and batch.count > 1:
        return f"{FOLD_TITLES[fold]}, {batch.count} samples"
    return FOLD_TITLES[fold]


def _drawing_order(tr: Trace) -> list[Edge]:
    """``tr.edges`` with each dot node's operands interleaved, w_1, x_1, w_2, x_2, ..., b: with
    ``ordering=in`` each weight is drawn next to the input it multiplies."""
    out: list[Edge] = []
    for child, group in itertools.groupby(tr.edges, key=lambda e: e.child):  # edges come grouped by child
        edges = list(group)
        if tr.nodes[child].op == "dot":
            n = len(edges) // 2
            edges = [e for pair in zip(edges[:n], edges[n : 2 * n]) for e in pair] + edges[2 * n :]
        out.extend(edges)
    return out


def _title(tr: Trace, grads: Sequence[float] | None, decimals: int) -> str:
    root = tr.nodes[-1]
    name = tr.name(len(tr.nodes) - 1)
    value = f"{name} = {format_fixed(root.data, decimals)}"
    if grads is None:
        return f"{value}   (no backward yet: gradients show as {NO_GRAD_MARK})"
    if grads[-1] == 1.0:
        return f"{value}   (gradients after backward: grad = ∂{name}/∂node)"
    # grad[root] != 1: the last backward started at a later output (or with another seed)
    return f"{value}   (gradients as the last backward left them; grad[{name}] = {format_fixed(grads[-1], decimals)})"


def _notes(grads: Sequence[float] | None, style: Style, largest: float, has_constants: bool, decimals: int,
           has_units: bool, has_marks: bool = False) -> list[str]:
    notes = ["box: name | data | grad"]
    if has_units:
        notes += ["table: one neuron (L0.N1: layer 0, neuron 1),",
                  "  rows w_i (L0.N1.w0 ..), b, v = w·x + b, y = φ(v)",
                  "  φ'(v): the local derivative ∂y/∂v",
                  "edge into row w_i: input i, times w_i",
                  "  (∂v/∂input_i = w_i, ∂v/∂w_i = input_i)"]
    if style.show_local_grads:
        notes += ["edge number: local derivative", "  ∂(op result)/∂(operand)", "backward: grad[operand] += edge × grad[result]"]
    if has_constants:
        notes.append("dashed edge: a constant (no gradient flows)")
    if grads is None:
        notes.append(f"no backward yet: gradients show as {NO_GRAD_MARK}")
    elif style.color == "grad":
        notes.append(f"max |grad| = {format_fixed(largest, decimals)}")
    notes.append(f"numbers rounded to {decimals} decimals (tiny: 1.2e-05)")
    if has_marks:
        notes.append(f"{APPROX_MARK}: by hand, the shown operands miss it by rounding")
    return notes


def _emit_nodes(graph: graphviz.Digraph, statements: dict[tuple[int, int] | None, list[tuple[str, dict[str, str]]]]) -> None:
    """Nodes outside any layer first, then one cluster per layer (``group="layer"``)."""
    for name, attrs in statements.get(None, []):
        graph.node(name, **attrs)
    for key in sorted(k for k in statements if k is not None):
        with graph.subgraph(name=f"cluster_L{key[0]}") as cluster:
            cluster.attr(label=f"layer {key[0]}", labeljust="l", style="rounded", color="#999999", fontcolor="#666666")
            for name, attrs in statements[key]:
                cluster.node(name, **attrs)


def _emit_units(graph: graphviz.Digraph, tr: Trace, units: list[Unit], shown: list[float | None], decimals: int,
                fill: Callable[[int], str], legend: tuple[list[tuple[str, str]], list[str]] | None,
                parts: dict[int, list[float]], cell_ids: bool,
                marks: tuple[set[int], set[int]] = (set(), set())) -> None:
    """Each neuron as one table (rows w_i, b, v, φ'(v), y), the neurons of a layer in one column,
    in index order (invisible edges in a rank=same group keep the order)."""
    root = len(tr.nodes) - 1
    root_in_table = any(root in unit.members for unit in units)
    for layer, members in itertools.groupby(units, key=lambda u: u.layer):
        members = list(members)
        with graph.subgraph() as column:
            column.attr(rank="same")
            head = f"layer{layer}"
            activations = sorted({tr.nodes[u.activation].op for u in members if u.activation is not None}) or ["linear"]
            column.node(head, label=plain_label(f"layer {layer}\n{', '.join(activations)}"), shape="plaintext",
                        fontsize="11", fontcolor="#555555")
            chain = [head]
            for unit in members:
                label = _unit_table(tr, unit, shown, decimals, fill, parts, cell_ids, marks)
                column.node(f"u{unit.dot}", label=label, shape="plain", fontsize="10")
                chain.append(f"u{unit.dot}")
            if legend and root_in_table and layer == units[-1].layer:  # under the last layer
                add_legend(column, *legend)
                chain.append("legend")
            for above, below in zip(chain, chain[1:]):
                column.edge(above, below, style="invis")
    if legend and not root_in_table:  # beside the root (a loss): its rank is short, the layers' tall
        with graph.subgraph() as column:
            column.attr(rank="same")
            column.node(f"v{root}")
            add_legend(column, *legend, width=LEGEND_WIDTH)


def _unit_table(tr: Trace, unit: Unit, shown: list[float | None], decimals: int,
                fill: Callable[[int], str], parts: dict[int, list[float]], cell_ids: bool,
                marks: tuple[set[int], set[int]] = (set(), set())) -> str:
    def short(name: str) -> str:
        return name[len(unit.prefix):] if unit.prefix and name.startswith(unit.prefix) else name

    def row(i: int, name: str) -> str:
        node = tr.nodes[i]
        grad = _mark(i, marks[1]) + grad_text(node, shown[i], decimals).removeprefix("grad ")
        cells = (name, _mark(i, marks[0]) + format_fixed(node.data, decimals), grad)
        bg = f' BGCOLOR="{fill(i)}"'
        # Graphviz writes a cell's ID into the SVG only when the cell has an HREF
        ids = [f' ID="{c}{i}" HREF="#{c}{i}"' if cell_ids else "" for c in "rdg"]
        more = f"<BR/>{html.escape(parts_text(parts[i], decimals))}" if i in parts else ""
        return (f'<TR><TD PORT="i{i}" ALIGN="LEFT"{bg}{ids[0]}>{html.escape(cells[0])}</TD>'
                f'<TD{bg}{ids[1]}>{html.escape(cells[1])}</TD>'
                f'<TD PORT="o{i}"{bg}{ids[2]}>{html.escape(cells[2])}{more}</TD></TR>')

    kind = "linear" if unit.activation is None else op_text(tr.nodes[unit.activation], ", ")
    head = f' ID="h{unit.dot}" HREF="#h{unit.dot}" TITLE="click: unfold"' if cell_ids else ""
    title = html.escape(unit.prefix.rstrip(".") or "neuron")
    rows = [f'<TR><TD ALIGN="LEFT" BGCOLOR="#f3f3f3"{head}><B>{title}</B> '
            f'{html.escape(kind)}</TD><TD BGCOLOR="#f3f3f3"><FONT COLOR="#555555">data</FONT></TD>'
            f'<TD BGCOLOR="#f3f3f3"><FONT COLOR="#555555">grad</FONT></TD></TR>']
    rows += [row(w, short(tr.name(w))) for w in unit.weights]
    if unit.bias is not None:
        rows.append(row(unit.bias, short(tr.name(unit.bias))))
    rows.append(row(unit.dot, f"{short(tr.name(unit.dot))} = w·x + b"))
    if unit.activation is not None:
        (edge,) = [e for e in tr.edges if e.child == unit.activation]
        formula = local_formula(tr, edge, short)
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="3">φ\'({html.escape(short(tr.name(unit.dot)))}) = {html.escape(formula)}'
                    f" = {format_fixed(edge.local_grad, decimals)}</TD></TR>")
        act = tr.nodes[unit.activation]
        symbol = OPS[act.op].symbol if act.op in OPS else act.op
        rows.append(row(unit.activation, f"{short(tr.name(unit.activation))} = {symbol}({short(tr.name(unit.dot))})"))
    border = "2" if len(tr.nodes) - 1 in unit.members else "0"  # the root's table, as the root's box
    return f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}</TABLE>>'


def _mark(i: int, marked: set[int]) -> str:
    return APPROX_MARK if i in marked else ""


def _shows_formula(node: Value) -> bool:
    """Whether an edge into ``node`` carries its formula: a function's (tanh, a user's op) does;
    arithmetic's partner (∂(a·b)/∂a = b) is in the picture already."""
    op = OPS.get(node.op)
    return op is not None and op.arity == 1 and bool(op.formula) and node.op not in ("neg", "abs")


def _check_options(format: Any, color: Any, rankdir: Any, show_local_grads: Any) -> None:  # noqa: A002
    if not isinstance(show_local_grads, bool):  # "no" would be truthy and draw the numbers
        raise TypeError(f"draw_graph: show_local_grads must be True or False, got {show_local_grads!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"draw_graph: format must be a Graphviz output format such as 'svg' or 'png', got {format!r}")
    if color not in _COLORINGS:
        raise ValueError(f"draw_graph: color must be one of {_COLORINGS}, got {color!r}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")


def layout_edges(tr: Trace) -> int:
    """How many edge pieces Graphviz lays out for the picture of ``tr``: an edge that skips ranks
    is routed through one invisible node per rank, so it counts once per rank it spans. This, not
    the node count, is what makes ``dot`` slow: ``x + x + ... + x`` (60 terms, 60 values) has
    about 3,600 pieces and takes dot minutes; a 500-value network about 1,200 and a second.

    Ranks as ``dot`` chooses them, closely enough: a value one past its deepest operand, a leaf
    just before its first user, and an op node (a rank of its own) between operands and result.
    """
    depth = [0] * len(tr.nodes)
    for edge in tr.edges:  # in topological order of the child: operands are final when read
        depth[edge.child] = max(depth[edge.child], depth[edge.parent] + 1)
    first_use: dict[int, int] = {}
    for edge in tr.edges:
        if not tr.nodes[edge.parent].parents:
            first_use[edge.parent] = min(first_use.get(edge.parent, depth[edge.child]), depth[edge.child])
    for leaf, use in first_use.items():
        depth[leaf] = use - 1
    # value -> op node of the child spans 2 ranks per level less one; each op -> its result, one
    into_ops = sum(2 * (depth[edge.child] - depth[edge.parent]) - 1 for edge in tr.edges)
    return into_ops + sum(1 for node in tr.nodes if node.parents)


def check_size(tr: Trace, max_nodes: Any, what: str, option: str = "max_nodes=", advice: str = "",
               max_edges: Any = None, edge_option: str = "max_edges=") -> None:
    """Refuse a graph of more than ``max_nodes`` values, or whose layout has more than
    ``max_edges`` edge pieces (:func:`layout_edges`), saying what to draw instead.

    Args:
        tr: the graph.
        max_nodes: the limit (a positive int), or None for none.
        what: who refuses, first in the message (``"draw_graph"``).
        option: how the caller's user raises the limit (``"max_nodes="``, ``"--max-nodes "``).
        advice: the caller's own suggestions, put before the common ones.
        max_edges: the limit on edge pieces (a positive int); None for ``EDGES_PER_NODE`` times
            ``max_nodes`` (no limit when that is None too).
        edge_option: how the caller's user raises ``max_edges``.
    """
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1):
        raise ValueError(f"{what}: max_nodes must be a positive int or None, got {max_nodes!r}")
    if max_edges is not None and (not isinstance(max_edges, int) or isinstance(max_edges, bool) or max_edges < 1):
        raise ValueError(f"{what}: max_edges must be a positive int or None, got {max_edges!r}")
    n = len(tr.nodes)
    instead = "draw a smaller part (one neuron's output, the loss of one sample)"
    if max_nodes is not None and n > max_nodes:
        raise ValueError(
            f"{what}: the graph has {n} nodes, more than {option}{max_nodes}, too many to read in "
            f"one picture. Instead: {advice}{instead}; or pass {option}{n} to draw it anyway"
        )
    if max_edges is None and max_nodes is not None:
        max_edges = EDGES_PER_NODE * max_nodes
    if max_edges is not None and (pieces := layout_edges(tr)) > max_edges:
        raise ValueError(
            f"{what}: the picture's edges span {pieces} ranks in all (an edge counts once per rank "
            f"it crosses), more than {edge_option}{max_edges}, which Graphviz may take minutes to lay "
            f"out (a value used far from where it is made, as x in x + x + ... + x, spans many). "
            f"Instead: {instead}; or pass {edge_option}{pieces} to draw it anyway"
        )


def draw_graph(
    root: Value | Trace,
    format: str = "svg",  # noqa: A002 - micrograd's draw_dot(root, format='svg', rankdir='LR')
    rankdir: str = "LR",
    *,
    show_local_grads: bool = True,
    color: str = "role",
    params: Any = None,
    fold: str | None = "auto",
    unfold: Sequence[str] = (),
    group: str | None = _UNSET,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    max_edges: int | None = None,
) -> graphviz.Digraph:
    """Draw the graph that computed ``root``: every value, every op, every local derivative.

    Each value is a box ``name | data | grad`` (its label, else the name ``viz.trace`` gives it:
    ``x1*w1``, ``L0.N1.v``, ``n7``, the same in ``explain`` and the step-through page); each op is
    an ellipse with its symbol (and attributes such as a slope); each edge into an op carries the
    local derivative ∂(op result)/∂(operand), so backward's ``grad[operand] += edge × grad[result]``
    can be read off the picture. Every number has the same number of decimals (4, or more when
    needed for the sums of the picture to add up by hand to the last digit; tiny ones in scientific
    notation); a value or gradient that its shown operands still miss by rounding is marked ``≈``
    (the legend says so). Before any backward from ``root`` the gradients show as ``—`` and the title says
    so. A legend is drawn inside the picture.

    Takes micrograd's call ``draw_dot(root, format='svg', rankdir='LR')`` as it is.

    Args:
        root: the output Value, or its ``viz.trace`` when the caller has one.
        format: the format ``graph.render(name)`` writes (``name.svg`` by default), as in micrograd.
        rankdir: Graphviz direction, ``"LR"`` (left to right) by default, ``"TB"``, ``"RL"``, ``"BT"``.
        show_local_grads: False gives micrograd's plain look (no numbers on edges).
        color: ``"role"`` fills by role (input, parameter, constant, output), ``"grad"`` by the
            sign and size of each gradient (red positive, blue negative, darker when larger).
        params: the parameters (Values, or a model with ``.parameters()``); by default the
            weights and biases of ``dot`` nodes (every neuron of ``nn``) are. Roles never come
            from names: another leaf that requires grad is an input, one that does not a constant.
        fold: what to draw as one box. ``"neuron"``: each neuron of ``nn`` (parameters
            labelled ``L{l}.N{n}.w{i}``) as one table (its weights in index order, bias, v,
            φ'(v), y), a column per layer, the input i entering the row of w_i. ``"layer"``: each
            layer as one box (width, activation, the norms of its gradients), with the inputs
            and the loss as one box each. ``"sample"``: a batch's first sample drawn for all
            (its neurons as tables), each parameter's gradient shown as the sum of its
            per-sample parts with the largest named. None: every scalar. ``"auto"`` (default):
            the most detailed that fits one screen (None without nn's neurons; then neuron; for a
            batch, sample; then layer). The title says which. The numbers are the same floats.
        unfold: names of neurons (``"L0.N1"``) to draw as scalars inside a neuron or sample
            fold: the way to open a folded box in Jupyter, where a picture cannot be clicked.
        group: deprecated: ``"neuron"`` is ``fold="neuron"``, None is ``fold=None``; ``"layer"``
            draws every node, boxed by layer.
        max_nodes: refuse (ValueError, saying what to do instead) beyond this many values
            drawn one by one (``fold=None`` or ``"neuron"``); None for no limit.
        max_edges: refuse beyond this many edge pieces in the layout (an edge counts once per
            rank it spans, see ``layout_edges``); None for 3 per allowed node (none when
            ``max_nodes`` is None).

    Returns:
        A ``graphviz.Digraph`` (it displays inline in Jupyter; write it with ``viz.render``, or
        with its own ``.render(name)``).
    """
    _check_options(format, color, rankdir, show_local_grads)
    fold, clusters = _fold_option(fold, group)
    tr = root if isinstance(root, Trace) else trace(root)
    units = find_units(tr) if fold in ("auto", "sample") else []
    if fold == "auto":
        fold = choose_fold(tr, units, batch_of(samples_of(tr)))
    unfolded = _unfold_option(unfold, units or find_units(tr))
    if fold in (None, "neuron"):
        check_size(tr, max_nodes, "draw_graph", advice=_BIG_GRAPH_ADVICE, max_edges=max_edges)
    params_set = as_parameter_set(params)
    chosen = None if params_set is None else frozenset(params_set)
    style = Style(show_local_grads, color, chosen, fold, rankdir, clusters=clusters,
                  unfold=unfolded)
    grads = [node.grad for node in tr.nodes] if backward_has_run(tr) else None
    graph = build_graph(tr, grads, style)
    graph.format = format
    return graph


def _fold_option(fold: Any, group: Any) -> tuple[str | None, bool]:
    """``fold`` checked, with the deprecated ``group`` turned into it: (fold, boxes by layer)."""
    if group is not _UNSET:
        if fold != "auto":
            raise ValueError("draw_graph: pass fold= or the deprecated group=, not both "
                             f"(fold={fold!r}, group={group!r})")
        if group not in _GROUPINGS:
            raise ValueError(f"draw_graph: group must be one of {_GROUPINGS}, got {group!r}")
        warnings.warn("draw_graph: group= is deprecated: use fold='neuron' or fold=None "
                      "(group='layer' boxes every node by layer; fold='layer' draws a layer as "
                      "one box)",
                      DeprecationWarning, stacklevel=3)
        return ("neuron" if group == "neuron" else None), group == "layer"
    if fold != "auto" and fold not in FOLDS:
        raise ValueError(f"draw_graph: fold must be 'auto' or one of {FOLDS}, got {fold!r}")
    return fold, False


def _unfold_option(unfold: Any, units: Sequence[Unit]) -> frozenset[str]:
    """``unfold`` checked against the graph's neurons: a frozenset of names like ``L0.N1``."""
    if isinstance(unfold, str) or not isinstance(unfold, (list, tuple, set, frozenset)):
        raise TypeError("draw_graph: unfold must be a list of neuron names such as ['L0.N1'], "
                        f"got {unfold!r}")
    known = {u.prefix.rstrip(".") for u in units}
    for name in unfold:
        if name not in known:
            some = ", ".join(sorted(known)[:6]) + (", ..." if len(known) > 6 else "")
            raise ValueError(f"draw_graph: unfold names {name!r}, which is not a neuron of this "
                             f"graph (its neurons: {some or 'none'})")
    return frozenset(unfold)


draw_dot = draw_graph  # micrograd's name
