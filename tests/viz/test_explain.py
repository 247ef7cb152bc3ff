"""viz.explain: the chain rule for one gradient, against backward and hand-derived numbers."""

from __future__ import annotations

import math

import pytest
from .viz_testing import LECTURE_B, lecture_neuron

import nn
import nn.deltas
from autograd import Value
from autograd.functional import gradients
from viz import Explanation, explain, trace


def _by_name(root: Value, name: str) -> Value:
    tr = trace(root)
    return tr.nodes[tr.names.index(name)]


@pytest.mark.parametrize("use_dot", [False, True], ids=["ops", "dot-node"])
def test_tanh_neuron_totals_are_backwards_floats_and_the_hand_values(use_dot):
    n = lecture_neuron(use_dot)
    explained = {name: explain(n.o, getattr(n, name)) for name in ("x1", "x2", "w1", "w2", "b", "v", "o")}
    n.o.backward()
    for name, e in explained.items():
        assert isinstance(e, Explanation)
        assert e.total == getattr(n, name).grad  # the same float, not merely close
    o = math.tanh(2 * -3 + LECTURE_B)
    assert math.isclose(explained["v"].total, 1 - o * o) and math.isclose(explained["v"].total, 0.5, rel_tol=1e-12)
    assert math.isclose(explained["w1"].total, 1.0, rel_tol=1e-12)  # x1 · (1 − o²) = 2 × 0.5
    assert math.isclose(explained["x1"].total, -1.5, rel_tol=1e-12)  # w1 · (1 − o²)
    assert explained["w2"].total == 0.0 and explained["o"].total == 1.0


def test_tanh_edge_formula_and_numbers_in_every_form():
    n = lecture_neuron()
    e = explain(n.o, n.v)
    (term,) = e.one_step.terms
    assert (term.user, term.formula) == ("o", "1 − o²")
    assert term.local == pytest.approx(1 - n.o.data ** 2, rel=1e-15) and term.user_grad == 1.0
    text = str(e)
    assert "grad[v] = (1 − o²) × grad[o]" in text and "= 0.5 × 1.0" in text
    assert "∂o/∂v = 0.5" in text
    md = e.to_markdown()
    assert md == e._repr_markdown_() and "**∂o/∂v = 0.5**" in md and "```text" in md
    latex = e.to_latex()
    assert r"\begin{align*}" in latex and r"(1 - \mathrm{o}^2)" in latex and "0.5" in latex
    page = e.to_html()
    assert page.startswith('<div class="explanation">') and "1 − o²" in page


def test_weight_explanation_reads_like_the_hand_derivation():
    n = lecture_neuron()
    e = explain(n.o, n.w1)
    text = str(e)
    assert "grad[w1] = x1 × grad[x1*w1]" in text and "= 2.0 × 0.5" in text and "= 1.0" in text
    (path,) = e.paths
    assert path.names[0] == "w1" and path.names[-1] == "o"
    assert path.nodes[0] is n.w1 and path.nodes[-1] is n.o
    assert len(path.local_grads) == len(path.nodes) - 1
    assert math.isclose(path.product, 1.0, rel_tol=1e-12)


def test_diamond_where_a_node_is_used_twice_and_squared():
    x = Value(3.0, label="x")
    a = x * x  # x used twice by one node
    y = a * x + a.tanh()  # a used by two nodes, x by two
    e = explain(y, x)
    y.backward()
    assert e.total == x.grad
    closed_form = 3 * 9.0 + 2 * 3.0 * (1 - math.tanh(9.0) ** 2)  # d/dx (x³ + tanh x²)
    assert math.isclose(e.total, closed_form, rel_tol=1e-12)
    # the one-step terms, added in backward's order, give the total exactly
    total = 0.0
    for term in e.one_step.terms:
        total += term.local * term.user_grad
    assert total == e.total
    assert [t.user for t in e.one_step.terms] == ["x*x*x", "x*x", "x*x"]
    assert e.path_count == len(e.paths) == 5
    assert math.isclose(sum(p.product for p in e.paths), e.total, rel_tol=1e-12)
    ea = explain(y, a)
    assert sorted(t.user for t in ea.one_step.terms) == sorted(["x*x*x", "tanh(x*x)"])
    assert ea.total == a.grad and ea.path_count == 2


def test_x_times_x_has_two_paths_each_x():
    x = Value(-1.5, label="x")
    y = x * x
    e = explain(y, x)
    assert e.path_count == 2 and [p.product for p in e.paths] == [-1.5, -1.5]
    assert e.total == -3.0
    assert "grad[x] = x × grad[x*x] + x × grad[x*x]" in str(e)


def test_past_max_paths_it_counts_them_and_recurses_with_the_one_step_form():
    x = Value(1.01, label="x")
    y = x
    for _ in range(12):  # each squaring doubles the paths: 2**12 of them
        y = y * y
    e = explain(y, x, max_paths=20)
    assert e.path_count == 4096 and e.paths == []
    assert len(e.chain) == 12 and e.chain[-1].name == "x*x"  # every node from the root down to x's user
    text = str(e)
    assert "4096 paths" in text and "max_paths=20" in text
    y.backward()
    assert e.total == x.grad
    assert explain(y, x, max_paths=5000).path_count == len(explain(y, x, max_paths=5000).paths) == 4096


def test_path_count_of_a_huge_graph_is_exact_without_enumerating():
    x = Value(1.0, label="x")
    y = x
    for _ in range(200):
        y = y + y  # 2**200 paths
    e = explain(y, x)
    assert e.path_count == 2 ** 200 and e.paths == []


def test_mlp_pre_activation_in_the_delta_rules_terms_matches_nn_deltas():
    model = nn.MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    x, t = [0.5, -1.0], [1.0, 0.0]
    loss = nn.deltas.objective(model, x, t)
    hand = nn.deltas.backprop(model, x, t)
    loss.backward()
    for layer, width in ((0, 3), (1, 2)):
        for j in range(width):
            v = _by_name(loss, f"L{layer}.N{j}.v")
            e = explain(loss, v, lecture=True)
            rule = e.delta_rule
            assert rule is not None and e.total == v.grad
            assert rule.delta == -e.total  # δ = −∂J/∂v, computed the delta rule's way, the same float
            assert math.isclose(rule.delta, hand.delta[layer][0, j], rel_tol=1e-9, abs_tol=1e-12)
            assert (rule.error is None) == (layer == 0)
            text = str(e)
            assert "delta rule (lecture notes on MLPs and error backpropagation)" in text
            if layer == 0:
                assert len(rule.feeds) == 2 and "δ_j = φ'(v_j) · Σ_l δ_l · w_lj" in text
                assert f"δ[L1.N0.v] · L1.N0.w{j}" in text
                y = hand.y[1][0, j]
                assert math.isclose(rule.phi_prime, y * (1 - y), rel_tol=1e-12)
            else:
                e_l = t[j] - hand.y[2][0, j]
                assert math.isclose(rule.error, e_l, rel_tol=1e-12)
    assert "seed" not in text.lower()


def test_constant_and_root():
    c = Value(2.0, requires_grad=False)
    x = Value(3.0, label="x")
    y = c * x
    e = explain(y, c)
    assert e.total == 0.0 and "constant" in str(e) and e.paths == []
    assert explain(y, y).total == 1.0


def test_bad_arguments_are_named():
    x = Value(1.0, label="x")
    y = x * 2
    with pytest.raises(TypeError, match="root"):
        explain(1.0, x)
    with pytest.raises(TypeError, match="node"):
        explain(y, "x")
    with pytest.raises(ValueError, match="node"):
        explain(y, Value(5.0))
    with pytest.raises(ValueError, match="max_paths"):
        explain(y, x, max_paths=0)
    with pytest.raises(ValueError, match="lecture"):
        explain(y, x, lecture=True)
    with pytest.raises(TypeError, match="lecture"):
        explain(y, x, lecture="yes")
    with pytest.raises(ValueError, match="root"):
        explain(Value(1.0, requires_grad=False) * 2, x)


def test_a_trace_not_of_root_is_refused_naming_tr():
    x = Value(1.5, label="x")
    y = x * x
    z = y * 3.0  # z's trace holds root y and x, but explains z's gradients, not y's
    with pytest.raises(ValueError, match=r"\btr\b"):
        explain(y, x, tr=trace(z))
    with pytest.raises(ValueError, match=r"\btr\b"):
        explain(y, x, tr=trace(Value(2.0) * x))  # another graph's trace
    with pytest.raises(TypeError, match=r"\btr\b"):
        explain(y, x, tr="abc")
    with pytest.raises(TypeError, match=r"\btr\b"):
        explain(y, x, tr=trace(y).nodes)
    assert explain(y, x, tr=trace(y)).total == 3.0  # 2x


def test_markdown_and_html_escape_user_labels():
    x = Value(2.0, label="<b>*x*</b>")
    y = x * x
    e = explain(y, x)
    assert "<b>*x*" not in e.to_html() and "&lt;b&gt;*x*" in e.to_html()
    assert r"\*x\*" in e.to_markdown().split("\n")[0] or "```" in e.to_markdown()
    assert r"\ast" in e.to_latex()


def test_an_explainer_explains_every_node_as_explain_does_with_one_backward(monkeypatch):
    import sys

    from viz.explain import Explainer

    explain_module = sys.modules["viz.explain"]  # viz.explain, the attribute, is the function

    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    v = x * w + x
    y = (v * v).tanh()
    tr = trace(y)
    runs = []
    counted = lambda *a, **k: runs.append(1) or gradients(*a, **k)  # noqa: E731
    monkeypatch.setattr(explain_module, "gradients", counted)
    everything = Explainer(tr).explain_all()
    assert len(runs) == 1  # one backward for the whole graph
    assert sorted(everything) == [i for i, node in enumerate(tr.nodes) if node.requires_grad]
    y.backward()
    for i, e in everything.items():
        alone = explain(y, tr.nodes[i])
        assert e.total == alone.total == tr.nodes[i].grad and str(e) == str(alone)
    assert everything[tr.index[x]].path_count == 4  # x: two uses, each through v twice in v*v


def test_an_explainer_checks_its_arguments_naming_them():
    from viz.explain import Explainer

    x = Value(1.0)
    y = x * x
    with pytest.raises(TypeError, match=r"\btr\b"):
        Explainer(y)
    with pytest.raises(ValueError, match="root"):
        Explainer(trace(Value(1.0, requires_grad=False) * 2))
    with pytest.raises(ValueError, match="node"):
        Explainer(trace(y)).explain(Value(2.0))
    with pytest.raises(ValueError, match="max_paths"):
        Explainer(trace(y)).explain_all(max_paths=0)
