"""B2: time of one forward+backward pass of MLPs 3→n→n→1 against micrograd, and how it grows
with the parameter count (the slope of log time against log parameters; 1 is linear)."""

from __future__ import annotations

import nn

from .models import MICROGRAD_MISSING, load_micrograd, micrograd_twin, slope
from .report import Section
from .timing import measure, ratio, seconds

SAMPLE = [0.5, -0.3, 0.8]
LINEAR = 1.15  # a slope above this would mean time grows faster than the work


def _pass(model, x):
    def run() -> None:
        model(x).backward()

    return run


def run(quick: bool) -> Section:
    """Time one pass for each width, in both engines."""
    widths = (4, 16, 64) if quick else (4, 16, 64, 128)
    section = Section("B2 one forward+backward pass, MLP 3→n→n→1",
                      ["n", "parameters", "deltagrad", "micrograd", "speed-up"])
    mg_nn = load_micrograd()
    counts, ours, theirs = [], [], []
    for n in widths:
        model = nn.MLP(3, [n, n, 1], seed=0)
        counts.append(len(model.parameters()))
        runs = 3 if quick else max(5, 2000 // n)
        ours.append(measure(_pass(model, SAMPLE), runs))
        if mg_nn is not None:
            theirs.append(measure(_pass(micrograd_twin(model, mg_nn), SAMPLE), max(3, runs // 10)))
        base = theirs[-1] if theirs else None
        section.rows.append([str(n), str(counts[-1]), seconds(ours[-1].median), seconds(base.median) if base else "-",
                             f"{ratio(base, ours[-1]):.1f}×" if base else "-"])
    times = [t.best for t in ours]  # the best of the runs: the growth of the work, not the machine's noise
    overall, largest = slope(counts, times), slope(counts[-2:], times[-2:])
    section.target("time linear in the parameter count (log-log slope about 1)",
                   f"slope {overall:.2f} over all widths, {largest:.2f} between the two largest", largest <= LINEAR)
    if theirs:
        best = [t.best for t in theirs]
        section.notes.append(f"micrograd's slope: {slope(counts, best):.2f} over all widths, "
                             f"{slope(counts[-2:], best[-2:]):.2f} between the two largest")
    else:
        section.notes.append(MICROGRAD_MISSING)
    section.notes.append("a pass builds the graph of one sample and runs backward from the output; the table shows "
                         "medians, the slopes use the best runs. Below 1 at small widths: a pass has fixed costs "
                         "that the work outgrows")
    return section
