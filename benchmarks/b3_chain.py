"""B3: a deep chain of scalar ops, forward and backward, against a plain float loop doing the
same arithmetic and the same reverse pass by hand (a tape of local derivatives)."""

from __future__ import annotations

import gc

from autograd import Value

from .models import MICROGRAD_MISSING, load_micrograd
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


class _Node:
    """What any engine that keeps a Python object per node must allocate: the slots of a Value."""

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads", "requires_grad", "attrs")


def allocation_floor(ops: int) -> _Node:
    """The objects the chain's graph holds (per op: a node, a constant node, two tuples), built
    with nothing else: no op table, no checks, no backward. No engine of this design can be faster."""
    y = _Node()
    y.data, y.grad, y.label, y.op, y.parents, y.local_grads, y.requires_grad, y.attrs = 0.5, 0.0, "x", "", (), (), True, None
    for _ in range(ops):
        c = _Node()
        c.data, c.grad, c.label, c.op, c.parents, c.local_grads, c.requires_grad, c.attrs = (
            SCALE, 0.0, "", "", (), (), False, None)
        node = _Node()
        node.data, node.grad, node.label, node.op, node.parents, node.local_grads, node.requires_grad, node.attrs = (
            y.data * SCALE, 0.0, "", "mul", (y, c), (SCALE, y.data), True, None)
        y = node
    return y


class _Link:
    """The least a graph of Python objects can hold per op: the float, one parent, one local derivative."""

    __slots__ = ("data", "parent", "local")

    def __mul__(self, constant: float) -> _Link:
        node = _Link()
        node.data, node.parent, node.local = self.data * constant, self, constant
        return node

    def __add__(self, constant: float) -> _Link:
        node = _Link()
        node.data, node.parent, node.local = self.data + constant, self, 1.0
        return node


def linked_chain(ops: int) -> float:
    """The same chain with ``_Link`` objects and operator overloading, then backward along the
    parent links. It works only for a chain (no constants, no op table, no topological sort, no
    checks), so it is a floor for any engine whose graph is made of Python objects, not a contender."""
    x = _Link()
    x.data, x.parent, x.local = 0.5, None, 1.0
    y = x
    for _ in range(ops // 2):
        y = y * SCALE
        y = y + SHIFT
    grad = 1.0
    while y.parent is not None:
        grad = y.local * grad
        y = y.parent
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
        return MICROGRAD_MISSING
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
    floor = measure(lambda: allocation_floor(ops), 1 if quick else 2)
    linked = measure(lambda: linked_chain(ops), 3)
    for name, timing in (("plain floats, tape by hand", hand), ("deltagrad Value", engine),
                         ("deltagrad Value, gc disabled", quiet),
                         ("floor: allocating the graph's objects only, no backward", floor),
                         ("floor: a 3-slot object per op, linked to its parent, backward along the links", linked)):
        section.rows.append([name, seconds(timing.median), seconds(timing.median / ops), f"{ratio(timing, hand):.1f}×"])
    achieved = ratio(engine, hand)
    section.target(f"≤ {TARGET:g}× the hand loop", f"{achieved:.1f}×", achieved <= TARGET)
    same = engine.result == hand.result == linked.result
    section.target("the same gradient", f"{engine.result!r} vs {hand.result!r}", same)
    section.notes.append(_micrograd_depth())
    section.notes.append("every op makes a node and a constant node (numbers become constants), so the graph "
                         f"holds {2 * ops:,} nodes; the hand loop keeps one float per op")
    section.notes.append(f"what limits it: a Python object per node. Allocating the graph's objects alone takes "
                         f"{ratio(floor, hand):.0f}× the hand loop; the garbage collector, which walks every live "
                         f"container each time the graph has grown by a quarter, makes the engine "
                         f"{ratio(engine, quiet):.1f}× slower than with it disabled")
    section.notes.append(f"the target is at the floor of the design: the least graph of Python objects there is "
                         f"(one 3-slot object per op, backward along the links, chain-only) already takes "
                         f"{ratio(linked, hand):.1f}× the hand loop, leaving nothing for an op table, constants, "
                         f"a topological sort or the checks")
    return section
