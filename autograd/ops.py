"""The op table, the one place where derivatives live: each op a name, a forward rule (floats to a
float; outside its domain a ValueError or ZeroDivisionError, never a complex) and a derivative rule
(output and operands to one ∂output/∂operand each; exp' = y reuses the output). Rules use ``exp
log sin cos sigmoid`` below, on floats or Values: they also build ``create_graph=True``'s graph."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from itertools import repeat
from operator import mul, truediv
from typing import Any, Callable, Iterable, Sequence

from . import methods
from .validate import flag, items, text, whole

__all__ = ["Op", "OPS", "register_op", "SELU_ALPHA", "SELU_LAMBDA"]

# SELU's constants (Klambauer et al. 2017); the lecture notes round them to 1.67326 and 1.0507.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


@dataclass(frozen=True)
class Op:
    """One row of the op table."""

    name: str  # stored on every node the op makes (Value.op)
    forward: Callable[..., float]  # (*operands, **attrs) -> float
    derivative: Callable[..., tuple]  # (output, *operands, **attrs) -> ∂output/∂operand_i
    arity: int | None  # the number of operands; None for any number (sum, dot)
    symbol: str  # what pictures show ("*" for mul)
    formula: tuple[str, ...]  # the local derivatives as text: x, a, b the operands, y the output
    activation: bool  # offered by nn as an activation
    attrs: tuple[str, ...]  # the forward rule's keyword attributes (slope, alpha)


OPS: dict[str, Op] = {}


def register_op(name: str, forward: Callable[..., float], derivative: Callable[..., tuple], *,
                arity: int | None = 1, symbol: str = "", formula: str | tuple[str, ...] = (),
                activation: bool = False) -> Op:
    """Add an op to the table and return its row (a user's op registered again is replaced; a
    built-in's name is refused). ``forward``: operand floats (attributes: keywords with defaults) to
    a float; ``derivative``: ``(output, *operands, **attrs)`` to one local derivative per operand;
    ``arity`` None: any number; ``symbol``: what pictures show (the name by default); ``formula``:
    the derivatives as text; ``activation``: in nn.ACTIVATIONS. A unary op is also a method of
    Value and a function of ``parse``:

        >>> from autograd import Value
        >>> _ = register_op("cube", lambda x: x ** 3, lambda y, x: (3 * x * x,), formula="3x²")
        >>> Value(2.0).cube()
        Value(data=8.0, grad=0.0)
    """
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("__") or (
            name in OPS and name in _BUILT_IN):
        raise ValueError(f"name must be an identifier, not a dunder or built-in op's, got {name!r}")
    if not callable(forward) or not callable(derivative):
        raise TypeError(f"register_op({name!r}): forward and derivative must be callable")
    arity = None if arity is None else whole(arity, "arity")
    activation = flag(activation, "activation")
    try:  # the attributes: keywords with defaults
        attrs = tuple(p.name for p in inspect.signature(forward).parameters.values()
                      if p.default is not p.empty)
    except (TypeError, ValueError):  # a builtin without a signature takes no attributes
        attrs = ()
    formula = (formula,) if isinstance(formula, str) else tuple(
        text(f, "formula") for f in items(formula, "formula", "text"))
    OPS[name] = Op(name, forward, derivative, arity, text(symbol, "symbol") or name, formula,
                   activation, attrs)
    methods.install(OPS[name])
    return OPS[name]


def _rule(name: str) -> Callable[[Any], Any]:  # for derivative rules: a float or a node
    return lambda x: OPS[name].forward(x) if isinstance(x, (int, float)) else x.apply(name)


exp, log, sin, cos, sigmoid = map(_rule, ("exp", "log", "sin", "cos", "sigmoid"))


# -- Arithmetic (Value's + and * inline their rows' rules: autograd.fast) -------------------------
register_op("add", lambda a, b: a + b, lambda y, a, b: (1.0, 1.0), arity=2, symbol="+",
            formula=("1", "1"))
register_op("sub", lambda a, b: a - b, lambda y, a, b: (1.0, -1.0), arity=2, symbol="-",
            formula=("1", "−1"))
register_op("mul", lambda a, b: a * b, lambda y, a, b: (b, a), arity=2, symbol="*",
            formula=("b", "a"))
register_op("neg", lambda a: -a, lambda y, a: (-1.0,), symbol="−", formula="−1")
register_op("div", truediv, lambda y, a, b: (1.0 / b, -y / b), arity=2, symbol="/",
            formula=("1/b", "−y/b"))


def _pow(a: float, b: float) -> float:  # 0 to a negative power: Python's ZeroDivisionError
    if a < 0 and not float(b).is_integer():
        raise ValueError(f"a negative base with the non-integer exponent {b!r} has no real value")
    try:
        return float(a) ** b
    except OverflowError:
        return math.inf if a > 0 or float(b) % 2 == 0 else -math.inf


def _pow_derivative(y: Any, a: Any, b: Any) -> tuple:
    # ∂/∂a = b·a^(b−1): infinite at a = 0 for 0 < b < 1 (as sqrt's); b·y/a where a^(b−1)
    # overflows a float. ∂/∂b = y·ln a: its limit 0 at a = 0, NaN for a < 0 (integer b only).
    zero = float(a) == 0
    try:
        d_base = (0.0 if float(b) == 0 else math.inf) if zero and b < 1 else b * a ** (b - 1)
    except OverflowError:
        d_base = b * y / a
    return d_base, y * log(a) if a > 0 else 0.0 if zero else math.nan


register_op("pow", _pow, _pow_derivative, arity=2, symbol="**", formula=("b·a^(b−1)", "y·ln a"))
# sign(x), with the subgradient 0 at 0 (PyTorch's choice).
register_op("abs", abs, lambda y, a: (1.0,) if a > 0 else (-1.0,) if a < 0 else (0.0,),
            formula="sign(x)")


# -- Elementary functions -------------------------------------------------------------------------
def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf  # as IEEE arithmetic does; detect_anomaly reports it


def _log(a: float) -> float:
    if a <= 0:
        raise ValueError(f"the logarithm of {a!r} is undefined (the operand must be > 0)")
    return math.log(a)


def _sqrt(a: float) -> float:
    if a < 0:
        raise ValueError(f"the square root of {a!r} is not real (the operand must be >= 0)")
    return math.sqrt(a)


register_op("exp", _exp, lambda y, a: (y,), formula="y")
register_op("log", _log, lambda y, a: (1.0 / a,), formula="1/x")
register_op("sqrt", _sqrt, lambda y, a: (0.5 / y if y > 0 else math.inf,), formula="1/(2y)")
register_op("sin", math.sin, lambda y, a: (cos(a),), formula="cos x")
register_op("cos", math.cos, lambda y, a: (-sin(a),), formula="−sin x")


# -- Activations (the lecture notes' table). Stable for any finite input; at a kink (0) the
# derivative is the left one, as in PyTorch: ReLU'(0) = 0, leaky_relu'(0) = slope, ELU'(0) = alpha.
def _sigmoid(a: float) -> float:
    e = math.exp(-abs(a))  # never overflows
    return 1.0 / (1.0 + e) if a >= 0 else e / (1.0 + e)


def _softplus(a: float) -> float:
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))  # ln(1 + eᵃ), which never overflows


def stable_tanh_derivative(y: Any, a: Any) -> tuple:
    """tanh'(x) = 1 − y², computed as 4e/(1 + e)² with e = e^(−2|x|): the same number without
    the cancellation in 1 − y² as tanh rounds to ±1 (x = 20: 1 − y² is 0, tanh' 1.7e-17)."""
    e = exp(-2.0 * abs(a))
    return (4.0 * e / (1.0 + e) ** 2,)


def stable_sigmoid_derivative(y: Any, a: Any) -> tuple:
    """σ'(x) = y(1 − y), computed as y·σ(−x), as 1 − σ(x) = σ(−x): the same number, no
    cancellation of 1 − y where σ rounds to 1 (x > 37: 1 − y is 0.0, σ'(40) ≈ 4.2e-18)."""
    return (y * sigmoid(-a),)


register_op("tanh", math.tanh, stable_tanh_derivative, formula="1 − y²", activation=True)
register_op("sigmoid", _sigmoid, stable_sigmoid_derivative, symbol="σ", formula="y(1 − y)",
            activation=True)
register_op("softplus", _softplus, lambda y, a: (sigmoid(a),), formula="σ(x)", activation=True)
# `a <= 0` rather than `a > 0` in forward rules lets a NaN through; (1.0,) is one shared tuple.
register_op("relu", lambda a: 0.0 if a <= 0 else a, lambda y, a: (1.0,) if a > 0 else (0.0,),
            formula="1 if x > 0 else 0", activation=True)
register_op("leaky_relu", lambda a, slope=0.01: slope * a if a <= 0 else a,
            lambda y, a, slope=0.01: (1.0,) if a > 0 else (slope,),
            formula="1 if x > 0 else slope", activation=True)
# Below 0 the slope is alpha·eˣ, computed as such: y + alpha would cancel for large negative x.
register_op("elu", lambda a, alpha=1.0: alpha * math.expm1(a) if a <= 0 else a,
            lambda y, a, alpha=1.0: (1.0,) if a > 0 else (alpha * exp(a),),
            formula="1 if x > 0 else alpha·eˣ", activation=True)
register_op("selu", lambda a: SELU_LAMBDA * (SELU_ALPHA * math.expm1(a) if a <= 0 else a),
            lambda y, a: (SELU_LAMBDA if a > 0 else SELU_LAMBDA * SELU_ALPHA * exp(a),),
            formula="λ if x > 0 else λα·eˣ", activation=True)
# Heaviside: its derivative is 0 wherever it exists, so nothing trains through it.
register_op("step", lambda a: 0.0 if a <= 0 else 1.0 if a > 0 else a, lambda y, a: (0.0,),
            formula="0", activation=True)


# -- N-ary ops: one node for a whole sum or a neuron's pre-activation -----------------------------
def _sumprod(ws: Sequence[float], xs: Iterable[float]) -> float:
    """Σ wᵢ·xᵢ, correctly rounded (``math.fsum``); past the float range, what + gives."""
    try:
        return math.fsum(map(mul, ws, xs))
    except (OverflowError, ValueError):
        return sum(map(mul, ws, xs))


def _dot(*operands: float) -> float:
    # The operands are w_1..w_n, x_1..x_n and, when their count is odd, the bias.
    n = len(operands) // 2
    bias = operands[-1] if len(operands) % 2 else 0.0
    return _sumprod(operands[:n], operands[n : 2 * n]) + bias


def _dot_derivative(y: Any, *operands: Any) -> tuple:
    n = len(operands) // 2
    return operands[n : 2 * n] + operands[:n] + (1.0,) * (len(operands) % 2)


register_op("sum", lambda *xs: _sumprod(xs, repeat(1.0)), lambda y, *xs: (1.0,) * len(xs),
            arity=None, symbol="Σ", formula="1")
register_op("dot", _dot, _dot_derivative, arity=None, symbol="w·x+b", formula=("x_i", "w_i", "1"))
_BUILT_IN = frozenset(OPS)  # read by register_op for a name in OPS only: never above, where unset
