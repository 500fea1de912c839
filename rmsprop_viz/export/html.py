"""HTML: a self-contained page that plays the race.

With ffmpeg, the page holds the MP4 in a ``<video>`` tag. Without it, the page holds the
background as one PNG and, per frame, only the pixels that differ from it, on the GIF's
palette, as a PNG that is transparent elsewhere (a few kB each, where whole frames as JPEG
take ten times more), with a small player with a frame slider. The page
(``page.html``) and the player (``player.js``) are data files of this package.
"""

from __future__ import annotations

import base64
import html
import io
import string
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from PIL import Image

from rmsprop_viz.export.gif import Palette, palette_of, rgb
from rmsprop_viz.export.job import RGBA, Job
from rmsprop_viz.export.mp4 import Mp4Writer
from rmsprop_viz.render.public import Changed

__all__ = ["HtmlWriter", "page", "player_script"]


def _data_file(name: str) -> str:
    return resources.files("rmsprop_viz.export").joinpath(name).read_text(encoding="utf-8")


def player_script() -> str:
    """The frame player's JavaScript (``player.js``)."""
    return _data_file("player.js")


def page(title: str, width: int, body: str) -> str:
    """The page (``page.html``) titled ``title``, ``width`` pixels wide at most, around ``body``."""
    template = string.Template(_data_file("page.html"))
    return template.substitute(title=html.escape(title), width=width, body=body)


def _png_base64(image: Image.Image, **options: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class HtmlWriter:
    """The page: a video when ffmpeg is there, else the player of PNG layers."""

    description: ClassVar[str] = "self-contained web page"
    ffmpeg: ClassVar[Literal["needs", "uses", ""]] = "uses"
    keeps_frames: ClassVar[bool] = True
    draws_frames: ClassVar[bool] = True

    def __init__(self, repeat: bool = True) -> None:
        self.repeat = repeat
        self._job: Job | None = None
        self._video: Mp4Writer | None = None
        self._video_path: Path | None = None
        self._palette: Palette | None = None
        self._background: RGBA | None = None
        self._layers: list[str] = []

    def setup(self, job: Job) -> None:
        assert job.frames is not None
        self._job = job
        if job.ffmpeg is not None:  # a small MP4 in a <video> tag
            self._video_path = job.staging.scratch(job.dest.with_name(job.name))
            self._video = Mp4Writer()
            self._video.start(self._video_path, job.fps, job.ffmpeg, job.frames.background.shape[:2])
            self._video.hold_frames = job.hold_frames
        else:
            self._palette = palette_of(job.figure, job.frames, job.steps)
            self._background = job.frames.background.copy()

    def frame(self, pixels: RGBA, changed: Changed) -> None:
        if self._video is not None:
            self._video.frame(pixels, changed)
            return
        palette, background = self._palette, self._background
        assert palette is not None
        assert background is not None
        clear = len(palette.colours) // 3  # a spare index for "unchanged": the palette has < 256 colours
        indices = palette.indices(pixels)
        still = np.ascontiguousarray(background).view(np.uint32)[..., 0]
        indices[np.ascontiguousarray(pixels).view(np.uint32)[..., 0] == still] = clear
        layer = Image.fromarray(indices)
        layer.putpalette([*palette.colours, 0, 0, 0])
        self._layers.append(_png_base64(layer, transparency=clear))

    def finish(self) -> None:
        job = self._job
        assert job is not None
        title = Path(job.name).stem
        if self._video is not None:
            assert self._video_path is not None
            self._video.finish()
            width, height = self._video.size
            data = base64.b64encode(self._video_path.read_bytes()).decode("ascii")
            loop = " loop" if self.repeat else ""
            body = (
                f'<video controls autoplay muted playsinline{loop} width="{width}" height="{height}"\n'
                f' src="data:video/mp4;base64,{data}"></video>'
            )
        else:
            assert self._background is not None
            height, width = self._background.shape[:2]
            body = self._player(title, width, height)
        job.dest.write_text(page(title, width, body), encoding="utf-8")

    def _player(self, title: str, width: int, height: int) -> str:
        assert self._background is not None
        layers = ",\n".join(f'"data:image/png;base64,{data}"' for data in self._layers)
        return (
            f'<canvas id="frame" width="{width}" height="{height}" aria-label="{html.escape(title)}, frame by frame">'
            "</canvas>\n"
            '<div class="controls">\n'
            '<button id="play" type="button">Pause</button>\n'
            f'<input id="slider" type="range" min="0" max="{len(self._layers) - 1}" value="0" aria-label="frame">\n'
            '<span id="label"></span>\n'
            "</div>\n"
            "<script>\n"
            "// Every frame is the background with a transparent PNG of what moved drawn over it.\n"
            f'const background = "data:image/png;base64,{_png_base64(rgb(self._background))}";\n'
            f"const frames = [\n{layers}\n];\n"
            f"const interval = {1000.0 / self._fps():.6g};\n"
            f"const repeat = {'true' if self.repeat else 'false'};\n"
            f"const hold = {1000.0 * self._job.hold if self._job is not None else 0.0:.6g};\n"
            "</script>\n"
            f"<script>\n{player_script()}</script>"
        )

    def _fps(self) -> float:
        assert self._job is not None
        return self._job.fps

    def abort(self) -> None:
        if self._video is not None:
            self._video.abort()
        self._layers = []
