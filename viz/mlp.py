"""The network diagram of an MLP: units in columns, one edge per weight, each unit's v, y and δ."""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import graphviz
import numpy as np

import autograd
from autograd import OPS, Value, validate
from autograd.format import Check, choose_decimals, format_fixed

from .escape import plain_label
from .formulas import derivative_text
from .style import ROLE_COLORS, add_legend
from .tracing import shown_label

__all__ = ["draw_mlp", "EDGE_LABEL_LIMIT"]

EDGE_LABEL_LIMIT = 40  # more weights than this: values go to hover tooltips, not edge labels
_POSITIVE, _NEGATIVE = "#c0392b", "#2e6fb5"
_FADED = "a0"  # alpha for edges of big nets, so that crossings stay legible


@dataclass(frozen=True)
class _Pass:
    """One sample through the network: per layer the vs and ys, and the gradients of J."""

    vs: list[list[float]]
    ys: list[list[float]]
    phis: list[list[float | None]]  # φ'(v) as the engine recorded it (None for softmax)
    deltas: list[list[float]] | None  # δ = −∂J/∂v, None without a target
    grads: dict[Value, float] | None  # ∂J/∂parameter, None without a target


def _layers(model: Any) -> list[Any]:
    layers = getattr(model, "layers", None)
    if not isinstance(layers, Sequence) or not layers:
        raise TypeError(f"draw_mlp: model must be an nn.MLP (with a non-empty .layers), got {type(model).__name__}")
    for k, layer in enumerate(layers):
        neurons = getattr(layer, "neurons", None)
        if not neurons:
            raise TypeError(f"draw_mlp: model.layers[{k}] has no .neurons")
        for n, neuron in enumerate(neurons):
            weights = getattr(neuron, "w", None)
            if not (weights and isinstance(getattr(neuron, "b", None), Value) and all(isinstance(w, Value) for w in weights)):
                raise TypeError(f"draw_mlp: model.layers[{k}].neurons[{n}] has no Value weights .w and bias .b")
        if not callable(getattr(layer, "_forward", None)):
            raise TypeError(f"draw_mlp: model.layers[{k}] is not an nn.Layer (no forward pass to draw a sample with)")
    return list(layers)


def _numbers(values: Any, count: int, name: str) -> list[float]:
    row = values.tolist() if isinstance(values, np.ndarray) else values  # a row of nn.data's arrays
    row = validate.items([row] if isinstance(row, numbers.Real) else row, name, "a number or a list of numbers")
    if len(row) != count:
        raise ValueError(f"draw_mlp: {name} must have {count} number(s), got {len(row)}: {values!r}")
    return [validate.finite(v, f"{name}[{i}]") for i, v in enumerate(row)]


def _forward(layers: list[Any], x: list[float], target: list[float] | None) -> _Pass:
    vs_nodes, ys_nodes = [], []
    current = [Value(a, "", False) for a in x]  # the checked sample as constants, as Layer.forward makes them
    for layer in layers:
        vs, ys = layer._forward(current)  # draw_mlp checked x: no second check per layer
        vs_nodes.append(vs)
        ys_nodes.append(ys)
        current = ys
    vs = [[v.data for v in column] for column in vs_nodes]
    ys = [[y.data for y in column] for column in ys_nodes]
    phis = [[1.0 if y is v else y.local_grads[0] if y.parents == (v,) else None for v, y in zip(vc, yc)]
            for vc, yc in zip(vs_nodes, ys_nodes)]
    if target is None:
        return _Pass(vs, ys, phis, None, None)
    loss = 0.5 * autograd.sum([(t - y) ** 2 for t, y in zip(target, ys_nodes[-1])])
    params = [p for layer in layers for neuron in layer.neurons for p in (*neuron.w, neuron.b)]
    flat_vs = [v for column in vs_nodes for v in column]
    # autograd.grad leaves every .grad untouched: drawing must not change the model.
    grads = autograd.grad(loss, params + flat_vs)
    by_param = dict(zip(params, grads[: len(params)]))
    dj_dv = iter(grads[len(params) :])
    deltas = [[0.0 - next(dj_dv) for _ in column] for column in vs_nodes]  # 0.0 - g: no "-0.0"
    return _Pass(vs, ys, phis, deltas, by_param)


def _unit_rows(name: str, activation: str, neuron: Any, grads: dict[Value, float] | None, k: int, n: int,
               sample: _Pass | None, target: list[float] | None, sources: list[str] | None, num: Callable[[float], str]) -> list[tuple[str, str, str, str]]:
    """A unit's rows as (port, name, value, gradient): its weights (with ``sources``, the inputs
    they multiply, when edges enter their rows), bias, then v, φ'(v), y, δ for a sample."""
    def grad(p: Value) -> str:
        return "g —" if grads is None else f"g {num(grads[p])}"

    rows = [("", f"{name} ({activation})", "", "")]
    if sources is not None:
        rows += [(f"w{i}", f"w{i} ← {source}", num(w.data), grad(w)) for i, (w, source) in enumerate(zip(neuron.w, sources))]
    rows.append(("", "b", num(neuron.b.data), grad(neuron.b)))
    if sample is not None:
        rows.append(("", "v = w·x + b", num(sample.vs[k][n]), ""))
        phi = sample.phis[k][n]
        if phi is not None:
            rows.append(("", f"φ'(v) = {derivative_text(activation)}", num(phi), ""))
        symbol = "v" if activation == "linear" else f"{OPS[activation].symbol if activation in OPS else activation}(v)"
        rows.append(("y", f"y = {symbol}", num(sample.ys[k][n]), ""))
        if sample.deltas is not None:
            rows.append(("", "δ = −∂J/∂v", num(sample.deltas[k][n]), ""))
        if target is not None and k == len(sample.ys) - 1:
            rows += [("", "t", num(target[n]), ""), ("", "e = t − y", num(target[n] - sample.ys[k][n]), "")]
    return rows


def _table(rows: list[tuple[str, str, str, str]], fill: str) -> str:
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


def _hand_checks(layers: list[Any], xs: list[float], sample: _Pass, target: list[float] | None) -> list[Check]:
    """The sums a reader redoes on the diagram: v = Σ w·y_in + b, ∂J/∂w = −δ·y_in, e = t − y, δ = e·φ'."""
    checks: list[Check] = []
    inputs = xs
    for k, layer in enumerate(layers):
        for n, neuron in enumerate(layer.neurons):
            checks.append(([(w.data, y) for w, y in zip(neuron.w, inputs)] + [(neuron.b.data, 1.0)], sample.vs[k][n]))
            if sample.grads is not None:
                checks += [([(-sample.deltas[k][n], y)], sample.grads[w]) for w, y in zip(neuron.w, inputs)]
        inputs = sample.ys[k]
    if target is not None and sample.deltas is not None:
        for n, (t, y) in enumerate(zip(target, sample.ys[-1])):
            checks.append(([(t, 1.0), (y, -1.0)], t - y))
            if sample.phis[-1][n] is not None:
                checks.append(([(t - y, sample.phis[-1][n])], sample.deltas[-1][n]))
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
    gradients are those of J = ½ Σ (t − y)² for this one sample (computed with ``autograd.grad``,
    so the model's ``.grad`` is left alone) and each unit shows φ'(v) and δ = −∂J/∂v, the local
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
    layers = _layers(model)
    if edge_labels is not None:
        validate.flag(edge_labels, "draw_mlp: edge_labels")
    nin = len(layers[0].neurons[0].w)
    if target is not None and x is None:
        raise ValueError("draw_mlp: target needs an input x (the δs and gradients are for one sample)")
    xs = None if x is None else _numbers(x, nin, "x")
    ts = None if target is None else _numbers(target, len(layers[-1].neurons), "target")
    with autograd.enable_grad():  # the δs need the graph, even when drawing inside no_grad
        sample = None if xs is None else _forward(layers, xs, ts)
    params = [p for layer in layers for neuron in layer.neurons for p in (*neuron.w, neuron.b)]
    if sample is not None and sample.grads is not None:
        grads: dict[Value, float] | None = sample.grads
        source = "g = ∂J/∂w for this sample, J = ½Σ(t − y)²"
    elif any(p.grad != 0 for p in params):
        grads = {p: p.grad for p in params}
        source = "g = the parameter's .grad (from your last backward)"
    else:
        grads, source = None, "g: no backward yet"
    weights = sum(len(layer.neurons) * len(layer.neurons[0].w) for layer in layers)
    labelled = weights <= EDGE_LABEL_LIMIT if edge_labels is None else edge_labels
    largest = max((abs(w.data) for layer in layers for neuron in layer.neurons for w in neuron.w), default=0.0) or 1.0

    decimals = choose_decimals(_hand_checks(layers, xs, sample, ts)) if sample is not None else 4

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
            rows = _unit_rows(names[n], layer.activation, neuron, grads, k, n, sample, ts, columns[k] if labelled else None, num)
            tooltip = "\n".join(" ".join(part for part in row[1:] if part) for row in rows)
            units.append((names[n], {"label": _table(rows, fill), "tooltip": plain_label(tooltip)}))
        _column(graph, f"layer{k}", f"layer {k}\n{layer.activation}", units)
        for n, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                g = None if grads is None else grads[w]
                text = f"{shown_label(w.label) or f'{names[n]}.w{i}'} = {num(w.data)}, g = {'—' if g is None else num(g)}"
                color = _POSITIVE if w.data >= 0 else _NEGATIVE
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
        "edge: one weight; red w > 0, blue w < 0, thicker = larger |w|",
        "an edge enters the row of its weight" if labelled else "hover an edge (SVG) for its weight and gradient",
        source,
    ]
    if ts is not None:
        notes.append("δ = −∂J/∂v, the local gradient of the delta rule (lecture notes on MLPs")
        notes.append("and error backpropagation): δ = e·φ'(v) at the output (t target, e = t − y),")
        notes.append("δ_j = φ'(v_j)·Σ_l δ_l·w_lj in a hidden layer; g = ∂J/∂w_ji = −δ_j·y_i")
    if xs is not None:
        notes.append(f"numbers rounded to {decimals} decimals (tiny: 1.2e-05)")
    add_legend(graph, [("input", ROLE_COLORS["input"]), ("hidden unit", ROLE_COLORS["interior"]), ("output unit", ROLE_COLORS["output"])], notes)
    return graph
