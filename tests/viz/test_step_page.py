"""step_through: one offline page, one step per node backward visits, with the arithmetic of each."""

from __future__ import annotations

import html
import math
import json
import re

import pytest
from .viz_testing import lecture_neuron

from autograd import Value, topological_order
from autograd.format import format_fixed
from viz import StepThrough, explain, step_through
from viz.escape import one_line
from viz.graph import picture_decimals
from viz.steps import record_steps as replay
from viz.tracing import trace


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" class="data">(.*?)</script>', page, re.S)
    return json.loads(match[1])


def _text(line) -> str:
    """A step's line as shown outside predict mode (a line into an interior node is [text, node, masked])."""
    return line if isinstance(line, str) else line[0]


def _lines(step: dict) -> list[str]:
    return [_text(line) for line in step["lines"]]


def _final_texts(data: dict) -> list[str]:
    texts = list(data["initial"])
    for step in data["steps"]:
        for i, text in step["grads"].items():
            texts[int(i)] = text
    return texts


@pytest.mark.parametrize("use_dot", [False, True], ids=["ops", "dot-node"])
def test_one_step_per_node_backward_visits_in_its_order(tmp_path, use_dot):
    n = lecture_neuron(use_dot)
    page = step_through(n.o, tmp_path / "steps.html")
    interior = [node for node in topological_order(n.o) if node.parents]  # what backward's loop visits
    assert page.steps == len(interior) == (2 if use_dot else 5)
    data = _data(page.path.read_text(encoding="utf-8"))
    assert len(data["steps"]) == page.steps
    visited = [data["names"][step["node"]] for step in data["steps"]]
    tr = trace(n.o)
    assert visited == [tr.name(tr.index[node]) for node in reversed(interior)]
    assert f'max="{page.steps}"' in page.html  # the slider has one position per step


def test_arithmetic_lines_and_final_gradients_match_backward(tmp_path):
    n = lecture_neuron(use_dot=True)
    page = step_through(n.o, tmp_path / "steps.html")
    data = _data(page.html)
    first, second = (_lines(step) for step in data["steps"])
    assert first[0].startswith("start: grad[o] = 1.0")
    assert "grad[v] += (1 − o²) × grad[o] = 0.5 × 1.0 = 0.5" in first
    assert "grad[w1] += x1 × grad[v] = 2.0 × 0.5 = 1.0" in second
    assert "grad[x1] += w1 × grad[v] = -3.0 × 0.5 = -1.5" in second
    assert set(data["steps"][1]["updated"]) == {data["names"].index(x) for x in ("w1", "w2", "x1", "x2", "b")}
    assert all(node.grad == 0.0 for node in topological_order(n.o))  # the replay leaves .grad alone
    n.o.backward()
    nodes = trace(n.o).nodes
    assert _final_texts(data) == [f"grad {format_fixed(node.grad, 4)}" for node in nodes]
    assert data["initial"] == ["grad —"] * len(nodes)


def test_accumulating_into_a_shared_leaf_shows_the_running_total():
    x = Value(2.0, label="x")
    y = x * x + x
    steps = replay(trace(y))
    lines = [line if isinstance(line, str) else line[0] for step in _data(step_through(y).html)["steps"]
             for line in step["lines"]]
    assert "grad[x] += 1 × grad[x*x + x] = 1.0 × 1.0 = 1.0" in lines  # unlabelled nodes named by their expression
    assert "grad[x] += x × grad[x*x] = 2.0 × 1.0 = 2.0  → grad[x] = 3.0" in lines
    assert "grad[x] += x × grad[x*x] = 2.0 × 1.0 = 2.0  → grad[x] = 5.0" in lines
    assert steps[-1].grads[0] == 5.0 == 2 * 2.0 + 1


def test_page_is_self_contained_and_references_no_url(tmp_path):
    n = lecture_neuron()
    page = step_through(n.o, tmp_path / "steps.html")
    text = page.path.read_text(encoding="utf-8")
    assert text == page.html and page.rendered_with_dot and "<svg" in text
    assert not re.search(r"https?:|ftp:|://|\bsrc\s*=|\bhref\s*=|url\(|@import|<link|<iframe", text, re.I)
    for control in ('class="prev"', 'class="next"', 'type="range"', "ArrowLeft", "ArrowRight"):
        assert control in text


def test_jupyter_shows_the_page_inline():
    n = lecture_neuron()
    page = step_through(n.o)
    assert isinstance(page, StepThrough) and page.path is None
    inline = page._repr_html_()
    assert inline in page.html and "<html" not in inline and 'class="data"' in inline


def test_without_dot_a_table_stands_in_for_the_picture(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    n = lecture_neuron()
    page = step_through(n.o, tmp_path / "steps.html")
    assert not page.rendered_with_dot and "<svg" not in page.html
    assert page.html.count('<tr data-node="') == len(trace(n.o).nodes)
    assert page.steps == 5


def test_a_label_cannot_end_the_script_early():
    x = Value(1.0, label="</script><b>x")
    page = step_through(x * 2.0)
    assert page.html.count("</script>") == 2  # the data block and the code block, nothing else
    assert _data(page.html)["names"][0] == "</script><b>x"
    assert html.escape("</script><b>x") in page.html  # in the picture, as text


def test_a_single_leaf_has_one_step_and_constants_are_refused():
    x = Value(3.0, label="x")
    assert step_through(x).steps == 1
    with pytest.raises(ValueError, match="constant"):
        step_through(Value(1.0, requires_grad=False))


def test_big_graphs_are_refused_with_advice():
    y = Value(1.0, label="x")
    for _ in range(150):
        y = y * 1.0
    with pytest.raises(ValueError, match="max_nodes=200"):
        step_through(y)


def test_big_graph_advice_fits_step_through():
    y = Value(1.0, label="x")
    for _ in range(150):
        y = y * 1.0
    with pytest.raises(ValueError) as error:
        step_through(y)
    assert "max_nodes=301" in str(error.value) and "group=" not in str(error.value)  # step_through has no group


@pytest.mark.parametrize("max_nodes", ["10", 2.5, True, 0])
def test_a_bad_max_nodes_is_refused_naming_it(max_nodes):
    with pytest.raises(ValueError, match=f"step_through: max_nodes must be a positive int or None, got {max_nodes!r}"):
        step_through(Value(1.0) * 2.0, max_nodes=max_nodes)


def test_bad_paths_are_refused_naming_the_argument(tmp_path):
    o = Value(1.0, label="x") * 2.0
    with pytest.raises(TypeError, match="path"):
        step_through(o, 3)
    with pytest.raises(IsADirectoryError, match="path"):
        step_through(o, tmp_path)
    assert step_through(o, tmp_path / "missing" / "page.html").path.is_file()  # its folder is made


# -- numbers: the picture's decimals everywhere, no negative zeros --------------------------------

def _svg_texts(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", page)]


def test_numbers_use_the_pictures_decimals_so_lines_match_the_svg():
    a, k = Value(3.51234, label="a"), Value(10.54321, label="k")
    y = a * a * k  # grad[a] = 2·a·k = 74.06..., whose 4 significant digits (74.06) the picture does not show
    page = step_through(y)
    data = _data(page.html)
    tr = trace(y)
    final = list(replay(tr)[-1].grads)
    decimals = picture_decimals(tr, final)
    shown = format_fixed(final[0], decimals)
    assert shown == format_fixed(2 * 3.51234 * 10.54321, decimals) and len(shown.split(".")[1]) == decimals
    assert f"grad {shown}" in _svg_texts(page.html)  # the picture's text for a's gradient
    assert _final_texts(data)[0] == f"grad {shown}"
    lines = [line for step in data["steps"] for line in _lines(step)]
    assert any(line.startswith("grad[a] += ") and line.endswith(f"→ grad[a] = {shown}") for line in lines)
    assert lines[-1] == f"done: the leaves' gradients are final: grad[a] = {shown}, grad[k] = {format_fixed(final[2], decimals)}"


def test_the_pages_running_totals_are_the_steps_own_gradients():
    x = Value(0.3, label="x")
    y = (x * x + x.tanh() * x).sigmoid()  # x is used four times: its gradient is a running sum
    tr = trace(y)
    steps = replay(tr)
    data = _data(step_through(y).html)
    decimals = picture_decimals(tr, list(steps[-1].grads))
    checked = 0
    for step, shown in zip(steps, data["steps"]):
        after = {}  # node name -> the gradient the step's lines leave it with
        for line in _lines(shown):
            match = re.fullmatch(r"grad\[(.+?)\] \+= .* = (\S+)(?:  → grad\[.+\] = (\S+))?", line)
            if match:
                after[match[1]] = match[3] or match[2]
        for name, text in after.items():
            assert text == format_fixed(step.grads[data["names"].index(name)], decimals)
            checked += 1
    assert checked >= 6 and "x" in after


def test_no_negative_zero_anywhere_on_the_page():
    x = Value(1.5, label="x")
    y = (x * -2.0).relu() + 0.0 * x  # relu'(-3) = 0: -2 × 0.0 is -0.0
    assert math.copysign(1.0, -2.0 * 0.0) < 0
    page = step_through(y)
    assert not re.search(r"(?<![\w.])-0(\.0+)?(?![\d.e])", html.unescape(page.html)), "a negative zero is shown"
    assert "grad 0.0" in _final_texts(_data(page.html))


# -- predict mode's data --------------------------------------------------------------------------

def test_each_step_asks_for_the_gradient_of_the_node_it_processes():
    n = lecture_neuron()
    data = _data(step_through(n.o).html)
    tr = trace(n.o)
    n.o.backward()
    assert [step["answer"] for step in data["steps"]] == [format_fixed(tr.nodes[step["node"]].grad, 4) for step in data["steps"]]
    assert [step["answer"] for step in data["steps"]] == ["1.0", "0.5", "0.5", "0.5", "0.5"]
    assert data["hidden"] == "grad ?"


def test_lines_into_interior_nodes_carry_a_masked_form_for_predict_mode():
    n = lecture_neuron()
    data = _data(step_through(n.o).html)
    processed = {step["node"] for step in data["steps"]}
    masked = [line for step in data["steps"] for line in step["lines"] if not isinstance(line, str)]
    assert masked  # every line into a node backward processes later can be hidden
    for text, node, hidden in masked:
        assert node in processed and hidden.endswith("= ?") and text.startswith(hidden[:-1])
        assert text.startswith(f"grad[{data['names'][node]}] += ")
    plain = [line for step in data["steps"] for line in step["lines"] if isinstance(line, str)]
    assert any(line.startswith("grad[w1] += ") for line in plain)  # leaves are never asked


# -- click a node: its explanation ----------------------------------------------------------------

def test_every_node_that_requires_grad_has_its_explanation():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    o = (x * w + Value(1.0, label="c", requires_grad=False)).tanh()
    tr = trace(o)
    data = _data(step_through(tr).html)  # a Trace works as well as its root: one trace for the page
    wanted = {str(i) for i, node in enumerate(tr.nodes) if node.requires_grad}
    assert set(data["explain"]) == wanted and len(wanted) == len(tr.nodes) - 1  # all but the constant c
    for i, node in enumerate(tr.nodes):
        if node.requires_grad:
            e = explain(o, node, tr=tr)
            assert data["explain"][str(i)] == e.to_html()
            assert html.escape(f"∂{tr.name(len(tr.nodes) - 1)}/∂{tr.name(i)} = {e.num(e.total)}") in data["explain"][str(i)]


def test_an_mlps_explanations_are_explains_own_in_every_form():
    import nn

    model = nn.MLP(2, [2, 8, 8, 1], "tanh", seed=3)  # 64 paths from a first-layer weight: the chain form
    loss = nn.mse(model([0.5, -1.5]), 0.25)
    tr = trace(loss)
    data = _data(step_through(tr).html)
    forms = set()
    for i, node in enumerate(tr.nodes):
        if node.requires_grad:
            e = explain(loss, node, tr=tr)
            assert data["explain"][str(i)] == e.to_html()
            forms.add("chain" if e.chain else "paths" if e.paths else "none")
    assert forms == {"chain", "paths", "none"}


def test_explanations_hold_the_lecture_neurons_gradients():
    n = lecture_neuron()
    tr = trace(n.o)
    data = _data(step_through(n.o).html)
    for node, total in ((n.w1, "1.0"), (n.x1, "-1.5"), (n.w2, "0.0"), (n.b, "0.5")):
        assert f"∂o/∂{node.label} = {total}</b>" in data["explain"][str(tr.index[node])]


# -- data that cannot change how the page parses --------------------------------------------------

HOSTILE = ["</script>", "<!--<script>", "&amp;", "\"quoted\" 'single'", "</SCRIPT ><b>", "]]>", "\u2028"]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_are_escaped_in_the_embedded_data(label):
    x = Value(1.0, label=label)
    o = (x * Value(2.0, label="w")).tanh()
    page = step_through(o).html
    block = re.search(r'<script type="application/json" class="data">(.*?)</script>', page, re.S)[1]
    assert not re.search(r"[<>&]", block)
    assert label in _data(page)["names"]
    assert page.count("</script>") == 2 and page.lower().count("<script") == 2
    assert "<!--<script>" not in page
    explanation = _data(page)["explain"][str(trace(o).index[x])]
    # explain escapes (a line break shows as ⏎: no label starts a line), and the JSON carries it intact
    assert html.escape(one_line(label)) in explanation


def test_the_table_view_uses_the_pictures_decimals_and_names(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    n = lecture_neuron()
    page = step_through(n.o).html
    assert "<td>6.8814</td>" in page and "<td>n6</td>" in page
    assert '<td>+(x1*w1, x2*w2)</td>' in page


def test_big_graphs_leave_explanations_out_and_say_how_to_get_one(monkeypatch):
    import viz.step_page

    n = lecture_neuron()
    monkeypatch.setattr(viz.step_page, "EXPLAIN_MAX_NODES", len(trace(n.o).nodes) - 1)
    data = _data(step_through(n.o).html)
    assert data["explain"] == {} and "viz.explain(root, node)" in data["explainMissing"]
    assert "10 nodes, more than 9." in data["explainMissing"]


def test_steps_show_no_gradient_until_the_loop_reaches_a_node():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    steps = replay(trace(y))
    names = [node.label or node.op for node in trace(y).nodes]  # x, w, mul, tanh
    first, second = steps
    assert first.grads[names.index("mul")] == pytest.approx(1 - math.tanh(-6.0) ** 2, rel=1e-12)
    assert first.grads[names.index("x")] is None and first.grads[names.index("w")] is None
    assert second.grads[names.index("x")] == pytest.approx(-3.0 * (1 - math.tanh(-6.0) ** 2), rel=1e-12)


def test_the_page_explains_through_the_public_explain_api():
    import ast
    import inspect
    import sys

    source = inspect.getsource(sys.modules["viz.step_page"])
    imported = [a.name for s in ast.walk(ast.parse(source)) if isinstance(s, ast.ImportFrom)
                for a in s.names]
    assert "Explainer" in imported and not [name for name in imported if name.startswith("_")]


# -- a learner's numbers on the page: predict=, answers=, notes=, start= -----------------------


def _index(tr, label: str) -> int:
    return next(i for i, node in enumerate(tr.nodes) if node.label == label)


def test_answers_are_embedded_with_their_grade_and_the_step_they_are_final():
    n = lecture_neuron()
    tr = trace(n.o)
    steps = replay(tr)
    w1, x1, v = _index(tr, "w1"), _index(tr, "x1"), _index(tr, "v")
    # ∂o/∂w1 = x1 × (1 − o²) = 2 × 0.5 = 1 (here the sign is flipped); ∂o/∂x1 = w1 × 0.5 = −1.5
    page = step_through(n.o, answers={"w1": -1.0, "x1": "-1.50", n.v: 0.5},
                        notes={"w1": "sign: the sign flipped"}, start="w1", predict=True).html
    data = _data(page)
    assert data["predict"] is True
    yours = data["yours"]
    assert yours[str(w1)] == {"yours": "-1.0", "right": False, "correct": "1.0",
                              "note": "sign: the sign flipped"}
    assert yours[str(x1)]["yours"] == "-1.50" and yours[str(x1)]["right"]  # the digits as written
    assert yours[str(v)]["right"] and yours[str(v)]["correct"] == "0.5"
    # a leaf's gradient is final at the last step that adds to it; an interior node's at its own
    last_into_w1 = max(k for k, s in enumerate(steps) if w1 in s.updated)
    assert tr.name(steps[last_into_w1].node) == "x1*w1"  # w1's one user
    assert data["final"][w1] == last_into_w1 == data["start"]
    assert data["final"][v] == next(k for k, s in enumerate(steps) if s.node == v)


def test_without_a_learner_the_page_opens_at_step_one_in_explore_mode():
    data = _data(step_through(lecture_neuron().o).html)
    assert data["predict"] is False and data["start"] == 0 and data["yours"] == {}


def test_answers_are_graded_to_the_digits_written():
    n = lecture_neuron()  # ∂o/∂v = 1 − o² = 0.5 exactly
    data = _data(step_through(n.o, answers={"v": "0.50", "x1": -1.4}).html)
    tr = trace(n.o)
    assert data["yours"][str(_index(tr, "v"))]["right"]
    assert not data["yours"][str(_index(tr, "x1"))]["right"]  # −1.4 is not −1.5 to one decimal


def test_bad_learner_arguments_are_refused_naming_them():
    n = lecture_neuron()
    with pytest.raises(ValueError, match="answers"):
        step_through(n.o, answers={"nope": 1.0})
    with pytest.raises(ValueError, match="answers"):
        step_through(n.o, answers={"w1": "one"})
    with pytest.raises(ValueError, match="answers"):
        step_through(n.o, answers={Value(1.0): 1.0})  # not in the graph
    with pytest.raises(TypeError, match="answers"):
        step_through(n.o, answers=[("w1", 1.0)])
    with pytest.raises(TypeError, match="notes"):
        step_through(n.o, notes={"w1": 3})
    with pytest.raises(ValueError, match="start"):
        step_through(n.o, start="nope")
    with pytest.raises(TypeError, match="predict"):
        step_through(n.o, predict="yes")
    c = Value(2.0, label="c", requires_grad=False)
    with pytest.raises(ValueError, match="constant"):
        step_through(n.o * c, answers={"c": 1.0})


@pytest.mark.parametrize("layers, activation, output, loss, target", [
    ([2, 1], "sigmoid", "sigmoid", "sse", 0.3), ([3, 2], "tanh", "linear", "sse", [0.5, -0.2]),
    ([3, 2], "tanh", "softmax", "ce", 1), ([2, 1], "relu", "sigmoid", "bce", 1.0)])
def test_a_hand_checks_numbers_land_on_the_nodes_of_js_page(layers, activation, output, loss,
                                                            target):
    from nn import MLP
    from nn.deltas import check, sample
    from nn.handcheck import answer_names

    model = MLP(2, layers, activation=activation, output_activation=output, seed=3)
    x = [0.7, -1.2]
    values = sample(model, x, target, loss).values
    answers = {name: values[name] for name in answer_names(model, x, target, loss)}
    g = check(model, x, target, answers, loss=loss).on_graph()
    data = _data(step_through(g.root, answers=g.answers, notes=g.notes, start=g.start).html)
    assert len(data["yours"]) == len(g.answers) > 0
    assert all(entry["right"] for entry in data["yours"].values())  # ∂J/∂node, rightly placed
