"""nn.deltas: the lecture's hand-derived deltas against closed forms, autograd and SGD."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
import nn.deltas
from nn.deltas import HAND_ACTIVATIONS, MAX_COMPARE_COST, DeltaRule, backprop, check_size, compare, compare_cost, hand_step, objective
from nn.layers import MLP
from nn.optim import SGD

X = [0.5, -1.2]


def sigmoid_net(seed: int = 0) -> MLP:
    return MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)


# -- the NumPy table agrees with the engine's op table -----------------------------------------

POINTS = [-30.0, -3.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 2.0, 30.0]


@pytest.mark.parametrize("name", list(HAND_ACTIVATIONS))
def test_numpy_table_matches_the_engine_including_the_kink(name: str) -> None:
    phi, dphi = HAND_ACTIVATIONS[name].phi, HAND_ACTIVATIONS[name].dphi
    v = np.array(POINTS)
    y = phi(v)
    for vi, yi, di in zip(POINTS, y, dphi(v, y)):
        x = Value(vi)
        out = x if name == "linear" else getattr(x, name)()
        (slope,) = autograd.grad(out, [x])
        assert yi == pytest.approx(out.data, rel=1e-14, abs=1e-300), (name, vi)
        # abs 1e-16: the lecture's φ' in y (σ' = y(1 − y), tanh' = 1 − y²), which the hand table keeps,
        # cancels where y rounds to ±1; the engine's rules do not (tests/autograd/test_extremes.py).
        assert di == pytest.approx(slope, rel=1e-14, abs=4e-16), (name, vi)


SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772


@pytest.mark.parametrize("v", [-1e3, -745.0, -40.0, -38.0, -37.0, -1e-300, 1e-300, 40.0, 1e3])
def test_the_table_at_extreme_inputs_against_closed_forms(v: float) -> None:
    """ELU' and SELU' are α·e^v for v < 0, written so that they do not cancel: the form y + α is 30%
    off at v = -37 and 0 from v = -38 on."""
    closed = {  # (φ(v), φ'(v)) with math, one branch at a time
        "linear": (v, 1.0),
        "sigmoid": (1 / (1 + math.exp(-v)) if v > -700 else math.exp(v), None),
        "tanh": (math.tanh(v), 1 - math.tanh(v) ** 2),
        "relu": (max(v, 0.0), 1.0 if v > 0 else 0.0),
        "leaky_relu": (v if v > 0 else 0.01 * v, 1.0 if v > 0 else 0.01),
        "elu": (v if v > 0 else math.expm1(v), 1.0 if v > 0 else math.exp(v)),
        "selu": (SELU_L * v if v > 0 else SELU_L * SELU_A * math.expm1(v), SELU_L if v > 0 else SELU_L * SELU_A * math.exp(v)),
        "softplus": (v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v)), None),
        "step": (1.0 if v > 0 else 0.0, 0.0),
    }
    assert set(closed) == set(HAND_ACTIVATIONS)
    for name, (y, slope) in closed.items():
        row = HAND_ACTIVATIONS[name]
        array = np.array([v])
        got_y = row.phi(array)
        assert float(got_y[0]) == pytest.approx(y, rel=1e-14, abs=0.0), name
        got_slope = float(row.dphi(array, got_y)[0])
        if slope is not None:
            assert got_slope == pytest.approx(slope, rel=1e-14, abs=0.0), name
        assert math.isfinite(got_slope) and got_slope >= 0.0, name
    assert float(HAND_ACTIVATIONS["elu"].dphi(np.array([-40.0]), np.array([math.expm1(-40.0)]))[0]) > 0.0


def test_kinked_rows_are_where_the_value_slope_or_curvature_jumps_at_zero() -> None:
    h = 1e-6
    for name, row in HAND_ACTIVATIONS.items():
        jump = abs(float(row.phi(np.array([h]))[0] - row.phi(np.array([-h]))[0])) > 1e-3
        left, right = (float(row.dphi(np.array([x]), row.phi(np.array([x])))[0]) for x in (-h, h))
        left2, right2 = (float(row.dphi(np.array([x]), row.phi(np.array([x])))[0]) for x in (-2 * h, 2 * h))
        curvature_jump = abs((right2 - right) - (left - left2)) > 1e-9  # φ'' from each side
        assert row.kinked == (jump or abs(right - left) > 1e-3 or curvature_jump), name


def test_left_derivatives_at_zero() -> None:
    zero = np.zeros(1)
    at_zero = {name: float(row.dphi(zero, row.phi(zero))[0]) for name, row in HAND_ACTIVATIONS.items()}
    assert at_zero["relu"] == 0.0
    assert at_zero["leaky_relu"] == 0.01
    assert at_zero["elu"] == 1.0
    assert at_zero["selu"] == pytest.approx(1.0507009873554805 * 1.6732632423543772)
    assert at_zero["step"] == 0.0
    assert at_zero["sigmoid"] == 0.25
    assert at_zero["softplus"] == 0.5


# -- closed forms, derived by hand in the test -------------------------------------------------


def test_one_one_one_network_matches_the_chain_rule_written_out() -> None:
    model = MLP(1, [1, 1], activation="sigmoid", output_activation="linear", seed=0)
    (hidden,), (out,) = model.layers[0].neurons, model.layers[1].neurons
    hidden.w[0].data, hidden.b.data, out.w[0].data, out.b.data = 0.7, -0.2, -1.5, 0.3
    x, t = 0.9, 0.25
    v1 = 0.7 * x - 0.2
    h = 1 / (1 + math.exp(-v1))
    y = -1.5 * h + 0.3
    delta2 = t - y  # linear output: φ' = 1
    delta1 = h * (1 - h) * (-1.5) * delta2
    result = backprop(model, [x], t)
    assert result.delta[1][0, 0] == pytest.approx(delta2, rel=1e-14)
    assert result.delta[0][0, 0] == pytest.approx(delta1, rel=1e-14)
    assert result.grad_w[0][0, 0] == pytest.approx(-delta1 * x, rel=1e-14)
    assert result.grad_w[1][0, 0] == pytest.approx(-delta2 * h, rel=1e-14)
    assert result.grad_b[0][0] == pytest.approx(-delta1, rel=1e-14)
    assert result.loss == pytest.approx(0.5 * (t - y) ** 2, rel=1e-14)


def test_softmax_cross_entropy_delta_is_target_minus_probability() -> None:
    model = MLP(2, [3], output_activation="softmax", seed=4)
    result = backprop(model, X, 1, loss="ce")
    v = result.v[0][0]
    p = np.exp(v) / np.exp(v).sum()
    np.testing.assert_allclose(result.delta[0][0], np.array([0.0, 1.0, 0.0]) - p, rtol=1e-13)
    assert result.loss == pytest.approx(-math.log(p[1]), rel=1e-13)


# -- compare(): agreement across architectures, activations and losses -------------------------

CASES = [
    # (nin, nouts, hidden activation, output activation, loss, x, target)
    (2, [3, 1], "sigmoid", "sigmoid", "sse", X, 0.8),
    (2, [4, 2], "tanh", "linear", "sse", X, [0.3, -0.4]),
    (3, [4, 3, 2], "relu", "softplus", "sse", [0.2, -0.7, 1.1], [0.1, 2.0]),
    (2, [3, 2], "leaky_relu", "tanh", "sse", X, [0.5, -0.5]),
    (2, [3, 1], "elu", "sigmoid", "bce", X, 1.0),
    (2, [3, 2], "selu", "sigmoid", "bce", X, [0.0, 0.7]),
    (2, [4, 3], "softplus", "softmax", "ce", X, 2),
    (1, [1, 1], "linear", "step", "sse", [0.4], 1.0),
    (2, [1, 1, 1], "tanh", "relu", "sse", X, 0.2),
]


@pytest.mark.parametrize("nin, nouts, hidden, output, loss, x, target", CASES)
def test_compare_agrees_within_1e9(nin, nouts, hidden, output, loss, x, target) -> None:
    model = MLP(nin, nouts, activation=hidden, output_activation=output, seed=3)
    report = compare(model, x, target, loss=loss)
    assert report.ok, str(report)
    assert report.max_abs_error <= 1e-9
    assert len(report.gradients) == len(model.parameters())
    assert len(report.deltas) == sum(nouts)
    # the autograd column is −∂J/∂v, the central differences really are computed
    grads = {p.label: p for p in model.parameters()}
    for row in report.gradients:
        assert grads[row.name].data == row.value
    assert any(row.numeric != 0.0 for row in report.gradients) or output == "step"


SMOOTH = ["linear", "sigmoid", "tanh", "softplus", "elu"]


@settings(max_examples=25, deadline=None)
@given(
    widths=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    hidden=st.sampled_from(SMOOTH),
    output=st.sampled_from(SMOOTH),
    seed=st.integers(0, 10_000),
    samples=st.integers(1, 3),
    reduction=st.sampled_from(["sum", "mean"]),
)
# Found by hypothesis: an ELU output of 4.2 feeding the next layer made the two-point central
# difference's h² truncation error 1.1e-9; compare() now uses a fourth-order difference.
@example(widths=[4, 1, 4, 4], hidden="elu", output="linear", seed=1, samples=1, reduction="sum")
# Found by hypothesis: an ELU unit at v = -0.00017, inside the difference's reach of the kink.
@example(widths=[1, 1, 1], hidden="linear", output="elu", seed=73, samples=1, reduction="sum")
def test_compare_agrees_on_random_networks(widths, hidden, output, seed, samples, reduction) -> None:
    rng = np.random.default_rng(seed)
    model = MLP(widths[0], widths[1:], activation=hidden, output_activation=output, seed=seed)
    x = rng.uniform(-2, 2, (samples, widths[0])).tolist()
    target = rng.uniform(-1, 1, (samples, widths[-1])).tolist()
    report = compare(model, x, target, reduction=reduction)
    if report.notes:  # a unit sits at a kink, where a central difference averages the two sides
        assert all(abs(r.hand - r.autograd) <= 1e-9 * max(1.0, abs(r.autograd)) for r in report.gradients)
    else:
        assert report.ok, str(report)


@pytest.mark.parametrize("loss, output, targets", [("sse", "sigmoid", [0.2, 0.9, 0.4]), ("ce", "softmax", [0, 2, 1])])
def test_batch_sum_and_mean(loss: str, output: str, targets: list) -> None:
    batch = [[0.5, -1.2], [1.0, 2.0], [0.1, 0.2]]
    nout = 1 if loss == "sse" else 3
    model = MLP(2, [3, nout], activation="tanh", output_activation=output, seed=1)
    total = compare(model, batch, targets, loss=loss, reduction="sum")
    mean = compare(model, batch, targets, loss=loss, reduction="mean")
    assert total.ok and mean.ok, str(mean)
    assert total.samples == 3 and len(total.deltas) == 3 * (3 + nout)
    # summing per-sample reports gives the batch report; the mean is a third of the sum
    singles = [compare(model, x, t, loss=loss) for x, t in zip(batch, targets)]
    for k, row in enumerate(total.gradients):
        assert row.hand == pytest.approx(sum(s.gradients[k].hand for s in singles), rel=1e-12, abs=1e-15)
        assert mean.gradients[k].hand == pytest.approx(row.hand / 3, rel=1e-12, abs=1e-15)
    assert str(total).splitlines()[1].split()[:2] == ["sample", "unit"]
    assert "δ L1.N0 [sample 2]" in {f"δ {r.unit} [sample {r.sample}]" for r in total.deltas}


def test_compare_leaves_the_model_and_its_grads_alone() -> None:
    model = sigmoid_net()
    for p in model.parameters():
        p.grad = 0.125
    before = model.state_dict()
    compare(model, X, 0.3)
    assert model.state_dict() == before
    assert all(p.grad == 0.125 for p in model.parameters())


# -- the comparison can fail: corrupt one term of the hand formula -----------------------------


def test_dropping_phi_prime_at_the_output_names_the_output_unit() -> None:
    report = compare(sigmoid_net(), X, 0.8, rule=DeltaRule(output_delta=lambda e, dphi: e))
    assert not report.ok
    assert "δ L1.N0" in report.disagreements
    assert report.worst.startswith("δ L1.N0") or report.worst.startswith("L1.N0")
    assert "DISAGREE" in str(report) and "L1.N0" in str(report).splitlines()[-1]


def test_dropping_phi_prime_in_a_hidden_layer_names_hidden_units_only() -> None:
    rule = DeltaRule(hidden_delta=lambda dphi, delta, w: w.T @ delta)
    report = compare(sigmoid_net(), X, 0.8, rule=rule)
    assert not report.ok
    flagged_units = {name for name in report.disagreements if name.startswith("δ")}
    assert flagged_units == {"δ L0.N0", "δ L0.N1", "δ L0.N2"}
    assert not any(name.startswith("L1.") for name in report.disagreements)


def test_a_wrong_sign_in_the_weight_gradient_is_caught() -> None:
    rule = DeltaRule(weight_gradient=lambda delta, y: np.outer(delta, y))
    report = compare(sigmoid_net(), X, 0.8, rule=rule)
    assert not report.ok
    assert not any(name.startswith("δ") for name in report.disagreements)
    assert "L1.N0.b (hand)" in report.disagreements


def test_a_wrong_derivative_table_entry_is_caught() -> None:
    def sigmoid_prime_typo(name, v, y):  # the blog posts on the sigmoid unit's erratum: e^-x / (1 + e^-x), not squared
        return np.exp(-v) / (1 + np.exp(-v)) if name == "sigmoid" else HAND_ACTIVATIONS[name].dphi(v, y)

    report = compare(sigmoid_net(), X, 0.8, rule=DeltaRule(derivative=sigmoid_prime_typo))
    assert not report.ok
    assert "δ L1.N0" in report.disagreements


# -- the update: hand rule and SGD land on the same weights ------------------------------------


@pytest.mark.parametrize("loss, output, target", [("sse", "sigmoid", [0.2, 0.9]), ("ce", "softmax", [0, 1])])
def test_hand_step_equals_one_sgd_step(loss: str, output: str, target: list) -> None:
    batch = [[0.5, -1.2], [1.0, 2.0]]
    nout = 1 if loss == "sse" else 2
    by_hand = MLP(2, [3, nout], activation="tanh", output_activation=output, seed=2)
    by_sgd = MLP(2, [3, nout], activation="tanh", output_activation=output, seed=2)
    start = by_hand.state_dict()
    before = objective(by_hand, batch, target, loss=loss).data

    hand_step(by_hand, batch, target, lr=0.3, loss=loss)
    optimiser = SGD(by_sgd.parameters(), lr=0.3)
    optimiser.zero_grad()
    objective(by_sgd, batch, target, loss=loss).backward()
    optimiser.step()

    after_hand, after_sgd = by_hand.state_dict(), by_sgd.state_dict()
    assert max(abs(after_hand[k] - start[k]) for k in start) > 1e-3  # the step moved something
    for name in start:
        assert after_hand[name] == pytest.approx(after_sgd[name], rel=1e-12, abs=1e-15), name
    assert objective(by_hand, batch, target, loss=loss).data < before


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"loss": "mse"}, ValueError, "loss"),
        ({"reduction": "avg"}, ValueError, "reduction"),
        ({"x": [1.0, 2.0, 3.0]}, ValueError, r"\bx\b.*2"),
        ({"x": [1.0, math.nan]}, ValueError, r"x\[1\]"),
        ({"x": [1.0, "2"]}, TypeError, r"x\[1\]"),
        ({"x": [[1.0, 2.0], [1.0, True]], "target": [0.1, 0.2]}, TypeError, r"x\[1\]\[1\]"),
        ({"x": "ab"}, TypeError, r"\bx\b"),
        ({"x": []}, ValueError, r"\bx\b"),
        ({"target": [0.1, 0.2]}, ValueError, "target.*1 value"),
        ({"target": math.inf}, ValueError, "target"),
        ({"target": "0.5"}, TypeError, "target"),
        ({"x": [X, X], "target": [0.1]}, ValueError, "target.*per sample"),
        ({"x": [X, X], "target": [0.1, math.nan]}, ValueError, r"target\[1\]"),
        ({"loss": "ce"}, ValueError, "loss"),
        ({"tolerance": -1.0}, ValueError, "tolerance"),
        ({"step": math.nan}, ValueError, "step"),
        ({"rule": "lecture"}, TypeError, "rule"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, error: type, name: str) -> None:
    arguments = {"x": X, "target": 0.5, **kwargs}
    with pytest.raises(error, match=name):
        compare(sigmoid_net(), **arguments)


def test_bad_models_and_pairings() -> None:
    with pytest.raises(TypeError, match="model"):
        compare(object(), X, 0.5)
    with pytest.raises(ValueError, match="loss.*sigmoid output"):
        compare(MLP(2, [2, 1], output_activation="linear", seed=0), X, 1.0, loss="bce")
    with pytest.raises(ValueError, match="ce"):
        compare(MLP(2, [2, 3], output_activation="softmax", seed=0), X, [0.2, 0.3, 0.5], loss="sse")
    with pytest.raises(ValueError, match="target"):
        compare(MLP(2, [3], output_activation="softmax", seed=0), X, 3, loss="ce")
    with pytest.raises(ValueError, match="target"):
        compare(sigmoid_net(), X, 1.5, loss="bce")
    with pytest.raises(ValueError, match="lr"):
        hand_step(sigmoid_net(), X, 0.5, lr=math.nan)
    with pytest.raises(TypeError, match="lr"):
        hand_step(sigmoid_net(), X, 0.5, lr="0.1")


@pytest.mark.parametrize("call", [compare, backprop, objective])
def test_softmax_over_one_class_is_refused(call) -> None:
    """A softmax over one unit is always 1: every δ would be 0 and the report would say OK."""
    model = MLP(2, [3, 1], activation="tanh", output_activation="softmax", seed=0)
    with pytest.raises(ValueError, match="loss='ce'.*two or more output"):
        call(model, X, 0, loss="ce")


def test_every_public_entry_checks_its_arguments_once(monkeypatch) -> None:
    calls = []
    real = nn.deltas._prepare
    monkeypatch.setattr(nn.deltas, "_prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    for call in (compare, backprop, objective):
        calls.clear()
        call(sigmoid_net(), X, 0.5)
        assert len(calls) == 1, call.__name__
    calls.clear()
    hand_step(sigmoid_net(), X, 0.5, lr=0.1)
    assert len(calls) == 1


def test_a_unit_on_a_relu_kink_gets_a_note() -> None:
    model = MLP(2, [2, 1], activation="relu", output_activation="linear", seed=0)
    report = compare(model, [0.0, 0.0], 1.0)  # biases start at 0, so every hidden v is exactly 0
    assert report.notes and "L0.N0" in report.notes[0] and "kink of relu" in report.notes[0]
    assert "note:" in str(report)


# -- overflow is a failure, never "OK" ---------------------------------------------------------


@pytest.mark.parametrize("weight, shown", [(-1e308, "v of L0.N0 = -inf"), (1e308, "v of L0.N0 = inf")])
def test_an_overflowing_preactivation_fails_the_report(weight: float, shown: str) -> None:
    model = sigmoid_net()
    model.layers[0].neurons[0].w[0].data = weight  # v = 10·w: past the largest float
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported in the report, not as a NumPy warning
        report = compare(model, [10.0, 0.0], 0.5)
    assert not report.ok
    assert shown in report.nonfinite
    text = str(report)
    assert "FAIL" in text and shown in text and "OK:" not in text


def test_an_overflowing_objective_fails_the_report() -> None:
    model = MLP(1, [1], activation="linear", output_activation="linear", seed=0)
    model.layers[0].neurons[0].w[0].data = 1e300
    report = compare(model, [1e3], 0.0)  # v = 1e303 is finite, J = ½v² is not
    assert not report.ok
    assert "J = inf" in report.nonfinite
    assert "not finite" in str(report).splitlines()[-1]


# -- the size cap ------------------------------------------------------------------------------


def test_compare_cost_counts_passes_parameters_and_units() -> None:
    # 2-3-1: 13 parameters, 4 units; 4 passes per parameter, each 13 + 20·4 per sample
    assert compare_cost([2, 3, 1]) == 4 * 13 * (13 + 80)
    assert compare_cost([2, 3, 1], samples=3) == 3 * compare_cost([2, 3, 1])


@pytest.mark.parametrize("widths, samples, words", [
    ([2, 2000, 1], 1, r"model \(8,001 parameters\).*MAX_COMPARE_COST"),
    ([2] + [1] * 1000, 1, r"model \(2,001 parameters\)"),
    ([2, 30, 30, 1], 20, r"with x \(20 samples\)"),
])
def test_compare_is_capped_before_anything_is_computed(widths, samples, words, monkeypatch) -> None:
    def refuse(*args):
        raise AssertionError("compare computed before checking its size")

    monkeypatch.setattr(nn.deltas, "_backprop", refuse)
    monkeypatch.setattr(nn.deltas, "_inputs", refuse)
    assert compare_cost(widths, samples) > MAX_COMPARE_COST
    model = MLP(widths[0], widths[1:], activation="tanh", seed=0)
    x = [[0.1] * widths[0]] * samples
    with pytest.raises(ValueError, match=words):
        compare(model, x, [[0.5] * widths[-1]] * samples)
    with pytest.raises(ValueError, match="--layers"):
        check_size(widths, samples, name="--layers")


def test_the_cap_leaves_room_for_the_networks_people_check() -> None:
    for widths in ([2, 3, 1], [2, 4, 3], [3, 4, 3, 2], [2, 16, 16, 1], [2, 30, 30, 1], [2] + [2] * 100 + [1]):
        check_size(widths)
    check_size([2, 3, 1], samples=100)


def test_import_nn_is_enough_for_nn_deltas() -> None:
    result = subprocess.run([sys.executable, "-c", "import nn; print(nn.deltas.compare.__name__)"],
                            capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "compare", result.stderr


@pytest.mark.parametrize("loss, output, target", [("bce", "sigmoid", [0.5, 1.5]), ("ce", "softmax", [-0.5, 1.5])])
def test_a_target_outside_0_1_is_named_by_its_element(loss, output, target) -> None:
    """The [0, 1] rule of bce and ce targets is check_targets' own: the message names the element."""
    model = MLP(2, [3, 2], activation="tanh", output_activation=output, seed=0)
    with pytest.raises(ValueError, match=rf"target\[{0 if loss == 'ce' else 1}\].*\[0, 1\].*{loss}"):
        backprop(model, X, target, loss=loss)
