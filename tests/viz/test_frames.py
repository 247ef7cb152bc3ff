"""viz.frames: one picture per backward step (the page's picture at that step), and a GIF."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys

import pytest

from autograd import Value
from deltagrad.cli import main
from viz import step_through, trace
from viz.frames import ProgressBar, frame_sources
from viz.step_page import step_through as page_step_through
from viz.steps import record_steps

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="no Graphviz dot")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LECTURE_B = 6.8813735870195432
NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)",
          "--at", "x1=2", "x2=0", "w1=-3", "w2=1", f"b={LECTURE_B!r}"]


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(LECTURE_B, label="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.label = "out"
    return out


def page_data(page) -> dict:
    return json.loads(re.search(r'class="data">(.*?)</script>', page.html, re.DOTALL)[1])


def grad_fields(source: str) -> dict[str, str]:
    """Each value box's name and grad field, as the DOT source writes them."""
    return dict(re.findall(r"\{ ([^|]+?) \| data [^|]+ \| (grad [^}]+?) \}", source))


@needs_dot
def test_one_png_per_step_with_the_pages_numbers(tmp_path):
    page = step_through(neuron(), tmp_path / "s.html", frames=tmp_path / "frames")
    assert len(page.frames) == page.steps == 5  # tanh, +, +, *, *
    assert [p.name for p in page.frames] == [f"step-00{k}.png" for k in range(1, 6)]
    assert all(p.read_bytes().startswith(PNG_SIGNATURE) for p in page.frames)


def test_each_frame_shows_the_gradients_of_its_step_spelled_as_the_page_does():
    root = neuron()
    tr = trace(root)
    steps = record_steps(tr)
    data = page_data(page_step_through(tr))
    sources = frame_sources(tr, steps, [[] for _ in steps], 4, "t")
    for k, (step, source) in enumerate(zip(steps, sources)):
        fields = grad_fields(source)
        # what the page writes into the boxes this step updates, the frame shows
        for i, text in data["steps"][k]["grads"].items():
            assert fields[data["names"][int(i)]] == text
        # a gradient no step has reached yet is the page's initial —
        for i, g in enumerate(step.grads):
            if g is None and tr.nodes[i].requires_grad:
                assert fields[tr.name(i)] == data["initial"][i] == "grad —"
    # by hand: after the last step ∂out/∂x1 = (1 − out²)·w1 = 0.5 × −3 = −1.5
    assert grad_fields(sources[-1])["x1"] == "grad -1.5"


def test_the_frame_marks_the_node_being_processed_as_the_page_does():
    tr = trace(neuron())
    steps = record_steps(tr)
    sources = frame_sources(tr, steps, [[] for _ in steps], 4, "t")
    for step, source in zip(steps, sources):
        marked = r'^\s*(v\d+) \[style="filled" fillcolor="#ffd966"'
        current = re.findall(marked, source, re.MULTILINE)
        assert current == [f"v{step.node}"]
        assert f"step {steps.index(step) + 1} of 5: backward at {tr.name(step.node)}" in source


@needs_dot
def test_svg_frames(tmp_path):
    page = step_through(neuron(), frames=tmp_path / "f", frame_format="svg")
    assert page.path is None and len(page.frames) == 5
    assert "<svg" in page.frames[0].read_text(encoding="utf-8")


def test_a_bad_frame_format_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="frame_format"):
        step_through(neuron(), frames=tmp_path / "f", frame_format="jpeg")


@needs_dot
def test_cli_writes_frames_and_an_animated_gif(tmp_path, capsys):
    image = pytest.importorskip("PIL.Image")
    gif = tmp_path / "steps.gif"
    frames = ["--frames", str(tmp_path / "f"), "--gif", str(gif)]
    assert main(NEURON + ["-o", str(tmp_path / "g.svg"), *frames]) == 0
    out = capsys.readouterr().out
    assert "wrote 5 frames" in out and str(gif) in out
    assert len(list((tmp_path / "f").glob("step-*.png"))) == 5
    with image.open(gif) as animation:
        assert animation.n_frames == 5 and animation.info["loop"] == 0


@needs_dot
def test_cli_gif_alone_keeps_no_frames(tmp_path):
    pytest.importorskip("PIL.Image")
    assert main(NEURON + ["-o", str(tmp_path / "g.svg"), "--gif", str(tmp_path / "a.gif")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif", "g.svg"]


def test_without_pillow_gif_is_one_line_naming_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL.Image", None)  # import PIL.Image now fails
    assert main(NEURON + ["-o", str(tmp_path / "g.svg"), "--gif", str(tmp_path / "a.gif")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "deltagrad[gif]" in err and "--gif" in err
    assert not (tmp_path / "g.svg").exists()  # refused before any work


@pytest.mark.parametrize("extra", [["--gif", "a.png"], ["--gif", "a.gif", "--frame-format", "svg"]])
def test_bad_gif_options_are_refused_by_name(tmp_path, capsys, extra):
    files = [str(tmp_path / a) if "." in a else a for a in extra]
    argv = NEURON + ["-o", str(tmp_path / "g.svg"), *files]
    assert main(argv) == 2
    assert "--gif" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_only():
    quiet = io.StringIO()
    bar = ProgressBar(4, "frames", quiet)
    for k in range(1, 5):
        bar.update(k)
    assert quiet.getvalue() == ""
    terminal = _Terminal()
    bar = ProgressBar(4, "frames", terminal)
    bar.update(2)
    assert terminal.getvalue().endswith("2/4 frames") and "#" * 15 + "-" * 15 in terminal.getvalue()
    bar.update(4)
    assert terminal.getvalue().endswith("4/4 frames\n")


def test_without_dot_frames_are_one_line_and_exit_1_but_the_page_is_written(tmp_path, monkeypatch,
                                                                             capsys):
    import viz.rendering

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viz.rendering, "_warned_missing", False)
    page = tmp_path / "s.html"
    frames = ["--frames", str(tmp_path / "f")]
    argv = NEURON + ["-o", str(tmp_path / "n.dot"), "--steps", str(page), *frames]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "--frames" in err and "graphviz" in err.lower() and "Traceback" not in err
    assert page.exists()
