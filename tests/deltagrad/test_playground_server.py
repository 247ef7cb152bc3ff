"""The playground without a browser: its numbers (scalar engine vs replay vs nn.deltas vs nn's
losses), its HTTP API (checks, 400s, the Host check), its command line and its recorded page."""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value
from deltagrad.playground import Config, Session, configure, record, start
from deltagrad.cli import main as deltagrad_main


def main(argv):
    """``deltagrad playground ARGV``."""
    return deltagrad_main(["playground", *argv])
from deltagrad.playground.config import HEADS
from deltagrad.playground.recorder import default_steps
from deltagrad.playground.server import TOKEN_HEADER
from nn import deltas

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"samples": 40, "hidden": [3, 2], "activations": ["tanh", "sigmoid"]}


def session(**change) -> Session:
    return Session(configure(Config(), {**SMALL, **change}), playing=True)


# -- the numbers ------------------------------------------------------------------------------

HEAD_CASES = [("moons", "sigmoid+bce"), ("xor", "softmax+ce"), ("spiral", "softmax+ce"), ("circles", "linear+hinge"),
              ("sine", "linear+mse"), ("sine", "linear+mae"), ("sine", "linear+huber")]


@pytest.mark.parametrize("dataset, head", HEAD_CASES)
def test_the_scalar_engines_numbers_agree_with_the_replay(dataset, head):
    s = session(dataset=dataset, head=head, l2=0.01, activations=["relu", "tanh"])
    s.train(15)
    params = s.model.parameters()
    for index in (0, 7, 23):
        detail = s.sample(index)
        loss, grads = s.replay(index)
        assert detail["loss"] == pytest.approx(loss, abs=1e-12)
        engine = {p: g for layer, model_layer in zip(detail["layers"], s.model.layers)
                  for unit, neuron in zip(layer["units"], model_layer.neurons)
                  for p, g in zip(neuron.w + [neuron.b], unit["grad_w"] + [unit["grad_b"]])}
        assert [engine[p] for p in params] == pytest.approx(grads, abs=1e-12)
        assert detail["replay"]["difference"] < 1e-12
        # and the logits the replay computes for the pictures
        assert detail["replay"]["logits"] == pytest.approx([u["v"] for u in detail["layers"][-1]["units"]], abs=1e-12)


@pytest.mark.parametrize("dataset, head", [case for case in HEAD_CASES if HEADS[case[1]].deltas_loss])
def test_every_delta_and_weight_gradient_matches_nn_deltas(dataset, head):
    s = session(dataset=dataset, head=head)
    s.train(10)
    for index in (2, 11):
        detail = s.sample(index)
        target = int(s.y[index]) if HEADS[head].deltas_loss == "ce" else float(s.y[index])
        hand = deltas.backprop(s.model, s.X[index].tolist(), target, loss=HEADS[head].deltas_loss)
        for k, layer in enumerate(detail["layers"]):
            assert [u["delta"] for u in layer["units"]] == pytest.approx(hand.delta[k][0].tolist(), rel=1e-9, abs=1e-12)
            assert np.array([u["grad_w"] for u in layer["units"]]) == pytest.approx(hand.grad_w[k], rel=1e-9, abs=1e-12)
            assert [u["v"] for u in layer["units"]] == pytest.approx(hand.v[k][0].tolist(), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("dataset, head", HEAD_CASES)
def test_the_numbers_the_page_writes_into_the_lectures_formulas(dataset, head):
    s = session(dataset=dataset, head=head, activations=["elu", "softplus"])
    s.train(5)
    d = s.sample(4)
    layers, weights = d["layers"], d["weights"]
    x = d["x"]
    for k, layer in enumerate(layers):
        inputs = x if k == 0 else [u["y"] for u in layers[k - 1]["units"]]
        for j, unit in enumerate(layer["units"]):
            # ∂J/∂w_ji = −δ_j·y_i and ∂J/∂b_j = −δ_j
            assert unit["grad_w"] == pytest.approx([-unit["delta"] * y for y in inputs], rel=1e-12, abs=1e-15)
            assert unit["grad_b"] == pytest.approx(-unit["delta"], abs=1e-15)
            assert unit["v"] == pytest.approx(sum(w * y for w, y in zip(weights[k][j], inputs)) + s.model.layers[k].neurons[j].b.data)
            if k < len(layers) - 1:  # δ_j = φ'(v_j)·Σ_l δ_l·w_lj
                back = sum(n["delta"] * weights[k + 1][l][j] for l, n in enumerate(layers[k + 1]["units"]))
                assert unit["delta"] == pytest.approx(unit["dphi"] * back, rel=1e-9, abs=1e-15)
    out = layers[-1]["units"]
    e = [t - u["y"] for t, u in zip(d["t"], out)]
    expected_slope = {  # −∂J/∂y by hand, per loss
        "sse": lambda: e,  # J = ½e²
        "mae": lambda: [math.copysign(1.0, a) for a in e],
        "huber": lambda: [max(-1.0, min(1.0, a)) for a in e],
        "hinge": lambda: [t if t * u["y"] < 1 else 0.0 for t, u in zip(d["t"], out)],
    }
    if d["slope"] is None:  # sigmoid + BCE, softmax + CE: δ = t − y outright
        assert [u["delta"] for u in out] == pytest.approx(e, abs=1e-12)
    else:
        assert d["minus_dj_dy"] == pytest.approx(expected_slope[d["loss_name"]](), abs=1e-12)
        assert [u["delta"] for u in out] == pytest.approx([m * u["dphi"] for m, u in zip(d["minus_dj_dy"], out)], abs=1e-15)


def test_phi_prime_is_the_activations_derivative():
    s = session(activations=["sigmoid", "tanh"])
    d = s.sample(0)
    for unit in d["layers"][0]["units"]:
        assert unit["dphi"] == pytest.approx(unit["y"] * (1 - unit["y"]), rel=1e-12)
    for unit in d["layers"][1]["units"]:
        assert unit["dphi"] == pytest.approx(1 - unit["y"] ** 2, rel=1e-12)


def test_a_diverging_run_stops_itself_and_says_so():
    s = session(dataset="sine", head="linear+mse", optimizer="sgd", lr=10.0, momentum=0.9, activations=["relu", "relu"],
                hidden=[16, 16], batch_size=40)
    assert s.train(200) < 200
    state = s.state()
    assert state["status"] == "diverged" and "diverged" in state["message"] and "learning rate" in state["message"]
    json.loads(json.dumps(state, allow_nan=False))  # still valid JSON: no NaN on the page
    assert s.train(5) == 0  # it stays stopped


def test_the_data_in_the_state_is_made_once_and_is_the_data(monkeypatch):
    from deltagrad.playground import session as session_module

    s = session(noise=0.3)
    first = s.state()
    expected = {"x": np.round(s.X, 4).tolist(), "y": s.y.tolist(), "test": []}  # by hand: the points rounded to 4 places
    assert json.dumps(first["data"]) == json.dumps(expected)
    calls = []
    real_finite_list = session_module.finite_list
    monkeypatch.setattr(session_module, "finite_list", lambda values, *a: calls.append(np.shape(values))
                        or real_finite_list(values, *a))
    s.train(2)
    later = s.state()
    assert later["data"] == expected and s.X.shape not in calls  # X and y never change: not converted again


def test_max_steps_finishes_a_run():
    s = session(max_steps=7)
    assert s.train(100) == 7
    assert s.status == "finished" and "max_steps" in s.message


# -- settings ---------------------------------------------------------------------------------

def test_configure_follows_the_task_and_the_layers():
    c = configure(Config(), {"dataset": "spiral"})
    assert c.head == "softmax+ce" and c.noise == 0.2
    c = configure(c, {"hidden": [4, 4, 4]})
    assert c.activations == ("tanh", "tanh", "tanh")
    with pytest.raises(ValueError, match="head"):
        configure(c, {"head": "sigmoid+bce"})
    with pytest.raises(ValueError, match="activations"):
        configure(c, {"hidden": [4], "activations": ["relu", "relu"]})


# -- the HTTP API -----------------------------------------------------------------------------

@pytest.fixture
def server():
    running = start(configure(Config(), SMALL), port=0, playing=False)
    yield running
    running.stop()


def request(server, method, path, body=None, headers=None, raw=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    sent = {"Content-Type": "application/json"} if body is not None or raw is not None else {}
    sent[TOKEN_HEADER] = server.server.token  # what the page sends
    sent.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, (json.loads(payload) if "json" in kind else payload.decode()), response


def test_the_page_and_its_assets(server):
    status, page, response = request(server, "GET", "/")
    assert status == 200 and "deltagrad <span>playground</span>" in page
    assert f'<script src="/playground.js" data-token="{server.server.token}">' in page
    assert "default-src 'none'" in response.getheader("Content-Security-Policy")
    for path, kind in (("/playground.js", "javascript"), ("/playground.css", "css")):
        status, _, response = request(server, "GET", path)
        assert status == 200 and kind in response.getheader("Content-Type")
    for path in ("/nothing", "/static/playground.js", "/../../etc/passwd", "/api/secret"):
        status, body, _ = request(server, "GET", path)
        assert status == 404 and "error" in body


@pytest.mark.parametrize("host, allowed", [("127.0.0.1:{port}", True), ("localhost:{port}", True),
                                           ("evil.example:{port}", False), ("127.0.0.1", False),
                                           ("localhost:1", False), ("127.0.0.1.evil.example:{port}", False)])
def test_the_host_header_must_be_this_server(server, host, allowed):
    status, body, _ = request(server, "GET", "/api/state", headers={"Host": host.format(port=server.server.port)})
    assert status == (200 if allowed else 403)
    if not allowed:
        assert "Host" in body["error"]


def test_a_request_without_host_is_refused(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    connection.putrequest("GET", "/api/state", skip_host=True)
    connection.endheaders()
    assert connection.getresponse().status == 403


BAD_SETTINGS = [
    ({"lr": -1}, "lr"), ({"lr": "x"}, "lr"), ({"lr": 1e9}, "lr"), ({"lr": 0}, "lr"),
    ({"hidden": [99]}, r"hidden\[0\]"), ({"hidden": [2] * 7}, "hidden"), ({"hidden": "8,8"}, "hidden"),
    ({"hidden": [2.5]}, r"hidden\[0\]"), ({"activations": ["nope", "tanh"]}, r"activations\[0\]"),
    ({"samples": 0}, "samples"), ({"samples": 10**9}, "samples"), ({"batch_size": 0}, "batch_size"),
    ({"max_steps": 10**7}, "max_steps"), ({"noise": -0.1}, "noise"), ({"momentum": 1}, "momentum"),
    ({"dataset": "mnist"}, "dataset"), ({"head": "linear+mse"}, "head"), ({"speed": True}, "speed"),
    ({"bogus": 1}, "bogus"), ([1, 2], "settings"),
]


@pytest.mark.parametrize("change, name", BAD_SETTINGS)
def test_a_bad_setting_is_a_400_naming_it_and_training_goes_on(server, change, name):
    request(server, "POST", "/api/control", {"action": "play"})
    status, body, _ = request(server, "POST", "/api/config", change)
    assert status == 400 and re.search(name, body["error"])
    status, state, _ = request(server, "GET", "/api/state")
    assert status == 200 and state["status"] == "running" and state["config"]["hidden"] == SMALL["hidden"]


@pytest.mark.parametrize("raw, headers, code", [
    (b"{not json", {}, 400), (b'{"lr": NaN}', {}, 400), (b"\xff\xfe", {}, 400),
    (b'{"lr": 0.1}', {"Content-Type": "text/plain"}, 415),
    (b'{"lr": 0.1}', {"Origin": "http://evil.example"}, 403),
    (b"{" + b" " * 70000 + b"}", {}, 413),  # MAX_BODY: 64 KiB
])
def test_a_bad_body_is_refused(server, raw, headers, code):
    status, body, _ = request(server, "POST", "/api/config", raw=raw, headers=headers)
    assert status == code and "error" in body
    assert request(server, "GET", "/api/config")[2].status == 200


def test_controls_and_versions(server):
    _, state, _ = request(server, "GET", "/api/state")
    assert state["status"] == "paused" and state["step"] == 0
    _, unchanged, _ = request(server, "GET", f"/api/state?since={state['version']}")
    assert unchanged == {"unchanged": True, "version": state["version"]}
    _, answer, _ = request(server, "POST", "/api/control", {"action": "step", "count": 5})
    _, state, _ = request(server, "GET", "/api/state")
    assert state["step"] == 5 and state["curve"]["step"] == [0, 1, 2, 3, 4, 5]
    assert state["version"] == answer["version"]
    for body, name in (({"action": "jump"}, "action"), ({"action": "step", "count": 0}, "count"),
                       ({"action": "step", "count": 10**6}, "count"), ({"action": "play", "x": 1}, "x")):
        status, error, _ = request(server, "POST", "/api/control", body)
        assert status == 400 and name in error["error"]


def test_training_runs_in_the_background_and_pause_stops_it(server):
    request(server, "POST", "/api/config", {"speed": 1000})
    request(server, "POST", "/api/control", {"action": "play"})
    for _ in range(200):  # a bounded wait for the trainer thread, not a timing test
        state = request(server, "GET", "/api/state")[1]
        if state["step"] >= 20:
            break
        time.sleep(0.02)
    assert state["step"] >= 20 and state["loss"] is not None
    request(server, "POST", "/api/control", {"action": "pause"})
    paused = request(server, "GET", "/api/state")[1]["step"]
    time.sleep(0.2)
    assert request(server, "GET", "/api/state")[1]["step"] == paused


def test_settings_that_change_the_network_start_a_new_run(server):
    request(server, "POST", "/api/control", {"action": "step", "count": 3})
    _, settings, _ = request(server, "POST", "/api/config", {"lr": 0.1})
    assert settings["config"]["lr"] == 0.1
    state = request(server, "GET", "/api/state")[1]
    assert state["run"] == 0 and state["step"] == 3  # the same run goes on
    request(server, "POST", "/api/config", {"hidden": [5]})
    state = request(server, "GET", "/api/state")[1]
    assert state["run"] == 1 and state["step"] == 0 and state["network"]["sizes"] == [2, 5, 1]
    request(server, "POST", "/api/control", {"action": "reset"})
    assert request(server, "GET", "/api/state")[1]["run"] == 2


def test_sample_and_its_step_through_page(server):
    status, detail, _ = request(server, "GET", "/api/sample?index=3")
    assert status == 200 and detail["index"] == 3 and len(detail["layers"]) == 3
    for query in ("index=-1", "index=40", "index=abc", "", "index=1e3"):
        status, body, _ = request(server, "GET", f"/api/sample?{query}")
        assert status == 400 and "index" in body["error"]
    status, page, _ = request(server, "GET", "/steps?index=3")
    assert status == 200 and "backward of J" in page and "L0.N0.v" in page
    status, page, _ = request(server, "GET", "/steps?index=99")
    assert status == 400 and "index must be from 0 to 39" in page and page.startswith("<!DOCTYPE html>")
    request(server, "POST", "/api/config", {"hidden": [16, 16, 16]})  # a sample graph too big for one page
    status, page, _ = request(server, "GET", "/steps?index=3")
    assert status == 400 and "nodes" in page


def test_the_state_is_json_without_nan_and_draws_regions(server):
    _, state, _ = request(server, "GET", "/api/state")
    grid = state["view"]["grid"]
    assert len(grid["probs"]) == 2 and len(grid["probs"][0]) == grid["size"] ** 2
    assert all(0 <= p <= 1 for p in grid["probs"][1])
    assert np.allclose(np.sum(grid["probs"], axis=0), 1, atol=2e-3)


# -- a diverged run (issue 23, failure 4) ------------------------------------------------------

# Diverges within a few updates: its loss becomes inf, then its numbers inf and NaN.
DIVERGING = {"dataset": "sine", "lr": 10, "optimizer": "sgd", "hidden": [4, 4],
             "activations": ["linear", "linear"], "batch_size": 1, "samples": 20}


def strict_json(text: str):
    """Parse as a browser's JSON.parse does: NaN and Infinity are not JSON."""
    def refuse(name):
        raise ValueError(f"{name} in the JSON")
    return json.loads(text, parse_constant=refuse)


def page_value(x):
    """A number as the page's script reads it back (the strings of page.NON_FINITE as numbers)."""
    if isinstance(x, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(x, x)
    return x


def numbers(data):
    """Every number in nested JSON-ready data, in order (non-finite ones as the page reads them)."""
    if isinstance(data, dict):
        return [n for value in data.values() for n in numbers(value)]
    if isinstance(data, (list, tuple)):
        return [n for item in data for n in numbers(item)]
    value = page_value(data)
    return [value] if isinstance(value, float) else []


def same_numbers(shown, held) -> bool:
    """Whether the page's data holds the same numbers (NaN where NaN) as the session's."""
    a, b = numbers(shown), numbers(held)
    same = [x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b)]
    return len(a) == len(b) and all(same)


def test_json_ready_writes_nan_and_infinities_as_strings():
    from deltagrad.playground.page import json_ready, to_json

    data = {"a": [1.5, math.nan, (math.inf, -math.inf)], "b": "NaN text", "c": None, "d": 3}
    expected = {"a": [1.5, "NaN", ["Infinity", "-Infinity"]], "b": "NaN text", "c": None, "d": 3}
    assert json_ready(data) == expected
    assert strict_json(to_json(data))["a"][2] == ["Infinity", "-Infinity"]
    assert to_json({"x": [0.1, -2.0]}) == json.dumps({"x": [0.1, -2.0]})  # finite: as always


def test_a_diverged_runs_samples_are_answered_with_their_non_finite_numbers(server):
    request(server, "POST", "/api/config", DIVERGING)
    _, answer, _ = request(server, "POST", "/api/control", {"action": "step", "count": 50})
    assert answer["status"] == "diverged"
    session = server.playground.session
    non_finite = 0
    for index in (0, 7, 19):
        connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
        connection.request("GET", f"/api/sample?index={index}",
                           headers={TOKEN_HEADER: server.server.token})
        response = connection.getresponse()
        assert response.status == 200  # was: 400 "Out of range float values are not JSON compliant"
        detail = strict_json(response.read())
        connection.close()
        assert same_numbers(detail, session.sample(index))
        non_finite += sum(not math.isfinite(x) for x in numbers(detail))
    assert non_finite > 0  # the case is the one of the issue: there were NaNs or infinities to send
    state = strict_json(json.dumps(request(server, "GET", "/api/state")[1]))
    assert state["status"] == "diverged" and "diverged" in state["message"]


def test_a_diverged_run_is_recorded_and_its_last_snapshot_says_so(tmp_path):
    done = record(tmp_path / "d.html", configure(Config(), DIVERGING), steps=200, samples=3)
    assert done.status == "diverged" and "diverged" in done.message and done.steps[-1] < 200
    text = done.path.read_text(encoding="utf-8")
    held = re.search(r'<script type="application/json" id="recording">(.*?)</script>', text, re.S)
    data = strict_json(held.group(1))
    last = data["snapshots"][-1]
    assert last["status"] == "diverged" and last["message"] == done.message
    assert last["step"] == done.steps[-1]
    shown = [n for i in done.samples for n in numbers(last["samples"][str(i)])]
    assert any(not math.isfinite(x) for x in shown)
    again = Session(configure(Config(), {**DIVERGING, "max_steps": 100_000}))  # the same run again
    again.train(done.steps[-1] + 1)
    assert again.status == "diverged"
    assert same_numbers(last["samples"][str(done.samples[0])], again.sample(done.samples[0]))


def test_record_of_a_diverging_run_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "d.html"
    argv = ["sine", "--record", str(path), "--lr", "10", "--optimizer", "sgd", "--hidden", "4,4",
            "--activation", "linear", "--batch-size", "1", "--samples", "20"]
    assert main(argv) == 0  # was: exit 2, "Out of range float values are not JSON...", no page
    out = capsys.readouterr().out
    assert "wrote" in out and "diverged at step" in out
    assert _recording(path)["snapshots"][-1]["status"] == "diverged"


# -- the recorded page ------------------------------------------------------------------------

def _recording(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="recording">(.*?)</script>', text, re.S).group(1))


def test_the_record_page_is_self_contained_and_holds_the_run(tmp_path):
    config = configure(Config(), SMALL)
    done = record(tmp_path / "run.html", config, steps=20, at=[0, 5, 20], samples=3)
    assert done.steps == [0, 5, 20] and len(done.samples) == 3
    text = done.path.read_text(encoding="utf-8")
    assert "<script src=" not in text and 'rel="stylesheet"' not in text and "fetch(" in text  # fetch: the live code path
    data = _recording(done.path)
    assert [s["step"] for s in data["snapshots"]] == [0, 5, 20]
    again = Session(config)  # the same run, trained again: the same numbers
    again.train(5)
    snapshot = data["snapshots"][1]
    assert snapshot["loss"] == again.measure()[0]  # the weights after 5 updates
    assert data["snapshots"][0]["loss"] == again.losses[0]  # step 0 shows the initial loss
    i = done.samples[0]
    assert snapshot["samples"][str(i)]["layers"][0]["units"][0]["delta"] == again.sample(i)["layers"][0]["units"][0]["delta"]


def test_default_snapshot_steps():
    assert default_steps(500) == [0, 1, 2, 5, 10, 20, 50, 100, 200, 500]
    assert default_steps(30) == [0, 1, 2, 5, 10, 20, 30]


def test_record_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="steps"):
        record(tmp_path / "x.html", steps=0)
    with pytest.raises(ValueError, match=r"at\[1\]"):
        record(tmp_path / "x.html", steps=10, at=[0, 11])
    with pytest.raises(IsADirectoryError, match="record"):
        record(tmp_path, steps=1)


# -- the command line -------------------------------------------------------------------------

@pytest.mark.parametrize("argv, name", [(["--lr", "-1"], "lr"), (["--hidden", "8,99"], "hidden"),
                                        (["--activation", "nope"], "activations"), (["--port", "70000"], "port"),
                                        (["mnist"], "DATASET"), (["--lr", "abc"], "lr"),
                                        (["sine", "--head", "sigmoid+bce"], "head")])
def test_bad_arguments_are_one_line_and_status_2(capsys, argv, name):
    try:
        status = main(argv)
    except SystemExit as exit:  # argparse's own checks
        status = exit.code
    assert status == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and name in error and "Traceback" not in error


def test_a_port_in_use_is_one_line_and_status_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["--no-browser", "--port", str(taken.getsockname()[1])]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "in use" in error


def test_the_command_raises_and_leaves_the_error_line_to_the_dispatcher(capsys):
    from deltagrad.cli import build_parser

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        args = build_parser().parse_args(["playground", "--no-browser", "--port", str(taken.getsockname()[1])])
        with pytest.raises(OSError, match="--port"):
            args.run(args)
    with pytest.raises(ValueError, match="lr"):
        args.run(build_parser().parse_args(["playground", "--lr", "-1"]))
    assert capsys.readouterr().err == ""  # printed once, by deltagrad.cli, never here as well


@pytest.mark.parametrize("argv, option", [(["--steps", "50"], "--steps"), (["--at", "0,10"], "--at")])
def test_record_options_without_record_are_an_error(capsys, argv, option):
    # before: silently ignored, and the server started
    assert main(["--no-browser", "--port", "0", *argv]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and option in error and "--record" in error


def test_every_setting_has_its_option_and_the_help_shows_config_s_defaults():
    from deltagrad.cli import build_parser
    from deltagrad.playground.command import SETTINGS
    from deltagrad.playground.config import CHECKS, OPTIMIZERS

    assert set(SETTINGS) | {"dataset", "data"} == set(CHECKS)  # DATASET gives these two
    args = build_parser().parse_args(["playground"])
    assert all(hasattr(args, name) for name in SETTINGS)
    subparsers = build_parser()._subparsers._group_actions[0]
    actions = {a.dest: a for a in subparsers.choices["playground"]._actions}
    assert actions["optimizer"].choices == list(OPTIMIZERS)
    defaults = Config()
    assert f"default: {defaults.lr:g}" in actions["lr"].help and f"default: {defaults.max_steps}" in actions["max_steps"].help


def test_the_options_are_built_once(monkeypatch):
    from deltagrad.playground import server as server_module

    def rebuilt():
        raise AssertionError("options() was called again")

    monkeypatch.setattr(server_module, "options", rebuilt)
    playground = server_module.Playground(configure(Config(), SMALL), playing=False)
    first = playground.settings()
    assert playground.change({"lr": 0.1})["options"] == first["options"]
    assert first["options"]["optimizers"] == ["adam", "sgd"] and first["options"]["limits"]["width"] == 16


def test_record_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "out" / "run.html"
    assert main(["xor", "--record", str(path), "--steps", "12", "--hidden", "4", "--activation", "relu"]) == 0
    assert "wrote" in capsys.readouterr().out
    data = _recording(path)
    assert data["snapshots"][-1]["step"] == 12 and data["snapshots"][-1]["config"]["activations"] == ["relu"]


@pytest.mark.parametrize("name", ["r.txt", "run"])
def test_record_writes_only_an_html_page(tmp_path, capsys, name):
    assert main(["--record", str(tmp_path / name), "--steps", "2", "--samples", "20"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--record" in error and ".html" in error
    assert not (tmp_path / name).exists()


def test_ctrl_c_stops_the_server_cleanly():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "deltagrad.playground", "--no-browser", "--port", "0", "--samples", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # a background shell may ignore SIGINT
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert url, line + process.stderr.read()
        connection = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=10)
        connection.request("GET", "/api/config")
        assert connection.getresponse().status == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)  # a guard against a hang, not a timing test
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "stopped" in out and "Traceback" not in err
