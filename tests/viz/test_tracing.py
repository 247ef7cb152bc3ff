"""trace and roles: nodes parents-first, one edge per operand slot, who is a parameter."""

from __future__ import annotations

import pytest

from autograd import OPS, Value, dot
from viz import Edge, local_formula, trace
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
    with pytest.deprecated_call():
        assert looks_like_parameter(label)


@pytest.mark.parametrize("label", ["", "x", "x1", "L0.N3.x1", "width", "bx", "t", "y"])
def test_not_parameter_names(label):
    with pytest.deprecated_call():
        assert not looks_like_parameter(label)


def test_roles():
    x, w, k = Value(1.0, label="x"), Value(2.0, label="w1"), Value(3.0, requires_grad=False)
    y = x * w + k
    tr = trace(y)
    roles = dict(zip(tr.nodes, node_roles(tr, {w})))  # a parameter because the caller says so
    assert (roles[x], roles[w], roles[k], roles[y]) == ("input", "parameter", "constant", "output")
    assert dict(zip(tr.nodes, node_roles(tr)))[w] == "input"  # not because of its name
    assert roles[y.parents[0]] == "interior"


@pytest.mark.parametrize("label", [None, 5])
def test_a_label_set_to_a_non_string_is_named(label):
    # Value() checks its label, but `v.label = ...` afterwards does not: every picture reads labels.
    y = Value(2.0, label="y")
    z = y * 3.0
    z.label = label
    with pytest.raises(TypeError, match=f"trace: node n2's label must be a str, got {type(label).__name__}: {label!r}"):
        trace(z)


def test_names_labels_expressions_neurons_constants_and_positions():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w + 1.0).tanh() - x * x * x * x  # the last product is too long for a name
    tr = trace(y)
    by_name = {tr.name(i): node for i, node in enumerate(tr.nodes)}
    assert {"x", "w", "x*w", "1", "x*w + 1", "x*x", "x*x*x", "x*x*x*x"} <= set(by_name)
    tanh = tr.index[y.parents[0]]
    assert tr.name(tanh) == f"n{tanh}"  # "tanh(x*w + 1)" is longer than NAME_LIMIT
    assert by_name["x*w"].data == -6.0 and by_name["1"].requires_grad is False
    assert tr.name(len(tr.nodes) - 1) == f"n{len(tr.nodes) - 1}"  # "tanh(x*w + 1) - x*x*x*x" is long


def test_names_parenthesise_where_precedence_needs_it():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    names = trace((a + b) * c - (a - b)).names
    assert "(a + b)*c" in names and "a - b" in names


def test_an_expression_name_is_not_reused_and_unlabelled_leaves_are_positions():
    x = Value(2.0, label="x")
    first, second = x * x, x * x  # two nodes with the same expression
    u = Value(1.0)  # an unlabelled leaf that needs a gradient
    tr = trace(first + second + u)
    assert tr.names.count("x*x") == 1
    assert tr.name(tr.index[second]) == f"n{tr.index[second]}" and tr.name(tr.index[u]) == f"n{tr.index[u]}"


def test_nn_neurons_name_their_pre_activation_and_activation():
    from nn import MLP

    model = MLP(2, [2, 1], activation="tanh", seed=0)
    tr = trace(model([1.0, 2.0]))
    assert {"L0.N0.v", "L0.N0.y", "L0.N1.v", "L0.N1.y", "L1.N0.v"} <= set(tr.names)


def test_local_formulas_come_from_the_op_table_with_names_put_in():
    from autograd import register_op

    x, w = Value(2.0, label="x1"), Value(-3.0, label="w1")
    v = x * w
    v.label = "v"
    o = v.tanh()
    o.label = "o"
    tr = trace(o)
    formulas = {(tr.name(e.parent), tr.name(e.child)): local_formula(tr, e) for e in tr.edges}
    assert formulas == {("x1", "v"): "w1", ("w1", "v"): "x1", ("v", "o"): "1 − o²"}

    s = (x * x).sigmoid().leaky_relu(0.2)
    tr = trace(s)
    texts = [local_formula(tr, e) for e in tr.edges]
    sig = tr.name(len(tr.nodes) - 2)  # sigmoid(x1*x1) is too long a name
    assert texts == ["x1", "x1", f"{sig}·(1 − {sig})", f"1 if {sig} > 0 else 0.2"]

    register_op("cube_t", lambda a: a ** 3, lambda y, a: (3 * a * a,), formula="3x²")
    register_op("cube_u", lambda a: a ** 3, lambda y, a: (3 * a * a,))
    try:
        c, u = x.apply("cube_t"), x.apply("cube_u")
        tc, tu = trace(c), trace(u)
        assert local_formula(tc, tc.edges[0]) == "3·x1²"
        assert local_formula(tu, tu.edges[0]) == "∂cube_u(x1)/∂x1"
    finally:  # the table is global: leave it as the other tests expect it
        del OPS["cube_t"], OPS["cube_u"]


def test_dot_formulas_name_the_partner_operand():
    from autograd import dot

    w = [Value(0.5, label="w0"), Value(-1.0, label="w1")]
    x = [Value(2.0, label="a"), Value(3.0, label="c")]
    v = dot(w, x, Value(0.1, label="b"))
    tr = trace(v)
    assert [local_formula(tr, e) for e in tr.edges] == ["a", "c", "w0", "w1", "1"]
