"""Text for Graphviz record labels: user labels may hold any character."""

from __future__ import annotations

import json
import re
from typing import Any

import graphviz

__all__ = ["record_field", "plain_label", "script_json", "one_line", "code_fence", "printable"]

# Characters that structure a record label; a backslash makes each one literal.
_RECORD_SPECIAL = {c: "\\" + c for c in '\\{}|<>"'}
# Graphviz (2.43) moves a space that follows a multi-byte character to the end of a record field
# ("δ = 1" shows as "δ= 1 "); a no-break space there is kept in place.
_SPACE_AFTER_NON_ASCII = re.compile(r"(?<=[^\x00-\x7f]) ")
# Control characters other than line breaks: dot drops them, and a NUL ends its input.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Unicode's own line breaks: dot would keep them raw in the source; they break the line as \n does.
_UNICODE_BREAKS = {0x85: "\n", 0x2028: "\n", 0x2029: "\n"}


# Everything str.splitlines breaks at: a Markdown, LaTeX or terminal reader may start a line there.
_LINE_BREAKS = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
LINE_BREAK_MARK = "⏎"  # what a line break inside a label shows as in one-line text


def one_line(text: str) -> str:
    """``text`` with every line break (``\\n``, ``\\r\\n``, U+2028 ...) shown as ``⏎``, so that
    a label cannot start a line of its own in Markdown, LaTeX or a terminal (a code fence, a blank
    line ending an ``align*``)."""
    return _LINE_BREAKS.sub(LINE_BREAK_MARK, text)


def code_fence(text: str) -> str:
    """The backticks that open and close a Markdown code block holding ``text``: at least three,
    and more than the longest run of backticks in it, so nothing inside can close the block."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    return "`" * max(3, longest + 1)


def script_json(data: Any, **dumps: Any) -> str:
    """``data`` as JSON to embed in a ``<script>`` element that cannot change how the page parses:
    no ``<``, ``>`` or ``&`` (a label holding ``</script>`` or ``<!--<script>`` would end the script
    early or keep it from ending). ``dumps``: more arguments for ``json.dumps``."""
    text = json.dumps(data, ensure_ascii=False, **dumps)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def printable(text: str) -> str:
    """``text`` without control characters: a tab as a space, the others but line breaks as
    U+FFFD (dot drops them and a NUL ends its input; a page or a terminal must not get them)."""
    return _CONTROL.sub("\ufffd", text.replace("\t", " "))


def _literal(text: str) -> str:
    """``text`` with what Graphviz reads in any label made literal: entities (``&amp;`` would
    show as ``&``) and control characters (see :func:`printable`); Unicode's line breaks
    (U+0085, U+2028, U+2029) become newlines, which the callers turn into ``\\n``."""
    return printable(text.replace("&", "&amp;").translate(_UNICODE_BREAKS))


def record_field(text: str) -> str:
    """``text`` made safe as one field of a ``shape=record`` label.

    Backslashes and the record syntax characters ``{ } | < > "`` are escaped; a newline becomes
    Graphviz's centred line break ``\\n``, so a multi-line label stays inside its field; ``&``
    and control characters are made literal too.

    Args:
        text: any string.

    Returns:
        The escaped field text (to be joined with ``|`` into a record label).
    """
    if not isinstance(text, str):
        raise TypeError(f"record_field: text must be a str, got {type(text).__name__}")
    escaped = _SPACE_AFTER_NON_ASCII.sub("\u00a0", "".join(_RECORD_SPECIAL.get(c, c) for c in _literal(text)))
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def plain_label(text: str) -> str:
    """``text`` made safe as an ordinary (non-record, non-HTML) Graphviz label.

    Backslashes are doubled so that ``\\N`` or ``\\l`` in a user's label stay literal, newlines
    become Graphviz's ``\\n``, ``&`` and control characters are made literal, and text that looks
    like ``<...>`` is not taken for HTML.

    Args:
        text: any string.

    Returns:
        The label text, marked so the graphviz package quotes it as a plain string.
    """
    if not isinstance(text, str):
        raise TypeError(f"plain_label: text must be a str, got {type(text).__name__}")
    escaped = _literal(text).replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return graphviz.nohtml(escaped)
