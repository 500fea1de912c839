"""Figures: a surface with the optimizers' paths, their loss curves and step sizes.

Everything here uses matplotlib's object API: each ``draw_*`` function takes an
``Axes``, draws on it and returns the artists it made; nothing touches pyplot's global
state. :class:`RaceFigure` composes the panels for a race and shows any step of it with
:meth:`RaceFigure.show_frame`, which only changes the data of existing artists, so an
animation or a slider never redraws the contours.

Trajectories are computed before anything is drawn (:func:`rmsprop_viz.engine.run`); these
functions only read them.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import colors as mcolors
from matplotlib import ticker as mticker
from matplotlib import transforms as mtransforms
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont, get_font
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text

from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.run import Trajectory

__all__ = [
    "OKABE_ITO",
    "STYLES",
    "SWEEP_METRICS",
    "Path3DArtists",
    "PathArtists",
    "RaceFigure",
    "Style",
    "divergence_point",
    "draw_losses",
    "draw_paths",
    "draw_paths_3d",
    "draw_step_sizes",
    "draw_surface",
    "draw_surface_3d",
    "draw_sweep",
    "loss_gap",
    "set_step_limits",
    "style_for",
    "surface_grid",
    "sweep_figure",
]

FloatArray = npt.NDArray[np.float64]

#: Okabe & Ito's colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

# Sizes for a lecture hall.
FONT = {"title": 15, "label": 13, "tick": 11, "legend": 11, "note": 11}
# Titles of 2-D panels sit just above the axes (plus matplotlib's title pad). Given
# explicitly, matplotlib does not look for tick labels above the axes to lift a title over
# on every layout and draw (none of these panels has any), which costs a pass over the
# y axis's ticks per title.
TITLE_Y = 1.0
LINE_WIDTH = 2.4
MARKER_SIZE = 9
#: How a diverged run's end is marked, in 2-D and 3-D (colour: the optimizer's own).
DIVERGENCE_CROSS: dict[str, Any] = {
    "marker": "X",
    "markersize": MARKER_SIZE + 5,
    "markeredgecolor": "black",
    "markeredgewidth": 1.2,
    "linestyle": "none",
}
#: How a known minimum is drawn, in 2-D and 3-D alike.
MINIMUM: dict[str, Any] = {
    "linestyle": "none",
    "marker": "*",
    "markersize": 18,
    "color": "white",
    "markeredgecolor": "black",
    "markeredgewidth": 1.2,
    "label": "minimum",
}


@dataclass(frozen=True)
class Style:
    """How one optimizer is drawn, the same in every figure."""

    color: str
    linestyle: Any
    marker: str


#: One style per optimizer family, keyed by the lower-case name its label starts with.
STYLES: dict[str, Style] = {
    "sgd": Style(OKABE_ITO["blue"], "-", "o"),
    "momentum": Style(OKABE_ITO["sky blue"], (0, (6, 2)), "s"),
    "nesterov": Style(OKABE_ITO["reddish purple"], (0, (6, 2, 1, 2)), "P"),
    "adagrad": Style(OKABE_ITO["bluish green"], (0, (2, 1.5)), "^"),
    "rmsprop": Style(OKABE_ITO["vermillion"], "-", "D"),
    "adam": Style(OKABE_ITO["orange"], (0, (4, 1.5)), "v"),
}
_SPARE = [Style(OKABE_ITO["black"], "-", "X"), Style(OKABE_ITO["yellow"], "-", "h")]


def style_for(label: str, taken: Sequence[Style] = ()) -> Style:
    """The style of the optimizer named by ``label`` ("SGD", "RMSProp (lr=0.01)", ...).

    A label that mentions Nesterov or momentum gets that family's style. When the family's
    style is already ``taken`` in the same figure (two RMSProp variants, say), the next
    free style is used instead.

    >>> style_for("RMSProp, eps outside").color
    '#D55E00'
    >>> style_for("SGD + momentum 0.9").marker
    's'
    """
    text = label.lower()
    if "nesterov" in text:
        key = "nesterov"
    elif "momentum" in text and not text.startswith(("rmsprop", "adam")):
        key = "momentum"
    else:
        key = next((k for k in ("rmsprop", "adagrad", "adam", "sgd") if text.startswith(k)), "")
    preferred = STYLES.get(key)
    if preferred is not None and preferred not in taken:
        return preferred
    # A second optimizer of a family: a spare style first, so that it is not mistaken
    # for another family; then any free one.
    for candidate in [*_SPARE, *STYLES.values()]:
        if candidate not in taken:
            return candidate
    return _SPARE[0]


def _styles(labels: Sequence[str]) -> list[Style]:
    chosen: list[Style] = []
    for label in labels:
        chosen.append(style_for(label, chosen))
    return chosen


# --------------------------------------------------------------------- the surface

#: Points per side of a drawn surface, at most (4 million values).
MAX_RESOLUTION = 2000
#: Contour levels of a drawn surface, at most.
MAX_LEVELS = 200
#: Pixels of a new RaceFigure, at most: 4096 x 4096.
MAX_FIGURE_PIXELS = 4096 * 4096
#: Dots per inch of a new RaceFigure: (lowest, highest).
FIGURE_DPI_RANGE = (10.0, 1000.0)
#: Width or height of a new RaceFigure in inches, at most.
MAX_FIGURE_INCHES = 100.0


def _check_figure_size(figsize: Any, dpi: Any) -> tuple[tuple[float, float], float]:
    """``figsize`` and ``dpi`` of a new figure, checked: sides in (0, :data:`MAX_FIGURE_INCHES`]
    inches, ``dpi`` in :data:`FIGURE_DPI_RANGE`, and at most :data:`MAX_FIGURE_PIXELS` pixels."""
    low, high = FIGURE_DPI_RANGE
    resolution = 100.0 if dpi is None else float(check_number("dpi", dpi, low=low, high=high, allow_array=False))
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise ValueError(f"figsize must be (width, height) in inches, got {figsize!r:.60}") from None
    if not (0 < width <= MAX_FIGURE_INCHES and 0 < height <= MAX_FIGURE_INCHES):
        raise ValueError(f"figsize must be two numbers in (0, {MAX_FIGURE_INCHES:g}] inches, got {figsize!r:.60}")
    pixels = width * resolution * height * resolution
    if pixels > MAX_FIGURE_PIXELS:
        raise ValueError(
            f"figsize {width:g} x {height:g} inches at dpi {resolution:g} makes {width * resolution:.0f} x "
            f"{height * resolution:.0f} pixels; at most MAX_FIGURE_PIXELS = {MAX_FIGURE_PIXELS} (4096 x 4096): "
            "lower figsize or dpi"
        )
    return (width, height), resolution


def surface_grid(surface: Surface, resolution: int = 200) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``X, Y, Z`` on the surface's plot window (``Z`` at step 0; may hold inf or NaN), on
    ``resolution`` x ``resolution`` points (2 to :data:`MAX_RESOLUTION`)."""
    resolution = check_int("resolution", resolution, low=2, high=MAX_RESOLUTION)
    (x0, x1), (y0, y1) = surface.bounds
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    x, y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = np.asarray(surface.value(np.stack([x, y], axis=-1)), dtype=np.float64)
    return x, y, z


def _floor(surface: Surface, z: FloatArray) -> float:
    """The lowest finite value of the surface: at its known minima, else on the grid (0 if
    it has none)."""
    with np.errstate(all="ignore"):
        known = [float(np.asarray(surface.value(np.asarray(m, dtype=np.float64)))) for m in surface.minima]
    finite = z[np.isfinite(z)]
    candidates = [v for v in known if math.isfinite(v)] + ([float(finite.min())] if finite.size else [])
    return min(candidates) if candidates else 0.0


#: The largest magnitude a surface is drawn at (matplotlib's contours extend to 1e250).
HUGE = 1e200


def _spans_decades(z: FloatArray, floor: float) -> bool:
    with np.errstate(all="ignore"):
        gap = z - floor
    positive = gap[np.isfinite(gap) & (gap > 0)]
    if positive.size == 0:
        return False
    return bool(np.percentile(positive, 95) / max(float(np.percentile(positive, 5)), 1e-300) > 300)


def _levels(z: FloatArray, floor: float, levels: int) -> tuple[FloatArray, FloatArray, mcolors.Normalize, bool]:
    """What to contour, at which levels, with which colour scale, and whether log-spaced.

    Log-spaced levels of ``f - f*`` where the finite values span decades, else evenly
    spaced levels of ``f`` up to its 99.5th percentile; non-finite values are left out
    (masked), and a constant surface gets one band around its value.
    """
    # Values past +-1e200 are drawn as 1e200: matplotlib extends the colour scale to +-1e250.
    z = np.clip(z, -HUGE, HUGE)
    floor = float(np.clip(floor, -HUGE, HUGE))
    finite = z[np.isfinite(z)]
    if _spans_decades(z, floor):
        with np.errstate(all="ignore"):
            gap = np.maximum(z - floor, 1e-12)
        shown_gap = gap[np.isfinite(gap)]
        top = float(np.percentile(shown_gap, 99.5))
        low = max(float(np.percentile(shown_gap, 0.5)), top * 1e-8)
        if top > low:
            bounds = np.geomspace(low, top, levels)
            return np.clip(gap, low, top), bounds, mcolors.LogNorm(vmin=low, vmax=top), True
    low = float(finite.min()) if finite.size else 0.0
    top = float(np.percentile(finite, 99.5)) if finite.size else 0.0
    if not top > low or not math.isfinite(top - low):  # constant (or no finite value): one band
        half = max(abs(low) * 1e-3, 1e-3) if math.isfinite(low) else 1.0
        low, top = (low - half, low + half) if math.isfinite(low) else (-1.0, 1.0)
        levels = 2
    bounds = np.linspace(low, top, levels)
    return z, bounds, mcolors.Normalize(vmin=bounds[0], vmax=bounds[-1]), False


def _title(surface: Surface) -> str:
    formula = getattr(surface, "tex", "") or getattr(surface, "formula", "")
    return f"{type(surface).__name__}: {formula}" if formula else type(surface).__name__


#: Title layouts to try, in order, until one fits: (font size below the panel's own, lines).
_TITLE_FITS = ((0, 1), (2, 1), (0, 2), (2, 2), (2, 3), (4, 3), (6, 3), (4, 9), (6, 9))


def _breaks(text: str, fine: bool = False) -> list[str]:
    """``text`` cut after each ": ", ", " and "; " outside ``$...$`` and brackets (where a
    title may wrap); with ``fine``, also after each " + " there.

    >>> _breaks("Quadratic: $a, b$, rotated; shifted")
    ['Quadratic: ', '$a, b$, ', 'rotated; ', 'shifted']
    >>> _breaks("Noisy: f(x, y) + noise, seed 0")
    ['Noisy: ', 'f(x, y) + noise, ', 'seed 0']
    >>> _breaks("Beale: (1 + x)^2 + (2 + y)^2", fine=True)
    ['Beale: ', '(1 + x)^2 + ', '(2 + y)^2']
    """
    pieces, start, math_mode, depth = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "$":
            math_mode = not math_mode
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif (not math_mode and text[i + 1 : i + 2] == " ") and (
            depth == 0 and (char in ":,;" or (fine and char == "+" and text[i - 1 : i] == " "))
        ):
            pieces.append(text[start : i + 2])
            start = i + 2
    return [*pieces, text[start:]] if text[start:] else pieces


def _renderer_of(figure: Any) -> Any:
    """A renderer to measure text with (None if the canvas has none)."""
    get = getattr(figure.canvas, "get_renderer", None) or getattr(figure, "_get_renderer", None)
    try:
        return get() if get is not None else None
    except (AttributeError, TypeError, RuntimeError):
        return None


def set_title(ax: Axes, text: str, fontsize: float = FONT["title"], **kwargs: Any) -> Text:
    """Set the title of ``ax`` so that it fits above the panel: as large as it can be, on
    one line, else wrapped after its ": " or ", " (else " + ") outside maths on up to
    three lines, shrinking by up to 6 points if need be.

    The width allowed is the panel's width before a constrained layout runs, which that
    layout only widens, so the title never reaches a neighbouring panel or the figure's
    edge.
    """
    title = ax.set_title(text, fontsize=fontsize, **kwargs)
    figure = ax.get_figure()
    renderer = _renderer_of(figure) if figure is not None else None
    if renderer is None or figure is None or not text:
        return title
    room = ax.get_position().width * figure.bbox.width
    for shrink, most in _TITLE_FITS:
        title.set_fontsize(fontsize - shrink)
        for fine in (False, True):
            lines: list[str] = []
            for piece in _breaks(text, fine):
                if lines:
                    title.set_text(lines[-1] + piece)
                    if title.get_window_extent(renderer).width <= room:
                        lines[-1] += piece
                        continue
                lines.append(piece)
            title.set_text("\n".join(line.rstrip() for line in lines))
            if len(lines) <= most and title.get_window_extent(renderer).width <= room:
                return title
    return title


def _tidy(ax: Axes) -> None:
    ax.tick_params(labelsize=FONT["tick"])
    for spine in ("top", "right"):
        if spine in ax.spines:
            ax.spines[spine].set_visible(False)


@dataclass
class SurfaceArtists:
    """What :func:`draw_surface` made."""

    filled: Any
    lines: Any
    minima: Line2D | None
    colorbar: Any = None
    log_levels: bool = False


def draw_surface(
    ax: Axes,
    surface: Surface,
    *,
    resolution: int = 200,
    levels: int = 24,
    colorbar: bool = False,
    title: bool = True,
    cmap: str = "Greys_r",
) -> SurfaceArtists:
    """Filled contours, contour lines and the minima (stars) of ``surface`` on ``ax``.

    Levels are log-spaced above the minimum when the values span decades (Rosenbrock,
    Beale), else evenly spaced. The axes are fixed to the surface's window.
    """
    levels = check_int("levels", levels, low=2, high=MAX_LEVELS)
    x, y, z = surface_grid(surface, resolution)
    floor = _floor(surface, z)
    shown, bounds, norm, log_levels = _levels(z, floor, levels)
    shown = np.ma.masked_invalid(shown)
    base = matplotlib.colormaps[cmap]
    palette = mcolors.ListedColormap(base(np.linspace(0.45, 1.0, 256)))  # light: the paths stand out
    filled = ax.contourf(x, y, shown, levels=bounds, cmap=palette, norm=norm, extend="both")
    lines = ax.contour(x, y, shown, levels=bounds, colors="#555555", linewidths=0.6, alpha=0.6, norm=norm)
    minima = None
    if surface.minima:
        mx, my = np.asarray(surface.minima).T
        (minima,) = ax.plot(mx, my, zorder=5, **MINIMUM)
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x", fontsize=FONT["label"])
    ax.set_ylabel("y", fontsize=FONT["label"])
    if title:
        set_title(ax, _title(surface), y=TITLE_Y)
    _tidy(ax)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, shrink=0.85)
        bar.set_label("f - f*" if log_levels else "f", fontsize=FONT["label"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return SurfaceArtists(filled, lines, minima, bar, log_levels)


# ----------------------------------------------------------------------- the paths


@dataclass
class PathArtists:
    """The artists of one optimizer's path: line, head, start, and divergence cross."""

    line: Line2D
    head: Line2D
    start: Line2D
    cross: Line2D
    note: Annotation

    @property
    def moving(self) -> list[Artist]:
        return [self.line, self.head, self.cross, self.note]


def _last_finite(xy: FloatArray, upto: int) -> int | None:
    """The last step up to ``upto`` whose point is finite (None: not one is)."""
    finite = np.flatnonzero(np.isfinite(xy[: upto + 1]).all(axis=-1))
    return int(finite[-1]) if finite.size else None


def divergence_point(
    xy: FloatArray, diverged_at: int, bounds: tuple[tuple[float, float], tuple[float, float]]
) -> tuple[float, float]:
    """Where to mark a run that diverged at step ``diverged_at``: on its path, where it left
    the window ``bounds`` (shrunk by 1% of its size at each edge).

    With ``p`` the last point inside the window and ``q`` the next (outside), the mark is
    ``p + t (q - p)`` for the largest ``t`` in [0, 1] that stays inside: the point where the
    segment crosses the window's edge. A run whose last finite point is inside is marked
    there. Fallbacks: with no point inside the window (or no next point to aim at), the
    last finite point clamped into the window; with no finite point at all (the start was
    already outside the escape box), the window's top-left corner.

    >>> divergence_point(np.array([[0.5, 0.5], [1.5, 0.5], [np.nan, np.nan]]), 2, ((0, 1), (0, 1)))
    (0.99, 0.5)
    >>> divergence_point(np.full((3, 2), np.nan), 0, ((0, 1), (0, 1)))
    (0.01, 0.99)
    """
    (x0, x1), (y0, y1) = bounds
    (xlo, xhi), (ylo, yhi) = sorted((x0, x1)), sorted((y0, y1))
    mx, my = 0.01 * (xhi - xlo), 0.01 * (yhi - ylo)
    low = np.array([xlo + mx, ylo + my])
    high = np.array([xhi - mx, yhi - my])
    last = _last_finite(xy, max(int(diverged_at), 0))
    if last is None:
        return float(low[0]), float(high[1])
    points = np.asarray(xy[: last + 1], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = np.flatnonzero(((points >= low) & (points <= high)).all(axis=-1))
    if inside.size and inside[-1] == last:
        return float(points[last, 0]), float(points[last, 1])
    if inside.size:
        p, q = points[inside[-1]], points[inside[-1] + 1]
        if np.isfinite(q).all():
            t = 1.0
            with np.errstate(divide="ignore", invalid="ignore"):
                for axis in range(2):
                    step = q[axis] - p[axis]
                    if q[axis] > high[axis]:
                        t = min(t, (high[axis] - p[axis]) / step)
                    elif q[axis] < low[axis]:
                        t = min(t, (low[axis] - p[axis]) / step)
            edge = np.clip(p + max(t, 0.0) * (q - p), low, high)
            return float(edge[0]), float(edge[1])
    point = points[last]
    return float(np.clip(point[0], low[0], high[0])), float(np.clip(point[1], low[1], high[1]))


def draw_paths(
    ax: Axes,
    trajectories: Sequence[Trajectory],
    *,
    labels: Sequence[str] | None = None,
    run: int = 0,
) -> list[PathArtists]:
    """One line per trajectory, with a marker at its head, a circle at its start and,
    for a diverged run, a cross and "diverged at step k". Drawn at the last step; use
    :func:`update_paths` to show another."""
    labels = list(labels) if labels is not None else [t.label for t in trajectories]
    artists = []
    for traj, label, style in zip(trajectories, labels, _styles([t.label for t in trajectories])):
        (line,) = ax.plot(
            [],
            [],
            color=style.color,
            linestyle=style.linestyle,
            linewidth=LINE_WIDTH,
            label=label,
            zorder=3,
            solid_capstyle="round",
        )
        (head,) = ax.plot(
            [],
            [],
            marker=style.marker,
            markersize=MARKER_SIZE,
            color=style.color,
            markeredgecolor="black",
            markeredgewidth=1.0,
            linestyle="none",
            zorder=6,
        )
        x0, y0 = traj.params[0, run]
        (start,) = ax.plot(
            [x0],
            [y0],
            marker="o",
            markersize=MARKER_SIZE + 1,
            markerfacecolor="white",
            markeredgecolor=style.color,
            markeredgewidth=2.0,
            linestyle="none",
            zorder=4,
        )
        (cross,) = ax.plot(
            [],
            [],
            color=style.color,
            zorder=7,
            clip_on=False,  # whole, also where it sits at the window's edge
            **DIVERGENCE_CROSS,
        )
        cross.set_in_layout(False)  # (else a constrained layout shrinks the axes at every draw)
        note = ax.annotate(
            "",
            (0, 0),
            xytext=(8, 8),
            textcoords="offset points",
            fontsize=FONT["note"],
            color="black",
            zorder=8,
            annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": style.color, "alpha": 0.9},
        )
        artists.append(PathArtists(line, head, start, cross, note))
    update_paths(artists, trajectories, None, run=run)
    return artists


#: Crosses closer than this (fractions of the window's width, height) share one note.
NOTE_NEAR = (0.3, 0.12)
#: How far below a 2-D window the step counter's top sits, in points (under the tick labels).
COUNTER_DROP = 22
#: ... and the legend's top, below the counter.
LEGEND_DROP = 46


def _note_groups(where: Sequence[tuple[float, float]], near: tuple[float, float] = NOTE_NEAR) -> list[list[int]]:
    """Which crosses share a note: each cross joins the first group whose first cross is
    within ``near`` of it (positions as fractions of the window).

    >>> _note_groups([(0.0, 0.5), (0.1, 0.55), (0.9, 0.5)])
    [[0, 1], [2]]
    """
    groups: list[list[int]] = []
    for i, (x, y) in enumerate(where):
        for group in groups:
            gx, gy = where[group[0]]
            if abs(x - gx) < near[0] and abs(y - gy) < near[1]:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


#: A shared note longer than this (characters) breaks into lines between the names.
NOTE_WIDTH = 40


def _note_text(labels: Sequence[str], steps: Sequence[int], width: int = NOTE_WIDTH) -> str:
    """One note for crosses that share it, broken into lines of about ``width`` characters
    between the names (never inside one).

    >>> _note_text(["SGD", "Adam"], [1, 1])
    'SGD, Adam diverged at step 1'
    >>> _note_text(["SGD", "Adam"], [3, 11])
    'SGD (step 3), Adam (step 11) diverged'
    >>> print(_note_text(["SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"], [1] * 6))
    SGD, Momentum, Nesterov, Adagrad,
    RMSProp, Adam diverged at step 1
    """
    same = len(set(steps)) == 1
    names = list(labels) if same else [f"{label} (step {d})" for label, d in zip(labels, steps)]
    tail = f" diverged at step {steps[0]}" if same else " diverged"
    lines = [""]
    for i, name in enumerate(names):
        piece = name + (tail if i == len(names) - 1 else ",")
        if lines[-1] and len(lines[-1]) + 1 + len(piece) > width:
            lines.append(piece)
        else:
            lines[-1] = f"{lines[-1]} {piece}" if lines[-1] else piece
    return "\n".join(lines)


def update_paths(
    artists: Sequence[PathArtists], trajectories: Sequence[Trajectory], step: int | None, *, run: int = 0
) -> None:
    """Show the paths up to ``step`` (all of them when ``None``), changing data only.

    A diverged run ends in a cross where it left the window. Crosses close together share
    one note ("SGD, Adam diverged at step 1"); the notes are stacked so that none covers
    another.
    """
    gone: list[tuple[int, float, float, int]] = []  # (which, cross x, cross y, step)
    for i, (art, traj) in enumerate(zip(artists, trajectories)):
        k = traj.n_steps if step is None else min(int(step), traj.n_steps)
        xy = traj.params[:, run]
        art.line.set_data(xy[: k + 1, 0], xy[: k + 1, 1])
        d = int(traj.diverged_at[run])
        if 0 <= d <= k and art.line.get_visible():
            # Where the path crossed the window's edge, so the cross shows where the run left.
            axes = art.line.axes
            assert axes is not None
            cx, cy = divergence_point(xy, d, (axes.get_xlim(), axes.get_ylim()))
            art.head.set_data([], [])
            art.cross.set_data([cx], [cy])
            gone.append((i, cx, cy, d))
        else:
            art.head.set_data([xy[k, 0]], [xy[k, 1]])
            if np.size(art.cross.get_xdata(orig=True)):  # (unchanged artists are left alone: cheaper per frame)
                art.cross.set_data([], [])
            if art.note.get_visible():
                art.note.set_visible(False)
    if not gone:
        return
    axes = artists[gone[0][0]].line.axes
    assert axes is not None
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    where = [((cx - x0) / (x1 - x0), (cy - y0) / (y1 - y0)) for _, cx, cy, _ in gone]
    groups = _note_groups(where)
    # The height of one note in fractions of the window, from the font size in points.
    box = axes.get_window_extent()
    height_points = max(box.height * 72 / axes.figure.dpi, 1.0)
    first_line, more_lines = 1.9 * FONT["note"] / height_points, 1.2 * FONT["note"] / height_points
    placed: list[tuple[float, float]] = []  # (bottom, top) of each note placed, fractions
    order = sorted(range(len(groups)), key=lambda g: where[groups[g][0]][1])
    for g in order:
        members = groups[g]
        first = gone[members[0]][0]
        fx, fy = where[members[0]]
        right, top = fx > 0.5, fy > 0.5
        text = _note_text([trajectories[gone[m][0]].label for m in members], [gone[m][3] for m in members])
        tall = first_line + more_lines * text.count("\n")
        # Beside the cross, on the side that faces the middle of the window, and above
        # every note placed before it that it would cover.
        bottom = fy - 10 / height_points - tall if top else fy + 10 / height_points
        for low, high in sorted(placed):
            if bottom < high and low < bottom + tall:
                bottom = high
        placed.append((bottom, bottom + tall))
        art = artists[first]
        art.note.xy = (gone[members[0]][1], gone[members[0]][2])
        offset = (bottom - fy) * height_points
        art.note.set_position((-10 if right else 10, offset))
        art.note.set_verticalalignment("bottom")
        art.note.set_horizontalalignment("right" if right else "left")
        art.note.set_text(text)
        art.note.set_visible(True)
        for m in members[1:]:
            other_note = artists[gone[m][0]].note
            if other_note.get_visible():
                other_note.set_visible(False)


# --------------------------------------------------------------- loss and step size


def loss_gap(traj: Trajectory, floor: float, run: int = 0) -> FloatArray:
    """``f - f*`` along a run, floored at 1e-16 so that it can go on a log axis."""
    with np.errstate(all="ignore"):
        gap = traj.values[:, run] - floor
    return np.where(np.isfinite(gap), np.maximum(gap, 1e-16), np.nan)


@dataclass
class CurveArtists:
    """Growing curves and their current-step markers."""

    lines: list[Line2D] = field(default_factory=list)
    heads: list[Line2D] = field(default_factory=list)
    data: list[tuple[FloatArray, FloatArray]] = field(default_factory=list)

    def show(self, step: int | None) -> None:
        for line, head, (xs, ys) in zip(self.lines, self.heads, self.data):
            k = len(xs) - 1 if step is None else min(int(step), len(xs) - 1)
            line.set_data(xs[: k + 1], ys[: k + 1])
            if head is not None:
                if np.isfinite(ys[k]):
                    head.set_data([xs[k]], [ys[k]])
                else:
                    head.set_data([], [])

    @property
    def moving(self) -> list[Artist]:
        return [*self.lines, *(h for h in self.heads if h is not None)]


#: As wide as a digit, and blank: pads the step counter's number.
FIGURE_SPACE = "\u2007"


def _has_glyph(text: Text, character: str) -> bool:
    """Whether the font of ``text`` draws ``character`` itself (no fallback, no empty box)."""
    try:
        font = get_font(findfont(text.get_fontproperties()))
        return bool(font.get_char_index(ord(character)))
    except (OSError, RuntimeError, ValueError):
        return False


def _log_limits(ax: Axes, arrays: Sequence[FloatArray]) -> None:
    finite = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in arrays] or [np.array([1.0])])
    if finite.size == 0:
        finite = np.array([1e-3, 1.0])
    # (clipped to 1e-300 .. 1e300: half a subnormal is 0, twice 1e308 is inf, no log axis takes either)
    low, high = max(float(finite.min()), 1e-300), min(float(finite.max()), 1e300)
    if high <= low:
        high = low * 10
    ax.set_yscale("log")
    ax.set_ylim(low / 2, high * 2)
    # Plain labels: mathtext labels ("$10^{-3}$") cost most of a draw.
    ax.yaxis.set_major_locator(_LogTicks(numticks=7))
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(_log_label))
    ax.yaxis.set_minor_locator(mticker.NullLocator())  # a hundred minor ticks are a hundred lines to draw


class _LogTicks(mticker.LogLocator):
    """Ticks on whole decades; on an axis of less than two decades also at 2 and 5 times
    them, which would otherwise show a single label or none."""

    def tick_values(self, vmin: float, vmax: float) -> Any:
        low, high = sorted((vmin, vmax))
        narrow = 0 < low < high and math.log10(high / low) < 2
        self.set_params(subs=(1.0, 2.0, 5.0) if narrow else (1.0,))
        return super().tick_values(vmin, vmax)


def _log_label(value: float, _position: Any = None) -> str:
    """``0.01, 0.1, 1, 10, 100``, ``1e-5`` beyond, and 2 and 5 times those (``0.02``,
    ``5e-4``): quick to draw, easy to read; other values unlabelled.

    >>> [_log_label(v) for v in (1e-5, 2e-4, 0.05, 1.0, 20.0, 500.0, 3.0)]
    ['1e-5', '2e-4', '0.05', '1', '20', '500', '']
    """
    if value <= 0 or not np.isfinite(value):
        return ""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10.0**exponent
    whole = round(mantissa)
    if whole not in (1, 2, 5) or abs(mantissa - whole) > 1e-6:
        return ""
    return f"{value:g}" if -2 <= exponent <= 2 else f"{whole}e{exponent}"


def set_step_limits(ax: Axes, n_steps: int) -> None:
    """Show steps 0 to ``n_steps`` on the x axis of ``ax``, with 2% of room either side so
    that the markers of the first and the last step show whole, and a few round step
    numbers from 0 to ``n_steps`` as ticks (few labels: readable, and quick to draw)."""
    ax.set_xlim(-0.02 * n_steps, 1.02 * n_steps)
    last = max(n_steps, 1)
    ticks = np.asarray(mticker.MaxNLocator(nbins=5, integer=True).tick_values(0, last), dtype=np.float64)
    ax.xaxis.set_major_locator(mticker.FixedLocator(ticks[(ticks >= 0) & (ticks <= last)].tolist()))


def draw_losses(ax: Axes, trajectories: Sequence[Trajectory], floor: float, *, run: int = 0) -> CurveArtists:
    """Loss above the minimum, ``f - f*``, on a log axis, one curve per trajectory."""
    curves = CurveArtists()
    for traj, style in zip(trajectories, _styles([t.label for t in trajectories])):
        steps = np.arange(traj.n_steps + 1, dtype=np.float64)
        gap = loss_gap(traj, floor, run)
        (line,) = ax.plot([], [], color=style.color, linestyle=style.linestyle, linewidth=LINE_WIDTH - 0.4)
        (head,) = ax.plot(
            [],
            [],
            marker=style.marker,
            color=style.color,
            markersize=MARKER_SIZE - 2,
            markeredgecolor="black",
            markeredgewidth=0.8,
            linestyle="none",
            zorder=3,  # over every curve and the spines (an export keeps those drawn under the markers)
        )
        curves.lines.append(line)
        curves.heads.append(head)
        curves.data.append((steps, gap))
    set_step_limits(ax, max(t.n_steps for t in trajectories))
    _log_limits(ax, [gap for _, gap in curves.data])
    ax.set_xlabel("step", fontsize=FONT["label"])
    ax.set_ylabel("f − f*", fontsize=FONT["label"])
    set_title(ax, "loss above the minimum", FONT["label"], y=TITLE_Y)
    ax.grid(True, which="major", alpha=0.3)
    _tidy(ax)
    curves.show(None)
    return curves


def draw_step_sizes(ax: Axes, trajectories: Sequence[Trajectory], *, run: int = 0) -> CurveArtists:
    """Per-coordinate step size ``|Δx|`` (solid) and ``|Δy|`` (thin) over time.

    This is the panel that shows adaptivity: SGD's steps follow the gradient, RMSProp's
    stay near the learning rate in every coordinate.
    """
    curves = CurveArtists()
    for traj, style in zip(trajectories, _styles([t.label for t in trajectories])):
        steps = np.arange(1, traj.n_steps + 1, dtype=np.float64)
        for coord, width, alpha in ((0, LINE_WIDTH - 0.6, 1.0), (1, 1.0, 0.8)):
            size = np.abs(traj.updates[:, run, coord])
            (line,) = ax.plot(
                [], [], color=style.color, linewidth=width, alpha=alpha, linestyle="-" if coord == 0 else (0, (1, 1))
            )
            curves.lines.append(line)
            curves.heads.append(None)  # type: ignore[arg-type]
            curves.data.append((steps, np.where(size > 0, size, np.nan)))
    set_step_limits(ax, max(t.n_steps for t in trajectories))
    _log_limits(ax, [d for _, d in curves.data])
    ax.set_xlabel("step", fontsize=FONT["label"])
    ax.set_ylabel("step size", fontsize=FONT["label"])
    set_title(ax, "|Δx| solid, |Δy| dotted", FONT["label"] - 1, y=TITLE_Y)
    ax.grid(True, which="major", alpha=0.3)
    _tidy(ax)
    curves.show(None)
    return curves


# --------------------------------------------------------------------------- sweeps


@dataclass
class SweepArtists:
    """What :func:`draw_sweep` made."""

    mesh: Any
    marker: Line2D | None
    colorbar: Any
    diverged: Any


def draw_sweep(
    ax: Axes,
    values: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    xlabel: str = "lr",
    ylabel: str = "beta",
    label: str = "final loss",
    current: tuple[float, float] | None = None,
    log_x: bool = True,
    log_y: bool = False,
    log_values: bool = True,
    colorbar: bool = True,
) -> SweepArtists:
    """A heatmap of ``values[i, j]`` over ``x[i]`` (horizontal) and ``y[j]`` (vertical).

    Diverged cells (NaN) are hatched in a colour that is not on the scale; the current
    setting, if given, is a white star.
    """
    grid = np.asarray(values, dtype=np.float64)
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if grid.shape != (xs.size, ys.size):
        raise ValueError(f"values must have shape (len(x), len(y)) = ({xs.size}, {ys.size}), got {grid.shape}")
    finite = grid[np.isfinite(grid)]
    positive = finite[finite > 0]
    if log_values and positive.size:
        norm: mcolors.Normalize = mcolors.LogNorm(vmin=float(positive.min()), vmax=float(positive.max()))
        shown = np.where(np.isfinite(grid) & (grid <= 0), positive.min(), grid)  # NaN stays NaN: diverged
    else:
        norm = mcolors.Normalize(
            vmin=float(finite.min()) if finite.size else 0, vmax=float(finite.max()) if finite.size else 1
        )
        shown = grid
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#bbbbbb")
    mesh = ax.pcolormesh(
        _edges(xs, log_x), _edges(ys, log_y), np.ma.masked_invalid(shown).T, cmap=cmap, norm=norm, shading="flat"
    )
    dead = ~np.isfinite(grid)
    hatch = None
    if dead.any():
        hatch = ax.pcolor(
            _edges(xs, log_x),
            _edges(ys, log_y),
            np.ma.masked_where(~dead.T, np.ones_like(grid.T)),
            hatch="xx",
            alpha=0.0,
            shading="flat",
        )
        ax.plot([], [], linestyle="none", marker="s", markersize=12, color="#bbbbbb", label="diverged")
        ax.legend(loc="upper right", fontsize=FONT["legend"], framealpha=0.9)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    marker = None
    if current is not None:
        (marker,) = ax.plot(
            [current[0]],
            [current[1]],
            marker="*",
            markersize=20,
            color="white",
            markeredgecolor="black",
            markeredgewidth=1.2,
            linestyle="none",
            zorder=5,
        )
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    _tidy(ax)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(mesh, ax=ax)
        bar.set_label(label, fontsize=FONT["label"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return SweepArtists(mesh, marker, bar, hatch)


#: What :func:`sweep_figure` draws for each metric of :func:`rmsprop_viz.sweep`.
SWEEP_METRICS = ("final", "best", "steps", "diverged")
#: Cells that diverged: grey, hatched, never on the colour scale.
DIVERGED_CELL = {"facecolor": "#9a9a9a", "hatch": "xx", "edgecolor": "#555555"}
#: Cells that converged but never reached the tolerance (metric "steps"), or never diverged
#: (metric "diverged"): pale, dotted.
OTHER_CELL = {"facecolor": "#f2f2f2", "hatch": "..", "edgecolor": "#9a9a9a"}
#: How the best cell is starred.
BEST_STAR: dict[str, Any] = {
    "marker": "*",
    "markersize": 20,
    "color": "white",
    "markeredgecolor": "black",
    "markeredgewidth": 1.2,
    "linestyle": "none",
    "zorder": 6,
}


def _resolution(target: float) -> float:
    """The smallest loss gap float64 resolves at a minimum of ``target``: 1e-15 x max(1, |target|)."""
    return 1e-15 * max(1.0, abs(target)) if math.isfinite(target) else 1e-15


def _sweep_data(
    values: npt.NDArray[Any], dead: npt.NDArray[np.bool_], metric: str, target: float, n_steps: int
) -> tuple[FloatArray, npt.NDArray[np.bool_], str, bool, str]:
    """Per cell, what the colour shows (NaN: not on the scale); the cells drawn as "other"
    (pale: never reached the tolerance / never diverged); the colour-bar label; whether the
    scale is logarithmic; and what to say when no cell is on the scale."""
    with np.errstate(all="ignore"):
        if metric in ("final", "best"):
            gap = np.asarray(values, dtype=np.float64) - target
            floor = _resolution(target)
            shown = np.where(~dead & np.isfinite(gap), np.maximum(gap, floor), np.nan)
            label = f"{metric} loss above the minimum, f − f*"
            if np.any(shown == floor):
                label += f"\n(at {floor:g}: at the minimum, to float64's precision)"
            return shown, np.zeros_like(dead), label, True, f"every run diverged within {n_steps} steps"
        steps = np.asarray(values)
        if metric == "steps":
            reached = ~dead & (steps >= 0)
            shown = np.where(reached, steps, np.nan).astype(np.float64)
            label = "steps to reach the tolerance"
            return shown, ~dead & ~reached, label, False, f"no run reached the tolerance within {n_steps} steps"
        # metric "diverged": the diverged cells are the data
        gone = steps >= 0
        shown = np.where(gone, steps, np.nan).astype(np.float64)
        return shown, ~gone, "step at which the run diverged", False, f"no run diverged within {n_steps} steps"


def _norm(shown: FloatArray, log: bool) -> mcolors.Normalize:
    finite = shown[np.isfinite(shown)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (1.0, 10.0)
    if log:
        if not high > low:
            low, high = low / 10, high * 10
        return mcolors.LogNorm(vmin=low, vmax=high)
    if not high > low:
        low, high = low - 1, high + 1
    return mcolors.Normalize(vmin=low, vmax=high)


def sweep_figure(
    grid: Mapping[str, npt.ArrayLike],
    values: npt.ArrayLike,
    diverged: npt.ArrayLike | None,
    metric: str,
    best: Any = None,
    *,
    n_steps: int,
    target: float = 0.0,
    title: str = "",
    color: str = STYLES["rmsprop"].color,
    figsize: tuple[float, float] = (8.0, 6.0),
    dpi: float = 100.0,
) -> Figure:
    """A sweep of :func:`rmsprop_viz.sweep` as a figure: a map over a 2-D grid (learning
    rate across, the second key up), a curve over a 1-D grid.

    Every cell says what happened to its run. A diverged cell is grey and hatched, with a
    legend entry, and is never on the colour scale: a NaN or inf cannot pass for a good
    value. For the losses (``metric`` "final" or "best") the colour is ``f - f*`` on a log
    scale, gaps below float64's resolution (``1e-15 * max(1, |target|)``) drawn at that
    value and the colour bar saying so. For "steps", runs that converged without reaching
    the tolerance are pale and dotted. For "diverged", the colour is the step of
    divergence and runs that did not diverge are pale. When no cell is on the scale the
    figure says so in words ("no run diverged within 500 steps") instead of drawing a flat
    map. The star marks ``best`` (a :class:`rmsprop_viz.engine.sweeps.BestCell`) and the line
    under the plot states its rule.

    Parameters
    ----------
    grid : mapping of str to 1-D array_like
        The sweep's grid, one or two keys; the first (the learning rate) is drawn on a log
        axis.
    values : array_like
        What :func:`rmsprop_viz.sweep` returned for ``metric``, one axis per grid key.
    diverged : array_like or None
        Same shape: True, or a step >= 0 (``metric="diverged"``), where the run diverged.
        None: NaN or inf values mark the diverged runs.
    metric : {"final", "best", "steps", "diverged"}
        Which metric ``values`` holds.
    best : BestCell, optional
        The result of :func:`rmsprop_viz.engine.sweeps.best_cell`.
    n_steps : int
        Steps per run (for the notes).
    target : float
        The loss at the minimum (the loss metrics show the gap above it).
    title : str
        Title above the plot.
    color : str
        Colour of a 1-D sweep's curve.
    figsize, dpi
        Size of the figure.

    Returns
    -------
    Figure
        A figure with an Agg canvas, ready for ``savefig``.

    Examples
    --------
    >>> import numpy as np, rmsprop_viz as rv
    >>> from rmsprop_viz.engine.sweeps import best_cell
    >>> grid = {"lr": np.geomspace(0.01, 1, 5), "beta": [0.5, 0.9]}
    >>> final = rv.sweep(rv.Quadratic(), rv.rmsprop, grid, n_steps=50)
    >>> fig = sweep_figure(grid, final, None, "final", best_cell(final), n_steps=50)
    >>> len(fig.axes)   # the map and its colour bar
    2
    """
    if metric not in SWEEP_METRICS:
        raise ValueError(f"metric must be one of {', '.join(SWEEP_METRICS)}, got {metric!r}")
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 2:
        raise ValueError(f"grid must map one or two parameter names to their values, got {grid!r:.80}")
    names = list(grid)
    axes_values = [np.atleast_1d(np.asarray(grid[name], dtype=np.float64)) for name in names]
    for name, axis in zip(names, axes_values):
        if axis.ndim != 1 or not np.isfinite(axis).all() or (axis.size > 1 and not (np.diff(axis) > 0).all()):
            raise ValueError(f"grid[{name!r}] must be finite and strictly increasing, got {axis!r:.80}")
    if not (axes_values[0] > 0).all():
        raise ValueError(f"grid[{names[0]!r}] is drawn on a log axis: its values must be > 0")
    array = np.asarray(values)
    shape = tuple(a.size for a in axes_values)
    if array.shape != shape:
        raise ValueError(f"values must have the grid's shape {shape}, got {array.shape}")
    if array.dtype.kind in "fc":
        with np.errstate(all="ignore"):
            dead = ~np.isfinite(array)
    else:
        dead = np.zeros(shape, dtype=bool)
    if diverged is not None:
        mask = np.asarray(diverged)
        if mask.shape != shape:
            raise ValueError(f"diverged must have the grid's shape {shape}, got {mask.shape}")
        dead = dead | (mask if mask.dtype == bool else mask >= 0)
    if metric == "diverged":
        dead = np.zeros(shape, dtype=bool)  # here divergence is the data, not a gap in it
    shown, other, label, log, empty = _sweep_data(array, dead, metric, target, n_steps)

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    index = getattr(best, "index", None)
    xs = axes_values[0]
    handles: list[Any] = []
    if len(names) == 2:
        ys = axes_values[1]
        x_edges, y_edges = _edges(xs, True), _edges(ys, False)
        if np.isfinite(shown).any():
            cmap = matplotlib.colormaps["viridis"]
            mesh = ax.pcolormesh(
                x_edges, y_edges, np.ma.masked_invalid(shown).T, cmap=cmap, norm=_norm(shown, log), shading="flat"
            )
            bar = fig.colorbar(mesh, ax=ax)
            bar.set_label(label, fontsize=FONT["label"] - 1)
            bar.ax.tick_params(labelsize=FONT["tick"])
        for cells, style, name in (
            (dead, DIVERGED_CELL, "diverged"),
            (other, OTHER_CELL, _other_name(metric, n_steps)),
        ):
            if cells.any():
                ax.pcolor(
                    x_edges,
                    y_edges,
                    np.ma.masked_where(~cells.T, np.ones(cells.T.shape)),
                    cmap=mcolors.ListedColormap([style["facecolor"]]),
                    hatch=style["hatch"],
                    edgecolor=style["edgecolor"],
                    linewidth=0.0,
                    shading="flat",
                )
                handles.append(_cell_handle(style, name))
        ax.set_xscale("log")
        ax.set_xlim(float(x_edges[0]), float(x_edges[-1]))
        ax.set_ylim(float(y_edges[0]), float(y_edges[-1]))
        ax.set_ylabel(names[1], fontsize=FONT["label"])
        if index is not None:
            ax.plot([xs[index[0]]], [ys[index[1]]], **BEST_STAR)
            handles.insert(0, _star_handle(best, names, axes_values))
    else:
        finite = np.isfinite(shown)
        if finite.any():
            # NaN where a run has no value: the line breaks there instead of bridging a gap.
            ax.plot(xs, shown, marker="o", markersize=4, color=color, linewidth=2, zorder=3)
            if log:
                ax.set_yscale("log")
        # Runs with no value on the scale are marked along the top, where an endless loss
        # or an unreached tolerance would be, never at the low end where a good value is;
        # a diverged learning rate is also a grey, hatched band, as in the 2-D map.
        edges = _edges(xs, True)
        for i in np.flatnonzero(dead):
            ax.axvspan(
                float(edges[i]),
                float(edges[i + 1]),
                facecolor=DIVERGED_CELL["facecolor"],
                hatch=DIVERGED_CELL["hatch"],
                edgecolor=DIVERGED_CELL["edgecolor"],
                linewidth=0.0,
                alpha=0.3,
                zorder=1,
            )
        for cells, style, name, height in (
            (dead, DIVERGED_CELL, "diverged", 0.97),
            (other, OTHER_CELL, _other_name(metric, n_steps), 0.97),
        ):
            if cells.any():
                ax.plot(
                    xs[cells],
                    np.full(int(cells.sum()), height),
                    linestyle="none",
                    marker="x" if cells is dead else "o",
                    markersize=8,
                    color="#555555",
                    markerfacecolor=style["facecolor"],
                    transform=ax.get_xaxis_transform(),
                    zorder=4,
                )
                handles.append(_cell_handle(style, name, marker="x" if cells is dead else "o"))
        ax.set_xscale("log")
        ax.set_xlim(*_edges(xs, True)[[0, -1]])
        ax.set_ylabel(label, fontsize=FONT["label"] - 1)
        if not finite.any():
            ax.set_yticks([])  # no value to read off: no meaningless scale
        ax.grid(True, which="major", alpha=0.3)
        if index is not None and np.isfinite(shown[index[0]]):
            ax.plot([xs[index[0]]], [shown[index[0]]], **BEST_STAR)
            handles.insert(0, _star_handle(best, names, axes_values))
    if not np.isfinite(shown).any():
        ax.text(
            0.5,
            0.5,
            empty,
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=FONT["label"],
            bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": "#555555"},
            zorder=7,
        )
    ax.set_xlabel(f"{names[0]} (learning rate)" if names[0] == "lr" else names[0], fontsize=FONT["label"])
    _tidy(ax)
    if handles:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncol=min(len(handles), 3),
            fontsize=FONT["legend"] - 1,
            frameon=False,
        )
    if title:
        set_title(ax, title, FONT["title"] - 2)
    if best is not None and metric != "diverged":
        rule = str(getattr(best, "rule", ""))
        text = f"★ = the {rule}" if index is not None else f"no star: no cell qualifies (the rule: {rule})"
        # Wrapped between words to the figure's width (about 0.6 em a character, a margin kept).
        size = FONT["note"] - 1
        fig.supxlabel(textwrap.fill(text, max(20, int(fig.get_figwidth() * 72 * 0.92 / (0.6 * size)))), fontsize=size)
    return fig


def _other_name(metric: str, n_steps: int) -> str:
    return f"tolerance not reached in {n_steps} steps" if metric == "steps" else f"no divergence in {n_steps} steps"


def _cell_handle(style: Mapping[str, Any], name: str, marker: str = "s") -> Any:
    from matplotlib.patches import Patch

    if marker != "s":
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=marker,
            markersize=8,
            color="#555555",
            markerfacecolor=style["facecolor"],
            label=name,
        )
    return Patch(facecolor=style["facecolor"], hatch=style["hatch"], edgecolor=style["edgecolor"], label=name)


def _star_handle(best: Any, names: Sequence[str], axes_values: Sequence[FloatArray]) -> Line2D:
    where = ", ".join(f"{name}={axis[i]:.3g}" for name, axis, i in zip(names, axes_values, best.index))
    return Line2D([], [], label=f"best: {where}", **BEST_STAR)


def _edges(centres: FloatArray, log: bool) -> FloatArray:
    if centres.size == 1:
        c = float(centres[0])
        # one cell: a factor of 2 either side on a log axis, else 5% of the value (at least 0.05)
        half = 0.05 * max(abs(c), 1.0)
        return np.array([c / 2, c * 2]) if log and c > 0 else np.array([c - half, c + half])
    if log:
        logs = np.log(centres)
        mids = (logs[1:] + logs[:-1]) / 2
        out: FloatArray = np.exp(np.concatenate([[2 * logs[0] - mids[0]], mids, [2 * logs[-1] - mids[-1]]]))
        return out
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mids[0]], mids, [2 * centres[-1] - mids[-1]]])


# ------------------------------------------------------------------------------ 3-D


def _height_function(log: bool, floor: float) -> Any:
    """``log10(f - f*)`` where the surface spans decades, else ``f``."""
    if log:
        return lambda v: np.log10(np.maximum(np.asarray(v, dtype=np.float64) - floor, 1e-12))
    return lambda v: np.asarray(v, dtype=np.float64)


def draw_surface_3d(ax: Any, surface: Surface, *, resolution: int = 80, title: bool = True) -> tuple[Any, Any]:
    """The surface as a 3-D mesh, log-scaled (``log10(f - f*)``) where it spans decades.

    Returns the mesh and the height function used, so paths can ride on the surface.
    """
    x, y, z = surface_grid(surface, resolution)
    floor = _floor(surface, z)
    log = _spans_decades(z, floor)
    height = _height_function(log, floor)
    with np.errstate(all="ignore"):
        h = np.asarray(height(z), dtype=np.float64)
    finite = h[np.isfinite(h)]
    bottom = float(finite.min()) if finite.size else 0.0
    top = float(np.percentile(finite, 99)) if finite.size else 1.0
    if not top > bottom:  # a constant surface: a flat sheet in the middle of the box
        bottom, top = bottom - 1.0, bottom + 1.0
        shown = np.where(np.isfinite(h), h, (bottom + top) / 2)
    else:
        shown = np.where(np.isfinite(h), np.minimum(h, top), top)
    mesh = ax.plot_surface(
        x,
        y,
        shown,
        cmap="Greys_r",
        alpha=0.55,
        linewidth=0,
        antialiased=True,
        rstride=1,
        cstride=1,
        vmin=bottom,
        vmax=top + 0.3 * abs(top) if top > 0 else top + 0.3 * (top - bottom),
    )
    ax.set_xlabel("x", fontsize=FONT["label"])
    ax.set_ylabel("y", fontsize=FONT["label"])
    ax.set_zlabel("log10(f − f*)" if log else "f", fontsize=FONT["label"])
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_zlim(bottom, top)
    if surface.minima:
        mx, my = np.asarray(surface.minima).T
        with np.errstate(all="ignore"):
            mz = np.asarray(height(np.asarray(surface.value(np.asarray(surface.minima)), dtype=np.float64)))
        ax.plot(mx, my, np.clip(np.where(np.isfinite(mz), mz, bottom), bottom, top), zorder=10, **MINIMUM)
    ax.view_init(elev=38, azim=-120)
    ax.tick_params(labelsize=FONT["tick"] - 2)
    if title:
        set_title(ax, _title(surface), pad=2)  # (a 3-D box's first layout leaves the title less room)
    return mesh, height


@dataclass
class Path3DArtists:
    """The artists of one optimizer's path on a 3-D surface: line, head, and divergence
    cross and note."""

    line: Any
    head: Any
    cross: Any
    note: Any

    @property
    def moving(self) -> list[Artist]:
        return [self.line, self.head, self.cross, self.note]


def draw_paths_3d(
    ax: Any,
    trajectories: Sequence[Trajectory],
    height: Any,
    *,
    labels: Sequence[str] | None = None,
    run: int = 0,
    zmax: float | None = None,
) -> list[Path3DArtists]:
    """Paths riding on a 3-D surface, with a marker at each head and, for a diverged run,
    a cross and "diverged at step k" where it left (as :func:`draw_paths` in 2-D)."""
    labels = list(labels) if labels is not None else [t.label for t in trajectories]
    out = []
    for label, style in zip(labels, _styles([t.label for t in trajectories])):
        (line,) = ax.plot([], [], [], color=style.color, linewidth=LINE_WIDTH, label=label, zorder=5)
        (head,) = ax.plot(
            [],
            [],
            [],
            marker=style.marker,
            color=style.color,
            markersize=MARKER_SIZE,
            markeredgecolor="black",
            linestyle="none",
            zorder=6,
        )
        (cross,) = ax.plot(
            [],
            [],
            [],
            color=style.color,
            zorder=8,  # above its note's box, which starts at the cross
            **DIVERGENCE_CROSS,
        )
        note = ax.text(
            0.0,
            0.0,
            0.0,
            "",
            fontsize=FONT["note"],
            color="black",
            zorder=7,
            clip_on=False,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": style.color, "alpha": 0.9},
        )
        note.set_visible(False)
        out.append(Path3DArtists(line, head, cross, note))
    update_paths_3d(out, trajectories, height, None, bounds=(ax.get_xlim(), ax.get_ylim()), run=run, zmax=zmax)
    return out


def update_paths_3d(
    artists: Sequence[Path3DArtists],
    trajectories: Sequence[Trajectory],
    height: Any,
    step: int | None,
    *,
    bounds: Any,
    run: int = 0,
    zmax: float | None = None,
) -> None:
    """Show the 3-D paths up to ``step``; a run that diverged by then ends in its cross."""
    (x0, x1), (y0, y1) = bounds
    gone: list[tuple[int, float, float, int]] = []  # (which, cross x, cross y, step)
    for i, (art, traj) in enumerate(zip(artists, trajectories)):
        k = traj.n_steps if step is None else min(int(step), traj.n_steps)
        xy = traj.params[: k + 1, run]
        with np.errstate(all="ignore"):
            z = np.asarray(height(traj.values[: k + 1, run]), dtype=np.float64)
            if zmax is not None:
                z = np.minimum(z, zmax)
            inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        ok = np.isfinite(xy).all(axis=1) & np.isfinite(z) & inside  # 3-D axes do not clip: drop what leaves
        art.line.set_data_3d(xy[ok, 0], xy[ok, 1], z[ok])
        d = int(traj.diverged_at[run])
        if 0 <= d <= k and art.line.get_visible():
            cx, cy = divergence_point(xy, d, bounds)
            last = _last_finite(xy, d)
            cz = float(z[last]) if last is not None and np.isfinite(z[last]) else float(zmax if zmax is not None else 0)
            art.head.set_data_3d([], [], [])
            art.cross.set_data_3d([cx], [cy], [cz])
            art.note.set_position_3d((cx, cy, cz))
            gone.append((i, cx, cy, d))
            continue
        if ok.any():
            last = int(np.flatnonzero(ok)[-1])
            art.head.set_data_3d([xy[last, 0]], [xy[last, 1]], [z[last]])
        else:
            art.head.set_data_3d([], [], [])
        art.cross.set_data_3d([], [], [])
        art.note.set_visible(False)
    # Crosses close together on the screen share one note, as in 2-D.
    where = [((cx - x0) / (x1 - x0), (cy - y0) / (y1 - y0)) for _, cx, cy, _ in gone]
    ax = artists[gone[0][0]].line.axes if gone else None
    if ax is not None and hasattr(ax, "get_proj"):
        projection = ax.get_proj()
        where = []
        for i, _, _, _ in gone:
            xs, ys, zs = artists[i].cross.get_data_3d()
            # (the 3-D axes' projection, as it draws: x' = M [x, y, z, 1], divided by w)
            vx, vy, _vz, vw = np.asarray(projection) @ np.array([float(xs[0]), float(ys[0]), float(zs[0]), 1.0])
            px, py = vx / vw, vy / vw
            fx, fy = ax.transAxes.inverted().transform(ax.transData.transform((px, py)))
            where.append((float(fx), float(fy)))
    for members in _note_groups(where):
        labels = [trajectories[gone[m][0]].label for m in members]
        note = artists[gone[members[0]][0]].note
        note.set_text("  " + _note_text(labels, [gone[m][3] for m in members]).replace("\n", "\n  "))
        note.set_visible(True)
        for m in members[1:]:
            artists[gone[m][0]].note.set_visible(False)


# ---------------------------------------------------------------- the race figure


class RaceFigure:
    """A race on one figure: the surface with every path, the loss curves and the
    per-coordinate step sizes, all showing the same step.

    Parameters
    ----------
    surface : Surface
        The surface the trajectories ran on.
    trajectories : mapping or sequence of Trajectory
        The race, e.g. the result of :func:`rmsprop_viz.race`.
    labels : sequence of str, optional
        Legend entries (default: each trajectory's label). Put the hyperparameters here.
    run : int
        Which run of each (batched) trajectory to show.
    panels : bool
        Add the loss and step-size panels beside the surface.
    three_d : bool
        Draw the surface in 3-D, the paths riding on it.
    figsize, dpi : optional
        Size of a new figure; 12.8 x 7.2 inches at 100 dpi by default (1280 x 720). ``dpi``
        in :data:`FIGURE_DPI_RANGE` (10 to 1000), sides up to :data:`MAX_FIGURE_INCHES`
        inches, at most :data:`MAX_FIGURE_PIXELS` pixels (4096 x 4096).
    figure : Figure, optional
        Draw into this figure (e.g. an interactive one) instead of a new one.
    title : str, optional
        Figure title (default: the surface and its formula).

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1), "RMSProp": rv.rmsprop(0.05)}, n_steps=50)
    >>> fig = RaceFigure(rv.Quadratic(), race)
    >>> _ = fig.show_frame(10)
    >>> fig.paths[0].line.get_xdata().shape
    (11,)
    """

    def __init__(
        self,
        surface: Surface,
        trajectories: Mapping[str, Trajectory] | Sequence[Trajectory],
        *,
        labels: Sequence[str] | None = None,
        run: int = 0,
        panels: bool = True,
        three_d: bool = False,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
        figure: Figure | None = None,
        title: str | None = None,
        legend: bool = True,
    ) -> None:
        trajs = list(trajectories.values()) if isinstance(trajectories, Mapping) else list(trajectories)
        if not trajs:
            raise ValueError("trajectories must hold at least one Trajectory")
        if not all(isinstance(t, Trajectory) for t in trajs):
            raise ValueError("trajectories must be Trajectory objects, e.g. the result of rv.race(...)")
        if not 0 <= run < min(t.runs for t in trajs):
            raise ValueError(f"run must be in [0, {min(t.runs for t in trajs) - 1}], got {run}")
        self.surface = surface
        self.trajectories = trajs
        self.run = run
        self.labels = list(labels) if labels is not None else [t.label for t in trajs]
        if len(self.labels) != len(trajs):
            raise ValueError(f"labels must have one entry per trajectory ({len(trajs)}), got {len(self.labels)}")
        self.n_steps = max(t.n_steps for t in trajs)
        if figure is None:
            default = (12.8, 7.2) if panels else (7.2, 6.4)
            size, resolution = _check_figure_size(default if figsize is None else figsize, dpi)
            figure = Figure(figsize=size, dpi=resolution, layout="constrained")
            FigureCanvasAgg(figure)
        self.fig = figure
        self.three_d = three_d

        if panels:
            grid = figure.add_gridspec(2, 2, width_ratios=(1.35, 1.0))
            main_spec, loss_spec, step_spec = grid[:, 0], grid[0, 1], grid[1, 1]
        else:
            grid = figure.add_gridspec(1, 1)
            main_spec = grid[0, 0]
        self.paths: list[PathArtists] = []
        self.paths_3d: list[Path3DArtists] = []
        if three_d:
            self.ax = figure.add_subplot(main_spec, projection="3d")
            # The 3-D box shrinks to its aspect inside the place the layout gives it: keep it
            # at the top of that place, where the layout left room for the title.
            self.ax.set_anchor("N")
            self.surface_artists: Any = draw_surface_3d(self.ax, surface, title=title is None)
            self._height = self.surface_artists[1]
            self._zmax = self.ax.get_zlim()[1]
            self.paths_3d = draw_paths_3d(self.ax, trajs, self._height, labels=self.labels, run=run, zmax=self._zmax)
        else:
            self.ax = figure.add_subplot(main_spec)
            self.surface_artists = draw_surface(self.ax, surface, title=title is None)
            self.paths = draw_paths(self.ax, trajs, labels=self.labels, run=run)
        if title is not None:
            set_title(self.ax, title, **({"pad": 2} if three_d else {"y": TITLE_Y}))
        # Faded copies of the previous race's paths (see set_trajectories(ghost=True)).
        self.ghosts: list[Line2D] = []
        for p in self.paths:
            (ghost,) = self.ax.plot(
                [],
                [],
                color=p.line.get_color(),
                linestyle=p.line.get_linestyle(),
                linewidth=LINE_WIDTH - 0.8,
                alpha=0.3,
                zorder=2,
            )
            self.ghosts.append(ghost)
        self._legend = legend
        self.visible = [True] * len(trajs)
        self._update_legend()

        self.losses: CurveArtists | None = None
        self.steps: CurveArtists | None = None
        self.ax_loss: Axes | None = None
        self.ax_steps: Axes | None = None
        self.floor = _floor(surface, surface_grid(surface, 60)[2])
        if panels:
            self.ax_loss = figure.add_subplot(loss_spec)
            self.losses = draw_losses(self.ax_loss, trajs, self.floor, run=run)
            self.ax_steps = figure.add_subplot(step_spec)
            self.steps = draw_step_sizes(self.ax_steps, trajs, run=run)
        self.counter = (
            # (top left: the 3-D box's tick labels reach into the corners below)
            self.ax.text2D(0.02, 0.98, "", transform=self.ax.transAxes, fontsize=FONT["label"], va="top")
            if three_d
            else self.ax.text(
                0.0,
                0.0,
                "",
                # Below the window's bottom-left corner, in the row of the x label: no cross
                # or note in the window can cover it.
                transform=self.ax.transAxes
                + mtransforms.ScaledTranslation(0, -COUNTER_DROP / 72, figure.dpi_scale_trans),
                va="top",
                fontsize=FONT["label"],
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "alpha": 0.85},
                # Over the paths, start circles and minima (an export keeps those drawn under
                # it), under the moving markers and the notes.
                zorder=5.5,
            )
        )
        # The step number is padded to the width of the last one, so that the counter's box
        # keeps its size, with figure spaces (as wide as a digit) where its font has them.
        self._pad = FIGURE_SPACE if _has_glyph(self.counter, FIGURE_SPACE) else " "
        self.show_frame(self.n_steps)

    @property
    def animated_artists(self) -> list[Artist]:
        """Every artist that :meth:`show_frame` changes."""
        moving: list[Artist] = [self.counter]
        for p in self.paths:
            moving += p.moving
        for path in self.paths_3d:
            moving += path.moving
        for curves in (self.losses, self.steps):
            if curves is not None:
                moving += curves.moving
        return moving

    @property
    def growing_lines(self) -> list[Line2D]:
        """The lines that only grow as the step goes up: the paths and the curves.

        :meth:`show_frame` gives each the first points of what it holds at the last step
        (none, one, or more), so a frame at a later step only adds to each line. Exports use
        this to draw only the new part of each line; 3-D paths, which drop the points that
        leave the window, are not listed.
        """
        lines = [p.line for p in self.paths]
        for curves in (self.losses, self.steps):
            if curves is not None:
                lines += curves.lines
        return lines

    def show_frame(self, step: int) -> list[Artist]:
        """Show every panel at ``step`` (0 is the start); returns the artists changed."""
        step = int(min(max(step, 0), self.n_steps))
        self.current = step
        if self.three_d:
            update_paths_3d(
                self.paths_3d,
                self.trajectories,
                self._height,
                step,
                bounds=self.surface.bounds,
                run=self.run,
                zmax=self._zmax,
            )
        else:
            update_paths(self.paths, self.trajectories, step, run=self.run)
        if self.losses is not None:
            self.losses.show(step)
        if self.steps is not None:
            self.steps.show(max(step - 1, 0) if step else 0)
            if step == 0:
                for line in self.steps.lines:
                    line.set_data([], [])
        self.counter.set_text(f"step {str(step).rjust(len(str(self.n_steps)), self._pad)} / {self.n_steps}")
        return self.animated_artists

    def _legend_frame(self) -> Any:
        """The box the legend hangs from: the window in 2-D; in 3-D the box the layout gave
        the axes (the 3-D box inside it shrinks to its aspect after the layout, and a legend
        hung from that would fall below the figure)."""
        if not self.three_d:
            return self.ax.transAxes
        box = getattr(self.ax, "_originalPosition", None)  # updated in place by the layout
        if not isinstance(box, mtransforms.Bbox):
            return self.ax.transAxes
        return mtransforms.BboxTransformTo(mtransforms.TransformedBbox(box, self.fig.transSubfigure))

    def _update_legend(self) -> None:
        if not self._legend:
            return
        handles = [self.surface_artists.minima] if not self.three_d and self.surface_artists.minima else []
        lines = [p.line for p in self.paths] if self.paths else [p.line for p in self.paths_3d]
        shown = [(line, label) for line, label, on in zip(lines, self.labels, self.visible) if on]
        # Below the surface, outside it: the paths stay in view. Long labels (with their
        # hyperparameters) get a column of their own on a narrow figure.
        texts = [*(["minimum"] if handles else []), *(label for _, label in shown)]
        narrow = max(map(len, texts), default=0) * FONT["legend"] * 1.1 > self.fig.get_figwidth() * 72 * 0.55
        self.ax.legend(
            [*handles, *(line for line, _ in shown)],
            texts,
            loc="upper center",
            # Its top a fixed distance below the window (below the 2-D counter): in points,
            # so the layout engine finds it where it left it.
            bbox_to_anchor=(0.5, 0.0),
            bbox_transform=self._legend_frame()
            + mtransforms.ScaledTranslation(
                0, -(LEGEND_DROP if not self.three_d else 2) / 72, self.fig.dpi_scale_trans
            ),
            ncol=1 if narrow else 2,
            fontsize=FONT["legend"] - (2 if narrow else 0),
            frameon=False,
        )

    def set_visible(self, index: int, visible: bool, *, legend: bool = True) -> None:
        """Show or hide every artist of the ``index``-th optimizer, and (with ``legend``)
        its legend entry."""
        self.visible[index] = bool(visible)
        artists: list[Artist] = []
        if self.paths:
            artists += [*self.paths[index].moving, self.paths[index].start, self.ghosts[index]]
        if self.paths_3d:
            artists += self.paths_3d[index].moving
        for curves, per in ((self.losses, 1), (self.steps, 2)):
            if curves is not None:
                artists += curves.lines[index * per : (index + 1) * per]
                artists += [h for h in curves.heads[index * per : (index + 1) * per] if h is not None]
        for artist in artists:
            artist.set_visible(visible)
        if (self.paths or self.paths_3d) and visible:
            self.show_frame(self.current)  # the divergence note knows whether it should show
        if legend:
            self._update_legend()

    def set_trajectories(
        self,
        trajectories: Mapping[str, Trajectory] | Sequence[Trajectory],
        *,
        labels: Sequence[str] | None = None,
        ghost: bool = False,
        step: int | None = None,
        rescale: bool = True,
    ) -> None:
        """Show a new race of as many optimizers, changing only the artists' data.

        With ``ghost=True`` the paths shown so far stay behind as faded lines, so the
        effect of a change of hyperparameters is visible. The view shows ``step`` (the
        last step by default). With ``rescale=False`` the loss and step panels keep
        their ranges (so their tick labels, and any cached background, stay valid).
        """
        trajs = list(trajectories.values()) if isinstance(trajectories, Mapping) else list(trajectories)
        if len(trajs) != len(self.trajectories):
            raise ValueError(f"expected {len(self.trajectories)} trajectories, got {len(trajs)}")
        if ghost:
            for line, old in zip(self.ghosts, self.trajectories):
                line.set_data(old.params[:, self.run, 0], old.params[:, self.run, 1])
        else:
            for line in self.ghosts:
                line.set_data([], [])
        self.trajectories = trajs
        if labels is not None:
            self.labels = list(labels)
        self.n_steps = max(t.n_steps for t in trajs)
        for art, traj in zip(self.paths, trajs):
            art.start.set_data([traj.params[0, self.run, 0]], [traj.params[0, self.run, 1]])
        if self.losses is not None and self.ax_loss is not None:
            self.losses.data = [
                (np.arange(t.n_steps + 1, dtype=np.float64), loss_gap(t, self.floor, self.run)) for t in trajs
            ]
            if rescale:
                set_step_limits(self.ax_loss, self.n_steps)
                _log_limits(self.ax_loss, [gap for _, gap in self.losses.data])
        if self.steps is not None and self.ax_steps is not None:
            data = []
            for t in trajs:
                steps = np.arange(1, t.n_steps + 1, dtype=np.float64)
                for coord in (0, 1):
                    size = np.abs(t.updates[:, self.run, coord])
                    data.append((steps, np.where(size > 0, size, np.nan)))
            self.steps.data = data
            if rescale:
                set_step_limits(self.ax_steps, self.n_steps)
                _log_limits(self.ax_steps, [d for _, d in data])
        if labels is not None:
            self._update_legend()
        self.show_frame(self.n_steps if step is None else step)

    def _repr_png_(self) -> bytes:
        """Notebooks show a RaceFigure as its picture."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        return buffer.getvalue()

    def frame_steps(self, frames: int | None = None) -> list[int]:
        """The steps shown by ``frames`` evenly spaced frames (all steps when ``None``)."""
        if frames is None or frames >= self.n_steps + 1:
            return list(range(self.n_steps + 1))
        if frames < 2:
            return [self.n_steps]
        return [int(s) for s in np.round(np.linspace(0, self.n_steps, frames))]


class FrameRenderer:
    """Draw frames of a :class:`RaceFigure` fast: the static part once, then only what moves.

    Three layers: the static figure (contours, axes, tick labels), drawn by
    :meth:`capture`; the ``per_race`` artists, which change only when a new race is shown
    (legend, ghosts, start markers); and the figure's ``animated_artists``, which change
    every frame. :meth:`render` restores the pixels of the layers below and draws only
    what changed. Call :meth:`capture` again (or set ``background = None``) when
    something static changes; call :meth:`new_race` after
    :meth:`RaceFigure.set_trajectories`. The artists stay ordinary artists, so a full
    ``canvas.draw()`` elsewhere (a resize in a notebook, ``savefig``) still shows them.

    Parameters
    ----------
    race : RaceFigure
        The figure to draw.
    per_race : sequence of Artist
        Artists that change with each race but not between frames.
    """

    def __init__(self, race: RaceFigure, per_race: Sequence[Artist] = ()) -> None:
        self.race = race
        self.per_race = list(per_race)
        self.background: Any = None
        self._race_layer: Any = None
        self._size: tuple[int, int] | None = None

    @property
    def moving(self) -> list[Artist]:
        """Every artist that is not static."""
        return [*self.race.animated_artists, *self.per_race]

    @property
    def stale(self) -> bool:
        """True when :meth:`capture` must run before the next :meth:`render`."""
        return self.background is None or self._size != self.race.fig.canvas.get_width_height()

    def capture(self) -> None:
        """Render the static part of the figure and keep its pixels."""
        fig = self.race.fig
        moving = self.moving
        flags = [a.get_animated() for a in moving]
        for artist in moving:
            artist.set_animated(True)  # excluded from a full draw
        try:
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
        if self.stale:
            self.capture()
        canvas: Any = self.race.fig.canvas
        if self._race_layer is None:
            canvas.restore_region(self.background)
            self._draw(self.per_race)
            self._race_layer = canvas.copy_from_bbox(self.race.fig.bbox)
        canvas.restore_region(self._race_layer)
        self._draw(self.race.animated_artists)
