"""viz.formulas: the one renderer of the op table's formula texts (φ′ for pictures and pages)."""

from __future__ import annotations

import pytest

from autograd import OPS, Value, register_op
from nn import ACTIVATIONS
from viz import derivative_text, local_formula, trace
from viz.formulas import fill


@pytest.mark.parametrize(
    "activation, text",
    [
        ("linear", "1"),
        ("sigmoid", "y(1 − y)"),  # the table's juxtaposition stays where y stays y
        ("tanh", "1 − y²"),
        ("relu", "1 if v > 0 else 0"),
        ("leaky_relu", "1 if v > 0 else slope"),
        ("elu", "1 if v > 0 else alpha·eᵛ"),
        ("selu", "λ if v > 0 else λα·eᵛ"),
        ("softplus", "σ(v)"),
        ("step", "0"),
    ],
)
def test_phi_prime_of_each_activation_in_v_and_y(activation, text):
    assert derivative_text(activation) == text


def test_every_activation_has_a_text_with_no_x_left():
    for name in ACTIVATIONS:
        text = derivative_text(name)
        assert text and "x" not in text and "eˣ" not in text, (name, text)


def test_longer_names_get_a_visible_product_and_exp():
    assert derivative_text("sigmoid", output="o") == "o·(1 − o)"
    assert derivative_text("elu", operand="L0.N1.v") == "1 if L0.N1.v > 0 else alpha·exp(L0.N1.v)"
    assert derivative_text("exp", operand="z", output="L0.N0.y") == "L0.N0.y"


def test_an_op_without_a_formula_is_the_generic_quotient():
    register_op("cube_f", lambda a: a ** 3, lambda y, a: (3 * a * a,))
    try:
        assert derivative_text("cube_f") == "∂y/∂v"
    finally:
        del OPS["cube_f"]


def test_fill_only_replaces_whole_words():
    assert fill("3x² + x1 + xy", {"x": "v"}) == "3·v² + x1 + xy"
    assert fill("1 if x > 0 else alpha·eˣ", {"x": "v", "alpha": "0.5"}) == "1 if v > 0 else 0.5·eᵛ"


def test_local_formula_and_derivative_text_say_the_same_for_a_neuron():
    v = Value(0.3, label="v")
    for name in ("sigmoid", "tanh", "elu", "softplus"):
        y = v.apply(name)
        y.label = "y"
        tr = trace(y)
        assert local_formula(tr, tr.edges[0]) == derivative_text(name), name
