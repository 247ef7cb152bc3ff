"""Grading a learner's own backpropagation: which of their numbers are wrong, where the error
entered, and the likely mistake, as a teacher grading with "error carried forward" would.

``check(model, x, target, answers)`` (also ``nn.deltas.check``) takes the learner's numbers by the
names ``nn.deltas.sample`` uses (``L0.N1.v``, ``L0.N1.y``, ``L0.N1.dphi``, ``L0.N1.delta``,
``L1.N0.e``, ``J``, ``dJ/dL0.N1.w0``, ``dJ/dL0.N1.b``, ``dJ/dL0.N1.y``; ``δ``, ``φ′`` and ``∂`` are
accepted too: ``L0.N1.δ``, ``L0.N1.φ′``, ``∂J/∂L0.N1.w0``) and grades each one.

Choices, documented here once:

- **Digits.** A number is ``correct`` when it agrees with the correct value to the digits the
  learner wrote (``autograd.format.agrees_to_written``, the one rule of every grader): 0.0432 for
  0.043152 is correct, 0.0431 (truncated) is not, and at least two significant digits count. A
  float is read by its shortest repr (``0.0432``); pass a str (``"0.0430"``) to keep trailing
  zeros. A number that also follows, to within one unit of its last digit, from the learner's
  own correct (rounded) earlier numbers is correct as well.
- **Batches.** With several samples, a sample's own quantities take a prefix ``s0.``, ``s1.``, ...
  (``s1.L0.N1.v``, ``s1.L1.N0.e``, ``s1.J``, zero-based like the layers and units) and are that
  sample's own (``s1.L0.N1.delta`` = −∂J₁/∂v, with no 1/N); ``J`` and the gradients ``dJ/d...``
  are the batch's: summed over the samples (``reduction="sum"``) or averaged (``"mean"``).
- **Order.** The learner is assumed to compute forward layer by layer (every v, then every y,
  then every φ′), then e and J, then δ from the output back, then the gradients; a batch sample by
  sample, its totals last. ``first_wrong`` is the first answer in that order that is neither
  correct nor carried: everything it depends on was right or not given.
- **Carried.** Each answer is recomputed from the learner's own earlier numbers (the correct one
  where they gave none): v from their y of the layer below, y and φ′ from their v (φ′ also from
  their y), e from their y, δ from their e, φ′ and δ of the next layer, ∂J/∂w = −δ·y_in from
  theirs. An answer that is wrong only because of an earlier wrong one is ``carried``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from autograd import Value, validate
from autograd.format import (GradedAnswer, agrees_to_written, format_number, format_table,
                             written_digits)

from .deltas import HAND_ACTIVATIONS, LOSSES, Sample, objective, sample
from .layers import MLP

__all__ = ["VERDICTS", "CheckRow", "HandCheck", "GradedGraph", "check", "canonical_name",
           "answer_names",
           "worked_steps", "agrees_to_written"]

VERDICTS = ("correct", "carried", "sign", "missing φ′", "φ′ at y", "missing term", "transposed",
            "factor", "wrong")
REDUCTIONS = ("sum", "mean")

# Unicode and lecture spellings -> the names of nn.deltas.sample, applied in this order.
SPELLINGS = (("∂", "d"), ("δ", "delta"), ("φ′", "dphi"), ("φ'", "dphi"), ("φ’", "dphi"),
             ("phi'", "dphi"), ("phi′", "dphi"))

Getter = Callable[[str], float]
Mistake = tuple[str, float, str]  # (verdict, the value that mistake gives, why)


CheckRow = GradedAnswer  # one graded answer (autograd.format's, shared with viz.diagnose)


@dataclass(frozen=True)
class GradedGraph:
    """A learner's numbers on J's graph, for the step page::

        g = result.on_graph()
        viz.step_through(g.root, "page.html", predict=True, answers=g.answers, notes=g.notes,
                         start=g.start)

    Attributes:
        root: J as an autograd graph (``nn.deltas.objective``).
        answers: node name -> the learner's ∂J/∂node as written: their ∂J/∂w at ``L0.N1.w0``,
            ∂J/∂b at ``L0.N1.b``, ∂J/∂y at ``L0.N1.y`` and, for δ = −∂J/∂v, minus their δ at
            ``L0.N1.v`` (one sample; for a batch only the parameters' gradients, shared by all).
        notes: node name -> "verdict: why" of each answer not correct there.
        start: the node of ``first_wrong`` (None: it has none on the graph, e.g. ``J``).
    """

    root: Value
    answers: dict[str, Any]
    notes: dict[str, str]
    start: str | None


@dataclass(frozen=True)
class HandCheck:
    """What :func:`check` found: one :class:`CheckRow` per answer, in the order of computation.

    Attributes:
        rows: the graded answers.
    """

    rows: tuple[CheckRow, ...]
    # what was checked (model, x, target, loss, reduction) and the answers as written: on_graph's
    problem: tuple = field(default=(), repr=False, compare=False)
    written: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def on_graph(self) -> GradedGraph:
        """The learner's numbers placed on J's graph, for ``viz.step_through`` (its answers,
        notes and start: the page opens at ``first_wrong``). See :class:`GradedGraph`.

        Returns:
            A :class:`GradedGraph`.
        """
        model, x, target, loss, reduction = self.problem
        batched = not isinstance(validate.items(x, "x")[0], numbers.Number)
        answers, notes = {}, {}
        for row in self.rows:
            placed = _node_of(row.name, model, batched, loss)
            if placed is None:
                continue
            node, sign = placed
            written = self.written[row.name]
            answers[node] = written if sign > 0 else _negated(written)
            if row.verdict != "correct":
                notes[node] = f"{row.verdict}: {row.why}"
        start = None
        if self.first_wrong is not None:
            start = _node_of(self.first_wrong, model, batched, loss, forward=True)
        root = objective(model, x, target, loss, reduction)
        root.label = "J"  # a graph of its own: the label names it on the page
        return GradedGraph(root, answers, notes, None if start is None else start[0])

    @property
    def ok(self) -> bool:
        """True when every answer is correct."""
        return all(row.verdict == "correct" for row in self.rows)

    @property
    def first_wrong(self) -> str | None:
        """The name where the error entered (None when nothing is wrong): the first answer in the
        order of computation that is neither correct nor carried."""
        blamed = (row.name for row in self.rows if row.verdict not in ("correct", "carried"))
        return next(blamed, None)

    def _table(self) -> tuple[list[str], list[list[str]]]:
        header = ["name", "yours", "correct", "verdict", "why"]
        return header, [[r.name, _shown(r.yours), _shown(r.correct), r.verdict, r.why]
                        for r in self.rows]

    def _summary(self) -> str:
        if self.ok:
            return f"all {len(self.rows)} answers correct"
        wrong = sum(row.verdict != "correct" for row in self.rows)
        first = next((row for row in self.rows if row.name == self.first_wrong), None)
        entered = f"; the error enters at {first.name}: {first.why}" if first else ""
        return f"{wrong} of {len(self.rows)} answers not correct{entered}"

    def __str__(self) -> str:
        header, rows = self._table()  # the why column left-aligned, after the others
        table = format_table(header[:-1], [row[:-1] for row in rows]).splitlines()
        whys = [header[-1], "-" * len(header[-1]), *(row[-1] for row in rows)]
        lines = [f"{line}  {why}" for line, why in zip(table, whys)]
        return "\n".join(lines) + "\n\n" + self._summary()

    def to_markdown(self) -> str:
        """The rows as a Markdown table, then one line saying where the error entered."""
        header, rows = self._table()
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                  for row in rows]
        return "\n".join(lines) + "\n\n" + self._summary() + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def _shown(x: float) -> str:
    return format_number(x, 6)


def _node_of(name: str, model: Any, batched: bool, loss: str,
             forward: bool = False) -> tuple[str, float] | None:
    """The node of J's graph (as ``viz`` names it) where a quantity's ∂J/∂node shows, and the
    sign that turns the learner's number into it; with ``forward``, also the node a forward
    quantity (v, y, φ′, e) belongs to. None when it has no node there (an output's ∂J/∂y under
    bce or ce: J is computed from v, the logits)."""
    parts = name.split(".")
    if name.startswith("dJ/dL") and parts[-1][0] in "wb":  # a parameter: shared by the samples
        return name[4:], 1.0
    bare = name.removeprefix("dJ/d")
    if batched or not bare.startswith("L"):
        return None
    unit, quantity = bare.rsplit(".", 1)
    layer = int(bare.split(".")[0][1:])
    activation = model.layers[layer].activation
    y = f"{unit}.y" if activation not in ("linear", "softmax") else None
    if name.startswith("dJ/d") and loss != "sse" and layer == len(model.layers) - 1:
        return None
    if name.startswith("dJ/d"):
        return (f"{unit}.v", 1.0) if activation == "linear" else None if y is None else (y, 1.0)
    if quantity == "delta":
        return f"{unit}.v", -1.0
    if forward:
        return (y or f"{unit}.v") if quantity in ("y", "dphi", "e") else f"{unit}.v", 1.0
    return None


def _negated(written: Any) -> Any:
    """−written, keeping the digits of a str."""
    if not isinstance(written, str):
        return -written
    text = written.strip().replace("−", "-")
    return text[1:] if text.startswith("-") else "-" + text.lstrip("+")


def canonical_name(name: str) -> str:
    """A learner's name in ``nn.deltas.sample``'s spelling: ``∂J/∂L0.N1.w0`` -> ``dJ/dL0.N1.w0``,
    ``L0.N1.δ`` -> ``L0.N1.delta``, ``L0.N1.φ′`` -> ``L0.N1.dphi``; spaces are dropped."""
    name = "".join(name.split())
    for spelling, ours in SPELLINGS:
        name = name.replace(spelling, ours)
    return name


# -- reading the learner's numbers --------------------------------------------------------------


def _read(value: Any, key: str) -> tuple[float, Any]:
    """The learner's number, and the answer as given (its written digits grade it)."""
    return written_digits(value, f"answers[{key!r}]")[0], value


# -- what a learner computes, step by step ------------------------------------------------------


@dataclass
class _Step:
    """One quantity a learner computes: its correct value, what it is computed from, how to
    recompute it from given numbers, its formula with numbers, and the mistakes it invites."""

    name: str
    correct: float
    deps: tuple[str, ...]
    own: Callable[[Getter], list[float]]  # recomputed from the getter's numbers (one or more ways)
    formula: Callable[[Getter], str]
    mistakes: Callable[[Getter], list[Mistake]] = lambda get: []


def _phi(activation: str, v: float) -> float:
    return float(HAND_ACTIVATIONS[activation].phi(np.float64(v)))


def _dphi(activation: str, v: float, y: float) -> float:
    return float(HAND_ACTIVATIONS[activation].dphi(np.float64(v), np.float64(y)))


def _factor(x: float) -> str:
    """A number as a factor of a product: a negative one in parentheses, ``0.5·(-1.0)``."""
    return f"({_shown(x)})" if x < 0 else _shown(x)


def _sum_text(pairs: Sequence[tuple[float, float]]) -> str:
    return " + ".join(f"{_factor(a)}·{_factor(b)}" for a, b in pairs) or "0"


def _total(terms: Any) -> str:
    """``a`` for one term, ``(a + b + ...)`` for more; negative terms in parentheses."""
    shown = [_factor(t) for t in terms]
    return shown[0] if len(shown) == 1 else "(" + " + ".join(shown) + ")"


# φ′ written with y where the lecture does (σ′ = y(1 − y), tanh′ = 1 − y²), for the solutions.
SLOPE_TEXT: dict[str, Callable[[float, float], str]] = {
    "sigmoid": lambda v, y: f"y(1 − y) = {_factor(y)}·(1 − {_factor(y)})",
    "tanh": lambda v, y: f"1 − y² = 1 − {_factor(y)}²",
    "linear": lambda v, y: "1",
    "relu": lambda v, y: f"{'1 (v > 0)' if v > 0 else '0 (v ≤ 0)'}",
}


class _Builder:
    """The steps of one model, samples and loss, in the order a learner computes them."""

    def __init__(self, model: Any, points: list[Sample], loss: str, scale: float) -> None:
        self.layers = model.layers
        self.W = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
        self.b = [[n.b.data for n in layer.neurons] for layer in model.layers]
        self.points, self.loss, self.scale = points, loss, scale
        self.batched = len(points) > 1
        self.steps: list[_Step] = []

    def prefix(self, n: int) -> str:
        return f"s{n}." if self.batched else ""

    def add(self, step: _Step) -> None:
        self.steps.append(step)

    def y_in(self, n: int, k: int, i: int) -> str | None:
        """The name of the input i of layer k in sample n (None for an input x_i: a given)."""
        return None if k == 0 else f"{self.prefix(n)}L{k - 1}.N{i}.y"

    def input_value(self, get: Getter, n: int, k: int, i: int) -> float:
        name = self.y_in(n, k, i)
        return self.points[n].x[i] if name is None else get(name)

    def build(self) -> list[_Step]:
        for n in range(len(self.points)):
            self.forward(n)
            self.errors(n)
            self.backward(n)
        if self.batched:
            self.batch_objective()
        self.gradients()
        return self.steps

    # forward: v, y, φ′ per layer
    def forward(self, n: int) -> None:
        p, values = self.prefix(n), self.points[n].values
        for k, layer in enumerate(self.layers):
            units = range(len(layer.neurons))
            for j in units:
                self.add(self.pre_activation(n, k, j, values[f"{p}L{k}.N{j}.v".removeprefix(p)]))
            for j in units:
                self.add(self.output(n, k, j, values[f"L{k}.N{j}.y"]))
            if layer.activation != "softmax":
                for j in units:
                    self.add(self.slope(n, k, j, values[f"L{k}.N{j}.dphi"]))

    def pre_activation(self, n: int, k: int, j: int, correct: float) -> _Step:
        W, b, width = self.W[k], self.b[k][j], len(self.W[k][0])
        deps = tuple(d for i in range(width) if (d := self.y_in(n, k, i)))

        def own(get: Getter) -> list[float]:
            return [math.fsum(W[j][i] * self.input_value(get, n, k, i) for i in range(width)) + b]

        def formula(get: Getter) -> str:
            pairs = [(W[j][i], self.input_value(get, n, k, i)) for i in range(width)]
            return f"v = Σ w·y + b = {_sum_text(pairs)} + {_factor(b)}"

        def mistakes(get: Getter) -> list[Mistake]:
            if not all(i < len(W) and j < width for i in range(width)):
                return []
            value = math.fsum(W[i][j] * self.input_value(get, n, k, i) for i in range(width)) + b
            return [("transposed", value, f"you used w_ij for w_ji (the weights of L{k}.N{j} "
                     f"are row {j}): {formula(get)} = {_shown(own(get)[0])}")]

        return _Step(f"{self.prefix(n)}L{k}.N{j}.v", correct, deps, own, formula, mistakes)

    def output(self, n: int, k: int, j: int, correct: float) -> _Step:
        p, activation = self.prefix(n), self.layers[k].activation
        if activation == "softmax":
            vs = tuple(f"{p}L{k}.N{i}.v" for i in range(len(self.W[k])))

            def own(get: Getter) -> list[float]:
                v = np.array([get(name) for name in vs])
                e = np.exp(v - v.max())
                return [float(e[j] / e.sum())]

            def formula(get: Getter) -> str:
                total = " + ".join(f"exp({_shown(get(v))})" for v in vs)
                return f"y = softmax(v)_{j} = exp({_shown(get(vs[j]))}) / ({total})"

            return _Step(f"{p}L{k}.N{j}.y", correct, vs, own, formula)
        v = f"{p}L{k}.N{j}.v"
        return _Step(f"{p}L{k}.N{j}.y", correct, (v,), lambda get: [_phi(activation, get(v))],
                     lambda get: f"y = {activation}(v) = {activation}({_shown(get(v))})")

    def slope(self, n: int, k: int, j: int, correct: float) -> _Step:
        p, activation = self.prefix(n), self.layers[k].activation
        v, y = f"{p}L{k}.N{j}.v", f"{p}L{k}.N{j}.y"

        def own(get: Getter) -> list[float]:
            return [_dphi(activation, get(v), _phi(activation, get(v))),
                    _dphi(activation, get(v), get(y))]

        def mistakes(get: Getter) -> list[Mistake]:
            at_y = _dphi(activation, get(y), _phi(activation, get(y)))
            return [("φ′ at y", at_y, f"that is φ′ evaluated at y = {_shown(get(y))}; "
                     f"φ′ is taken at v = {_shown(get(v))}: φ′(v) = {_shown(correct)}")]

        def formula(get: Getter) -> str:
            text = SLOPE_TEXT.get(activation)
            return f"φ′(v) = {text(get(v), get(y)) if text else f'{activation}′({_shown(get(v))})'}"

        return _Step(f"{p}L{k}.N{j}.dphi", correct, (v, y), own, formula, mistakes)

    # the output's errors and J
    def errors(self, n: int) -> None:
        p, point, last = self.prefix(n), self.points[n], len(self.layers) - 1
        outputs = range(len(self.W[last]))
        for j in outputs:
            y = f"{p}L{last}.N{j}.y"
            t = point.t[j]
            self.add(_Step(f"{p}L{last}.N{j}.e", point.values[f"L{last}.N{j}.e"], (y,),
                           lambda get, y=y, t=t: [t - get(y)],
                           lambda get, y=y, t=t: f"e = t − y = {_shown(t)} − {_factor(get(y))}"))
        ys = tuple(f"{p}L{last}.N{j}.y" for j in outputs)
        es = tuple(f"{p}L{last}.N{j}.e" for j in outputs)
        t = point.t

        def own(get: Getter) -> list[float]:
            y = [get(name) for name in ys]
            if self.loss == "sse":
                return [0.5 * math.fsum(get(e) ** 2 for e in es),
                        0.5 * math.fsum((tk - yk) ** 2 for tk, yk in zip(t, y))]
            terms = [tk * math.log(yk) for tk, yk in zip(t, y) if tk > 0 and yk > 0]
            if self.loss == "bce":
                terms += [(1 - tk) * math.log1p(-yk) for tk, yk in zip(t, y) if tk < 1 and yk < 1]
            return [-math.fsum(terms)]

        def formula(get: Getter) -> str:
            if self.loss == "sse":
                return f"J = ½ Σ e² = ½·{_total(get(e) ** 2 for e in es)}"
            pairs = [(tk, get(y)) for tk, y in zip(t, ys)]
            if self.loss == "ce":
                terms = " + ".join(f"{_shown(tk)}·ln {_shown(yk)}" for tk, yk in pairs if tk > 0)
                return f"J = −Σ t ln y = −({terms})"
            terms = " + ".join(f"{_shown(tk)}·ln {_shown(yk)} + "
                               f"{_shown(1 - tk)}·ln(1 − {_shown(yk)})" for tk, yk in pairs)
            return f"J = −Σ [t ln y + (1 − t) ln(1 − y)] = −({terms})"

        self.add(_Step(f"{p}J", point.J, ys + es, own, formula))

    # backward: δ from the output back, and ∂J/∂y
    def backward(self, n: int) -> None:
        values, last = self.points[n].values, len(self.layers) - 1
        for k in range(last, -1, -1):
            for j in range(len(self.W[k])):
                correct = values[f"L{k}.N{j}.delta"]
                self.add(self.output_delta(n, j, correct) if k == last
                         else self.hidden_delta(n, k, j, correct))
            for j in range(len(self.W[k])):
                self.add(self.output_gradient(n, k, j, values[f"dJ/dL{k}.N{j}.y"]))

    def output_delta(self, n: int, j: int, correct: float) -> _Step:
        p, last = self.prefix(n), len(self.layers) - 1
        unit = f"{p}L{last}.N{j}"
        e, dphi, y = f"{unit}.e", f"{unit}.dphi", f"{unit}.y"
        if self.loss != "sse":  # sigmoid + bce, softmax + ce: φ′ cancels against the loss
            return _Step(f"{unit}.delta", correct, (e,), lambda get: [get(e)],
                         lambda get: f"δ = e (the {self.loss} loss cancels φ′)")
        activation = self.layers[last].activation

        def mistakes(get: Getter) -> list[Mistake]:
            at_y = _dphi(activation, get(y), _phi(activation, get(y)))
            return [("missing φ′", get(e), f"δ = e·φ′(v) = {_shown(get(e))}·{_shown(get(dphi))}: "
                     f"you left out φ′(v) = {_shown(get(dphi))}"),
                    ("φ′ at y", get(e) * at_y, f"you took φ′ at y ({_shown(at_y)}) instead of at "
                     f"v ({_shown(get(dphi))}): δ = {_shown(get(e))}·{_shown(get(dphi))}")]

        return _Step(f"{unit}.delta", correct, (e, dphi), lambda get: [get(e) * get(dphi)],
                     lambda get: f"δ = e·φ′(v) = {_factor(get(e))}·{_factor(get(dphi))}", mistakes)

    def hidden_delta(self, n: int, k: int, j: int, correct: float) -> _Step:
        p, W, activation = self.prefix(n), self.W[k + 1], self.layers[k].activation
        unit = f"{p}L{k}.N{j}"
        dphi, y = f"{unit}.dphi", f"{unit}.y"
        nexts = [f"{p}L{k + 1}.N{l}.delta" for l in range(len(W))]

        def fed_back(get: Getter, skip: int = -1, transposed: bool = False) -> float:
            return math.fsum(get(d) * (W[j][l] if transposed else W[l][j])
                             for l, d in enumerate(nexts) if l != skip)

        def formula(get: Getter) -> str:
            pairs = [(get(d), W[l][j]) for l, d in enumerate(nexts)]
            return f"δ = φ′(v)·Σ_l δ_l·w_l{j} = {_factor(get(dphi))}·({_sum_text(pairs)})"

        def mistakes(get: Getter) -> list[Mistake]:
            slope, total = get(dphi), fed_back(get)
            at_y = _dphi(activation, get(y), _phi(activation, get(y)))
            found = [("missing φ′", total, f"{formula(get)}: you left out φ′(v) = {_shown(slope)}"),
                     ("φ′ at y", at_y * total, f"you took φ′ at y ({_shown(at_y)}) instead of at v "
                      f"({_shown(slope)}): {formula(get)}")]
            if len(W) > 1:
                found += [("missing term", slope * fed_back(get, skip=l),
                           f"the term of L{k + 1}.N{l} (δ·w = {_shown(get(d))}·{_shown(W[l][j])}) "
                           f"is missing: {formula(get)}") for l, d in enumerate(nexts)]
            if j < len(W) and len(W) <= len(W[0]):
                found.append(("transposed", slope * fed_back(get, transposed=True),
                              f"you used w_{j}l for w_l{j}: {formula(get)}"))
            return found

        return _Step(f"{unit}.delta", correct, (dphi, *nexts),
                     lambda get: [get(dphi) * fed_back(get)], formula, mistakes)

    def output_gradient(self, n: int, k: int, j: int, correct: float) -> _Step:
        """∂J/∂y of a unit (−e for an sse output; −Σ_l δ_l·w_lj for a hidden unit)."""
        p, unit = self.prefix(n), f"{self.prefix(n)}L{k}.N{j}"
        if k == len(self.layers) - 1:
            e = f"{unit}.e"
            if self.loss != "sse":
                return _Step(f"dJ/d{unit}.y", correct, (), lambda get: [correct],
                             lambda get: f"∂J/∂y = {_shown(correct)} (from the {self.loss} loss)")
            return _Step(f"dJ/d{unit}.y", correct, (e,), lambda get: [-get(e)],
                         lambda get: f"∂J/∂y = −e = −{_factor(get(e))}")
        W = self.W[k + 1]
        nexts = [f"{p}L{k + 1}.N{l}.delta" for l in range(len(W))]
        return _Step(f"dJ/d{unit}.y", correct, tuple(nexts),
                     lambda get: [-math.fsum(get(d) * W[l][j] for l, d in enumerate(nexts))],
                     lambda get: "∂J/∂y = −Σ_l δ_l·w_l{} = −({})".format(
                         j, _sum_text([(get(d), W[l][j]) for l, d in enumerate(nexts)])))

    # the batch's totals
    def batch_objective(self) -> None:
        parts = tuple(f"s{n}.J" for n in range(len(self.points)))
        total = self.scale * math.fsum(point.J for point in self.points)
        how = "Σ_n J_n" if self.scale == 1.0 else f"(1/{len(parts)})·Σ_n J_n"
        def own(get: Getter) -> list[float]:
            return [self.scale * math.fsum(map(get, parts))]

        self.add(_Step("J", total, parts, own, lambda get: f"J = {how} = {_shown(own(get)[0])}"))

    def gradients(self) -> None:
        samples = range(len(self.points))
        scaled = "" if self.scale == 1.0 else f"(1/{len(self.points)})·"
        mean = scaled + ("Σ " if self.batched else "")
        for k in range(len(self.layers) - 1, -1, -1):
            width = len(self.W[k][0])
            for j in range(len(self.W[k])):
                deltas = [f"{self.prefix(n)}L{k}.N{j}.delta" for n in samples]
                for i in range(width):
                    self.add(self.weight_gradient(k, j, i, deltas, mean, scaled))
                bias = f"dJ/dL{k}.N{j}.b"
                self.add(_Step(bias, self.scale * math.fsum(p.values[bias] for p in self.points),
                               tuple(deltas),
                               lambda get, d=deltas: [-self.scale * math.fsum(map(get, d))],
                               lambda get, d=deltas:
                               f"∂J/∂b = −{mean}δ = −{scaled}" + _total(map(get, d))))

    def weight_gradient(self, k: int, j: int, i: int, deltas: list[str], mean: str,
                        scaled: str) -> _Step:
        name = f"dJ/dL{k}.N{j}.w{i}"
        samples = range(len(self.points))
        correct = self.scale * math.fsum(p.values[name] for p in self.points)
        inputs = [self.y_in(n, k, i) for n in samples]

        def value(get: Getter, j: int = j, i: int = i) -> float:
            return -self.scale * math.fsum(get(f"{self.prefix(n)}L{k}.N{j}.delta")
                                           * self.input_value(get, n, k, i) for n in samples)

        def formula(get: Getter) -> str:
            pairs = [(get(d), self.input_value(get, n, k, i)) for n, d in zip(samples, deltas)]
            return f"∂J/∂w = −{mean}δ_{j}·y_{i} = −{scaled}({_sum_text(pairs)})"

        def mistakes(get: Getter) -> list[Mistake]:
            if i < len(self.W[k]) and j < len(self.W[k][0]):
                return [("transposed", value(get, i, j), f"you used δ_{i}·y_{j} for w_{j}{i}: "
                         f"{formula(get)}")]
            return []

        deps = tuple(deltas) + tuple(d for d in inputs if d)
        return _Step(name, correct, deps, lambda get: [value(get)], formula, mistakes)


# -- grading ------------------------------------------------------------------------------------


def _generic(step: _Step, get: Getter, batch: int) -> list[Mistake]:
    """The sign flipped, or off by a factor 2, ½ or the batch size N, of the value ``get``'s
    numbers give (the learner's own, then the correct ones)."""
    c, formula = step.own(get)[0], step.formula(get)
    found = [("sign", -c, f"the sign is flipped: {formula} = {_shown(c)}")]
    factors = [2.0, 0.5] + ([float(batch), 1.0 / batch] if batch > 1 else [])
    for f in factors:
        shown = {batch: "N", 1.0 / batch: "1/N"}.get(f, _shown(f)) if batch > 1 else _shown(f)
        found.append(("factor", f * c, f"off by a factor {shown}: {formula} = {_shown(c)}"))
    return found


def _grade(step: _Step, yours: float, written: Any, given: dict[str, tuple[float, Any]],
           verdicts: dict[str, str], correct: dict[str, float], batch: int) -> CheckRow:
    """One answer's row: correct, carried from the learner's earlier numbers, a named mistake
    (from their numbers, then from the correct ones), or wrong."""
    c = step.correct

    def own(name: str) -> float:
        return given[name][0] if name in given else correct[name]

    row = lambda verdict, why: CheckRow(step.name, yours, c, verdict, why)  # noqa: E731
    if agrees_to_written(written, c):
        decimals = max(-written_digits(written)[1], 0)
        return row("correct", f"agrees with {_shown(c)} to the {decimals} decimals written")
    used = [d for d in step.deps if d in given]
    wrong_inputs = [d for d in used if verdicts[d] != "correct"]
    recomputed = step.own(own)
    if used and any(agrees_to_written(written, r, units=1.0) for r in recomputed):
        if not wrong_inputs:
            return row("correct", f"follows from your own rounded numbers: {step.formula(own)}")
        inputs = ", ".join(f"{d} = {_shown(given[d][0])}" for d in wrong_inputs)
        return row("carried", f"follows from your {inputs}: {step.formula(own)}; "
                   f"with the correct numbers it is {_shown(c)}")
    for get in (own, correct.__getitem__):
        for verdict, value, why in step.mistakes(get) + _generic(step, get, batch):
            if agrees_to_written(written, value, units=1.0):
                return row(verdict, why)
    return row("wrong", f"{step.formula(correct.__getitem__)} = {_shown(c)}")


def answer_names(model: Any, x: Any, target: Any, loss: str = "sse") -> list[str]:
    """Every name :func:`check` accepts for this model and sample(s), in the order of computation.

    Args:
        model, x, target, loss: as for :func:`check`.

    Returns:
        The names, e.g. ``["L0.N0.v", ..., "J", ..., "dJ/dL0.N0.w0", ...]``.
    """
    return [step.name for step in _build(model, x, target, loss, "sum")]


def worked_steps(model: Any, x: Any, target: Any, loss: str = "sse",
                 reduction: str = "sum") -> list[tuple[str, str, float]]:
    """The worked solution: every quantity in the order of computation, with its formula and
    numbers (the same text :func:`check` shows in its ``why``).

    Args:
        model, x, target, loss, reduction: as for :func:`check`.

    Returns:
        ``(name, formula with numbers, value)`` per quantity, e.g.
        ``("L1.N0.delta", "δ = e·φ′(v) = 0.205124·0.240999", 0.0494347...)``.
    """
    steps = _build(model, x, target, loss, reduction)
    correct = {step.name: step.correct for step in steps}
    return [(step.name, step.formula(correct.__getitem__), step.correct) for step in steps]


def _build(model: Any, x: Any, target: Any, loss: str, reduction: str) -> list[_Step]:
    """The checked arguments' steps; ``sample`` checks the model, each x and each target."""
    validate.one_of(loss, "loss", tuple(LOSSES))  # a loss function of one's own has no hand rule
    validate.one_of(reduction, "reduction", REDUCTIONS)
    if loss == "sse" and isinstance(model, MLP) and model.layers[-1].activation == "softmax":
        raise ValueError("loss='sse' with a softmax output has no per-unit δ = e·φ′(v) "
                         "(its Jacobian is not diagonal); use loss='ce'")
    rows = validate.items(x, "x", "a list of numbers (one sample) or a list of samples")
    batched = bool(rows) and not isinstance(rows[0], numbers.Number)
    if not batched:
        points = [sample(model, rows, target, loss)]
    else:
        targets = validate.items(target, "target", "a list with one target per sample")
        if len(targets) != len(rows):
            raise ValueError(f"target must hold one entry per sample ({len(rows)}), "
                             f"got {len(targets)}")
        points = [sample(model, row, t, loss) for row, t in zip(rows, targets)]
    scale = 1.0 if reduction == "sum" else 1.0 / len(points)
    return _Builder(model, points, loss, scale).build()


def check(model: Any, x: Any, target: Any, answers: Mapping[str, Any], loss: str = "sse",
          reduction: str = "sum") -> HandCheck:
    """Grade a learner's own numbers for one sample or a batch: correct, carried, or the likely
    mistake, and where the error entered.

    Args:
        model: an ``nn.MLP``.
        x: one sample (``nin`` numbers) or a batch (a list of samples).
        target: the target (a number, one per output, or a ce class index); one per sample for a
            batch.
        answers: name -> the learner's number (a real number, or a str to keep the digits
            written, such as ``"0.4300"``); any subset of :func:`answer_names`. ``δ``, ``φ′``
            and ``∂`` spellings are accepted; a batch's per-sample names start with ``s0.``.
        loss: ``"sse"``, ``"bce"`` (sigmoid output) or ``"ce"`` (softmax output).
        reduction: ``"sum"`` or ``"mean"`` of the samples' J (the gradients follow it).

    Returns:
        A :class:`HandCheck` (``.ok``, ``.rows``, ``.first_wrong``).

    Raises:
        ValueError: an unknown name (the message lists some valid ones), a name given twice in
            two spellings, or a number that is not finite.
    """
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of names to numbers, "
                        f"got {validate.shown(answers)}")
    steps = _build(model, x, target, loss, reduction)
    known = {step.name: step for step in steps}
    batch = len({s.name.split(".")[0] for s in steps if s.name.startswith("s")}) or 1
    given: dict[str, tuple[float, Any]] = {}
    for key, value in answers.items():
        name = canonical_name(validate.text(key, "answers' names"))
        if batch == 1 and name.startswith("s0."):
            name = name[3:]
        if name not in known:
            gradients = [n for n in known if n.startswith("dJ/dL")]
            some = ", ".join(list(known)[:3] + ["J"] + gradients[:2])
            raise ValueError(f"answers: unknown name {key!r}; names look like {some} "
                             "(nn.handcheck.answer_names lists them all)")
        if name in given:
            raise ValueError(f"answers: {key!r} names {name}, which is given twice")
        given[name] = _read(value, key)
    correct = {step.name: step.correct for step in steps}
    verdicts: dict[str, str] = {}
    rows = []
    for step in steps:
        if step.name in given:
            row = _grade(step, *given[step.name], given, verdicts, correct, batch)
            verdicts[step.name] = row.verdict
            rows.append(row)
    written = {name: as_given for name, (_, as_given) in given.items()}
    return HandCheck(tuple(rows), (model, x, target, loss, reduction), written)
