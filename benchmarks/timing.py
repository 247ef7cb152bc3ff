"""Timing helpers. The protocol: contenders alternate round by round in one process (so a busy
machine slows them alike), at least 7 rounds, the min and the median reported, once with the
default garbage collector on (what a user gets) and once with collection excluded (the collector
disabled while a call is timed, a full collection between calls, outside the timer).

With the collector on, the contenders share one heap: garbage that only the collector frees
(micrograd's reference cycles) would be collected, in part, while the *next* contender is timed.
So before each timing a full collection and one untimed call, both outside the timer, put the
contender in its own steady state: it pays for collecting its own garbage, no one else's."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

ROUNDS = 7


@dataclass(frozen=True)
class Timing:
    """Seconds per call over ``runs`` timed calls: the median and the best (min)."""

    median: float
    best: float
    runs: int
    result: Any = None  # what the last call returned

    def __str__(self) -> str:
        return seconds(self.median)


def seconds(t: float) -> str:
    """A duration with a unit that keeps three significant digits (``412 µs``, ``1.23 s``)."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def _timed(fn: Callable[[], Any], calls: int, collect: bool) -> tuple[float, Any]:
    """Seconds per call of ``calls`` consecutive calls (the collector disabled when not ``collect``)."""
    if hasattr(fn, "timed"):  # a contender in a process of its own (worker.Worker) times itself there
        return fn.timed(calls, collect)
    if not collect:
        gc.collect()
        gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            result = fn()
        elapsed = time.perf_counter() - start
    finally:
        if not collect:
            gc.enable()
            gc.collect()
    return elapsed / calls, result


def measure(fn: Callable[[], Any], runs: int, warmup: int = 1, collect: bool = True) -> Timing:
    """Call ``fn`` ``warmup`` times, then time ``runs`` calls one by one.

    Args:
        fn: the work to time, without arguments.
        runs: how many timed calls (at least 1).
        warmup: untimed calls first.
        collect: False to exclude garbage collection (see the module's docstring).

    Returns:
        A :class:`Timing`.
    """
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(max(1, runs)):
        t, result = _timed(fn, 1, collect)
        times.append(t)
    return Timing(statistics.median(times), min(times), len(times), result)


def alternate(contenders: dict[str, Callable[[], Any]], rounds: int = ROUNDS, calls: dict[str, int] | None = None,
              collect: bool = True) -> dict[str, Timing]:
    """Time contenders in turn, round by round: round r times each contender once, in order.

    Args:
        contenders: name -> the work to time (one call is one unit, e.g. one training step).
        rounds: how many rounds (each contender gets one timing per round).
        calls: name -> consecutive calls per timing (the time is their mean); 1 by default. Fast
            work needs several calls so that the timer's resolution does not matter.
        collect: False to exclude garbage collection; True times each contender in its own steady
            state (a full collection and an untimed call before each timing, see the module).

    Returns:
        name -> :class:`Timing` over the rounds (its min and median of the per-call times).
    """
    calls = calls or {}
    for fn in contenders.values():  # one warm-up call each: caches, tables, first allocations
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    results: dict[str, Any] = {}
    for _ in range(max(1, rounds)):
        for name, fn in contenders.items():
            if collect:  # its own steady state: the others' garbage collected, its own left (see above)
                gc.collect()
                fn()
            t, results[name] = _timed(fn, calls.get(name, 1), collect)
            times[name].append(t)
    return {name: Timing(statistics.median(ts), min(ts), len(ts), results[name]) for name, ts in times.items()}


def ratio(slow: Timing, fast: Timing) -> float:
    """How many times faster ``fast`` is than ``slow`` (medians)."""
    return slow.median / fast.median


def both(slow: Timing, fast: Timing) -> str:
    """The ratio of the medians and of the mins, e.g. ``"3.1× (min 3.0×)"``."""
    return f"{slow.median / fast.median:.2f}× (min {slow.best / fast.best:.2f}×)"
