"""``deltagrad exercise``: the worksheet's files, and a header that rebuilds the same exercise."""

from __future__ import annotations

import html
import math
import re

import pytest

from deltagrad.cli import main
from deltagrad.exercise import build, from_header
from nn.deltas import sample


def run(capsys, *argv):
    try:
        status = main(["exercise", *argv])
    except SystemExit as exit_:
        status = exit_.code
    return status, *capsys.readouterr()


def test_writes_the_worksheet(tmp_path, capsys):
    status, out, _ = run(capsys, "--layers", "2,2,1", "--activation", "sigmoid", "--loss", "sse",
                         "--seed", "7", "-o", str(tmp_path))
    assert status == 0
    names = {"network.svg", "questions.md", "answers.txt", "solution.md", "solution.tex"}
    assert names <= {p.name for p in tmp_path.iterdir()}
    svg = html.unescape((tmp_path / "network.svg").read_text())
    assert "<svg" in svg and "0.25" in svg  # the weights are drawn
    ex = from_header((tmp_path / "answers.txt").read_text().splitlines()[0])
    assert f"x0 = {ex.x[0]:g}" in svg and f"t0 = {ex.target[0]:g}" in svg  # the input and target
    assert "v = " not in svg and "δ" not in svg  # no answers given away
    template = (tmp_path / "answers.txt").read_text().splitlines()
    assert template[0].startswith("# deltagrad exercise --layers 2,2,1 --activation sigmoid "
                                  "--loss sse --seed 7 --x=")
    assert "L0.N1.delta = " in template and "dJ/dL0.N1.w0 = " in template


def test_the_header_rebuilds_the_exercise_and_the_solution_is_its_numbers(tmp_path, capsys):
    run(capsys, "--layers", "2,3,2", "--activation", "tanh", "--seed", "3", "-o", str(tmp_path))
    ex = from_header((tmp_path / "answers.txt").read_text().splitlines()[0])
    assert ex.widths == [2, 3, 2] and ex.activation == "tanh" and ex.seed == 3
    values = sample(ex.model, ex.x, ex.target, "sse").values
    solution = (tmp_path / "solution.md").read_text()
    for name in ("L0.N2.v", "L1.N1.e", "L0.N0.delta", "dJ/dL0.N2.w1"):
        row = re.search(rf"^\| `{re.escape(name)}` \| (.*) \| (\S+) \|$", solution, flags=re.M)
        assert row and math.isclose(float(row.group(2)), values[name], rel_tol=1e-5), name
    # the hidden δ's line shows the fed-back sum with the next layer's numbers
    row = re.search(r"^\| `L0.N0.delta` \| (.*) \|", solution, flags=re.M).group(1)
    assert "Σ_l δ_l·w_l0" in row and f"{values['L1.N1.delta']:.6g}".lstrip("-") in row
    tex = (tmp_path / "solution.tex").read_text()
    assert r"\begin{align*}" in tex and r"\delta" in tex and "δ" not in tex


def test_weights_are_rounded_for_paper():
    ex = build([2, 2, 1], "sigmoid", "sse", 7)
    assert all(p.data == round(p.data, 2) for p in ex.model.parameters())
    assert all(a == round(a, 2) for a in ex.x)


@pytest.mark.parametrize("argv, match", [
    (["--layers", "3"], "--layers"),
    (["--layers", "2,40,2"], "--layers"),
    (["--x=1,2,3"], "--x"),
    (["--target", "a"], "--target"),
])
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, argv, match):
    status, _, err = run(capsys, *argv, "-o", str(tmp_path))
    assert status == 2 and match in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_expression_worksheet(tmp_path, capsys):
    argv = ["--expr", "tanh(x1*w1 + x2*w2 + b)", "--at", "x1=2", "x2=0", "w1=-3", "w2=1",
            "b=6.8813735870195432"]
    status, out, _ = run(capsys, *argv, "-o", str(tmp_path))
    assert status == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"questions.md", "answers.txt", "solution.md", "solution.tex"} <= names
    assert names & {"graph.svg", "graph.dot"}
    lines = (tmp_path / "answers.txt").read_text().splitlines()
    ex = from_header(lines[0])
    assert ex.expression == "tanh(x1*w1 + x2*w2 + b)" and ex.root.data == pytest.approx(2 ** -0.5)
    blanks = [line[:-3] for line in lines if line.endswith(" = ")]
    assert blanks[0] == "out" and {"x1", "w1", "x2", "w2", "b"} <= set(blanks)
    solution = (tmp_path / "solution.md").read_text()
    # ∂out/∂x1 = w1 × (1 − out²) = −3 × 0.5 = −1.5, worked out in the solution
    assert "## ∂out/∂`x1`\n" in solution and "= -1.5" in solution.split("## ∂out/∂`x1`\n")[1]
    assert "\\begin{align*}" in (tmp_path / "solution.tex").read_text()
    if (tmp_path / "graph.svg").exists():  # no gradients on the worksheet's picture
        assert "grad -1.5" not in (tmp_path / "graph.svg").read_text()


def test_at_without_expr_exits_2(tmp_path, capsys):
    status, _, err = run(capsys, "-o", str(tmp_path), "--at", "x=1")
    assert status == 2 and "--at" in err
