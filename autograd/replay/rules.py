"""The NumPy rules: the scalar table's forward and local-derivative rules, on float64 arrays.

:data:`NUMPY_RULES` is the NumPy interpretation of the ops, keyed by the names of the scalar table
``autograd.ops.OPS`` (a test asserts that the two tables name the same ops). An op with no NumPy
rule, such as one a user added with ``register_op``, runs its scalar rules element by element
(:func:`scalar_rules`): slow, but the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..ops import SELU_ALPHA, SELU_LAMBDA, Op

__all__ = ["NUMPY_RULES", "NumpyRule", "MAY_RAISE", "scalar_rules"]


@dataclass(frozen=True)
class NumpyRule:
    """The NumPy interpretation of one op.

    Attributes:
        forward: ``(*operands, **attrs) -> y`` elementwise on arrays that broadcast together; for
            an n-ary op (``sum``, ``dot``) the operands come stacked along a first axis.
        derivative: ``(y, *operands, **attrs) ->`` one local derivative per operand (an array or
            a number that broadcasts to the operand); for an n-ary op, one array that broadcasts
            to the stacked operands.
    """

    forward: Callable[..., Any]
    derivative: Callable[..., Any]


NUMPY_RULES: dict[str, NumpyRule] = {}

# The built-in ops whose scalar forward raises for some operands (log(-1), 1/0, sin(inf)): where
# their NumPy forward gives NaN or inf, the replay asks the scalar rule, to raise the same error.
MAY_RAISE = frozenset({"div", "pow", "log", "sqrt", "sin", "cos"})


def _rule(name: str, forward: Callable[..., Any], derivative: Callable[..., Any]) -> None:
    NUMPY_RULES[name] = NumpyRule(forward, derivative)


_rule("add", np.add, lambda y, a, b: (1.0, 1.0))
_rule("sub", np.subtract, lambda y, a, b: (1.0, -1.0))
_rule("mul", np.multiply, lambda y, a, b: (b, a))
_rule("neg", np.negative, lambda y, a: (-1.0,))
_rule("div", np.divide, lambda y, a, b: (1.0 / b, -y / b))


def _pow_derivative(y: Any, a: Any, b: Any) -> tuple:
    # As the scalar rule: b·a^(b−1), 0 (b = 0) or inf (b < 1) at a = 0, and b·y/a where a^(b−1)
    # overflows from finite operands (an infinite operand gives inf by IEEE rules, as in Python,
    # and b·y/a would be inf/inf = NaN there); y·ln a for a > 0, 0 at a = 0, NaN below. The
    # special cases are looked for first: a training step meets none of them.
    power = np.power(a, b - 1)
    d_base = b * power
    overflow = np.isinf(power)
    if overflow.any():
        overflow &= np.isfinite(a) & np.isfinite(b)
        d_base = np.where(overflow, b * y / a, d_base)
    zero = np.equal(a, 0)
    if zero.any():
        d_base = np.where(zero & (b < 1), np.where(b == 0, 0.0, np.inf), d_base)
    positive = np.greater(a, 0)
    if positive.all():
        return d_base, y * np.log(a)
    d_exponent = np.where(positive, y * np.log(np.where(positive, a, 1.0)),
                          np.where(zero, 0.0, np.nan))
    return d_base, d_exponent


def _pow(a: Any, b: Any) -> Any:
    # NaN where the scalar rule refuses a negative base with an infinite exponent (not an
    # integer) and NumPy gives 0 or inf: the replay's domain check then raises its error.
    y = np.power(a, b)
    infinite = np.isinf(b)
    if infinite.any():
        y = np.where(infinite & np.less(a, 0), np.nan, y)
    return y


_rule("pow", _pow, _pow_derivative)
_rule("abs", np.abs, lambda y, a: (np.sign(a),))
_rule("exp", np.exp, lambda y, a: (y,))
_rule("log", np.log, lambda y, a: (1.0 / a,))
_rule("sqrt", np.sqrt, lambda y, a: (np.where(y > 0, 0.5 / y, np.inf),))
_rule("sin", np.sin, lambda y, a: (np.cos(a),))
_rule("cos", np.cos, lambda y, a: (-np.sin(a),))


def _tanh_derivative(y: Any, a: Any) -> tuple:
    # 1 − y² as 4e/(1 + e)², as the scalar rule: no cancellation where tanh rounds to ±1
    e = np.exp(-2.0 * np.abs(a))
    return (4.0 * e / (1.0 + e) ** 2,)


_rule("tanh", np.tanh, _tanh_derivative)


def _sigmoid(a: Any) -> Any:
    e = np.exp(-np.abs(a))  # exp(-a) for a >= 0, exp(a) below: never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# σ' = y(1 − y), written y·σ(−a) without the cancellation of 1 − y
_rule("sigmoid", _sigmoid, lambda y, a: (y * _sigmoid(-a),))
_rule("softplus", lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))),
      lambda y, a: (_sigmoid(a),))
# A comparison is a derivative of 0 or 1 already (a bool array multiplies as 0.0 and 1.0).
_rule("relu", lambda a: np.maximum(a, 0.0), lambda y, a: (a > 0,))
_rule("leaky_relu", lambda a, slope=0.01: np.where(a > 0, a, slope * a),
      lambda y, a, slope=0.01: (np.where(a > 0, 1.0, slope),))


# For a <= 0 the derivative is alpha·e^a, computed as such: y + alpha cancels (30% off at a = -37).
def _elu(a: Any, alpha: float = 1.0) -> Any:
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0)))


def _elu_derivative(y: Any, a: Any, alpha: float = 1.0) -> tuple:
    return (np.where(a > 0, 1.0, alpha * np.exp(np.minimum(a, 0.0))),)


_rule("elu", _elu, _elu_derivative)
_rule("selu", lambda a: SELU_LAMBDA * _elu(a, SELU_ALPHA),
      lambda y, a: (SELU_LAMBDA * _elu_derivative(y, a, SELU_ALPHA)[0],))
_rule("step", lambda a: np.heaviside(a, 0.0), lambda y, a: (0.0,))
# The n-ary ops take their operands stacked: xs[i] is operand i.
_rule("sum", lambda xs: xs.sum(axis=0), lambda y, xs: 1.0)


def _dot(xs: Any) -> Any:
    n = len(xs) // 2  # weights w_1..w_n, inputs x_1..x_n, and a bias when the count is odd
    total = np.einsum("i...,i...->...", xs[:n], xs[n : 2 * n])
    return total + xs[-1] if len(xs) % 2 else total


def _dot_derivative(y: Any, xs: Any) -> Any:
    n = len(xs) // 2
    return np.concatenate([xs[n : 2 * n], xs[:n], np.ones_like(xs[2 * n :])])


_rule("dot", _dot, _dot_derivative)


def scalar_rules(op: Op) -> NumpyRule:
    """The scalar rules of ``op`` run element by element: the general path, for an op that has
    no NumPy rule. A forward that raises gives NaN there (the replay then reports the scalar
    error).

    Args:
        op: a row of the scalar op table.

    Returns:
        A :class:`NumpyRule` that calls ``op.forward`` and ``op.derivative`` per element.
    """

    def columns(xs: tuple) -> list[np.ndarray]:
        return np.broadcast_arrays(*(xs[0] if op.arity is None else xs))

    def one(*operands: float, **attrs: Any) -> float:
        try:
            return op.forward(*operands, **attrs)
        except (ValueError, ArithmeticError):
            return np.nan

    def forward(*xs: Any, **attrs: Any) -> np.ndarray:
        cols = columns(xs)
        flat = zip(*(c.ravel().tolist() for c in cols))
        return np.array([one(*row, **attrs) for row in flat], dtype=float).reshape(cols[0].shape)

    def derivative(y: Any, *xs: Any, **attrs: Any) -> Any:
        cols = columns(xs)
        outputs = np.broadcast_to(y, cols[0].shape).ravel().tolist()
        flat = zip(outputs, *(c.ravel().tolist() for c in cols))
        local = np.array([op.derivative(*row, **attrs) for row in flat], dtype=float)
        stacked = local.reshape(-1, len(cols)).T.reshape((len(cols),) + cols[0].shape)
        return stacked if op.arity is None else tuple(stacked)

    return NumpyRule(forward, derivative)
