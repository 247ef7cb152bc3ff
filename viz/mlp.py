"""The network diagram of an MLP: units in columns, one edge per weight, each unit's v, y and δ."""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import graphviz
import numpy as np

import autograd
from autograd import Value
from autograd.format import format_number

from .escape import plain_label
from .style import ROLE_COLORS, add_legend

__all__ = ["draw_mlp", "EDGE_LABEL_LIMIT"]

EDGE_LABEL_LIMIT = 40  # more weights than this: values go to hover tooltips, not edge labels
_POSITIVE, _NEGATIVE = "#c0392b", "#2e6fb5"
_FADED = "a0"  # alpha for edges of big nets, so that crossings stay legible


@dataclass(frozen=True)
class _Pass:
    """One sample through the network: per layer the vs and ys, and the gradients of J."""

    vs: list[list[float]]
    ys: list[list[float]]
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
    return list(layers)


def _numbers(values: Any, count: int, name: str) -> list[float]:
    items = values.tolist() if isinstance(values, np.ndarray) else values  # a row of nn.data's arrays
    items = [items] if isinstance(items, numbers.Real) else items
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise TypeError(f"draw_mlp: {name} must be a number or a list of numbers, got {type(values).__name__}")
    if len(items) != count:
        raise ValueError(f"draw_mlp: {name} must have {count} number(s), got {len(items)}: {values!r}")
    out = []
    for i, v in enumerate(items):
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError(f"draw_mlp: {name}[{i}] must be a finite number, got {v!r}")
        out.append(float(v))
    return out


def _forward(layers: list[Any], x: list[float], target: list[float] | None) -> _Pass:
    vs_nodes, ys_nodes, current = [], [], list(x)
    for layer in layers:
        vs, ys = layer.forward(current)
        vs_nodes.append(vs)
        ys_nodes.append(ys)
        current = ys
    vs = [[v.data for v in column] for column in vs_nodes]
    ys = [[y.data for y in column] for column in ys_nodes]
    if target is None:
        return _Pass(vs, ys, None, None)
    loss = 0.5 * autograd.sum([(t - y) ** 2 for t, y in zip(target, ys_nodes[-1])])
    params = [p for layer in layers for neuron in layer.neurons for p in (*neuron.w, neuron.b)]
    flat_vs = [v for column in vs_nodes for v in column]
    # autograd.grad leaves every .grad untouched: drawing must not change the model.
    grads = autograd.grad(loss, params + flat_vs)
    by_param = dict(zip(params, grads[: len(params)]))
    dj_dv = iter(grads[len(params) :])
    deltas = [[0.0 - next(dj_dv) for _ in column] for column in vs_nodes]  # 0.0 - g: no "-0.0"
    return _Pass(vs, ys, deltas, by_param)


def _unit_fields(name: str, activation: str, bias: Value, bias_grad: float | None, k: int, n: int,
                 sample: _Pass | None, target: list[float] | None) -> list[str]:
    grad = "—" if bias_grad is None else format_number(bias_grad)
    fields = [f"{name} ({activation})", f"b = {format_number(bias.data)}, g = {grad}"]
    if sample is not None:
        fields += [f"v = {format_number(sample.vs[k][n])}", f"y = {format_number(sample.ys[k][n])}"]
        if sample.deltas is not None:
            fields.append(f"δ = {format_number(sample.deltas[k][n])}")
        if target is not None and k == len(sample.ys) - 1:
            fields += [f"t = {format_number(target[n])}", f"e = t − y = {format_number(target[n] - sample.ys[k][n])}"]
    return fields


def _table(fields: list[str], fill: str) -> str:
    """A unit as an HTML-like label: one cell per field, the first (its name) in bold.

    HTML labels, not records: Graphviz cannot order a column of records with invisible edges.
    """
    cells = [f"<B>{html.escape(fields[0])}</B>"] + [html.escape(f) for f in fields[1:]]
    rows = "".join(f"<TR><TD>{cell}</TD></TR>" for cell in cells)
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}">{rows}</TABLE>>'


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

    Each edge is coloured by the weight's sign (red > 0, blue < 0) and thickened by its size; its
    label (small nets) or hover tooltip (SVG, big nets) gives the weight and its gradient. Each unit
    shows its bias and, when ``x`` is given, v = w·x + b and y = φ(v). With ``target``, the
    gradients are those of J = ½ Σ (t − y)² for this one sample (computed with ``autograd.grad``,
    so the model's ``.grad`` is left alone) and each unit shows δ = −∂J/∂v, the lecture's local
    gradient. Without ``target`` the edges show each parameter's stored ``.grad`` (``—`` when
    no backward has run).

    Args:
        model: an ``nn.MLP`` (anything with ``layers[l].neurons[n].w/.b`` and ``layer.forward``).
        x: one input sample (``nin`` numbers, a list or a NumPy row), or None to draw the weights only.
        target: the desired output (a number or ``nout`` numbers); needs ``x``.
        edge_labels: write weights on the edges; by default only when there are at most
            ``EDGE_LABEL_LIMIT`` of them (MLP(2, [16, 16, 1]) has 304: tooltips then).

    Returns:
        A ``graphviz.Digraph``.
    """
    layers = _layers(model)
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
    labelled = weights <= EDGE_LABEL_LIMIT if edge_labels is None else bool(edge_labels)
    largest = max((abs(w.data) for layer in layers for neuron in layer.neurons for w in neuron.w), default=0.0) or 1.0

    graph = graphviz.Digraph("mlp")
    graph.attr(rankdir="LR", ranksep="1.6" if labelled else "2.2", nodesep="0.15", labelloc="t", fontname="Helvetica", fontsize="12")
    graph.attr("node", fontname="Helvetica", fontsize="10", shape="plain")
    graph.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.5")
    sizes = "-".join(str(n) for n in [nin] + [len(layer.neurons) for layer in layers])
    graph.attr(label=plain_label(f"MLP {sizes}" + ("" if xs is None else f" on x = {[format_number(v) for v in xs]}".replace("'", ""))))

    columns = [[f"x{i}" for i in range(nin)]]
    inputs = [(name, {"label": _table([name] if xs is None else [name, format_number(xs[i])], ROLE_COLORS["input"])})
              for i, name in enumerate(columns[0])]
    _column(graph, "inputs", "inputs", inputs)
    for k, layer in enumerate(layers):
        names = [f"L{k}.N{n}" for n in range(len(layer.neurons))]
        columns.append(names)
        fill = ROLE_COLORS["output"] if k == len(layers) - 1 else ROLE_COLORS["interior"]
        units = []
        for n, neuron in enumerate(layer.neurons):
            bias_grad = None if grads is None else grads[neuron.b]
            fields = _unit_fields(names[n], layer.activation, neuron.b, bias_grad, k, n, sample, ts)
            units.append((names[n], {"label": _table(fields, fill), "tooltip": plain_label("\n".join(fields))}))
        _column(graph, f"layer{k}", f"layer {k}\n{layer.activation}", units)
        for n, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                g = None if grads is None else grads[w]
                text = f"{w.label or f'{names[n]}.w{i}'} = {format_number(w.data)}, g = {'—' if g is None else format_number(g)}"
                color = _POSITIVE if w.data >= 0 else _NEGATIVE
                attrs = {
                    "color": color if labelled else color + _FADED,
                    "penwidth": f"{0.4 + (2.6 if labelled else 1.4) * abs(w.data) / largest:.2f}",
                    "tooltip": plain_label(text),
                }
                if labelled:  # decorate: a line ties the label to its edge
                    attrs.update(label=plain_label(f"w = {format_number(w.data)}\ng = {'—' if g is None else format_number(g)}"),
                                 decorate="true", fontcolor=color)
                graph.edge(columns[k][i], names[n], **attrs)

    notes = [
        "unit: name (activation) | bias b and its gradient g" + (" | v = w·input + b | y = φ(v)" if xs is not None else ""),
        "edge: one weight; red w > 0, blue w < 0, thicker = larger |w|",
        "edge label: w value, g gradient" if labelled else "hover an edge (SVG) for its weight and gradient",
        source,
    ]
    if ts is not None:
        notes.append("δ = −∂J/∂v (the lecture's local gradient); t target, e = t − y")
    add_legend(graph, [("input", ROLE_COLORS["input"]), ("hidden unit", ROLE_COLORS["interior"]), ("output unit", ROLE_COLORS["output"])], notes)
    return graph
