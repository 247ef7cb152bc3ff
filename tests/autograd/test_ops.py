"""Every op of the table against central finite differences, at its kinks, and the seeds' closed forms."""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value, grad, gradcheck, numerical_grad, register_op
from autograd.methods import OpMethods
from autograd.ops import stable_sigmoid_derivative, stable_tanh_derivative

ANY = st.floats(-4.0, 4.0)  # includes 0 and negatives
AWAY_FROM_KINK = ANY.filter(lambda x: abs(x) > 1e-2)  # the kink of relu, abs, step ... is at 0
POSITIVE = st.floats(1e-2, 10.0)

# op name -> (a function of Values that must create exactly that op, a strategy per operand)
CASES = {
    "add": (lambda a, b: a + b, [ANY, ANY]),
    "sub": (lambda a, b: a - b, [ANY, ANY]),
    "mul": (lambda a, b: a * b, [ANY, ANY]),
    "neg": (lambda a: -a, [ANY]),
    "div": (lambda a, b: a / b, [ANY, AWAY_FROM_KINK]),
    "pow": (lambda a, b: a**b, [POSITIVE, st.floats(-3.0, 3.0)]),
    "abs": (abs, [AWAY_FROM_KINK]),
    "exp": (Value.exp, [ANY]),
    "log": (Value.log, [POSITIVE]),
    "sqrt": (Value.sqrt, [POSITIVE]),
    "sin": (Value.sin, [ANY]),
    "cos": (Value.cos, [ANY]),
    "tanh": (Value.tanh, [ANY]),
    "sigmoid": (Value.sigmoid, [ANY]),
    "softplus": (Value.softplus, [ANY]),
    "relu": (Value.relu, [AWAY_FROM_KINK]),
    "leaky_relu": (lambda a: a.leaky_relu(0.2), [AWAY_FROM_KINK]),
    "elu": (lambda a: a.elu(1.5), [AWAY_FROM_KINK]),
    "selu": (Value.selu, [AWAY_FROM_KINK]),
    "step": (Value.step, [AWAY_FROM_KINK]),
    "sum": (lambda *xs: autograd.sum(xs), [ANY] * 4),
    "dot": (lambda w1, w2, x1, x2, b: autograd.dot([w1, w2], [x1, x2], b), [ANY] * 5),
}


def test_every_builtin_op_has_a_case():
    builtin = {name for name, op in OPS.items() if op.derivative.__module__ == "autograd.ops"}
    contract = {"add", "sub", "mul", "div", "pow", "neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid"}
    contract |= {"relu", "leaky_relu", "elu", "selu", "softplus", "step", "sin", "cos", "sum", "dot"}
    assert contract <= builtin
    assert builtin == set(CASES)


def assert_matches_finite_differences(fn, point):
    leaves = [Value(x) for x in point]
    out = fn(*leaves)
    out.backward()
    numerical = numerical_grad(fn, point)
    for leaf, n in zip(leaves, numerical):
        assert math.isfinite(leaf.grad)
        assert abs(leaf.grad - n) <= 1e-6 + 1e-5 * abs(n), (point, leaf.grad, n)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_central_differences(name):
    fn, strategies = CASES[name]

    @settings(max_examples=40, deadline=None)
    @given(st.tuples(*strategies))
    def check(point):
        out = assert_matches_finite_differences(fn, point)
        assert out.op == name

    check()


@settings(max_examples=40, deadline=None)
@given(base=st.floats(-5.0, -0.1), exponent=st.integers(-3, 4))
def test_pow_negative_base_integer_exponent(base, exponent):
    # The base gradient is b*a**(b-1); the exponent gradient a**b*ln(a) is undefined (NaN).
    a, b = Value(base), Value(float(exponent))
    y = a**b
    assert y.data == pytest.approx(base**exponent, rel=1e-12)
    y.backward()
    assert a.grad == pytest.approx(exponent * base ** (exponent - 1), rel=1e-9)
    assert math.isnan(b.grad)


@example(0.0)
@settings(max_examples=30, deadline=None)
@given(ANY)
def test_smooth_ops_at_zero_and_around(x):
    # 0 itself must work for every op that is smooth there.
    for name in ("neg", "exp", "sin", "cos", "tanh", "sigmoid", "softplus"):
        fn, _ = CASES[name]
        assert_matches_finite_differences(fn, (x,))


@pytest.mark.parametrize(
    "fn, expected",
    [
        (Value.relu, 0.0),  # ReLU'(0) = 0
        (abs, 0.0),  # abs'(0) = 0
        (lambda v: v.leaky_relu(), 0.01),  # the slope
        (lambda v: v.leaky_relu(0.3), 0.3),
        (Value.elu, 1.0),  # alpha
        (lambda v: v.elu(2.5), 2.5),
        (Value.selu, 1.0507009873554805 * 1.6732632423543772),  # lambda * alpha
        (Value.step, 0.0),
        (Value.sqrt, math.inf),  # the slope of sqrt at 0 is infinite
    ],
)
def test_documented_derivative_at_zero(fn, expected):
    x = Value(0.0)
    fn(x).backward()
    assert x.grad == pytest.approx(expected, rel=1e-12)


def test_pow_with_a_zero_base():
    x = Value(0.0)
    (x**2).backward()
    assert x.grad == 0.0
    e = Value(2.0)
    (Value(0.0) ** e).backward()
    assert e.grad == 0.0  # the limit of 0**b * ln(0) is 0


# -- the seeds' closed forms -------------------------------------------------------------------


def test_sigmoid_of_one():
    s = Value(1.0).sigmoid().data
    assert abs(s - 0.7310586) < 5e-8
    assert s == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-15)
    assert abs(s - 0.7315) > 4e-4  # seed 001's worked example (1/1.367) is wrong


@example(0.0)
@settings(max_examples=50, deadline=None)
@given(st.floats(-30.0, 30.0))
def test_sigmoid_derivative(x):
    v = Value(x)
    y = v.sigmoid()
    y.backward()
    assert v.grad == pytest.approx(y.data * (1 - y.data), rel=1e-12, abs=4e-16)  # y(1 − y) cancels where y ≈ 1
    # The corrected formula of the sigmoid article: e^-x / (1 + e^-x)^2, denominator squared. The
    # rule computes y·σ(−x), which keeps its relative precision in both tails.
    assert v.grad == pytest.approx(math.exp(-x) / (1 + math.exp(-x)) ** 2, rel=1e-12, abs=1e-300)
    assert 0.0 < v.grad <= 0.25


def test_sigmoid_derivative_maximum_is_a_quarter_at_zero():
    slopes = {}
    for x in (-2.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 2.0):
        v = Value(x)
        v.sigmoid().backward()
        slopes[x] = v.grad
    assert slopes[0.0] == 0.25
    assert max(slopes, key=slopes.get) == 0.0


@example(0.0)
@settings(max_examples=50, deadline=None)
@given(st.floats(-10.0, 10.0))
def test_tanh_derivative_is_one_minus_tanh_squared(x):
    v = Value(x)
    v.tanh().backward()
    assert v.grad == pytest.approx(1 - math.tanh(x) ** 2, rel=1e-12, abs=1e-15)


@example(0.0)
@settings(max_examples=50, deadline=None)
@given(st.floats(-30.0, 30.0))
def test_softplus_value_and_derivative_is_sigmoid(x):
    v = Value(x)
    y = v.softplus()
    assert y.data == pytest.approx(math.log(1 + math.exp(x)), rel=1e-12)
    y.backward()
    assert v.grad == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-12)


def test_elu_default_alpha_is_one():
    x = Value(-1.0)
    y = x.elu()
    assert y.data == pytest.approx(math.exp(-1) - 1, rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(math.exp(-1), rel=1e-15)
    assert Value(-50.0).elu().data == pytest.approx(-1.0)  # the saturation value is -alpha
    assert Value(-50.0).elu(2.0).data == pytest.approx(-2.0)
    assert Value(3.0).elu().data == 3.0


def test_selu_constants_to_the_seeds_digits():
    scale = Value(1.0).selu().data  # lambda
    alpha = -Value(-100.0).selu().data / scale  # saturation at -lambda*alpha
    assert round(scale, 4) == 1.0507
    assert round(alpha, 5) == 1.67326
    x = Value(-1.0)
    x.selu().backward()
    assert x.grad == pytest.approx(scale * alpha * math.exp(-1), rel=1e-12)


def test_leaky_relu_default_slope():
    assert Value(-2.0).leaky_relu().data == pytest.approx(-0.02)
    assert Value(2.0).leaky_relu().data == 2.0


def test_step_is_a_step_with_no_gradient():
    values = [Value(x).step().data for x in (-1.0, 0.0, 1e-9, 5.0)]
    assert values == [0.0, 0.0, 1.0, 1.0]
    x = Value(0.7)
    x.step().backward()
    assert x.grad == 0.0


# -- user ops through register_op ----------------------------------------------------------------


@pytest.fixture
def user_ops():
    added = []

    def register(name, *args, **kwargs):
        added.append(name)
        return register_op(name, *args, **kwargs)

    yield register
    for name in added:
        OPS.pop(name, None)
        if name in vars(OpMethods):
            delattr(OpMethods, name)


def test_user_op_verified_by_gradcheck(user_ops):
    # x*e^(-x^2/2) written with the dispatching functions, so it also differentiates twice
    from autograd.ops import exp

    user_ops("test_bump", lambda x: x * math.exp(-x * x / 2), lambda y, x: ((1 - x * x) * exp(-x * x / 2),))
    for x in (-2.0, -0.3, 0.0, 1.1):
        assert gradcheck(lambda v: v.apply("test_bump"), [x])
        first = lambda v: grad(v.apply("test_bump"), [v], create_graph=True)[0]  # noqa: E731
        assert first(Value(x)).data == pytest.approx((1 - x * x) * math.exp(-x * x / 2), rel=1e-12)
        assert gradcheck(first, [x])  # the second derivative, through create_graph


def test_user_binary_op_with_attributes(user_ops):
    user_ops(
        "test_scaled_product",
        lambda a, b, scale=1.0: scale * a * b,
        lambda y, a, b, scale=1.0: (scale * b, scale * a),
        arity=2,
        symbol="s*",
    )
    out = Value(2.0).apply("test_scaled_product", Value(3.0), scale=0.5)
    assert out.data == 3.0 and OPS[out.op].symbol == "s*"
    assert gradcheck(lambda a, b: a.apply("test_scaled_product", b, scale=-1.5), [0.7, -2.0])


def test_gradcheck_catches_a_wrong_user_derivative(user_ops):
    user_ops("test_wrong_cube", lambda x: x**3, lambda y, x: (2 * x * x,))  # should be 3x²
    with pytest.raises(AssertionError, match="analytic"):
        gradcheck(lambda v: v.apply("test_wrong_cube"), [1.5])


def test_register_op_validates_its_arguments():
    with pytest.raises(ValueError, match="identifier"):
        register_op("not a name", abs, abs)
    with pytest.raises(TypeError, match="derivative"):
        register_op("test_bad", abs, 3)
    with pytest.raises(ValueError, match="arity"):
        register_op("test_bad", abs, abs, arity=0)
    assert "test_bad" not in OPS


def test_derivative_rule_with_wrong_length_is_reported(user_ops):
    user_ops("test_short", lambda a, b: a + b, lambda y, a, b: (1.0,), arity=2)
    with pytest.raises(TypeError, match="test_short"):
        Value(1.0).apply("test_short", Value(2.0))


def test_apply_checks_op_and_arity():
    with pytest.raises(ValueError, match="no_such_op"):
        Value(1.0).apply("no_such_op")
    with pytest.raises(TypeError, match="exp takes 1"):
        autograd.apply("exp", Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match="op must be"):
        autograd.apply(3, Value(1.0))


def test_a_user_rule_returning_a_complex_or_a_bare_number_is_reported(user_ops):
    # x**0.5 of a negative float is a complex in Python: the node must not hold it.
    user_ops("test_root", lambda x: x**0.5, lambda y, x: (0.5 / y,))
    with pytest.raises(TypeError, match="test_root.*complex"):
        Value(-1.0).apply("test_root")
    user_ops("test_bare", lambda x: 2 * x, lambda y, x: 2.0)  # not a tuple
    with pytest.raises(TypeError, match="test_bare.*tuple"):
        Value(1.0).apply("test_bare")
    # A real result of another type is stored as a float, as Value(data) stores it.
    user_ops("test_floor", lambda x: math.floor(x), lambda y, x: (0.0,))
    assert type(Value(2.5).apply("test_floor").data) is float


def test_apply_names_the_op_and_attributes_it_cannot_take():
    with pytest.raises(TypeError, match="relu.*slope"):
        autograd.apply("relu", Value(-1.0), slope=0.1)
    with pytest.raises(TypeError, match="leaky_relu.*slope"):
        autograd.apply("leaky_relu", Value(-1.0), slope="a")


def test_register_op_refuses_the_built_in_names_but_replaces_a_users_op(user_ops):
    before = dict(OPS)
    try:
        for name in ("add", "mul", "dot", "tanh", "sum"):
            with pytest.raises(ValueError, match="name"):
                register_op(name, abs, lambda y, a: (1.0,))
        assert OPS == before
    finally:  # so that a failure here does not break the other tests
        OPS.update(before)
    user_ops("test_twice", lambda x: 2 * x, lambda y, x: (2.0,))
    user_ops("test_twice", lambda x: 3 * x, lambda y, x: (3.0,))
    assert Value(1.0).apply("test_twice").data == 3.0


@pytest.mark.parametrize("keywords, name", [({"formula": 5}, "formula"), ({"formula": ("x", 1)}, "formula"),
                                            ({"activation": "no"}, "activation"), ({"symbol": 5}, "symbol"),
                                            ({"arity": "2"}, "arity"), ({"arity": 1.5}, "arity")])
def test_register_op_checks_its_keyword_arguments(keywords, name):
    with pytest.raises(TypeError, match=name):
        register_op("test_checked", abs, lambda y, a: (1.0,), **keywords)
    assert "test_checked" not in OPS


def test_chain_rule_and_gradients_live_in_their_modules_only():
    from autograd.backward import chain_rule  # noqa: F401
    from autograd.functional import gradients  # noqa: F401

    assert not {"chain_rule", "gradients"} & set(autograd.__all__)
    assert not hasattr(autograd, "chain_rule") and not hasattr(autograd, "gradients")


def test_a_registered_unary_op_is_a_method_at_once(user_ops):
    def swish(x, beta=1.0):
        return x / (1.0 + math.exp(-beta * x))

    def swish_derivative(y, x, beta=1.0):
        s = 1.0 / (1.0 + math.exp(-beta * x))
        return (s + beta * x * s * (1.0 - s),)

    user_ops("swish", swish, swish_derivative, formula="σ(βx) + βx·σ(βx)(1 − σ(βx))")
    x = Value(1.0)
    y = x.swish()
    y.backward()
    assert y.data == pytest.approx(1.0 / (1.0 + math.exp(-1.0)), rel=1e-15)
    assert x.grad == pytest.approx(numerical_grad(lambda v: v.swish(), [1.0])[0], rel=1e-8)
    assert Value(2.0).swish(0.5).data == pytest.approx(swish(2.0, beta=0.5), rel=1e-15)
    with pytest.raises(TypeError, match="swish"):
        Value(2.0).swish(0.5, 0.25)
    assert "swish" in vars(OpMethods) and "swish" not in Value.__slots__  # on the class, no hook


def test_a_users_op_registered_again_with_two_operands_loses_its_method(user_ops):
    user_ops("twice", lambda x: 2 * x, lambda y, x: (2.0,))
    assert Value(3.0).twice().data == 6.0
    user_ops("twice", lambda a, b: 2 * a + b, lambda y, a, b: (2.0, 1.0), arity=2)
    assert not hasattr(Value(3.0), "twice")
    assert autograd.apply("twice", 3.0, 1.0).data == 7.0


def test_a_users_op_cannot_shadow_what_value_defines(user_ops):
    user_ops("backward", lambda x: x, lambda y, x: (1.0,))
    v = Value(2.0)
    v.backward()  # still Value's own method
    assert v.grad == 1.0 and v.apply("backward").data == 2.0
    with pytest.raises(ValueError, match="name"):
        register_op("__init__", lambda x: x, lambda y, x: (1.0,))


def test_the_stable_tanh_derivative_avoids_the_cancellation_of_one_minus_y_squared():
    mpmath = pytest.importorskip("mpmath")
    x = 20.0
    y = math.tanh(x)
    assert 1.0 - y * y == 0.0  # the formula's text, computed in floats: all digits cancel
    with mpmath.workdps(50):
        exact = float(1 / mpmath.cosh(mpmath.mpf(x)) ** 2)  # tanh' = sech², about 1.7e-17
    assert stable_tanh_derivative(y, x)[0] == pytest.approx(exact, rel=1e-14)
    v = Value(x)
    v.tanh().backward()
    assert v.grad == pytest.approx(exact, rel=1e-14)
    for x in (-3.0, -0.5, 0.0, 0.25, 2.0):  # elsewhere it is the same number as 1 − y²
        y = math.tanh(x)
        assert stable_tanh_derivative(y, x)[0] == pytest.approx(1.0 - y * y, rel=1e-14, abs=1e-16)


def test_the_stable_sigmoid_derivative_avoids_the_cancellation_of_one_minus_y():
    mpmath = pytest.importorskip("mpmath")
    x = 40.0
    y = OPS["sigmoid"].forward(x)
    assert y * (1.0 - y) == 0.0  # y(1 − y) in floats: 1 − y cancels to 0
    with mpmath.workdps(50):
        s = 1 / (1 + mpmath.exp(-mpmath.mpf(x)))
        exact = float(s * (1 - s))  # about 4.2e-18
    assert stable_sigmoid_derivative(y, x)[0] == pytest.approx(exact, rel=1e-14)
    for x in (-5.0, -1.0, 0.0, 0.5, 3.0):
        y = OPS["sigmoid"].forward(x)
        assert stable_sigmoid_derivative(y, x)[0] == pytest.approx(y * (1.0 - y), rel=1e-14)
