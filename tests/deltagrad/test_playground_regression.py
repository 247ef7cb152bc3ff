"""Regression on two inputs in the playground, without a browser: a CSV of x0, x1 and real-number
targets loads (from a file, pasted, or as points), trains with a linear output and J = ½e², and
the state carries the network's output over the grid the classification regions use."""

from __future__ import annotations

import http.client
import json
import re

import numpy as np
import pytest

import nn
from autograd import Value
from deltagrad.cli import main as deltagrad_main
from deltagrad.playground import Config, Session, configure, start
from deltagrad.playground.config import CUSTOM, Points
from deltagrad.playground.server import TOKEN_HEADER
from deltagrad.playground.session import GRID

SMALL = {"hidden": [6], "activations": ["tanh"], "seed": 1, "batch_size": 100, "lr": 0.05}


def saddle_csv(n: int = 49) -> str:
    """t = x0·x1 + 0.5·x0 on a 7 × 7 grid of the square [-1, 1]²: real-number targets."""
    side = int(round(n**0.5))
    axis = np.linspace(-1.0, 1.0, side)
    rows = [(a, b, a * b + 0.5 * a) for a in axis for b in axis]
    return "x0,x1,target\n" + "".join(f"{a:.4f},{b:.4f},{t:.4f}\n" for a, b, t in rows)


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "saddle.csv"
    path.write_text(saddle_csv(), encoding="utf-8")
    return path


def output(model: nn.MLP, x0: float, x1: float) -> float:
    """The network's output at (x0, x1) by the scalar engine."""
    return model([Value(x0), Value(x1)]).data


# -- the session -------------------------------------------------------------------------------


def test_a_two_input_regression_loads_trains_and_shows_its_output_over_the_grid(csv_file):
    config = configure(Config(), {**SMALL, "data": Points.read(str(csv_file))})
    assert config.task == "regression" and config.head == "linear+mse"
    session = Session(config, playing=False)
    assert session.network()["sizes"] == [2, 6, 1]
    assert session.model.layers[-1].activation == "linear"
    first = session.state()["loss"]
    assert session.train(150) == 150
    state = session.state()
    assert state["loss"] < 0.5 * first and state["accuracy"] is None
    grid, frame = state["view"]["grid"], state["view"]["frame"]
    assert grid["size"] == GRID and len(grid["values"]) == GRID * GRID and "probs" not in grid
    (a0, b0), (a1, b1) = frame["x0"], frame["x1"]
    for row, column in [(0, 0), (GRID // 2, 7), (GRID - 1, GRID - 3)]:
        # cell row·GRID + column: the column-th x0 and the row-th x1, at the cell's centre
        x0 = a0 + (column + 0.5) * (b0 - a0) / GRID
        x1 = a1 + (row + 0.5) * (b1 - a1) / GRID
        assert grid["values"][row * GRID + column] == pytest.approx(
            output(session.model, x0, x1), abs=1e-4
        )
    # the colour scale: centred on the targets' mean, reaching the farthest target
    targets = session.y
    assert grid["scale"]["centre"] == pytest.approx(targets.mean())
    assert grid["scale"]["half"] == pytest.approx(np.abs(targets - targets.mean()).max())
    # each hidden unit's map is there too, as for classification
    assert len(state["view"]["units"]["values"][0]) == 6


def test_a_regression_samples_backprop_is_the_squared_errors():
    points = Points.parse(saddle_csv())
    session = Session(configure(Config(), {**SMALL, "data": points}), playing=False)
    session.train(5)
    detail = session.sample(10)
    t, (x0, x1) = points.y[10], points.x[10]
    y = output(session.model, x0, x1)
    assert detail["target"] == t and detail["loss"] == pytest.approx(0.5 * (t - y) ** 2)
    # the output unit's δ = −∂J/∂v = (t − y)·φ′(v), φ′ = 1 for a linear output
    assert detail["layers"][-1]["units"][0]["delta"] == pytest.approx(t - y)
    assert detail["replay"]["difference"] < 1e-9


def test_a_one_input_regression_is_still_a_curve():
    session = Session(configure(Config(), {"dataset": "sine", "samples": 20}), playing=False)
    view = session.state()["view"]
    assert "curve" in view and "grid" not in view and "x1" not in view["frame"]


# -- the same reader and limits for a file and a paste ------------------------------------------


def test_a_file_and_a_paste_are_read_alike(csv_file):
    pasted, read = Points.parse(saddle_csv()), Points.read(str(csv_file))
    assert pasted.x == read.x and pasted.y == read.y and read.task == "regression"
    too_wide = "a,b,c,d\n" + "1,2,3,0.5\n" * 5
    with pytest.raises(ValueError, match="pasted CSV, line 1.*4 columns"):
        Points.parse(too_wide)
    csv_file.write_text(too_wide, encoding="utf-8")
    with pytest.raises(ValueError, match="saddle.csv, line 1.*4 columns"):
        Points.read(str(csv_file))


# -- the server --------------------------------------------------------------------------------


@pytest.fixture
def server():
    running = start(configure(Config(), {**SMALL, "samples": 40}), port=0, playing=False)
    yield running
    running.stop()


def request(server, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    headers = {TOKEN_HEADER: server.server.token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, None if body is None else json.dumps(body), headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def test_a_pasted_regression_csv_trains_on_the_server(server):
    status, answer = request(server, "POST", "/api/config", {"data": {"csv": saddle_csv()}})
    assert status == 200 and answer["config"]["task"] == "regression"
    assert answer["config"]["dataset"] == CUSTOM and answer["config"]["head"] == "linear+mse"
    _, first = request(server, "GET", "/api/state")
    request(server, "POST", "/api/control", {"action": "step", "count": 100})
    _, state = request(server, "GET", "/api/state")
    assert state["step"] == 100 and state["loss"] < 0.5 * first["loss"]
    assert len(state["view"]["grid"]["values"]) == GRID * GRID
    status, detail = request(server, "GET", "/api/sample?index=3")
    assert status == 200 and detail["target"] == Points.parse(saddle_csv()).y[3]


def test_points_that_say_regression_keep_whole_number_targets_real(server):
    request(server, "POST", "/api/config", {"data": {"csv": saddle_csv()}})
    run = server.playground.state()["run"]
    x = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5]]
    status, answer = request(
        server, "POST", "/api/points", {"x": x, "y": [0, 1, 2, 1, 0], "task": "regression"}
    )
    assert status == 200 and answer["kept"] is True and answer["run"] == run  # the same network
    state = server.playground.state()
    assert state["task"] == "regression" and state["data"]["y"] == [0.0, 1.0, 2.0, 1.0, 0.0]
    assert all(isinstance(t, float) for t in server.playground.session.y.tolist())


@pytest.mark.parametrize(
    "body, words",
    [
        ({"x": [[0, 0]] * 5, "y": [0, 1, 0, 1, 0], "task": "sorting"}, "data.task"),
        ({"x": [[0, 0]] * 5, "y": [0, 0.5, 0, 1, 0], "task": "classification"}, r"data.y\[1\]"),
        ({"x": [[0, 0]] * 5, "y": [0, 1, 0, 1, 0], "tasks": "regression"}, "data"),
    ],
)
def test_a_bad_task_is_a_400_naming_it(server, body, words):
    status, answer = request(server, "POST", "/api/points", body)
    assert status == 400 and re.search(words, answer["error"]), answer


# -- the command line --------------------------------------------------------------------------


def test_the_playground_command_loads_a_regression_csv(csv_file, monkeypatch):
    from deltagrad.playground import command

    seen = []
    monkeypatch.setattr(
        command,
        "Playground",
        lambda config, playing: seen.append(config) or (_ for _ in ()).throw(KeyError),
    )
    with pytest.raises(KeyError):
        deltagrad_main(["playground", str(csv_file), "--no-browser"])
    (config,) = seen
    assert config.task == "regression" and config.head == "linear+mse"
    assert config.data.source == str(csv_file) and len(config.data.x[0]) == 2


def test_deltagrad_train_fits_a_regression_csv(csv_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert deltagrad_main(["train", str(csv_file), "--steps", "200", "--out", str(out)]) == 0
    report = json.loads((out / "train-saddle.json").read_text())
    model = nn.MLP.load(out / "model-saddle.json")
    assert model.nin == 2 and model.layers[-1].activation == "linear"
    assert report["loss_name"] == "sse" and report["final_accuracy"] is None
    assert report["final_loss"] < 0.2 * report["loss"][0]
    X, y = nn.data.read_csv(csv_file)
    by_hand = np.mean([0.5 * (t - output(model, *row)) ** 2 for row, t in zip(X, y)])
    assert report["final_loss"] == pytest.approx(by_hand)
