"""The benchmarks compare like with like: each baseline does the same work as the engine. These
tests check the baselines' numbers (the benchmarks themselves only time and report)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from benchmarks import b3_chain, b5_replay
from benchmarks.models import ChainMLP, copy_weights, deltagrad_loss, micrograd_loss, moons, sgd_step, slope
from benchmarks.report import Section
from benchmarks.timing import alternate, measure, seconds
from benchmarks.worker import CHECKOUT, Worker


def test_the_hand_chain_computes_the_engines_gradient():
    assert b3_chain.hand_chain(1000) == b3_chain.engine_chain(1000) == pytest.approx(b3_chain.SCALE ** 500, rel=1e-12)


def test_the_minimal_engine_computes_the_engines_gradient():
    assert b3_chain.mini_chain(1000) == pytest.approx(b3_chain.engine_chain(1000), rel=1e-15)
    x, y = b3_chain.MiniValue(1.5), b3_chain.MiniValue(-2.0)
    z = x * y + x * x  # x reached by two paths
    z.backward()
    assert (x.grad, y.grad) == (y.data + 2 * x.data, x.data)


def test_micrograds_network_code_on_deltagrad_matches_nn_mlp():
    rows, targets = moons(12)
    model = nn.MLP(2, [4, 3, 1], seed=5)
    chain = ChainMLP(model)
    for row in rows:
        assert chain(row).data == pytest.approx(model(row).data, rel=1e-12, abs=1e-12)
    a = micrograd_loss(chain, chain.parameters(), rows, targets)
    b = deltagrad_loss(model, model.parameters(), rows, targets)
    a.backward()
    b.backward()
    assert a.data == pytest.approx(b.data, rel=1e-12)
    np.testing.assert_allclose([p.grad for p in chain.parameters()], [p.grad for p in model.parameters()],
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", [b5_replay.Case((2, 5, 4, 1), "hinge", 9, True), b5_replay.Case((3, 4, 1), "mse", 7, False),
                                  b5_replay.Case((4, 6, 3), "ce", 8, True)])
def test_the_hand_numpy_step_is_the_scalar_engines_step(case):
    """The hand code's gradient, checked against the scalar engine on the same loss, sample by sample."""
    model = nn.MLP(case.sizes[0], list(case.sizes[1:]), seed=2)
    Ws, bs = b5_replay.weights(model)
    X, T = b5_replay.data(case, seed=3)
    alpha = b5_replay.ALPHA if case.l2 else 0.0
    params = model.parameters()
    model.zero_grad()
    total = 0.0
    for row in np.column_stack([X, T]):
        loss = _rebuild(model, case, row)
        (loss * (1.0 / len(X))).backward()
        total += loss.data / len(X)
    value = b5_replay.hand_step(Ws, bs, X, T, case.loss, alpha, lr=1.0)  # W ← W − g
    assert value == pytest.approx(total, rel=1e-12)
    updated = [p.data - p.grad for p in params]
    flat = [x for W, b in zip(Ws, bs) for row, bias in zip(W, b) for x in (*row, bias)]
    np.testing.assert_allclose(flat, updated, rtol=1e-12, atol=1e-14)


def _rebuild(model, case, row):
    """One sample's loss with its numbers in place (not a recorded graph with leaves to fill)."""
    x = row[: case.sizes[0]].tolist()
    out = model(x)
    if case.loss == "hinge":
        loss = (1 - row[-1] * out).relu()
    elif case.loss == "mse":
        loss = (out - row[-1]) ** 2
    else:
        loss = nn.cross_entropy(out, int(np.argmax(row[case.sizes[0]:])))
    return loss + nn.l2_penalty(model.parameters(), b5_replay.ALPHA) if case.l2 else loss


def test_the_replay_trains_like_the_hand_code():
    assert b5_replay.check(b5_replay.Case((2, 6, 1), "hinge", 11, True)) < 1e-12


def test_alternate_times_every_contender_each_round():
    calls = []
    timings = alternate({"a": lambda: calls.append("a") or 1, "b": lambda: calls.append("b") or 2}, rounds=3,
                        calls={"b": 2}, collect=False)
    assert calls == ["a", "b"] + ["a", "b", "b"] * 3  # a warm-up call each, then rounds in turn
    assert timings["a"].runs == timings["b"].runs == 3 and timings["b"].result == 2
    assert 0 <= timings["a"].best <= timings["a"].median


def test_with_the_collector_each_timing_follows_an_untimed_call():
    calls = []
    alternate({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, rounds=2, calls={"b": 2}, collect=True)
    assert calls == ["a", "b"] + ["a", "a", "b", "b", "b"] * 2


def test_a_worker_process_times_the_step_of_the_checkout_it_is_given():
    rows, targets = moons(10)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    expected = [sgd_step(deltagrad_loss(model, params, rows, targets), params) for _ in range(3)]
    worker = Worker(CHECKOUT, rows, targets)
    try:
        assert worker.engine == nn.__file__
        assert worker() == expected[0]  # an untimed step
        seconds, loss = worker.timed(2, False)
        assert seconds > 0 and loss == expected[2]
        timings = alternate({"worker": worker}, rounds=1, collect=False)  # warm-up, then one timed call
        assert timings["worker"].runs == 1 and timings["worker"].result != expected[2]
    finally:
        worker.close()


def test_copy_weights_refuses_models_of_different_sizes():
    with pytest.raises(ValueError, match="3 parameters into 4"):
        copy_weights(nn.Neuron(2), nn.Neuron(3))


def test_slope_of_a_power_law_is_its_exponent():
    xs = [10.0, 100.0, 1000.0]
    assert slope(xs, [3 * x**1.5 for x in xs]) == pytest.approx(1.5)


def test_measure_and_seconds():
    calls = []
    timing = measure(lambda: calls.append(1) or len(calls), runs=4, warmup=2)
    assert len(calls) == 6 and timing.runs == 4 and timing.result == 6
    assert 0 <= timing.best <= timing.median
    assert [seconds(t) for t in (2.5, 0.0123, 4.2e-5, 3e-9)] == ["2.5 s", "12.3 ms", "42 µs", "3 ns"]


def test_a_section_says_which_targets_were_missed():
    section = Section("B9 example", ["a", "b"], [["x", "1"]])
    section.target("≤ 2×", "3.0×", False)
    section.target("≥ 1×", "3.0×", True)
    section.target("≥ 5×", "baseline missing", None)
    text = section.render()
    assert "≤ 2×: 3.0× -> MISSED" in text and "≥ 1×: 3.0× -> met" in text and "-> not measured" in text


def test_the_linked_chain_floor_computes_the_engines_gradient():
    assert b3_chain.linked_chain(1000) == b3_chain.hand_chain(1000) == pytest.approx(b3_chain.SCALE ** 500, rel=1e-12)


def test_against_must_name_a_checkout(tmp_path, capsys):
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["--only", "B1", "--against", str(tmp_path)])
    assert stopped.value.code == 2 and "--against" in capsys.readouterr().err


def test_the_hand_loop_of_b7_trains_as_nn_fit():
    """Same weights after a few Adam steps of the hinge loss: the baseline does fit's work."""
    from benchmarks import b7_fit

    assert b7_fit.check(samples=30) < 1e-9  # Adam scales a gradient near 0 up to ±lr


def test_b7_reports_its_target(monkeypatch):
    from benchmarks import b7_fit

    monkeypatch.setattr(b7_fit, "SAMPLES", 16)
    monkeypatch.setattr(b7_fit, "STEPS", 2)
    text = b7_fit.run(quick=True).render()
    assert "nn.fit within 2×" in text and "same weights as the hand loop to 1e-9" in text
