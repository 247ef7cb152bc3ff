"""The playground as a lab in a real browser (Playwright driving Debian's Chromium): points added,
moved and deleted by clicking, a pasted CSV, a CSV from the command line, the held-out data's
curve, and the three downloads loaded back."""

from __future__ import annotations

import json

import pytest

import nn
from deltagrad.playground import Config, configure, start
from deltagrad.playground.config import CUSTOM
from deltagrad.playground.options import dataset_change

from .test_playground_browser import CHROMIUM, SMALL, browser, page, step_count, wait_until  # noqa: F401

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
SHOTS = None  # set to a folder to keep the screenshots


def serve(**change):
    return start(configure(Config(), {**SMALL, **change}), port=0, playing=False)


def points(running) -> int:
    return len(running.playground.state()["data"]["y"])


def pixel(running, index, page):
    state = running.playground.state()
    frame, (x0, x1) = state["view"]["frame"], state["data"]["x"][index]
    size = page.eval_on_selector("#data", "c => c.width")
    return (
        (x0 - frame["x0"][0]) / (frame["x0"][1] - frame["x0"][0]) * size,
        size - (x1 - frame["x1"][0]) / (frame["x1"][1] - frame["x1"][0]) * size,
    )


def shot(page, tmp_path, name):
    page.screenshot(path=str((SHOTS or tmp_path) / name))


def test_add_move_and_delete_points_by_clicking(page, tmp_path):
    with serve() as running:
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        frame = running.playground.state()["view"]["frame"]  # the picture clicked in
        page.click("#data", position={"x": 12, "y": 12})  # the top-left corner: no point there
        wait_until(page, lambda: points(running) == 41, "the added point")
        state = running.playground.state()
        assert state["data"]["y"][-1] == 0 and state["config"]["dataset"] == CUSTOM
        x0, x1 = state["data"]["x"][-1]
        assert x0 < frame["x0"][0] + 0.1 * (frame["x0"][1] - frame["x0"][0])  # left ...
        assert x1 > frame["x1"][1] - 0.1 * (frame["x1"][1] - frame["x1"][0])  # ... and up
        page.click("#data", position={"x": 428, "y": 428}, modifiers=["Shift"])  # the other class
        wait_until(page, lambda: points(running) == 42, "the shift-clicked point")
        assert running.playground.state()["data"]["y"][-1] == 1
        page.select_option("#point-class", "2")  # a third class: a softmax head, a new run
        page.click("#data", position={"x": 428, "y": 12})
        wait_until(page, lambda: points(running) == 43, "a point of class 2")
        wait_until(
            page, lambda: running.playground.state()["network"]["sizes"][-1] == 3, "three outputs"
        )
        # drag point 5: its δ's are the scalar engine's at the new place
        before = list(running.playground.state()["data"]["x"][5])
        start_at = pixel(running, 5, page)
        box = page.locator("#data").bounding_box()
        page.mouse.move(box["x"] + start_at[0], box["y"] + start_at[1])
        page.mouse.down()
        page.mouse.move(box["x"] + start_at[0] + 40, box["y"] + start_at[1] + 30, steps=8)
        page.mouse.up()
        wait_until(
            page, lambda: running.playground.state()["data"]["x"][5] != before, "the moved point"
        )
        moved = running.playground.state()["data"]["x"][5]
        assert moved[0] > before[0] and moved[1] < before[1]  # right and down on the page
        detail = running.playground.sample(5)  # the scalar engine's numbers at the new place
        wait_until(
            page,
            lambda: f"J = {detail['loss']:.4g}"[:8] in page.inner_text("#sample h3"),
            "the moved point's numbers",
        )
        shot(page, tmp_path, "lab-points.png")
        # right-click a point deletes it; Delete deletes the selected one
        at = pixel(running, 0, page)
        page.click("#data", position={"x": at[0], "y": at[1]}, button="right")
        wait_until(page, lambda: points(running) == 42, "a point deleted by right-click")
        at = pixel(running, 3, page)
        page.click("#data", position={"x": at[0], "y": at[1]})
        page.keyboard.press("Delete")
        wait_until(page, lambda: points(running) == 41, "a point deleted by Delete")
        page.goto("about:blank")  # no poll left to fail when the server stops


def test_a_pasted_csv_and_the_test_curve(page, tmp_path):
    with serve() as running:
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        rows = "".join(
            f"{(i % 6) / 5:.2f},{(i // 6) / 5:.2f},{int((i % 6) / 5 + (i // 6) / 5 > 1)}\n"
            for i in range(36)
        )
        page.click("#paste summary")
        page.fill("#csv", "x0,x1,label\n" + rows)
        page.click("#use-csv")
        wait_until(page, lambda: points(running) == 36, "the pasted points")
        page.fill("#csv", "x0,x1,label\n0,0,0\n0,oops,1\n")
        page.expected_errors.append("400")
        page.click("#use-csv")
        wait_until(page, lambda: "line 3" in page.inner_text("#error"), "the bad line named")
        page.fill("#test_fraction", "0.25")
        page.press("#test_fraction", "Enter")
        wait_until(
            page,
            lambda: len(running.playground.state()["data"]["test"]) == 9,
            "nine held-out points",
        )
        page.click("#one")
        wait_until(page, lambda: step_count(page) == 1, "a step")
        running.playground.control("step", 30)
        wait_until(page, lambda: step_count(page) == 31, "31 steps")
        assert page.locator(".test-key").is_visible() and page.locator("#test-status").is_visible()
        assert page.inner_text("#test-loss") not in ("—", "")
        shot(page, tmp_path, "lab-test-curve.png")
        page.goto("about:blank")


def test_a_csv_from_the_command_line_is_drawn(page, tmp_path):
    path = tmp_path / "ring.csv"
    path.write_text(
        "x,y,label\n"
        + "".join(
            f"{x},{y},{int(x * x + y * y < 2)}\n" for x in range(-2, 3) for y in range(-2, 3)
        ),
        encoding="utf-8",
    )
    config = configure(Config(), {**SMALL, **dataset_change(str(path))})
    with start(config, port=0, playing=False) as running:
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        assert page.input_value("#dataset") == CUSTOM and points(running) == 25
        shot(page, tmp_path, "lab-csv.png")
        page.goto("about:blank")


def test_the_three_downloads_load_back(page, tmp_path):
    with serve() as running:
        running.playground.control("step", 5)
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        files = {}
        for what in ("model", "torch", "run"):
            with page.expect_download() as download:
                page.click(f"#export-{what}")
            files[what] = tmp_path / download.value.suggested_filename
            download.value.save_as(files[what])
        model = nn.MLP.load(files["model"])
        assert model.state_dict() == running.playground.session.model.state_dict()
        code = files["torch"].read_text(encoding="utf-8")
        compile(code, "model.py", "exec")
        assert code == nn.torch_code(model)
        page.goto(files["run"].as_uri())
        page.wait_for_selector("#sample h3")
        assert page.inner_text("#step") == "5" and page.locator("body.recording").count() == 1
        assert json.loads(files["model"].read_text())["config"]["nin"] == 2


def test_each_hidden_unit_has_its_map_and_a_click_enlarges_it(page, tmp_path):
    with serve() as running:
        running.playground.control("step", 40)
        page.goto(running.url)
        page.wait_for_selector("#network image.map")
        assert page.locator("#network image.map").count() == 3 + 2  # the hidden units only
        href = page.get_attribute("#network image.map >> nth=0", "href")
        assert href.startswith("data:image/png;base64,")
        page.click("#network image.map >> nth=1", force=True)
        page.wait_for_selector("#explain .big-map")
        assert "y of L0.N1 over the plane" in page.inner_text("#explain")
        shot(page, tmp_path, "lab-unit-maps.png")
        page.goto("about:blank")


def test_a_planted_divergence_shows_the_card_and_its_link_opens_the_node(page, tmp_path):
    diverging = {"dataset": "sine", "lr": 50, "optimizer": "sgd", "hidden": [4, 4],
                 "activations": ["linear", "linear"], "batch_size": 1, "samples": 20}
    with serve(**diverging) as running:
        assert running.playground.control("step", 50)["status"] == "diverged"
        card = running.playground.state()["divergence"]
        page.goto(running.url)
        page.wait_for_selector("#divergence h3")
        text = page.inner_text("#divergence")
        assert f"step {card['step']}" in text and f"#{card['sample']}" in text
        assert card["node"]["value"] in ("inf", "-inf", "nan") and card["node"]["name"] in text
        shot(page, tmp_path, "lab-divergence.png")
        with page.expect_popup() as opened:
            page.click("#divergence-link")
        graph = opened.value
        graph.wait_for_load_state()
        graph.wait_for_selector(".now .heading")
        assert graph.url.endswith(f"#step={card['page_step']}")
        assert card["node"]["name"] in graph.inner_text(".now .heading")
        graph.screenshot(path=str((SHOTS or tmp_path) / "lab-divergence-steps.png"))
        graph.close()
        page.goto("about:blank")


def test_dead_units_get_a_ring_and_the_health_table(page, tmp_path):
    with serve(hidden=[6, 3], activations=["relu", "relu"], lr=0.5) as running:
        running.playground.control("step", 60)
        health = running.playground.state()["health"]
        dead = [(k, j) for k, layer in enumerate(health["units"]) for j, u in enumerate(layer) if u["dead"] > 0.5]
        page.goto(running.url)
        page.wait_for_selector("#health table")
        assert page.locator("#health tr").count() == 1 + 3  # a row per layer, the output's too
        assert page.locator("#network .unit.dead").count() == len(dead) > 0
        k, j = dead[0]
        title = page.locator(f"#network .unit[data-layer='{k}'][data-unit='{j}'] title").text_content()
        assert "dead on" in title
        shot(page, tmp_path, "lab-health.png")
        page.goto("about:blank")
