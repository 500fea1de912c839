"""The live explorer in a real browser, as a lecturer uses it: JupyterLab (and Voila),
driven by Playwright with Chromium through the harness in ``browser.py``.

What is checked is what the audience sees: the canvas changes while a slider is still being
dragged, the start mark can be dragged on the surface, Play runs in the browser without
messages to the kernel, step mode writes the update rule with its numbers (typeset by
MathJax) and reveals the step's arrow on demand, and presentation mode fills the width with
toggles whose text meets the WCAG contrast of 4.5:1. Screenshots of each state go to the
test's temporary directory (their paths are printed: run with ``-s`` to see them).

Without Chromium (or Playwright) the tests are skipped, with the reason; with the
environment variable RMSPROP_VIZ_REQUIRE_BROWSER=1 (set in CI) they fail instead.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser import (
    LIVE_ROOT,
    MAP_ROOT,
    Session,
    canvas_hash,
    live_state,
    need,
    open_notebook,
    open_page,
    poll,
    serve,
)
from chromium import require, skip_or_require

skip_or_require()

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[3] / "notebooks"

ROOT = LIVE_ROOT
LAYER = f"{ROOT} canvas.rv-layer"

#: The live explorer, and the geometry of its canvas written into the page (the figure's
#: size in pixels and the surface panel's box and limits), which the start-drag test needs
#: to find the start mark on the screen.
CELLS = [
    'import rmsprop_viz as rv\nexplorer = rv.explore("rosenbrock", backend="live")\nexplorer',
    """import contextlib
import json
from IPython.display import HTML
from rmsprop_viz.apps.explorer.live import LiveCanvas

def live_canvases(widget):
    if isinstance(widget, LiveCanvas):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from live_canvases(child)

canvas = next(live_canvases(explorer))
HTML("<pre class='rv-geometry'>" + json.dumps({"size": canvas.size, "panels": canvas.panels}) + "</pre>")""",
]


@pytest.fixture(scope="module")
def lab(chrome: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session | None]:
    """One JupyterLab with the live explorer, shared by the tests that only change settings."""
    if chrome is None:
        yield None
        return
    tmp = tmp_path_factory.mktemp("lab")
    with open_notebook(chrome, tmp, CELLS, kind="lab", viewport=(1400, 1300)) as session:
        poll(lambda: live_state(session.page, ROOT)["seq"] >= 1, what="the live canvas's first drawing")
        yield session


def _shot(session: Session, name: str, selector: str = "") -> None:
    print("screenshot:", session.shot(name, selector))


def _layer(page: Any) -> str:
    """A digest of the pixels the browser drew over the background."""
    return canvas_hash(page, LAYER)


def _slider_handle(page: Any, cls: str) -> Any:
    return page.locator(f".{cls} .noUi-handle").first


def _centre(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, "the element is not on the page"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@contextlib.contextmanager
def _holding_slider(page: Any, cls: str, dx: float) -> Iterator[None]:
    """Press the handle of the slider of class ``cls``, move it 8 times by ``dx`` px (120 ms
    apart) and keep the button down until the ``with`` block ends."""
    handle = _slider_handle(page, cls)
    handle.scroll_into_view_if_needed()
    x, y = _centre(handle)
    page.mouse.move(x, y)
    page.mouse.down()
    try:
        for k in range(1, 9):
            page.mouse.move(x + dx * k, y)
            page.wait_for_timeout(120)
        yield
    finally:
        page.mouse.up()


def _click(page: Any, cls: str) -> None:
    """Click the control carrying class ``cls`` (a button, a toggle or a checkbox)."""
    control = page.locator(f".{cls}").first
    inner = control.locator("input[type=checkbox], button")
    (inner.first if inner.count() else control).click()
    page.mouse.move(1, 1)  # away from the control: no hover style left behind


def _kernel_sent(session: Session, mark: int, name: str) -> int:
    """Frames the page sent on the kernel WebSocket after ``mark`` that mention ``name``."""
    return sum(f'"{name}"' in f.text for f in session.network.since(mark, sent=True))


# -- (a) sliders update while dragged -------------------------------------------------------


def test_the_canvas_changes_while_the_alpha_slider_is_dragged(lab: Session | None) -> None:
    if lab is None:
        require()
        return
    page = lab.page
    page.locator(ROOT).first.scroll_into_view_if_needed()
    before_seq, before_pixels = live_state(page, ROOT)["seq"], _layer(page)
    _shot(lab, "a-before-drag")
    with _holding_slider(page, "rv-alpha", -10):
        poll(lambda: live_state(page, ROOT)["seq"] > before_seq, timeout=5, what="an update during the drag")
        pixels_during = _layer(page)
        _shot(lab, "a-during-drag")
    assert pixels_during != before_pixels, "the canvas did not change while the slider was dragged"


# -- (b) the start mark is dragged on the surface -------------------------------------------


def _geometry(page: Any) -> dict[str, Any]:
    return dict(json.loads(page.locator("pre.rv-geometry").first.inner_text()))


def _to_screen(page: Any, geometry: dict[str, Any], x: float, y: float) -> tuple[float, float]:
    """Where the surface's data point (x, y) is on the screen (CSS pixels), from the panel's
    box (figure pixels from the top-left) and limits, as the contract defines them."""
    (x0, y0, x1, y1), (ax, bx), (ay, by) = (geometry["panels"]["surface"][k] for k in ("box", "xlim", "ylim"))
    box = page.locator(LAYER).first.bounding_box()
    scale = box["width"] / geometry["size"][0]
    px = x0 + (x1 - x0) * (x - ax) / (bx - ax)
    py = y1 - (y1 - y0) * (y - ay) / (by - ay)
    return box["x"] + scale * px, box["y"] + scale * py


def _to_data(page: Any, geometry: dict[str, Any], sx: float, sy: float) -> tuple[float, float]:
    (x0, y0, x1, y1), (ax, bx), (ay, by) = (geometry["panels"]["surface"][k] for k in ("box", "xlim", "ylim"))
    box = page.locator(LAYER).first.bounding_box()
    scale = box["width"] / geometry["size"][0]
    px, py = (sx - box["x"]) / scale, (sy - box["y"]) / scale
    return ax + (bx - ax) * (px - x0) / (x1 - x0), ay + (by - ay) * (y1 - py) / (y1 - y0)


def _start_fields(page: Any) -> tuple[float, float]:
    values = []
    for label in ("start x", "start y"):
        field = page.locator(".widget-text", has=page.locator("label", has_text=label)).locator("input").first
        values.append(float(field.input_value()))
    return values[0], values[1]


def test_the_start_mark_can_be_dragged_on_the_surface(lab: Session | None) -> None:
    if lab is None:
        require()
        return
    page = lab.page
    geometry = _geometry(page)
    page.locator(ROOT).first.scroll_into_view_if_needed()
    start = _start_fields(page)
    sx, sy = _to_screen(page, geometry, *start)
    (x0, y0, x1, y1) = geometry["panels"]["surface"]["box"]
    scale = page.locator(LAYER).first.bounding_box()["width"] / geometry["size"][0]
    tx, ty = sx + 0.2 * scale * (x1 - x0), sy - 0.15 * scale * (y1 - y0)  # right and up, inside the panel
    expected = _to_data(page, geometry, tx, ty)
    seq = live_state(page, ROOT)["seq"]
    page.mouse.move(sx, sy)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(sx + (tx - sx) * k / 10, sy + (ty - sy) * k / 10)
        page.wait_for_timeout(30)
    page.mouse.up()
    # the fields follow the drag (one message in flight, later values merged): wait for
    # the point where the mouse let go, within 3 screen pixels (the explorer may round it)
    (ax, bx), (ay, by) = geometry["panels"]["surface"]["xlim"], geometry["panels"]["surface"]["ylim"]
    tolerance = (3 * abs(bx - ax) / (scale * (x1 - x0)), 3 * abs(by - ay) / (scale * (y1 - y0)))

    def landed() -> bool:
        got = _start_fields(page)
        return all(abs(g - e) <= t for g, e, t in zip(got, expected, tolerance))

    try:
        poll(landed, timeout=10, what="the start fields to take the dragged point")
    except AssertionError:
        raise AssertionError(f"start fields {_start_fields(page)}, dropped at {expected}, was {start}") from None
    poll(lambda: live_state(page, ROOT)["seq"] > seq, timeout=10, what="the canvas to draw the race from there")
    _shot(lab, "b-start-dragged")


# -- (c) Play runs in the browser -----------------------------------------------------------


def test_play_runs_in_the_browser_without_messages_to_the_kernel(lab: Session | None) -> None:
    if lab is None:
        require()
        return
    page, network = lab.page, lab.network
    play = page.locator(f"{ROOT} button.rv-play").first
    play.scroll_into_view_if_needed()
    play.click()
    page.wait_for_timeout(300)  # what the click itself may send
    mark = network.mark()
    frames = set()
    for _ in range(20):
        frames.add(live_state(page, ROOT)["frame"])
        page.wait_for_timeout(100)
    sent = network.since(mark, sent=True)
    _shot(lab, "c-playing")
    paused = network.mark()
    play.click()
    poll(lambda: live_state(page, ROOT)["playing"] == 0, timeout=5, what="Play to stop")
    poll(lambda: _kernel_sent(lab, paused, "frame") >= 1, timeout=5, what="the frame sent to the kernel after Pause")
    assert len(frames) >= 5, f"Play did not advance the frames: saw {sorted(frames)}"
    assert sent == [], f"{len(sent)} WebSocket frames sent to the kernel during Play"
    assert page.locator(f"{ROOT} span.rv-step").first.inner_text().startswith("step ")


# -- (d) step mode ---------------------------------------------------------------------------


def _caption(page: Any) -> Any:
    return page.locator(".rv-step-caption").first


def _numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)


def test_step_mode_writes_the_rule_with_its_numbers_and_reveals_the_step(lab: Session | None) -> None:
    if lab is None:
        require()
        return
    page = lab.page
    _click(page, "rv-step-toggle")
    caption = _caption(page)
    caption.locator("mjx-container").first.wait_for(state="attached", timeout=20_000)
    page.locator(ROOT).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    text, pixels = caption.inner_text(), _layer(page)
    _shot(lab, "d-step-mode")
    _click(page, "rv-next")
    poll(lambda: _numbers(caption.inner_text()) != _numbers(text), timeout=10, what="the caption's numbers to change")
    poll(lambda: _layer(page) != pixels, timeout=10, what="the canvas to show the next step")
    caption.locator("mjx-container").first.wait_for(state="attached", timeout=20_000)
    _shot(lab, "d-next-step")
    # predict, then reveal: the step's arrow is drawn only after Reveal
    _click(page, "rv-predict")
    _click(page, "rv-next")
    page.wait_for_timeout(1500)
    hidden = _layer(page)
    _shot(lab, "d-predict")
    _click(page, "rv-reveal")
    poll(lambda: _layer(page) != hidden, timeout=10, what="Reveal to draw the step's arrow")
    _shot(lab, "d-revealed")


# -- the sensitivity map -------------------------------------------------------------------


def _legend_lr(page: Any, label: str) -> float:
    found = re.search(
        rf"{label}: lr=([-+.e\d]+),", page.locator(".widget-html", has_text=f"{label}: lr=").first.inner_text()
    )
    return float(found.group(1)) if found else float("nan")


def test_a_click_on_the_sensitivity_map_races_that_setting(lab: Session | None) -> None:
    if lab is None:
        require()
        return
    page = lab.page
    _click(page, "rv-sensitivity-toggle")
    poll(lambda: page.locator(MAP_ROOT).count() and live_state(page, MAP_ROOT)["seq"] >= 1, what="the map's drawing")
    layer = page.locator(MAP_ROOT).first.locator("canvas.rv-layer")
    layer.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    _shot(lab, "map")
    seq, lr = live_state(page, ROOT)["seq"], _legend_lr(page, "RMSProp")
    box = layer.bounding_box()
    for fx in (0.15, 0.3):  # two cells far apart: at least one differs from the current setting
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + 0.5 * box["height"])
        page.wait_for_timeout(300)
    poll(lambda: live_state(page, ROOT)["seq"] > seq, timeout=10, what="the race of the clicked cell")
    poll(lambda: _legend_lr(page, "RMSProp") != lr, timeout=10, what="the legend to give the clicked learning rate")
    _shot(lab, "map-clicked")
    _click(page, "rv-sensitivity-toggle")


# -- (e) presentation mode -------------------------------------------------------------------


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour with channels in 0..255."""

    def linear(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_on_known_pairs() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48:1, #767676 on white 4.54:1
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


#: The colours a toggle's text is drawn in and drawn on: its computed text colour, and its
#: background composited over its ancestors' backgrounds (a transparent one shows theirs).
COLOURS = """el => {
    const parse = (s) => {
        const m = s.match(/[\\d.]+/g).map(Number);
        return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
    };
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
        const c = parse(getComputedStyle(node).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255];
    const over = (c, a, under) => under.map((u, i) => c[i] * a + u * (1 - a));
    for (const c of layers.reverse()) bg = over(c, c[3], bg);
    const t = parse(getComputedStyle(el).color);
    const text = over(t, t[3], bg);
    return {text, background: bg, label: el.innerText.trim(), pressed: el.classList.contains('mod-active')};
}"""


def _toggle_colours(page: Any) -> list[dict[str, Any]]:
    page.mouse.move(1, 1)
    page.wait_for_timeout(400)  # past any transition
    return [b.evaluate(COLOURS) for b in page.locator(".rv-toggles button").all()]


def test_presentation_mode_fills_the_width_with_readable_toggles(chrome: Any, tmp_path: pathlib.Path) -> None:
    need(chrome)
    cells = ['import rmsprop_viz as rv\nrv.explore("rosenbrock", backend="live", present=True)']
    with open_notebook(chrome, tmp_path, cells, kind="lab", viewport=(1920, 1080)) as session:
        page = session.page
        poll(lambda: live_state(page, ROOT)["seq"] >= 1, what="the live canvas's first drawing")
        page.wait_for_timeout(1000)
        root = page.locator(ROOT).first
        root.scroll_into_view_if_needed()
        assert "rv-present" in (root.get_attribute("class") or "")
        widths = root.evaluate(
            """el => { const area = el.closest('.jp-OutputArea-output') || document.body;
                       return [el.getBoundingClientRect().width, area.getBoundingClientRect().width]; }"""
        )
        _shot(session, "e-present")
        print(f"presentation mode: the canvas is {widths[0]:.0f} px wide in an output {widths[1]:.0f} px wide")
        assert widths[0] >= 0.9 * widths[1], f"the canvas is {widths[0]:.0f} px of an output {widths[1]:.0f} px wide"
        toggles = page.locator(".rv-toggles button")
        assert toggles.count() >= 2, "no optimizer toggles in .rv-toggles"
        first = _toggle_colours(page)
        for k in range(toggles.count()):  # flip each one, measure, flip back
            toggles.nth(k).click()
        second = _toggle_colours(page)
        _shot(session, "e-present-toggled", ".rv-toggles")
        for k in range(toggles.count()):
            toggles.nth(k).click()
        seen = {(c["label"], c["pressed"]): c for c in first + second}
        assert {pressed for _, pressed in seen} == {True, False}, "the toggles did not change state"
        low = {
            f"{label} ({'on' if pressed else 'off'})": round(contrast(c["text"], c["background"]), 2)
            for (label, pressed), c in seen.items()
            if contrast(c["text"], c["background"]) < 4.5
        }
        print(
            "toggle contrasts:",
            {f"{k[0]} {k[1]}": round(contrast(c["text"], c["background"]), 2) for k, c in seen.items()},
        )
        assert not low, f"toggles below 4.5:1: {low}"


# -- Voila -----------------------------------------------------------------------------------


def test_the_course_notebook_opens_the_live_explorer_in_voila(chrome: Any, tmp_path: pathlib.Path) -> None:
    """The explorer's notebook, as students open it in Voila: the live canvas by default."""
    need(chrome)
    root = tmp_path / "served"
    root.mkdir()
    shutil.copy(NOTEBOOKS / "03_explorer.ipynb", root)  # autosave must not touch the repository's copy
    with (
        serve("voila", root, tmp_path, "03_explorer.ipynb") as server,
        open_page(chrome, server, "03_explorer.ipynb", tmp_path) as session,
    ):
        page = session.page
        poll(lambda: live_state(page, ROOT)["seq"] >= 1, what="the live canvas's first drawing")
        before_seq, before_pixels = live_state(page, ROOT)["seq"], _layer(page)
        with _holding_slider(page, "rv-alpha", 10):
            poll(lambda: live_state(page, ROOT)["seq"] > before_seq, timeout=5, what="an update during the drag")
            changed = _layer(page) != before_pixels
        assert changed, "the canvas did not change while the slider was dragged"
        page.locator(f"{ROOT} button.rv-play").first.click()
        page.wait_for_timeout(300)
        mark = session.network.mark()
        first = live_state(page, ROOT)["frame"]
        page.wait_for_timeout(1500)
        assert live_state(page, ROOT)["frame"] != first, "Play did not advance in Voila"
        assert session.network.since(mark, sent=True) == [], "messages sent to the kernel during Play"
        _shot(session, "voila-live")
        assert page.locator(".jp-CodeCell .jp-InputArea, .cm-editor").count() == 0  # students see no code
        print(f"voila: {len(session.network.aborted)} requests to other hosts aborted")
