"""The fast paths (``autograd.fast``) record exactly what the general path (``autograd.value.node``
and the op table) records: ``+`` and ``*``, a layer's dot and activation nodes (``fast.layer``),
and the sort."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import OPS, Value, apply, detect_anomaly, dot, no_grad, topological_order
from autograd.fast import add as fast_add
from autograd.fast import layer as _layer
from autograd.fast import mul as fast_mul
from autograd.value import node

FINITE = st.floats(-1e3, 1e3)


def same_node(a, b):
    return (a.data, a.op, a.parents, a.local_grads, a.requires_grad, a.attrs) == \
        (b.data, b.op, b.parents, b.local_grads, b.requires_grad, b.attrs)


@given(FINITE, FINITE, st.booleans())
def test_add_and_mul_record_their_rows_rules(x, y, number):
    a, b = Value(x), Value(y)
    other = y if number else b  # a number becomes a constant on either side
    for name, fast, reflected in (("add", a + other, other + a), ("mul", a * other, other * a)):
        general = apply(name, a, fast.parents[1])
        assert same_node(fast, general) and fast.parents[0] is a
        assert same_node(reflected, apply(name, reflected.parents[0], a)) and reflected.parents[1] is a


def test_add_and_mul_of_constants_and_under_the_modes():
    c = Value(2.0, requires_grad=False)
    assert (c + 1).parents == () and not (c * c).requires_grad
    with no_grad():
        assert (Value(1.0) + Value(2.0)).parents == ()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="mul"):
        _ = Value(1e200) * Value(1e200)


def layer(n_in, n_out, seed):
    rng = [((i * 7919 + seed * 104729) % 1000) / 500 - 1 for i in range(n_in * n_out + n_out + n_in)]
    ws = [[Value(rng.pop()) for _ in range(n_in)] for _ in range(n_out)]
    return ws, [Value(rng.pop()) for _ in range(n_out)], [Value(rng.pop()) for _ in range(n_in)]


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "leaky_relu", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_layer_records_what_dot_and_the_activation_record(activation, seed):
    ws, bs, xs = layer(3, 4, seed)
    op = OPS[activation] if activation else None
    vs, ys = _layer(ws, xs, bs, op)
    for w, b, v, y in zip(ws, bs, vs, ys):
        assert same_node(v, dot(w, xs, b))
        assert y is v if op is None else same_node(y, apply(op, v))


def test_a_layer_takes_the_general_path_under_the_modes_and_for_a_constant_bias():
    ws, bs, xs = layer(2, 3, 5)
    with no_grad():
        vs, ys = _layer(ws, xs, bs, OPS["relu"])
    assert all(n.parents == () and not n.requires_grad for n in vs + ys)
    frozen = [Value(b.data, requires_grad=False) for b in bs]
    vs, ys = _layer(ws, xs, frozen, OPS["tanh"])
    assert all(same_node(v, dot(w, xs, b)) for w, b, v in zip(ws, frozen, vs))
    ws[1][0].data = math.inf
    with detect_anomaly(), pytest.raises(FloatingPointError, match="dot"):
        _layer(ws, xs, bs)


def test_a_layer_names_an_activation_out_of_its_domain():
    ws, bs, xs = [[Value(1.0)]], [Value(0.0)], [Value(-2.0)]
    with pytest.raises(ValueError, match=r"log\(-2"):
        _layer(ws, xs, bs, OPS["log"])


def test_a_layer_past_the_float_range_gives_what_dot_gives():
    ws, bs, xs = [[Value(1e308), Value(1e308)]], [Value(0.0)], [Value(10.0), Value(10.0)]
    (v,), _ = _layer(ws, xs, bs)
    assert v.data == dot(ws[0], xs, bs[0]).data == math.inf


def postorder(root):
    """The order the sort must give: a recursive depth-first post-order, parents in order."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "mul", "tanh", "dot"]), st.lists(st.integers(0, 99), min_size=1,
                                                                               max_size=4)), min_size=1, max_size=25))
def test_the_sort_is_the_depth_first_post_order(steps):
    nodes = [Value(0.5, label="x"), Value(-1.5, label="y"), Value(2.0, requires_grad=False)]
    for name, picks in steps:
        operands = [nodes[i % len(nodes)] for i in picks]
        if name == "tanh":
            nodes.append(operands[0].tanh())
        elif name == "dot":
            nodes.append(dot(operands, operands[::-1]))
        else:
            nodes.append(apply(name, operands[0], operands[-1]))
    assert topological_order(nodes[-1]) == postorder(nodes[-1])


@pytest.mark.parametrize("name, fast", [("add", fast_add), ("mul", fast_mul)])
def test_add_and_mul_make_numbers_constants_and_refuse_what_is_not_a_number(name, fast):
    a = Value(1.5)
    for left, right in ((a, 2), (2.5, a), (np.float64(-0.5), a)):
        made = fast(left, right)
        assert same_node(made, apply(name, *made.parents))
        assert [p.data for p in made.parents] == [float(left), float(right)]
        assert [p.requires_grad for p in made.parents] == [p is a for p in (left, right)]
    assert fast(a, "2") is NotImplemented and fast([1.0], a) is NotImplemented
    with pytest.raises(TypeError):
        _ = a + "2"


def test_the_general_path_is_public_and_unchecked():
    a, b = Value(2.0), Value(-3.0)
    assert same_node(node(OPS["mul"], (a, b)), apply("mul", a, b))
    assert same_node(node(OPS["leaky_relu"], (b,), {"slope": 0.5}), b.leaky_relu(0.5))
