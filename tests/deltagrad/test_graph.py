"""deltagrad graph: the happy path writes the picture and the page; bad input is one line, exit 2."""

from __future__ import annotations

import json
import re

import pytest

from deltagrad.cli import main

LECTURE_B = 6.8813735870195432  # the lecture neuron's bias: o = tanh(n) = 0.7071

NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)", "--at", "x1=2", "x2=0", "w1=-3", "w2=1", f"b={LECTURE_B!r}"]


def test_writes_the_picture_and_the_step_page(tmp_path, capsys):
    svg, page = tmp_path / "neuron.svg", tmp_path / "steps.html"
    assert main(NEURON + ["-o", str(svg), "--steps", str(page)]) == 0
    out = capsys.readouterr().out
    assert "out = 0.7071" in out and "∂out/∂w1 = 1.0" in out and "∂out/∂x1 = -1.5" in out
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and ">grad 1.0<" in text and ">data 0.7071<" in text
    steps = json.loads(re.search(r'class="data">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)[1])["steps"]
    assert len(steps) == 5  # mul, mul, add, add, tanh


def test_format_option_and_dot_output(tmp_path):
    out = tmp_path / "neuron.txt"
    assert main(NEURON + ["-o", str(out), "--format", "dot"]) == 0
    assert out.read_text(encoding="utf-8").startswith("digraph")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["graph", "x*q", "--at", "x=2"], "name 'q' has no value"),
        (["graph", "x*w"], "name 'x' has no value"),
        (["graph", "__import__('os')", "--at", "x=1"], "unknown function '__import__'"),
        (["graph", "x*", "--at", "x=1"], "invalid syntax"),
        (["graph", "x", "--at", "x=abc"], "'abc' is not a number"),
        (["graph", "x", "--at", "x"], "name=number"),
        (["graph", "x", "--at", "x=1", "x=2"], "gives x twice"),
        (["graph", "2*3"], "nothing to differentiate"),
        (["graph", "x*2", "--at", "x=1", "y=3"], "--at gives y, which the expression 'x*2' does not use"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, argv, message):
    assert main(argv + ["-o", str(tmp_path / "g.svg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("deltagrad graph: error: ") and message in err
    assert not (tmp_path / "g.svg").exists()


def test_bad_output_is_refused_before_any_work(tmp_path, capsys):
    assert main(["graph", "x", "--at", "x=1", "-o", str(tmp_path / "g.jpeg")]) == 2
    err = capsys.readouterr()
    assert "suffix" in err.err and err.out == ""
    with pytest.raises(SystemExit) as exit_:
        main(["graph", "x", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--format", "gif"])
    assert exit_.value.code == 2


def test_without_dot_writes_the_source_and_the_page_and_exits_1(tmp_path, monkeypatch, caplog):
    import viz.rendering

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viz.rendering, "_warned_missing", False)
    code = main(NEURON + ["-o", str(tmp_path / "n.png"), "--steps", str(tmp_path / "s.html")])
    assert code == 1
    # one line (on stderr outside pytest, whose log capture takes it here)
    assert len(caplog.records) == 1 and "apt-get install graphviz" in caplog.text
    assert (tmp_path / "n.dot").read_text(encoding="utf-8").startswith("digraph")
    assert (tmp_path / "s.html").exists() and not (tmp_path / "n.png").exists()


@pytest.mark.parametrize("flag", ["-o", "--steps"])
def test_a_folder_as_output_is_refused_before_any_work(tmp_path, capsys, flag):
    (tmp_path / "taken.html").mkdir()
    (tmp_path / "taken.svg").mkdir()
    files = {"-o": ["-o", str(tmp_path / "taken.svg")],
             "--steps": ["-o", str(tmp_path / "g.svg"), "--steps", str(tmp_path / "taken.html")]}[flag]
    assert main(["graph", "x", "--at", "x=1", *files]) == 2
    err = capsys.readouterr()
    assert err.out == "" and err.err.count("\n") == 1 and "is a folder" in err.err
    assert not (tmp_path / "g.svg").exists()


def test_a_big_expression_says_how_to_draw_it_anyway(tmp_path, capsys):
    names = [f"x{i}" for i in range(300)]
    argv = ["graph", "+".join(names), "--at", *(f"{n}=1" for n in names), "-o", str(tmp_path / "g.dot")]
    assert main(argv) == 2
    err = capsys.readouterr()
    assert err.out == "" and "--max-nodes 599" in err.err and "max_nodes=" not in err.err
    assert main([*argv, "--max-nodes", "599"]) == 0
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").count("shape=record") == 599


@pytest.mark.parametrize("bad", ["0", "-3", "ten", "2.5"])
def test_max_nodes_must_be_a_positive_whole_number(tmp_path, capsys, bad):
    with pytest.raises(SystemExit) as exit_:
        main(["graph", "x", "--at", "x=1", "-o", str(tmp_path / "g.dot"), "--max-nodes", bad])
    assert exit_.value.code == 2 and f"--max-nodes: expected a positive whole number, got {bad!r}" in capsys.readouterr().err


def test_explain_prints_the_chain_rule_for_one_node(tmp_path, capsys):
    assert main(NEURON + ["-o", str(tmp_path / "g.svg"), "--explain", "w1"]) == 0
    out = capsys.readouterr().out
    # ∂out/∂w1 = x1 · (1 − out²) = 2 · 0.5 = 1 (all the sums have slope 1)
    assert "grad[w1] = x1 × grad[x1*w1]" in out and "= 2.0 × 0.5" in out
    assert "(1 − out²)" in out and out.rstrip().endswith("= 1.0")


def test_explain_of_an_unknown_name_lists_the_names(tmp_path, capsys):
    assert main(["graph", "x*2", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--explain", "zz"]) == 2
    err = capsys.readouterr().err
    assert "--explain" in err and "x, 2, out" in err and err.count("\n") == 1


def test_at_may_be_repeated_and_folders_are_made(tmp_path, capsys):
    svg = tmp_path / "new" / "folder" / "g.svg"
    assert main(["graph", "x*w", "--at", "x=2", "--at", "w=3", "-o", str(svg)]) == 0
    assert "∂out/∂x = 3.0, ∂out/∂w = 2.0" in capsys.readouterr().out and svg.is_file()


@pytest.mark.parametrize("extra, option", [(["--steps", "s.txt"], "--steps"), (["--format", "png"], "--format")])
def test_outputs_that_contradict_themselves_name_the_option(tmp_path, capsys, extra, option):
    argv = ["graph", "x*2", "--at", "x=1", "-o", str(tmp_path / "q.svg")]
    assert main(argv + [(str(tmp_path / a) if a.endswith(".txt") else a) for a in extra]) == 2
    err = capsys.readouterr().err
    assert option in err and "format=" not in err


def test_an_overflow_is_drawn_but_warned_about_with_exit_1(tmp_path, capsys):
    assert main(["graph", "exp(x)", "--at", "x=1000", "-o", str(tmp_path / "e.svg")]) == 1
    captured = capsys.readouterr()
    assert "out = inf" in captured.out and "not finite" in captured.err and (tmp_path / "e.svg").is_file()


def test_program_writes_python_that_reproduces_the_gradients(tmp_path, capsys):
    import math
    import runpy

    script = tmp_path / "sub" / "neuron.py"
    assert main(NEURON + ["-o", str(tmp_path / "g.dot"), "--program", str(script)]) == 0
    assert f"wrote {script}" in capsys.readouterr().out
    ran = runpy.run_path(str(script))
    # closed form: o = tanh(n), ∂o/∂w1 = (1 − o²)·x1, ∂o/∂x1 = (1 − o²)·w1, ∂o/∂b = 1 − o²
    o = math.tanh(2 * -3 + 0 * 1 + LECTURE_B)
    assert ran["g_w1"] == pytest.approx((1 - o * o) * 2, abs=1e-12)
    assert ran["g_x1"] == pytest.approx((1 - o * o) * -3, abs=1e-12)
    assert ran["g_b"] == pytest.approx(1 - o * o, abs=1e-12)
    assert ran["g_x2"] == pytest.approx((1 - o * o) * 1, abs=1e-12)


@pytest.mark.parametrize("name", ["prog.txt", "prog"])
def test_program_must_be_a_python_file_name(tmp_path, capsys, name):
    argv = ["graph", "x*2", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--program", str(tmp_path / name)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--program" in err and ".py" in err
    assert not (tmp_path / "g.svg").exists()  # refused before any work
