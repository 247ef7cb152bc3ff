"""The playground's page, from the package's files ``static/page.html``, ``playground.css`` and
``playground.js``: served as three files by the server, or inlined into one offline page for a
recording."""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from viz.escape import script_json

__all__ = ["ASSETS", "CSP", "NON_FINITE", "asset", "json_ready", "live", "recorded", "to_json"]

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


# JSON has no NaN or infinity, which a diverged run holds: they travel as these strings, and the
# page's script reads them back as numbers. Finite numbers are never written as strings.
NON_FINITE = ("NaN", "Infinity", "-Infinity")


def json_ready(data: Any) -> Any:
    """``data`` (dicts, lists, tuples, numbers, strings) with each NaN, inf and -inf replaced by
    its string in ``NON_FINITE``; everything else as it is."""
    if isinstance(data, float):
        if math.isfinite(data):
            return data
        return NON_FINITE[0] if math.isnan(data) else NON_FINITE[1] if data > 0 else NON_FINITE[2]
    if isinstance(data, dict):
        return {key: json_ready(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_ready(item) for item in data]
    return data


def to_json(data: Any) -> str:
    """``data`` as the JSON text the page reads (non-finite numbers as in ``json_ready``)."""
    try:
        return json.dumps(data, allow_nan=False)
    except ValueError:  # a NaN or an infinity somewhere: rare, so only then walk the data
        return json.dumps(json_ready(data), allow_nan=False)


def live(token: str = "") -> str:
    """The page the server sends: it loads its style and script from the server, and carries the
    server's ``token`` (its script sends it back with each request)."""
    script = f'<script src="/playground.js" data-token="{html.escape(token)}"></script>'
    return (_text("page.html")
            .replace("<!--STYLE-->", '<link rel="stylesheet" href="/playground.css">')
            .replace("<!--SCRIPT-->", script))


def asset(path: str, token: str = "") -> tuple[bytes, str]:
    """The body and content type of one of ``ASSETS`` (the page carries ``token``)."""
    name, kind = ASSETS[path]
    text = live(token) if name == "page.html" else _text(name)
    return text.encode("utf-8"), kind


def recorded(recording: dict[str, Any]) -> str:
    """One self-contained page showing a recording (see ``recorder.record``): style, script and
    data inline, nothing fetched."""
    data = script_json(json_ready(recording), allow_nan=False, separators=(",", ":"))
    return (_text("page.html")
            .replace("<!--STYLE-->", f"<style>\n{_text('playground.css')}</style>")
            .replace("<!--SCRIPT-->", f'<script type="application/json" id="recording">{data}</script>\n'
                                      f"<script>\n{_text('playground.js')}</script>"))
