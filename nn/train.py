"""A training loop you can read in one screen: forward, loss, backward, step, print.

The loss is a row of ``nn.losses.LOSS_TABLE``: it says what the model's output means (``hinge``
reads a score, ``binary_cross_entropy`` the output layer's logit, so use a sigmoid or linear
output; ``cross_entropy`` its logits, so use a softmax or linear output; ``mse``, ``sse``, ``mae``
and ``huber`` the outputs themselves: regression, no accuracy), how a target is encoded and how a
prediction is scored.

Two engines run the same one-sample objective J (+ the L2 term):

- ``"replay"``: J's graph is recorded once and replayed over each batch with NumPy
  (``autograd.compile_graph``), the parameters trained as arrays (``CompiledGraph.training``);
- ``"scalar"``: one graph of ``Value`` s per sample per step, ``backward()`` and the optimiser's
  ``step()``: the teaching path, every number visible.

Both give the same numbers (to rounding). ``engine="auto"`` takes the replay where it can (an
``nn.SGD`` or ``nn.Adam``, see ``replays``) and the scalar engine otherwise.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograd import Value, compile_graph, no_grad, topological_order, validate
from autograd.updates import RULES

from . import functional
from .init import Seed, make_rng
from .layers import MLP, Layer
from .losses import LOSS_TABLE, TARGETS, Loss, Target, loss_row
from .optim import Adam, Optimizer

__all__ = ["ENGINES", "History", "MAX_STEPS", "MAX_TABLE_BYTES", "evaluate", "fit", "replays"]

ENGINES = ("auto", "replay", "scalar")
MAX_STEPS = 100_000  # the most steps `deltagrad train` and the playground run: one shared limit
MAX_TABLE_BYTES = 2**30  # the replay's value and gradient tables for one batch, at most this big
_SCALAR_NODE_BYTES = 200  # about what one Value of a scalar graph costs
_REPLAY_NODE_BYTES = 16  # a value and a gradient, float64, per node and sample


@dataclass
class History:
    """What ``fit`` measured at each step, before that step's update."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)


# -- the one check of the data ------------------------------------------------------------------


def _check(model: Any, X: Any, y: Any, loss: Any) -> tuple[np.ndarray, np.ndarray, Loss]:
    """The one check of fit's and evaluate's data: X as an (n, nin) array, the targets encoded
    by the loss's row as an (n, width) array, and the row."""
    row = loss_row(loss)
    if not isinstance(model, (MLP, Layer)):
        raise TypeError(f"model must be an nn.MLP (or nn.Layer), got {validate.shown(model)}")
    nout = model.nouts[-1] if isinstance(model, MLP) else model.nout
    outputs = TARGETS[row.target].outputs
    if outputs == "one" and nout != 1:
        raise ValueError(f"loss {row.name!r} needs a model with one output, this one has "
                         f"{nout} (use cross_entropy for several classes)")
    if outputs == "classes" and nout < 2:
        raise ValueError(f"loss {row.name!r} needs a model with two or more outputs (one per "
                         "class), this one has 1; use binary_cross_entropy or hinge for two "
                         "classes")
    inputs = _inputs(X, model.nin)
    if isinstance(y, numbers.Number) or getattr(y, "ndim", None) == 0:
        raise ValueError(f"y must hold one target per row of X, got a single {validate.shown(y)}")
    targets = validate.items(y, "y", "one target per row of X")
    if len(targets) != len(inputs):
        raise ValueError(f"X has {len(inputs)} rows but y has {len(targets)} targets")
    return inputs, _encoded(TARGETS[row.target], y, targets, nout), row


def _encoded(kind: Target, y: Any, targets: list[Any], nout: int) -> np.ndarray:
    """The targets encoded, (n, width): at once where ``y`` is an array (or list) of finite real
    numbers that are all right, else one by one, which names the first one that is not."""
    try:
        array = np.asarray(y) if isinstance(y, (np.ndarray, list)) else None
    except ValueError:  # a ragged list: one by one, below, names the row
        array = None
    if array is not None and array.dtype.kind in "iuf" and np.isfinite(array).all():
        encoded = kind.encode_many(array, nout)
        if encoded is not None:
            return encoded.astype(float)
    return np.array([kind.encode(t, f"y[{i}]", nout) for i, t in enumerate(targets)], dtype=float)


def _inputs(X: Any, nin: int) -> np.ndarray:
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"X must be real numbers, got {X!r:.80}") from None
    except MemoryError:
        message = "X is too big to hold in memory as float64; train on a part of it"
        raise MemoryError(message) from None
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D (n, features), got shape {array.shape}")
    if not len(array):
        raise ValueError("X is empty")
    if not np.isfinite(array).all():
        raise ValueError("X contains NaN or inf")
    if array.shape[1] != nin:
        raise ValueError(f"the model expects {nin} input(s) but X has {array.shape[1]} column(s)")
    return array


def _check_size(nodes: int, samples: int, node_bytes: int, what: str) -> None:
    """Refuse a batch whose graphs would take more than ``MAX_TABLE_BYTES``, before making them."""
    needed = nodes * samples * node_bytes
    if needed > MAX_TABLE_BYTES:
        fits = max(1, MAX_TABLE_BYTES // (nodes * node_bytes))
        raise ValueError(f"X: {samples:,} samples per step need about {needed / 2**30:.1f} GiB "
                         f"for {what} ({nodes:,} nodes per sample), over MAX_TABLE_BYTES "
                         f"({MAX_TABLE_BYTES / 2**30:g} GiB); pass batch_size={fits:,} or less")


# -- what one sample's graph is, for either engine ------------------------------------------------


def _sample(model: MLP | Layer, row: Loss, x: Any, t: Any) -> tuple[Value, list[Value]]:
    """J of one sample, and the Values J reads (for the score)."""
    vs, ys = model.forward(x)
    return row.objective(vs, ys, t), vs if row.reads == "logits" else ys


def _accuracy(row: Loss, read: np.ndarray, targets: np.ndarray) -> float | None:
    """The fraction of samples ``row.score`` counts right, or None for regression."""
    return None if row.score is None else float(np.mean(row.score(read, targets)))


class _Replay:
    """J (+ the L2 term on every parameter) compiled once for the replay, training ``trained``,
    with the values J reads watched, for the score."""

    def __init__(self, model: MLP | Layer, row: Loss, width: int, trained: list[Value],
                 l2: float) -> None:
        # Inputs and targets as leaves that require grad, as compile_graph asks (they are not
        # trained: only ``trained`` are the graph's parameters).
        xs = [Value(0.0, f"x{j}") for j in range(model.nin)]
        ts = [Value(0.0, f"t{k}") for k in range(width)]
        J, read = _sample(model, row, xs, ts)
        objective = J + functional.l2(model.parameters(), l2) if l2 else J
        self.nodes = len(topological_order(objective))
        self.scored = row.score is not None
        self.loss = compile_graph(objective, xs + ts, trained, reduction="mean",
                                  watch=read if self.scored else ())


def replays(optimizer: Any) -> bool:
    """Whether the replay can train with ``optimizer``: an ``nn`` optimiser whose update rule is
    one of ``autograd.updates.RULES`` (``nn.SGD``, ``nn.Adam``); it takes over the optimiser's
    settings and state, and hands the state back when it ends.

    Args:
        optimizer: an nn optimiser.

    Returns:
        True or False.
    """
    return getattr(optimizer, "rule", None) in RULES


# -- fit ------------------------------------------------------------------------------------------


def _check_optimizer(optimizer: Any, params: list[Value]) -> None:
    if not all(callable(getattr(optimizer, m, None)) for m in ("step", "zero_grad")):
        raise TypeError("optimizer must be an nn optimiser such as nn.Adam(model.parameters()), "
                        f"got {validate.shown(optimizer)}")
    own = set(params)
    foreign = [p for p in getattr(optimizer, "params", ()) if p not in own]
    if foreign:  # it would step Values the loss never reaches: nothing would train
        raise ValueError(f"optimizer holds {len(foreign)} parameter(s) that are not the model's "
                         f"(e.g. {foreign[0]!r}); build it from model.parameters()")


def fit(model: MLP, X: Any, y: Any, *, loss: str = "mse", optimizer: Optimizer | None = None,
        steps: int = 100, l2: float = 0.0, batch_size: int | None = None, seed: Seed = 0,
        log_every: int | None = None, log: Callable[[str], Any] | None = print,
        engine: str = "auto") -> History:
    """Train ``model`` on ``(X, y)`` by gradient descent.

    Args:
        model: the network, e.g. ``MLP(2, [16, 16, 1])``.
        X: inputs, shape (n, model.nin).
        y: targets: labels (``hinge``: 0/1 or -1/+1; ``binary_cross_entropy``: 0/1;
            ``cross_entropy``: class indices) or numbers (regression).
        loss: a name from ``nn.losses.LOSS_TABLE``.
        optimizer: an optimiser over ``model.parameters()`` (or some of them); Adam(lr=0.01) by
            default.
        steps: number of updates.
        l2: the strength of an L2 penalty on every parameter (0 for none).
        batch_size: samples per step, drawn without replacement; None for all of them.
        seed: picks the batches.
        log_every: print a progress line every this many steps (about 10 lines by default).
        log: where progress lines go (``print``; None for silence).
        engine: ``"auto"``, ``"replay"`` (the batched replay; a ValueError where it cannot run)
            or ``"scalar"`` (a graph of Values per sample: the teaching path). The replay
            applies the optimiser's own update rule, settings and state on arrays, and writes
            the state back when it ends, so either engine can go on where the other stopped.

    Returns:
        The loss and accuracy of every step.

    Raises:
        FloatingPointError: the loss or a gradient became NaN or inf; the message names the step.
        ValueError: a batch too big for memory (see ``MAX_TABLE_BYTES``), naming batch_size.
    """
    X, T, row = _check(model, X, y, loss)
    steps = validate.whole(steps, "steps")
    if batch_size is not None:
        batch_size = validate.whole(batch_size, "batch_size", high=len(X))
    if log_every is not None:
        log_every = validate.whole(log_every, "log_every")
    l2 = validate.positive(l2, "l2", zero=True)
    engine = validate.one_of(engine, "engine", ENGINES)
    if log is not None and not callable(log):
        raise TypeError(f"log must be a function such as print, or None, got {validate.shown(log)}")
    params = model.parameters()
    if optimizer is not None:
        _check_optimizer(optimizer, params)
    optimizer = optimizer or Adam(params, lr=0.01)
    trained = list(getattr(optimizer, "params", params))
    if engine == "replay" and not replays(optimizer):
        raise ValueError("engine='replay' trains with an nn.SGD or nn.Adam; optimizer is "
                         f"{validate.shown(optimizer)} (use engine='scalar' or 'auto')")
    batches = _batches(len(X), batch_size, seed)
    report = _reporter(steps, log_every or max(1, steps // 10), log)
    if engine != "scalar" and replays(optimizer):
        replay = _compiled(model, row, T.shape[1], trained, l2, engine)
        if replay is not None:
            _check_size(replay.nodes, batch_size or len(X), _REPLAY_NODE_BYTES,
                        "the replay's tables")
            return _fit_replay(replay, optimizer, row, X, T, steps, batches, report)
    return _fit_scalar(model, row, X, T, params, optimizer, l2, steps, batches, report)


def _batches(n: int, batch_size: int | None, seed: Seed) -> Callable[[], Any]:
    """The rows of each step in turn: all of them, or ``batch_size`` drawn without replacement."""
    rng = make_rng(seed)
    if batch_size is None:
        return lambda: slice(None)
    return lambda: rng.choice(n, batch_size, replace=False)


def _reporter(steps: int, every: int,
              log: Callable[[str], Any] | None) -> Callable[[int, float, float | None], None]:
    """Record-keeping for one step: the progress line, in columns that line up."""
    width = len(str(steps))

    def report(step: int, loss: float, accuracy: float | None) -> None:
        if not math.isfinite(loss):
            raise FloatingPointError(f"fit: the loss became {loss} at step {step}; "
                                     "lower the learning rate")
        if log and (step % every == 0 or step in (1, steps)):
            shown = "" if accuracy is None else f"  accuracy {accuracy:6.1%}"
            # one width for every number, so that the columns line up
            log(f"step {step:>{width}}/{steps}  loss {loss:.4e}{shown}")

    return report


def _compiled(model: MLP | Layer, row: Loss, width: int, params: list[Value], l2: float,
              engine: str) -> _Replay | None:
    """J compiled for the replay; None, in ``auto``, where it cannot be."""
    try:
        return _Replay(model, row, width, params, l2)
    except (TypeError, ValueError, ArithmeticError) as error:
        if engine == "replay":
            raise ValueError(f"engine='replay': this model's loss graph cannot be replayed "
                             f"({error})") from None
        return None


def _fit_replay(replay: _Replay, optimizer: Any, row: Loss, X: np.ndarray, T: np.ndarray,
                steps: int, batches: Callable[[], Any], report: Callable) -> History:
    history, data = History(), np.column_stack([X, T])
    with replay.loss.training(optimizer=optimizer) as session:
        for step in range(1, steps + 1):
            rows = batches()
            try:
                with np.errstate(over="ignore", invalid="ignore"):  # report() names the step
                    loss = float(session.step(data[rows]).mean())
            except FloatingPointError as error:
                raise FloatingPointError(f"fit: at step {step}, {error}; "
                                         "lower the learning rate") from None
            # The values J read in this step's forward pass, before its update, as the scalar
            # engine scores them.
            scored = replay.loss.watched() if replay.scored else None
            accuracy = None if scored is None else _accuracy(row, scored, T[rows])
            report(step, loss, accuracy)
            history.loss.append(loss)
            history.accuracy.append(accuracy)
    return history


def _fit_scalar(model: MLP | Layer, row: Loss, X: np.ndarray, T: np.ndarray, params: list[Value],
                optimizer: Any, l2: float, steps: int, batches: Callable[[], Any],
                report: Callable) -> History:
    history = History()
    for step in range(1, steps + 1):
        rows = batches()
        Xb, Tb = X[rows], T[rows]
        if step == 1:
            first = _sample(model, row, Xb[0].tolist(), Tb[0].tolist())[0]
            _check_size(len(topological_order(first)), len(Xb), _SCALAR_NODE_BYTES,
                        "the scalar engine's graphs")
        terms, read = [], []
        for x, t in zip(Xb.tolist(), Tb.tolist()):
            J, zs = _sample(model, row, x, t)
            terms.append(J)
            read.append([z.data for z in zs])
        total = functional.mean(terms)
        if l2:
            total = total + functional.l2(params, l2)
        accuracy = _accuracy(row, np.array(read), Tb)
        report(step, total.data, accuracy)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.loss.append(total.data)
        history.accuracy.append(accuracy)
    return history


# -- evaluate -------------------------------------------------------------------------------------


def evaluate(model: MLP, X: Any, y: Any, loss: str = "mse", *,
             engine: str = "auto") -> tuple[float, float | None]:
    """The mean loss and the accuracy (None for regression) of ``model`` on ``(X, y)``; no gradient.

    Args:
        model: the network.
        X: inputs, shape (n, model.nin).
        y: targets, as for ``fit``.
        loss: a name from ``nn.losses.LOSS_TABLE``.
        engine: ``"auto"`` or ``"replay"`` (the batched replay, in chunks that fit in memory) or
            ``"scalar"`` (a graph of Values per sample).

    Returns:
        (loss, accuracy).
    """
    X, T, row = _check(model, X, y, loss)
    engine = validate.one_of(engine, "engine", ENGINES)
    replay = None
    if engine != "scalar":
        replay = _compiled(model, row, T.shape[1], model.parameters(), 0.0, engine)
    if replay is None:
        with no_grad():
            samples = [_sample(model, row, x, t) for x, t in zip(X.tolist(), T.tolist())]
        read = np.array([[z.data for z in zs] for _, zs in samples])
        return functional.mean([J for J, _ in samples]).data, _accuracy(row, read, T)
    chunk = max(1, MAX_TABLE_BYTES // (replay.nodes * _REPLAY_NODE_BYTES))
    data, losses, read = np.column_stack([X, T]), [], []
    for start in range(0, len(X), chunk):
        losses.append(replay.loss.forward(data[start:start + chunk]))
        if replay.scored:
            read.append(replay.loss.watched())
    accuracy = _accuracy(row, np.concatenate(read), T) if read else None
    return float(np.concatenate(losses).mean()), accuracy


def __getattr__(name: str) -> Any:
    if name == "TASKS":  # what a loss name meant to fit, before LOSS_TABLE
        warnings.warn("nn.train.TASKS is deprecated; use nn.losses.LOSS_TABLE", DeprecationWarning,
                      stacklevel=2)
        return LOSS_TABLE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
