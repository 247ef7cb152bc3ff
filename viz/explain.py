"""Where a gradient comes from: the chain rule for one node, with the numbers.

``explain(root, node)`` answers "why is ``node.grad`` this number?" three ways:

- the **one-step form**: ``grad[node] = Σ ∂user/∂node × grad[user]`` over the nodes that use it,
  each local derivative written with the op table's formula (``1 − o²``) and its value;
- the **all-paths form**: every path from ``node`` to ``root`` as a product of local derivatives,
  the products summing to the gradient (when there are at most ``max_paths`` paths; past that, the
  one-step form at every node between ``node`` and ``root``, in backward's order);
- for a neuron's pre-activation v of an ``nn`` model, on request, the **delta rule** of the lecture
  notes on error backpropagation: δ_j = φ'(v_j)·Σ_l δ_l·w_lj, with δ = −∂J/∂v.
"""

from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import dataclass
from typing import Callable

from autograd import Value
from autograd import validate
from autograd.functional import gradients
from autograd.format import NumberFormat

from .escape import code_fence, one_line
from .graph import picture_decimals
from .tracing import Edge, Trace, factor, local_formula, trace

__all__ = ["explain", "Explainer", "Explanation", "Term", "OneStep", "Path", "DeltaRule",
           "DEFAULT_MAX_PATHS"]

DEFAULT_MAX_PATHS = 20
DELTA_SOURCE = "the delta rule (lecture notes on MLPs and error backpropagation)"


@dataclass(frozen=True)
class Term:
    """One use of a node: ``grad[node] += local × grad[user]``.

    Attributes:
        user: the name of the node that uses it.
        formula: the local derivative ∂user/∂node as text with names (``1 − o²``).
        local: its value.
        user_grad: ∂root/∂user.
        product: ``local * user_grad``.
        edge: the edge of the trace (node → user).
    """

    user: str
    formula: str
    local: float
    user_grad: float
    product: float
    edge: Edge


@dataclass(frozen=True)
class OneStep:
    """The chain rule at one node: ``grad[name] = Σ term.local × term.user_grad``.

    Attributes:
        name: the node's name.
        terms: one per use, in the order backward adds them (so their sum is ``total`` exactly).
        total: ∂root/∂node as backward computes it.
    """

    name: str
    terms: tuple[Term, ...]
    total: float


@dataclass(frozen=True)
class Path:
    """One path from the node to the root.

    Attributes:
        nodes: the Values along it, the node first, the root last.
        names: their names.
        local_grads: the local derivative of each edge along it (one fewer than ``nodes``).
        formulas: those local derivatives as text.
        product: their product, from the node's end.
        edges: the edges of the trace along it.
    """

    nodes: tuple[Value, ...]
    names: tuple[str, ...]
    local_grads: tuple[float, ...]
    formulas: tuple[str, ...]
    product: float
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class DeltaRule:
    """A pre-activation's gradient in the terms of the delta rule, δ = −∂J/∂v.

    Attributes:
        v: the pre-activation's name; ``y`` its activation's (``v`` itself when linear).
        phi: φ'(v) as text (``1 − y²``), and ``phi_prime`` its value.
        feeds: for a hidden unit, one ``(δ_l's unit name, w_lj's name, δ_l, w_lj)`` per unit it
            feeds; empty for an output unit.
        error: for an output unit, e = −∂J/∂y (t − y for J = ½Σ(t − y)²); None for a hidden unit.
        delta: δ_j; equal to −∂J/∂v_j.
        phi_edge: the edge v → y (None when linear).
    """

    v: str
    y: str
    phi: str
    phi_prime: float
    feeds: tuple[tuple[str, str, float, float], ...]
    error: float | None
    delta: float
    phi_edge: Edge | None = None


class Explanation:
    """Why ∂root/∂node is what it is (see :func:`explain`).

    Attributes:
        root, node: the Values; ``root_name``, ``node_name`` their names in pictures and pages.
        total: ∂root/∂node, the same float backward gives.
        one_step: the chain rule at the node (:class:`OneStep`).
        paths: every path from node to root (:class:`Path`), or [] when there are more than
            ``max_paths``; ``path_count`` is their number either way.
        chain: when the paths are not listed, the one-step form at every node from the root down
            to the node, in backward's order; else ().
        delta_rule: the :class:`DeltaRule` form when asked for (``lecture=True``), else None.
        numbers: how numbers are written: the view's (the picture's of the same root, so a node's
            gradient is spelled here as in the picture); a result its shown operands do not
            give to the last digit is marked ≈. ``decimals`` is ``numbers.decimals``.
    """

    def __init__(self, root: Value, node: Value, tr: Trace, total: float, one_step: OneStep, paths: list[Path],
                 path_count: int, max_paths: int, chain: tuple[OneStep, ...], delta_rule: DeltaRule | None,
                 note: str, numbers: NumberFormat) -> None:
        self.root, self.node = root, node
        self.trace = tr
        self.root_name, self.node_name = tr.name(len(tr.nodes) - 1), tr.name(tr.index[node])
        self.total = total
        self.one_step = one_step
        self.paths = paths
        self.path_count = path_count
        self.max_paths = max_paths
        self.chain = chain
        self.delta_rule = delta_rule
        self.note = note
        self.numbers = numbers
        self.decimals = numbers.decimals

    def num(self, x: float) -> str:
        """``x`` as this explanation shows it."""
        return self.numbers(x)

    def _sum(self, total: float, parts: list[float]) -> str:
        """A shown sum of shown ``parts``, marked ≈ when they do not add up to it as shown."""
        return self.numbers.result(total, math.fsum(self.numbers.shown(x) for x in parts))

    def _product(self, product: float, factors: list[float]) -> str:
        """A shown product of shown ``factors``, marked ≈ when they do not give it as shown."""
        return self.numbers.result(product, math.prod(self.numbers.shown(x) for x in factors))

    # -- the text, as (heading, lines) blocks shared by str, Markdown and HTML -----------------
    def blocks(self) -> list[tuple[str, list[str]]]:
        """The explanation as (heading, equation lines) blocks, in reading order."""
        d, n = f"∂{self.root_name}/∂{self.node_name}", self.node_name
        out = [(f"{d} = {self.num(self.total)}", [self.note] if self.note else [])]
        if self.delta_rule is not None:
            out.append(self._delta_block())
        if self.one_step.terms:
            out.append((f"One step of the chain rule: grad[{n}] = Σ over the nodes that use {n} of "
                        f"∂(user)/∂{n} × grad[user]", self._one_step_lines(self.one_step)))
        if self.paths:
            count = f"{len(self.paths)} path" + ("s" if len(self.paths) != 1 else "")
            lines = [self._path_line(p) for p in self.paths]
            if len(self.paths) > 1:
                total = self._sum(self.total, [p.product for p in self.paths])
                lines.append(f"sum over the paths: {' + '.join(self.num(p.product) for p in self.paths)} = {total}")
            out.append((f"All {count} from {n} to {self.root_name}: the product of the local derivatives along each", lines))
        elif self.chain:
            lines = []
            for step in self.chain:
                lines += self._one_step_lines(step) if step.terms else [f"grad[{step.name}] = {self.num(step.total)}  (the start: ∂{step.name}/∂{step.name})"]
            out.append((f"{self.path_count} paths lead from {n} to {self.root_name}, more than max_paths={self.max_paths}: "
                        f"the one-step form at every node on the way instead, in backward's order", lines))
        return [(one_line(heading), [one_line(line) for line in lines]) for heading, lines in out]  # labels' breaks

    def _one_step_lines(self, step: OneStep) -> list[str]:
        lhs = f"grad[{step.name}]"
        symbols = " + ".join(f"{factor(t.formula)} × grad[{t.user}]" for t in step.terms)
        numbers = " + ".join(f"{self.num(t.local)} × {self.num(t.user_grad)}" for t in step.terms)
        lines = [f"{lhs} = {symbols}", f"{' ' * len(lhs)} = {numbers}"]
        if len(step.terms) > 1:
            products = [self._product(t.product, [t.local, t.user_grad]) for t in step.terms]
            lines.append(f"{' ' * len(lhs)} = {' + '.join(products)}")
            total = self._sum(step.total, [t.product for t in step.terms])
        else:
            total = self._product(step.total, [step.terms[0].local, step.terms[0].user_grad])
        lines.append(f"{' ' * len(lhs)} = {total}")
        return lines

    def _path_line(self, p: Path) -> str:
        route = " → ".join(p.names)
        symbols = " × ".join(factor(f) for f in p.formulas)
        numbers = " × ".join(self.num(g) for g in p.local_grads)
        if len(p.local_grads) == 1:
            return f"{route}: {symbols} = {numbers}"
        return f"{route}: {symbols} = {numbers} = {self._product(p.product, list(p.local_grads))}"

    def _delta_block(self) -> tuple[str, list[str]]:
        r = self.delta_rule
        head = f"In the terms of {DELTA_SOURCE}: δ = −∂{self.root_name}/∂v, here δ[{r.v}] = {self.num(r.delta)}"
        phi = f"φ'({r.v}) = {r.phi} = {self.num(r.phi_prime)}"
        if r.error is not None:
            lines = [f"output unit: δ_j = e_j · φ'(v_j) with e_j = −∂{self.root_name}/∂y_j "
                     f"(t − y for J = ½Σ(t − y)²)", phi, f"e[{r.y}] = −∂{self.root_name}/∂{r.y} = {self.num(r.error)}",
                     f"δ[{r.v}] = {self.num(r.error)} × {self.num(r.phi_prime)} = {self.num(r.delta)}"]
        else:
            lines = ["hidden unit: δ_j = φ'(v_j) · Σ_l δ_l · w_lj over the units l it feeds", phi,
                     f"δ[{r.v}] = φ'({r.v}) · (" + " + ".join(f"δ[{l}] · {w}" for l, w, _, _ in r.feeds) + ")",
                     f"{' ' * len(r.v)}    = {self.num(r.phi_prime)} × (" + " + ".join(f"{self.num(d)} × {self.num(w)}" for _, _, d, w in r.feeds) + ")",
                     f"{' ' * len(r.v)}    = {self.num(r.delta)}"]
        lines.append(f"so ∂{self.root_name}/∂{r.v} = −δ[{r.v}] = {self.num(-r.delta)}")
        return head, lines

    def __str__(self) -> str:
        parts = []
        for heading, lines in self.blocks():
            parts.append("\n".join([heading, *("  " + line for line in lines)]))
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        return f"Explanation(∂{self.root_name}/∂{self.node_name} = {self.num(self.total)}, paths={self.path_count})"

    def to_markdown(self) -> str:
        """The explanation as Markdown: a bold heading per block, its equations in a code block."""
        parts = []
        for heading, lines in self.blocks():
            parts.append(f"**{_markdown_escape(heading)}**")
            if lines:
                body = "\n".join(lines)
                fence = code_fence(body)  # longer than any backtick run a label brings
                parts.append(f"{fence}text\n{body}\n{fence}")
        return "\n\n".join(parts) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        """A small HTML fragment (everything escaped) for a page to embed: ``<div class="explanation">``."""
        parts = ['<div class="explanation">']
        for heading, lines in self.blocks():
            parts.append(f"<p><b>{html.escape(heading)}</b></p>")
            if lines:
                parts.append("<pre>" + html.escape("\n".join(lines)) + "</pre>")
        parts.append("</div>")
        return "\n".join(parts)

    def to_latex(self) -> str:
        """The one-step form, and the paths or the delta rule, as a LaTeX ``align*`` environment."""
        name = _latex_name
        n, r = name(self.node_name), name(self.root_name)
        rows = [rf"\frac{{\partial {r}}}{{\partial {n}}} &= {self.num(self.total)}"]

        def formula(edge: Edge) -> str:
            return _latex(factor(local_formula(self.trace, edge, name)))

        def step_rows(step: OneStep) -> list[str]:
            symbols = " + ".join(rf"{formula(t.edge)} \cdot g_{{{name(t.user)}}}" for t in step.terms)
            numbers = " + ".join(rf"{self.num(t.local)} \times {self.num(t.user_grad)}" for t in step.terms)
            return [rf"g_{{{name(step.name)}}} &= {symbols}", rf"&= {numbers} = {self.num(step.total)}"]

        if self.one_step.terms:
            rows += step_rows(self.one_step)
        for p in self.paths:
            factors = r" \cdot ".join(formula(e) for e in p.edges)
            numbers = r" \times ".join(self.num(g) for g in p.local_grads)
            route = r" \to ".join(name(x) for x in p.names)
            rows.append(rf"&\text{{path }} {route}: {factors} = {numbers} = {self.num(p.product)}")
        for step in self.chain:
            if step.terms:
                rows += step_rows(step)
        if self.delta_rule is not None:
            d = self.delta_rule
            v = name(d.v)
            phi = "1" if d.phi_edge is None else formula(d.phi_edge)
            if d.error is not None:
                rows.append(rf"\delta_{{{v}}} &= e \, \varphi'({v}) = {self.num(d.error)} \times {self.num(d.phi_prime)} = {self.num(d.delta)}")
            else:
                feeds = " + ".join(rf"\delta_{{{name(l)}}} {name(w)}" for l, w, _, _ in d.feeds)
                numbers = " + ".join(rf"{self.num(dl)} \times {self.num(w)}" for _, _, dl, w in d.feeds)
                rows.append(rf"\delta_{{{v}}} &= \varphi'({v}) \textstyle\sum_l \delta_l w_{{lj}} = {phi} \, ({feeds})")
                rows.append(rf"&= {self.num(d.phi_prime)} \times ({numbers}) = {self.num(d.delta)}")
        body = " \\\\\n".join(one_line(row) for row in rows)  # a label's blank line would end align*
        return f"% g_u = \\partial {one_line(r)} / \\partial u\n\\begin{{align*}}\n{body}\n\\end{{align*}}\n"


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


_LATEX_SYMBOLS = {"−": "-", "²": "^2", "·": r" \cdot ", "×": r" \times ", "σ": r"\sigma ", "λ": r"\lambda ",
                  "α": r"\alpha ", "∂": r"\partial ", "→": r" \to ", "Σ": r"\sum "}


def _latex(text: str) -> str:
    """Formula text with its Unicode symbols in LaTeX (names already escaped by :func:`_latex_name`)."""
    out = "".join(_LATEX_SYMBOLS.get(c, c) for c in text)
    return re.sub(r"\bif\b", r"\\text{ if }", re.sub(r"\belse\b", r"\\text{ else }", re.sub(r"\bln\b", r"\\ln", out)))


def _latex_name(name: str) -> str:
    """A node name as LaTeX: ``\\mathrm{...}`` with the special characters escaped."""
    escaped = "".join({"\\": r"\backslash ", "{": r"\{", "}": r"\}", "_": r"\_", "#": r"\#", "%": r"\%",
                       "&": r"\&", "$": r"\$", "^": r"\^{}", "~": r"\~{}", "*": r"\ast "}.get(c, c) for c in name)
    return rf"\mathrm{{{escaped}}}"


def _users(tr: Trace) -> list[list[Edge]]:
    """For each node, the edges out of it, in the order backward adds them: by child in reverse
    topological order, then by operand position."""
    users: list[list[Edge]] = [[] for _ in tr.nodes]
    for edge in reversed(tr.edges):  # edges are grouped by child in node order, operands in order
        users[edge.parent].append(edge)
    for out in users:  # within one child, operand order (reversed() above flipped it)
        out.sort(key=lambda e: (-e.child, e.position))
    return users


def _count_paths(tr: Trace, users: list[list[Edge]], start: int) -> list[int]:
    """Number of paths from each node to the root (Python ints: exact however many)."""
    count = [0] * len(tr.nodes)
    count[-1] = 1
    for i in range(len(tr.nodes) - 2, start - 1, -1):
        count[i] = sum(count[e.child] for e in users[i])
    return count


def _one_step(tr: Trace, users: list[list[Edge]], grads: list[float], i: int, formula: Callable[[Edge], str]) -> OneStep:
    terms = tuple(Term(tr.name(e.child), formula(e), e.local_grad, grads[e.child], e.local_grad * grads[e.child], e)
                  for e in users[i])
    return OneStep(tr.name(i), terms, grads[i])


def _paths(tr: Trace, users: list[list[Edge]], start: int, formula: Callable[[Edge], str]) -> list[Path]:
    """Every path from ``start`` to the root, depth first, users in backward's order (iterative)."""
    root = len(tr.nodes) - 1
    found = []
    stack: list[tuple[int, tuple[Edge, ...]]] = [(start, ())]
    while stack:
        i, edges = stack.pop()
        if i == root:
            product = 1.0
            for e in edges:
                product *= e.local_grad
            found.append(Path(tuple(tr.nodes[k] for k in (start, *(e.child for e in edges))),
                              tuple(tr.name(k) for k in (start, *(e.child for e in edges))),
                              tuple(e.local_grad for e in edges), tuple(formula(e) for e in edges), product, edges))
            continue
        stack.extend((e.child, edges + (e,)) for e in reversed(users[i]))
    return found


def _delta_rule(tr: Trace, users: list[list[Edge]], grads: list[float], v: int, formula: Callable[[Edge], str]) -> DeltaRule:
    out = users[v]
    y = v
    phi, phi_prime, phi_edge = "1 (linear)", 1.0, None
    if len(out) == 1 and len(tr.nodes[out[0].child].parents) == 1:  # an activation y = φ(v)
        y, phi_edge = out[0].child, out[0]
        phi, phi_prime = formula(phi_edge), phi_edge.local_grad
    feeds = []
    for e in users[y]:
        child = tr.nodes[e.child]
        n = len(child.parents) // 2
        if child.op != "dot" or not n <= e.position < 2 * n:
            feeds = None
            break
        weight = tr.index[child.parents[e.position - n]]
        feeds.append((tr.name(e.child), tr.name(weight), 0.0 - grads[e.child], e.local_grad))
    if feeds:  # a hidden unit: δ_j = φ'(v_j)·Σ_l δ_l·w_lj, summed in backward's order
        total = 0.0
        for _, _, d, w in feeds:
            total += d * w
        return DeltaRule(tr.name(v), tr.name(y), phi, phi_prime, tuple(feeds), None, phi_prime * total, phi_edge)
    error = 0.0 - grads[y]
    return DeltaRule(tr.name(v), tr.name(y), phi, phi_prime, (), error, error * phi_prime, phi_edge)


class Explainer:
    """Explains any node of one graph, sharing what every explanation reads: the gradients (from
    backward's own loop; ``.grad`` is left alone), each node's users, the number of paths from
    each node to the root and each edge's formula are computed once. :func:`explain` explains one
    node; a page that explains every node (``viz.step_through``) keeps one Explainer.

    Args:
        tr: the graph's ``viz.trace(root)``; its root must require grad.
        numbers: the view's number format; None for the picture's of ``tr`` after backward
            (``draw_graph``'s), so that every number reads as in the picture.
    """

    def __init__(self, tr: Trace, numbers: NumberFormat | None = None) -> None:
        if not isinstance(tr, Trace):
            raise TypeError(f"explain: tr must be a viz.trace of root, got {validate.shown(tr)}")
        if not tr.nodes[-1].requires_grad:
            raise ValueError("explain: root is a constant (requires_grad=False): it has no "
                             "gradients to explain")
        self.trace = tr
        self.users = _users(tr)
        self.grads = _gradients(tr)
        self.counts = _count_paths(tr, self.users, 0)
        self.formula = functools.cache(lambda edge: local_formula(tr, edge))
        if numbers is not None and not isinstance(numbers, NumberFormat):
            raise TypeError(f"explain: numbers must be an autograd.format.NumberFormat, got {validate.shown(numbers)}")
        self.numbers = NumberFormat(picture_decimals(tr, self.grads)) if numbers is None else numbers

    def explain(self, node: Value, *, max_paths: int = DEFAULT_MAX_PATHS,
                lecture: bool = False) -> Explanation:
        """:func:`explain` of ``node``, a Value of this graph (same arguments).

        Returns:
            An :class:`Explanation`.
        """
        tr = self.trace
        if not isinstance(node, Value):
            raise TypeError(f"explain: node must be a Value, got {validate.shown(node)}")
        if node not in tr.index:
            raise ValueError(f"explain: node ({node!r}) is not in root's graph")
        max_paths = validate.whole(max_paths, "explain: max_paths")
        if validate.flag(lecture, "explain: lecture") and node.op != "dot":
            kind = "a leaf" if not node.op else f"a {node.op} node"
            raise ValueError(f"explain: lecture=True needs a neuron's pre-activation (a dot node), "
                             f"but node is {kind}")
        return _explain(self, tr.index[node], max_paths, lecture)

    def explain_all(self, *, max_paths: int = DEFAULT_MAX_PATHS) -> dict[int, Explanation]:
        """Every node's explanation that requires grad, by its index in the trace.

        Returns:
            ``{index: Explanation}``, in the trace's order.
        """
        max_paths = validate.whole(max_paths, "explain: max_paths")
        return {i: _explain(self, i, max_paths, False)
                for i, node in enumerate(self.trace.nodes) if node.requires_grad}


def explain(root: Value, node: Value, *, max_paths: int = DEFAULT_MAX_PATHS, lecture: bool = False,
            tr: Trace | None = None) -> Explanation:
    """Explain ∂root/∂node: the chain rule at ``node`` with every number, and the paths to the root.

    The gradients are those a ``root.backward()`` from zero gradients gives (backward's own loop;
    ``.grad`` is left alone), so ``explain(root, x).total == x.grad`` after ``root.backward()``.

    Args:
        root: the output Value (it must require grad).
        node: any Value of ``root``'s graph.
        max_paths: list every path from ``node`` to ``root`` when there are at most this many;
            past it, say how many and give the one-step form at every node on the way.
        lecture: for a neuron's pre-activation v (a ``dot`` node, as ``nn`` builds), also write
            its gradient as the delta rule of the lecture notes on error backpropagation:
            δ_j = φ'(v_j)·Σ_l δ_l·w_lj with δ = −∂root/∂v.
        tr: ``viz.trace(root)`` when the caller has it already (a picture, a page).

    Returns:
        An :class:`Explanation`: ``print`` it, or show it in Jupyter (Markdown).
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain: root must be a Value, got {validate.shown(root)}")
    if tr is None:
        tr = trace(root)
    elif isinstance(tr, Trace) and (not tr.nodes or tr.nodes[-1] is not root):
        raise ValueError("explain: tr is not root's trace (its last node is not root): "
                         "pass tr=viz.trace(root), or no tr")
    return Explainer(tr).explain(node, max_paths=max_paths, lecture=lecture)


def _gradients(tr: Trace) -> list[float]:
    """∂root/∂node for every node of ``tr``, the floats ``root.backward()`` from zero gives (no −0.0),
    from backward's own loop; ``.grad`` is left alone."""
    grads = gradients(tr.nodes, 1.0)
    return [grads[node] + 0.0 for node in tr.nodes]


def _explain(shared: Explainer, i: int, max_paths: int, lecture: bool) -> Explanation:
    """The explanation of node ``i`` of ``shared``'s checked trace."""
    tr, users, grads, formula = shared.trace, shared.users, shared.grads, shared.formula
    root, node = tr.nodes[-1], tr.nodes[i]
    note = ""
    if not node.requires_grad:
        note = f"{tr.name(i)} is a constant (requires_grad=False): no gradient flows to it"
    elif i == len(tr.nodes) - 1:
        note = "the root: the start of backward, ∂root/∂root = 1"
    if node.requires_grad:
        one_step = _one_step(tr, users, grads, i, formula)
    else:
        one_step = OneStep(tr.name(i), (), grads[i])
    count = shared.counts[i] if node.requires_grad else 0
    paths: list[Path] = []
    chain: tuple[OneStep, ...] = ()
    if 0 < count <= max_paths and i != len(tr.nodes) - 1:
        paths = _paths(tr, users, i, formula)
    elif count > max_paths:
        reach = [False] * len(tr.nodes)  # the nodes on some path from node to root
        reach[i] = True
        for k in range(i + 1, len(tr.nodes)):
            reach[k] = any(reach[tr.index[p]] for p in tr.nodes[k].parents)
        chain = tuple(_one_step(tr, users, grads, k, formula) for k in range(len(tr.nodes) - 1, i, -1) if reach[k])
    delta_rule = _delta_rule(tr, users, grads, i, formula) if lecture else None
    return Explanation(root, node, tr, grads[i], one_step, paths, count, max_paths, chain, delta_rule, note,
                       shared.numbers)
