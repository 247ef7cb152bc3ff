"""draw_graph(fold=...): a neuron, a layer or a batch's samples as one box; the same floats."""

from __future__ import annotations

import math
import re
from functools import cache

import pytest

import autograd
import nn
from autograd import Value
from autograd.format import format_fixed
from nn import MLP, mse
from viz import draw_graph, trace
from viz.graph import picture_decimals
from viz.roles import SHARED, samples_of

from .viz_testing import dot_nodes, lecture_neuron, svg_node_texts, svg_of

SIZES = (1, 10, 100)


@cache
def batch(n: int, widths: tuple[int, ...] = (16, 16, 1)):
    """J = (1/n) Σ mse(model(x_k), t_k) over n moons, after backward; and the model and data."""
    X, y = nn.data.moons(n, seed=0)
    model = MLP(2, list(widths), seed=0)
    J = autograd.sum([mse(model(list(x)), float(t)) for x, t in zip(X, y)]) / n
    J.label = "J"
    J.backward()
    return J, model, X, y


def decimals_of(J: Value) -> int:
    tr = trace(J)
    return picture_decimals(tr, [node.grad for node in tr.nodes])


def tables(source: str) -> list[str]:
    """The neuron tables of a DOT source (node names u<i>)."""
    return [name for name in dot_nodes(source) if re.fullmatch(r"u\d+", name)]


def grad_cell(source: str, neuron: str, row: str) -> str:
    """The grad cell of ``row`` (``w2``, ``b``) in the table of ``neuron`` (``L1.N3``)."""
    table = next(
        a["label"] for a in dot_nodes(source).values() if f"<B>{neuron}</B>" in a.get("label", "")
    )
    return re.search(rf">{row}</TD><TD[^>]*>[^<]*</TD><TD[^>]*>(.*?)</TD>", table)[1]


def title(source: str) -> str:
    """The picture's title (the graph's own label)."""
    return re.search(r'^\tlabel="(.*)"$', source, re.MULTILINE)[1]


@pytest.mark.parametrize("n", SIZES)
def test_samples_are_found_from_the_neurons_uses(n):
    J, model, _, _ = batch(n)
    tr = trace(J)
    samples = samples_of(tr)
    assert max(samples) == n - 1
    if n > 1:  # in a graph of one sample, everything is that sample's
        assert all(samples[tr.index[p]] == SHARED for p in model.parameters())
        assert samples[-1] == SHARED  # the mean over the batch
    per_sample = [samples.count(k) for k in range(n)]
    assert len(set(per_sample)) == 1  # every sample's subgraph is the same size


@pytest.mark.parametrize("n", SIZES)
def test_layer_fold_is_one_box_per_layer_with_the_norms_of_its_gradients(n):
    J, model, _, _ = batch(n)
    source = draw_graph(J, fold="layer").source
    assert sorted(set(dot_nodes(source)) - {"node", "edge"}) == ["L0", "L1", "L2", "inputs", "rest"]
    decimals = decimals_of(J)
    for k, layer in enumerate(model.layers):
        label = dot_nodes(source)[f"L{k}"]["label"]
        weights = [w for neuron in layer.neurons for w in neuron.w]
        norm = math.sqrt(sum(w.grad**2 for w in weights))  # by hand, from the model's own .grad
        assert f"‖∂J/∂w‖ = {format_fixed(norm, decimals)}<" in label
        biases = "1 bias" if len(layer.neurons) == 1 else f"{len(layer.neurons)} biases"
        assert f"{len(weights)} weights, {biases}" in label
    assert f'L0 -> L1 [label="{16 * n} values"]' in source  # each sample's 16 outputs of layer 0
    assert f'inputs -> L0 [label="{2 * n} values"]' in source
    assert "fold=layer: a box per layer" in title(source)
    assert (f"{n} samples" in title(source)) == (n > 1)


@pytest.mark.parametrize("n", SIZES)
def test_sample_fold_draws_one_sample_and_sums_parameter_gradients_over_all(n):
    J, model, X, y = batch(n)
    source = draw_graph(J, fold="sample").source
    assert len(tables(source)) == 16 + 16 + 1  # the first sample's neurons
    tr = trace(J)
    hidden = [i for i, k in enumerate(samples_of(tr)) if k > 0]
    names = set(dot_nodes(source))
    assert not any(f"v{i}" in names or f"op{i}" in names for i in hidden)
    decimals = decimals_of(J)
    neuron = model.layers[1].neurons[3]
    cell = grad_cell(source, "L1.N3", "w2")
    assert cell.startswith(format_fixed(neuron.w[2].grad, decimals))  # the same float as .grad
    if n == 1:
        assert "Σ" not in cell and "samples 2.." not in source and "samples" not in title(source)
        return
    assert f"+ {n - 1} from samples 2..{n}" in source
    # each sample's part, independently: the gradient of its own term of J
    parts = [
        autograd.grad(mse(model(list(x)), float(t)) / n, [neuron.w[2]])[0] for x, t in zip(X, y)
    ]
    largest = max(range(n), key=lambda k: abs(parts[k]))
    assert math.isclose(math.fsum(parts), neuron.w[2].grad, rel_tol=1e-9, abs_tol=1e-15)
    assert f"Σ {n} samples, largest s{largest + 1} {format_fixed(parts[largest], decimals)}" in cell
    assert f"fold=sample: sample 1 drawn for all, {n} samples" in title(source)


def test_neuron_and_every_scalar_folds_show_the_same_digits():
    J, model, _, _ = batch(1)
    decimals = decimals_of(J)
    w = model.layers[1].neurons[3].w[2]
    neuron = draw_graph(J, fold="neuron").source
    scalars = draw_graph(J, fold=None, max_nodes=None).source
    assert len(tables(neuron)) == 33 and not tables(scalars)
    assert grad_cell(neuron, "L1.N3", "w2") == format_fixed(w.grad, decimals)
    box = next(
        a["label"]
        for a in dot_nodes(scalars).values()
        if a.get("label", "").startswith("{ L1.N3.w2 |")
    )
    assert f"grad {format_fixed(w.grad, decimals)} }}" in box
    assert sum(name.startswith("v") for name in dot_nodes(scalars)) == len(trace(J).nodes)
    assert "fold=neuron: a table per neuron" in neuron and "fold=None: every scalar" in scalars


@pytest.mark.parametrize(
    "make, fold",
    [
        (lambda: lecture_neuron().o, None),  # no nn neurons: every scalar
        (lambda: batch(1, (4, 4, 1))[0], "neuron"),  # 2-4-4-1 fits as tables
        (lambda: batch(10, (4, 4, 1))[0], "sample"),  # a batch of it: one sample for all
        (lambda: batch(1)[0], "layer"),  # 2-16-16-1: 16 tables of 21 rows are too tall
        (lambda: batch(100)[0], "layer"),
    ],
)
def test_default_fold_fits_one_screen_and_the_title_says_which(make, fold):
    source = draw_graph(make()).source
    if fold is None:  # nothing to fold: the title does not talk of folding
        assert "fold=" not in title(source) and not tables(source)
        return
    assert f"fold={fold}" in title(source)


def test_default_draws_a_hundred_sample_batch_that_max_nodes_would_refuse_unfolded():
    J = batch(100)[0]
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(J, fold=None)
    texts = svg_node_texts(svg_of(draw_graph(J).source))
    assert any("‖δ‖ = ‖∂J/∂v‖" in t and "over 100 samples" in t for t in texts["L0"])


def test_unfold_draws_named_neurons_as_scalars():
    J = batch(1, (4, 4, 1))[0]
    tr = trace(J)
    source = draw_graph(J, fold="neuron", unfold=["L1.N2"]).source
    assert len(tables(source)) == 4 + 4 + 1 - 1
    v = next(i for i, node in enumerate(tr.nodes) if tr.name(i) == "L1.N2.v")
    assert f"v{v}" in dot_nodes(source) and f"u{v}" not in dot_nodes(source)


@pytest.mark.parametrize("unfold, error", [(["L9.N0"], ValueError), ("L1.N2", TypeError)])
def test_unfold_names_must_be_neurons(unfold, error):
    with pytest.raises(error, match="unfold"):
        draw_graph(batch(1, (4, 4, 1))[0], unfold=unfold)


def test_group_is_deprecated_for_fold():
    J = batch(1, (4, 4, 1))[0]
    with pytest.deprecated_call():
        old = draw_graph(J, group="neuron").source
    assert old == draw_graph(J, fold="neuron").source
    with pytest.raises(ValueError, match="group"):
        draw_graph(J, fold="layer", group="neuron")


@pytest.mark.parametrize("n, fold", [(1, "neuron"), (10, "sample"), (100, "layer")])
def test_folded_pictures_render(n, fold, tmp_path):
    from viz import render

    path = tmp_path / f"fold_{fold}_{n}.png"
    render(draw_graph(batch(n)[0], fold=fold), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
