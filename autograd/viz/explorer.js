// The explorer page's script (autograd.viz.explore): draws the graph and steps through the passes.
// Plain JavaScript, no library. Every number shown was computed and formatted in Python from the
// engine's own passes; this script only places text, and it sets text with textContent, never as HTML.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("trace-data").textContent);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const BOX_W = 160, BOX_H = 62, MARGIN = 20, CHARS = 24;
  const nodes = DATA.nodes, F = DATA.forward.length, B = DATA.backward.length;
  const LAST = F + B + 1;              // 0: start, 1..F: forward, F+1..F+B: backward, LAST: the gradients
  const svg = document.getElementById("graph");
  const panel = document.getElementById("panel");
  const boxes = [], edges = [];        // boxes[id] = {group, data text, grad text}; edges: {from, to, path}
  let step = 0, zoom = 1, width = 0, height = 0;

  function el(tag, attrs, text) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function html(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function drawGraph() {
    for (const n of nodes) {
      width = Math.max(width, n.x + BOX_W + 2 * MARGIN);
      height = Math.max(height, n.y + BOX_H + 2 * MARGIN);
    }
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    setZoom(1);
    const edgeLayer = el("g", {}), nodeLayer = el("g", {});
    svg.append(edgeLayer, nodeLayer);
    for (const n of nodes) {
      for (const from of n.inputs) {
        const a = nodes[from];
        const x1 = MARGIN + a.x + BOX_W, y1 = MARGIN + a.y + BOX_H / 2;
        const x2 = MARGIN + n.x, y2 = MARGIN + n.y + BOX_H / 2, mid = (x1 + x2) / 2;
        const path = el("path", { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: "edge" });
        edgeLayer.append(path);
        edges.push({ from: from, to: n.id, path: path });
      }
      const g = el("g", { class: "node" + (n.requiresGrad ? "" : " constant"), id: "node-" + n.id,
                          transform: `translate(${MARGIN + n.x},${MARGIN + n.y})` });
      g.append(el("title", {}, n.leaf ? `${n.name}: input (${n.shape}, ${n.dtype})` : `${n.name} = ${n.expr}`));
      g.append(el("rect", { width: BOX_W, height: BOX_H, rx: 6 }));
      g.append(el("text", { x: 8, y: 15, class: "name" }, clip(n.name, 14)));
      const kind = n.shape === "scalar" ? n.op : `${n.op} ${n.shape}`;   // tensor nodes show their shape
      g.append(el("text", { x: BOX_W - 8, y: 15, "text-anchor": "end", class: "faint" }, clip(kind, 15)));
      const what = n.leaf ? (n.requiresGrad ? "input" : "constant") : n.expr;
      g.append(el("text", { x: 8, y: 30, class: "faint" }, clip(what, CHARS)));
      const data = el("text", { x: 8, y: 44, class: "data" }, "");
      const grad = el("text", { x: 8, y: 57, class: "grad" }, "");
      g.append(data, grad);
      nodeLayer.append(g);
      boxes[n.id] = { group: g, data: data, grad: grad };
    }
  }

  function setZoom(z) {               // the drawing keeps its coordinates; only its size on screen changes
    zoom = Math.max(0.01, Math.min(2, z));
    svg.setAttribute("width", Math.round(width * zoom));
    svg.setAttribute("height", Math.round(height * zoom));
    document.body.dataset.zoom = zoom.toFixed(2);
  }

  function fit() {
    const pane = document.getElementById("graph-pane");
    setZoom(Math.min(1, pane.clientWidth / width, pane.clientHeight / height));
  }

  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "\u2026" : text; }

  function render() {
    const phase = step === 0 ? "start" : step <= F ? "forward" : step <= F + B ? "backward" : "done";
    const computed = phase === "forward" ? step : phase === "start" ? 0 : F;
    const gradText = [], classes = nodes.map(() => []);
    for (let k = 0; k < computed; k++) classes[DATA.forward[k]].push("computed");
    const rows = phase === "backward" ? step - F : phase === "done" ? B : 0;
    for (let k = 0; k < rows; k++) {
      const row = DATA.backward[k];
      gradText[row.node] = "grad " + row.upstream;
      classes[row.node].push("has-grad");
      for (const item of row.inputs) {
        // an input is processed after all its consumers, so its own row (above) overwrites this later
        gradText[item.to] = item.uses > 1 ? `\u03a3 so far ${item.running} (${item.received}/${item.uses})`
          : `grad ${item.running}`;
      }
    }
    let current = null;
    const activeEdges = new Set();
    if (phase === "forward") {
      current = DATA.forward[step - 1];
      classes[current].push("forward-current");
      for (const from of nodes[current].inputs) activeEdges.add(from + ">" + current + ">f");
    } else if (phase === "backward") {
      const row = DATA.backward[step - F - 1];
      current = row.node;
      classes[current].push("current");
      for (const item of row.inputs) { classes[item.to].push("target"); activeEdges.add(item.to + ">" + current + ">b"); }
    } else if (phase === "done") {
      for (const leaf of DATA.grads) classes[leaf.id].push("final-leaf");
    }
    for (const n of nodes) {
      const box = boxes[n.id];
      box.group.setAttribute("class", ["node"].concat(n.requiresGrad ? [] : ["constant"], classes[n.id]).join(" "));
      box.data.textContent = classes[n.id].includes("computed") ? clip("data " + n.data, CHARS) : "";
      box.grad.textContent = gradText[n.id] !== undefined ? clip(gradText[n.id], CHARS) : "";
    }
    for (const e of edges) {
      const f = activeEdges.has(e.from + ">" + e.to + ">f"), b = activeEdges.has(e.from + ">" + e.to + ">b");
      e.path.setAttribute("class", "edge" + (f ? " forward-active" : "") + (b ? " active" : ""));
    }
    if (current !== null) {
      boxes[current].group.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    document.getElementById("counter").textContent = `step ${step} of ${LAST}`;
    document.getElementById("first").disabled = document.getElementById("prev").disabled = step === 0;
    document.getElementById("next").disabled = document.getElementById("last").disabled = step === LAST;
    document.body.dataset.step = String(step);
    document.body.dataset.phase = phase;
    describe(phase, current);
  }

  function table(head, rows) {
    const t = html("table");
    const tr = html("tr");
    for (const h of head) tr.append(html("th", h));
    t.append(tr);
    for (const r of rows) {
      const row = html("tr");
      for (const cell of r) row.append(typeof cell === "string" ? html("td", cell, "num") : cell);
      t.append(row);
    }
    return t;
  }

  function describe(phase, current) {
    panel.replaceChildren();
    const badge = { start: ["forward", "ready"], forward: ["forward", "forward pass"],
                    backward: ["backward", "backward pass"], done: ["done", "done"] }[phase];
    panel.append(html("span", badge[1], "phase " + badge[0]));
    if (phase === "start") {
      panel.append(html("h2", `${nodes.length} nodes, ${DATA.backward.length} steps back`));
      panel.append(html("p", "Step forward to compute each node from its inputs, then backward to send the " +
        "gradient of the output to every input by the chain rule. Use the buttons or the arrow keys."));
      return;
    }
    if (phase === "forward") {
      const n = nodes[current];
      panel.append(html("h2", n.leaf ? `${n.name}: an input` : `${n.name} = ${n.expr}`));
      panel.append(table(["", ""], [["value", n.data], ["shape", n.shape], ["dtype", n.dtype],
                                    ["requires grad", n.requiresGrad ? "yes" : "no"]]));
      if (step === F) panel.append(html("p", `That is the output. Next: the backward pass, seeded with d${n.name}/d${n.name} = ${DATA.seed}.`));
      return;
    }
    if (phase === "backward") {
      const row = DATA.backward[step - F - 1], n = nodes[row.node];
      panel.append(html("h2", n.leaf ? `${n.name} (an input)` : `${n.name} = ${n.expr}`));
      const out = nodes[DATA.output].name;
      panel.append(html("p", `upstream gradient d${out}/d${n.name} = ${row.upstream}` +
        (row.node === DATA.output ? " (the seed)" : " (everything its consumers sent it, summed)")));
      if (!row.inputs.length) {
        panel.append(html("p", n.leaf ? `A leaf: this is ${n.name}'s gradient.` : "No input needs a gradient."));
        return;
      }
      panel.append(html("p", "Chain rule: contribution = local derivative \u00d7 upstream, for each input."));
      for (const item of row.inputs) {                 // one small table per input: it fits the panel
        const formula = html("td", item.formula, "formula");
        const running = item.uses > 1 ? `${item.running} (${item.received} of ${item.uses} received)` : item.running;
        panel.append(table(["to input", nodes[item.to].name], [
          ["local derivative", formula], ["its value", item.local || "(a Jacobian, applied as a VJP)"],
          ["contribution", item.contribution], ["input's sum so far", running]]));
      }
      return;
    }
    panel.append(html("h2", `Gradients of ${nodes[DATA.output].name} with respect to every input`));
    panel.append(table(["input", "gradient"], DATA.grads.map((g) => [g.name, g.grad])));
    panel.append(html("p", "These are what backward() stores in each input's .grad."));
  }

  function go(to) { step = Math.max(0, Math.min(LAST, to)); render(); }

  document.getElementById("first").addEventListener("click", () => go(0));
  document.getElementById("prev").addEventListener("click", () => go(step - 1));
  document.getElementById("next").addEventListener("click", () => go(step + 1));
  document.getElementById("last").addEventListener("click", () => go(LAST));
  document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in moves) go(step + moves[event.key]);
    else if (event.key === "+" || event.key === "=") setZoom(zoom * 1.25);
    else if (event.key === "-") setZoom(zoom / 1.25);
    else if (event.key === "0") fit();
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(LAST);
    else return;
    event.preventDefault();
  });
  drawGraph();
  render();
})();
