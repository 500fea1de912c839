"""The explorer in a real browser: JupyterLab and Voila, driven by Playwright with Chromium.

Servers listen on 127.0.0.1 with a token, in a throw-away Jupyter configuration, serving a
temporary copy of the notebooks. The browser is the system's Chromium (Playwright's own
browser download is not used). Screenshots go to the test's temporary directory.

Without Chromium (or Playwright) the tests are skipped, with the reason; with the
environment variable RMSPROP_VIZ_REQUIRE_BROWSER=1 (set in CI) they fail instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chromium import MISSING, launch, require, skip_or_require

from rmsprop_viz.apps.explorer.settings import KEYS
from rmsprop_viz.core.kinds import KINDS

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[3] / "notebooks"

skip_or_require()

if not MISSING:
    from playwright.sync_api import Page, sync_playwright
else:  # required but missing: every test below fails, saying why
    Page = Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise TimeoutError(f"server at {url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def _server(
    command: list[str], ready_url: str, cwd: pathlib.Path, env: dict[str, str], log: pathlib.Path
) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_for(ready_url)
            yield
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _jupyter_env(tmp: pathlib.Path) -> dict[str, str]:
    config = tmp / "config"
    (config / "labconfig").mkdir(parents=True)
    # JupyterLab's "get notified about news?" pop-up would cover part of the page.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        MPLBACKEND="Agg",
    )
    return env


def _select_kernel_if_asked(page: Page) -> None:
    """Answer JupyterLab's "Select Kernel" dialog, which a slow kernel start can bring up
    over the notebook, with the kernel it proposes (the notebook's own, Python 3)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.first.wait_for(state="visible", timeout=3_000)
    except Exception:
        return  # no dialog
    dialog.first.locator("button", has_text="Select").last.click()
    dialog.first.wait_for(state="hidden", timeout=10_000)


def _canvas_hash(page: Page) -> str:
    data = page.locator(".jupyter-matplotlib-canvas-div canvas").first.evaluate("c => c.toDataURL()")
    return hashlib.sha256(data.encode()).hexdigest()


def _poll(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _legend_text(page: Page) -> str:
    return page.locator(".widget-html", has_text="RMSProp:").first.inner_text()


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
    _poll(lambda: "RMSProp:" in _legend_text(page), what="the explorer's legend")
    time.sleep(1.0)  # let the first images arrive
    page.screenshot(path=str(shots / f"{name}-start.png"))

    # 0. the legend lists exactly the optimizers that are on, and the readout shows one
    #    table per optimizer, each row with its formula
    on = _optimizers_on(page)
    legend = _legend_text(page)
    assert re.findall(r"([A-Za-z]+): lr=", legend) == on, (on, legend)
    # ... also after a toggle (Adam off, then on again)
    page.locator(".widget-toggle-button", has_text="Adam").first.click()
    _poll(lambda: "Adam" not in _optimizers_on(page), what="the Adam toggle to turn off")
    _poll(
        lambda: re.findall(r"([A-Za-z]+): lr=", _legend_text(page)) == _optimizers_on(page),
        what="the legend to drop Adam",
    )
    page.locator(".widget-html", has_text="RMSProp:").first.screenshot(path=str(shots / f"{name}-legend-no-adam.png"))
    page.locator(".widget-toggle-button", has_text="Adam").first.click()
    _poll(lambda: "Adam: lr=" in _legend_text(page), what="the legend to list Adam again")
    readout = page.locator(".widget-html", has=page.locator("table.rv-readout")).first
    readout.scroll_into_view_if_needed()
    tables = readout.locator("table.rv-readout")
    _poll(lambda: tables.count() == len(on), what="one readout table per optimizer that is on")
    text = readout.inner_text()
    assert "−α·g / den" in text
    assert "−α·m̂ / den" in text
    readout.screenshot(path=str(shots / f"{name}-readout.png"))
    page.locator(".widget-html", has_text="RMSProp:").first.screenshot(path=str(shots / f"{name}-legend.png"))

    # 1. type an alpha into the readout (the alpha slider acts on RMSProp at first)
    before = _canvas_hash(page)
    _type_into_slider(page, "alpha", "5.00e-02")
    _poll(lambda: "RMSProp: lr=0.05," in _legend_text(page), what="the kernel to take alpha = 0.05")
    _poll(lambda: _canvas_hash(page) != before, what="the canvas to change after typing alpha")
    page.screenshot(path=str(shots / f"{name}-typed.png"))

    # 2. drag the alpha slider to the left
    before_hash, before_legend = _canvas_hash(page), _legend_text(page)
    _drag_slider(page, "alpha", -80)
    _poll(lambda: _legend_text(page) != before_legend, what="the kernel to take the dragged alpha")
    _poll(lambda: _canvas_hash(page) != before_hash, what="the canvas to change after dragging alpha")
    page.screenshot(path=str(shots / f"{name}-dragged.png"))

    # 3. play: the step readout advances and the canvas follows
    step = _slider(page, "step").locator(".widget-readout")
    page.locator(".widget-play button").nth(1).click()  # stop: back to step 0
    _poll(lambda: step.inner_text().strip() == "0", what="stop to rewind to step 0")
    at_zero = _canvas_hash(page)
    page.locator(".widget-play button").nth(0).click()  # play
    seen = set()
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        seen.add(step.inner_text().strip())
        time.sleep(0.2)
    page.locator(".widget-play button").nth(0).click()  # pause
    assert len(seen) >= 3, f"play did not advance the frames: saw {sorted(seen)}"
    _poll(lambda: _canvas_hash(page) != at_zero, what="the canvas to show later frames")
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if MISSING:
        yield None  # each test fails, saying why (see _need)
        return
    with sync_playwright() as p:
        instance = launch(p)
        yield instance
        instance.close()


def _need(browser: Any) -> None:
    """Fail (not skip) when the browser is required but missing."""
    if browser is None:
        require()


@pytest.fixture
def served(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root)  # autosave must not touch the repository's copy
    return root


def test_explorer_in_jupyterlab(browser: Any, served: pathlib.Path, tmp_path: pathlib.Path) -> None:
    _need(browser)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    with _server(command, f"{base}/api/status?token={token}", served, _jupyter_env(tmp_path), tmp_path / "lab.log"):
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        try:
            page.goto(f"{base}/lab/tree/03_explorer.ipynb?token={token}", timeout=120_000)
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
                state="attached", timeout=120_000
            )
            for attempt in range(3):
                _select_kernel_if_asked(page)
                page.locator(".jp-Cell").first.click()
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                try:
                    page.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(
                        state="visible", timeout=60_000
                    )
                    break
                except Exception:
                    if attempt == 2:
                        raise
            _exercise_explorer(page, tmp_path, "lab")
            _download_an_export(page, tmp_path, "lab")
        finally:
            page.screenshot(path=str(tmp_path / "lab-last.png"))
            page.close()


def test_explorer_in_voila(browser: Any, served: pathlib.Path, tmp_path: pathlib.Path) -> None:
    _need(browser)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "voila",
        "03_explorer.ipynb",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        f"--token={token}",
    ]
    base = f"http://127.0.0.1:{port}"
    with _server(command, f"{base}/?token={token}", served, _jupyter_env(tmp_path), tmp_path / "voila.log"):
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        try:
            page.goto(f"{base}/?token={token}", timeout=180_000)
            _exercise_explorer(page, tmp_path, "voila")
            assert page.get_by_text("rv.explore(").count() == 0  # students see no code
            _download_an_export(page, tmp_path, "voila")
        finally:
            page.screenshot(path=str(tmp_path / "voila-last.png"))
            page.close()
