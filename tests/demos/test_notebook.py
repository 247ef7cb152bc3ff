"""demos/tutorial.ipynb runs headless (nbclient + ipykernel), shows the picture, the page and
explain, and is stored with its outputs, current ones (``make notebook`` stores them)."""

from __future__ import annotations

import re

import nbformat
import pytest

from ..tools import program
from .notebook_outputs import NOTEBOOK, execute, text_outputs

DOT = program("dot", install="sudo apt-get install -y graphviz")


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    if DOT is None:
        pytest.skip("Graphviz's dot is needed for the notebook's pictures")
    return execute()


@pytest.fixture(scope="module")
def outputs(executed) -> list[dict]:
    return [output for cell in executed.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])]


def test_the_stored_outputs_are_current(executed):
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in stored.cells] == [c.source for c in executed.cells]
    pairs = zip(text_outputs(stored), text_outputs(executed))
    stale = [i for i, (old, new) in enumerate(pairs) if old != new]
    assert all(text_outputs(stored)), "a code cell has no stored output: run make notebook"
    assert not stale, f"code cells {stale} show outdated outputs: run make notebook"


def test_the_comparison_sees_a_changed_number_but_not_an_address(executed):
    changed = nbformat.reads(nbformat.writes(executed), as_version=4)  # a copy
    stream = next(o for c in changed.cells if c.cell_type == "code" for o in c.outputs
                  if o.get("name") == "stdout")
    before = text_outputs(changed)
    stream.text = stream.text + "<object at 0x7f00deadbeef>"
    moved = text_outputs(changed)
    stream.text = stream.text.replace("0x7f00deadbeef", "0x55aa00")
    assert text_outputs(changed) == moved != before  # an address is noise; new text is not


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


def test_the_comparison_sees_a_picture_s_numbers_but_not_its_layout(executed):
    changed = nbformat.reads(nbformat.writes(executed), as_version=4)
    output = next(o for c in changed.cells if c.cell_type == "code" for o in c.outputs
                  if "image/svg+xml" in o.get("data", {}))
    svg = output.data["image/svg+xml"]
    before = text_outputs(changed)
    moved = re.sub(r' x="([\d.-]+)"', ' x="0"', svg)
    output.data["image/svg+xml"] = moved.replace("version 2.", "version 9.")
    assert text_outputs(changed) == before  # another Graphviz: other coordinates, same picture
    output.data["image/svg+xml"] = svg.replace(">data 2.0<", ">data 3.0<", 1)
    assert ">data 2.0<" in svg and text_outputs(changed) != before
