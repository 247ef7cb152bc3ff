"""``deltagrad check``: a filled template graded, exit status 0 / 1 / 2, errors naming the line."""

from __future__ import annotations

import json

import pytest

from deltagrad.cli import main
from deltagrad.exercise import from_header
from nn.deltas import sample


def run(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    return status, *capsys.readouterr()


@pytest.fixture
def sheet(tmp_path, capsys):
    assert run(capsys, "exercise", "--layers", "2,2,1", "--seed", "7", "-o", str(tmp_path))[0] == 0
    return tmp_path


def filled(sheet, digits=4, planted=None):
    """The template with every blank filled by the correct number to ``digits`` significant
    digits, except the ``planted`` ones (name -> text)."""
    lines = (sheet / "answers.txt").read_text().splitlines()
    ex = from_header(lines[0])
    values = sample(ex.model, ex.x, ex.target, ex.loss).values
    out = []
    for line in lines:
        name = line.split(" =")[0]
        if line.endswith("= "):
            line += (planted or {}).get(name, f"{values[name]:.{digits}g}")
        out.append(line)
    path = sheet / "filled.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path, values


def test_a_correct_template_exits_0(sheet, capsys):
    path, _ = filled(sheet)
    status, out, _ = run(capsys, "check", str(path))
    assert status == 0, out
    assert "all 23 answers correct" in out


def test_a_planted_mistake_exits_1_and_is_named(sheet, capsys):
    _, values = filled(sheet)
    flipped = f"{-values['L0.N1.delta']:.4g}"
    path, _ = filled(sheet, planted={"L0.N1.delta": flipped})
    status, out, _ = run(capsys, "check", str(path))
    assert status == 1
    assert "the error enters at L0.N1.delta" in out
    verdicts = [line.split()[3] for line in out.splitlines() if line.startswith("L0.N1.delta")]
    assert verdicts == ["sign"]


def test_csv_and_json_with_the_exercise_on_the_command_line(sheet, capsys):
    _, values = filled(sheet)
    header = (sheet / "answers.txt").read_text().splitlines()[0].split()
    options = header[header.index("--layers"):]
    rows = f"L1.N0.e,{values['L1.N0.e']:.5g}\nJ,{2 * values['J']:.5g}\n"  # J without the ½
    (sheet / "a.csv").write_text("name,value\n" + rows)
    status, out, _ = run(capsys, "check", str(sheet / "a.csv"), *options)
    assert status == 1 and "factor" in out
    (sheet / "a.json").write_text(json.dumps({"L1.N0.δ": values["L1.N0.delta"]}))
    assert run(capsys, "check", str(sheet / "a.json"), *options)[0] == 0


@pytest.mark.parametrize("name, text, line", [
    ("a.txt", "L0.N0.v = 0.5\nthis is not an answer\n", 2),
    ("b.txt", "L0.N0.v = 0.5\n\nL0.N0.y = zero\n", 3),
    ("c.txt", "L0.N0.v = 0.5\nL0.N7.v = 1\n", 2),
    ("d.csv", "name,value\nL0.N0.v,0.5,7\n", 2),
    ("e.json", '{"L0.N0.v": 0.5,\n "L0.N0.y": [1]}\n', 2),
    ("f.json", '{"L0.N0.v": 0.5,\n oops}\n', 2),
    ("g.txt", "L0.N0.v = nan\n", 1),
])
def test_bad_files_exit_2_naming_the_line(tmp_path, capsys, name, text, line):
    path = tmp_path / name
    path.write_text(text)
    status, _, err = run(capsys, "check", str(path))
    assert status == 2 and "Traceback" not in err
    assert f"{path}:{line}:" in err and len(err.strip().splitlines()) == 1


def test_an_empty_template_exits_2(sheet, capsys):
    status, _, err = run(capsys, "check", str(sheet / "answers.txt"))
    assert status == 2 and "no answers" in err


def test_a_missing_file_exits_2(tmp_path, capsys):
    status, _, err = run(capsys, "check", str(tmp_path / "nope.txt"))
    assert status == 2 and "nope.txt" in err
