"""draw_mlp: one edge per weight with value and gradient, each unit's v, y and δ (closed forms)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from .viz_testing import SVG_NS, dot_edges, dot_nodes, svg_of

from autograd import no_grad
from autograd.format import format_number
from nn import MLP
from viz import draw_mlp


def _tiny():
    """x → tanh unit (w 0.5, b 0.1) → linear unit (w -2, b 0.3): every number by hand below."""
    model = MLP(1, [1, 1], activation="tanh", output_activation="linear", seed=0)
    hidden, out = model.layers[0].neurons[0], model.layers[1].neurons[0]
    hidden.w[0].data, hidden.b.data = 0.5, 0.1
    out.w[0].data, out.b.data = -2.0, 0.3
    return model


def _cells(label: str) -> list[str]:
    return [cell.replace("<B>", "").replace("</B>", "") for cell in label.split("<TD>")[1:]]


def _cell_texts(label: str) -> list[str]:
    return [c.split("</TD>")[0] for c in _cells(label)]


def test_tiny_network_shows_hand_computed_v_y_delta_and_gradients():
    model = _tiny()
    x, t = 1.5, 1.0
    v_h = 0.5 * x + 0.1
    h = math.tanh(v_h)
    y = -2.0 * h + 0.3
    delta_out = (t - y) * 1.0  # linear output: φ' = 1
    delta_h = (1 - h * h) * -2.0 * delta_out
    source = draw_mlp(model, [x], target=t).source
    nodes = dot_nodes(source)
    hidden = _cell_texts(nodes['L0.N0']["label"])
    assert hidden == [
        "L0.N0 (tanh)",
        f"b = 0.1, g = {format_number(-delta_h)}",  # ∂J/∂b = -δ
        f"v = {format_number(v_h)}",
        f"y = {format_number(h)}",
        f"δ = {format_number(delta_h)}",
    ]
    out = _cell_texts(nodes['L1.N0']["label"])
    assert out[2:] == [
        f"v = {format_number(y)}",
        f"y = {format_number(y)}",
        f"δ = {format_number(delta_out)}",
        "t = 1.0",
        f"e = t − y = {format_number(t - y)}",
    ]
    weights = {(tail, head): attrs for tail, head, attrs in dot_edges(source) if "tooltip" in attrs}
    assert set(weights) == {("x0", 'L0.N0'), ('L0.N0', 'L1.N0')}
    assert weights[("x0", 'L0.N0')]["label"] == f"w = 0.5\\ng = {format_number(-delta_h * x)}"
    assert weights['L0.N0', 'L1.N0']["label"] == f"w = -2.0\\ng = {format_number(-delta_out * h)}"
    assert weights[("x0", 'L0.N0')]["color"] == "#c0392b" and weights['L0.N0', 'L1.N0']["color"] == "#2e6fb5"
    assert all(p.grad == 0.0 for p in model.parameters())  # drawing leaves the model's .grad alone


def test_without_target_edges_show_stored_grads_or_a_mark():
    model = _tiny()
    source = draw_mlp(model, [1.5]).source
    assert "δ =" not in source and "v = " in source
    assert all("g = —" in attrs["label"] for _, _, attrs in dot_edges(source) if "tooltip" in attrs)
    model.layers[0].neurons[0].w[0].grad = 0.25
    source = draw_mlp(model).source
    assert "v = " not in source
    labels = {(t, h): a["label"] for t, h, a in dot_edges(source) if "tooltip" in a}
    assert labels == {("x0", "L0.N0"): "w = 0.5\\ng = 0.25", ("L0.N0", "L1.N0"): "w = -2.0\\ng = 0.0"}
    assert "from your last backward" in dot_nodes(source)["legend"]["label"]


def test_micrograd_moons_model_is_one_edge_per_weight_with_tooltips_and_ordered_columns():
    model = MLP(2, [16, 16, 1], seed=0)
    source = draw_mlp(model, [0.5, -0.3], target=1.0).source
    weights = [(t, h, a) for t, h, a in dot_edges(source) if "tooltip" in a]
    assert len(weights) == 2 * 16 + 16 * 16 + 16 == 304
    assert all("label" not in a for _, _, a in weights)  # too many to write: hover instead
    assert all(float(a["penwidth"]) <= 1.8 for _, _, a in weights)  # thin edges
    w = model.layers[1].neurons[3].w[5]
    assert ('L0.N5', 'L1.N3', f"L1.N3.w5 = {format_number(w.data)}") in [
        (t, h, a["tooltip"].split(",")[0]) for t, h, a in weights
    ]
    svg = svg_of(source)
    tops = {}
    for group in svg.iter(f"{SVG_NS}g"):
        if group.get("class") == "node":
            polygons = list(group.iter(f"{SVG_NS}polygon"))  # a unit's table; column headers have none
            if polygons:
                points = polygons[0].get("points").split()
                tops[group.find(f"{SVG_NS}title").text] = min(float(p.split(",")[1]) for p in points)
    for layer in (0, 1):
        ys = [tops[f"L{layer}.N{n}"] for n in range(16)]
        assert ys == sorted(ys), f"layer {layer} units are not stacked in index order"


def test_bad_arguments_are_named():
    model = _tiny()
    with pytest.raises(ValueError, match="target needs an input x"):
        draw_mlp(model, target=1.0)
    with pytest.raises(ValueError, match="x must have 1 number"):
        draw_mlp(model, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"x\[0\] must be a finite number"):
        draw_mlp(model, [math.nan])
    with pytest.raises(ValueError, match="target must have 1 number"):
        draw_mlp(model, [1.0], target=[1.0, 0.0])
    with pytest.raises(TypeError, match="nn.MLP"):
        draw_mlp(object())


def test_deltas_are_drawn_even_inside_no_grad():
    model = _tiny()
    with no_grad():
        inside = draw_mlp(model, [1.5], target=1.0).source
    assert inside == draw_mlp(model, [1.5], target=1.0).source


def test_numpy_rows_are_accepted_like_lists():
    # nn.data gives NumPy arrays: draw_mlp(model, X[0], y[0]) must work as the lists do.
    model = MLP(2, [3, 1], seed=0)
    X = np.array([[0.5, -1.2]])
    y = np.array([0.8])
    assert draw_mlp(model, X[0], y[0]).source == draw_mlp(model, [0.5, -1.2], 0.8).source
    assert draw_mlp(model, X[0].astype(np.float32), y).source == draw_mlp(model, [0.5, np.float32(-1.2)], [0.8]).source
    with pytest.raises(ValueError, match="x must have 2 number"):
        draw_mlp(model, X)  # the whole batch, not one sample
