"""The argparse converters the subcommands share: a whole number within bounds, a number, a comma list.

Each turns one command-line text into a value or raises ``argparse.ArgumentTypeError``, which
argparse prints after the option's name: ``argument --max-nodes: expected a positive whole
number, got '0'`` (exit status 2). The bounds are checked by ``autograd.validate``.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from autograd import validate

__all__ = ["whole", "number", "listed", "HTML"]

HTML = (".html", ".htm")  # the names a written page may have (--steps, --record)


def _named(parse: Callable[[str], Any], name: str) -> Callable[[str], Any]:
    # argparse names a converter by its __name__ when it fails otherwise ("invalid NAME value").
    parse.__name__ = parse.__qualname__ = name
    return parse


def _bounds(low: int | None, high: int | None) -> str:
    if low is None:
        return "a whole number"
    if high is not None:
        return f"a whole number from {low} to {high}"
    return "a positive whole number" if low == 1 else f"a whole number >= {low}"


def whole(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (either end open when None).

    Args:
        low: the smallest allowed; None for any (a later check, such as the playground's
            ``config.configure``, then bounds it).
        high: the largest allowed; None for no limit.

    Returns:
        The converter: ``text -> int``.
    """
    wanted = _bounds(low, high)

    def parse(text: str) -> int:
        try:
            n = int(text)  # "²" and "2.5" are refused here
            return n if low is None else validate.whole(n, "the value", low=low, high=high)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None

    return _named(parse, "whole number")


def number(text: str) -> float:
    """An argparse type: a number (``float``'s syntax); NaN and the bounds are the caller's to check."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def listed(item: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    """An argparse type: a comma-separated list (``8,8``) of what ``item`` converts.

    An empty (or blank) text is an empty list; an empty part between commas is refused by
    ``item``, as a typo.

    Args:
        item: the converter of one part, e.g. ``whole(1)``.

    Returns:
        The converter: ``text -> list``.
    """

    def parse(text: str) -> list[Any]:
        if not text.strip():
            return []
        return [item(part.strip()) for part in text.split(",")]

    return _named(parse, f"list of {getattr(item, '__name__', 'value')}")
