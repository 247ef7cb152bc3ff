"""The playground as a lab, without a browser: your own points (the API, a CSV on the command
line), held-out data, and the exports (model, PyTorch code, the run as a page)."""

from __future__ import annotations

import http.client
import json
import re

import numpy as np
import pytest

import nn
from deltagrad.cli import main as deltagrad_main
from deltagrad.playground import Config, Session, configure, start
from deltagrad.playground.config import CUSTOM, split
from deltagrad.playground.server import TOKEN_HEADER
from nn import deltas

SMALL = {"samples": 40, "hidden": [3, 2], "activations": ["tanh", "sigmoid"], "seed": 3}
SQUARE = {"x": [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2]], "y": [0, 1, 1, 0, 0]}


@pytest.fixture
def server():
    running = start(configure(Config(), SMALL), port=0, playing=False)
    yield running
    running.stop()


def request(server, method, path, body=None, token=True):
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers[TOKEN_HEADER] = server.server.token
    connection.request(
        method, path, body=None if body is None else json.dumps(body).encode(), headers=headers
    )
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, (json.loads(payload) if "json" in kind else payload.decode()), response


# -- your own points ---------------------------------------------------------------------------


def test_points_that_fit_the_network_keep_its_weights(server):
    before = server.playground.state()
    status, answer, _ = request(server, "POST", "/api/points", SQUARE)
    assert status == 200 and answer["kept"] is True and answer["run"] == before["run"]
    state = server.playground.state()
    assert state["data"]["x"] == SQUARE["x"] and state["data"]["y"] == SQUARE["y"]
    assert (
        state["config"]["dataset"] == CUSTOM
        and state["network"]["weights"] == before["network"]["weights"]
    )


def test_a_moved_point_gets_its_own_deltas(server):
    request(server, "POST", "/api/points", SQUARE)
    moved = {"x": [row[:] for row in SQUARE["x"]], "y": SQUARE["y"]}
    moved["x"][4] = [0.9, -0.4]
    request(server, "POST", "/api/points", moved)
    _, detail, _ = request(server, "GET", "/api/sample?index=4")
    session = server.playground.session
    # nn.deltas.sample on the model at the new point, by hand here: t = 0 of a sigmoid + BCE head
    expected = deltas.sample(session.model, [0.9, -0.4], [0.0], loss=session.rule.objective)
    assert detail["x"] == [0.9, -0.4]
    assert detail["layers"][0]["units"][1]["delta"] == pytest.approx(
        expected.layers[0][1].delta, rel=1e-12
    )


def test_three_classes_start_a_new_run_with_a_softmax_head(server):
    run = server.playground.state()["run"]
    status, answer, _ = request(server, "POST", "/api/points", {**SQUARE, "y": [0, 1, 2, 0, 1]})
    assert status == 200 and answer["kept"] is False and answer["run"] != run
    state = server.playground.state()
    assert state["config"]["head"] == "softmax+ce" and state["network"]["sizes"][-1] == 3


def test_a_pasted_csv_becomes_the_data(server):
    text = "x0,x1,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
    status, _, _ = request(server, "POST", "/api/config", {"data": {"csv": text}})
    assert status == 200
    state = server.playground.state()
    assert state["config"]["dataset"] == CUSTOM and state["data"]["y"] == [0, 1, 1, 0]
    status, _, _ = request(server, "POST", "/api/config", {"dataset": "moons"})
    assert (
        server.playground.state()["config"]["data"] is None
        and len(server.playground.state()["data"]["y"]) == 40
    )


@pytest.mark.parametrize(
    "body, words",
    [
        ({"csv": "x0,x1,label\n0,0,0\n0,zero,1\n"}, r"line 3\b"),
        ({"x": [[0, 0], [1, 1]], "y": [0, 1]}, "2 points"),
        ({"x": [[0, 0, 0]] * 5, "y": [0, 1, 0, 1, 0]}, "3 feature"),
        ({"x": [[0, 0]] * 5, "y": [0, 1, 0, 1]}, "data.y"),
        ({"x": [[0, "a"]] * 5, "y": [0, 1, 0, 1, 0]}, r"data.x\[0\]\[1\]"),
        ({"x": [[0, 0]] * 5, "y": [0, 1, 0, 1, 7]}, "class 7"),
        ({"x": [[0, 0]] * 5, "y": [0, 0, 0, 0, 0]}, "one class"),
        ({"points": []}, "data"),
        ([], "data"),
    ],
)
def test_bad_points_are_a_400_naming_what_is_wrong(server, body, words):
    request(server, "POST", "/api/control", {"action": "play"})
    status, answer, _ = request(server, "POST", "/api/points", body)
    assert status == 400 and re.search(words, answer["error"]), answer
    assert (
        server.playground.state()["status"] == "running"
        and server.playground.state()["config"]["data"] is None
    )


def test_a_csv_on_the_command_line(tmp_path, monkeypatch, capsys):
    from deltagrad.playground import command

    path = tmp_path / "mine.csv"
    path.write_text(
        "a,b,c\n" + "".join(f"{i % 3},{i // 3},{i % 2}\n" for i in range(9)), encoding="utf-8"
    )
    seen = []
    monkeypatch.setattr(
        command,
        "Playground",
        lambda config, playing: seen.append(config) or (_ for _ in ()).throw(KeyError),
    )
    with pytest.raises(KeyError):
        deltagrad_main(["playground", str(path), "--no-browser"])
    (config,) = seen
    assert (
        config.dataset == CUSTOM
        and config.data.source == str(path)
        and config.data.y[:3] == (0, 1, 0)
    )
    path.write_text("a,b,c\n0,0,0\n0,1,1\n0,1\n", encoding="utf-8")
    assert deltagrad_main(["playground", str(path), "--no-browser"]) == 2
    err = capsys.readouterr().err.strip()
    assert "mine.csv, line 4" in err and len(err.splitlines()) == 1


# -- held-out data -----------------------------------------------------------------------------


def test_held_out_points_do_not_train_and_have_their_own_curve():
    s = Session(
        configure(Config(), {**SMALL, "test_fraction": 0.25, "batch_size": 40}), playing=False
    )
    train_rows, test_rows = split(40, 0.25, 3)
    assert len(test_rows) == 10 and not set(train_rows) & set(test_rows)
    assert s.state()["data"]["test"] == test_rows.tolist()
    s.train(3)
    state = s.state()
    loss, accuracy = nn.evaluate(s.model, s.X[test_rows], s.y[test_rows], "binary_cross_entropy")
    assert state["test_loss"] == pytest.approx(loss) and state["test_accuracy"] == pytest.approx(
        accuracy
    )
    assert len(state["curve"]["test_loss"]) == 4 and state["curve"]["test_loss"][
        -1
    ] == pytest.approx(loss)
    train_loss, _ = nn.evaluate(s.model, s.X[train_rows], s.y[train_rows], "binary_cross_entropy")
    assert state["loss"] == pytest.approx(train_loss)  # the training curve: training points only


def test_the_split_holds_out_the_fraction_and_leaves_some_on_each_side():
    assert [len(part) for part in split(10, 0.0, 0)] == [10, 0]
    assert [len(part) for part in split(10, 0.9, 0)] == [1, 9]
    assert [len(part) for part in split(4, 0.01, 0)] == [3, 1]
    with pytest.raises(ValueError, match="test_fraction"):
        configure(Config(), {"test_fraction": 0.95})


# -- export ------------------------------------------------------------------------------------


def test_the_model_download_loads_back(server, tmp_path):
    request(server, "POST", "/api/control", {"action": "step", "count": 3})
    status, document, response = request(server, "GET", "/api/export/model")
    assert status == 200 and "attachment" in response.getheader("Content-Disposition")
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    model = nn.MLP.load(path)
    assert model.state_dict() == server.playground.session.model.state_dict()


def test_the_torch_code_download_compiles_and_is_nn_torch_code(server):
    status, code, _ = request(server, "GET", "/api/export/torch")
    assert status == 200 and code == nn.torch_code(server.playground.session.model)
    compile(code, "model.py", "exec")


def test_the_run_download_is_an_offline_page_of_the_run(server):
    request(server, "POST", "/api/control", {"action": "step", "count": 4})
    status, text, _ = request(server, "GET", "/api/export/run")
    found = re.search(r'<script type="application/json" id="recording">(.*?)</script>', text, re.S)
    recording = json.loads(found.group(1))
    (snapshot,) = recording["snapshots"]
    assert status == 200 and snapshot["step"] == 4 and snapshot["curve"]["step"] == [0, 1, 2, 3, 4]
    assert recording["samples"] and "<script src=" not in text


@pytest.mark.parametrize("what", ["model", "torch", "run"])
def test_the_downloads_need_the_token(server, what):
    status, body, _ = request(server, "GET", f"/api/export/{what}", token=False)
    assert status == 403 and "token" in body["error"]


# -- unit maps ---------------------------------------------------------------------------------


def test_a_unit_map_is_the_units_output_by_the_scalar_engine():
    from autograd import Value
    from deltagrad.playground.session import GRID, MAP_STRIDE

    s = Session(configure(Config(), {**SMALL, "hidden": [3, 2], "activations": ["relu", "tanh"]}), playing=False)
    s.train(20)
    view = s.state()["view"]
    units, frame = view["units"], view["frame"]
    assert units["size"] == 16 and [len(layer) for layer in units["values"]] == [3, 2]
    (a0, b0), (a1, b1) = frame["x0"], frame["x1"]
    for row, column in ((0, 0), (7, 12), (15, 3)):  # three cells of the map
        cell_r, cell_c = MAP_STRIDE // 2 + MAP_STRIDE * row, MAP_STRIDE // 2 + MAP_STRIDE * column
        x = [a0 + (cell_c + 0.5) * (b0 - a0) / GRID, a1 + (cell_r + 0.5) * (b1 - a1) / GRID]
        signal = [Value(v) for v in x]
        for k, layer in enumerate(s.model.layers[:-1]):  # the scalar engine, layer by layer
            signal = layer.forward(signal)[1]
            for j, y in enumerate(signal):
                assert units["values"][k][j][row * 16 + column] == pytest.approx(y.data, abs=6e-4)


# -- why a run diverged ------------------------------------------------------------------------


def test_a_diverged_run_names_its_first_non_finite_sample_and_node():
    from autograd import detect_anomaly
    from viz import trace
    from viz.steps import record_steps

    diverging = {"dataset": "sine", "lr": 50, "optimizer": "sgd", "hidden": [4, 4],
                 "activations": ["linear", "linear"], "batch_size": 1, "samples": 20}
    s = Session(configure(Config(), {**SMALL, **diverging}), playing=True)
    assert s.train(100) < 100 and s.status == "diverged"
    card = s.state()["divergence"]
    json.dumps(card, allow_nan=False)
    assert card["step"] == s.step + 1 == len(s.losses) + 1
    # by hand: the samples before card["sample"] pass forward and backward; that one does not
    for index in s.train_rows.tolist():
        J = s.sample_graph(index, model=s.model_copy())[0]
        try:
            with detect_anomaly():
                J2 = s.sample_graph(index, model=s.model_copy())[0]
                J2.backward()
        except FloatingPointError:
            assert index == card["sample"]
            break
    tr = trace(J)
    node = tr.nodes[[tr.name(k) for k in range(len(tr.nodes))].index(card["node"]["name"])]
    assert not np.isfinite(node.data) and all(np.isfinite(n.data) for n in tr.nodes[: tr.index[node]])
    assert record_steps(tr)[card["page_step"] - 1].node == tr.index[node]


def test_learning_rates_up_to_100_are_allowed():
    assert configure(Config(), {"lr": 100}).lr == 100
    with pytest.raises(ValueError, match="lr"):
        configure(Config(), {"lr": 101})


# -- the units' health -------------------------------------------------------------------------


def test_dead_and_saturated_shares_are_those_of_the_scalar_engine():
    s = Session(configure(Config(), {**SMALL, "hidden": [6, 3], "activations": ["relu", "sigmoid"], "lr": 0.5}),
                playing=False)
    s.train(30)
    health = s.state()["health"]
    for k, layer in enumerate(health["units"]):
        for j, unit in enumerate(layer):
            points = [deltas.sample(s.model, s.X[i], s.targets[i], loss=s.rule.objective).layers[k][j]
                      for i in s.train_rows]
            dead = np.mean([p.y == 0 and s.config.activations[k] == "relu" for p in points])
            saturated = np.mean([abs(p.dphi) < 0.01 and not (p.y == 0 and s.config.activations[k] == "relu")
                                 for p in points])
            assert unit["dead"] == pytest.approx(dead) and unit["saturated"] == pytest.approx(saturated)
    assert any(unit["dead"] > 0 for unit in health["units"][0])  # ReLU units die on half the plane


def test_the_update_to_weight_ratio_per_step():
    s = Session(configure(Config(), SMALL), playing=False)
    first = s.state()
    assert first["health"]["update_ratio"] == [None, None, None]
    s.train(5)
    later = s.state()
    for k, (before, after) in enumerate(zip(first["network"]["weights"], later["network"]["weights"])):
        before, after = np.array(before), np.array(after)
        expected = np.linalg.norm(after - before) / np.linalg.norm(after) / 5
        assert later["health"]["update_ratio"][k] == pytest.approx(expected)
