"""Animations of a race: in a notebook, or saved as MP4, GIF, HTML or PNG.

:func:`animate` wraps a :class:`~rmsprop_viz.plotting.RaceFigure` in a matplotlib
``FuncAnimation`` for interactive use. :func:`save` writes a file, picking the format
from the suffix:

========  ===========================================================================
``.mp4``  H.264 video (needs ffmpeg: ``pip install "rmsprop_viz[video]"``)
``.gif``  looping GIF with one shared palette (small; no ffmpeg needed)
``.html`` a self-contained page: the MP4 in a ``<video>`` tag when ffmpeg is there,
          else the frames as images in a small player with a frame slider
``.png``  the last frame
========  ===========================================================================

Saving does not go through ``FuncAnimation.save``, which draws the whole figure twice
per frame. The contours, axes, tick labels and legend never change during a race, so
:func:`save` draws them once and keeps that picture; the paths and curves only grow, so
it keeps them drawn too and per frame draws again only the few pixels around their new
points; and it pastes the markers at their heads and the step counter from pictures
rendered once. The frames are the pixels of a full redraw to within a level or two in 256
(lines of 128 points or more, which Agg simplifies, to within a fraction of a pixel),
before a GIF's palette or the video codec, many times faster. An MP4 is encoded while the
frames are drawn, with ffmpeg's fastest libx264 preset; the frames go to ffmpeg in the
video's own pixel format (YUV 4:2:0), converted only where they changed.

Files are written under a temporary name in the target directory and renamed into place
only when complete, so a failed or interrupted export leaves nothing behind.
"""

from __future__ import annotations

import base64
import functools
import gc
import html
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image
from tqdm.auto import tqdm

from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.staging import Staging, TargetExistsError, check_target, held_signals, naming
from rmsprop_viz.plotting import FIGURE_SPACE, RaceFigure
from rmsprop_viz.scenes import DPI_RANGE, FPS_RANGE, MAX_FRAMES, recipe_json

__all__ = [
    "DPI_RANGE",
    "FPS_RANGE",
    "KEPT_BYTES_PER_PIXEL",
    "MAX_FRAMES",
    "MAX_KEPT_BYTES",
    "MAX_PIXELS",
    "SUFFIXES",
    "ExportError",
    "animate",
    "check_save",
    "ffmpeg_path",
    "save",
]

#: Pixels of one frame (width times height): 4096 x 4096. The limits of ``fps``, ``frames``
#: and ``dpi`` (:data:`FPS_RANGE`, :data:`MAX_FRAMES`, :data:`DPI_RANGE`) come from
#: :mod:`rmsprop_viz.scenes`, which checks a recipe's export settings against them.
MAX_PIXELS = 4096 * 4096

#: Memory a GIF or HTML export may keep while it is written: both keep every frame until
#: the end (Pillow's GIF writer holds each palette-indexed frame and its change box, about
#: KEPT_BYTES_PER_PIXEL bytes a pixel; the page holds each frame's PNG text).
MAX_KEPT_BYTES = 4 * 2**30
#: Bytes kept per pixel of each frame by the GIF and HTML writers (measured: 6 GB after
#: 388 frames of 3840 x 2160 pixels is under 2 bytes a pixel).
KEPT_BYTES_PER_PIXEL = 2

#: The file types :func:`save` writes, by suffix.
SUFFIXES: dict[str, str] = {
    ".mp4": "H.264 video",
    ".gif": "animated GIF",
    ".html": "self-contained web page",
    ".png": "image of the last frame",
}


#: Colours in the GIF palette (GIF allows 256); fewer make smaller files.
GIF_COLOURS = 128

_INSTALL_FFMPEG = (
    'install it with pip install "rmsprop_viz[video]" (which brings a bundled ffmpeg) '
    "or put a system ffmpeg with libx264 on the PATH"
)

RGBA = npt.NDArray[np.uint8]


class ExportError(ValueError):
    """A file could not be exported: bad settings, a path that cannot be written, or a
    missing tool. The message says which and what to do."""


# ----------------------------------------------------------------------- checks


def _check_fps(fps: Any) -> float:
    low, high = FPS_RANGE
    try:
        return float(check_number("fps", fps, low=low, high=high, allow_array=False))
    except ValueError as error:
        raise ExportError(f"{error} (the limits are FPS_RANGE = ({low:g}, {high:g}))") from None


def _check_frames(frames: Any) -> int | None:
    if frames is None:
        return None
    try:
        return check_int("frames", frames, low=2, high=MAX_FRAMES)
    except ValueError as error:
        raise ExportError(f"{error} (or None for every step; the limit is MAX_FRAMES = {MAX_FRAMES})") from None


def _check_dpi(dpi: Any) -> float | None:
    if dpi is None:
        return None
    low, high = DPI_RANGE
    try:
        return float(check_number("dpi", dpi, low=low, high=high, allow_array=False))
    except ValueError as error:
        raise ExportError(f"{error} (the limits are DPI_RANGE = ({low:g}, {high:g}))") from None


class _ExportTypeError(ExportError, TypeError):
    """A parameter of the wrong type: a ValueError like every export error, and a
    TypeError for code that catches that."""


def _check_figure(figure: Any) -> RaceFigure:
    if not isinstance(figure, RaceFigure):
        raise _ExportTypeError(
            f"figure must be a RaceFigure (rmsprop_viz.plotting.RaceFigure), got {type(figure).__name__}"
        )
    return figure


def _check_path(path: Any) -> Path:
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and text.strip() and "\0" not in text:
            return Path(text)
    known = ", ".join(SUFFIXES)
    raise _ExportTypeError(f"path must be a file name (a str or pathlib.Path) ending in {known}, got {path!r:.80}")


def _check_size(figure: RaceFigure, dpi: float | None, frames: int | None, kind: str = "") -> None:
    """Refuse, before drawing, frames too many or too large (:data:`MAX_FRAMES`, :data:`MAX_PIXELS`),
    and GIF or HTML exports whose kept frames need more than :data:`MAX_KEPT_BYTES`:
    frames x width x height x :data:`KEPT_BYTES_PER_PIXEL`."""
    width, height = (float(v) for v in figure.fig.get_size_inches())
    scale = float(figure.fig.dpi if dpi is None else dpi)
    pixels = width * scale * height * scale
    if not pixels <= MAX_PIXELS:
        raise ExportError(
            f"dpi {scale:g} makes {width * scale:.0f} x {height * scale:.0f} pixels of a {width:g} x {height:g} inch "
            f"figure; at most MAX_PIXELS = {MAX_PIXELS} pixels: lower dpi"
        )
    if frames is None and figure.n_steps + 1 > MAX_FRAMES:
        raise ExportError(
            f"frames=None asks for one frame per step, {figure.n_steps + 1} frames; the limit is MAX_FRAMES = "
            f"{MAX_FRAMES}: give frames"
        )
    if kind in (".gif", ".html"):
        count = min(figure.n_steps + 1, figure.n_steps + 1 if frames is None else frames)
        kept = count * round(width * scale) * round(height * scale) * KEPT_BYTES_PER_PIXEL
        if kept > MAX_KEPT_BYTES:
            raise ExportError(
                f"{count} frames at dpi {scale:g} ({width * scale:.0f} x {height * scale:.0f} pixels) would keep "
                f"about {kept / 2**30:.1f} GiB in memory while the {kind[1:].upper()} is written; the limit is "
                f"MAX_KEPT_BYTES = {MAX_KEPT_BYTES / 2**30:g} GiB: use fewer frames, a lower dpi, or .mp4"
            )


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(SUFFIXES)
        got = f"{path.suffix!r}" if path.suffix else "no suffix"
        raise ExportError(f"cannot export {path.name!r}: the file name must end in one of {known}, got {got}")
    return suffix


def _recipe_text(recipe: Mapping[str, Any]) -> str:
    try:
        return recipe_json(recipe)
    except ValueError as error:
        raise ExportError(str(error)) from None


# ------------------------------------------------------------------- ffmpeg


def ffmpeg_path() -> str | None:
    """The ffmpeg executable to use: imageio-ffmpeg's bundled binary when that package is
    installed (``pip install "rmsprop_viz[video]"``), else an ``ffmpeg`` on the PATH, else
    ``None``."""
    try:
        import imageio_ffmpeg
    except ImportError:
        pass
    else:
        with suppress(RuntimeError, OSError):
            return str(imageio_ffmpeg.get_ffmpeg_exe())
    return shutil.which("ffmpeg")


# ------------------------------------------------------------- files in place


def _check_target(target: Path, overwrite: bool, content: str | None = None) -> bool:
    """Refuse an unwritable or existing target before any work; True when it already holds
    ``content`` (a recipe shared by two exports of one race)."""
    try:
        return check_target(target, overwrite=overwrite, content=content, what="recipe")
    except ValueError as error:
        raise ExportError(str(error)) from None


@contextmanager
def _file_errors() -> Iterator[None]:
    """The files' own problems (a full disk, a rename that fails) as one-line ExportErrors."""
    try:
        yield
    except TargetExistsError as error:
        raise ExportError(str(error)) from None
    except OSError as error:
        text = str(error.strerror or error)
        if text.startswith("cannot "):  # already one line naming the file (see rmsprop_viz.staging)
            raise ExportError(text) from None
        where = f" {error.filename!r}" if error.filename and str(error.filename) not in text else ""
        raise ExportError(f"cannot write{where}: {text}") from None


# --------------------------------------------------------------- fast frames


def _draw_list(figure: RaceFigure) -> list[Artist]:
    """The artists to leave out of the background, in the order to draw them per frame.

    That is every moving artist, plus the static lines and spines of the same axes that sit
    above the lowest moving artist (start circles, minima stars), so that they stay on top
    as in a full draw. Text and legends are left out: they are slow to draw and sit beside
    the paths, not on them.
    """
    moving = list(dict.fromkeys(figure.animated_artists))
    chosen = set(moving)
    order: list[Artist] = []
    by_axes: dict[Any, list[Artist]] = {}  # axes (or None) -> its moving artists
    for artist in moving:
        by_axes.setdefault(artist.axes, []).append(artist)
    for ax, artists in by_axes.items():
        if ax is None:
            order += artists
            continue
        lowest = min(a.get_zorder() for a in artists)
        layer = [
            child
            for child in ax.get_children()
            if child in chosen
            or (
                isinstance(child, (Line2D, Spine))
                and child.get_visible()
                and not child.get_animated()
                and child.get_zorder() > lowest
            )
        ]
        order += sorted(layer, key=lambda a: a.get_zorder())  # stable, like Axes.draw
    return order


def _shows_something(artist: Artist) -> bool:
    """False for a hidden artist or an empty line (no diverged cross yet, say): no need to draw it."""
    if not artist.get_visible():
        return False
    if hasattr(artist, "get_data_3d"):  # a 3-D line: its 2-D data are only set when it is drawn
        return bool(np.size(artist.get_data_3d()[0]) > 0)
    return not isinstance(artist, Line2D) or np.size(artist.get_xdata(orig=True)) > 0


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels from the bottom left


def _intersection(box: Box, clip: Box | None) -> Box:
    if clip is None:
        return box
    return max(box[0], clip[0]), max(box[1], clip[1]), min(box[2], clip[2]), min(box[3], clip[3])


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _merged(boxes: list[Box]) -> list[Box]:
    """``boxes``, any two of them replaced by one around both, until no two overlap or are
    near: closer than makes a box around both four times as large as they are. Each box
    costs a pass over every line, each line in it some drawing: boxes close together are
    cheaper as one, far apart as two."""

    def area(b: Box) -> float:
        return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)

    def near(a: Box, b: Box) -> bool:
        return _overlap(a, b) or area(_union([a, b])) <= 4 * (area(a) + area(b))

    merged: list[Box] = []
    for box in boxes:
        while (other := next((m for m in merged if near(m, box)), None)) is not None:
            merged.remove(other)
            box = _union([box, other])
        merged.append(box)
    return merged


def _union(boxes: list[Box]) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


class _Call:
    """One recorded drawing call: a renderer method with its graphics context and arguments.
    ``clip`` is the context's own clip rectangle (or None); ``reach`` the pixels that a path
    or marker call can draw on (None: not worked out)."""

    def __init__(self, method: str, gc: Any, args: tuple[Any, ...], kwargs: dict[str, Any], dpi: float) -> None:
        self.method = method
        self.gc = gc
        self.args = args
        self.kwargs = kwargs
        rectangle = gc.get_clip_rectangle()
        self.clip: Box | None = None if rectangle is None else tuple(rectangle.extents)
        self._clip = None if rectangle is None else Bbox.from_extents(*rectangle.extents)  # a frozen copy
        self.reach: Box | None = None
        low = high = None
        if method == "draw_path":
            path, transform = args[:2]
            low, high = _corners(transform.transform(path.vertices))
        elif method == "draw_markers":
            marker_path, marker_transform, path, transform = args[:4]
            marker = marker_path.get_extents(marker_transform)
            low, high = _corners(transform.transform(path.vertices))
            if low is not None and high is not None:
                low, high = low + marker.min, high + marker.max
        if low is not None and high is not None:
            pad = _reach(gc, dpi) + (1 if method == "draw_markers" else 0)  # a marker lands on a whole pixel
            self.reach = (low[0] - pad, low[1] - pad, high[0] + pad, high[1] + pad)

    def replay(self, renderer: Any, box: Box | None = None, args: tuple[Any, ...] | None = None) -> None:
        """Draw again, with other ``args`` if given, and only inside ``box`` (whole pixels)
        if given."""
        if box is not None and self.method in ("draw_markers", "draw_image"):
            # Agg clips markers and images to the pixels up to the right and bottom edges of
            # the clip box inclusive (paths: exclusive): keep them inside the box.
            box = (box[0], box[1] + 1, box[2] - 1, box[3])
        clip = self._clip if box is None else _clip(box, self.clip)
        if clip is False:
            return
        self.gc.set_clip_rectangle(clip)
        getattr(renderer, self.method)(self.gc, *(self.args if args is None else args), **self.kwargs)


@functools.lru_cache(maxsize=16)
def _clip(box: Box, clip: Box | None) -> Bbox | Literal[False]:
    """The clip rectangle for drawing only inside ``box`` what ``clip`` clips (False: empty).
    Cached: a frame clips many calls alike."""
    x0, y0, x1, y1 = _intersection(box, clip)
    return Bbox.from_extents(x0, y0, x1, y1) if x1 > x0 and y1 > y0 else False


def _reach(gc: Any, dpi: float) -> float:
    """How far past its path, in pixels, a stroke drawn with ``gc`` can colour a pixel: half
    its width; times the square root of 2 at a square end; up to twice its width at a mitred
    corner (Agg limits the mitre to four half widths); and a pixel and a half for
    antialiasing and snapping."""
    width = float(gc.get_linewidth()) * dpi / 72
    if gc.get_joinstyle() == "miter":
        return 2 * width + 1.5
    return width * (math.sqrt(0.5) if gc.get_capstyle() == "projecting" else 0.5) + 1.5


def _corners(
    pixels: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | tuple[None, None]:
    """The lower left and upper right of the finite ``pixels`` (None, None if there are none)."""
    pixels = pixels[np.isfinite(pixels).all(axis=1)]
    return (pixels.min(axis=0), pixels.max(axis=0)) if len(pixels) else (None, None)


class _Recorder:
    """A stand-in renderer that keeps the drawing calls an artist makes instead of drawing.

    Replaying the calls draws the artist as its own ``draw`` would (same paths, transforms
    and graphics context) without working all that out again, which is most of the cost of
    drawing a line or a marker. Everything but drawing (sizes, dpi, text metrics) is the
    real renderer's.
    """

    def __init__(self, renderer: Any) -> None:
        self._renderer = renderer
        self.calls: list[_Call] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("draw_"):
            dpi = self._renderer.dpi
            return lambda gc, *args, **kwargs: self.calls.append(_Call(name, gc, args, kwargs, dpi))
        return getattr(self._renderer, name)


def _record(artist: Artist, renderer: Any) -> list[_Call] | None:
    """The calls that draw ``artist`` as it is now (None for an artist with an Agg filter,
    which draws through a renderer of its own)."""
    if artist.get_agg_filter() is not None:
        return None
    recorder: Any = _Recorder(renderer)  # duck-typed: a renderer to the artist
    artist.draw(recorder)
    calls: list[_Call] = recorder.calls
    return calls


def _replay(calls: list[_Call], renderer: Any, box: Box | None = None) -> None:
    """Replay ``calls``, only inside ``box`` if given (and then only those that reach it)."""
    for call in calls:
        if box is None or call.reach is None or _overlap(box, call.reach):
            call.replay(renderer, box)


class _Pen:
    """A line that only grows (see :attr:`RaceFigure.growing_lines`), redrawn to any length
    from the one call recorded at its full length.

    Inside a box, only the part of the line from the first to the last segment that comes
    near the box is drawn, with its dash pattern started where that part starts along the
    line: inside the box, the pixels of the whole line, for a fraction of the work.
    """

    def __init__(self, line: Line2D, call: _Call, renderer: Any) -> None:
        self.line = line
        self._call = call
        path, self._transform, *self._face = call.args
        self._path: MplPath = path  # as recorded, at full length
        self._vertices: npt.NDArray[np.float64] = path.vertices  # before the transform's last, affine step
        pixels = self._transform.transform(self._vertices)
        self.clip = call.clip  # a pen is clipped (see of)
        start, end = pixels[:-1], pixels[1:]
        finite = np.isfinite(start).all(axis=1) & np.isfinite(end).all(axis=1)  # else: a gap, nothing drawn
        # Each segment's pixel box, widened by how far the line reaches past its points.
        reach = _reach(call.gc, renderer.dpi)
        self._low = np.where(finite[:, None], np.minimum(start, end) - reach, np.inf)
        self._high = np.where(finite[:, None], np.maximum(start, end) + reach, -np.inf)
        # How far along the line each point is, in points (the unit of dash patterns), from
        # the start of its stretch: after a gap, Agg starts the dash pattern again.
        along = np.concatenate([[0.0], np.cumsum(np.where(finite, np.hypot(*(end - start).T), 0.0))])
        starts = np.concatenate([[True], ~finite])  # where a stretch starts
        along -= np.maximum.accumulate(np.where(starts, along, 0.0))
        self._along = along * 72.0 / renderer.dpi
        self._stretch = np.maximum.accumulate(np.where(starts, np.arange(len(starts)), 0))  # where each point's starts
        self._dashes = call.gc.get_dashes()  # (offset, pattern); pattern None for a solid line
        # Whether the graphics context keeps its dashes as set_dashes sets them (it has for
        # years), so that a new offset can go in directly: much of a short line's cost.
        self._checked_dashes = getattr(call.gc, "_dashes", None) == self._dashes
        # Agg simplifies paths from some number of points on (rcParams["path.simplify"]),
        # which moves a whole line by a fraction of a pixel: find that number.
        low, high = 2, len(self._vertices) + 1
        while low < high:
            middle = (low + high) // 2
            if MplPath(self._vertices[:middle]).should_simplify:
                high = middle
            else:
                low = middle + 1
        self._simplified_from = low
        self.drawn = 0  # points drawn so far

    @classmethod
    def of(cls, line: Line2D, renderer: Any) -> _Pen | None:
        """A pen for ``line`` (holding all its points), or None if it is not drawn with a
        single path of those points."""
        calls = _record(line, renderer)
        if not calls or len(calls) != 1 or calls[0].method != "draw_path" or calls[0].clip is None:
            return None  # not one path, clipped to its axes
        if len(calls[0].args[0].vertices) != np.size(line.get_xdata(orig=True)):
            return None  # matplotlib drew part of the data only (long sorted lines)
        return cls(line, calls[0], renderer)

    def points(self) -> int:
        """How many points the line holds now."""
        return int(np.size(self.line.get_xdata(orig=True)))

    def first_new(self, points: int) -> int | None:
        """The first segment whose pixels change when the line grows from ``drawn`` to
        ``points`` points (None if none do)."""
        if points <= self.drawn or points < 2 or not self.line.get_visible():
            return None
        if (self.drawn >= self._simplified_from) != (points >= self._simplified_from):
            return 0  # simplified now and not before: the whole line moves a little
        return max(self.drawn - 1, 0)  # from the old end on: its end cap becomes a join

    def segments(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The lower left and upper right corners of the pixels each segment can draw on."""
        return self._low, self._high

    def draw(self, renderer: Any, points: int, box: Box | None = None, span: tuple[int, int] | None = None) -> None:
        """Draw the line holding its first ``points`` points: all of it, or only inside
        ``box`` and only its points ``span`` (first, stop): no segment outside those may
        come near the box."""
        self.drawn = points
        first, stop = span or (0, points)
        if stop - first < 2 or not self.line.get_visible():
            return
        offset, pattern = self._dashes
        if pattern is not None:
            if self._stretch[first] != self._stretch[stop - 1]:
                first = 0  # a gap in the part: Agg would start its dashes after it at the shifted offset
            dashes = ((offset or 0.0) + float(self._along[first]), pattern)
            if self._checked_dashes:
                # The pattern was checked when the line was recorded, and only the offset
                # changes: set what set_dashes sets, without checking the pattern each time.
                self._call.gc._dashes = dashes
            else:
                self._call.gc.set_dashes(*dashes)
        # (The constructor matplotlib itself uses for paths made per draw: checks skipped.)
        path = MplPath._fast_from_codes_and_verts(  # type: ignore[attr-defined]
            self._vertices[first:stop], None, self._path
        )
        path.should_simplify = points >= self._simplified_from  # as the whole line would be
        self._call.replay(renderer, box, (path, self._transform, *self._face))


class _Drawer(Protocol):
    def draw(self, renderer: Any) -> list[Box] | None:
        """Draw; return the boxes of pixels drawn on (None: not known)."""


class _Layer:
    """What one axes keeps drawn from frame to frame: its growing lines (pens) and the still
    artists (their recorded calls) that a full draw puts over them, in drawing order."""

    def __init__(self) -> None:
        self.items: list[_Pen | list[_Call]] = []
        self.pens: list[_Pen] = []
        self._segments: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]] | None = None

    def add(self, item: _Pen | list[_Call]) -> None:
        self.items.append(item)
        if isinstance(item, _Pen):
            self.pens.append(item)
            self._segments = None

    def _all_segments(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]]:
        """The corners of every pen's segments (see :meth:`_Pen.segments`) one pen after the
        other, and where each pen's begin."""
        if self._segments is None:
            corners = [pen.segments() for pen in self.pens]
            starts = np.cumsum([0] + [len(low) for low, _ in corners]).tolist()
            # One more row at the end, for changes: reduceat takes an end as the next start.
            low = np.concatenate([*(c[0] for c in corners), np.full((1, 2), np.inf)])
            high = np.concatenate([*(c[1] for c in corners), np.full((1, 2), -np.inf)])
            self._segments = low, high, starts
        return self._segments

    def changes(self, points: list[int]) -> list[Box]:
        """The boxes of pixels that change when the pens grow to ``points`` points: around
        each pen's new segments (see :meth:`_Pen.first_new`), worked out for all at once."""
        low, high, starts = self._all_segments()
        ranges: list[int] = []  # begin and end of the new segments of each pen that grew
        clips: list[Box | None] = []
        for pen, start, n in zip(self.pens, starts, points):
            first = pen.first_new(n)
            if first is not None:
                ranges += [start + first, start + n - 1]
                clips.append(pen.clip)
        if not ranges:
            return []
        # The pens' segments end to end: reduce each [begin, end) (every other range is between pens).
        lows = np.minimum.reduceat(low, ranges)[::2]
        highs = np.maximum.reduceat(high, ranges)[::2]
        return [
            _intersection((float(a[0]), float(a[1]), float(b[0]), float(b[1])), clip)
            for a, b, clip in zip(lows.tolist(), highs.tolist(), clips)
            if a[0] <= b[0]  # else only gaps
        ]

    def _spans(self, points: list[int], box: Box) -> list[tuple[int, int]]:
        """For each pen, the points (``first``, ``stop``) of its first ``points`` points whose
        segments come near ``box``, from the first such to the last (``first`` = ``stop``
        if none do): one look at the segments of all pens."""
        low, high, starts = self._all_segments()
        near = np.flatnonzero(
            (high[:, 0] >= box[0]) & (low[:, 0] <= box[2]) & (high[:, 1] >= box[1]) & (low[:, 1] <= box[3])
        )
        if not len(near):
            return [(0, 0)] * len(points)
        # Where each pen's segments begin and end among the near ones, all pens at once.
        begin = np.asarray(starts[:-1])
        found = near.searchsorted(np.stack([begin, begin + np.asarray(points) - 1]))
        first = (near[np.minimum(found[0], len(near) - 1)] - begin).tolist()
        stop = (near[np.maximum(found[1] - 1, 0)] - begin + 2).tolist()
        return [(a, b) if i < j else (0, 0) for a, b, i, j in zip(first, stop, found[0].tolist(), found[1].tolist())]

    @property
    def region(self) -> Box:
        """The pixels that the pens can draw on: their axes."""
        return _union([pen.clip for pen in self.pens if pen.clip is not None])

    def draw(self, renderer: Any, points: list[int], box: Box | None = None) -> None:
        """Draw every item, the pens to ``points`` points, only inside ``box`` if given."""
        spans = self._spans(points, box) if box is not None else [(0, n) for n in points]
        pens = iter(zip(points, spans))
        for item in self.items:
            if isinstance(item, _Pen):
                n, span = next(pens)
                item.draw(renderer, n, box, span)
            else:
                _replay(item, renderer, box)


class _Still:
    """A still artist, drawn from its recorded calls."""

    def __init__(self, calls: list[_Call]) -> None:
        self.calls = calls

    def draw(self, renderer: Any) -> list[Box] | None:
        _replay(self.calls, renderer)
        boxes = [call.reach for call in self.calls]
        return None if None in boxes else [box for box in boxes if box is not None]


class _Plain:
    """An artist drawn by its own ``draw``: a marker line with no point when the frames were
    set up, a divergence note. Where it drew is its window extent, widened by how far its
    strokes reach past their points; known for 2-D lines and texts (with their boxes), not
    worked out for others."""

    def __init__(self, artist: Artist) -> None:
        self.artist = artist

    def draw(self, renderer: Any) -> list[Box] | None:
        artist = self.artist
        if not _shows_something(artist):
            return []
        artist.draw(renderer)
        if isinstance(artist, Line2D) and not hasattr(artist, "get_data_3d"):
            width = max(float(artist.get_linewidth()), float(artist.get_markeredgewidth()))
            extents = [artist.get_window_extent(renderer)]
        elif isinstance(artist, Text) and getattr(artist, "arrow_patch", None) is None:
            width = 0.0 if (patch := artist.get_bbox_patch()) is None else float(patch.get_linewidth())
            extents = [
                artist.get_window_extent(renderer),
                *([] if patch is None else [patch.get_window_extent(renderer)]),
            ]
        else:
            return None
        pad = width * renderer.dpi / 72 + 2  # the stroke, and a pixel each for antialiasing and rounding
        return [(e.x0 - pad, e.y0 - pad, e.x1 + pad, e.y1 + pad) for e in extents]


class _Sprite:
    """An RGBA image to paste with its lower left corner at pixel ``(left, bottom)``; its rows
    go up, as ``draw_image`` takes them."""

    def __init__(self, image: RGBA, left: int, bottom: int) -> None:
        self.image = image
        self.left = left
        self.bottom = bottom

    @classmethod
    def cut(cls, renderer: Any, near: _Sprite | None = None) -> _Sprite | None:
        """What is drawn on ``renderer``, a transparent canvas, looking only where ``near``
        is if given (None if nothing is drawn)."""
        pixels = np.asarray(renderer.buffer_rgba())
        top, left = 0, 0
        if near is not None:
            height, width = near.image.shape[:2]
            top, left = len(pixels) - near.bottom - height, near.left
            pixels = pixels[top : top + height, left : left + width]
        drawn = pixels[..., 3] > 0
        rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
        if not len(rows):
            return None
        image = np.ascontiguousarray(pixels[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1][::-1])
        bottom = len(np.asarray(renderer.buffer_rgba())) - (top + rows[-1] + 1)
        return cls(image, int(left + columns[0]), int(bottom))

    def paste(self, renderer: Any, gc: Any, left: int | None = None, bottom: int | None = None) -> Box:
        """Draw the sprite (at ``left``, ``bottom`` if given); return where."""
        left = self.left if left is None else left
        bottom = self.bottom if bottom is None else bottom
        renderer.draw_image(gc, left, bottom, self.image)
        height, width = self.image.shape[:2]
        return float(left), float(bottom), float(left + width), float(bottom + height)

    @staticmethod
    def window(box: Box, renderer: Any, margin: int = 0) -> tuple[slice, slice]:
        """The buffer's rows and columns of ``box`` (whole pixels) and ``margin`` around it."""
        height, width = np.asarray(renderer.buffer_rgba()).shape[:2]
        x0, y0 = max(math.floor(box[0]) - margin, 0), max(math.floor(box[1]) - margin, 0)
        x1, y1 = min(math.ceil(box[2]) + margin, width), min(math.ceil(box[3]) + margin, height)
        return slice(height - y1, height - y0), slice(x0, x1)

    def covers(self, renderer: Any) -> RGBA:
        """The pixels of ``renderer`` where the sprite goes."""
        pixels = np.asarray(renderer.buffer_rgba())
        height, width = self.image.shape[:2]
        top = len(pixels) - self.bottom - height
        return pixels[top : top + height, self.left : self.left + width]


class _Marks:
    """A line of markers only (the head of a path), drawn at its current points.

    Agg draws a marker by rendering it once and copying that to each point, rounded to a
    whole pixel, so a marker rendered once, cut out as a :class:`_Sprite` and pasted gives
    the same pixels, within one level in 256 (checked once, at a few places; if it does not,
    the calls recorded from the line are replayed instead).
    """

    def __init__(self, line: Line2D, calls: list[_Call], height: int) -> None:
        self.line = line
        self._calls = calls
        self._transform = line.get_transform()
        self._affine = calls[0].args[3].get_matrix()  # the affine part, as recorded
        self._rows = self._affine[:2].tolist()  # the same, as numbers: quicker for a point or two
        self._is_affine = bool(self._transform.is_affine)
        self._height = height
        self._sprite: _Sprite | None = None
        self._anchor = (0, 0)  # the pixel the sprite is drawn for
        self._gc: Any = None

    @classmethod
    def of(cls, line: Line2D, renderer: Any, scratch: Any) -> _Marks | None:
        """Markers for ``line``, or None unless it draws markers only and holds a point now.
        ``scratch`` is a transparent canvas to render the sprite on."""
        if not _shows_something(line):
            return None
        calls = _record(line, renderer)
        if not calls or any(call.method != "draw_markers" for call in calls) or calls[0].clip is None:
            return None
        marks = cls(line, calls, int(renderer.height))
        marks._cut(renderer, scratch)
        return marks

    def _anchor_of(self, x: float, y: float) -> tuple[int, int]:
        """The pixel (column, row of the buffer) that Agg copies a marker at ``(x, y)`` to."""
        return math.floor(x + 0.5), math.floor(self._height - y + 0.5)

    def _replay_at(self, renderer: Any, x: float, y: float) -> None:
        for call in self._calls:
            marker_path, marker_transform, _, affine, *face = call.args
            point = MplPath(affine.inverted().transform([[x, y]]))
            call.replay(renderer, None, (marker_path, marker_transform, point, affine, *face))

    def _paste(self, renderer: Any, x: float, y: float) -> Box:
        assert self._sprite is not None
        column, row = self._anchor_of(x, y)
        sprite = self._sprite
        left, bottom = sprite.left + column - self._anchor[0], sprite.bottom - (row - self._anchor[1])
        return sprite.paste(renderer, self._gc, left, bottom)

    def _cut(self, renderer: Any, scratch: Any) -> None:
        """Render the sprite, in the middle of the axes, and check it."""
        assert self._calls[0].clip is not None
        x0, y0, x1, y1 = self._calls[0].clip
        x, y = np.floor((x0 + x1) / 2) + 0.25, np.floor((y0 + y1) / 2) + 0.25  # far from rounding ties
        scratch.clear()
        self._replay_at(scratch, x, y)
        sprite = _Sprite.cut(scratch)
        if sprite is None:
            return
        self._sprite, self._anchor = sprite, self._anchor_of(x, y)
        self._gc = renderer.new_gc()
        self._gc.set_clip_rectangle(Bbox.from_extents(x0, y0, x1, y1))
        for dx, dy in ((3.7, -2.1), (-5.4, 4.8)):
            scratch.clear()
            rows, columns = _Sprite.window(self._paste(scratch, x + dx, y + dy), scratch, margin=2)
            pasted = np.array(np.asarray(scratch.buffer_rgba())[rows, columns], dtype=np.int16)
            scratch.clear()
            self._replay_at(scratch, x + dx, y + dy)
            if np.abs(np.asarray(scratch.buffer_rgba())[rows, columns] - pasted).max() > 1:
                self._sprite = None
                return

    def draw(self, renderer: Any) -> list[Box] | None:
        line = self.line
        if not line.get_visible():
            return []
        points = np.array((line.get_xdata(orig=True), line.get_ydata(orig=True)), dtype=np.float64).T
        if not len(points):
            return []
        # As Line2D.draw: the data through the non-affine part of the transform (a log scale,
        # say); the affine part, which the frozen layout fixes, is in the recorded call.
        if not self._is_affine:
            points = np.asarray(self._transform.transform_non_affine(points), dtype=np.float64)
        if self._sprite is not None:
            (a, c, e), (b, d, f) = self._rows
            boxes = []
            for x, y in points.tolist():
                px, py = a * x + c * y + e, b * x + d * y + f
                if math.isfinite(px) and math.isfinite(py):
                    boxes.append(self._paste(renderer, px, py))
            return boxes
        path = MplPath(points)
        for call in self._calls:
            marker_path, marker_transform, _, affine, *face = call.args
            call.replay(renderer, None, (marker_path, marker_transform, path, affine, *face))
        return None


class _Piece:
    """The step counter at one number of digits: the box and words, with the digits left
    blank, and each digit as drawn in the first place for digits, ``advance`` (a whole
    number of) pixels from one place to the next."""

    def __init__(self, words: _Sprite, digits: dict[str, _Sprite], advance: int, gc: Any) -> None:
        self.words = words
        self.digits = digits
        self.advance = advance
        self.gc = gc

    def draw(self, renderer: Any, number: str) -> list[Box]:
        boxes = [self.words.paste(renderer, self.gc)]
        for place, digit in enumerate(number):
            if digit == FIGURE_SPACE:
                continue  # blank in the words already
            sprite = self.digits[digit]
            boxes.append(sprite.paste(renderer, self.gc, sprite.left + place * self.advance))
        return boxes


class _Counter:
    """The step counter, whose text changes every frame in its number only ("step 75 / 200").

    Laying out and rendering a whole text costs as much as all the other moving artists
    together, so the counter is pasted from pieces rendered once for each number of digits:
    the box and words, with figure spaces (U+2007, as wide as a digit) for the digits, and
    each digit. Agg puts every glyph of a text a whole number of pixels from the first (its
    text hinting rounds the advances), so a digit looks the same in each place. A piece is
    used only if all digits are equally wide, so that the box is the same whatever the
    number, and if the counter pasted from it matches the text drawn whole, checked once,
    within one level in 256; else the text is drawn whole.
    """

    _NUMBER = re.compile(rf"(\D*?)({FIGURE_SPACE}*\d+)(.*)", re.DOTALL)  # a number padded with figure spaces

    def __init__(self, text: Text, renderer: Any, scratch: Any) -> None:
        self.text = text
        self._renderer = renderer
        self._pieces: dict[tuple[str, int, str], _Piece | None] = {}
        self._digits: dict[tuple[float, float], dict[str, _Sprite] | None] = {}  # by where the first goes
        self._advance: float | None = None  # the width of every digit (NaN if they differ)
        self._scratch = scratch

    def draw(self, renderer: Any) -> list[Box] | None:
        text = self.text
        if not text.get_visible():
            return []
        match = self._NUMBER.fullmatch(text.get_text())
        piece = None
        if match is not None:
            prefix, number, suffix = match.groups()
            key = (prefix, len(number), suffix)
            if key not in self._pieces:
                self._pieces[key] = self._piece(prefix, number, suffix)
            piece = self._pieces[key]
        if piece is None:
            text.draw(renderer)
            return None
        return piece.draw(renderer, number)

    def _piece(self, prefix: str, number: str, suffix: str) -> _Piece | None:
        """The piece for numbers as long as ``number``, checked with ``number``."""
        text, renderer = self.text, self._renderer
        prop, count = text.get_fontproperties(), len(number)

        def size(line: str) -> tuple[float, float, float]:
            width, height, descent = renderer.get_text_width_height_descent(line, prop, ismath=False)
            return width, height, descent

        if self._advance is None:
            sizes = {size(digit) for digit in "0123456789"}
            self._advance = sizes.pop()[0] if len(sizes) == 1 else math.nan
        advance = self._advance
        blank = f"{prefix}{FIGURE_SPACE * count}{suffix}"
        if not advance.is_integer() or size(f"{prefix}{'0' * count}{suffix}") != size(blank):
            # Digits of different sizes, or a figure space unlike them: the box would change
            # with the number. Or a digit would look different in each place.
            return None
        shown = text.get_text()
        text.set_text(blank)
        try:
            calls = _record(text, renderer) or []
        finally:
            text.set_text(shown)
        writes = [call for call in calls if call.method == "draw_text"]
        if len(writes) != 1 or writes[0].kwargs.get("ismath") or writes[0].args[4] != 0:
            return None  # not one straight line of plain text
        write = writes[0]
        if write.gc.get_clip_path()[0] is not None:
            return None
        scratch = self._scratch
        scratch.clear()
        _replay(calls, scratch)
        words = _Sprite.cut(scratch)
        if words is None:
            return None
        x, y, _, *rest = write.args
        start = x + size(prefix)[0]  # where the whole text puts the first digit
        if (start, y) not in self._digits:
            digits: dict[str, _Sprite] | None = {}
            for digit in "0123456789":
                scratch.clear()
                write.replay(scratch, None, (start, y, digit, *rest))
                sprite = _Sprite.cut(scratch, near=words)
                if sprite is None or digits is None:
                    digits = None
                    break
                digits[digit] = sprite
            self._digits[start, y] = digits
        digits = self._digits[start, y]
        if digits is None:
            return None
        gc = renderer.new_gc()
        gc.set_clip_rectangle(write.gc.get_clip_rectangle())
        piece = _Piece(words, digits, int(advance), gc)
        # Once, the counter as it is now, drawn whole and pasted: they must match.
        scratch.clear()
        text.draw(scratch)
        whole = words.covers(scratch).astype(np.int16)
        scratch.clear()
        piece.draw(scratch, number)
        if np.abs(words.covers(scratch).astype(np.int16) - whole).max() > 1:
            return None
        return piece


def _layers(figure: RaceFigure, order: list[Artist], renderer: Any, scratch: Any) -> tuple[list[_Layer], list[_Drawer]]:
    """Split ``order`` into layers kept between frames and what is drawn on top each frame.

    In each axes, the artists that come first in the drawing order and are growing lines
    or still artists go into that axes' layer; from the first other artist (a marker that
    moves, the step counter) on, everything is drawn every frame, so the order of a full
    draw is kept. Hidden lines and still artists are left out: no export shows them.
    """
    growing = set(figure.growing_lines)
    moving = set(figure.animated_artists)
    layers: list[_Layer] = []
    on_top: list[_Drawer] = []
    layer: _Layer | None = None
    axes: Any = object()
    for artist in order:
        if artist.axes is not axes:
            axes = artist.axes
            layer = _Layer()
            layers.append(layer)
        still = artist not in moving
        if (still or artist in growing) and not artist.get_visible():
            continue
        if layer is not None:
            item: _Pen | list[_Call] | None = None
            if artist in growing and isinstance(artist, Line2D):
                item = _Pen.of(artist, renderer)
            elif still:
                item = _record(artist, renderer)
            if item is not None:
                layer.add(item)
                continue
            layer = None  # this axes' layer is complete
        on_top.append(_drawer(figure, artist, still, renderer, scratch))
    return [layer for layer in layers if layer.items], on_top


def _drawer(figure: RaceFigure, artist: Artist, still: bool, renderer: Any, scratch: Any) -> _Drawer:
    """The quickest way to draw ``artist`` every frame (``scratch``: a transparent canvas)."""
    if artist is figure.counter and isinstance(artist, Text):
        return _Counter(artist, renderer, scratch)
    # (A 3-D line works out its 2-D data only when drawn.)
    if (
        isinstance(artist, Line2D)
        and not hasattr(artist, "get_data_3d")
        and (marks := _Marks.of(artist, renderer, scratch)) is not None
    ):
        return marks
    if still and (calls := _record(artist, renderer)) is not None:
        return _Still(calls)
    return _Plain(artist)


class _Renderer:
    """``render(step)``: the figure at ``step`` as a ``(height, width, 4)`` uint8 RGBA array,
    a view into the canvas that the next call overwrites. ``background`` is a copy of the
    picture without the moving artists.

    A frame is three layers. The background: everything that never moves. Then per axes a
    :class:`_Layer`: the paths or curves, which only grow from one step to the next, and the
    still markers and spines drawn over them. These are kept drawn (``_trail``); for a later
    step, only the box of pixels around each line's new points is put back to the
    background and the layer drawn again inside it, every item clipped to the box, which
    gives the pixels of a full draw, crossings of lines included. (Agg rounds where a clip
    box cuts the edge of a shape, which can change a pixel by one level in 256; and it
    simplifies lines of 128 points or more (``path.simplify``), which can move the last,
    nearly straight stretch of a line by up to 1/9 pixel as it grows, while the pixels
    outside the box stay as they were drawn.) For an earlier step, the layer is drawn again
    whole. Last, drawn anew every frame: the markers at the heads of the lines and the step
    counter, pasted from pictures rendered once (:class:`_Marks`, :class:`_Counter`), and
    the divergence notes; the next frame puts back the pixels under them.
    """

    def __init__(self, figure: RaceFigure, canvas: Any, order: list[Artist]) -> None:
        self._figure = figure
        self._renderer = canvas.get_renderer()
        self._pixels: RGBA = np.asarray(canvas.buffer_rgba())  # the canvas's own memory, written in place
        self.background: RGBA = self._pixels.copy()
        scratch = type(self._renderer)(*canvas.get_width_height(), self._renderer.dpi)  # transparent, for sprites
        self._layers, self._on_top = _layers(figure, order, self._renderer, scratch)
        for layer in self._layers:
            layer.draw(self._renderer, [0] * len(layer.pens))  # the still artists, before any line
        self._trail: RGBA = self._pixels.copy()  # the background with the layers as drawn so far
        # Where the last frame drew over the trail, as rows and columns (None: not known).
        self._over: list[tuple[slice, slice]] | None = None
        #: The pixels the last call changed, as (rows, columns) of the buffer; None: any.
        self.changed: list[tuple[slice, slice]] | None = None

    def __call__(self, step: int) -> RGBA:
        self._figure.show_frame(step)
        pixels, trail = self._pixels, self._trail
        changed: list[tuple[slice, slice]] | None
        if self._over is None:
            np.copyto(pixels, trail)
            changed = None
        else:
            for rows, columns in self._over:
                pixels[rows, columns] = trail[rows, columns]
            changed = list(self._over)
        for layer in self._layers:
            points = [pen.points() for pen in layer.pens]
            if any(n < pen.drawn for pen, n in zip(layer.pens, points)):
                changes = [layer.region]  # an earlier step: all of it again
            else:
                changes = layer.changes(points)
            for box in _merged(changes):
                region = self._redraw(layer, points, box)
                if changed is not None and region is not None:
                    changed.append(region)
            for pen, n in zip(layer.pens, points):
                pen.drawn = n
        over: list[tuple[slice, slice]] | None = []
        for drawer in self._on_top:
            boxes = drawer.draw(self._renderer)
            if boxes is None:
                over = None
            elif over is not None:
                over += [self._slices(box)[:2] for box in boxes]
        self._over = over
        self.changed = None if changed is None or over is None else changed + over
        return pixels

    def _slices(self, box: Box) -> tuple[slice, slice, Box]:
        """The buffer's rows and columns of the whole pixels over ``box``, and those pixels as
        a box (empty slices if ``box`` is off the canvas)."""
        height, width = self._pixels.shape[:2]
        x0, y0 = min(max(math.floor(box[0]), 0), width), min(max(math.floor(box[1]), 0), height)
        x1, y1 = max(min(math.ceil(box[2]), width), x0), max(min(math.ceil(box[3]), height), y0)
        # The buffer's rows go down.
        return slice(height - y1, height - y0), slice(x0, x1), (float(x0), float(y0), float(x1), float(y1))

    def _redraw(self, layer: _Layer, points: list[int], box: Box) -> tuple[slice, slice] | None:
        """Draw ``layer`` anew over the background inside ``box`` (the pixels that change);
        return the buffer's rows and columns drawn (None: none)."""
        rows, columns, box = self._slices(box)
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        self._pixels[rows, columns] = self.background[rows, columns]
        # Whole pixels: Agg clips to the nearest pixel edges, which are these.
        layer.draw(self._renderer, points, box)
        self._trail[rows, columns] = self._pixels[rows, columns]
        return rows, columns


@contextmanager
def _fast_frames(figure: RaceFigure, dpi: float | None) -> Iterator[_Renderer]:
    """A :class:`_Renderer` of ``figure`` at ``dpi`` (default: the figure's own).

    The figure is drawn once without its moving artists on a private Agg canvas, with the
    layout frozen afterwards; every frame then draws only what changed (see
    :class:`_Renderer`). The figure's canvas, dpi, layout engine and animated flags come
    back as they were.
    """
    fig = figure.fig
    order = _draw_list(figure)
    flags = [a.get_animated() for a in order]
    old_canvas = fig.canvas
    old_dpi = fig.dpi
    engine = fig.get_layout_engine()
    frozen = False
    try:
        # A private canvas (typed Any: matplotlib's Agg backend has no annotations), so that
        # an interactive one is not disturbed; savefig does the same.
        canvas: Any = FigureCanvasAgg(fig)
        fig.dpi = dpi if dpi is not None else getattr(fig, "_original_dpi", old_dpi)
        for artist in order:
            artist.set_animated(True)
        # Lay out at the last step, as a savefig of the finished race would (a note beside a
        # diverged path can change the layout), and draw everything that does not move.
        figure.show_frame(figure.n_steps)
        canvas.draw()
        if engine is not None:
            fig.set_layout_engine("none")  # the layout is done: do not solve it again per frame
            frozen = True
        yield _Renderer(figure, canvas, order)
    finally:
        for artist, flag in zip(order, flags):
            artist.set_animated(flag)
        if frozen:
            fig.set_layout_engine(engine)
        fig.dpi = old_dpi
        fig.canvas = old_canvas
        fig.stale = True


# ------------------------------------------------------------------ writers


# How libx264 encodes. The frames are mostly the same picture, so the fastest preset still
# makes a small file (about 0.3 MB for 200 frames of 640 x 480); one thread leaves the
# other cores to drawing the frames, and is faster than them on its own.
_X264 = ("-preset", "ultrafast", "-threads", "1")


class _Yuv420:
    """Frames in the video's own pixel format, YUV 4:2:0 (ffmpeg's ``yuv420p``), kept up to
    date where they change.

    ITU-R BT.601 in limited ("TV") range, the matrix ffmpeg uses by default:

    .. math::

        Y  &= 16 + (65.481 R + 128.553 G + 24.966 B) / 255 \\
        C_b &= 128 + (-37.797 \bar R - 74.203 \bar G + 112 \bar B) / 255 \\
        C_r &= 128 + (112 \bar R - 93.786 \bar G - 18.214 \bar B) / 255

    with :math:`\bar R, \bar G, \bar B` the means over each 2 x 2 block of pixels, which
    share one pair of colour values (as ffmpeg's ``area`` scaling; its default filter is a
    little wider); alpha is ignored (the figure is opaque). Converting a whole frame in
    numpy costs several times as much as drawing one, and ffmpeg's own conversion takes
    CPU from the drawing; but a frame differs from the one before in a few small boxes, and
    only the tiles they touch are converted. The frame is cropped to even sides, as yuv420p
    needs.

    >>> frame = np.zeros((2, 4, 4), np.uint8)
    >>> frame[:, :2] = (255, 0, 0, 255)  # red on the left, black on the right
    >>> video = _Yuv420(2, 4)
    >>> video.update(frame, None).tolist()  # Y (2 x 4), then Cb and Cr (1 x 2 each)
    [81, 81, 16, 16, 81, 81, 16, 16, 90, 128, 240, 128]
    >>> frame[:, 2:] = 255  # the right turns white
    >>> video.update(frame, [(slice(0, 1), slice(3, 4))]).tolist()  # a pixel of its block changed
    [81, 81, 235, 235, 81, 81, 235, 235, 90, 128, 240, 128]
    """

    # A pixel's R, G, B, A (0..255) to its Y; the sum of a 2 x 2 block's to its Cb and Cr.
    _Y = np.array([[65.481], [128.553], [24.966], [0]]) / 255
    _CBCR = np.array([[-37.797, 112.0], [-74.203, -93.786], [112.0, -18.214], [0, 0]]) / (4 * 255)
    _Y_OFFSET, _C_OFFSET = np.float32(16.5), np.float32(128.5)  # + 0.5: storing truncates

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = height - height % 2, width - width % 2
        # Converted in square tiles: the largest side of 16, 8, 4 or 2 pixels that fits.
        self._tile = tile = next(t for t in (16, 8, 4, 2) if self.height % t == 0 and self.width % t == 0)
        rows, columns = self.height // tile, self.width // tile
        size = self.height * self.width
        self.data: npt.NDArray[np.uint8] = np.zeros(size * 3 // 2, dtype=np.uint8)
        # The planes as tiles: (tile row, row in tile, tile column, column in tile).
        self._y = self.data[:size].reshape(rows, tile, columns, tile)
        self._cb = self.data[size : size * 5 // 4].reshape(rows, tile // 2, columns, tile // 2)
        self._cr = self.data[size * 5 // 4 :].reshape(rows, tile // 2, columns, tile // 2)
        self._changed = np.zeros((rows, columns), dtype=bool)  # the tiles to convert
        # The same for a few pixels side by side at once (one matrix product for all): their
        # RGBA in a row to their Y; the sums of two rows of them to their blocks' Cb, Cr, Cb...
        self._across = across = min(tile, 4)
        self._to_y = np.kron(np.eye(across), self._Y).astype(np.float32)
        self._to_c = np.kron(np.kron(np.eye(across // 2), [[1], [1]]), self._CBCR).astype(np.float32)

    def update(self, frame: RGBA, changed: list[tuple[slice, slice]] | None) -> npt.NDArray[np.uint8]:
        """Convert ``frame`` where it ``changed`` (rows and columns; None: everywhere) and
        return the whole picture: the Y plane, then Cb, then Cr."""
        tile = self._tile
        mask = self._changed
        if changed is None:
            mask[:] = True
        else:
            mask[:] = False
            for rows, columns in changed:
                mask[rows.start // tile : -(-rows.stop // tile), columns.start // tile : -(-columns.stop // tile)] = (
                    True
                )
        tile_rows, tile_columns = np.nonzero(mask)
        if not len(tile_rows):
            return self.data
        # The changed tiles, a pixel's RGBA as one 32-bit number: (tile, row, column).
        pixels = np.ascontiguousarray(frame[: self.height, : self.width]).view(np.uint32)[..., 0]
        tiles = pixels.reshape(len(mask), tile, -1, tile)[tile_rows, :, tile_columns]
        count, half = len(tile_rows), tile // 2
        rgba = tiles.view(np.uint8).reshape(count, tile, tile, 4).astype(np.float32)
        y = (rgba.reshape(-1, 4 * self._across) @ self._to_y).reshape(count, tile, tile)
        y += self._Y_OFFSET
        self._y[tile_rows, :, tile_columns] = y
        pairs = rgba[:, 0::2] + rgba[:, 1::2]  # the sums of two rows
        colour = (pairs.reshape(-1, 4 * self._across) @ self._to_c).reshape(count, half, half, 2)
        colour += self._C_OFFSET
        self._cb[tile_rows, :, tile_columns] = colour[..., 0]
        self._cr[tile_rows, :, tile_columns] = colour[..., 1]
        return self.data


def _widen(pipe: IO[bytes], size: int) -> None:
    """Ask for a pipe buffer of ``size`` bytes, so that a write of a frame or two returns at
    once while ffmpeg reads the one before; Linux only, and only up to its limit (1 MB by
    default). Elsewhere a write waits for ffmpeg to read."""
    with suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, min(size, 1 << 20))


def _write_mp4(
    frames: Iterator[tuple[RGBA, list[tuple[slice, slice]] | None]], dest: Path, fps: float, exe: str
) -> tuple[int, int]:
    """Pipe the frames into ffmpeg as raw YUV 4:2:0; returns the video's (even) width and
    height. Each frame comes with the rows and columns that changed since the one before
    (None: not known)."""
    frame, _ = next(frames)
    video = _Yuv420(*frame.shape[:2])
    first = video.update(frame, None)
    command = [
        exe,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        f"{video.width}x{video.height}",
        "-r",
        f"{fps:g}",
        "-i",
        "-",
        "-an",
        "-c:v",
        "libx264",
        *_X264,
        "-pix_fmt",
        "yuv420p",
        # Say which conversion made the colours (BT.601, limited range), so that a player
        # does not guess BT.709 for a video this size and shift them.
        "-colorspace",
        "smpte170m",
        "-color_range",
        "tv",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(dest),
    ]
    with tempfile.TemporaryFile() as log:
        process: subprocess.Popen[bytes] | None = None
        try:
            # An interrupt waits while ffmpeg starts (it arrives when this block ends), so
            # that it cannot land before ``process`` is known: an orphaned ffmpeg would
            # go on to finish its file.
            with held_signals():
                try:
                    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
                except OSError as error:
                    raise ExportError(
                        f"cannot run ffmpeg at {exe!r} ({error.strerror or error}); {_INSTALL_FFMPEG}"
                    ) from None
            _run_ffmpeg(process, first, video, frames)
        except BaseException:
            # Whatever stopped the export (an error, Ctrl-C, SIGTERM): end ffmpeg and reap it.
            if process is not None:
                process.kill()
                with held_signals():
                    process.wait()
            raise
        code = process.returncode
        if code != 0:
            raise ExportError(f"ffmpeg failed with exit status {code}: {_tail(log)}")
    return video.width, video.height


def _run_ffmpeg(
    process: subprocess.Popen[bytes],
    first: npt.NDArray[np.uint8],
    video: _Yuv420,
    frames: Iterator[tuple[RGBA, list[tuple[slice, slice]] | None]],
) -> None:
    """Feed every frame to ``process`` and wait for it to finish."""
    assert process.stdin is not None
    pipe = process.stdin
    try:
        _widen(pipe, 2 * first.nbytes)
        with suppress(BrokenPipeError):  # ffmpeg stopped early: its exit status and log say why
            pipe.write(first.data)
            for frame, changed in frames:
                pipe.write(video.update(frame, changed).data)
        with suppress(BrokenPipeError):
            pipe.close()
        process.wait()
    finally:
        with suppress(OSError):
            pipe.close()


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = [line.strip() for line in log.read().decode(errors="replace").splitlines() if line.strip()]
    return " / ".join(lines[-3:]) if lines else "it printed no message"


def _rgb(frame: RGBA) -> Image.Image:
    """An RGB copy of an RGBA frame."""
    return Image.fromarray(frame[..., :3])


#: At most this many colours of a GIF's palette are taken exactly from the figure's artists.
_SEED_COLOURS = GIF_COLOURS // 2


def _drawn_colours(figure: RaceFigure) -> list[tuple[int, int, int]]:
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


class _Palette:
    """One palette for every frame of a GIF, and the exact nearest-colour mapping to it.

    The palette starts with the ``seeds``, colours that must come out exactly (each
    optimizer's, see :func:`_drawn_colours`); the rest, up to :data:`GIF_COLOURS` in all,
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


def _palette(figure: RaceFigure, render: _Renderer, steps: list[int]) -> _Palette:
    """The palette of an export of ``figure`` at ``steps``: the figure's own colours, and
    median cut of its first, middle and last frames."""
    picks = sorted({steps[0], steps[len(steps) // 2], steps[-1]})
    samples = [render(step).copy() for step in picks]
    return _Palette(samples, _drawn_colours(figure))


def _write_gif(frames: Iterator[RGBA], dest: Path, fps: float, palette: _Palette) -> None:
    # One palette for every frame: per-frame palettes make the file ten times larger and
    # the background flicker.
    images = (palette.index(frame) for frame in frames)
    first = next(images)
    with dest.open("wb") as file:  # Pillow leaves its own file open on KeyboardInterrupt
        # palette=: one global colour table, none per frame. optimize=True: each frame stores only
        # the box that changed, with unchanged pixels transparent, which compresses to almost nothing.
        first.save(
            file,
            format="GIF",
            save_all=True,
            append_images=images,
            palette=palette.colours,
            optimize=True,
            loop=0,
            duration=10 * max(2, round(100 / fps)),  # GIF counts in hundredths; browsers play 2 at least
        )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 1em; font-family: sans-serif; background: #ffffff; }}
.player {{ max-width: {width}px; margin: 0 auto; }}
.player video, .player canvas {{ width: 100%; height: auto; display: block; }}
.controls {{ display: flex; align-items: center; gap: 0.8em; margin-top: 0.4em; }}
.controls input {{ flex: 1; }}
</style>
</head>
<body>
<div class="player">
{body}
</div>
</body>
</html>
"""

_VIDEO = """<video controls autoplay muted playsinline{loop} width="{width}" height="{height}"
 src="data:video/mp4;base64,{data}"></video>"""

_PLAYER = """<canvas id="frame" width="{width}" height="{height}" aria-label="{title}, frame by frame"></canvas>
<div class="controls">
<button id="play" type="button">Pause</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="frame">
<span id="label"></span>
</div>
<script>
// Every frame is the background with a transparent PNG of what moved drawn over it.
const background = "data:image/png;base64,{background}";
const frames = [
{frames}
];
const interval = {interval};
const repeat = {repeat};
const canvas = document.getElementById("frame");
const context = canvas.getContext("2d");
const slider = document.getElementById("slider");
const label = document.getElementById("label");
const button = document.getElementById("play");
let current = 0;
let timer = null;
function load(data) {{
  const image = new Image();
  image.onload = function () {{ draw(); }};
  image.src = data;
  return image;
}}
const back = load(background);
const layers = frames.map(load);
function draw() {{
  const layer = layers[current];
  if (back.complete && layer.complete) {{
    context.drawImage(back, 0, 0);
    context.drawImage(layer, 0, 0);
  }}
}}
function show(i) {{
  current = i;
  slider.value = i;
  label.textContent = "frame " + (i + 1) + " / " + frames.length;
  draw();
}}
function tick() {{
  if (current + 1 < frames.length) {{
    show(current + 1);
  }} else if (repeat) {{
    show(0);
  }} else {{
    pause();
  }}
}}
function play() {{
  if (timer === null) {{
    if (current + 1 >= frames.length) {{ show(0); }}
    timer = setInterval(tick, interval);
    button.textContent = "Pause";
  }}
}}
function pause() {{
  if (timer !== null) {{ clearInterval(timer); timer = null; }}
  button.textContent = "Play";
}}
button.addEventListener("click", function () {{ if (timer === null) {{ play(); }} else {{ pause(); }} }});
slider.addEventListener("input", function () {{ pause(); show(parseInt(slider.value, 10)); }});
show(0);
play();
</script>"""


def _page(title: str, width: int, body: str) -> str:
    return _PAGE.format(title=html.escape(title), width=width, body=body)


def _png_base64(image: Image.Image, **options: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _write_html_frames(
    frames: Iterator[RGBA],
    dest: Path,
    fps: float,
    title: str,
    palette: _Palette,
    background: RGBA,
    repeat: bool = True,
) -> None:
    """A page with a small player: the background as one PNG, and per frame only the pixels
    that differ from it, on the GIF's palette, as a PNG that is transparent elsewhere (a few
    kB each, where whole frames as JPEG take ten times more)."""
    clear = len(palette.colours) // 3  # a spare index for "unchanged": the palette has < 256 colours
    colours = [*palette.colours, 0, 0, 0]
    still = np.ascontiguousarray(background).view(np.uint32)
    height, width = background.shape[:2]
    encoded: list[str] = []
    for frame in frames:
        indices = palette.indices(frame)
        indices[np.ascontiguousarray(frame).view(np.uint32)[..., 0] == still[..., 0]] = clear
        layer = Image.fromarray(indices)
        layer.putpalette(colours)
        encoded.append(_png_base64(layer, transparency=clear))
    body = _PLAYER.format(
        width=width,
        height=height,
        title=html.escape(title),
        last=len(encoded) - 1,
        background=_png_base64(_rgb(background)),
        frames=",\n".join(f'"data:image/png;base64,{data}"' for data in encoded),
        interval=f"{1000.0 / fps:.6g}",
        repeat="true" if repeat else "false",
    )
    dest.write_text(_page(title, width, body), encoding="utf-8")


def _write_html_video(video: Path, dest: Path, title: str, size: tuple[int, int], repeat: bool = True) -> None:
    width, height = size
    data = base64.b64encode(video.read_bytes()).decode("ascii")
    body = _VIDEO.format(loop=" loop" if repeat else "", width=width, height=height, data=data)
    dest.write_text(_page(title, width, body), encoding="utf-8")


def _write_png(figure: RaceFigure, dest: Path, dpi: float | None) -> None:
    fig = figure.fig
    figure.show_frame(figure.n_steps)
    moving = figure.animated_artists
    flags = [a.get_animated() for a in moving]
    try:
        for artist in moving:
            artist.set_animated(False)  # blitting (see animate) leaves them out of a normal draw
        # The whole figure at its own size, whatever savefig.bbox says in the user's rcParams.
        with matplotlib.rc_context({"savefig.bbox": "standard"}):
            fig.savefig(dest, format="png", dpi="figure" if dpi is None else dpi)
    finally:
        for artist, flag in zip(moving, flags):
            artist.set_animated(flag)


# ------------------------------------------------------------------- the API


def animate(figure: RaceFigure, *, frames: int | None = None, fps: float = 30.0, repeat: bool = True) -> FuncAnimation:
    """A matplotlib animation of ``figure`` for notebooks and interactive windows.

    ``frames`` evenly spaced frames cover the whole run (``None``: one per step), shown
    ``fps`` times a second. The animation blits (redraws only the moving artists) where
    the canvas supports it. Keep a reference to the result while it plays.

    To write a file, use :func:`save`: it is much faster than ``FuncAnimation.save``.
    While a blitting animation is running, a plain ``savefig`` of the same figure leaves
    the moving artists out (matplotlib marks them *animated*); :func:`save` does not.

    Examples
    --------
    In a notebook (``%matplotlib inline``)::

        from IPython.display import HTML
        figure = RaceFigure(surface, race)
        HTML(animate(figure, frames=100).to_jshtml())

    (``to_jshtml`` drops frames past :rc:`animation.embed_limit`, 20 MB; ``save(figure,
    "race.html")`` never does.)
    """
    figure = _check_figure(figure)
    rate = _check_fps(fps)
    steps = figure.frame_steps(_check_frames(frames))
    blit = bool(getattr(figure.fig.canvas, "supports_blit", False))
    return FuncAnimation(
        figure.fig,
        figure.show_frame,
        frames=steps,
        interval=1000.0 / rate,
        repeat=bool(repeat),
        blit=blit,
        cache_frame_data=False,
    )


def check_save(
    figure: RaceFigure,
    path: str | os.PathLike[str],
    *,
    fps: float = 30.0,
    frames: int | None = 200,
    dpi: float | None = None,
) -> None:
    """Refuse, before anything is drawn, an export :func:`save` would refuse for its
    settings or size (:data:`MAX_FRAMES`, :data:`MAX_PIXELS`, :data:`MAX_KEPT_BYTES`).

    Raises
    ------
    ExportError
        One line naming the setting and its limit.
    """
    _checked(figure, path, fps, frames, dpi)


def _checked(
    figure: Any, path: Any, fps: Any, frames: Any, dpi: Any
) -> tuple[RaceFigure, Path, str, float, int | None, float | None]:
    """:func:`save`'s checks of its settings and size, before anything is drawn:
    ``(figure, target, suffix, fps, frames, dpi)`` as checked."""
    figure = _check_figure(figure)
    target = _check_path(path)
    kind = _suffix(target)
    rate = _check_fps(fps)
    count = _check_frames(frames)
    resolution = _check_dpi(dpi)
    if kind != ".png":
        _check_size(figure, resolution, count, kind)
    return figure, target, kind, rate, count, resolution


def save(
    figure: RaceFigure,
    path: str | os.PathLike[str],
    *,
    fps: float = 30.0,
    frames: int | None = 200,
    dpi: float | None = None,
    progress: bool = True,
    overwrite: bool = False,
    recipe: Mapping[str, Any] | None = None,
) -> Path:
    """Write the race in ``figure`` to ``path``; the suffix picks the format.

    Parameters
    ----------
    figure : RaceFigure
        The race to export. It is left showing the last step.
    path : str or path-like
        ``.mp4`` (needs ffmpeg), ``.gif``, ``.html`` (self-contained) or ``.png`` (the last
        frame only). The directory must exist.
    fps : float
        Frames per second (> 0). A GIF stores frame times in whole hundredths of a second
        and plays at 50 fps at most.
    frames : int or None
        Number of frames (>= 2), evenly spaced over the run; ``None``: one per step. A run
        shorter than ``frames`` gets one frame per step.
    dpi : float, optional
        Pixels per inch (> 0); the image is the figure size times this. Default: the
        figure's own (1280 x 720 pixels for a default RaceFigure).
    progress : bool
        Show a progress bar over the frames.
    overwrite : bool
        Replace an existing file (and recipe); otherwise an existing one is an error.
    recipe : mapping, optional
        Settings that made this race (surface, optimizers, steps...), written as JSON beside
        the export with the same stem: ``race.mp4`` gets ``race.json``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        For an unknown suffix, a bad ``fps``, ``frames`` or ``dpi``, a missing or unwritable
        directory, an existing file without ``overwrite``, a recipe that is not JSON, or a
        missing or failing ffmpeg. Nothing is written then: a file appears only complete.

    Examples
    --------
    >>> import tempfile, pathlib, rmsprop_viz as rv
    >>> from rmsprop_viz.plotting import RaceFigure
    >>> race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=20)
    >>> figure = RaceFigure(rv.Quadratic(), race, figsize=(6.4, 4.8), dpi=25)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save(figure, pathlib.Path(folder) / "race.gif", frames=5, progress=False)
    ...     print(out.name, out.stat().st_size > 0)
    race.gif True
    """
    figure, target, kind, rate, count, resolution = _checked(figure, path, fps, frames, dpi)
    for name, flag in (("progress", progress), ("overwrite", overwrite)):
        if not isinstance(flag, (bool, np.bool_)):
            raise _ExportTypeError(f"{name} must be True or False, got {flag!r:.80}")
    text = _recipe_text(recipe) if recipe is not None else None
    _check_target(target, bool(overwrite))
    recipe_target = target.with_suffix(".json")
    if text is not None:
        _check_target(recipe_target, bool(overwrite), text)
    exe = ffmpeg_path() if kind in (".mp4", ".html") else None
    if kind == ".mp4" and exe is None:
        raise ExportError(f"saving {target.name!r} as MP4 needs ffmpeg, which was not found; {_INSTALL_FFMPEG}")

    # Every file is staged beside its target and renamed into place only when all are
    # complete; with overwrite, the old files come back if any rename fails.
    with Staging(overwrite=bool(overwrite)) as staging:
        with _file_errors():
            dest = staging.output(target)
            if text is not None:
                staging.write_text(recipe_target, text, what="recipe")
        if kind == ".png":
            _check_size(figure, resolution, 2)
            _write_png(figure, dest, resolution)
        else:
            with _collector_paused(), naming(target):  # e.g. a full disk names the file
                _write_frames(figure, kind, dest, staging, rate, count, resolution, progress, exe)
        with _file_errors():
            staging.commit()
    return target


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the frames are written, on again after (if it
    was on). Drawing makes many short-lived objects, which set off collections of every
    object in the process: a tenth of a second each on a slow machine, now and then in
    the middle of an export, for garbage the export hardly makes (reference counting
    frees its objects)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _write_frames(
    figure: RaceFigure,
    kind: str,
    dest: Path,
    staging: Staging,
    fps: float,
    frames: int | None,
    dpi: float | None,
    progress: bool,
    exe: str | None,
) -> None:
    steps = figure.frame_steps(frames)
    name = staging.target_of(dest).name
    with (
        _fast_frames(figure, dpi) as render,
        tqdm(total=len(steps), desc=name, unit="frame", disable=not progress, leave=False) as bar,
    ):

        def each() -> Iterator[RGBA]:
            for step in steps:
                yield render(step)
                bar.update(1)

        def changes() -> Iterator[tuple[RGBA, list[tuple[slice, slice]] | None]]:
            for frame in each():
                yield frame, render.changed

        if kind == ".gif":
            _write_gif(each(), dest, fps, _palette(figure, render, steps))
        elif kind == ".mp4":
            assert exe is not None
            _write_mp4(changes(), dest, fps, exe)
        elif exe is not None:  # .html with ffmpeg: a small MP4 in a <video> tag
            video = staging.scratch(dest.with_name(name))
            size = _write_mp4(changes(), video, fps, exe)
            _write_html_video(video, dest, Path(name).stem, size)
        else:  # .html without ffmpeg: a little player of PNG layers
            palette = _palette(figure, render, steps)
            _write_html_frames(each(), dest, fps, Path(name).stem, palette, background=render.background)
