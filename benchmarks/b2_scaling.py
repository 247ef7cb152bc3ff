"""B2: time of one forward+backward pass of MLPs 3→n→n→1 against micrograd, and how it grows
with the parameter count (the slope of log time against log parameters; 1 is linear)."""

from __future__ import annotations

import numpy as np

import nn

from .models import MICROGRAD_MISSING, load_micrograd, micrograd_twin, slope
from .report import Section
from .timing import alternate, seconds

SAMPLE = [0.5, -0.3, 0.8]
LINEAR = 1.15  # a slope above this would mean time grows faster than the work
RUNS = 3  # independent measurements of the slope, for its spread


def _pass(model, x):
    def run() -> None:
        model(x).backward()

    return run


def run(quick: bool) -> Section:
    """Time one pass for each width (the widths alternating round by round), three times over."""
    widths = (4, 16, 64) if quick else (4, 16, 64, 128)
    rounds = 7
    section = Section("B2 one forward+backward pass, MLP 3→n→n→1",
                      ["n", "parameters", "deltagrad: best (median)", "micrograd: best (median)", "speed-up (best)"])
    models = {n: nn.MLP(3, [n, n, 1], seed=0) for n in widths}
    counts = [len(models[n].parameters()) for n in widths]
    calls = {n: max(1, 2000 // n) if not quick else max(1, 200 // n) for n in widths}
    passes = {n: _pass(models[n], SAMPLE) for n in widths}
    # Collection excluded: a full pass of the collector lands on a random pass and costs what the
    # whole heap costs, not what the pass does (B1 reports the collector's share).
    runs = [alternate(passes, rounds, calls, collect=False) for _ in range(RUNS)]
    slopes = [slope(counts, [r[n].best for n in widths]) for r in runs]
    tops = [slope(counts[-2:], [r[n].best for n in widths[-2:]]) for r in runs]
    mg_nn = load_micrograd()
    theirs = None
    if mg_nn is not None:
        twins = {n: _pass(micrograd_twin(models[n], mg_nn), SAMPLE) for n in widths}
        theirs = alternate(twins, 3, {n: max(1, calls[n] // 10) for n in widths}, collect=False)
    best = min(runs, key=lambda r: sum(r[n].best for n in widths))
    for n, count in zip(widths, counts):
        ours = best[n]
        cells = [str(n), str(count), f"{seconds(ours.best)} ({seconds(ours.median)})"]
        if theirs:
            cells += [f"{seconds(theirs[n].best)} ({seconds(theirs[n].median)})", f"{theirs[n].best / ours.best:.1f}×"]
        else:
            cells += ["-", "-"]
        section.rows.append(cells)
    spread = f"{np.median(tops):.2f} between the two largest (runs: {', '.join(f'{s:.2f}' for s in tops)})"
    section.target("time linear in the parameter count (log-log slope of the best times, about 1)",
                   f"{spread}; over all widths {np.median(slopes):.2f} (runs: {', '.join(f'{s:.2f}' for s in slopes)})",
                   float(np.median(tops)) <= LINEAR)
    if theirs:
        best_mg = [theirs[n].best for n in widths]
        section.notes.append(f"micrograd's slope: {slope(counts, best_mg):.2f} over all widths, "
                             f"{slope(counts[-2:], best_mg[-2:]):.2f} between the two largest")
    else:
        section.notes.append(MICROGRAD_MISSING)
    section.notes.append(f"{RUNS} runs of {rounds} rounds (the widths alternating), collection excluded; a slope uses "
                         "each width's best round, the target the median of the runs. Below 1 at small widths: a pass "
                         "has fixed costs")
    return section
