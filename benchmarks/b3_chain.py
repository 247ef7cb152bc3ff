"""B3: a deep chain of scalar ops, forward and backward, against a plain float loop doing the
same arithmetic and the same reverse pass by hand (a tape of local derivatives)."""

from __future__ import annotations

import gc

from autograd import Value

from .models import load_micrograd
from .report import Section
from .timing import measure, ratio, seconds

TARGET = 15.0
SCALE, SHIFT = 0.999999, 1e-6


def engine_chain(ops: int) -> float:
    """y = ((x·a + b)·a + b)... for ``ops`` ops, then backward; returns ∂y/∂x."""
    x = Value(0.5, "x")
    y = x
    for _ in range(ops // 2):
        y = y * SCALE
        y = y + SHIFT
    y.backward()
    return x.grad


def hand_chain(ops: int) -> float:
    """The same arithmetic on floats, recording each local derivative, then the reverse pass."""
    y, tape = 0.5, []
    for _ in range(ops // 2):
        y = y * SCALE
        tape.append(SCALE)
        y = y + SHIFT
        tape.append(1.0)
    grad = 1.0
    for local in reversed(tape):
        grad = local * grad
    return grad


def _without_gc(ops: int) -> float:
    gc.disable()
    try:
        return engine_chain(ops)
    finally:
        gc.enable()


def _micrograd_depth() -> str:
    """micrograd's backward is recursive: the depth at which it fails."""
    mg_nn = load_micrograd()
    if mg_nn is None:
        return "micrograd not installed"
    x = mg_nn.Value(0.5)
    y = x
    for _ in range(10_000):
        y = y * SCALE
    try:
        y.backward()
    except RecursionError:
        return "micrograd's recursive backward raises RecursionError on a chain of 10,000 ops"
    return "micrograd handled a chain of 10,000 ops"


def run(quick: bool) -> Section:
    """Time the chain in the engine (with and without the garbage collector) and by hand."""
    ops = 200_000 if quick else 1_000_000
    section = Section(f"B3 a chain of {ops:,} ops (* and + by constants), forward + backward",
                      ["implementation", "time", "per op", "vs hand loop"])
    hand = measure(lambda: hand_chain(ops), 5)
    engine = measure(lambda: engine_chain(ops), 1 if quick else 2)
    quiet = measure(lambda: _without_gc(ops), 1 if quick else 2)
    for name, timing in (("plain floats, tape by hand", hand), ("deltagrad Value", engine),
                         ("deltagrad Value, gc disabled", quiet)):
        section.rows.append([name, seconds(timing.median), seconds(timing.median / ops), f"{ratio(timing, hand):.1f}×"])
    achieved = ratio(engine, hand)
    section.target(f"≤ {TARGET:g}× the hand loop", f"{achieved:.1f}×", achieved <= TARGET)
    same = engine.result == hand.result
    section.target("the same gradient", f"{engine.result!r} vs {hand.result!r}", same)
    section.notes.append(_micrograd_depth())
    section.notes.append("every op makes a node and a constant node (numbers become constants), so the graph "
                         f"holds {2 * ops:,} nodes; the hand loop keeps one float per op")
    return section
