"""Labels with record syntax, quotes, backslashes and newlines render as written (checked with dot)."""

from __future__ import annotations

import pytest
from .viz_testing import node_named, svg_node_texts, svg_of

from autograd import Value
from viz import draw_graph
from viz.escape import plain_label, record_field

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
