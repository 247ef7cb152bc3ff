"""The benchmarks compare like with like: each baseline does the same work as the engine. These
tests check the baselines' numbers (the benchmarks themselves only time and report)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Value
from benchmarks import b3_chain, b5_replay
from benchmarks.models import ChainMLP, copy_weights, deltagrad_loss, micrograd_loss, moons, slope
from benchmarks.report import Section
from benchmarks.timing import measure, seconds
from nn import deltas


def test_the_hand_chain_computes_the_engines_gradient():
    assert b3_chain.hand_chain(1000) == b3_chain.engine_chain(1000) == pytest.approx(b3_chain.SCALE ** 500, rel=1e-12)


def test_the_allocation_floor_builds_the_chain_it_claims():
    y = b3_chain.allocation_floor(10)
    assert y.data == pytest.approx(0.5 * b3_chain.SCALE ** 10, rel=1e-15)
    depth = 0
    while y.parents:
        y = y.parents[0]
        depth += 1
    assert depth == 10


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


def test_the_batched_delta_rule_makes_the_hand_step_of_nn_deltas():
    rows, targets = moons(9)
    X, T = np.array(rows), np.array(targets)
    by_rows, batched = nn.MLP(2, [5, 4, 1], seed=2), nn.MLP(2, [5, 4, 1], seed=3)
    copy_weights(by_rows, batched)
    hand = deltas.hand_step(by_rows, rows, targets, b5_replay.LR, reduction="mean")
    loss = b5_replay.batched_step(batched, X, T)()
    assert loss == pytest.approx(hand.loss, rel=1e-12)
    np.testing.assert_allclose([p.data for p in batched.parameters()], [p.data for p in by_rows.parameters()],
                               rtol=1e-12, atol=1e-14)


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
