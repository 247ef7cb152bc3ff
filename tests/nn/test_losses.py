"""Losses: values and gradients against closed forms, stability, and input checks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from nn import Layer, Neuron, binary_cross_entropy, cross_entropy, hinge, huber, l2_penalty, mae, mse


def sigmoid(z):
    return 0.5 * (1 + math.tanh(z / 2))  # an identity that cannot overflow


def test_mse_and_its_gradient():
    p = [Value(1.0), Value(-2.0)]
    loss = mse(p, [0.5, 1.0])
    assert loss.data == pytest.approx((0.25 + 9.0) / 2)
    assert autograd.grad(loss, p) == pytest.approx([0.5, -3.0])  # (p - t) for n = 2
    assert mse(Value(3.0), 1).data == 4.0


def test_mae_and_its_gradient():
    p = [Value(1.0), Value(-2.0), Value(4.0)]
    loss = mae(p, [0.5, 1.0, 4.0])
    assert loss.data == pytest.approx(3.5 / 3)
    assert autograd.grad(loss, p) == pytest.approx([1 / 3, -1 / 3, 0.0])


@pytest.mark.parametrize("r, value, slope", [(0.5, 0.125, 0.5), (-0.8, 0.32, -0.8), (3.0, 2.5, 1.0), (-2.0, 1.5, -1.0)])
def test_huber_quadratic_inside_linear_outside(r, value, slope):
    p = Value(r + 1.0)
    loss = huber(p, 1.0)
    assert loss.data == pytest.approx(value)
    assert autograd.grad(loss, [p]) == pytest.approx((slope,))
    assert huber(Value(5.0), 0.0, delta=2.0).data == pytest.approx(2.0 * (5.0 - 1.0))


@pytest.mark.parametrize("z, t", [(0.3, 1.0), (-1.7, 0.0), (2.0, 0.25)])
def test_bce_from_logits_equals_the_textbook_form_and_gradient_is_sigma_minus_t(z, t):
    zv = Value(z)
    loss = binary_cross_entropy(zv, t)
    s = sigmoid(z)
    assert loss.data == pytest.approx(-t * math.log(s) - (1 - t) * math.log(1 - s))
    assert autograd.grad(loss, [zv]) == pytest.approx((s - t,))


def test_sigmoid_neuron_with_bce_gives_delta_p_minus_t():
    n = Neuron(2, "sigmoid", weights=[0.4, -0.6], bias=0.1)
    layer_v = n.preactivation([1.0, 2.0])
    y = layer_v.sigmoid()
    loss = binary_cross_entropy(layer_v, 1.0)
    (dv,) = autograd.grad(loss, [layer_v])
    assert dv == pytest.approx(y.data - 1.0)


@pytest.mark.parametrize("z, t, expected", [(1000.0, 0.0, 1000.0), (-1000.0, 1.0, 1000.0), (1000.0, 1.0, 0.0),
                                            (-1000.0, 0.0, 0.0)])
def test_bce_is_finite_for_huge_logits(z, t, expected):
    zv = Value(z)
    loss = binary_cross_entropy(zv, t)
    assert loss.data == pytest.approx(expected)
    (g,) = autograd.grad(loss, [zv])
    assert g == pytest.approx(sigmoid(z) - t)


def test_cross_entropy_value_and_gradient_p_minus_onehot():
    zs = [Value(0.5), Value(-1.0), Value(2.0)]
    loss = cross_entropy(zs, 1)
    e = [math.exp(z.data) for z in zs]
    p = [x / sum(e) for x in e]
    assert loss.data == pytest.approx(-math.log(p[1]))
    assert autograd.grad(loss, zs) == pytest.approx([p[0], p[1] - 1, p[2]])


def test_softmax_layer_with_cross_entropy_gives_delta_p_minus_onehot():
    layer = Layer(2, 3, "softmax", seed=0)
    vs, ys = layer.forward([0.7, -0.3])
    loss = cross_entropy(vs, 2)
    grads = autograd.grad(loss, vs)
    assert grads == pytest.approx([ys[0].data, ys[1].data, ys[2].data - 1])


def test_cross_entropy_is_finite_for_huge_logits():
    zs = [Value(1000.0), Value(-1000.0)]
    loss = cross_entropy(zs, 1)
    assert loss.data == pytest.approx(2000.0)
    assert autograd.grad(loss, zs) == pytest.approx([1.0, -1.0])
    assert cross_entropy([Value(1000.0), Value(-1000.0)], 0).data == 0.0


def test_hinge_values_and_gradient():
    p = [Value(0.3), Value(-2.0), Value(0.5)]
    loss = hinge(p, [1, -1, -1])
    assert loss.data == pytest.approx((0.7 + 0.0 + 1.5) / 3)
    assert autograd.grad(loss, p) == pytest.approx([-1 / 3, 0.0, 1 / 3])


def test_l2_penalty_and_gradient():
    ps = [Value(1.0), Value(-3.0)]
    pen = l2_penalty(ps, 0.5)
    assert pen.data == 5.0
    assert autograd.grad(pen, ps) == pytest.approx([1.0, -3.0])  # 2·alpha·p


@pytest.mark.parametrize("call, error, name", [
    (lambda: mse([Value(1.0), Value(2.0)], [1, 2, 3]), ValueError, "prediction has 2.*target has 3"),
    (lambda: mse([], []), ValueError, "prediction is empty"),
    (lambda: mse(Value(1.0), "1"), TypeError, "target"),
    (lambda: mse(["a"], [1.0]), TypeError, r"prediction\[0\]"),
    (lambda: mae(Value(1.0), [1.0, None]), TypeError, r"target\[1\]"),
    (lambda: binary_cross_entropy(Value(0.0), 2), ValueError, r"target.*\[0, 1\].*2"),
    (lambda: hinge(Value(0.0), 0), ValueError, "target.*-1 or \\+1"),
    (lambda: hinge([Value(0.0)] * 2, [1, 0.5]), ValueError, r"target\[1\]"),
    (lambda: cross_entropy([Value(0.0)] * 3, 3), ValueError, "target_index.*3"),
    (lambda: cross_entropy([Value(0.0)] * 3, -1), ValueError, "target_index"),
    (lambda: cross_entropy([Value(0.0)] * 3, 1.0), TypeError, "target_index"),
    (lambda: cross_entropy([Value(0.0)] * 3, math.nan), TypeError, "target_index"),
    (lambda: cross_entropy(Value(0.0), 0), TypeError, "logits"),
    (lambda: cross_entropy([], 0), ValueError, "logits"),
    (lambda: huber(Value(0.0), 0.0, delta=0), ValueError, "delta"),
    (lambda: huber(Value(0.0), 0.0, delta=math.nan), ValueError, "delta"),
    (lambda: l2_penalty([Value(1.0)], -1), ValueError, "alpha"),
    (lambda: l2_penalty([Value(1.0)], "1"), TypeError, "alpha"),
    (lambda: l2_penalty([1.0]), TypeError, r"parameters\[0\]"),
    (lambda: l2_penalty([]), ValueError, "parameters"),
])
def test_loss_input_errors_name_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


LOSSES = {"mse": mse, "mae": mae, "huber": huber, "binary_cross_entropy": binary_cross_entropy, "hinge": hinge}


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
@pytest.mark.parametrize("many", [False, True])
def test_every_loss_refuses_non_finite_targets_the_same_way(loss, bad, many):
    """The hinge loss once took NaN as the label -1 and inf as +1; now every loss says no alike."""
    prediction, target = ([Value(0.5), Value(0.5)], [1.0, bad]) if many else (Value(0.5), bad)
    with pytest.raises(ValueError, match=r"target(\[1\])? must be finite"):
        LOSSES[loss](prediction, target)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=1, max_size=5), st.data())
def test_cross_entropy_gradient_is_p_minus_onehot_for_any_logits(logits, draw):
    k = draw.draw(st.integers(0, len(logits) - 1))
    zs = [Value(z) for z in logits]
    m = max(logits)
    e = [math.exp(z - m) for z in logits]
    p = [x / sum(e) for x in e]
    assert autograd.grad(cross_entropy(zs, k), zs) == pytest.approx([q - (i == k) for i, q in enumerate(p)], abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 50), st.floats(0, 1))
def test_bce_gradient_is_sigma_minus_t_for_any_logit(z, t):
    zv = Value(z)
    assert autograd.grad(binary_cross_entropy(zv, t), [zv]) == pytest.approx((sigmoid(z) - t,), abs=1e-12)


def test_a_zero_dimensional_numpy_target_is_one_number():
    p = Value(0.25)
    loss = mse(p, np.asarray(1.0))  # what np.asarray(y)[i] gives for a 0-d y
    assert loss.data == (0.25 - 1.0) ** 2
    loss.backward()
    assert p.grad == 2 * (0.25 - 1.0)
    assert binary_cross_entropy(Value(0.0), np.asarray(1)).data == math.log(2)


@pytest.mark.parametrize("bad", [Value(1.0), None, 3.0])
def test_l2_penalty_names_parameters_that_are_not_an_iterable(bad):
    with pytest.raises(TypeError, match=f"parameters.*{type(bad).__name__}"):
        l2_penalty(bad)
