"""Frames of a race, for exports and the explorer: which steps to show, what moves, the step
counter, and a renderer that redraws only what moves.

A :class:`~rmsprop_viz.plotting.RaceFigure` shows any step of a race
(:meth:`~rmsprop_viz.plotting.RaceFigure.show_frame`); this module adds what only a sequence
of frames needs:

=============================  ==============================================================
``frame_steps(n, frames)``     the steps that ``frames`` evenly spaced frames show
``growing_lines(race)``        the lines that only grow from frame to frame
``add_counter(race)``          the "step k / n" counter (a :class:`StepCounter`), padded so
                               its box keeps its width; one per figure
``animated_artists(race, c)``  every artist a frame changes: the race's and the counter's
``draw_order(race, c)``        what a blitted frame draws, in z-order
``FrameRenderer(race)``        draws frames by blitting: the static part once, then only
                               what moves (the explorer's renderer)
=============================  ==============================================================

A frame at step ``k`` is ``race.show_frame(k)`` and ``counter.show(k)``; then the artists of
:func:`animated_artists` are the ones to draw.

>>> import rmsprop_viz as rv
>>> from rmsprop_viz.plotting import RaceFigure
>>> race = RaceFigure(rv.Quadratic(), rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=120))
>>> counter = add_counter(race)
>>> frame_steps(race.n_steps, 4)
[0, 40, 80, 120]
>>> _ = race.show_frame(7)
>>> counter.show(7).get_text().replace(FIGURE_SPACE, "_")
'step __7 / 120'
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import transforms as mtransforms
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.font_manager import findfont, get_font
from matplotlib.lines import Line2D
from matplotlib.spines import Spine
from matplotlib.text import Text

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.engine.run import MAX_STEPS
from rmsprop_viz.plotting.race import RaceFigure
from rmsprop_viz.plotting.style import FONT

__all__ = [
    "COUNTER_DROP",
    "COUNTER_ZORDER",
    "FIGURE_SPACE",
    "FrameRenderer",
    "StepCounter",
    "add_counter",
    "animated_artists",
    "draw_order",
    "frame_steps",
    "growing_lines",
    "has_glyph",
]

#: As wide as a digit, and blank: pads the step counter's number.
FIGURE_SPACE = "\u2007"
#: How far below a 2-D window the step counter's top sits, in points: in the row of the x
#: label, under the tick labels (the race's legend hangs below that row).
COUNTER_DROP = 22
#: The 2-D counter's z-order: over the paths, start circles and minima (which an export
#: keeps drawn under it), under the heads and the divergence crosses and notes.
COUNTER_ZORDER = 5.5


def frame_steps(n_steps: int, frames: int | None = None) -> list[int]:
    """The steps shown by ``frames`` evenly spaced frames of a run of ``n_steps`` steps, from
    the start (step 0) to the last step: every step when ``frames`` is None or at least
    ``n_steps + 1``; the last step alone for one frame.

    >>> frame_steps(10, 3), frame_steps(3, None), frame_steps(5, 1)
    ([0, 5, 10], [0, 1, 2, 3], [5])
    """
    n_steps = check_int("n_steps", n_steps, low=0, high=MAX_STEPS)
    if frames is None or frames >= n_steps + 1:
        return list(range(n_steps + 1))
    frames = check_int("frames", frames, low=1)
    if frames < 2:
        return [n_steps]
    return [int(s) for s in np.round(np.linspace(0, n_steps, frames))]


def growing_lines(race: RaceFigure) -> list[Line2D]:
    """The lines of ``race`` that only grow as the step goes up: the 2-D paths and the curves.

    :meth:`RaceFigure.show_frame` gives each the first points of what it holds at the last
    step (none, one, or more), so a frame at a later step only adds to each line: an export
    draws only the new part of each. 3-D paths, which drop the points that leave the window,
    are not listed.
    """
    lines = [p.line for p in race.paths]
    for curves in (race.losses, race.steps):
        if curves is not None:
            lines += curves.lines
    return lines


def has_glyph(text: Text, character: str) -> bool:
    """Whether the font of ``text`` draws ``character`` itself (no fallback, no empty box)."""
    try:
        font = get_font(findfont(text.get_fontproperties()))
        return bool(font.get_char_index(ord(character)))
    except (OSError, RuntimeError, ValueError):
        return False


class StepCounter:
    """The step counter of a race figure, "step 75 / 200": in 2-D below the window's
    bottom-left corner (where no cross or note can cover it), in 3-D at the top left.

    The step number is padded to the width of the last one, so that the counter's box keeps
    its size from frame to frame, with figure spaces (:data:`FIGURE_SPACE`, as wide as a
    digit) where the counter's font has them, else spaces. Made by :func:`add_counter`.
    """

    def __init__(self, race: RaceFigure) -> None:
        self.race = race
        self.text = self._make(race)
        self.pad = FIGURE_SPACE if has_glyph(self.text, FIGURE_SPACE) else " "
        self.show(race.current)

    @staticmethod
    def _make(race: RaceFigure) -> Text:
        ax: Any = race.ax
        text: Text
        scale = race.font_scale  # larger in presentation mode, with the tick labels above it
        if race.three_d:
            # (top left: the 3-D box's tick labels reach into the corners below)
            text = ax.text2D(0.02, 0.98, "", transform=ax.transAxes, fontsize=FONT["label"] * scale, va="top")
            return text
        drop = mtransforms.ScaledTranslation(0, -COUNTER_DROP * scale / 72, race.fig.dpi_scale_trans)
        text = ax.text(
            0.0,
            0.0,
            "",
            transform=ax.transAxes + drop,
            va="top",
            fontsize=FONT["label"] * scale,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "alpha": 0.85},
            zorder=COUNTER_ZORDER,
        )
        return text

    def show(self, step: int) -> Text:
        """Show ``step`` of the race (clamped to 0 .. ``n_steps``); returns the counter's text."""
        n_steps = self.race.n_steps
        step = int(min(max(step, 0), n_steps))
        self.text.set_text(f"step {str(step).rjust(len(str(n_steps)), self.pad)} / {n_steps}")
        return self.text


#: The counter of each figure (a figure has one; it goes when the figure goes).
_COUNTERS: weakref.WeakKeyDictionary[RaceFigure, StepCounter] = weakref.WeakKeyDictionary()


def add_counter(race: RaceFigure) -> StepCounter:
    """The step counter of ``race``, added to its surface panel on the first call (later
    calls return the same counter), showing the race's current step."""
    counter = _COUNTERS.get(race)
    if counter is None:
        counter = StepCounter(race)
        _COUNTERS[race] = counter
    return counter


def animated_artists(race: RaceFigure, counter: StepCounter | None = None) -> list[Artist]:
    """Every artist a frame changes: what :meth:`RaceFigure.show_frame` changes, and the
    counter's text; each once."""
    moving: list[Artist] = [*([counter.text] if counter is not None else []), *race.moving]
    return list(dict.fromkeys(moving))


def draw_order(race: RaceFigure, counter: StepCounter | None = None) -> list[Artist]:
    """The artists a blitted frame draws over a still background, in the order to draw them.

    That is every artist of :func:`animated_artists`, plus the still lines and spines of
    the same axes that sit above the lowest of them (start circles, minima stars), so that
    those stay on top as in a full draw; sorted by z-order within each axes, as a full draw
    sorts them. Still text and legends are left out: they are slow to draw and sit beside
    the paths, not on them.
    """
    moving = animated_artists(race, counter)
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
            or (isinstance(child, (Line2D, Spine)) and child.get_visible() and child.get_zorder() > lowest)
        ]
        order += sorted(layer, key=lambda a: a.get_zorder())  # stable, like Axes.draw
    return order


class FrameRenderer:
    """Draw frames of a :class:`RaceFigure` fast: the static part once, then only what moves.

    Three layers: the static figure (contours, axes, tick labels), drawn by
    :meth:`capture`; the ``per_race`` artists, which change only when a new race is shown
    (legend, ghosts, start markers); and the artists a frame changes
    (:func:`animated_artists`). :meth:`render` restores the pixels of the layers below and
    draws only what changed. Call :meth:`capture` again (or set ``background = None``) when
    something static changes; call :meth:`new_race` after
    :meth:`RaceFigure.set_trajectories`. The artists stay ordinary artists, so a full
    ``canvas.draw()`` elsewhere (a resize in a notebook, ``savefig``) still shows them.

    Parameters
    ----------
    race : RaceFigure
        The figure to draw; :meth:`render` shows its current step (``race.current``).
    per_race : sequence of Artist
        Artists that change with each race but not between frames.
    counter : bool
        Show the step counter (:func:`add_counter`).
    """

    def __init__(self, race: RaceFigure, per_race: Sequence[Artist] = (), *, counter: bool = True) -> None:
        self.race = race
        self.per_race = list(per_race)
        self.counter = add_counter(race) if counter else None
        self.background: Any = None
        self._race_layer: Any = None
        self._size: tuple[int, int] | None = None

    @property
    def animated(self) -> list[Artist]:
        """The artists each frame draws, in order (:func:`draw_order`)."""
        return draw_order(self.race, self.counter)

    @property
    def moving(self) -> list[Artist]:
        """Every artist that is not in the still background."""
        return list(dict.fromkeys([*self.animated, *self.per_race]))

    @property
    def stale(self) -> bool:
        """True when :meth:`capture` must run before the next :meth:`render`."""
        return self.background is None or self._size != self.race.fig.canvas.get_width_height()

    def capture(self) -> None:
        """Render the still part of the figure and keep its pixels."""
        fig = self.race.fig
        moving = self.moving
        flags = [a.get_animated() for a in moving]
        for artist in moving:
            artist.set_animated(True)  # excluded from a full draw
        try:
            engine = fig.get_layout_engine()
            if self._size is None and engine is not None:
                # A constrained layout settles in its second pass (tick labels move a
                # fraction of a pixel after the first): run one before the first capture,
                # so that a full draw later finds the pixels of the background.
                engine.execute(fig)
            FigureCanvasAgg.draw(fig.canvas)  # type: ignore[no-untyped-call, arg-type]  # Agg's own: tells no one
            self.background = fig.canvas.copy_from_bbox(fig.bbox)  # type: ignore[attr-defined]
            self._size = fig.canvas.get_width_height()
            self._race_layer = None
        finally:
            for artist, flag in zip(moving, flags):
                artist.set_animated(flag)

    def new_race(self) -> None:
        """The per-race artists changed: draw them again at the next :meth:`render`."""
        self._race_layer = None

    def _draw(self, artists: Sequence[Artist]) -> None:
        for artist in artists:
            if artist.get_visible():
                self.race.fig.draw_artist(artist)

    def render(self) -> None:
        """Draw the current frame into the canvas's buffer (``fig.canvas.buffer_rgba()``)."""
        if self.counter is not None:
            self.counter.show(self.race.current)
        if self.stale:
            self.capture()
        canvas: Any = self.race.fig.canvas
        each_frame = self.animated
        if self._race_layer is None:
            canvas.restore_region(self.background)
            drawn = set(each_frame)  # (a per-race artist above a moving one is drawn with it)
            self._draw([a for a in self.per_race if a not in drawn])
            self._race_layer = canvas.copy_from_bbox(self.race.fig.bbox)
        canvas.restore_region(self._race_layer)
        self._draw(each_frame)
