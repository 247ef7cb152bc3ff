"""One table per interpretation: a new op is one register_op call, and the tables agree on names."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import OPS, Value, gradcheck, parse, register_op
from viz import draw_graph


def _softsign(x: float) -> float:
    return x / (1.0 + abs(x))


@pytest.fixture
def softsign():
    """x / (1 + |x|), registered for one test and removed after it."""
    register_op("softsign", _softsign, lambda y, x: (1.0 / (1.0 + abs(x)) ** 2,), formula="1/(1 + |x|)²")
    yield OPS["softsign"]
    del OPS["softsign"]


def test_one_register_op_call_reaches_parse_gradcheck_nn_and_pictures(softsign):
    # parse: the whitelist is the table, so the new name is a function at once.
    y = parse("softsign(x) * 2", x=3.0)
    assert y.data == 2 * 3.0 / 4.0
    y.backward()
    (x,) = [n for n in autograd.topological_order(y) if n.label == "x"]
    assert x.grad == 2 / 16  # 2 · 1/(1 + 3)²

    # gradcheck: analytic against central differences, at negatives and positives.
    assert gradcheck(lambda a, b: (a * b).apply("softsign"), [0.7, -1.3])

    # nn: an activation by name; the forward pass equals the closed form computed with NumPy.
    model = nn.MLP(2, [3, 1], activation="softsign", seed=0)
    inputs = [0.5, -1.5]
    W0 = np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
    b0 = np.array([n.b.data for n in model.layers[0].neurons])
    hidden = (W0 @ inputs + b0) / (1 + np.abs(W0 @ inputs + b0))
    out = model.layers[1].neurons[0]
    expected = sum(w.data * h for w, h in zip(out.w, hidden)) + out.b.data
    assert model(inputs).data == pytest.approx(expected, rel=1e-12)

    # viz: the op is drawn by name, and its edge shows the formula given to register_op.
    source = draw_graph(parse("softsign(x)", x=Value(0.5, label="x"))).source
    assert "softsign" in source and "1/(1 + |x|)²" in source


def test_the_op_tables_name_the_same_ops():
    unary = {name for name, op in OPS.items() if op.arity == 1}
    assert set(autograd.parse.__globals__["functions"]()) == unary
    assert set(nn.ACTIVATIONS) == {"linear"} | {name for name, op in OPS.items() if op.activation}
    assert set(autograd.replay.NUMPY_RULES) == set(OPS)  # the batched replay's table
    assert set(nn.deltas.HAND_ACTIVATIONS) == set(nn.ACTIVATIONS)  # the hand derivation's, on purpose its own


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.arity == 1))
def test_every_unary_op_is_a_method_and_a_parse_function(name):
    x = Value(0.3)
    method, parsed = getattr(x, name)(), parse(f"{name}(x)", x=0.3)
    assert method.op == parsed.op == name and method.data == parsed.data == OPS[name].forward(0.3)


def test_every_row_has_a_formula_per_operand():
    for name, op in OPS.items():
        assert op.formula, name
        assert op.arity is None or len(op.formula) == op.arity, name
    assert math.isclose(OPS["tanh"].derivative(math.tanh(0.5), 0.5)[0], 1 - math.tanh(0.5) ** 2)


def test_every_consumer_of_losses_names_only_rows_of_the_one_loss_table():
    """fit, the playground's heads, ``deltagrad train`` and nn.deltas read nn.losses.LOSS_TABLE."""
    from deltagrad.playground.config import HEADS, options
    from deltagrad.train import PRESETS
    from nn.losses import ALIASES, LOSS_TABLE, TARGETS, loss_row

    rows = set(LOSS_TABLE)
    assert {head.loss for head in HEADS.values()} <= rows
    assert {preset.loss for preset in PRESETS.values()} <= rows
    assert {head["loss"] for head in options()["heads"].values()} <= rows
    assert {loss_row(name).name for name in nn.deltas.LOSSES} <= rows  # its short names are ALIASES
    assert set(ALIASES.values()) <= rows
    for name in ("mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", "hinge"):
        assert callable(getattr(nn, name)) and name in rows  # the public functions are rows
    for row in LOSS_TABLE.values():
        assert row.target in TARGETS and row.reads in ("logits", "outputs")
        outputs = [*nn.ACTIVATIONS, *nn.activations.LAYER_ACTIVATIONS]
        assert row.output is None or row.output in outputs
    # a head pairs an output activation with its row's, and nn.deltas' name for it is the same J
    for head in HEADS.values():
        row = LOSS_TABLE[head.loss]
        assert row.output in (None, head.output)
        assert head.deltas_loss is None or loss_row(head.deltas_loss) is row
    assert {name: loss_row(name).output for name in nn.deltas.LOSSES} == nn.deltas.LOSSES


def test_the_playgrounds_old_loss_table_is_deprecated_and_reads_the_one_table():
    from deltagrad.playground import session
    from nn.losses import LOSS_TABLE

    with pytest.warns(DeprecationWarning, match="LOSS_TABLE"):
        old = session.LOSSES
    z, t = Value(0.3), [Value(1.2)]
    assert old["mse"].term([z], [z], t).data == LOSS_TABLE["sse"].term([z], t).data  # J = ½e²
    assert old["mse"].slope == "e" and old["binary_cross_entropy"].slope is None
