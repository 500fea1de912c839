"""Exports of a race: formats, frame counts, pixels, and files that appear only complete."""

from __future__ import annotations

import base64
import gc
import io
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.animation import FuncAnimation
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz import export as animation
from rmsprop_viz.animation import ExportError, animate, save
from rmsprop_viz.plotting import RaceFigure

N_STEPS = 30
FRAMES = 10
SIZE = (160, 120)  # 6.4 x 4.8 inches at 25 dpi: few pixels, but room for the layout


@pytest.fixture(scope="module")
def race() -> dict[str, rv.Trajectory]:
    # SGD at this rate diverges at step 5: its path shoots out of the window and stops growing.
    optimizers = {"SGD": rv.sgd(0.005), "RMSProp": rv.rmsprop(0.03), "Adam": rv.adam(0.05)}
    result = rv.race(rv.Rosenbrock(), optimizers, n_steps=N_STEPS)
    assert result["SGD"].diverged_at[0] == 5
    return result


@pytest.fixture
def figure(race: dict[str, rv.Trajectory]) -> RaceFigure:
    return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25)


@pytest.fixture(scope="module")
def untouched(race: dict[str, rv.Trajectory]) -> RaceFigure:
    """A figure for the tests whose export is refused before anything is drawn."""
    return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25)


@pytest.fixture
def make_figure(race: dict[str, rv.Trajectory]):
    return lambda: RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25)


def full_render(figure: RaceFigure, step: int) -> np.ndarray:
    """The figure at ``step`` drawn the ordinary way: everything, in one canvas.draw()."""
    figure.show_frame(step)
    figure.fig.canvas.draw()
    return np.asarray(figure.fig.canvas.buffer_rgba())[..., :3].astype(np.int16)


def rgb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(np.int16)


def mp4_frames(path: Path) -> tuple[dict, list[np.ndarray]]:
    """The metadata and RGB frames of a video, decoded by imageio-ffmpeg."""
    with warnings.catch_warnings():
        # read_frames leaves the pipes of an ffmpeg that ended by itself to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        reader = imageio_ffmpeg.read_frames(str(path))
        try:
            meta = next(reader)
            width, height = meta["size"]
            frames = [np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader]
        finally:
            reader.close()
        del reader
        gc.collect()
    return meta, frames


def names(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden temporary files included."""
    return sorted(os.listdir(folder))


# ------------------------------------------------------------------ formats


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


def test_gif_uses_one_small_palette(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.GIF", frames=FRAMES, progress=False)  # the suffix in any case
    with Image.open(out) as gif:
        colours = set()
        for i in range(gif.n_frames):
            gif.seek(i)
            colours |= {c for _, c in gif.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert len(colours) <= animation.GIF_COLOURS


def test_mp4_has_the_frames_size_and_rate(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.mp4", frames=FRAMES, fps=25, progress=False)
    meta, frames = mp4_frames(out)
    assert meta["size"] == SIZE
    assert meta["fps"] == pytest.approx(25)
    assert len(frames) == FRAMES
    assert out.read_bytes()[4:8] == b"ftyp"
    # It says how its colours were made (BT.601 in limited range), so players need not guess.
    probe = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)]
    info = subprocess.run(probe, capture_output=True, text=True, check=False)  # (no output file: status 1)
    assert "yuv420p(tv, smpte170m" in info.stderr


def test_mp4_of_odd_size_is_cropped_to_even(figure: RaceFigure, tmp_path: Path) -> None:
    # 6.4 x 4.8 inches at 25.5 dpi is 163 x 122 pixels; H.264 in yuv420p needs even sides.
    meta, frames = mp4_frames(save(figure, tmp_path / "race.mp4", frames=FRAMES, dpi=25.5, progress=False))
    assert meta["size"] == (162, 122)
    assert len(frames) == FRAMES


def test_html_with_ffmpeg_embeds_a_playable_video(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.html", frames=FRAMES, progress=False)
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


def test_html_without_ffmpeg_embeds_every_frame(make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: None)
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


def test_png_is_the_last_frame(make_figure, tmp_path: Path) -> None:
    out = save(make_figure(), tmp_path / "race.png", progress=False)
    reference = full_render(make_figure(), N_STEPS)
    with Image.open(out) as png:
        assert png.size == SIZE
        np.testing.assert_array_equal(rgb(png), reference)


def test_dpi_sets_the_pixel_size(figure: RaceFigure, tmp_path: Path) -> None:
    gif = save(figure, tmp_path / "race.gif", frames=FRAMES, dpi=50, progress=False)
    png = save(figure, tmp_path / "race.png", dpi=30, progress=False)
    with Image.open(gif) as a, Image.open(png) as b:
        assert a.size == (320, 240)
        assert b.size == (192, 144)
    assert figure.fig.dpi == 25  # the figure itself is unchanged


def test_frames_none_gives_one_frame_per_step(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.gif", frames=None, progress=False)
    with Image.open(out) as gif:
        assert gif.n_frames == N_STEPS + 1


def test_more_frames_than_steps_gives_one_per_step(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.gif", frames=200, progress=False)
    with Image.open(out) as gif:
        assert gif.n_frames == N_STEPS + 1


# ------------------------------------------------------------ the right pixels


def frozen_reference(figure: RaceFigure) -> RaceFigure:
    """``figure`` laid out at the last step, as the fast path does, and kept so for every
    full draw."""
    figure.fig.canvas.draw()
    figure.fig.set_layout_engine("none")
    return figure


def assert_same_picture(frame: np.ndarray, reference: RaceFigure, step: int, other: int | None = None) -> None:
    """``frame`` is a full draw of ``reference`` at ``step``: a level or two in 256 off at
    most (Agg rounds where a clip box cuts a shape, and pasting a rendered marker or glyph
    rounds a little differently from drawing it). Drawn at the step ``other``, many pixels
    would be far off: the comparison can tell."""
    error = np.abs(frame[..., :3].astype(np.int16) - full_render(reference, step)).max(axis=-1)
    assert error.max() <= 2, f"step {step}: {(error > 2).sum()} pixels off by up to {error.max()}"
    if other is not None:
        wrong = np.abs(frame[..., :3].astype(np.int16) - full_render(reference, other)).max(axis=-1)
        assert (wrong > 32).sum() > 10, f"step {step} looks like step {other}"


def test_fast_frames_equal_a_full_draw(make_figure) -> None:
    """Drawing only what changed gives the pixels of a full draw, at any step, before and
    after SGD diverges (step 5), in any order."""
    reference = frozen_reference(make_figure())
    with animation._fast_frames(make_figure(), None) as render:
        for step, other in [(N_STEPS, 0), (0, N_STEPS), (4, 5), (5, 4), (17, 12), (N_STEPS, 17)]:
            assert_same_picture(render(step), reference, step, other)


def test_fast_frames_equal_a_full_draw_at_a_larger_size(race: dict[str, rv.Trajectory]) -> None:
    """At 60 dpi: markers, dashes and the step counter at sizes like those of a real export,
    frame after frame (paths growing by one step, and by several) and back to the start."""

    def make() -> RaceFigure:
        return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)

    reference = frozen_reference(make())
    with animation._fast_frames(make(), None) as render:
        for step, other in [(0, 1), (1, 0), (2, 1), (3, 2), (6, 5), (9, 6), (10, 9), (25, 10), (N_STEPS, 25), (7, 8)]:
            assert_same_picture(render(step), reference, step, other)


def test_fast_frames_equal_a_full_draw_with_gaps_in_dashed_curves(race: dict[str, rv.Trajectory]) -> None:
    """A curve with missing values (NaN: nothing drawn) starts its dash pattern again after
    each gap; the frames drawn bit by bit do too."""

    def make() -> RaceFigure:
        figure = RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)
        assert figure.losses is not None
        assert figure.steps is not None
        for curves, index in ((figure.losses, 2), (figure.steps, 5)):  # Adam: dashed loss, dotted |dy|
            xs, ys = curves.data[index]
            ys = ys.copy()
            ys[[9, 10, 16]] = np.nan
            curves.data[index] = (xs, ys)
        figure.show_frame(figure.n_steps)
        return figure

    reference = frozen_reference(make())
    with animation._fast_frames(make(), None) as render:
        render(8)
        assert_same_picture(render(12), reference, 12, 8)  # grown across the first gap in one frame
        for step in range(13, 20):
            render(step)  # and one step at a time across the second
        assert_same_picture(render(20), reference, 20, 19)


def test_fast_frames_equal_a_full_draw_in_3d() -> None:
    race = rv.race(rv.Rosenbrock(), {"RMSProp": rv.rmsprop(0.03), "Adam": rv.adam(0.05)}, n_steps=N_STEPS)
    reference = frozen_reference(RaceFigure(rv.Rosenbrock(), race, three_d=True, figsize=(6.4, 4.8), dpi=25))
    figure = RaceFigure(rv.Rosenbrock(), race, three_d=True, figsize=(6.4, 4.8), dpi=25)
    with animation._fast_frames(figure, None) as render:
        for step, other in [(0, 17), (17, 0), (N_STEPS, 17)]:
            assert_same_picture(render(step), reference, step, other)


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


def test_last_mp4_frame_matches_a_full_draw(make_figure, tmp_path: Path) -> None:
    _, frames = mp4_frames(save(make_figure(), tmp_path / "race.mp4", frames=FRAMES, progress=False))
    reference = full_render(make_figure(), N_STEPS)
    error = np.abs(frames[-1].astype(np.int16) - reference).max(axis=-1)
    assert error.mean() < 8  # H.264 and yuv420p are lossy


# ------------------------------------------------------- the video's own pixels

# R, G, B -> Y, Cb, Cr of ITU-R BT.601 in limited range, worked out by hand from its
# formulas: Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, and so on.
BT601 = {
    (255, 255, 255): (235, 128, 128),
    (0, 0, 0): (16, 128, 128),
    (255, 0, 0): (81, 90, 240),
    (0, 255, 0): (145, 54, 34),
    (0, 0, 255): (41, 240, 110),
}


def planes(data: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = height * width
    chroma = (height // 2, width // 2)
    return (
        data[:size].reshape(height, width),
        data[size : size * 5 // 4].reshape(chroma),
        data[size * 5 // 4 :].reshape(chroma),
    )


@pytest.mark.parametrize("colour", list(BT601))
def test_yuv_of_plain_colours(colour: tuple[int, int, int]) -> None:
    frame = np.zeros((6, 8, 4), np.uint8)
    frame[...] = (*colour, 255)
    y, cb, cr = planes(animation._Yuv420(6, 8).update(frame, None), 6, 8)
    assert {int(v) for v in y.flat} == {BT601[colour][0]}
    assert {int(v) for v in cb.flat} == {BT601[colour][1]}
    assert {int(v) for v in cr.flat} == {BT601[colour][2]}


def test_yuv_colour_of_a_block_is_its_mean() -> None:
    # Red, green, blue and white in one 2 x 2 block: their Cb and Cr offsets add up to 0.
    frame = np.zeros((2, 2, 4), np.uint8)
    frame[0, 0, :3], frame[0, 1, :3], frame[1, 0, :3], frame[1, 1, :3] = (
        (255, 0, 0),
        (0, 255, 0),
        (0, 0, 255),
        (255, 255, 255),
    )
    y, cb, cr = planes(animation._Yuv420(2, 2).update(frame, None), 2, 2)
    assert y.tolist() == [[81, 145], [41, 235]]
    assert (cb.item(), cr.item()) == (128, 128)


def test_yuv_crops_odd_sides() -> None:
    frame = np.full((5, 7, 4), 255, np.uint8)
    video = animation._Yuv420(5, 7)
    assert (video.height, video.width) == (4, 6)
    assert video.update(frame, None).size == 4 * 6 * 3 // 2


def test_yuv_agrees_with_ffmpeg(make_figure) -> None:
    """Against ffmpeg's own conversion of a rendered frame, told to average each 2 x 2 block
    for its colour (``-sws_flags area``; by default it filters a little wider): the same
    values to within a level, from rounding."""
    figure = make_figure()
    with animation._fast_frames(figure, 60) as render:
        frame = render(N_STEPS).copy()
    height, width = frame.shape[:2]
    ours = animation._Yuv420(height, width).update(frame, None).astype(np.int16)
    even = np.ascontiguousarray(frame[: height - height % 2, : width - width % 2])
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgba"]
    command += ["-s", f"{even.shape[1]}x{even.shape[0]}", "-i", "-", "-sws_flags", "area"]
    command += ["-pix_fmt", "yuv420p", "-f", "rawvideo", "-"]
    theirs = subprocess.run(command, input=even.tobytes(), capture_output=True, check=True).stdout
    error = np.abs(ours - np.frombuffer(theirs, np.uint8).astype(np.int16))
    assert error.max() <= 1
    assert error.mean() < 0.01


@settings(max_examples=60, deadline=None)
@given(
    size=st.tuples(st.integers(2, 41), st.integers(2, 41)),
    boxes=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_yuv_converted_where_changed_equals_converted_whole(
    size: tuple[int, int], boxes: list[tuple[float, float, float, float]], seed: int
) -> None:
    height, width = size
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    video = animation._Yuv420(height, width)
    video.update(frame, None)
    changed = []
    for a, b, c, d in boxes:  # rows and columns of the frame, any size, odd ends included
        top, bottom = sorted((int(a * (height - 1)), int(b * (height - 1)) + 1))
        left, right = sorted((int(c * (width - 1)), int(d * (width - 1)) + 1))
        frame[top:bottom, left:right] = rng.integers(0, 256, (bottom - top, right - left, 4), dtype=np.uint8)
        changed.append((slice(top, bottom), slice(left, right)))
    expected = animation._Yuv420(height, width).update(frame, None)
    assert np.array_equal(video.update(frame, changed), expected)


def test_frames_change_only_where_they_say(make_figure) -> None:
    """What the video converts: every pixel that differs from the frame before lies in the
    rows and columns the renderer says it changed, growing, going back, and diverging."""
    with animation._fast_frames(make_figure(), 60) as render:
        before = render(0).copy()
        assert render.changed is None  # the first frame: all of it
        for step in [1, 2, 3, 4, 5, 6, 9, 10, 20, 12, 13, N_STEPS]:
            frame = render(step)
            differs = (frame != before).any(axis=-1)
            assert render.changed is not None  # known, divergence note included
            for rows, columns in render.changed:
                differs[rows, columns] = False
            assert not differs.any(), f"step {step}: {differs.sum()} pixels changed unsaid"
            before = frame.copy()


@pytest.mark.parametrize("enabled", [True, False])
def test_save_leaves_the_garbage_collector_as_it_was(
    make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """Paused while the frames are written, then as before: after an export, and after one
    that fails."""
    seen = []
    real = animation._write_gif

    def writer(*args: object, **kwargs: object) -> None:
        seen.append(gc.isenabled())
        real(*args, **kwargs)

    monkeypatch.setattr(animation, "_write_gif", writer)
    (gc.enable if enabled else gc.disable)()
    try:
        save(make_figure(), tmp_path / "race.gif", frames=FRAMES, progress=False)
        assert seen == [False]
        assert gc.isenabled() == enabled
        figure = make_figure()
        monkeypatch.setattr(figure, "show_frame", lambda step: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            save(figure, tmp_path / "again.gif", frames=FRAMES, progress=False)
        assert gc.isenabled() == enabled
    finally:
        gc.enable()


def test_save_restores_the_figure(figure: RaceFigure, tmp_path: Path) -> None:
    canvas = figure.fig.canvas
    save(figure, tmp_path / "race.gif", frames=FRAMES, dpi=40, progress=False)
    assert figure.fig.canvas is canvas
    assert figure.fig.dpi == 25
    assert isinstance(figure.fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert not any(a.get_animated() for a in figure.animated_artists)
    assert figure.paths[0].line.get_xdata().shape == (N_STEPS + 1,)  # left at the last step


def test_png_after_a_blitting_animation_still_has_the_paths(make_figure, tmp_path: Path) -> None:
    figure = make_figure()
    anim = animate(figure, frames=FRAMES)
    figure.fig.canvas.draw()
    assert all(a.get_animated() for a in figure.animated_artists)  # blitting: left out of a plain draw
    out = save(figure, tmp_path / "race.png", progress=False)
    with Image.open(out) as png:
        error = np.abs(rgb(png) - full_render(make_figure(), N_STEPS)).max(axis=-1)
    # Each draw moves the constrained layout by a fraction of a pixel, hence no exact match;
    # without the paths, hundreds of pixels would be off by more than 64.
    assert (error > 64).sum() < 20
    assert all(a.get_animated() for a in figure.animated_artists)  # the animation's flags are back
    del anim


def test_progress_bar_is_labelled_with_the_file_name(
    figure: RaceFigure, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(figure, tmp_path / "race.gif", frames=FRAMES)
    assert "race.gif" in capsys.readouterr().err
    save(figure, tmp_path / "quiet.gif", frames=FRAMES, progress=False)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ animate


def test_animate_covers_the_run(figure: RaceFigure) -> None:
    anim = animate(figure, frames=FRAMES, fps=20)
    assert isinstance(anim, FuncAnimation)
    steps = list(anim.new_frame_seq())
    assert steps == figure.frame_steps(FRAMES)
    assert len(steps) == FRAMES
    assert steps[0] == 0
    assert steps[-1] == N_STEPS
    assert anim.event_source.interval == 50
    every = animate(figure)
    assert list(every.new_frame_seq()) == list(range(N_STEPS + 1))
    assert anim._blit  # an Agg canvas can blit
    # The animation's update function is show_frame: a frame shows its step.
    anim._draw_next_frame(17, blit=False)
    assert figure.counter.get_text() == f"step 17 / {N_STEPS}"


@pytest.mark.parametrize(("kwargs", "name"), [({"fps": 0}, "fps"), ({"frames": 1}, "frames")])
def test_animate_checks_its_arguments(untouched: RaceFigure, kwargs: dict, name: str) -> None:
    with pytest.raises(ExportError, match=name):
        animate(untouched, **kwargs)


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize("filename", ["race.avi", "race", "race.jpeg"])
def test_unknown_suffix(untouched: RaceFigure, tmp_path: Path, filename: str) -> None:
    with pytest.raises(ExportError, match=r"\.mp4, \.gif, \.html, \.png"):
        save(untouched, tmp_path / filename, progress=False)
    assert names(tmp_path) == []


def test_missing_directory(untouched: RaceFigure, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"nowhere.*does not exist"):
        save(untouched, tmp_path / "nowhere" / "race.gif", progress=False)
    assert names(tmp_path) == []


def test_directory_that_is_a_file(untouched: RaceFigure, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ExportError, match=r"notes\.txt.*not a directory"):
        save(untouched, tmp_path / "notes.txt" / "race.gif", progress=False)
    assert names(tmp_path) == ["notes.txt"]


def test_unwritable_directory(untouched: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    real_open = os.open

    def refuse(path, *args, **kwargs):  # what a read-only directory does (root ignores chmod)
        if Path(path).parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ExportError, match=r"locked.*Permission denied"):
        save(untouched, folder / "race.gif", progress=False)
    monkeypatch.undo()
    assert names(folder) == []


def test_existing_file_needs_overwrite(figure: RaceFigure, tmp_path: Path) -> None:
    target = tmp_path / "race.gif"
    target.write_bytes(b"old")
    with pytest.raises(ExportError, match=r"already exists.*overwrite=True"):
        save(figure, target, frames=FRAMES, progress=False)
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["race.gif"]
    save(figure, target, frames=FRAMES, progress=False, overwrite=True)
    with Image.open(target) as gif:
        assert gif.n_frames == FRAMES
    assert names(tmp_path) == ["race.gif"]


def test_target_that_is_a_directory(untouched: RaceFigure, tmp_path: Path) -> None:
    (tmp_path / "race.gif").mkdir()
    with pytest.raises(ExportError, match="is a directory"):
        save(untouched, tmp_path / "race.gif", overwrite=True, progress=False)


def test_mp4_without_ffmpeg_says_what_to_install(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: None)
    with pytest.raises(ExportError, match=re.escape('pip install "rmsprop_viz[video]"')):
        save(figure, tmp_path / "race.mp4", progress=False)
    assert names(tmp_path) == []
    out = save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False)  # GIF needs no ffmpeg
    with Image.open(out) as gif:
        assert gif.n_frames == FRAMES


def test_failing_ffmpeg_is_reported_and_leaves_nothing(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho \"Unknown encoder 'libx264'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: str(fake))
    with pytest.raises(ExportError, match="ffmpeg failed with exit status 1: Unknown encoder 'libx264'"):
        save(figure, out / "race.mp4", frames=FRAMES, progress=False)
    assert names(out) == []
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: str(tmp_path / "no-ffmpeg-here"))
    with pytest.raises(ExportError, match="cannot run ffmpeg"):
        save(figure, out / "race.mp4", frames=FRAMES, progress=False)
    assert names(out) == []


def test_ffmpeg_path_finds_the_bundled_binary() -> None:
    found = animation.ffmpeg_path()
    assert found == imageio_ffmpeg.get_ffmpeg_exe()
    assert Path(found).is_file()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"fps": 0}, "fps"),
        ({"fps": -5}, "fps"),
        ({"fps": float("nan")}, "fps"),
        ({"fps": float("inf")}, "fps"),
        ({"fps": "30"}, "fps"),
        ({"frames": 1}, "frames"),
        ({"frames": 0}, "frames"),
        ({"frames": 2.5}, "frames"),
        ({"frames": True}, "frames"),
        ({"dpi": 0}, "dpi"),
        ({"dpi": -100}, "dpi"),
        ({"dpi": float("nan")}, "dpi"),
    ],
)
@pytest.mark.parametrize("suffix", [".gif", ".png"])
def test_bad_settings(untouched: RaceFigure, tmp_path: Path, kwargs: dict, name: str, suffix: str) -> None:
    with pytest.raises(ExportError, match=rf"^{name} must be"):
        save(untouched, tmp_path / f"race{suffix}", progress=False, **kwargs)
    assert names(tmp_path) == []
    assert issubclass(ExportError, ValueError)


def test_uses_no_pyplot(figure: RaceFigure, tmp_path: Path) -> None:
    """Exporting never touches pyplot's global state (no figure manager, no backend switch)."""
    save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False)
    assert figure.fig.canvas.manager is None
    code = "import sys, rmsprop_viz.animation; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"


def test_wrong_figure_type(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="RaceFigure"):
        save("not a figure", tmp_path / "race.gif")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".html", ".png"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_midway_leaves_no_file(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, error: type[BaseException]
) -> None:
    real = figure.show_frame
    calls = []

    def failing(step: int) -> list:
        calls.append(step)
        if len(calls) == 5:
            raise error("stopped on frame 5")
        return real(step)

    monkeypatch.setattr(figure, "show_frame", failing)

    def failing_savefig(*args: object, **kwargs: object) -> None:
        raise error("stopped while writing")

    if suffix == ".png":  # a single frame: fail in the writer itself
        monkeypatch.setattr(figure.fig, "savefig", failing_savefig)
    (tmp_path / "race.json").write_text("{}")  # an old recipe is kept when the export fails
    with pytest.raises(error, match="stopped"):
        save(figure, tmp_path / f"race{suffix}", frames=FRAMES, progress=False, overwrite=True, recipe={"a": 1})
    assert names(tmp_path) == ["race.json"]
    assert (tmp_path / "race.json").read_text() == "{}"
    assert not any(a.get_animated() for a in figure.animated_artists)
    assert isinstance(figure.fig.get_layout_engine(), ConstrainedLayoutEngine)


# ------------------------------------------------------------------- recipe


@pytest.mark.parametrize("suffix", [".gif", ".png"])
def test_recipe_is_written_beside_the_export(figure: RaceFigure, tmp_path: Path, suffix: str) -> None:
    recipe = {
        "surface": "rosenbrock",
        "n_steps": N_STEPS,
        "optimizers": [{"factory": "sgd", "params": {"lr": np.float64(0.005)}}],
        "start": np.array([-1.5, 2.5]),
    }
    save(figure, tmp_path / f"race{suffix}", frames=FRAMES, progress=False, recipe=recipe)
    assert names(tmp_path) == sorted([f"race{suffix}", "race.json"])
    text = (tmp_path / "race.json").read_text(encoding="utf-8")
    assert text.startswith("{\n  ")  # pretty
    assert json.loads(text) == {
        "surface": "rosenbrock",
        "n_steps": N_STEPS,
        "optimizers": [{"factory": "sgd", "params": {"lr": 0.005}}],
        "start": [-1.5, 2.5],
    }


def test_existing_recipe_needs_overwrite(figure: RaceFigure, tmp_path: Path) -> None:
    (tmp_path / "race.json").write_text("{}")
    with pytest.raises(ExportError, match=r"race\.json.*already exists"):
        save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False, recipe={"a": 1})
    assert names(tmp_path) == ["race.json"]
    save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False, recipe={"a": 1}, overwrite=True)
    assert json.loads((tmp_path / "race.json").read_text()) == {"a": 1}


@pytest.mark.parametrize("recipe", [{"bad": object()}, {"nan": float("nan")}, ["not", "a", "mapping"]])
def test_recipe_that_is_not_json(untouched: RaceFigure, tmp_path: Path, recipe) -> None:
    with pytest.raises(ExportError, match="recipe"):
        save(untouched, tmp_path / "race.gif", progress=False, recipe=recipe)
    assert names(tmp_path) == []


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
    index = animation._Palette.indices

    def spy(self, frame):
        drawn.append(frame[..., :3].astype(np.int16))
        return index(self, frame)

    monkeypatch.setattr(animation._Palette, "indices", spy)
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: None)  # .html: the player of palette images
    out = save(figure, tmp_path / f"race{suffix}", frames=8, progress=False)
    if suffix == ".gif":
        with Image.open(out) as gif:
            decoded = []
            for i in range(gif.n_frames):
                gif.seek(i)
                decoded.append(rgb(gif))
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


@pytest.mark.parametrize("suffix", [".gif", ".html"])
def test_kept_frames_are_limited_before_drawing(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # GIF and HTML writers keep every frame: frames x width x height x bytes a pixel.
    width, height = SIZE
    needed = FRAMES * width * height * animation.KEPT_BYTES_PER_PIXEL
    monkeypatch.setattr(animation, "MAX_KEPT_BYTES", needed - 1)
    drawn: list[int] = []
    monkeypatch.setattr(figure, "show_frame", lambda step: drawn.append(step))
    with pytest.raises(ExportError, match=rf"{FRAMES} frames at dpi 25 .*MAX_KEPT_BYTES"):
        save(figure, tmp_path / f"race{suffix}", frames=FRAMES, progress=False)
    assert drawn == []
    assert list(tmp_path.iterdir()) == []
    # MP4 streams its frames: the same size is no problem for it (checked up to drawing).
    animation._check_size(figure, None, FRAMES, ".mp4")
    monkeypatch.setattr(animation, "MAX_KEPT_BYTES", needed)
    animation._check_size(figure, None, FRAMES, suffix)
