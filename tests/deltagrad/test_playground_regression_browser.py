"""Regression on two inputs in a real browser (Playwright driving Debian's Chromium): a pasted CSV
of real-number targets is drawn as the network's output over the plane with its colour scale, and
a click adds a point with the typed target."""

from __future__ import annotations

import pytest

from deltagrad.playground import Config, configure, start

from .test_playground_browser import CHROMIUM, browser, page, step_count, wait_until  # noqa: F401
from .test_playground_regression import SMALL, saddle_csv

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
SHOTS = None  # set to a folder to keep the screenshots


def pixel(page, x: int, y: int) -> list[int]:
    """The data canvas's colour at (x, y), as [r, g, b]."""
    return page.eval_on_selector(
        "#data", "(c, [x, y]) => Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data)"
        ".slice(0, 3)", [x, y]
    )


def test_a_pasted_regression_csv_is_drawn_as_a_heat_map(page, tmp_path):
    with start(configure(Config(), {**SMALL, "samples": 40}), port=0, playing=False) as running:
        page.goto(running.url)
        page.wait_for_selector("#network .unit")
        assert not page.locator("#scale").is_visible()  # classification: no scale
        page.click("#paste summary")
        page.fill("#csv", saddle_csv())
        page.click("#use-csv")
        wait_until(page, lambda: running.playground.state()["task"] == "regression", "regression")
        running.playground.control("step", 200)
        wait_until(page, lambda: step_count(page) == 200, "200 steps")
        assert page.locator("#scale").is_visible() and page.locator("#point-target").is_visible()
        assert not page.locator("#point-class").is_visible()
        assert page.inner_text("#error") == "" and "output" in page.inner_text("#data-caption")
        # The plane's colour follows the output: find a cell well above the scale's centre and
        # one well below (t = x0·x1 + 0.5·x0 has both), and read the canvas there.
        state = running.playground.state()
        grid = state["view"]["grid"]
        size, centre, half = grid["size"], grid["scale"]["centre"], grid["scale"]["half"]
        width = page.eval_on_selector("#data", "c => c.width")
        for sign in (1, -1):
            cell = max(range(size * size), key=lambda k: sign * grid["values"][k])
            assert sign * (grid["values"][cell] - centre) > 0.5 * half
            row, column = divmod(cell, size)
            x, y = (column + 0.5) * width / size, width - (row + 0.5) * width / size
            red, _, blue = pixel(page, int(x), int(y))
            # above the centre: class 1's blue; below: class 0's orange (as TF Playground)
            assert (blue > red + 60) if sign > 0 else (red > blue + 60), (sign, red, blue)
        # a click on an empty spot adds a point whose target is the typed one
        page.fill("#point-target", "0.75")
        page.click("#data", position={"x": 3, "y": 3})  # the top-left corner: no point there
        wait_until(page, lambda: len(running.playground.state()["data"]["y"]) == 50, "the point")
        state = running.playground.state()
        assert state["task"] == "regression" and state["data"]["y"][-1] == 0.75
        page.fill("#point-target", "1")  # a whole number stays a target, not a class
        page.click("#data", position={"x": 437, "y": 3})
        wait_until(page, lambda: len(running.playground.state()["data"]["y"]) == 51, "a 2nd point")
        assert running.playground.state()["task"] == "regression"
        assert running.playground.session.y[-1] == 1.0
        page.screenshot(path=str((SHOTS or tmp_path) / "regression.png"))
        page.goto("about:blank")
