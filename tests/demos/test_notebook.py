"""demos/tutorial.ipynb runs headless (nbclient + ipykernel) and shows the picture, the page and explain."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat
import pytest

from ..tools import program

DOT = program("dot", install="sudo apt-get install -y graphviz")
NOTEBOOK = Path(__file__).resolve().parents[2] / "demos" / "tutorial.ipynb"


@pytest.fixture(scope="module")
def outputs() -> list[dict]:
    if DOT is None:
        pytest.skip("Graphviz's dot is needed for the notebook's pictures")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


def _data(outputs: list[dict], mime: str) -> list[str]:
    return [output["data"][mime] for output in outputs if mime in output.get("data", {})]


def test_it_runs_without_errors(outputs):
    assert not [o for o in outputs if o.get("output_type") == "error"]


def test_the_neuron_is_drawn_inline_as_svg(outputs):
    svgs = _data(outputs, "image/svg+xml")
    assert svgs and "<svg" in svgs[0] and "6.8814" in svgs[0] and "0.8814" in svgs[0]


def test_the_step_through_page_is_inline(outputs):
    pages = [h for h in _data(outputs, "text/html") if "deltagrad-steps" in h]
    assert len(pages) == 1 and "<svg" in pages[0]


def test_explain_renders_as_markdown(outputs):
    markdown = _data(outputs, "text/markdown")
    assert any("∂o/∂w1 = 1.0" in m and "grad\\[w1\\] = " in m for m in markdown)
    assert any("delta rule (lecture notes on MLPs and error backpropagation)" in m for m in markdown)


def test_delta_report_and_training_run_print(outputs):
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "loss " in text and "accuracy" in text
    assert "δ" in text or "delta" in text.lower()
