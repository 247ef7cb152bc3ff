"""Number formatting shared by reprs and pictures: significant digits, so 1e-05 never shows as 0.0."""

from __future__ import annotations

import math

__all__ = ["format_number"]


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
