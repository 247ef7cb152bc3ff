"""The playground's page in a real browser: Playwright driving Debian's Chromium (never a browser
Playwright downloads). Every test also checks that the page logged no console error."""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import threading

import playwright.sync_api as playwright
import pytest

from deltagrad.playground import Config, configure, record, start
from nn import deltas

from ..tools import program

CHROMIUM = program("chromium", "chromium-browser", install="sudo apt-get install -y chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: `make test` installs it with apt-get when allowed "
                             "(or: sudo apt-get install -y chromium)")

SMALL = {"samples": 40, "hidden": [3, 2], "activations": ["tanh", "sigmoid"], "seed": 3}
UNITS = 2 + 3 + 2 + 1  # inputs, two hidden layers, the output
SMALL_LR = Config().lr


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        # --no-sandbox: Chromium refuses to start as root (CI containers) without it; it only visits local pages.
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(5000)
    page.expected_errors = []  # what a test provokes on purpose (a 400 it sends)
    yield page
    page.close()
    unexpected = [e for e in errors if not any(expected in e for expected in page.expected_errors)]
    assert unexpected == [], f"console errors: {unexpected}"


def serve(playing: bool, **change):
    return start(configure(Config(), {**SMALL, **change}), port=0, playing=playing)


def step_count(page) -> int:
    return int(page.inner_text("#step"))


def wait_until(page, condition, what: str, attempts: int = 100) -> None:
    """Poll ``condition()`` from Python (the page's CSP forbids Playwright's evaluated predicates)."""
    for _ in range(attempts):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the page never showed {what}")


def units(page) -> int:
    return page.locator("#network .unit").count()


def click_sample(page, running, index: int) -> None:
    """Click data point ``index`` where the page draws it (the canvas's pixels are CSS pixels)."""
    state = running.playground.state()
    frame, (x0, x1) = state["view"]["frame"], state["data"]["x"][index]
    size = page.eval_on_selector("#data", "c => c.width")
    px = (x0 - frame["x0"][0]) / (frame["x0"][1] - frame["x0"][0]) * size
    py = size - (x1 - frame["x1"][0]) / (frame["x1"][1] - frame["x1"][0]) * size
    page.click("#data", position={"x": px, "y": py})
    page.wait_for_selector(f"#sample h3:has-text('sample #{index}')")


def test_the_page_loads_and_trains_and_pause_stops_it(page):
    with serve(playing=True, speed=200) as running:
        page.goto(running.url)
        wait_until(page, lambda: units(page) == UNITS, "the network")
        wait_until(page, lambda: step_count(page) > 3, "training")
        first_step, first_loss = step_count(page), page.inner_text("#loss")
        wait_until(page, lambda: step_count(page) > first_step + 5, "the step counter moving")
        # shown to 3 digits, the loss may sit still for a few steps: wait (bounded) for it to move
        wait_until(page, lambda: page.inner_text("#loss") != first_loss, "the loss changing", attempts=200)
        assert page.inner_text("#badge") == "running"
        page.click("#play")
        page.wait_for_selector("#badge.paused")
        paused = step_count(page)
        page.wait_for_timeout(600)
        assert step_count(page) == paused == running.playground.state()["step"]
        page.click("#one")
        wait_until(page, lambda: step_count(page) == paused + 1, "one more step")


def test_changing_the_architecture_resets_the_diagram(page):
    with serve(playing=False) as running:
        page.goto(running.url)
        wait_until(page, lambda: units(page) == UNITS, "the network")
        page.click("#one")
        wait_until(page, lambda: step_count(page) == 1, "one step")
        page.click("#add-layer")  # a third hidden layer of 4 units
        wait_until(page, lambda: units(page) == UNITS + 4, "the new layer")
        assert page.inner_text("#step") == "0"
        assert page.locator("#network .edge").count() == 2 * 3 + 3 * 2 + 2 * 4 + 4 * 1
        width = page.locator("#layers .layer input").first
        width.fill("5")
        width.press("Enter")
        wait_until(page, lambda: units(page) == UNITS + 4 + 2, "the wider layer")
        assert running.playground.state()["network"]["sizes"] == [2, 5, 2, 4, 1]


def test_clicking_a_sample_opens_its_graph(page):
    with serve(playing=False) as running:
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        click_sample(page, running, 7)
        with page.expect_popup() as opened:
            page.click("#steps-link")
        graph = opened.value
        graph.wait_for_load_state()
        assert "backward of J" in graph.title()
        assert graph.locator("svg, table").count() > 0 and "L0.N0.v" in graph.content()
        graph.close()


def test_clicking_a_unit_shows_its_delta_with_the_numbers_of_nn_deltas(page):
    with serve(playing=False, dataset="circles") as running:
        running.playground.control("step", 20)  # weights that are not the initial ones
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        index = 5
        click_sample(page, running, index)
        session = running.playground.session
        hand = deltas.backprop(session.model, session.X[index].tolist(), float(session.y[index]), loss="bce")
        for layer, unit in ((0, 1), (1, 0), (2, 0)):  # hidden, hidden, the output
            page.click(f"#network .unit[data-layer='{layer}'][data-unit='{unit}']")
            shown = float(page.get_attribute("#explain .result", "data-value"))
            assert shown == pytest.approx(hand.delta[layer][0][unit], rel=1e-9, abs=1e-15)
            assert "δ" in page.inner_text("#explain .formula")
            if layer < 2:  # the numbers of φ'(v_j)·Σ_l δ_l w_lj are on the page
                assert "φ′(v" in page.inner_text("#explain .formula") and "×" in page.inner_text("#explain")
        page.click("#network .edge[data-layer='1'][data-unit='1'][data-input='2']", force=True)
        shown = float(page.get_attribute("#explain .result", "data-value"))
        assert shown == pytest.approx(hand.grad_w[1][1][2], rel=1e-9, abs=1e-15)
        assert "−δ" in page.inner_text("#explain .formula")


def test_a_bad_parameter_shows_the_servers_error(page):
    with serve(playing=True) as running:
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        page.expected_errors.append("status of 400 (Bad Request)")  # the browser logs every 4xx answer
        page.fill("#lr", "-1")
        page.press("#lr", "Enter")
        page.wait_for_selector("#error:not([hidden])")
        assert "lr must be > 0" in page.inner_text("#error")
        wait_until(page, lambda: page.input_value("#lr") == "0.03", "the setting in force again")
        assert running.playground.state()["status"] == "running"
        page.fill("#lr", "0.05")
        page.press("#lr", "Enter")
        wait_until(page, lambda: page.locator("#error").is_hidden(), "the error going away")
        assert running.playground.state()["config"]["lr"] == 0.05


def test_the_recorded_page_works_offline(page, tmp_path):
    done = record(tmp_path / "run.html", configure(Config(), SMALL), steps=30, at=[0, 10, 30], samples=2)
    page.goto(done.path.as_uri())
    page.wait_for_selector("#sample h3")
    assert page.inner_text("#step") == "30"
    page.eval_on_selector("#slider", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }")
    assert page.inner_text("#step") == "0"
    page.click("#network .unit[data-layer='0'][data-unit='0']")
    shown = float(page.get_attribute("#explain .result", "data-value"))
    snapshot = page.evaluate("JSON.parse(document.getElementById('recording').textContent).snapshots[0]")
    assert shown == snapshot["samples"][str(done.samples[0])]["layers"][0]["units"][0]["delta"]
    assert page.locator("#controls").is_hidden()


# -- pages of other sites (issue 23, failure 1) ---------------------------------------------------

# A page of another site: an <img> asks for a step-through page (dot runs for each), then a
# text/plain form posts a body that is a whole JSON request setting lr (request smuggling).
ATTACK = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>elsewhere</title></head><body>
<img id="graph" src="{target}steps?index=0" alt="">
<form id="form" method="POST" action="{target}api/control" enctype="text/plain">
<input type="hidden" id="field"></form>
<script>
const field = document.getElementById("field");
field.name = {name};
field.value = {value};
const graph = document.getElementById("graph");
const go = () => document.getElementById("form").submit();
if (graph.complete) go(); else graph.onload = graph.onerror = go;
</script></body></html>"""


def attack_page(port: int) -> str:
    name = f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Pad: a"
    value = 'b\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"lr": 7.5}'
    target = f"http://127.0.0.1:{port}/"
    return ATTACK.format(target=target, name=json.dumps(name), value=json.dumps(value))


@contextlib.contextmanager
def elsewhere(html: str):
    """A plain server on another port of 127.0.0.1 that sends ``html`` for every GET."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = html.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield other.server_address[1]
    finally:
        other.shutdown()
        other.server_close()


# another site (localhost is not 127.0.0.1), the same site on another port, a file:// page
@pytest.mark.parametrize("where", ["localhost", "127.0.0.1", "file"])
def test_a_page_of_another_site_cannot_drive_the_playground(browser, tmp_path, where):
    with serve(playing=False) as running, elsewhere(attack_page(running.server.port)) as port:
        drawn = []
        real = running.playground.steps_page
        running.playground.steps_page = lambda index: drawn.append(index) or real(index)
        if where == "file":
            path = tmp_path / "attack.html"
            path.write_text(attack_page(running.server.port), encoding="utf-8")
            url = path.as_uri()
        else:
            url = f"http://{where}:{port}/attack.html"
        page = browser.new_page()
        try:
            page.goto(url)
            page.wait_for_url(re.compile(r".*/api/control$"), timeout=10_000)  # the form was sent
            page.wait_for_timeout(300)  # time for a smuggled request to arrive, if one was read
        finally:
            page.close()
        state = running.playground.state()
        assert state["config"]["lr"] == SMALL_LR and state["step"] == 0
        assert drawn == []  # the <img> made no step-through page


# -- a diverged run (issue 23, failure 4) -------------------------------------------------------

DIVERGING = {"dataset": "sine", "lr": 10, "optimizer": "sgd", "hidden": [4, 4],
             "activations": ["linear", "linear"], "batch_size": 1, "samples": 20}


# an edge into the output unit
OUTPUT_EDGE = "#network .edge[data-layer='2'][data-unit='0'][data-input='0']"


def shows_non_finite(text: str) -> bool:
    return "NaN" in text or "∞" in text


def test_a_diverged_recording_shows_nan_and_infinities(page, tmp_path):
    done = record(tmp_path / "d.html", configure(Config(), DIVERGING), steps=100, samples=2)
    assert done.status == "diverged"
    page.goto(done.path.as_uri())
    page.wait_for_selector("#sample h3")
    assert page.inner_text("#badge") == "diverged"
    assert "diverged at step" in page.inner_text("#message")
    assert shows_non_finite(page.inner_text("#sample h3"))  # J = ∞ (or NaN)
    page.click(OUTPUT_EDGE, force=True)
    assert "∂J/∂w" in page.inner_text("#explain .formula")


def test_a_diverged_live_run_shows_a_samples_numbers(page):
    with serve(playing=False, **DIVERGING) as running:
        assert running.playground.control("step", 50)["status"] == "diverged"
        page.goto(running.url)
        page.wait_for_selector("#badge.diverged")
        page.click(OUTPUT_EDGE, force=True)  # selects sample 0 too
        page.wait_for_selector("#sample h3")  # was: the server's 400, shown as an error
        assert page.locator("#error").is_hidden()
        assert shows_non_finite(page.inner_text("#sample h3"))  # J = ∞ (or NaN)


def test_the_page_opens_at_step_0_with_its_loss_and_a_step_shows_its_update(page, tmp_path):
    with serve(playing=False) as running:
        page.goto(running.url)
        wait_until(page, lambda: units(page) == UNITS, "the network")
        initial = running.playground.state()["loss"]
        assert step_count(page) == 0 and page.inner_text("#badge") == "paused"
        assert page.inner_text("#loss") not in ("—", "") and float(page.inner_text("#loss")) == pytest.approx(initial, rel=1e-3)
        assert page.inner_text("#accuracy").endswith("%") and page.inner_text("#play") == "play"
        assert page.locator("#update").inner_text() == ""
        page.click("#one")
        wait_until(page, lambda: step_count(page) == 1, "one step")
        wait_until(page, lambda: "step 1's update" in page.inner_text("#update"), "the update")
        update = running.playground.state()["network"]["update"]
        width = page.eval_on_selector("#network .edge .change", "e => Number(e.getAttribute('stroke-width'))")
        assert update["step"] == 1 and width > 0
        title = page.locator("#network .edge title").first.text_content()
        assert "Δw in step 1" in title
        page.screenshot(path=str(tmp_path / "step.png"))
        page.goto("about:blank")  # no poll left to fail when the server stops
