"""The explorer on its ipympl canvas in a real browser: JupyterLab and Voila, driven by
Playwright with Chromium (the harness is ``browser.py``, beside this file).

Servers listen on 127.0.0.1 with a token, in a throw-away Jupyter configuration, serving a
notebook written into a temporary folder. The browser is the system's Chromium
(Playwright's own browser download is not used), and requests to other hosts are aborted.
Screenshots go to the test's temporary directory.

Without Chromium (or Playwright) the tests are skipped, with the reason; with the
environment variable RMSPROP_VIZ_REQUIRE_BROWSER=1 (set in CI) they fail instead.
"""

from __future__ import annotations

import pathlib
import re
import time
from typing import Any

from browser import IPYMPL_CANVAS, Session, canvas_hash, need, open_notebook, poll
from chromium import skip_or_require

from rmsprop_viz.apps.explorer.settings import KEYS
from rmsprop_viz.core.kinds import KINDS

skip_or_require()

#: The explorer on its ipympl canvas, as the course notebook opens it (the canvas is chosen here).
CELLS = ["import rmsprop_viz as rv", 'rv.explore("rosenbrock", backend="ipympl")']

Page = Any


def _legend_text(page: Page) -> str:
    return page.locator(".widget-html", has_text="RMSProp:").first.inner_text()


def _legend_lr(page: Page, label: str) -> float:
    """The learning rate the legend gives ``label`` (the log slider snaps a typed value to
    its nearest step, within 1%)."""
    found = re.search(rf"{label}: lr=([-+.e\d]+),", _legend_text(page))
    return float(found.group(1)) if found else float("nan")


def _optimizers_on(page: Page) -> list[str]:
    """The optimizer toggles that are pressed, in order."""
    pressed = [b.inner_text().strip() for b in page.locator(".widget-toggle-button.mod-active").all()]
    labels = [KINDS[key].label for key in KEYS]
    return [label for label in pressed if label in labels]


def _slider(page: Page, label: str) -> Any:
    return page.locator(".widget-slider", has=page.locator("label", has_text=label)).first


def _type_into_slider(page: Page, label: str, text: str) -> None:
    readout = _slider(page, label).locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def _drag_slider(page: Page, label: str, dx: float) -> None:
    handle = _slider(page, label).locator(".noUi-handle")
    box = handle.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()


def _exercise_explorer(page: Page, shots: pathlib.Path, name: str) -> None:
    """Type alpha, drag alpha, press play: the canvas must change each time."""
    canvas = page.locator(".jupyter-matplotlib-canvas-div canvas").first
    canvas.wait_for(state="visible", timeout=120_000)
    poll(lambda: "RMSProp:" in _legend_text(page), what="the explorer's legend")
    time.sleep(1.0)  # let the first images arrive
    page.screenshot(path=str(shots / f"{name}-start.png"))

    # 0. the legend lists exactly the optimizers that are on, and the readout shows one
    #    table per optimizer, each row with its formula
    on = _optimizers_on(page)
    legend = _legend_text(page)
    assert re.findall(r"([A-Za-z]+): lr=", legend) == on, (on, legend)
    # ... also after a toggle (Adam off, then on again)
    page.locator(".widget-toggle-button", has_text="Adam").first.click()
    poll(lambda: "Adam" not in _optimizers_on(page), what="the Adam toggle to turn off")
    poll(
        lambda: re.findall(r"([A-Za-z]+): lr=", _legend_text(page)) == _optimizers_on(page),
        what="the legend to drop Adam",
    )
    page.locator(".widget-html", has_text="RMSProp:").first.screenshot(path=str(shots / f"{name}-legend-no-adam.png"))
    page.locator(".widget-toggle-button", has_text="Adam").first.click()
    poll(lambda: "Adam: lr=" in _legend_text(page), what="the legend to list Adam again")
    readout = page.locator(".widget-html", has=page.locator("table.rv-readout")).first
    readout.scroll_into_view_if_needed()
    tables = readout.locator("table.rv-readout")
    poll(lambda: tables.count() == len(on), what="one readout table per optimizer that is on")
    text = readout.inner_text()
    assert "−α·g / den" in text
    assert "−α·m̂ / den" in text
    readout.screenshot(path=str(shots / f"{name}-readout.png"))
    page.locator(".widget-html", has_text="RMSProp:").first.screenshot(path=str(shots / f"{name}-legend.png"))

    # 1. type an alpha into the readout (the alpha slider acts on RMSProp at first)
    before = canvas_hash(page, IPYMPL_CANVAS)
    _type_into_slider(page, "alpha", "5.00e-02")
    poll(lambda: abs(_legend_lr(page, "RMSProp") / 0.05 - 1) < 0.02, what="the kernel to take alpha = 0.05")
    poll(lambda: canvas_hash(page, IPYMPL_CANVAS) != before, what="the canvas to change after typing alpha")
    page.screenshot(path=str(shots / f"{name}-typed.png"))

    # 2. drag the alpha slider to the left
    before_hash, before_legend = canvas_hash(page, IPYMPL_CANVAS), _legend_text(page)
    _drag_slider(page, "alpha", -80)
    poll(lambda: _legend_text(page) != before_legend, what="the kernel to take the dragged alpha")
    poll(lambda: canvas_hash(page, IPYMPL_CANVAS) != before_hash, what="the canvas to change after dragging alpha")
    page.screenshot(path=str(shots / f"{name}-dragged.png"))

    # 3. play: the step readout advances and the canvas follows
    step = _slider(page, "step").locator(".widget-readout")
    page.locator(".widget-play button").nth(1).click()  # stop: back to step 0
    poll(lambda: step.inner_text().strip() == "0", what="stop to rewind to step 0")
    at_zero = canvas_hash(page, IPYMPL_CANVAS)
    page.locator(".widget-play button").nth(0).click()  # play
    seen = set()
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        seen.add(step.inner_text().strip())
        time.sleep(0.2)
    page.locator(".widget-play button").nth(0).click()  # pause
    assert len(seen) >= 3, f"play did not advance the frames: saw {sorted(seen)}"
    poll(lambda: canvas_hash(page, IPYMPL_CANVAS) != at_zero, what="the canvas to show later frames")
    page.locator(".widget-vbox").first.screenshot(path=str(shots / f"{name}-played.png"))


def _download_an_export(page: Page, shots: pathlib.Path, name: str) -> None:
    """Export a PNG from the page: the browser gets the file itself as a download (under
    Voila the server's files are out of the student's reach)."""
    page.locator(".jupyter-widget-Collapse-header", has_text="export and recipe").first.click()
    field = page.locator(".widget-text", has=page.locator("label", has_text="file")).locator("input").first
    field.fill("race.png")
    field.press("Enter")
    page.locator("button", has_text="Export").first.click()
    link = page.locator("a[download='race.png']")
    link.wait_for(state="visible", timeout=60_000)
    with page.expect_download(timeout=30_000) as info:
        link.click()
    saved = shots / f"{name}-downloaded-race.png"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "race.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.locator(".widget-vbox").first.screenshot(path=str(shots / f"{name}-export.png"))


def test_explorer_in_jupyterlab(chrome: Any, tmp_path: pathlib.Path) -> None:
    need(chrome)
    with open_notebook(chrome, tmp_path, CELLS, kind="lab", ready=IPYMPL_CANVAS) as session:
        _exercise_explorer(session.page, tmp_path, "lab")
        _download_an_export(session.page, tmp_path, "lab")
        _no_request_left_the_machine(session)


def test_explorer_in_voila(chrome: Any, tmp_path: pathlib.Path) -> None:
    need(chrome)
    with open_notebook(chrome, tmp_path, CELLS, kind="voila", ready=IPYMPL_CANVAS) as session:
        _exercise_explorer(session.page, tmp_path, "voila")
        assert session.page.get_by_text("rv.explore(").count() == 0  # students see no code
        _download_an_export(session.page, tmp_path, "voila")
        _no_request_left_the_machine(session)


def _no_request_left_the_machine(session: Session) -> None:
    """Every request that left the loopback address was aborted; say which ones there were."""
    print(f"{session.server.kind}: {len(session.network.aborted)} requests to other hosts aborted")
    for url in sorted(set(session.network.aborted)):
        print("  aborted:", url)
