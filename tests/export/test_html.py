"""HTML: a page with the video, or with the player of PNG layers."""

from __future__ import annotations

import base64
import io
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from race_pictures import (
    FRAMES,
    N_STEPS,
    SIZE,
    full_render,
    mp4_frames,
    names,
    rgb,
)

from rmsprop_viz.animation import save
from rmsprop_viz.export import mp4
from rmsprop_viz.plotting import RaceFigure


def test_html_with_ffmpeg_embeds_a_playable_video(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.html", frames=FRAMES, hold=0, progress=False)
    page = out.read_text(encoding="utf-8")
    assert "http://" not in page
    assert "https://" not in page
    match = re.search(r'src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', page)
    assert match is not None
    video = tmp_path / "embedded.mp4"
    video.write_bytes(base64.b64decode(match.group(1)))
    meta, frames = mp4_frames(video)
    assert len(frames) == FRAMES
    assert meta["size"] == SIZE
    assert sorted(names(tmp_path)) == ["embedded.mp4", "race.html"]  # the intermediate video is gone


def test_html_holds_its_last_frame(make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """With ffmpeg, the video repeats the last frame; without, the player waits on it."""
    out = save(make_figure(), tmp_path / "race.html", frames=FRAMES, fps=20, hold=1.5, progress=False)
    match = re.search(r'src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', out.read_text(encoding="utf-8"))
    assert match is not None
    video = tmp_path / "embedded.mp4"
    video.write_bytes(base64.b64decode(match.group(1)))
    _, frames = mp4_frames(video)
    assert len(frames) == FRAMES + 30
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
    page = save(make_figure(), tmp_path / "player.html", frames=FRAMES, fps=20, hold=1.5, progress=False).read_text(
        encoding="utf-8"
    )
    assert re.search(r"^const hold = 1500;$", page, flags=re.MULTILINE)
    assert re.search(r"^const interval = 50;$", page, flags=re.MULTILINE)
    assert len(re.findall(r'^"data:image/png;base64,', page, flags=re.MULTILINE)) == FRAMES  # no frame drawn twice


def test_html_without_ffmpeg_embeds_every_frame(make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
    out = save(make_figure(), tmp_path / "race.html", frames=FRAMES, progress=False)
    page = out.read_text(encoding="utf-8")
    assert "http://" not in page
    assert "https://" not in page
    assert "<script" in page  # a player...
    assert 'type="range"' in page  # ...with a frame slider
    assert names(tmp_path) == ["race.html"]
    # One background, and per frame a PNG of what differs from it, transparent elsewhere.
    (background,) = re.findall(r'const background = "data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    layers = re.findall(r'^"data:image/png;base64,([A-Za-z0-9+/=]+)",?$', page, flags=re.MULTILINE)
    assert len(layers) == FRAMES
    with Image.open(io.BytesIO(base64.b64decode(background))) as back:
        assert back.size == SIZE
        shown = back.convert("RGBA")
    with Image.open(io.BytesIO(base64.b64decode(layers[-1]))) as layer:
        assert layer.size == SIZE
        top = layer.convert("RGBA")
    last = rgb(Image.alpha_composite(shown, top))
    error = np.abs(last - full_render(make_figure(), N_STEPS)).max(axis=-1)
    assert error.mean() < 1.5  # the GIF's palette, for the pixels that move
    assert (error > 96).sum() <= 2
    untouched_pixels = np.asarray(top)[..., 3] == 0
    assert untouched_pixels.mean() > 0.5  # most of each frame is the background...
    assert error[untouched_pixels].max() <= 2  # ...and a full draw's pixels there (to within 2 levels, as frames are)


def test_the_player_is_a_package_data_file(make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """player.js and page.html ship in the package, and the page holds the script whole."""
    script = resources.files("rmsprop_viz.export").joinpath("player.js").read_text(encoding="utf-8")
    assert "function show(i)" in script
    assert "{" in script  # plain JavaScript, no doubled braces of a Python format string
    assert "{{" not in script
    assert resources.files("rmsprop_viz.export").joinpath("page.html").is_file()
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
    page = save(make_figure(), tmp_path / "race.html", frames=FRAMES, progress=False).read_text(encoding="utf-8")
    assert script in page
    assert "$" not in page.replace(script, "")  # every field of the template filled in
    assert "<title>race</title>" in page
