"""Execute demos/tutorial.ipynb and store its outputs, so that it opens with them (GitHub, nbviewer,
a fresh Jupyter); and the outputs as text, to tell whether the stored ones are current.

Run from the repository root: ``python -m tests.demos.notebook_outputs`` (``make notebook``).
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbclient
import nbformat

NOTEBOOK = Path(__file__).resolve().parents[2] / "demos" / "tutorial.ipynb"
TIMEOUT = 120  # seconds per cell, far above what a cell needs
# What differs between two runs of the same code: object addresses (<... at 0x7f3a...>); and
# between two Graphviz versions: the layout of a picture, so a picture is compared by its texts.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)  # Graphviz writes its version in one
_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.DOTALL)
_TEXT_KINDS = ("text/plain", "text/markdown", "text/latex", "text/html", "image/svg+xml")


def execute(path: Path = NOTEBOOK) -> nbformat.NotebookNode:
    """The notebook at ``path``, run top to bottom in a fresh kernel (in its own folder).

    Returns:
        The notebook with every code cell's outputs (and no timing metadata).
    """
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=TIMEOUT, kernel_name="python3",
                                     record_timing=False,
                                     resources={"metadata": {"path": str(path.parent)}},
                                     extra_arguments=["--log-level=ERROR"])  # no banner about TCP
    client.execute()
    return notebook


def text_outputs(notebook: nbformat.NotebookNode) -> list[list[str]]:
    """Per code cell, its outputs as text (streams, errors, and every textual display form), with
    object addresses blanked and each SVG picture reduced to the texts it shows, sorted."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(f"{output['name']}: {output['text']}")
            elif output.get("output_type") == "error":
                texts.append(f"error: {output['ename']}: {output['evalue']}")
            else:
                data = output.get("data", {})
                texts += [f"{kind}: {_text(data[kind])}" for kind in _TEXT_KINDS if kind in data]
        texts = [_SVG.sub(_svg_texts, _COMMENT.sub("", text)) for text in texts]
        cells.append([_ADDRESS.sub("0x…", text) for text in texts])
    return cells


def _svg_texts(svg: re.Match) -> str:
    # Unescaped: Graphviz versions differ in what they escape (&#45; or -).
    return "<svg: " + " | ".join(sorted(html.unescape(t) for t in _SVG_TEXT.findall(svg[0]))) + ">"


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def main() -> int:
    """Execute the tutorial and write it back with its outputs."""
    notebook = execute()  # a cell that raises stops here, and nothing is written
    for cell in notebook.cells:  # the reprs' addresses blanked: a rerun leaves the file as it was
        for output in cell.get("outputs", []):
            if "text/plain" in output.get("data", {}):
                output.data["text/plain"] = _ADDRESS.sub("0x…", _text(output.data["text/plain"]))
    nbformat.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK} with its outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
