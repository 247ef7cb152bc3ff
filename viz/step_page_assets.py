"""The step-through page's stylesheet and script, inlined into every page (no external files)."""

__all__ = ["CSS", "SCRIPT"]

# Scoped under .deltagrad-steps so the page can sit inside a Jupyter notebook. Classes set by the
# script override Graphviz's presentation attributes (fill=, stroke=) on the SVG.
CSS = """
.deltagrad-steps { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #222; max-width: 100%; }
.deltagrad-steps h1 { font-size: 1.3em; margin: 0.4em 0; }
.deltagrad-steps .intro, .deltagrad-steps .note { color: #555; margin: 0.3em 0 0.6em; }
.deltagrad-steps .controls { display: flex; align-items: center; gap: 0.6em; margin: 0.5em 0; }
.deltagrad-steps .controls button { font-size: 1em; padding: 0.25em 0.8em; cursor: pointer; }
.deltagrad-steps .controls .slider { flex: 1; max-width: 40em; }
.deltagrad-steps .counter { font-variant-numeric: tabular-nums; min-width: 7em; }
.deltagrad-steps .now { background: #fff8e1; border: 1px solid #e0c060; border-radius: 6px;
  padding: 0.5em 0.9em; margin: 0.5em 0; }
.deltagrad-steps .heading { font-weight: 600; }
.deltagrad-steps .lines, .deltagrad-steps .log { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  margin: 0.3em 0; padding-left: 1.5em; }
.deltagrad-steps .lines li { margin: 0.15em 0; }
.deltagrad-steps .log { color: #666; font-size: 0.9em; list-style: none; }
.deltagrad-steps .log li { padding-left: 1.5em; }
.deltagrad-steps .log li.step { font-family: system-ui, Helvetica, Arial, sans-serif; color: #444; padding-left: 0;
  margin-top: 0.3em; }
.deltagrad-steps .picture { overflow: auto; border: 1px solid #ddd; border-radius: 6px; padding: 0.3em; }
.deltagrad-steps .picture.fit svg { max-width: 100%; height: auto; }
.deltagrad-steps g.dg-current > polygon, .deltagrad-steps g.dg-current > ellipse { fill: #ffd966; stroke: #c00000; stroke-width: 3px; }
.deltagrad-steps g.dg-updated > polygon { stroke: #e69138; stroke-width: 3px; }
.deltagrad-steps g.dg-updated > text:last-of-type { fill: #c00000; font-weight: bold; }
.deltagrad-steps g.dg-pending > text:last-of-type { fill: #aaaaaa; }
.deltagrad-steps g.dg-active path { stroke: #c00000; stroke-width: 2.5px; }
.deltagrad-steps g.dg-active polygon { fill: #c00000; stroke: #c00000; }
.deltagrad-steps g.dg-active text { fill: #c00000; font-weight: bold; }
.deltagrad-steps table.nodes { border-collapse: collapse; }
.deltagrad-steps table.nodes td, .deltagrad-steps table.nodes th { border: 1px solid #ccc; padding: 0.2em 0.6em; }
.deltagrad-steps tr.dg-current { background: #ffd966; }
.deltagrad-steps tr.dg-updated td.grad { color: #c00000; font-weight: bold; }
.deltagrad-steps tr.dg-pending td.grad { color: #aaaaaa; }
"""

# deltagradSteps(container): wire the controls of one page. The data (initial grad texts, and per
# step the node, the arithmetic lines and the grad texts it changes) is JSON in script.data.
SCRIPT = r"""
function deltagradSteps(root) {
  "use strict";
  var data = JSON.parse(root.querySelector("script.data").textContent);
  var steps = data.steps, count = steps.length;
  var values = [], ops = [], grads = [], edgesInto = {};
  var svg = root.querySelector(".picture svg");
  if (svg) {
    svg.querySelectorAll("g.node").forEach(function (g) {
      var m = g.querySelector("title").textContent.match(/^(v|op)(\d+)$/);
      if (!m) { return; }
      if (m[1] === "op") { ops[+m[2]] = g; return; }
      var texts = g.querySelectorAll("text");
      values[+m[2]] = g;
      grads[+m[2]] = texts[texts.length - 1];
    });
    svg.querySelectorAll("g.edge").forEach(function (g) {
      var m = g.querySelector("title").textContent.match(/op(\d+)/);
      if (m) { (edgesInto[m[1]] = edgesInto[m[1]] || []).push(g); }
    });
  } else {
    root.querySelectorAll("tr[data-node]").forEach(function (tr) {
      var i = +tr.getAttribute("data-node");
      values[i] = tr;
      grads[i] = tr.querySelector("td.grad");
    });
  }
  var slider = root.querySelector(".slider"), prev = root.querySelector(".prev"), next = root.querySelector(".next");
  var current = 0, picture = root.querySelector(".picture"), fit = root.querySelector(".fit");

  function classes(el, names) {
    if (!el) { return; }
    ["dg-current", "dg-updated", "dg-pending", "dg-active"].forEach(function (c) {
      el.classList.toggle(c, names.indexOf(c) >= 0);
    });
  }
  function item(list, text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    list.appendChild(li);
  }
  function show(s) {
    current = Math.max(0, Math.min(count - 1, s));
    var texts = data.initial.slice();
    for (var j = 0; j <= current; j++) {
      var changed = steps[j].grads;
      for (var key in changed) { texts[+key] = changed[key]; }
    }
    var step = steps[current];
    values.forEach(function (el, i) {
      var names = [];
      if (i === step.node) { names.push("dg-current"); }
      else if (step.updated.indexOf(i) >= 0) { names.push("dg-updated"); }
      if (texts[i].slice(-1) === "—") { names.push("dg-pending"); }
      classes(el, names);
      if (grads[i]) { grads[i].textContent = texts[i]; }
    });
    ops.forEach(function (el, i) { classes(el, i === step.node ? ["dg-current"] : []); });
    Object.keys(edgesInto).forEach(function (k) {
      edgesInto[k].forEach(function (el) { classes(el, +k === step.node ? ["dg-active"] : []); });
    });
    root.querySelector(".heading").textContent = "Step " + (current + 1) + " of " + count +
      ": backward processes " + data.names[step.node];
    var lines = root.querySelector(".lines"), log = root.querySelector(".log");
    lines.textContent = "";
    step.lines.forEach(function (line) { item(lines, line); });
    log.textContent = "";
    for (var k = 0; k < current; k++) {
      item(log, "step " + (k + 1) + ": " + data.names[steps[k].node], "step");
      steps[k].lines.forEach(function (line) { item(log, line); });
    }
    if (!fit.checked && values[step.node] && values[step.node].scrollIntoView) {
      values[step.node].scrollIntoView({block: "nearest", inline: "nearest"});
    }
    slider.value = current + 1;
    root.querySelector(".counter").textContent = "step " + (current + 1) + " / " + count;
    prev.disabled = current === 0;
    next.disabled = current === count - 1;
  }
  fit.addEventListener("change", function () { picture.classList.toggle("fit", fit.checked); show(current); });
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(+slider.value - 1); });
  document.addEventListener("keydown", function (e) {
    var focus = document.activeElement;
    if (e.target === slider || (focus && focus !== document.body && !root.contains(focus))) { return; }
    if (e.key === "ArrowLeft") { show(current - 1); e.preventDefault(); }
    if (e.key === "ArrowRight") { show(current + 1); e.preventDefault(); }
  });
  var start = window.location.hash.match(/step=(\d+)/);  // a link can open a given step: page.html#step=5
  show(start ? +start[1] - 1 : 0);
}
"""
