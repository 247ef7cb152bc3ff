"""B5: the vectorised replay (``autograd.compile_graph``) on a training step, against micrograd,
the hand-written delta rule of ``nn.deltas`` and the same delta rule batched in matrix form.

The step: MLP(2, [16, 16, 1]) (ReLU, linear output), 100 moons samples, J = mean of ½(t − y)²,
forward + backward + an SGD update written into the model's parameters.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import nn
from autograd import Value
from nn import deltas

from .models import LR, MICROGRAD_MISSING, load_micrograd, micrograd_twin, moons, replay_step, sgd_step
from .report import Section
from .timing import measure, ratio, seconds

TARGET_MICROGRAD = 500.0
TARGET_HAND = 3.0
CHECK_STEPS = 3
REPLAY, DELTAS, BATCHED, ARRAYS, MICROGRAD = (
    "compile_graph replay", "nn.deltas.hand_step (a NumPy loop over samples)",
    "delta rule batched in matrices, weights read from and written to the Values",
    "delta rule batched in matrices, arrays only (no Values)", "micrograd 0.1.0")


def _replay(model: nn.MLP, X: np.ndarray, T: np.ndarray) -> Callable[[], float]:
    """One sample's graph of J, compiled once; each step replays it over the batch."""
    x, t = [Value(0.0, "x0"), Value(0.0, "x1")], Value(0.0, "t")
    error = t - model(x)
    return replay_step(0.5 * error * error, x + [t], model.parameters(), np.column_stack([X, T]))


def batched_delta_rule(Ws: list, bs: list, X: np.ndarray, T: np.ndarray) -> float:
    """The lecture's delta rule for the whole batch at once, updating Ws and bs in place.

    δ = −∂J/∂v per unit and sample: e·1/N at the linear output, φ'(v)·(Wᵀδ) below; w += η·δ·yᵀ.
    """
    ys, vs = [X.T], []
    for k, (W, b) in enumerate(zip(Ws, bs)):
        vs.append(W @ ys[-1] + b[:, None])
        ys.append(np.maximum(vs[-1], 0.0) if k < len(Ws) - 1 else vs[-1])
    e = T - ys[-1][0]
    delta = e[None, :] / len(T)
    for k in range(len(Ws) - 1, -1, -1):
        below = (Ws[k].T @ delta) * (vs[k - 1] > 0) if k else None
        Ws[k] += LR * delta @ ys[k].T
        bs[k] += LR * delta.sum(axis=1)
        delta = below
    return 0.5 * float(np.mean(e * e))


def _arrays(model: nn.MLP) -> tuple[list, list]:
    return ([np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers],
            [np.array([n.b.data for n in layer.neurons]) for layer in model.layers])


def batched_step(model: nn.MLP, X: np.ndarray, T: np.ndarray) -> Callable[[], float]:
    """The batched delta rule on the model: weights read from its Values, updates written back."""
    params = model.parameters()

    def step() -> float:
        Ws, bs = _arrays(model)
        loss = batched_delta_rule(Ws, bs, X, T)
        updated = [x for W, b in zip(Ws, bs) for row, bias in zip(W, b) for x in (*row, bias)]
        for p, x in zip(params, updated):
            p.data = x
        return loss

    return step


def arrays_step(model: nn.MLP, X: np.ndarray, T: np.ndarray) -> Callable[[], float]:
    """The batched delta rule on arrays that never go back to Values: the arithmetic alone."""
    Ws, bs = _arrays(model)
    return lambda: batched_delta_rule(Ws, bs, X, T)


def micrograd_step(twin: Any, rows: list, targets: list) -> Callable[[], float]:
    """The same J and update with micrograd."""
    params = twin.parameters()

    def step() -> float:
        errors = [t - twin(row) for row, t in zip(rows, targets)]
        return sgd_step(sum(0.5 * e * e for e in errors) * (1.0 / len(errors)), params)

    return step


def _weights(step_model: Any) -> np.ndarray:
    return np.array([p.data for p in step_model.parameters()])


def run(quick: bool) -> Section:
    """Check that every way gives the same losses and weights, then time them."""
    rows, targets = moons(100)
    X, T = np.array(rows), np.array(targets)
    section = Section("B5 the replay: MLP(2, [16, 16, 1]), 100 samples, J = mean ½(t − y)², forward+backward+SGD",
                      ["implementation", "time/step", "replay is faster by"])
    models = {name: nn.MLP(2, [16, 16, 1], seed=0) for name in (REPLAY, DELTAS, BATCHED, ARRAYS)}
    steps = {
        REPLAY: _replay(models[REPLAY], X, T),
        DELTAS: lambda: deltas.hand_step(models[DELTAS], rows, targets, LR, reduction="mean").loss,
        BATCHED: batched_step(models[BATCHED], X, T),
        ARRAYS: arrays_step(models[ARRAYS], X, T),
    }
    mg_nn = load_micrograd()
    if mg_nn is not None:
        models[MICROGRAD] = micrograd_twin(nn.MLP(2, [16, 16, 1], seed=0), mg_nn)
        steps[MICROGRAD] = micrograd_step(models[MICROGRAD], rows, targets)

    losses = np.array([[steps[name]() for _ in range(CHECK_STEPS)] for name in steps])
    checked = [name for name in steps if name != ARRAYS]  # the arrays-only step leaves its model alone
    weights = np.array([_weights(models[name]) for name in checked])
    worst = max(float(np.abs(losses - losses[0]).max()), float(np.abs(weights - weights[0]).max()))

    runs = 3 if quick else 7
    timings = {name: measure(step, runs if name in (MICROGRAD, DELTAS) else 40 * runs) for name, step in steps.items()}
    replay = timings[REPLAY]
    for name, timing in timings.items():
        section.rows.append([name, seconds(timing.median), "-" if name == REPLAY else f"{ratio(timing, replay):.2f}×"])
    if MICROGRAD in timings:
        achieved = ratio(timings[MICROGRAD], replay)
        section.target(f"≥ {TARGET_MICROGRAD:g}× micrograd", f"{achieved:.0f}×", achieved >= TARGET_MICROGRAD)
    else:
        section.notes.append(MICROGRAD_MISSING)
        section.target(f"≥ {TARGET_MICROGRAD:g}× micrograd", "micrograd missing", None)
    for name in (DELTAS, BATCHED):
        slower = ratio(replay, timings[name])
        section.target(f"within {TARGET_HAND:g}× of the hand NumPy code ({name})",
                       f"the replay takes {slower:.2f}× its time", slower <= TARGET_HAND)
    section.target("same losses and weights to 1e-9", f"largest difference over {CHECK_STEPS} steps: {worst:.1e}",
                   worst <= 1e-9)
    return section
