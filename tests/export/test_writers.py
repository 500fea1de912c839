"""The registry of writers, one class per suffix; and every format written through both
frame renderers, the fast path and its public twin, decodes to the same pictures."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from race_pictures import FRAMES, export_cases, mp4_frames, names, rgb

from rmsprop_viz.animation import ExportError, save
from rmsprop_viz.export import SUFFIXES, WRITERS, mp4
from rmsprop_viz.export.gif import GifWriter
from rmsprop_viz.export.html import HtmlWriter
from rmsprop_viz.export.mp4 import Mp4Writer
from rmsprop_viz.export.png import PngWriter
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast import RENDERER_VARIABLE


@pytest.mark.parametrize("filename", ["race.avi", "race", "race.jpeg"])
def test_unknown_suffix(untouched: RaceFigure, tmp_path: Path, filename: str) -> None:
    with pytest.raises(ExportError, match=r"\.mp4, \.gif, \.html, \.png"):
        save(untouched, tmp_path / filename, progress=False)
    assert names(tmp_path) == []


def test_one_writer_class_per_suffix() -> None:
    assert {".mp4": Mp4Writer, ".gif": GifWriter, ".html": HtmlWriter, ".png": PngWriter} == WRITERS
    assert {suffix: writer.description for suffix, writer in WRITERS.items()} == SUFFIXES
    for writer in WRITERS.values():
        for verb in ("setup", "frame", "finish", "abort"):
            assert callable(getattr(writer, verb)), (writer, verb)


def test_a_new_writer_is_one_registered_class(figure: RaceFigure, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No list of formats elsewhere: a class in the registry is all a format needs."""

    class Steps:
        description = "the shown steps as text"
        ffmpeg = ""
        keeps_frames = False
        draws_frames = True

        def setup(self, job) -> None:  # type: ignore[no-untyped-def]
            self.job, self.sizes = job, []

        def frame(self, pixels, changed) -> None:  # type: ignore[no-untyped-def]
            self.sizes.append(pixels.shape)

        def finish(self) -> None:
            self.job.dest.write_text(f"{len(self.sizes)} frames of {self.sizes[0]}")

        def abort(self) -> None:
            pass

    monkeypatch.setitem(WRITERS, ".txt", Steps)
    out = save(figure, tmp_path / "race.txt", frames=FRAMES, progress=False)
    assert out.read_text() == f"{FRAMES} frames of (120, 160, 4)"


# ----------------------------------------------- both renderers, every format


def decoded(path: Path) -> list[np.ndarray]:
    """The RGB frames of an exported GIF, MP4 or HTML page (a video, or the player's layers
    over its background)."""
    if path.suffix == ".gif":
        with Image.open(path) as image:
            frames = []
            for i in range(image.n_frames):
                image.seek(i)
                frames.append(rgb(image))
            return frames
    if path.suffix == ".mp4":
        return [frame.astype(np.int16) for frame in mp4_frames(path)[1]]
    page = path.read_text(encoding="utf-8")
    video = re.search(r'src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', page)
    if video is not None:
        inner = path.with_suffix(".inner.mp4")
        inner.write_bytes(base64.b64decode(video.group(1)))
        return decoded(inner)
    (background,) = re.findall(r'const background = "data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    layers = re.findall(r'^"data:image/png;base64,([A-Za-z0-9+/=]+)",?$', page, flags=re.MULTILINE)
    with Image.open(io.BytesIO(base64.b64decode(background))) as back:
        shown = back.convert("RGBA")
    frames = []
    for data in layers:
        with Image.open(io.BytesIO(base64.b64decode(data))) as layer:
            frames.append(rgb(Image.alpha_composite(shown, layer.convert("RGBA"))))
    return frames


@pytest.mark.parametrize("case", ["2-D, panels, divergence", "3-D", "2-D, no panels"])
@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".html", ".html without ffmpeg"])
def test_both_renderers_write_the_same_file(  # type: ignore[no-untyped-def]
    race, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, suffix: str
) -> None:
    """Each format of each kind of figure, written through the fast path and through the
    public twin: frame by frame the same pictures, to within what the palette or the codec
    rounds (a colour at a palette's boundary can go either way)."""
    if suffix == ".html without ffmpeg":
        monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
        suffix = ".html"
    pictures = {}
    for renderer in ("fast", "public"):
        monkeypatch.setenv(RENDERER_VARIABLE, renderer)
        out = save(export_cases(race)[case], tmp_path / f"{renderer}{suffix}", frames=FRAMES, hold=0, progress=False)
        pictures[renderer] = decoded(out)
    assert len(pictures["fast"]) == len(pictures["public"]) == FRAMES
    for step, (ours, theirs) in enumerate(zip(pictures["fast"], pictures["public"])):
        error = np.abs(ours - theirs).max(axis=-1)
        assert error.mean() < 0.5, f"frame {step}: {error.mean():.2f} levels off on average"
        assert (error > 48).mean() < 0.001, f"frame {step}: {(error > 48).sum()} pixels far off"


def test_the_renderers_differ_where_a_frame_does(race, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The comparison above can fail: frames one step apart do not pass it."""
    monkeypatch.setenv(RENDERER_VARIABLE, "public")
    figure = export_cases(race)["2-D, panels, divergence"]
    frames = decoded(save(figure, tmp_path / "race.gif", frames=None, progress=False))
    error = np.abs(frames[12] - frames[13]).max(axis=-1)
    assert not (error.mean() < 0.5 and (error > 48).mean() < 0.001)


def test_png_needs_no_renderer(make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The last frame as a PNG is drawn whole, whatever the renderer: the same bytes."""
    monkeypatch.setenv(RENDERER_VARIABLE, "fast")
    fast = save(make_figure(), tmp_path / "fast.png", progress=False).read_bytes()
    monkeypatch.setenv(RENDERER_VARIABLE, "public")
    assert save(make_figure(), tmp_path / "public.png", progress=False).read_bytes() == fast
