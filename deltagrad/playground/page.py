"""The playground's page, from the package's files ``static/page.html``, ``playground.css`` and
``playground.js``: served as three files by the server, or inlined into one offline page for a
recording."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from viz.escape import script_json

__all__ = ["ASSETS", "CSP", "asset", "live", "recorded"]

# What the server may send besides its API: path -> (file, content type).
ASSETS = {
    "/": ("page.html", "text/html; charset=utf-8"),
    "/playground.css": ("playground.css", "text/css; charset=utf-8"),
    "/playground.js": ("playground.js", "text/javascript; charset=utf-8"),
}

# The live page loads nothing but its own files and talks to nothing but its own server.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@lru_cache(maxsize=None)
def _text(name: str) -> str:
    return (resources.files(__package__) / "static" / name).read_text(encoding="utf-8")


def live() -> str:
    """The page the server sends: it loads its style and script from the server."""
    return (_text("page.html")
            .replace("<!--STYLE-->", '<link rel="stylesheet" href="/playground.css">')
            .replace("<!--SCRIPT-->", '<script src="/playground.js"></script>'))


def asset(path: str) -> tuple[bytes, str]:
    """The body and content type of one of ``ASSETS``."""
    name, kind = ASSETS[path]
    text = live() if name == "page.html" else _text(name)
    return text.encode("utf-8"), kind


def recorded(recording: dict[str, Any]) -> str:
    """One self-contained page showing a recording (see ``recorder.record``): style, script and
    data inline, nothing fetched."""
    return (_text("page.html")
            .replace("<!--STYLE-->", f"<style>\n{_text('playground.css')}</style>")
            .replace("<!--SCRIPT-->", f'<script type="application/json" id="recording">{script_json(recording, allow_nan=False, separators=(",", ":"))}</script>\n'
                                      f"<script>\n{_text('playground.js')}</script>"))
