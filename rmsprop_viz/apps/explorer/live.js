// The live canvas of rmsprop_viz's explorer (an anywidget ES module; no build step).
//
// Matplotlib drew what does not move into the background PNG; this module draws what
// moves on a canvas laid exactly over it: paths, heads, starts, ghosts, loss and step
// curves, divergence crosses and notes, overlays and map cells. The wire contract (the
// traitlets and the float32 layout of `data`) is written in rmsprop_viz/render/live.py.
// Play and scrubbing run here; `frame` and `playing` go back to Python only when Play
// stops or the scrub is released.

// Matplotlib's filled markers, one unit wide (MarkerStyle(code).get_path() under its
// transform, y up); "o" is a circle of diameter 1.
const MARKERS = {
  s: [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]],
  D: [[0.0, -0.7071], [0.7071, 0.0], [0.0, 0.7071], [-0.7071, 0.0]],
  "^": [[0.0, 0.5], [-0.5, -0.5], [0.5, -0.5]],
  v: [[0.0, -0.5], [0.5, 0.5], [-0.5, 0.5]],
  P: [[-0.1667, -0.5], [0.1667, -0.5], [0.1667, -0.1667], [0.5, -0.1667], [0.5, 0.1667], [0.1667, 0.1667],
    [0.1667, 0.5], [-0.1667, 0.5], [-0.1667, 0.1667], [-0.5, 0.1667], [-0.5, -0.1667], [-0.1667, -0.1667]],
  X: [[-0.25, -0.5], [0.0, -0.25], [0.25, -0.5], [0.5, -0.25], [0.25, 0.0], [0.5, 0.25], [0.25, 0.5],
    [0.0, 0.25], [-0.25, 0.5], [-0.5, 0.25], [-0.25, 0.0], [-0.5, -0.25]],
  h: [[0.0, 0.5], [-0.433, 0.25], [-0.433, -0.25], [0.0, -0.5], [0.433, -0.25], [0.433, 0.25]],
  "<": [[-0.5, 0.0], [0.5, -0.5], [0.5, 0.5]],
  ">": [[0.5, -0.0], [-0.5, 0.5], [-0.5, -0.5]],
  p: [[0.0, 0.5], [-0.4755, 0.1545], [-0.2939, -0.4045], [0.2939, -0.4045], [0.4755, 0.1545]],
  d: [[-0.0, -0.7071], [0.4243, 0.0], [0.0, 0.7071], [-0.4243, 0.0]],
  "*": [[0.0, 0.5], [-0.1123, 0.1545], [-0.4755, 0.1545], [-0.1816, -0.059], [-0.2939, -0.4045], [0.0, -0.191],
    [0.2939, -0.4045], [0.1816, -0.059], [0.4755, 0.1545], [0.1123, 0.1545]],
};

// As rmsprop_viz/plotting/paths.py: crosses closer than NOTE_NEAR (fractions of the
// window) share one note, broken into lines of about NOTE_WIDTH characters.
const NOTE_NEAR = [0.3, 0.12];
const NOTE_WIDTH = 40;
// How near the start mark (CSS pixels) a press picks it up.
const GRAB_PX = 12;
const FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, sans-serif";

// ---------------------------------------------------------------- bytes and numbers

/** The bytes of a Bytes traitlet (ipywidgets gives a DataView) as a Uint8Array. */
function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

/** Little-endian float32 values of a Bytes traitlet. */
function floatsOf(value) {
  const bytes = bytesOf(value);
  const n = Math.floor(bytes.byteLength / 4);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  return new Float32Array(bytes.slice(0, n * 4).buffer); // (a copy, aligned)
}

/** A number to 4 significant digits, as the start is sent back. */
function round4(v) {
  return Number(Number(v).toPrecision(4));
}

// ------------------------------------------------------------------ panels: data <-> pixels

/** Maps data to figure pixels (from the top-left) in one panel, and back. */
function panelMap(panel) {
  const [x0, y0, x1, y1] = panel.box;
  const logx = panel.xscale === "log";
  const logy = panel.yscale === "log";
  const f = (v, log) => (log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const finv = (v, log) => (log ? Math.pow(10, v) : v);
  const ax = f(panel.xlim[0], logx), bx = f(panel.xlim[1], logx);
  const ay = f(panel.ylim[0], logy), by = f(panel.ylim[1], logy);
  return {
    box: panel.box,
    x: (v) => x0 + ((f(v, logx) - ax) / (bx - ax)) * (x1 - x0),
    y: (v) => y1 - ((f(v, logy) - ay) / (by - ay)) * (y1 - y0),
    toX: (px) => finv(ax + ((px - x0) / (x1 - x0)) * (bx - ax), logx),
    toY: (py) => finv(ay + ((y1 - py) / (y1 - y0)) * (by - ay), logy),
    inside: (px, py) => px >= x0 && px <= x1 && py >= y0 && py <= y1,
  };
}

function clipTo(ctx, map) {
  const [x0, y0, x1, y1] = map.box;
  ctx.beginPath();
  ctx.rect(x0, y0, x1 - x0, y1 - y0);
  ctx.clip();
}

// ------------------------------------------------------------------------ drawing parts

/** A polyline through points first..last of (xs[i], ys[i]); lifts the pen over gaps.
 * A point within THIN_PX of the last one drawn is skipped (the last point never is): a
 * long race has many steps per pixel, and the line looks the same without them. */
const THIN_PX = 0.5;
function strokeLine(ctx, map, xs, ys, first, last, style) {
  if (last < first) return;
  ctx.beginPath();
  let down = false, lx = 0, ly = 0;
  for (let i = first; i <= last; i++) {
    const px = map.x(xs(i)), py = map.y(ys(i));
    if (!Number.isFinite(px) || !Number.isFinite(py)) { down = false; continue; }
    if (down && i < last && Math.abs(px - lx) < THIN_PX && Math.abs(py - ly) < THIN_PX) continue;
    if (down) ctx.lineTo(px, py); else { ctx.moveTo(px, py); down = true; }
    lx = px; ly = py;
  }
  ctx.globalAlpha = style.alpha ?? 1;
  ctx.strokeStyle = style.color;
  ctx.lineWidth = style.width;
  ctx.setLineDash(style.dash || []);
  ctx.lineCap = style.dash && style.dash.length ? "butt" : (style.cap || "butt");
  ctx.lineJoin = "round";
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}

/** A matplotlib marker of `size` pixels at (px, py). */
function drawMarker(ctx, code, px, py, size, fill, edge, edgeWidth) {
  if (!Number.isFinite(px) || !Number.isFinite(py)) return;
  ctx.beginPath();
  const shape = MARKERS[code];
  if (!shape) {
    ctx.arc(px, py, size / 2, 0, 2 * Math.PI);
  } else {
    shape.forEach(([u, v], i) => (i ? ctx.lineTo(px + u * size, py - v * size) : ctx.moveTo(px + u * size, py - v * size)));
    ctx.closePath();
  }
  ctx.fillStyle = fill;
  ctx.fill();
  if (edgeWidth > 0) {
    ctx.setLineDash([]);
    ctx.lineJoin = "miter";
    ctx.strokeStyle = edge;
    ctx.lineWidth = edgeWidth;
    ctx.stroke();
  }
}

/** Which crosses share a note (as plotting/paths.py note_groups). */
function noteGroups(where) {
  const groups = [];
  where.forEach(([x, y], i) => {
    const group = groups.find((g) => Math.abs(x - where[g[0]][0]) < NOTE_NEAR[0] && Math.abs(y - where[g[0]][1]) < NOTE_NEAR[1]);
    if (group) group.push(i); else groups.push([i]);
  });
  return groups;
}

/** One note's lines (as plotting/paths.py note_text). */
function noteLines(labels, steps) {
  const same = steps.every((s) => s === steps[0]);
  const names = same ? labels : labels.map((l, i) => `${l} (step ${steps[i]})`);
  const tail = same ? ` diverged at step ${steps[0]}` : " diverged";
  const lines = [""];
  names.forEach((name, i) => {
    const piece = name + (i === names.length - 1 ? tail : ",");
    const last = lines[lines.length - 1];
    if (last && last.length + 1 + piece.length > NOTE_WIDTH) lines.push(piece);
    else lines[lines.length - 1] = last ? `${last} ${piece}` : piece;
  });
  return lines;
}

/** Text lines in a white rounded box with a coloured edge; (px, py) its anchor corner. */
function drawNote(ctx, lines, px, py, right, run) {
  const size = run.font_px;
  ctx.font = `${size}px ${FONT}`;
  const pad = 0.25 * size;
  const lineHeight = 1.2 * size;
  const width = Math.max(...lines.map((l) => ctx.measureText(l).width));
  const height = lineHeight * lines.length;
  const left = right ? px - width - pad : px + pad;
  const bottom = py - pad;
  ctx.globalAlpha = 0.9;
  ctx.beginPath();
  if (ctx.roundRect) ctx.roundRect(left - pad, bottom - height - pad, width + 2 * pad, height + 2 * pad, pad);
  else ctx.rect(left - pad, bottom - height - pad, width + 2 * pad, height + 2 * pad);
  ctx.fillStyle = "white";
  ctx.fill();
  ctx.strokeStyle = run.color;
  ctx.lineWidth = run.px_per_pt || 1;
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.fillStyle = "black";
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  lines.forEach((line, i) => ctx.fillText(line, left, bottom - (lines.length - 1 - i) * lineHeight));
}

/** An arrow from (x0, y0) to (x1, y1) in pixels, its head filled. */
function drawArrow(ctx, x0, y0, x1, y1, color, width, dash) {
  const length = Math.hypot(x1 - x0, y1 - y0);
  if (!Number.isFinite(length) || length < 0.5) return;
  const head = Math.min(Math.max(4 * width, 9), 0.6 * length);
  const ux = (x1 - x0) / length, uy = (y1 - y0) / length;
  const bx = x1 - ux * head, by = y1 - uy * head;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(bx, by);
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash || []);
  ctx.lineCap = "butt";
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(bx - uy * head * 0.45, by + ux * head * 0.45);
  ctx.lineTo(bx + uy * head * 0.45, by - ux * head * 0.45);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
}

// ------------------------------------------------------------------------------ the view

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "rv-live";
  const stage = document.createElement("div");
  stage.className = "rv-stage";
  const img = document.createElement("img");
  img.className = "rv-background";
  img.alt = "";
  const canvas = document.createElement("canvas");
  canvas.className = "rv-layer";
  stage.append(img, canvas);
  const bar = document.createElement("div");
  bar.className = "rv-bar";
  const play = document.createElement("button");
  play.className = "rv-play";
  play.type = "button";
  play.textContent = "Play";
  const scrub = document.createElement("input");
  scrub.type = "range";
  scrub.className = "rv-scrub";
  scrub.min = "0";
  scrub.step = "1";
  const label = document.createElement("span");
  label.className = "rv-step";
  bar.append(play, scrub, label);
  const error = document.createElement("div");
  error.className = "rv-error";
  root.append(stage, bar, error);
  el.appendChild(root);

  // Local state: Play and the scrub change `frame` here without telling Python.
  const state = {
    frame: model.get("frame"), playing: false, lastTick: 0, pending: false,
    seqDrawn: null, updates: 0, framesDrawn: 0, url: null,
    drag: null, dragging: false, clicks: 0, cssScale: 1,
    runs: [], data: new Float32Array(0), ghosts: [], ghost: new Float32Array(0), cells: new Uint8Array(0),
  };

  function readData() {
    const source = model.get("data");
    if (source !== state.source) {
      // A new race. With ghost_previous, the race shown until now stays as the faded
      // ghost: the kernel need not send it back.
      const keep = model.get("ghost_previous") && state.source !== undefined;
      state.kept = keep
        ? state.runs.filter((r) => r.visible !== false).map((r) => ({ color: r.color, width: r.ghost_width ?? r.width,
          dash: r.ghost_dash ?? r.dash, alpha: r.ghost_alpha ?? 0.3, n: r.n_steps + 1, offset: r.offset }))
        : [];
      state.keptData = keep ? state.data : new Float32Array(0);
      state.source = source;
    }
    state.runs = model.get("runs") || [];
    state.data = floatsOf(source);
    const sent = model.get("ghost_runs") || [];
    state.ghosts = sent.length || !model.get("ghost_previous") ? sent : state.kept;
    state.ghost = sent.length || !model.get("ghost_previous") ? floatsOf(model.get("ghost")) : state.keptData;
    state.cells = bytesOf(model.get("cell_rgba"));
    root.dataset.ghosts = String(state.ghosts.length);
  }

  function readBackground() {
    if (state.url) URL.revokeObjectURL(state.url);
    const bytes = bytesOf(model.get("background"));
    state.url = bytes.byteLength ? URL.createObjectURL(new Blob([bytes], { type: "image/png" })) : null;
    if (state.url) img.src = state.url; else img.removeAttribute("src");
  }

  function layout() {
    const [w, h] = model.get("size") || [0, 0];
    const present = model.get("present");
    root.classList.toggle("rv-present", !!present);
    root.style.maxWidth = present || !w ? "none" : `${w}px`; // (the transport bar as wide as the figure)
    stage.style.aspectRatio = w && h ? `${w} / ${h}` : "auto";
    const n = Math.max(model.get("n_frames") - 1, 0);
    scrub.max = String(n);
    // A canvas without runs (a sensitivity map) has nothing to play.
    bar.style.display = (model.get("runs") || []).length ? "" : "none";
    resize();
  }

  function resize() {
    const [w] = model.get("size") || [0, 0];
    const rect = stage.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width * ratio));
    const height = Math.max(1, Math.round(rect.height * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    state.cssScale = w ? rect.width / w : 1;
    schedule();
  }

  function schedule() {
    if (state.pending) return;
    state.pending = true;
    requestAnimationFrame(() => {
      state.pending = false;
      drawNow();
    });
  }

  function lastFrame() {
    return Math.max(model.get("n_frames") - 1, 0);
  }

  // ------------------------------------------------------------------ one frame

  function drawNow() {
    try {
      draw();
      error.textContent = "";
    } catch (e) {
      error.textContent = `live canvas: ${e && e.message ? e.message : e}`;
    }
    state.framesDrawn += 1;
    const seq = model.get("seq");
    if (seq !== state.seqDrawn) {
      state.seqDrawn = seq;
      state.updates += 1;
      root.dataset.seq = String(seq);
      root.dataset.drawnAt = String(performance.now());
      root.dataset.updates = String(state.updates);
    }
    root.dataset.frame = String(state.frame);
    root.dataset.framesDrawn = String(state.framesDrawn);
    root.dataset.playing = String(state.playing);
    scrub.value = String(state.frame);
    label.textContent = `step ${state.frame} / ${lastFrame()}`;
  }

  function draw() {
    const ctx = canvas.getContext("2d");
    const [w, h] = model.get("size") || [0, 0];
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!w || !h) return;
    ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
    const panels = model.get("panels") || {};
    const maps = {};
    for (const name of Object.keys(panels)) maps[name] = panelMap(panels[name]);
    drawCells(ctx, maps);
    drawGhosts(ctx, maps.surface);
    drawRuns(ctx, maps);
    drawOverlays(ctx, maps);
  }

  function drawCells(ctx, maps) {
    const cells = model.get("cells") || {};
    const map = maps[cells.panel];
    if (!map || !cells.nx || !cells.ny) return;
    const xe = cells.x_edges, ye = cells.y_edges, rgba = state.cells;
    ctx.save();
    clipTo(ctx, map);
    for (let j = 0; j < cells.ny; j++) {
      const top = map.y(ye[j + 1]), bottom = map.y(ye[j]);
      for (let i = 0; i < cells.nx; i++) {
        const k = 4 * (j * cells.nx + i);
        if (k + 3 >= rgba.length) break;
        const left = map.x(xe[i]), right = map.x(xe[i + 1]);
        ctx.fillStyle = `rgba(${rgba[k]}, ${rgba[k + 1]}, ${rgba[k + 2]}, ${rgba[k + 3] / 255})`;
        // (a quarter pixel of overlap: no hairline seams between cells)
        ctx.fillRect(Math.min(left, right) - 0.25, Math.min(top, bottom) - 0.25, Math.abs(right - left) + 0.5, Math.abs(bottom - top) + 0.5);
      }
    }
    ctx.restore();
  }

  function drawGhosts(ctx, map) {
    if (!map) return;
    ctx.save();
    clipTo(ctx, map);
    const g = state.ghost;
    for (const ghost of state.ghosts) {
      const o = ghost.offset, n = ghost.n;
      strokeLine(ctx, map, (i) => g[o + i], (i) => g[o + n + i], 0, n - 1, { ...ghost, alpha: ghost.alpha ?? 0.3 });
    }
    ctx.restore();
  }

  function startOf(run) {
    const d = state.data;
    return state.drag || [d[run.offset], d[run.offset + run.n_steps + 1]];
  }

  function drawRuns(ctx, maps) {
    const d = state.data;
    const k = state.frame;
    const surface = maps.surface;
    const shown = state.runs.filter((run) => run.visible !== false);
    const gone = []; // [run, cross x, cross y, step]
    for (const run of shown) {
      const n = run.n_steps, o = run.offset, kk = Math.min(k, n);
      const x = (i) => d[o + i], y = (i) => d[o + n + 1 + i];
      if (surface) {
        ctx.save();
        clipTo(ctx, surface);
        strokeLine(ctx, surface, x, y, 0, kk, { color: run.color, width: run.width, dash: run.dash, cap: "round" });
        ctx.restore();
      }
      const loss = (i) => d[o + 2 * (n + 1) + i];
      if (maps.loss) {
        ctx.save();
        clipTo(ctx, maps.loss);
        strokeLine(ctx, maps.loss, (i) => i, loss, 0, kk, { color: run.color, width: run.loss_width ?? run.width, dash: run.loss_dash ?? run.dash });
        ctx.restore();
      }
      const steps = [["step_x", 3 * (n + 1)], ["step_y", 3 * (n + 1) + n]];
      for (const [name, at] of steps) {
        if (!maps[name] || kk < 1) continue;
        ctx.save();
        clipTo(ctx, maps[name]);
        strokeLine(ctx, maps[name], (i) => i + 1, (i) => d[o + at + i], 0, kk - 1, {
          color: run.color, width: run.step_width ?? run.width, dash: run.step_dash ?? run.dash, alpha: run.step_alpha ?? 1,
        });
        ctx.restore();
      }
    }
    // Marks over every line: starts, then heads, then crosses and their notes.
    if (surface) {
      ctx.save();
      clipTo(ctx, surface);
      for (const run of shown) {
        const [sx, sy] = startOf(run);
        drawMarker(ctx, "o", surface.x(sx), surface.y(sy), run.start_size ?? run.marker_size, "white", run.color, run.start_edge_width ?? 2);
      }
      ctx.restore();
    }
    for (const run of shown) {
      const n = run.n_steps, o = run.offset, kk = Math.min(k, n);
      const dv = run.diverged_at;
      if (maps.loss) {
        const value = d[o + 2 * (n + 1) + kk];
        ctx.save();
        clipTo(ctx, maps.loss);
        drawMarker(ctx, run.marker, maps.loss.x(kk), maps.loss.y(value), run.loss_marker_size ?? run.marker_size, run.color, run.edge_color ?? "#000000", run.loss_edge_width ?? 1);
        ctx.restore();
      }
      if (!surface) continue;
      if (dv >= 0 && dv <= kk && run.cross) {
        gone.push([run, run.cross[0], run.cross[1], dv]);
      } else {
        ctx.save();
        clipTo(ctx, surface);
        drawMarker(ctx, run.marker, surface.x(d[o + kk]), surface.y(d[o + n + 1 + kk]), run.marker_size, run.color, run.edge_color ?? "#000000", run.edge_width ?? 1);
        ctx.restore();
      }
    }
    if (surface && gone.length) drawDivergence(ctx, surface, gone);
  }

  /** Crosses where runs left the window, and their notes, placed as plotting/paths.py places them. */
  function drawDivergence(ctx, map, gone) {
    for (const [run, cx, cy] of gone) {
      drawMarker(ctx, "X", map.x(cx), map.y(cy), run.cross_size ?? 1.5 * run.marker_size, run.color, "#000000", 1.2 * (run.px_per_pt ?? 1));
    }
    const [x0, y0, x1, y1] = map.box;
    const heightPx = Math.max(y1 - y0, 1);
    const where = gone.map(([, cx, cy]) => [(map.x(cx) - x0) / (x1 - x0), (y1 - map.y(cy)) / heightPx]);
    const groups = noteGroups(where);
    const placed = [];
    const order = groups.map((_, g) => g).sort((a, b) => where[groups[a][0]][1] - where[groups[b][0]][1]);
    for (const g of order) {
      const members = groups[g];
      const [fx, fy] = where[members[0]];
      const run = gone[members[0]][0];
      const pt = run.px_per_pt ?? 1;
      const right = fx > 0.5, top = fy > 0.5;
      const lines = noteLines(members.map((m) => gone[m][0].label), members.map((m) => gone[m][3]));
      const first = (1.9 * run.font_px) / heightPx, more = (1.2 * run.font_px) / heightPx;
      const tall = first + more * (lines.length - 1);
      let bottom = top ? fy - (10 * pt) / heightPx - tall : fy + (10 * pt) / heightPx;
      for (const [low, high] of [...placed].sort((a, b) => a[0] - b[0])) {
        if (bottom < high && low < bottom + tall) bottom = high;
      }
      placed.push([bottom, bottom + tall]);
      const ax = map.x(gone[members[0]][1]) + (right ? -10 * pt : 10 * pt);
      const ay = y1 - bottom * heightPx;
      drawNote(ctx, lines, ax, ay, right, run);
    }
  }

  function drawOverlays(ctx, maps) {
    const revealed = model.get("revealed");
    const legend = [];
    for (const o of model.get("overlays") || []) {
      const map = maps[o.panel];
      if (!map || (o.hidden && !revealed)) continue; // (hidden: drawn once revealed)
      if (o.type === "arrow") {
        drawArrow(ctx, map.x(o.x0), map.y(o.y0), map.x(o.x1), map.y(o.y1), o.color, o.width ?? 2, o.dash);
        if (o.label) legend.push(o);
      } else if (o.type === "rect") {
        const left = map.x(o.x - o.w / 2), right = map.x(o.x + o.w / 2);
        const top = map.y(o.y + o.h / 2), bottom = map.y(o.y - o.h / 2);
        ctx.beginPath();
        ctx.rect(Math.min(left, right), Math.min(top, bottom), Math.abs(right - left), Math.abs(bottom - top));
        if (o.fill) { ctx.fillStyle = o.fill; ctx.fill(); }
        ctx.strokeStyle = o.color;
        ctx.lineWidth = o.width ?? 1.5;
        ctx.stroke();
        if (o.label) legend.push(o);
      } else if (o.type === "mark") {
        // "fill": false draws a ring (the map's current setting); "edge" colours the outline.
        const ring = o.fill === false;
        drawMarker(ctx, o.marker || "o", map.x(o.x), map.y(o.y), o.size ?? 12, ring ? "rgba(0, 0, 0, 0)" : o.color,
          o.edge ?? (ring ? o.color : "#000000"), ring ? Math.max(2, (o.size ?? 12) / 5) : 1);
      }
    }
    if (legend.length && maps.surface) drawOverlayLegend(ctx, maps.surface, legend);
  }

  /** What each arrow and rectangle stands for, in the surface's top-left corner. */
  function drawOverlayLegend(ctx, map, items) {
    const size = Math.max((state.runs[0] && state.runs[0].font_px) || 15, 14); // the notes' size
    ctx.font = `${size}px ${FONT}`;
    const width = Math.max(...items.map((o) => ctx.measureText(o.label).width)) + 44;
    // In the lower left corner: races start high on the surfaces (Rosenbrock's start is at
    // the top left), and the title is above.
    const height = items.length * 1.5 * size + 8;
    const left = map.box[0] + 8, top = map.box[3] - 8 - height;
    ctx.globalAlpha = 0.85;
    ctx.fillStyle = "white";
    ctx.fillRect(left, top, width, height);
    ctx.globalAlpha = 1;
    items.forEach((o, i) => {
      const y = top + 4 + (i + 0.5) * 1.5 * size;
      if (o.type === "arrow") drawArrow(ctx, left + 4, y, left + 32, y, o.color, Math.min(o.width ?? 2, 3), o.dash);
      else {
        ctx.fillStyle = o.fill || "transparent";
        ctx.fillRect(left + 8, y - 6, 20, 12);
        ctx.strokeStyle = o.color;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(left + 8, y - 6, 20, 12);
      }
      ctx.fillStyle = "black";
      ctx.textBaseline = "middle";
      ctx.textAlign = "left";
      ctx.fillText(o.label, left + 38, y);
    });
  }

  // ------------------------------------------------------------------ Play and scrub

  function setPlaying(on) {
    state.playing = on;
    play.textContent = on ? "Pause" : "Play";
    root.dataset.playing = String(on);
  }

  function startPlay() {
    if (state.playing) return;
    if (state.frame >= lastFrame()) state.frame = 0;
    setPlaying(true);
    state.lastTick = performance.now();
    requestAnimationFrame(tick);
  }

  /** Stop Play and tell Python once where it stopped. */
  function stopPlay() {
    if (!state.playing) return;
    setPlaying(false);
    model.set("frame", state.frame);
    model.set("playing", false);
    model.save_changes();
    schedule();
  }

  function tick(now) {
    if (!state.playing) return;
    const interval = 1000 / Math.max(model.get("fps") || 30, 1);
    if (now - state.lastTick >= interval - 1) {
      state.lastTick = now;
      state.frame = Math.min(state.frame + Math.max(model.get("frame_step") || 1, 1), lastFrame());
      drawNow();
      if (state.frame >= lastFrame()) { stopPlay(); return; }
    }
    requestAnimationFrame(tick);
  }

  play.addEventListener("click", () => (state.playing ? stopPlay() : startPlay()));
  scrub.addEventListener("input", () => {
    state.frame = Math.min(Number(scrub.value), lastFrame());
    schedule();
  });
  scrub.addEventListener("change", () => {
    model.set("frame", state.frame);
    model.save_changes();
  });

  // --------------------------------------------------------- dragging the start, clicks

  function figurePoint(event) {
    const rect = canvas.getBoundingClientRect();
    const [w, h] = model.get("size") || [1, 1];
    return [((event.clientX - rect.left) * w) / rect.width, ((event.clientY - rect.top) * h) / rect.height];
  }

  function maps() {
    const panels = model.get("panels") || {};
    const found = {};
    for (const name of Object.keys(panels)) found[name] = panelMap(panels[name]);
    return found;
  }

  function nearStart(px, py) {
    const map = maps().surface;
    if (!map || !model.get("draggable")) return false;
    const start = model.get("start");
    const points = state.drag ? [state.drag] : start && start.length === 2 ? [start] : [];
    for (const run of state.runs) if (run.visible !== false) points.push(startOf(run));
    return points.some(([x, y]) => Math.hypot(map.x(x) - px, map.y(y) - py) * state.cssScale <= GRAB_PX);
  }

  function clickablePanel(px, py) {
    const all = maps();
    for (const name of model.get("clickable") || []) if (all[name] && all[name].inside(px, py)) return [name, all[name]];
    return null;
  }

  canvas.addEventListener("pointerdown", (event) => {
    const [px, py] = figurePoint(event);
    if (nearStart(px, py)) {
      state.dragging = true;
      canvas.setPointerCapture(event.pointerId);
      canvas.style.cursor = "grabbing";
      event.preventDefault();
      return;
    }
    const hit = clickablePanel(px, py);
    if (hit) {
      const [name, map] = hit;
      state.clicks += 1;
      model.set("clicked", { panel: name, x: map.toX(px), y: map.toY(py), seq: state.clicks });
      model.save_changes();
    }
  });

  canvas.addEventListener("pointermove", (event) => {
    const [px, py] = figurePoint(event);
    if (!state.dragging) {
      canvas.style.cursor = nearStart(px, py) ? "grab" : clickablePanel(px, py) ? "pointer" : "";
      return;
    }
    const map = maps().surface;
    const [x0, y0, x1, y1] = map.box;
    const cx = Math.min(Math.max(px, x0), x1), cy = Math.min(Math.max(py, y0), y1);
    state.drag = [round4(map.toX(cx)), round4(map.toY(cy))];
    model.set("start", state.drag);
    model.save_changes(); // (ipywidgets keeps one message in flight and merges the rest)
    schedule();
  });

  function endDrag(event) {
    if (!state.dragging) return;
    state.dragging = false;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    canvas.style.cursor = "grab";
  }
  canvas.addEventListener("pointerup", endDrag);
  canvas.addEventListener("pointercancel", endDrag);

  // ------------------------------------------------------------------ model events

  const onData = () => {
    readData();
    if (!state.dragging) state.drag = null; // the new race starts where the drag left the start
    state.frame = Math.min(state.frame, lastFrame());
    layout();
  };
  const onFrame = () => {
    state.frame = Math.min(Math.max(model.get("frame"), 0), lastFrame());
    schedule();
  };
  const onPlaying = () => (model.get("playing") ? startPlay() : stopPlay());
  const onBackground = () => {
    readBackground();
    layout();
  };
  // Slider values on their way to the kernel. `fast_sources` names sliders' models (name ->
  // model id); this canvas listens to their values in the browser (the widget manager's
  // get_model) and sends each new one at once as a message, with one in flight: values that
  // arrive meanwhile are merged, and only the latest goes out when the kernel answers
  // "raced". (A slider's own sync waits for the kernel's idle status instead, about twice
  // as long per value.)
  const fast = { inflight: false, pending: null, timer: null, sources: [] };
  const sendFast = () => {
    if (fast.inflight || !fast.pending) return;
    fast.inflight = true;
    model.send({ type: "fast", values: fast.pending });
    fast.pending = null;
    clearTimeout(fast.timer);
    fast.timer = setTimeout(() => { fast.inflight = false; sendFast(); }, 1000); // (an answer lost)
  };
  const listenToSources = () => {
    for (const [source, handler] of fast.sources) source.off("change:value", handler);
    fast.sources = [];
    const manager = model.widget_manager;
    if (!manager || typeof manager.get_model !== "function") return;
    for (const [name, id] of Object.entries(model.get("fast_sources") || {})) {
      manager.get_model(id).then((source) => {
        const handler = () => {
          fast.pending = { ...(fast.pending || {}), [name]: source.get("value") };
          sendFast();
        };
        source.on("change:value", handler);
        fast.sources.push([source, handler]);
      }).catch(() => {}); // (a slider not shown here: its own sync carries its values)
    }
  };
  const onCustom = (msg) => {
    if (!msg || msg.type !== "raced") return;
    fast.inflight = false;
    clearTimeout(fast.timer);
    sendFast();
  };
  model.on("msg:custom", onCustom);

  const handlers = [
    ["change:fast_sources", listenToSources],
    ["change:background", onBackground],
    ["change:size", layout],
    ["change:present", layout],
    ["change:n_frames", layout],
    ["change:runs", onData],
    ["change:data", onData],
    ["change:ghost_runs", onData],
    ["change:ghost", onData],
    ["change:ghost_previous", onData],
    ["change:cell_rgba", onData],
    ["change:frame", onFrame],
    ["change:playing", onPlaying],
    ["change:panels", schedule],
    ["change:overlays", schedule],
    ["change:revealed", schedule],
    ["change:cells", schedule],
    ["change:start", schedule],
    ["change:seq", schedule],
  ];
  for (const [name, handler] of handlers) model.on(name, handler);

  const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => resize());
  if (observer) observer.observe(stage);

  listenToSources();
  readBackground();
  readData();
  state.frame = Math.min(model.get("frame"), lastFrame());
  layout();
  if (model.get("playing")) startPlay();

  return () => {
    state.playing = false;
    for (const [name, handler] of handlers) model.off(name, handler);
    model.off("msg:custom", onCustom);
    for (const [source, handler] of fast.sources) source.off("change:value", handler);
    clearTimeout(fast.timer);
    if (observer) observer.disconnect();
    if (state.url) URL.revokeObjectURL(state.url);
  };
}

export default { render };
