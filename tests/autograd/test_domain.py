"""Out-of-domain math names the op and the operand; no complex result ever; stable extremes."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value, detect_anomaly


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value(0.0, label="x").log(), ValueError, ["log", "x=0.0"]),
        (lambda: Value(-1.0).log(), ValueError, ["log", "-1.0"]),
        (lambda: Value(-1.0, label="x").sqrt(), ValueError, ["sqrt", "x=-1.0"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["pow", "-8.0", "0.3333"]),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, ["pow", "-8.0"]),
        (lambda: (-8.0) ** Value(1 / 3), ValueError, ["pow", "-8.0"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["div", "1.0", "0.0"]),
        (lambda: 1 / Value(0.0, label="d"), ZeroDivisionError, ["div", "d=0.0"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["pow", "0.0", "-1"]),
    ],
)
def test_out_of_domain_errors_name_op_and_operand(make, error, words):
    with pytest.raises(error) as raised:
        make()
    message = str(raised.value)
    for word in words:
        assert word in message, (word, message)


@settings(max_examples=100, deadline=None)
@given(base=st.floats(-10.0, 10.0), exponent=st.floats(-4.0, 4.0))
def test_pow_never_returns_a_complex_number(base, exponent):
    try:
        y = Value(base) ** Value(exponent)
    except ValueError:
        assert base < 0 and not exponent.is_integer()
    except ZeroDivisionError:
        assert base == 0 and exponent < 0
    else:
        assert isinstance(y.data, float)
        y.backward()  # local derivatives are floats too (NaN for the exponent of a negative base)


def test_large_inputs_are_stable():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).tanh().data == 1.0 and Value(-1000.0).tanh().data == -1.0
    assert Value(1000.0).softplus().data == 1000.0
    assert 0.0 <= Value(-1000.0).softplus().data < 1e-300
    assert Value(-1000.0).exp().data == 0.0
    assert Value(-1000.0).elu().data == -1.0 and Value(-1000.0).selu().data < -1.7


@pytest.mark.parametrize("op", ["sigmoid", "tanh", "softplus", "elu", "selu"])
@pytest.mark.parametrize("x", [-1000.0, 1000.0])
def test_large_inputs_give_finite_gradients(op, x):
    v = Value(x)
    getattr(v, op)().backward()
    assert math.isfinite(v.grad)


def test_exp_overflow_is_inf_in_normal_mode():
    x = Value(1000.0)
    y = x.exp()
    assert y.data == math.inf
    y.backward()
    assert x.grad == math.inf
    base = Value(10.0)
    power = base**400
    assert power.data == math.inf
    power.backward()  # the local derivative 400 * 10**399 overflows too: inf, not OverflowError
    assert base.grad == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf


def test_sum_and_dot_overflow_like_a_chain_of_additions():
    """inf and NaN where + gives them (math.fsum raises OverflowError or ValueError there)."""
    big, inf = 1e308, math.inf
    cases = [
        (lambda: autograd.sum([Value(big), Value(big)]), big + big),
        (lambda: autograd.sum([Value(big), Value(big), Value(-big)]), big + big - big),
        (lambda: autograd.sum([Value(inf), Value(-inf)]), inf - inf),
        (lambda: autograd.dot([Value(big), Value(big)], [1.0, 1.0]), big + big),
        (lambda: autograd.dot([Value(inf), Value(1.0)], [1.0, -inf], 2.0), inf - inf),
    ]
    for make, expected in cases:
        y = make()
        assert y.data == expected or (math.isnan(y.data) and math.isnan(expected))
        y.backward()  # the local derivatives are finite: backward still runs
    with pytest.raises(FloatingPointError, match="sum"), detect_anomaly():
        autograd.sum([Value(big), Value(big)])


def test_no_complex_from_sqrt_or_log_of_a_negative_zero():
    assert Value(-0.0).sqrt().data == 0.0
    with pytest.raises(ValueError, match="log"):
        Value(-0.0).log()


@pytest.mark.parametrize("name", sorted(name for name, op in OPS.items() if op.arity == 1))
def test_nan_propagates_through_every_unary_op(name):
    """A NaN operand gives a NaN result, never a number taken from a branch (relu(nan) is not 0)."""
    assert math.isnan(Value(math.nan).apply(name).data)
