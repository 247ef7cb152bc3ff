"""step_through: one offline page, one step per node backward visits, with the arithmetic of each."""

from __future__ import annotations

import html
import json
import re

import pytest
from .viz_testing import lecture_neuron

from autograd import Value, topological_order
from autograd.format import format_number
from viz import StepThrough, step_through
from viz.steps import record_steps as replay
from viz.tracing import trace


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" class="data">(.*?)</script>', page, re.S)
    return json.loads(match[1])


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
    first, second = (step["lines"] for step in data["steps"])
    assert first[0].startswith("start: grad[o] = 1.0")
    assert "grad[v] += (1 − o²) × grad[o] = 0.5 × 1.0 = 0.5" in first
    assert "grad[w1] += x1 × grad[v] = 2.0 × 0.5 = 1.0" in second
    assert "grad[x1] += w1 × grad[v] = -3.0 × 0.5 = -1.5" in second
    assert set(data["steps"][1]["updated"]) == {data["names"].index(x) for x in ("w1", "w2", "x1", "x2", "b")}
    assert all(node.grad == 0.0 for node in topological_order(n.o))  # the replay leaves .grad alone
    n.o.backward()
    nodes = trace(n.o).nodes
    assert _final_texts(data) == [f"grad {format_number(node.grad)}" for node in nodes]
    assert data["initial"] == ["grad —"] * len(nodes)


def test_accumulating_into_a_shared_leaf_shows_the_running_total():
    x = Value(2.0, label="x")
    y = x * x + x
    steps = replay(trace(y))
    lines = [line for step in steps for line in step.lines]
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
