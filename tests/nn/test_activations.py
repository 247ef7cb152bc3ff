"""Activation table and softmax."""

import math

import pytest

import autograd
from autograd import Value
from nn import activation, softmax


def test_activation_lookup_returns_the_engine_op():
    assert activation("tanh")(Value(0.5)).op == "tanh"
    assert activation("linear")(Value(0.5)).data == 0.5
    with pytest.raises(TypeError, match="name"):
        activation(None)


def test_softmax_values_and_jacobian():
    zs = [Value(1.0), Value(-0.5), Value(2.0)]
    ps = softmax(zs)
    e = [math.exp(z.data) for z in zs]
    p = [x / sum(e) for x in e]
    assert [q.data for q in ps] == pytest.approx(p)
    # ∂p_i/∂z_j = p_i (δ_ij - p_j)
    for i in range(3):
        grads = autograd.grad(ps[i], zs)
        assert grads == pytest.approx([p[i] * ((i == j) - p[j]) for j in range(3)])


def test_softmax_is_stable_for_huge_logits():
    ps = softmax([Value(1000.0), Value(-1000.0), Value(1000.0)])
    assert [p.data for p in ps] == [0.5, 0.0, 0.5]
    with pytest.raises(ValueError, match="empty"):
        softmax([])


@pytest.mark.parametrize("bad", [Value(1.0), None, "ab"])
def test_softmax_names_values_that_are_not_a_sequence(bad):
    with pytest.raises(TypeError, match="values"):
        softmax(bad)


def test_activations_mapping_answers_in_and_get_like_a_dict():
    from autograd import OPS
    from nn import ACTIVATIONS

    listed = list(ACTIVATIONS)
    assert "foo" not in ACTIVATIONS and ACTIVATIONS.get("foo") is None
    assert None not in ACTIVATIONS and ACTIVATIONS.get(3) is None
    with pytest.raises(KeyError, match="foo"):
        ACTIVATIONS["foo"]
    # `in` agrees with iteration: a unary op the table does not mark (sin) is not listed
    assert [name for name in ["linear", *OPS, "softmax"] if name in ACTIVATIONS] == listed
    assert "sin" not in ACTIVATIONS and "tanh" in ACTIVATIONS
    for name in listed:
        y = ACTIVATIONS[name](Value(0.25))
        assert y.op == ("" if name == "linear" else name)


def test_a_neuron_builds_any_unary_op_it_accepts_unlisted_ones_included():
    from nn import Neuron

    for name, phi in (("sin", math.sin), ("tanh", math.tanh), ("linear", lambda v: v)):
        n = Neuron(2, name, weights=[0.5, -1.0], bias=0.25)
        y = n([2.0, 0.5])
        assert y.data == pytest.approx(phi(0.5 * 2.0 - 1.0 * 0.5 + 0.25), rel=1e-15)
        assert y.op == ("dot" if name == "linear" else name)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("as_value", [False, True])
def test_softmax_refuses_non_finite_values_naming_them(bad, as_value):
    with pytest.raises(ValueError, match=r"values\[0\]"):
        softmax([Value(bad) if as_value else bad, 1.0])
    with pytest.raises(ValueError, match=r"values\[1\]"):
        softmax([Value(1.0), Value(bad) if as_value else bad])
