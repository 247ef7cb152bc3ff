"""Watching from the start: the page opens paused at step 0 with the initial loss and accuracy,
the speed goes down to one step a second, and a single step shows its update of every weight."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import nn
from deltagrad.playground import Config, Session, configure, record
from deltagrad.playground import command
from deltagrad.cli import main as deltagrad_main

SMALL = {"samples": 40, "hidden": [3, 2], "activations": ["tanh", "sigmoid"], "seed": 3}


def session(**change) -> Session:
    return Session(configure(Config(), {**SMALL, **change}), playing=False)


@pytest.mark.parametrize(
    "dataset, head, loss",
    [
        ("moons", "sigmoid+bce", "binary_cross_entropy"),
        ("spiral", "softmax+ce", "cross_entropy"),
        ("sine", "linear+mse", "sse"),
    ],
)
def test_step_0_shows_the_initial_loss_and_accuracy(dataset, head, loss):
    s = session(dataset=dataset, head=head)
    state = s.state()
    # nn.evaluate: the loss table's own path over the same model and data, not the session's replay
    expected_loss, expected_accuracy = nn.evaluate(s.model, s.X, s.y, loss)
    assert state["step"] == 0 and state["status"] == "paused"
    assert state["loss"] == pytest.approx(expected_loss, rel=1e-9)
    assert state["accuracy"] == (
        None if expected_accuracy is None else pytest.approx(expected_accuracy)
    )
    assert state["curve"]["step"] == [0] and state["curve"]["loss"] == [
        pytest.approx(expected_loss)
    ]


def test_the_status_line_is_the_current_weights_loss_and_the_curve_ends_there():
    s = session()
    s.train(4)
    expected, _ = nn.evaluate(s.model, s.X, s.y, "binary_cross_entropy")
    state = s.state()
    assert state["loss"] == pytest.approx(expected, rel=1e-9)
    assert state["curve"]["step"][-1] == 4 and state["curve"]["loss"][-1] == pytest.approx(expected)
    assert state["curve"]["loss"][:4] == pytest.approx(s.losses)  # step s: before update s + 1


def test_a_recorded_runs_step_0_has_its_loss(tmp_path):
    done = record(tmp_path / "run.html", configure(Config(), SMALL), steps=3, at=[0, 3], samples=1)
    text = done.path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="recording">(.*?)</script>', text, re.S)
    first = json.loads(found.group(1))["snapshots"][0]
    again = session()
    assert first["step"] == 0 and first["loss"] == pytest.approx(again.measure()[0])
    assert first["accuracy"] == pytest.approx(again.measure()[1])


def test_one_step_shows_its_update_minus_lr_times_the_mean_gradient():
    # SGD without momentum on all the data: Δw = −η · mean over samples of ∂J/∂w, where each
    # sample's ∂J/∂w comes from the scalar engine (Session.sample: nn.deltas.sample).
    s = session(optimizer="sgd", momentum=0.0, lr=0.5, batch_size=40)
    before = s.network()
    grads = [s.sample(i)["layers"] for i in range(len(s.X))]
    s.train(1)
    update = s.state()["network"]["update"]
    assert update["step"] == 1
    for k, layer in enumerate(before["weights"]):
        for j, row in enumerate(layer):
            for i in range(len(row)):
                mean = np.mean([g[k]["units"][j]["grad_w"][i] for g in grads])
                assert update["weights"][k][j][i] == pytest.approx(-0.5 * mean, rel=1e-7, abs=1e-12)
            mean_b = np.mean([g[k]["units"][j]["grad_b"] for g in grads])
            assert update["biases"][k][j] == pytest.approx(-0.5 * mean_b, rel=1e-7, abs=1e-12)


def test_steps_taken_while_running_keep_no_update():
    s = session()
    s.play()
    s.train(2)
    assert s.state()["network"]["update"] is None


def test_one_step_per_second_is_allowed():
    assert configure(Config(), {"speed": 1}).speed == 1
    with pytest.raises(ValueError, match="speed"):
        configure(Config(), {"speed": 0})


class _Started(Exception):
    pass


@pytest.mark.parametrize(
    "argv, playing", [([], False), (["--autoplay"], True), (["--paused"], False)]
)
def test_the_command_opens_paused_unless_autoplay(monkeypatch, argv, playing):
    seen = []

    def fake(config, playing):
        seen.append(playing)
        raise _Started

    monkeypatch.setattr(command, "Playground", fake)
    with pytest.raises(_Started):
        deltagrad_main(["playground", "xor", "--no-browser", *argv])
    assert seen == [playing]
