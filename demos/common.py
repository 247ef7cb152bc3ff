"""What every demo script shares: its command line, optional plots, pictures that degrade to notes,
and the captions the tour's index shows under each file.

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


def caption(path: Path, text: str) -> Path:
    """Say what the file ``path`` shows: the tour's index writes ``text`` under it.

    The captions of a folder are kept in its ``captions.json`` ({file name: caption}).

    Returns:
        ``path``.
    """
    from deltagrad.tour import CAPTIONS

    book = path.parent / CAPTIONS
    captions = json.loads(book.read_text(encoding="utf-8")) if book.is_file() else {}
    captions[path.name] = text
    book.write_text(json.dumps(captions, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def plot(path: Path, draw: Callable[[Any], None], what: str) -> Path | None:
    """Draw with matplotlib (``draw(pyplot)``) into ``path``, or print why it was skipped.

    Args:
        path: the .png to write.
        draw: makes the figure with the ``matplotlib.pyplot`` module it is given.
        what: what the plot shows: its caption on the tour's index, and the note when
            matplotlib is missing.

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
    return caption(path, what)


def picture(graph: Any, path: Path, what: str = "") -> Path:
    """Render a Graphviz graph with ``viz.render``; without ``dot``, keep the .dot source and say so.

    Args:
        graph: the picture (a ``graphviz.Digraph``, or a Value to draw with ``draw_graph``).
        path: the file to write (its suffix is the format).
        what: what the picture shows, its caption on the tour's index.

    Returns:
        The file written: ``path``, or the ``.dot`` source beside it when ``dot`` is missing.
    """
    from viz import render
    from viz.rendering import INSTALL_HINT

    written = render(graph, path)
    if written != path:  # no dot: render wrote the .dot source beside it
        print(f"note: skipped {path.name}: Graphviz's dot is not installed ({INSTALL_HINT}); "
              f"wrote the source {written.name} instead")
    else:
        print(f"wrote {written}")
    return caption(written, what) if what else written


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
    numbers = caption(args.out / "results.json", "the numbers the demo computed, as JSON")
    write_json(numbers, results)
    return 0

