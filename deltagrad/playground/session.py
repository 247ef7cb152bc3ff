"""One training run of the playground: the data, the network, its replayed graphs, the history.

Training and the pictures use the batched replay (``autograd.compile_graph``): one sample's graph
of the loss is recorded once and replayed over each batch with NumPy, and the network's output
graphs are replayed over the data (for the accuracy) and over a grid (for the decision regions).
What the page shows for one selected sample comes from the scalar engine itself: the sample's
graph is built from the model's ``Value`` s and differentiated with ``autograd.grad``.

A ``Session`` is not thread-safe: the server calls it under one lock.
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple
from typing import Any

import numpy as np

import autograd
import nn
import viz
from autograd import Value, compile_graph
from nn import deltas, functional
from nn.losses import LOSS_TABLE, TARGETS
from viz.steps import record_steps

from .config import HEADS, Config, split

__all__ = ["Session", "GRID"]

GRID = 48  # cells per side of the decision-region picture
SATURATED = 0.01  # |φ′(v)| below this: a saturated unit (its δ barely flows back)
MAP_STRIDE = 3  # a unit's map takes every third cell of that grid each way (16 x 16)
CURVE_POINTS = 160  # points of the fitted curve (regression)
HISTORY_POINTS = 400  # at most this many points of the loss curve go to the page


def finite_list(values: Any, digits: int | None = None) -> list[Any]:
    """A nested list of floats for JSON, NaN and ±inf as None (JSON has no NaN), optionally rounded."""
    array = np.asarray(values, dtype=float)
    if digits is not None:
        array = np.round(array, digits)
    finite = np.isfinite(array)
    return array.tolist() if finite.all() else np.where(finite, array, None).tolist()


class Session:
    """A run: data drawn from ``config``, a new ``nn.MLP``, an optimiser, and what training measured.

    Attributes:
        config: the settings.
        run: an id the server gives; the page starts its pictures afresh when it changes.
        step: updates done so far.
        status: ``running``, ``paused``, ``diverged`` (the loss or a gradient became NaN/inf)
            or ``finished`` (``config.max_steps`` reached).
        message: a sentence about the status for the page.
        losses, accuracies: per step, the objective on the training data (mean J plus the L2
            term) and the accuracy (None for regression), both measured before that step's update
            (so ``losses[0]`` is the initial loss).
        test_losses, test_accuracies: the same on the held-out data (``config.test_fraction``;
            empty when there is none).
        train_rows, test_rows: which points train and which are held out.
        update: the change of every weight and bias made by the last step, when that step was
            taken while paused (the "step" button); None otherwise (recording it at full speed
            would cost every step a copy of the weights).
    """

    def __init__(self, config: Config, run: int = 0, playing: bool = True) -> None:
        self.config, self.run = config, run
        self.head = HEADS[config.head]
        self.rule = LOSS_TABLE[self.head.loss]  # J of one sample, its target, score and formula
        X, y = config.points()
        self.classes = int(y.max()) + 1 if config.task != "regression" else 0
        self._use_data(X, y)
        nin, nout = self.X.shape[1], self.targets.shape[1]
        self.model = nn.MLP(nin, list(config.hidden) + [nout], activation=list(config.activations),
                            output_activation=self.head.output, init="auto", seed=config.seed)
        self.params = self.model.parameters()
        # One sample's graph: inputs and targets are leaves whose values the replay sets per sample
        # (requiring grad, as compile_graph asks, though only the parameters get gradients).
        xs = [Value(0.0, f"x{j}") for j in range(nin)]
        ts = [Value(0.0, f"t{k}") for k in range(nout)]
        signal, self._hidden, nets = xs, [], []  # the hidden units' y and v, layer by layer
        for layer in self.model.layers:
            vs, signal = layer.forward(signal)
            self._hidden.append(signal)
            nets.append(vs)
        ys, self._hidden = signal, self._hidden[:-1]
        self._alpha = Value(config.l2, "alpha", requires_grad=False)  # read at every replay: live L2
        J = self.rule.objective(vs, ys, ts)
        objective = J + functional.l2(self.params, self._alpha)  # L2's gradient: from the graph
        # Each graph compiled once: a replay serves batches of any size (the minibatch, all the
        # data, the grid of the regions, one sample).
        self._train = compile_graph(objective, xs + ts, self.params, reduction="mean")
        self._single = compile_graph(J, xs + ts, self.params, reduction="sum")  # one sample, no L2
        # The first output's graph keeps every hidden y of its forward pass: the unit maps.
        # (and their v, for the units' health: the first len(hidden) watched are the y's).
        hidden = ([y for layer in self._hidden for y in layer]
                  + [v for layer in nets[:-1] for v in layer])
        self._logits = [compile_graph(v, xs, watch=hidden if k == 0 else ())
                        for k, v in enumerate(vs)]
        self._health: tuple[int, dict[str, Any]] | None = None
        self._seen_weights: tuple[int, list[np.ndarray]] | None = None
        self._rng = np.random.default_rng(config.seed)
        self.optimizer = self._optimizer()
        self.step = 0
        self.losses: list[float] = []
        self.accuracies: list[float | None] = []
        self.test_losses: list[float] = []
        self.test_accuracies: list[float | None] = []
        self.status, self.message = ("running" if playing else "paused"), ""
        self._view_cache: tuple[int, dict[str, Any]] | None = None
        self._measured: tuple[int, tuple[float, ...]] | None = None  # (step, measure())
        self.update: dict[str, list[Any]] | None = None
        self.divergence: dict[str, Any] | None = None

    # -- setting up --------------------------------------------------------------------------

    def _use_data(self, X: np.ndarray, y: np.ndarray) -> None:
        """Take ``(X, y)`` as the data, held-out rows by ``config.test_fraction``."""
        self.X, self.y = X, y
        self._data = {"x": finite_list(X, 4), "y": y.tolist()}  # the page's copy, made once
        self.targets = self._targets()
        self._batch = np.column_stack([X, self.targets])
        self.train_rows, self.test_rows = split(len(X), self.config.test_fraction, self.config.seed)
        self._data["test"] = self.test_rows.tolist()
        self._train_batch = self._batch[self.train_rows]
        self._measured = None
        self._view_cache = None

    def replace_data(self, X: np.ndarray, y: np.ndarray) -> bool:
        """Use new points with the same weights (a point added, moved or deleted), when the network
        fits them: as many inputs and no more classes than outputs. Returns whether it did."""
        if X.shape[1] != self.X.shape[1]:
            return False
        classes = int(y.max()) + 1 if self.config.task != "regression" else 0
        if (self.config.task == "regression") != (y.dtype.kind == "f") or classes > self.classes:
            return False
        if self.head.loss != "cross_entropy" and classes > 2:
            return False
        self._use_data(X, y)
        return True

    def _targets(self) -> np.ndarray:
        """One column per target leaf of J, as the loss's row encodes a target: a label, ±1
        (hinge), a one-hot row (cross-entropy) or a number."""
        kind = TARGETS[self.rule.target]
        width = self.classes if kind.outputs == "classes" else 1
        return np.array([kind.encode(t, f"y[{i}]", width) for i, t in enumerate(self.y.tolist())])

    def _optimizer(self) -> nn.Optimizer:
        c = self.config
        if c.optimizer == "sgd":
            return nn.SGD(self.params, lr=c.lr, momentum=c.momentum)
        return nn.Adam(self.params, lr=c.lr)

    def retune(self, config: Config) -> None:
        """Take the settings that apply to the run in progress (lr, momentum, optimiser, L2, batch
        size, speed, max_steps) without touching the weights."""
        old, self.config = self.config, config
        self._alpha.data = config.l2
        if config.optimizer != old.optimizer or (config.optimizer == "sgd" and config.momentum != old.momentum):
            self.optimizer = self._optimizer()
        self.optimizer.lr = config.lr
        if self.status == "finished" and self.step < config.max_steps:
            self.status, self.message = "paused", ""
        self._view_cache = None
        self._measured = None  # the objective's L2 term may have changed

    # -- training ----------------------------------------------------------------------------

    def play(self) -> None:
        """Start (or go on) training, unless the run diverged or finished."""
        if self.status == "paused":
            self.status, self.message = "running", ""

    def pause(self) -> None:
        """Stop training until ``play``."""
        if self.status == "running":
            self.status = "paused"

    def _rows(self) -> np.ndarray | slice:
        n, size = len(self.train_rows), self.config.batch_size
        return slice(None) if size >= n else self._rng.choice(n, size, replace=False)

    def train(self, steps: int) -> int:
        """Up to ``steps`` updates (fewer when the run diverges or reaches max_steps).

        Returns:
            How many updates were done.
        """
        done = 0
        while done < steps and self.status in ("running", "paused"):
            if self.step >= self.config.max_steps:
                self.status = "finished"
                self.message = f"finished: {self.step} steps, the limit (raise max_steps to go on)"
                break
            rows = self._rows()
            before = self._weights() if self.status == "paused" else None
            self.optimizer.zero_grad()
            try:
                losses = self._train.backward(self._train_batch[rows])
                full = losses if isinstance(rows, slice) else self._train.forward(self._train_batch)
                loss = float(full.mean())
                if not math.isfinite(loss):
                    raise FloatingPointError(f"the loss became {loss}")
                accuracy = self._accuracy(self.train_rows)
                test = self._score(self.test_rows) if len(self.test_rows) else None
                self.optimizer.step()
            except (ArithmeticError, ValueError) as error:  # FloatingPointError is an ArithmeticError
                self.status = "diverged"
                self.message = (f"diverged at step {self.step + 1}: {error}. Training stopped; "
                                f"lower the learning rate (now {self.config.lr:g}) and reset")
                self.divergence = self._why_diverged()
                break
            self.losses.append(loss)
            self.accuracies.append(accuracy)
            if test is not None:
                self.test_losses.append(test[0])
                self.test_accuracies.append(test[1])
            self.step += 1
            done += 1
            self.update = None if before is None else self._change(before)
        return done

    def _why_diverged(self) -> dict[str, Any]:
        """Where a diverged step first went non-finite, by the scalar engine under
        ``autograd.detect_anomaly``: the first training sample whose forward (or else backward)
        pass has a NaN or inf, the first node of its graph whose value is not finite, and the
        step of its step-through page that shows that node (``/steps?index=i#step=N``)."""
        model = self.model_copy()  # backward here must not touch the run's gradients
        card: dict[str, Any] = {"step": self.step + 1, "sample": None, "node": None,
                                "page_step": None,
                                "anomaly": "every sample's forward and backward pass stayed finite"}
        for index in self.train_rows.tolist():
            try:
                with autograd.detect_anomaly():
                    J = self.sample_graph(index, model=model)[0]
                    J.backward()
            except FloatingPointError as error:
                card.update(sample=index, anomaly=str(error))
                break
        if card["sample"] is None:
            return card
        tr = viz.trace(self.sample_graph(card["sample"], model=model)[0])
        bad = [k for k, node in enumerate(tr.nodes) if not math.isfinite(node.data)]
        if bad:
            node = tr.nodes[bad[0]]
            order = [step.node for step in record_steps(tr)]
            card["node"] = {"name": tr.name(bad[0]), "op": node.op, "value": str(node.data)}
            card["page_step"] = order.index(bad[0]) + 1 if bad[0] in order else None
        return card

    def _weights(self) -> tuple[list[list[list[float]]], list[list[float]]]:
        net = self.network()
        return net["weights"], net["biases"]

    def _change(self, before: tuple[list[list[list[float]]], list[list[float]]]
                ) -> dict[str, list[Any]]:
        """Each weight's and bias's change since ``before`` (what one step's update did)."""
        (w0, b0), (w1, b1) = before, self._weights()
        weights = [[[b - a for a, b in zip(r0, r1)] for r0, r1 in zip(l0, l1)]
                   for l0, l1 in zip(w0, w1)]
        biases = [[b - a for a, b in zip(l0, l1)] for l0, l1 in zip(b0, b1)]
        return {"step": self.step, "weights": weights, "biases": biases}

    def _score(self, rows: np.ndarray) -> tuple[float, float | None]:
        """The objective (mean J plus the L2 term) and the accuracy of the weights on ``rows``."""
        try:
            return float(self._train.forward(self._batch[rows]).mean()), self._accuracy(rows)
        except (ArithmeticError, ValueError):  # weights gone to inf
            return math.nan, None

    def measure(self) -> tuple[float, float | None, float | None, float | None]:
        """The objective (mean J plus the L2 term) and the accuracy (None for regression) of the
        current weights on the training data, then on the held-out data (None, None without
        any): at step 0, the initial ones."""
        if self._measured is None or self._measured[0] != self.step:
            test = self._score(self.test_rows) if len(self.test_rows) else (None, None)
            self._measured = (self.step, self._score(self.train_rows) + test)
        return self._measured[1]  # type: ignore[return-value]

    # -- what the page shows -----------------------------------------------------------------

    @staticmethod
    def _logits_of(graphs: list[autograd.CompiledGraph], X: np.ndarray) -> np.ndarray:
        return np.stack([g.forward(X) for g in graphs], axis=1)

    def _accuracy(self, rows: np.ndarray) -> float | None:
        # The row scores what J reads; the heads that read outputs have a linear output: y = v.
        if self.rule.score is None:
            return None
        logits = self._logits_of(self._logits, self.X[rows])
        return float(np.mean(self.rule.score(logits, self.targets[rows])))

    def _probabilities(self, logits: np.ndarray) -> np.ndarray:
        """(points, classes): what the regions are coloured by."""
        if self.head.loss == "cross_entropy":
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        z = logits[:, 0]
        if self.head.loss == "hinge":  # the score's margin band, −1 .. 1, shown as 0 .. 1
            p = np.clip(0.5 + 0.5 * z, 0.0, 1.0)
        else:
            p = 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), without overflow
        return np.stack([1.0 - p, p], axis=1)

    def _frame(self) -> dict[str, float]:
        """The region drawn: the data's bounding box with a margin, square for two inputs."""
        low, high = self.X.min(axis=0), self.X.max(axis=0)
        centre, half = (low + high) / 2, (high - low) / 2 * 1.15 + 0.1
        if self.X.shape[1] == 2:
            half[:] = half.max()
        frame = {"x0": [centre[0] - half[0], centre[0] + half[0]]}
        if self.X.shape[1] == 2:
            frame["x1"] = [centre[1] - half[1], centre[1] + half[1]]
        return frame

    @staticmethod
    def _grid_points(frame: dict[str, list[float]]) -> np.ndarray:
        """The centres of the ``GRID`` × ``GRID`` cells over ``frame``'s plane, (GRID², 2): cell
        ``r·GRID + c`` is at (the c-th x0, the r-th x1), so row r is x1's r-th value (the page
        flips the rows so that x1 goes up)."""
        (a0, b0), (a1, b1) = frame["x0"], frame["x1"]
        c0 = a0 + (np.arange(GRID) + 0.5) * (b0 - a0) / GRID
        c1 = a1 + (np.arange(GRID) + 0.5) * (b1 - a1) / GRID
        g0, g1 = np.meshgrid(c0, c1)
        return np.column_stack([g0.ravel(), g1.ravel()])

    def _scale(self) -> dict[str, float]:
        """A regression's colour scale: centred on the targets' mean, reaching the target
        farthest from it (1 when all are equal), so that every point's colour is on it."""
        centre = float(self.y.mean())
        half = float(np.abs(self.y - centre).max())
        return {"centre": centre, "half": half if half > 0 else 1.0}

    def _view(self) -> dict[str, Any]:
        """What the plane shows: over a grid, the decision regions (classification) or the
        network's output (regression on two inputs, with its colour scale); or, for one input,
        the fitted curve."""
        frame = self._frame()
        try:
            if "x1" not in frame:
                xs = np.linspace(*frame["x0"], CURVE_POINTS)
                out = self._logits_of(self._logits, xs[:, None])[:, 0]
                return {"frame": frame, "curve": {"x": finite_list(xs, 4), "y": finite_list(out, 4)}}
            outputs = self._logits_of(self._logits, self._grid_points(frame))
            if self.config.task == "regression":  # a linear output: y = v
                grid = {"size": GRID, "values": finite_list(outputs[:, 0], 4),
                        "scale": self._scale()}
            else:
                grid = {"size": GRID, "probs": finite_list(self._probabilities(outputs).T, 3)}
            return {"frame": frame, "grid": grid, "units": self._unit_maps()}
        except (ArithmeticError, ValueError):  # weights gone to inf: no picture, the message says why
            return {"frame": frame}

    def _unit_maps(self) -> dict[str, Any]:
        """Each hidden unit's output y over the plane, read from the grid's forward pass just
        made (every ``MAP_STRIDE``-th cell each way): ``values[layer][unit]``, rows as the
        regions' grid."""
        cells = np.arange(MAP_STRIDE // 2, GRID, MAP_STRIDE)
        picked = (cells[:, None] * GRID + cells[None, :]).ravel()
        values = self._logits[0].watched()[picked]  # (cells, hidden units)
        layers, start = [], 0
        for layer in self._hidden:
            layers.append([finite_list(values[:, start + j], 3) for j in range(len(layer))])
            start += len(layer)
        return {"size": len(cells), "values": layers}

    def health(self) -> dict[str, Any]:
        """Each hidden unit's share of training samples where it is dead (ReLU: y = 0) or
        saturated (|φ′(v)| < ``SATURATED``, not dead), and each layer's update-to-weight ratio
        ‖Δw‖ / ‖w‖ per step since the last time this was asked (None before that)."""
        if self._health is not None and self._health[0] == self.step:
            return self._health[1]
        units: list[list[dict[str, float]]] = []
        try:
            self._logits[0].forward(self.X[self.train_rows])
            watched = self._logits[0].watched()
            count = sum(len(layer) for layer in self._hidden)
            ys, vs, start = watched[:, :count], watched[:, count:], 0
            for layer, activation in zip(self._hidden, self.config.activations):
                y, v = ys[:, start:start + len(layer)], vs[:, start:start + len(layer)]
                dead = (y == 0) if activation == "relu" else np.zeros_like(y, dtype=bool)
                saturated = (np.abs(deltas.phi_prime(activation, v, y)) < SATURATED) & ~dead
                units.append([{"dead": float(d), "saturated": float(t)}
                              for d, t in zip(dead.mean(axis=0), saturated.mean(axis=0))])
                start += len(layer)
        except (ArithmeticError, ValueError):
            units = []
        weights = [np.array([[w.data for w in n.w] for n in layer.neurons])
                   for layer in self.model.layers]
        ratios: list[float | None] = [None] * len(weights)
        if self._seen_weights is not None and self._seen_weights[0] < self.step:
            steps = self.step - self._seen_weights[0]
            ratios = [float(np.linalg.norm(w - old) / max(np.linalg.norm(w), 1e-12) / steps)
                      for w, old in zip(weights, self._seen_weights[1])]
            ratios = [r if math.isfinite(r) else None for r in ratios]
        self._seen_weights = (self.step, weights)
        result = {"units": units, "update_ratio": ratios}
        self._health = (self.step, result)
        return result

    def _curve(self) -> dict[str, list[Any]]:
        """The loss and accuracy of the weights after s updates, s from 0 to the current step
        (thinned to about ``HISTORY_POINTS``)."""
        loss, accuracy, test_loss, test_accuracy = self.measure()
        losses, accuracies = self.losses + [loss], self.accuracies + [accuracy]
        stride = max(1, math.ceil(len(losses) / HISTORY_POINTS))
        steps = list(range(0, len(losses), stride))
        if steps[-1] != len(losses) - 1:
            steps.append(len(losses) - 1)
        curve = {"step": steps, "loss": finite_list([losses[s] for s in steps]),
                 "accuracy": [accuracies[s] for s in steps]}
        if len(self.test_rows):
            tests = self.test_losses + [test_loss]
            test_accuracies = self.test_accuracies + [test_accuracy]
            curve["test_loss"] = finite_list([tests[s] for s in steps])
            curve["test_accuracy"] = [test_accuracies[s] for s in steps]
        return curve

    def network(self) -> dict[str, Any]:
        """The layer sizes, activations, weights W[layer][unit][input] and biases."""
        layers = self.model.layers
        return {
            "sizes": [self.X.shape[1]] + [len(layer.neurons) for layer in layers],
            "activations": [layer.activation for layer in layers],
            "weights": [[[w.data for w in n.w] for n in layer.neurons] for layer in layers],
            "biases": [[n.b.data for n in layer.neurons] for layer in layers],
        }

    def state(self) -> dict[str, Any]:
        """Everything the page draws, as JSON-ready data."""
        if self._view_cache is None or self._view_cache[0] != self.step:
            self._view_cache = (self.step, self._view())
        loss, accuracy, test_loss, test_accuracy = self.measure()
        network = self.network()
        fresh = self.update is not None and self.update["step"] == self.step
        network["update"] = self.update if fresh else None
        return {
            "run": self.run,
            "step": self.step,
            "status": self.status,
            "message": self.message,
            "loss": loss if math.isfinite(loss) else None,  # a diverged run's message says so
            "accuracy": accuracy,
            "test_loss": test_loss if test_loss is None or math.isfinite(test_loss) else None,
            "test_accuracy": test_accuracy,
            "curve": self._curve(),
            "config": self.config.as_dict(),
            "task": self.config.task,
            "classes": self.classes,
            "data": self._data,
            "view": self._view_cache[1],
            "network": network,
            "divergence": self.divergence,
            "health": self.health(),
        }

    # -- one sample, by the scalar engine ----------------------------------------------------

    def model_copy(self) -> nn.MLP:
        """A new network with the current weights (to draw from while training goes on)."""
        copy = nn.MLP(**self.model.config())
        copy.load_state_dict(self.model.state_dict())
        return copy

    def sample_graph(self, index: int, model: nn.MLP | None = None) -> tuple[Value, list[list[Value]], list[list[Value]], list[Value]]:
        """Sample ``index``'s loss J as a scalar graph (no L2 term), with the logits v and the
        outputs y of every layer, and the target leaves.

        Args:
            index: a row of the data.
            model: the network to use (``model_copy()``); the session's own by default.
        """
        xs = [Value(float(a), f"x{j}", requires_grad=False) for j, a in enumerate(self.X[index])]
        ts = [Value(float(a), f"t{k}", requires_grad=False) for k, a in enumerate(self.targets[index])]
        signal: list[Any] = xs
        all_vs, all_ys = [], []
        for k, layer in enumerate((model or self.model).layers):
            vs, signal = layer.forward(signal)
            for j, (v, y) in enumerate(zip(vs, signal)):  # names for the step-through page
                y.label, v.label = f"L{k}.N{j}.y", f"L{k}.N{j}.v"
            all_vs.append(vs)
            all_ys.append(signal)
        J = self.rule.objective(all_vs[-1], all_ys[-1], ts)
        J.label = "J"
        return J, all_vs, all_ys, ts

    def sample(self, index: int) -> dict[str, Any]:
        """Every unit's v, y, φ'(v), δ = −∂J/∂v and every weight's ∂J/∂w for sample ``index``,
        from the scalar engine (``nn.deltas.sample``); and the same sample's J and outputs by the
        replay, to compare.

        Args:
            index: a row of the data (checked by the caller).

        Returns:
            JSON-ready data.
        """
        point = deltas.sample(self.model, self.X[index], self.targets[index], loss=self.rule.objective)
        units = [unit for layer in point.layers for unit in layer]
        grads = [g for u in units for g in (*u.grad_w, u.grad_b)]  # model.parameters()' order
        layers = [{"activation": layer[0].activation,
                   "units": [{"v": u.v, "y": u.y, "dphi": u.dphi, "delta": u.delta,
                              "grad_w": list(u.grad_w), "grad_b": u.grad_b} for u in layer]}
                  for layer in point.layers]
        replay_j, replay_grads = self.replay(index)
        replay_v = self._logits_of(self._logits, self.X[index:index + 1])[0]
        difference = max([abs(replay_j - point.J)]
                         + [abs(a - u.v) for a, u in zip(replay_v, point.layers[-1])]
                         + [abs(a - g) for a, g in zip(replay_grads, grads)])
        return {
            "run": self.run,
            "step": self.step,
            "index": index,
            "x": self.X[index].tolist(),
            "target": self.y[index].item(),
            "t": list(point.t),
            "loss": point.J,
            "loss_name": self.head.loss,
            "slope": self.rule.slope,
            "minus_dj_dy": [0.0 - u.dj_dy for u in point.layers[-1]],
            "layers": layers,
            "weights": self.network()["weights"],
            "replay": {"loss": replay_j, "logits": replay_v.tolist(), "difference": difference},
        }

    def replay(self, index: int) -> tuple[float, list[float]]:
        """Sample ``index``'s J and ∂J/∂p for every parameter by the batched replay (the graph
        training replays), on a batch of that one sample and without the L2 term.

        Returns:
            (J, the gradients in the order of ``model.parameters()``).
        """
        saved = [p.grad for p in self.params]
        for p in self.params:
            p.grad = 0.0
        try:
            loss = float(self._single.backward(self._batch[index:index + 1])[0])
            grads = [p.grad for p in self.params]
        finally:
            for p, g in zip(self.params, saved):
                p.grad = g
        return loss, grads


# What the playground's own loss rows were, before nn.losses.LOSS_TABLE: (term(vs, ys, ts), slope).
_OldLoss = namedtuple("Loss", ["term", "slope"])


def __getattr__(name: str) -> Any:
    if name in ("LOSSES", "Loss"):  # the playground's own loss table, before nn.losses.LOSS_TABLE
        warnings.warn(f"deltagrad.playground.session.{name} is deprecated; use nn.losses.LOSS_TABLE "
                      "(its 'mse', J = ½e², is the row 'sse')", DeprecationWarning, stacklevel=2)
        if name == "Loss":
            return _OldLoss
        kept = ("binary_cross_entropy", "cross_entropy", "hinge", "mae", "huber")
        names = {"mse": "sse", **{key: key for key in kept}}
        return {old: _OldLoss(LOSS_TABLE[new].objective, LOSS_TABLE[new].slope)
                for old, new in names.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
