"""``deltagrad example``: the published numbers, typed in here from the sources, against deltagrad's
to the digits each source prints."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from deltagrad.cli import main
from deltagrad.example import EXAMPLES

# As printed by the sources (Mazur 2015; micrograd README; micrograd lecture).
PUBLISHED = {
    "mazur": {"E_total (J)": "0.298371109", "w5 after one update": "0.35891648",
              "w6 after one update": "0.408666186", "w7 after one update": "0.511301270",
              "w8 after one update": "0.561370121", "w1 after one update": "0.149780716",
              "w2 after one update": "0.19956143", "w3 after one update": "0.24975114",
              "w4 after one update": "0.29950229"},
    "micrograd": {"g.data": "24.7041", "a.grad": "138.8338", "b.grad": "645.5773"},
    "tanh-neuron": {"o": "0.7071", "x1.grad": "-1.5", "w1.grad": "1.0", "x2.grad": "0.5",
                    "w2.grad": "0.0"},
}


def run(capsys, *argv):
    try:
        status = main(["example", *argv])
    except SystemExit as exit_:
        status = exit_.code
    return status, *capsys.readouterr()


@pytest.mark.parametrize("name", PUBLISHED)
def test_deltagrad_rounds_to_the_published_digits(name):
    values = {quantity: value for quantity, _, value in EXAMPLES[name]().rows}
    for quantity, printed in PUBLISHED[name].items():
        decimals = len(printed.split(".")[1])
        assert f"{values[quantity]:.{decimals}f}" == printed, quantity


def mazur_by_hand(hidden_uses_new_output_weights):
    """Mazur's network in NumPy: the error after one step of lr 0.5, biases fixed."""
    def sigmoid(v):
        return 1 / (1 + np.exp(-v))
    x, t = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    W1, W2 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])
    h = sigmoid(W1 @ x + 0.35)
    o = sigmoid(W2 @ h + 0.60)
    delta_o = (t - o) * o * (1 - o)
    W2_new = W2 + 0.5 * np.outer(delta_o, h)
    delta_h = h * (1 - h) * ((W2_new if hidden_uses_new_output_weights else W2).T @ delta_o)
    W1_new = W1 + 0.5 * np.outer(delta_h, x)
    o_new = sigmoid(W2_new @ sigmoid(W1_new @ x + 0.35) + 0.60)
    return 0.5 * np.sum((t - o_new) ** 2)


def test_mazurs_error_after_the_update_and_his_erratum():
    rows = {q: (printed, value) for q, printed, value in EXAMPLES["mazur"]().rows}
    printed, value = rows["E_total after the update"]
    assert printed == "0.291027924"
    assert math.isclose(value, mazur_by_hand(False), rel_tol=1e-12)
    assert f"{value:.9f}" == "0.291027774"  # as described: not his number
    assert f"{mazur_by_hand(True):.9f}" == "0.291027924"  # his number, with the new w5..w8
    variant = rows["  same, hidden δ with the new w5..w8"][1]
    assert math.isclose(variant, mazur_by_hand(True), rel_tol=1e-12)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_command_prints_both_and_exits_0(capsys, name):
    status, out, _ = run(capsys, name)
    assert status == 0
    for printed in PUBLISHED[name].values():
        assert out.count(printed) >= 2  # the published number and deltagrad's to the same digits
    assert "NO" not in out


def test_mazur_states_the_bias_convention(capsys):
    out = run(capsys, "mazur")[1]
    assert "one bias per layer" in out and "not updated" in out and "erratum" in out


def test_steps_writes_the_page(tmp_path, capsys):
    page = tmp_path / "tanh.html"
    status, out, _ = run(capsys, "tanh-neuron", "--steps", str(page))
    assert status == 0 and page.exists() and "predict mode" in page.read_text()
    data = json.loads(re.search(r'class="data">(.*?)</script>', page.read_text(), re.S)[1])
    assert data["predict"] is True  # it opens asking for each gradient


@pytest.mark.parametrize("argv", [["nope"], ["mazur", "--steps", "x.png"]])
def test_bad_arguments_exit_2(capsys, argv):
    status, _, err = run(capsys, *argv)
    assert status == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
