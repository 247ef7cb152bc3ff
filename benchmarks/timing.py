"""Timing helpers: medians of repeated runs, in the same process as the baseline they are compared with."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Timing:
    """Seconds per call over ``runs`` calls: the median (reported) and the best."""

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


def measure(fn: Callable[[], Any], runs: int, warmup: int = 1) -> Timing:
    """Call ``fn`` ``warmup`` times, then ``runs`` times in a row, timing each call.

    Calls follow each other without a forced garbage collection in between: the collector's work
    (large for micrograd, whose closures make reference cycles) is part of what a training loop
    pays, so it is part of the figure.

    Args:
        fn: the work to time, without arguments.
        runs: how many timed calls (at least 1).
        warmup: untimed calls first.

    Returns:
        A :class:`Timing`.
    """
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return Timing(statistics.median(times), min(times), len(times), result)


def ratio(slow: Timing, fast: Timing) -> float:
    """How many times faster ``fast`` is than ``slow`` (medians)."""
    return slow.median / fast.median
