"""Running a compiled graph: :class:`CompiledGraph` over batches of any size, and :class:`Training`.

A graph compiles once (see ``compile``); each batch size gets its tables of values and gradients
and the steps bound to them the first time it is seen, kept for the next calls (the last
:data:`KEPT_SIZES` sizes), so that batches of 5, 9, 5 and 1 samples run on one compiled graph.

Where a value leaves its op's domain for one sample (log(-1), 1/0, sin(inf)), the replay raises
the scalar engine's error naming the sample and the op. Where a parameter's gradient is not
finite, it is summed again sample by sample, as the scalar engine sums it: inf·Σg (one product
for a node that depends on no input) and Σ inf·g differ when the g's have both signs.

Training: :meth:`CompiledGraph.training` keeps the parameters as arrays while it trains, updated by
the rules of ``autograd.updates`` (those of ``nn.SGD`` and ``nn.Adam``), and writes them back into
the ``Value``s when asked (:meth:`Training.sync`) and when training ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..backward import topological_order
from ..format import format_number
from ..updates import RULES, Settings, require_finite, settings
from ..validate import items, one_of, shown
from ..value import Value
from .compile import compile_program
from .steps import CONST, INPUT, TABLE, Step

__all__ = ["CompiledGraph", "Training", "compile_graph", "KEPT_SIZES"]

# The batch sizes whose tables a graph keeps: a training batch, all the data, one sample, a grid.
KEPT_SIZES = 4


def _name(v: Value) -> str:
    return repr(v.label) if v.label else f"a node of value {format_number(v.data)}"


def _check_leaves(values: Any, what: str, in_graph: set[Value]) -> list[Value]:
    given = [values] if isinstance(values, Value) else items(
        values, what, "a Value or a sequence of Values")
    if (all(type(v) is Value for v in given) and in_graph.issuperset(given)
            and len(set(given)) == len(given) and not any(v.parents for v in given)):
        return given  # the common case, checked in bulk; else find the first culprit below
    seen: set[Value] = set()
    for i, v in enumerate(given):
        where = f"compile_graph: {what}[{i}]"
        if not isinstance(v, Value):
            raise TypeError(f"{where} must be a Value, got {type(v).__name__}: {v!r}")
        if v not in in_graph:
            raise ValueError(f"{where} ({_name(v)}) is not in the graph of the output")
        if v.parents:
            raise ValueError(f"{where} ({_name(v)}) is computed by {v.op!r}; it must be a leaf")
        if v in seen:
            raise ValueError(f"{where} ({_name(v)}) is listed twice")
        seen.add(v)
    return given


def _check_nodes(values: Any, in_graph: set[Value]) -> list[Value]:
    """``watch``: Values of the graph, any node (a leaf or not)."""
    given = [values] if isinstance(values, Value) else items(
        values, "watch", "a Value or a sequence of Values")
    for i, v in enumerate(given):
        if not isinstance(v, Value):
            raise TypeError(f"compile_graph: watch[{i}] must be a Value, got {type(v).__name__}")
        if v not in in_graph:
            raise ValueError(f"compile_graph: watch[{i}] ({_name(v)}) is not in the graph")
    return given


@dataclass(frozen=True)
class Tables:
    """One batch size's state: the tables of values and gradients (nodes × samples), kept from
    call to call (fresh arrays would cost a page fault per 4 KiB at every call, more than the
    arithmetic), the steps bound to them, and per mode the steps that backward runs."""

    values: np.ndarray
    grads: np.ndarray
    steps: list[Step]
    backward: tuple[list[Step], list[Step]]


class CompiledGraph:
    """A graph recorded for one sample, replayed over batches (see :func:`compile_graph`).

    It keeps its tables of values and gradients from call to call, so one instance should not be
    called from two threads at once.

    Attributes:
        inputs: the input leaves, in the order of a batch's columns.
        params: the leaves whose ``.grad`` :meth:`backward` fills.
        reduction: ``"sum"`` or ``"mean"``: how parameter gradients combine over the batch.
    """

    def __init__(self, output: Value, inputs: Sequence[Value], params: Sequence[Value] | None,
                 reduction: str, watch: Sequence[Value] = ()) -> None:
        if not isinstance(output, Value):
            raise TypeError(f"compile_graph: output must be a Value, got {type(output).__name__}")
        if not output.parents:
            raise ValueError(f"compile_graph: the output ({_name(output)}) is a leaf: "
                             "there is no graph to replay")
        self.reduction = one_of(reduction, "reduction", ("sum", "mean"))
        nodes = topological_order(output)
        self._output = output  # its order names the first failing node (see _raise_first)
        in_graph = set(nodes)
        self.inputs = tuple(_check_leaves(inputs, "inputs", in_graph))
        if not self.inputs:
            raise ValueError(
                "compile_graph: inputs is empty; give the leaves that change from sample to sample")
        given = set(self.inputs)
        if params is None:
            params = [v for v in nodes if not v.parents and v.requires_grad and v not in given]
        self.params = tuple(_check_leaves(params, "params", in_graph))
        both = given.intersection(self.params)
        if both:
            raise ValueError(f"compile_graph: {_name(both.pop())} is both an input and a parameter")
        watched = _check_nodes(watch, in_graph)
        self._program = compile_program(nodes, output, self.inputs, self.params, watched)
        self._param_rows = self._program.param_rows  # each parameter's row (rows 0..P-1)
        self._vector = np.zeros(self._program.vector_size)  # parameters first, then constants
        self._gradient = np.zeros(self._program.vector_size)
        self._sizes: dict[int, Tables] = {}  # samples -> tables, the most recently used last
        self._session: Training | None = None
        self._last: tuple | None = None  # the last backward's arrays, for input_grad
        self._seen: tuple | None = None  # the last forward's arrays, for watched()
        self._input_grad: np.ndarray | None = None

    def __repr__(self) -> str:
        program = self._program
        layers = sum(type(s).__name__ == "Layer" for s in program.steps)
        rows = program.vector_size + program.table_size + len(self.inputs)
        return (f"CompiledGraph({rows} rows, {len(self.inputs)} inputs, {len(self.params)} params, "
                f"{len(program.steps)} steps of which {layers} matrix products, "
                f"reduction={self.reduction!r})")

    @property
    def steps(self) -> list[Step]:
        """The compiled steps, in order (for reading: what was grouped and fused)."""
        return list(self._program.steps)

    # -- the arrays ------------------------------------------------------------------------------
    def _batch(self, batch: Any) -> np.ndarray:
        """The batch as a (samples, inputs) float array; checked here, at the boundary."""
        try:
            given = np.asarray(batch)
            # Real numbers only: float() would read "1.5", True and 1j's real part without a word.
            refused = (str, bytes, bool, np.bool_, complex, np.complexfloating)
            real = given.dtype.kind in "iuf" or given.dtype.kind == "O" and not any(
                isinstance(x, refused) for x in given.flat)
            array = given.astype(float, copy=False) if real else None
        except (TypeError, ValueError):
            raise TypeError(
                f"batch must be an array of numbers, got {type(batch).__name__}") from None
        if array is None:
            raise TypeError("batch must be an array of numbers (not bool, str or complex), "
                            f"got {given.dtype}: {shown(batch)}")
        if array.ndim == 1 and len(self.inputs) == 1:
            array = array[:, None]
        if array.ndim != 2 or array.shape[1] != len(self.inputs) or not len(array):
            raise ValueError(f"batch must have shape (samples, {len(self.inputs)}): one column per "
                             f"input, got shape {array.shape}")
        if not np.isfinite(array.sum()) and not np.isfinite(array).all():  # the sum: one pass
            raise ValueError(f"batch must be finite; it holds {array[~np.isfinite(array)][0]}")
        return array

    def _tables(self, samples: int) -> Tables:
        """This batch size's tables, made (and the steps bound to them) on its first use."""
        tables = self._sizes.pop(samples, None)
        if tables is None:
            if len(self._sizes) >= KEPT_SIZES:
                del self._sizes[next(iter(self._sizes))]  # the least recently used
            size = self._program.table_size
            values, grads = np.zeros((size, samples)), np.zeros((size, samples))
            arrays, gradients = (self._vector, None, values), (self._gradient, None, grads)
            steps = [step.bind(arrays, gradients) for step in self._program.steps]
            backward = tuple([s for s in reversed(steps) if s.needed[mode]] for mode in (0, 1))
            tables = Tables(values, grads, steps, backward)
        self._sizes[samples] = tables
        return tables

    # -- forward and backward --------------------------------------------------------------------
    def _forward(self, X: np.ndarray, sample: int | None = None) -> tuple:
        """Every value for the samples ``X`` (inputs × samples): (vector, X, table); ``sample``:
        the index of X's one sample in its batch, when it is run alone (see ``_check_domain``)."""
        program = self._program
        tables = self._tables(X.shape[1])
        vector = self._vector
        if self._session is None:  # while a training session holds them, the arrays are the truth
            vector[program.param_rows] = [p.data for p in self.params]
        if program.leaves:
            vector[program.leaf_rows] = [v.data for v in program.leaves]
        arrays = (vector, X, tables.values)
        failures: list[tuple] = []
        with np.errstate(all="ignore"):
            for step, check, nodes in zip(tables.steps, program.checks, program.checked):
                step.forward(arrays)
                if check:
                    self._check_domain(step, nodes, arrays, sample, failures)
        if failures:
            self._raise_first(failures, sample)
        self._last, self._input_grad, self._seen = None, None, arrays
        return arrays

    def _check_domain(self, step: Step, nodes: tuple[Value, ...], arrays: tuple,
                      sample: int | None, failures: list[tuple]) -> None:
        """Note where a sample leaves an op's domain (log(-1), 1/0, sin(inf) ...) in ``failures``,
        as (node, operands, the scalar engine's error, sample). Non-finite values the scalar
        engine gives too (a power overflowing to inf, inf − inf) are let through.

        With more than one sample, the first failure reruns the samples one at a time: the first
        sample that fails anywhere raises, as the scalar engine, run sample by sample, would. One
        sample alone runs on to the end, so that of its failing nodes the first in the scalar
        engine's order is named, not the first by depth (see ``_raise_first``)."""
        y = arrays[step.space][step.out]
        if np.isfinite(y).all():
            return
        xs = step.stacked(arrays)  # (K, G, samples), or (K, G) for a constant group
        if step.space == CONST:
            xs, y = xs[..., None], y[:, None]
        y = np.broadcast_to(y, xs.shape[1:])
        for g, s in zip(*np.nonzero(~np.isfinite(y))):
            operands = xs[:, g, s].tolist()
            try:
                step.op.forward(*operands, **step.attrs)
            except (ValueError, ArithmeticError) as error:
                X = arrays[INPUT]
                if sample is None and X.shape[1] > 1:  # an earlier sample may fail at a later op
                    for first in range(X.shape[1]):
                        self._forward(X[:, first : first + 1], first)
                failures.append((nodes[g], operands, error, s))

    def _raise_first(self, failures: list[tuple], sample: int | None) -> None:
        """Raise the error of the failing node that comes first in the scalar engine's order."""
        if len(failures) > 1:
            order = {v: i for i, v in enumerate(topological_order(self._output))}
            failures.sort(key=lambda failure: (failure[3], order[failure[0]]))
        node, operands, error, s = failures[0]
        listed = ", ".join(format_number(x) for x in operands)
        where = f"sample {s if sample is None else sample}"
        raise type(error)(f"compile_graph replay, {where}: {node.op}({listed}): {error}") from None

    def _backward(self, arrays: tuple, mode: int, seed: float | None = None) -> None:
        """Gradients of the summed (or averaged) output into the gradient vector and table."""
        samples = arrays[INPUT].shape[1]
        tables = self._tables(samples)
        tables.grads.fill(0.0)
        self._gradient.fill(0.0)
        ginputs = np.zeros(arrays[INPUT].shape) if mode else None
        grads = (self._gradient, ginputs, tables.grads)
        if seed is None:
            seed = 1.0 if self.reduction == "sum" else 1.0 / samples
        tables.grads[self._program.output] = seed
        with np.errstate(all="ignore"):
            for step in tables.backward[mode]:
                step.backward(arrays, grads, mode)
        if mode:
            self._input_grad = ginputs.T.copy()

    def _learn(self, arrays: tuple) -> tuple[np.ndarray, bool]:
        """The parameters' gradients (a view of the vector's first rows), summed over the samples
        as the scalar engine sums them: sample by sample where one is not finite; and whether
        they are all finite."""
        self._backward(arrays, 0)
        count = len(self.params)
        g = self._gradient[:count]  # the parameters are the vector's first rows
        # not np.add.reduce(g) first: as fast, but inf + -inf there is a RuntimeWarning
        if np.isfinite(g).all():
            return g, True
        X = arrays[INPUT]
        samples = X.shape[1]
        seed = 1.0 if self.reduction == "sum" else 1.0 / samples
        total = np.zeros(count)
        with np.errstate(all="ignore"):
            for s in range(samples):
                self._backward(self._forward(X[:, s : s + 1]), 0, seed)
                total += g
        g[:] = total
        return g, False

    def forward(self, batch: Any) -> np.ndarray:
        """The output for every sample; no gradients.

        Args:
            batch: an array of shape (samples, inputs), column j holding ``inputs[j]``'s values
                (a 1-D array when there is one input).

        Returns:
            The output per sample, shape (samples,).
        """
        return self._forward(self._batch(batch).T)[TABLE][self._program.output].copy()

    def backward(self, batch: Any) -> np.ndarray:
        """Forward and backward over the batch; adds the parameters' gradients into their ``.grad``.

        The gradients are summed over the samples (averaged with ``reduction="mean"``) and added
        to ``.grad``, as ``Value.backward`` adds into leaves: zero them first when training.

        Args:
            batch: as for :meth:`forward`.

        Returns:
            The output per sample, shape (samples,).
        """
        arrays = self._forward(self._batch(batch).T)
        g, _ = self._learn(arrays)
        self._last = arrays
        for p, grad in zip(self.params, g[self._param_rows].tolist()):
            p.grad += grad
        return arrays[TABLE][self._program.output].copy()

    def watched(self) -> np.ndarray:
        """The values of the nodes given as ``compile_graph(..., watch=[...])`` for every sample
        of the last forward pass (of :meth:`forward`, :meth:`backward` or a training step, so a
        network's outputs come with its loss at no second pass), shape (samples, len(watch)).

        Raises:
            RuntimeError: no forward pass has run yet.
        """
        if self._seen is None:
            raise RuntimeError("watched: no forward pass has run yet")
        samples = self._seen[INPUT].shape[1]
        rows = [np.broadcast_to(self._seen[place][row], (samples,))
                for place, row in self._program.watched]
        return np.stack(rows, axis=1) if rows else np.empty((samples, 0))

    @property
    def input_grad(self) -> np.ndarray | None:
        """After :meth:`backward`, the gradient of the summed (or averaged) output with respect to
        each sample's inputs, shape (samples, inputs); computed on first use (it costs a second
        backward pass, which a training step does not need); None before any backward."""
        if self._input_grad is None and self._last is not None:
            self._backward(self._last, 1)
        return self._input_grad

    def training(self, lr: float | None = None, optimizer: Any = "sgd", momentum: float = 0.0,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Training:
        """Train on arrays: the parameters stay in the replay's vector between steps.

        Args:
            lr: the learning rate, > 0 (an attribute of the result: change it between steps).
            optimizer: ``"sgd"`` (u ← μ·u + g; p ← p − lr·u) or ``"adam"``, with the settings
                below; or an optimiser over this graph's parameters, e.g. ``nn.Adam(params,
                lr=0.01)``, whose settings are read at every step and whose state (velocity,
                moments, step count) the session starts from and writes back at
                :meth:`Training.sync` and at the end, so that its own ``step()`` goes on from
                there. Then give no other argument.
            momentum: μ in [0, 1), for SGD.
            betas: Adam's decay rates, each in [0, 1).
            eps: Adam's ε, > 0.

        Returns:
            A :class:`Training`; use it in a ``with`` block, or call its ``close()``, so that the
            trained parameters are written back into the ``Value``s.

        Raises:
            ValueError: a bad setting (naming it); an optimiser over other parameters.
            TypeError: an optimiser that is neither a name nor an ``nn`` optimiser.
        """
        if isinstance(optimizer, str):
            holder = settings(optimizer, lr, momentum, betas, eps)
        else:
            holder = self._optimizer(optimizer, lr, momentum, betas, eps)
        return Training(self, holder)

    def _optimizer(self, optimizer: Any, lr: Any, momentum: Any, betas: Any, eps: Any) -> Any:
        """An optimiser object for :meth:`training`, checked: its rule, its parameters."""
        if getattr(optimizer, "rule", None) not in RULES or not hasattr(optimizer, "params"):
            raise TypeError(f"optimizer must be {' or '.join(map(repr, RULES))} or an optimiser "
                            f"such as nn.SGD or nn.Adam, got {shown(optimizer)}")
        if (lr, momentum, betas, eps) != (None, 0.0, (0.9, 0.999), 1e-8):
            raise ValueError("training: with an optimizer object, give lr, momentum, betas and eps "
                             "to the optimiser, not to training")
        theirs = list(optimizer.params)
        if len(theirs) != len(self.params) or set(theirs) != set(self.params):
            foreign = sum(p not in set(self.params) for p in theirs)
            raise ValueError(f"optimizer: its {len(theirs)} parameters are not this graph's "
                             f"{len(self.params)} ({foreign} of its are not in the graph)")
        return optimizer


def _label(params: Sequence[Value], i: int) -> str:
    return params[i].label or f"params[{i}]"


class Training:
    """A training session on a :class:`CompiledGraph` (see :meth:`CompiledGraph.training`).

    The parameters are read from the ``Value``s once, then live in the replay's vector: each
    :meth:`step` is forward, backward and the update on arrays, with no ``Value`` touched. The
    graph's ``forward`` and ``backward`` see the trained values meanwhile; other code reading the
    ``Value``s' ``.data`` sees them after :meth:`sync` or at the end. ``.grad`` is left alone.

    Attributes:
        graph: the graph trained.
        optimizer: what holds the settings (read at every step) and, for an ``nn`` optimiser,
            the state written back at :meth:`sync`: the optimiser given, or an
            ``autograd.updates.Settings``.
        steps: updates done in this session.

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

    def __init__(self, graph: CompiledGraph, optimizer: Any) -> None:
        if graph._session is not None:
            raise RuntimeError(
                "training: this graph is already in a training session; close it first")
        self.graph = graph
        self.optimizer = optimizer
        self.steps = 0
        self._rule = RULES[optimizer.rule]
        count = len(graph.params)
        graph._vector[graph._param_rows] = [p.data for p in graph.params]
        # The optimiser's own order of the parameters (nn's), or the graph's.
        own = isinstance(optimizer, Settings)
        self._params = graph.params if own else tuple(optimizer.params)
        self._rows = graph._param_rows  # its order -> the vector's rows
        if any(a is not b for a, b in zip(self._params, graph.params)):
            row = dict(zip(graph.params, graph._param_rows.tolist()))
            self._rows = np.array([row[p] for p in self._params], dtype=np.intp)
        # The state in the vector's order; none for plain SGD of its own (momentum fixed at 0).
        plain = own and optimizer.rule == "sgd" and not optimizer.momentum
        self._state = [None if plain else np.zeros(count) for _ in self._rule.state]
        if not own:
            for array, name in zip(self._state, self._rule.state):
                array[self._rows] = getattr(optimizer, name)
        self._where = "training step" if own else f"{type(optimizer).__name__}.step"
        self._names = np.argsort(self._rows)  # vector row -> index in its order
        graph._session = self

    @property
    def lr(self) -> float:
        """The learning rate (the optimiser's): change it between steps."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def momentum(self) -> float:
        """SGD's μ (0.0 for Adam)."""
        return getattr(self.optimizer, "momentum", 0.0)

    @property
    def betas(self) -> tuple[float, float]:
        """Adam's decay rates (their defaults for SGD)."""
        return getattr(self.optimizer, "betas", (0.9, 0.999))

    @property
    def eps(self) -> float:
        """Adam's ε (its default for SGD)."""
        return getattr(self.optimizer, "eps", 1e-8)

    def step(self, batch: Any) -> np.ndarray:
        """Forward, backward and one update of the parameters, all on arrays.

        Args:
            batch: as for :meth:`CompiledGraph.forward`.

        Returns:
            The output per sample (the losses), shape (samples,), before the update.

        Raises:
            FloatingPointError: a gradient is NaN or inf (nothing is updated), naming the parameter
                as the ``nn`` optimiser's ``step()`` does.
        """
        graph = self.graph
        if graph._session is not self:
            raise RuntimeError("training: this session is closed")
        arrays = graph._forward(graph._batch(batch).T)
        g, finite = graph._learn(arrays)
        if not finite:
            require_finite(g, lambda row: _label(self._params, int(self._names[row])), self._where)
        self.steps += 1
        self.optimizer.steps += 1
        p = graph._vector[: len(g)]  # the parameters are the vector's first rows
        settings = {name: getattr(self.optimizer, name) for name in self._rule.settings}
        self._rule.update(p, g, *self._state, **settings)
        return arrays[TABLE][graph._program.output].copy()

    def parameters(self) -> np.ndarray:
        """The parameters' current values, in the order of ``graph.params``."""
        return self.graph._vector[self.graph._param_rows].copy()

    def sync(self) -> None:
        """Write the parameters' current values into their ``Value``s' ``.data``, and an ``nn``
        optimiser's state into it."""
        for p, x in zip(self.graph.params, self.parameters().tolist()):
            p.data = x
        if not isinstance(self.optimizer, Settings):
            for array, name in zip(self._state, self._rule.state):
                setattr(self.optimizer, name, array[self._rows])

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
    watch: Sequence[Value] = (),
) -> CompiledGraph:
    """Record ``output``'s graph once, to replay it over batches of inputs, of any size, with NumPy.

    Args:
        output: the Value to compute per sample (e.g. one sample's loss), built from ``inputs``.
        inputs: the leaves that change from sample to sample, e.g. ``[x0, x1, target]``. Leave
            them ``requires_grad=True`` (the default) when an op reads inputs only (``1 - t``):
            an op whose operands all have ``requires_grad=False`` records a constant, not a node,
            so its value would stay that of the recorded sample.
        params: the leaves whose gradients :meth:`CompiledGraph.backward` writes; by default every
            other leaf that requires grad. Other leaves keep their ``.data`` at each call.
        reduction: ``"sum"`` or ``"mean"`` of the per-sample gradients.
        watch: nodes of the graph whose per-sample values :meth:`CompiledGraph.watched` gives
            after each forward pass (e.g. a network's outputs, to score it while it trains).

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
    return CompiledGraph(output, inputs, params, reduction, watch)
