"""Frames of a race drawn with matplotlib's public blitting API: the twin of the fast path.

An export needs the figure at many steps, as pixels. Drawing the whole figure for each
costs a contour plot, axes, tick labels and a legend that never change; matplotlib's own
answer is blitting (``FuncAnimation``'s ``blit=True``): draw the figure once with the
moving artists left out, keep that picture (``copy_from_bbox``), and per frame put it back
(``restore_region``) and draw only the moving artists over it (``draw_artist``). That is
:class:`PublicFrames`, which uses nothing but matplotlib's documented API.

The accelerated renderer in :mod:`rmsprop_viz.render.fast` makes the same frames several
times faster by replaying recorded drawing calls, which relies on matplotlib's internals.
It checks itself against this twin and falls back to it (see
:func:`rmsprop_viz.render.fast.frames`), so an export works whatever matplotlib does.

Two renderings of a frame *agree* (:func:`frames_agree`) when

* no pixel differs by more than :data:`LEVELS` (2) levels in 256 in any channel (Agg rounds
  where a clip box cuts a shape, and a pasted marker or glyph rounds a little differently
  from one drawn in place), except that
* lines of 128 points or more, which Agg simplifies (``path.simplify``), may lie a fraction
  of a pixel apart: pixels along them may differ by up to :data:`SHIFTED_LEVELS` (48)
  levels, 3/16 of a pixel's coverage of a black line on white, and at most
  :data:`SHIFTED_SHARE` of the pixels (2 %) may.

A frame of another step, or with a line or marker missing or misplaced, has pixels that
differ by far more (a line's core against the background: 100 levels and more).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D

from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.frames import StepCounter, add_counter, draw_order

__all__ = [
    "LEVELS",
    "SHIFTED_LEVELS",
    "SHIFTED_SHARE",
    "Changed",
    "Frames",
    "PublicFrames",
    "frames_agree",
    "prepared",
    "public_frames",
    "show",
    "shows_something",
]

RGBA = npt.NDArray[np.uint8]
#: Rows and columns of a frame's buffer that changed since the frame before; None: any.
Changed = list[tuple[slice, slice]] | None

#: Levels in 256 by which every pixel of two renderings of a frame may differ.
LEVELS = 2
#: Levels in 256 by which pixels along a simplified line may differ (3/16 of 255, rounded).
SHIFTED_LEVELS = 48
#: The share of a frame's pixels that may differ by more than :data:`LEVELS`.
SHIFTED_SHARE = 0.02

#: Rows of a frame compared at once to find where it changed (a YUV 4:2:0 tile is 16).
_BAND = 16


class Frames(Protocol):
    """What both renderers offer: ``frames(step)`` is the figure at ``step`` as a
    ``(height, width, 4)`` uint8 RGBA array (a view the next call overwrites), ``changed``
    the rows and columns that call changed, and ``background`` the picture without the
    moving artists."""

    background: RGBA
    changed: Changed

    def __call__(self, step: int) -> RGBA: ...


def shows_something(artist: Artist) -> bool:
    """False for a hidden artist or an empty line (no divergence cross yet, say): no need
    to draw it."""
    if not artist.get_visible():
        return False
    if hasattr(artist, "get_data_3d"):  # a 3-D line: its 2-D data are only set when it is drawn
        return bool(np.size(artist.get_data_3d()[0]) > 0)
    return not isinstance(artist, Line2D) or np.size(artist.get_xdata(orig=True)) > 0


def show(figure: RaceFigure, counter: StepCounter, step: int) -> None:
    """Show ``step`` of the race: every panel, and the step counter."""
    figure.show_frame(step)
    counter.show(step)


@contextmanager
def prepared(figure: RaceFigure, dpi: float | None) -> Iterator[tuple[Any, list[Artist], StepCounter]]:
    """A private Agg canvas of ``figure`` at ``dpi`` holding its background, the artists
    to draw per frame (:func:`~rmsprop_viz.render.frames.draw_order`), flagged animated,
    and the step counter (:func:`~rmsprop_viz.render.frames.add_counter`).

    The figure is laid out and drawn at its last step, as a ``savefig`` of the finished
    race would be (a note beside a diverged path can change the layout), with the moving
    artists left out; then its layout is frozen, so that no frame solves it again. The
    figure's canvas, dpi, layout engine and animated flags come back as they were.
    ``dpi`` None is the figure's own, without a HiDPI screen's device pixel ratio.
    """
    fig = figure.fig
    counter = add_counter(figure)
    order = draw_order(figure, counter)
    flags = [a.get_animated() for a in order]
    old_canvas = fig.canvas
    old_dpi = fig.dpi
    engine = fig.get_layout_engine()
    frozen = False
    try:
        own_dpi = old_dpi / float(getattr(old_canvas, "device_pixel_ratio", 1) or 1)
        # A private canvas (typed Any: matplotlib's Agg backend has no annotations), so that
        # an interactive one is not disturbed; savefig does the same.
        canvas: Any = FigureCanvasAgg(fig)
        fig.dpi = own_dpi if dpi is None else dpi
        for artist in order:
            artist.set_animated(True)
        show(figure, counter, figure.n_steps)
        canvas.draw()
        if engine is not None:
            fig.set_layout_engine("none")  # the layout is done: do not solve it again per frame
            frozen = True
        yield canvas, order, counter
    finally:
        for artist, flag in zip(order, flags):
            artist.set_animated(flag)
        if frozen:
            fig.set_layout_engine(engine)
        fig.dpi = old_dpi
        fig.canvas = old_canvas
        fig.stale = True


class PublicFrames:
    """Frames by blitting: the background put back with ``restore_region``, then
    ``draw_artist`` for each artist of ``order`` (see
    :func:`~rmsprop_viz.render.frames.draw_order`).

    The background is one picture of the whole figure, not one per axes as
    ``FuncAnimation`` keeps: the step counter and the divergence notes sit outside their
    axes, where an axes' box would not put the pixels back. ``changed`` is found by
    comparing each frame with the one before, in bands of rows.
    """

    def __init__(self, figure: RaceFigure, canvas: Any, order: Sequence[Artist], counter: StepCounter) -> None:
        self._figure = figure
        self._counter = counter
        self._canvas = canvas
        self._order = list(order)
        self._saved = canvas.copy_from_bbox(figure.fig.bbox)
        #: The canvas's own memory, which each frame is drawn into.
        self.pixels: RGBA = np.asarray(canvas.buffer_rgba())
        self.background: RGBA = self.pixels.copy()
        self._before: RGBA | None = None
        self.changed: Changed = None

    def restart(self) -> None:
        """Forget the frame before: the next call's ``changed`` is None (all of it)."""
        self._before = None

    def __call__(self, step: int) -> RGBA:
        show(self._figure, self._counter, step)
        return self.draw()

    def draw(self) -> RGBA:
        """The frame of the figure's artists as they are now (see :meth:`__call__`)."""
        self._canvas.restore_region(self._saved)
        fig = self._figure.fig
        for artist in self._order:
            if shows_something(artist):
                fig.draw_artist(artist)
        pixels = self.pixels
        self.changed = None if self._before is None else changed_bands(self._before, pixels)
        if self._before is None:
            self._before = pixels.copy()
        else:
            np.copyto(self._before, pixels)
        return pixels


def changed_bands(before: RGBA, after: RGBA) -> list[tuple[slice, slice]]:
    """Where ``after`` differs from ``before``: per band of :data:`_BAND` rows, the columns
    from the first to the last pixel that differs (no band where none does).

    >>> a = np.zeros((40, 30, 4), np.uint8)
    >>> b = a.copy()
    >>> b[20, 5] = b[21, 9] = 1
    >>> changed_bands(a, b)
    [(slice(16, 32, None), slice(5, 10, None))]
    """
    differs = (before.view(np.uint32) != after.view(np.uint32))[..., 0]
    height = len(differs)
    found: list[tuple[slice, slice]] = []
    rows = np.flatnonzero(differs.any(axis=1))
    for band in np.unique(rows // _BAND).tolist():
        top = band * _BAND
        columns = np.flatnonzero(differs[top : top + _BAND].any(axis=0))
        found.append((slice(top, min(top + _BAND, height)), slice(int(columns[0]), int(columns[-1]) + 1)))
    return found


@contextmanager
def public_frames(figure: RaceFigure, dpi: float | None = None) -> Iterator[PublicFrames]:
    """:class:`PublicFrames` of ``figure`` at ``dpi`` (default: the figure's own); the
    figure comes back as it was (see :func:`prepared`)."""
    with prepared(figure, dpi) as (canvas, order, counter):
        yield PublicFrames(figure, canvas, order, counter)


def frames_agree(a: RGBA, b: RGBA) -> bool:
    """Whether two renderings of a frame agree, as the module's docstring defines it.

    >>> a = np.full((100, 100, 4), 255, np.uint8)
    >>> b = a.copy()
    >>> b[0, 0, 0] = 253  # two levels: fine anywhere
    >>> frames_agree(a, b)
    True
    >>> b[1, :20, 1] = 230  # 20 pixels (0.2 %) 25 levels off: a line a fraction of a pixel away
    >>> frames_agree(a, b)
    True
    >>> b[2, 0, 2] = 150  # 105 levels off: a pixel that is wrong
    >>> frames_agree(a, b)
    False
    """
    if a.shape != b.shape:
        return False
    error = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=-1)
    off = error > LEVELS
    return bool(error.max(initial=0) <= SHIFTED_LEVELS and off.sum() <= SHIFTED_SHARE * error.size)
