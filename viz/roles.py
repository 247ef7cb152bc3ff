"""What each node of a graph is (input, parameter, constant, output) and which neuron it belongs to."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any, Iterable

from autograd import Value

from .tracing import Trace, neuron_prefix

__all__ = ["ROLES", "node_roles", "weights_and_biases", "looks_like_parameter", "neuron_of",
           "as_parameter_set", "Unit", "find_units", "SHARED", "samples_of"]

ROLES = ("input", "parameter", "constant", "output", "interior")

# A parameter's name, last dotted component: w, w1, w_12, w_ji, b, b2, weight, bias ... (only for
# the deprecated looks_like_parameter).
_PARAMETER_NAME = re.compile(r"[wb]\d*|[wb]_\w+|weights?\d*|bias\d*", re.IGNORECASE)
# nn labels its parameters "L{layer}.N{neuron}.w{input}" and "L{layer}.N{neuron}.b".
_NEURON_PREFIX = re.compile(r"L(\d+)\.N(\d+)\.")


def looks_like_parameter(label: str) -> bool:
    """Whether ``label`` names a weight or bias ("w1", "b", "L0.N3.w2", "L1.N0.b", "bias").

    Deprecated: pictures no longer guess roles from names (see :func:`node_roles`).
    """
    warnings.warn("viz.roles.looks_like_parameter is deprecated: roles come from what a node is "
                  "(see node_roles), not from its name", DeprecationWarning, stacklevel=2)
    return bool(label) and _PARAMETER_NAME.fullmatch(label.rsplit(".", 1)[-1]) is not None


def as_parameter_set(params: Any) -> set[Value] | None:
    """``params`` (None, an iterable of Values, or anything with ``.parameters()``) as a set."""
    if params is None:
        return None
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if not isinstance(params, Iterable) or isinstance(params, (str, bytes)):
        raise TypeError(
            f"params must be an iterable of Values or have .parameters(), got {type(params).__name__}"
        )
    found = set()
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"params[{i}] must be a Value, got {type(p).__name__}")
        found.add(p)
    return found


def weights_and_biases(tr: Trace) -> set[Value]:
    """The leaves some ``dot`` node takes as a weight or bias: ``autograd.dot(weights, inputs,
    bias)`` is the caller saying which operands are parameters (every neuron of ``nn`` is one)."""
    found = set()
    for node in tr.nodes:
        if node.op == "dot":
            n = len(node.parents) // 2
            found.update(p for p in node.parents[:n] + node.parents[2 * n:] if not p.parents)
    return found


def node_roles(tr: Trace, params: set[Value] | None = None) -> list[str]:
    """The role of every node of ``tr``, in node order, from what each node is (never its name).

    The root is the ``output``; nodes with ``requires_grad=False`` are ``constant``; other leaves
    are ``parameter`` when the caller says so (in ``params``; without ``params``, the weights and
    biases of ``dot`` nodes, see :func:`weights_and_biases`) and ``input`` otherwise; the rest are
    ``interior``.
    """
    declared = weights_and_biases(tr) if params is None else params
    root = tr.nodes[-1]
    roles = []
    for node in tr.nodes:
        if node is root:
            role = "output"
        elif not node.requires_grad:
            role = "constant"
        elif node.parents:
            role = "interior"
        else:
            role = "parameter" if node in declared else "input"
        roles.append(role)
    return roles


def neuron_of(tr: Trace, roles: list[str]) -> list[tuple[int, int] | None]:
    """The (layer, neuron) each node belongs to, from nn's "L{l}.N{n}." labels, or None.

    A labelled node belongs to the neuron its label names; an op whose parameter operands all
    belong to one neuron (its pre-activation v) belongs to it too, and so does a one-operand op
    applied to such a node (its activation y).
    """
    found: list[tuple[int, int] | None] = []
    via_parameters: set[int] = set()
    index = tr.index
    for i, node in enumerate(tr.nodes):
        match = _NEURON_PREFIX.match(node.label)
        group = (int(match[1]), int(match[2])) if match else None
        if group is None and node.parents:
            parents = [index[p] for p in node.parents]
            owners = {found[p] for p in parents if roles[p] == "parameter"}
            if len(owners) == 1 and None not in owners:
                group = owners.pop()
                via_parameters.add(i)
            elif len(parents) == 1 and parents[0] in via_parameters:
                group = found[parents[0]]
        found.append(group)
    return found


@dataclass(frozen=True)
class Unit:
    """One neuron of ``nn`` in a traced graph: v = w·x + b as a ``dot`` node, then y = φ(v).

    Attributes:
        prefix: its parameters' label prefix (``L0.N1.``; ``""`` for a lone Neuron).
        layer: the layer's index (0 when the labels do not say).
        weights: the indices of w_0, w_1, ... in ``Trace.nodes``; ``bias`` b's (None without one).
        dot: the index of v; ``activation`` the index of y = φ(v) (None when v is used otherwise).
    """

    prefix: str
    layer: int
    weights: tuple[int, ...]
    bias: int | None
    dot: int
    activation: int | None

    @property
    def members(self) -> tuple[int, ...]:
        """The nodes drawn inside the unit, in row order."""
        rest = (self.bias, self.dot, self.activation)
        return self.weights + tuple(i for i in rest if i is not None)


def find_units(tr: Trace) -> list[Unit]:
    """The neurons of ``tr``: each ``dot`` node whose weights are leaves labelled ``Pw0``, ``Pw1``..
    and bias ``Pb`` (nn's labels), with its activation when that is v's only use; by layer, then
    by neuron."""
    users: list[list[int]] = [[] for _ in tr.nodes]
    for edge in tr.edges:
        users[edge.parent].append(edge.child)
    index = tr.index
    units, claimed = [], set()
    for i, node in enumerate(tr.nodes):
        prefix = neuron_prefix(node)
        n = len(node.parents) // 2
        params = [index[p] for p in node.parents[:n]] + [index[p] for p in node.parents[2 * n:]]
        if prefix is None or any(tr.nodes[p].parents or p in claimed for p in params):
            continue  # not nn's neuron, or its parameters shared with another dot (drawn plainly)
        claimed.update(params)
        after = users[i]
        activation = after[0] if len(after) == 1 and len(tr.nodes[after[0]].parents) == 1 else None
        match = _NEURON_PREFIX.match(prefix)
        layer = int(match[1]) if match else 0
        units.append(Unit(prefix, layer, tuple(params[:n]), params[n] if len(params) > n else None, i, activation))
    return sorted(units, key=lambda u: (u.layer, _neuron_number(u.prefix), u.dot))


def _neuron_number(prefix: str) -> int:
    match = re.search(r"N(\d+)\.$", prefix)
    return int(match[1]) if match else 0


SHARED = -1  # samples_of: a node of no one sample (a parameter, the sum over a batch)


def samples_of(tr: Trace) -> list[int]:
    """Which sample of a batch each node of ``tr`` belongs to (0, 1, ...), or ``SHARED``.

    nn's neuron ``P`` (a ``dot`` node whose weights are labelled ``Pw0``, ``Pw1``..) is computed
    once per sample: its k-th use in topological order is in sample k. An op whose computed
    operands are all in sample k is in it too; one whose operands come from several samples (the
    batch's sum) is shared. Any other node (an input x, a target, a parameter) is in the sample
    of all its users, else shared. A graph without nn's neurons is one shared whole.

    Args:
        tr: the graph.

    Returns:
        One sample index (or ``SHARED``) per node, in node order.
    """
    uses: dict[str, int] = {}
    found: list[int | None] = []
    index = tr.index
    for node in tr.nodes:
        prefix = neuron_prefix(node)
        if prefix is not None:
            found.append(uses.get(prefix, 0))
            uses[prefix] = found[-1] + 1
            continue
        owners = {found[index[p]] for p in node.parents if p.parents} - {None}
        found.append(owners.pop() if len(owners) == 1 else SHARED if owners else None)
    users: list[set[int | None]] = [set() for _ in tr.nodes]
    for edge in tr.edges:
        users[edge.parent].add(edge.child)
    for i in reversed(range(len(found))):  # users come later in topological order: final already
        if found[i] is None:
            owners = {found[u] for u in users[i]}
            found[i] = owners.pop() if len(owners) == 1 else SHARED
    return [SHARED if k is None else k for k in found]

