"""B1: one training step of micrograd's moons demo: MLP(2, [16, 16, 1]), 100 samples, SVM
max-margin loss with L2 1e-4, forward + backward + SGD update."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import nn
from autograd import Value

from .models import (
    ALPHA, MICROGRAD_MISSING, ChainMLP, count_nodes, deltagrad_loss, load_micrograd, micrograd_loss, micrograd_twin,
    moons, replay_step, sgd_step,
)
from .report import Section
from .timing import measure, ratio, seconds

TARGET = 30.0
CHECK_STEPS = 3
MICROGRAD = "micrograd 0.1.0"
MLP = "deltagrad, nn.MLP (one dot node per neuron)"


@dataclass
class Contender:
    """A way to do the step: ``step()`` does it and returns the loss; ``graph()`` builds one
    step's graph (None for the replay, which builds none)."""

    name: str
    step: Callable[[], float]
    graph: Callable[[], Any] | None


def _graph_contender(name: str, loss: Callable, model: Any, rows: list, targets: list) -> Contender:
    params = model.parameters()
    build = lambda: loss(model, params, rows, targets)  # noqa: E731
    return Contender(name, lambda: sgd_step(build(), params), build)


def _replay_contender(model: nn.MLP, rows: list, targets: list) -> Contender:
    """The step as a vectorised replay: one sample's graph, compiled once, run over the batch."""
    x, t = [Value(0.0, "x0"), Value(0.0, "x1")], Value(1.0, "t")
    params = model.parameters()
    loss = (1 - t * model(x)).relu() + nn.l2_penalty(params, ALPHA)  # its mean over samples: data + L2
    step = replay_step(loss, x + [t], params, np.column_stack([rows, targets]))
    return Contender("deltagrad, compile_graph replay of nn.MLP (see B5)", step, None)


def run(quick: bool) -> Section:
    """Time each engine's step from the same weights; check that their losses agree."""
    rows, targets = moons(100)
    runs = 3 if quick else 7
    section = Section("B1 moons step: MLP(2, [16, 16, 1]), 100 samples, hinge + L2 1e-4, forward+backward+SGD",
                      ["engine and network code", "nodes/step", "time/step", "vs micrograd"])
    contenders = []
    mg_nn = load_micrograd()
    if mg_nn is not None:
        contenders.append(_graph_contender(MICROGRAD, micrograd_loss, micrograd_twin(nn.MLP(2, [16, 16, 1], seed=0), mg_nn),
                                           rows, targets))
    contenders += [
        _graph_contender(MLP, deltagrad_loss, nn.MLP(2, [16, 16, 1], seed=0), rows, targets),
        _graph_contender("deltagrad, micrograd's network code (binary + and *)", micrograd_loss,
                         ChainMLP(nn.MLP(2, [16, 16, 1], seed=0)), rows, targets),
        _replay_contender(nn.MLP(2, [16, 16, 1], seed=0), rows, targets),
    ]
    # The same initial weights everywhere, so the first steps must give the same losses.
    losses = np.array([[c.step() for _ in range(CHECK_STEPS)] for c in contenders])
    worst = float(np.abs(losses - losses[0]).max())

    timings = {c.name: measure(c.step, runs if c.name == MICROGRAD else 5 * runs) for c in contenders}
    base = timings.get(MICROGRAD)
    for c in contenders:
        nodes = str(count_nodes(c.graph())) if c.graph else "-"
        speed = f"{ratio(base, timings[c.name]):.1f}×" if base else "-"
        section.rows.append([c.name, nodes, seconds(timings[c.name].median), speed])
    if base is None:
        section.notes.append(MICROGRAD_MISSING)
        section.target(f"≥ {TARGET:g}× micrograd", "micrograd missing", None)
    else:
        achieved = ratio(base, timings[MLP])
        section.target(f"≥ {TARGET:g}× micrograd (nn.MLP)", f"{achieved:.1f}×", achieved >= TARGET)
    section.target("same loss to 1e-9", f"largest difference over {CHECK_STEPS} steps: {worst:.1e}", worst <= 1e-9)
    section.notes.append(f"medians of {runs} steps for micrograd, {5 * runs} for deltagrad, one after another "
                         "(garbage collection included: micrograd's closures make reference cycles)")
    return section
