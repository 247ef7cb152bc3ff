"""The op table's formula texts with names put in: the one place where a row's ``x``, ``y``, ``a``
... become the names a picture, a page or an explanation uses (``1 − y²`` -> ``1 − o²``).

The op table writes a local derivative in its own letters (``autograd.ops``): ``x`` (or ``a``,
``b``) for the operands, ``y`` for the op's output, ``eˣ`` for the exponential of the operand.
"""

from __future__ import annotations

import re
from typing import Mapping

from autograd import OPS

__all__ = ["fill", "derivative_text"]

# A word of a formula: a name that does not continue a longer name (the x of "x1" is not one).
_WORD = re.compile(r"eˣ|(?<![A-Za-z_])[A-Za-z_][A-Za-z_0-9]*")
_SUPERSCRIPT = dict(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"))


def fill(text: str, names: Mapping[str, str]) -> str:
    """Put names into a formula of the op table.

    Each word of ``text`` found in ``names`` becomes its name; other words stay. ``eˣ`` becomes
    ``e`` with the operand's name as a superscript when that name is one letter (``eᵛ``), else
    ``exp(name)``. A product written by juxtaposition (``y(1 − y)``, ``3x²``) gets a visible ``·``
    where a name replaces a letter (``o·(1 − o)``, ``3·x1²``), so that it cannot read as a call.

    Args:
        text: the formula, e.g. ``y(1 − y)``.
        names: word -> the text to put in its place (already parenthesised where it must be).

    Returns:
        The formula with the names in.
    """
    def put(match: re.Match) -> str:
        word = match[0]
        if word == "eˣ":
            operand = names.get("x", "x")
            return "e" + _SUPERSCRIPT[operand] if operand in _SUPERSCRIPT else f"exp({operand})"
        out = names.get(word, word)
        if out == word:
            return word
        before = "·" if match.start() > 0 and text[match.start() - 1].isdigit() else ""
        after = "·" if text[match.end() : match.end() + 1] == "(" else ""
        return before + out + after

    return _WORD.sub(put, text)


def derivative_text(op_name: str, operand: str = "v", output: str = "y") -> str:
    """φ′ as text: the local derivative of a one-operand op (an activation) from the op table.

    ``derivative_text("sigmoid")`` is ``y(1 − y)``, ``derivative_text("elu")`` is
    ``1 if v > 0 else alpha·eᵛ``; ``linear`` (nn's identity unit, not an op) is ``1``; an op
    registered without a formula is ``∂y/∂v``.

    Args:
        op_name: a name of the op table, or ``linear``.
        operand: the name put in for the op's operand (the table's ``x``).
        output: the name put in for the op's output (the table's ``y``).

    Returns:
        The formula text.
    """
    if op_name == "linear":
        return "1"
    op = OPS.get(op_name)
    if op is None or not op.formula:
        return f"∂{output}/∂{operand}"
    return fill(op.formula[0], {"x": operand, "a": operand, "y": output})
