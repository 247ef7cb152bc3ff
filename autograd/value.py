"""``Value``: one float, its gradient, its parents in order and the local derivatives to them."""

from __future__ import annotations

import math
import numbers
import operator
import sys
from typing import Any, Iterable

from .format import format_number
from .mode import MODE
from .ops import OPS, Op

__all__ = ["Value", "apply", "lift", "sum", "dot"]

Number = numbers.Real


def check_real(x: Any, name: str) -> float:
    """``x`` as a float when it is a real number (int, float, NumPy real scalar), else TypeError.

    ``bool`` is refused: ``Value(True)`` is almost always a mistake. An int too large for a
    float is an OverflowError naming ``name``.
    """
    try:
        if type(x) is float or type(x) is int:  # fast path: isinstance against an ABC is slow
            return float(x)
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return float(x)
    except OverflowError:
        raise OverflowError(f"{name} is too large for a float (at most {sys.float_info.max:g}), got a {type(x).__name__}") from None
    raise TypeError(f"{name} must be a real number (int, float or NumPy real scalar), got {type(x).__name__}: {x!r}")


def _finite(x: Any, name: str) -> float:
    """``check_real`` that also refuses NaN and inf (an op's attribute such as a slope)."""
    number = check_real(x, name)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


class Value:
    """A scalar node of a computation graph.

    Args:
        data: a real number; stored as a Python float.
        label: a name shown in reprs and pictures.
        requires_grad: False makes a constant: backward gives it no gradient.

    Example:
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = a * b + a
        >>> c.backward()
        >>> a.grad, b.grad
        (-2.0, 2.0)
    """

    __slots__ = (
        "data",  # the float this node holds
        "grad",  # ∂root/∂self after backward(); 0.0 until a backward reaches it
        "label",  # a name for pictures and reprs
        "op",  # the name of the op that made this node ("" for leaves)
        "parents",  # the op's operands, in order
        "local_grads",  # ∂self/∂parents[i] as floats, recorded when the op ran
        "requires_grad",  # False for constants: no gradient flows into them
        "attrs",  # the op's keyword attributes (e.g. a slope), or None
        "__weakref__",
    )

    # NumPy scalars on the left (np.float64(2) * v) must defer to our reflected operators.
    __array_ufunc__ = None

    def __init__(self, data: float, label: str = "", requires_grad: bool = True) -> None:
        self.data = check_real(data, "Value data")
        if not isinstance(label, str):
            micrograd = isinstance(label, (tuple, list, set))  # micrograd's Value(data, _children, _op)
            hint = "; micrograd's Value(data, _children, _op) is not supported: use the operators or apply()"
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}{hint if micrograd else ''}")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents: tuple[Value, ...] = ()
        self.local_grads: tuple[float, ...] = ()
        if requires_grad not in (True, False):  # bool("no") would be True
            raise TypeError(f"Value requires_grad must be True or False, got {requires_grad!r}")
        self.requires_grad = bool(requires_grad)
        self.attrs: dict[str, Any] | None = None

    # -- operators ------------------------------------------------------------------------------
    def __add__(self, other: Any) -> Value:
        return _binary(OPS["add"], self, other, False)

    def __radd__(self, other: Any) -> Value:
        return _binary(OPS["add"], self, other, True)

    def __sub__(self, other: Any) -> Value:
        return _binary(OPS["sub"], self, other, False)

    def __rsub__(self, other: Any) -> Value:
        return _binary(OPS["sub"], self, other, True)

    def __mul__(self, other: Any) -> Value:
        return _binary(OPS["mul"], self, other, False)

    def __rmul__(self, other: Any) -> Value:
        return _binary(OPS["mul"], self, other, True)

    def __truediv__(self, other: Any) -> Value:
        return _binary(OPS["div"], self, other, False)

    def __rtruediv__(self, other: Any) -> Value:
        return _binary(OPS["div"], self, other, True)

    def __pow__(self, other: Any) -> Value:
        """self**other; a Value exponent gets the gradient self**other·ln(self). That derivative is
        0 for a base of 0 and NaN for a negative base (whose real powers need an integer exponent;
        a non-integer one is a ValueError). 0**negative is a ZeroDivisionError; overflow is ±inf."""
        return _binary(OPS["pow"], self, other, False)

    def __rpow__(self, other: Any) -> Value:
        return _binary(OPS["pow"], self, other, True)

    def __neg__(self) -> Value:
        return _apply(OPS["neg"], (self,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _apply(OPS["abs"], (self,))

    def __float__(self) -> float:
        return self.data

    # Comparisons look at .data and return bool; == stays identity so Values can be dict keys.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other) if _is_operand(other) else NotImplemented

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other) if _is_operand(other) else NotImplemented

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other) if _is_operand(other) else NotImplemented

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other) if _is_operand(other) else NotImplemented

    # -- functions ------------------------------------------------------------------------------
    def apply(self, op: str, *others: Any, **attrs: Any) -> Value:
        """Apply a registered op (built-in or from ``register_op``) to ``self`` and ``others``."""
        return apply(op, self, *others, **attrs)

    def exp(self) -> Value:
        """e**self. Overflow gives inf (reported under ``detect_anomaly``)."""
        return _apply(OPS["exp"], (self,))

    def log(self) -> Value:
        """Natural logarithm; ValueError for data <= 0."""
        return _apply(OPS["log"], (self,))

    def sqrt(self) -> Value:
        """Square root; ValueError for data < 0. The slope at 0 is inf."""
        return _apply(OPS["sqrt"], (self,))

    def sin(self) -> Value:
        """Sine."""
        return _apply(OPS["sin"], (self,))

    def cos(self) -> Value:
        """Cosine."""
        return _apply(OPS["cos"], (self,))

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 - tanh²."""
        return _apply(OPS["tanh"], (self,))

    def sigmoid(self) -> Value:
        """Logistic 1/(1 + e^-x), stable for any finite x; derivative σ(1 - σ) <= 0.25."""
        return _apply(OPS["sigmoid"], (self,))

    def relu(self) -> Value:
        """max(x, 0), with ReLU'(0) = 0."""
        return _apply(OPS["relu"], (self,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope·x; the derivative at 0 is ``slope``."""
        return _apply(OPS["leaky_relu"], (self,), {"slope": _finite(slope, "leaky_relu slope")})

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else alpha·(e^x - 1); the derivative at 0 is ``alpha``."""
        return _apply(OPS["elu"], (self,), {"alpha": _finite(alpha, "elu alpha")})

    def selu(self) -> Value:
        """λ·x for x > 0, else λα(e^x - 1), with λ = 1.0507009873554805, α = 1.6732632423543772."""
        return _apply(OPS["selu"], (self,))

    def softplus(self) -> Value:
        """ln(1 + e^x), stable for any finite x; its derivative is the sigmoid."""
        return _apply(OPS["softplus"], (self,))

    def step(self) -> Value:
        """Heaviside step: 1 for x > 0, else 0. Its derivative is 0: nothing trains through it."""
        return _apply(OPS["step"], (self,))

    # -- gradients ------------------------------------------------------------------------------
    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node reachable from this one (see ``autograd.backward``)."""
        from .backward import backward

        backward(self, gradient)

    # -- display and micrograd compatibility ---------------------------------------------------
    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={format_number(self.data)}, grad={format_number(self.grad)}{label})"

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the parents (a set there, so order is lost; use ``parents``)."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's name for the op's symbol ("" for leaves)."""
        return OPS[self.op].symbol if self.op in OPS else self.op


def _is_operand(x: Any) -> bool:
    if type(x) is float or type(x) is int:  # fast path: isinstance against an ABC is slow
        return True
    return isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def lift(x: Any, name: str = "operand") -> Value:
    """``x`` itself when it is a Value, else a constant Value (requires_grad=False) holding it."""
    if isinstance(x, Value):
        return x
    return _constant(check_real(x, name))


def _constant(x: float) -> Value:
    """``Value(x, requires_grad=False)`` for a number already known to be a real: the operators
    lift one per ``v * 2``, and skipping ``__init__``'s checks makes B3's chain of such ops 1.1x faster."""
    c = Value.__new__(Value)
    try:
        c.data = float(x)
    except OverflowError:  # an int past the float range: check_real's error names it
        check_real(x, "operand")
    c.grad = 0.0
    c.label = ""
    c.op = ""
    c.parents = ()
    c.local_grads = ()
    c.requires_grad = False
    c.attrs = None
    return c


def _binary(op: Op, self: Value, other: Any, reflected: bool) -> Value:
    if not isinstance(other, Value):
        if not _is_operand(other):
            return NotImplemented
        other = _constant(other)
    return _apply(op, (other, self) if reflected else (self, other))


def _describe(v: Value) -> str:
    return f"{v.label}={format_number(v.data)}" if v.label else format_number(v.data)


_requires_grad = operator.attrgetter("requires_grad")


def _apply(op: Op, parents: tuple[Value, ...], attrs: dict[str, Any] | None = None) -> Value:
    xs = [p.data for p in parents]
    try:
        y = op.forward(*xs, **attrs) if attrs else op.forward(*xs)
    except (ValueError, ArithmeticError) as error:
        operands = ", ".join(_describe(p) for p in parents)
        raise type(error)(f"{op.name}({operands}): {error}") from None
    if MODE.anomaly:
        _check_forward(op, parents, y)
    out = Value.__new__(Value)
    out.data = y
    out.grad = 0.0
    out.label = ""
    out.attrs = attrs
    # The first operand usually decides; map() needs no generator frame for the others.
    if MODE.grad_enabled and (parents[0].requires_grad or any(map(_requires_grad, parents))):
        out.op = op.name
        out.parents = parents
        out.local_grads = op.derivative(y, *xs, **attrs) if attrs else op.derivative(y, *xs)
        out.requires_grad = True
    else:  # nothing to differentiate: the result is a constant, with no graph behind it
        out.op = ""
        out.parents = ()
        out.local_grads = ()
        out.requires_grad = False
    return out


def _check_forward(op: Op, parents: tuple[Value, ...], y: float) -> None:
    if not math.isfinite(y):
        operands = ", ".join(_describe(p) for p in parents)
        raise FloatingPointError(f"detect_anomaly: {op.name}({operands}) returned {y} in the forward pass")


def apply(op: str | Op, *operands: Any, **attrs: Any) -> Value:
    """Apply the op named ``op`` to ``operands`` (Values or numbers) and return the new node.

    Args:
        op: a name from the op table (built-in or added with ``register_op``) or an ``Op``.
        *operands: Values, or numbers (wrapped as constants).
        **attrs: the op's keyword attributes, e.g. ``slope`` for ``leaky_relu``.

    Returns:
        A Value recording ``operands`` as parents and the op's local derivatives.
    """
    if isinstance(op, str):
        if op not in OPS:
            raise ValueError(f"unknown op {op!r}; known ops: {', '.join(sorted(OPS))}")
        op = OPS[op]
    elif not isinstance(op, Op):
        raise TypeError(f"op must be an op name or an Op, got {type(op).__name__}: {op!r}")
    if op.arity is not None and len(operands) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} operand(s), got {len(operands)}")
    if op.arity is None and not operands:
        raise ValueError(f"{op.name} needs at least one operand")
    return _apply_checked(op, operands, attrs or None)


def _apply_checked(op: Op, operands: tuple[Any, ...], attrs: dict[str, Any] | None) -> Value:
    """``_apply`` after lifting numbers to constants, checking what the rules returned (a user's
    forward may return a complex or an int, its derivative a list, or the wrong count)."""
    if all([isinstance(x, Value) for x in operands]):  # the common case, cheaper than lifting
        parents = operands
    else:
        parents = tuple([x if isinstance(x, Value) else lift(x, f"{op.name} operand {i}")
                         for i, x in enumerate(operands)])
    try:
        out = _apply(op, parents, attrs)
    except TypeError as error:  # e.g. an attribute the rules do not take, or of the wrong type
        if not attrs:
            raise
        raise TypeError(f"{op.name} with attributes {attrs}: {error}") from error
    if type(out.data) is not float:
        out.data = check_real(out.data, f"the forward rule of {op.name!r} returned a non-real result; it")
    if not isinstance(out.local_grads, tuple):
        try:
            out.local_grads = tuple(out.local_grads)
        except TypeError:
            raise TypeError(
                f"derivative rule of {op.name!r} must return a tuple with one local derivative per "
                f"operand, got {type(out.local_grads).__name__}: {out.local_grads!r}"
            ) from None
    if out.parents and len(out.local_grads) != len(parents):
        raise ValueError(
            f"derivative rule of {op.name!r} returned {len(out.local_grads)} local derivative(s) "
            f"for {len(parents)} operand(s)"
        )
    return out


def _as_list(values: Iterable[Any], name: str, expected: str = "an iterable of Values or numbers") -> list[Any]:
    if isinstance(values, (list, tuple)):  # fast path: isinstance against typing.Iterable is slow
        return list(values)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be {expected}, got {type(values).__name__}: {values!r}")
    return list(values)


def sum(values: Iterable[Any]) -> Value:  # noqa: A001 - the contract's name, autograd.sum
    """The sum of ``values`` as one n-ary node (not a chain of additions).

    Args:
        values: a non-empty iterable of Values or numbers.

    Returns:
        A Value whose local derivative to every operand is 1.
    """
    items = _as_list(values, "sum: values")
    if not items:
        raise ValueError("sum: values is empty")
    return _apply_checked(OPS["sum"], tuple(items), None)


def dot(weights: Iterable[Any], inputs: Iterable[Any], bias: Any = None) -> Value:
    """w·x + b as one node: a neuron's pre-activation v.

    Args:
        weights: Values or numbers w_1..w_n.
        inputs: Values or numbers x_1..x_n, as many as the weights.
        bias: a Value or number, or None for no bias.

    Returns:
        A Value with parents (w_1..w_n, x_1..x_n[, b]) and local derivatives (x..., w...[, 1]).
    """
    ws, xs = _as_list(weights, "dot: weights"), _as_list(inputs, "dot: inputs")
    if len(ws) != len(xs):
        raise ValueError(f"dot: got {len(ws)} weights but {len(xs)} inputs")
    if not ws:
        raise ValueError("dot: weights and inputs are empty")
    operands = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return _apply_checked(OPS["dot"], operands, None)
