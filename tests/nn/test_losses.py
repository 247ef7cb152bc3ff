"""Losses: values and gradients against closed forms, stability, and input checks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from nn import Layer, Neuron, binary_cross_entropy, cross_entropy, hinge, huber, l2_penalty, mae, mse


def sigmoid(z):
    return 0.5 * (1 + math.tanh(z / 2))  # an identity that cannot overflow


def test_mse_and_its_gradient():
    p = [Value(1.0), Value(-2.0)]
    loss = mse(p, [0.5, 1.0])
    assert loss.data == pytest.approx((0.25 + 9.0) / 2)
    assert autograd.grad(loss, p) == pytest.approx([0.5, -3.0])  # (p - t) for n = 2
    assert mse(Value(3.0), 1).data == 4.0


def test_mae_and_its_gradient():
    p = [Value(1.0), Value(-2.0), Value(4.0)]
    loss = mae(p, [0.5, 1.0, 4.0])
    assert loss.data == pytest.approx(3.5 / 3)
    assert autograd.grad(loss, p) == pytest.approx([1 / 3, -1 / 3, 0.0])


@pytest.mark.parametrize("r, value, slope", [(0.5, 0.125, 0.5), (-0.8, 0.32, -0.8), (3.0, 2.5, 1.0), (-2.0, 1.5, -1.0)])
def test_huber_quadratic_inside_linear_outside(r, value, slope):
    p = Value(r + 1.0)
    loss = huber(p, 1.0)
    assert loss.data == pytest.approx(value)
    assert autograd.grad(loss, [p]) == pytest.approx((slope,))
    assert huber(Value(5.0), 0.0, delta=2.0).data == pytest.approx(2.0 * (5.0 - 1.0))


@pytest.mark.parametrize("z, t", [(0.3, 1.0), (-1.7, 0.0), (2.0, 0.25)])
def test_bce_from_logits_equals_the_textbook_form_and_gradient_is_sigma_minus_t(z, t):
    zv = Value(z)
    loss = binary_cross_entropy(zv, t)
    s = sigmoid(z)
    assert loss.data == pytest.approx(-t * math.log(s) - (1 - t) * math.log(1 - s))
    assert autograd.grad(loss, [zv]) == pytest.approx((s - t,))


def test_sigmoid_neuron_with_bce_gives_delta_p_minus_t():
    n = Neuron(2, "sigmoid", weights=[0.4, -0.6], bias=0.1)
    layer_v = n.preactivation([1.0, 2.0])
    y = layer_v.sigmoid()
    loss = binary_cross_entropy(layer_v, 1.0)
    (dv,) = autograd.grad(loss, [layer_v])
    assert dv == pytest.approx(y.data - 1.0)


@pytest.mark.parametrize("z, t, expected", [(1000.0, 0.0, 1000.0), (-1000.0, 1.0, 1000.0), (1000.0, 1.0, 0.0),
                                            (-1000.0, 0.0, 0.0)])
def test_bce_is_finite_for_huge_logits(z, t, expected):
    zv = Value(z)
    loss = binary_cross_entropy(zv, t)
    assert loss.data == pytest.approx(expected)
    (g,) = autograd.grad(loss, [zv])
    assert g == pytest.approx(sigmoid(z) - t)


def test_cross_entropy_value_and_gradient_p_minus_onehot():
    zs = [Value(0.5), Value(-1.0), Value(2.0)]
    loss = cross_entropy(zs, 1)
    e = [math.exp(z.data) for z in zs]
    p = [x / sum(e) for x in e]
    assert loss.data == pytest.approx(-math.log(p[1]))
    assert autograd.grad(loss, zs) == pytest.approx([p[0], p[1] - 1, p[2]])


def test_softmax_layer_with_cross_entropy_gives_delta_p_minus_onehot():
    layer = Layer(2, 3, "softmax", seed=0)
    vs, ys = layer.forward([0.7, -0.3])
    loss = cross_entropy(vs, 2)
    grads = autograd.grad(loss, vs)
    assert grads == pytest.approx([ys[0].data, ys[1].data, ys[2].data - 1])


def test_cross_entropy_is_finite_for_huge_logits():
    zs = [Value(1000.0), Value(-1000.0)]
    loss = cross_entropy(zs, 1)
    assert loss.data == pytest.approx(2000.0)
    assert autograd.grad(loss, zs) == pytest.approx([1.0, -1.0])
    assert cross_entropy([Value(1000.0), Value(-1000.0)], 0).data == 0.0


def test_hinge_values_and_gradient():
    p = [Value(0.3), Value(-2.0), Value(0.5)]
    loss = hinge(p, [1, -1, -1])
    assert loss.data == pytest.approx((0.7 + 0.0 + 1.5) / 3)
    assert autograd.grad(loss, p) == pytest.approx([-1 / 3, 0.0, 1 / 3])


def test_l2_penalty_and_gradient():
    ps = [Value(1.0), Value(-3.0)]
    pen = l2_penalty(ps, 0.5)
    assert pen.data == 5.0
    assert autograd.grad(pen, ps) == pytest.approx([1.0, -3.0])  # 2·alpha·p


@pytest.mark.parametrize("call, error, name", [
    (lambda: mse([Value(1.0), Value(2.0)], [1, 2, 3]), ValueError, "prediction has 2.*target has 3"),
    (lambda: mse([], []), ValueError, "prediction is empty"),
    (lambda: mse(Value(1.0), "1"), TypeError, "target"),
    (lambda: mse(["a"], [1.0]), TypeError, r"prediction\[0\]"),
    (lambda: mae(Value(1.0), [1.0, None]), TypeError, r"target\[1\]"),
    (lambda: binary_cross_entropy(Value(0.0), 2), ValueError, r"target.*\[0, 1\].*2"),
    (lambda: hinge(Value(0.0), 0), ValueError, "target.*-1 or \\+1"),
    (lambda: hinge([Value(0.0)] * 2, [1, 0.5]), ValueError, r"target\[1\]"),
    (lambda: cross_entropy([Value(0.0)] * 3, 3), ValueError, "target_index.*3"),
    (lambda: cross_entropy([Value(0.0)] * 3, -1), ValueError, "target_index"),
    (lambda: cross_entropy([Value(0.0)] * 3, 1.0), TypeError, "target_index"),
    (lambda: cross_entropy([Value(0.0)] * 3, math.nan), TypeError, "target_index"),
    (lambda: cross_entropy(Value(0.0), 0), TypeError, "logits"),
    (lambda: cross_entropy([], 0), ValueError, "logits"),
    (lambda: huber(Value(0.0), 0.0, delta=0), ValueError, "delta"),
    (lambda: huber(Value(0.0), 0.0, delta=math.nan), ValueError, "delta"),
    (lambda: l2_penalty([Value(1.0)], -1), ValueError, "alpha"),
    (lambda: l2_penalty([Value(1.0)], "1"), TypeError, "alpha"),
    (lambda: l2_penalty([1.0]), TypeError, r"parameters\[0\]"),
    (lambda: l2_penalty([]), ValueError, "parameters"),
])
def test_loss_input_errors_name_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


LOSSES = {"mse": mse, "mae": mae, "huber": huber, "binary_cross_entropy": binary_cross_entropy, "hinge": hinge}


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
@pytest.mark.parametrize("many", [False, True])
def test_every_loss_refuses_non_finite_targets_the_same_way(loss, bad, many):
    """The hinge loss once took NaN as the label -1 and inf as +1; now every loss says no alike."""
    prediction, target = ([Value(0.5), Value(0.5)], [1.0, bad]) if many else (Value(0.5), bad)
    with pytest.raises(ValueError, match=r"target(\[1\])? must be finite"):
        LOSSES[loss](prediction, target)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=1, max_size=5), st.data())
def test_cross_entropy_gradient_is_p_minus_onehot_for_any_logits(logits, draw):
    k = draw.draw(st.integers(0, len(logits) - 1))
    zs = [Value(z) for z in logits]
    m = max(logits)
    e = [math.exp(z - m) for z in logits]
    p = [x / sum(e) for x in e]
    assert autograd.grad(cross_entropy(zs, k), zs) == pytest.approx([q - (i == k) for i, q in enumerate(p)], abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 50), st.floats(0, 1))
def test_bce_gradient_is_sigma_minus_t_for_any_logit(z, t):
    zv = Value(z)
    assert autograd.grad(binary_cross_entropy(zv, t), [zv]) == pytest.approx((sigmoid(z) - t,), abs=1e-12)


def test_a_zero_dimensional_numpy_target_is_one_number():
    p = Value(0.25)
    loss = mse(p, np.asarray(1.0))  # what np.asarray(y)[i] gives for a 0-d y
    assert loss.data == (0.25 - 1.0) ** 2
    loss.backward()
    assert p.grad == 2 * (0.25 - 1.0)
    assert binary_cross_entropy(Value(0.0), np.asarray(1)).data == math.log(2)


@pytest.mark.parametrize("bad", [Value(1.0), None, 3.0])
def test_l2_penalty_names_parameters_that_are_not_an_iterable(bad):
    with pytest.raises(TypeError, match=f"parameters.*{type(bad).__name__}"):
        l2_penalty(bad)


# -- the one loss table -------------------------------------------------------------------------

from autograd import compile_graph  # noqa: E402
from nn import functional  # noqa: E402
from nn.losses import ALIASES, LABELS, LOSS_TABLE, TARGETS, loss_row  # noqa: E402


def _closed_forms(z: list[float], t: list[float]) -> dict[str, float]:
    """Each row's J of one sample, written out by hand (z: what J reads; t: the encoded targets)."""
    k = len(z)
    e = [b - a for a, b in zip(z, t)]

    def huber_by_cases(r):
        return 0.5 * r * r if abs(r) <= 1 else abs(r) - 0.5

    def logistic(a, b):
        s = sigmoid(a)
        return -b * math.log(s) - (1 - b) * math.log(1 - s)

    m = max(z)
    return {
        "mse": sum(r * r for r in e) / k,
        "sse": 0.5 * sum(r * r for r in e),
        "mae": sum(abs(r) for r in e) / k,
        "huber": sum(huber_by_cases(r) for r in e) / k,
        "binary_cross_entropy": sum(logistic(a, b) for a, b in zip(z, t)),
        "cross_entropy": -sum(b * (a - m - math.log(sum(math.exp(c - m) for c in z)))
                              for a, b in zip(z, t)),
        "hinge": sum(max(0.0, 1 - b * a) for a, b in zip(z, t)) / k,
    }


SAMPLES = {  # per kind of target: (what J reads, the encoded target) for a few samples
    "numbers": [([0.3], [1.2]), ([-2.5], [0.5]), ([4.0], [-0.25]), ([0.1, -0.4], [0.6, 0.2])],
    "sign": [([0.3], [1.0]), ([-2.5], [1.0]), ([0.7], [-1.0]), ([-0.2], [-1.0])],
    "probability": [([0.3], [1.0]), ([-2.5], [0.0]), ([4.0], [0.25])],
    "class": [([0.5, -1.0, 2.0], [0.0, 1.0, 0.0]), ([3.0, 0.0, -1.0], [1.0, 0.0, 0.0])],
}


@pytest.mark.parametrize("name", sorted(LOSS_TABLE))
def test_every_row_is_its_closed_form(name):
    row = LOSS_TABLE[name]
    assert row.name == name
    for z, t in SAMPLES[row.target]:
        expected = _closed_forms(z, t)[name]
        assert row.term([Value(a) for a in z], t).data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", sorted(LOSS_TABLE))
def test_every_row_replays_with_targets_varying_per_sample(name):
    """The targets are leaves, and no Python ``if`` froze a branch: one compiled graph gives every
    sample's own J and gradient, the scalar engine's to 1e-12."""
    row = LOSS_TABLE[name]
    samples = [s for s in SAMPLES[row.target] if len(s[0]) == len(SAMPLES[row.target][0][0])]
    width = len(samples[0][0])
    zs = [Value(0.0, f"z{k}") for k in range(width)]
    ts = [Value(0.0, f"t{k}", requires_grad=False) for k in range(width)]
    graph = compile_graph(row.term(zs, ts), zs + ts, [], reduction="sum")
    batch = np.array([z + t for z, t in samples])
    values = graph.backward(batch)
    for (z, t), replayed, grads in zip(samples, values, graph.input_grad):
        leaves = [Value(a) for a in z]
        J = row.term(leaves, t)
        assert replayed == pytest.approx(J.data, rel=1e-12, abs=1e-15)
        assert grads[:width] == pytest.approx(autograd.grad(J, leaves), rel=1e-12, abs=1e-15)


def test_huber_has_no_branch_and_no_cancellation():
    r = Value(0.0)
    J = functional.huber(r, 1.0)
    assert "step" in {node.op for node in autograd.topological_order(J)}  # a piece per value
    for e in (1e8, -1e8, 3.0, 0.5, 1.0):  # far out, ½a² − ½(a − 1)² would lose digits
        assert huber(Value(e), 0.0).data == (abs(e) - 0.5 if abs(e) > 1 else 0.5 * e * e)


SLOPES = {  # −∂J/∂y of one output, by hand, for the rows that give the page a slope
    "mse": lambda y, t: 2 * (t - y),
    "sse": lambda y, t: t - y,
    "mae": lambda y, t: math.copysign(1.0, t - y),
    "huber": lambda y, t: max(-1.0, min(1.0, t - y)),
    "hinge": lambda y, t: t if t * y < 1 else 0.0,
}


@pytest.mark.parametrize("name", sorted(LOSS_TABLE))
def test_a_rows_slope_or_its_pairing_is_what_the_graph_gives(name):
    """Rows read from the outputs give −∂J/∂y (the page's slope text); rows read from the logits
    pair with an output activation where δ = −∂J/∂v = t − y outright."""
    row = LOSS_TABLE[name]
    for z, t in SAMPLES[row.target][:3]:
        if row.reads == "outputs":
            assert row.slope is not None and row.output is None
            y = Value(z[0])
            slope = -autograd.grad(row.term([y], t[:1]), [y])[0]
            assert slope == pytest.approx(SLOPES[name](z[0], t[0]))
        else:
            assert row.slope is None and row.output in ("sigmoid", "softmax")
            vs = [Value(a) for a in z]
            ys = [v.sigmoid() for v in vs] if row.output == "sigmoid" else nn_softmax(vs)
            delta = [-g for g in autograd.grad(row.objective(vs, ys, t), vs)]
            assert delta == pytest.approx([b - y.data for b, y in zip(t, ys)], abs=1e-12)


def nn_softmax(vs):
    from nn import softmax
    return softmax(vs)


@pytest.mark.parametrize("z, t", [(0.3, 1.0), (-2.5, 0.0), (4.0, 1.0)])
def test_the_rows_are_the_public_losses(z, t):
    v, w = Value(z), Value(-0.7)
    assert LOSS_TABLE["binary_cross_entropy"].term([v], [t]).data == binary_cross_entropy(v, t).data
    J = LOSS_TABLE["cross_entropy"].term([w, v], [1.0 - t, t])
    assert J.data == cross_entropy([w, v], int(t)).data
    assert LOSS_TABLE["hinge"].term([v], [2 * t - 1]).data == hinge(v, 2 * t - 1).data
    assert LOSS_TABLE["mse"].term([v], [t]).data == mse(v, t).data
    assert LOSS_TABLE["sse"].term([v], [t]).data == 0.5 * mse(v, t).data  # the lecture's ½e²
    assert LOSS_TABLE["mae"].term([v], [t]).data == mae(v, t).data
    assert LOSS_TABLE["huber"].term([v], [t]).data == huber(v, t).data


def test_targets_are_encoded_by_their_kind():
    sign = TARGETS["sign"].encode
    assert sign(0, "y", 1) == [-1.0] and sign(1, "y", 1) == [1.0] and sign(-1, "y", 1) == [-1.0]
    assert TARGETS["class"].encode(2, "y", 3) == [0.0, 0.0, 1.0]
    assert TARGETS["numbers"].encode([0.5, 2], "y", 2) == [0.5, 2.0]
    assert TARGETS["probability"].encode(0.25, "y", 1) == [0.25]
    for kind, bad in (("sign", 0.5), ("class", 3), ("probability", 1.5), ("numbers", [1.0])):
        with pytest.raises((TypeError, ValueError), match=r"y\[4\]"):
            outputs = {"class": 3, "numbers": 2}.get(kind, 1)
            TARGETS[kind].encode(bad, "y[4]", outputs)


def test_scores_count_the_right_predictions():
    z, t = np.array([[0.3], [-0.1], [2.0]]), np.array([[1.0], [1.0], [0.0]])
    assert LOSS_TABLE["binary_cross_entropy"].score(z, t).tolist() == [True, False, False]
    assert LOSS_TABLE["hinge"].score(z, 2 * t - 1).tolist() == [True, False, False]
    z3 = np.array([[0.1, 0.7, 0.2], [2.0, 1.0, 0.0]])
    assert LOSS_TABLE["cross_entropy"].score(z3, np.eye(3)[[1, 2]]).tolist() == [True, False]
    assert all(LOSS_TABLE[name].score is None for name in ("mse", "sse", "mae", "huber"))


def test_aliases_and_labels_come_from_the_rows():
    assert loss_row("bce") is LOSS_TABLE["binary_cross_entropy"]
    assert loss_row("ce") is LOSS_TABLE["cross_entropy"]
    assert set(ALIASES.values()) <= set(LOSS_TABLE)
    assert set(LABELS) == {"hinge", "binary_cross_entropy", "bce", "cross_entropy", "ce"}
    with pytest.raises(ValueError, match="loss"):
        loss_row("l1")


def test_terms_is_deprecated_but_still_works():
    from nn import losses

    with pytest.warns(DeprecationWarning, match="TERMS"):
        terms = losses.TERMS
    assert terms["mse"](Value(3.0), 1.0).data == 4.0
