"""``deltagrad tour``: every demo runs, index.html links files that exist, and it copes without dot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import deltagrad.tour
from deltagrad.cli import main

DEMO_COUNT = len(list((Path(__file__).resolve().parents[2] / "demos").glob("[0-9][0-9]_*.py")))


def links(index: Path) -> list[str]:
    return re.findall(r'(?:href|src)="([^"#]+)"', index.read_text(encoding="utf-8"))


def test_quick_tour_writes_an_index_linking_existing_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    status = main(["tour", "--out", str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert status == 0, out
    # the seven ideas of the source texts, the replayed training, a recorded playground run, and a
    # learner's worked answer graded
    assert DEMO_COUNT == 10
    assert out.count(" ok ") == DEMO_COUNT
    index = tmp_path / "index.html"
    targets = links(index)
    assert targets and all((tmp_path / t).is_file() for t in targets), targets
    page = index.read_text(encoding="utf-8")
    assert page.count("<h2 ") == DEMO_COUNT
    for needed in ("04_tanh_neuron/tanh_neuron_steps.html", "05_hand_deltas/deltas.txt",
                   "01_sigmoid_unit/output.txt", "10_check_my_work/check_my_work.html"):
        assert needed in targets
    assert "σ(1) = 1/(1 + e^-1) = 1/1.367879 = 0.731059" in page  # the demos' printed numbers are on the page
    printed = (tmp_path / "05_hand_deltas" / "output.txt").read_text(encoding="utf-8")
    assert "OK: hand formula, autograd and finite differences agree within 1e-09" in printed


def test_every_heading_is_numbered_and_every_figure_says_what_it_shows(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["tour", "--out", str(tmp_path), "--quick"]) == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r'<h2 id="(\d\d)_[^"]*">(.*?)</h2>', page)
    assert [title.split(":")[0] for _, title in headings] == [f"Demo {int(n)}" for n, _ in headings]
    assert len(headings) == DEMO_COUNT
    assert not any("Demo" in title.split(":", 1)[1] for _, title in headings)  # no "Demo 8: Demo"
    figures = re.findall(r'<figure><a href="([^"]+)">.*?<figcaption>(.*?)</figcaption></figure>',
                         page)
    assert len(figures) >= 10, figures
    for target, caption in figures:
        name = Path(target).name
        words = caption.replace(f"(<code>{name}</code>)", "").strip()
        assert len(words.split()) >= 5, (target, caption)  # a sentence, not a bare file name
    pages = re.findall(r'<p class="page">(.*?)</p>', page)
    assert pages and all(len(re.sub(r"<[^>]+>", "", p).split()) >= 8 for p in pages), pages


def test_captions_come_from_the_demo_s_captions_file(tmp_path: Path) -> None:
    folder = tmp_path / "01_x"
    folder.mkdir()
    (folder / "a.svg").write_text("<svg/>", encoding="utf-8")
    (folder / deltagrad.tour.CAPTIONS).write_text('{"a.svg": "what <a> shows"}', encoding="utf-8")
    demo = deltagrad.tour.DemoRun(folder / "01_x.py", folder, "Demo 1: x", files=[folder / "a.svg"],
                                  captions=deltagrad.tour._captions(folder))
    page = deltagrad.tour.write_index(tmp_path, [demo], [], quick=True).read_text(encoding="utf-8")
    assert "<figcaption>what &lt;a&gt; shows (<code>a.svg</code>)</figcaption>" in page
    (folder / deltagrad.tour.CAPTIONS).write_text("[not a dict", encoding="utf-8")
    assert deltagrad.tour._captions(folder) == {}  # a broken file: bare names, no failure


def test_without_dot_the_tour_succeeds_and_says_what_it_skipped(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no dot anywhere; the demos run with sys.executable
    out_dir = tmp_path / "out"
    status = main(["tour", "--out", str(out_dir), "--quick", "--only", "04,05,07"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Graphviz's dot was not found" in out and "sudo apt-get install graphviz" in out
    assert "dot -Tsvg NAME.dot -o NAME.svg" in out  # how to render the sources once dot is there
    assert "note: skipped tanh_neuron_ops.svg" in out
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    skipped = re.findall(r'<p class="notes">Skipped: (.*?)</p>', page)
    assert [s for s in skipped if "graphviz" in s.lower()] == [skipped[0]]  # one line per missing tool
    assert "sudo apt-get install graphviz" in skipped[0]
    targets = links(out_dir / "index.html")
    assert all((out_dir / t).is_file() for t in targets), targets
    assert "04_tanh_neuron/tanh_neuron_ops.dot" in targets and "05_hand_deltas/mlp_deltas.dot" in targets
    assert not list(out_dir.rglob("*.svg"))
    assert "0.7071" in (out_dir / "04_tanh_neuron" / "tanh_neuron_steps.html").read_text(encoding="utf-8")


def test_a_rerun_replaces_the_previous_pictures(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    stale = tmp_path / "07_second_derivatives" / "old.svg"
    stale.parent.mkdir()
    stale.write_text("<svg/>", encoding="utf-8")
    assert main(["tour", "--out", str(tmp_path), "--quick", "--only", "7"]) == 0
    assert not stale.exists()
    assert "old.svg" not in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_unknown_demo_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["tour", "--out", str(tmp_path), "--only", "19"]) == 2
    err = capsys.readouterr().err
    assert "deltagrad tour: error: --only '19'" in err and "01_sigmoid_unit" in err


def test_only_picks_each_demo_once_in_order_and_refuses_an_empty_list() -> None:
    scripts = [Path(f"{name}.py") for name in ("01_a", "04_tanh_neuron", "07_b")]
    assert deltagrad.tour._select(scripts, "7,04,4") == [scripts[1], scripts[2]]  # no duplicate runs
    with pytest.raises(ValueError, match="--only ',,' names no demo"):
        deltagrad.tour._select(scripts, ",,")


def test_out_must_be_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "taken").write_text("")
    assert main(["tour", "--out", str(tmp_path / "taken"), "--only", "04"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("deltagrad tour: error: --out ") and "is a file, not a folder" in err and err.count("\n") == 1


def test_missing_demos_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deltagrad.tour, "DEMOS", "deltagrad.no_such_demos")
    monkeypatch.setattr(deltagrad.tour, "PACKAGES_ROOT", tmp_path)
    assert main(["tour", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "demo scripts were not found" in err and "pip install" in err
    assert len(err.strip().splitlines()) == 1


def test_a_failing_demo_is_reported_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "pkg"
    (fake / "demos").mkdir(parents=True)
    (fake / "demos" / "common.py").write_text("", encoding="utf-8")
    (fake / "demos" / "01_broken.py").write_text('"""Demo 1: broken."""\nprint("halfway")\nraise SystemExit(3)\n',
                                                 encoding="utf-8")
    monkeypatch.setattr(deltagrad.tour, "DEMOS", "deltagrad.no_such_demos")
    monkeypatch.setattr(deltagrad.tour, "PACKAGES_ROOT", fake)
    assert main(["tour", "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "01_broken" in out and "FAILED (exit status 3)" in out
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "FAILED (exit status 3)" in page and "halfway" in page


def test_the_dot_hint_is_viz_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from deltagrad import tour
    from viz.rendering import INSTALL_HINT

    monkeypatch.setattr(tour.shutil, "which", lambda name: None)
    notes = tour.environment_notes()
    assert any(INSTALL_HINT in note for note in notes) and "sudo apt-get install graphviz" in INSTALL_HINT
