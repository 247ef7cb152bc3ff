"""Colours for pictures, and the legend drawn inside them."""

from __future__ import annotations

import html
import math
import textwrap
from typing import Sequence

import graphviz

__all__ = ["ROLE_COLORS", "ROLE_LEGEND", "GRAD_COLORS", "NO_GRAD_COLOR", "SIGN_COLORS",
           "SIGN_LEGEND", "grad_color", "grad_legend", "add_legend"]

ROLE_COLORS = {
    "input": "#cfe2f3",
    "parameter": "#fce5cd",
    "constant": "#eeeeee",
    "output": "#b6d7a8",
    "interior": "#ffffff",
}

# What each role means, as the legend says it: a node's role is what it is, never its name.
ROLE_LEGEND = {
    "input": "input: a leaf that requires grad",
    "parameter": "parameter: in params=, or w, b of w·x + b",
    "constant": "constant: requires_grad=False",
    "output": "output: the root",
    "interior": "computed by an op",
}

# ColorBrewer RdBu: red for positive gradients, blue for negative, darker when larger.
GRAD_COLORS = {
    1: ("#fddbc7", "#f4a582", "#d6604d"),
    -1: ("#d1e5f0", "#92c5de", "#4393c3"),
}
NO_GRAD_COLOR = "#eeeeee"

# The sign of a weight (or a δ) in every view: red positive, blue negative, as GRAD_COLORS. The
# playground's script (deltagrad/playground/static/playground.js) repeats the two values; a test
# compares them.
SIGN_COLORS = {1: "#c0392b", -1: "#2e6fb5"}
SIGN_LEGEND = "red w > 0, blue w < 0"
_GRAD_LEVELS = (0.1, 0.5)  # |grad| / max |grad| above which a node gets the middle, dark shade


def grad_color(g: float | None, largest: float) -> str:
    """The fill for a gradient ``g`` in a graph whose largest |gradient| is ``largest``."""
    if g is None or not math.isfinite(g):
        return NO_GRAD_COLOR
    if g == 0 or largest == 0:
        return ROLE_COLORS["interior"]
    ratio = abs(g) / largest
    shade = sum(ratio > level for level in _GRAD_LEVELS)
    return GRAD_COLORS[1 if g > 0 else -1][shade]


def grad_legend() -> list[tuple[str, str]]:
    """Legend entries (text, colour) for :func:`grad_color`."""
    low, high = _GRAD_LEVELS
    sizes = (f"small (≤ {low:g}·max)", "medium", f"large (> {high:g}·max)")
    positive = [(f"grad > 0, {size}", color) for size, color in zip(sizes, GRAD_COLORS[1])]
    negative = [(f"grad < 0, {size}", color) for size, color in zip(sizes, GRAD_COLORS[-1])]
    return positive[::-1] + [("grad = 0", ROLE_COLORS["interior"])] + negative + [("no gradient", NO_GRAD_COLOR)]


def add_legend(graph: graphviz.Digraph, entries: Sequence[tuple[str, str]],
               notes: Sequence[str] = (), width: int | None = None) -> None:
    """Draw a legend box inside ``graph``: one swatch per (text, colour) entry, then ``notes``.

    Args:
        graph: the picture to draw into.
        entries: (text, fill colour) pairs.
        notes: lines of explanation under the swatches.
        width: wrap every line at this many characters (a legend beside a narrow box stays as
            narrow); None to keep each line whole.
    """
    if width is not None:
        entries = [(line, color if k == 0 else "")
                   for text, color in entries for k, line in enumerate(_wrap(text, width))]
        notes = [line for note in notes for line in _wrap(note, width)]
    # Notes sit in the text column (not spanning both) so the swatch column stays narrow.
    rows = "".join(
        (_swatch(color) if color else "<TR><TD></TD>")
        + f'<TD ALIGN="LEFT">{html.escape(text)}</TD></TR>'
        for text, color in entries
    )
    rows += "".join(f'<TR><TD></TD><TD ALIGN="LEFT">{html.escape(note)}</TD></TR>' for note in notes)
    table = f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2" COLOR="#999999">{rows}</TABLE>>'
    graph.node("legend", label=table, shape="plain", fontsize="10")




def _swatch(color: str) -> str:
    return f'<TR><TD BGCOLOR="{color}" BORDER="1" WIDTH="16" HEIGHT="12" FIXEDSIZE="TRUE"></TD>'


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, the leading indent kept and the lines
    after the first indented two more (they continue it)."""
    indent = text[: len(text) - len(text.lstrip())]
    return textwrap.wrap(text, width, initial_indent="", subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [text]
