"""nn.deltas.sample: one sample's v, y, φ′, δ, e, J and ∂J/∂w from one autograd pass, against
the hand delta rule (nn.deltas.backprop), central differences and a network worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Value
from nn.deltas import Sample, backprop, phi_prime, sample
from nn.layers import MLP

X = [0.5, -1.2]

# (widths, hidden activation, output activation, loss, target)
CASES = [
    ([2, 1], "sigmoid", "sigmoid", "sse", 0.8),
    ([2, 1], "tanh", "tanh", "sse", -0.3),
    ([3, 2], "sigmoid", "sigmoid", "sse", [0.2, 0.9]),
    ([3, 2], "tanh", "tanh", "sse", [0.5, -0.5]),
    ([2, 1], "sigmoid", "sigmoid", "bce", 1.0),
    ([2, 1], "tanh", "sigmoid", "bce", 0.0),
    ([3, 2], "sigmoid", "sigmoid", "bce", [1.0, 0.0]),
    ([3, 2], "tanh", "sigmoid", "bce", [0.3, 1.0]),
    ([3, 2], "sigmoid", "softmax", "ce", 1),
    ([3, 2], "tanh", "softmax", "ce", [0.25, 0.75]),
]


def _net(widths, hidden, output, seed=3) -> MLP:
    return MLP(2, widths, activation=hidden, output_activation=output, seed=seed)


def _one_hot_or_row(target, nout) -> np.ndarray:
    if isinstance(target, int):
        return np.eye(nout)[target]
    return np.atleast_1d(np.array(target, dtype=float))


def _hand_loss(loss: str, t: np.ndarray, y: np.ndarray) -> float:
    """J written out, independently of nn.deltas' loss functions."""
    if loss == "sse":
        return 0.5 * float(np.sum((t - y) ** 2))
    if loss == "bce":
        return -float(np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)))
    return -float(np.sum(t * np.log(y)))


@pytest.mark.parametrize("widths, hidden, output, loss, target", CASES)
def test_sample_agrees_with_the_hand_delta_rule(widths, hidden, output, loss, target) -> None:
    model = _net(widths, hidden, output)
    s = sample(model, X, target, loss)
    hand = backprop(model, X, target, loss)
    t = _one_hot_or_row(target, widths[-1])
    assert s.t == tuple(t)
    assert s.J == pytest.approx(_hand_loss(loss, t, hand.y[-1][0]), rel=1e-12)
    for k, units in enumerate(s.layers):
        assert [u.name for u in units] == [f"L{k}.N{j}" for j in range(widths[k])]
        assert [u.v for u in units] == pytest.approx(hand.v[k][0], rel=1e-12)
        assert [u.y for u in units] == pytest.approx(hand.y[k + 1][0], rel=1e-12)
        assert [u.delta for u in units] == pytest.approx(hand.delta[k][0], rel=1e-10, abs=1e-15)
        grad_w = [g for u in units for g in u.grad_w]
        assert grad_w == pytest.approx(hand.grad_w[k].ravel(), rel=1e-10, abs=1e-15)
        assert [u.grad_b for u in units] == pytest.approx(hand.grad_b[k], rel=1e-10, abs=1e-15)
        name = units[0].activation
        if name == "softmax":  # no one edge v -> y: no φ′ (SampleUnit's docstring)
            assert all(u.dphi is None for u in units)
        else:
            expected = phi_prime(name, hand.v[k][0], hand.y[k + 1][0])
            assert [u.dphi for u in units] == pytest.approx(expected, rel=1e-12)
        if k == len(s.layers) - 1:
            assert [u.e for u in units] == pytest.approx(t - hand.y[-1][0], rel=1e-12, abs=1e-15)
        else:  # ∂J/∂y_j = −Σ_l δ_l·w_lj, and δ_j = φ′(v_j)·(−∂J/∂y_j)
            w_next = np.array([[w.data for w in n.w] for n in model.layers[k + 1].neurons])
            fed_back = w_next.T @ hand.delta[k + 1][0]
            assert [u.dj_dy for u in units] == pytest.approx(-fed_back, rel=1e-10)
            assert all(u.e is None for u in units)
            product = [-u.dphi * u.dj_dy for u in units]
            assert [u.delta for u in units] == pytest.approx(product, rel=1e-12)


@pytest.mark.parametrize("widths, hidden, output, loss, target", CASES)
def test_gradients_agree_with_central_differences(widths, hidden, output, loss, target) -> None:
    model = _net(widths, hidden, output, seed=5)
    s = sample(model, X, target, loss)
    h = 1e-6
    for layer, units in zip(model.layers, s.layers):
        for neuron, unit in zip(layer.neurons, units):
            for p, g in [*zip(neuron.w, unit.grad_w), (neuron.b, unit.grad_b)]:
                original = p.data
                p.data = original + h
                up = sample(model, X, target, loss).J
                p.data = original - h
                down = sample(model, X, target, loss).J
                p.data = original
                assert (up - down) / (2 * h) == pytest.approx(g, rel=1e-6, abs=1e-8)
            # v enters J only through b's sum: ∂J/∂b = ∂J/∂v = −δ
            assert unit.grad_b == pytest.approx(-unit.delta, abs=1e-15)


def test_a_one_one_one_network_worked_by_hand() -> None:
    # x = 2 → sigmoid unit (w1 = 0.5, b1 = −1) → linear unit (w2 = 2, b2 = 0), t = 3, J = ½(t − y)²:
    #   v1 = 0.5·2 − 1 = 0, y1 = σ(0) = 0.5, φ′(v1) = y1(1 − y1) = 0.25
    #   v2 = 2·0.5 + 0 = 1, y2 = v2 = 1, φ′(v2) = 1
    #   e = t − y2 = 2, J = ½·2² = 2
    #   δ2 = e·φ′(v2) = 2;  δ1 = φ′(v1)·δ2·w2 = 0.25·2·2 = 1
    #   ∂J/∂w2 = −δ2·y1 = −1, ∂J/∂b2 = −δ2 = −2, ∂J/∂w1 = −δ1·x = −2, ∂J/∂b1 = −δ1 = −1
    #   ∂J/∂y2 = −e = −2, ∂J/∂y1 = −δ2·w2 = −4
    model = MLP(1, [1, 1], activation="sigmoid", output_activation="linear", seed=0)
    hidden, out = model.layers[0].neurons[0], model.layers[1].neurons[0]
    hidden.w[0].data, hidden.b.data, out.w[0].data, out.b.data = 0.5, -1.0, 2.0, 0.0
    s = sample(model, [2.0], 3.0)
    assert s.values == {
        "L0.N0.v": 0.0, "L0.N0.dphi": 0.25, "L0.N0.y": 0.5,
        "L1.N0.v": 1.0, "L1.N0.dphi": 1.0, "L1.N0.y": 1.0, "L1.N0.e": 2.0,
        "J": 2.0,
        "dJ/dL1.N0.y": -2.0, "L1.N0.delta": 2.0, "dJ/dL1.N0.w0": -1.0, "dJ/dL1.N0.b": -2.0,
        "dJ/dL0.N0.y": -4.0, "L0.N0.delta": 1.0, "dJ/dL0.N0.w0": -2.0, "dJ/dL0.N0.b": -1.0,
    }
    assert s["L0.N0.delta"] == 1.0 and s.J == 2.0


def test_names_of_a_two_two_one_network() -> None:
    s = sample(_net([2, 1], "tanh", "sigmoid"), X, 1.0, "bce")
    units = ["L0.N0", "L0.N1", "L1.N0"]
    expected = {f"{u}.{q}" for u in units for q in ("v", "y", "dphi", "delta")} | {"L1.N0.e", "J"}
    expected |= {f"dJ/d{u}.{p}" for u in units for p in ("w0", "w1", "b", "y")}
    assert set(s.values) == expected


def test_softmax_with_cross_entropy_gives_delta_t_minus_y_and_no_dphi() -> None:
    model = _net([3, 3], "tanh", "softmax")
    by_index = sample(model, X, 2, "ce")
    by_row = sample(model, X, [0.0, 0.0, 1.0], "ce")
    assert by_index == by_row
    out = by_index.layers[-1]
    errors = [t - u.y for t, u in zip([0, 0, 1], out)]
    assert [u.delta for u in out] == pytest.approx(errors, abs=1e-15)
    assert not any(name.endswith(".dphi") and name.startswith("L1") for name in by_index.values)


def test_a_linear_unit_has_dphi_one_and_forward_only_has_no_backward() -> None:
    model = _net([2, 1], "tanh", "linear")
    s = sample(model, X)
    assert s.layers[-1][0].dphi == 1.0 and s.layers[-1][0].y == s.layers[-1][0].v
    assert s.J is None and s.t is None
    units = [u for layer in s.layers for u in layer]
    assert all(u.delta is None and u.grad_w is None and u.e is None for u in units)
    assert set(s.values) == {f"{u.name}.{q}" for u in units for q in ("v", "y", "dphi")}


def test_the_model_is_left_alone_and_no_grad_does_not_matter() -> None:
    model = _net([3, 2], "sigmoid", "sigmoid")
    outside = sample(model, X, [1.0, 0.0])
    with autograd.no_grad():
        inside = sample(model, X, [1.0, 0.0])
    assert inside == outside
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_loss_of_ones_own_is_a_function_of_the_output_layer() -> None:
    model = _net([3, 2], "tanh", "tanh")

    def half_squares(vs: list[Value], ys: list[Value], ts: list[Value]) -> Value:
        return autograd.sum([0.5 * (t - y) ** 2 for t, y in zip(ts, ys)])

    custom = sample(model, X, [0.5, -0.5], loss=half_squares)
    assert custom.loss == "custom"
    assert custom.values == pytest.approx(sample(model, X, [0.5, -0.5], "sse").values, rel=1e-15)


def test_a_batch_is_refused_and_samples_from_numpy_rows_work() -> None:
    model = _net([2, 1], "tanh", "sigmoid")
    rows = np.array([X, X])
    assert sample(model, rows[0], np.float64(0.8)) == sample(model, X, 0.8)
    with pytest.raises(ValueError, match=r"^x "):
        sample(model, rows, [0.8, 0.8])


@pytest.mark.parametrize(
    "args, kwargs, error, name",
    [
        ((object(), X, 1.0), {}, TypeError, "model"),
        ((None, X, 1.0), {}, TypeError, "model"),
        (("net", [1.0, 2.0, 3.0], 1.0), {}, ValueError, r"^x "),
        (("net", [1.0, math.nan], 1.0), {}, ValueError, r"x\[1\]"),
        (("net", [], 1.0), {}, ValueError, r"^x "),
        (("net", X, [1.0, 0.0]), {}, ValueError, "target"),
        (("net", X, math.inf), {}, ValueError, "target"),
        (("net", X, 1.0), {"loss": "mse"}, ValueError, "loss"),
        (("net", X, 1.0), {"loss": 3}, ValueError, "loss"),
        (("tanh-out", X, 1.0), {"loss": "bce"}, ValueError, "loss"),
        (("net", X, 1.0), {"loss": lambda vs, ys, ts: 0.5}, TypeError, "loss"),
    ],
)
def test_bad_arguments_name_themselves(args, kwargs, error, name) -> None:
    models = {"net": _net([2, 1], "tanh", "sigmoid"), "tanh-out": _net([2, 1], "tanh", "tanh")}
    args = (models.get(args[0], args[0]) if isinstance(args[0], str) else args[0], *args[1:])
    with pytest.raises(error, match=name):
        sample(*args, **kwargs)


def test_sample_is_a_dataclass_with_a_docstring_naming_its_keys() -> None:
    assert "L0.N1.delta" in Sample.__doc__ and "dJ/dL0.N1.w0" in Sample.__doc__
