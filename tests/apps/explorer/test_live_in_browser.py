"""The live canvas (live.js) in a real browser: Chromium, driven by Playwright.

The module is loaded into a plain page with a stand-in for the widget's model (get, set,
on, off, save_changes; Bytes as DataViews, as ipywidgets gives them), filled from a real
race's payload. Without Chromium (or Playwright) the tests are skipped, with the reason;
with RMSPROP_VIZ_REQUIRE_BROWSER=1 (set in CI) they fail instead.
"""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromium import launch, require, skip_or_require
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.live import background, race_payload

skip_or_require()

HERE = Path(rv.__file__).parent / "apps" / "explorer"
BYTES = ("background", "data", "ghost", "cell_rgba")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="live.css">
<style>body { margin: 0; background: white; }</style></head>
<body><div id="cell"></div>
<script type="module">
import widget from "./live.js";
// A stand-in for the widget's model: values, change events, and a record of what the
// browser sent back to Python (save_changes).
const bytes = (text) => { const raw = atob(text); const b = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) b[i] = raw.charCodeAt(i); return new DataView(b.buffer); };
const values = {}, listeners = {}, pending = {};
window.saves = [];
const model = {
  get: (name) => values[name],
  set: (name, value) => { values[name] = value; pending[name] = value;
    (listeners["change:" + name] || []).forEach((f) => f()); },
  on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
  off: (name, f) => { listeners[name] = (listeners[name] || []).filter((g) => g !== f); },
  save_changes: () => { window.saves.push(JSON.parse(JSON.stringify(pending)));
    for (const k of Object.keys(pending)) delete pending[k]; },
  send: (content) => { window.sent.push(JSON.parse(JSON.stringify(content))); },
  // other widgets' models (sliders), as the widget manager gives them
  widget_manager: { get_model: (id) => Promise.resolve(window.sliders[id]) },
};
// A slider's model: a value and its change events.
const slider = () => { const own = {}, on = {};
  return { get: (n) => own[n], set: (n, v) => { own[n] = v; (on["change:" + n] || []).forEach((f) => f()); },
    on: (n, f) => { (on[n] = on[n] || []).push(f); }, off: () => {} }; };
window.sliders = { a: slider(), b: slider() };
window.sent = [];
// A custom message from Python (ipywidgets' Widget.send).
window.toBrowser = (content) => (listeners["msg:custom"] || []).forEach((f) => f(content));
// Python's side: set traitlets (Bytes given as base64), as a kernel message would.
window.fromPython = (state) => {
  for (const [name, value] of Object.entries(state)) {
    values[name] = value && value.b64 !== undefined ? bytes(value.b64) : value;
  }
  for (const name of Object.keys(state)) (listeners["change:" + name] || []).forEach((f) => f());
};
window.fromPython(window.initialState);
widget.render({ model, el: document.getElementById("cell") });
window.model = model;
</script></body></html>
"""

DEFAULTS: dict[str, Any] = {
    "background": b"",
    "size": [0, 0],
    "panels": {},
    "runs": [],
    "data": b"",
    "ghost_runs": [],
    "ghost": b"",
    "frame": 0,
    "n_frames": 1,
    "playing": False,
    "fps": 30.0,
    "frame_step": 1,
    "start": [],
    "draggable": False,
    "overlays": [],
    "revealed": False,
    "cells": {},
    "cell_rgba": b"",
    "clickable": [],
    "clicked": {},
    "present": False,
    "seq": 0,
}


def wire(state: dict[str, Any]) -> dict[str, Any]:
    """Traitlet values as the page's fromPython takes them (Bytes as base64)."""
    return {k: {"b64": base64.b64encode(v).decode()} if isinstance(v, bytes) else v for k, v in state.items()}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A folder served on 127.0.0.1 with live.js and live.css (modules do not load from file://)."""
    folder = tmp_path_factory.mktemp("live")
    for name in ("live.js", "live.css"):
        shutil.copy(HERE / name, folder / name)
    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.folder = folder  # type: ignore[attr-defined]
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def scene_race() -> RaceFigure:
    """The Rosenbrock scene, 300 steps, at 100 dpi (1280 x 720)."""
    scene = rv.scenes.get("rosenbrock").with_changes(n_steps=300)
    return RaceFigure(scene.build_surface(), scene.run(), labels=scene.legend_labels())


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser: Any, server: Any, state: dict[str, Any], name: str, width: int = 1400) -> Any:
    """A page showing the canvas with ``state`` (traitlet values), ready to draw."""
    full = {**DEFAULTS, **state}
    html = PAGE.replace(
        "<script type=", f"<script>window.initialState = {json.dumps(wire(full))};</script><script type="
    )
    (server.folder / f"{name}.html").write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 1000}, device_scale_factor=1)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/{name}.html")
    page.wait_for_function(
        "() => document.querySelector('.rv-live') && document.querySelector('.rv-live').dataset.seq !== undefined"
    )
    page.wait_for_function("() => document.querySelector('img.rv-background').complete")
    return page


def race_state(race: RaceFigure, step: int | None = None) -> dict[str, Any]:
    """The traitlets the explorer would set for ``race`` at ``step`` (default: the last)."""
    still = background(race)
    runs, data = race_payload(race)
    n_frames = race.n_steps + 1
    return {
        "background": still.png,
        "size": list(still.size),
        "panels": still.panels,
        "runs": runs,
        "data": data,
        "n_frames": n_frames,
        "frame": n_frames - 1 if step is None else step,
        "seq": 1,
    }


def shot(page: Any, selector: str = ".rv-stage") -> np.ndarray:
    """An element's pixels (RGB, int16) after the next two animation frames."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    png = page.locator(selector).screenshot()
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB")).astype(np.int16)


def export_pixels(race: RaceFigure, step: int) -> np.ndarray:
    """The figure at ``step`` as an export draws it."""
    race.show_frame(step)
    buffer = io.BytesIO()
    race.fig.savefig(buffer, format="png", dpi=race.fig.dpi)
    with Image.open(buffer) as image:
        return np.asarray(image.convert("RGB")).astype(np.int16)


SHOTS = Path("/tmp/A")


def coloured(pixels: np.ndarray, still: np.ndarray, color: str, tolerance: int = 60) -> np.ndarray:
    """Where ``pixels`` differ from the background ``still`` and are near ``color``."""
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    drawn = np.abs(pixels - still).max(axis=-1) > 40
    return drawn & (np.abs(pixels - rgb).max(axis=-1) <= tolerance)


def grow(mask: np.ndarray, radius: int) -> np.ndarray:
    """``mask`` and every pixel within ``radius`` pixels of it."""
    grown = np.zeros_like(mask)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy <= radius * radius:
                grown |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return grown


def near(mask: np.ndarray, other: np.ndarray, radius: int = 2) -> float:
    """The share of ``mask``'s pixels within ``radius`` pixels of one of ``other``'s (1 for
    an empty ``mask``: no pixel is far)."""
    if not mask.any():
        return 1.0
    return float((mask & grow(other, radius)).sum() / mask.sum())


@pytest.mark.parametrize("step", [12, 150])
def test_the_canvas_draws_the_race_where_the_export_does(
    browser: Any, server: Any, scene_race: RaceFigure, step: int
) -> None:
    """Over the background, the canvas shows each run's path, head, curves and start at the
    pixels (within 2) where matplotlib's export of the same frame draws them, in the same
    colours: of the pixels of a run's colour in either picture, at least 95 % lie within
    2 pixels of one in the other."""
    state = race_state(scene_race, step)
    page = open_page(browser, server, state, f"compare{step}")
    canvas = shot(page)
    expected = export_pixels(scene_race, step)
    with Image.open(io.BytesIO(state["background"])) as image:
        still = np.asarray(image.convert("RGB")).astype(np.int16)
    SHOTS.mkdir(exist_ok=True)
    Image.fromarray(canvas.astype(np.uint8)).save(SHOTS / f"canvas_{step}.png")
    Image.fromarray(expected.astype(np.uint8)).save(SHOTS / f"export_{step}.png")
    assert canvas.shape == expected.shape == still.shape
    assert page.errors == []
    masks = [(coloured(canvas, still, r["color"]), coloured(expected, still, r["color"])) for r in state["runs"]]
    for i, (run, (ours, theirs)) in enumerate(zip(state["runs"], masks)):
        assert theirs.sum() > 50, run["key"]  # the export draws it
        assert ours.sum() > 0.8 * theirs.sum(), run["key"]
        # Where another run's line passes within 3 pixels, which dash shows on top is a
        # matter of the dashes' phase: compare the rest.
        others = np.zeros_like(ours)
        for j, pair in enumerate(masks):
            if j != i:
                others |= pair[0] | pair[1]
        alone = ~grow(others, 3)
        assert near(ours & alone, theirs) >= 0.95, run["key"]
        assert near(theirs & alone, ours) >= 0.95, run["key"]
    # and nothing else: what differs from the background is the same in both pictures
    ours, theirs = np.abs(canvas - still).max(axis=-1) > 40, np.abs(expected - still).max(axis=-1) > 40
    assert near(ours, theirs) >= 0.95
    assert near(theirs, ours) >= 0.95


def test_a_diverged_run_ends_in_a_cross_with_its_note(browser: Any, server: Any) -> None:
    """A run that left the window ends in a cross and "diverged at step k", where the export
    puts them."""
    trajs = rv.race(rv.Rosenbrock(), {"SGD": rv.sgd(0.005), "Adam": rv.adam(0.05)}, n_steps=30)
    assert trajs["SGD"].diverged_at[0] == 5
    race = RaceFigure(rv.Rosenbrock(), trajs)
    state = race_state(race, 20)
    page = open_page(browser, server, state, "diverged")
    canvas = shot(page)
    expected = export_pixels(race, 20)
    with Image.open(io.BytesIO(state["background"])) as image:
        still = np.asarray(image.convert("RGB")).astype(np.int16)
    Image.fromarray(canvas.astype(np.uint8)).save(SHOTS / "diverged_canvas.png")
    Image.fromarray(expected.astype(np.uint8)).save(SHOTS / "diverged_export.png")
    sgd = state["runs"][0]
    ours, theirs = coloured(canvas, still, sgd["color"]), coloured(expected, still, sgd["color"])
    # the path and the cross, away from the notes (whose text the browser sets in its own font)
    white = np.array([255, 255, 255])
    notes = np.zeros_like(ours)
    for picture in (canvas, expected):
        notes |= (np.abs(picture - still).max(axis=-1) > 40) & (np.abs(picture - white).max(axis=-1) < 30)
    away = ~grow(notes, 4)
    assert theirs[away].sum() > 200
    assert near(ours & away, theirs) >= 0.95
    assert near(theirs & away, ours) >= 0.95
    # the note's text: dark pixels on white where the export writes it
    box = state["panels"]["surface"]["box"]
    x0, y0, x1, y1 = (int(v) for v in box)
    dark_ours = (canvas[y0:y1, x0:x1].max(axis=-1) < 60) & (np.abs(canvas - still)[y0:y1, x0:x1].max(axis=-1) > 40)
    dark_theirs = (expected[y0:y1, x0:x1].max(axis=-1) < 60) & (
        np.abs(expected - still)[y0:y1, x0:x1].max(axis=-1) > 40
    )
    assert dark_theirs.sum() > 50
    assert near(dark_ours, dark_theirs, radius=6) >= 0.8


def test_play_runs_in_the_browser_and_reports_once_when_it_stops(
    browser: Any, server: Any, scene_race: RaceFigure
) -> None:
    """Play advances the frame with no message to Python; Pause sends the frame once."""
    page = open_page(browser, server, {**race_state(scene_race, 0), "fps": 30.0}, "play")
    first = int(page.get_attribute(".rv-live", "data-frames-drawn"))
    page.click("button.rv-play")
    page.wait_for_timeout(600)
    middle = int(page.get_attribute(".rv-live", "data-frame"))
    page.wait_for_timeout(600)
    later = int(page.get_attribute(".rv-live", "data-frame"))
    assert 0 < middle < later
    assert page.get_attribute(".rv-live", "data-playing") == "true"
    assert page.evaluate("() => window.saves.length") == 0
    page.click("button.rv-play")
    saves = page.evaluate("() => window.saves")
    stopped = int(page.get_attribute(".rv-live", "data-frame"))
    assert saves == [{"frame": stopped, "playing": False}]
    assert int(page.get_attribute(".rv-live", "data-frames-drawn")) > first + 10
    assert page.inner_text("span.rv-step") == f"step {stopped} / {scene_race.n_steps}"
    assert page.errors == []


def test_new_data_is_drawn_and_counted_and_the_scrub_reports_on_release(
    browser: Any, server: Any, scene_race: RaceFigure
) -> None:
    """The root's data-* attributes (the DOM contract) count each new seq drawn once, with
    the time of its first frame; the scrub moves the frame in the browser and tells Python
    only when it is released."""
    state = race_state(scene_race, 100)
    page = open_page(browser, server, state, "counters")
    root = page.locator(".rv-live")
    assert root.get_attribute("data-seq") == "1"
    assert root.get_attribute("data-updates") == "1"
    first = float(root.get_attribute("data-drawn-at"))
    before = shot(page)
    page.evaluate("(p) => window.fromPython(p)", wire({"runs": state["runs"][:2], "seq": 2}))
    page.wait_for_function("() => document.querySelector('.rv-live').dataset.seq === '2'")
    assert root.get_attribute("data-updates") == "2"
    assert float(root.get_attribute("data-drawn-at")) > first
    fewer = shot(page)
    gone = coloured(before, fewer, state["runs"][3]["color"])  # Adam's pixels left the picture
    assert gone.sum() > 100
    page.evaluate(
        "() => { const s = document.querySelector('.rv-scrub'); s.value = '40'; s.dispatchEvent(new Event('input')); }"
    )
    page.wait_for_function("() => document.querySelector('.rv-live').dataset.frame === '40'")
    assert page.evaluate("() => window.saves") == []
    assert root.get_attribute("data-updates") == "2"  # a frame is not new data
    page.dispatch_event("input.rv-scrub", "change")
    assert page.evaluate("() => window.saves") == [{"frame": 40}]
    assert page.inner_text("span.rv-step") == f"step 40 / {scene_race.n_steps}"
    assert page.errors == []


def pixel_of(panel: dict[str, Any], x: float, y: float) -> tuple[float, float]:
    """Where a linear panel draws (x, y), in figure pixels from the top-left."""
    x0, y0, x1, y1 = panel["box"]
    (a, b), (c, d) = panel["xlim"], panel["ylim"]
    return x0 + (x - a) / (b - a) * (x1 - x0), y1 - (y - c) / (d - c) * (y1 - y0)


def test_dragging_the_start_sets_the_point_under_the_pointer(browser: Any, server: Any, scene_race: RaceFigure) -> None:
    """Pressing on the start mark and dragging it sends the data point under the pointer."""
    state = race_state(scene_race)
    start = [float(v) for v in scene_race.trajectories[0].params[0, 0]]
    page = open_page(browser, server, {**state, "start": start, "draggable": True}, "drag")
    surface = state["panels"]["surface"]
    stage = page.locator(".rv-stage").bounding_box()
    sx, sy = pixel_of(surface, *start)
    tx, ty = pixel_of(surface, 0.5, -0.25)
    page.mouse.move(stage["x"] + sx + 3, stage["y"] + sy - 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + tx, stage["y"] + ty, steps=8)
    page.mouse.up()
    saves = page.evaluate("() => window.saves")
    assert len(saves) >= 2  # one per move: the start follows the pointer
    x, y = saves[-1]["start"]
    per_pixel_x = (surface["xlim"][1] - surface["xlim"][0]) / (surface["box"][2] - surface["box"][0])
    per_pixel_y = (surface["ylim"][1] - surface["ylim"][0]) / (surface["box"][3] - surface["box"][1])
    assert abs(x - 0.5) <= 1.5 * per_pixel_x
    assert abs(y + 0.25) <= 1.5 * per_pixel_y
    # a press away from the start moves nothing
    page.mouse.move(stage["x"] + tx + 100, stage["y"] + ty - 100)
    page.mouse.down()
    page.mouse.move(stage["x"] + tx + 150, stage["y"] + ty - 150, steps=4)
    page.mouse.up()
    assert len(page.evaluate("() => window.saves")) == len(saves)
    assert page.errors == []


def test_a_hidden_arrow_shows_once_revealed(browser: Any, server: Any, scene_race: RaceFigure) -> None:
    """An arrow overlay marked hidden is drawn only once `revealed` is set."""
    state = race_state(scene_race, 0)
    arrow = {
        "type": "arrow",
        "panel": "surface",
        "x0": 0.0,
        "y0": 0.0,
        "x1": 1.0,
        "y1": -0.5,
        "color": "#ff00ff",
        "width": 4.0,
        "dash": [],
        "label": "step × 20",
        "hidden": True,
    }
    page = open_page(browser, server, {**state, "overlays": [arrow]}, "reveal")
    magenta = np.array([255, 0, 255])
    before = (np.abs(shot(page) - magenta).max(axis=-1) < 40).sum()
    page.evaluate("() => window.fromPython({revealed: true, seq: 2})")
    after_pixels = shot(page)
    Image.fromarray(after_pixels.astype(np.uint8)).save(SHOTS / "revealed.png")
    after = np.abs(after_pixels - magenta).max(axis=-1) < 40
    assert before == 0
    assert after.sum() > 100
    # along the arrow: its middle is magenta
    mx, my = pixel_of(state["panels"]["surface"], 0.5, -0.25)
    row, col = round(my), round(mx)
    assert after[row - 2 : row + 3, col - 2 : col + 3].any()
    assert page.errors == []


def test_a_map_draws_its_cells_on_log_axes_and_reports_clicks(browser: Any, server: Any) -> None:
    """The cells of a map panel fill their edges' pixels (a log x axis), and a click on the
    panel sends the data point under the pointer."""
    width, height = 600, 500
    blank = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(blank, format="png")
    panel = {
        "box": [100.0, 100.0, 500.0, 400.0],
        "xlim": [1e-4, 1.0],
        "ylim": [0.0, 1.0],
        "xscale": "log",
        "yscale": "linear",
    }
    x_edges = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    y_edges = [0.0, 0.5, 1.0]
    colours = [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [255, 255, 0, 255],
        [0, 255, 255, 255],
        [255, 0, 255, 255],
        [128, 0, 0, 255],
        [0, 0, 0, 255],
    ]
    state = {
        "background": blank.getvalue(),
        "size": [width, height],
        "panels": {"map": panel},
        "cells": {"panel": "map", "nx": 4, "ny": 2, "x_edges": x_edges, "y_edges": y_edges},
        "cell_rgba": bytes(np.array(colours, dtype=np.uint8).ravel()),
        "clickable": ["map"],
        "seq": 1,
    }
    page = open_page(browser, server, state, "map")
    pixels = shot(page)
    for j in range(2):
        for i in range(4):
            # each decade is 100 pixels wide; row 0 (y from 0 to 0.5) is the lower half
            cx, cy = 150 + 100 * i, 325 - 150 * j
            assert pixels[cy, cx].tolist() == colours[j * 4 + i][:3], (i, j)
    stage = page.locator(".rv-stage").bounding_box()
    page.mouse.click(stage["x"] + 300, stage["y"] + 175)
    clicked = page.evaluate("() => window.saves")[-1]["clicked"]
    assert clicked["panel"] == "map"
    assert clicked["x"] == pytest.approx(1e-2, rel=0.03)  # 1 pixel is 1 % of a decade
    assert clicked["y"] == pytest.approx(0.75, abs=0.005)
    assert page.errors == []


def test_slider_values_go_out_at_once_one_in_flight_the_latest_next(
    browser: Any, server: Any, scene_race: RaceFigure
) -> None:
    """A linked slider value goes to Python as a message at once; values that arrive before
    Python answers "raced" are merged, and only the latest of each goes out next."""
    state = {**race_state(scene_race), "fast_sources": {"fast_alpha": "a", "fast_beta": "b"}}
    page = open_page(browser, server, state, "fast")
    page.wait_for_timeout(100)  # (the sliders' models arrive as promises)
    set_value = "([id, value]) => window.sliders[id].set('value', value)"
    page.evaluate(set_value, ["a", 0.01])
    assert page.evaluate("() => window.sent") == [{"type": "fast", "values": {"fast_alpha": 0.01}}]
    for value in (0.02, 0.03, 0.04):  # dragged on while the kernel races 0.01
        page.evaluate(set_value, ["a", value])
    page.evaluate(set_value, ["b", 0.5])
    assert len(page.evaluate("() => window.sent")) == 1  # none queue up
    page.evaluate("() => window.toBrowser({type: 'raced'})")
    sent = page.evaluate("() => window.sent")
    assert sent[1] == {"type": "fast", "values": {"fast_alpha": 0.04, "fast_beta": 0.5}}
    page.evaluate("() => window.toBrowser({type: 'raced'})")
    assert len(page.evaluate("() => window.sent")) == 2  # nothing new: nothing sent
    assert page.evaluate("() => window.saves") == []  # values go as messages, not as state
    assert page.errors == []


def test_the_race_shown_until_now_stays_as_the_ghost_without_being_sent_again(
    browser: Any, server: Any, scene_race: RaceFigure
) -> None:
    """With ghost_previous, a new race keeps the visible runs of the one shown until now as
    faded lines, drawn from the arrays the browser already has (none are sent); without
    it, no ghost."""
    state = race_state(scene_race)
    page = open_page(browser, server, state, "ghost")
    root = "document.querySelector('.rv-live')"
    assert page.evaluate(f"() => {root}.dataset.ghosts") == "0"
    runs = [dict(run) for run in state["runs"]]
    runs[1]["visible"] = False  # a run that is off leaves no ghost
    wired = wire({"data": state["data"], "runs": runs, "ghost_previous": True, "seq": 2})
    page.evaluate("(p) => window.fromPython(p)", wired)
    shaded = (np.abs(shot(page).astype(int) - 255).sum(axis=-1) > 30).sum()
    assert page.evaluate(f"() => {root}.dataset.ghosts") == str(len(runs))  # the first race's runs, all shown
    page.evaluate("(p) => window.fromPython(p)", wire({"data": state["data"], "runs": runs, "seq": 3}))
    assert page.evaluate(f"() => {root}.dataset.ghosts") == str(len(runs) - 1)  # the hidden one left out
    page.evaluate("(p) => window.fromPython(p)", wire({"data": state["data"], "ghost_previous": False, "seq": 4}))
    assert page.evaluate(f"() => {root}.dataset.ghosts") == "0"
    assert shaded > 0
    assert page.errors == []
