"""render: svg, png, pdf and dot files; the format from the suffix; what happens without dot."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from autograd import Value
from viz import draw_graph, render

from .viz_testing import lecture_neuron

MAGIC = {"svg": b"<svg", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@pytest.fixture
def picture():
    n = lecture_neuron()
    n.o.backward()
    return draw_graph(n.o)


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_formats_from_the_suffix(tmp_path, picture, fmt):
    path = render(picture, tmp_path / f"neuron.{fmt}")
    assert path == tmp_path / f"neuron.{fmt}"
    data = path.read_bytes()
    assert MAGIC[fmt] in data[:400]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"neuron.{fmt}"]  # nothing else written


def test_dot_format_writes_the_source(tmp_path, picture):
    for name in ("neuron.dot", "neuron.gv"):
        assert (render(picture, tmp_path / name)).read_text(encoding="utf-8") == picture.source


def test_explicit_format_wins_over_the_suffix(tmp_path, picture):
    path = render(picture, tmp_path / "picture.out", format="png")
    assert path.read_bytes().startswith(MAGIC["png"])


@pytest.mark.parametrize("name, fmt, match", [("a.jpeg", None, "suffix"), ("a.svg", "gif", "format must be one of")])
def test_unknown_formats_are_refused(tmp_path, picture, name, fmt, match):
    with pytest.raises(ValueError, match=match):
        render(picture, tmp_path / name, format=fmt)


def test_a_missing_folder_is_made_and_a_wrong_object_refused(tmp_path, picture):
    written = render(picture, tmp_path / "missing" / "deeper" / "a.svg")  # as graphviz's own render does
    assert written.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError, match="path"):
        render(picture, tmp_path / "file" / "a.svg")  # its "folder" is a file
    with pytest.raises(TypeError, match="obj"):
        render("digraph {}", tmp_path / "a.svg")


def test_a_value_is_drawn_and_rendered(tmp_path):
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    source = render(y, tmp_path / "y.dot").read_text(encoding="utf-8")
    assert source == draw_graph(y).source


def test_without_dot_the_source_is_written_and_a_warning_says_how_to_install(tmp_path, monkeypatch, picture,
                                                                             caplog):
    import viz.rendering

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viz.rendering, "_warned_missing", False)
    written = render(picture, tmp_path / "neuron.png")  # no exception: the script goes on
    dot_file = tmp_path / "neuron.dot"
    assert written == dot_file and dot_file.read_text(encoding="utf-8") == picture.source
    assert not (tmp_path / "neuron.png").exists()
    (record,) = caplog.records
    message = record.getMessage()
    assert "\n" not in message and str(dot_file) in message
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    render(picture, tmp_path / "again.svg")  # once per process: the second picture says nothing
    assert len(caplog.records) == 1 and (tmp_path / "again.dot").exists()
    # the .dot format needs no Graphviz at all
    assert render(picture, tmp_path / "other.dot").read_text(encoding="utf-8") == picture.source


@pytest.mark.parametrize("path", [3, None, b"a.svg"])
def test_a_path_that_is_not_a_file_name_is_refused_naming_it(picture, path):
    with pytest.raises(TypeError, match="path"):
        render(picture, path)


def test_a_folder_is_refused_before_dot_runs(tmp_path, picture):
    (tmp_path / "taken.svg").mkdir()
    with pytest.raises(IsADirectoryError, match="path.*taken.svg"):
        render(picture, tmp_path / "taken.svg")


def test_a_format_contradicting_the_suffix_is_refused(tmp_path, picture):
    # PNG bytes in a file named .svg would open as a broken picture
    with pytest.raises(ValueError, match="format.*png.*svg"):
        render(picture, tmp_path / "a.svg", format="png")
    assert not (tmp_path / "a.svg").exists()


def test_a_write_error_names_the_path(tmp_path, picture, monkeypatch):
    def full_disk(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError, match=r"render: cannot write '.*a.svg': No space left on device"):
        render(picture, tmp_path / "a.svg")


@pytest.mark.parametrize("path, fmt, error", [(3, None, TypeError), ("a.txt", None, ValueError), ("a.svg", "png", ValueError)])
def test_a_bad_path_is_refused_before_a_value_is_drawn(tmp_path, monkeypatch, path, fmt, error):
    import viz.rendering

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew the graph before checking path")

    monkeypatch.setattr(viz.rendering, "draw_graph", no_drawing)
    target = path if isinstance(path, int) else tmp_path / path
    with pytest.raises(error, match="path|format"):
        render(lecture_neuron().o, target, fmt)
