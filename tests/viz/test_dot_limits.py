"""Graphviz's dot under limits (issue 23, failure 2): a wall-clock limit with a one-line error and
a way to raise it, a cap on the layout's edges as well as its nodes, no dot left behind when the
Python process dies, and a script that goes on (one warning) when dot is not installed."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import autograd
import viz.rendering
from autograd import Value
from deltagrad.cli import main
from viz import draw_graph, render, step_through, trace
from viz.graph import layout_edges
from viz.rendering import DOT_TIMEOUT_VARIABLE, DotTimeout, dot_time_limit

from ..tools import program

ROOT = Path(__file__).resolve().parents[2]
needs_dot = pytest.mark.skipif(program("dot", install="apt-get install graphviz") is None, reason="needs dot")


def sum_of_x(terms: int) -> Value:
    """The issue's ``x + x + ... + x``: few nodes, but x is used at every rank."""
    x = Value(2.0, label="x")
    root = autograd.parse("+".join(["x"] * terms), x=x)
    root.backward()
    return root


def chain(length: int) -> Value:
    """A chain of ``length`` values, alternating + and × with constants."""
    v = Value(1.0, label="c")
    for i in range(length - 1):
        v = v * 1.0001 if i % 2 else v + 0.5
    v.backward()
    return v


@pytest.fixture
def slow_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``dot`` on PATH that writes its pid to ``dot.pid`` and then sleeps: a layout that never ends,
    for no CPU."""
    folder = tmp_path / "slow-bin"
    folder.mkdir()
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\necho $$ > {tmp_path / 'dot.pid'}\nexec /bin/sleep 300\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return tmp_path / "dot.pid"


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether process ``pid`` is dead (or a zombie nobody reaps) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_layout_edges_count_every_rank_an_edge_spans():
    # by hand: x (rank 0) -> +1 (rank 1): 1 piece; x -> op of +2 (rank 3): 3; +1 -> op of +2: 1;
    # and each op -> its result: 1 each. x + x + x: 2·1 (x twice into op1) + 3 + 1 + 2 ops = 8
    assert layout_edges(trace(sum_of_x(3))) == 8
    # a chain has no long edges: one piece per edge into an op, and one per op
    tr = trace(chain(11))
    assert layout_edges(tr) == len(tr.edges) + sum(1 for v in tr.nodes if v.parents)


def test_sixty_x_terms_are_refused_by_the_edge_cap_naming_it():
    root = sum_of_x(60)  # 60 values: far under the 500-node cap; dot took 91 s on it
    with pytest.raises(ValueError, match="max_edges"):
        draw_graph(root)
    with pytest.raises(ValueError, match="max_edges"):
        step_through(root)
    assert draw_graph(root, max_edges=layout_edges(trace(root))).source  # the message's way out


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_a_bad_max_edges_is_refused_naming_it(bad):
    with pytest.raises(ValueError, match="max_edges"):
        draw_graph(sum_of_x(2), max_edges=bad)


def test_the_command_refuses_sixty_x_terms_naming_the_option(tmp_path, capsys):
    argv = ["graph", "+".join(["x"] * 60), "--at", "x=2", "-o", str(tmp_path / "g.svg")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--max-edges" in err and err.count("\n") == 1
    assert not (tmp_path / "g.svg").exists()


def test_dot_past_the_time_limit_is_stopped_with_one_line_naming_the_limit(tmp_path, slow_dot):
    start = time.monotonic()
    with pytest.raises(DotTimeout, match="dot_timeout") as error:
        render(draw_graph(sum_of_x(2)), tmp_path / "g.svg", dot_timeout=0.5)
    assert time.monotonic() - start < 30  # not the fake dot's 300 s
    assert "\n" not in str(error.value) and DOT_TIMEOUT_VARIABLE in str(error.value)
    assert gone(int(slow_dot.read_text()))
    assert not (tmp_path / "g.svg").exists()


def test_the_environment_sets_the_limit(tmp_path, slow_dot, monkeypatch):
    monkeypatch.setenv(DOT_TIMEOUT_VARIABLE, "0.5")
    with pytest.raises(DotTimeout):
        step_through(sum_of_x(2), tmp_path / "s.html")
    assert gone(int(slow_dot.read_text()))


@pytest.mark.parametrize("text", ["soon", "0", "-3", "nan"])
def test_a_bad_limit_in_the_environment_is_refused_naming_the_variable(monkeypatch, text):
    monkeypatch.setenv(DOT_TIMEOUT_VARIABLE, text)
    with pytest.raises(ValueError, match=DOT_TIMEOUT_VARIABLE):
        dot_time_limit()


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_a_bad_dot_timeout_is_refused_naming_it(tmp_path, bad):
    with pytest.raises(ValueError, match="dot_timeout"):
        render(draw_graph(sum_of_x(2)), tmp_path / "g.svg", dot_timeout=bad)


def test_the_command_stops_dot_at_dot_timeout(tmp_path, slow_dot, capsys):
    argv = ["graph", "x*2", "--at", "x=1", "-o", str(tmp_path / "g.svg"), "--dot-timeout", "0.5"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "0.5 s" in err and "--dot-timeout" in err
    assert gone(int(slow_dot.read_text()))


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_killed_command_leaves_no_dot_behind(tmp_path, slow_dot, how):
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "deltagrad", "graph", "x*2", "--at", "x=1", "-o", str(tmp_path / "g.svg")]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (slow_dot.exists() and slow_dot.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    dot_pid = int(slow_dot.read_text())
    process.send_signal(how)
    process.wait(timeout=30)
    assert gone(dot_pid), "dot outlived the deltagrad graph that started it"


@needs_dot
def test_a_step_page_of_a_3002_node_chain_is_stopped_at_the_limit(tmp_path):
    root = chain(3002)  # dot took 106 s on it
    with pytest.raises(DotTimeout, match="2 s"):
        step_through(root, tmp_path / "s.html", max_nodes=None, dot_timeout=2)
    assert not (tmp_path / "s.html").exists()


README_SCRIPT = """
import viz, autograd
x = autograd.Value(2.0, label="x"); w = autograd.Value(-3.0, label="w")
y = (x * w).tanh(); y.backward()
print("render:", viz.render(viz.draw_graph(y), "{out}/y.svg"))
print("steps:", viz.step_through(y, "{out}/y.html").path)
import nn
model = nn.MLP(2, [2, 1], seed=0)
print("mlp:", viz.render(viz.draw_mlp(model, [1.0, 2.0], 1.0), "{out}/mlp.png"))
print(viz.explain(y, x).total)
"""


def test_without_dot_a_script_goes_on_and_says_so_once_in_one_line(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(empty)}
    done = subprocess.run([sys.executable, "-c", README_SCRIPT.format(out=tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and "apt-get install graphviz" in done.stderr, done.stderr
    assert f"render: {tmp_path / 'y.dot'}" in done.stdout and (tmp_path / "y.dot").is_file()
    assert (tmp_path / "y.html").is_file() and (tmp_path / "mlp.dot").is_file()
    assert float(done.stdout.strip().splitlines()[-1]) == pytest.approx(-3.0 * (1 - math.tanh(-6.0) ** 2))


def test_warning_once_is_per_process(monkeypatch, tmp_path, caplog):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viz.rendering, "_warned_missing", False)
    step_through(sum_of_x(2), tmp_path / "s.html")
    render(draw_graph(sum_of_x(2)), tmp_path / "g.svg")
    assert len(caplog.records) == 1 and "apt-get" in caplog.records[0].getMessage()
