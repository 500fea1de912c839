"""GIF: every frame on one shared palette, each storing only the box that changed.

A palette of :data:`GIF_COLOURS` colours (:class:`Palette`) starts with the figure's own
colours, so each optimizer keeps its colour exactly, and is completed by median cut of a
few frames. Pillow writes the file; it needs no ffmpeg.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar, Literal

import matplotlib.colors
import numpy as np
import numpy.typing as npt
from PIL import Image

from rmsprop_viz.export.job import RGBA, Job
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.public import Changed, Frames

__all__ = ["GIF_COLOURS", "GifWriter", "Palette", "drawn_colours", "frame_times", "palette_of", "rgb"]

#: Colours in the GIF palette (GIF allows 256); fewer make smaller files.
GIF_COLOURS = 128


def rgb(frame: RGBA) -> Image.Image:
    """An RGB copy of an RGBA frame."""
    return Image.fromarray(frame[..., :3])


#: At most this many colours of a GIF's palette are taken exactly from the figure's artists.
_SEED_COLOURS = GIF_COLOURS // 2


def drawn_colours(figure: RaceFigure) -> list[tuple[int, int, int]]:
    """The opaque colours the figure's lines, markers and notes are drawn in: every
    optimizer's colour, the markers' edges and faces, the notes' boxes, black and white.

    A GIF's palette starts with these, so that each optimizer keeps its own colour exactly,
    however few of its pixels a frame holds (a run that diverged at its first step).
    """
    found: list[Any] = ["black", "white"]
    for ax in figure.fig.axes:
        for line in ax.get_lines():
            if line.get_alpha() in (None, 1.0):
                found += [line.get_color(), line.get_markerfacecolor(), line.get_markeredgecolor()]
        for text in ax.texts:
            patch = text.get_bbox_patch()
            found.append(text.get_color())
            if patch is not None:
                found += [patch.get_edgecolor(), patch.get_facecolor()]
    colours: dict[tuple[int, int, int], None] = {}
    for colour in found:
        try:
            rgba = matplotlib.colors.to_rgba(colour)
        except ValueError:
            continue
        if rgba[3] >= 1.0:  # a translucent colour is drawn blended, never as itself
            colours[(round(rgba[0] * 255), round(rgba[1] * 255), round(rgba[2] * 255))] = None
    return list(colours)[:_SEED_COLOURS]


class Palette:
    """One palette for every frame of a GIF, and the exact nearest-colour mapping to it.

    The palette starts with the ``seeds``, colours that must come out exactly (each
    optimizer's, see :func:`drawn_colours`); the rest, up to :data:`GIF_COLOURS` in all,
    is median cut of the ``samples``, a few frames spread over the race (the first, with
    every start marker; the last, with every path in full; one between). Pillow maps other
    images to a given palette through a coarse cache (pure white becomes a light grey,
    say), so frames are mapped here instead: each colour to its nearest palette entry,
    remembered in a table over all 2**24 colours. Successive frames share nearly all their
    colours, so after the first this is a lookup.
    """

    def __init__(self, samples: list[RGBA], seeds: list[tuple[int, int, int]] | None = None) -> None:
        chosen = list(dict.fromkeys(seeds or []))[:_SEED_COLOURS]
        # Every other pixel of each sample is plenty: the colours that must be exact are seeds.
        mosaic = np.ascontiguousarray(np.concatenate([sample[::2, ::2, :3] for sample in samples], axis=0))
        spare = GIF_COLOURS - len(chosen)
        method, dither = Image.Quantize.MEDIANCUT, Image.Dither.NONE
        image = Image.fromarray(mosaic).quantize(colors=spare, method=method, dither=dither)
        flat = (image.getpalette() or [])[: 3 * spare]
        known = set(chosen)
        for i in range(0, len(flat) - 2, 3):
            colour = (flat[i], flat[i + 1], flat[i + 2])
            if colour not in known:
                known.add(colour)
                chosen.append(colour)
        chosen += [chosen[0]] * (GIF_COLOURS - len(chosen))  # a full table: Pillow's GIF writer wants one
        self.colours: list[int] = [value for colour in chosen[:GIF_COLOURS] for value in colour]
        self._rgb = np.asarray(self.colours, dtype=np.int32).reshape(-1, 3)
        self._table = np.full(1 << 24, 255, dtype=np.uint8)  # 255: not looked up yet

    def index(self, frame: RGBA) -> Image.Image:
        """``frame`` as a "P" image on this palette."""
        image = Image.fromarray(self.indices(frame))
        image.putpalette(self.colours)
        return image

    def indices(self, frame: RGBA) -> npt.NDArray[np.uint8]:
        """The palette index of every pixel of ``frame``."""
        height, width = frame.shape[:2]
        codes = np.ascontiguousarray(frame).view(np.uint32).reshape(height, width)
        codes = codes & np.uint32(0xFFFFFF) if sys.byteorder == "little" else codes >> np.uint32(8)
        indices = self._table[codes]
        unknown = indices == 255
        if unknown.any():
            new = np.unique(codes[unknown])
            if sys.byteorder == "little":  # the uint32 of R, G, B, A bytes is R + G << 8 + B << 16
                rgb = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=-1).astype(np.int32)
            else:
                rgb = np.stack([new >> 16, (new >> 8) & 255, new & 255], axis=-1).astype(np.int32)
            for chunk in range(0, len(new), 4096):  # bounded memory for the distance table
                part = rgb[chunk : chunk + 4096]
                nearest = ((part[:, None, :] - self._rgb[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)
                self._table[new[chunk : chunk + 4096]] = nearest
            indices = self._table[codes]
        result: npt.NDArray[np.uint8] = indices
        return result


def palette_of(figure: RaceFigure, render: Frames, steps: list[int]) -> Palette:
    """The palette of an export of ``figure`` at ``steps``: the figure's own colours, and
    median cut of its first, middle and last frames."""
    picks = sorted({steps[0], steps[len(steps) // 2], steps[-1]})
    samples = [render(step).copy() for step in picks]
    return Palette(samples, drawn_colours(figure))


def frame_times(count: int, fps: float, hold: float = 0.0) -> list[int]:
    """Milliseconds each of ``count`` frames shows at ``fps`` frames a second, the last
    ``hold`` seconds longer: whole hundredths of a second, as a GIF stores them, rounded so
    that the times add up (frame ``i`` ends at ``round(100 (i + 1) / fps)`` hundredths),
    and 2 hundredths at least (browsers play shorter frames slower).

    >>> frame_times(4, 30.0), frame_times(3, 25.0, hold=1.5)
    ([30, 40, 30, 30], [40, 40, 1540])
    """
    ends = [round(100 * (i + 1) / fps) for i in range(count)]
    times = [10 * max(2, end - start) for start, end in zip([0, *ends], ends)]
    if times:
        times[-1] += round(100 * hold) * 10
    return times


class GifWriter:
    """A looping GIF: the frames on one :class:`Palette`, kept until :meth:`finish`."""

    description: ClassVar[str] = "animated GIF"
    ffmpeg: ClassVar[Literal["needs", "uses", ""]] = ""
    keeps_frames: ClassVar[bool] = True
    draws_frames: ClassVar[bool] = True

    def __init__(self) -> None:
        self._images: list[Image.Image] = []
        self._job: Job | None = None
        self._palette: Palette | None = None

    def setup(self, job: Job) -> None:
        assert job.frames is not None
        self._job = job
        # One palette for every frame: per-frame palettes make the file ten times larger
        # and the background flicker.
        self._palette = palette_of(job.figure, job.frames, job.steps)

    def frame(self, pixels: RGBA, changed: Changed) -> None:
        assert self._palette is not None
        self._images.append(self._palette.index(pixels))

    def finish(self) -> None:
        job, palette = self._job, self._palette
        assert job is not None
        assert palette is not None
        images = self._images
        count = len(images)
        images.reverse()  # popped from the end, each frame is let go once Pillow holds its copy
        first = images.pop()
        others = (images.pop() for _ in range(len(images)))
        with job.dest.open("wb") as file:  # Pillow leaves its own file open on KeyboardInterrupt
            # palette=: one global colour table, none per frame. optimize=True: each frame stores only
            # the box that changed, with unchanged pixels transparent, which compresses to almost nothing.
            first.save(
                file,
                format="GIF",
                save_all=True,
                append_images=others,
                palette=palette.colours,
                optimize=True,
                loop=0,
                duration=frame_times(count, job.fps, job.hold),
            )
        self._images = []

    def abort(self) -> None:
        self._images = []
