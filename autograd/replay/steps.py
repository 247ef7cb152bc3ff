"""The steps of a replay: where values live, and the kinds of step that compute them on arrays.

Where the values live: a node that depends on no input (a parameter, a constant, an L2 penalty)
holds one number, in a vector (:data:`CONST`); a node that varies over the batch holds a row of a
(nodes × samples) table (:data:`TABLE`); the inputs are the batch itself (:data:`INPUT`).

A step computes a group of nodes at once, forward and backward: :class:`Group` (one op over
operands of fixed count), :class:`NAry` (``sum`` or ``dot`` nodes, operands stacked),
:class:`Layer` (``dot`` nodes over the same inputs: one matrix product) and :class:`SumSquares`
(an L2 penalty: one dot product). A step as compiled describes rows; :meth:`bind` gives a copy
that holds views of one batch size's arrays, made once per size (fresh views at every call would
cost more than the arithmetic of a small step).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Sequence, Union

import numpy as np

from ..ops import Op
from ..value import Value
from .rules import NumpyRule

__all__ = ["CONST", "INPUT", "TABLE", "Rows", "compact", "rows_of", "all_distinct", "scatter_add",
           "Ref", "Group", "NAry", "Layer", "SumSquares", "Step"]

CONST, INPUT, TABLE = 0, 1, 2  # the parameter/constant vector, the batch, the varying nodes' table
Rows = Any  # a slice of consecutive rows (indexing by it is a view), or an integer array


def compact(rows: np.ndarray) -> Rows:
    """Consecutive increasing rows as a slice, else the rows."""
    n = rows.size
    if n and rows[-1] - rows[0] == n - 1 and (n == 1 or bool((rows[1:] > rows[:-1]).all())):
        return slice(int(rows[0]), int(rows[0]) + n)
    return rows


def rows_of(nodes: Sequence[Value], index: dict) -> np.ndarray:
    """The rows of ``nodes`` in their place, as an integer array."""
    return np.fromiter(map(index.__getitem__, nodes), dtype=np.intp, count=len(nodes))


def all_distinct(rows: np.ndarray) -> bool:
    """Whether no row repeats."""
    ordered = np.sort(rows, axis=None)  # not np.unique: it imports numpy.ma, a slow first compile
    return not (ordered[1:] == ordered[:-1]).any()


def scatter_add(grads: np.ndarray, rows: Rows, values: np.ndarray, distinct: bool) -> None:
    """grads[rows] += values, also when a row repeats (np.add.at adds every copy)."""
    if distinct:
        grads[rows] += values
    else:
        np.add.at(grads, rows, values)


@dataclass(frozen=True)
class Ref:
    """Operand k of every node of a step: rows of one place. ``needed[mode]``: whether its
    gradient is wanted (mode 0: parameters only, mode 1: the inputs too)."""

    space: int
    rows: Rows
    distinct: bool
    # a constant read by a per-sample step: shape (G, 1), its gradient summed over samples
    column: bool
    needed: tuple[bool, bool]
    views: tuple | None = None  # (value, gradient) when the rows are a slice of a vector or table

    def bind(self, arrays: tuple, grads: tuple) -> Ref:
        """A copy with views of its rows (the batch changes at every call: never kept)."""
        if self.space == INPUT or type(self.rows) is not slice:
            return self
        x = arrays[self.space][self.rows]
        return replace(self, views=(x[:, None] if self.column else x, grads[self.space][self.rows]))

    def get(self, arrays: tuple) -> np.ndarray:
        """The operand's values."""
        if self.views is not None:
            return self.views[0]
        x = arrays[self.space][self.rows]
        return x[:, None] if self.column else x

    def add(self, grads: tuple, d: np.ndarray) -> None:
        """Add ``d`` into the operand's gradients (summed over samples for a column)."""
        if self.column:
            d = np.add.reduce(d, axis=-1)
        if self.views is not None:  # in place, with no copy back
            view = self.views[1]
            view += d
        else:
            scatter_add(grads[self.space], self.rows, d, self.distinct)


@dataclass(frozen=True)
class Group:
    """The nodes of one op (same attributes, operands from the same places) at one depth."""

    op: Op
    rule: NumpyRule
    attrs: dict[str, Any]
    space: int  # where the outputs live: TABLE (they vary over the batch) or CONST
    out: slice
    refs: tuple[Ref, ...]  # one per operand
    needed: tuple[bool, bool]
    views: tuple = ()  # the outputs' rows of the values and of the gradients
    bound: tuple | None = None  # the operands' views, when none of them is read from the batch

    def bind(self, arrays: tuple, grads: tuple) -> Group:
        """A copy with views of the rows this step reads and writes."""
        refs = tuple(ref.bind(arrays, grads) for ref in self.refs)
        views = tuple(ref.views[0] for ref in refs) if all(r.views for r in refs) else None
        return replace(self, refs=refs, bound=views,
                       views=(arrays[self.space][self.out], grads[self.space][self.out]))

    def operands(self, arrays: tuple) -> list[np.ndarray]:
        """The operands' values."""
        return self.bound or [ref.get(arrays) for ref in self.refs]

    def forward(self, arrays: tuple) -> None:
        """Compute the outputs."""
        self.views[0][...] = self.rule.forward(*self.operands(arrays), **self.attrs)

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        """Add local derivative × output gradient into the operands' gradients."""
        y, g = self.views
        local = self.rule.derivative(y, *self.operands(arrays), **self.attrs)
        for k in self.wanted[mode]:
            d = local[k]
            # add's local derivative 1.0: no multiply
            self.refs[k].add(grads, g if type(d) is float and d == 1.0 else d * g)

    @cached_property
    def wanted(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Per mode, the operands whose gradients are wanted."""
        return tuple(tuple(k for k, ref in enumerate(self.refs) if ref.needed[mode])
                     for mode in (0, 1))

    def stacked(self, arrays: tuple) -> np.ndarray:
        """(operands, nodes, samples or 1): for the domain check."""
        xs = self.operands(arrays)
        shape = np.broadcast_shapes(*(np.shape(x) for x in xs), arrays[self.space][self.out].shape)
        return np.stack([np.broadcast_to(x, shape) for x in xs])


@dataclass(frozen=True)
class NAry:
    """The nodes of an n-ary op (sum, dot) with the same number of operands: operands stacked
    (K, G, samples); ``parts`` say where operands ``positions`` come from (rows: (len, G))."""

    op: Op
    rule: NumpyRule
    attrs: dict[str, Any]
    space: int
    out: slice
    count: int
    parts: tuple[tuple[np.ndarray, Ref], ...]
    needed: tuple[bool, bool]

    def bind(self, arrays: tuple, grads: tuple) -> NAry:
        """Itself: the operands are gathered rows, nothing to keep."""
        return self

    def stacked(self, arrays: tuple) -> np.ndarray:
        """The operands, stacked (K, G, samples or nothing)."""
        columns = arrays[self.space][self.out].shape[1:]
        xs = np.empty((self.count, self.out.stop - self.out.start, *columns))
        for positions, ref in self.parts:
            x = arrays[ref.space][ref.rows]
            xs[positions] = x[..., None] if ref.column else x
        return xs

    def forward(self, arrays: tuple) -> None:
        """Compute the outputs."""
        arrays[self.space][self.out] = self.rule.forward(self.stacked(arrays), **self.attrs)

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        """Add local derivative × output gradient into the operands' gradients."""
        xs = self.stacked(arrays)
        local = self.rule.derivative(arrays[self.space][self.out], xs, **self.attrs)
        d = np.broadcast_to(local * grads[self.space][self.out], xs.shape)
        for positions, ref in self.parts:
            if ref.needed[mode]:
                ref.add(grads, d[positions])


@dataclass(frozen=True)
class Layer:
    """``dot`` nodes v_g = Σ_i w_gi·x_i (+ b_g) over the same inputs x, with constant weights and
    biases: one matrix product V = W @ X + b; gradients gX = Wᵀ gV, gW = gV Xᵀ, gb = Σ gV."""

    op: Op
    out: slice
    weights: Rows  # a slice of G·n rows of the vector (read as a (G, n) view), else (G, n) rows
    shape: tuple[int, int]
    bias: Rows | None
    inputs: Ref  # n rows of the batch or the table
    distinct: tuple[bool, bool]  # weights, bias
    needed: tuple[bool, bool]
    space: int = TABLE
    # (W, gW, b, gb, V, gV): W, gW, b, gb where their rows are a slice (else None); the outputs
    views: tuple = ()

    def bind(self, arrays: tuple, grads: tuple) -> Layer:
        """A copy with views: the weights and biases where their rows are a slice, the outputs'
        rows and the inputs' (unless they are the batch)."""
        (vector, _, table), (gradient, _, gtable) = arrays, grads
        block = isinstance(self.weights, slice)
        line = self.bias is not None and isinstance(self.bias, slice)
        views = (vector[self.weights].reshape(self.shape) if block else None,
                 gradient[self.weights].reshape(self.shape) if block else None,
                 vector[self.bias][:, None] if line else None,
                 gradient[self.bias] if line else None,
                 table[self.out], gtable[self.out])
        return replace(self, inputs=self.inputs.bind(arrays, grads), views=views)

    def _w(self, vector: np.ndarray) -> np.ndarray:
        return self.views[0] if self.views[0] is not None else vector[self.weights]

    def forward(self, arrays: tuple) -> None:
        """V = W @ X + b."""
        out = self.views[4]
        np.matmul(self._w(arrays[CONST]), self.inputs.get(arrays), out=out)
        if self.bias is not None:
            out += self.views[2] if self.views[2] is not None else arrays[CONST][self.bias][:, None]

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        """gX = Wᵀ gV (when wanted), gW = gV Xᵀ, gb = Σ gV."""
        g = self.views[5]
        if self.inputs.needed[mode]:
            self.inputs.add(grads, self._w(arrays[CONST]).T @ g)
        _, gw, _, gb, _, _ = self.views
        if gw is not None:
            gw += g @ self.inputs.get(arrays).T
        else:
            scatter_add(grads[CONST], self.weights, g @ self.inputs.get(arrays).T, self.distinct[0])
        if gb is not None:
            gb += np.add.reduce(g, axis=1)
        elif self.bias is not None:
            scatter_add(grads[CONST], self.bias, np.add.reduce(g, axis=1), self.distinct[1])


@dataclass(frozen=True)
class SumSquares:
    """An n-ary ``sum`` of ``p * p`` over constants p (an L2 penalty): one dot product, times a
    constant leaf α when the sum's one use is α·Σp²."""

    op: Op
    out: int
    rows: Rows
    distinct: bool
    scale: int | None  # the vector's row of α
    needed: tuple[bool, bool] = (True, True)
    space: int = CONST

    def bind(self, arrays: tuple, grads: tuple) -> SumSquares:
        """Itself: one dot product of the vector's rows, nothing to keep."""
        return self

    def forward(self, arrays: tuple) -> None:
        """Σp², or α·Σp²."""
        vector = arrays[CONST]
        p = vector[self.rows]
        vector[self.out] = np.dot(p, p) if self.scale is None else vector[self.scale] * np.dot(p, p)

    def backward(self, arrays: tuple, grads: tuple, mode: int) -> None:
        """2p·g (times α) into each p's gradient."""
        vector, gc = arrays[CONST], grads[CONST]
        g = gc[self.out] if self.scale is None else vector[self.scale] * gc[self.out]
        scatter_add(gc, self.rows, (2.0 * g) * vector[self.rows], self.distinct)


Step = Union[Group, NAry, Layer, SumSquares]
