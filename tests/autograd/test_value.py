"""``Value``: construction, operators both ways round, comparisons, constants, n-ary nodes, repr."""

import math

import numpy as np
import pytest

import autograd
from autograd import Value, lift


@pytest.mark.parametrize("data", [3, 2.5, -0.0, np.float64(1.5), np.float32(0.25), np.int64(-7)])
def test_real_data_is_stored_as_a_float(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)
    assert v.grad == 0.0 and v.op == "" and v.parents == () and v.local_grads == ()


def test_slots_and_no_instance_dict():
    assert not hasattr(Value(1.0), "__dict__")
    with pytest.raises(AttributeError):
        Value(1.0).closure = lambda: None


@pytest.mark.parametrize("bad", ["1.0", 1j, None, [1.0], True, np.complex128(1)])
def test_non_real_data_is_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_label_must_be_a_str():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)
    a = Value(1.0)
    with pytest.raises(TypeError, match=r"micrograd's Value\(data, _children, _op\) is not supported"):
        Value(2.0, (a,), "+")


@pytest.mark.parametrize("children", [(), [Value(1.0)], {Value(1.0), Value(2.0)}])
def test_micrograds_children_argument_says_what_to_write_instead(children):
    # micrograd's Value(data, _children, _op): the second positional argument here is the label
    with pytest.raises(TypeError, match=r"_children.*label.*apply"):
        Value(2.0, children, "+")


def test_operators_both_ways_round_with_values():
    a, b = Value(3.0), Value(-2.0)
    assert (a + b).data == 1.0 and (a - b).data == 5.0 and (a * b).data == -6.0
    assert (a / b).data == -1.5 and (a**b).data == pytest.approx(1 / 9) and (-a).data == -3.0
    assert (2 + a).data == 5.0 and (2 - a).data == -1.0 and (2 * a).data == 6.0
    assert (6 / a).data == 2.0 and (2**a).data == 8.0 and (a**2).data == 9.0
    assert abs(b).data == 2.0 and float(b) == -2.0 and (+a) is a


def test_each_operator_records_its_op_and_ordered_parents():
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    for expr, op in [(a + b, "add"), (a - b, "sub"), (a * b, "mul"), (a / b, "div"), (a**b, "pow")]:
        assert expr.op == op and expr.parents == (a, b)
    reflected = 5.0 - a
    assert reflected.op == "sub" and reflected.parents[1] is a and reflected.parents[0].data == 5.0


def test_numbers_become_constants_without_gradient():
    x = Value(3.0)
    y = x * 2 + 1
    y.backward()
    constants = [p for node in autograd.topological_order(y) for p in node.parents if not p.requires_grad]
    assert sorted(c.data for c in constants) == [1.0, 2.0]
    assert all(c.grad == 0.0 for c in constants)
    assert x.grad == 2.0


def test_numpy_scalar_on_the_left():
    x = Value(2.0)
    y = np.float64(3.0) * x
    assert isinstance(y, Value) and y.data == 6.0
    assert isinstance(np.float64(1.0) + x, Value)


def test_comparisons_use_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and b >= a and not a > b and Value(3.0) > 2.5
    assert a != b and a == a
    assert len({a, b}) == 2 and {a: 1}[a] == 1
    with pytest.raises(TypeError):
        _ = a < "x"


def test_unsupported_operands_are_type_errors():
    for bad in ("2", None, [1], 1j, True):
        with pytest.raises(TypeError):
            _ = Value(1.0) + bad
        with pytest.raises(TypeError):
            _ = bad * Value(1.0)


def test_repr_shows_data_grad_and_label():
    v = Value(0.70710678, label="o")
    v.grad = 1.0
    assert repr(v) == "Value(data=0.7071, grad=1.0, label='o')"
    assert repr(Value(1e-5)) == "Value(data=1e-05, grad=0.0)"


def test_micrograd_compatibility_properties():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert c._prev == {a, b} and c._op == "*" and a._op == ""
    assert a.sigmoid()._op == "σ"


@pytest.mark.parametrize("flag", ["no", None, 2])
def test_requires_grad_must_be_a_bool(flag):
    with pytest.raises(TypeError, match="requires_grad"):
        Value(1.0, requires_grad=flag)


def test_lift():
    v = Value(1.0)
    assert lift(v) is v
    c = lift(2)
    assert c.data == 2.0 and not c.requires_grad
    with pytest.raises(TypeError):
        lift("2")


def test_sum_is_one_node():
    xs = [Value(float(i)) for i in range(5)]
    s = autograd.sum(xs + [10])
    assert s.op == "sum" and len(s.parents) == 6 and s.data == 20.0
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_sum_is_exact_for_cancelling_terms():
    assert autograd.sum([1e16, 1.0, -1e16]).data == 1.0


def test_dot_is_one_node_with_the_inputs_as_local_derivatives():
    w = [Value(2.0), Value(-1.0)]
    x = [Value(3.0), Value(4.0)]
    b = Value(0.5)
    v = autograd.dot(w, x, b)
    assert v.op == "dot" and v.parents == (*w, *x, b) and v.data == 2.5
    assert v.local_grads == (3.0, 4.0, 2.0, -1.0, 1.0)
    v.backward()
    assert [p.grad for p in w + x + [b]] == [3.0, 4.0, 2.0, -1.0, 1.0]
    assert autograd.dot(w, [1, 1]).data == 1.0  # numbers as inputs, no bias


def test_sum_and_dot_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        autograd.sum([])
    with pytest.raises(TypeError):
        autograd.sum(3)
    with pytest.raises(ValueError, match="weights"):
        autograd.dot([1, 2], [3])
    with pytest.raises(ValueError, match="empty"):
        autograd.dot([], [])
    with pytest.raises(TypeError):
        autograd.sum(["a", Value(1.0)])


def test_leaky_relu_and_elu_attributes_are_checked():
    with pytest.raises(TypeError, match="slope"):
        Value(1.0).leaky_relu("0.1")
    with pytest.raises(TypeError, match="alpha"):
        Value(1.0).elu(None)
    assert Value(-1.0).leaky_relu(0.5).attrs == {"slope": 0.5}


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_leaky_relu_slope_and_elu_alpha_must_be_finite(bad):
    with pytest.raises(ValueError, match=f"leaky_relu slope must be finite, got {bad}"):
        Value(-1.0).leaky_relu(bad)
    with pytest.raises(ValueError, match=f"elu alpha must be finite, got {bad}"):
        Value(-1.0).elu(bad)


def test_an_int_too_large_for_a_float_is_named():
    with pytest.raises(ValueError, match="data"):
        Value(10**400)
    with pytest.raises(ValueError, match="data"):
        Value(1.0) + 10**400
    with pytest.raises(ValueError, match="data"):
        10**400 * Value(1.0)


def test_float_conversion_and_math_interop():
    assert math.isclose(math.sqrt(Value(4.0)), 2.0)


def test_unary_methods_refuse_extra_positional_arguments_naming_the_op():
    x = Value(0.5)
    with pytest.raises(TypeError, match="exp"):
        x.exp(3)  # exp has no attribute: the 3 used to be dropped
    with pytest.raises(TypeError, match="leaky_relu"):
        x.leaky_relu(0.1, 0.2)
    with pytest.raises(TypeError, match="tanh"):
        x.tanh(name="exp")  # no `name` keyword: it used to compute exp
    assert Value(-2.0).leaky_relu(0.1).data == pytest.approx(-0.2) and Value(-1.0).elu(0.5).attrs == {"alpha": 0.5}
    assert x.tanh().data == math.tanh(0.5) and Value.tanh.__name__ == "tanh"


def test_a_too_large_int_in_an_operator_is_named_the_operand():
    with pytest.raises(ValueError, match="operand"):
        Value(1.0) + 10**400
    with pytest.raises(ValueError, match="operand"):
        10**400 * Value(1.0)
