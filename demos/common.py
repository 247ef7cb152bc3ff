"""What every demo script shares: its command line, optional plots, pictures that degrade to notes.

A demo is run as a script (``python demos/01_sigmoid_unit.py --out out/01 --quick``); it imports
this module from its own folder. Nothing in the packages imports ``demos``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Callable

PLOT_HINT = "pip install 'deltagrad[plot]'"


def have_matplotlib() -> bool:
    """Whether the optional plotting extra is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def plot(path: Path, draw: Callable[[Any], None], what: str) -> Path | None:
    """Draw with matplotlib (``draw(pyplot)``) into ``path``, or print why it was skipped.

    Args:
        path: the .png to write.
        draw: makes the figure with the ``matplotlib.pyplot`` module it is given.
        what: a few words naming the plot, for the note when matplotlib is missing.

    Returns:
        The path written, or None when matplotlib is not installed.
    """
    if not have_matplotlib():
        print(f"note: skipped the plot of {what}: matplotlib is not installed ({PLOT_HINT})")
        return None
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    draw(plt)
    plt.tight_layout()
    plt.savefig(path, dpi=110)
    plt.close("all")
    print(f"wrote {path}")
    return path


def picture(graph: Any, path: Path) -> Path:
    """Render a Graphviz graph with ``viz.render``; without ``dot``, keep the .dot source and say so.

    Returns:
        The file written: ``path``, or the ``.dot`` source beside it when ``dot`` is missing.
    """
    from viz import render
    from viz.rendering import INSTALL_HINT

    written = render(graph, path)
    if written != path:  # no dot: render wrote the .dot source beside it
        print(f"note: skipped {path.name}: Graphviz's dot is not installed ({INSTALL_HINT}); "
              f"wrote the source {written.name} instead")
        return written
    print(f"wrote {written}")
    return written


def write_json(path: Path, data: dict) -> None:
    """Save the demo's numbers (what ``main`` returns) for the tour and for tests."""
    path.write_text(json.dumps(data, indent=2, default=float) + "\n", encoding="utf-8")


def run(main: Callable[..., dict], description: str, argv: list[str] | None = None) -> int:
    """The demo's command line: ``--out DIR`` (default out/<script name>) and ``--quick``."""
    script = Path(sys.argv[0]).stem
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=Path("out") / script, help="folder for pictures and numbers")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few seconds at most")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = main(args.out, quick=args.quick)
    write_json(args.out / "results.json", results)
    return 0

