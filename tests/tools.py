"""The programs some tests drive (Debian's Chromium, Graphviz's dot). Away from CI a missing one
skips those tests, saying why; on CI (``CI=true``), where ``make test`` installs them, it fails
the run instead, so that a skip never hides a missing dependency."""

from __future__ import annotations

import os
import shutil

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def program(*names: str, install: str) -> str | None:
    """The path of the first of ``names`` on PATH; None when there is none (an error on CI)."""
    path = next(filter(None, map(shutil.which, names)), None)
    if path is None and ON_CI:
        raise RuntimeError(f"{names[0]} is not installed, and CI must run every test ({install})")
    return path
