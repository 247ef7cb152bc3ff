"""Issue 21 §2, one way of showing numbers: a node's number is spelled the same in the picture,
the step page (picture and panels), ``explain``, the frames and the command line; shown sums add
up or are marked ≈; every box has a name; labels sit on their own edges; one sign palette."""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from autograd import Value
from autograd.format import APPROX_MARK, NumberFormat
from deltagrad.cli import main
from nn import MLP, hinge
from viz import draw_graph, explain, step_through, trace
from viz.graph import approximate, picture_decimals
from viz.style import SIGN_COLORS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="no Graphviz dot")
PLAYGROUND_JS = Path(__file__).parents[2] / "deltagrad" / "playground" / "static" / "playground.js"
RECORD = re.compile(r"\{ ([^|]+?) \| data ([^|]+?) \| grad ([^}]+?) \}")


def hinge_graph(x=(0.5, -1.2)) -> Value:
    """The issue's 2-4-4-1 ReLU network and hinge loss, after backward."""
    model = MLP(2, [4, 4, 1], seed=0)
    loss = hinge(model(list(x)), 1.0)
    loss.backward()
    return loss


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def table_cells(source: str) -> dict[str, tuple[str, str]]:
    """A neuron table's rows as the picture writes them: full name -> (data, grad)."""
    out = {}
    for table in re.findall(r"<B>([^<]+)</B>(.*?)</TABLE>", source):
        prefix, body = table
        cell = r"<TD[^>]*>([^<]+)</TD>"
        for name, data, grad in re.findall(r'<TD PORT="i\d+"[^>]*>([^<]+)</TD>' + cell * 2, body):
            out[f"{prefix}.{name.split(' = ')[0]}"] = (data, grad)
    return out


# -- the same node, the same digits, in every view ----------------------------------------------


def test_explain_writes_each_gradient_as_the_picture_does():
    loss = hinge_graph()
    tr = trace(loss)
    pictured = table_cells(draw_graph(loss).source)
    assert len(pictured) > 40
    for name, (_, grad) in pictured.items():
        if grad in ("no grad", "—"):
            continue
        total = str(explain(loss, tr.nodes[tr.names.index(name)], tr=tr)).splitlines()[0]
        # "∂n60/∂L0.N0.w0 = -0.37122": the picture may add ≈ (a result of its own sums)
        assert total.split(" = ")[-1] == grad.removeprefix(APPROX_MARK), name


def test_step_page_panels_picture_and_frames_spell_a_gradient_alike():
    loss = hinge_graph()
    tr = trace(loss)
    page = step_through(tr, max_nodes=None)
    data = json.loads(re.search(r'class="data">(.*?)</script>', page.html, re.DOTALL)[1])
    final = {}
    for step in data["steps"]:
        final.update(step["grads"])
    for i, text in final.items():
        panel = data["explain"][i]
        grad = text.removeprefix("grad ")
        # the explain panel's heading: ∂root/∂node = the same digits as the box
        digits = re.escape(grad.removeprefix(APPROX_MARK))
        assert re.search(rf"∂[^<]*/∂[^<]* = {digits}<", panel), (i, grad)


@needs_dot
def test_the_command_line_prints_the_pictures_digits(tmp_path, capsys):
    svg = tmp_path / "g.svg"
    # the example: the command line said -2.271 where the picture said -2.2707
    argv = ["graph", "x*y + tanh(x*z)", "--at", "x=1.3", "y=-2.5313", "z=0.7", "-o", str(svg)]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()[0]
    printed = dict(re.findall(r"∂out/∂(\w+) = (\S+?)(?:,|$)", out))
    picture = html.unescape(svg.read_text(encoding="utf-8"))
    assert set(printed) == {"x", "y", "z"}
    # by hand: ∂out/∂x = y + z·(1 − tanh²(x·z)) = −2.19532.., 4 significant digits would be −2.195
    assert printed["x"] == "-2.1953"
    for name, text in printed.items():
        assert re.search(rf">grad ≈?{re.escape(text)}<", picture), (name, text)


def test_explain_and_the_command_line_agree(tmp_path, capsys):
    argv = ["graph", "x*y + tanh(x*z)", "--at", "x=1.3", "y=-2.5313", "z=0.7",
            "-o", str(tmp_path / "g.dot"), "--explain", "x"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    printed = re.search(r"∂out/∂x = (\S+?),", out)[1]
    assert f"∂out/∂x = {printed}\n" in out  # explain's heading, same digits


# -- sums add up, or say they do not ------------------------------------------------------------


def test_a_result_that_its_shown_operands_miss_is_marked():
    numbers = NumberFormat(4)
    # the example: 0.1464 − 0.1036 shown as 0.0429 (exact 0.14644 − 0.10355 = 0.04289)
    by_hand = numbers.shown(0.14644) - numbers.shown(0.10355)
    assert numbers.result(0.04289, by_hand) == "≈0.0429"
    assert numbers.result(0.0428, by_hand) == "0.0428"


def test_the_hinge_pictures_sums_add_up_to_the_last_digit_or_carry_a_mark():
    loss = hinge_graph()
    tr = trace(loss)
    grads = [n.grad for n in tr.nodes]
    decimals = picture_decimals(tr, grads)
    numbers = NumberFormat(decimals)
    source = draw_graph(loss).source
    cells = table_cells(source)
    # the example, by hand from the picture: grad[L0.N0.y] = Σ w × grad[v] over layer 1
    y = "L0.N0.y"
    terms = [(cells[f"L1.N{k}.w0"][0], cells[f"L1.N{k}.v"][1]) for k in range(4)]
    by_hand = math.fsum(float(w) * float(g) for w, g in terms)
    shown = cells[y][1]
    assert (numbers(by_hand) == shown) != shown.startswith(APPROX_MARK)
    assert shown.startswith(APPROX_MARK)  # -0.742440 by hand, -0.742439 exact
    assert "≈: by hand, the shown operands" in source  # the legend says what ≈ means
    # every mark is a sum that misses, and only those
    _, rough = approximate(tr, grads, numbers)
    marked = {name for name, (_, g) in cells.items() if g.startswith(APPROX_MARK)}
    assert {tr.names[i] for i in rough} == marked


def test_no_mark_where_everything_adds_up():
    out = neuron()
    out.backward()
    assert APPROX_MARK not in draw_graph(out).source


# -- names: every box has one, each once ---------------------------------------------------------


def test_every_box_has_one_name_and_inputs_are_x0_x1():
    tr = trace(hinge_graph())
    assert len(set(tr.names)) == len(tr.names)
    assert {"x0", "x1"} <= set(tr.names)
    assert "0.5" not in tr.names and "-1.2" not in tr.names
    assert tr.names.count("1") == 1  # two constants 1.0: the value names one of them


# -- labels: on their own edges, over no box (Graphviz's own layout) -----------------------------


def _bezier(points: list[tuple[float, float]], samples: int = 12) -> list[tuple[float, float]]:
    out = []
    for k in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[k : k + 4]
        for s in range(samples + 1):
            t = s / samples
            c = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
            out.append((sum(ci * p[0] for ci, p in zip(c, (p0, p1, p2, p3))),
                        sum(ci * p[1] for ci, p in zip(c, (p0, p1, p2, p3)))))
    return out


def label_problems(source: str) -> list[str]:
    """What is wrong with the edge labels of a picture as ``dot`` lays it out: a label over a box,
    or a label nearer another edge than its own."""
    dot = subprocess.run(["dot", "-Tjson"], input=source.encode("utf-8"), capture_output=True,
                         check=True)
    layout = json.loads(dot.stdout)
    boxes = []
    for node in layout["objects"]:
        if "pos" in node and "width" in node:
            x, y = map(float, node["pos"].split(","))
            w, h = float(node["width"]) * 72 / 2, float(node["height"]) * 72 / 2
            boxes.append((node["name"], x - w, y - h, x + w, y + h))
    curves = []
    for edge in layout["edges"]:
        points = [tuple(map(float, p.split(",")))
                  for p in edge["pos"].split() if not p.startswith(("e,", "s,"))]
        curves.append(_bezier(points))
    problems = []
    for k, edge in enumerate(layout["edges"]):
        for key in ("_ldraw_", "_hldraw_", "_tldraw_", "_xldraw_"):
            for op in edge.get(key, []):
                if op["op"] != "T":
                    continue
                (x, y), half = op["pt"], op["width"] / 2
                # 10 pt text on its baseline
                left, right, bottom, top = x - half, x + half, y - 2, y + 8
                for name, a, b, c, d in boxes:
                    if left < c and right > a and bottom < d and top > b:
                        problems.append(f"{op['text']!r} over {name}")
                near = [min(math.dist((x, y + 3), p) for p in curve) for curve in curves]
                if min(near) < near[k]:
                    problems.append(f"{op['text']!r} nearer another edge than its own")
    return problems


@needs_dot
def test_the_hinge_pictures_labels_sit_on_their_edges_and_over_no_box():
    source = draw_graph(hinge_graph()).source
    assert re.search(r"-> \w+ \[label=", source)  # there are labels to check
    assert label_problems(source) == []


@needs_dot
def test_the_label_check_can_fail():
    # the old layout: local derivatives as head labels, which dot places over boxes
    source = re.sub(r"(->[^\n]*?\[)label=", r"\1labeldistance=2.2 labelangle=-35 headlabel=",
                    draw_graph(hinge_graph()).source)
    assert label_problems(source)


# -- one palette for the sign of a weight --------------------------------------------------------


def test_draw_mlp_colours_weights_by_the_shared_palette():
    from viz import draw_mlp

    model = MLP(2, [2, 1], seed=1)
    source = draw_mlp(model, [0.5, -1.0]).source
    signs = {w.data > 0 for w in model.parameters() if w.data != 0}
    assert signs == {True, False}
    colors = set(re.findall(r'color="(#[0-9a-f]{6})', source))
    assert SIGN_COLORS[1] in colors and SIGN_COLORS[-1] in colors
    assert "red w > 0, blue w < 0" in html.unescape(source)  # the legend says which


def test_the_playground_uses_the_same_sign_palette():
    script = PLAYGROUND_JS.read_text(encoding="utf-8")
    positive = re.search(r'POSITIVE = "(#[0-9a-fA-F]{6})"', script)[1]
    negative = re.search(r'NEGATIVE = "(#[0-9a-fA-F]{6})"', script)[1]
    assert (positive.lower(), negative.lower()) == (SIGN_COLORS[1], SIGN_COLORS[-1])
    triple = r"\[(\d+), (\d+), (\d+)\]"
    rgb = re.search(rf"SIGN_RGB = \{{ positive: {triple}, negative: {triple} \}}", script)
    as_hex = ["#" + "".join(f"{int(c):02x}" for c in rgb.groups()[k : k + 3]) for k in (0, 3)]
    assert as_hex == [SIGN_COLORS[1], SIGN_COLORS[-1]]  # the δ shading too


def test_the_step_pages_products_add_up_or_carry_a_mark():
    loss = hinge_graph()
    tr = trace(loss)
    page = step_through(tr, max_nodes=None)
    data = json.loads(re.search(r'class="data">(.*?)</script>', page.html, re.DOTALL)[1])
    numbers = NumberFormat(picture_decimals(tr, [n.grad for n in tr.nodes]))
    lines = [line if isinstance(line, str) else line[0] for s in data["steps"] for line in s["lines"]]
    products = [m.groups() for line in lines
                if (m := re.search(r"= (\S+) × (\S+) = (≈?)(\S+?)(?:  →|$)", line))]
    assert len(products) > 50
    marked = 0
    for a, b, mark, c in products:
        by_hand = numbers(float(a) * float(b))
        assert (by_hand == c) == (mark == ""), (a, b, mark, c)
        marked += bool(mark)
    assert marked  # the 2-4-4-1 hinge graph has products that rounding makes miss


def test_the_step_page_marks_a_final_gradient_as_the_picture_does(tmp_path):
    """A gradient whose shown parts miss it by rounding carries ≈ on the page, at its final value,
    as in the picture; no other gradient does."""
    root = hinge_graph()
    tr = trace(root)
    page = step_through(root, tmp_path / "page.html").path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'class="data">(.*?)</script>', page, re.S)[1])
    on_page = {int(i) for s in data["steps"] for i, text in s["grads"].items() if APPROX_MARK in text}
    final = [root.grad if v is root else v.grad for v in tr.nodes]
    in_picture = approximate(tr, final, NumberFormat(picture_decimals(tr, final)))[1]
    assert on_page == in_picture and on_page  # the hinge graph has some
