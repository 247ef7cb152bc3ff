"""viz.diagnose: a learner's gradients graded, with one planted slip of each kind."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from .test_program import _NUMBERS, _STEP, _build
from .viz_testing import lecture_neuron

import nn
from autograd import Value
from viz import Diagnosis, diagnose, trace
from viz.diagnose import agrees


def _correct(root: Value) -> dict[str, float]:
    """Every node's gradient by its picture name (constants left out), from backward."""
    root.backward()
    tr = trace(root)
    return {tr.name(i): node.grad for i, node in enumerate(tr.nodes) if node.requires_grad}


def _verdicts(report: Diagnosis) -> dict[str, str]:
    return {row.name: row.verdict for row in report.rows}


def _significant(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


# The tanh neuron of micrograd's lecture: o = tanh(x1*w1 + x2*w2 + b) = 1/√2, so 1 − o² = 0.5,
# ∂o/∂w1 = x1 × 0.5 = 1, ∂o/∂x1 = w1 × 0.5 = −1.5, ∂o/∂w2 = x2 × 0.5 = 0, ∂o/∂x2 = w2 × 0.5 = 0.5.
HAND = {"o": 1.0, "v": 0.5, "b": 0.5, "x1*w1": 0.5, "x2*w2": 0.5, "w1": 1.0, "x1": -1.5, "w2": 0.0,
        "x2": 0.5}


def test_the_lectures_hand_answers_are_all_correct():
    n = lecture_neuron()
    report = diagnose(n.o, HAND)
    assert report.ok and report.first_wrong is None
    assert set(_verdicts(report).values()) == {"correct"}
    assert [row.name for row in report.rows][0] == "o"  # backward's order: the root first
    correct = _correct(n.o)
    assert {row.name: row.correct for row in report.rows} == {name: correct[name] for name in HAND}


@pytest.mark.parametrize("digits", [3, 6])
def test_a_correct_set_rounded_is_correct(digits):
    for root in (lecture_neuron().o, lecture_neuron(use_dot=True).o, _used_twice()[0]):
        answers = {name: _significant(g, digits) for name, g in _correct(root).items()}
        report = diagnose(root, answers)
        assert report.ok, str(report)


def test_agreement_is_to_the_digits_written():
    assert agrees(0.0432, 0.043152) and not agrees(0.0431, 0.043152)
    assert agrees(1230.0, 1234.5) and not agrees(1240.0, 1234.5)  # 3 significant digits
    assert not agrees("1230.0", 1234.5)  # a str's trailing zeros count
    assert not agrees(0.0, 0.3) and not agrees(2.0, 1.6)  # at least two significant digits count
    x = Value(5.0, label="x")
    y = x * 0.043152
    assert diagnose(y, {"x": 0.0432}).ok
    report = diagnose(y, {"x": 0.0431})
    assert not report.ok and report.first_wrong == "x"


def test_sign():
    n = lecture_neuron()
    report = diagnose(n.o, HAND | {"w1": -1.0})
    assert _verdicts(report)["w1"] == "sign" and report.first_wrong == "w1"
    assert sum(v != "correct" for v in _verdicts(report).values()) == 1


def test_factor():
    n = lecture_neuron()
    report = diagnose(n.o, HAND | {"x1": -3.0})
    (row,) = [row for row in report.rows if row.name == "x1"]
    assert row.verdict == "factor" and "twice" in row.why and report.first_wrong == "x1"


def test_local_derivative_at_the_operand_instead_of_the_output():
    n = lecture_neuron()
    slip = round(1 - n.v.data ** 2, 4)  # 1 − v² = 0.2232 where 1 − o² = 0.5 was meant
    answers = HAND | {"v": slip, "b": slip, "x1*w1": slip, "x2*w2": slip, "w1": 2 * slip,
                      "x1": round(-3 * slip, 4), "x2": slip}
    report = diagnose(n.o, answers)
    verdicts = _verdicts(report)
    assert verdicts["v"] == "local derivative" and report.first_wrong == "v"
    (row,) = [row for row in report.rows if row.name == "v"]
    assert "v → o" in row.why and "1 − o²" in row.why and "1 − x²" in row.why
    # the rest follows from the learner's v: carried, not blamed again
    assert {verdicts[k] for k in ("b", "x1*w1", "x2*w2", "w1", "x1", "x2")} == {"carried"}
    assert verdicts["w2"] == "correct"  # 0 whatever v is


def test_local_derivative_of_a_product_with_its_own_operand():
    n = lecture_neuron()
    report = diagnose(n.o, HAND | {"w1": -1.5})  # w1 × grad[x1*w1] instead of x1 × grad[x1*w1]
    (row,) = [row for row in report.rows if row.name == "w1"]
    assert row.verdict == "local derivative" and "w1 → x1*w1" in row.why
    assert report.first_wrong == "w1"


def test_the_tanh_derivative_left_out_when_the_intermediate_is_not_given():
    n = lecture_neuron()
    report = diagnose(n.o, {"o": 1.0, "w1": 2.0})  # x1 × 1: tanh's 1 − o² taken as 1
    (row,) = [row for row in report.rows if row.name == "w1"]
    assert row.verdict == "local derivative" and "v → o" in row.why and "taken as 1" in row.why
    assert report.first_wrong == "w1"


def _used_twice() -> tuple[Value, dict[str, Value]]:
    """f = (a*b) * (a + b) with a = 3, b = -2: a is used twice. ∂f/∂a = b(a + b) + ab = -2 - 6 = -8
    (paths a → a*b → f: -2 × 1 = -2; a → a + b → f: 1 × -6 = -6)."""
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    d, e = a * b, a + b
    d.label, e.label = "d", "e"
    f = d * e
    f.label = "f"
    return f, {"a": a, "b": b, "d": d, "e": e}


def test_missing_path_when_a_node_is_used_twice():
    f, nodes = _used_twice()
    assert _correct(f)["a"] == -8.0
    report = diagnose(f, {"f": 1.0, "d": 1.0, "e": -6.0, "a": -6.0})  # = for +=: only the last term
    (row,) = [row for row in report.rows if row.name == "a"]
    assert row.verdict == "missing path" and "a → d" in row.why and report.first_wrong == "a"
    report = diagnose(f, {"a": -2.0})  # the other path only, with nothing else given
    (row,) = report.rows
    assert row.verdict == "missing path" and "a → e → f" in row.why


def test_missing_path_of_micrographs_a_plus_a():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    report = diagnose(b, {"a": 1.0})  # the lecture's bug: a.grad = 1.0 * out.grad, set twice
    assert _verdicts(report) == {"a": "missing path"} and report.first_wrong == "a"


def test_carried_errors_are_credited_and_the_first_wrong_is_where_it_enters():
    n = lecture_neuron()
    # v wrong (0.7 for 0.5), everything below it redone correctly from 0.7
    answers = HAND | {"v": 0.7, "b": 0.7, "x1*w1": 0.7, "x2*w2": 0.7, "w1": 1.4, "x1": -2.1,
                      "x2": 0.7}
    report = diagnose(n.o, answers)
    verdicts = _verdicts(report)
    assert verdicts["v"] == "wrong" and report.first_wrong == "v"
    assert {verdicts[k] for k in ("b", "x1*w1", "x2*w2", "w1", "x1", "x2")} == {"carried"}
    (row,) = [row for row in report.rows if row.name == "x1*w1"]
    assert "your own v" in row.why and "0.7" in row.why
    # a slip of its own on top of a carried error is a slip, not carried: a sign here
    report = diagnose(n.o, answers | {"x1": 2.1})
    assert _verdicts(report)["x1"] == "sign" and report.first_wrong == "v"


def test_a_correct_number_from_the_learners_own_rounded_number_is_correct():
    x = Value(1.0, label="x")
    t = x * 2.37
    t.label = "t"
    y = t * 0.043152
    # grad[t] = 0.043152, written 0.0432; then grad[x] = 2.37 × 0.0432 = 0.102384, written 0.1024,
    # where 2.37 × 0.043152 = 0.10227 would be 0.1023
    report = diagnose(y, {"t": 0.0432, "x": 0.1024})
    assert report.ok, str(report)


def test_wrong_shows_the_correct_computation():
    n = lecture_neuron()
    report = diagnose(n.o, HAND | {"x1": 7.25})
    (row,) = [row for row in report.rows if row.name == "x1"]
    assert row.verdict == "wrong"
    assert "grad[x1] = w1 × grad[x1*w1]" in row.why
    assert "-3.0 × 0.5" in row.why and "= -1.5" in row.why


def test_nn_model_hidden_weight_with_a_flipped_sign():
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    loss = nn.mse(model([0.5, -1.0]), 1.0)
    answers = _correct(loss)
    answers = {k: v for k, v in answers.items() if k.startswith("L")}  # the parameters and units
    answers["L0.N1.w0"] = -answers["L0.N1.w0"]
    report = diagnose(loss, answers)
    assert report.first_wrong == "L0.N1.w0" and _verdicts(report)["L0.N1.w0"] == "sign"


def test_names_are_the_pictures_labels_and_n_i():
    n = lecture_neuron()
    tr = trace(n.o)
    v = f"n{tr.index[n.v]}"  # v's position: an alias of its label
    report = diagnose(n.o, {v: 0.5, "w1": 1.0, "x1*w1": 0.5})
    assert report.ok and [row.name for row in report.rows] == [v, "x1*w1", "w1"]
    with pytest.raises(ValueError, match="twice"):
        diagnose(n.o, {v: 0.5, "v": 0.5})


def test_text_markdown_and_table():
    n = lecture_neuron()
    report = diagnose(n.o, HAND | {"w1": -1.0})
    text = str(report)
    assert "verdict" in text and "sign" in text and "first error enters at w1" in text
    markdown = report.to_markdown()
    assert markdown == report._repr_markdown_()
    assert "| name | yours | correct | verdict | why |" in markdown
    assert "| w1 | -1 | 1.0 | sign |" in markdown


def test_bad_answers_name_themselves():
    n = lecture_neuron()
    with pytest.raises(ValueError, match="'nope'") as error:
        diagnose(n.o, {"nope": 1.0})
    assert "x1" in str(error.value)  # lists valid names
    with pytest.raises(ValueError, match="'w1'"):
        diagnose(n.o, {"w1": math.nan})
    with pytest.raises(TypeError, match="'w1'"):
        diagnose(n.o, {"w1": [1.0]})
    with pytest.raises(ValueError, match="'w1'"):
        diagnose(n.o, {"w1": "one"})  # a str is read as written ("1.0" is fine)
    with pytest.raises(TypeError, match="answers"):
        diagnose(n.o, [("w1", 1.0)])
    with pytest.raises(TypeError, match="root"):
        diagnose(1.0, {})
    y = n.x1 * 2.0
    with pytest.raises(ValueError, match="'2'"):
        diagnose(y, {"2": 0.0})  # a constant has no gradient


def test_doctests():
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module("viz.diagnose")).failed == 0


# -- random graphs over every op (the recipes of test_program) --------------------------------


@settings(max_examples=150, deadline=None)
@given(leaves=st.lists(_NUMBERS, min_size=1, max_size=4),
       steps=st.lists(_STEP, min_size=1, max_size=10),
       digits=st.sampled_from([3, 6, 17]), pick=st.integers(0, 1000))
def test_random_graphs_rounded_answers_are_correct_and_a_flipped_sign_is_found(leaves, steps,
                                                                                digits, pick):
    root = _build(leaves, [f"x{i}" for i in range(len(leaves))], steps)
    if root is None:
        return
    correct = {name: g for name, g in _correct(root).items() if math.isfinite(g)}
    answers = {name: _significant(g, digits) for name, g in correct.items()}
    assert diagnose(root, answers).ok
    flippable = sorted(name for name, g in answers.items() if abs(g) > 1e-12)
    if flippable:
        name = flippable[pick % len(flippable)]
        report = diagnose(root, answers | {name: -answers[name]})
        assert report.first_wrong == name and _verdicts(report)[name] == "sign"
        assert sum(row.verdict != "correct" for row in report.rows) == 1


def test_the_step_page_opens_at_the_first_wrong_answer_with_the_learners_numbers(tmp_path):
    import json
    import re

    n = lecture_neuron()
    report = diagnose(n.o, HAND | {"w1": -1.0, "x1": "-1.50"})
    page = report.step_page(tmp_path / "page.html")
    assert page.path.exists()
    data = json.loads(re.search(r'class="data">(.*?)</script>', page.html, re.S)[1])
    tr = trace(n.o)
    w1, x1 = tr.names.index("w1"), tr.names.index("x1")
    assert data["predict"] is True and data["start"] == data["final"][w1]
    assert data["yours"][str(w1)]["right"] is False and data["yours"][str(w1)]["yours"] == "-1.0"
    assert data["yours"][str(w1)]["note"].startswith("sign: ")
    assert data["yours"][str(x1)]["yours"] == "-1.50" and "note" not in data["yours"][str(x1)]
    assert len(data["yours"]) == len(HAND)
