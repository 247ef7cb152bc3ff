"""Number formatting shared by reprs, pictures and reports.

Two styles:

- :func:`format_number`: significant digits, for a number on its own (a repr, a report line):
  ``1e-05`` never shows as ``0.0``.
- :func:`format_fixed` with decimals from :func:`choose_decimals`: one fixed number of decimals for
  every number of a picture (micrograd's ``%.4f``, trailing zeros dropped), chosen so that the
  sums and products a reader redoes by hand give the displayed result to its last digit. Tiny and
  huge magnitudes switch to scientific notation.

Neither ever prints a negative zero.

And the reverse, for grading a number someone wrote by hand: :func:`agrees_to_written` (is it the
value to the digits written?) and :func:`written_digits` (the number and its last written digit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Sequence

from . import validate

__all__ = ["format_number", "format_fixed", "choose_decimals", "Check", "format_table", "NumberFormat",
           "APPROX_MARK", "written_digits", "agrees_to_written",
           "GradedAnswer"]

# A hand check "Σ a_i·b_i = c": the terms (a_i, b_i) and the result c (a sum is terms (a_i, 1.0)).
Check = tuple[Sequence[tuple[float, float]], float]

SCIENTIFIC_ABOVE = 1e6  # from this magnitude on, fixed decimals would be mostly digits before the point


def format_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits; whole numbers keep a ``.0`` (``1.0``, not ``1``).

    Example:
        >>> format_number(0.70710678), format_number(1.0), format_number(1e-5), format_number(-3), format_number(-0.0)
        ('0.7071', '1.0', '1e-05', '-3.0', '0.0')
    """
    if not math.isfinite(x):
        return str(float(x))
    text = f"{x + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0
    # Never "-0": x + 0.0 is not -0.0, and %g shows a nonzero x with a nonzero leading digit.
    return text if any(c in text for c in ".en") else text + ".0"


def format_fixed(x: float, decimals: int = 4) -> str:
    """``x`` rounded to ``decimals`` decimals, trailing zeros dropped but one (``-6.0``, ``0.8814``).

    A nonzero number that would show fewer than two significant digits (``|x| < 10**(1 - decimals)``)
    or whose magnitude is at least 1e6 is written in scientific notation with four significant
    digits instead (``1.234e-05``). Never a negative zero.

    Args:
        x: the number.
        decimals: the picture's number of decimals (from :func:`choose_decimals`).

    Returns:
        The text.

    Example:
        >>> format_fixed(6.8813735870195432), format_fixed(-6.0), format_fixed(0.5000000001), format_fixed(-1.2e-5)
        ('6.8814', '-6.0', '0.5', '-1.2e-05')
    """
    if not math.isfinite(x):
        return str(float(x))
    if x != 0 and (abs(x) < 10.0 ** (1 - decimals) or abs(x) >= SCIENTIFIC_ABOVE):
        mantissa, exponent = f"{x:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    # Never "-0.0": x is 0 (x + 0.0 is not -0.0), or at least 10 units of the last decimal (else scientific).
    text = f"{x + 0.0:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0")
        text += "0" if text.endswith(".") else ""
    else:  # decimals == 0
        text += ".0"
    return text


def shown(x: float, decimals: int) -> float:
    """The value a reader sees: ``x`` as :func:`format_fixed` writes it, read back."""
    return float(format_fixed(x, decimals))


def _failures(checks: Sequence[Check], decimals: int) -> int:
    failed = 0
    for terms, result in checks:
        by_hand = math.fsum(shown(a, decimals) * shown(b, decimals) for a, b in terms)
        if format_fixed(by_hand, decimals) != format_fixed(result, decimals):
            failed += 1
    return failed


def choose_decimals(checks: Iterable[Check] = (), least: int = 4, most: int = 6) -> int:
    """The number of decimals for one picture: the fewest, from ``least`` to ``most``, with which
    every hand check reproduces its displayed result (else the one that fails the fewest checks).

    A check ``(terms, c)`` stands for the sum of products ``Σ a·b = c`` a reader may redo: a node's
    value from its operands (``-6.0·1 + 0.0·1 + 6.8814·1 = 0.8814``), or a gradient from its users
    (``grad[x] = Σ local × grad[user]``). It passes when the displayed operands give the displayed
    result to the last digit. Checks holding a non-finite number are ignored.

    Args:
        checks: the picture's hand checks.
        least: the fewest decimals (4, micrograd's ``%.4f``).
        most: the most.

    Returns:
        The number of decimals, for :func:`format_fixed`.

    Example:
        >>> choose_decimals([([(0.14644, 1.0), (-0.10355, 1.0)], 0.04289)])  # 0.1464 - 0.1036 != 0.0429
        5
    """
    usable = [(list(terms), c) for terms, c in checks
              if math.isfinite(c) and all(math.isfinite(a) and math.isfinite(b) for a, b in terms)]
    best, fewest = least, None
    for decimals in range(least, most + 1):
        failed = _failures(usable, decimals)
        if failed == 0:
            return decimals
        if fewest is None or failed < fewest:
            best, fewest = decimals, failed
    return best


APPROX_MARK = "≈"  # before a shown result that its shown operands, redone by hand, do not give


@dataclass(frozen=True)
class NumberFormat:
    """One view's way of writing numbers: the picture of a root, its step page's panels, its
    ``explain`` and the command line's lines about it all take the same one, so the same number
    is spelled the same everywhere.

    Attributes:
        decimals: every number's decimals (from :func:`choose_decimals` over the view's checks).

    Example:
        >>> numbers = NumberFormat(4)
        >>> numbers(-0.16184108), numbers.result(0.04289, 0.14644 - 0.10355)
        ('-0.1618', '0.0429')
        >>> numbers.result(0.04289, numbers.shown(0.14644) - numbers.shown(0.10355))
        '≈0.0429'
    """

    decimals: int

    @classmethod
    def for_checks(cls, checks: Iterable[Check]) -> NumberFormat:
        """The format whose decimals make the most of the view's hand ``checks`` add up."""
        return cls(choose_decimals(checks))

    def __call__(self, x: float) -> str:
        """``x`` as this view writes it (:func:`format_fixed`)."""
        return format_fixed(x, self.decimals)

    def shown(self, x: float) -> float:
        """The number a reader sees for ``x``, read back: what a hand computation starts from."""
        return shown(x, self.decimals)

    def result(self, x: float, by_hand: float) -> str:
        """``x``, a result the reader can redo, marked ``≈`` when ``by_hand`` (the same sum or
        product computed from the shown operands, :meth:`shown`) is written differently.

        Args:
            x: the exact result.
            by_hand: the result from the displayed operands.

        Returns:
            The text, ``0.0429`` or ``≈0.0429``.
        """
        text = self(x)
        if math.isfinite(by_hand) and math.isfinite(x) and self(by_hand) != text:
            return APPROX_MARK + text
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


# -- reading a number someone wrote -------------------------------------------------------------

FLOAT_NOISE = 1e-9  # relative: a computer's own rounding (17-digit numbers summed in another order)


@dataclass(frozen=True)
class GradedAnswer:
    """One graded answer of a learner: a row of ``nn.deltas.check``'s and ``viz.diagnose``'s
    reports (both grade to the digits written, :func:`agrees_to_written`)."""

    name: str  # the quantity, as the learner named it (``L0.N1.delta``, ``w1``)
    yours: float  # the learner's number
    correct: float  # the right one
    verdict: str  # one of the grader's verdicts: correct, carried, sign, ...
    why: str  # one sentence with the numbers


def written_digits(written: Any, name: str = "written") -> tuple[float, int]:
    """A number as someone wrote it, and the place of its last written digit.

    A str counts every digit written, trailing zeros too (``"0.0430"``: 4 decimals; ``"2.0"``: 1
    decimal; ``"1.2e3"``: hundreds; a Unicode minus ``−`` is read as ``-``). A number (int or
    float) cannot show trailing zeros, so its shortest repr counts without them (``0.0432``: 4
    decimals; ``2.0`` and ``2``: units; ``1230.0``: tens): pass a str to be graded on them.

    Args:
        written: a str or a real number.
        name: the argument's name, for the error message.

    Returns:
        ``(number, exponent)``: the exponent of the last written digit's place (``-4`` for
        ``"0.0430"``, ``2`` for ``"1.2e3"``, ``0`` for ``7.0``).

    Raises:
        ValueError: a str that is no number, or a number that is not finite.
        TypeError: neither a str nor a real number.

    Example:
        >>> [written_digits(w) for w in ("0.0430", 0.0432, 7.0, 1230)]
        [(0.043, -4), (0.0432, -4), (7.0, 0), (1230.0, 1)]
    """
    if isinstance(written, str):
        try:
            number = Decimal(written.strip().replace("−", "-"))
        except InvalidOperation:
            raise ValueError(f"{name} must be a number, got {validate.shown(written)}") from None
        if not number.is_finite():
            raise ValueError(f"{name} must be finite, got {validate.shown(written)}")
        return float(number), int(number.as_tuple().exponent)
    number = validate.finite(written, name)
    return number, int(Decimal(repr(number)).normalize().as_tuple().exponent)


def agrees_to_written(written: Any, value: float, units: float = 0.5) -> bool:
    """Whether ``value`` is the number ``written`` to the digits written: rounding ``value`` to
    the last written digit gives ``written`` (round half up).

    The rule every grader of deltagrad uses: 0.0432 for 0.043152 is correct, 0.0431 (truncated)
    is not. Two more points: at least two significant digits of ``value`` count, so ``0`` is not
    0.3 and ``"0.6"`` is not 0.64 (though it rounds to it: one significant digit tells little);
    and a relative 1e-9 is allowed for a computer's own rounding. A non-finite ``value`` agrees
    with nothing written.

    Args:
        written: the number as written (see :func:`written_digits`: a str keeps trailing zeros).
        value: the number to compare with.
        units: how many units of the last digit may separate them: 0.5 is rounding; 1.0 also
            allows for rounded numbers the writer computed it from.

    Returns:
        True when they agree.

    Example:
        >>> agrees_to_written(0.0432, 0.043152), agrees_to_written("0.0431", 0.043152)
        (True, False)
        >>> [agrees_to_written(w, 1234.5) for w in (1230, "1230.0", 1240)]
        [True, False, False]
        >>> agrees_to_written(0, 0.3)
        False
    """
    yours, exponent = written_digits(written)
    value = validate.real(value, "value")
    if not math.isfinite(value):
        return False
    unit = 10.0 ** exponent
    if value != 0:
        unit = min(unit, 10.0 ** (math.floor(math.log10(abs(value))) - 1))
    allowed = units * unit * (1 + FLOAT_NOISE) + FLOAT_NOISE * max(abs(yours), abs(value))
    return abs(yours - value) <= allowed
