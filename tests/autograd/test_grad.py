"""``autograd.grad``: first derivatives without touching ``.grad``, and higher ones with create_graph."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, grad, topological_order

POINTS = st.floats(-3.0, 3.0)


def test_first_order_matches_backward_and_leaves_grad_alone():
    x, y = Value(0.5), Value(-2.0)
    z = x * y + x.sin()
    gx, gy = grad(z, [x, y])
    assert (gx, gy) == (pytest.approx(-2.0 + math.cos(0.5)), 0.5)
    assert x.grad == 0.0 and y.grad == 0.0 and z.grad == 0.0


def test_unrelated_input_gets_zero_and_a_single_value_is_accepted():
    x, other = Value(1.0), Value(2.0)
    assert grad(x * 3, [x, other]) == (3.0, 0.0)
    assert grad(x * 3, x) == (3.0,)
    (g,) = grad(x * 3, [other], create_graph=True)
    assert isinstance(g, Value) and g.data == 0.0


def test_argument_errors():
    with pytest.raises(TypeError, match="output"):
        grad(1.0, [Value(1.0)])
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        grad(Value(1.0), [Value(1.0), 2.0])
    for bad in (None, 3, "x"):
        with pytest.raises(TypeError, match="inputs"):
            grad(Value(1.0), bad)


def second(f, x):
    v = Value(x)
    (first,) = grad(f(v), [v], create_graph=True)
    (result,) = grad(first, [v], create_graph=True)
    return first, result


@settings(max_examples=40, deadline=None)
@given(POINTS)
def test_second_derivative_of_tanh(x):
    first, second_ = second(Value.tanh, x)
    t = math.tanh(x)
    assert first.data == pytest.approx(1 - t * t, rel=1e-12, abs=1e-15)
    assert second_.data == pytest.approx(-2 * t * (1 - t * t), rel=1e-9, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(POINTS)
def test_second_derivative_of_cube(x):
    first, second_ = second(lambda v: v**3, x)
    assert first.data == pytest.approx(3 * x * x, rel=1e-12, abs=1e-300)
    assert second_.data == pytest.approx(6 * x, rel=1e-12, abs=1e-300)


@settings(max_examples=30, deadline=None)
@given(POINTS)
def test_third_derivatives(x):
    v = Value(x)
    g = v**4
    for _ in range(3):
        (g,) = grad(g, [v], create_graph=True)
    assert g.data == pytest.approx(24 * x, rel=1e-12, abs=1e-300)
    s = v.sin()
    for _ in range(3):
        (s,) = grad(s, [v], create_graph=True)
    assert s.data == pytest.approx(-math.cos(x), rel=1e-12, abs=1e-15)


@settings(max_examples=30, deadline=None)
@given(POINTS, POINTS)
def test_mixed_partials_of_x_y_exp_x(x, y):
    # f = x*y*e^x: f_x = y e^x (1+x), f_y = x e^x, f_xy = f_yx = e^x (1+x), f_xx = y e^x (2+x), f_yy = 0
    a, b = Value(x), Value(y)
    fx, fy = grad(a * b * a.exp(), [a, b], create_graph=True)
    e = math.exp(x)
    assert fx.data == pytest.approx(y * e * (1 + x), rel=1e-12, abs=1e-12)
    assert fy.data == pytest.approx(x * e, rel=1e-12, abs=1e-12)
    fxx, fxy = grad(fx, [a, b], create_graph=True)
    fyx, fyy = grad(fy, [a, b], create_graph=True)
    assert fxy.data == pytest.approx(e * (1 + x), rel=1e-12, abs=1e-12)
    assert fyx.data == pytest.approx(e * (1 + x), rel=1e-12, abs=1e-12)
    assert fxx.data == pytest.approx(y * e * (2 + x), rel=1e-12, abs=1e-12)
    assert fyy.data == 0.0


def sigma(x):
    return 1 / (1 + math.exp(-x))


SECOND_DERIVATIVES = [  # (function, closed-form second derivative, points)
    (Value.sigmoid, lambda x: sigma(x) * (1 - sigma(x)) * (1 - 2 * sigma(x)), (0.7, -0.4)),
    (Value.softplus, lambda x: sigma(x) * (1 - sigma(x)), (0.7, -0.4)),  # softplus'' = σ'
    (Value.exp, math.exp, (0.7, -0.4)),
    (Value.log, lambda x: -1 / x**2, (0.7, 2.5)),
    (Value.sqrt, lambda x: -0.25 * x**-1.5, (0.7, 2.5)),
    (Value.cos, lambda x: -math.cos(x), (0.7, -0.4)),
    (lambda v: 1 / v, lambda x: 2 / x**3, (0.7, -0.4)),
    (lambda v: 2**v, lambda x: math.log(2) ** 2 * 2**x, (0.7, -0.4)),
    (Value.elu, math.exp, (-0.7, -0.4)),  # the negative side; the positive side is linear
    (Value.selu, lambda x: 1.0507009873554805 * 1.6732632423543772 * math.exp(x), (-0.7, -0.4)),
]


@pytest.mark.parametrize("f, expected, points", SECOND_DERIVATIVES)
def test_second_derivatives_of_other_ops(f, expected, points):
    for x in points:
        _, result = second(f, x)
        assert result.data == pytest.approx(expected(x), rel=1e-10)


def test_create_graph_records_a_graph_that_backward_can_use():
    x = Value(1.3)
    (dx,) = grad(x**3, [x], create_graph=True)
    dx.backward()
    assert x.grad == pytest.approx(6 * 1.3, rel=1e-12)


def test_create_graph_adds_no_node_for_a_zero_start():
    # ∂(x·x)/∂x with create_graph is x·1 + x·1 (the seed 1 a constant): five nodes, no "0 + ..."
    x = Value(3.0)
    (g,) = grad(x * x, x, create_graph=True)
    nodes = topological_order(g)
    assert g.data == 6.0 and len(nodes) == 5
    assert sorted(node.op for node in nodes) == ["", "", "add", "mul", "mul"]


def test_a_failure_part_way_leaves_every_grad_as_it_was():
    from autograd import detect_anomaly
    from autograd.functional import NO_GRADIENT, gradients

    x = Value(0.0)
    y = x.sqrt() + x
    with detect_anomaly(), pytest.raises(FloatingPointError):
        grad(y, [x], create_graph=True)  # sqrt'(0) = inf, mid-way through the backward pass
    nodes = topological_order(y)
    assert all(type(node.grad) is float and node.grad == 0.0 for node in nodes)
    x.grad = 5.0
    with pytest.raises(TypeError):
        gradients(nodes, "not a seed")
    assert x.grad == 5.0 and all(node.grad is not NO_GRADIENT for node in nodes)


def test_grad_stops_at_a_non_finite_gradient_under_detect_anomaly_as_backward_does():
    from autograd import detect_anomaly

    x = Value(0.0)
    with detect_anomaly():
        with pytest.raises(FloatingPointError):
            x.sqrt().backward()
        with pytest.raises(FloatingPointError):
            grad(x.sqrt(), [x])
    assert grad(x.sqrt(), [x]) == (math.inf,)  # outside detect_anomaly, IEEE arithmetic as before
