"""The step-through page's stylesheet and script, inlined into every page (no external files)."""

__all__ = ["CSS", "SCRIPT"]

# Scoped under .deltagrad-steps so the page can sit inside a Jupyter notebook. Classes set by the
# script override Graphviz's presentation attributes (fill=, stroke=) on the SVG.
CSS = """
.deltagrad-steps { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #222; max-width: 100%; }
.deltagrad-steps h1 { font-size: 1.3em; margin: 0.4em 0; }
.deltagrad-steps .intro, .deltagrad-steps .note { color: #555; margin: 0.3em 0 0.6em; }
.deltagrad-steps .bar { position: sticky; top: 0; z-index: 5; background: #fff; padding: 0.2em 0 0.4em;
  border-bottom: 1px solid #ddd; margin-bottom: 0.5em; }
.deltagrad-steps .controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5em 0.7em; margin: 0.3em 0; }
.deltagrad-steps .controls button { font-size: 1em; padding: 0.2em 0.7em; cursor: pointer; }
.deltagrad-steps .controls .slider { flex: 1 1 12em; max-width: 40em; }
.deltagrad-steps .counter { font-variant-numeric: tabular-nums; min-width: 6.5em; }
.deltagrad-steps .zoom button { padding: 0.2em 0.5em; margin-left: 2px; }
.deltagrad-steps .zoom-level { color: #555; font-variant-numeric: tabular-nums; display: inline-block; min-width: 5.5em; }
.deltagrad-steps .score { font-weight: 600; color: #3b2a78; font-variant-numeric: tabular-nums; }
.deltagrad-steps .now { background: #fff8e1; border: 1px solid #e0c060; border-radius: 6px; padding: 0.4em 0.9em; }
.deltagrad-steps .heading { font-weight: 600; }
.deltagrad-steps .question { margin: 0.4em 0; }
.deltagrad-steps .question .guess { font: inherit; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; padding: 0.15em 0.4em; }
.deltagrad-steps .question .hint { color: #777; font-size: 0.9em; }
.deltagrad-steps .feedback:empty { display: none; }
.deltagrad-steps .feedback { margin: 0.3em 0; font-weight: 600; }
.deltagrad-steps .feedback.right { color: #1c7c2c; }
.deltagrad-steps .feedback.wrong { color: #b00020; }
.deltagrad-steps .feedback.invalid { color: #8a5a00; }
.deltagrad-steps .lines, .deltagrad-steps .log { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  margin: 0.3em 0; padding-left: 2.5em; }
/* a fixed height, scrolled within: a long step (37 leaf gradients) does not push the picture down */
.deltagrad-steps .now .lines { height: 6.2em; overflow: auto; resize: vertical; }
.deltagrad-steps .lines li { margin: 0.15em 0; }
.deltagrad-steps .log { color: #666; font-size: 0.9em; list-style: none; padding-left: 1em; }
.deltagrad-steps .log li { padding-left: 1.5em; }
.deltagrad-steps .log li.step { font-family: system-ui, Helvetica, Arial, sans-serif; color: #444; padding-left: 0;
  margin-top: 0.3em; }
.deltagrad-steps .main { display: flex; flex-wrap: wrap; gap: 0.6em; align-items: flex-start; }
.deltagrad-steps .picture { flex: 1 1 36em; min-width: 0; overflow: auto; border: 1px solid #ddd; border-radius: 6px;
  padding: 0.3em; max-height: 70vh; }
.deltagrad-steps .picture svg { display: block; }
.deltagrad-steps .explain-box { flex: 0 1 27em; min-width: 16em; overflow: auto; max-height: 70vh; border: 1px solid #b9c9e6;
  border-radius: 6px; padding: 0.4em 0.8em; background: #f6f9ff; }
.deltagrad-steps .explain-box[hidden] { display: none; }
.deltagrad-steps .explain-title { font-weight: 600; color: #1f4f99; margin-bottom: 0.3em; display: flex; gap: 0.5em; }
.deltagrad-steps .explain-title span { flex: 1; }
.deltagrad-steps .explain-close { border: none; background: none; font-size: 1.2em; line-height: 1; cursor: pointer; color: #555; }
.deltagrad-steps .explain-box pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.2em 0 0.6em; }
.deltagrad-steps .explain-box p { margin: 0.4em 0 0.2em; font-size: 0.92em; }
.deltagrad-steps .picture g.node { cursor: pointer; }
.deltagrad-steps table.nodes tr[data-node] { cursor: pointer; }
.deltagrad-steps g.dg-current > polygon, .deltagrad-steps g.dg-current > ellipse { fill: #ffd966; stroke: #c00000; stroke-width: 3px; }
.deltagrad-steps g.dg-updated > polygon { stroke: #e69138; stroke-width: 3px; }
.deltagrad-steps g.dg-updated > text:last-of-type { fill: #c00000; font-weight: bold; }
.deltagrad-steps g.dg-pending > text:last-of-type { fill: #aaaaaa; }
.deltagrad-steps g.dg-hidden > text:last-of-type { fill: #6a3fb5; font-weight: bold; }
.deltagrad-steps g.dg-picked > polygon:first-of-type { stroke: #1f6fd1; stroke-width: 4px; stroke-dasharray: 6 3; }
.deltagrad-steps g.dg-active path { stroke: #c00000; stroke-width: 2.5px; }
.deltagrad-steps g.dg-active polygon { fill: #c00000; stroke: #c00000; }
.deltagrad-steps g.dg-active text { fill: #c00000; font-weight: bold; }
.deltagrad-steps .picture a { cursor: pointer; }
.deltagrad-steps g.dg-cell.dg-current polygon { fill: #ffd966; stroke: #c00000; stroke-width: 2px; }
.deltagrad-steps g.dg-cell.dg-updated polygon { stroke: #e69138; stroke-width: 2px; }
.deltagrad-steps g.dg-grad.dg-updated text { fill: #c00000; font-weight: bold; }
.deltagrad-steps g.dg-grad.dg-pending text { fill: #aaaaaa; }
.deltagrad-steps g.dg-grad.dg-hidden text { fill: #6a3fb5; font-weight: bold; }
.deltagrad-steps g.dg-cell.dg-picked polygon { stroke: #1f6fd1; stroke-width: 3px; stroke-dasharray: 6 3; }
.deltagrad-steps .lines li.sub { display: block; margin-left: -1.5em; font-weight: 600; }  /* not numbered */
.deltagrad-steps .legend-box { flex: 0 0 auto; font-size: 0.9em; color: #555; }
.deltagrad-steps .fold-back { font-size: 1em; padding: 0.2em 0.7em; cursor: pointer; }
.deltagrad-steps table.nodes { border-collapse: collapse; }
.deltagrad-steps table.nodes td, .deltagrad-steps table.nodes th { border: 1px solid #ccc; padding: 0.2em 0.6em; }
.deltagrad-steps tr.dg-current { background: #ffd966; }
.deltagrad-steps tr.dg-picked td:first-child { outline: 3px dashed #1f6fd1; }
.deltagrad-steps tr.dg-updated td.grad { color: #c00000; font-weight: bold; }
.deltagrad-steps tr.dg-pending td.grad { color: #aaaaaa; }
.deltagrad-steps tr.dg-hidden td.grad { color: #6a3fb5; font-weight: bold; }
.deltagrad-steps text.dg-yours { font-size: 13px; font-weight: bold; fill: #6a3fb5; }
.deltagrad-steps text.dg-yours.mark { font-size: 9px; cursor: help; }
.deltagrad-steps text.dg-yours.right { fill: #1c7c2c; }
.deltagrad-steps text.dg-yours.wrong { fill: #b00020; }
.deltagrad-steps span.dg-yours { display: block; font-weight: bold; color: #6a3fb5; }
.deltagrad-steps span.dg-yours.right { color: #1c7c2c; }
.deltagrad-steps span.dg-yours.wrong { color: #b00020; }
.deltagrad-steps .lines li.yours-right { color: #1c7c2c; font-weight: 600; }
.deltagrad-steps .lines li.yours-wrong { color: #b00020; font-weight: 600; }
.deltagrad-steps .lines li.yours-note { color: #444;
  font-family: system-ui, Helvetica, Arial, sans-serif; }
"""

# deltagradSteps(container): wire the controls of one page. The data is JSON in script.data:
# names, initial grad texts, per step the node, its arithmetic lines, the grad texts it changes
# and the answer predict mode expects; per node its explanation (HTML, escaped in Python) and the
# step where its gradient is final (final); a learner's numbers and notes by node (yours: the
# number as written, right, the correct one as shown, a note); predict (open in predict mode)
# and start (the step to open at).
SCRIPT = r"""
function deltagradSteps(root) {
  "use strict";
  var data = JSON.parse(root.querySelector("script.data").textContent);
  var names = data.names, units = data.units || {}, unitNames = data.unitNames || {};
  var steps, count, stepOf, unfolded = null;  // unfolded: the neuron (its v's index) drawn as scalars
  var $ = function (cls) { return root.querySelector("." + cls); };
  var values, ops, grads, edgesInto, svg, natural, inCell;  // inCell[i]: node i is a row of a table
  var picture = $("picture"), bar = $("bar"), folded = picture.firstElementChild;
  // A folded neuron is one step made of its inner steps (y, then v); an unfolded one, one per node.
  function regroup() {
    steps = [];
    stepOf = {};
    data.steps.forEach(function (s, k) {
      var unit = units[s.node], last = steps[steps.length - 1];
      if (unit !== undefined && unit !== unfolded && last && last.unit === unit) {
        last.inner.push(s);
        last.raw.push(k);
        last.nodes.push(s.node);
        last.updated = last.updated.concat(s.updated);
        last.grads = Object.assign({}, last.grads, s.grads);
        last.lines = last.lines.concat([{head: names[s.node] + ":"}], s.lines);
      } else {
        steps.push({node: s.node, nodes: [s.node], raw: [k], inner: [s], updated: s.updated, grads: s.grads,
                    answer: s.answer, lines: s.lines, unit: unit !== undefined && unit !== unfolded ? unit : null});
      }
    });
    steps.forEach(function (s, k) {
      if (s.inner.length > 1) { s.lines = [{head: names[s.node] + ":"}].concat(s.lines); }
      s.nodes.forEach(function (i) { if (!(i in stepOf)) { stepOf[i] = k; } });
    });
    count = steps.length;
  }
  function stepName(step) {
    return step.inner.length > 1 ? unitNames[step.unit] + " (folded: " + step.nodes.map(function (i) {
      return names[i]; }).join(", then ") + ")" : names[step.node];
  }
  function wire() {  // find the picture's boxes, rows and edges; after a fold or unfold, again
    values = []; ops = []; grads = []; edgesInto = {}; inCell = {};
    svg = picture.querySelector("svg");
    if (svg) {
      svg.querySelectorAll("g.node").forEach(function (g) {
        var m = g.querySelector("title").textContent.match(/^(v|op|u)(\d+)$/);
        if (!m || m[1] === "u") { return; }
        g.addEventListener("click", function () { pick(+m[2]); });
        if (m[1] === "op") { ops[+m[2]] = g; return; }
        var texts = g.querySelectorAll("text");
        values[+m[2]] = g;
        grads[+m[2]] = texts[texts.length - 1];
      });
      svg.querySelectorAll("a").forEach(function (a) {  // a neuron table's cells: r3 name, d3 data, g3 grad
        var m = (a.getAttribute("xlink:href") || a.getAttribute("href") || "").match(/^#([rdgh])(\d+)$/);
        if (!m) { return; }
        var i = +m[2], cell = a.parentNode;
        cell.classList.add("dg-cell");
        if (m[1] === "g") { cell.classList.add("dg-grad"); }
        a.addEventListener("click", function (e) {
          e.preventDefault();
          if (m[1] === "h") { unfold(i); } else { pick(i); }
        });
        if (m[1] === "h") { return; }
        values[i] = (values[i] || []).concat([cell]);
        if (m[1] === "g") { grads[i] = cell.querySelector("text"); inCell[i] = true; }
      });
      svg.querySelectorAll("g.edge").forEach(function (g) {
        var m = g.querySelector("title").textContent.match(/(?:op|->u)(\d+)/);
        if (m) { (edgesInto[m[1]] = edgesInto[m[1]] || []).push(g); }
      });
      natural = {w: svg.viewBox.baseVal.width * 4 / 3, h: svg.viewBox.baseVal.height * 4 / 3};
      return;
    }
    root.querySelectorAll("tr[data-node]").forEach(function (tr) {
      var i = +tr.getAttribute("data-node");
      values[i] = tr;
      grads[i] = tr.querySelector("td.grad");
      tr.addEventListener("click", function () { pick(i); });
    });
  }
  // A learner's own number (data.yours): under a box, as text; beside a neuron table's row, where
  // the tables stand close together, as a small mark whose tooltip holds the number (the step's
  // lines say it in full); in a row of the table view, as text. Placed again after an unfold.
  var yours = {};
  function placeYours() {
    yours = {};
    Object.keys(data.yours || {}).forEach(function (i) {
      var target = values[i];
      if (!("yours" in data.yours[i]) || !target) { return; }
      var el, row = Array.isArray(target);
      if (svg) {
        var cell = row ? target[target.length - 1] : target, box = cell.getBBox();
        el = document.createElementNS(svg.namespaceURI, "text");
        el.setAttribute("x", row ? box.x + box.width + 2 : box.x + box.width / 2);
        el.setAttribute("y", row ? box.y + box.height - 3 : box.y + box.height + 13);
        el.setAttribute("text-anchor", row ? "start" : "middle");
        if (row) {  // the mark's tooltip: the number
          var tip = document.createElementNS(svg.namespaceURI, "title");
          tip.textContent = "yours: " + data.yours[i].yours;
          el.appendChild(tip);
        }
        el.appendChild(document.createElementNS(svg.namespaceURI, "tspan"));
        cell.parentNode.appendChild(el);  // beside the node's group: its last text is the grad
      } else {
        el = document.createElement("span");
        target.querySelector("td").appendChild(el);
      }
      el.classList.add("dg-yours");
      if (row) { el.classList.add("mark"); }
      yours[i] = el;
    });
  }
  function groupOf(raw) {  // the shown step (folded neurons are one) holding raw step ``raw``
    var k = steps.findIndex(function (s) { return s.raw.indexOf(raw) >= 0; });
    return k < 0 ? 0 : k;
  }
  function unfold(unit) {  // draw neuron ``unit`` as scalars (null: every neuron folded again)
    var view = unit === null ? null : root.querySelector('template.view[data-unit="' + unit + '"]');
    if (unit !== null && !view) { return; }
    var at = steps ? steps[current].raw[0] : 0;
    unfolded = unit;
    picture.replaceChildren(view ? view.content.cloneNode(true) : folded);
    var back = $("fold-back");
    back.hidden = unit === null;
    back.textContent = unit === null ? "" : "fold " + unitNames[unit] + " back";
    regroup();
    wire();
    placeYours();
    slider.max = count;
    if (steps) { show(steps.findIndex(function (s) { return s.raw.indexOf(at) >= 0; })); }
  }
  var slider = $("slider"), prev = $("prev"), next = $("next"), predict = $("predict"), guess = $("guess");
  var current = 0, picked = null, answers = {}, zoom = null;  // zoom: a scale, or null to fit the window
  regroup();
  wire();
  placeYours();

  function classes(el, on) {
    if (!el) { return; }
    if (Array.isArray(el)) { el.forEach(function (cell) { classes(cell, on); }); return; }
    ["dg-current", "dg-updated", "dg-pending", "dg-active", "dg-hidden", "dg-picked"].forEach(function (c) {
      el.classList.toggle(c, on.indexOf(c) >= 0);
    });
  }
  function item(list, text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    list.appendChild(li);
  }
  // Predict mode asks each step before showing it: until then the steps before it are shown, and
  // the gradient of every node whose own step is not shown yet stays hidden.
  function asking(k) { return predict.checked && !(k in answers); }
  function shownUpTo(k) { return asking(k) ? k : k + 1; }
  function hidden(i, upTo) { return predict.checked && i in stepOf && stepOf[i] >= upTo; }
  function lineText(line, upTo) {  // a line: text, [text, node, masked text], or {head: a subheading}
    if (line.head) { return line.head; }
    return typeof line === "string" ? line : (hidden(line[1], upTo) ? line[2] : line[0]);
  }

  // -- zoom: fit the window, or a scale that follows the current node --------------------------
  function room() { return Math.max(200, window.innerHeight - bar.offsetHeight - 24); }
  function fitScale() {
    return Math.min(1, (picture.clientWidth - 12) / natural.w, (room() - 12) / natural.h);
  }
  function applyZoom() {
    picture.style.maxHeight = $("explain-box").style.maxHeight = room() + "px";
    if (!svg) { return; }
    var z = zoom === null ? fitScale() : zoom;
    svg.style.width = natural.w * z + "px";
    svg.style.height = natural.h * z + "px";
    $("zoom-level").textContent = Math.round(z * 100) + "%" + (zoom === null ? " (fit)" : "");
  }
  function follow(el) {  // pan the picture so that el is in the middle of it
    if (!el || zoom === null) { return; }
    var box = picture.getBoundingClientRect(), r = el.getBoundingClientRect();
    picture.scrollLeft += r.left + r.width / 2 - (box.left + box.width / 2);
    picture.scrollTop += r.top + r.height / 2 - (box.top + box.height / 2);
  }
  function setZoom(z) {
    zoom = z === null ? null : Math.max(0.1, Math.min(4, z));
    show(current);
  }

  // -- the explanation of a clicked node ---------------------------------------------------------
  function explainInto(upTo) {
    if (picked === null) { return; }
    var body = $("explain-body"), name = names[picked];
    $("explain-box").hidden = false;
    $("explain-name").textContent = "Where grad[" + name + "] comes from";
    if (data.initial[picked] === "no grad") {
      note(body, name + " is a constant (requires_grad=False): no gradient flows to it.");
    } else if (!(picked in data.explain)) {
      note(body, data.explainMissing);
    } else if (hidden(picked, upTo)) {
      note(body, "Predict mode: grad[" + name + "] stays hidden until its step (" + (stepOf[picked] + 1) + ") is shown.");
    } else {
      body.innerHTML = data.explain[picked];  // HTML made and escaped by viz.explain
    }
  }
  function note(box, text) {
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = text;
    box.textContent = "";
    box.appendChild(p);
  }
  function pick(i) {
    picked = i;
    show(current);
    var box = $("explain-box");
    if (box.getBoundingClientRect().top >= picture.getBoundingClientRect().bottom) {  // wrapped below: bring it in
      box.scrollIntoView({block: "nearest"});
    }
  }
  $("explain-close").addEventListener("click", function () {
    picked = null;
    $("explain-box").hidden = true;
    show(current);
  });

  // -- predict mode ------------------------------------------------------------------------------
  function parse(text) {
    var t = text.trim().replace(/\u2212/g, "-").replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : NaN;
  }
  function grade() {
    var k = current, step = steps[k], x = parse(guess.value), a = Number(step.answer);
    var feedback = $("feedback");
    if (isNaN(x)) {
      feedback.className = "feedback invalid";
      feedback.textContent = "Type a number, e.g. 0.5 or -1.5e-3.";
      return;
    }
    var right = isFinite(a) ? Math.abs(x - a) <= 1e-3 || Math.abs(x - a) <= 1e-3 * Math.abs(a)
                            : guess.value.trim().toLowerCase() === step.answer;
    answers[k] = {guess: guess.value.trim(), right: right};
    show(k);
    next.focus({preventScroll: true});
  }
  // At the step where a node's gradient is final: the learner's number beside it, and the note.
  function learnerLines(list) {
    Object.keys(data.yours).forEach(function (i) {
      var y = data.yours[i], name = names[i];
      if (groupOf(data.final[i]) !== current) { return; }
      if ("yours" in y) {
        var yours = "your grad[" + name + "] = " + y.yours;
        item(list, y.right ? "\u2713 " + yours + " agrees with " + y.correct
          : "\u2717 " + yours + "; backward's is " + y.correct,
          y.right ? "yours-right" : "yours-wrong");
      }
      if ("note" in y) { item(list, name + ": " + y.note, "yours-note"); }
    });
  }
  function score() {
    var tried = 0, right = 0;
    for (var k in answers) { tried++; if (answers[k].right) { right++; } }
    var el = $("score");
    el.hidden = !predict.checked;
    el.textContent = "score: " + right + " right / " + tried + " tried";
  }

  function show(s) {
    current = Math.max(0, Math.min(count - 1, s));
    var step = steps[current], upTo = shownUpTo(current), ask = asking(current);
    var texts = data.initial.slice();
    for (var j = 0; j < upTo; j++) {
      var changed = steps[j].grads;
      for (var key in changed) { texts[+key] = changed[key]; }
    }
    values.forEach(function (el, i) {
      var on = [];
      if (step.nodes.indexOf(i) >= 0) { on.push("dg-current"); }
      else if (!ask && step.updated.indexOf(i) >= 0) { on.push("dg-updated"); }
      if (hidden(i, upTo)) { texts[i] = data.hidden; on.push("dg-hidden"); }
      else if (texts[i].slice(-1) === "\u2014") { on.push("dg-pending"); }
      if (i === picked) { on.push("dg-picked"); }
      classes(el, on);
      if (grads[i]) { grads[i].textContent = inCell[i] ? texts[i].replace(/^grad /, "") : texts[i]; }
    });
    ops.forEach(function (el, i) { classes(el, step.nodes.indexOf(i) >= 0 ? ["dg-current"] : []); });
    Object.keys(edgesInto).forEach(function (k) {
      edgesInto[k].forEach(function (el) { classes(el, !ask && step.nodes.indexOf(+k) >= 0 ? ["dg-active"] : []); });
    });
    var name = names[step.node], head = "Step " + (current + 1) + " of " + count + ": ";
    $("heading").textContent = ask
      ? head + "backward is about to process " + stepName(step) + ". Predict its gradient: grad[" + name + "] = ?"
      : head + "backward processes " + stepName(step);
    $("question").hidden = !ask;
    var feedback = $("feedback"), answer = answers[current];
    feedback.className = "feedback";
    feedback.textContent = "";
    if (answer && predict.checked) {
      feedback.className = "feedback " + (answer.right ? "right" : "wrong");
      feedback.textContent = answer.right ? "\u2713 right: grad[" + name + "] = " + step.answer
        : "\u2717 you said " + answer.guess + "; grad[" + name + "] = " + step.answer +
          " (click " + name + " in the picture to see why)";
    }
    var lines = $("lines"), log = $("log");
    lines.textContent = "";
    if (!ask) {
      step.lines.forEach(function (line) { item(lines, lineText(line, upTo), line.head && "sub"); });
      learnerLines(lines);
    }
    Object.keys(yours).forEach(function (i) {
      var y = data.yours[i], open = upTo > groupOf(data.final[i]);  // its final gradient is shown
      var mark = open ? (y.right ? "\u2713" : "\u2717") : "";
      var shown = yours[i].classList.contains("mark") ? mark || "\u2022" : "yours: " + y.yours + (mark && " " + mark);
      (yours[i].querySelector("tspan") || yours[i]).textContent = shown;
      yours[i].classList.toggle("right", open && y.right);
      yours[i].classList.toggle("wrong", open && !y.right);
    });
    log.textContent = "";
    for (var k = current - 1; k >= 0; k--) {  // the latest first, next to the picture
      item(log, "step " + (k + 1) + ": " + stepName(steps[k]), "step");
      steps[k].lines.forEach(function (line) { item(log, lineText(line, upTo), line.head && "sub"); });
    }
    slider.value = current + 1;
    $("counter").textContent = "step " + (current + 1) + " / " + count;
    prev.disabled = current === 0;
    next.disabled = current === count - 1;
    score();
    explainInto(upTo);
    applyZoom();
    follow(Array.isArray(values[step.node]) ? values[step.node][0] : values[step.node]);
    if (ask) {
      guess.value = "";
      guess.focus({preventScroll: true});
    }
  }

  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(+slider.value - 1); });
  predict.addEventListener("change", function () { show(current); });
  $("check").addEventListener("click", grade);
  guess.addEventListener("keydown", function (e) { if (e.key === "Enter") { grade(); e.preventDefault(); } });
  $("zoom-fit").addEventListener("click", function () { setZoom(null); });
  $("zoom-one").addEventListener("click", function () { setZoom(1); });
  $("zoom-in").addEventListener("click", function () { setZoom((zoom === null ? fitScale() : zoom) * 1.25); });
  $("zoom-out").addEventListener("click", function () { setZoom((zoom === null ? fitScale() : zoom) / 1.25); });
  window.addEventListener("resize", function () { applyZoom(); });
  $("fold-back").addEventListener("click", function () { unfold(null); });
  // the page follows #step=N, typed or linked, while it is open too
  window.addEventListener("hashchange", function () {
    var m = window.location.hash.match(/step=(\d+)/);
    if (m) { show(+m[1] - 1); }
  });
  document.addEventListener("keydown", function (e) {
    var focus = document.activeElement;
    if (e.target === slider || (e.target === guess && guess.value !== "")) { return; }
    if (focus && focus !== document.body && !root.contains(focus)) { return; }
    if (e.key === "ArrowLeft") { show(current - 1); e.preventDefault(); }
    if (e.key === "ArrowRight") { show(current + 1); e.preventDefault(); }
  });
  // Big pictures start at 100%, following the current node: fitted, their text would be unreadable.
  if (svg && fitScale() < 0.5) { zoom = 1; }
  predict.checked = !!data.predict;
  // a link can open a given step or node: page.html#step=5, page.html#node=w1
  var hash = window.location.hash;
  var byStep = hash.match(/step=(\d+)/), byNode = hash.match(/node=([^&]+)/);
  var node = byNode ? names.indexOf(decodeURIComponent(byNode[1])) : -1;
  show(byStep ? +byStep[1] - 1 : groupOf(node >= 0 ? data.final[node] : data.start));
}
"""
