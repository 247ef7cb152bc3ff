"""B3: a deep chain of scalar ops, forward and backward, against a plain float loop doing the
same arithmetic and the same reverse pass by hand (a tape of local derivatives)."""

from __future__ import annotations

from typing import Any

from autograd import Value

from .models import MICROGRAD_MISSING, load_micrograd
from .report import Section
from .timing import alternate, seconds

TARGET = 1.5  # × the minimal general engine
SCALE, SHIFT = 0.999999, 1e-6


def _chain(x: Any, ops: int) -> float:
    """y = ((x·a + b)·a + b)... for ``ops`` ops from the leaf ``x`` (either engine's), then
    backward; returns ∂y/∂x."""
    y = x
    for _ in range(ops // 2):
        y = y * SCALE
        y = y + SHIFT
    y.backward()
    return x.grad


def engine_chain(ops: int) -> float:
    """The chain on deltagrad Values; returns ∂y/∂x."""
    return _chain(Value(0.5, "x"), ops)


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


class MiniValue:
    """A minimal general engine (microgpt's ``Value``): four slots, numbers lifted to nodes, an
    iterative topological sort, one backward loop, no checks and no op names."""

    __slots__ = ("data", "grad", "parents", "local_grads")

    def __init__(self, data: float, parents: tuple = (), local_grads: tuple = ()) -> None:
        self.data, self.grad, self.parents, self.local_grads = data, 0.0, parents, local_grads

    def __add__(self, other: Any) -> MiniValue:
        other = other if isinstance(other, MiniValue) else MiniValue(other)
        return MiniValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Any) -> MiniValue:
        other = other if isinstance(other, MiniValue) else MiniValue(other)
        return MiniValue(self.data * other.data, (self, other), (other.data, self.data))

    def backward(self) -> None:
        """Iterative post-order depth-first sort, then ``parent.grad += local * node.grad``."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents if p not in seen)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad


def mini_chain(ops: int) -> float:
    """The chain in the minimal general engine; returns ∂y/∂x."""
    return _chain(MiniValue(0.5), ops)


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


ENGINE, MINI, HAND, LINKED = ("deltagrad Value", "minimal general engine (4 slots, iterative sort, no checks)",
                              "plain floats, tape by hand", "floor: a 3-slot object per op, chain-only backward")


def run(quick: bool) -> Section:
    """Time the chain in the engine, the minimal engine, by hand and the floor, alternating."""
    ops = 100_000 if quick else 300_000
    rounds = 3 if quick else 7
    section = Section(f"B3 a chain of {ops:,} ops (* and + by constants), forward + backward",
                      ["implementation", "gc on: median (min)", "per op", "vs minimal engine",
                       "gc off: median (min)", "vs minimal engine"])
    contenders = {ENGINE: lambda: engine_chain(ops), MINI: lambda: mini_chain(ops), HAND: lambda: hand_chain(ops),
                  LINKED: lambda: linked_chain(ops)}
    on = alternate(contenders, rounds, collect=True)
    off = alternate(contenders, rounds, collect=False)
    for name in contenders:
        cells = [name]
        for timings in (on, off):
            t = timings[name]
            cells += [f"{seconds(t.median)} ({seconds(t.best)})"] + ([seconds(t.median / ops)] if timings is on else [])
            cells.append(f"{t.median / timings[MINI].median:.2f}×")
        section.rows.append(cells)
    for label, timings in (("default collector", on), ("collection excluded", off)):
        achieved = timings[ENGINE].median / timings[MINI].median
        section.target(f"≤ {TARGET:g}× the minimal general engine, {label}",
                       f"{achieved:.2f}× (min {timings[ENGINE].best / timings[MINI].best:.2f}×)", achieved <= TARGET)
    results = {name: on[name].result for name in contenders}
    same = results[ENGINE] == results[HAND] == results[LINKED] and abs(results[MINI] - results[HAND]) <= 1e-12
    section.target("the same gradient", f"{results[ENGINE]!r} vs {results[HAND]!r} by hand", same)
    section.notes.append(f"information: the engine takes {on[ENGINE].median / on[HAND].median:.0f}× the hand float "
                         f"loop ({off[ENGINE].median / off[HAND].median:.0f}× with collection excluded); the "
                         f"chain-only floor {on[LINKED].median / on[HAND].median:.0f}×")
    section.notes.append(_micrograd_depth())
    section.notes.append(f"{rounds} rounds, contenders alternating; every op makes a node and a constant node "
                         f"(numbers become constants) in both engines, so each graph holds {2 * ops:,} nodes")
    return section
