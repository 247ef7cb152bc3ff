"""Writing pictures to files: svg, png, pdf or the DOT source itself."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

__all__ = ["render", "output_format", "GraphvizNotFound", "FORMATS", "INSTALL_HINT", "pipe_svg"]

FORMATS = ("svg", "png", "pdf", "dot")
_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
INSTALL_HINT = "install Graphviz: sudo apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS)"


class GraphvizNotFound(RuntimeError):
    """Graphviz's ``dot`` program is not installed (or not on PATH), so no picture was made.

    Attributes:
        dot_path: where the DOT source was written instead (render it later with ``dot``).
    """

    def __init__(self, dot_path: Path | None, wanted: str) -> None:
        self.dot_path = dot_path
        where = f"; the DOT source was written to {dot_path}" if dot_path is not None else ""
        super().__init__(f"Graphviz's dot program was not found, so no {wanted} was made{where}. To get pictures, {INSTALL_HINT}")


def _source(obj: Any) -> str:
    source = getattr(obj, "source", None)
    if not isinstance(source, str):
        raise TypeError(f"render: obj must be a graphviz Digraph/Source (with .source), got {type(obj).__name__}")
    return source


def output_format(path: str | os.PathLike, format: str | None = None) -> str:  # noqa: A002 - render's argument name
    """The format ``render(obj, path, format)`` would write, checking the folder exists.

    Lets a caller refuse a bad output before doing any work. ValueError for an unknown format or
    suffix, FileNotFoundError for a missing folder.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"render: the folder {str(path.parent)!r} does not exist")
    if format is None:
        fmt = _SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(
                f"render: cannot tell the format from the file name {str(path)!r}; use a suffix "
                f"{', '.join(sorted(_SUFFIXES))} or pass format= one of {', '.join(FORMATS)}"
            )
        return fmt
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}, got {format!r}")
    return format


def pipe_svg(source: str) -> str:
    """The SVG that ``dot`` makes of ``source``; raises ``GraphvizNotFound`` without ``dot``."""
    try:
        return graphviz.Source(source).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(None, "svg") from None


def render(obj: Any, path: str | os.PathLike, format: str | None = None) -> Path:  # noqa: A002
    """Write ``obj`` (a ``graphviz.Digraph`` such as ``draw_graph`` returns) to ``path``.

    Args:
        obj: a Digraph or Source (anything with a ``.source`` DOT string).
        path: the file to write, exactly this name (no suffix is added).
        format: ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"``; by default taken from the suffix
            of ``path`` (``.gv`` counts as dot).

    Returns:
        The path written.

    Raises:
        GraphvizNotFound: ``dot`` is not installed; the DOT source was written next to ``path``
            (same name, suffix ``.dot``) and the message says how to install Graphviz.
    """
    source = _source(obj)
    target = Path(path)
    fmt = output_format(target, format)
    if fmt == "dot":
        target.write_text(source, encoding="utf-8")
        return target
    try:
        data = graphviz.Source(source).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        dot_path = target.with_suffix(".dot")
        dot_path.write_text(source, encoding="utf-8")
        raise GraphvizNotFound(dot_path, fmt) from None
    target.write_bytes(data)
    return target
