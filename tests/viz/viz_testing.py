"""Shared helpers for the viz tests: the lecture neuron, and readers for DOT and SVG output."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import autograd
from autograd import Value

LECTURE_B = 6.8813735870195432  # chosen in the lecture so that o = tanh(0.8814) = 1/sqrt(2)

_NAME = r'(\w+|"[^"]*")'
_NODE = re.compile(rf"^\t*{_NAME} \[(.*)\]$")
_EDGE = re.compile(rf"^\t*{_NAME} -> {_NAME}(?: \[(.*)\])?$")
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<<.*>>|[^ \]]+)')


def lecture_neuron(use_dot: bool = False) -> SimpleNamespace:
    """o = tanh(x1*w1 + x2*w2 + b) with the lecture's numbers, built from ops or one dot node."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(LECTURE_B, label="b")
    v = autograd.dot([w1, w2], [x1, x2], b) if use_dot else x1 * w1 + x2 * w2 + b
    v.label = "v"
    o = v.tanh()
    o.label = "o"
    return SimpleNamespace(x1=x1, x2=x2, w1=w1, w2=w2, b=b, v=v, o=o)


def _attrs(text: str | None) -> dict[str, str]:
    out = {}
    for key, raw in _ATTR.findall(text or ""):
        out[key] = raw[1:-1] if raw.startswith('"') else raw
    return out


def dot_nodes(source: str) -> dict[str, dict[str, str]]:
    """Node name -> attributes (names and quoted values unquoted, escapes left as written)."""
    nodes = {}
    for line in source.splitlines():
        if " -> " in line:
            continue
        match = _NODE.match(line)
        if match:
            nodes[match[1].strip('"')] = _attrs(match[2])
    return nodes


def dot_edges(source: str) -> list[tuple[str, str, dict[str, str]]]:
    """(tail, head, attributes) for every edge, in source order."""
    edges = []
    for line in source.splitlines():
        match = _EDGE.match(line)
        if match:
            edges.append((match[1].strip('"'), match[2].strip('"'), _attrs(match[3])))
    return edges


def node_named(source: str, label: str) -> tuple[str, dict[str, str]]:
    """The value node whose record label's first field is ``label``."""
    found = [(name, attrs) for name, attrs in dot_nodes(source).items()
             if attrs.get("label", "").startswith("{ ") and attrs["label"][2:].split(" | ")[0] == label]
    assert len(found) == 1, f"expected one node labelled {label!r}, found {found}"
    return found[0]


def record_fields(attrs: dict[str, str]) -> list[str]:
    """The fields of a ``{ a | b | c }`` record label (split at unescaped bars, stripped)."""
    label = attrs["label"]
    assert label.startswith("{") and label.endswith("}"), label
    return [field.strip() for field in re.split(r"(?<!\\)\|", label[1:-1])]


def svg_of(source: str) -> ET.Element:
    """Run Graphviz's dot on ``source`` and parse the SVG it prints."""
    svg = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True).stdout
    return ET.fromstring(svg)


SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_node_texts(root: ET.Element) -> dict[str, list[str]]:
    """For every node group of an SVG from dot: its DOT name (the <title>) -> its texts in order."""
    out = {}
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG_NS}title").text
            out[title] = ["".join(t.itertext()) for t in group.iter(f"{SVG_NS}text")]
    return out


def svg_edge_texts(root: ET.Element) -> dict[str, list[str]]:
    """For every edge group: ``tail->head`` -> its label texts (parallel edges: texts joined)."""
    out: dict[str, list[str]] = {}
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("class") == "edge":
            title = group.find(f"{SVG_NS}title").text
            out.setdefault(title, []).extend("".join(t.itertext()) for t in group.iter(f"{SVG_NS}text"))
    return out
