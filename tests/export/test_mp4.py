"""MP4: the video, its pixel format (YUV 4:2:0, BT.601), and ffmpeg found, missing or failing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from race_pictures import (
    FRAMES,
    N_STEPS,
    SIZE,
    full_render,
    mp4_frames,
    names,
)

from rmsprop_viz import export as animation
from rmsprop_viz.animation import ExportError, save
from rmsprop_viz.export import mp4
from rmsprop_viz.export.mp4 import Yuv420
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast import fast_frames


def test_mp4_has_the_frames_size_and_rate(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.mp4", frames=FRAMES, fps=25, hold=0, progress=False)
    meta, frames = mp4_frames(out)
    assert meta["size"] == SIZE
    assert meta["fps"] == pytest.approx(25)
    assert len(frames) == FRAMES
    assert out.read_bytes()[4:8] == b"ftyp"
    # It says how its colours were made (BT.601 in limited range), so players need not guess.
    probe = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)]
    info = subprocess.run(probe, capture_output=True, text=True, check=False)  # (no output file: status 1)
    assert "yuv420p(tv, smpte170m" in info.stderr


def test_mp4_holds_its_last_frame(figure: RaceFigure, tmp_path: Path) -> None:
    """hold: the last frame repeated for that many seconds, at the video's rate."""
    out = save(figure, tmp_path / "race.mp4", frames=FRAMES, fps=20, hold=1.5, progress=False)
    meta, frames = mp4_frames(out)
    assert meta["fps"] == pytest.approx(20)
    assert len(frames) == FRAMES + 30  # 1.5 s at 20 fps
    assert meta["duration"] == pytest.approx((FRAMES + 30) / 20, abs=0.06)
    last = frames[FRAMES - 1].astype(int)
    for held in frames[FRAMES:]:  # the same picture, to within the codec (no pixel 32 levels off)...
        assert (np.abs(held.astype(int) - last).max(axis=-1) > 32).sum() == 0
    assert (np.abs(frames[FRAMES - 2].astype(int) - last).max(axis=-1) > 32).sum() > 20  # ...unlike the one before


def test_mp4_duration_sets_the_rate(figure: RaceFigure, tmp_path: Path) -> None:
    """duration: a run of N_STEPS + 1 frames, at most 30 a second, lasts that long."""
    out = save(figure, tmp_path / "race.mp4", frames=None, fps=30, duration=4.0, hold=0, progress=False)
    meta, frames = mp4_frames(out)
    assert len(frames) == N_STEPS + 1  # 31 frames fit in 4 s at 30 fps: every step
    assert meta["fps"] == pytest.approx((N_STEPS + 1) / 4.0, rel=1e-3)  # slow motion: 7.75 fps
    assert meta["duration"] == pytest.approx(4.0, abs=0.15)


def test_mp4_of_odd_size_is_cropped_to_even(figure: RaceFigure, tmp_path: Path) -> None:
    # 6.4 x 4.8 inches at 25.5 dpi is 163 x 122 pixels; H.264 in yuv420p needs even sides.
    meta, frames = mp4_frames(save(figure, tmp_path / "race.mp4", frames=FRAMES, dpi=25.5, hold=0, progress=False))
    assert meta["size"] == (162, 122)
    assert len(frames) == FRAMES


def test_last_mp4_frame_matches_a_full_draw(make_figure, tmp_path: Path) -> None:
    _, frames = mp4_frames(save(make_figure(), tmp_path / "race.mp4", frames=FRAMES, progress=False))
    reference = full_render(make_figure(), N_STEPS)
    error = np.abs(frames[-1].astype(np.int16) - reference).max(axis=-1)
    assert error.mean() < 8  # H.264 and yuv420p are lossy


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
    y, cb, cr = planes(Yuv420(6, 8).update(frame, None), 6, 8)
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
    y, cb, cr = planes(Yuv420(2, 2).update(frame, None), 2, 2)
    assert y.tolist() == [[81, 145], [41, 235]]
    assert (cb.item(), cr.item()) == (128, 128)


def test_yuv_crops_odd_sides() -> None:
    frame = np.full((5, 7, 4), 255, np.uint8)
    video = Yuv420(5, 7)
    assert (video.height, video.width) == (4, 6)
    assert video.update(frame, None).size == 4 * 6 * 3 // 2


def test_yuv_agrees_with_ffmpeg(make_figure) -> None:
    """Against ffmpeg's own conversion of a rendered frame, told to average each 2 x 2 block
    for its colour (``-sws_flags area``; by default it filters a little wider): the same
    values to within a level, from rounding."""
    figure = make_figure()
    with fast_frames(figure, 60) as render:
        frame = render(N_STEPS).copy()
    height, width = frame.shape[:2]
    ours = Yuv420(height, width).update(frame, None).astype(np.int16)
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
    video = Yuv420(height, width)
    video.update(frame, None)
    changed = []
    for a, b, c, d in boxes:  # rows and columns of the frame, any size, odd ends included
        top, bottom = sorted((int(a * (height - 1)), int(b * (height - 1)) + 1))
        left, right = sorted((int(c * (width - 1)), int(d * (width - 1)) + 1))
        frame[top:bottom, left:right] = rng.integers(0, 256, (bottom - top, right - left, 4), dtype=np.uint8)
        changed.append((slice(top, bottom), slice(left, right)))
    expected = Yuv420(height, width).update(frame, None)
    assert np.array_equal(video.update(frame, changed), expected)


def test_mp4_without_ffmpeg_says_what_to_install(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
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
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: str(fake))
    with pytest.raises(ExportError, match="ffmpeg failed with exit status 1: Unknown encoder 'libx264'"):
        save(figure, out / "race.mp4", frames=FRAMES, progress=False)
    assert names(out) == []
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: str(tmp_path / "no-ffmpeg-here"))
    with pytest.raises(ExportError, match="cannot run ffmpeg"):
        save(figure, out / "race.mp4", frames=FRAMES, progress=False)
    assert names(out) == []


def test_ffmpeg_path_finds_the_bundled_binary() -> None:
    found = animation.ffmpeg_path()
    assert found == imageio_ffmpeg.get_ffmpeg_exe()
    assert Path(found).is_file()
