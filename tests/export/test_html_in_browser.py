"""The HTML page's frame player (player.js) in a real browser: Chromium, driven by Playwright.

Without Chromium (or Playwright) the test is skipped, with the reason; with the environment
variable RMSPROP_VIZ_REQUIRE_BROWSER=1 (set in CI) it fails instead.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
from chromium import launch, require, skip_or_require
from PIL import Image
from race_pictures import FRAMES, full_render, rgb

from rmsprop_viz.animation import save
from rmsprop_viz.export import mp4
from rmsprop_viz.render.frames import frame_steps

skip_or_require()


def test_the_player_shows_the_frame_the_slider_picks(  # type: ignore[no-untyped-def]
    make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It plays, pauses on its button, and shows the frame the slider is moved to: the
    background with that frame's layer, the pixels of the race at that step."""
    require()
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
    out = save(make_figure(), tmp_path / "race.html", frames=FRAMES, progress=False)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 400, "height": 400})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(out.as_uri())
            page.wait_for_function("document.getElementById('label').textContent !== ''")
            assert page.inner_text("#play") == "Pause"  # it plays by itself
            page.click("#play")
            assert page.inner_text("#play") == "Play"
            page.evaluate("() => { const s = document.getElementById('slider'); s.value = 6; }")
            page.dispatch_event("#slider", "input")
            page.wait_for_timeout(200)
            assert page.inner_text("#label") == f"frame 7 / {FRAMES}"
            data = page.evaluate("() => document.getElementById('frame').toDataURL('image/png')")
        finally:
            browser.close()
    assert errors == []
    shot = tmp_path / "canvas.png"
    shot.write_bytes(base64.b64decode(data.split(",", 1)[1]))
    with Image.open(shot) as image:
        shown = rgb(image)
    step = frame_steps(make_figure().n_steps, FRAMES)[6]
    error = np.abs(shown - full_render(make_figure(), step)).max(axis=-1)
    assert error.mean() < 1.5  # the GIF's palette
    assert (error > 96).sum() <= 2
    other = np.abs(shown - full_render(make_figure(), frame_steps(make_figure().n_steps, FRAMES)[3])).max(axis=-1)
    assert (other > 96).sum() > 5  # and not another frame
