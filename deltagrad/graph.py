"""``deltagrad graph "EXPR" --at x=2 w=-3 -o out.svg [--format ...] [--steps out.html] [--explain NAME]
[--program out.py] [--frames DIR [--gif out.gif]]``."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import autograd
from autograd import Value
from autograd.format import NumberFormat
from autograd.validate import output_file, output_folder
from viz import draw_graph, explain, program, render, step_through, trace
from viz.frames import FRAME_FORMATS, GIF_EXTRA, pillow_image_module, write_gif
from viz.graph import DEFAULT_MAX_NODES, EDGES_PER_NODE, check_size, picture_decimals
from viz.rendering import (DEFAULT_DOT_TIMEOUT, DOT_TIMEOUT_VARIABLE, FORMATS, INSTALL_HINT,
                           GraphvizNotFound, dot_time_limit, output_format, write_file)
from viz.step_page import DEFAULT_MAX_STEPS
from viz.tracing import Trace

from .arguments import HTML, number, whole

__all__ = ["register", "run", "parse_assignment", "expression_root"]


def parse_assignment(text: str) -> tuple[str, float]:
    """``"x=2"`` as ``("x", 2.0)``; ValueError naming the text when it is not ``name=number``."""
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ValueError(f"--at expects name=number (like x=2), got {text!r}")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"--at {name}: {number.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"--at {name}: the value must be finite, got {number.strip()!r}")
    return name, value


def expression_root(expression: str, at: Sequence[str]) -> tuple[Value, dict[str, Value]]:
    """The graph of ``expression`` with the values of ``--at`` (``["x=2", "w=-3"]``).

    Args:
        expression: e.g. ``"tanh(x1*w1 + x2*w2 + b)"``.
        at: ``name=number`` texts, one per variable.

    Returns:
        The root (labelled ``out`` unless it has a label) and the leaves by name; ValueError
        for a name given twice, one the expression does not use, or no variable at all.
    """
    values: dict[str, Value] = {}
    for text in at:
        name, value = parse_assignment(text)
        if name in values:
            raise ValueError(f"--at gives {name} twice")
        values[name] = Value(value, label=name)
    root = autograd.parse(expression, **values)
    if not root.requires_grad:
        raise ValueError(f"the expression {expression!r} has no variable: there is nothing to "
                         "differentiate")
    root.label = root.label or "out"
    in_graph = set(trace(root).nodes)
    unused = [name for name, v in values.items() if v not in in_graph]
    if unused:  # most likely a typo; its gradient would print as a plausible-looking 0
        raise ValueError(f"--at gives {', '.join(unused)}, which the expression {expression!r} "
                         "does not use")
    return root, values


def run(args: argparse.Namespace) -> int:
    """Build the expression, run backward, write the picture (and the step-through page).

    Exit status 0; 1 when the picture could only be written as DOT source (no Graphviz) or a
    value or gradient is not finite (an overflow), which it says on stderr.
    """
    output_format(args.output, args.format, path_name="-o", format_name="--format ")
    if args.dot_timeout is not None and not args.dot_timeout > 0:
        raise ValueError(f"--dot-timeout must be a number of seconds > 0, got {args.dot_timeout:g}")
    limit = dot_time_limit(args.dot_timeout)
    if args.steps is not None:
        output_file(args.steps, "--steps", suffixes=HTML)
    if args.program is not None:
        output_file(args.program, "--program", suffixes=(".py",))
    if args.frames is not None:
        output_folder(args.frames, "--frames")
    if args.gif is not None:
        output_file(args.gif, "--gif", suffixes=(".gif",))
        if args.frame_format != "png":
            raise ValueError(f"--gif is made from PNG frames, not --frame-format {args.frame_format}")
        try:
            pillow_image_module()
        except ImportError as error:  # not a bad argument, but as clear: one line, exit 2
            print(f"deltagrad graph: error: --gif: {error}", file=sys.stderr)
            return 2
    root, values = expression_root(args.expression, args.at)
    tr = trace(root)  # backward, the picture, the page and the explanation all use this one
    check_size(tr, args.max_nodes or DEFAULT_MAX_NODES, "the picture", option="--max-nodes ",
               max_edges=args.max_edges, edge_option="--max-edges ")
    if args.steps is not None or args.frames is not None or args.gif is not None:
        check_size(tr, args.max_nodes or DEFAULT_MAX_STEPS, "the step page", option="--max-nodes ",
                   max_edges=args.max_edges, edge_option="--max-edges ")
    if args.explain is not None and args.explain not in tr.names:
        raise ValueError(f"--explain {args.explain!r} names no node; the nodes are: {', '.join(tr.names)}")
    autograd.backward(root, order=tr.nodes)
    numbers = NumberFormat(picture_decimals(tr, [node.grad for node in tr.nodes]))  # the picture's
    grads = ", ".join(f"∂{root.label}/∂{name} = {numbers(v.grad)}" for name, v in values.items())
    print(f"{root.label} = {numbers(root.data)}" + (f"; {grads}" if grads else ""))
    status = 0
    if not all(math.isfinite(x) for v in tr.nodes for x in (v.data, v.grad)):
        print("deltagrad graph: warning: a value or gradient is not finite (an overflow, or a slope of "
              "inf); see the picture for where", file=sys.stderr)
        status = 1
    written = render(draw_graph(tr, max_nodes=None), args.output, args.format, dot_timeout=limit)
    print(f"wrote {written}")
    if written != args.output:  # no Graphviz: render wrote the .dot source and said how to get it
        status = 1
    if args.steps is not None or args.frames is not None or args.gif is not None:
        status = max(status, _write_steps(tr, args, limit))
    if args.program is not None:
        write_file(args.program, program(root).encode("utf-8"), "--program")
        print(f"wrote {args.program}")
    if args.explain is not None:
        print()
        print(explain(root, tr.nodes[tr.names.index(args.explain)], tr=tr))
    return status


def _write_steps(tr: Trace, args: argparse.Namespace, limit: float) -> int:
    """The step page, its frames and the GIF made of them, as the options ask.

    Returns:
        0; 1 when Graphviz is missing, so no frame could be drawn (the page is written).
    """
    with tempfile.TemporaryDirectory() as scratch:  # frames only the GIF needs
        folder = args.frames if args.frames is not None else (Path(scratch) if args.gif else None)
        try:
            page = step_through(tr, args.steps, max_nodes=None, dot_timeout=limit, frames=folder,
                                frame_format=args.frame_format)
        except GraphvizNotFound:  # frames are pictures: no table stands in for them
            option = "--frames" if args.frames is not None else "--gif"
            print(f"deltagrad graph: {option}: frames need Graphviz's dot; {INSTALL_HINT}",
                  file=sys.stderr)
            return 1
        plural = "s" if page.steps != 1 else ""
        if args.steps is not None:
            print(f"wrote {page.path} ({page.steps} step{plural})")
        if args.frames is not None:
            print(f"wrote {len(page.frames)} frame{plural} to {args.frames}")
        if args.gif is not None:
            print(f"wrote {write_gif(page.frames, args.gif)} ({page.steps} frame{plural})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``graph`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "graph",
        help="draw an expression's graph with values, gradients and local derivatives",
        description=(
            "Build EXPR (Python syntax: + - * / **, unary -, exp log sqrt tanh sigmoid relu ...) "
            "with the values given by --at, run backward, and draw the graph: every node's value "
            "and gradient, every edge's local derivative."
        ),
    )
    parser.add_argument("expression", metavar="EXPR", help='e.g. "tanh(x1*w1 + x2*w2 + b)"')
    parser.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                        help="a value for each name, e.g. --at x=2 w=-3 (may be repeated)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the picture to write (out.svg, .png, .pdf, .dot)")
    parser.add_argument("--format", choices=FORMATS, help="picture format (default: from the output's suffix)")
    parser.add_argument("--steps", type=Path, metavar="PAGE.html", help="also write the step-through page of the backward pass")
    parser.add_argument("--program", type=Path, metavar="FILE.py",
                        help="also write the forward and backward passes as runnable Python")
    parser.add_argument("--frames", type=Path, metavar="DIR",
                        help="also write one picture per backward step into DIR (step-001.png, ...)")
    parser.add_argument("--frame-format", choices=FRAME_FORMATS, default="png",
                        help="the frames' format (default png)")
    parser.add_argument("--gif", type=Path, metavar="FILE.gif",
                        help=f"also write the steps as an animated GIF (needs Pillow: {GIF_EXTRA})")
    parser.add_argument("--explain", metavar="NAME",
                        help="print where the gradient of node NAME comes from (a name from --at, or as the picture names it)")
    parser.add_argument("--max-nodes", type=whole(1), metavar="N",
                        help=f"draw graphs of up to N values (default {DEFAULT_MAX_NODES}, {DEFAULT_MAX_STEPS} for --steps)")
    parser.add_argument("--max-edges", type=whole(1), metavar="N",
                        help=f"draw graphs whose edges span up to N ranks in all (default "
                             f"{EDGES_PER_NODE} per allowed value; x + x + ... + x spans many)")
    parser.add_argument("--dot-timeout", type=number, metavar="SECONDS",
                        help=f"stop Graphviz after this many seconds (default "
                             f"${DOT_TIMEOUT_VARIABLE} or {DEFAULT_DOT_TIMEOUT:g})")
    parser.set_defaults(run=run)
