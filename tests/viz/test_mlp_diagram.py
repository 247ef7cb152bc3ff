"""draw_mlp: one edge per weight with value and gradient, each unit's v, y and δ (closed forms)."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest
from .viz_testing import SVG_NS, dot_edges, dot_nodes, svg_of

from autograd import no_grad
from autograd.format import format_fixed
from nn import MLP
from viz import draw_mlp


def _tiny():
    """x → tanh unit (w 0.5, b 0.1) → linear unit (w -2, b 0.3): every number by hand below."""
    model = MLP(1, [1, 1], activation="tanh", output_activation="linear", seed=0)
    hidden, out = model.layers[0].neurons[0], model.layers[1].neurons[0]
    hidden.w[0].data, hidden.b.data = 0.5, 0.1
    out.w[0].data, out.b.data = -2.0, 0.3
    return model


def _rows(label: str) -> list[list[str]]:
    """The rows of a unit's table, each a list of its cells' texts (tags stripped)."""
    rows = re.findall(r"<TR>(.*?)</TR>", label)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<TD[^>]*>(.*?)</TD>", row)] for row in rows]


def test_tiny_network_shows_hand_computed_v_phi_y_delta_and_gradients():
    model = _tiny()
    x, t = 1.5, 1.0
    v_h = 0.5 * x + 0.1
    h = math.tanh(v_h)
    y = -2.0 * h + 0.3
    delta_out = (t - y) * 1.0  # linear output: φ' = 1
    delta_h = (1 - h * h) * -2.0 * delta_out
    graph = draw_mlp(model, [x], target=t)
    source = graph.source
    decimals = int(re.search(r"numbers rounded to (\d+) decimals", source)[1])
    num = lambda z: format_fixed(z, decimals)  # noqa: E731
    nodes = dot_nodes(source)
    hidden = _rows(nodes["L0.N0"]["label"])
    assert hidden == [
        ["L0.N0 (tanh)"],
        ["w0 ← x0", "0.5", f"g {num(-delta_h * x)}"],  # ∂J/∂w = −δ·x
        ["b", "0.1", f"g {num(-delta_h)}"],  # ∂J/∂b = −δ
        ["v = w·x + b", num(v_h)],
        ["φ'(v) = 1 − y²", num(1 - h * h)],
        ["y = tanh(v)", num(h)],
        ["δ = −∂J/∂v", num(delta_h)],
    ]
    out = _rows(nodes["L1.N0"]["label"])
    assert out[1] == ["w0 ← L0.N0", "-2.0", f"g {num(-delta_out * h)}"]
    assert out[3:] == [
        ["v = w·x + b", num(y)],
        ["φ'(v) = 1", "1.0"],
        ["y = v", num(y)],
        ["δ = −∂J/∂v", num(delta_out)],
        ["t", "1.0"],
        ["e = t − y", num(t - y)],
    ]
    # δ_h = φ'(v_h)·δ_out·w: the shown numbers reproduce the shown δ (the decimals are chosen so)
    assert num(float(num(1 - h * h)) * float(num(delta_out)) * -2.0) == num(delta_h) or decimals > 4
    weights = dict(re.findall(r'^\t("?[\w.]+"?(?::\w+:\w)? -> "?[\w.]+"?:w0:w) \[color="(#\w+)"', source, re.MULTILINE))
    assert weights == {'x0 -> "L0.N0":w0:w': "#c0392b", '"L0.N0":y:e -> "L1.N0":w0:w': "#2e6fb5"}  # each enters its weight's row
    assert all(p.grad == 0.0 for p in model.parameters())  # drawing leaves the model's .grad alone
    assert "-0.0" not in source and "the lecture's" not in source
    assert "delta rule (lecture notes on MLPs" in nodes["legend"]["label"]


def test_two_by_three_sigmoid_network_rows_add_up_by_hand():
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    source = draw_mlp(model, [0.5, -1.0], target=1.0).source
    nodes = dot_nodes(source)
    out = {row[0]: row[1:] for row in _rows(nodes["L1.N0"]["label"])}
    e, phi, delta = (float(out[k][0]) for k in ("e = t − y", "φ'(v) = y(1 − y)", "δ = −∂J/∂v"))
    decimals = int(re.search(r"numbers rounded to (\d+) decimals", source)[1])
    assert format_fixed(e * phi, decimals) == format_fixed(delta, decimals)
    for n in range(3):
        rows = {row[0]: row[1:] for row in _rows(nodes[f"L0.N{n}"]["label"])}
        by_hand = float(rows["w0 ← x0"][0]) * 0.5 + float(rows["w1 ← x1"][0]) * -1.0 + float(rows["b"][0])
        assert format_fixed(by_hand, decimals) == rows["v = w·x + b"][0]


def test_without_target_edges_show_stored_grads_or_a_mark():
    model = _tiny()
    source = draw_mlp(model, [1.5]).source
    assert "δ =" not in source and "v = " in source and "φ&#x27;(v)" in source
    assert "g —" in dot_nodes(source)["L0.N0"]["label"]
    model.layers[0].neurons[0].w[0].grad = 0.25
    source = draw_mlp(model).source
    assert "v = " not in source
    assert ["w0 ← x0", "0.5", "g 0.25"] in _rows(dot_nodes(source)["L0.N0"]["label"])
    assert "from your last backward" in dot_nodes(source)["legend"]["label"]


def test_micrograd_moons_model_is_one_edge_per_weight_with_tooltips_and_ordered_columns():
    model = MLP(2, [16, 16, 1], seed=0)
    source = draw_mlp(model, [0.5, -0.3], target=1.0).source
    weights = [(t, h, a) for t, h, a in dot_edges(source) if "tooltip" in a]
    assert len(weights) == 2 * 16 + 16 * 16 + 16 == 304
    assert all("label" not in a for _, _, a in weights)  # too many to write: hover instead
    assert all(float(a["penwidth"]) <= 1.8 for _, _, a in weights)  # thin edges
    w = model.layers[1].neurons[3].w[5]
    assert ("L0.N5", "L1.N3", f"L1.N3.w5 = {format_fixed(w.data, 5)}") in [
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
    with pytest.raises(ValueError, match=r"^x must hold 1 number"):
        draw_mlp(model, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"x\[0\]"):
        draw_mlp(model, [math.nan])
    with pytest.raises(ValueError, match=r"^target must hold 1 value"):
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
    with pytest.raises(ValueError, match=r"^x must be one sample"):
        draw_mlp(model, X)  # the whole batch, not one sample


@pytest.mark.parametrize("bad", ["no", 0, 1, "False"])
def test_edge_labels_must_be_true_false_or_none(bad):
    model = _tiny()
    with pytest.raises(TypeError, match="edge_labels"):
        draw_mlp(model, edge_labels=bad)
    assert "w0 ← x0" in draw_mlp(model, edge_labels=True).source
    assert "w0 ← x0" not in draw_mlp(model, edge_labels=False).source


def test_the_sample_is_checked_once_not_again_by_each_layer(monkeypatch):
    import nn

    model = MLP(2, [3, 2, 1], activation="tanh", seed=1)
    before = draw_mlp(model, [0.5, -1.2], target=0.3).source

    def checked_again(self, x):
        raise AssertionError("draw_mlp re-checked its sample through Layer.forward")

    monkeypatch.setattr(nn.Layer, "forward", checked_again)
    assert draw_mlp(model, [0.5, -1.2], target=0.3).source == before


def test_phi_prime_rows_are_written_by_viz_formulas():
    model = MLP(1, [1, 1], activation="elu", output_activation="sigmoid", seed=0)
    nodes = dot_nodes(draw_mlp(model, [0.5], target=1.0).source)
    hidden = [row[0] for row in _rows(nodes["L0.N0"]["label"])]
    output = [row[0] for row in _rows(nodes["L1.N0"]["label"])]
    assert "φ'(v) = 1 if v > 0 else alpha·eᵛ" in hidden
    assert "φ'(v) = y(1 − y)" in output
