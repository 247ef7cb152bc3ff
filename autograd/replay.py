"""The batched replay: a graph recorded for one sample, run over a whole batch with NumPy.

A graph built for one sample has the same shape for every sample; only the input leaves' values
change. :func:`compile_graph` records that shape once and :class:`CompiledGraph` replays it. The
nodes of one op at one depth form a group, computed by one NumPy call with the op's rule from
:data:`NUMPY_RULES`, this module's table (the NumPy interpretation of the ops, keyed by the names
of the scalar table ``autograd.ops.OPS``). An op with no NumPy rule, such as one a user added with
``register_op``, runs its scalar rules element by element: slow, but the same numbers.

Where the values live: a node that depends on no input (a parameter, a constant, an L2 penalty)
holds one number, in a vector; a node that varies over the batch holds a row of a (nodes ×
samples) table; the inputs are the batch itself. Three shapes of graph are fused:

- a layer: ``dot`` nodes over the same inputs whose weights and biases are constants, one matrix
  product ``V = W @ X + b`` (the weights a view of the parameter vector, laid out for it);
- an elementwise op over a layer: one NumPy call over the layer's rows (a view, no copy);
- a sum of squares of parameters (an L2 penalty): one dot product of the parameter vector.

Kinks are fine: ReLU, abs or step are evaluated per sample. A Python ``if`` on a value while the
graph was being built is not: the graph holds only the branch taken for the recorded sample.
Likewise a number computed from a value's ``.data`` becomes a constant, frozen at the recorded
sample's value (the shift ``max`` of ``nn.cross_entropy``'s log-sum-exp is one: harmless there).

Training: :meth:`CompiledGraph.training` keeps the parameters as arrays while it trains (SGD or
Adam, the update rules of ``nn.SGD`` and ``nn.Adam``) and writes them back into the ``Value``s
when asked (:meth:`Training.sync`) and when training ends.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import chain
from functools import cached_property, reduce
from operator import attrgetter, or_
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .backward import topological_order
from .format import format_number
from .ops import OPS, SELU_ALPHA, SELU_LAMBDA, Op
from .validate import finite, one_of, positive, shown
from .validate import items as validate_items
from .value import Value

__all__ = ["NUMPY_RULES", "NumpyRule", "compile_graph", "CompiledGraph", "Training"]


# ---------------------------------------------------------------------------------------------
# The NumPy rules: the scalar table's forward and local-derivative rules, on float64 arrays.


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


def _rule(name: str, forward: Callable[..., Any], derivative: Callable[..., Any]) -> None:
    NUMPY_RULES[name] = NumpyRule(forward, derivative)


_rule("add", np.add, lambda y, a, b: (1.0, 1.0))
_rule("sub", np.subtract, lambda y, a, b: (1.0, -1.0))
_rule("mul", np.multiply, lambda y, a, b: (b, a))
_rule("neg", np.negative, lambda y, a: (-1.0,))
_rule("div", np.divide, lambda y, a, b: (1.0 / b, -y / b))


def _pow_derivative(y: Any, a: Any, b: Any) -> tuple:
    # As the scalar rule: b·a^(b−1), 0 (b = 0) or inf (b < 1) at a = 0, and b·y/a where a^(b−1)
    # overflows; y·ln a for a > 0, 0 at a = 0, NaN below.
    power = np.power(a, b - 1)
    d_base = np.where(np.isinf(power), b * y / a, b * power)
    d_base = np.where((a == 0) & (b < 1), np.where(b == 0, 0.0, np.inf), d_base)
    return d_base, np.where(a > 0, y * np.log(np.where(a > 0, a, 1.0)), np.where(a == 0, 0.0, np.nan))


_rule("pow", np.power, _pow_derivative)
_rule("abs", np.abs, lambda y, a: (np.sign(a),))
_rule("exp", np.exp, lambda y, a: (y,))
_rule("log", np.log, lambda y, a: (1.0 / a,))
_rule("sqrt", np.sqrt, lambda y, a: (np.where(y > 0, 0.5 / y, np.inf),))
_rule("sin", np.sin, lambda y, a: (np.cos(a),))
_rule("cos", np.cos, lambda y, a: (-np.sin(a),))


def _tanh_derivative(y: Any, a: Any) -> tuple:
    e = np.exp(-2.0 * np.abs(a))  # 1 − y² as 4e/(1 + e)², as the scalar rule: no cancellation where tanh rounds to ±1
    return (4.0 * e / (1.0 + e) ** 2,)


_rule("tanh", np.tanh, _tanh_derivative)


def _sigmoid(a: Any) -> Any:
    e = np.exp(-np.abs(a))  # exp(-a) for a >= 0, exp(a) below: never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_rule("sigmoid", _sigmoid, lambda y, a: (y * _sigmoid(-a),))  # y(1 − y), without the cancellation of 1 − y
_rule("softplus", lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))), lambda y, a: (_sigmoid(a),))
# A comparison is a derivative of 0 or 1 already (a bool array multiplies as 0.0 and 1.0).
_rule("relu", lambda a: np.maximum(a, 0.0), lambda y, a: (a > 0,))
_rule("leaky_relu", lambda a, slope=0.01: np.where(a > 0, a, slope * a),
      lambda y, a, slope=0.01: (np.where(a > 0, 1.0, slope),))
# For a <= 0 the derivative is alpha·e^a, computed as such: y + alpha cancels (30% off at a = -37).
_rule("elu", lambda a, alpha=1.0: np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0))),
      lambda y, a, alpha=1.0: (np.where(a > 0, 1.0, alpha * np.exp(np.minimum(a, 0.0))),))
_rule("selu", lambda a: SELU_LAMBDA * np.where(a > 0, a, SELU_ALPHA * np.expm1(np.minimum(a, 0.0))),
      lambda y, a: (SELU_LAMBDA * np.where(a > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(a, 0.0))),))
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
    """The scalar rules of ``op`` run element by element: the general path, for an op that has no
    NumPy rule. A forward that raises gives NaN there (the replay then reports the scalar error)."""

    def columns(xs: tuple) -> list[np.ndarray]:
        return np.broadcast_arrays(*(xs[0] if op.arity is None else xs))

    def forward(*xs: Any, **attrs: Any) -> np.ndarray:
        cols = columns(xs)

        def one(*operands: float) -> float:
            try:
                return op.forward(*operands, **attrs)
            except (ValueError, ArithmeticError):
                return np.nan

        flat = zip(*(c.ravel().tolist() for c in cols))
        return np.array([one(*row) for row in flat], dtype=float).reshape(cols[0].shape)

    def derivative(y: Any, *xs: Any, **attrs: Any) -> Any:
        cols = columns(xs)
        flat = zip(np.broadcast_to(y, cols[0].shape).ravel().tolist(), *(c.ravel().tolist() for c in cols))
        local = np.array([op.derivative(*row, **attrs) for row in flat], dtype=float).reshape(-1, len(cols))
        stacked = local.T.reshape((len(cols),) + cols[0].shape)
        return stacked if op.arity is None else tuple(stacked)

    return NumpyRule(forward, derivative)


# ---------------------------------------------------------------------------------------------
# Where values live, and the steps that compute them.

CONST, INPUT, TABLE = 0, 1, 2  # the parameter/constant vector, the batch, the table of varying nodes
_PARENTS = attrgetter("parents")
_RAISES = {"div", "pow", "log", "sqrt"}  # ops whose scalar forward raises outside their domain
Rows = Any  # a slice of consecutive rows (indexing by it is a view), or an integer array


def _compact(rows: np.ndarray) -> Rows:
    """Consecutive increasing rows as a slice, else the rows."""
    n = rows.size
    if n and rows[-1] - rows[0] == n - 1 and (n == 1 or bool((rows[1:] > rows[:-1]).all())):
        return slice(int(rows[0]), int(rows[0]) + n)
    return rows


def _rows(nodes: Sequence[Value], index: dict) -> np.ndarray:
    return np.fromiter(map(index.__getitem__, nodes), dtype=np.intp, count=len(nodes))


def _unique(rows: np.ndarray) -> bool:
    ordered = np.sort(rows, axis=None)  # not np.unique: it imports numpy.ma, a slow first compile
    return not (ordered[1:] == ordered[:-1]).any()


def _scatter(grads: np.ndarray, rows: Rows, values: np.ndarray, unique: bool) -> None:
    """grads[rows] += values, also when a row repeats (np.add.at adds every copy)."""
    if unique:
        grads[rows] += values
    else:
        np.add.at(grads, rows, values)


@dataclass
class _Ref:
    """Operand k of every node of a group: rows of one place. ``needed[mode]``: whether its
    gradient is wanted (mode 0: parameters only, mode 1: the inputs too)."""

    space: int
    rows: Rows
    unique: bool
    column: bool  # a constant read by a per-sample group: shape (G, 1), its gradient summed over samples
    needed: tuple[bool, bool]
    views: tuple | None = None  # (value, gradient) when the rows are a slice of an array that stays put

    def bind(self, arrays: tuple, grads: tuple) -> None:
        """Keep views of the rows of the vector or the tables (the batch changes at every call)."""
        if self.space != INPUT and type(self.rows) is slice:
            x = arrays[self.space][self.rows]
            self.views = (x[:, None] if self.column else x, grads[self.space][self.rows])

    def get(self, arrays: tuple) -> np.ndarray:
        if self.views is not None:
            return self.views[0]
        x = arrays[self.space][self.rows]
        return x[:, None] if self.column else x

    def add(self, grads: tuple, d: np.ndarray) -> None:
        if self.column:
            d = np.add.reduce(d, axis=-1)
        if self.views is not None:  # in place, with no copy back
            view = self.views[1]
            view += d
        elif self.unique:
            grads[self.space][self.rows] += d
        else:
            np.add.at(grads[self.space], self.rows, d)


@dataclass
class _Group:
    """The nodes of one op (same attributes, operands from the same places) at one depth."""

    op: Op
    rule: NumpyRule
    attrs: dict[str, Any]
    space: int  # where the outputs live: TABLE (they vary over the batch) or CONST
    out: slice
    refs: tuple[_Ref, ...]  # one per operand
    needed: tuple[bool, bool]
    views: tuple = ()  # the outputs' rows of the values and of the gradients
    bound: tuple | None = None  # the operands' views, when none of them is read from the batch

    def bind(self, arrays: tuple, grads: tuple) -> None:
        """Keep views of the rows this step reads and writes (see ``CompiledGraph._table``)."""
        self.views = (arrays[self.space][self.out], grads[self.space][self.out])
        for ref in self.refs:
            ref.bind(arrays, grads)
        self.bound = None if any(ref.views is None for ref in self.refs) else tuple(ref.views[0] for ref in self.refs)

    def operands(self, arrays: tuple) -> list[np.ndarray]:
        return self.bound or [ref.get(arrays) for ref in self.refs]

    def forward(self, arrays: tuple) -> None:
        self.views[0][...] = self.rule.forward(*self.operands(arrays), **self.attrs)

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        y, g = self.views
        local = self.rule.derivative(y, *self.operands(arrays), **self.attrs)
        for k in self.wanted[mode]:
            d = local[k]
            self.refs[k].add(grads, g if type(d) is float and d == 1.0 else d * g)  # add's 1: no multiply

    @cached_property
    def wanted(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Per mode, the operands whose gradients are wanted."""
        return tuple(tuple(k for k, ref in enumerate(self.refs) if ref.needed[mode]) for mode in (0, 1))

    def stacked(self, arrays: tuple) -> np.ndarray:
        """(operands, nodes, samples or 1): for the domain check."""
        xs = self.operands(arrays)
        shape = np.broadcast_shapes(*(np.shape(x) for x in xs), arrays[self.space][self.out].shape)
        return np.stack([np.broadcast_to(x, shape) for x in xs])


@dataclass(frozen=True)
class _NAry:
    """The nodes of an n-ary op (sum, dot) with the same number of operands: operands stacked
    (K, G, samples); ``parts`` say where operands ``positions`` come from (rows: (len, G))."""

    op: Op
    rule: NumpyRule
    attrs: dict[str, Any]
    space: int
    out: slice
    count: int
    parts: tuple[tuple[np.ndarray, _Ref], ...]
    needed: tuple[bool, bool]

    def bind(self, arrays: tuple, grads: tuple) -> None:
        """Nothing to keep: the operands are gathered rows."""

    def stacked(self, arrays: tuple) -> np.ndarray:
        columns = arrays[self.space][self.out].shape[1:]
        xs = np.empty((self.count, self.out.stop - self.out.start, *columns))
        for positions, ref in self.parts:
            x = arrays[ref.space][ref.rows]
            xs[positions] = x[..., None] if ref.column else x
        return xs

    def forward(self, arrays: tuple) -> None:
        arrays[self.space][self.out] = self.rule.forward(self.stacked(arrays), **self.attrs)

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        xs = self.stacked(arrays)
        local = self.rule.derivative(arrays[self.space][self.out], xs, **self.attrs)
        d = np.broadcast_to(local * grads[self.space][self.out], xs.shape)
        for positions, ref in self.parts:
            if ref.needed[mode]:
                ref.add(grads, d[positions])


@dataclass
class _Layer:
    """``dot`` nodes v_g = Σ_i w_gi·x_i (+ b_g) over the same inputs x, with constant weights and
    biases: one matrix product V = W @ X + b; gradients gX = Wᵀ gV, gW = gV Xᵀ, gb = Σ gV."""

    op: Op
    out: slice
    weights: Rows  # a slice of G·n rows of the vector (read as a (G, n) view), else (G, n) rows
    shape: tuple[int, int]
    bias: Rows | None
    inputs: _Ref  # n rows of the batch or the table
    unique: tuple[bool, bool]  # weights, bias
    needed: tuple[bool, bool]
    space: int = TABLE
    views: tuple = ()  # (W, gW, b, gb, V, gV): W, gW, b, gb where their rows are a slice (else None); the outputs

    def bind(self, arrays: tuple, grads: tuple) -> None:
        """Make the views once (see ``CompiledGraph._table``): the weights and biases where their
        rows are a slice, the outputs' rows and the inputs' (unless they are the batch)."""
        (vector, _, table), (gradient, _, gtable) = arrays, grads
        block = isinstance(self.weights, slice)
        line = self.bias is not None and isinstance(self.bias, slice)
        self.views = (vector[self.weights].reshape(self.shape) if block else None,
                      gradient[self.weights].reshape(self.shape) if block else None,
                      vector[self.bias][:, None] if line else None, gradient[self.bias] if line else None,
                      table[self.out], gtable[self.out])
        self.inputs.bind(arrays, grads)

    def _w(self, vector: np.ndarray) -> np.ndarray:
        return self.views[0] if self.views[0] is not None else vector[self.weights]

    def forward(self, arrays: tuple) -> None:
        out = self.views[4]
        np.matmul(self._w(arrays[CONST]), self.inputs.get(arrays), out=out)
        if self.bias is not None:
            out += self.views[2] if self.views[2] is not None else arrays[CONST][self.bias][:, None]

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        g = self.views[5]
        if self.inputs.needed[mode]:
            self.inputs.add(grads, self._w(arrays[CONST]).T @ g)
        _, gw, _, gb, _, _ = self.views
        if gw is not None:
            gw += g @ self.inputs.get(arrays).T
        else:
            _scatter(grads[CONST], self.weights, g @ self.inputs.get(arrays).T, self.unique[0])
        if gb is not None:
            gb += np.add.reduce(g, axis=1)
        elif self.bias is not None:
            _scatter(grads[CONST], self.bias, np.add.reduce(g, axis=1), self.unique[1])


@dataclass(frozen=True)
class _SumSquares:
    """An n-ary ``sum`` of ``p * p`` over constants p (an L2 penalty): one dot product, times a
    constant leaf α when the sum's one use is α·Σp²."""

    op: Op
    out: int
    rows: Rows
    unique: bool
    scale: int | None  # the vector's row of α
    needed: tuple[bool, bool] = (True, True)
    space: int = CONST

    def bind(self, arrays: tuple, grads: tuple) -> None:
        """Nothing to keep: one dot product of the vector's rows."""

    def forward(self, arrays: tuple) -> None:
        vector = arrays[CONST]
        p = vector[self.rows]
        vector[self.out] = np.dot(p, p) if self.scale is None else vector[self.scale] * np.dot(p, p)

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        vector, gc = arrays[CONST], grads[CONST]
        g = gc[self.out] if self.scale is None else vector[self.scale] * gc[self.out]
        _scatter(gc, self.rows, (2.0 * g) * vector[self.rows], self.unique)


Step = Any  # _Group | _NAry | _Layer | _SumSquares


# ---------------------------------------------------------------------------------------------
# Compiling: classify the nodes, fuse, lay out the vector and the table, build the steps.


def _name(v: Value) -> str:
    return repr(v.label) if v.label else f"a node of value {format_number(v.data)}"


def _check_leaves(values: Any, what: str, in_graph: set[Value]) -> list[Value]:
    items = [values] if isinstance(values, Value) else validate_items(values, what, "a Value or a sequence of Values")
    if all(type(v) is Value for v in items) and in_graph.issuperset(items) and len(set(items)) == len(items) \
            and not any(v.parents for v in items):
        return items  # the common case, checked in bulk; else find the first culprit below
    seen: set[Value] = set()
    for i, v in enumerate(items):
        if not isinstance(v, Value):
            raise TypeError(f"compile_graph: {what}[{i}] must be a Value, got {type(v).__name__}: {v!r}")
        if v not in in_graph:
            raise ValueError(f"compile_graph: {what}[{i}] ({_name(v)}) is not in the graph of the output")
        if v.parents:
            raise ValueError(f"compile_graph: {what}[{i}] ({_name(v)}) is computed by {v.op!r}; it must be a leaf")
        if v in seen:
            raise ValueError(f"compile_graph: {what}[{i}] ({_name(v)}) is listed twice")
        seen.add(v)
    return items


def _penalties(nodes: list[Value], code: dict[Value, int], chosen: set[Value]) -> dict[Value, tuple]:
    """The L2 penalties, found before the main pass so that it never visits their p * p nodes:
    node -> (the p's, the row of α or None), for each n-ary ``sum`` of ``p * p`` over leaves that are
    not inputs, each ``p * p`` used by that sum alone; when the sum's one use is α·Σp² (α a constant
    leaf), that product is the node. Their nodes get their codes here, which marks them as done."""
    sums = [v for v in nodes if v.op == "sum" and all(w.op == "mul" and w.parents[0] is w.parents[1]
                                                        and not w.parents[0].parents and code.get(w.parents[0]) != INPUT
                                                        for w in v.parents)]
    if not sums:
        return {}
    watched = set(sums).union(*(v.parents for v in sums))
    users = [v for v, free in zip(nodes, map(watched.isdisjoint, map(_PARENTS, nodes))) if not free]
    uses = Counter(chain.from_iterable(v.parents for v in users))  # the uses of the watched nodes, all of them
    penalties: dict[Value, tuple] = {}
    for v in sums:
        if all(uses[w] == 1 for w in v.parents):
            squared = [w.parents[0] for w in v.parents]
            learns = 0 if chosen.isdisjoint(squared) else 4
            code.update(dict.fromkeys(v.parents, 1 << 3 | learns | CONST))
            code[v], penalties[v] = 2 << 3 | learns | CONST, (squared, None)
    for u in (u for u in users if u.op == "mul"):  # α·Σp²: the sum's one use, a product with a constant leaf
        inner, scale = u.parents if u.parents[0] in penalties else u.parents[::-1]
        if inner in penalties and uses[inner] == 1 and not scale.parents and scale not in code:
            code[u], penalties[u] = 3 << 3 | code[inner] & 4 | CONST, (penalties.pop(inner)[0], scale)
    return penalties


class _Compiler:
    """The L2 penalties first (:func:`_penalties`), then one pass over the other nodes in
    topological order that groups them; the layers are found when the steps are built.

    Per node one small int, ``code[v] = depth << 3 | learns << 2 | space``: ``learns`` when a
    parameter is among its ancestors (or it is one), ``space`` where its value lives. A node's
    code comes from its parents' by ``max`` (depth) and ``|`` (flags), one C call each, and the
    parents' codes are its group's key: the compile runs at about a microsecond per node.
    """

    def __init__(self, nodes: list[Value], output: Value, inputs: Sequence[Value], params: Sequence[Value]):
        self.output = output
        code: dict[Value, int] = dict.fromkeys(params, 4)
        code.update(dict.fromkeys(inputs, INPUT))
        self.squares = _penalties(nodes, code, set(params))
        groups: dict[tuple, list[Value]] = defaultdict(list)
        for v in self.squares:  # one step each: a dot product of the parameter vector
            groups[(code[v] >> 3, id(v))].append(v)
        self.leaves: list[Value] = []
        get = code.__getitem__
        for v in nodes:
            if v in code:  # an input, a parameter or a penalty's node: coded already
                continue
            parents = v.parents
            if not parents:
                code[v] = CONST
                self.leaves.append(v)
                continue
            codes = tuple(map(get, parents))
            flags = reduce(or_, codes)
            d = (max(codes) >> 3) + 1
            code[v] = d << 3 | (flags & 4) | (TABLE if flags & 3 else CONST)
            attrs = v.attrs
            groups[(d, v.op, tuple(sorted(attrs.items())) if attrs else (), codes)].append(v)
        self.code = code
        self.groups = [members for _, members in sorted(groups.items(), key=lambda item: item[0][0])]

    def space(self, v: Value) -> int:
        return self.code[v] & 3

    def layer_shape(self, members: list[Value]) -> int | None:
        """n when the dot nodes ``members`` form a layer (constant weights and biases, the same n
        distinct inputs, from the batch or the table), else None."""
        first = members[0]
        if first.op != "dot" or self.space(first) != TABLE:
            return None
        n = len(first.parents) // 2
        inputs = first.parents[n : 2 * n]
        places = [self.space(p) for p in first.parents]
        if any(places[:n]) or any(places[2 * n :]) or len(set(places[n : 2 * n])) != 1:
            return None
        if len(set(inputs)) != n or any(v.parents[n : 2 * n] != inputs for v in members):
            return None
        return n


def _mode_flags(nodes: Sequence[Value], code: dict) -> tuple[bool, bool]:
    """(whether any of ``nodes`` wants a gradient for the parameters, ... for the parameters or
    the inputs): any that learns, or any that varies over the batch."""
    flags = reduce(or_, map(code.__getitem__, nodes), 0)
    return bool(flags & 4), bool(flags & 7)


class CompiledGraph:
    """A graph recorded for one sample, replayed over batches (see :func:`compile_graph`).

    It keeps its tables of values and gradients from call to call, so one instance should not be
    called from two threads at once.

    Attributes:
        inputs: the input leaves, in the order of a batch's columns.
        params: the leaves whose ``.grad`` :meth:`backward` fills.
        reduction: ``"sum"`` or ``"mean"``: how parameter gradients combine over the batch.
    """

    def __init__(self, output: Value, inputs: Sequence[Value], params: Sequence[Value] | None, reduction: str) -> None:
        if not isinstance(output, Value):
            raise TypeError(f"compile_graph: output must be a Value, got {type(output).__name__}")
        if not output.parents:
            raise ValueError(f"compile_graph: the output ({_name(output)}) is a leaf: there is no graph to replay")
        self.reduction = one_of(reduction, "reduction", ("sum", "mean"))
        nodes = topological_order(output)
        in_graph = set(nodes)
        self.inputs = tuple(_check_leaves(inputs, "inputs", in_graph))
        if not self.inputs:
            raise ValueError("compile_graph: inputs is empty; give the leaves that change from sample to sample")
        given = set(self.inputs)
        if params is None:
            params = [v for v in nodes if not v.parents and v.requires_grad and v not in given]
        self.params = tuple(_check_leaves(params, "params", in_graph))
        both = given.intersection(self.params)
        if both:
            raise ValueError(f"compile_graph: {_name(both.pop())} is both an input and a parameter")
        self._build(_Compiler(nodes, output, self.inputs, self.params))
        self._tables: tuple[np.ndarray, np.ndarray] | None = None
        self._session: Training | None = None
        self._last: tuple[tuple, float] | None = None  # the last backward's arrays and seed, for input_grad
        self._input_grad: np.ndarray | None = None

    # -- compiling -------------------------------------------------------------------------------
    def _build(self, k: _Compiler) -> None:
        index: dict[Value, int] = {v: j for j, v in enumerate(self.inputs)}
        vector: list[Value] = []  # the vector's nodes, in order

        def place(values: Sequence[Value]) -> None:
            index.update(zip(values, range(len(vector), len(vector) + len(values))))
            vector.extend(values)

        # Parameters first (rows 0..P-1, so that an update is one slice), each layer's weights as
        # a (G, n) block and its biases after them, so that the product reads a view.
        layers = {id(members): k.layer_shape(members) for members in k.groups}
        chosen = set(self.params)
        for members in k.groups:
            n = layers[id(members)]
            if n is None:
                continue
            blocks = [[w for v in members for w in v.parents[:n]]]
            if len(members[0].parents) % 2:
                blocks.append([v.parents[-1] for v in members])
            for block in blocks:
                if chosen.issuperset(block) and index.keys().isdisjoint(block) and len(set(block)) == len(block):
                    place(block)
        place([p for p in self.params if p not in index])
        self._param_rows = _rows(self.params, index)
        self._leaves = list(k.leaves)
        place(self._leaves)
        self._leaf_rows = _compact(_rows(self._leaves, index))
        table = 0
        steps: list[Step] = []
        for members in k.groups:
            first = members[0]
            where = k.space(first)
            start = table if where == TABLE else len(vector)
            out = slice(start, start + len(members))
            if where == TABLE:
                index.update(zip(members, range(start, start + len(members))))
                table += len(members)
            else:
                place(members)
            steps.append(self._step(k, members, out, layers[id(members)], index))
        self._vector_size, self._table_size = len(vector), table
        self._vector = np.zeros(len(vector))
        self._gradient = np.zeros(len(vector))
        self._steps = steps
        self._reversed = tuple([s for s in reversed(steps) if s.needed[mode]] for mode in (0, 1))
        # Ops whose scalar forward may raise (log(-1), 1/0, a user's rule): their outputs are checked.
        self._checks = [not isinstance(s, (_Layer, _SumSquares)) and (s.op.name in _RAISES or s.op.name not in NUMPY_RULES)
                        for s in steps]
        self._output = index[k.output]

    def _ref(self, k: _Compiler, operands: Sequence[Value], index: dict, column: bool) -> _Ref:
        rows = _rows(operands, index)
        compact = _compact(rows)
        return _Ref(k.space(operands[0]), compact, isinstance(compact, slice) or _unique(rows), column,
                    _mode_flags(operands, k.code))

    def _step(self, k: _Compiler, members: list[Value], out: slice, n: int | None, index: dict) -> Step:
        first = members[0]
        op = OPS[first.op]
        if first in k.squares:
            squared, scale = k.squares[first]
            rows = np.sort(_rows(squared, index))  # the order of a sum of squares does not matter
            compact = _compact(rows)
            return _SumSquares(op, out.start, compact, isinstance(compact, slice) or _unique(rows),
                               None if scale is None else index[scale])
        varies = k.space(first) == TABLE
        needed = _mode_flags([p for v in members for p in v.parents], k.code)
        if n is not None:
            weights = _rows([w for v in members for w in v.parents[:n]], index)
            flat = _compact(weights)
            bias = None
            if len(first.parents) % 2:
                bias_rows = _rows([v.parents[-1] for v in members], index)
                bias = _compact(bias_rows)
            inputs = self._ref(k, first.parents[n : 2 * n], index, False)
            unique = (isinstance(flat, slice) or _unique(weights), bias is None or isinstance(bias, slice) or _unique(bias_rows))
            shape = (len(members), n)
            return _Layer(op, out, flat if isinstance(flat, slice) else weights.reshape(shape), shape, bias, inputs,
                          unique, needed)
        rule = NUMPY_RULES.get(op.name) or scalar_rules(op)
        attrs = first.attrs or {}
        if op.arity is not None:
            refs = tuple(self._ref(k, [v.parents[i] for v in members], index, varies and k.space(p) == CONST)
                         for i, p in enumerate(first.parents))
            return _Group(op, rule, attrs, k.space(first), out, refs, needed)
        places = np.array([k.space(p) for p in first.parents])
        rows = np.array([[index[p] for p in v.parents] for v in members], dtype=np.intp).T  # (K, G)
        parts = []
        for where in sorted(set(places.tolist())):
            positions = np.flatnonzero(places == where)
            operands = [v.parents[i] for i in positions for v in members]
            flags = _mode_flags(operands, k.code)
            ref = _Ref(int(where), rows[positions], _unique(rows[positions]), varies and where == CONST, flags)
            parts.append((positions, ref))
        return _NAry(op, rule, attrs, k.space(first), out, len(places), tuple(parts), needed)

    def __repr__(self) -> str:
        layers = sum(isinstance(s, _Layer) for s in self._steps)
        return (f"CompiledGraph({self._vector_size + self._table_size + len(self.inputs)} rows, "
                f"{len(self.inputs)} inputs, {len(self.params)} params, {len(self._steps)} steps of which "
                f"{layers} matrix products, reduction={self.reduction!r})")

    # -- running ---------------------------------------------------------------------------------
    def _batch(self, batch: Any) -> np.ndarray:
        """The batch as a (samples, inputs) float array; checked here, at the boundary."""
        try:
            given = np.asarray(batch)
            # Real numbers only: float() would read "1.5", True and the real part of 1j without a word.
            real = given.dtype.kind in "iuf" or given.dtype.kind == "O" and not any(
                isinstance(x, (str, bytes, bool, np.bool_, complex, np.complexfloating)) for x in given.flat)
            array = given.astype(float, copy=False) if real else None
        except (TypeError, ValueError):
            raise TypeError(f"batch must be an array of numbers, got {type(batch).__name__}") from None
        if array is None:
            raise TypeError(f"batch must be an array of numbers (not bool, str or complex), got {given.dtype}: {shown(batch)}")
        if array.ndim == 1 and len(self.inputs) == 1:
            array = array[:, None]
        if array.ndim != 2 or array.shape[1] != len(self.inputs) or not len(array):
            raise ValueError(
                f"batch must have shape (samples, {len(self.inputs)}): one column per input, got shape {array.shape}")
        if not np.isfinite(array.sum()) and not np.isfinite(array).all():  # the sum: one pass, no allocation
            raise ValueError(f"batch must be finite; it holds {array[~np.isfinite(array)][0]}")
        return array

    def _table(self, samples: int) -> tuple[np.ndarray, np.ndarray]:
        """The tables of values and gradients, kept from call to call: fresh arrays this size would
        cost a page fault per 4 KiB on every call, more than the arithmetic."""
        if self._tables is None or self._tables[0].shape[1] != samples:
            self._tables = (np.zeros((self._table_size, samples)), np.zeros((self._table_size, samples)))
            for step in self._steps:  # views of the rows each step reads and writes, made once here
                step.bind((self._vector, None, self._tables[0]), (self._gradient, None, self._tables[1]))
        return self._tables

    def _forward(self, batch: Any) -> tuple:
        X = self._batch(batch).T  # (inputs, samples): a view of the batch, not a copy
        values = self._table(X.shape[1])[0]
        vector = self._vector
        if self._session is None:  # while a training session holds them, the arrays are the truth
            vector[self._param_rows] = [p.data for p in self.params]
        if self._leaves:
            vector[self._leaf_rows] = [v.data for v in self._leaves]
        arrays = (vector, X, values)
        with np.errstate(all="ignore"):
            for step, check in zip(self._steps, self._checks):
                step.forward(arrays)
                if check:
                    self._check_domain(step, arrays)
        self._last, self._input_grad = None, None
        return arrays

    def _check_domain(self, step: Step, arrays: tuple) -> None:
        """Raise the scalar engine's error (log(-1), 1/0 ...) where a sample leaves an op's domain.

        Non-finite values the scalar engine gives too (a power overflowing to inf) are let through.
        """
        y = arrays[step.space][step.out]
        if np.isfinite(y).all():
            return
        xs = step.stacked(arrays)  # (K, G, samples), or (K, G) for a constant group
        if step.space == CONST:
            xs, y = xs[..., None], y[:, None]
        y = np.broadcast_to(y, xs.shape[1:])
        for g, s in zip(*np.nonzero(~np.isfinite(y) & np.isfinite(xs).all(axis=0))):
            operands = xs[:, g, s].tolist()
            try:
                step.op.forward(*operands, **step.attrs)
            except (ValueError, ArithmeticError) as error:
                listed = ", ".join(format_number(x) for x in operands)
                where = f"sample {s}" if step.space == TABLE else "a constant part"
                raise type(error)(f"compile_graph replay, {where}: {step.op.name}({listed}): {error}") from None

    def _backward(self, arrays: tuple, mode: int) -> None:
        """Gradients of the summed (or averaged) output into the gradient vector and table."""
        samples = arrays[INPUT].shape[1]
        gtable = self._table(samples)[1]
        gtable.fill(0.0)
        self._gradient.fill(0.0)
        ginputs = np.zeros(arrays[INPUT].shape) if mode else None
        grads = (self._gradient, ginputs, gtable)
        gtable[self._output] = 1.0 if self.reduction == "sum" else 1.0 / samples
        with np.errstate(all="ignore"):
            for step in self._reversed[mode]:
                step.backward(arrays, grads, mode)
        if mode:
            self._input_grad = ginputs.T.copy()

    def forward(self, batch: Any) -> np.ndarray:
        """The output for every sample; no gradients.

        Args:
            batch: an array of shape (samples, inputs), column j holding ``inputs[j]``'s values
                (a 1-D array when there is one input).

        Returns:
            The output per sample, shape (samples,).
        """
        return self._forward(batch)[TABLE][self._output].copy()

    def backward(self, batch: Any) -> np.ndarray:
        """Forward and backward over the batch; adds the parameters' gradients into their ``.grad``.

        The gradients are summed over the samples (averaged with ``reduction="mean"``) and added
        to ``.grad``, as ``Value.backward`` adds into leaves: zero them first when training.

        Args:
            batch: as for :meth:`forward`.

        Returns:
            The output per sample, shape (samples,).
        """
        arrays = self._forward(batch)
        self._backward(arrays, 0)
        self._last = arrays
        for p, g in zip(self.params, self._gradient[self._param_rows].tolist()):
            p.grad += g
        return arrays[TABLE][self._output].copy()

    @property
    def input_grad(self) -> np.ndarray | None:
        """After :meth:`backward`, the gradient of the summed (or averaged) output with respect to
        each sample's inputs, shape (samples, inputs); computed on first use (it costs a second
        backward pass, which a training step does not need); None before any backward."""
        if self._input_grad is None and self._last is not None:
            self._backward(self._last, 1)
        return self._input_grad

    def training(self, lr: float, optimizer: str = "sgd", momentum: float = 0.0,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Training:
        """Train on arrays: the parameters stay in the replay's vector between steps.

        Args:
            lr: the learning rate, > 0 (an attribute of the result: change it between steps).
            optimizer: ``"sgd"`` (u ← μ·u + g; p ← p − lr·u, as ``nn.SGD``) or ``"adam"`` (as ``nn.Adam``).
            momentum: μ in [0, 1), for SGD.
            betas: Adam's decay rates, each in [0, 1).
            eps: Adam's ε, > 0.

        Returns:
            A :class:`Training`; use it in a ``with`` block, or call its ``close()``, so that the
            trained parameters are written back into the ``Value``s.
        """
        return Training(self, lr, optimizer, momentum, betas, eps)


class Training:
    """A training session on a :class:`CompiledGraph` (see :meth:`CompiledGraph.training`).

    The parameters are read from the ``Value``s once, then live in the replay's vector: each
    :meth:`step` is forward, backward and the update on arrays, with no ``Value`` touched. The
    graph's ``forward`` and ``backward`` see the trained values meanwhile; other code reading the
    ``Value``s' ``.data`` sees them after :meth:`sync` or at the end. ``.grad`` is left alone.

    Example:
        >>> from autograd import Value, compile_graph
        >>> x, t, w = Value(0.0, "x"), Value(0.0, "t"), Value(0.0, "w")
        >>> graph = compile_graph((w * x - t) ** 2, [x, t], [w], reduction="mean")
        >>> with graph.training(lr=0.1) as session:
        ...     for _ in range(100):
        ...         losses = session.step([[1.0, 3.0], [2.0, 6.0]])
        >>> round(w.data, 6)  # t = 3x
        3.0
    """

    def __init__(self, graph: CompiledGraph, lr: float, optimizer: str, momentum: float,
                 betas: tuple[float, float], eps: float) -> None:
        if graph._session is not None:
            raise RuntimeError("training: this graph is already in a training session; close it first")
        self.lr = positive(lr, "lr")
        self.optimizer = one_of(optimizer, "optimizer", ("sgd", "adam"))
        self.momentum = finite(momentum, "momentum")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2 or not all(0 <= finite(b, "betas") < 1 for b in betas):
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = positive(eps, "eps")
        self.graph = graph
        self.steps = 0
        count = len(graph.params)
        graph._vector[graph._param_rows] = [p.data for p in graph.params]
        moments = 2 if self.optimizer == "adam" else 1 if self.momentum else 0
        self._first, self._second = (np.zeros(count) if moments > k else None for k in range(2))  # velocity, or m and v
        self._order = np.argsort(graph._param_rows)  # vector rows 0..P-1 -> params
        graph._session = self

    def step(self, batch: Any) -> np.ndarray:
        """Forward, backward and one update of the parameters, all on arrays.

        Args:
            batch: as for :meth:`CompiledGraph.forward`.

        Returns:
            The output per sample (the losses), shape (samples,), before the update.
        """
        graph = self.graph
        if graph._session is not self:
            raise RuntimeError("training: this session is closed")
        arrays = graph._forward(batch)
        graph._backward(arrays, 0)
        count = len(graph.params)
        p, g = graph._vector[:count], graph._gradient[:count]  # the parameters are the vector's first rows
        if not np.isfinite(np.add.reduce(g)) and not np.isfinite(g).all():  # the sum first: one pass
            bad = graph.params[self._order[np.flatnonzero(~np.isfinite(g))[0]]]
            raise FloatingPointError(f"training step: the gradient of {_name(bad)} is not finite")
        self.steps += 1
        if self.optimizer == "sgd":
            if self.momentum:
                self._first *= self.momentum
                self._first += g
                g = self._first
            p -= self.lr * g
        else:
            beta1, beta2 = self.betas
            m, v = self._first, self._second
            m[:] = beta1 * m + (1 - beta1) * g
            v[:] = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1 ** self.steps), v / (1 - beta2 ** self.steps)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return arrays[TABLE][graph._output].copy()

    def parameters(self) -> np.ndarray:
        """The parameters' current values, in the order of ``graph.params``."""
        return self.graph._vector[self.graph._param_rows].copy()

    def sync(self) -> None:
        """Write the parameters' current values into their ``Value``s' ``.data``."""
        for p, x in zip(self.graph.params, self.parameters().tolist()):
            p.data = x

    def close(self) -> None:
        """Write the parameters back (``sync``) and end the session."""
        if self.graph._session is self:
            self.sync()
            self.graph._session = None

    def __enter__(self) -> Training:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def compile_graph(
    output: Value,
    inputs: Sequence[Value],
    params: Sequence[Value] | None = None,
    *,
    reduction: str = "sum",
) -> CompiledGraph:
    """Record ``output``'s graph once, to replay it over batches of inputs with NumPy.

    Args:
        output: the Value to compute per sample (e.g. one sample's loss), built from ``inputs``.
        inputs: the leaves that change from sample to sample, e.g. ``[x0, x1, target]``.
        params: the leaves whose gradients :meth:`CompiledGraph.backward` writes; by default every
            other leaf that requires grad. Other leaves keep their ``.data`` at each call.
        reduction: ``"sum"`` or ``"mean"`` of the per-sample gradients.

    Returns:
        A :class:`CompiledGraph`. It reads the parameters' ``.data`` at every call, so an
        optimiser's updates are seen without recompiling (see also :meth:`CompiledGraph.training`).

    Raises:
        ValueError: an input or parameter that is not a leaf of the graph, a leaf listed twice.

    Example:
        >>> from autograd import Value, compile_graph
        >>> x, w = Value(0.0, "x"), Value(3.0, "w")
        >>> f = compile_graph((w * x).tanh(), inputs=[x])
        >>> f.backward([[0.0], [1.0]]).round(4)
        array([0.    , 0.9951])
        >>> round(w.grad, 4)  # 0 + (1 - tanh(3)²)·1
        0.0099
    """
    return CompiledGraph(output, inputs, params, reduction)
