"""Labels with record syntax, quotes, backslashes and newlines render as written (checked with dot),
on a leaf and on the root, in every output a label reaches: DOT, SVG, the step page, explain,
draw_mlp."""

from __future__ import annotations

import re

import pytest
from .viz_testing import node_named, svg_node_texts, svg_of

from autograd import Value
from viz import draw_graph
from viz.escape import plain_label, record_field
from viz.tracing import LABEL_LIMIT

NASTY = 'a{b}|c<d>"e\\f\\N\ng'


def test_nasty_labels_render_with_dot_as_written():
    x = Value(1.5, label=NASTY)
    y = x * 2.0
    y.label = "<i>not html</i> \\l"
    y.backward()
    source = draw_graph(y).source
    svg = svg_of(source)  # check=True: dot accepts the source
    texts = svg_node_texts(svg)
    name = [n for n, t in texts.items() if t[-2:] == ["data 1.5", "grad 2.0"]]
    assert len(name) == 1
    assert texts[name[0]] == ['a{b}|c<d>"e\\f\\N', "g", "data 1.5", "grad 2.0"]
    all_text = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert any("<i>not html</i> \\l" in t for t in all_text)  # the title quotes the root's label
    assert node_named(source, "\\<i\\>not html\\</i\\> \\\\l")


def test_space_after_a_non_ascii_character_stays_in_place():
    x = Value(1.0, label="δ = 1")
    svg = svg_of(draw_graph(x * 1.0).source)
    texts = [t for ts in svg_node_texts(svg).values() for t in ts]
    assert "δ\u00a0= 1" in texts  # Graphviz 2.43 would show "δ= 1 " for a plain space


def test_record_field_escapes_each_special_character():
    assert record_field('{}|<>"\\') == '\\{\\}\\|\\<\\>\\"\\\\'
    assert record_field("a\r\nb\nc") == "a\\nb\\nc"


def test_plain_label_keeps_backslashes_literal_and_is_not_html():
    text = plain_label("<b>\\N</b>\nx")
    assert text == "<b>\\\\N</b>\\nx"
    assert type(text).__name__ == "NoHtml"


@pytest.mark.parametrize("escape", [record_field, plain_label])
def test_escapers_refuse_non_strings(escape):
    with pytest.raises(TypeError, match="int"):
        escape(3)


@pytest.mark.parametrize("label", ["&amp;", "a &lt;b&gt; &#65; &", "R&D"])
def test_entities_in_a_label_are_shown_as_typed(label):
    # Graphviz decodes HTML entities in every label: "&amp;" alone would show as "&".
    x = Value(1.0, label=label)
    y = x * 2.0
    y.label = label
    y.backward()
    svg = svg_of(draw_graph(y).source)
    texts = [t for ts in svg_node_texts(svg).values() for t in ts]
    assert texts.count(label) == 2  # the leaf's record field and the root's
    title = "".join(next(svg.iter("{http://www.w3.org/2000/svg}text")).itertext())
    assert title.startswith(f"{label} = 2.0")


def test_control_characters_keep_the_dot_source_valid():
    x = Value(1.0, label="a\x00b\tc\x1bd")
    y = x * 2.0
    y.label = "t\x00"
    svg = svg_of(draw_graph(y).source)  # a NUL used to end dot's input: a syntax error
    texts = [t for ts in svg_node_texts(svg).values() for t in ts]
    assert "a\ufffdb c\ufffdd" in texts and "t\ufffd" in texts


@pytest.mark.parametrize("label", ["a" * 20_000, "bad\ud800label", "<!--<script>" * 3000])
def test_labels_graphviz_or_a_file_cannot_take_are_shortened_or_replaced(tmp_path, label):
    from viz import render, step_through

    x = Value(2.0, label=label)
    y = (x * x).tanh()
    y.backward()
    svg = render(draw_graph(y), tmp_path / "g.svg").read_text(encoding="utf-8")  # no CalledProcessError
    assert "…" in svg or "\ufffd" in svg
    page = step_through(y, tmp_path / "g.html")
    assert page.path.read_text(encoding="utf-8").count("<script") == page.html.count("<script")


# Issue 23, failure 5: a label must not escape the explanation's Markdown code block or LaTeX
# align*, nor start a line of its own in any output.
BREAKING_LABELS = [
    "x\n```\n<img src=x onerror=alert(1)>",  # closes a ``` fence on the old code
    "x\n\ny",                                 # a blank line ends align*
    "````",                                   # a run longer than the fence, no newline needed
    "x\r\ny\rz\u2028w\x85v\x0bu\x0c",        # every other line break
    "`` ` ```` `````",
]


def _explained(label: str, root_label: str = "out"):
    from viz import explain

    x = Value(2.0, label=label)
    w = Value(-3.0, label="w")
    y = (x * w + x).tanh()
    y.label = root_label
    return explain(y, x)


def _code_blocks_close_where_they_should(markdown: str) -> bool:
    """CommonMark's rule for backtick fences: a block opened by N backticks ends at the first line
    that is only >= N backticks. The blocks must end exactly at the explanation's own fences."""
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        opener = lines[i]
        if opener.startswith("```"):
            n = len(opener) - len(opener.lstrip("`"))
            closes = [k for k in range(i + 1, len(lines))
                      if lines[k].strip().startswith("`" * n) and set(lines[k].strip()) == {"`"}]
            if not closes:
                return False
            if closes[0] != lines.index("", i) - 1:  # the block ends where the explanation's does
                return False
            i = closes[0] + 1
            continue
        if opener.lstrip().startswith(("```", "~~~", "<")):  # outside a block: raw HTML or a fence
            return False
        i += 1
    return True


@pytest.mark.parametrize("label", BREAKING_LABELS)
def test_a_label_cannot_escape_the_markdown_code_block(label):
    markdown = _explained(label, root_label=label).to_markdown()
    plain = _explained("x").to_markdown()
    assert _code_blocks_close_where_they_should(markdown), markdown
    assert markdown.count("\n") == plain.count("\n")  # no line from the label


@pytest.mark.parametrize("label", BREAKING_LABELS)
def test_a_label_cannot_end_the_latex_align(label):
    latex = _explained(label, root_label=label).to_latex()
    plain = _explained("x").to_latex()
    assert latex.count("\n") == plain.count("\n")
    body = latex.split("\\begin{align*}")[1].split("\\end{align*}")[0]
    assert "\n\n" not in body and latex.startswith("% ") and latex.count("\\begin{align*}") == 1


@pytest.mark.parametrize("label", BREAKING_LABELS)
def test_no_raw_line_break_from_a_label_in_str_or_html(label):
    explained, plain = _explained(label, root_label=label), _explained("x")
    assert str(explained).count("\n") == str(plain).count("\n")
    assert explained.to_html().count("\n") == plain.to_html().count("\n")
    assert len(str(explained).splitlines()) == len(str(plain).splitlines())


@pytest.mark.parametrize("label", BREAKING_LABELS)
def test_no_raw_line_break_from_a_label_in_the_dot_source(label):
    x = Value(2.0, label=label)
    y = (x * 3.0).tanh()
    y.label = label
    y.backward()
    assert draw_graph(y).source.count("\n") == draw_graph((Value(2.0, label="x") * 3.0).tanh()).source.count("\n")


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029"])
def test_unicode_line_breaks_become_graphviz_line_breaks(brk):
    assert record_field(f"a{brk}b") == "a\\nb"
    assert str(plain_label(f"a{brk}b")) == "a\\nb"


# --- The root's label, in every output a label reaches -------------------------------------------

# (label, what it attacks); the leaf tests above use some of these on a leaf.
HOSTILE = {
    "record syntax": NASTY,
    "script": "</script><script>alert(1)</script>",
    "html": "<img src=x onerror=alert(1)>",
    "comment": "<!--<script>" * 3000,
    "entity": "&amp;",
    "entities": "a &lt;b&gt; &#65; &",
    "control": "a\x00b\tc\x1bd",
    "long": "a" * 20_000,
    "surrogate": "bad\ud800label",
    "fence": "```\n<img src=x onerror=alert(1)>\n```",
    "latex": "x\n\ny \\end{align*}} $",
}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def as_shown(label: str) -> str:
    """What every output shows for ``label`` (by hand): a tab as a space, a control character or a
    lone surrogate as U+FFFD, at most LABEL_LIMIT characters."""
    label = re.sub("[\ud800-\udfff]", "\ufffd", _CONTROL.sub("\ufffd", label.replace("\t", " ")))
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def hostile_root(label: str) -> tuple[Value, Value]:
    x = Value(2.0, label="x")
    root = (x * 3.0).tanh()
    root.label = label
    root.backward()
    return x, root


def kinds() -> list:
    """Every HOSTILE kind as a test parameter."""
    return [pytest.param(k, id=k) for k in HOSTILE]


@pytest.mark.parametrize("kind", kinds())
def test_a_hostile_root_label_in_dot_and_svg(kind):
    label = HOSTILE[kind]
    _, root = hostile_root(label)
    svg = svg_of(draw_graph(root).source)  # check=True: dot accepts the source
    texts = [t for ts in svg_node_texts(svg).values() for t in ts]
    lines = as_shown(label).split("\n")
    assert all(line in texts for line in lines if line), (lines, texts)  # the root's box, as typed
    all_text = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert all_text[0].startswith(lines[0])  # the title names the root


def _tags(page: str) -> tuple[dict[str, int], dict[str, str]]:
    """How many of each element the page has, and the text of its first <title> and <h1> (the
    SVG's nodes have titles of their own)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.count: dict[str, int] = {}
            self.text: dict[str, str] = {}
            self.inside: list[str] = []
            self.done: set[str] = set()

        def handle_starttag(self, tag, attrs):
            self.count[tag] = self.count.get(tag, 0) + 1
            self.inside.append(tag)

        def handle_endtag(self, tag):
            if self.inside and self.inside[-1] == tag:
                self.inside.pop()
                self.done.add(tag)

        def handle_data(self, data):
            tag = self.inside[-1] if self.inside else ""
            if tag in ("title", "h1") and tag not in self.done:
                self.text[tag] = self.text.get(tag, "") + data

    reader = Reader()
    reader.feed(page)
    return reader.count, reader.text


@pytest.mark.parametrize("kind", kinds())
def test_a_hostile_root_label_in_the_step_page_title_and_body(tmp_path, kind):
    import json

    from viz import step_through

    label = HOSTILE[kind]
    _, root = hostile_root(label)
    page = step_through(root, tmp_path / "page.html").path.read_text(encoding="utf-8")
    _, plain = hostile_root("o")
    benign = step_through(plain, tmp_path / "plain.html").path.read_text(encoding="utf-8")
    count, text = _tags(page)
    benign_count, _ = _tags(benign)
    for tag in ("script", "style", "img", "iframe", "svg", "title", "h1", "a", "object"):
        assert count.get(tag, 0) == benign_count.get(tag, 0), tag  # the label added no element
    expected = f"deltagrad: backward of {as_shown(label)}, step by step"
    assert text["title"] == expected and text["h1"] == expected
    assert not _CONTROL.search(page)  # no NUL or escape character in the file
    data = re.search(r'<script type="application/json" class="data">(.*?)</script>', page,
                     re.DOTALL)
    assert as_shown(label) in json.loads(data[1])["names"]  # the data parses, holding the label


def _outside_code(markdown: str) -> tuple[list[str], bool]:
    """The lines of ``markdown`` outside fenced code blocks (CommonMark: a fence closes with at
    least as many backticks, alone on its line), and whether the text ends outside one."""
    outside, fence = [], ""
    for line in markdown.split("\n"):
        run = re.match(r"(`{3,})(.*)$", line)
        if not fence and run:
            fence = run[1]
        elif fence and re.fullmatch(rf"{fence}`*\s*", line):
            fence = ""
        elif not fence:
            outside.append(line)
    return outside, not fence


@pytest.mark.parametrize("kind", kinds())
def test_a_hostile_root_label_in_explain_str_markdown_and_latex(kind):
    from viz import explain
    from viz.escape import one_line

    label = HOSTILE[kind]
    x, root = hostile_root(label)
    explanation = explain(root, x)
    assert f"∂{one_line(as_shown(label))}/∂x = " in str(explanation)  # a line break shown as ⏎
    outside, closed = _outside_code(explanation.to_markdown())
    assert closed  # every code block the label is in ends
    for line in outside:  # no raw HTML and no line break out of a bold heading
        assert not re.search(r"(?<!\\)<", line), line
        assert not line or (line.startswith("**") and line.endswith("**")), line
    latex = explanation.to_latex()
    header, begin, *body = latex.split("\n")
    assert header.startswith("% ") and begin == "\\begin{align*}"
    assert body[-2:] == ["\\end{align*}", ""]
    assert "" not in body[:-2] and not any("\\end{align*}" in row for row in body[:-2])
    unescaped = re.sub(r"\\[{}]", "", latex)
    assert unescaped.count("{") == unescaped.count("}")


@pytest.mark.parametrize("kind", kinds())
def test_a_hostile_label_in_draw_mlp(kind):
    from nn import MLP
    from viz import draw_mlp

    label = HOSTILE[kind]
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[0].w[0].label = label
    model.layers[1].neurons[0].w[1].label = label
    for edge_labels in (True, False):
        svg = svg_of(draw_mlp(model, [0.5, -1.0], 1.0, edge_labels=edge_labels).source)
        links = svg.iter("{http://www.w3.org/2000/svg}a")
        tooltips = [a.get("{http://www.w3.org/1999/xlink}title") for a in links]
        assert sum(t.startswith(f"{as_shown(label)} = ") for t in tooltips if t) == 2, tooltips


@pytest.mark.parametrize("kind", ["script", "html", "comment", "record syntax", "entities"])
def test_a_hostile_root_label_in_the_step_page_in_chromium(tmp_path, kind):
    from viz import step_through

    from ..tools import program

    chromium = program("chromium", "chromium-browser", install="sudo apt-get install -y chromium")
    if chromium is None:
        pytest.skip("Chromium is not installed (sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    label = HOSTILE[kind]
    _, root = hostile_root(label)
    page_file = step_through(root, tmp_path / "page.html").path
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        tab = browser.new_page()
        events: list[str] = []
        tab.on("dialog", lambda d: (events.append(f"dialog {d.message}"), d.dismiss()))
        tab.on("pageerror", lambda e: events.append(str(e)))
        tab.goto(page_file.as_uri())
        expected = f"deltagrad: backward of {as_shown(label)}, step by step"
        assert tab.title() == expected.replace("\n", " ")  # a title shows a newline as a space
        assert tab.inner_text("h1") == expected.replace("\n", " ")
        assert tab.locator("img").count() == 0 and tab.locator("script").count() == 2
        assert events == []
        browser.close()
