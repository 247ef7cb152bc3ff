"""``deltagrad check FILE``: grade a learner's numbers, name the first wrong step and the likely
mistake (``nn.deltas.check``).

FILE is a filled answer template of ``deltagrad exercise`` (its first line rebuilds the exercise),
or a CSV (``name,value`` rows) or JSON (``{"name": value}``) file with the exercise given by
``--layers/--activation/--loss/--seed/--x/--target``; options given also override a template's
header. An expression exercise (``--expr "..." --at x=2 ...``, in the header or on the command
line) is graded with ``viz.diagnose``: the answers are ∂out/∂node by node name. ``--steps
FILE.html`` also writes the step-through page, opened in predict mode at the first wrong step
with the learner's numbers beside backward's. Exit status 0 when every answer is correct, 1
otherwise, 2 for a bad file or option (one line naming the file and its line, 1-based).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from autograd.validate import output_file
from nn.deltas import check
from nn.handcheck import answer_names, canonical_name
from viz import diagnose, step_through, trace
from viz.diagnose import node_names

from .arguments import HTML
from .exercise import HEADER, ExpressionExercise, add_network_arguments, from_header

__all__ = ["read_answers", "register", "run"]

Answers = dict[str, tuple[str, int]]  # name -> (the number as written, its line)


def _number(text: str, where: str) -> str:
    try:
        value = float(text.replace("−", "-"))
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{where}: {text!r} is not a finite number")
    return text.replace("−", "-")


def _add(answers: Answers, name: str, text: str, line: int, where: str) -> None:
    key = canonical_name(name)
    if not key:
        raise ValueError(f"{where}: a name is missing before the number")
    if key in answers:
        raise ValueError(f"{where}: {name} is given twice (first on line {answers[key][1]})")
    answers[key] = (_number(text, where), line)


def _template(path: Path, lines: list[str]) -> tuple[Answers, str | None]:
    answers: Answers = {}
    header = lines[0] if lines and lines[0].startswith(HEADER) else None
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        name, sep, value = text.partition("=")
        if not sep:
            raise ValueError(f"{path}:{number}: expected 'name = number', got {line.strip()!r}")
        if value.strip():
            _add(answers, name, value.strip(), number, f"{path}:{number}")
    return answers, header


def _csv(path: Path, lines: list[str]) -> Answers:
    answers: Answers = {}
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) != 2:
            raise ValueError(f"{path}:{number}: expected two cells 'name,value', got {len(cells)}")
        if number == 1 and cells[1].lower() in ("value", "number", "yours", "answer"):
            continue  # a header row
        _add(answers, cells[0], cells[1], number, f"{path}:{number}")
    return answers


def _json(path: Path, text: str) -> Answers:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}:1: expected a JSON object of name -> number")
    answers: Answers = {}
    for name, value in data.items():
        line = 1 + text[: text.find(json.dumps(name))].count("\n")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"{path}:{line}: {name}: expected a number, got {value!r}")
        _add(answers, name, str(value), line, f"{path}:{line}")
    return answers


def read_answers(path: str | Path) -> tuple[Answers, str | None]:
    """The answers in a template, CSV or JSON file, and the template's header line (or None).

    Args:
        path: the file; ``.csv`` and ``.json`` by their suffix, anything else as a template.

    Returns:
        ``({name: (number as written, line)}, header)``; ValueError names the file and the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    lines = text.splitlines()
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json(path, text), None
    if suffix == ".csv":
        return _csv(path, lines), None
    return _template(path, lines)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "check", help="grade your own backprop numbers: the first wrong step, the likely mistake",
        description="Grade a filled answer template of 'deltagrad exercise' (or a CSV/JSON of "
        "name -> number with the exercise's options): your numbers, the correct ones, a verdict "
        "each, and the step where the error entered. Exit status 0 when all are correct, else 1.",
        epilog="examples:\n  deltagrad check sheet/answers.txt\n  deltagrad check mine.csv "
        "--layers 2,2,1 --activation sigmoid --seed 7 --x=0.5,-1 --target 0.8",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="answers.txt of 'deltagrad exercise', or a .csv/.json of "
                        "name -> number")
    add_network_arguments(parser, defaults=False)
    parser.add_argument("--steps", metavar="FILE.html", help="also write the step-through page, "
                        "opened at the first wrong step with your numbers beside backward's")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the answers, rebuild the exercise, print the graded table; 0 when all are correct."""
    steps = None if args.steps is None else output_file(args.steps, "--steps", HTML)
    answers, header = read_answers(args.file)
    options = argparse.Namespace(**{key: getattr(args, key) for key in
                                    ("layers", "activation", "loss", "seed", "x", "target",
                                     "expr", "at")})
    ex = from_header(header or HEADER, options)  # no header: the defaults and the options
    if not answers:
        raise ValueError(f"{args.file}: no answers to check (fill in the numbers after '=')")
    if isinstance(ex, ExpressionExercise):
        return _run_expression(args.file, ex, answers, steps)
    known = answer_names(ex.model, ex.x, ex.target, ex.loss)
    for name, (_, line) in answers.items():
        if name not in known:
            raise ValueError(f"{args.file}:{line}: unknown name {name!r} for this network "
                             f"(names look like {', '.join(known[:3])})")
    numbers = {name: text for name, (text, _) in answers.items()}
    result = check(ex.model, ex.x, ex.target, numbers, loss=ex.loss)
    print(ex.command)
    print()
    print(result)
    if steps is not None:
        g = result.on_graph()
        step_through(g.root, steps, predict=True, answers=g.answers, notes=g.notes,
                     start=g.start, max_nodes=None)
        print(f"\nwrote {steps}")
    return 0 if result.ok else 1


def _run_expression(file: str, ex: ExpressionExercise, answers: Answers, steps: Path | None) -> int:
    """Grade ∂out/∂node answers with ``viz.diagnose``; 0 when all are correct."""
    # read_answers spelled the names as nn's (no spaces): back to the picture's names
    names = {canonical_name(name): name for name in node_names(trace(ex.root))}
    given = {}
    for name, (text, line) in answers.items():
        if name not in names:
            raise ValueError(f"{file}:{line}: {name!r} names no node of {ex.expression!r} "
                             f"(its nodes: {', '.join(ex.names())})")
        given[names[name]] = text
    result = diagnose(ex.root, given)
    print(ex.command)
    print()
    print(result)
    if steps is not None:
        result.step_page(steps)
        print(f"\nwrote {steps}")
    return 0 if result.ok else 1
