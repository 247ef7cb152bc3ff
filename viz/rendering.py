"""Writing pictures to files: svg, png, pdf or the DOT source itself."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

from autograd import Value
from autograd.validate import output_file

from .graph import draw_graph
from .tracing import Trace

__all__ = ["render", "output_format", "write_file", "GraphvizNotFound", "FORMATS", "INSTALL_HINT", "pipe_svg"]

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
    if isinstance(obj, (Value, Trace)):  # a graph's root: draw it, as draw_dot(root).render() does
        obj = draw_graph(obj)
    source = getattr(obj, "source", None)
    if not isinstance(source, str):
        raise TypeError(f"obj must be a graphviz Digraph/Source (with .source) or a Value, got {type(obj).__name__}")
    return source


def write_file(path: Path, data: bytes, name: str) -> None:
    """Write ``data`` to ``path``; an OSError names the file (``name: cannot write 'a.svg': ...``)."""
    try:
        path.write_bytes(data)
    except OSError as error:
        raise type(error)(f"{name}: cannot write {str(path)!r}: {error.strerror or error}") from error


def output_format(path: str | os.PathLike, format: str | None = None, *,  # noqa: A002 - render's argument
                  path_name: str = "path", format_name: str = "format=") -> str:
    """The format ``render(obj, path, format)`` would write, checking both (the path as
    ``autograd.validate.output_file`` does); a caller refuses a bad output before doing any work.

    ValueError for an unknown format or suffix, or a format that contradicts a known suffix (PNG
    bytes in ``a.svg``). Errors name the arguments as ``path_name`` and ``format_name`` (the
    command line's ``-o`` and ``--format``).
    """
    path = output_file(path, path_name)
    implied = _SUFFIXES.get(path.suffix.lower())
    if format is None:
        if implied is None:
            raise ValueError(
                f"cannot tell the format from the file name {str(path)!r} ({path_name}); use a suffix "
                f"{', '.join(sorted(_SUFFIXES))} or {format_name}one of {', '.join(FORMATS)}"
            )
        return implied
    if format not in FORMATS:
        raise ValueError(f"{format_name.strip(' =')} must be one of {', '.join(FORMATS)}, got {format!r}")
    if implied is not None and implied != format:
        raise ValueError(
            f"{format_name}{format} but the file name {str(path)!r} ends in {path.suffix!r}; "
            f"drop {format_name.strip(' =')} or name the file .{format}"
        )
    return format


def _pipe(source: str, fmt: str, encoding: str | None = None, dot_path: Path | None = None) -> Any:
    """What ``dot`` makes of ``source`` in ``fmt`` (bytes, or text with ``encoding``). Without
    ``dot``: GraphvizNotFound, after writing the source to ``dot_path`` when one is given."""
    try:
        return graphviz.Source(source).pipe(format=fmt, encoding=encoding)
    except graphviz.ExecutableNotFound:
        if dot_path is not None:
            write_file(dot_path, source.encode("utf-8"), "render")
        raise GraphvizNotFound(dot_path, fmt) from None


def pipe_svg(source: str) -> str:
    """The SVG that ``dot`` makes of ``source``; raises ``GraphvizNotFound`` without ``dot``."""
    return _pipe(source, "svg", "utf-8")


def render(obj: Any, path: str | os.PathLike, format: str | None = None) -> Path:  # noqa: A002
    """Write ``obj`` (a ``graphviz.Digraph`` such as ``draw_graph`` returns) to ``path``.

    Args:
        obj: a Digraph or Source (anything with a ``.source`` DOT string), or a Value (its
            graph is drawn with ``draw_graph``'s defaults).
        path: the file to write, exactly this name (no suffix is added).
        format: ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"``; by default taken from the suffix
            of ``path`` (``.gv`` counts as dot). It must agree with a known suffix.

    Returns:
        The path written.

    Raises:
        GraphvizNotFound: ``dot`` is not installed; the DOT source was written next to ``path``
            (same name, suffix ``.dot``) and the message says how to install Graphviz.
    """
    fmt = output_format(path, format)  # before drawing: a bad path costs no picture
    source = _source(obj)
    target = Path(path)
    data = source.encode("utf-8") if fmt == "dot" else _pipe(source, fmt, dot_path=target.with_suffix(".dot"))
    write_file(target, data, "render")
    return target
