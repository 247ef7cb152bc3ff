"""The step-through page driven in a real browser: Playwright with Debian's Chromium (never a
downloaded browser). Skipped, saying why, only when no Chromium is installed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, sync_playwright

from autograd import Value
from viz import step_through, trace

from ..tools import program
from .viz_testing import lecture_neuron

CHROMIUM = program("chromium", "chromium-browser", install="sudo apt-get install -y chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (sudo apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The pages under test, written once: the lecture's tanh neuron, a 100-step chain, hostile labels."""
    folder = tmp_path_factory.mktemp("pages")
    n = lecture_neuron()
    x = Value(0.5, label="x")
    y = x
    for _ in range(50):
        y = (y * 1.01).tanh()
    h = Value(1.0, label="</script><!--<script>")
    q = Value(2.0, label="&amp; \"q' <b>")
    hostile = (h * q + Value(3.0, label="]]><!--")).tanh()
    out = {
        "tanh": step_through(n.o, folder / "tanh.html"),
        "chain": step_through(y, folder / "chain.html"),
        "hostile": step_through(hostile, folder / "hostile.html"),
    }
    assert out["chain"].steps == 100
    return {name: page.path.as_uri() for name, page in out.items()} | {"_trace": trace(n.o), "_hostile": trace(hostile)}


@pytest.fixture()
def page(browser):
    """A fresh tab that records console errors and uncaught exceptions in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()


def counter(page: Page) -> str:
    return page.inner_text(".counter")


def node(page: Page, title: str):
    """The SVG group Graphviz drew for node ``title`` (``v3`` a value box, ``op3`` the op making it)."""
    return page.locator(f".picture svg g.node:has(> title:text-is('{title}'))")


def grad_shown(page: Page, i: int) -> str:
    return node(page, f"v{i}").locator("text").last.text_content()


@pytest.mark.parametrize("name", ["tanh", "chain", "hostile"])
def test_the_page_loads_without_errors(page, pages, name):
    page.goto(pages[name])
    assert counter(page) == "step 1 / " + ("100" if name == "chain" else "5" if name == "tanh" else "3")
    assert page.inner_text(".heading").startswith("Step 1 of")
    assert page.errors == []


def test_buttons_slider_and_arrow_keys_move_between_steps(page, pages):
    tr = pages["_trace"]
    page.goto(pages["tanh"])
    v = tr.index[next(nd for nd in tr.nodes if nd.label == "v")]
    assert grad_shown(page, v) == "grad 0.5"  # step 1 (o) fills v's gradient
    assert grad_shown(page, 0) == "grad —"
    page.click(".next")
    assert counter(page) == "step 2 / 5" and "backward processes v" in page.inner_text(".heading")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert counter(page) == "step 4 / 5"
    page.keyboard.press("ArrowLeft")
    assert counter(page) == "step 3 / 5"
    page.click(".prev")
    assert counter(page) == "step 2 / 5"
    page.locator(".slider").fill("5")
    assert counter(page) == "step 5 / 5" and page.locator(".next").is_disabled()
    assert "done: the leaves' gradients are final" in page.inner_text(".lines")
    x1 = tr.index[next(nd for nd in tr.nodes if nd.label == "x1")]
    assert grad_shown(page, x1) == "grad -1.5"
    assert page.errors == []


def test_controls_and_arithmetic_stay_on_screen_at_100_steps(page, pages):
    page.goto(pages["chain"])
    assert page.inner_text(".zoom-level") == "100%"  # a picture too big to fit starts at 100%
    page.locator(".slider").fill("60")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 500  # the log of 59 steps makes the page long
    inside = """() => { const r = document.querySelector(SEL).getBoundingClientRect();
                       return r.top >= 0 && r.bottom <= innerHeight && r.height > 0; }"""
    for selector in (".next", ".prev", ".slider", ".now .lines"):
        assert page.evaluate(inside.replace("SEL", repr(selector))), selector
    scroll = page.evaluate("window.scrollY")
    page.click(".next", no_wait_after=True)
    assert counter(page) == "step 61 / 100" and page.evaluate("window.scrollY") == scroll
    page.evaluate("window.scrollTo(0, 0)")
    # the picture follows the current node: it is inside the picture's visible box
    assert page.evaluate("""() => { const b = document.querySelector('.picture').getBoundingClientRect();
        const r = document.querySelector('.picture g.dg-current').getBoundingClientRect();
        return r.left >= b.left && r.right <= b.right && r.top >= b.top && r.bottom <= b.bottom; }""")
    page.click(".zoom-fit")
    assert page.inner_text(".zoom-level").endswith("(fit)")
    width = page.evaluate("document.querySelector('.picture svg').getBoundingClientRect().width")
    assert width <= page.evaluate("document.querySelector('.picture').clientWidth")
    assert page.errors == []


def test_clicking_a_node_shows_its_explanation(page, pages):
    tr = pages["_trace"]
    page.goto(pages["tanh"])
    assert page.locator(".explain-box").is_hidden()
    w1 = tr.index[next(nd for nd in tr.nodes if nd.label == "w1")]
    node(page, f"v{w1}").click()
    box = page.locator(".explain-box")
    assert box.is_visible()
    assert "Where grad[w1] comes from" in box.inner_text()
    assert "∂o/∂w1 = 1.0" in box.inner_text() and "grad[w1] = x1 × grad[x1*w1]" in box.inner_text()
    assert "dg-picked" in node(page, f"v{w1}").get_attribute("class")
    v = tr.index[next(nd for nd in tr.nodes if nd.label == "v")]
    node(page, f"op{v + 1}").click()  # an op node stands for the value it makes: o = tanh(v)
    assert "∂o/∂o = 1.0" in box.inner_text()
    page.click(".explain-close")
    assert box.is_hidden()
    assert page.errors == []


def test_clicking_a_row_of_the_table_view_shows_its_explanation(page, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no Graphviz: a table stands in for the picture
    n = lecture_neuron()
    made = step_through(n.o, tmp_path / "table.html")
    assert not made.rendered_with_dot
    page.goto(made.path.as_uri())
    index = trace(n.o).index[n.x1]
    page.click(f'tr[data-node="{index}"]')
    assert "∂o/∂x1 = -1.5" in page.inner_text(".explain-box")
    page.click(".next")
    assert page.inner_text(f'tr[data-node="{trace(n.o).index[n.v]}"] td.grad') == "grad 0.5"
    assert page.errors == []


def test_predict_mode_grades_answers_and_keeps_a_score(page, pages):
    tr = pages["_trace"]
    v = tr.index[next(nd for nd in tr.nodes if nd.label == "v")]
    page.goto(pages["tanh"])
    page.check(".predict")
    assert "Predict its gradient: grad[o] = ?" in page.inner_text(".heading")
    assert grad_shown(page, len(tr.nodes) - 1) == "grad ?" and page.inner_text(".lines") == ""
    page.fill(".guess", "1")
    page.press(".guess", "Enter")
    assert page.inner_text(".feedback").startswith("✓ right")
    assert page.inner_text(".score") == "score: 1 right / 1 tried"
    # step 1 is shown, but it adds into v, whose gradient is the next question: hidden
    assert grad_shown(page, v) == "grad ?" and "grad[v] += (1 − o²) × grad[o] = ?" in page.inner_text(".lines")
    page.click(".next")
    assert "grad[v] = ?" in page.inner_text(".heading")
    node(page, f"v{v}").click()  # its explanation would give the answer away
    assert "stays hidden" in page.inner_text(".explain-box")
    page.fill(".guess", "0.4")
    page.click(".check")
    feedback = page.inner_text(".feedback")
    assert feedback.startswith("✗ you said 0.4") and "grad[v] = 0.5" in feedback
    assert page.inner_text(".score") == "score: 1 right / 2 tried"
    assert grad_shown(page, v) == "grad 0.5" and "∂o/∂v = 0.5" in page.inner_text(".explain-box")
    page.click(".next")
    page.fill(".guess", "0.5004")  # within 1e-3 of the value shown
    page.press(".guess", "Enter")
    assert page.inner_text(".score") == "score: 2 right / 3 tried"
    page.click(".next")
    page.fill(".guess", "half")
    page.press(".guess", "Enter")
    assert "Type a number" in page.inner_text(".feedback") and page.inner_text(".score") == "score: 2 right / 3 tried"
    page.uncheck(".predict")
    assert page.locator(".score").is_hidden() and page.inner_text(".feedback") == ""
    assert "grad[x2] += w2 × grad[x2*w2] = 1.0 × 0.5 = 0.5" in page.inner_text(".lines")  # shown again
    assert page.errors == []


def test_predict_mode_tolerance_is_relative_for_big_values(page, tmp_path):
    a, k, b = Value(3.0, label="a"), Value(10.54, label="k"), Value(31.62, label="b")
    made = step_through((a * k) * b, tmp_path / "big.html")  # step 2 asks grad[a*k] = b = 31.62
    for guess, right in (("31.65", True), ("31.7", False)):  # 0.1% of 31.62 is 0.0316
        page.goto(made.path.as_uri())  # a fresh page: nothing answered yet
        page.check(".predict")
        page.fill(".guess", "1")
        page.press(".guess", "Enter")
        page.click(".next")
        assert "grad[a*k] = ?" in page.inner_text(".heading")
        page.fill(".guess", guess)
        page.press(".guess", "Enter")
        assert page.inner_text(".feedback").startswith("✓" if right else "✗")
        assert page.inner_text(".score") == f"score: {1 + right} right / 2 tried"
    assert page.errors == []


def test_hostile_labels_leave_the_script_running(page, pages):
    tr = pages["_hostile"]
    page.goto(pages["hostile"])
    assert page.errors == [] and counter(page) == "step 1 / 3"
    page.keyboard.press("End")
    page.click(".next")
    page.click(".next")
    assert "</script><!--<script>" in page.inner_text(".lines")  # the label, as text
    h = next(i for i, nd in enumerate(tr.nodes) if nd.label.startswith("</script>"))
    node(page, f"v{h}").click()
    assert "Where grad[</script><!--<script>] comes from" in page.inner_text(".explain-box")
    q = next(i for i, nd in enumerate(tr.nodes) if nd.label.startswith("&amp;"))
    node(page, f"v{q}").click()
    assert "&amp; \"q' <b>" in page.inner_text(".explain-box")
    assert page.locator(".explain-box b").count() >= 1 and page.locator(".explain-body b:text-is('q')").count() == 0
    assert page.errors == []


# -- a learner's numbers on the page ---------------------------------------------------------


def yours_shown(page: Page) -> list[str]:
    return page.locator(".picture text.dg-yours").all_text_contents()


def test_a_learners_page_opens_in_predict_mode_at_the_first_wrong_node(page, tmp_path):
    n = lecture_neuron()
    # ∂o/∂w1 = 1.0, written with its sign flipped; ∂o/∂x1 = −1.5, right
    path = step_through(n.o, tmp_path / "mine.html", predict=True, start="w1",
                        answers={"w1": -1.0, "x1": "-1.50"},
                        notes={"w1": "sign: the sign flipped"}).path
    page.goto(path.as_uri())
    assert page.locator(".predict").is_checked()
    assert counter(page) == "step 5 / 5"  # x1*w1's step: where w1's gradient becomes final
    assert page.locator(".question").is_visible() and "Predict" in page.inner_text(".heading")
    # the learner's numbers are there, but no mark before the correct ones are shown
    assert sorted(yours_shown(page)) == ["yours: -1.0", "yours: -1.50"]
    page.fill(".guess", "0.5")
    page.click(".check")
    lines = page.inner_text(".now .lines")
    assert "✗ your grad[w1] = -1.0; backward's is 1.0" in lines
    assert "✓ your grad[x1] = -1.50 agrees with -1.5" in lines
    assert "w1: sign: the sign flipped" in lines
    assert sorted(yours_shown(page)) == ["yours: -1.0 ✗", "yours: -1.50 ✓"]
    assert page.locator(".picture text.dg-yours.wrong").count() == 1
    page.click(".prev")  # an earlier step: the leaves' gradients are not final, no mark
    assert sorted(yours_shown(page)) == ["yours: -1.0", "yours: -1.50"]
    assert page.errors == []


def test_a_link_opens_at_a_node_or_a_step(page, pages):
    page.goto(pages["tanh"] + "#node=v")
    assert counter(page) == "step 2 / 5" and "backward processes v" in page.inner_text(".heading")
    page.goto(pages["tanh"] + "#step=3")
    page.reload()
    assert counter(page) == "step 3 / 5"
    assert not page.locator(".predict").is_checked()  # explore mode unless asked for
    assert page.errors == []


def test_without_dot_the_learners_numbers_sit_in_the_table(page, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no Graphviz: the table view
    n = lecture_neuron()
    result = step_through(n.o, tmp_path / "table.html", answers={"w1": -1.0}, start="w1")
    assert not result.rendered_with_dot
    page.goto(result.path.as_uri())
    assert counter(page) == "step 5 / 5"
    assert page.locator("tr[data-node] span.dg-yours.wrong").inner_text() == "yours: -1.0 ✗"
    assert page.errors == []


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """The step page of the 2-4-4-1 hinge graph (issue 21: its fitted view was 22-31%)."""
    from nn import MLP, hinge

    model = MLP(2, [4, 4, 1], seed=0)
    loss = hinge(model([0.5, -1.0]), 1.0)
    made = step_through(loss, tmp_path_factory.mktemp("network") / "hinge.html")
    return made.path.as_uri(), trace(loss), made.steps


@pytest.fixture()
def wide(browser):
    """A 1600×1000 tab recording errors in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()


SMALLEST_TEXT = """() => { const svg = document.querySelector('.picture svg');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...Array.from(svg.querySelectorAll('text'),
                                  t => parseFloat(t.getAttribute('font-size')) * scale)); }"""


def test_network_page_fits_the_window_readably_in_neuron_tables(wide, network):
    uri, tr, _ = network
    wide.goto(uri)
    assert wide.inner_text(".zoom-level").endswith("(fit)")
    tables = wide.locator(".picture svg g.node title:text-matches('^u[0-9]+$')")
    assert tables.count() == 9  # 4 + 4 + 1 neurons
    assert wide.evaluate(SMALLEST_TEXT) >= 10  # px, every text of the fitted picture
    box = wide.evaluate("(() => { const r = document.querySelector('.picture svg')"
                        ".getBoundingClientRect(); return [r.width, r.height]; })()")
    assert box[0] <= 1600 and box[1] <= 1000
    assert wide.errors == []


def test_a_folded_neuron_is_one_step_and_a_click_unfolds_it(wide, network):
    uri, tr, raw_steps = network
    wide.goto(uri)
    folded = int(counter(wide).split("/ ")[1])
    assert folded == raw_steps - 8  # each of the 8 hidden neurons' y and v steps are one step
    last = f"step {folded} / {folded}"
    wide.locator(".slider").fill(str(folded))
    assert counter(wide) == last
    heading, lines = wide.inner_text(".heading"), wide.inner_text(".lines")
    assert "L0.N0 (folded: L0.N0.y, then L0.N0.v)" in heading
    assert "L0.N0.y:" in lines and "L0.N0.v:" in lines  # its inner steps, listed
    assert "grad[L0.N0.v] += " in lines and "grad[L0.N0.w0] += " in lines
    v = tr.names.index("L1.N2.v")
    wide.locator(f".picture svg a[*|href='#h{v}']").click()  # the table's name cell
    assert counter(wide) == f"step {folded + 1} / {folded + 1}"  # still at L0.N0, a step more
    assert wide.inner_text(".fold-back") == "fold L1.N2 back"
    assert node(wide, f"v{v}").count() == 1 and node(wide, f"u{v}").count() == 0  # drawn as scalars
    wide.locator(".slider").fill("1")
    steps = []
    while not wide.locator(".next").is_disabled():
        wide.click(".next")
        steps.append(wide.inner_text(".heading"))
    assert any(h.endswith("processes L1.N2.y") for h in steps)
    assert any(h.endswith("processes L1.N2.v") for h in steps)
    wide.click(".fold-back")
    assert counter(wide) == last and wide.locator(".fold-back").is_hidden()
    assert node(wide, f"u{v}").count() == 1
    assert wide.errors == []


def test_page_follows_step_in_the_hash_when_it_changes(wide, network):
    uri, _, _ = network
    wide.goto(uri + "#step=4")
    assert counter(wide).startswith("step 4 /")
    wide.evaluate("location.hash = 'step=7'")
    wide.wait_for_function("document.querySelector('.counter').textContent.startsWith('step 7 /')")
    assert wide.errors == []


def test_step_text_scrolls_in_a_fixed_height_and_the_picture_stays_put(wide, network):
    uri, tr, _ = network
    wide.goto(uri)
    top = "document.querySelector('.picture').getBoundingClientRect().top"
    first = wide.evaluate(top)
    wide.locator(".slider").fill(wide.get_attribute(".slider", "max"))
    assert "done: the leaves' gradients are final" in wide.inner_text(".lines")
    leaves = [i for i, nd in enumerate(tr.nodes) if not nd.parents and nd.requires_grad]
    assert len(leaves) == 37  # the last step: 37 leaf gradients
    assert wide.evaluate(top) == first
    assert wide.evaluate("(() => { const l = document.querySelector('.now .lines');"
                         " return l.scrollHeight > l.clientHeight; })()")  # scrolled within its box
    assert wide.errors == []
