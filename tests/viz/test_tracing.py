"""trace and roles: nodes parents-first, one edge per operand slot, who is a parameter."""

from __future__ import annotations

import pytest

from autograd import Value, dot
from viz import Edge, trace
from viz.roles import looks_like_parameter, node_roles


def test_nodes_parents_first_and_edges_per_operand_with_local_derivatives():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c + a
    nodes, edges = trace(d)
    assert nodes[-1] is d and set(nodes) == {a, b, c, d}
    index = {node: i for i, node in enumerate(nodes)}
    assert all(index[p] < index[n] for n in nodes for p in n.parents)
    assert edges == [
        Edge(index[a], index[c], 0, -3.0),  # ∂(a·b)/∂a = b
        Edge(index[b], index[c], 1, 2.0),
        Edge(index[c], index[d], 0, 1.0),
        Edge(index[a], index[d], 1, 1.0),
    ]


def test_order_is_the_same_for_the_same_graph_built_twice():
    def build():
        x = [Value(float(i), label=f"x{i}") for i in range(4)]
        w = [Value(0.5 * i, label=f"w{i}") for i in range(4)]
        return dot(w, x, Value(1.0, label="b")).tanh()

    first, second = trace(build()), trace(build())
    assert [n.label for n in first.nodes] == [n.label for n in second.nodes]
    assert [e[:3] for e in first.edges] == [e[:3] for e in second.edges]


def test_deep_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y + 1.0
    assert len(trace(y).nodes) == 40_001


def test_trace_refuses_non_values():
    with pytest.raises(TypeError, match="list"):
        trace([Value(1.0)])


@pytest.mark.parametrize("label", ["w", "w1", "w_ji", "b", "b2", "L0.N3.w12", "L1.N0.b", "bias", "weight"])
def test_parameter_names(label):
    assert looks_like_parameter(label)


@pytest.mark.parametrize("label", ["", "x", "x1", "L0.N3.x1", "width", "bx", "t", "y"])
def test_not_parameter_names(label):
    assert not looks_like_parameter(label)


def test_roles():
    x, w, k = Value(1.0, label="x"), Value(2.0, label="w1"), Value(3.0, requires_grad=False)
    y = x * w + k
    tr = trace(y)
    roles = dict(zip(tr.nodes, node_roles(tr)))
    assert (roles[x], roles[w], roles[k], roles[y]) == ("input", "parameter", "constant", "output")
    assert roles[y.parents[0]] == "interior"


@pytest.mark.parametrize("label", [None, 5])
def test_a_label_set_to_a_non_string_is_named(label):
    # Value() checks its label, but `v.label = ...` afterwards does not: every picture reads labels.
    y = Value(2.0, label="y")
    z = y * 3.0
    z.label = label
    with pytest.raises(TypeError, match=f"trace: node n2's label must be a str, got {type(label).__name__}: {label!r}"):
        trace(z)
