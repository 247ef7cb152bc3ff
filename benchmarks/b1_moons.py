"""B1: one training step of micrograd's moons demo: MLP(2, [16, 16, 1]), 100 samples, SVM
max-margin loss with L2 1e-4, forward + backward + SGD update."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

import nn
from autograd import Value

from .models import (
    ALPHA, MICROGRAD_MISSING, ChainMLP, count_nodes, deltagrad_loss, load_micrograd, micrograd_loss, micrograd_twin,
    moons, replay_step, sgd_step,
)
from .report import Section
from .timing import alternate, seconds
from .worker import CHECKOUT, Worker

TARGET, TARGET_QUIET = 60.0, 6.0  # × micrograd: with the default collector, with collection excluded
CHECK_STEPS = 3
MICROGRAD = "micrograd 0.1.0 (its demo's code)"
MLP = "deltagrad nn.MLP, nn.hinge + nn.l2_penalty"
USER = "deltagrad nn.MLP, micrograd's user code (built-in sum, model(x))"
AGAINST: Path | None = None  # another checkout whose engine to time too (python -m benchmarks --against DIR)
SAME = 0.95  # issue 11: this engine's step at least 0.95× the speed of the older one


@dataclass
class Contender:
    """A way to do the step: ``step()`` does it and returns the loss; ``graph()`` builds one
    step's graph (None when it cannot be counted here); a timing is the mean of ``calls`` steps."""

    name: str
    step: Callable[[], float]
    graph: Callable[[], Any] | None
    calls: int = 3


def _graph_contender(name: str, loss: Callable, model: Any, rows: list, targets: list) -> Contender:
    params = model.parameters()
    build = lambda: loss(model, params, rows, targets)  # noqa: E731
    return Contender(name, lambda: sgd_step(build(), params), build)


def _replay_contender(model: nn.MLP, rows: list, targets: list) -> Contender:
    """The step as a batched replay: one sample's graph, compiled once, trained on arrays."""
    x, t = [Value(0.0, "x0"), Value(0.0, "x1")], Value(1.0, "t")
    params = model.parameters()
    loss = (1 - t * model(x)).relu() + nn.l2_penalty(params, ALPHA)  # its mean over samples: data + L2
    step = replay_step(loss, x + [t], params, np.column_stack([rows, targets]))
    return Contender("deltagrad replay of nn.MLP, training on arrays (see B5)", step, None, 200)


def _worker_contenders(rows: list, targets: list) -> list[Contender]:
    """nn.MLP's step on this checkout's engine and on AGAINST's, each in a worker process."""
    return [Contender(f"deltagrad nn.MLP on {checkout}'s engine, in a worker process", Worker(checkout, rows, targets),
                      None) for checkout in (CHECKOUT, AGAINST)]


def run(quick: bool) -> Section:
    """Time each engine's step from the same weights, alternating; check that their losses agree."""
    rows, targets = moons(100)
    rounds = 3 if quick else 11  # more than 7: B1's medians move the most on a shared machine
    section = Section("B1 moons step: MLP(2, [16, 16, 1]), 100 samples, hinge + L2 1e-4, forward+backward+SGD",
                      ["engine and code", "nodes/step", "gc on: median (min)", "vs micrograd",
                       "gc off: median (min)", "vs micrograd"])
    contenders = []
    mg_nn = load_micrograd()
    if mg_nn is not None:
        twin = micrograd_twin(nn.MLP(2, [16, 16, 1], seed=0), mg_nn)
        contenders.append(_graph_contender(MICROGRAD, micrograd_loss, twin, rows, targets))
        contenders[-1].calls = 1
    contenders += [
        _graph_contender(MLP, deltagrad_loss, nn.MLP(2, [16, 16, 1], seed=0), rows, targets),
        _graph_contender(USER, micrograd_loss, nn.MLP(2, [16, 16, 1], seed=0), rows, targets),
        _graph_contender("deltagrad, micrograd's network code (binary + and *)", micrograd_loss,
                         ChainMLP(nn.MLP(2, [16, 16, 1], seed=0)), rows, targets),
        _replay_contender(nn.MLP(2, [16, 16, 1], seed=0), rows, targets),
    ] + (_worker_contenders(rows, targets) if AGAINST else [])
    # The same initial weights everywhere, so the first steps must give the same losses.
    losses = np.array([[c.step() for _ in range(CHECK_STEPS)] for c in contenders])
    worst = float(np.abs(losses - losses[0]).max())

    steps = {c.name: c.step for c in contenders}
    calls = {c.name: c.calls for c in contenders}
    on = alternate(steps, rounds, calls, collect=True)
    off = alternate(steps, rounds, calls, collect=False)
    for c in contenders:
        if isinstance(c.step, Worker):
            c.step.close()
    base_on, base_off = on.get(MICROGRAD), off.get(MICROGRAD)
    for c in contenders:
        nodes = f"{count_nodes(c.graph()):,}" if c.graph else "-"
        cells = [c.name, nodes]
        for timings, base in ((on, base_on), (off, base_off)):
            t = timings[c.name]
            cells += [f"{seconds(t.median)} ({seconds(t.best)})", f"{base.median / t.median:.1f}×" if base else "-"]
        section.rows.append(cells)
    if base_on is None:
        section.notes.append(MICROGRAD_MISSING)
        section.target(f"≥ {TARGET:g}× micrograd", "micrograd missing", None)
    else:
        for asked, timings, base, target in ((f"≥ {TARGET:g}× micrograd, default collector", on, base_on, TARGET),
                                             (f"≥ {TARGET_QUIET:g}× micrograd, collection excluded", off, base_off,
                                              TARGET_QUIET)):
            achieved = base.median / timings[MLP].median
            section.target(f"{asked} (nn.MLP)", f"{achieved:.1f}× (min {base.best / timings[MLP].best:.1f}×)",
                           achieved >= target)
        section.notes.append(f"micrograd's user code on deltagrad: {base_on.median / on[USER].median:.1f}× micrograd "
                             f"with the collector, {base_off.median / off[USER].median:.1f}× without")
    section.target("same loss to 1e-9", f"largest difference over {CHECK_STEPS} steps: {worst:.1e}", worst <= 1e-9)
    if AGAINST:
        ours, theirs = contenders[-2].name, contenders[-1].name
        speeds = [timings[theirs].median / timings[ours].median for timings in (on, off)]
        section.target(f"this engine's step at least {SAME}× the speed of {AGAINST}'s (two worker processes, "
                       "alternating)", f"{speeds[0]:.2f}× with the collector, {speeds[1]:.2f}× without",
                       min(speeds) >= SAME)
    section.notes.append(f"{rounds} rounds, contenders alternating round by round; a timing is one step for micrograd, "
                         "the mean of 3 for deltagrad's graphs, of 200 for the replay. gc on: each contender timed "
                         "in its own steady state (a full collection and an untimed step first). gc off: the collector disabled "
                         "during the timed steps, a full collection between them (micrograd's closures make "
                         "reference cycles, which only the collector frees)")
    return section
