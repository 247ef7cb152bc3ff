// deltagrad playground: draws what the server (or a recording) says; computes nothing it shows as
// a result. The δ and ∂J/∂w of the selected sample come from the scalar engine on the server; the
// page only writes them into the lecture's formulas, next to the numbers they are made of.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const SVGNS = "http://www.w3.org/2000/svg";
  const CLASS_RGB = [[245, 147, 34], [8, 119, 189], [44, 160, 44]];
  // The sign of a weight or a δ: red positive, blue negative, as in every picture (viz.style's
  // SIGN_COLORS; a test compares). The loss curve and a regression's fit keep their own colours.
  const POSITIVE = "#c0392b", NEGATIVE = "#2e6fb5", NOT_A_NUMBER = "#98a2b3";
  const SIGN_RGB = { positive: [192, 57, 43], negative: [46, 111, 181] };
  const LOSS = "#0877bd", FIT = "#f59322", INK = "#344054";
  const PLANE_STRENGTH = 0.8;  // a regression's plane: a little paler than its points
  const SHORT = { linear: "lin", sigmoid: "σ", tanh: "tanh", relu: "ReLU", leaky_relu: "lReLU", elu: "ELU",
                  selu: "SELU", softplus: "s+", step: "step", softmax: "soft" };
  const POLL_MS = 200, DETAIL_MS = 350;
  // The server's token: the page it served carries it, and each request sends it back, so that a
  // page of another site (which cannot read this one) cannot make the server do the costly work.
  const TOKEN = (document.currentScript && document.currentScript.dataset.token) || "";
  // JSON has no NaN or infinity (a diverged run has them): they come as these strings.
  const NON_FINITE = new Map([["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]]);
  const revive = (key, value) =>
    (typeof value === "string" && NON_FINITE.has(value) ? NON_FINITE.get(value) : value);

  const recordingTag = $("recording");
  const recording = recordingTag ? JSON.parse(recordingTag.textContent, revive) : null;
  let options = recording ? recording.options : null;
  let state = null;      // the state drawn last
  let version = null;    // its version (live)
  let selected = null;   // the selected sample's index
  let detail = null;     // its numbers, from the scalar engine
  let focus = null;      // {kind: "unit" | "edge", layer, unit, input}
  let detailAsked = 0;
  let pixels = [];       // each data point's position on the canvas
  let built = null;      // the network's shape, as drawn
  let offline = false;
  let weightsOpen = false; // whether the list of every weight's gradient is unfolded

  // -- small helpers -----------------------------------------------------------------------

  function fmt(x) {
    if (x === null || x === undefined) return "—";
    if (typeof x !== "number") return String(x);
    if (!isFinite(x)) return isNaN(x) ? "NaN" : x > 0 ? "∞" : "−∞";
    if (x === 0) return "0";
    const a = Math.abs(x);
    if (a >= 1e5 || a < 1e-3) return x.toExponential(3).replace("e+", "e");
    return String(Number(x.toPrecision(4)));
  }
  const short = (x) => (Math.abs(x) >= 0.01 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(2))) : x.toExponential(0).replace("e+", "e"));
  const full = (x) => String(x);  // the shortest text that reads back as the same double
  const paren = (x) => (x < 0 ? "(" + fmt(x) + ")" : fmt(x));
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = !text;
  }
  const unitName = (k, j) => "L" + k + ".N" + j;
  // For widths and shades: the largest finite |x|, and |x| as a share of it (±∞ counts as all).
  const largest = (xs) =>
    xs.reduce((most, x) => (isFinite(x) ? Math.max(most, Math.abs(x)) : most), 1e-12);
  const share = (x, biggest) => (isFinite(x) ? Math.min(1, Math.abs(x) / biggest) : 1);

  // -- talking to the server ---------------------------------------------------------------

  async function call(method, path, body) {
    const init = { method: method, headers: { "X-Deltagrad-Token": TOKEN } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const data = JSON.parse(await response.text(), revive);
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  async function poll() {
    try {
      const s = await call("GET", "/api/state" + (version === null ? "" : "?since=" + version));
      if (offline) { offline = false; showError(""); }
      if (!s.unchanged) draw(s);
    } catch (error) {
      offline = true;
      showError("The playground server is not answering (" + error.message + "). Is it still running?");
    }
    setTimeout(poll, offline ? 1000 : POLL_MS);
  }

  async function send(path, body) {
    try {
      const answer = await call("POST", path, body);
      showError("");
      if (answer.config) syncControls(answer.config);
      version = null;  // draw the next state even if only the settings changed
    } catch (error) {
      showError(error.message);
      try { syncControls((await call("GET", "/api/config")).config); } catch (ignored) { /* shown by poll */ }
    }
  }

  // -- controls (live) ---------------------------------------------------------------------

  function fillSelect(select, values, labels) {
    select.replaceChildren(...values.map((v) => el("option", { value: v }, labels ? labels[v] : v)));
  }

  function readNumber(input) {
    // An empty or malformed field goes to the server as text, so that its error names the setting.
    return input.value.trim() !== "" && isFinite(Number(input.value)) ? Number(input.value) : input.value;
  }

  function setupControls() {
    fillSelect($("dataset"), Object.keys(options.datasets));
    fillSelect($("optimizer"), options.optimizers);
    const classes = Array.from({ length: options.limits.classes }, (_, c) => String(c));
    fillSelect($("point-class"), classes, Object.fromEntries(classes.map((c) => [c, "class " + c])));
    $("use-csv").addEventListener("click", () => send("/api/config", { data: { csv: $("csv").value } }));
    for (const what of ["model", "torch", "run"]) {
      $("export-" + what).href = "/api/export/" + what + "?token=" + encodeURIComponent(TOKEN);
    }
    for (const input of document.querySelectorAll("#controls [data-setting]")) {
      input.addEventListener("change", () => {
        const value = input.tagName === "SELECT" ? input.value : readNumber(input);
        send("/api/config", { [input.dataset.setting]: value });
      });
    }
    $("add-layer").addEventListener("click", () => {
      const layers = readLayers();
      const last = layers.activations[layers.activations.length - 1] || "tanh";
      send("/api/config", { hidden: layers.hidden.concat([4]), activations: layers.activations.concat([last]) });
    });
    $("play").addEventListener("click", () => send("/api/control", { action: state && state.status === "running" ? "pause" : "play" }));
    $("one").addEventListener("click", () => send("/api/control", { action: "step", count: 1 }));
    $("reset").addEventListener("click", () => send("/api/control", { action: "reset" }));
  }

  function readLayers() {
    const rows = [...document.querySelectorAll("#layers .layer")];
    return { hidden: rows.map((r) => readNumber(r.querySelector("input"))),
             activations: rows.map((r) => r.querySelector("select").value) };
  }

  function syncLayers(config) {
    const box = $("layers");
    box.replaceChildren();
    config.hidden.forEach((width, k) => {
      const row = el("div", { class: "layer" });
      const input = el("input", { type: "number", step: "1", "aria-label": "width of hidden layer " + (k + 1) });
      input.value = width;
      const select = el("select", { "aria-label": "activation of hidden layer " + (k + 1) });
      fillSelect(select, options.activations);
      select.value = config.activations[k];
      const remove = el("button", { type: "button", title: "remove this layer" }, "−");
      const change = () => send("/api/config", readLayers());
      input.addEventListener("change", change);
      select.addEventListener("change", change);
      remove.addEventListener("click", () => {
        const layers = readLayers();
        layers.hidden.splice(k, 1);
        layers.activations.splice(k, 1);
        send("/api/config", layers);
      });
      row.append(el("span", {}, String(k + 1)), input, select, remove);
      box.append(row);
    });
  }

  function syncControls(config) {
    const task = config.task;
    const names = Object.keys(options.datasets);
    fillSelect($("dataset"), config.dataset === options.custom ? names.concat([options.custom]) : names);
    const heads = Object.keys(options.heads).filter((h) => options.heads[h].tasks.includes(task));
    const labels = Object.fromEntries(Object.entries(options.heads).map(([k, h]) => [k, h.label]));
    fillSelect($("head"), heads, labels);
    for (const input of document.querySelectorAll("#controls [data-setting]")) {
      input.value = config[input.dataset.setting];
    }
    syncLayers(config);
  }

  // -- the status line ---------------------------------------------------------------------

  function drawStatus(s) {
    $("step").textContent = s.step;
    $("loss").textContent = fmt(s.loss);
    const share1 = (a) => (a === null || a === undefined ? "—" : (100 * a).toFixed(1) + "%");
    $("accuracy").textContent = share1(s.accuracy);
    $("test-status").hidden = !(s.data && s.data.test && s.data.test.length);
    $("test-loss").textContent = fmt(s.test_loss);
    $("test-accuracy").textContent = share1(s.test_accuracy);
    const badge = $("badge");
    badge.textContent = s.status;
    badge.className = "badge " + s.status;
    $("play").textContent = s.status === "running" ? "pause" : "play";
    $("play").disabled = $("one").disabled = s.status === "diverged";
    const message = $("message");
    message.textContent = s.message || "";
    message.hidden = !s.message;
    drawDivergence(s.divergence);
  }

  // Why a run diverged: the scalar engine's first non-finite sample and node, with a link to that
  // sample's step-through page at that node.
  function drawDivergence(card) {
    const box = $("divergence");
    box.hidden = !card;
    if (!card) { box.replaceChildren(); return; }
    if (box.dataset.step === String(card.step) && box.dataset.sample === String(card.sample)) return;
    box.dataset.step = card.step;
    box.dataset.sample = card.sample;
    box.replaceChildren(el("h3", {}, "Why it diverged"),
      el("p", {}, "The loss of step " + card.step + " was not finite (NaN or ∞). " +
         (card.sample === null ? "No single sample's graph was: " + card.anomaly + "."
          : "The first training sample whose graph went non-finite is #" + card.sample +
            " (the scalar engine under anomaly detection says: " + card.anomaly.replace(/^detect_anomaly: /, "") +
            ").")));
    if (card.node) {
      box.append(el("p", {}, "Its first node whose value is not finite: " + card.node.name + " = " + card.node.value +
        (card.node.op ? " (made by " + card.node.op + ")" : "") +
        ". Too large a learning rate makes the weights grow at each step until a product overflows."));
    }
    if (card.sample !== null && !recording) {
      const step = card.page_step ? "#step=" + card.page_step : "";
      box.append(el("a", { id: "divergence-link", target: "_blank", rel: "noopener",
                           href: "/steps?index=" + card.sample + "&token=" + encodeURIComponent(TOKEN) + step },
                    "open sample #" + card.sample + "'s graph at that node ↗"));
    }
  }

  // -- the data and the regions ------------------------------------------------------------

  function drawData(s) {
    const canvas = $("data"), g = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    g.clearRect(0, 0, W, H);
    const f = s.view.frame;
    const X = s.data.x, Y = s.data.y;
    const held = new Set(s.data.test || []);
    const plane = !!f.x1, scale = planeScale(s);
    $("scale").hidden = !scale;
    if (!plane) {  // one input: the targets over x, and the fitted curve
      let lo = Math.min(...Y), hi = Math.max(...Y);  // the data's range: a wild curve leaves the picture
      const pad = 0.25 * (hi - lo || 1);
      lo -= pad; hi += pad;
      const px = (x) => ((x - f.x0[0]) / (f.x0[1] - f.x0[0])) * W;
      const py = (y) => H - ((y - lo) / (hi - lo)) * H;
      axes(g, px(0), py(0), W, H);
      if (s.view.curve) {
        g.strokeStyle = FIT; g.lineWidth = 3; g.beginPath();
        s.view.curve.x.forEach((x, i) => { const y = s.view.curve.y[i]; if (y !== null) g.lineTo(px(x), py(y)); });
        g.stroke();
      }
      pixels = X.map((row, i) => [px(row[0]), py(Y[i])]);
      pixels.forEach(([x, y], i) => dot(g, x, y, "rgb(8,119,189)", held.has(i)));
    } else {
      if (s.view.grid && scale) heatMap(g, s.view.grid, scale, W, H);
      else if (s.view.grid) regions(g, s.view.grid, W, H);
      const px = (x) => ((x - f.x0[0]) / (f.x0[1] - f.x0[0])) * W;
      const py = (y) => H - ((y - f.x1[0]) / (f.x1[1] - f.x1[0])) * H;
      axes(g, px(0), py(0), W, H);
      pixels = X.map((row) => [px(row[0]), py(row[1])]);
      // A regression's points wear their target's colour on the plane's scale, ringed in ink so
      // that a point the network fits well still shows on its own colour.
      const colour = (i) => "rgb(" + (scale ? scaleRGB(Y[i], scale, 1) : CLASS_RGB[Y[i]]) + ")";
      pixels.forEach(([x, y], i) => dot(g, x, y, colour(i), held.has(i), scale ? INK : null));
      if (scale) drawScale(scale);
    }
    if (recording) {
      g.setLineDash([3, 3]); g.strokeStyle = "#475467"; g.lineWidth = 1.5;
      for (const i of recording.samples) ring(g, pixels[i], 7);
      g.setLineDash([]);
    }
    if (selected !== null && pixels[selected]) {
      g.strokeStyle = "#000"; g.lineWidth = 2.5;
      ring(g, pixels[selected], 8);
    }
  }

  // -- a regression over the plane: one diverging scale for the output and the targets ---------

  // A regression's scale on two inputs (from the server: centred on the targets' mean), or null.
  const planeScale = (s) => (s.task === "regression" && s.view.grid && s.view.grid.scale) || null;

  // The colour of ``value`` on ``scale``: the class 0 colour below the centre, class 1's above (as
  // TF Playground), white at the centre; ``strength`` 1 gives the full colour at the ends.
  function scaleRGB(value, scale, strength) {
    if (value === null || !isFinite(value)) return [152, 162, 179];
    const a = Math.max(-1, Math.min(1, (value - scale.centre) / scale.half));
    const rgb = a < 0 ? CLASS_RGB[0] : CLASS_RGB[1], s = strength * Math.abs(a);
    return rgb.map((v) => Math.round(255 - s * (255 - v)));
  }

  // An n×n grid of colours (ImageData), drawn smoothed over the W×H plane.
  function paintGrid(g, image, W, H) {
    const small = document.createElement("canvas");
    small.width = image.width;
    small.height = image.height;
    small.getContext("2d").putImageData(image, 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(small, 0, 0, W, H);
  }

  function heatMap(g, grid, scale, W, H) {
    const n = grid.size, image = new ImageData(n, n);
    grid.values.forEach((value, cell) => {
      const r = Math.floor(cell / n), c = cell % n, at = 4 * ((n - 1 - r) * n + c);  // x1 upwards
      const rgb = scaleRGB(value, scale, PLANE_STRENGTH);
      image.data[at] = rgb[0]; image.data[at + 1] = rgb[1]; image.data[at + 2] = rgb[2];
      image.data[at + 3] = 255;
    });
    paintGrid(g, image, W, H);
  }

  // The legend under the plane: the scale from centre − half to centre + half.
  function drawScale(scale) {
    const canvas = $("scale"), g = canvas.getContext("2d"), W = canvas.width;
    const left = 150, right = 12, w = W - left - right;
    g.clearRect(0, 0, W, canvas.height);
    for (let x = 0; x < w; x++) {
      const value = scale.centre + scale.half * (2 * x / (w - 1) - 1);
      g.fillStyle = "rgb(" + scaleRGB(value, scale, PLANE_STRENGTH) + ")";
      g.fillRect(left + x, 2, 1, 12);
    }
    g.strokeStyle = "#d0d7de"; g.strokeRect(left + 0.5, 2.5, w - 1, 11);
    g.font = "11px system-ui, sans-serif"; g.fillStyle = "#667085";
    g.textAlign = "left"; g.fillText("output and targets", 0, 12);
    g.fillText(fmt(scale.centre - scale.half), left, 28);
    g.textAlign = "center";
    g.fillText(fmt(scale.centre) + " (the targets' mean)", left + w / 2, 28);
    g.textAlign = "right"; g.fillText(fmt(scale.centre + scale.half), left + w, 28);
  }

  function regions(g, grid, W, H) {
    const n = grid.size, probs = grid.probs, k = probs.length;
    const image = new ImageData(n, n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const cell = r * n + c;
        let red = 0, green = 0, blue = 0, top = 0;
        for (let m = 0; m < k; m++) {
          const p = probs[m][cell] === null ? 1 / k : probs[m][cell];
          red += p * CLASS_RGB[m][0]; green += p * CLASS_RGB[m][1]; blue += p * CLASS_RGB[m][2];
          top = Math.max(top, p);
        }
        const strength = 0.12 + 0.33 * (top - 1 / k) / (1 - 1 / k);  // paler where the model is unsure
        const at = 4 * ((n - 1 - r) * n + c);  // row r is x1's r-th value: upwards on the page
        image.data[at] = 255 - strength * (255 - red);
        image.data[at + 1] = 255 - strength * (255 - green);
        image.data[at + 2] = 255 - strength * (255 - blue);
        image.data[at + 3] = 255;
      }
    }
    paintGrid(g, image, W, H);
  }

  function axes(g, x0, y0, W, H) {
    g.strokeStyle = "rgba(0,0,0,0.18)"; g.lineWidth = 1; g.beginPath();
    if (x0 > 0 && x0 < W) { g.moveTo(x0, 0); g.lineTo(x0, H); }
    if (y0 > 0 && y0 < H) { g.moveTo(0, y0); g.lineTo(W, y0); }
    g.stroke();
  }
  // A data point; ``edge``: a thin ring around it in that colour (a regression's points, whose
  // colour may be the plane's), dotted around a held-out point (whose colour may be white).
  function dot(g, x, y, color, hollow, edge) {
    g.beginPath(); g.arc(x, y, 4, 0, 2 * Math.PI);
    if (hollow) {  // a held-out (test) point: only its outline
      g.fillStyle = "#fff"; g.fill();
      g.strokeStyle = color; g.lineWidth = 2; g.stroke();
    } else {
      g.fillStyle = color; g.fill();
      g.strokeStyle = edge ? color : "#fff"; g.lineWidth = 1.2; g.stroke();
    }
    if (!edge) return;
    g.beginPath(); g.arc(x, y, 5.5, 0, 2 * Math.PI);
    g.strokeStyle = edge; g.lineWidth = hollow ? 1.4 : 1;
    if (hollow) g.setLineDash([2, 2]);
    g.stroke(); g.setLineDash([]);
  }
  function ring(g, p, radius) {
    if (!p) return;
    g.beginPath(); g.arc(p[0], p[1], radius, 0, 2 * Math.PI); g.stroke();
  }

  // -- your own points: click to add, drag to move, right-click or Delete to remove -----------

  let dragging = null;   // {index, moved, sent} while a point is held
  let pressed = null;    // where a press on an empty spot started

  function canvasPoint(event) {
    const canvas = $("data"), box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width),
            (event.clientY - box.top) * (canvas.height / box.height)];
  }
  function nearest([x, y]) {
    let best = null, bestDistance = 14 * 14;
    pixels.forEach(([px, py], i) => {
      const d = (px - x) ** 2 + (py - y) ** 2;
      if (d < bestDistance) { best = i; bestDistance = d; }
    });
    return best;
  }
  // Points on the plane (two inputs) can be edited; a regression on a line cannot (yet).
  const editable = () => !recording && state && state.view && state.view.frame.x1;
  function toData([px, py]) {
    const f = state.view.frame, canvas = $("data");
    const round = (v) => Math.round(v * 1e4) / 1e4;
    return [round(f.x0[0] + (px / canvas.width) * (f.x0[1] - f.x0[0])),
            round(f.x1[0] + ((canvas.height - py) / canvas.height) * (f.x1[1] - f.x1[0]))];
  }
  function ownPoints() {
    // JSON writes a target of 1.0 as 1: the task says that the labels are targets, not classes.
    const task = state.task === "regression" ? "regression" : "classification";
    return { x: state.data.x.map((row) => row.slice()), y: state.data.y.slice(), task: task };
  }
  async function sendPoints(points) {
    // The next edit starts from these points, even before the server's state comes back.
    state.data = Object.assign({}, state.data, { x: points.x, y: points.y, test: [] });
    try {
      await call("POST", "/api/points", points);
      showError("");
      version = null;
      syncControls((await call("GET", "/api/config")).config);
      draw(await call("GET", "/api/state"));
      if (selected !== null) fetchDetail();
    } catch (error) {
      showError(error.message);
    }
  }
  function removePoint(index) {
    const points = ownPoints();
    points.x.splice(index, 1);
    points.y.splice(index, 1);
    if (selected === index) { selected = null; detail = null; showSample(); }
    else if (selected !== null && selected > index) selected -= 1;
    sendPoints(points);
  }

  $("data").addEventListener("mousedown", (event) => {
    if (event.button !== 0 || !state) return;
    const at = canvasPoint(event), index = nearest(at);
    if (index !== null) {
      select(index);
      if (editable()) dragging = { index, moved: false, sent: 0 };
    } else if (editable()) {
      pressed = { at, shift: event.shiftKey };
    }
  });
  $("data").addEventListener("mousemove", (event) => {
    if (!dragging) return;
    const at = canvasPoint(event);
    dragging.moved = true;
    state.data.x[dragging.index] = toData(at);
    pixels[dragging.index] = at;
    drawData(state);
    if (Date.now() - dragging.sent > 150) {  // the δ's follow the point while it moves
      dragging.sent = Date.now();
      sendPoints(ownPoints());
    }
  });
  window.addEventListener("mouseup", (event) => {
    if (dragging) {
      if (dragging.moved) sendPoints(ownPoints());
      dragging = null;
    } else if (pressed && event.target === $("data")) {
      const points = ownPoints();
      if (state.task === "regression") {  // a point takes a value: the one in the target box
        const target = readNumber($("point-target"));
        if (typeof target !== "number") {
          showError("new points' target must be a number, got " + JSON.stringify(target));
          pressed = null;
          return;
        }
        points.y.push(target);
      } else {
        const picked = Number($("point-class").value), classes = Math.max(2, state.classes);
        points.y.push(pressed.shift ? (picked + 1) % classes : picked);
      }
      points.x.push(toData(pressed.at));
      sendPoints(points);
    }
    pressed = null;
  });
  $("data").addEventListener("contextmenu", (event) => {
    if (!editable()) return;
    const index = nearest(canvasPoint(event));
    if (index === null) return;
    event.preventDefault();
    removePoint(index);
  });
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if ((event.key === "Delete" || event.key === "Backspace") && !typing && selected !== null && editable()) {
      event.preventDefault();
      removePoint(selected);
    }
  });

  // What a click on the plane adds, by task: a point of the picked class, or of the typed target.
  const CAPTIONS = {
    classes: "click a point to see its backpropagation; click an empty spot to add one (shift: " +
             "the other class), drag a point to move it, right-click or Delete removes it",
    plane: "the plane is coloured by the network's output, each point by its target (the scale " +
           "below). Click a point to see its backpropagation; click an empty spot to add one " +
           "whose target is \u201cnew points' target\u201d, drag a point to move it, " +
           "right-click or Delete removes it",
    line: "the targets over x and the network's fit. Click a point to see its backpropagation " +
          "(paste a CSV to use your own points)",
  };
  function drawEditing(s) {
    const regression = s.task === "regression", plane = !!s.view.frame.x1;
    $("point-class-label").hidden = regression;
    $("point-target-label").hidden = !(regression && plane);
    const caption = !regression ? "classes" : plane ? "plane" : "line";
    if (!recording) $("data-caption").textContent = CAPTIONS[caption];
  }

  // -- loss and accuracy -------------------------------------------------------------------

  function drawCurves(s) {
    const canvas = $("curves"), g = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    const left = 46, right = 40, top = 10, bottom = 22, w = W - left - right, h = H - top - bottom;
    g.clearRect(0, 0, W, H);
    g.font = "11px system-ui, sans-serif"; g.fillStyle = "#667085";
    g.strokeStyle = "#d0d7de"; g.strokeRect(left, top, w, h);
    const steps = s.curve.step, losses = s.curve.loss, accuracies = s.curve.accuracy;
    const testLosses = s.curve.test_loss || [], testAccuracies = s.curve.test_accuracy || [];
    document.querySelector(".test-key").hidden = !s.curve.test_loss;
    const scored = accuracies.length > 0 && accuracies[0] !== null;  // a regression has no accuracy
    for (const key of document.querySelectorAll(".accuracy-key")) key.hidden = !scored;
    const last = Math.max(10, steps.length ? steps[steps.length - 1] : 0);
    const sx = (step) => left + (step / last) * w;
    g.textAlign = "left"; g.fillText("0", left, H - 6);
    g.textAlign = "right"; g.fillText("step " + last, left + w, H - 6);
    const finite = losses.concat(testLosses).filter((v) => v !== null && v > 0);
    if (finite.length) {
      let lo = Math.log10(Math.min(...finite)), hi = Math.log10(Math.max(...finite));
      if (hi - lo < 0.5) { lo -= 0.25; hi += 0.25; }
      const sy = (v) => top + h - ((Math.log10(v) - lo) / (hi - lo)) * h;
      g.textAlign = "right";
      g.fillText(short(10 ** hi), left - 4, top + 9);
      g.fillText(short(10 ** lo), left - 4, top + h);
      g.strokeStyle = LOSS; g.lineWidth = 1.6; g.beginPath();
      steps.forEach((step, i) => { const v = losses[i]; if (v !== null && v > 0) g.lineTo(sx(step), sy(v)); });
      g.stroke();
      if (testLosses.length) {  // the held-out data's: dashed
        g.setLineDash([5, 3]); g.beginPath();
        steps.forEach((step, i) => { const v = testLosses[i]; if (v !== null && v > 0) g.lineTo(sx(step), sy(v)); });
        g.stroke(); g.setLineDash([]);
      }
    }
    if (accuracies.length && accuracies[0] !== null) {
      const sy = (a) => top + h - a * h;
      g.textAlign = "left";
      g.fillText("100%", left + w + 4, top + 9);
      g.fillText("0%", left + w + 4, top + h);
      g.strokeStyle = "#2ca02c"; g.lineWidth = 1.6; g.beginPath();
      steps.forEach((step, i) => g.lineTo(sx(step), sy(accuracies[i])));
      g.stroke();
      if (testAccuracies.length && testAccuracies[0] !== null) {
        g.setLineDash([5, 3]); g.beginPath();
        steps.forEach((step, i) => g.lineTo(sx(step), sy(testAccuracies[i])));
        g.stroke(); g.setLineDash([]);
      }
    }
  }

  // -- the network -------------------------------------------------------------------------

  function layout(sizes) {
    const W = 560, H = 360, columns = sizes.length;
    const xs = sizes.map((_, k) => 50 + (k * (W - 100)) / (columns - 1));
    const most = Math.max(...sizes);
    const gap = Math.min(46, (H - 60) / most);
    const radius = Math.max(6, Math.min(15, gap * 0.4));
    const ys = sizes.map((n) => Array.from({ length: n }, (_, j) => H / 2 + 10 + (j - (n - 1) / 2) * gap));
    return { W, H, xs, ys, radius };
  }

  function buildNetwork(net) {
    const root = $("network");
    const shape = layout(net.sizes);
    root.setAttribute("viewBox", "0 0 " + shape.W + " " + shape.H);
    root.replaceChildren();
    const edges = svg("g"), units = svg("g"), labels = svg("g"), maps = svg("g");
    root.append(labels, edges, units, maps);
    const count = net.sizes.length;
    net.sizes.forEach((n, k) => {
      const name = k === 0 ? "input" : k === count - 1 ? "output" : "hidden " + k;
      const text = svg("text", { x: shape.xs[k], y: 16, class: "layer-label" });
      text.textContent = k === 0 ? name : name + " · " + net.activations[k - 1];
      labels.append(text);
    });
    const wires = [];
    for (let k = 0; k < count - 1; k++) {
      wires.push([]);
      for (let j = 0; j < net.sizes[k + 1]; j++) {
        wires[k].push([]);
        for (let i = 0; i < net.sizes[k]; i++) {
          const group = svg("g", { class: "edge", "data-layer": k, "data-unit": j, "data-input": i });
          const ends = { x1: shape.xs[k], y1: shape.ys[k][i], x2: shape.xs[k + 1], y2: shape.ys[k + 1][j] };
          const wire = svg("line", Object.assign({ class: "wire" }, ends));
          const change = svg("line", Object.assign({ class: "change" }, ends));
          group.append(svg("line", Object.assign({ class: "hit" }, ends)), wire, change, svg("title"));
          edges.append(group);
          wires[k][j].push(group);
        }
      }
    }
    const circles = net.sizes.map((n, k) => Array.from({ length: n }, (_, j) => {
      const group = svg("g", { class: "unit", "data-layer": k - 1, "data-unit": j });
      const circle = svg("circle", { cx: shape.xs[k], cy: shape.ys[k][j], r: shape.radius, fill: "#fff" });
      const label = svg("text", { x: shape.xs[k], y: shape.ys[k][j] });
      label.textContent = k === 0 ? "x" + j : shape.radius >= 11 ? SHORT[net.activations[k - 1]] : "";
      group.append(circle, label, svg("title"));
      if (k > 0 && k < count - 1) {  // a hidden unit: its output over the plane, beside it
        const size = Math.min(30, 2 * shape.radius + 6);
        maps.append(svg("image", { class: "map", x: shape.xs[k] + shape.radius + 3, y: shape.ys[k][j] - size / 2,
                                   width: size, height: size, "data-layer": k - 1, "data-unit": j }));
      }
      units.append(group);
      return group;
    }));
    built = { key: JSON.stringify([net.sizes, net.activations]), wires, circles };
  }

  // A hidden unit's output y over the plane (16 x 16 cells) as an image: the weight colours by
  // sign, stronger where |y| is larger (relative to the unit's own largest |y|).
  function mapImage(values, size) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const image = new ImageData(size, size), biggest = largest(values);
    const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    const plus = hex(POSITIVE), minus = hex(NEGATIVE);
    values.forEach((y, cell) => {
      const r = Math.floor(cell / size), c = cell % size, at = 4 * ((size - 1 - r) * size + c);
      const rgb = y === null ? [152, 162, 179] : y >= 0 ? plus : minus, a = y === null ? 1 : share(y, biggest);
      for (let m = 0; m < 3; m++) image.data[at + m] = Math.round(255 - a * (255 - rgb[m]));
      image.data[at + 3] = 255;
    });
    canvas.getContext("2d").putImageData(image, 0, 0);
    return canvas.toDataURL();
  }

  function paintMaps(units) {
    if (!built) return;
    for (const node of $("network").querySelectorAll("image.map")) {
      const k = Number(node.dataset.layer), j = Number(node.dataset.unit);
      const values = units && units.values[k] ? units.values[k][j] : null;
      node.setAttribute("visibility", values ? "visible" : "hidden");
      if (values) node.setAttribute("href", mapImage(values, units.size));
    }
    if (focus && focus.kind === "map") showMap();
  }

  function showMap() {
    const box = $("explain"), units = state && state.view.units;
    box.replaceChildren();
    if (!units) return;
    const values = units.values[focus.layer][focus.unit];
    box.dataset.kind = "map";
    const big = el("img", { class: "big-map", src: mapImage(values, units.size), width: 192, height: 192,
                            alt: "the output of " + unitName(focus.layer, focus.unit) + " over the plane" });
    const finite = values.filter((v) => v !== null);
    box.append(line("formula", "y of " + unitName(focus.layer, focus.unit) + " over the plane (x0 →, x1 ↑)"), big,
               line("note", "from " + fmt(Math.min(...finite)) + " to " + fmt(Math.max(...finite)) +
                    ": the colour of w > 0 where y > 0, of w < 0 where y < 0, paler near 0. " +
                    "Click another unit's map to compare."));
  }

  let mapsDrawn = null;  // the view whose maps are painted
  function drawNetwork(net) {
    if (!built || built.key !== JSON.stringify([net.sizes, net.activations])) { buildNetwork(net); mapsDrawn = null; }
    if (state && state.view !== mapsDrawn) { mapsDrawn = state.view; paintMaps(state.view.units); }
    const biggest = largest(net.weights.flat(2));
    const update = net.update || null;  // the last step's change of each weight, after a "step"
    const moved = update ? largest(update.weights.flat(2)) : 1;
    showUpdate(update);
    net.weights.forEach((W, k) => W.forEach((row, j) => row.forEach((w, i) => {
      const group = built.wires[k][j][i], wire = group.children[1], a = share(w, biggest);
      wire.setAttribute("stroke", isNaN(w) ? NOT_A_NUMBER : w >= 0 ? POSITIVE : NEGATIVE);
      wire.setAttribute("stroke-width", (0.4 + 5 * a).toFixed(2));
      wire.setAttribute("stroke-opacity", (0.35 + 0.55 * a).toFixed(2));
      const gradient = detail && detail.layers[k] ? ", ∂J/∂w = " + fmt(detail.layers[k].units[j].grad_w[i]) : "";
      const step = update ? update.weights[k][j][i] : null;
      const change = group.children[2];
      change.setAttribute("stroke-width", step === null ? "0" : (0.5 + 4 * share(step, moved)).toFixed(2));
      change.setAttribute("visibility", step === null ? "hidden" : "visible");
      const moving = step === null ? "" : ", Δw in step " + update.step + " = " + fmt(step);
      group.lastChild.textContent = unitName(k, j) + ".w" + i + " = " + fmt(w) + gradient + moving;
      group.classList.toggle("selected", !!focus && focus.kind === "edge" && focus.layer === k && focus.unit === j && focus.input === i);
    })));
    paintUnits();
  }

  function showUpdate(update) {
    const note = $("update");
    note.replaceChildren();
    if (!update) return;
    let most = null;
    update.weights.forEach((W, k) => W.forEach((row, j) => row.forEach((d, i) => {
      if (most === null || !(Math.abs(d) <= Math.abs(most.d))) most = { d, name: unitName(k, j) + ".w" + i };
    })));
    note.append(el("b", {}, "step " + update.step + "'s update"), document.createTextNode(
      ": the dashed lines' width ∝ |Δw| (Δw = −η·∂J/∂w for SGD). The largest: Δ" + most.name + " = " +
      fmt(most.d) + ". Hover an edge for its Δw."));
  }

  const percent = (a) => (a === null || a === undefined ? "—" : (100 * a).toFixed(0) + "%");

  // The units' health: per hidden unit, where it is dead or saturated; per layer, how big a step
  // is next to the weights (about 1e-3 is healthy; far above: too large a learning rate).
  function drawHealth(s) {
    const box = $("health");
    box.replaceChildren();
    if (!s.health || !s.health.units.length) return;
    const table = el("table");
    const head = el("tr");
    ["layer", "‖Δw‖/‖w‖ per step", "dead (y = 0)", "saturated (|φ′| < 0.01)"].forEach((t) => head.append(el("th", {}, t)));
    table.append(head);
    s.network.sizes.slice(1).forEach((n, k) => {
      const units = s.health.units[k] || [];
      const list = (key) => units.map((u, j) => (u[key] > 0 ? "N" + j + " " + percent(u[key]) : "")).filter(Boolean).join(", ") || "—";
      const row = el("tr");
      [ "L" + k, fmt(s.health.update_ratio[k]), units.length ? list("dead") : "", units.length ? list("saturated") : ""]
        .forEach((t) => row.append(el("td", {}, t)));
      table.append(row);
    });
    box.append(table);
  }

  function paintUnits() {
    if (!built) return;
    const biggest = detail ? largest(detail.layers.flatMap((L) => L.units.map((u) => u.delta))) : 1;
    built.circles.forEach((column, c) => column.forEach((group, j) => {
      const k = c - 1;
      let fill = "#fff", title = k < 0 ? "input x" + j : unitName(k, j);
      if (detail && k < 0) {
        fill = "#eef2f6";
        title += " = " + fmt(detail.x[j]);
      } else if (detail) {
        const u = detail.layers[k].units[j], a = share(u.delta, biggest);
        const rgb = u.delta >= 0 ? SIGN_RGB.positive : SIGN_RGB.negative;
        const shade = rgb.map((v) => Math.round(255 - 0.6 * a * (255 - v)));
        fill = isNaN(u.delta) ? NOT_A_NUMBER : "rgb(" + shade.join(",") + ")";
        title += ": v = " + fmt(u.v) + ", y = " + fmt(u.y) + ", δ = " + fmt(u.delta);
      }
      const health = state && state.health && k >= 0 && state.health.units[k] ? state.health.units[k][j] : null;
      const ring = !health ? "" : health.dead > 0.5 ? "dead" : health.saturated > 0.5 ? "saturated" : "";
      if (health) title += " · dead on " + percent(health.dead) + ", saturated on " + percent(health.saturated) + " of the samples";
      group.firstChild.setAttribute("fill", fill);
      group.classList.toggle("dead", ring === "dead");
      group.classList.toggle("saturated", ring === "saturated");
      group.lastChild.textContent = title;
      group.classList.toggle("selected", !!focus && focus.kind === "unit" && focus.layer === k && focus.unit === j);
    }));
  }

  $("network").addEventListener("click", (event) => {
    if (event.target.classList.contains("map")) {  // a unit's map: enlarged in the explanation box
      focus = { kind: "map", layer: Number(event.target.dataset.layer), unit: Number(event.target.dataset.unit) };
      showMap();
      return;
    }
    const unit = event.target.closest(".unit"), edge = event.target.closest(".edge");
    if (unit) focus = { kind: "unit", layer: Number(unit.dataset.layer), unit: Number(unit.dataset.unit) };
    else if (edge) focus = { kind: "edge", layer: Number(edge.dataset.layer), unit: Number(edge.dataset.unit), input: Number(edge.dataset.input) };
    else return;
    if (selected === null) select(0);
    if (state) drawNetwork(state.network);
    explain();
  });

  // -- the selected sample -----------------------------------------------------------------

  function select(index) {
    selected = index;
    detail = null;
    if (recording) detail = snapshot().samples[String(index)] || null;
    else fetchDetail();
    if (state) drawData(state);
    showSample();
  }

  async function fetchDetail() {
    if (selected === null) return;
    detailAsked = Date.now();
    const asked = selected;
    try {
      const answer = await call("GET", "/api/sample?index=" + asked);
      if (asked !== selected || (state && answer.run !== state.run)) return;
      detail = answer;
      showSample();
    } catch (error) {
      showError(error.message);
    }
  }

  function showSample() {
    const box = $("sample");
    box.replaceChildren();
    paintUnits();
    if (selected === null) return;
    if (!detail) {
      box.append(el("p", { class: "check" }, recording
        ? "Sample #" + selected + " was not recorded in this file; the points with a dashed ring were."
        : "sample #" + selected + " …"));
      $("explain").replaceChildren();
      return;
    }
    const d = detail;
    box.append(el("h3", {}, "sample #" + d.index + ": x = (" + d.x.map(fmt).join(", ") + "), target " + fmt(d.target) +
                             ", J = " + fmt(d.loss)));
    box.append(el("p", { class: "check" }, "The scalar engine's numbers at step " + d.step + " (J without the L2 term). " +
      "The batched replay of the same graph gives J = " + fmt(d.replay.loss) + ": they differ by " +
      (isFinite(d.replay.difference) ? d.replay.difference.toExponential(1) : fmt(d.replay.difference)) +
      "."));
    if (!recording) {
      const href = "/steps?index=" + d.index + "&token=" + encodeURIComponent(TOKEN);
      const link = el("a", { href: href, target: "_blank", rel: "noopener", id: "steps-link" },
                      "open sample #" + d.index + "'s graph, step by step ↗");
      box.append(link);
    }
    const table = el("table");
    const head = el("tr");
    ["unit", "φ", "v", "y", "φ′(v)", "δ = −∂J/∂v", "∂J/∂b"].forEach((t) => head.append(el("th", {}, t)));
    table.append(head);
    d.layers.forEach((L, k) => L.units.forEach((u, j) => {
      const row = el("tr", { "data-layer": k, "data-unit": j });
      [unitName(k, j), L.activation, fmt(u.v), fmt(u.y), fmt(u.dphi), fmt(u.delta), fmt(u.grad_b)].forEach((t) => row.append(el("td", {}, t)));
      if (focus && focus.kind === "unit" && focus.layer === k && focus.unit === j) row.classList.add("selected");
      row.addEventListener("click", () => { focus = { kind: "unit", layer: k, unit: j }; if (state) drawNetwork(state.network); explain(); showSample(); });
      table.append(row);
    }));
    box.append(table);
    const weights = el("details", { id: "weight-gradients" });
    weights.append(el("summary", {}, "every weight's ∂J/∂w = −δ_j·y_i"));
    const list = el("table");
    d.layers.forEach((L, k) => L.units.forEach((u, j) => {
      const row = el("tr");
      row.append(el("td", {}, unitName(k, j) + ".w"), el("td", { class: "list" }, u.grad_w.map(fmt).join("  ")));
      list.append(row);
    }));
    weights.append(list);
    weights.open = weightsOpen;
    weights.addEventListener("toggle", () => { weightsOpen = weights.open; });
    box.append(weights);
    if (state) drawNetwork(state.network);
    explain();
  }

  function line(cls, html) {
    const p = el("div", { class: cls });
    p.innerHTML = html;
    return p;
  }
  function result(value) {
    return '<span class="result" data-value="' + full(value) + '" title="' + full(value) + '">' + fmt(value) + "</span>";
  }

  function explain() {
    if (focus && focus.kind === "map") { showMap(); return; }
    const box = $("explain");
    box.replaceChildren();
    if (!focus || !detail) return;
    const d = detail, L = d.layers;
    if (focus.kind === "edge") {
      const k = focus.layer, j = focus.unit, i = focus.input, u = L[k].units[j];
      const yi = k === 0 ? d.x[i] : L[k - 1].units[i].y;
      const from = k === 0 ? "x" + i : unitName(k - 1, i);
      box.dataset.kind = "edge";
      box.append(
        line("formula", "∂J/∂w<sub>ji</sub> = −δ<sub>j</sub> · y<sub>i</sub> &nbsp; for w = " + unitName(k, j) + ".w" + i +
             " (from " + from + " to " + unitName(k, j) + ")"),
        line("numbers", "= −" + paren(u.delta) + " × " + paren(yi) + " = " + result(u.grad_w[i])),
        line("note", "w = " + fmt(d.weights[k][j][i]) + "; y<sub>i</sub> is what " + from + " sends. " +
             "Gradient descent moves w by −η·∂J/∂w = +η·δ<sub>j</sub>·y<sub>i</sub> (the lecture's update)."));
      return;
    }
    const k = focus.layer, j = focus.unit;
    if (k < 0) {
      box.dataset.kind = "input";
      box.append(line("formula", "x<sub>" + j + "</sub> = " + fmt(d.x[j]) + ": an input. It has no weights in front of it, so no δ."));
      return;
    }
    const u = L[k].units[j], name = unitName(k, j), last = k === L.length - 1;
    box.dataset.kind = "unit";
    box.dataset.delta = full(u.delta);
    const phi = options && options.derivatives ? options.derivatives[L[k].activation] : null;
    const phiNote = phi ? "φ′ of " + L[k].activation + " = " + phi + "; " : "";
    if (!last) {
      const next = L[k + 1], W = d.weights[k + 1];
      const terms = next.units.map((n, l) => paren(n.delta) + "×" + paren(W[l][j]));
      const sum = next.units.reduce((total, n, l) => total + n.delta * W[l][j], 0);
      box.append(
        line("formula", "δ<sub>" + name + "</sub> = φ′(v<sub>j</sub>) · Σ<sub>l</sub> δ<sub>l</sub> w<sub>lj</sub>" +
             " &nbsp; (l runs over the " + next.units.length + " unit(s) of layer L" + (k + 1) + ")"),
        line("numbers", "= " + fmt(u.dphi) + " × (" + terms.join(" + ") + ")"),
        line("numbers", "= " + fmt(u.dphi) + " × " + fmt(sum) + " = " + result(u.delta)),
        line("note", phiNote + "v = " + fmt(u.v) + ", y = " + fmt(u.y) + ". ∂J/∂b = −δ = " + fmt(u.grad_b) + "."));
    } else if (d.slope) {
      const e = d.t[j] - u.y;
      box.append(
        line("formula", "δ<sub>" + name + "</sub> = −∂J/∂y · φ′(v) = " + d.slope + " · φ′(v) &nbsp; (output unit, loss " + d.loss_name.replace(/_/g, " ") + ")"),
        line("numbers", "e = t − y = " + fmt(d.t[j]) + " − " + paren(u.y) + " = " + fmt(e)),
        line("numbers", "= " + paren(d.minus_dj_dy[j]) + " × " + fmt(u.dphi) + " = " + result(u.delta)),
        line("note", phiNote + "v = " + fmt(u.v) + ". ∂J/∂b = −δ = " + fmt(u.grad_b) + "."));
    } else {
      box.append(
        line("formula", "δ<sub>" + name + "</sub> = t − y = e &nbsp; (" + L[k].activation + " output with " + d.loss_name.replace(/_/g, " ") +
             ": φ′ cancels against the loss)"),
        line("numbers", "= " + fmt(d.t[j]) + " − " + paren(u.y) + " = " + result(u.delta)),
        line("note", "v = " + fmt(u.v) + " (the logit). ∂J/∂b = −δ = " + fmt(u.grad_b) + "."));
    }
  }

  // -- drawing a state ---------------------------------------------------------------------

  function draw(s) {
    if (!state || s.run !== state.run) {
      selected = null; detail = null; focus = null; built = null;
      $("explain").replaceChildren(); $("sample").replaceChildren();
    }
    state = s;
    version = s.version === undefined ? null : s.version;
    drawStatus(s);
    drawEditing(s);
    drawData(s);
    drawCurves(s);
    drawNetwork(s.network);
    drawHealth(s);
    if (!recording && selected !== null && Date.now() - detailAsked > DETAIL_MS) fetchDetail();
  }

  // -- a recording -------------------------------------------------------------------------

  function snapshot() {
    return recording.snapshots[Number($("slider").value)];
  }

  function showSnapshot() {
    const s = snapshot();
    $("snapshot").textContent = "step " + s.step + " (" + (Number($("slider").value) + 1) + " of " + recording.snapshots.length + ")";
    draw(s);
    if (selected !== null) { detail = s.samples[String(selected)] || null; showSample(); }
  }

  async function start() {
    if (recording) {
      document.body.classList.add("recording");
      $("data-caption").textContent = "a recording: move the slider through the run. The points with a dashed ring " +
        "have their backpropagation recorded: click one, then a unit or an edge";
      const slider = $("slider");
      slider.max = recording.snapshots.length - 1;
      slider.value = recording.snapshots.length - 1;
      slider.addEventListener("input", showSnapshot);
      showSnapshot();
      if (recording.samples.length) select(recording.samples[0]);
      return;
    }
    try {
      const settings = await call("GET", "/api/config");
      options = settings.options;
      setupControls();
      syncControls(settings.config);
    } catch (error) {
      showError("The playground server is not answering (" + error.message + ").");
    }
    poll();
  }

  start();
})();
