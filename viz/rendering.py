"""Writing pictures to files: svg, png, pdf or the DOT source itself."""

from __future__ import annotations

import ctypes
import functools
import logging
import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from autograd import Value
from autograd.validate import output_file, real

from .graph import draw_graph
from .tracing import Trace

__all__ = ["render", "output_format", "write_file", "GraphvizNotFound", "FORMATS", "INSTALL_HINT", "pipe_svg",
           "run_dot", "dot_time_limit", "DotTimeout", "DOT_TIMEOUT_VARIABLE", "DEFAULT_DOT_TIMEOUT",
           "warn_missing_dot"]

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


DOT_TIMEOUT_VARIABLE = "DELTAGRAD_DOT_TIMEOUT"  # seconds; the environment's way to raise the limit
DEFAULT_DOT_TIMEOUT = 60.0  # seconds of wall-clock time one dot run may take
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_log = logging.getLogger("deltagrad")  # unconfigured, a warning is one line on stderr
_warned_missing = False


class DotTimeout(TimeoutError):
    """``dot`` took longer than the time limit and was stopped (no picture was made)."""


def dot_time_limit(seconds: float | None = None) -> float:
    """The wall-clock limit for one ``dot`` run: ``seconds`` when given, else the environment
    variable ``DELTAGRAD_DOT_TIMEOUT``, else ``DEFAULT_DOT_TIMEOUT``. ``math.inf``: no limit.

    Raises:
        ValueError: the limit is not a number > 0 (naming ``dot_timeout`` or the variable).
    """
    name, value = "dot_timeout", seconds
    if seconds is None:
        name, value = DOT_TIMEOUT_VARIABLE, os.environ.get(DOT_TIMEOUT_VARIABLE)
        if value is None or not value.strip():
            return DEFAULT_DOT_TIMEOUT
        try:
            value = float(value)
        except ValueError:
            raise ValueError(f"{name} must be a number of seconds > 0, got {value[:40]!r}") from None
    limit = real(value, name)
    if not limit > 0:  # NaN too
        raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
    return limit


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()  # looked up here: the child may only call it (see _die_with_parent)


def _die_with_parent(parent: int) -> None:
    """In the forked child before it becomes ``dot``: die when the Python process does, even by
    SIGKILL, which no handler sees (so no ``dot`` outlives ``deltagrad graph``)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _stop(process: subprocess.Popen) -> None:
    """Kill ``process`` and its process group (anything dot started), and reap it."""
    try:
        if hasattr(os, "killpg"):  # dot leads its own group (start_new_session)
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def run_dot(source: str, fmt: str, *, timeout: float | None = None) -> bytes:
    """What ``dot -T{fmt}`` makes of ``source``, within a wall-clock limit.

    ``dot`` runs in its own process group, killed as a group when the limit passes or Python is
    interrupted, and (on Linux) it dies with the Python process that started it.

    Args:
        source: DOT text.
        fmt: a Graphviz output format (``"svg"``, ``"png"``, ``"pdf"``).
        timeout: seconds; None for ``dot_time_limit()``'s (the environment's, or the default).

    Returns:
        dot's output.

    Raises:
        GraphvizNotFound: ``dot`` is not on PATH.
        DotTimeout: ``dot`` ran longer than the limit (the message says how to raise it).
        RuntimeError: ``dot`` failed (its first line of error output).
    """
    limit = dot_time_limit(timeout)
    options: dict[str, Any] = {"start_new_session": True} if hasattr(os, "setsid") else {}
    if _prctl is not None:
        options["preexec_fn"] = functools.partial(_die_with_parent, os.getpid())
    try:
        process = subprocess.Popen(["dot", f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, **options)
    except FileNotFoundError:
        raise GraphvizNotFound(None, fmt) from None
    try:
        out, err = process.communicate(source.encode("utf-8"), timeout=None if math.isinf(limit) else limit)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise DotTimeout(
            f"dot took more than {limit:g} s to lay out the graph and was stopped; raise the limit "
            f"with dot_timeout= (seconds), {DOT_TIMEOUT_VARIABLE}=SECONDS or --dot-timeout, or draw "
            "a smaller graph"
        ) from None
    except BaseException:  # KeyboardInterrupt: no dot is left behind
        _stop(process)
        raise
    if process.returncode != 0:
        first = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0][:200]
        raise RuntimeError(f"dot failed with exit status {process.returncode}: {first}")
    return out


def pipe_svg(source: str, *, timeout: float | None = None) -> str:
    """The SVG that ``dot`` makes of ``source``; raises ``GraphvizNotFound`` without ``dot``
    and ``DotTimeout`` past the time limit (see :func:`run_dot`)."""
    return run_dot(source, "svg", timeout=timeout).decode("utf-8")


def warn_missing_dot(written: Path | None = None) -> None:
    """Say once per process, in one line with the install command, that ``dot`` is missing."""
    global _warned_missing
    if _warned_missing:
        return
    _warned_missing = True
    where = f"; wrote the DOT source {written} instead" if written is not None else ""
    _log.warning("deltagrad: Graphviz's dot was not found, so pictures are not rendered%s. %s",
                 where, INSTALL_HINT)


def render(obj: Any, path: str | os.PathLike, format: str | None = None, *,  # noqa: A002
           dot_timeout: float | None = None) -> Path:
    """Write ``obj`` (a ``graphviz.Digraph`` such as ``draw_graph`` returns) to ``path``.

    Args:
        obj: a Digraph or Source (anything with a ``.source`` DOT string), or a Value (its
            graph is drawn with ``draw_graph``'s defaults).
        path: the file to write, exactly this name (no suffix is added).
        format: ``"svg"``, ``"png"``, ``"pdf"`` or ``"dot"``; by default taken from the suffix
            of ``path`` (``.gv`` counts as dot). It must agree with a known suffix.
        dot_timeout: seconds ``dot`` may take; None for ``DELTAGRAD_DOT_TIMEOUT`` or the default
            (``DEFAULT_DOT_TIMEOUT``); ``math.inf`` for no limit.

    Returns:
        The path written: ``path``, or, when Graphviz's ``dot`` is not installed, the DOT source
        beside it (same name, suffix ``.dot``); then a one-line warning (once per process) says
        how to install Graphviz, and the script goes on.

    Raises:
        DotTimeout: ``dot`` took longer than the limit (it was stopped; nothing was written).
    """
    fmt = output_format(path, format)  # before drawing: a bad path costs no picture
    limit = dot_time_limit(dot_timeout)  # checked before any work, like the path
    source = _source(obj)
    target = Path(path)
    if fmt == "dot":
        data = source.encode("utf-8")
    else:
        try:
            data = run_dot(source, fmt, timeout=limit)
        except GraphvizNotFound:
            target = target.with_suffix(".dot")
            write_file(target, source.encode("utf-8"), "render")
            warn_missing_dot(target)
            return target
    write_file(target, data, "render")
    return target
