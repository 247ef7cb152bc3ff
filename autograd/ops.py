"""The op table: every operation is a name, a forward rule and a local-derivative rule.

A forward rule maps the operands' floats (and keyword attributes such as a slope) to the output
float, raising ``ValueError`` or ``ZeroDivisionError`` outside its domain. A derivative rule maps
``(output, *operands, **attrs)`` to a tuple with one local derivative per operand, ∂output/∂operand_i.

Derivative rules are written only with ``+ - * /``, comparisons and the dispatching functions
below (``exp``, ``log``, ``cos`` ...). They therefore work on floats, when the forward pass records
the local derivatives as data, and on ``Value`` nodes, when ``autograd.grad(create_graph=True)``
rebuilds them as a graph so that derivatives of derivatives come out right.

Each op may also carry NumPy forms of its rules, for the vectorised replay (``autograd.compile_graph``),
which runs a recorded graph over a whole batch at once. They sit in the same row as the scalar
rules so that one op stays in one place. For an op of fixed arity, ``numpy_forward`` takes the
operands as arrays, like ``forward`` takes floats; the scalar ``derivative`` serves for arrays too
unless the op has a ``numpy_derivative`` (needed where the scalar rule branches on a value, as
ReLU's does). An n-ary op's NumPy rules take the operands stacked along a first axis.

Users add ops with :func:`register_op`; built-ins are registered the same way, below.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Op", "OPS", "register_op", "SELU_ALPHA", "SELU_LAMBDA"]

# SELU's fixed point constants (Klambauer et al. 2017); seed 003 rounds them to 1.67326 and 1.0507.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946

inf = math.inf
nan = math.nan


@dataclass(frozen=True)
class Op:
    """One row of the op table.

    Attributes:
        name: the op's name, stored on every node it creates (``Value.op``).
        forward: ``(*operands: float, **attrs) -> float``.
        derivative: ``(output, *operands, **attrs) -> tuple`` of one local derivative per operand.
        arity: number of operands, or ``None`` for n-ary ops such as ``sum``.
        symbol: how pictures and reprs show the op (``"*"`` for ``mul``).
        formula: each local derivative as text, one per operand, for pictures and explanations.
            Names: ``x`` the operand of a unary op, ``a``/``b`` the operands of a binary op, ``y``
            the output, attribute names (``slope``) as themselves; ``dot``'s three entries are for
            a weight (``x_i``), an input (``w_i``) and the bias, ``sum``'s one is for every operand.
        numpy_forward: the forward rule on NumPy arrays (elementwise), or ``None``: the
            vectorised replay cannot run the op.
        numpy_derivative: the derivative rule on arrays, or ``None`` when ``derivative`` itself
            works on arrays.
    """

    name: str
    forward: Callable[..., float]
    derivative: Callable[..., tuple]
    arity: int | None = 1
    symbol: str = ""
    numpy_forward: Callable[..., Any] | None = None
    numpy_derivative: Callable[..., Any] | None = None
    formula: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.symbol:
            object.__setattr__(self, "symbol", self.name)


OPS: dict[str, Op] = {}


def register_op(
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., tuple],
    *,
    arity: int | None = 1,
    symbol: str = "",
    numpy_forward: Callable[..., Any] | None = None,
    numpy_derivative: Callable[..., Any] | None = None,
    formula: str | tuple[str, ...] = (),
) -> Op:
    """Add an op to the table, making it available as ``Value.apply(name, ...)``.

    Args:
        name: a new identifier; re-registering a name replaces its rules.
        forward: maps operand floats (and keyword attributes) to the output float. It should
            raise ``ValueError`` outside its domain rather than return a complex or NaN result.
        derivative: maps ``(output, *operands, **attrs)`` to a tuple with one local derivative
            per operand. Write it with arithmetic and this module's functions (``exp``, ``log``,
            ...) so it works on floats and on ``Value`` nodes (needed for higher derivatives).
        arity: the number of operands, or ``None`` for any number.
        symbol: the short text pictures show for the op; the name by default.
        numpy_forward: optional, for ``autograd.compile_graph``: the forward rule on float64 arrays,
            elementwise (``np.exp`` for exp). Out-of-domain input may give NaN or inf here: the
            replay then reruns the scalar ``forward`` on the offending sample for its error.
        numpy_derivative: optional: the derivative rule on arrays, needed when ``derivative``
            branches on a value (``1.0 if a > 0 else 0.0``); write it with ``np.where``.
            For an n-ary op (``arity=None``) both NumPy rules take the operands stacked along a
            first axis, and the derivative returns the local derivatives stacked the same way.

    Returns:
        The registered :class:`Op`.

    Example:
        >>> register_op("cube", lambda x: x ** 3, lambda y, x: (3 * x * x,))  # doctest: +ELLIPSIS
        Op(name='cube', ...)
        >>> from autograd import Value, gradcheck
        >>> gradcheck(lambda x: x.apply("cube"), [1.5])
        True
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"register_op: name must be an identifier, got {name!r}")
    for role, rule in (("forward", forward), ("derivative", derivative)):
        if not callable(rule):
            raise TypeError(f"register_op({name!r}): {role} must be callable, got {type(rule).__name__}")
    if arity is not None and (not isinstance(arity, int) or isinstance(arity, bool) or arity < 1):
        raise ValueError(f"register_op({name!r}): arity must be a positive int or None, got {arity!r}")
    for role, rule in (("numpy_forward", numpy_forward), ("numpy_derivative", numpy_derivative)):
        if rule is not None and not callable(rule):
            raise TypeError(f"register_op({name!r}): {role} must be callable or None, got {type(rule).__name__}")
    if numpy_forward is None and numpy_derivative is not None:
        raise ValueError(f"register_op({name!r}): numpy_derivative needs a numpy_forward too")
    if arity is None and numpy_forward is not None and numpy_derivative is None:
        raise ValueError(f"register_op({name!r}): an n-ary op's numpy_forward needs a numpy_derivative "
                         "(its NumPy rules take stacked operands)")
    formula = (formula,) if isinstance(formula, str) else tuple(formula)
    op = Op(name, forward, derivative, arity, symbol, numpy_forward, numpy_derivative, formula)
    OPS[name] = op
    return op


def call(name: str, x: Any, **attrs: Any) -> Any:
    """Apply op ``name`` to ``x``: a float for a number, an array for an array, a new node for a ``Value``."""
    if isinstance(x, (int, float)):
        return OPS[name].forward(x, **attrs)
    if isinstance(x, np.ndarray):
        return OPS[name].numpy_forward(x, **attrs)
    return x.apply(name, **attrs)


# Dispatching functions for derivative rules (float in, float out; Value in, Value out; the
# vectorised replay also passes arrays).
def exp(x: Any) -> Any:
    """e**x for a float or a Value."""
    return call("exp", x)


def log(x: Any) -> Any:
    """Natural logarithm for a float or a Value."""
    return call("log", x)


def sin(x: Any) -> Any:
    """Sine for a float or a Value."""
    return call("sin", x)


def cos(x: Any) -> Any:
    """Cosine for a float or a Value."""
    return call("cos", x)


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid for a float or a Value."""
    return call("sigmoid", x)


# ---------------------------------------------------------------------------------------------
# Arithmetic. Each rule is defined right above its registration.

register_op("add", lambda a, b: a + b, lambda y, a, b: (1.0, 1.0), arity=2, symbol="+", numpy_forward=np.add, formula=('1', '1'))
register_op("sub", lambda a, b: a - b, lambda y, a, b: (1.0, -1.0), arity=2, symbol="-", numpy_forward=np.subtract, formula=('1', '−1'))
register_op("mul", lambda a, b: a * b, lambda y, a, b: (b, a), arity=2, symbol="*", numpy_forward=np.multiply, formula=('b', 'a'))
register_op("neg", lambda a: -a, lambda y, a: (-1.0,), symbol="neg", numpy_forward=np.negative, formula=('−1',))


def _div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"division by zero: denominator is {b!r}")
    return a / b


register_op("div", _div, lambda y, a, b: (1.0 / b, -y / b), arity=2, symbol="/", numpy_forward=np.divide, formula=('1/b', '−y/b'))


def _pow(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise ZeroDivisionError(f"0 raised to the negative power {b!r}")
    if a < 0 and not float(b).is_integer():
        raise ValueError(f"negative base {a!r} with non-integer exponent {b!r} has no real value")
    try:
        return float(a) ** b
    except OverflowError:
        return inf if a > 0 or float(b) % 2 == 0 else -inf


def _pow_derivative(y: Any, a: Any, b: Any) -> tuple:
    # d/da a**b = b*a**(b-1). At a = 0 with b < 1 the slope is infinite (sqrt at 0).
    if float(a) == 0 and float(b) < 1:
        d_base = 0.0 if float(b) == 0 else inf
    else:
        try:
            d_base = b * a ** (b - 1)
        except OverflowError:  # floats only (Values give inf): a**(b-1) = y/a, as large
            d_base = b * y / a
    # d/db a**b = a**b * ln(a): defined for a > 0, the limit 0 at a = 0, undefined (NaN) for a < 0.
    if a > 0:
        d_exponent = y * log(a)
    else:
        d_exponent = 0.0 if float(a) == 0 else nan
    return d_base, d_exponent


def _pow_derivative_numpy(y: Any, a: Any, b: Any) -> tuple:
    # The scalar rule above, elementwise (the unused side of each np.where may warn; it is dropped).
    d_base = np.where((a == 0) & (b < 1), np.where(b == 0, 0.0, inf), b * np.power(a, b - 1))
    d_exponent = np.where(a > 0, y * np.log(np.where(a > 0, a, 1.0)), np.where(a == 0, 0.0, nan))
    return d_base, d_exponent


register_op("pow", _pow, _pow_derivative, arity=2, symbol="**", numpy_forward=np.power,
            numpy_derivative=_pow_derivative_numpy, formula=('b·a^(b−1)', 'y·ln a'))


def _abs_derivative(y: Any, a: Any) -> tuple:
    # sign(a), with the subgradient 0 at a = 0 (PyTorch's choice).
    return (1.0 if a > 0 else -1.0 if a < 0 else 0.0,)


register_op("abs", abs, _abs_derivative, numpy_forward=np.abs, numpy_derivative=lambda y, a: (np.sign(a),), formula=('sign(x)',))


# ---------------------------------------------------------------------------------------------
# Elementary functions.


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return inf  # overflow is inf, as in IEEE arithmetic; detect_anomaly reports it


register_op("exp", _exp, lambda y, a: (y,), numpy_forward=np.exp, formula=('y',))


def _log(a: float) -> float:
    if a <= 0:
        raise ValueError(f"logarithm of {a!r} is undefined (the operand must be > 0)")
    return math.log(a)


register_op("log", _log, lambda y, a: (1.0 / a,), numpy_forward=np.log, formula=('1/x',))


def _sqrt(a: float) -> float:
    if a < 0:
        raise ValueError(f"square root of {a!r} is not real (the operand must be >= 0)")
    return math.sqrt(a)


register_op("sqrt", _sqrt, lambda y, a: (0.5 / y if y > 0 else inf,), numpy_forward=np.sqrt,
            numpy_derivative=lambda y, a: (np.where(y > 0, 0.5 / y, inf),), formula=('1/(2y)',))

register_op("sin", math.sin, lambda y, a: (cos(a),), numpy_forward=np.sin, formula=('cos x',))
register_op("cos", math.cos, lambda y, a: (-sin(a),), numpy_forward=np.cos, formula=('−sin x',))


# ---------------------------------------------------------------------------------------------
# Activations (seed 003). Stable for any finite input. At a kink (0) the derivative is the left
# derivative, as in PyTorch: ReLU'(0) = 0, leaky_relu'(0) = slope, ELU'(0) = alpha, SELU'(0) = λα.

register_op("tanh", math.tanh, lambda y, a: (1.0 - y * y,), numpy_forward=np.tanh, formula=('1 − y²',))


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)  # a < 0: exp(a) cannot overflow, 1 + exp(-a) could
    return e / (1.0 + e)


def _sigmoid_numpy(a: Any) -> Any:
    e = np.exp(-np.abs(a))  # the two branches above at once: e = exp(-a) for a >= 0, exp(a) below
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


register_op("sigmoid", _sigmoid, lambda y, a: (y * (1.0 - y),), symbol="σ", numpy_forward=_sigmoid_numpy, formula=('y(1 − y)',))


def _softplus(a: float) -> float:
    # ln(1 + e^a) = max(a, 0) + ln(1 + e^-|a|), which never overflows.
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


register_op("softplus", _softplus, lambda y, a: (sigmoid(a),),
            numpy_forward=lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))), formula=('σ(x)',))

# The tuples (1.0,) and (0.0,) are constants, shared by every node: the rule allocates nothing.
# Tests are written `a <= 0` where a NaN must come out as NaN, not as the branch's number.
register_op("relu", lambda a: 0.0 if a <= 0 else a, lambda y, a: (1.0,) if a > 0 else (0.0,),
            numpy_forward=lambda a: np.where(a <= 0, 0.0, a), numpy_derivative=lambda y, a: (np.where(a > 0, 1.0, 0.0),), formula=('1 if x > 0 else 0',))

register_op(
    "leaky_relu",
    lambda a, slope=0.01: a if a > 0 else slope * a,
    lambda y, a, slope=0.01: (1.0 if a > 0 else slope,),
    numpy_forward=lambda a, slope=0.01: np.where(a > 0, a, slope * a),
    numpy_derivative=lambda y, a, slope=0.01: (np.where(a > 0, 1.0, slope),),
    formula=('1 if x > 0 else slope',))

# For a <= 0, y = alpha*(e^a - 1), so y' = alpha*e^a = y + alpha: the rule reuses the output.
register_op(
    "elu",
    lambda a, alpha=1.0: a if a > 0 else alpha * math.expm1(a),
    lambda y, a, alpha=1.0: (1.0 if a > 0 else y + alpha,),
    numpy_forward=lambda a, alpha=1.0: np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0))),
    numpy_derivative=lambda y, a, alpha=1.0: (np.where(a > 0, 1.0, y + alpha),),
    formula=('1 if x > 0 else alpha·eˣ',))

register_op(
    "selu",
    lambda a: SELU_LAMBDA * a if a > 0 else SELU_LAMBDA * SELU_ALPHA * math.expm1(a),
    lambda y, a: (SELU_LAMBDA if a > 0 else y + SELU_LAMBDA * SELU_ALPHA,),
    numpy_forward=lambda a: np.where(a > 0, SELU_LAMBDA * a, SELU_LAMBDA * SELU_ALPHA * np.expm1(np.minimum(a, 0.0))),
    numpy_derivative=lambda y, a: (np.where(a > 0, SELU_LAMBDA, y + SELU_LAMBDA * SELU_ALPHA),),
    formula=('λ if x > 0 else λα·eˣ',))

# Heaviside step: 1 for a > 0, else 0. Its derivative is 0 wherever it exists, so gradient
# descent gets no signal through it (the seeds' argument for the sigmoid).
register_op("step", lambda a: 1.0 if a > 0 else 0.0 if a <= 0 else a, lambda y, a: (0.0,),
            numpy_forward=lambda a: np.heaviside(a, 0.0), numpy_derivative=lambda y, a: (np.zeros_like(a),), formula=('0',))


# ---------------------------------------------------------------------------------------------
# N-ary ops: one node for a whole sum or a neuron's pre-activation, so graphs stay small.

# Both add with math.fsum (correctly rounded), which raises where + gives inf or NaN (a partial
# sum past the float range, inf - inf): there they fall back to +, like every other op.
def _sum(*xs: float) -> float:
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return sum(xs)


# Their NumPy rules take the operands stacked: xs[i] is operand i (an array over the batch).
register_op("sum", _sum, lambda y, *xs: (1.0,) * len(xs), arity=None, symbol="Σ",
            numpy_forward=lambda xs: xs.sum(axis=0), numpy_derivative=lambda y, xs: np.ones_like(xs), formula=('1',))


def _dot(*operands: float) -> float:
    # Operands are w_1..w_n, x_1..x_n and, when their count is odd, a bias last.
    n = len(operands) // 2
    try:
        total = math.fsum(map(operator.mul, operands[:n], operands[n : 2 * n]))  # map: no Python frame per term
    except (OverflowError, ValueError):
        total = _sum(*map(operator.mul, operands[:n], operands[n : 2 * n]))
    return total + operands[-1] if len(operands) % 2 else total


def _dot_derivative(y: Any, *operands: Any) -> tuple:
    n = len(operands) // 2
    weights, inputs = operands[:n], operands[n : 2 * n]
    bias = (1.0,) if len(operands) % 2 else ()
    return inputs + weights + bias


def _dot_numpy(xs: Any) -> Any:
    n = len(xs) // 2
    total = np.einsum("i...,i...->...", xs[:n], xs[n : 2 * n])
    return total + xs[-1] if len(xs) % 2 else total


def _dot_derivative_numpy(y: Any, xs: Any) -> Any:
    n = len(xs) // 2
    return np.concatenate([xs[n : 2 * n], xs[:n], np.ones_like(xs[2 * n :])])


register_op("dot", _dot, _dot_derivative, arity=None, symbol="w·x+b", numpy_forward=_dot_numpy,
            numpy_derivative=_dot_derivative_numpy, formula=('x_i', 'w_i', '1'))
