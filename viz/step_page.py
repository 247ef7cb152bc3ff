"""A self-contained HTML page that replays the backward pass one node at a time."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path

from autograd import Value
from autograd.format import format_number

from autograd.validate import output_file

from .graph import Style, build_graph, check_size, grad_text, op_text
from .rendering import GraphvizNotFound, pipe_svg, write_file
from .step_page_assets import CSS, SCRIPT
from .steps import Step, record_steps
from .tracing import Trace, trace

__all__ = ["StepThrough", "step_through", "DEFAULT_MAX_STEPS"]

DEFAULT_MAX_STEPS = 200


class StepThrough:
    """The step-through page: ``html`` (one self-contained document), shown inline by Jupyter.

    Attributes:
        html: the page.
        fragment: the page's body alone (what Jupyter shows inline).
        steps: how many steps it has (one per node backward visits).
        path: the file it was written to, or None.
        rendered_with_dot: False when Graphviz was missing and a table stands in for the picture.
    """

    def __init__(self, page: str, fragment: str, steps: int, path: Path | None, rendered_with_dot: bool) -> None:
        self.html = page
        self.fragment = fragment
        self.steps = steps
        self.path = path
        self.rendered_with_dot = rendered_with_dot

    def _repr_html_(self) -> str:
        return self.fragment

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"StepThrough(steps={self.steps}{where})"


def _clean_svg(svg: str) -> str:
    """The SVG from ``dot`` made fit to inline in HTML: no XML prolog, doctype or namespace URLs."""
    svg = svg[svg.index("<svg") :]
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)


def _table_view(tr: Trace) -> str:
    """The graph as a table, for when Graphviz is not installed."""
    rows = []
    index = tr.index
    for i, node in enumerate(tr.nodes):
        operands = ", ".join(f"n{index[p]}" for p in node.parents)
        op = f"{op_text(node)}({operands})".replace("\n", " ") if node.parents else "leaf"
        local = ", ".join(format_number(d) for d in node.local_grads)
        rows.append(
            f'<tr data-node="{i}"><td>n{i}</td><td>{html.escape(tr.name(i) if node.label else "")}</td><td>{html.escape(op)}</td>'
            f"<td>{local}</td><td>{format_number(node.data)}</td><td class=\"grad\">{grad_text(node, None)}</td></tr>"
        )
    head = "<tr><th>node</th><th>label</th><th>op(operands)</th><th>local derivatives</th><th>data</th><th>grad</th></tr>"
    note = "Graphviz's dot was not found, so the graph is shown as a table (install Graphviz for the picture)."
    return f'<p class="note">{html.escape(note)}</p><table class="nodes">{head}{"".join(rows)}</table>'


def _script_data(tr: Trace, steps: list[Step]) -> str:
    initial = [grad_text(node, None) for node in tr.nodes]
    names = [tr.name(i) for i in range(len(tr.nodes))]
    frames = [
        {
            "node": s.node,
            "lines": list(s.lines),
            "updated": list(s.updated),
            "grads": {str(i): grad_text(tr.nodes[i], s.grads[i]) for i in s.updated},
        }
        for s in steps
    ]
    data = json.dumps({"initial": initial, "names": names, "steps": frames}, ensure_ascii=False)
    return data.replace("</", "<\\/")  # a label holding "</script>" must not end the script


def step_through(root: Value | Trace, path: str | os.PathLike | None = None, *,
                 max_nodes: int | None = DEFAULT_MAX_STEPS) -> StepThrough:
    """Write an offline HTML page that replays ``root``'s backward pass, one node per step.

    Each step highlights the node being processed (in backward's order, reverse topological),
    shows the gradients filled in so far and the arithmetic added at that step, e.g.
    ``grad[w1] += x1 × grad[v] = 2.0 × 0.5 = 1.0``. Previous/next buttons, a slider and the
    arrow keys move between steps. Everything is inline (the picture is an SVG drawn by Graphviz,
    or a table when Graphviz is missing): no network, no external file. The replay starts from
    zero gradients and does not touch ``.grad``.

    Args:
        root: the output Value (it must require grad), or its ``viz.trace``.
        path: where to write the page; None to only build it (e.g. to show it in Jupyter).
        max_nodes: refuse (ValueError) graphs with more nodes than this; None for no limit.

    Returns:
        A :class:`StepThrough` (its ``_repr_html_`` shows the page inline in Jupyter).
    """
    target = None if path is None else output_file(path, "path")
    tr = root if isinstance(root, Trace) else trace(root)
    root = tr.nodes[-1]
    if not root.requires_grad:
        raise ValueError("step_through: root is a constant (requires_grad=False): there is no backward pass to show")
    check_size(tr, max_nodes, "step_through", advice="draw it without the page, with viz.draw_graph; or ")
    steps = record_steps(tr)
    name = tr.name(len(tr.nodes) - 1)
    style = Style(name_all_nodes=True, title=f"backward pass of {name} = {format_number(root.data)}")
    source = build_graph(tr, list(steps[-1].grads), style).source
    try:
        picture, with_dot = _clean_svg(pipe_svg(source)), True
    except GraphvizNotFound:
        picture, with_dot = _table_view(tr), False
    page_id = "dg" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:10]
    title = f"deltagrad: backward of {name}, step by step"
    fragment = f"""<div class="deltagrad-steps" id="{page_id}">
<style>{CSS}</style>
<h1>{html.escape(title)}</h1>
<p class="intro">Backward visits the nodes in reverse topological order. At each node it adds
<b>local derivative × the node's gradient</b> to each operand's gradient. Gradients not reached yet show as —.
Keys: ← →.</p>
<div class="controls"><button class="prev" title="previous step (←)">◀ prev</button>
<input class="slider" type="range" min="1" max="{len(steps)}" value="1" aria-label="step">
<button class="next" title="next step (→)">next ▶</button> <span class="counter"></span>
<label><input class="fit" type="checkbox" checked> fit the picture to the window</label></div>
<div class="now"><div class="heading"></div><ol class="lines"></ol></div>
<div class="picture fit">{picture}</div>
<details class="log-box" open><summary>earlier steps</summary><ul class="log"></ul></details>
<script type="application/json" class="data">{_script_data(tr, steps)}</script>
<script>{SCRIPT}
deltagradSteps(document.getElementById("{page_id}"));</script>
</div>"""
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f"<body>\n{fragment}\n</body></html>\n"
    )
    if target is not None:
        write_file(target, page.encode("utf-8"), "step_through")
    return StepThrough(page, fragment, len(steps), target, with_dot)
