"""Compiling a graph for the replay: group its nodes, fuse three shapes, lay out the arrays.

The nodes of one op at one depth whose operands come from the same places form a group, computed
by one NumPy call. Three shapes of graph are fused:

- a layer: ``dot`` nodes over the same inputs whose weights and biases are constants, one matrix
  product ``V = W @ X + b`` (the weights a view of the parameter vector, laid out for it);
- an elementwise op over a layer: one NumPy call over the layer's rows (a view, no copy);
- a sum of squares of parameters (an L2 penalty): one dot product of the parameter vector.

:func:`compile_program` turns a graph into a :class:`Program`: its steps (see ``steps``) and where
every value lives. Nothing here depends on the number of samples: one program serves every batch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import reduce
from itertools import chain
from operator import attrgetter, or_
from typing import Sequence

import numpy as np

from ..ops import OPS
from ..value import Value
from .rules import MAY_RAISE, NUMPY_RULES, scalar_rules
from .steps import (CONST, INPUT, TABLE, Group, Layer, NAry, Ref, Rows, Step, SumSquares,
                    all_distinct, compact, rows_of)

__all__ = ["Program", "compile_program"]

_PARENTS = attrgetter("parents")


@dataclass(frozen=True)
class Program:
    """A compiled graph: its steps in order and where its values live.

    Attributes:
        steps: the steps, in an order where each runs after the steps it reads.
        checks: per step, whether its outputs are checked for the scalar engine's domain errors.
        checked: per step, its nodes when it is checked (to name the one that fails), else ().
        vector_size: rows of the vector of parameters and constants (parameters first).
        table_size: rows of the table of values that vary over the batch.
        param_rows: the vector's row of each parameter, in the order given.
        leaves: the constant leaves (neither input nor parameter), read at every call.
        leaf_rows: their rows in the vector.
        output: the output's row of the table.
        watched: (place, row) of each node asked to be watched (``compile_graph(watch=...)``).
    """

    steps: list[Step]
    checks: list[bool]
    checked: list[tuple[Value, ...]]
    vector_size: int
    table_size: int
    param_rows: np.ndarray
    leaves: list[Value]
    leaf_rows: Rows
    output: int
    watched: list[tuple[int, int]]


def _penalties(nodes: list[Value], code: dict[Value, int],
               chosen: set[Value]) -> dict[Value, tuple]:
    """The L2 penalties, found before the main pass so that it never visits their p * p nodes:
    node -> (the p's, the row of α or None), for each n-ary ``sum`` of ``p * p`` over leaves that
    are not inputs, each ``p * p`` used by that sum alone; when the sum's one use is α·Σp² (α a
    constant leaf), that product is the node. Their nodes get their codes here, which marks them
    as done."""

    def square_of_a_leaf(w: Value) -> bool:
        return (w.op == "mul" and w.parents[0] is w.parents[1] and not w.parents[0].parents
                and code.get(w.parents[0]) != INPUT)

    sums = [v for v in nodes if v.op == "sum" and all(map(square_of_a_leaf, v.parents))]
    if not sums:
        return {}
    watched = set(sums).union(*(v.parents for v in sums))
    users = [v for v, free in zip(nodes, map(watched.isdisjoint, map(_PARENTS, nodes))) if not free]
    uses = Counter(chain.from_iterable(v.parents for v in users))  # every use of the watched nodes
    penalties: dict[Value, tuple] = {}
    for v in sums:
        if all(uses[w] == 1 for w in v.parents):
            squared = [w.parents[0] for w in v.parents]
            learns = 0 if chosen.isdisjoint(squared) else 4
            code.update(dict.fromkeys(v.parents, 1 << 3 | learns | CONST))
            code[v], penalties[v] = 2 << 3 | learns | CONST, (squared, None)
    for u in (u for u in users if u.op == "mul"):  # α·Σp²: the sum's one use, times a constant leaf
        inner, scale = u.parents if u.parents[0] in penalties else u.parents[::-1]
        if inner in penalties and uses[inner] == 1 and not scale.parents and scale not in code:
            code[u] = 3 << 3 | code[inner] & 4 | CONST
            penalties[u] = (penalties.pop(inner)[0], scale)
    return penalties


class _Grouping:
    """The L2 penalties first (:func:`_penalties`), then one pass over the other nodes in
    topological order that groups them; the layers are found when the steps are built.

    Per node one small int, ``code[v] = depth << 3 | learns << 2 | space``: ``learns`` when a
    parameter is among its ancestors (or it is one), ``space`` where its value lives. A node's
    code comes from its parents' by ``max`` (depth) and ``|`` (flags), one C call each, and the
    parents' codes are its group's key: the compile runs at about a microsecond per node.
    """

    def __init__(self, nodes: list[Value], inputs: Sequence[Value], params: Sequence[Value]):
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
        by_depth = sorted(groups.items(), key=lambda item: item[0][0])
        self.groups = [members for _, members in by_depth]

    def space(self, v: Value) -> int:
        return self.code[v] & 3

    def flags(self, nodes: Sequence[Value]) -> tuple[bool, bool]:
        """(whether any of ``nodes`` wants a gradient for the parameters, ... for the parameters
        or the inputs): any that learns, or any that varies over the batch."""
        flags = reduce(or_, map(self.code.__getitem__, nodes), 0)
        return bool(flags & 4), bool(flags & 7)

    def layer_width(self, members: list[Value]) -> int | None:
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


class _Layout:
    """Where each node lives (``index``: its row in its place) and the steps, built in order."""

    def __init__(self, grouping: _Grouping, inputs: Sequence[Value], params: Sequence[Value]):
        self.k = grouping
        self.index: dict[Value, int] = {v: j for j, v in enumerate(inputs)}
        self.vector: list[Value] = []  # the vector's nodes, in order

    def place(self, values: Sequence[Value]) -> None:
        start = len(self.vector)
        self.index.update(zip(values, range(start, start + len(values))))
        self.vector.extend(values)

    def ref(self, operands: Sequence[Value], column: bool) -> Ref:
        rows = rows_of(operands, self.index)
        rows_or_slice = compact(rows)
        distinct = isinstance(rows_or_slice, slice) or all_distinct(rows)
        return Ref(self.k.space(operands[0]), rows_or_slice, distinct, column,
                   self.k.flags(operands))

    def step(self, members: list[Value], out: slice, n: int | None) -> Step:
        k, index = self.k, self.index
        first = members[0]
        op = OPS[first.op]
        if first in k.squares:
            squared, scale = k.squares[first]
            rows = np.sort(rows_of(squared, index))  # the order of a sum of squares does not matter
            flat = compact(rows)
            return SumSquares(op, out.start, flat, isinstance(flat, slice) or all_distinct(rows),
                              None if scale is None else index[scale])
        varies = k.space(first) == TABLE
        needed = k.flags([p for v in members for p in v.parents])
        if n is not None:
            return self.layer(members, out, n, needed)
        rule = NUMPY_RULES.get(op.name) or scalar_rules(op)
        attrs = first.attrs or {}
        if op.arity is not None:
            refs = tuple(self.ref([v.parents[i] for v in members], varies and k.space(p) == CONST)
                         for i, p in enumerate(first.parents))
            return Group(op, rule, attrs, k.space(first), out, refs, needed)
        places = np.array([k.space(p) for p in first.parents])
        rows = np.array([[index[p] for p in v.parents] for v in members], dtype=np.intp).T  # (K, G)
        parts = []
        for where in sorted(set(places.tolist())):
            positions = np.flatnonzero(places == where)
            operands = [v.parents[i] for i in positions for v in members]
            ref = Ref(int(where), rows[positions], all_distinct(rows[positions]),
                      varies and where == CONST, k.flags(operands))
            parts.append((positions, ref))
        return NAry(op, rule, attrs, k.space(first), out, len(places), tuple(parts), needed)

    def layer(self, members: list[Value], out: slice, n: int, needed: tuple[bool, bool]) -> Layer:
        first = members[0]
        weights = rows_of([w for v in members for w in v.parents[:n]], self.index)
        flat = compact(weights)
        bias, bias_rows = None, None
        if len(first.parents) % 2:
            bias_rows = rows_of([v.parents[-1] for v in members], self.index)
            bias = compact(bias_rows)
        inputs = self.ref(first.parents[n : 2 * n], False)
        distinct = (isinstance(flat, slice) or all_distinct(weights),
                    bias is None or isinstance(bias, slice) or all_distinct(bias_rows))
        shape = (len(members), n)
        return Layer(OPS["dot"], out, flat if isinstance(flat, slice) else weights.reshape(shape),
                     shape, bias, inputs, distinct, needed)


def compile_program(nodes: list[Value], output: Value, inputs: Sequence[Value],
                    params: Sequence[Value], watch: Sequence[Value] = ()) -> Program:
    """Group, fuse and lay out a graph (its arguments checked by the caller).

    Args:
        nodes: the output's graph in topological order.
        output: the node computed per sample.
        inputs: the leaves that change from sample to sample, in the batch's column order.
        params: the leaves whose gradients are wanted.
        watch: nodes whose values a forward pass keeps where they can be read (checked by the
            caller: nodes of the graph).

    Returns:
        The :class:`Program`.
    """
    k = _Grouping(nodes, inputs, params)
    layout = _Layout(k, inputs, params)
    # Parameters first (rows 0..P-1, so that an update is one slice), each layer's weights as
    # a (G, n) block and its biases after them, so that the product reads a view.
    widths = {id(members): k.layer_width(members) for members in k.groups}
    chosen = set(params)
    for members in k.groups:
        n = widths[id(members)]
        if n is None:
            continue
        blocks = [[w for v in members for w in v.parents[:n]]]
        if len(members[0].parents) % 2:
            blocks.append([v.parents[-1] for v in members])
        for block in blocks:
            if (chosen.issuperset(block) and layout.index.keys().isdisjoint(block)
                    and len(set(block)) == len(block)):
                layout.place(block)
    layout.place([p for p in params if p not in layout.index])
    param_rows = rows_of(params, layout.index)
    layout.place(k.leaves)
    leaf_rows = compact(rows_of(k.leaves, layout.index))
    table = 0
    steps: list[Step] = []
    for members in k.groups:
        where = k.space(members[0])
        start = table if where == TABLE else len(layout.vector)
        out = slice(start, start + len(members))
        if where == TABLE:
            layout.index.update(zip(members, range(start, start + len(members))))
            table += len(members)
        else:
            layout.place(members)
        steps.append(layout.step(members, out, widths[id(members)]))
    # Ops whose scalar forward may raise (log(-1), 1/0, a user's rule): their outputs are checked.
    checks = [not isinstance(s, (Layer, SumSquares))
              and (s.op.name in MAY_RAISE or s.op.name not in NUMPY_RULES) for s in steps]
    checked = [tuple(members) if check else () for members, check in zip(k.groups, checks)]
    missing = [v for v in watch if v not in layout.index]  # an L2 penalty's inner p * p
    if missing:
        raise ValueError(f"compile_graph: watch holds a node the replay computes only inside a "
                         f"fused step: {missing[0]!r}")
    watched = [(k.space(v), layout.index[v]) for v in watch]
    return Program(steps, checks, checked, len(layout.vector), table, param_rows, list(k.leaves),
                   leaf_rows, layout.index[output], watched)
