"""B5: the batched replay (``autograd.compile_graph``) training on arrays, against plain batched
NumPy written by hand (matrix products, forward, backward and the SGD update), over a grid of
networks, losses and batch sizes; plus compile time per node and memory against the hand code.

Both start from the same weights (an ``nn.MLP``'s, ReLU hidden layers, linear output) and do the
same step: the mean loss over the batch (+ the L2 penalty α·Σp² of ``nn.l2_penalty``), its
gradient, p ← p − lr·g. The replay's graph is one sample's loss, built with ``nn`` and compiled
once; it trains in a :meth:`CompiledGraph.training` session (parameters kept as arrays).
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import autograd
import nn
from autograd import Value, compile_graph

from .report import Section
from .timing import alternate, both, seconds

TARGET = 1.5  # the replay's step within 1.5× the hand code's
TARGET_COMPILE = 2e-6  # seconds per node
TARGET_MEMORY = 2.0
LR, ALPHA = 0.01, 1e-4
CHECK_STEPS = 3


@dataclass(frozen=True)
class Case:
    """One point of the grid: the network's sizes, the loss, the batch size and whether an L2 term is added."""

    sizes: tuple[int, ...]
    loss: str  # "hinge", "mse" or "ce" (cross-entropy over one-hot targets)
    samples: int
    l2: bool

    def __str__(self) -> str:
        return f"{'-'.join(map(str, self.sizes))} ×{self.samples:,} {self.loss}{' + L2' if self.l2 else ''}"


GRID = [Case((2, 16, 16, 1), "hinge", 100, True),
        Case((2, 64, 64, 1), "mse", 1000, False), Case((2, 64, 64, 1), "mse", 1000, True),
        Case((2, 64, 64, 1), "mse", 10_000, False), Case((2, 64, 64, 1), "mse", 10_000, True),
        Case((784, 128, 10), "ce", 1000, False), Case((784, 128, 10), "ce", 1000, True)]
QUICK = [GRID[0], GRID[2], GRID[6]]


def data(case: Case, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs (samples, nin) and targets: ±1 (hinge), normal (mse) or one-hot rows (ce)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(case.samples, case.sizes[0]))
    if case.loss == "hinge":
        return X, rng.choice([-1.0, 1.0], size=case.samples)
    if case.loss == "mse":
        return X, rng.normal(size=case.samples)
    return X, np.eye(case.sizes[-1])[rng.integers(0, case.sizes[-1], size=case.samples)]


# -- the hand-written NumPy step ------------------------------------------------------------------


def weights(model: nn.MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The model's weights as arrays W (out × in) and b, one per layer (copies)."""
    return ([np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers],
            [np.array([n.b.data for n in layer.neurons]) for layer in model.layers])


def hand_step(Ws: list[np.ndarray], bs: list[np.ndarray], X: np.ndarray, T: np.ndarray, loss: str, alpha: float,
              lr: float = LR) -> float:
    """One step in plain batched NumPy, updating Ws and bs in place; returns the mean loss before it."""
    hs, vs = [X], []
    for k, (W, b) in enumerate(zip(Ws, bs)):
        vs.append(hs[-1] @ W.T + b)
        hs.append(np.maximum(vs[-1], 0.0) if k < len(Ws) - 1 else vs[-1])
    out, n = hs[-1], len(X)
    if loss == "hinge":
        margin = 1.0 - T * out[:, 0]
        value = np.maximum(margin, 0.0).mean()
        g = ((margin > 0) * (-T / n))[:, None]
    elif loss == "mse":
        e = out[:, 0] - T
        value = (e * e).mean()
        g = (2.0 / n * e)[:, None]
    else:
        m = out.max(axis=1, keepdims=True)
        e = np.exp(out - m)
        s = e.sum(axis=1, keepdims=True)
        value = (np.log(s[:, 0]) + m[:, 0] - (out * T).sum(axis=1)).mean()
        g = (e / s - T) / n
    if alpha:
        value += alpha * sum(float(np.vdot(W, W) + np.vdot(b, b)) for W, b in zip(Ws, bs))
    for k in range(len(Ws) - 1, -1, -1):
        W, b = Ws[k], bs[k]
        gW, gb = g.T @ hs[k], g.sum(axis=0)
        if k:
            g = (g @ W) * (vs[k - 1] > 0)
        if alpha:
            gW += 2.0 * alpha * W
            gb += 2.0 * alpha * b
        W -= lr * gW
        b -= lr * gb
    return float(value)


# -- the replay -----------------------------------------------------------------------------------


def sample_loss(model: nn.MLP, case: Case) -> tuple[Value, list[Value]]:
    """One sample's loss as a graph, and its input leaves (the inputs, then the targets)."""
    x = [Value(0.0, f"x{i}") for i in range(case.sizes[0])]
    out = model(x)
    if case.loss == "hinge":
        t = [Value(1.0, "t")]
        loss = (1 - t[0] * out).relu()
    elif case.loss == "mse":
        t = [Value(0.0, "t")]
        loss = (out - t[0]) ** 2  # nn.mse, whose target must be a number, not an input leaf
    else:  # log-sum-exp (shifted by a constant) minus the target's logit, picked by one-hot inputs
        t = [Value(1.0 if k == 0 else 0.0, f"t{k}") for k in range(case.sizes[-1])]
        m = max(z.data for z in out)
        loss = autograd.sum([(z - m).exp() for z in out]).log() + m - autograd.dot(t, out)
    if case.l2:
        loss = loss + nn.l2_penalty(model.parameters(), ALPHA)
    return loss, x + t


def replay(model: nn.MLP, case: Case, compiles: int = 1) -> tuple[autograd.CompiledGraph, int, float]:
    """The compiled graph of one sample's loss, its node count and the compile time in seconds
    (the best of ``compiles``, with the default collector)."""
    loss, leaves = sample_loss(model, case)
    nodes = len(autograd.topological_order(loss))
    params = model.parameters()
    best = float("inf")
    for _ in range(compiles):
        start = time.perf_counter()
        graph = compile_graph(loss, leaves, params, reduction="mean")
        best = min(best, time.perf_counter() - start)
    return graph, nodes, best


def _batch(X: np.ndarray, T: np.ndarray) -> np.ndarray:
    return np.column_stack([X, T])


def check(case: Case) -> float:
    """The largest difference between the hand code's and the replay's losses and weights over
    a few steps from the same weights."""
    model = nn.MLP(case.sizes[0], list(case.sizes[1:]), seed=0)
    Ws, bs = weights(model)
    X, T = data(case)
    graph, _, _ = replay(model, case)
    batch = _batch(X, T)
    worst = 0.0
    with graph.training(lr=LR) as session:
        for _ in range(CHECK_STEPS):
            ours = float(session.step(batch).mean())
            theirs = hand_step(Ws, bs, X, T, case.loss, ALPHA if case.l2 else 0.0)
            worst = max(worst, abs(ours - theirs))
    Wr, br = weights(model)
    for a, b in zip(Wr + br, Ws + bs):
        worst = max(worst, float(np.abs(a - b).max()))
    return worst


def memory(step: Callable[[], Any], setup: Callable[[], Any] | None = None) -> int:
    """Peak bytes traced while ``setup`` (e.g. opening a training session) and two steps run."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        if setup is not None:
            setup()
        step()
        step()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def run_case(case: Case, rounds: int) -> dict[str, Any]:
    """Time the two steps alternately (collector on, then excluded), compile time and memory."""
    X, T = data(case)
    batch = _batch(X, T)
    model = nn.MLP(case.sizes[0], list(case.sizes[1:]), seed=0)
    Ws, bs = weights(model)
    alpha = ALPHA if case.l2 else 0.0
    graph, nodes, compile_seconds = replay(model, case, compiles=3)
    session = graph.training(lr=LR)
    contenders = {"hand": lambda: hand_step(Ws, bs, X, T, case.loss, alpha), "replay": lambda: session.step(batch)}
    calls = max(1, 20_000 // case.samples) if case.sizes[0] < 100 else 1
    counts = {name: calls for name in contenders}
    on = alternate(contenders, rounds, counts, collect=True)
    off = alternate(contenders, rounds, counts, collect=False)
    session.close()
    # Memory: a fresh graph (its tables are made by the first step) against the hand code's step.
    fresh, _, _ = replay(nn.MLP(case.sizes[0], list(case.sizes[1:]), seed=0), case)
    holder: list = []
    replay_bytes = memory(lambda: holder[0].step(batch), lambda: holder.append(fresh.training(lr=LR)))
    holder[0].close()
    hand_bytes = memory(lambda: hand_step(Ws, bs, X, T, case.loss, alpha))
    return {"on": on, "off": off, "nodes": nodes, "compile": compile_seconds, "memory": (replay_bytes, hand_bytes)}


def run(quick: bool) -> Section:
    """Check the replay against the hand code, then time the grid."""
    cases = QUICK if quick else GRID
    section = Section("B5 the replay vs plain batched NumPy: a training step (forward, backward, SGD update)",
                      ["network, batch, loss", "hand NumPy", "replay", "replay/hand (gc on)", "replay/hand (gc off)",
                       "compile/node", "memory replay/hand"])
    worst = max(check(case) for case in cases)
    rounds = 7
    results = {case: run_case(case, rounds) for case in cases}
    slowest, compile_worst, memory_worst = 0.0, 0.0, 0.0
    for case, r in results.items():
        on, off = r["on"], r["off"]
        per_node = r["compile"] / r["nodes"]
        replay_bytes, hand_bytes = r["memory"]
        slowest = max(slowest, on["replay"].median / on["hand"].median, off["replay"].median / off["hand"].median)
        compile_worst, memory_worst = max(compile_worst, per_node), max(memory_worst, replay_bytes / hand_bytes)
        section.rows.append([str(case), seconds(on["hand"].median), seconds(on["replay"].median),
                             both(on["replay"], on["hand"]), both(off["replay"], off["hand"]),
                             f"{per_node * 1e6:.2f} µs ({r['nodes']:,} nodes)",
                             f"{replay_bytes / hand_bytes:.2f} ({replay_bytes / 2**20:.1f} / {hand_bytes / 2**20:.1f} MiB)"])
    section.target(f"within {TARGET:g}× of plain batched NumPy at every size (medians)", f"worst {slowest:.2f}×",
                   slowest <= TARGET)
    section.target(f"compile under {TARGET_COMPILE * 1e6:g} µs per node", f"worst {compile_worst * 1e6:.2f} µs",
                   compile_worst <= TARGET_COMPILE)
    section.target(f"memory at most {TARGET_MEMORY:g}× the hand code's", f"worst {memory_worst:.2f}×",
                   memory_worst <= TARGET_MEMORY)
    section.target("same losses and weights as the hand code to 1e-9", f"largest difference over {CHECK_STEPS} "
                   f"steps: {worst:.1e}", worst <= 1e-9)
    section.notes.append(f"{rounds} alternating rounds per size, medians (min in brackets); gc off: collection "
                         "excluded. The replay trains in a training() session (parameters kept as arrays); the "
                         "hand code keeps W, b as arrays")
    section.notes.append("memory: peak bytes tracemalloc counts during two steps (the replay's first step makes its "
                         "tables), the batch and the weights excluded")
    return section
