"""The nodes and edges of a computation graph, in a deterministic order, and how text names them."""

from __future__ import annotations

import re
from typing import Callable, Iterator, NamedTuple

from autograd import OPS, Value, topological_order
from autograd.format import format_number

from .formulas import fill
from .escape import printable

__all__ = ["Edge", "Trace", "trace", "local_formula", "node_names", "is_atomic", "neuron_prefix", "NAME_LIMIT"]

NAME_LIMIT = 12  # an unlabelled node is named by its expression (x1*w1) up to this many characters

# nn labels its parameters "L{layer}.N{neuron}.w{input}" and "L{layer}.N{neuron}.b" (a lone
# Neuron's are "w{input}" and "b"): the prefix names the neuron.
_WEIGHT = re.compile(r"(.*)w(\d+)")
# Binding strength of an expression name: atoms (labels, calls) bind tightest.
_ATOM, _POWER, _PRODUCT, _SUM = 3, 2, 1, 0
_INFIX = {"add": (" + ", _SUM), "sub": (" - ", _SUM), "mul": ("*", _PRODUCT), "div": ("/", _PRODUCT), "pow": ("**", _POWER)}


class Edge(NamedTuple):
    """One operand slot: ``child = op(..., parent, ...)`` with ``parent`` at ``position``."""

    parent: int  # index of the operand in Trace.nodes
    child: int  # index of the op's result in Trace.nodes
    position: int  # which operand of the child (an x*x node has two edges from x)
    local_grad: float  # ∂child/∂parent, as recorded when the op ran


class Trace:
    """A graph as data: ``nodes`` in topological order (root last), the ``edges`` between them,
    and the name every node goes by in pictures, pages and explanations.

    Unpacks as ``nodes, edges = trace(root)``.
    """

    __slots__ = ("nodes", "edges", "index", "names")

    def __init__(self, nodes: list[Value], edges: list[Edge]) -> None:
        self.nodes = nodes
        self.edges = edges
        self.index: dict[Value, int] = {node: i for i, node in enumerate(nodes)}  # node -> position
        self.names: list[str] = _names(nodes, self.index)

    def __iter__(self) -> Iterator:
        return iter((self.nodes, self.edges))

    def name(self, i: int) -> str:
        """How text refers to node ``i``.

        Its label when it has one; else, for a neuron of ``nn`` (parameters labelled
        ``L0.N1.w0``...), ``L0.N1.v`` for its pre-activation and ``L0.N1.y`` for its activation;
        else its expression when that is short (``x1*w1``, ``tanh(v)``, a constant's value ``2``)
        and built from named nodes only; else ``n{i}``, ``i`` being its position in ``nodes``.
        Names other than labels are unique (a clash falls back to ``n{i}``).
        """
        return self.names[i]


LABEL_LIMIT = 60  # characters of a label a picture shows; Graphviz refuses strings past 16,384


def shown_label(label: str) -> str:
    """A label as pictures and pages show it: at most ``LABEL_LIMIT`` characters (then "…"), a
    lone surrogate, which no file can encode, as U+FFFD, no control character (``printable``)."""
    label = printable(re.sub("[\ud800-\udfff]", "\ufffd", label))
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def _number(x: float) -> str:
    text = format_number(x)
    return text[:-2] if text.endswith(".0") else text


def _names(nodes: list[Value], index: dict[Value, int]) -> list[str]:
    taken = {node.label for node in nodes if node.label}
    names: list[str] = []
    strength: list[int] = []  # binding strength of each name (_ATOM for a plain name)
    readable: list[bool] = []  # a label, an nn name, a constant, or an expression of such
    neuron_v: list[bool] = []  # named P.v as a neuron's pre-activation
    input_slot: dict[int, int] = {}  # an unlabelled leaf fed to a neuron as its input j: x{j}
    for node in nodes:
        if node.op == "dot":
            n = len(node.parents) // 2
            for j, x in enumerate(node.parents[n : 2 * n]):
                if not x.label and not x.parents:
                    input_slot.setdefault(index[x], j)
    for i, node in enumerate(nodes):
        name, level, ok, is_v = f"n{i}", _ATOM, False, False
        parents = [index[p] for p in node.parents]
        if node.label:
            name, ok = shown_label(node.label), True
        elif not parents:
            if i in input_slot and f"x{input_slot[i]}" not in taken:  # a network's input
                name, ok = f"x{input_slot[i]}", True
                taken.add(name)
            elif not node.requires_grad and _number(node.data) not in taken:
                # a constant is its value, once: a second constant of that value is n{i}
                name, ok = _number(node.data), True
                level = _ATOM if node.data >= 0 else _PRODUCT
                taken.add(name)
        else:
            prefix = neuron_prefix(node)
            if prefix is not None:
                candidate, is_v = f"{prefix}v", True
            elif len(parents) == 1 and neuron_v[parents[0]] and node.op != "neg":
                candidate = names[parents[0]][:-1] + "y"
            else:
                candidate, level = _expression(node.op, parents, names, strength)
                if not all(readable[p] for p in parents) or len(candidate) > NAME_LIMIT:
                    candidate, level = None, _ATOM
            if candidate is not None and candidate not in taken:
                name, ok = candidate, True
                taken.add(name)
            else:
                level, is_v = _ATOM, False
        names.append(name)
        strength.append(level)
        readable.append(ok)
        neuron_v.append(is_v)
    return names


def neuron_prefix(node: Value) -> str | None:
    """``P`` for a dot node whose weights are labelled ``Pw0``, ``Pw1``.. and its bias ``Pb``."""
    if node.op != "dot":
        return None
    n = len(node.parents) // 2
    prefixes = set()
    for i, w in enumerate(node.parents[:n]):
        match = _WEIGHT.fullmatch(w.label)
        if not match or int(match[2]) != i:
            return None
        prefixes.add(match[1])
    if len(prefixes) != 1:
        return None
    prefix = prefixes.pop()
    return prefix if len(node.parents) % 2 == 0 or node.parents[-1].label == f"{prefix}b" else None


def _expression(op: str, parents: list[int], names: list[str], strength: list[int]) -> tuple[str, int]:
    """The expression of an op node from its operands' names, with the parentheses it needs."""
    def operand(p: int, needs: int) -> str:
        return names[p] if strength[p] >= needs else f"({names[p]})"

    if op in _INFIX and len(parents) == 2:
        symbol, level = _INFIX[op]
        left = level + 1 if op == "pow" else level  # a**b**c is a**(b**c)
        right = level + 1 if op in ("sub", "div") else level  # a - (b - c)
        return f"{operand(parents[0], left)}{symbol}{operand(parents[1], right)}", level
    if op == "neg":
        return f"-{operand(parents[0], _ATOM)}", _PRODUCT
    if op == "sum":
        return " + ".join(names[p] for p in parents), _SUM
    return f"{op}({', '.join(names[p] for p in parents)})", _ATOM


def local_formula(tr: Trace, edge: Edge, name: Callable[[str], str] = str) -> str:
    """The local derivative on ``edge`` as text, from the op table with the graph's names put in.

    E.g. ``1 − o²`` for the edge from v into ``o = tanh(v)``, ``x1`` for the edge from w1 into
    ``x1*w1``, ``∂y/∂x``-style (``∂n5/∂n4``) for an op registered without a formula.

    Args:
        tr: the graph.
        edge: one of ``tr.edges``.
        name: how to write a node's name (e.g. escaped for LaTeX); the identity by default.

    Returns:
        The formula text.
    """
    child = tr.nodes[edge.child]
    op = OPS.get(child.op)
    operands = child.parents
    generic = f"∂{name(tr.name(edge.child))}/∂{name(tr.name(edge.parent))}"
    if op is None or not op.formula:
        return generic
    if child.op == "dot":
        n = len(operands) // 2
        if edge.position >= 2 * n:
            text, position = op.formula[2], None
        else:
            text = op.formula[0] if edge.position < n else op.formula[1]
            position = edge.position + n if edge.position < n else edge.position - n
        words = {"x_i": position, "w_i": position}
    elif len(op.formula) == 1:
        text = op.formula[0]
        words = {"x": 0, "a": 0} if len(operands) == 1 else {}
    elif edge.position < len(op.formula):
        text = op.formula[edge.position]
        words = {"a": 0, "b": 1} if len(operands) == 2 else {}
    else:
        return generic
    attrs = (child.attrs or {}).items()
    names = {key: _number(float(v)) for key, v in attrs if isinstance(v, (int, float))}
    names["y"] = _operand(tr.name(edge.child), name, bare=text == "y")
    names.update((word, _operand(tr.name(tr.index[operands[i]]), name, bare=text == word))
                 for word, i in words.items() if i is not None)
    return fill(text, names)


def _operand(text: str, name: Callable[[str], str], bare: bool) -> str:
    """A name put inside a formula: an expression name gets parentheses unless it stands alone."""
    return name(text) if bare or is_atomic(text) else f"({name(text)})"


def factor(formula: str) -> str:
    """A formula as a factor of a product: parenthesised unless it is one word, call or bracket."""
    if is_atomic(formula) or (formula.startswith("(") and formula.endswith(")")):
        return formula
    return f"({formula})"


def is_atomic(text: str) -> bool:
    """Whether a name or formula reads as one factor: a word, a number, or a call ``tanh(v)``."""
    return re.fullmatch(r"-?[\w.\[\]]+|[A-Za-z_]\w*\(.*\)", text) is not None


def trace(root: Value) -> Trace:
    """Collect every node reachable from ``root`` and every parent→child edge.

    Iterative (reuses ``autograd.topological_order``) and deterministic: nodes come parents
    first, root last, parents in their recorded order, so the same graph always gives the same
    order, indices and names, in any process.

    Args:
        root: the output Value.

    Returns:
        A :class:`Trace`; ``edges`` are grouped by child in node order, operands in order.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace: root must be a Value, got {type(root).__name__}")
    nodes = topological_order(root)
    for i, node in enumerate(nodes):
        if not isinstance(node.label, str):  # set after construction, which Value() does not check
            raise TypeError(f"trace: node n{i}'s label must be a str, got {type(node.label).__name__}: {node.label!r}")
    tr = Trace(nodes, [])
    index = tr.index
    tr.edges.extend(
        Edge(index[parent], i, position, float(local))
        for i, node in enumerate(nodes)
        for position, (parent, local) in enumerate(zip(node.parents, node.local_grads))
    )
    return tr


def node_names(tr: Trace) -> dict[str, int]:
    """Every name a learner may give a node of ``tr``, and the node's position: its picture name,
    its label, and ``n{i}``. A name two nodes share (two labels ``x``) is left out.

    Args:
        tr: the graph (``viz.trace(root)``).

    Returns:
        name -> index in ``tr.nodes``.
    """
    found: dict[str, int] = {}
    ambiguous = set()
    for i, node in enumerate(tr.nodes):
        for name in {tr.name(i), node.label} - {""}:
            if found.get(name, i) != i:
                ambiguous.add(name)
            found.setdefault(name, i)
    for i in range(len(tr.nodes)):
        found.setdefault(f"n{i}", i)
    return {name: i for name, i in found.items() if name not in ambiguous}
