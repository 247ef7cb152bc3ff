"""``deltagrad exercise``: a backpropagation worksheet a teacher can hand out.

``deltagrad exercise --layers 2,2,1 --activation sigmoid --loss sse --seed 7 -o DIR`` writes

- ``network.svg``: the network with its weights and biases (no gradients, no v or y);
- ``questions.md``: the input, the target, the weights and what to compute;
- ``answers.txt``: the answer template, ``name = `` lines under a first line that records the
  exercise (``# deltagrad exercise --layers ... --x=... --target=...``), which
  ``deltagrad check answers.txt`` reads to rebuild it;
- ``solution.md`` and ``solution.tex``: the worked steps with the numbers (forward, e and J,
  δ from the output back, every ∂J/∂w), from ``nn.handcheck.worked_steps``.

``deltagrad exercise --expr "tanh(x1*w1 + x2*w2 + b)" --at x1=2 x2=0 w1=-3 w2=1 b=6.88 -o DIR``
writes an expression's worksheet instead: ``graph.svg`` (the values; no gradients and no local
derivatives, which are part of the work), ``questions.md``, ``answers.txt`` (one ``name = ``
line per node, ∂out/∂node, root first; ``deltagrad check`` grades it with ``viz.diagnose``) and
``solution.md``/``solution.tex`` (``viz.explain`` of every node).

The weights are the seed's, rounded to two decimals so that the sums fit on paper; the biases,
the input and the target are drawn from the seed too (two decimals) unless given.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Sequence

import numpy as np

from autograd import Value
from autograd.validate import output_folder
from nn import ACTIVATIONS, MLP
from nn.deltas import LOSSES
from nn.handcheck import answer_names, worked_steps
from viz import GraphvizNotFound, draw_graph, draw_mlp, explain, render, trace

from .arguments import listed, number, whole
from .graph import expression_root

__all__ = ["Exercise", "ExpressionExercise", "add_network_arguments", "build", "from_header",
           "register", "run"]

DECIMALS = 2  # of the weights, biases, input and target on the worksheet
HEADER = "# deltagrad exercise"
OUTPUT = {"bce": "sigmoid", "ce": "softmax"}  # a loss's output layer (sse: --activation's)


@dataclass(frozen=True)
class Exercise:
    """One worksheet's network and sample.

    Attributes:
        model: the ``nn.MLP`` (weights rounded to ``DECIMALS``).
        x: the input.
        target: one number per output, or a class index for ``ce``.
        loss: ``"sse"``, ``"bce"`` or ``"ce"``.
        widths, activation, seed: how it was made.
    """

    model: MLP
    x: list[float]
    target: list[float] | int
    loss: str
    widths: list[int]
    activation: str
    seed: int

    @property
    def command(self) -> str:
        """The command that rebuilds this exercise exactly (the answer template's first line)."""
        x = ",".join(f"{a:g}" for a in self.x)
        t = (str(self.target) if isinstance(self.target, int)
             else ",".join(f"{a:g}" for a in self.target))
        return (f"deltagrad exercise --layers {','.join(map(str, self.widths))} --activation "
                f"{self.activation} --loss {self.loss} --seed {self.seed} --x={x} --target={t}")

    def names(self) -> list[str]:
        """The answer names, in the order of computation (∂J/∂y left out: δ carries it)."""
        return [n for n in answer_names(self.model, self.x, self.target, self.loss)
                if not n.endswith(".y") or not n.startswith("dJ/d")]


@dataclass(frozen=True)
class ExpressionExercise:
    """One expression worksheet: ∂out/∂node for every node of an expression's graph.

    Attributes:
        expression: the expression, e.g. ``"tanh(x1*w1 + x2*w2 + b)"``.
        at: its values, ``name=number`` texts as given.
        root: its graph's root (no backward run on it).
    """

    expression: str
    at: list[str]
    root: Value

    @property
    def command(self) -> str:
        """The command that rebuilds this exercise (the answer template's first line)."""
        at = " ".join(shlex.quote(a) for a in self.at)
        return f"deltagrad exercise --expr {shlex.quote(self.expression)} --at {at}"

    def names(self) -> list[str]:
        """The nodes to answer, as the picture names them: every node that requires grad, in
        backward's order (the root first)."""
        tr = trace(self.root)
        return [tr.name(i) for i in reversed(range(len(tr.nodes))) if tr.nodes[i].requires_grad]


def expression_exercise(expression: str, at: Sequence[str]) -> ExpressionExercise:
    """The expression worksheet of ``--expr`` and ``--at`` (ValueError names the option)."""
    if not at:
        raise ValueError("--expr needs the values of its variables: --at x=2 w=-3 ...")
    return ExpressionExercise(expression, list(at), expression_root(expression, at)[0])


def add_network_arguments(parser: argparse.ArgumentParser, defaults: bool = True) -> None:
    """The options that make an exercise (``deltagrad check`` takes them too).

    Args:
        parser: the subcommand's parser.
        defaults: give the options their defaults; False leaves them None (not given).
    """
    def default(value: Any) -> Any:
        return value if defaults else None

    parser.add_argument("--layers", type=listed(whole(1)), default=default([2, 2, 1]),
                        help="widths, inputs first (default 2,2,1)")
    parser.add_argument("--activation", choices=[a for a in ACTIVATIONS if a != "softmax"],
                        default=default("sigmoid"), help="every layer's activation (default "
                        "sigmoid; the output's is sigmoid for bce, softmax for ce)")
    parser.add_argument("--loss", choices=list(LOSSES), default=default("sse"),
                        help="sse (½Σe²), bce or ce (default sse)")
    parser.add_argument("--seed", type=whole(0), default=default(7),
                        help="seed of the numbers (default 7)")
    parser.add_argument("--x", type=listed(number), help="the input 'a,b' (default: drawn from "
                        "the seed); a list starting with a minus sign needs '=' (--x=-1,2)")
    parser.add_argument("--target", help="the target, one number per output (for ce a class "
                        "index); default: drawn from the seed")
    parser.add_argument("--expr", metavar="EXPR", help="an expression exercise instead of a "
                        "network: ∂out/∂node of every node, e.g. \"tanh(x1*w1 + x2*w2 + b)\"")
    parser.add_argument("--at", nargs="+", action="extend", metavar="NAME=VALUE",
                        help="with --expr: the value of each name, e.g. --at x1=2 w1=-3")


def build(widths: Sequence[int], activation: str, loss: str, seed: int,
          x: Sequence[float] | None = None, target: str | None = None) -> Exercise:
    """The exercise's network and sample.

    Args:
        widths: the layer widths, inputs first.
        activation: every layer's activation (the output's follows the loss for bce and ce).
        loss: ``"sse"``, ``"bce"`` or ``"ce"``.
        seed: the seed of the weights, and of the biases, x and target.
        x: the input; None to draw it.
        target: the target as text (``"0.8"``, ``"0.2,0.9"``, a class index for ce); None to
            draw it.

    Returns:
        An :class:`Exercise`; ValueError names the option that is wrong.
    """
    widths = list(widths)
    if len(widths) < 2:
        raise ValueError(f"--layers needs at least two widths (inputs and outputs), got {widths}")
    if sum(a * b for a, b in zip(widths, widths[1:])) > 60:
        raise ValueError(f"--layers {','.join(map(str, widths))} has too many weights for a "
                         "worksheet (at most 60)")
    model = MLP(widths[0], widths[1:], activation=activation,
                output_activation=OUTPUT.get(loss, activation), seed=seed)
    rng = np.random.default_rng(seed + 1)  # not the weights' stream
    drawn_x = [round(float(a), DECIMALS) for a in rng.uniform(-1, 1, widths[0])]
    state = {name: round(value, DECIMALS) for name, value in model.state_dict().items()}
    for name in state:
        if name.endswith(".b"):
            state[name] = round(float(rng.uniform(-0.5, 0.5)), DECIMALS)
    model.load_state_dict(state)
    if x is None:
        x = drawn_x
    elif len(x) != widths[0]:
        raise ValueError(f"--x must hold {widths[0]} number(s) (the inputs), got {len(x)}")
    t = _target(target, loss, widths[-1], rng)
    return Exercise(model, list(x), t, loss, widths, activation, seed)


def _target(text: str | None, loss: str, nout: int, rng: np.random.Generator) -> list[float] | int:
    if text is None:
        if loss == "ce":
            return int(rng.integers(nout))
        return [round(float(a), DECIMALS) for a in rng.uniform(0, 1, nout)]
    try:
        return int(text) if loss == "ce" else [float(part) for part in text.split(",")]
    except ValueError:
        wanted = "a class index" if loss == "ce" else "numbers separated by ','"
        raise ValueError(f"--target must be {wanted}, got {text!r}") from None


class _Strict(argparse.ArgumentParser):
    """A parser that raises ValueError instead of exiting (for a header read from a file)."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(message)


def from_header(line: str, overrides: argparse.Namespace | None = None
                ) -> Exercise | ExpressionExercise:
    """Rebuild the exercise an answer template's first line records.

    Args:
        line: ``# deltagrad exercise --layers 2,2,1 ...``.
        overrides: options given on the command line (not None) win over the header's.

    Returns:
        The :class:`Exercise` (an :class:`ExpressionExercise` with ``--expr``); ValueError when
        the line is not such a header.
    """
    words = shlex.split(line.lstrip("#"))
    if words[:2] != ["deltagrad", "exercise"]:
        raise ValueError(f"the first line must start with '{HEADER}', got {line.strip()!r}")
    parser = _Strict(prog="deltagrad exercise", add_help=False)
    add_network_arguments(parser)
    parser.add_argument("-o", "--out")
    args = parser.parse_args(words[2:])
    for key, value in vars(overrides or argparse.Namespace()).items():
        if value is not None and hasattr(args, key):
            setattr(args, key, value)
    return make(args)


def make(args: argparse.Namespace) -> Exercise | ExpressionExercise:
    """The exercise the options of :func:`add_network_arguments` describe."""
    if args.expr is not None:
        return expression_exercise(args.expr, args.at or [])
    if args.at:
        raise ValueError("--at gives the values of an --expr exercise; there is no --expr")
    return build(args.layers, args.activation, args.loss, args.seed, args.x, args.target)


# -- the worksheet's files ----------------------------------------------------------------------


LOSS_TEXT = {"sse": "J = ½ Σ_k (t_k − y_k)²",
             "bce": "J = −Σ_k [t_k ln y_k + (1 − t_k) ln(1 − y_k)]",
             "ce": "J = −ln y_t"}  # y_t: the output of the target class


def _network(ex: Exercise, latex: bool = False) -> str:
    out = OUTPUT.get(ex.loss, ex.activation)
    shape = "-".join(map(str, ex.widths))
    hidden = f"{ex.activation} hidden units, " if len(ex.widths) > 2 else ""
    loss = f"${_latex(LOSS_TEXT[ex.loss])}$" if latex else LOSS_TEXT[ex.loss]
    return f"a {shape} network ({hidden}{out} output), loss {loss}"


def _weights_table(ex: Exercise) -> list[str]:
    lines = ["| unit | weights w0, w1, ... (from the units below) | bias b |", "|---|---|---|"]
    for k, layer in enumerate(ex.model.layers):
        for j, neuron in enumerate(layer.neurons):
            ws = ", ".join(f"{w.data:g}" for w in neuron.w)
            lines.append(f"| L{k}.N{j} | {ws} | {neuron.b.data:g} |")
    return lines


def questions(ex: Exercise) -> str:
    """``questions.md``: the network, the sample and what to compute."""
    target = (f"class {ex.target}" if isinstance(ex.target, int)
              else ", ".join(f"{t:g}" for t in ex.target))
    return "\n".join([
        "# Backpropagation by hand",
        "",
        f"The network is {_network(ex)} (see `network.svg`). Unit `Lk.Nj` is unit j of layer k; "
        "its weight `wi` multiplies input i of the layer (the inputs x for layer 0, the outputs y "
        "of layer k − 1 otherwise).",
        "",
        *_weights_table(ex),
        "",
        f"Input x = ({', '.join(f'{a:g}' for a in ex.x)}), target t = {target}.",
        "",
        "Compute, writing each number in `answers.txt` after its `=` (as many digits as you like):",
        "",
        "1. forward: every unit's v = Σ w·y + b, y = φ(v) and φ′(v);",
        "2. the output errors e = t − y and the loss J;",
        "3. from the output back, every unit's local gradient δ = −∂J/∂v "
        "(δ = e·φ′(v) at an sse output, δ = e for sigmoid+bce and softmax+ce, "
        "δ_j = φ′(v_j)·Σ_l δ_l·w_lj in a hidden layer);",
        "4. every gradient ∂J/∂w_ji = −δ_j·y_i and ∂J/∂b_j = −δ_j.",
        "",
        "Then run `deltagrad check answers.txt`: it names the first wrong step and the likely "
        "mistake.",
        "",
    ])


def template(ex: Exercise) -> str:
    """``answers.txt``: the header that rebuilds the exercise, then ``name = `` per answer."""
    groups = {"v": "forward", "e": "errors and the loss",
              "delta": "local gradients δ, output first", "dJ": "gradients ∂J/∂w"}
    lines = [f"# {ex.command}", "# Fill in the numbers after '='; leave a line empty to skip it."]
    seen = set()
    for name in ex.names():
        group = "dJ" if name.startswith("dJ") else name.rsplit(".", 1)[-1]
        if group in groups and groups[group] not in seen:
            seen.add(groups[group])
            lines += ["", f"# {groups[group]}"]
        lines.append(f"{name} = ")
    return "\n".join(lines) + "\n"


def _steps(ex: Exercise) -> list[tuple[str, str, float]]:
    keep = set(ex.names())
    return [step for step in worked_steps(ex.model, ex.x, ex.target, ex.loss) if step[0] in keep]


def solution_markdown(ex: Exercise) -> str:
    """``solution.md``: every step's formula with the numbers, in the order of computation."""
    lines = ["# Solution", "", f"{_network(ex)}; x = ({', '.join(f'{a:g}' for a in ex.x)}).", "",
             "| quantity | computed as | value |", "|---|---|---|"]
    lines += [f"| `{name}` | {formula} | {value:.6g} |" for name, formula, value in _steps(ex)]
    return "\n".join(lines) + "\n"


# Unicode of the formulas -> LaTeX math, in this order (φ′ before ′).
LATEX = (("−", "-"), ("·", r" \cdot "), ("Σ", r"\sum "), ("½", r"\tfrac12 "), ("δ", r"\delta "),
         ("φ′", r"\varphi'"), ("∂", r"\partial "), ("²", "^2"), ("ln", r"\ln "), ("≤", r"\le "),
         ("′", "'"), ("exp(", r"\exp("), ("tanh(", r"\tanh("), ("sigmoid", r"\mathrm{sigmoid}"),
         ("softmax", r"\mathrm{softmax}"), ("linear", r"\mathrm{linear}"))


def _latex(text: str) -> str:
    for unicode, latex in LATEX:
        text = text.replace(unicode, latex)
    return text


def solution_latex(ex: Exercise) -> str:
    """``solution.tex``: the same steps as a LaTeX document (``align*``, one line per step)."""
    rows = [rf"  \texttt{{{name}}}:\quad & {_latex(formula)} = {value:.6g} \\"
            for name, formula, value in _steps(ex)]
    return "\n".join([
        r"\documentclass{article}", r"\usepackage{amsmath}", r"\begin{document}",
        r"\section*{Solution}", f"A{_network(ex, latex=True)[1:]}.", r"\begin{align*}",
        *rows, r"\end{align*}", r"\end{document}", ""])


def picture(ex: Exercise) -> Any:
    """``network.svg``'s drawing: ``viz.draw_mlp`` of the weights (no v, y or gradients), with the
    input's values in the input nodes and the target beside each output unit."""
    dot = draw_mlp(ex.model)
    style = 'BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#cfe2f3"'
    for i, a in enumerate(ex.x):  # a node stated again keeps its place and takes the new label
        dot.node(f"x{i}", f"<<TABLE {style}><TR><TD><B>x{i} = {a:g}</B></TD></TR></TABLE>>")
    last, nout = len(ex.widths) - 2, ex.widths[-1]
    if isinstance(ex.target, int):
        targets = [f"target: class {ex.target}" if j == ex.target else "" for j in range(nout)]
    else:
        targets = [f"t{j} = {t:g}" for j, t in enumerate(ex.target)]
    for j, text in enumerate(targets):
        if text:
            dot.node(f"t{j}", text, shape="note", fontname="Helvetica", fontsize="12")
            dot.edge(f"L{last}.N{j}", f"t{j}", style="dashed", arrowhead="none")
    return dot


# -- an expression's worksheet ------------------------------------------------------------------


def expression_questions(ex: ExpressionExercise) -> str:
    """``questions.md`` of an expression exercise: the expression, its values, what to compute."""
    root = ex.root.label
    return "\n".join([
        "# Backpropagation by hand: an expression",
        "",
        f"{root} = {ex.expression}, at {', '.join(ex.at)} (see `graph.svg`: every node's value, "
        "no gradients).",
        "",
        f"Compute ∂{root}/∂node for every node, from {root} back (∂{root}/∂{root} = 1): at each "
        "node, grad[node] = Σ over its users of (local derivative × grad[user]). Write each "
        "number in `answers.txt` after its `=`.",
        "",
        "Then run `deltagrad check answers.txt`: it names the first wrong step and the likely "
        "slip (a sign, a path left out, one local derivative).",
        "",
    ])


def expression_template(ex: ExpressionExercise) -> str:
    """``answers.txt`` of an expression exercise: the header, then ``name = `` per node."""
    lines = [f"# {ex.command}", "# Fill in ∂" + ex.root.label + "/∂node after each '='; leave "
             "a line empty to skip it.", ""]
    return "\n".join(lines + [f"{name} = " for name in ex.names()]) + "\n"


def _explanations(ex: ExpressionExercise) -> list[tuple[str, Any]]:
    tr = trace(ex.root)
    return [(name, explain(ex.root, tr.nodes[tr.names.index(name)], tr=tr)) for name in ex.names()]


def expression_solution_markdown(ex: ExpressionExercise) -> str:
    """``solution.md``: ``viz.explain`` of every node, from the root back."""
    parts = ["# Solution", "", f"{ex.root.label} = {ex.expression}, at {', '.join(ex.at)}.", ""]
    for name, e in _explanations(ex):
        parts += [f"## ∂{ex.root.label}/∂`{name}`", "", e.to_markdown()]
    return "\n".join(parts)


def expression_solution_latex(ex: ExpressionExercise) -> str:
    """``solution.tex``: the same as a LaTeX document, one ``align*`` per node."""
    body = [e.to_latex() for _, e in _explanations(ex)]
    return "\n".join([r"\documentclass{article}", r"\usepackage{amsmath}", r"\begin{document}",
                       r"\section*{Solution}", *body, r"\end{document}", ""])


def _write_texts(files: dict[str, str], folder: Path) -> list[Path]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def _render(dot: Any, path: Path) -> Path:
    try:
        return render(dot, path)
    except GraphvizNotFound:  # render wrote the .dot source and said how to install Graphviz
        return path.with_suffix(".dot")


def write(ex: Exercise | ExpressionExercise, folder: Path) -> list[Path]:
    """Write the worksheet's files into ``folder``; returns the paths written."""
    if isinstance(ex, ExpressionExercise):
        files = {"questions.md": expression_questions(ex),
                 "answers.txt": expression_template(ex),
                 "solution.md": expression_solution_markdown(ex),
                 "solution.tex": expression_solution_latex(ex)}
        drawing = draw_graph(ex.root, show_local_grads=False)  # the local derivatives are asked
        return _write_texts(files, folder) + [_render(drawing, folder / "graph.svg")]
    files = {"questions.md": questions(ex), "answers.txt": template(ex),
             "solution.md": solution_markdown(ex), "solution.tex": solution_latex(ex)}
    return _write_texts(files, folder) + [_render(picture(ex), folder / "network.svg")]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``exercise`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "exercise", help="write a backprop worksheet: network, questions, template, solution",
        description="Write a worksheet: network.svg, questions.md, answers.txt (the template "
        "'deltagrad check' grades), solution.md and solution.tex.",
        epilog="examples:\n  deltagrad exercise --layers 2,2,1 --activation sigmoid --loss sse "
        "--seed 7 -o sheet/\n  deltagrad exercise --expr \"tanh(x1*w1 + x2*w2 + b)\" --at x1=2 "
        "x2=0 w1=-3 w2=1 b=6.88 -o sheet/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_network_arguments(parser)
    parser.add_argument("-o", "--out", default="exercise",
                        help="the folder to write (default exercise/)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the exercise and write its files; prints what it wrote."""
    ex = make(args)
    folder = output_folder(args.out, "--out")
    for path in write(ex, folder):
        print(path)
    return 0
