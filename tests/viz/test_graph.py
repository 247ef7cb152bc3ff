"""draw_graph: the content of the picture (values, gradients, local derivatives, roles, marks)."""

from __future__ import annotations

import html
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import re

import pytest
from .viz_testing import (
    dot_edges,
    dot_nodes,
    lecture_neuron,
    node_named,
    record_fields,
    svg_edge_texts,
    svg_node_texts,
    svg_of,
)

from autograd import Value
from nn import MLP, hinge
from viz import draw_dot, draw_graph, trace
from viz.roles import looks_like_parameter, node_roles
from viz.style import GRAD_COLORS, ROLE_COLORS, ROLE_LEGEND


def _edge_label(source: str, tail: str, head: str) -> str:
    labels = [attrs.get("label") for t, h, attrs in dot_edges(source) if (t, h) == (tail, head)]
    assert len(labels) == 1, (tail, head, labels)
    return labels[0]


@pytest.mark.parametrize("use_dot", [False, True], ids=["ops", "dot-node"])
def test_lecture_neuron_values_gradients_and_local_derivatives(use_dot):
    n = lecture_neuron(use_dot)
    n.o.backward()
    source = draw_graph(n.o).source

    w1, w1_attrs = node_named(source, "w1")
    assert record_fields(w1_attrs) == ["w1", "data -3.0", "grad 1.0"]  # ∂o/∂w1 = x1 (1 - o²) = 2 × 0.5
    assert record_fields(node_named(source, "x1")[1]) == ["x1", "data 2.0", "grad -1.5"]
    assert record_fields(node_named(source, "o")[1]) == ["o", "data 0.7071", "grad 1.0"]
    # The edge from x1 into the op that multiplies it by w1 carries ∂(x1·w1)/∂x1 = w1 = -3.
    x1 = node_named(source, "x1")[0]
    (product,) = [h for t, h, _ in dot_edges(source) if t == x1]
    assert _edge_label(source, x1, product) == "-3.0"
    assert _edge_label(source, w1, product) == "2.0"  # ∂(x1·w1)/∂w1 = x1
    # tanh's local derivative 1 - o² = 0.5 on the edge from v into tanh.
    v = node_named(source, "v")[0]
    (tanh_op,) = [h for t, h, _ in dot_edges(source) if t == v]
    assert dot_nodes(source)[tanh_op]["label"] == "tanh"
    assert _edge_label(source, v, tanh_op) == "1 − o² = 0.5"  # the rule, then its number


def test_lecture_neuron_svg_from_dot_shows_the_numbers():
    n = lecture_neuron(use_dot=True)
    n.o.backward()
    source = draw_graph(n.o).source
    svg = svg_of(source)
    texts = svg_node_texts(svg)
    w1 = node_named(source, "w1")[0]
    x1 = node_named(source, "x1")[0]
    o = node_named(source, "o")[0]
    assert texts[w1] == ["w1", "data -3.0", "grad 1.0"]
    assert texts[o] == ["o", "data 0.7071", "grad 1.0"]
    (dot_op,) = [h for t, h, _ in dot_edges(source) if t == x1]
    assert texts[dot_op] == ["w·x+b"]
    assert svg_edge_texts(svg)[f"{x1}->{dot_op}"] == ["-3.0"]


def test_before_backward_gradients_show_a_mark_not_zeros():
    n = lecture_neuron()
    source = draw_graph(n.o).source
    grads = [record_fields(a)[2] for a in dot_nodes(source).values() if a.get("shape") == "record"]
    assert grads and all(g == "grad —" for g in grads)
    assert "no backward yet" in source
    svg_titles = [t.text or "" for t in svg_of(source).iter("{http://www.w3.org/2000/svg}text")]
    assert any("no backward yet" in t for t in svg_titles)  # the title and legend say so in the picture
    n.o.backward()
    after = draw_graph(n.o).source
    assert "no backward yet" not in after and "grad —" not in after


def test_plain_look_without_local_gradients():
    n = lecture_neuron()
    n.o.backward()
    source = draw_graph(n.o, show_local_grads=False).source
    assert dot_edges(source) and all("label" not in attrs for _, _, attrs in dot_edges(source))


def test_small_gradients_keep_significant_digits():
    x = Value(3.0, label="x")
    y = x * 1e-5
    y.label = "y"
    y.backward()
    assert record_fields(node_named(draw_graph(y).source, "x")[1])[2] == "grad 1e-05"


def test_edges_follow_operands_in_order_and_repeat_for_repeated_operands():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    source = draw_graph(y).source
    name = node_named(source, "x")[0]
    into = [(t, h, a["label"]) for t, h, a in dot_edges(source) if t == name]
    assert len(into) == 2 and all(label == "3.0" for _, _, label in into)  # ∂(x·x)/∂x_i = x each
    assert record_fields(node_named(source, "x")[1])[2] == "grad 6.0"


def test_op_attributes_are_shown():
    x = Value(-2.0, label="x")
    y = x.leaky_relu(0.1)
    y.label = "y"
    y.backward()
    source = draw_graph(y).source
    op = [a for a in dot_nodes(source).values() if a.get("shape") == "ellipse"]
    assert [a["label"] for a in op] == ["leaky_relu\\nslope=0.1"]
    assert _edge_label(source, node_named(source, "x")[0], "op1") == "1 if x > 0 else 0.1 = 0.1"


@pytest.mark.parametrize("use_dot", [False, True], ids=["ops+params", "dot-node"])
def test_roles_colour_inputs_parameters_constants_and_output(use_dot):
    n = lecture_neuron(use_dot)
    loss = (n.o - 1.0) ** 2
    loss.label = "J"
    loss.backward()
    # Parameters are what the caller says: params=, or the weights and bias of autograd.dot.
    source = draw_graph(loss, params=None if use_dot else [n.w1, n.w2, n.b]).source
    fill = {label: node_named(source, label)[1]["fillcolor"] for label in ("x1", "x2", "w1", "w2", "b", "J")}
    assert fill["x1"] == fill["x2"] == ROLE_COLORS["input"]
    assert fill["w1"] == fill["w2"] == fill["b"] == ROLE_COLORS["parameter"]
    assert fill["J"] == ROLE_COLORS["output"]
    constants = [a for a in dot_nodes(source).values() if a.get("fillcolor") == ROLE_COLORS["constant"]]
    assert len(constants) == 2  # the target 1.0 and the exponent 2
    assert all(record_fields(a)[2] == "no grad" for a in constants)
    legend = dot_nodes(source)["legend"]["label"]
    for role in ("input", "parameter", "constant", "output"):
        assert f">{html.escape(ROLE_LEGEND[role])}<" in legend
    assert "requires grad" in ROLE_LEGEND["input"]
    assert "requires_grad=False" in ROLE_LEGEND["constant"]


def test_roles_never_come_from_names():
    # The expression: a and b are both leaves that require grad, so both are inputs.
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    out = a / b - a.log() + (-b).exp() ** 2
    out.label = "out"
    out.backward()
    w1, bias = Value(1.0, label="w1"), Value(2.0, label="bias", requires_grad=False)
    y = w1 * a + bias
    y.label = "y"
    cases = ((out, {"a": "input", "b": "input"}), (y, {"w1": "input", "bias": "constant"}))
    for root, expected in cases:
        source = draw_graph(root).source
        for label, role in expected.items():
            assert node_named(source, label)[1]["fillcolor"] == ROLE_COLORS[role], label
        assert html.escape(ROLE_LEGEND["parameter"]) not in dot_nodes(source)["legend"]["label"]


def test_nn_parameters_are_parameters_and_its_inputs_constants():
    model = MLP(2, [2, 1], seed=0)
    out = model([0.5, -1.0])
    tr = trace(out)
    roles = dict(zip(tr.nodes, node_roles(tr)))
    assert {roles[p] for p in model.parameters()} == {"parameter"}
    leaves = [node for node in tr.nodes if not node.parents and node not in set(model.parameters())]
    assert leaves and {roles[x] for x in leaves} == {"constant"}  # the inputs x[0], x[1]
    assert roles[out] == "output"
    # An explicit params= is the whole answer: here only the first weight.
    first = model.parameters()[0]
    explicit = dict(zip(tr.nodes, node_roles(tr, {first})))
    assert [p for p in model.parameters() if explicit[p] == "parameter"] == [first]


def test_explicit_params_mark_parameters():
    a, c = Value(1.0, label="a"), Value(2.0, label="w1")
    y = a * c
    y.label = "y"
    source = draw_graph(y, params=[a]).source
    assert node_named(source, "a")[1]["fillcolor"] == ROLE_COLORS["parameter"]
    assert node_named(source, "w1")[1]["fillcolor"] == ROLE_COLORS["input"]
    with pytest.raises(TypeError, match=r"params\[0\]"):
        draw_graph(y, params=[1.0])


def test_looks_like_parameter_is_deprecated():
    with pytest.deprecated_call():
        assert looks_like_parameter("L0.N3.w2")


def test_colour_by_gradient_sign_and_size():
    n = lecture_neuron()
    n.o.backward()
    source = draw_graph(n.o, color="grad").source
    assert node_named(source, "x1")[1]["fillcolor"] == GRAD_COLORS[-1][2]  # -1.5: the largest |grad|
    assert node_named(source, "o")[1]["fillcolor"] == GRAD_COLORS[1][2]  # 1.0 > 0.5·1.5
    assert node_named(source, "b")[1]["fillcolor"] == GRAD_COLORS[1][1]  # 0.5: between 0.1 and 0.5 of max
    assert node_named(source, "w2")[1]["fillcolor"] == ROLE_COLORS["interior"]  # exactly 0
    assert "grad &gt; 0" in dot_nodes(source)["legend"]["label"]


def test_nn_neurons_are_tables_in_layer_columns_with_inputs_entering_their_weights_rows():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -1.0])
    out.label = "y"
    out.backward()
    source = draw_graph(out).source
    nodes = dot_nodes(source)
    tables = {name: attrs["label"] for name, attrs in nodes.items() if name.startswith("u")}
    assert len(tables) == 4  # three hidden neurons and the output neuron
    l0n2 = [label for label in tables.values() if "<B>L0.N2</B>" in label]
    assert len(l0n2) == 1
    rows = re.findall(r'<TD PORT="i\d+" ALIGN="LEFT"[^>]*>([^<]*)</TD>', l0n2[0])
    assert rows == ["w0", "w1", "b", "v = w·x + b", "y = relu(v)"]  # weights in index order
    neuron = model.layers[0].neurons[2]
    assert f">{neuron.w[1].grad:.5f}".rstrip("0") in l0n2[0] or neuron.w[1].grad == 0
    assert "φ'(v) = 1 if v &gt; 0 else 0" in l0n2[0]
    # each hidden neuron's y enters the output neuron's row of the weight that multiplies it
    port_edges = re.findall(r"^\t(u\d+):o(\d+):e -> (u\d+):i(\d+):w$", source, re.MULTILINE)
    tr = trace(out)
    output = model.layers[1].neurons[0]
    out_table = f"u{tr.index[out.parents[0]] if out.op != 'dot' else tr.index[out]}"
    assert [int(row) for _, _, head, row in port_edges if head == out_table] == [tr.index[w] for w in output.w]
    hidden_ys = [int(y) for _, y, head, _ in port_edges if head == out_table]
    assert [tr.name(y) for y in hidden_ys] == ["L0.N0.y", "L0.N1.y", "L0.N2.y"]
    # the neurons of a layer share a column, in index order
    assert source.count("rank=same") == 2
    assert "cluster" not in draw_graph(out, fold=None).source
    with pytest.deprecated_call():  # group= is fold= now; group="layer" still boxes by layer
        layer_only = draw_graph(out, group="layer").source
    assert "cluster_L0 {" in layer_only and "cluster_L0_N" not in layer_only
    assert node_named(layer_only, "L0.N2.w1")[1]["fillcolor"] == ROLE_COLORS["parameter"]


def test_dot_operands_are_drawn_weight_next_to_its_input():
    model = MLP(3, [1], seed=0)
    out = model([1.0, 2.0, 3.0])
    out.backward()
    source = draw_graph(out, fold=None).source
    tr = trace(out)
    into_dot = [(t, h) for t, h, _ in dot_edges(source) if h == f"op{len(tr.nodes) - 2}" or h == f"op{len(tr.nodes) - 1}"]
    names = [record_fields(dot_nodes(source)[t])[0] for t, h in into_dot if h.startswith("op") and tr.nodes[int(h[2:])].op == "dot"]
    # unlabelled inputs of a network are named x0, x1, .. (issue 21)
    assert names == ["L0.N0.w0", "x0", "L0.N0.w1", "x1", "L0.N0.w2", "x2", "L0.N0.b"]
    assert 'ordering=in' in source


def test_every_box_is_named_and_the_title_uses_the_roots_name():
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    b = Value(6.8813735870195432, label="b")
    root = (x1 * w1 + b).tanh()
    root.backward()
    source = draw_graph(root).source
    names = [record_fields(a)[0] for a in dot_nodes(source).values() if a.get("shape") == "record"]
    assert names == ["x1", "w1", "x1*w1", "b", "x1*w1 + b", "n5"]
    assert "label=\"n5 = 0.7071" in source


def test_hand_sums_of_the_readme_neuron_reproduce_the_shown_numbers():
    n = lecture_neuron()
    n.o.backward()
    source = draw_graph(n.o).source
    data = {name: float(record_fields(node_named(source, name)[1])[1].split()[1]) for name in ("x1", "w1", "x2", "w2", "b", "v")}
    assert record_fields(node_named(source, "b")[1])[1] == "data 6.8814"
    assert record_fields(node_named(source, "v")[1])[1] == "data 0.8814"
    assert round(data["x1"] * data["w1"] + data["x2"] * data["w2"] + data["b"], 4) == data["v"]
    assert "numbers rounded to 4 decimals" in source


def test_two_four_four_one_hinge_loss_fits_a_full_hd_screen(tmp_path):
    model = MLP(2, [4, 4, 1], seed=0)
    loss = hinge(model([0.5, -1.0]), 1.0)
    loss.backward()
    svg = svg_of(draw_graph(loss).source)
    width, height = (float(svg.get(k).removesuffix("pt")) * 96 / 72 for k in ("width", "height"))
    assert width <= 1920 and height <= 1080, (width, height)


def test_no_negative_zero_anywhere_in_the_picture():
    x, w = Value(0.0, label="x"), Value(3.0, label="w")
    z = x * -1.0  # -0.0
    y = z * w  # ∂y/∂w = z = -0.0 on the edge, y = -0.0
    y.backward()
    assert str(z.data) == "-0.0" and str(y.data) == "-0.0"
    source = draw_graph(y).source
    assert "-0.0" not in source and "-0 " not in source


def test_node_limit_refuses_with_advice_and_can_be_raised():
    x = Value(0.5, label="x")
    y = x
    for _ in range(30):
        y = y * 1.0001
    with pytest.raises(ValueError) as error:
        draw_graph(y, max_nodes=20)
    message = str(error.value)
    assert "61 nodes" in message and "max_nodes=20" in message
    assert "draw_mlp" in message and "max_nodes=61" in message and "fold=" in message
    assert "v60" in draw_graph(y, max_nodes=61).source


def test_five_thousand_node_chain_draws_when_the_limit_is_raised():
    x = Value(1.0, label="x")
    y = x
    for _ in range(2500):
        y = y + 1.0  # each step adds a node and a constant: 5,001 values
    y.backward()
    source = draw_graph(y, max_nodes=None).source
    assert source.count("shape=record") == 5001
    assert record_fields(node_named(source, "x")[1])[2] == "grad 1.0"


def test_draw_dot_is_micrograd_name_for_draw_graph():
    assert draw_dot is draw_graph


@pytest.mark.parametrize(
    "args, kwargs, wanted, rankdir",
    [((), {}, "svg", "LR"), (("png", "TB"), {}, "png", "TB"), ((), {"format": "png", "rankdir": "TB"}, "png", "TB")],
    ids=["default", "positional", "keywords"],
)
def test_draw_dot_takes_micrograds_call_and_renders_like_micrograd(args, kwargs, wanted, rankdir, tmp_path):
    # micrograd's trace_graph: draw_dot(root, format='svg', rankdir='LR') -> Digraph(format=format);
    # its users then call dot.render(name), which writes name.<format>.
    n = lecture_neuron()
    n.o.backward()
    graph = draw_dot(n.o, *args, **kwargs)
    assert graph.format == wanted
    assert f"rankdir={rankdir}" in graph.source
    written = Path(graph.render(str(tmp_path / "neuron"), cleanup=True))
    assert written == tmp_path / f"neuron.{wanted}"
    head = written.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if wanted == "png" else b"<svg" in head or b"<?xml" in head


def test_draw_dot_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="format.*'jpeg2'"):
        draw_dot(Value(1.0), "jpeg2")


@pytest.mark.parametrize(
    "kwargs, match",
    [({"color": "rainbow"}, "color"), ({"fold": "all"}, "fold"), ({"rankdir": "up"}, "rankdir"),
     ({"max_nodes": 0}, "max_nodes")],
)
def test_bad_options_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw_graph(Value(1.0), **kwargs)


@pytest.mark.parametrize("flag", ["no", 0, None])
def test_show_local_grads_must_be_a_bool(flag):
    with pytest.raises(TypeError, match=f"show_local_grads must be True or False, got {flag!r}"):
        draw_graph(Value(1.0), show_local_grads=flag)


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="float"):
        draw_graph(1.0)


def test_same_graph_gives_byte_identical_dot_in_two_processes():
    script = textwrap.dedent(
        """
        from autograd import Value
        from nn import MLP
        from viz import draw_graph
        model = MLP(2, [3, 1], activation="tanh", seed=3)
        x = [Value(0.5, label="a"), Value(-1.5, label="b")]
        loss = (model(x) - 1.0) ** 2
        loss.label = "J"
        loss.backward()
        print(draw_graph(loss).source)
        """
    )
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]
    assert "0x" not in outputs[0]  # no id()/addresses in names


def test_title_does_not_claim_d_root_when_backward_started_elsewhere():
    n = lecture_neuron()
    loss = n.o * 3.0
    loss.backward()
    source = draw_graph(n.o).source  # the inner node, after the loss's backward
    assert "∂o/∂node" not in source and "grad[o] = 3.0" in source
    assert record_fields(node_named(source, "w1")[1])[2] == "grad 3.0"


def test_gradients_show_when_the_drawn_roots_grad_is_zero_but_its_operands_are_not():
    # t = a·b, out = t·0 + a: backward from out gives grad[t] = 0 but grad[a] = b·0 + 1 = 1, so
    # t's picture must show the gradients, not "no backward yet".
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    t = a * b
    t.label = "t"
    out = t * 0.0 + a
    out.backward()
    assert t.grad == 0.0 and a.grad == 1.0
    source = draw_graph(t).source
    assert "no backward yet" not in source
    assert record_fields(node_named(source, "a")[1])[2] == "grad 1.0"
    assert "grad[t] = 0.0" in source
