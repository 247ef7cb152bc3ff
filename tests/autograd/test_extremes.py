"""Every op's value and local derivative at extreme inputs, against 50-digit values from mpmath.

The derivatives are compared *relatively* (1e-12): a rule that cancels (ELU's y + α far below 0,
σ' = y(1 − y) where y rounds to 1) is wrong by 100% of a tiny number, which an absolute tolerance
would hide.
"""

from __future__ import annotations

import math

import pytest
from mpmath import mp

from autograd import OPS, Value, grad
from autograd.ops import SELU_ALPHA, SELU_LAMBDA

mp.dps = 50

ALPHA, LAMBDA = mp.mpf(SELU_ALPHA), mp.mpf(SELU_LAMBDA)

# name -> (f, f') in mpmath, and the inputs where the op is defined and smooth.
EXTREMES = [-1e3, -745.0, -40.0, -38.0, -37.0, -20.0, -1e-8, -1e-300, 1e-300, 1e-8, 0.3, 20.0, 37.0, 40.0, 1e3]
CLOSED_FORMS = {
    "exp": (mp.exp, mp.exp, EXTREMES),
    "log": (mp.log, lambda x: 1 / x, [1e-300, 1e-8, 0.3, 40.0, 1e3, 1e300]),
    "sqrt": (mp.sqrt, lambda x: 1 / (2 * mp.sqrt(x)), [1e-300, 1e-8, 0.3, 40.0, 1e300]),
    "sin": (mp.sin, mp.cos, [-1e3, -40.0, -1e-8, 1e-300, 0.3, 40.0, 1e3]),
    "cos": (mp.cos, lambda x: -mp.sin(x), [-1e3, -40.0, -1e-8, 1e-300, 0.3, 40.0, 1e3]),
    "tanh": (mp.tanh, lambda x: 1 / mp.cosh(x) ** 2, EXTREMES),
    "sigmoid": (lambda x: 1 / (1 + mp.exp(-x)), lambda x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2, EXTREMES),
    "softplus": (lambda x: mp.log(1 + mp.exp(x)), lambda x: 1 / (1 + mp.exp(-x)), EXTREMES),
    "relu": (lambda x: max(x, 0), lambda x: 1 if x > 0 else 0, EXTREMES),
    "leaky_relu": (lambda x: x if x > 0 else x / 100, lambda x: 1 if x > 0 else mp.mpf("0.01"), EXTREMES),
    "elu": (lambda x: x if x > 0 else mp.expm1(x), lambda x: 1 if x > 0 else mp.exp(x), EXTREMES),
    "selu": (lambda x: LAMBDA * (x if x > 0 else ALPHA * mp.expm1(x)),
             lambda x: LAMBDA if x > 0 else LAMBDA * ALPHA * mp.exp(x), EXTREMES),
    "abs": (abs, lambda x: 1 if x > 0 else -1, [x for x in EXTREMES if x]),
    "neg": (lambda x: -x, lambda x: -1, EXTREMES),
    "step": (lambda x: 1 if x > 0 else 0, lambda x: 0, EXTREMES),
}
CASES = [(name, x) for name, (_, _, points) in CLOSED_FORMS.items() for x in points]


def _close(got: float, exact, what: str) -> None:
    exact = float(exact)  # the double nearest (inf past the float range)
    if math.isinf(exact):
        assert got == exact, what
    else:  # relative, but a few units of the last place among subnormals (below 2.2e-308)
        assert got == pytest.approx(exact, rel=1e-12, abs=2e-323), what


def test_every_unary_op_of_the_table_has_a_closed_form_here():
    assert {name for name, op in OPS.items() if op.arity == 1} == set(CLOSED_FORMS)


@pytest.mark.parametrize("name, x", CASES, ids=[f"{n}({x:g})" for n, x in CASES])
def test_value_and_local_derivative_at_extreme_inputs(name, x):
    f, df, _ = CLOSED_FORMS[name]
    v = Value(x)
    y = v.apply(name)
    _close(y.data, f(mp.mpf(x)), f"{name}({x}) value")
    (slope,) = grad(y, [v])
    _close(slope, df(mp.mpf(x)), f"{name}'({x})")


@pytest.mark.parametrize("a, b", [(1e-300, 3.0), (1e3, 0.5), (2.0, 1e3), (0.5, -40.0), (-2.0, 3.0), (1e10, -2.0)])
def test_pow_both_ways_at_extreme_inputs(a, b):
    x, e = Value(a), Value(b)
    y = x ** e
    exact = mp.power(mp.mpf(a), mp.mpf(b))
    _close(y.data, exact, "value")
    d_base, d_exponent = grad(y, [x, e])
    _close(d_base, mp.mpf(b) * mp.power(mp.mpf(a), mp.mpf(b) - 1), "∂/∂a")
    if a > 0:
        _close(d_exponent, exact * mp.log(mp.mpf(a)), "∂/∂b")


@pytest.mark.parametrize("a, b", [(1e-300, 1e300), (1e300, 1e-300), (-1e3, 1e-8), (40.0, -37.0)])
def test_div_at_extreme_inputs(a, b):
    x, y = Value(a), Value(b)
    q = x / y
    _close(q.data, mp.mpf(a) / mp.mpf(b), "value")
    dx, dy = grad(q, [x, y])
    _close(dx, 1 / mp.mpf(b), "∂/∂a")
    _close(dy, -mp.mpf(a) / mp.mpf(b) ** 2, "∂/∂b")
