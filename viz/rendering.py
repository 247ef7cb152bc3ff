"""Writing pictures to files: svg, png, pdf or the DOT source itself."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

__all__ = ["render", "output_format", "output_path", "write_file", "GraphvizNotFound", "FORMATS", "INSTALL_HINT", "pipe_svg"]

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


def output_path(path: Any, name: str) -> Path:
    """``path`` checked as a file to write: a str or Path, not a folder, in a folder that exists.

    Args:
        path: the file name to check.
        name: how errors name it (``"render: path"``, ``"--steps"``).

    Returns:
        ``path`` as a Path. TypeError, IsADirectoryError or FileNotFoundError otherwise.
    """
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes):
        raise TypeError(f"{name} must be a file name (str or Path), got {type(path).__name__}")
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{name} {str(target)!r} is a folder; give a file name")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{name}: the folder {str(target.parent)!r} does not exist")
    return target


def write_file(path: Path, data: bytes, name: str) -> None:
    """Write ``data`` to ``path``; an OSError names the file (``name: cannot write 'a.svg': ...``)."""
    try:
        path.write_bytes(data)
    except OSError as error:
        raise type(error)(f"{name}: cannot write {str(path)!r}: {error.strerror or error}") from error


def output_format(path: str | os.PathLike, format: str | None = None) -> str:  # noqa: A002 - render's argument name
    """The format ``render(obj, path, format)`` would write, checking the path (see :func:`output_path`).

    Lets a caller refuse a bad output before doing any work. ValueError for an unknown format or
    suffix, or a format that contradicts a known suffix (PNG bytes in ``a.svg``).
    """
    path = output_path(path, "render: path")
    implied = _SUFFIXES.get(path.suffix.lower())
    if format is None:
        if implied is None:
            raise ValueError(
                f"render: cannot tell the format from the file name {str(path)!r}; use a suffix "
                f"{', '.join(sorted(_SUFFIXES))} or pass format= one of {', '.join(FORMATS)}"
            )
        return implied
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if implied is not None and implied != format:
        raise ValueError(
            f"render: format={format!r} but the file name {str(path)!r} ends in {path.suffix!r}; "
            f"drop format= or name the file .{format}"
        )
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
            of ``path`` (``.gv`` counts as dot). It must agree with a known suffix.

    Returns:
        The path written.

    Raises:
        GraphvizNotFound: ``dot`` is not installed; the DOT source was written next to ``path``
            (same name, suffix ``.dot``) and the message says how to install Graphviz.
    """
    source = _source(obj)
    fmt = output_format(path, format)
    target = Path(path)
    if fmt == "dot":
        write_file(target, source.encode("utf-8"), "render")
        return target
    try:
        data = graphviz.Source(source).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        dot_path = target.with_suffix(".dot")
        write_file(dot_path, source.encode("utf-8"), "render")
        raise GraphvizNotFound(dot_path, fmt) from None
    write_file(target, data, "render")
    return target
