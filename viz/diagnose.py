"""A learner's gradients graded: which are right, where the first error enters, and the likely slip.

``diagnose(root, answers)`` takes a learner's ∂root/∂node for any nodes of a graph, by name, and
grades each against backward's. A wrong number gets the likeliest reason, tried in this order:

- ``carried``: it follows from the learner's own wrong number for a node closer to the root (the
  chain rule redone from their numbers gives it): credit, as "error carried forward" gives;
- ``sign``: the sign flipped;
- ``missing path``: the sum over some of the paths to the root only (``=`` written for ``+=``
  where a node is used twice): the paths left out are named;
- ``local derivative``: one edge's local derivative replaced by a likely slip (tanh's 1 − y² taken
  at the operand, 1 − x²; a product's own operand; a derivative taken as 1): the edge is named
  with its formula from the op table;
- ``factor``: off by a factor 2 or ½;
- ``wrong``: none of these; the correct computation is shown, grad = Σ local × grad[user].

Each slip is looked for both against the value the learner's own numbers give and against the
correct one. A number is ``correct`` when it agrees to the digits written
(``autograd.format.agrees_to_written``, the rule every grader uses: 0.0432 for 0.043152, not
0.0431), also when it follows from the learner's own correctly rounded numbers. A number given as
a str keeps its trailing zeros (``"0.50"``: two decimals).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from itertools import combinations
from typing import Callable

from autograd import Value
from autograd.format import GradedAnswer
from autograd.format import agrees_to_written as agrees
from autograd.format import format_number, format_table, written_digits
from autograd.functional import gradients
from autograd.validate import shown

from .explain import explain
from .step_page import StepThrough, step_through
from .tracing import Edge, factor, local_formula, node_names, trace

__all__ = ["diagnose", "Diagnosis", "Row", "VERDICTS", "SLIPS", "agrees", "node_names"]

VERDICTS = ("correct", "carried", "sign", "missing path", "local derivative", "factor", "wrong")
Written = str | float  # a learner's number as given: a str keeps the digits written
MAX_PATHS = 12  # paths of a node tried for "missing path" (every subset: 2^12 sums at most)

# Likely slips in one local derivative, per op: (operand position or None for every operand, what
# the learner used (x the operand, y the output, a and b the operands), its value from
# (y, *operands)). Besides these, every edge is also tried with its derivative taken as 1 and with
# its sign flipped.
SLIPS: dict[str, list[tuple[int | None, str, Callable[..., float]]]] = {
    "tanh": [(0, "1 − x²: at the operand instead of the output", lambda y, x: 1 - x * x),
             (0, "1 − y: the square left out", lambda y, x: 1 - y)],
    "sigmoid": [(0, "x(1 − x): at the operand instead of the output", lambda y, x: x * (1 - x))],
    "sqrt": [(0, "1/(2x): at the operand instead of the output", lambda y, x: 0.5 / x)],
    "log": [(0, "1/y: at the output instead of the operand", lambda y, x: 1 / y)],
    "softplus": [(0, "σ(y): at the output instead of the operand",
                  lambda y, x: 1 / (1 + math.exp(-y)))],
    "mul": [(0, "a: the operand's own value instead of the other's", lambda y, a, b: a),
            (1, "b: the operand's own value instead of the other's", lambda y, a, b: b)],
    "div": [(0, "b instead of 1/b", lambda y, a, b: b),
            (1, "−1/b²: the numerator left out", lambda y, a, b: -1 / (b * b))],
    "pow": [(0, "a^(b−1): the factor b left out", lambda y, a, b: a ** (b - 1)),
            (0, "b·a^b: the exponent not lowered", lambda y, a, b: b * y),
            (1, "y: the factor ln a left out", lambda y, a, b: y)],
    "exp": [(0, "x instead of eˣ", lambda y, x: x)],
    "leaky_relu": [(0, "0: the slope left out", lambda y, x: 0.0)],
}


Row = GradedAnswer  # one graded answer (autograd.format's, shared with nn.deltas.check)


class Diagnosis:
    """A learner's gradients graded (see :func:`diagnose`).

    Attributes:
        root_name: the root's name.
        rows: one :class:`Row` per answer, in backward's order (the root's side first).
        first_wrong: the name where the first error enters, in backward's order: the first answer
            that is not ``correct``, everything it depends on being right or not given; None when
            all are correct.
        ok: whether every answer is correct.
    """

    def __init__(self, root_name: str, rows: list[Row], root: Value | None = None,
                 written: Mapping[str, Written] | None = None) -> None:
        self.root_name = root_name
        self.rows = rows
        self.root = root  # the graph graded, for the step page
        self.written = dict(written or {})  # the answers as given (a str keeps its digits)
        self.first_wrong = next((row.name for row in rows if row.verdict != "correct"), None)
        self.ok = self.first_wrong is None

    def step_page(self, path: str | os.PathLike | None = None, predict: bool = True) -> StepThrough:
        """The step-through page of the graph, opened at ``first_wrong`` with the learner's
        numbers beside backward's and each slip's verdict at its node (``viz.step_through``).

        Args:
            path: where to write the page; None to only build it.
            predict: open in predict mode (the learner redoes the first wrong step).

        Returns:
            The :class:`viz.StepThrough`.
        """

        if self.root is None:
            raise ValueError("step_page: this Diagnosis has no graph (made by diagnose(), it has)")
        answers = {row.name: self.written.get(row.name, row.yours) for row in self.rows}
        notes = {row.name: f"{row.verdict}: {row.why}" for row in self.rows
                 if row.verdict != "correct"}
        return step_through(self.root, path, predict=predict, answers=answers, notes=notes,
                            start=self.first_wrong)

    def _cells(self) -> list[list[str]]:
        return [[row.name, _written(self.written.get(row.name, row.yours)),
                 format_number(row.correct, 6), row.verdict] for row in self.rows]

    def _summary(self) -> str:
        if self.ok:
            return f"All {len(self.rows)} answer(s) for ∂{self.root_name}/∂node are correct."
        wrong = sum(row.verdict != "correct" for row in self.rows)
        return (f"{wrong} of {len(self.rows)} answer(s) are not correct; "
                f"the first error enters at {self.first_wrong}.")

    def __str__(self) -> str:
        table = format_table(["name", "yours", "correct", "verdict"], self._cells()).splitlines()
        whys = ["why", "---", *(row.why for row in self.rows)]
        lines = [f"{line}  {why}" for line, why in zip(table, whys)]
        return "\n".join([*lines, self._summary()])

    def __repr__(self) -> str:
        return f"Diagnosis(ok={self.ok}, first_wrong={self.first_wrong!r}, rows={len(self.rows)})"

    def to_markdown(self) -> str:
        """The grades as a Markdown table (name, yours, correct, verdict, why) and a summary."""
        lines = ["| name | yours | correct | verdict | why |", "|---|---:|---:|---|---|"]
        for cells, row in zip(self._cells(), self.rows):
            lines.append("| " + " | ".join(map(_markdown_cell, [*cells, row.why])) + " |")
        return "\n".join(lines) + f"\n\n{_markdown_cell(self._summary())}\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def _markdown_cell(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _written(x: Written) -> str:
    """A learner's number as written: a str as it is, a number by its shortest repr without a
    trailing ``.0``."""
    if isinstance(x, str):
        return x.strip()
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


class _Graph:
    """The pieces of a graph every answer's grading reads."""

    def __init__(self, root: Value) -> None:
        self.root = root
        self.trace = trace(root)
        nodes = self.trace.nodes
        grads = gradients(nodes, 1.0)
        self.correct = [grads[node] + 0.0 for node in nodes]
        self.users: list[list[Edge]] = [[] for _ in nodes]  # the edges out of each node
        for edge in self.trace.edges:
            self.users[edge.parent].append(edge)

    def name(self, i: int) -> str:
        return self.trace.name(i)

    def names(self) -> dict[str, int]:
        return node_names(self.trace)


def _resolve(graph: _Graph, answers: object) -> dict[int, tuple[str, float, Written]]:
    """The answers checked: node index -> (name, the learner's number, the answer as written)."""
    if not isinstance(answers, Mapping):
        raise TypeError(f"diagnose: answers must be a mapping of node names to numbers, "
                        f"got {shown(answers)}")
    names = graph.names()
    out: dict[int, tuple[str, float, Written]] = {}
    for name, written in answers.items():
        if not isinstance(name, str):
            raise TypeError(f"diagnose: answers' keys must be node names (str), got {shown(name)}")
        if name not in names:
            pictured = [n for n in names if not re.fullmatch(r"n\d+", n) or n in graph.trace.names]
            raise ValueError(f"diagnose: answers names {name!r}, which is no node of the graph; "
                             f"its names are e.g. {', '.join(pictured[:8])}")
        i = names[name]
        if not graph.trace.nodes[i].requires_grad:
            raise ValueError(f"diagnose: answers names {name!r}, a constant: it has no gradient")
        if i in out:
            raise ValueError(f"diagnose: answers names one node twice: {out[i][0]!r} and {name!r}")
        number = written_digits(written, f"diagnose: answers[{name!r}]")[0]
        out[i] = (name, number, written)
    return out


def _chain_rule(graph: _Graph, given: dict[int, float]) -> tuple[list[float], list[float]]:
    """The chain rule redone from the learner's numbers, in backward's order: each node's gradient
    from its users' (``computed``), and the gradient it passes on (``used``: the learner's number
    where given, else ``computed``). With nothing given, ``computed`` is backward's."""
    tr = graph.trace
    computed = [0.0] * len(tr.nodes)
    used = [0.0] * len(tr.nodes)
    computed[-1] = 1.0
    for i in range(len(tr.nodes) - 1, -1, -1):
        node = tr.nodes[i]
        used[i] = given.get(i, computed[i])
        for parent, local in zip(node.parents, node.local_grads):
            if parent.requires_grad:
                computed[tr.index[parent]] += local * used[i]
    return computed, used


def _paths(graph: _Graph, start: int, stops: set[int], at_end: list[float],
           limit: int = 64) -> list[tuple[tuple[Edge, ...], float]] | None:
    """The paths from ``start`` to the root or to a node of ``stops``, each with its product of
    local derivatives times ``at_end`` at its last node; None when there are more than ``limit``."""
    root = len(graph.trace.nodes) - 1
    found = []
    stack: list[tuple[int, tuple[Edge, ...], float]] = [(start, (), 1.0)]
    while stack:
        i, edges, product = stack.pop()
        if edges and (i == root or i in stops):
            found.append((edges, product * at_end[i]))
            if len(found) > limit:
                return None
            continue
        for e in reversed(graph.users[i]):
            stack.append((e.child, edges + (e,), product * e.local_grad))
    return found


def _reach(graph: _Graph, start: int, stops: set[int]) -> dict[int, float]:
    """∂node/∂start along the paths that pass no node of ``stops`` (start's own included), for
    each node those paths reach: how a change at a node on the way reaches ``start``."""
    tr = graph.trace
    tangent = {start: 1.0}
    for k in range(start + 1, len(tr.nodes)):
        node = tr.nodes[k]
        parents = map(tr.index.get, node.parents)
        terms = [local * tangent[p] for p, local in zip(parents, node.local_grads)
                 if p in tangent and (p == start or p not in stops)]
        if terms:
            tangent[k] = math.fsum(terms)
    return tangent


def _route(graph: _Graph, edges: tuple[Edge, ...]) -> str:
    return " → ".join([graph.name(edges[0].parent), *(graph.name(e.child) for e in edges)])


class _Grader:
    """The slips tried on one answer against an expected value: each check returns why the
    learner's number is that slip, or None."""

    def __init__(self, graph: _Graph, i: int, yours: Written) -> None:
        self.graph, self.i, self.yours = graph, i, yours

    def gives(self, value: float, expected: float) -> bool:
        """Whether a slip's value is the learner's number and tells from the expected one."""
        return agrees(self.yours, value) and not agrees(self.yours, expected)

    def sign(self, expected: float, stops: set[int], at_end: list[float]) -> str | None:
        if expected != 0 and self.gives(-expected, expected):
            return f"the sign flipped: {format_number(expected)} expected, you have its negative"
        return None

    def factor(self, expected: float, stops: set[int], at_end: list[float]) -> str | None:
        for k, text in ((2.0, "twice"), (0.5, "half")):
            if expected != 0 and self.gives(k * expected, expected):
                return f"{text} the expected {format_number(expected)}"
        return None

    def missing_path(self, expected: float, stops: set[int], at_end: list[float]) -> str | None:
        paths = _paths(self.graph, self.i, stops, at_end)
        if paths is None or not 2 <= len(paths) <= MAX_PATHS:
            return None
        for size in range(1, len(paths)):  # the fewest paths left out first
            for left_out in combinations(range(len(paths)), size):
                kept = math.fsum(value for k, (_, value) in enumerate(paths) if k not in left_out)
                if self.gives(kept, expected):
                    routes = "; ".join(f"{_route(self.graph, edges)} ({format_number(value)})"
                                       for edges, value in (paths[k] for k in left_out))
                    return (f"only {len(paths) - size} of the {len(paths)} paths to the root "
                            f"summed, left out: {routes} (= written for += where a node is used "
                            f"twice?)")
        return None

    def local_derivative(self, expected: float, stops: set[int], at_end: list[float]) -> str | None:
        graph, tr = self.graph, self.graph.trace
        tangent = _reach(graph, self.i, stops)
        for p in sorted(tangent, reverse=True):  # the root's side first
            if p != self.i and p in stops:  # the learner's own number there already holds it
                continue
            for edge in graph.users[p]:
                child = tr.nodes[edge.child]
                operands = [q.data for q in child.parents]
                for value, text in _slips(child.op, edge, child.data, operands):
                    slipped = expected + (value - edge.local_grad) * at_end[edge.child] * tangent[p]
                    if value != edge.local_grad and self.gives(slipped, expected):
                        return (f"one local derivative: on the edge {graph.name(p)} → "
                                f"{graph.name(edge.child)} ({child.op}) the op table's "
                                f"{local_formula(tr, edge)} = {format_number(edge.local_grad)}; "
                                f"your number follows with {text} = {format_number(value)}")
        return None


def _slips(op: str, edge: Edge, y: float, operands: list[float]) -> list[tuple[float, str]]:
    """The likely wrong values of one edge's local derivative, with what the learner used."""
    out = [(1.0, "it taken as 1"), (-edge.local_grad, "its sign flipped")]
    for position, text, rule in SLIPS.get(op, []):
        if position is None or position == edge.position:
            try:
                value = float(rule(y, *operands))
            except (ArithmeticError, ValueError):
                continue
            if math.isfinite(value):
                out.append((value, text))
    return out


def _correct_computation(graph: _Graph, i: int) -> str:
    """grad[node] = Σ local × grad[user], with the formulas and the numbers (viz.explain's)."""
    e = explain(graph.root, graph.trace.nodes[i], tr=graph.trace)
    terms = e.one_step.terms
    if not terms:
        return f"{e.node_name} is the root: its gradient is 1"
    symbols = " + ".join(f"{factor(t.formula)} × grad[{t.user}]" for t in terms)
    numbers = " + ".join(f"{e.num(t.local)} × {e.num(t.user_grad)}" for t in terms)
    return f"grad[{e.node_name}] = {symbols} = {numbers} = {e.num(e.total)}"


def _grade(graph: _Graph, i: int, yours: Written, answers: dict[int, tuple[str, float, Written]],
           verdicts: dict[int, str], computed: list[float], used: list[float]) -> tuple[str, str]:
    """The verdict and why of the answer for node ``i``, the answers closer to the root graded
    (``verdicts``); ``computed`` and ``used``: :func:`_chain_rule`'s from the learner's numbers."""
    correct = graph.correct[i]
    if agrees(yours, correct):
        return "correct", f"agrees with {format_number(correct, 6)} to the digits written"
    stops = set(answers) - {i}
    slipped = [answers[k][0] for k in _reach_stops(graph, i, stops) if verdicts[k] != "correct"]
    if agrees(yours, computed[i]):
        if not slipped:
            return "correct", (f"agrees with {format_number(computed[i], 6)} from your own rounded "
                               f"numbers (exactly {format_number(correct, 6)})")
        return "carried", (f"follows from your own {', '.join(slipped)}: "
                           f"{format_number(computed[i], 6)} by the chain rule; from the correct "
                           f"numbers it is {format_number(correct, 6)}")
    grader = _Grader(graph, i, yours)
    # expected from the learner's own numbers, then from the correct ones: those the learner's
    # rounded numbers stand for, or, when some of theirs are wrong (and may not have been used),
    # all the way to the root
    expectations = [(computed[i], stops, used, "")]
    if slipped:
        expectations.append((correct, set(), graph.correct, " (from the correct numbers)"))
    elif computed[i] != correct:
        expectations.append((correct, stops, graph.correct, ""))
    checks = (("sign", grader.sign), ("missing path", grader.missing_path),
              ("local derivative", grader.local_derivative), ("factor", grader.factor))
    for verdict, check in checks:
        for expected, expected_stops, at_end, source in expectations:
            why = check(expected, expected_stops, at_end)
            if why is not None:
                return verdict, why + source
    return "wrong", f"none of the usual slips; correct: {_correct_computation(graph, i)}"


def _reach_stops(graph: _Graph, start: int, stops: set[int]) -> list[int]:
    """The nodes of ``stops`` that paths from ``start`` reach before any other node of ``stops``."""
    found, seen, stack = [], {start}, [start]
    while stack:
        for edge in graph.users[stack.pop()]:
            if edge.child not in seen:
                seen.add(edge.child)
                (found if edge.child in stops else stack).append(edge.child)
    return sorted(found, reverse=True)


def diagnose(root: Value, answers: Mapping[str, float | str]) -> Diagnosis:
    """Grade a learner's gradients ∂root/∂node: which are right, where the first error enters, and
    the likeliest slip behind each wrong one (see the module's docstring for the verdicts).

    Args:
        root: the output Value (it must require grad).
        answers: node name -> the learner's ∂root/∂node, any subset of the nodes. Names are those
            pictures show (``viz.trace(root).names``: labels, ``x1*w1``, ``n5``), labels, or
            ``n{i}`` for the node at position ``i`` of ``viz.trace(root)``. A number may be a str
            to keep the digits written (``"0.50"``).

    Returns:
        A :class:`Diagnosis`: ``.ok``, ``.first_wrong``, ``.rows``; ``print`` it, or show it in
        Jupyter (Markdown).

    Example:
        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x
        >>> diagnose(y, {"x": 3.0}).rows[0].verdict  # x × grad[y] for one use of x: 2x = 6 is right
        'missing path'
    """
    if not isinstance(root, Value):
        raise TypeError(f"diagnose: root must be a Value, got {shown(root)}")
    if not root.requires_grad:
        raise ValueError("diagnose: root is a constant (requires_grad=False): it has no gradients")
    graph = _Graph(root)
    given = _resolve(graph, answers)
    computed, used = _chain_rule(graph, {i: number for i, (_, number, _) in given.items()})
    verdicts: dict[int, str] = {}
    rows = []
    for i in sorted(given, reverse=True):  # backward's order: the root's side first
        name, yours, written = given[i]
        verdicts[i], why = _grade(graph, i, written, given, verdicts, computed, used)
        rows.append(Row(name, yours, graph.correct[i], verdicts[i], why))
    written = {name: as_given for name, _, as_given in given.values()}
    return Diagnosis(graph.name(len(graph.trace.nodes) - 1), rows, root, written)
