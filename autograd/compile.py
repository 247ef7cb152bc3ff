"""The vectorised replay: a graph recorded for one sample, run over a whole batch with NumPy.

A graph built for one sample has the same shape for every sample; only the input leaves' values
change. :func:`compile_graph` records that shape once and :class:`CompiledGraph` replays it: each
node becomes a row of a (nodes × samples) table, and the nodes of one op at one depth are
computed together, one NumPy call per group, with the NumPy rules of the op table
(``autograd.ops``). Backward walks the groups in reverse, multiplies each local derivative by the
incoming gradient and adds it into the parents' rows. A layer of neurons (``dot`` nodes whose
weights are constant over the batch and whose inputs are the same nodes) becomes one matrix
product, forward and backward.

Kinks are fine: ReLU, abs or step are evaluated per sample by their NumPy rules. A Python ``if``
on a value while the graph was being built is not: the graph holds only the branch taken for
the recorded sample, and the replay repeats it for every sample. Likewise a number computed from
a value's ``.data`` becomes a constant, frozen at the recorded sample's value (the shift ``max``
in ``nn.cross_entropy``'s log-sum-exp is one: harmless there, since the result does not depend
on it). Rebuild and recompile the graph where such a branch or number matters.

Layout of the tables: rows are the parameters, the other leaves (constants), the inputs, then
each group's nodes, consecutive, so that a group reads and writes its own rows as a slice. A row
that is constant over the batch (a weight, or an L2 penalty computed from the weights) keeps its
value in column 0, copied across the row only when a per-sample step reads it; its gradient is
the sum of its row, so a step may add a gradient already summed over the batch into column 0.
A row that no per-sample step reads gets gradients in column 0 only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from .backward import topological_order
from .format import format_number
from .ops import OPS, Op
from .value import Value

__all__ = ["compile_graph", "CompiledGraph"]

REDUCTIONS = ("sum", "mean")
_DOT = OPS["dot"]  # the built-in dot, whose meaning the matrix product relies on
_ALL, _FIRST = slice(None), slice(0, 1)  # the columns of a per-sample row / of a constant row

Rows = Any  # a slice of consecutive rows, or an integer array of rows


def _add_into(grads: np.ndarray, rows: Any, values: np.ndarray, unique: bool) -> None:
    """grads[rows] += values, also when a row repeats (np.add.at, slower, adds every copy)."""
    if unique:
        grads[rows] += values
    else:
        np.add.at(grads, rows, values)


def _unique(rows: np.ndarray) -> bool:
    return len(np.unique(rows)) == rows.size


def _compact(rows: np.ndarray) -> Rows:
    """Consecutive rows as a slice (indexing by it is a view, not a copy), else the rows."""
    if rows.size and (np.diff(rows) == 1).all():
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


@dataclass(frozen=True)
class _OpGroup:
    """Nodes of one op (same attributes, same operand count) at one depth, computed at once.

    A group that is constant over the batch (it depends on no input) is computed on column 0.
    """

    op: Op
    attrs: dict[str, Any]
    out: slice  # the nodes' rows
    operands: np.ndarray  # (K, G): operand k of node g is row operands[k, g]
    rows: tuple[Rows, ...]  # operands[k] as a slice where its rows are consecutive (fixed arity)
    # Per operand k (one entry for all, for an n-ary op): True when its rows do not repeat (a plain
    # += adds the gradients), False when they do, None when they are all constants (skipped).
    scatter: tuple[bool | None, ...]
    varies: bool  # whether the nodes differ between samples
    wide: bool  # a constant group whose rows a per-sample step reads: copied across the row

    def _operands(self, values: np.ndarray, cols: slice) -> Any:
        """(K, G, samples or 1): stacked for an n-ary op, else a tuple of K arrays (views for slices)."""
        if self.op.arity is None:
            return values[self.operands, cols]
        return tuple(values[rows, cols] for rows in self.rows)

    def forward(self, values: np.ndarray) -> None:
        xs = self._operands(values, _ALL if self.varies else _FIRST)
        rule = self.op.numpy_forward
        try:
            y = rule(xs, **self.attrs) if self.op.arity is None else rule(*xs, **self.attrs)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"compile_graph: the NumPy forward rule of {self.op.name!r} failed on arrays: {error}"
            ) from None
        values[self.out, _ALL if self.varies or self.wide else _FIRST] = y

    def backward(self, values: np.ndarray, grads: np.ndarray) -> None:
        cols = _ALL if self.varies else _FIRST
        xs, y = self._operands(values, cols), values[self.out, cols]
        g = grads[self.out] if self.varies else grads[self.out].sum(axis=1, keepdims=True)
        rule = self.op.numpy_derivative or self.op.derivative
        try:
            local = rule(y, xs, **self.attrs) if self.op.arity is None else rule(y, *xs, **self.attrs)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"compile_graph: the derivative rule of {self.op.name!r} does not work on NumPy arrays "
                f"({error}); register the op with a numpy_derivative"
            ) from None
        if self.op.arity is None:
            if self.scatter[0] is not None:
                _add_into(grads, (self.operands, cols), np.broadcast_to(local * g, xs.shape), self.scatter[0])
        elif len(local) != len(xs):
            raise ValueError(f"compile_graph: the derivative rule of {self.op.name!r} gave {len(local)} "
                             f"local derivative(s) for {len(xs)} operand(s)")
        else:
            for rows, d, unique in zip(self.rows, local, self.scatter):
                if unique is not None:
                    _add_into(grads, (rows, cols), d * g, unique)  # d * g has g's shape: g is (G, columns)

    def nodes(self) -> Iterable[tuple[int, np.ndarray]]:
        """(row, operand rows) per node, for error messages."""
        return zip(range(self.out.start, self.out.stop), self.operands.T)


@dataclass(frozen=True)
class _Layer:
    """``dot`` nodes v_g = Σ_i w_gi·x_i (+ b_g) whose weights and biases are constant over the batch
    and whose inputs x are the same rows: one matrix product, V = W @ X + b.

    The weights' and biases' gradients come out summed over the batch (gV @ Xᵀ) and go into
    column 0 of their rows.
    """

    out: slice
    weights: np.ndarray  # (G, n) rows
    inputs: Rows  # n rows, none repeated
    bias: np.ndarray | None  # (G,) rows
    unique_weights: bool
    unique_bias: bool
    varies: bool = True  # its rows hold a value per sample (its inputs are read across the row)

    @property
    def op(self) -> Op:
        return _DOT

    @property
    def attrs(self) -> dict[str, Any]:
        return {}

    def forward(self, values: np.ndarray) -> None:
        out = values[self.out]
        np.matmul(values[self.weights, 0], values[self.inputs], out=out)
        if self.bias is not None:
            out += values[self.bias, :1]

    def backward(self, values: np.ndarray, grads: np.ndarray) -> None:
        g = grads[self.out]  # (G, samples)
        grads[self.inputs] += values[self.weights, 0].T @ g
        _add_into(grads, (self.weights, 0), g @ values[self.inputs].T, self.unique_weights)
        if self.bias is not None:
            _add_into(grads, (self.bias, 0), g.sum(axis=1), self.unique_bias)

    def nodes(self) -> Iterable[tuple[int, np.ndarray]]:
        inputs = np.arange(self.inputs.start, self.inputs.stop) if isinstance(self.inputs, slice) else self.inputs
        for g, row in enumerate(range(self.out.start, self.out.stop)):
            bias = [] if self.bias is None else [self.bias[g]]
            yield row, np.concatenate([self.weights[g], inputs, bias]).astype(int)


@dataclass
class _Plan:
    """A group of nodes before it becomes a step (the reads of all steps decide ``wide``)."""

    op: Op
    attrs: dict[str, Any]
    out: slice
    operands: np.ndarray  # (K, G)
    varies: bool
    layer: _Layer | None


def _as_layer(plan: _Plan, varies: np.ndarray) -> _Layer | None:
    """A group of dot nodes as one matrix product, or None when it does not have that shape."""
    if plan.op is not _DOT:
        return None
    count = len(plan.operands)
    n = count // 2
    weights, inputs = plan.operands[:n], plan.operands[n : 2 * n]
    bias = plan.operands[2 * n] if count % 2 else None
    shared = (inputs == inputs[:, :1]).all() and _unique(inputs[:, 0])
    constant = not varies[weights].any() and (bias is None or not varies[bias].any())
    if not (shared and constant):
        return None
    unique_bias = bias is None or _unique(bias)
    return _Layer(plan.out, weights.T.copy(), _compact(inputs[:, 0]), bias, _unique(weights), unique_bias)


def _name(v: Value) -> str:
    return repr(v.label) if v.label else f"a node of value {format_number(v.data)}"


def _check_leaves(values: Any, what: str, in_graph: set[Value]) -> list[Value]:
    items = [values] if isinstance(values, Value) else list(values)
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


def _group(interior: list[Value], inputs: set[Value]) -> list[tuple[list[Value], bool]]:
    """Interior nodes grouped by depth, op, attributes, operand count and whether they vary over
    the batch (returned with each group); groups in order of depth, so that every group's operands
    are computed before it."""
    depth: dict[Value, int] = {}
    varies: dict[Value, bool] = {}
    groups: dict[tuple, list[Value]] = defaultdict(list)
    for v in interior:
        op = OPS.get(v.op)
        if op is None or op.numpy_forward is None:
            raise ValueError(
                f"compile_graph: op {v.op!r} has no NumPy rule (register_op(..., numpy_forward=...)), "
                "so the graph cannot be replayed"
            )
        depth[v] = 1 + max(depth.get(p, 0) for p in v.parents)
        varies[v] = any(varies[p] if p.parents else p in inputs for p in v.parents)
        attrs = tuple(sorted((v.attrs or {}).items()))
        groups[(depth[v], v.op, attrs, len(v.parents), varies[v])].append(v)
    return [(members, key[-1]) for key, members in sorted(groups.items(), key=lambda item: item[0][0])]


class CompiledGraph:
    """A graph recorded for one sample, replayed over batches (see :func:`compile_graph`).

    It keeps its tables of values and gradients from call to call, so one instance should not be
    called from two threads at once.

    Attributes:
        inputs: the input leaves, in the order of a batch's columns.
        params: the leaves whose ``.grad`` :meth:`backward` fills.
        reduction: ``"sum"`` or ``"mean"``: how parameter gradients combine over the batch.
        input_grad: after :meth:`backward`, the gradient of the summed (or averaged) output with
            respect to each sample's inputs, shape (samples, inputs).
    """

    def __init__(self, output: Value, inputs: Sequence[Value], params: Sequence[Value] | None, reduction: str) -> None:
        if not isinstance(output, Value):
            raise TypeError(f"compile_graph: output must be a Value, got {type(output).__name__}")
        if not output.parents:
            raise ValueError(f"compile_graph: the output ({_name(output)}) is a leaf: there is no graph to replay")
        if reduction not in REDUCTIONS:
            raise ValueError(f"compile_graph: reduction must be 'sum' or 'mean', got {reduction!r}")
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
        self.reduction = reduction
        self.input_grad: np.ndarray | None = None

        chosen = given.union(self.params)
        self._fixed = list(self.params) + [v for v in nodes if not v.parents and v not in chosen]
        leaves = self._fixed + list(self.inputs)
        groups = _group([v for v in nodes if v.parents], given)
        row = {v: i for i, v in enumerate(leaves + [v for members, _ in groups for v in members])}
        self._size = len(row)
        self._inputs = slice(len(self._fixed), len(leaves))
        self._interior = slice(len(leaves), self._size)
        self._output = row[output]
        self._steps = self._build(groups, row)
        self._tables: tuple[np.ndarray, np.ndarray] | None = None

    def _build(self, groups: list[tuple[list[Value], bool]], row: dict[Value, int]) -> list[_OpGroup | _Layer]:
        varies = np.zeros(self._size, dtype=bool)
        varies[self._inputs] = True
        unused = np.zeros(self._size, dtype=bool)  # leaves whose gradient nobody reads
        unused[len(self.params) : len(self._fixed)] = True
        plans = []
        for members, vary in groups:
            start = row[members[0]]
            operands = np.array([[row[p] for p in v.parents] for v in members]).T
            plan = _Plan(OPS[members[0].op], dict(members[0].attrs or {}), slice(start, start + len(members)),
                         operands, vary, None)
            varies[plan.out] = vary
            plan.layer = _as_layer(plan, varies)
            plans.append(plan)
        # Rows read across the batch: operands of per-sample groups, a layer's inputs, the output.
        wide = np.zeros(self._size, dtype=bool)
        wide[self._output] = True
        for plan in plans:
            if plan.layer is not None:
                wide[plan.layer.inputs] = True
            elif plan.varies:
                wide[plan.operands] = True
        self._wide_leaves = np.flatnonzero(wide[: len(self._fixed)])
        self._wide_params = np.flatnonzero(wide[: len(self.params)])  # the others' gradients are all in column 0

        def scatter(rows: np.ndarray) -> bool | None:
            return None if unused[rows].all() else _unique(rows)

        steps: list[_OpGroup | _Layer] = []
        for p in plans:
            if p.layer is not None:
                steps.append(p.layer)
                continue
            how = (scatter(p.operands),) if p.op.arity is None else tuple(scatter(r) for r in p.operands)
            rows = tuple(_compact(r) for r in p.operands)
            steps.append(_OpGroup(p.op, p.attrs, p.out, p.operands, rows, how, p.varies, bool(wide[p.out].any())))
        return steps

    def __repr__(self) -> str:
        layers = sum(isinstance(s, _Layer) for s in self._steps)
        return (
            f"CompiledGraph({self._size} nodes, {len(self.inputs)} inputs, {len(self.params)} params, "
            f"{len(self._steps)} steps of which {layers} matrix products, reduction={self.reduction!r})"
        )

    def _batch(self, batch: Any) -> np.ndarray:
        try:
            array = np.asarray(batch, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"batch must be an array of numbers, got {type(batch).__name__}") from None
        if array.ndim == 1 and len(self.inputs) == 1:
            array = array[:, None]
        if array.ndim != 2 or array.shape[1] != len(self.inputs) or not len(array):
            raise ValueError(
                f"batch must have shape (samples, {len(self.inputs)}): one column per input, got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"batch must be finite; it holds {array[~np.isfinite(array)][0]}")
        return array

    def _buffers(self, samples: int) -> tuple[np.ndarray, np.ndarray]:
        """The tables of values and gradients, kept from call to call: fresh arrays this size would
        cost a page fault per 4 KiB on every call, more than the arithmetic. Zeros at first, so the
        unused columns of constant rows stay finite."""
        if self._tables is None or self._tables[0].shape[1] != samples:
            self._tables = (np.zeros((self._size, samples)), np.zeros((self._size, samples)))
        return self._tables

    def _forward(self, batch: Any) -> np.ndarray:
        array = self._batch(batch)
        values = self._buffers(len(array))[0]
        values[: len(self._fixed), 0] = [v.data for v in self._fixed]
        values[self._wide_leaves] = values[self._wide_leaves, :1]
        values[self._inputs] = array.T
        with np.errstate(all="ignore"):
            for step in self._steps:
                step.forward(values)
        if not np.isfinite(values[self._interior]).all():
            self._check_domain(values)
        return values

    def _check_domain(self, values: np.ndarray) -> None:
        """Raise the scalar engine's error (log(-1), 1/0 ...) where a sample leaves an op's domain.

        Non-finite values the scalar engine gives too (exp overflowing to inf) are let through.
        """
        finite = np.isfinite(values)
        for step in self._steps:
            samples = _ALL if step.varies else _FIRST
            for row, operand_rows in step.nodes():
                fresh = ~finite[row, samples] & finite[operand_rows, samples].all(axis=0)
                for sample in np.flatnonzero(fresh):
                    operands = values[operand_rows, sample].tolist()
                    try:
                        step.op.forward(*operands, **step.attrs)
                    except (ValueError, ArithmeticError) as error:
                        shown = ", ".join(format_number(x) for x in operands)
                        message = f"compile_graph replay, sample {sample}: {step.op.name}({shown}): {error}"
                        raise type(error)(message) from None

    def forward(self, batch: Any) -> np.ndarray:
        """The output for every sample; no gradients.

        Args:
            batch: an array of shape (samples, inputs), column j holding ``inputs[j]``'s values
                (a 1-D array when there is one input).

        Returns:
            The output per sample, shape (samples,).
        """
        return self._forward(batch)[self._output].copy()

    def backward(self, batch: Any) -> np.ndarray:
        """Forward and backward over the batch; adds the parameters' gradients into their ``.grad``.

        The gradients are summed over the samples (averaged with ``reduction="mean"``) and added
        to ``.grad``, as ``Value.backward`` adds into leaves: zero them first when training.

        Args:
            batch: as for :meth:`forward`.

        Returns:
            The output per sample, shape (samples,).
        """
        values = self._forward(batch)
        samples = values.shape[1]
        grads = self._buffers(samples)[1]
        grads.fill(0.0)
        grads[self._output] = 1.0 if self.reduction == "sum" else 1.0 / samples
        with np.errstate(all="ignore"):
            for step in reversed(self._steps):
                step.backward(values, grads)
        totals = grads[: len(self.params), 0].copy()
        totals[self._wide_params] += grads[self._wide_params, 1:].sum(axis=1)
        for p, g in zip(self.params, totals.tolist()):
            p.grad += g
        self.input_grad = grads[self._inputs].T.copy()
        return values[self._output].copy()


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
        optimiser's updates are seen without recompiling.

    Raises:
        ValueError: an op without NumPy rules, an input or parameter that is not a leaf of the
            graph, a leaf listed twice.

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
