"""``--record FILE.html``: a run trained without a server, kept as snapshots in one offline page.

At each chosen step the page's state is kept (the regions, the curves, the network) together with
the scalar engine's numbers for a few samples; the page shows them with a slider, with the same
views as the live playground and nothing to fetch.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

import nn
from autograd import validate

from . import page
from .config import LIMITS, Config, options
from .session import Session

__all__ = ["Recording", "record", "recording", "model_json", "default_steps", "DEFAULT_STEPS",
           "DEFAULT_SAMPLES"]

DEFAULT_STEPS = 500
DEFAULT_SAMPLES = 6  # samples whose numbers are kept at every snapshot
MAX_SNAPSHOTS = 60


@dataclass(frozen=True)
class Recording:
    """What :func:`record` wrote.

    Attributes:
        path: the page.
        steps: the steps of its snapshots.
        samples: the samples whose backprop it holds.
        status: the run's status at the end (``recorded``, ``diverged``, ``finished``).
        message: why the run stopped early, or "".
    """

    path: Path
    steps: list[int]
    samples: list[int]
    status: str
    message: str


def default_steps(steps: int) -> list[int]:
    """0, 1, 2, 5, 10, 20, 50, ... up to ``steps``, and ``steps`` itself."""
    chosen = {0, steps}
    scale = 1
    while scale <= steps:
        chosen.update(m * scale for m in (1, 2, 5) if m * scale <= steps)
        scale *= 10
    return sorted(chosen)


def _samples(session: Session, count: int) -> list[int]:
    """``count`` samples spread over the classes (or over x, for regression)."""
    if session.config.task == "regression":
        order = np.argsort(session.X[:, 0])
    else:  # interleave the classes, so each gets its turn
        per_class = [np.flatnonzero(session.y == c) for c in range(session.classes)]
        order = np.array([i for group in zip(*per_class) for i in group], dtype=int)
    picks = np.linspace(0, len(order) - 1, min(count, len(order))).round().astype(int)
    return sorted({int(order[p]) for p in picks})


def record(path: str | os.PathLike, config: Config | None = None, steps: int = DEFAULT_STEPS,
           at: Sequence[int] | None = None, samples: int = DEFAULT_SAMPLES) -> Recording:
    """Train a run of ``steps`` updates and write it as an offline page with a slider.

    Args:
        path: the HTML file to write.
        config: the run's settings (the defaults when None); ``config.max_steps`` does not apply.
        steps: updates to make.
        at: the steps to keep a snapshot of (default: 0, 1, 2, 5, 10, 20, 50, ... and the last).
        samples: how many samples' backprop to keep at each snapshot.

    Returns:
        A :class:`Recording`. A run that diverges stops there; its last snapshot says so.
    """
    target = validate.output_file(path, "record")
    steps = validate.whole(steps, "steps", high=LIMITS["max_steps"])
    chosen = default_steps(steps) if at is None else [
        validate.whole(s, f"at[{i}]", low=0, high=steps) for i, s in enumerate(validate.items(at, "at", "a list of steps"))]
    chosen = sorted(set(chosen))
    if not chosen or len(chosen) > MAX_SNAPSHOTS:
        raise ValueError(f"at must name from 1 to {MAX_SNAPSHOTS} steps, got {len(chosen)}")
    count = validate.whole(samples, "samples", low=0, high=20)
    config = config or Config()
    session = Session(replace(config, max_steps=LIMITS["max_steps"]))
    kept = _samples(session, count)
    snapshots: list[dict[str, Any]] = []
    for step in chosen:
        session.train(step - session.step)
        snapshots.append(_snapshot(session, kept))
        if session.status != "running":
            break
    target.write_text(page.recorded(_page_data(kept, snapshots)), encoding="utf-8")
    last = snapshots[-1]
    return Recording(target, [s["step"] for s in snapshots], kept, last["status"], last["message"])


def recording(session: Session, samples: int = DEFAULT_SAMPLES) -> dict[str, Any]:
    """The run so far as the offline page's data: one snapshot (its curves from step 0, the
    regions, the network) with the backprop of ``samples`` samples; ``page.recorded`` writes it.

    Args:
        session: the run (not changed).
        samples: how many samples' backprop to keep.
    """
    kept = _samples(session, samples)
    return _page_data(kept, [_snapshot(session, kept)])


def model_json(model: nn.MLP) -> str:
    """The JSON ``model.save`` writes and ``nn.MLP.load`` reads, as text. (Written to a private
    temporary folder and read back, so that the file format stays ``nn``'s alone.)"""
    with tempfile.TemporaryDirectory(prefix="deltagrad-") as folder:
        path = Path(folder) / "model.json"
        model.save(path)
        return path.read_text(encoding="utf-8")


def _page_data(samples: list[int], snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    return {"options": options(), "samples": samples, "snapshots": snapshots}


def _snapshot(session: Session, samples: list[int]) -> dict[str, Any]:
    state = session.state()
    if state["status"] == "running":
        state["status"] = "recorded"
    state["samples"] = {str(i): session.sample(i) for i in samples}
    return state
