"""The network diagram of an MLP: units in columns, one edge per weight, each unit's v, y and δ."""

from __future__ import annotations

import html
from typing import Any, Callable

import graphviz

from autograd import OPS, Value, validate
from autograd.format import Check, choose_decimals, format_fixed

from nn import MLP, deltas

from .escape import plain_label
from .formulas import derivative_text
from .style import ROLE_COLORS, SIGN_COLORS, SIGN_LEGEND, add_legend
from .tracing import shown_label

__all__ = ["draw_mlp", "EDGE_LABEL_LIMIT"]

EDGE_LABEL_LIMIT = 40  # more weights than this: values go to hover tooltips, not edge labels
_FADED = "a0"  # alpha for edges of big nets, so that crossings stay legible


def _gradients(model: Any, point: deltas.Sample) -> dict[Value, float]:
    """∂J/∂p of the sample for every parameter p."""
    grads = {}
    for layer, units in zip(model.layers, point.layers):
        for neuron, unit in zip(layer.neurons, units):
            grads.update(zip(neuron.w, unit.grad_w))
            grads[neuron.b] = unit.grad_b
    return grads


Row = tuple[str, str, str, str]  # port, name, value, gradient


def _unit_rows(name: str, activation: str, neuron: Any, grads: dict[Value, float] | None,
               unit: deltas.SampleUnit | None, t: float | None, sources: list[str] | None,
               num: Callable[[float], str]) -> list[Row]:
    """A unit's rows as (port, name, value, gradient): its weights (with ``sources``, the inputs
    they multiply, when edges enter their rows), bias, then v, φ'(v), y, δ for a sample (``unit``)
    and, at the output, its target ``t`` and error."""
    def grad(p: Value) -> str:
        return "g —" if grads is None else f"g {num(grads[p])}"

    rows = [("", f"{name} ({activation})", "", "")]
    if sources is not None:
        rows += [(f"w{i}", f"w{i} ← {source}", num(w.data), grad(w)) for i, (w, source) in enumerate(zip(neuron.w, sources))]
    rows.append(("", "b", num(neuron.b.data), grad(neuron.b)))
    if unit is not None:
        rows.append(("", "v = w·x + b", num(unit.v), ""))
        if unit.dphi is not None:
            rows.append(("", f"φ'(v) = {derivative_text(activation)}", num(unit.dphi), ""))
        symbol = "v" if activation == "linear" else f"{OPS[activation].symbol if activation in OPS else activation}(v)"
        rows.append(("y", f"y = {symbol}", num(unit.y), ""))
        if unit.delta is not None:
            rows.append(("", "δ = −∂J/∂v", num(unit.delta), ""))
        if unit.e is not None:
            rows += [("", "t", num(t), ""), ("", "e = t − y", num(unit.e), "")]
    return rows


def _table(rows: list[Row], fill: str) -> str:
    """A unit as an HTML-like label: the first row (its name) in bold, then name | value | gradient.

    HTML labels, not records: Graphviz cannot order a column of records with invisible edges.
    """
    out = [f'<TR><TD COLSPAN="3"><B>{html.escape(rows[0][1])}</B></TD></TR>']
    for port, name, value, grad in rows[1:]:
        # edges enter a weight's row on its left (port on the first cell), leave y's on the right
        west = f' PORT="{port}"' if port and port != "y" else ""
        east = ' PORT="y"' if port == "y" else ""
        value_cell = f'<TD ALIGN="RIGHT">{html.escape(value)}</TD><TD ALIGN="RIGHT"{east}>{html.escape(grad)}</TD>' if grad else \
            f'<TD ALIGN="RIGHT" COLSPAN="2"{east}>{html.escape(value)}</TD>'
        out.append(f'<TR><TD ALIGN="LEFT"{west}>{html.escape(name)}</TD>{value_cell}</TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}">{"".join(out)}</TABLE>>'


def _hand_checks(model: Any, point: deltas.Sample) -> list[Check]:
    """The sums a reader redoes on the diagram: v = Σ w·y_in + b, ∂J/∂w = −δ·y_in, e = t − y, δ = e·φ'."""
    checks: list[Check] = []
    inputs = point.x
    for layer, units in zip(model.layers, point.layers):
        for neuron, unit in zip(layer.neurons, units):
            terms = [(w.data, y) for w, y in zip(neuron.w, inputs)] + [(neuron.b.data, 1.0)]
            checks.append((terms, unit.v))
            if unit.delta is not None:
                checks += [([(-unit.delta, y)], g) for g, y in zip(unit.grad_w, inputs)]
        inputs = [unit.y for unit in units]
    for t, unit in zip(point.t or (), point.layers[-1]):
        checks.append(([(t, 1.0), (unit.y, -1.0)], unit.e))
        if unit.dphi is not None:
            checks.append(([(unit.e, unit.dphi)], unit.delta))
    return checks


def _column(graph: graphviz.Digraph, key: str, header: str, units: list[tuple[str, dict[str, str]]]) -> None:
    """One column of the diagram: a header, then the units stacked in index order.

    Invisible edges in a rank=same group keep the order (Graphviz would otherwise reorder units to
    cut crossings); plain groups, not clusters, because dot does not keep that order in clusters.
    """
    with graph.subgraph() as column:
        column.attr(rank="same")
        column.node(key, label=plain_label(header), shape="plaintext", fontsize="11", fontcolor="#555555")
        for name, attrs in units:
            column.node(name, **attrs)
        chain = [key] + [name for name, _ in units]
        for above, below in zip(chain, chain[1:]):
            column.edge(above, below, style="invis")


def draw_mlp(model: Any, x: Any = None, target: Any = None, *, edge_labels: bool | None = None) -> graphviz.Digraph:
    """Draw an MLP as a network: inputs, then one column of units per layer, one edge per weight.

    Each edge is coloured by the weight's sign (red > 0, blue < 0) and thickened by its size. In
    small nets it enters its weight's row in the unit (``w0 ← x0``, value, gradient); in big nets
    its hover tooltip (SVG) gives the weight and its gradient. Each unit
    shows its bias and, when ``x`` is given, v = w·x + b and y = φ(v). With ``target``, the
    gradients are those of J = ½ Σ (t − y)² for this one sample (from ``nn.deltas.sample``: one
    ``autograd.grad``, so the model's ``.grad`` is left alone) and each unit shows φ'(v) and δ = −∂J/∂v, the local
    gradient of the delta rule (lecture notes on MLPs and error backpropagation), so that
    δ_j = φ'(v_j)·Σ_l δ_l·w_lj can be checked on the picture. Numbers have one number of decimals
    per picture, chosen so the sums (v = Σ w·y + b, ...) add up by hand. Without ``target`` the edges show each parameter's stored ``.grad`` (``—`` when
    no backward has run).

    Args:
        model: an ``nn.MLP`` (its ``layers[l].neurons[n].w/.b`` are drawn).
        x: one input sample (``nin`` numbers, a list or a NumPy row), or None to draw the weights only.
        target: the desired output (a number or ``nout`` numbers); needs ``x``.
        edge_labels: give each weight a row in its unit, entered by its edge; by default only when
            there are at most ``EDGE_LABEL_LIMIT`` weights (MLP(2, [16, 16, 1]) has 304: tooltips then).

    Returns:
        A ``graphviz.Digraph``.
    """
    if edge_labels is not None:
        validate.flag(edge_labels, "draw_mlp: edge_labels")
    if target is not None and x is None:
        raise ValueError("draw_mlp: target needs an input x (the δs and gradients are for one sample)")
    if x is None and not isinstance(model, MLP):  # with x, deltas.sample checks model, x and target
        raise TypeError(f"draw_mlp: model must be an nn.MLP, got {validate.shown(model)}")
    point = None if x is None else deltas.sample(model, x, target)  # J = ½Σ(t − y)², loss "sse"
    layers, nin = model.layers, model.nin
    xs = None if point is None else point.x
    params = model.parameters()
    if point is not None and point.J is not None:
        grads: dict[Value, float] | None = _gradients(model, point)
        source = "g = ∂J/∂w for this sample, J = ½Σ(t − y)²"
    elif any(p.grad != 0 for p in params):
        grads = {p: p.grad for p in params}
        source = "g = the parameter's .grad (from your last backward)"
    else:
        grads, source = None, "g: no backward yet"
    weights = sum(len(layer.neurons) * len(layer.neurons[0].w) for layer in layers)
    labelled = weights <= EDGE_LABEL_LIMIT if edge_labels is None else edge_labels
    largest = max((abs(w.data) for layer in layers for neuron in layer.neurons for w in neuron.w), default=0.0) or 1.0

    decimals = choose_decimals(_hand_checks(model, point)) if point is not None else 4

    def num(x: float) -> str:
        return format_fixed(x, decimals)

    graph = graphviz.Digraph("mlp")
    graph.attr(rankdir="LR", ranksep="1.0" if labelled else "2.2", nodesep="0.15", labelloc="t", fontname="Helvetica", fontsize="12")
    graph.attr("node", fontname="Helvetica", fontsize="10", shape="plain")
    graph.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.5")
    sizes = "-".join(str(n) for n in [nin] + [len(layer.neurons) for layer in layers])
    graph.attr(label=plain_label(f"MLP {sizes}" + ("" if xs is None else f" on x = [{', '.join(num(v) for v in xs)}]")))

    columns = [[f"x{i}" for i in range(nin)]]
    inputs = [(name, {"label": _table([("", name, "", "")] + ([] if xs is None else [("", "x", num(xs[i]), "")]), ROLE_COLORS["input"])})
              for i, name in enumerate(columns[0])]
    _column(graph, "inputs", "inputs", inputs)
    for k, layer in enumerate(layers):
        names = [f"L{k}.N{n}" for n in range(len(layer.neurons))]
        columns.append(names)
        fill = ROLE_COLORS["output"] if k == len(layers) - 1 else ROLE_COLORS["interior"]
        units = []
        for n, neuron in enumerate(layer.neurons):
            unit = None if point is None else point.layers[k][n]
            t = None if unit is None or unit.e is None else point.t[n]
            sources = columns[k] if labelled else None
            rows = _unit_rows(names[n], layer.activation, neuron, grads, unit, t, sources, num)
            tooltip = "\n".join(" ".join(part for part in row[1:] if part) for row in rows)
            units.append((names[n], {"label": _table(rows, fill), "tooltip": plain_label(tooltip)}))
        _column(graph, f"layer{k}", f"layer {k}\n{layer.activation}", units)
        for n, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                g = None if grads is None else grads[w]
                text = f"{shown_label(w.label) or f'{names[n]}.w{i}'} = {num(w.data)}, g = {'—' if g is None else num(g)}"
                color = SIGN_COLORS[1 if w.data >= 0 else -1]
                attrs = {
                    "color": color if labelled else color + _FADED,
                    "penwidth": f"{0.4 + (2.6 if labelled else 1.4) * abs(w.data) / largest:.2f}",
                    "tooltip": plain_label(text),
                }
                # Small nets: the edge enters the row of its weight (name, value, gradient), so no
                # label has to be matched to its edge where edges cross.
                head = f"{names[n]}:w{i}:w" if labelled else names[n]
                tail = f"{columns[k][i]}:y:e" if labelled and k > 0 and xs is not None else columns[k][i]
                graph.edge(tail, head, **attrs)

    notes = [
        "unit: name (activation); weights w_i ← input i and bias b, with value and gradient g"
        + ("; v = w·input + b, φ'(v), y = φ(v)" if xs is not None else ""),
        f"edge: one weight; {SIGN_LEGEND}, thicker = larger |w|",
        "an edge enters the row of its weight" if labelled else "hover an edge (SVG) for its weight and gradient",
        source,
    ]
    if point is not None and point.t is not None:
        notes.append("δ = −∂J/∂v, the local gradient of the delta rule (lecture notes on MLPs")
        notes.append("and error backpropagation): δ = e·φ'(v) at the output (t target, e = t − y),")
        notes.append("δ_j = φ'(v_j)·Σ_l δ_l·w_lj in a hidden layer; g = ∂J/∂w_ji = −δ_j·y_i")
    if xs is not None:
        notes.append(f"numbers rounded to {decimals} decimals (tiny: 1.2e-05)")
    add_legend(graph, [("input", ROLE_COLORS["input"]), ("hidden unit", ROLE_COLORS["interior"]), ("output unit", ROLE_COLORS["output"])], notes)
    return graph
