"""Recorded drawing calls, and lines redrawn from them at any length.

An artist's ``draw`` works out paths, transforms and a graphics context, then calls the
renderer's ``draw_path``, ``draw_markers``, ``draw_text`` or ``draw_image``. Recording those
calls once (:func:`record`) and replaying them (:class:`Call`) draws the artist again
without that work. This module relies on matplotlib's internals: the positional arguments
of the ``draw_*`` methods, how Agg clips and snaps, a graphics context's ``_dashes`` and
``Path._fast_from_codes_and_verts``; the fast path checks itself against the public twin
(:mod:`rmsprop_viz.render.public`) before an export uses it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from rmsprop_viz.render.fast.boxes import Box, clip_box, corners, overlap, reach

__all__ = ["Call", "Pen", "record", "replay"]


class Call:
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
            low, high = corners(transform.transform(path.vertices))
        elif method == "draw_markers":
            marker_path, marker_transform, path, transform = args[:4]
            marker = marker_path.get_extents(marker_transform)
            low, high = corners(transform.transform(path.vertices))
            if low is not None and high is not None:
                low, high = low + marker.min, high + marker.max
        if low is not None and high is not None:
            pad = reach(gc, dpi) + (1 if method == "draw_markers" else 0)  # a marker lands on a whole pixel
            self.reach = (low[0] - pad, low[1] - pad, high[0] + pad, high[1] + pad)

    def replay(self, renderer: Any, box: Box | None = None, args: tuple[Any, ...] | None = None) -> None:
        """Draw again, with other ``args`` if given, and only inside ``box`` (whole pixels)
        if given."""
        if box is not None and self.method in ("draw_markers", "draw_image"):
            # Agg clips markers and images to the pixels up to the right and bottom edges of
            # the clip box inclusive (paths: exclusive): keep them inside the box.
            box = (box[0], box[1] + 1, box[2] - 1, box[3])
        clip = self._clip if box is None else clip_box(box, self.clip)
        if clip is False:
            return
        self.gc.set_clip_rectangle(clip)
        getattr(renderer, self.method)(self.gc, *(self.args if args is None else args), **self.kwargs)


class _Recorder:
    """A stand-in renderer that keeps the drawing calls an artist makes instead of drawing.

    Replaying the calls draws the artist as its own ``draw`` would (same paths, transforms
    and graphics context) without working all that out again, which is most of the cost of
    drawing a line or a marker. Everything but drawing (sizes, dpi, text metrics) is the
    real renderer's.
    """

    def __init__(self, renderer: Any) -> None:
        self._renderer = renderer
        self.calls: list[Call] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("draw_"):
            dpi = self._renderer.dpi
            return lambda gc, *args, **kwargs: self.calls.append(Call(name, gc, args, kwargs, dpi))
        return getattr(self._renderer, name)


def record(artist: Artist, renderer: Any) -> list[Call] | None:
    """The calls that draw ``artist`` as it is now (None for an artist with an Agg filter,
    which draws through a renderer of its own)."""
    if artist.get_agg_filter() is not None:
        return None
    recorder: Any = _Recorder(renderer)  # duck-typed: a renderer to the artist
    artist.draw(recorder)
    calls: list[Call] = recorder.calls
    return calls


def replay(calls: list[Call], renderer: Any, box: Box | None = None) -> None:
    """Replay ``calls``, only inside ``box`` if given (and then only those that reach it)."""
    for call in calls:
        if box is None or call.reach is None or overlap(box, call.reach):
            call.replay(renderer, box)


class Pen:
    """A line that only grows (see :attr:`RaceFigure.growing_lines`), redrawn to any length
    from the one call recorded at its full length.

    Inside a box, only the part of the line from the first to the last segment that comes
    near the box is drawn, with its dash pattern started where that part starts along the
    line: inside the box, the pixels of the whole line, for a fraction of the work.
    """

    def __init__(self, line: Line2D, call: Call, renderer: Any) -> None:
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
        far = reach(call.gc, renderer.dpi)
        self._low = np.where(finite[:, None], np.minimum(start, end) - far, np.inf)
        self._high = np.where(finite[:, None], np.maximum(start, end) + far, -np.inf)
        # How far along the line each point is, in points (the unit of dash patterns), from
        # the start of its stretch: after a gap, Agg starts the dash pattern again.
        along = np.concatenate([[0.0], np.cumsum(np.where(finite, np.hypot(*(end - start).T), 0.0))])
        starts = np.concatenate([[True], ~finite])  # where a stretch starts
        along -= np.maximum.accumulate(np.where(starts, along, 0.0))
        self._along = along * 72.0 / renderer.dpi
        self._stretch = np.maximum.accumulate(np.where(starts, np.arange(len(starts)), 0))  # where each point's starts
        self._pattern = call.gc.get_dashes()  # (offset, pattern); pattern None for a solid line
        # Whether the graphics context keeps its dashes as set_dashes sets them (it has for
        # years), so that a new offset can go in directly: much of a short line's cost.
        self._checked_dashes = getattr(call.gc, "_dashes", None) == self._pattern
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
    def of(cls, line: Line2D, renderer: Any) -> Pen | None:
        """A pen for ``line`` (holding all its points), or None if it is not drawn with a
        single path of those points."""
        calls = record(line, renderer)
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
        offset, pattern = self._pattern
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
