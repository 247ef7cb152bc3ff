"""A self-contained HTML page that replays the backward pass one node at a time."""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.format import (APPROX_MARK, NumberFormat, agrees_to_written, format_fixed,
                             format_number, written_digits)
from autograd.validate import flag, output_file, output_folder, shown, text

from .escape import script_json
from .explain import Explainer
from .frames import FRAME_FORMATS, ProgressBar, frame_sources, write_frames
from .graph import (Style, approximate, build_graph, check_size, grad_text, op_text,
                    picture_decimals)
from .roles import Unit, find_units
from .rendering import GraphvizNotFound, dot_time_limit, pipe_svg, warn_missing_dot, write_file
from .step_page_assets import CSS, SCRIPT
from .steps import Step, record_steps
from .tracing import Trace, factor, local_formula, node_names, trace

__all__ = ["StepThrough", "step_through", "final_steps", "DEFAULT_MAX_STEPS"]

DEFAULT_MAX_STEPS = 200
UNFOLD_MAX_NEURONS = 16  # a picture per neuron drawn unfolded, for clicks: past this many, none
# Explanations grow with the square of the graph (a path to the root per node): past this many
# nodes the page leaves them out and says how to get one.
EXPLAIN_MAX_NODES = 500
HIDDEN = "grad ?"  # predict mode: a gradient the learner has not predicted yet

# A line of a step: plain text, or [text, node, masked text] when it adds to the gradient of an
# interior node, whose numbers predict mode hides (masked) until that node's own step.
Line = str | list


class StepThrough:
    """The step-through page: ``html`` (one self-contained document), shown inline by Jupyter.

    Attributes:
        html: the page.
        fragment: the page's body alone (what Jupyter shows inline).
        steps: how many steps it has (one per node backward visits).
        path: the file it was written to, or None.
        rendered_with_dot: False when Graphviz was missing and a table stands in for the picture.
        frames: the frames written (``step_through(..., frames=DIR)``), else [].
    """

    def __init__(self, page: str, fragment: str, steps: int, path: Path | None, rendered_with_dot: bool) -> None:
        self.html = page
        self.fragment = fragment
        self.steps = steps
        self.path = path
        self.rendered_with_dot = rendered_with_dot
        self.frames: list[Path] = []

    def _repr_html_(self) -> str:
        return self.fragment

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"StepThrough(steps={self.steps}{where})"


def _clean_svg(svg: str) -> str:
    """The SVG from ``dot`` made fit to inline in HTML: no XML prolog, doctype or namespace URLs."""
    svg = svg[svg.index("<svg") :]
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)


def _table_view(tr: Trace, decimals: int) -> str:
    """The graph as a table, for when Graphviz is not installed."""
    rows = []
    index = tr.index
    for i, node in enumerate(tr.nodes):
        operands = ", ".join(html.escape(tr.name(index[p])) for p in node.parents)
        op = f"{html.escape(op_text(node, ' '))}({operands})" if node.parents else "leaf"
        local = ", ".join(format_fixed(d, decimals) for d in node.local_grads)
        rows.append(
            f'<tr data-node="{i}"><td>{html.escape(tr.name(i))}</td><td>{op}</td><td>{local}</td>'
            f'<td>{format_fixed(node.data, decimals)}</td><td class="grad">{grad_text(node, None)}</td></tr>'
        )
    head = "<tr><th>node</th><th>op(operands)</th><th>local derivatives</th><th>data</th><th>grad</th></tr>"
    note = "Graphviz's dot was not found, so the graph is shown as a table (install Graphviz for the picture)."
    return f'<p class="note">{html.escape(note)}</p><table class="nodes">{head}{"".join(rows)}</table>'


def _lines(tr: Trace, steps: list[Step], decimals: int) -> list[list[Line]]:
    """Each step's arithmetic, with the picture's decimals so that it reads as the picture does.

    The numbers are the steps' own (``Step.grads``; a term is the local derivative times the
    gradient of the node processed); the running totals are summed in backward's order.
    """
    numbers = num = NumberFormat(decimals)

    nodes, root = tr.nodes, len(tr.nodes) - 1
    interior = {s.node for s in steps if nodes[s.node].parents}
    edges: dict[int, list] = {}
    for edge in tr.edges:
        edges.setdefault(edge.child, []).append(edge)
    total: list[float | None] = [None] * len(nodes)
    out = []
    for s in steps:
        k, name = s.node, tr.name(s.node)
        g = s.grads[k]
        lines: list[Line] = []
        if k == root:
            lines.append(f"start: grad[{name}] = {num(g)}  (∂{factor(name)}/∂{factor(name)})")
        for edge in edges.get(k, []):
            p, arg = edge.parent, tr.name(edge.parent)
            if not nodes[p].requires_grad:
                lines.append(f"{arg} is a constant: no gradient for it")
                continue
            term, before = edge.local_grad * g, total[p]
            total[p] = term if before is None else before + term
            head = f"grad[{arg}] += {factor(local_formula(tr, edge))} × grad[{name}] = "
            # a result its shown operands miss by rounding is marked ≈, as in the picture
            product = numbers.result(term, numbers.shown(edge.local_grad) * numbers.shown(g))
            text = f"{head}{num(edge.local_grad)} × {num(g)} = {product}"
            if before is not None:
                by_hand = numbers.shown(before) + numbers.shown(term)
                text += f"  → grad[{arg}] = {numbers.result(total[p], by_hand)}"
            lines.append([text, p, head + "?"] if p in interior else text)
        out.append(lines)
    leaves = [i for i, node in enumerate(nodes) if not node.parents and node.requires_grad]
    out[-1].append("done: the leaves' gradients are final: "
                   + ", ".join(f"grad[{tr.name(i)}] = {num(steps[-1].grads[i] or 0.0)}" for i in leaves))
    return out


def _unfolded_view(tr: Trace, grads: list[float | None], style: Style, unit: Unit,
                   limit: float | None) -> str:
    """The picture with neuron ``unit`` drawn as scalars: a template a click swaps in."""
    unfolded = replace(style, unfold=frozenset({unit.prefix.rstrip(".")}))
    svg = _clean_svg(pipe_svg(build_graph(tr, grads, unfolded).source, timeout=limit))
    return f'<template class="view" data-unit="{unit.dot}">{svg}</template>'


def _explanations(tr: Trace, numbers: NumberFormat) -> dict[str, str]:
    """Every node's :func:`viz.explain` as HTML (node index -> fragment), for the nodes that require
    grad; the gradients, users and path counts they all read are computed once."""
    if len(tr.nodes) > EXPLAIN_MAX_NODES:
        return {}
    return {str(i): e.to_html() for i, e in Explainer(tr, numbers).explain_all().items()}


def final_steps(steps: list[Step], count: int) -> list[int]:
    """For each node, the step after which its gradient is final: its own step (an interior
    node), or the last step that adds to it (a leaf); 0 when no step reaches it.

    Args:
        steps: :func:`viz.steps.record_steps`'s.
        count: how many nodes the trace has.

    Returns:
        One step index (zero-based) per node.
    """
    final = [0] * count
    for k, s in enumerate(steps):
        for i in s.updated:
            final[i] = k
    for k, s in reversed(list(enumerate(steps))):  # an interior node's own step, the first one
        final[s.node] = k
    return final


def _node(tr: Trace, names: dict[str, int], key: Any, what: str) -> int:
    """The index of the node ``key`` names (a name from :func:`viz.tracing.node_names`, or a
    Value of the graph); ``what`` names the argument in errors."""
    if isinstance(key, Value):
        if key not in tr.index:
            raise ValueError(f"step_through: {what} holds a Value that is not in the graph: "
                             f"{key!r}")
        return tr.index[key]
    name = text(key, f"step_through: {what}'s keys")
    if name not in names:
        some = ", ".join(n for n in list(names)[:8])
        raise ValueError(f"step_through: {what} names {name!r}, which is no node of the graph; "
                         f"its names are e.g. {some}")
    return names[name]


def _learner(tr: Trace, steps: list[Step], answers: Any, notes: Any,
             decimals: int) -> dict[str, dict]:
    """The learner's numbers and notes by node index: the number as written, whether it agrees
    with backward's to the digits written, and backward's as the picture shows it."""
    final, names = steps[-1].grads, node_names(tr)
    out: dict[str, dict] = {}
    for what, given in (("answers", answers), ("notes", notes)):
        if given is None:
            continue
        if not isinstance(given, Mapping):
            raise TypeError(f"step_through: {what} must be a mapping of node names to "
                            f"{'numbers' if what == 'answers' else 'text'}, got {shown(given)}")
        for key, value in given.items():
            i = _node(tr, names, key, what)
            if not tr.nodes[i].requires_grad:
                raise ValueError(f"step_through: {what} names {tr.name(i)!r}, a constant: "
                                 "it has no gradient")
            correct = final[i] or 0.0
            entry = out.setdefault(str(i), {"correct": format_fixed(correct, decimals)})
            if what == "notes":
                entry["note"] = text(value, f"step_through: notes[{tr.name(i)!r}]")
                continue
            number = written_digits(value, f"step_through: answers[{tr.name(i)!r}]")[0]
            entry["yours"] = value.strip() if isinstance(value, str) else format_number(number, 6)
            entry["right"] = agrees_to_written(value, correct)
    return out


def _page_data(tr: Trace, steps: list[Step], decimals: int, units: list[Unit]) -> dict:
    lines = _lines(tr, steps, decimals)
    final = steps[-1].grads
    # a final gradient the picture marks ≈ (its shown parts miss it by rounding) is marked here too
    marked = approximate(tr, final, NumberFormat(decimals))[1]

    def shown(i: int, grad: float) -> str:
        text = grad_text(tr.nodes[i], grad, decimals)
        return text.replace("grad ", "grad " + APPROX_MARK) if i in marked and grad == final[i] else text

    return {
        # a neuron's table (keyed by its v's index): its v and y step as one while it is folded
        "units": {str(i): u.dot for u in units for i in (u.dot, u.activation) if i is not None},
        "unitNames": {str(u.dot): u.prefix.rstrip(".") or "neuron" for u in units},
        "names": [tr.name(i) for i in range(len(tr.nodes))],
        "initial": [grad_text(node, None) for node in tr.nodes],
        "hidden": HIDDEN,
        "steps": [
            {
                "node": s.node,
                "lines": lines[k],
                "updated": list(s.updated),
                "grads": {str(i): shown(i, s.grads[i]) for i in s.updated},
                "answer": format_fixed(s.grads[s.node], decimals),
            }
            for k, s in enumerate(steps)
        ],
        # where each gradient comes from, for the node the learner clicks
        "explain": _explanations(tr, NumberFormat(decimals)),  # spelled as the picture
        "explainMissing": (f"This page leaves explanations out: the graph has {len(tr.nodes)} nodes, more than "
                           f"{EXPLAIN_MAX_NODES}. In Python: print(viz.explain(root, node))."),
    }


def step_through(root: Value | Trace, path: str | os.PathLike | None = None, *,
                 max_nodes: int | None = DEFAULT_MAX_STEPS, dot_timeout: float | None = None,
                 predict: bool = False, answers: Mapping[Any, float | str] | None = None,
                 notes: Mapping[Any, str] | None = None, start: Any = None,
                 frames: str | os.PathLike | None = None, frame_format: str = "png") -> StepThrough:
    """Write an offline HTML page that replays ``root``'s backward pass, one node per step.

    Each step highlights the node being processed (in backward's order, reverse topological),
    shows the gradients filled in so far and the arithmetic added at that step, e.g.
    ``grad[w1] += x1 × grad[v] = 2.0 × 0.5 = 1.0``, with the picture's decimals. Previous/next
    buttons, a slider and the arrow keys move between steps; the controls and the step's
    arithmetic stay on screen while the page scrolls, and the picture zooms (fit to the window,
    or 100% following the current node). Clicking a node shows where its gradient comes from
    (:func:`viz.explain`; left out past ``EXPLAIN_MAX_NODES`` nodes). Predict mode asks for each node's gradient before its step is shown,
    grades the answer (within 1e-3, absolute or relative, of the value shown) and keeps a score.
    Everything is inline (the picture is an SVG drawn by Graphviz, or a table when Graphviz is
    missing): no network, no server, no external file. The replay starts from zero gradients and
    does not touch ``.grad``.

    A graph of ``nn`` neurons is drawn with one table per neuron (``draw_graph(fold="neuron")``),
    and a folded neuron is one step, its inner steps (y, then v) listed; clicking a neuron's name
    unfolds it into scalars and its steps (the "fold back" button folds it again; up to
    ``UNFOLD_MAX_NEURONS`` neurons). The legend sits beside the picture, the step's arithmetic
    scrolls within a fixed height, and the page follows ``#step=N`` in its address, also when
    it changes while the page is open.

    Args:
        root: the output Value (it must require grad), or its ``viz.trace``.
        path: where to write the page; None to only build it (e.g. to show it in Jupyter).
        max_nodes: refuse (ValueError) graphs with more nodes than this; None for no limit.
        dot_timeout: seconds Graphviz may take to draw the picture (``viz.render``'s).
        predict: open with predict mode on.
        answers: a learner's ∂root/∂node by node (a name as :func:`viz.diagnose` takes it, or a
            Value of the graph): each is shown under its node, marked ✓ when it agrees with the
            correct gradient to the digits written (``autograd.format.agrees_to_written``), ✗
            otherwise, and beside the correct one at the step where that gradient is final.
        notes: a sentence per node (a verdict, a hint), shown at that same step.
        start: the node (a name or a Value) to open at: the step where its gradient is final
            (its own step, where predict mode asks for it). A link's ``#step=N`` or
            ``#node=NAME`` wins over it.
        frames: a folder to also write one picture per step into (``step-001.png``, ...), the
            page's picture at that step, for slides and video (see ``viz.frames``); a progress
            bar shows on a terminal.
        frame_format: ``"png"`` or ``"svg"``.

    Returns:
        A :class:`StepThrough` (its ``_repr_html_`` shows the page inline in Jupyter); its
        ``frames`` lists the frames written.
    """
    target = None if path is None else output_file(path, "path")
    if frames is not None:
        output_folder(frames, "frames")
        if frame_format not in FRAME_FORMATS:
            raise ValueError(f"step_through: frame_format must be one of {FRAME_FORMATS}, "
                             f"got {frame_format!r}")
    limit = dot_time_limit(dot_timeout)
    tr = root if isinstance(root, Trace) else trace(root)
    root = tr.nodes[-1]
    if not root.requires_grad:
        raise ValueError("step_through: root is a constant (requires_grad=False): there is no backward pass to show")
    check_size(tr, max_nodes, "step_through", advice="draw it without the page, with viz.draw_graph; or ")
    steps = record_steps(tr)
    predict = flag(predict, "predict")
    final = list(steps[-1].grads)
    decimals = picture_decimals(tr, final)
    learner = _learner(tr, steps, answers, notes, decimals)
    at = final_steps(steps, len(tr.nodes))
    first = 0 if start is None else at[_node(tr, node_names(tr), start, "start")]
    name = tr.name(len(tr.nodes) - 1)
    units = find_units(tr)  # an nn graph reads as one table per neuron; a click unfolds one
    style = Style(title=f"backward pass of {name} = {format_fixed(root.data, decimals)}",
                  fold="neuron" if units else None, cell_ids=True, legend="none")
    source = build_graph(tr, final, style).source
    views = legend = ""
    try:
        picture, with_dot = _clean_svg(pipe_svg(source, timeout=limit)), True
        # the legend beside the picture, not in it: the picture fits the window at a readable size
        key = build_graph(tr, final, replace(style, legend="only")).source
        key = _clean_svg(pipe_svg(key, timeout=limit))
        legend = f'<details class="legend-box"><summary>legend</summary>{key}</details>'

        if len(units) <= UNFOLD_MAX_NEURONS:
            views = "".join(_unfolded_view(tr, final, style, unit, limit) for unit in units)
    except GraphvizNotFound:
        warn_missing_dot()
        picture, with_dot = _table_view(tr, decimals), False
        units = []
    data = _page_data(tr, steps, decimals, units) | {"predict": predict, "start": first,
                                                      "final": at, "yours": learner}
    # two pages of one graph (the answers of two learners) may share a notebook
    page_id = "dg" + hashlib.sha1((source + script_json(data)).encode("utf-8")).hexdigest()[:10]
    title = f"deltagrad: backward of {name}, step by step"
    where = "box in the picture" if with_dot else "row of the table"
    unfold_note = (" A neuron is one table and one step (its y, then its v); click its name to "
                   "unfold it." if views else "")
    yours_note = ("" if not any("yours" in entry for entry in learner.values()) else
                  "<br>Your numbers are shown beside the nodes: ✓ agrees with backward's to the "
                  "digits you wrote, ✗ does not (the correct one is the node's grad).")
    fragment = f"""<div class="deltagrad-steps" id="{page_id}">
<style>{CSS}</style>
<h1>{html.escape(title)}</h1>
<p class="intro">Backward visits the nodes in reverse topological order. At each node it adds
<b>local derivative × the node's gradient</b> to each operand's gradient. Gradients not reached yet show as —.
Keys: ← →. Click any {where} to see where its gradient comes from.{unfold_note}{yours_note}</p>
<div class="bar">
<div class="controls"><button class="prev" title="previous step (←)">◀ prev</button>
<input class="slider" type="range" min="1" max="{len(steps)}" value="1" aria-label="step">
<button class="next" title="next step (→)">next ▶</button> <span class="counter"></span>
<span class="zoom"{"" if with_dot else " hidden"}>zoom <button class="zoom-out" title="zoom out">−</button><button
class="zoom-fit" title="fit the picture to the window">fit</button><button class="zoom-one" title="actual size, following the current node">100%</button><button
class="zoom-in" title="zoom in">+</button> <span class="zoom-level"></span></span>
<label class="predict-label" title="type each node's gradient before its step is shown"><input class="predict" type="checkbox"> predict mode</label>
<span class="score" hidden></span> <button class="fold-back" hidden></button></div>
<div class="now"><div class="heading"></div>
<div class="question" hidden><input class="guess" type="text" inputmode="decimal" size="12" aria-label="your prediction" placeholder="e.g. -1.5">
<button class="check">check</button> <span class="hint">within 0.001 (or 0.1%) of the value shown is right</span></div>
<div class="feedback"></div><ol class="lines"></ol></div>
</div>
<div class="main">
<div class="picture">{picture}</div>{views}{legend}
<aside class="explain-box" hidden><div class="explain-title"><span class="explain-name"></span>
<button class="explain-close" title="close">×</button></div><div class="explain-body"></div></aside>
</div>
<details class="log-box" open><summary>earlier steps (the latest first)</summary><ul class="log"></ul></details>
<script type="application/json" class="data">{script_json(data)}</script>
<script>{SCRIPT}
deltagradSteps(document.getElementById("{page_id}"));</script>
</div>"""
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f"<body>\n{fragment}\n</body></html>\n"
    )
    if target is not None:
        write_file(target, page.encode("utf-8"), "step_through")
    result = StepThrough(page, fragment, len(steps), target, with_dot)
    if frames is not None:
        texts = [[line if isinstance(line, str) else line[0] for line in step]
                 for step in _lines(tr, steps, decimals)]
        bar = ProgressBar(len(steps), "frames")
        result.frames = write_frames(frame_sources(tr, steps, texts, decimals, style.title), frames, frame_format,
                                     dot_timeout=limit, progress=bar.update)
    return result
