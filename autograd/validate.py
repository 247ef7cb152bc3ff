"""The shared argument checks: every public function checks its arguments on entry with these.

Each check returns the argument in the form the caller uses (a float, an int, a list, a Path) or
raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong value), naming the
argument and showing the value. Internal calls trust their callers and check nothing again.
"""

from __future__ import annotations

import math
import numbers
import os
import reprlib
from collections.abc import Iterable, Mapping, Set
from pathlib import Path
from typing import Any, Sequence

__all__ = ["real", "finite", "positive", "whole", "flag", "one_of", "text", "label", "items",
           "output_file", "output_folder"]

_short = reprlib.Repr()
_short.maxstring = _short.maxother = 60


def shown(x: Any) -> str:
    """``x`` for an error message: its type and a repr cut to a readable length."""
    return f"{type(x).__name__} {_short.repr(x)}"


def real(x: Any, name: str) -> float:
    """``x`` as a float when it is a real number (int, float, NumPy real scalar); not a bool."""
    if type(x) is float:  # the common case first: isinstance against an ABC is slow
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(f"{name} is too large for a float, got an int of {x.bit_length()} bits") from None
    raise TypeError(f"{name} must be a real number (int, float or NumPy real scalar), got {shown(x)}")


def finite(x: Any, name: str) -> float:
    """``real`` that also refuses NaN and ±inf."""
    number = real(x, name)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def positive(x: Any, name: str, *, zero: bool = False) -> float:
    """A finite number > 0 (>= 0 with ``zero=True``)."""
    number = finite(x, name)
    if number < 0 or (number == 0 and not zero):
        raise ValueError(f"{name} must be {'>= 0' if zero else '> 0'}, got {number}")
    return number


def whole(x: Any, name: str, *, low: int = 1, high: int | None = None) -> int:
    """An int (not a bool) from ``low`` to ``high`` inclusive."""
    if not isinstance(x, numbers.Integral) or isinstance(x, bool):
        raise TypeError(f"{name} must be a whole number, got {shown(x)}")
    if x < low or (high is not None and x > high):
        bounds = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bounds}, got {x}")
    return int(x)


def flag(x: Any, name: str) -> bool:
    """True or False, nothing merely truthy (``"no"`` would be True)."""
    if x is not True and x is not False:
        raise TypeError(f"{name} must be True or False, got {shown(x)}")
    return x


def one_of(x: Any, name: str, choices: Sequence[Any]) -> Any:
    """``x`` when it is one of ``choices``."""
    if not any(x is c or (type(x) is type(c) and x == c) for c in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {_short.repr(x)}")
    return x


def text(x: Any, name: str) -> str:
    """A str."""
    if not isinstance(x, str):
        raise TypeError(f"{name} must be a str, got {shown(x)}")
    return x


def label(x: Any) -> str:
    """A node's label, a str. micrograd's ``Value(data, _children, _op)`` puts a tuple of children
    where deltagrad's ``Value(data, label)`` takes the label: that gets a message of its own."""
    if isinstance(x, (tuple, list, set, frozenset)):
        raise TypeError(f"micrograd's Value(data, _children, _op) is not supported: the second "
                        f"positional argument of Value is its label (a str), got {shown(x)}. "
                        f"Build nodes with the operators (a * b, a + b) or autograd.apply(op, ...)")
    return text(x, "label")


def items(x: Any, name: str, what: str = "a sequence of Values or numbers") -> list[Any]:
    """The elements of an ordered iterable as a list (a str, a mapping or a set is refused)."""
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, (str, bytes, Mapping, Set)) or not isinstance(x, Iterable):
        raise TypeError(f"{name} must be {what}, got {shown(x)}")
    return list(x)


def output_file(path: Any, name: str, suffixes: Sequence[str] | None = None) -> Path:
    """A file name to write: a str or Path, not a folder. Its folder is made when missing, as
    Graphviz's ``render`` and ``deltagrad tour --out`` do.

    Args:
        path: the file to write.
        name: the argument's name for the error message.
        suffixes: when given, the name must end in one of these (``(".html", ".htm")``), in any case.

    Returns:
        The file name as a Path.
    """
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes):
        raise TypeError(f"{name} must be a file name (str or Path), got {shown(path)}")
    target = Path(path)
    if suffixes is not None and target.suffix.lower() not in {s.lower() for s in suffixes}:
        raise ValueError(f"{name} must be a file name ending in {' or '.join(suffixes)}, got {str(target)!r}")
    if target.is_dir():
        raise IsADirectoryError(f"{name} {str(target)!r} is a folder; give a file name")
    output_folder(target.parent, f"{name}'s folder")
    return target


def output_folder(path: Any, name: str) -> Path:
    """A folder to write into: made (with its parents) when missing; refused when it is a file
    or cannot be written."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder name (str or Path), got {shown(path)}")
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{name} {str(out)!r} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".deltagrad-write-test"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise OSError(f"{name} {str(out)!r} cannot be written into: {error.strerror or error}") from None
    return out
