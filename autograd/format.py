"""Number formatting shared by reprs and pictures: significant digits, so 1e-05 never shows as 0.0."""

from __future__ import annotations

import math
from typing import Sequence

__all__ = ["format_number", "format_table"]


def format_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits; whole numbers keep a ``.0`` (``1.0``, not ``1``).

    Example:
        >>> format_number(0.70710678), format_number(1.0), format_number(1e-5), format_number(-3)
        ('0.7071', '1.0', '1e-05', '-3.0')
    """
    if not math.isfinite(x):
        return str(float(x))
    text = f"{x:.{digits}g}"
    if not any(c in text for c in ".en"):
        text += ".0"
    return text


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Text cells as aligned columns under a rule: the first column left-aligned, the rest right.

    Example:
        >>> print(format_table(["x", "f(x)"], [["a", "1.0"], ["bb", "-12.5"]]))
        x    f(x)
        --  -----
        a     1.0
        bb  -12.5
    """
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    pads = [str.ljust] + [str.rjust] * (len(widths) - 1)
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(pad(c, w) for pad, c, w in zip(pads, line, widths)).rstrip() for line in lines)
