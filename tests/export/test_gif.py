"""GIF: frames, timing, one small palette, and every optimizer in its own colour."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from race_pictures import (
    FRAMES,
    N_STEPS,
    SIZE,
    full_render,
    names,
    rgb,
)

import rmsprop_viz as rv
from rmsprop_viz import export as animation
from rmsprop_viz.animation import save
from rmsprop_viz.export import gif, mp4
from rmsprop_viz.plotting import RaceFigure


def test_gif_has_the_frames_size_and_timing(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.gif", frames=FRAMES, fps=20, progress=False)
    assert out == tmp_path / "race.gif"
    with Image.open(out) as gif:
        assert gif.n_frames == FRAMES
        assert gif.size == SIZE
        assert gif.info["loop"] == 0
        assert gif.info["duration"] == 50  # 20 fps
        assert len(gif.getpalette()) // 3 <= 256
    assert names(tmp_path) == ["race.gif"]


def _durations(path: Path) -> list[int]:
    with Image.open(path) as image:
        times = []
        for i in range(image.n_frames):
            image.seek(i)
            times.append(int(image.info["duration"]))
    return times


def test_gif_holds_its_last_frame(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.gif", frames=FRAMES, fps=20, hold=1.5, progress=False)
    times = _durations(out)
    assert len(times) == FRAMES
    assert times[:-1] == [50] * (FRAMES - 1)  # 20 fps
    assert times[-1] == 50 + 1500  # the last frame, and 1.5 s more
    assert _durations(save(figure, tmp_path / "still.gif", frames=FRAMES, fps=20, hold=0, progress=False))[-1] == 50


@pytest.mark.parametrize(("frames", "duration", "expected_frames"), [(None, 2.0, N_STEPS + 1), (FRAMES, 0.2, 6)])
def test_gif_lasts_its_duration(
    figure: RaceFigure, tmp_path: Path, frames: int | None, duration: float, expected_frames: int
) -> None:
    """duration: the frames fill it (slow motion for a short run); more frames than 30 a
    second would show are cut down to that many."""
    out = save(figure, tmp_path / "race.gif", frames=frames, fps=30, duration=duration, hold=0.5, progress=False)
    times = _durations(out)
    assert len(times) == expected_frames
    assert sum(times) == pytest.approx(1000 * duration + 500, abs=10)  # GIFs count in hundredths
    assert max(times[:-1]) - min(times[:-1]) <= 10  # evenly spaced, to a hundredth


def test_gif_uses_one_small_palette(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.GIF", frames=FRAMES, progress=False)  # the suffix in any case
    with Image.open(out) as gif:
        colours = set()
        for i in range(gif.n_frames):
            gif.seek(i)
            colours |= {c for _, c in gif.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert len(colours) <= animation.GIF_COLOURS


def test_last_gif_frame_matches_a_full_draw(make_figure, tmp_path: Path) -> None:
    out = save(make_figure(), tmp_path / "race.gif", frames=FRAMES, progress=False)
    with Image.open(out) as gif:
        gif.seek(gif.n_frames - 1)
        last = rgb(gif)
    error = np.abs(last - full_render(make_figure(), N_STEPS)).max(axis=-1)
    assert error.mean() < 1.5  # 128 colours: antialiased edges are rounded...
    assert (error > 96).sum() <= 2  # ...but no pixel is wrong
    # The test can tell: the frame one step earlier has a dozen pixels that are.
    earlier = np.abs(last - full_render(make_figure(), N_STEPS - 1)).max(axis=-1)
    assert (earlier > 96).sum() > 5


def _colour(name: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    return np.array(to_rgb(name)) * 255


@pytest.mark.parametrize("suffix", [".gif", ".html"])
def test_every_optimizer_keeps_its_own_colour(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    # SGD diverges at its first step: a start circle and a cross are all it ever draws, a few
    # hundred pixels that a palette cut from the frames alone gives to another colour.
    optimizers = {"SGD": rv.sgd(1e6), "Adagrad": rv.adagrad(0.1), "RMSProp": rv.rmsprop(0.01), "Adam": rv.adam(0.02)}
    race = rv.race(rv.Rosenbrock(), optimizers, n_steps=40)
    assert race["SGD"].diverged_at[0] == 1
    figure = RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=100)
    drawn: list[np.ndarray] = []  # each frame as drawn, before it is mapped to the palette
    index = gif.Palette.indices

    def spy(self, frame):
        drawn.append(frame[..., :3].astype(np.int16))
        return index(self, frame)

    monkeypatch.setattr(gif.Palette, "indices", spy)
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)  # .html: the player of palette images
    out = save(figure, tmp_path / f"race{suffix}", frames=8, progress=False)
    if suffix == ".gif":
        with Image.open(out) as image:
            decoded = []
            for i in range(image.n_frames):
                image.seek(i)
                decoded.append(rgb(image))
    else:  # the background, with each frame's changed pixels on top
        page = out.read_text(encoding="utf-8")
        (background,) = re.findall(r'const background = "data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
        layers = re.findall(r'^"data:image/png;base64,([A-Za-z0-9+/=]+)",?$', page, flags=re.MULTILINE)
        with Image.open(io.BytesIO(base64.b64decode(background))) as back:
            shown = back.convert("RGBA")
        decoded = []
        for data in layers:
            with Image.open(io.BytesIO(base64.b64decode(data))) as layer:
                decoded.append(rgb(Image.alpha_composite(shown, layer.convert("RGBA"))))
    assert len(decoded) == 8
    assert len(drawn) == 8
    for frame, picture in zip(drawn, decoded):
        for path, name in zip(figure.paths, race):
            colour = _colour(path.line.get_color())
            own = np.abs(frame - colour).max(axis=-1) <= 2  # its pixels, as drawn
            assert own.sum() >= 40, name
            error = np.abs(picture[own] - colour).max()
            assert error <= 4, f"{name}'s pixels come out {error} levels off its colour"
