"""Demo 9: a recorded run of the playground: watch an MLP learn the moons, and open any sample's backprop.

``deltagrad playground`` trains live in the browser; ``deltagrad.playground.record`` trains the
same way with no server and writes the run as one offline page: the decision regions, the loss
and the network at chosen steps, with a slider to move between them, and for a few samples every
unit's v, y, φ'(v) and δ with the delta rule of the lecture notes written out. Open
``playground.html`` in a browser; click a unit or a weight.

Run: python demos/09_playground_run.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from common import caption, run
from deltagrad.playground import record


def main(out_dir: Path, quick: bool = False) -> dict:
    """Record a run on the moons and report how it ended."""
    steps = 60 if quick else 400
    recording = record(out_dir / "playground.html", steps=steps)
    caption(recording.path, "the moons run: decision regions, loss and network at each snapshot, "
                            "and each sample's backprop")
    print(f"wrote {recording.path}: {len(recording.steps)} snapshots from step 0 to {recording.steps[-1]} "
          f"({recording.status}), the backprop of {len(recording.samples)} samples at each")
    return {"steps": recording.steps, "samples": recording.samples, "status": recording.status}


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.split("\n\n")[0]))
