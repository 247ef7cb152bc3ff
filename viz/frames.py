"""The backward pass as frames for slides and video: one picture per step, and an animated GIF.

Each frame is the step-through page's picture at one step: the gradients reached so far (``—``
for the rest), the node being processed filled yellow and outlined red as on the page, the nodes
whose gradient it changes outlined orange, and the step's arithmetic as the title. The numbers
have the page's decimals in every frame, so a number does not change its spelling between frames.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import IO, Callable, Sequence

from autograd.validate import output_file, output_folder

from .graph import Style, build_graph
from .rendering import run_dot, write_file
from .steps import Step
from .tracing import Trace

__all__ = ["FRAME_FORMATS", "GIF_EXTRA", "frame_sources", "write_frames", "write_gif",
           "ProgressBar", "pillow_image_module"]

FRAME_FORMATS = ("png", "svg")
# The optional dependency --gif needs, as pip installs it.
GIF_EXTRA = "pip install 'deltagrad[gif]'"
SECONDS_PER_FRAME = 1.5  # long enough to read one step's line of arithmetic
_CURRENT = {"style": "filled", "fillcolor": "#ffd966", "color": "#c00000", "penwidth": "3"}
_UPDATED = {"color": "#e69138", "penwidth": "3"}


def frame_sources(tr: Trace, steps: Sequence[Step], lines: Sequence[Sequence[str]], decimals: int,
                  title: str) -> list[str]:
    """The DOT source of each step's frame.

    Args:
        tr: the graph.
        steps: backward's steps (``viz.steps.record_steps``).
        lines: each step's arithmetic, one text per line (as the page shows it).
        decimals: the view's decimals (the page's), the same in every frame.
        title: the first line of every frame's title (``backward pass of out = 0.7071``).

    Returns:
        One DOT source per step.
    """
    sources = []
    for k, step in enumerate(steps):
        heading = f"{title}   step {k + 1} of {len(steps)}: backward at {tr.name(step.node)}"
        style = Style(title="\n".join([heading, *lines[k]]), decimals=decimals)
        source = build_graph(tr, list(step.grads), style).source
        sources.append(_highlight(source, step))
    return sources


def _highlight(source: str, step: Step) -> str:
    """``source`` with the step's node and the nodes it updates marked as the page marks them.

    A node statement repeated at the end of a DOT graph adds its attributes to the node; only
    names the picture drew are repeated (a neuron's members live inside its table).
    """
    drawn = set(re.findall(r"^\s*((?:v|op)\d+) \[", source, re.MULTILINE))
    marks = [(f"op{step.node}", _CURRENT), (f"v{step.node}", _CURRENT)]
    marks += [(f"v{i}", _UPDATED) for i in step.updated if i != step.node]
    extra = "".join(f"\t{name} [{_attributes(attrs)}]\n" for name, attrs in marks if name in drawn)
    end = source.rstrip().rindex("}")
    return source[:end] + extra + source[end:]


def _attributes(attrs: dict[str, str]) -> str:
    return " ".join(f'{key}="{value}"' for key, value in attrs.items())


class ProgressBar:
    """A one-line progress bar on a terminal (``[#####-----] 12/40 frames``); silent when the
    stream is not a terminal (a log file, a pipe, a test), so nothing but results is captured.

    Args:
        total: how many items there are.
        what: what they are called (``"frames"``).
        stream: where to draw; stderr by default.
    """

    WIDTH = 30

    def __init__(self, total: int, what: str, stream: IO[str] | None = None) -> None:
        self.total, self.what = total, what
        self.stream = sys.stderr if stream is None else stream
        self.shown = self.stream.isatty()

    def update(self, done: int) -> None:
        """Draw the bar with ``done`` of ``total`` items finished."""
        if not self.shown:
            return
        filled = self.WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        end = "\n" if done >= self.total else ""
        self.stream.write(f"\r[{bar}] {done}/{self.total} {self.what}{end}")
        self.stream.flush()


def write_frames(sources: Sequence[str], folder: str | os.PathLike, fmt: str = "png", *,
                 dot_timeout: float | None = None,
                 progress: Callable[[int], None] | None = None) -> list[Path]:
    """Render each DOT source to ``folder/step-001.png`` (or ``.svg``), in order.

    Args:
        sources: the frames' DOT sources (:func:`frame_sources`).
        folder: where to write; made when missing.
        fmt: ``"png"`` or ``"svg"``.
        dot_timeout: seconds Graphviz may take for each frame.
        progress: called with the number of frames written after each one.

    Returns:
        The files written.

    Raises:
        GraphvizNotFound: ``dot`` is not installed (frames are pictures: there is no fallback).
    """
    out = output_folder(folder, "frames")
    digits = max(3, len(str(len(sources))))
    paths = []
    for k, source in enumerate(sources, start=1):
        path = out / f"step-{k:0{digits}d}.{fmt}"
        write_file(path, run_dot(source, fmt, timeout=dot_timeout), "frames")
        paths.append(path)
        if progress is not None:
            progress(k)
    return paths


def pillow_image_module():  # noqa: ANN201 - PIL.Image, which may not be installed
    """``PIL.Image``; ImportError in one line naming the extra when Pillow is not installed."""
    try:
        return importlib.import_module("PIL.Image")
    except ImportError:
        message = f"an animated GIF needs Pillow: {GIF_EXTRA} (or pip install Pillow)"
        raise ImportError(message) from None


def write_gif(frames: Sequence[str | os.PathLike], path: str | os.PathLike,
              seconds_per_frame: float = SECONDS_PER_FRAME) -> Path:
    """Join PNG frames into an animated GIF that loops, each frame on a white page of the largest
    frame's size (frames grow as gradients fill in; a GIF's frames share one size).

    Args:
        frames: the PNG files, in order.
        path: the GIF to write (ending in ``.gif``).
        seconds_per_frame: how long each frame shows.

    Returns:
        The GIF's path.
    """
    target = output_file(path, "gif", suffixes=(".gif",))
    image = pillow_image_module()
    pictures = [image.open(frame).convert("RGB") for frame in frames]
    width = max(p.width for p in pictures)
    height = max(p.height for p in pictures)
    pages = []
    for picture in pictures:
        page = image.new("RGB", (width, height), "white")
        page.paste(picture, (0, 0))
        pages.append(page)
    pages[0].save(target, save_all=True, append_images=pages[1:], loop=0,
                  duration=int(seconds_per_frame * 1000))
    return target
