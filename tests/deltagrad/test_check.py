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


def test_steps_writes_the_page_at_the_first_wrong_step(sheet, capsys):
    _, values = filled(sheet)
    path, _ = filled(sheet, planted={"L0.N1.delta": f"{-values['L0.N1.delta']:.4g}"})
    page = sheet / "mine.html"
    status, out, _ = run(capsys, "check", str(path), "--steps", str(page))
    assert status == 1 and f"wrote {page}" in out
    data = json.loads(page.read_text().split('class="data">')[1].split("</script>")[0])
    v = data["names"].index("L0.N1.v")  # δ = −∂J/∂v: the page shows ∂J/∂v = −δ there
    assert data["predict"] is True and data["start"] == data["final"][v]
    assert data["yours"][str(v)]["right"] is False and data["yours"][str(v)]["note"].startswith("sign")


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


# -- expression exercises: ∂out/∂node graded by viz.diagnose ----------------------------------

# micrograd's lecture neuron: out = tanh(x1*w1 + x2*w2 + b) = 1/√2, so 1 − out² = 0.5 and
# ∂out/∂x1 = w1·0.5 = −1.5, ∂out/∂w1 = x1·0.5 = 1, ∂out/∂x2 = w2·0.5 = 0.5, ∂out/∂w2 = x2·0.5 = 0
NEURON = ["--expr", "tanh(x1*w1 + x2*w2 + b)", "--at", "x1=2", "x2=0", "w1=-3", "w2=1",
          "b=6.8813735870195432"]
BY_HAND = {"out": "1", "x1": "-1.5", "w1": "1.0", "x2": "0.5", "w2": "0.0", "b": "0.5"}


def test_an_expression_template_is_graded_with_diagnose(tmp_path, capsys):
    assert run(capsys, "exercise", *NEURON, "-o", str(tmp_path))[0] == 0
    lines = (tmp_path / "answers.txt").read_text().splitlines()
    filled = [line + BY_HAND.get(line.split(" =")[0], "") if line.endswith("= ") else line
              for line in lines]
    (tmp_path / "answers.txt").write_text("\n".join(filled) + "\n")
    status, out, _ = run(capsys, "check", str(tmp_path / "answers.txt"))
    assert status == 0 and "All 6 answer(s)" in out
    planted = [line.replace("w1 = 1.0", "w1 = -1.0") for line in filled]
    (tmp_path / "answers.txt").write_text("\n".join(planted) + "\n")
    page = tmp_path / "page.html"
    status, out, _ = run(capsys, "check", str(tmp_path / "answers.txt"), "--steps", str(page))
    assert status == 1 and "the first error enters at w1" in out
    assert any(line.startswith("w1 ") and " sign " in line for line in out.splitlines())
    assert page.exists() and '"predict": true' in page.read_text()


def test_a_csv_with_expr_and_at_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("name,value\nx1,-1.5\nx1*w1,0.25\n")  # x1*w1: half of 0.5
    status, out, _ = run(capsys, "check", str(path), *NEURON)
    assert status == 1 and "x1*w1" in out and "half" in out


def test_an_expression_answer_naming_no_node_exits_2(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("nope,1.0\n")
    status, _, err = run(capsys, "check", str(path), *NEURON)
    assert status == 2 and "mine.csv:1" in err and "nope" in err
