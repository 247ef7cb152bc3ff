"""nn.deltas.check: a learner's numbers graded. Each test plants one mistake, computed by hand from
the correct numbers, into an otherwise correct set and asserts the verdict and where it entered."""

import math

import pytest

from nn import MLP
from nn.deltas import HandCheck, check, sample
from nn.handcheck import answer_names, canonical_name

X, X_BATCH = [0.5, -1.0], [[0.5, -1.0], [0.2, 0.4], [-0.7, 0.9]]


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def net(widths, hidden="sigmoid", output=None, seed=3):
    return MLP(widths[0], widths[1:], activation=hidden, output_activation=output or hidden,
               seed=seed)


CONFIGS = {  # name -> (model, x, target, loss)
    "2-2-1 sigmoid sse": (net([2, 2, 1]), X, [0.8], "sse"),
    "2-3-2 tanh sse": (net([2, 3, 2], "tanh"), X, [0.3, -0.6], "sse"),
    "2-2-1 bce": (net([2, 2, 1], "tanh", "sigmoid"), X, [1.0], "bce"),
    "2-3-2 ce": (net([2, 3, 2], "sigmoid", "softmax"), X, 1, "ce"),
}


def truth(model, x, target, loss):
    """The correct answers, by name, from nn.deltas.sample (checked against the hand formula and
    finite differences in test_deltas)."""
    return dict(sample(model, x, target, loss).values)


def rounded(answers, digits):
    return {k: float(f"{v:.{digits}g}") for k, v in answers.items()}


def graded(model, x, target, loss, answers, **kw):
    result = check(model, x, target, answers, loss=loss, **kw)
    assert isinstance(result, HandCheck)
    return result, {row.name: row for row in result.rows}


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("digits", [3, 6])
def test_a_correct_set_rounded_is_all_correct(config, digits):
    model, x, target, loss = CONFIGS[config]
    result, rows = graded(model, x, target, loss, rounded(truth(model, x, target, loss), digits))
    assert result.ok and result.first_wrong is None
    assert {r.verdict for r in result.rows} == {"correct"}
    assert set(rows) == set(answer_names(model, x, target, loss))


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("digits", [3, 6])
def test_a_batch_of_three_rounded_is_all_correct(reduction, digits):
    model = net([2, 3, 2], "tanh")
    targets = [[0.3, -0.6], [0.1, 0.2], [-0.5, 0.5]]
    answers = batch_truth(model, targets, reduction)
    answers = rounded(answers, digits)
    result, _ = graded(model, X_BATCH, targets, "sse", answers, reduction=reduction)
    assert result.ok, str(result)


def batch_truth(model, targets, reduction):
    """Per-sample names with an s{n}. prefix; J and the gradients summed (or averaged)."""
    scale = 1.0 if reduction == "sum" else 1 / 3
    answers, totals = {}, {}
    for n, (x, t) in enumerate(zip(X_BATCH, targets)):
        for name, value in truth(model, x, t, "sse").items():
            if name.startswith("dJ/dL") and not name.endswith(".y"):
                totals[name] = totals.get(name, 0.0) + scale * value
            elif name == "J":
                answers[f"s{n}.J"] = value
                totals["J"] = totals.get("J", 0.0) + scale * value
            elif not name.startswith("dJ/d"):
                answers[f"s{n}.{name}"] = value
    return {**answers, **totals}


def test_digits_are_rounded_not_truncated():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    answers = truth(model, x, target, loss)
    name, value = "L1.N0.delta", answers["L1.N0.delta"]
    # the first number of decimals at which truncating and rounding differ
    decimals = next(d for d in range(3, 12) if round(value, d) != math.trunc(value * 10**d) / 10**d)
    truncated = math.trunc(value * 10**decimals) / 10**decimals
    assert round(value, decimals) != truncated
    rows = graded(model, x, target, loss, {name: round(value, decimals)})[1]
    assert rows[name].verdict == "correct"
    rows = graded(model, x, target, loss, {name: f"{truncated:.{decimals}f}"})[1]
    assert rows[name].verdict != "correct"


def test_trailing_zeros_in_a_str_count_as_digits():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    value = truth(model, x, target, loss)["L0.N0.y"]
    coarse = f"{value:.2f}"  # two decimals (two significant digits count): agrees
    assert graded(model, x, target, loss, {"L0.N0.y": coarse})[1]["L0.N0.y"].verdict == "correct"
    assert abs(float(coarse) - value) > 5e-6  # so eight written decimals cannot agree
    rows = graded(model, x, target, loss, {"L0.N0.y": coarse + "0000000"})[1]
    assert rows["L0.N0.y"].verdict != "correct"


def test_unicode_spellings():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    a = truth(model, x, target, loss)
    answers = {"L0.N1.δ": a["L0.N1.delta"], "L0.N1.φ′": a["L0.N1.dphi"],
               "∂J/∂L0.N1.w0": a["dJ/dL0.N1.w0"]}
    result, rows = graded(model, x, target, loss, answers)
    assert result.ok and set(rows) == {"L0.N1.delta", "L0.N1.dphi", "dJ/dL0.N1.w0"}
    assert canonical_name("∂J / ∂L0.N1.b") == "dJ/dL0.N1.b"


@pytest.mark.parametrize("config", ["2-2-1 sigmoid sse", "2-3-2 tanh sse"])
def test_sign_of_a_hidden_delta(config):
    model, x, target, loss = CONFIGS[config]
    answers = rounded(truth(model, x, target, loss), 6)
    answers["L0.N1.delta"] = -answers["L0.N1.delta"]  # ∂J/∂v given for δ = −∂J/∂v
    result, rows = graded(model, x, target, loss, answers)
    assert rows["L0.N1.delta"].verdict == "sign" and result.first_wrong == "L0.N1.delta"
    assert not result.ok


def test_error_as_y_minus_t_is_a_sign_and_its_delta_is_carried():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    a = truth(model, x, target, loss)
    e = a["L1.N0.y"] - 0.8  # y − t
    answers = {"L1.N0.y": a["L1.N0.y"], "L1.N0.dphi": a["L1.N0.dphi"], "L1.N0.e": e,
               "L1.N0.delta": e * a["L1.N0.dphi"]}
    result, rows = graded(model, x, target, loss, answers)
    assert rows["L1.N0.e"].verdict == "sign"
    assert rows["L1.N0.delta"].verdict == "carried"  # not blamed twice
    assert result.first_wrong == "L1.N0.e"


@pytest.mark.parametrize("config", ["2-2-1 sigmoid sse", "2-3-2 tanh sse"])
def test_output_delta_without_phi_prime(config):
    model, x, target, loss = CONFIGS[config]
    a = truth(model, x, target, loss)
    answers = {"L1.N0.e": a["L1.N0.e"], "L1.N0.delta": a["L1.N0.e"]}  # δ = e, no φ′(v)
    result, rows = graded(model, x, target, loss, answers)
    assert rows["L1.N0.delta"].verdict == "missing φ′" and result.first_wrong == "L1.N0.delta"


def test_hidden_delta_without_phi_prime():
    model, x, target, loss = CONFIGS["2-3-2 tanh sse"]
    a = truth(model, x, target, loss)
    fed_back = sum(a[f"L1.N{l}.delta"] * model.layers[1].neurons[l].w[2].data for l in range(2))
    result, rows = graded(model, x, target, loss, {"L0.N2.delta": fed_back})
    assert rows["L0.N2.delta"].verdict == "missing φ′" and result.first_wrong == "L0.N2.delta"


def test_sigmoid_slope_taken_at_y():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    a = truth(model, x, target, loss)
    y = a["L0.N0.y"]
    wrong = sigmoid(y) * (1 - sigmoid(y))  # σ′ evaluated at y, not at v
    answers = {"L0.N0.v": a["L0.N0.v"], "L0.N0.y": y, "L0.N0.dphi": wrong}
    result, rows = graded(model, x, target, loss, answers)
    assert rows["L0.N0.dphi"].verdict == "φ′ at y" and result.first_wrong == "L0.N0.dphi"


def test_tanh_slope_taken_at_y_inside_an_output_delta():
    model, x, target, loss = CONFIGS["2-3-2 tanh sse"]
    a = truth(model, x, target, loss)
    wrong = a["L1.N1.e"] * (1 - math.tanh(a["L1.N1.y"]) ** 2)
    result, rows = graded(model, x, target, loss, {"L1.N1.delta": wrong})
    assert rows["L1.N1.delta"].verdict == "φ′ at y"


@pytest.mark.parametrize("left_out", [0, 1])
def test_missing_term_names_the_unit_left_out(left_out):
    model, x, target, loss = CONFIGS["2-3-2 tanh sse"]
    a = truth(model, x, target, loss)
    j, kept = 1, 1 - left_out
    wrong = a[f"L0.N{j}.dphi"] * a[f"L1.N{kept}.delta"] * model.layers[1].neurons[kept].w[j].data
    answers = {f"L1.N{l}.delta": a[f"L1.N{l}.delta"] for l in range(2)} | {f"L0.N{j}.delta": wrong}
    result, rows = graded(model, x, target, loss, answers)
    assert rows["L0.N1.delta"].verdict == "missing term"
    assert f"L1.N{left_out}" in rows["L0.N1.delta"].why
    assert result.first_wrong == "L0.N1.delta"


def test_transposed_weights_in_a_hidden_delta():
    model, x, target, loss = CONFIGS["2-3-2 tanh sse"]
    a = truth(model, x, target, loss)
    W = [[w.data for w in n.w] for n in model.layers[1].neurons]  # W[l][j] = w_lj, 2 × 3
    j = 0
    wrong = a["L0.N0.dphi"] * sum(a[f"L1.N{l}.delta"] * W[j][l] for l in range(2))  # w_jl
    result, rows = graded(model, x, target, loss, {"L0.N0.delta": wrong})
    assert rows["L0.N0.delta"].verdict == "transposed"


def test_transposed_weights_in_a_forward_sum():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    W = [[w.data for w in n.w] for n in model.layers[0].neurons]
    wrong = W[0][1] * x[0] + W[1][1] * x[1] + model.layers[0].neurons[1].b.data  # w_ij for w_ji
    result, rows = graded(model, x, target, loss, {"L0.N1.v": wrong})
    assert rows["L0.N1.v"].verdict == "transposed" and result.first_wrong == "L0.N1.v"


def test_objective_without_the_half_is_a_factor_two():
    model, x, target, loss = CONFIGS["2-3-2 tanh sse"]
    a = truth(model, x, target, loss)
    result, rows = graded(model, x, target, loss, {"J": a["L1.N0.e"] ** 2 + a["L1.N1.e"] ** 2})
    assert rows["J"].verdict == "factor" and "2" in rows["J"].why


def test_a_batch_mean_gradient_not_divided_by_n():
    model = net([2, 2, 1])
    targets = [[0.8], [0.1], [0.5]]
    answers = batch_truth(model, targets, "mean")
    name = "dJ/dL0.N1.w0"
    answers[name] *= 3  # summed, not averaged
    result, rows = graded(model, X_BATCH, targets, "sse", rounded(answers, 6), reduction="mean")
    assert rows[name].verdict == "factor" and "N" in rows[name].why
    assert result.first_wrong == name


def test_a_batch_carries_a_wrong_sample_delta_into_the_gradient():
    model = net([2, 2, 1])
    targets = [[0.8], [0.1], [0.5]]
    answers = rounded(batch_truth(model, targets, "sum"), 6)
    answers["s1.L0.N0.delta"] = 0.25  # wrong outright
    y = {0: X_BATCH[0][1], 1: X_BATCH[1][1], 2: X_BATCH[2][1]}
    answers["dJ/dL0.N0.w1"] = -sum(answers[f"s{n}.L0.N0.delta"] * y[n] for n in range(3))
    answers["dJ/dL0.N0.b"] = -sum(answers[f"s{n}.L0.N0.delta"] for n in range(3))
    result, rows = graded(model, X_BATCH, targets, "sse", answers)
    assert rows["s1.L0.N0.delta"].verdict == "wrong"
    assert rows["dJ/dL0.N0.w1"].verdict == rows["dJ/dL0.N0.b"].verdict == "carried"
    assert result.first_wrong == "s1.L0.N0.delta"
    blamed = [r.name for r in result.rows if r.verdict not in ("correct", "carried")]
    assert blamed == ["s1.L0.N0.delta"]


def test_an_error_carried_forward_is_blamed_once():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    a = truth(model, x, target, loss)
    W = [w.data for w in model.layers[1].neurons[0].w]
    y0 = 0.9  # wrong
    v = W[0] * y0 + W[1] * a["L0.N1.y"] + model.layers[1].neurons[0].b.data
    y = sigmoid(v)
    e = 0.8 - y
    dphi = y * (1 - y)
    answers = {"L0.N0.y": y0, "L0.N1.y": a["L0.N1.y"], "L1.N0.v": v, "L1.N0.y": y,
               "L1.N0.dphi": dphi, "L1.N0.e": e, "L1.N0.delta": e * dphi,
               "dJ/dL1.N0.w0": -e * dphi * y0}
    result, rows = graded(model, x, target, loss, rounded(answers, 5))
    assert rows["L0.N0.y"].verdict == "wrong" and f"{a['L0.N0.y']:.6g}" in rows["L0.N0.y"].why
    for name in ["L1.N0.v", "L1.N0.y", "L1.N0.dphi", "L1.N0.e", "L1.N0.delta", "dJ/dL1.N0.w0"]:
        assert rows[name].verdict == "carried", (name, rows[name])
    assert rows["L0.N1.y"].verdict == "correct"
    assert result.first_wrong == "L0.N0.y"


@pytest.mark.parametrize("config", ["2-2-1 bce", "2-3-2 ce"])
def test_cross_entropy_outputs_delta_is_e(config):
    model, x, target, loss = CONFIGS[config]
    a = truth(model, x, target, loss)
    answers = {"L1.N0.e": a["L1.N0.e"], "L1.N0.delta": a["L1.N0.e"]}
    assert graded(model, x, target, loss, answers)[0].ok
    answers["L1.N0.delta"] = -a["L1.N0.e"]
    result, rows = graded(model, x, target, loss, answers)
    assert rows["L1.N0.delta"].verdict == "sign" and result.first_wrong == "L1.N0.delta"


def test_wrong_shows_the_correct_computation():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    a = truth(model, x, target, loss)
    result, rows = graded(model, x, target, loss, {"dJ/dL1.N0.w1": 12.345})
    row = rows["dJ/dL1.N0.w1"]
    assert row.verdict == "wrong" and "δ" in row.why and f"{a['dJ/dL1.N0.w1']:.6g}" in row.why
    text, markdown = str(result), result.to_markdown()
    assert "dJ/dL1.N0.w1" in text and "wrong" in text and "12.345" in text
    assert markdown.startswith("| name | yours | correct | verdict | why |")
    assert result._repr_markdown_() == markdown


@pytest.mark.parametrize("bad, match", [
    ({"L0.N9.v": 1.0}, "L0.N9.v"),
    ({"L0.N0.v": math.nan}, "L0.N0.v"),
    ({"L0.N0.v": "inf"}, "L0.N0.v"),
    ({"L0.N0.y": "abc"}, "L0.N0.y"),
    ({"L0.N0.δ": 1.0, "L0.N0.delta": 1.0}, "L0.N0.delta"),
])
def test_bad_answers_name_the_key(bad, match):
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    with pytest.raises(ValueError, match=match):
        check(model, x, target, bad)


def test_answers_must_be_a_mapping():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    with pytest.raises(TypeError, match="answers"):
        check(model, x, target, [1.0])


@pytest.mark.parametrize("model, loss, match", [
    (net([2, 2, 2], "tanh", "softmax"), "sse", "loss"),
    (net([2, 2, 1]), lambda vs, ys, ts: ys[0], "loss"),
    (net([2, 2, 1]), "mse", "loss"),
])
def test_losses_without_a_hand_rule_are_refused(model, loss, match):
    with pytest.raises(ValueError, match=match):
        check(model, X, [0.5] * model.nouts[-1], {"J": 0.1}, loss=loss)


def test_reduction_is_checked():
    with pytest.raises(ValueError, match="reduction"):
        check(net([2, 2, 1]), X, [0.5], {"J": 0.1}, reduction="avg")


def test_on_graph_places_the_learners_numbers_on_js_graph():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    answers = rounded(truth(model, x, target, loss), 6)
    answers["L1.N0.delta"] = -answers["L1.N0.delta"]  # planted: the sign of the output δ
    result = check(model, x, target, answers)
    g = result.on_graph()
    assert result.first_wrong == "L1.N0.delta" and g.start == "L1.N0.v"
    # δ = −∂J/∂v: the page shows minus the learner's δ at v; the weights' gradients as they are
    assert g.answers["L1.N0.v"] == -answers["L1.N0.delta"]
    assert g.answers["L0.N1.w0"] == answers["dJ/dL0.N1.w0"]
    assert g.answers["L0.N1.y"] == answers["dJ/dL0.N1.y"]
    assert list(g.notes) == ["L1.N0.v"] and g.notes["L1.N0.v"].startswith("sign: ")
    assert g.root.data == pytest.approx(truth(model, x, target, loss)["J"])


def test_on_graph_keeps_the_digits_written_and_a_batch_keeps_only_the_parameters():
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    g = check(model, x, target, {"L1.N0.delta": "0.0400", "dJ/dL1.N0.b": "−0.0400"}).on_graph()
    assert g.answers == {"L1.N0.v": "-0.0400", "L1.N0.b": "−0.0400"}
    batch = [[0.5, -1.0], [1.0, 2.0], [0.0, 0.3]]
    answers = {"s0.L1.N0.delta": 0.1, "dJ/dL0.N0.w1": 0.2}
    g = check(model, batch, [0.2, 0.9, 0.4], answers).on_graph()
    assert g.answers == {"L0.N0.w1": 0.2}


def test_a_sign_flipped_on_the_learners_own_carried_numbers_is_sign():
    # the learner's output δ lacks φ′ (so everything after it is off), and one gradient also has
    # its sign flipped: −δ·y written +δ·y from their own δ. Against the correct value it is no
    # known mistake; against their own numbers it is the sign.
    model, x, target, loss = CONFIGS["2-2-1 sigmoid sse"]
    right = truth(model, x, target, loss)
    delta = right["L1.N0.e"]  # missing φ′
    y0 = right["L0.N0.y"]
    answers = {"L1.N0.delta": delta, "dJ/dL1.N0.w0": delta * y0}
    rows = graded(model, x, target, loss, answers)[1]
    assert rows["L1.N0.delta"].verdict == "missing φ′"
    assert rows["dJ/dL1.N0.w0"].verdict == "sign"
