"""The fast frame renderer (:class:`FastFrames`): what each frame draws again, and what it keeps drawn."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.text import Text

from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast.boxes import Box, intersection, merged, union
from rmsprop_viz.render.fast.calls import Call, Pen, record, replay
from rmsprop_viz.render.fast.sprites import Counter, Marks
from rmsprop_viz.render.frames import StepCounter, animated_artists, growing_lines
from rmsprop_viz.render.public import prepared, show, shows_something

__all__ = ["Drawer", "FastFrames", "Layer", "Plain", "Still", "fast_frames", "split_layers"]

RGBA = npt.NDArray[np.uint8]


class Drawer(Protocol):
    def draw(self, renderer: Any) -> list[Box] | None:
        """Draw; return the boxes of pixels drawn on (None: not known)."""


class Layer:
    """What one axes keeps drawn from frame to frame: its growing lines (pens) and the still
    artists (their recorded calls) that a full draw puts over them, in drawing order."""

    def __init__(self) -> None:
        self.items: list[Pen | list[Call]] = []
        self.pens: list[Pen] = []
        self._segments: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]] | None = None

    def add(self, item: Pen | list[Call]) -> None:
        self.items.append(item)
        if isinstance(item, Pen):
            self.pens.append(item)
            self._segments = None

    def _all_segments(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]]:
        """The corners of every pen's segments (see :meth:`Pen.segments`) one pen after the
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
        each pen's new segments (see :meth:`Pen.first_new`), worked out for all at once."""
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
            intersection((float(a[0]), float(a[1]), float(b[0]), float(b[1])), clip)
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
        return union([pen.clip for pen in self.pens if pen.clip is not None])

    def draw(self, renderer: Any, points: list[int], box: Box | None = None) -> None:
        """Draw every item, the pens to ``points`` points, only inside ``box`` if given."""
        spans = self._spans(points, box) if box is not None else [(0, n) for n in points]
        pens = iter(zip(points, spans))
        for item in self.items:
            if isinstance(item, Pen):
                n, span = next(pens)
                item.draw(renderer, n, box, span)
            else:
                replay(item, renderer, box)


class Still:
    """A still artist, drawn from its recorded calls."""

    def __init__(self, calls: list[Call]) -> None:
        self.calls = calls

    def draw(self, renderer: Any) -> list[Box] | None:
        replay(self.calls, renderer)
        boxes = [call.reach for call in self.calls]
        return None if None in boxes else [box for box in boxes if box is not None]


class Plain:
    """An artist drawn by its own ``draw``: a marker line with no point when the frames were
    set up, a divergence note. Where it drew is its window extent, widened by how far its
    strokes reach past their points; known for 2-D lines and texts (with their boxes), not
    worked out for others."""

    def __init__(self, artist: Artist) -> None:
        self.artist = artist

    def draw(self, renderer: Any) -> list[Box] | None:
        artist = self.artist
        if not shows_something(artist):
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


def split_layers(
    figure: RaceFigure, counter: StepCounter, order: list[Artist], renderer: Any, scratch: Any
) -> tuple[list[Layer], list[Drawer]]:
    """Split ``order`` into layers kept between frames and what is drawn on top each frame.

    In each axes, the artists that come first in the drawing order and are growing lines
    or still artists go into that axes' layer; from the first other artist (a marker that
    moves, the step counter) on, everything is drawn every frame, so the order of a full
    draw is kept. Hidden lines and still artists are left out: no export shows them.
    """
    growing = set(growing_lines(figure))
    moving = set(animated_artists(figure, counter))
    layers: list[Layer] = []
    on_top: list[Drawer] = []
    layer: Layer | None = None
    axes: Any = object()
    for artist in order:
        if artist.axes is not axes:
            axes = artist.axes
            layer = Layer()
            layers.append(layer)
        still = artist not in moving
        if (still or artist in growing) and not artist.get_visible():
            continue
        if layer is not None:
            item: Pen | list[Call] | None = None
            if artist in growing and isinstance(artist, Line2D):
                item = Pen.of(artist, renderer)
            elif still:
                item = record(artist, renderer)
            if item is not None:
                layer.add(item)
                continue
            layer = None  # this axes' layer is complete
        on_top.append(drawer_for(counter, artist, still, renderer, scratch))
    return [layer for layer in layers if layer.items], on_top


def drawer_for(counter: StepCounter, artist: Artist, still: bool, renderer: Any, scratch: Any) -> Drawer:
    """The quickest way to draw ``artist`` every frame (``scratch``: a transparent canvas)."""
    if artist is counter.text:
        return Counter(artist, renderer, scratch)
    # (A 3-D line works out its 2-D data only when drawn.)
    if (
        isinstance(artist, Line2D)
        and not hasattr(artist, "get_data_3d")
        and (marks := Marks.of(artist, renderer, scratch)) is not None
    ):
        return marks
    if still and (calls := record(artist, renderer)) is not None:
        return Still(calls)
    return Plain(artist)


class FastFrames:
    """``render(step)``: the figure at ``step`` as a ``(height, width, 4)`` uint8 RGBA array,
    a view into the canvas that the next call overwrites. ``background`` is a copy of the
    picture without the moving artists.

    A frame is three layers. The background: everything that never moves. Then per axes a
    :class:`Layer`: the paths or curves, which only grow from one step to the next, and the
    still markers and spines drawn over them. These are kept drawn (``_trail``); for a later
    step, only the box of pixels around each line's new points is put back to the
    background and the layer drawn again inside it, every item clipped to the box, which
    gives the pixels of a full draw, crossings of lines included. (Agg rounds where a clip
    box cuts the edge of a shape, which can change a pixel by one level in 256; and it
    simplifies lines of 128 points or more (``path.simplify``), which can move the last,
    nearly straight stretch of a line by up to 1/9 pixel as it grows, while the pixels
    outside the box stay as they were drawn.) For an earlier step, the layer is drawn again
    whole. Last, drawn anew every frame: the markers at the heads of the lines and the step
    counter, pasted from pictures rendered once (:class:`Marks`, :class:`Counter`), and
    the divergence notes; the next frame puts back the pixels under them.
    """

    def __init__(self, figure: RaceFigure, canvas: Any, order: list[Artist], counter: StepCounter) -> None:
        self._figure = figure
        self._counter = counter
        self._renderer = canvas.get_renderer()
        self._pixels: RGBA = np.asarray(canvas.buffer_rgba())  # the canvas's own memory, written in place
        self.background: RGBA = self._pixels.copy()
        scratch = type(self._renderer)(*canvas.get_width_height(), self._renderer.dpi)  # transparent, for sprites
        self._layers, self._on_top = split_layers(figure, counter, order, self._renderer, scratch)
        for layer in self._layers:
            layer.draw(self._renderer, [0] * len(layer.pens))  # the still artists, before any line
        self._trail: RGBA = self._pixels.copy()  # the background with the layers as drawn so far
        # Where the last frame drew over the trail, as rows and columns (None: not known).
        self._over: list[tuple[slice, slice]] | None = None
        #: The pixels the last call changed, as (rows, columns) of the buffer; None: any.
        self.changed: list[tuple[slice, slice]] | None = None

    def __call__(self, step: int) -> RGBA:
        show(self._figure, self._counter, step)
        return self.draw()

    def draw(self) -> RGBA:
        """The frame of the figure's artists as they are now (see :meth:`__call__`)."""
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
            for box in merged(changes):
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

    def _redraw(self, layer: Layer, points: list[int], box: Box) -> tuple[slice, slice] | None:
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
def fast_frames(figure: RaceFigure, dpi: float | None = None) -> Iterator[FastFrames]:
    """A :class:`FastFrames` of ``figure`` at ``dpi`` (default: the figure's own), without
    a check against the public twin (see :func:`rmsprop_viz.render.fast.frames` for that).

    The figure is drawn once without its moving artists on a private Agg canvas, with the
    layout frozen afterwards (:func:`~rmsprop_viz.render.public.prepared`); every frame then
    draws only what changed. The figure comes back as it was.
    """
    with prepared(figure, dpi) as (canvas, order, counter):
        yield FastFrames(figure, canvas, order, counter)
