"""``Value``: one float, its gradient, its parents in order and the local derivatives to them."""

from __future__ import annotations

import operator
from itertools import repeat
from math import fsum
from typing import Any, Callable, Iterable, Sequence

from .backward import chain_rule, gradients, topological_order
from .format import format_number
from .mode import MODE, check_backward, check_forward, describe, enable_grad
from .ops import OPS, Op
from .validate import finite, flag, items, real, shown, text

__all__ = ["Value", "apply", "lift", "sum", "dot", "backward", "grad"]

_data, _needs_grad = operator.attrgetter("data"), operator.attrgetter("requires_grad")
_LABEL = "label (micrograd's Value(data, _children, _op) is not supported: use the operators or apply())"


class Value:
    """A scalar node of a computation graph: ``+ - * / **`` both ways round, unary ``-``, ``abs()``
    and each unary op of the table as a method (``x.tanh()``, ``x.leaky_relu(0.1)``). ``< <= > >=``
    compare ``.data``; ``==`` stays identity, so Values can be dict keys.

    Args:
        data: a real number (int, float, NumPy real scalar), stored as a float.
        label: a name shown in reprs and pictures.
        requires_grad: False makes a constant: backward gives it no gradient.
    """

    __slots__ = ("data",  # the float this node holds
                 "grad",  # ∂root/∂self after backward(); 0.0 until a backward reaches it
                 "label",  # a name for pictures and reprs
                 "op",  # the name of the op that made this node ("" for leaves)
                 "parents",  # the op's operands, in order
                 "local_grads",  # ∂self/∂parents[i], recorded when the op ran
                 "requires_grad",  # False for constants: no gradient flows into them
                 "attrs", "__weakref__")  # the op's keyword attributes (a slope) or None; weak references
    __array_ufunc__ = None  # np.float64(2) * v must defer to our reflected operators

    # Ops pass the last four arguments positionally (keywords would allocate a dict per node).
    def __init__(self, data: float, label: str = "", requires_grad: bool = True, _op: str = "",
                 _parents: tuple[Value, ...] = (), _local_grads: Sequence[float] = (), _attrs: dict | None = None) -> None:
        self.data = data if type(data) is float else real(data, "data")
        self.grad = 0.0
        self.label = label if type(label) is str else text(label, _LABEL)
        self.op = _op
        self.parents = _parents
        self.local_grads = _local_grads
        self.requires_grad = requires_grad if requires_grad is True else flag(requires_grad, "requires_grad")
        self.attrs = _attrs

    __neg__ = lambda self: _apply(OPS["neg"], (self,))  # noqa: E731
    __abs__ = lambda self: _apply(OPS["abs"], (self,))  # noqa: E731
    __pos__ = lambda self: self  # noqa: E731
    __float__ = lambda self: self.data  # noqa: E731

    def apply(self, op: str | Op, *others: Any, **attrs: Any) -> Value:
        """``apply(op, self, *others, **attrs)``."""
        return apply(op, self, *others, **attrs)

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node reachable from this one (see :func:`backward`)."""
        backward(self, gradient)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={format_number(self.data)}, grad={format_number(self.grad)}{label})"

    _prev = property(lambda self: set(self.parents))  # micrograd's: the parents as a set (in order: .parents)
    _op = property(lambda self: OPS[self.op].symbol if self.op in OPS else self.op)  # micrograd's: the op's symbol


def _method(name: str, attrs: tuple[str, ...]) -> Callable[..., Value]:
    def method(self: Value, *args: Any, **kwargs: Any) -> Value:
        if len(args) > len(attrs):
            raise TypeError(f"{name}() takes {len(attrs)} positional argument(s), its attributes {attrs}, got {len(args)}")
        return apply(name, self, **dict(zip(attrs, args)), **kwargs) if args else apply(name, self, **kwargs)
    method.__name__, method.__doc__ = name, f"``apply({name!r}, self, ...)``: see the op table, autograd.ops."
    return method


# The arithmetic operators, both ways round, the comparisons (of .data) and each unary op of the table as a method,
# x.leaky_relu(0.1) (positional arguments fill its attributes): here, as a __getattr__ would slow every attribute.
for _name, _dunder in {"add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "pow": "pow"}.items():
    setattr(Value, f"__{_dunder}__", lambda self, other, name=_name: _binary(name, self, other))
    setattr(Value, f"__r{_dunder}__", lambda self, other, name=_name: _binary(name, other, self))
for _dunder in ("lt", "le", "gt", "ge"):
    setattr(Value, f"__{_dunder}__", lambda self, other, compare=getattr(operator, _dunder): compare(
        self.data, other.data if isinstance(other, Value) else real(other, "the other side of the comparison")))
for _name in [name for name, row in OPS.items() if row.arity == 1 and name not in vars(Value)]:
    setattr(Value, _name, _method(_name, OPS[_name].attrs))


def _binary(name: str, a: Any, b: Any) -> Value:
    try:
        a, b = lift(a, "operand (a constant's data)"), lift(b, "operand (a constant's data)")
    except TypeError:  # not a number: Python tries the other side's operator, then raises
        return NotImplemented
    # + and * make most of a hand-written graph (micrograd's neurons, long chains): their rows'
    # rules inlined, unless no_grad, detect_anomaly or two constants call for the general path.
    if name in ("add", "mul") and not MODE.anomaly and MODE.grad_enabled and (a.requires_grad or b.requires_grad):
        return Value(a.data + b.data, "", True, "add", (a, b), (1.0, 1.0), None) if name == "add" else \
            Value(a.data * b.data, "", True, "mul", (a, b), (b.data, a.data), None)
    return _apply(OPS[name], (a, b))


def _apply(op: Op, parents: tuple[Value, ...], attrs: dict[str, float] | None = None) -> Value:
    """The node of every op: run the forward rule, record parents and local derivatives."""
    xs = list(map(_data, parents))
    try:
        y = op.forward(*xs, **attrs) if attrs else op.forward(*xs)
    except (ValueError, ArithmeticError) as error:  # name the op and its operands
        raise type(error)(f"{op.name}({', '.join(map(describe, parents))}): {error}") from None
    if MODE.anomaly:
        check_forward(op.name, parents, y)
    if not MODE.grad_enabled or not (parents[0].requires_grad or any(map(_needs_grad, parents))):
        return Value(y, "", False)  # nothing to differentiate: a constant
    local = op.derivative(y, *xs, **attrs) if attrs else op.derivative(y, *xs)
    return Value(y, "", True, op.name, parents, local, attrs)


def _layer(weights: Sequence[Sequence[Value]], inputs: Sequence[Value], biases: Sequence[Value],
           op: Op | None = None) -> tuple[list[Value], list[Value]]:
    """A layer's pre-activations vs, ``dot(w, inputs, b)`` per row w and bias b, and outputs ys, op(v)
    (the vs when op is None), for checked operands: the inputs' floats read once, the rows' rules
    inlined, unless no_grad, detect_anomaly, a constant bias or an error calls for _apply's path."""
    if not MODE.anomaly and MODE.grad_enabled and all(map(_needs_grad, biases)):
        xs, vs, ys, mul = [x.data for x in inputs], [], [], operator.mul
        forward, derivative, name = (op.forward, op.derivative, op.name) if op is not None else (None, None, None)
        try:
            for w, b in zip(weights, biases):
                ws = [p.data for p in w]
                v = fsum(map(mul, ws, xs)) + b.data
                vs.append(node := Value(v, "", True, "dot", (*w, *inputs, b), (*xs, *ws, 1.0), None))
                if forward is not None:
                    y = forward(v)
                    ys.append(Value(y, "", True, name, (node,), derivative(y, v), None))
            return vs, ys if op is not None else vs
        except (ValueError, ArithmeticError):
            pass
    vs = [_apply(OPS["dot"], (*w, *inputs, b)) for w, b in zip(weights, biases)]
    return vs, [_apply(op, (v,)) for v in vs] if op is not None else vs


def apply(op: str | Op, *operands: Any, **attrs: Any) -> Value:
    """The node of op ``op`` (a name of the table, or an ``Op``) applied to ``operands`` (Values, or
    numbers made constants), with its attributes (``slope=0.1``: finite numbers)."""
    op = OPS.get(op, op) if isinstance(op, str) else op
    if not isinstance(op, Op):
        raise (ValueError if isinstance(op, str) else TypeError)(f"op must be an Op or one of {[*OPS]}, got {shown(op)}")
    if (op.arity is not None and len(operands) != op.arity) or not operands:
        raise TypeError(f"{op.name} takes {op.arity or 'one or more'} operand(s), got {len(operands)}")
    parents = operands if all(map(isinstance, operands, repeat(Value))) else tuple(
        lift(x, f"{op.name} operand {i}") for i, x in enumerate(operands))
    attrs = {key: finite(value, f"{op.name} {key}") for key, value in attrs.items()} if attrs else None
    try:
        out = _apply(op, parents, attrs)
    except TypeError as error:  # a user's rule returned a non-real, or an unknown attribute was given
        raise TypeError(f"{op.name}: {error}") from None
    if out.parents and (type(out.local_grads) is not tuple or len(out.local_grads) != len(parents)):
        raise TypeError(f"{op.name}: the derivative must be a tuple of {len(parents)} numbers, got {shown(out.local_grads)}")
    return out


def lift(x: Any, name: str = "operand") -> Value:
    """``x`` itself when it is a Value, else a constant holding the real number ``x``."""
    return x if isinstance(x, Value) else Value(real(x, name), "", False)


def sum(values: Iterable[Any]) -> Value:  # noqa: A001 - the contract's name, autograd.sum
    """The sum of ``values`` (Values or numbers, at least one) as one n-ary node."""
    operands = items(values, "values")
    if not operands:
        raise ValueError("values must not be empty")
    return _apply(OPS["sum"], tuple(x if isinstance(x, Value) else lift(x, f"values[{i}]") for i, x in enumerate(operands)))


def dot(weights: Iterable[Any], inputs: Iterable[Any], bias: Any = None) -> Value:
    """w·x + b as one node, a neuron's pre-activation: parents (w_1..w_n, x_1..x_n[, b]) and local
    derivatives (x_1..x_n, w_1..w_n[, 1]); Values or numbers, n >= 1, no bias when it is None."""
    ws, xs = items(weights, "weights"), items(inputs, "inputs")
    if len(ws) != len(xs) or not ws:
        raise ValueError(f"weights and inputs must be as many and not empty, got {len(ws)} and {len(xs)}")
    operands = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return _apply(OPS["dot"], tuple(lift(x, "weights, inputs and bias") for x in operands))


def backward(root: Value, gradient: float = 1.0, *, order: list[Value] | None = None) -> None:
    """Fill ``.grad`` of every node reachable from ``root`` with ``gradient`` × ∂root/∂node: interior nodes' anew,
    leaves' added to what they hold (two calls give exactly twice, as PyTorch's ``retain_graph=True``), constants'
    never; iterative (a 1,000,000-node chain works). ``order``: root's topological order when the caller has it
    (``viz.Trace.nodes``); it must be exactly that (only a non-empty list ending with ``root`` is checked)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {shown(root)}")
    seed = finite(gradient, "gradient")
    if not root.requires_grad:
        raise RuntimeError("the root does not require grad (a constant, or computed under no_grad): nothing to differentiate")
    order = topological_order(root) if order is None else order
    if type(order) is not list or not order or order[-1] is not root:
        raise ValueError(f"order must be root's topological order, a list ending with root, got {shown(order)}")
    held = []  # leaves add this pass's gradient, summed from 0.0, to what they held
    for node in order:
        if node.grad:  # else 0.0 already, as in a fresh graph (0.0 + -0.0 is 0.0: no gradient ends -0.0)
            if not node.parents:
                held.append((node, node.grad))
            node.grad = 0.0
    chain_rule(order, seed, on_step=check_backward if MODE.anomaly else None)
    for node, before in held:
        node.grad += before


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> tuple:
    """A tuple of ∂output/∂input, one per input (0 where output does not depend on it), leaving every
    ``.grad`` alone; with ``create_graph=True``, Values whose graphs can be differentiated again."""
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {shown(output)}")
    targets = [inputs] if isinstance(inputs, Value) else items(inputs, "inputs", "a Value or a sequence of Values")
    for i, x in enumerate(targets):
        if not isinstance(x, Value):
            raise TypeError(f"inputs[{i}] must be a Value, got {shown(x)}")
    order = topological_order(output)
    if not flag(create_graph, "create_graph"):
        grads = gradients(order, 1.0, on_step=check_backward if MODE.anomaly else None)
        return tuple(grads.get(x, 0.0) + 0.0 for x in targets)
    with enable_grad():
        grads = gradients(order, Value(1.0, "", False),
                          local=lambda node: OPS[node.op].derivative(node, *node.parents, **(node.attrs or {})))
    return tuple(lift(grads.get(x, 0.0)) for x in targets)
