"""``Value``: one float, its gradient, its parents in order and the local derivatives to them.
Every op makes its node with :func:`node` (:func:`apply`: the same, checked); ``+`` and ``*`` take
the speed paths of :mod:`autograd.fast`, which record the same nodes."""

from __future__ import annotations

from itertools import repeat
from operator import attrgetter
from typing import Any, Sequence

from . import validate
from .backward import chain_rule, topological_order
from .format import format_number
from .methods import OpMethods
from .mode import MODE, check_backward, check_forward, describe
from .ops import OPS, Op
from .validate import finite, flag, real, shown

__all__ = ["Value", "apply", "node", "lift", "backward", "binary", "operand_pair"]

_data, _needs_grad = attrgetter("data"), attrgetter("requires_grad")  # for map(): no comprehension


class Value(OpMethods):
    """A scalar node of a graph: ``+ - * / **`` both ways round, unary ``-``, ``abs()``, and
    ``< <= > >=`` comparing ``.data`` (``==`` stays identity: Values can be dict keys). Each unary
    op of the table is a method too (``x.tanh()``), from the base class ``methods.OpMethods``.

    Args:
        data: a real number (int, float, NumPy real scalar), stored as a float.
        label: a name shown in reprs and pictures.
        requires_grad: False makes a constant: backward gives it no gradient.
    """

    __slots__ = (
        "data",  # the float this node holds
        "grad",  # ∂root/∂self after backward(); 0.0 until a backward reaches it
        "label",  # a name for pictures and reprs
        "op",  # the name of the op that made this node ("" for leaves)
        "parents",  # the op's operands, in order
        "local_grads",  # ∂self/∂parents[i], recorded when the op ran
        "requires_grad",  # False for constants: no gradient flows into them
        "attrs",  # the op's keyword attributes (a slope), or None
        "__weakref__",
    )
    __array_ufunc__ = None  # np.float64(2) * v must defer to our reflected operators

    # Ops pass the last four arguments positionally (keywords would allocate a dict per node).
    def __init__(self, data: float, label: str = "", requires_grad: bool = True, _op: str = "",
                 _parents: tuple[Value, ...] = (), _local_grads: Sequence[float] = (),
                 _attrs: dict | None = None) -> None:
        self.data = data if type(data) is float else real(data, "data")
        self.grad = 0.0
        self.label = label if type(label) is str else validate.label(label)
        self.op = _op
        self.parents = _parents
        self.local_grads = _local_grads
        self.requires_grad = requires_grad is True or flag(requires_grad, "requires_grad")
        self.attrs = _attrs

    def __add__(self, other: Any) -> Value:
        return fast.add(self, other)

    def __radd__(self, other: Any) -> Value:
        return fast.add(other, self)

    def __mul__(self, other: Any) -> Value:
        return fast.mul(self, other)

    def __rmul__(self, other: Any) -> Value:
        return fast.mul(other, self)

    def __sub__(self, other: Any) -> Value:
        return binary("sub", self, other)

    def __rsub__(self, other: Any) -> Value:
        return binary("sub", other, self)

    def __truediv__(self, other: Any) -> Value:
        return binary("div", self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return binary("div", other, self)

    def __pow__(self, other: Any) -> Value:
        return binary("pow", self, other)

    def __rpow__(self, other: Any) -> Value:
        return binary("pow", other, self)

    def __neg__(self) -> Value:
        return node(OPS["neg"], (self,))

    def __abs__(self) -> Value:
        return node(OPS["abs"], (self,))

    def __pos__(self) -> Value:
        return self

    def __float__(self) -> float:
        return self.data

    def __lt__(self, other: Any) -> bool:
        return self.data < _number(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _number(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _number(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _number(other)

    def apply(self, op: str | Op, *others: Any, **attrs: Any) -> Value:
        """``apply(op, self, *others, **attrs)``."""
        return apply(op, self, *others, **attrs)

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node reachable from this one (see :func:`backward`)."""
        backward(self, gradient)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={format_number(self.data)}, grad={format_number(self.grad)}{label})"

    # micrograd's names: the parents as a set (in order: .parents), the op's symbol
    _prev = property(lambda self: set(self.parents))
    _op = property(lambda self: OPS[self.op].symbol if self.op in OPS else self.op)


def _number(other: Any) -> float:  # the other side of a comparison
    return other.data if isinstance(other, Value) else real(other, "the other side of a comparison")


def node(op: Op, parents: tuple[Value, ...], attrs: dict[str, float] | None = None) -> Value:
    """The node of ``op`` on ``parents`` (Values, as many as it takes) with its ``attrs`` (finite
    floats, or None): run the forward rule, record the parents and the local derivatives (none for
    a constant, when nothing needs a gradient). Unchecked: :func:`apply` checks, then calls it."""
    xs = list(map(_data, parents))
    try:
        y = op.forward(*xs, **attrs) if attrs else op.forward(*xs)
    except (ValueError, ArithmeticError) as error:
        raise type(error)(f"{op.name}({', '.join(map(describe, parents))}): {error}") from None
    if MODE.anomaly:
        check_forward(op.name, parents, y)
    if not (parents[0].requires_grad or any(map(_needs_grad, parents))) or not MODE.grad_enabled:
        return Value(y, "", False)  # nothing to differentiate: a constant
    local = op.derivative(y, *xs, **attrs) if attrs else op.derivative(y, *xs)
    return Value(y, "", True, op.name, parents, local, attrs)


def operand_pair(a: Any, b: Any) -> tuple[Value, Value] | None:
    """A binary operator's operands as Values (numbers made constants), or None when one is not a
    number (the operator returns NotImplemented: Python tries the other side's)."""
    if type(a) is Value and type(b) is Value:
        return a, b
    try:
        return lift(a, "operand (a constant's data)"), lift(b, "operand (a constant's data)")
    except TypeError:
        return None


def binary(name: str, a: Any, b: Any) -> Value:
    """The node of the binary op ``name`` on ``a`` and ``b``, for an operator (see operand_pair)."""
    pair = operand_pair(a, b)
    return NotImplemented if pair is None else node(OPS[name], pair)


def apply(op: str | Op, *operands: Any, **attrs: Any) -> Value:
    """The node of ``op`` (a name of the table, or an ``Op``) on ``operands`` (Values, or numbers
    made constants) with its attributes (``slope=0.1``: finite numbers), checked."""
    op = OPS.get(op, op) if isinstance(op, str) else op
    if not isinstance(op, Op):
        error = ValueError if isinstance(op, str) else TypeError
        raise error(f"op must be an Op or one of {[*OPS]}, got {shown(op)}")
    if (op.arity is not None and len(operands) != op.arity) or not operands:
        count = op.arity or "one or more"
        raise TypeError(f"{op.name} takes {count} operand(s), got {len(operands)}")
    if not all(map(isinstance, operands, repeat(Value))):  # numbers become constants
        operands = tuple(lift(x, f"{op.name} operand {i}") for i, x in enumerate(operands))
    if attrs:
        attrs = {key: finite(value, f"{op.name} {key}") for key, value in attrs.items()}
    try:
        out = node(op, operands, attrs or None)
    except TypeError as error:  # a user's rule returned a non-real, or an unknown attribute
        raise TypeError(f"{op.name}: {error}") from None
    local = out.local_grads
    if out.parents and (type(local) is not tuple or len(local) != len(operands)):
        raise TypeError(f"{op.name}: the derivative must be a tuple of {len(operands)} numbers, "
                        f"got {shown(local)}")
    return out


def lift(x: Any, name: str = "operand") -> Value:
    """``x`` itself when it is a Value, else a constant holding the real number ``x``."""
    return x if isinstance(x, Value) else Value(real(x, name), "", False)


def backward(root: Value, gradient: float = 1.0, *, order: list[Value] | None = None) -> None:
    """Fill ``.grad`` of every node reachable from ``root`` with ``gradient`` × ∂root/∂node:
    interior nodes' anew, leaves' added to what they hold (two calls give exactly twice, as
    PyTorch's ``retain_graph=True``), constants' never; iterative (a 1,000,000-node chain works).
    ``order``: root's topological order when the caller has it (``viz.Trace.nodes``), exactly
    that (only a non-empty list ending with ``root`` is checked)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {shown(root)}")
    seed = finite(gradient, "gradient")
    if not root.requires_grad:
        raise RuntimeError("root does not require grad: a constant, or made under no_grad")
    order = topological_order(root) if order is None else order
    if type(order) is not list or not order or order[-1] is not root:
        raise ValueError(f"order must be root's topological order, ending with it: {shown(order)}")
    held = []  # leaves add this pass's gradient, summed from 0.0, to what they held
    for v in order:
        if v.grad:  # else 0.0 already (0.0 + -0.0 is 0.0: no gradient ends -0.0)
            if not v.parents:
                held.append((v, v.grad))
            v.grad = 0.0
    chain_rule(order, seed, on_step=check_backward if MODE.anomaly else None)
    for v, before in held:
        v.grad += before


from . import fast  # noqa: E402 - fast builds its nodes with Value, so it comes after it
