"""B4: memory. Bytes per graph node (tracemalloc) against micrograd on the same graph, and the
peak memory of 200 training steps, which should stay flat (graphs are freed by reference counting)."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any, Callable

import numpy as np

import nn

from .models import (
    MICROGRAD_MISSING, ChainMLP, count_nodes, deltagrad_loss, load_micrograd, micrograd_loss, micrograd_twin, moons,
    sgd_step,
)
from .report import Section

TARGET = 1 / 3
STEPS = 200
SAMPLES = 10  # per graph in the bytes-per-node part
FLAT = 0.05  # "flat": the last steps' peak within 5% of the first steps'
WINDOW = 20  # steps compared at each end
WARMUP = 10  # traced steps before the measured ones, to fill the free lists (see step_peaks)


def graph_bytes(build: Callable[[], Any]) -> tuple[int, int]:
    """(bytes still allocated after building a graph and running backward, nodes in it)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loss = build()
        loss.backward()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return used, count_nodes(loss)


def step_peaks(step: Callable[[], float], warmup: int, steps: int) -> tuple[np.ndarray, int]:
    """The peak traced memory of each of ``steps`` consecutive calls after ``warmup`` traced calls,
    and the change in the number of objects the garbage collector tracks over the measured calls.

    Python keeps freed floats and small tuples on free lists for reuse; tracemalloc counts them as
    held when they were allocated under tracing and not at all otherwise. A full collection empties
    the lists, so tracing starts from empty lists and the warm-up steps fill them with traced objects.
    """
    peaks = np.zeros(steps)  # filled in place: appending Python ints would itself be traced
    tracemalloc.start()
    try:
        gc.collect()
        for _ in range(warmup):
            step()
        objects = len(gc.get_objects())
        for i in range(steps):
            tracemalloc.reset_peak()
            step()
            peaks[i] = tracemalloc.get_traced_memory()[1]
        objects = len(gc.get_objects()) - objects
    finally:
        tracemalloc.stop()
    return peaks, objects


def run(quick: bool) -> Section:
    """Measure bytes per node on identical graphs, then the peaks of a training run."""
    rows, targets = moons(SAMPLES)
    section = Section(f"B4 memory: one graph of {SAMPLES} moons samples, after forward and backward",
                      ["engine and network code", "nodes", "bytes", "bytes/node", "vs micrograd"])
    model = nn.MLP(2, [16, 16, 1], seed=0)
    chain = ChainMLP(model)
    measured = {
        "deltagrad, micrograd's network code": graph_bytes(lambda: micrograd_loss(chain, chain.parameters(), rows, targets)),
        "deltagrad, nn.MLP": graph_bytes(lambda: deltagrad_loss(model, model.parameters(), rows, targets)),
    }
    mg_nn = load_micrograd()
    if mg_nn is not None:
        twin = micrograd_twin(model, mg_nn)
        measured = {"micrograd 0.1.0": graph_bytes(lambda: micrograd_loss(twin, twin.parameters(), rows, targets)),
                    **measured}
    base = measured.get("micrograd 0.1.0")
    for name, (used, nodes) in measured.items():
        versus = f"{(used / nodes) / (base[0] / base[1]):.2f} per node, {used / base[0]:.2f} in all" if base else "-"
        section.rows.append([name, str(nodes), f"{used:,}", f"{used / nodes:.0f}", versus])
    if base is None:
        section.notes.append(MICROGRAD_MISSING)
        section.target("≤ 1/3 of micrograd's bytes per node", "micrograd missing", None)
    else:
        used, nodes = measured["deltagrad, micrograd's network code"]
        share = (used / nodes) / (base[0] / base[1])
        section.target("≤ 1/3 of micrograd's bytes per node (same graph)", f"{share:.2f}", share <= TARGET)

    steps = 50 if quick else STEPS
    batch_rows, batch_targets = moons(20)
    params = model.parameters()
    peaks, objects = step_peaks(lambda: sgd_step(deltagrad_loss(model, params, batch_rows, batch_targets), params),
                                WARMUP, steps)
    first, last = np.median(peaks[:WINDOW]), np.median(peaks[-WINDOW:])
    growth = last / first - 1
    section.target(f"peak memory flat over {steps} training steps (nn.MLP, 20 samples)",
                   f"median peak of the first {WINDOW} steps {first / 1024:.0f} KiB, of the last {WINDOW} "
                   f"{last / 1024:.0f} KiB ({growth:+.1%}; highest {peaks.max() / 1024:.0f} KiB); objects alive "
                   f"after the last step minus before the first: {objects:+d}", abs(growth) <= FLAT and objects <= 0)
    section.notes.append("bytes: what tracemalloc counts as still held after backward (nodes, parents, local "
                         "derivatives, gradients; micrograd's closures and sets), over all the graph's nodes, "
                         "the pre-existing parameters included")
    section.notes.append(f"the peaks are measured after {WARMUP} warm-up steps, which fill Python's free lists of floats "
                         "and small tuples (emptied by a collection when tracing starts)")
    return section
