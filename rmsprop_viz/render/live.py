"""What the explorer's live canvas needs from a race figure: a still background and the
arrays that move. This module is the Python home of the canvas's wire contract.

Matplotlib draws what does not move (contours, axes, ticks, titles, the legend) once, as a
PNG; the browser draws what moves (paths, heads, starts, ghosts, curves, divergence marks)
on a canvas laid exactly over it. Only arrays cross the wire, as float32 bytes.

The background (:func:`background`)
    ``png`` (bytes), ``size`` ``(width, height)`` in figure pixels, and ``panels``: name ->
    ``{"box": [x0, y0, x1, y1], "xlim": [a, b], "ylim": [a, b], "xscale": "linear" | "log",
    "yscale": ...}``, the box in figure pixels counted from the TOP-LEFT corner. Names:
    ``"surface"``, ``"loss"``, ``"step_x"``, ``"step_y"`` (a race), ``"map"`` (a sensitivity
    figure). A data point ``(x, y)`` of a linear panel is drawn at pixel

    .. math:: p_x = x_0 + (x_1 - x_0) \\frac{x - a_x}{b_x - a_x}, \\qquad
              p_y = y_1 - (y_1 - y_0) \\frac{y - a_y}{b_y - a_y},

    and of a log axis with :math:`\\log_{10}` of the value and of the limits in their place.

The race (:func:`race_payload`)
    ``runs``: one dict per optimizer, ``{"key", "label", "color" (css hex), "width" (px),
    "dash" (list of px, ``[]`` solid), "marker" (matplotlib code), "marker_size" (px),
    "visible", "n_steps", "diverged_at" (-1: none), "offset"}``, plus what the canvas needs to
    draw it as the export does: ``"edge_color"``, ``"edge_width"`` (px, the head's edge),
    ``"start_size"``, ``"start_edge_width"``, ``"cross_size"`` (px), ``"cross"`` (``[x, y]``
    where the export puts the divergence cross, or ``None``), ``"loss_width"``,
    ``"loss_dash"``, ``"loss_marker_size"``, ``"step_width"``, ``"step_dash"``,
    ``"step_alpha"``, ``"loss_edge_width"``, ``"font_px"`` (the divergence note's font) and
    ``"px_per_pt"`` (pixels per point).
    ``data``: float32 little-endian; per run, from its ``offset``: ``n + 1`` x, ``n + 1`` y
    (the path), ``n + 1`` loss-panel values (f - f*, NaN where nothing is drawn), ``n``
    values of ``|dx|`` for steps 1..n, ``n`` of ``|dy|`` (NaN where zero), ``n = n_steps``.

The ghosts (:func:`ghost_payload`)
    ``ghost_runs``: ``{"color", "width", "dash", "alpha", "n", "offset"}`` and float32 bytes:
    ``n`` x then ``n`` y per ghost (the previous race's paths, faded).

Frame ``k`` shows every path up to point ``k``, its head at ``k``, the loss curve up to
``k`` and the step curves up to step ``k``, as :meth:`RaceFigure.show_frame` does.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib import colors as mcolors
from matplotlib import rcParams
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from rmsprop_viz.plotting.paths import divergence_point
from rmsprop_viz.plotting.race import RaceFigure
from rmsprop_viz.plotting.style import FONT, styles_for

__all__ = [
    "MAX_LIVE_POINTS",
    "MAX_LIVE_RUNS",
    "Background",
    "background",
    "dash_pixels",
    "figure_background",
    "ghost_payload",
    "panel_geometry",
    "race_payload",
]

#: Runs one payload may hold, at most.
MAX_LIVE_RUNS = 64
#: Points of one run's path (steps + 1), at most.
MAX_LIVE_POINTS = 20_001

#: The rcParams holding the dash pattern of each named line style.
_NAMED_DASHES = {
    "--": "lines.dashed_pattern",
    "dashed": "lines.dashed_pattern",
    ":": "lines.dotted_pattern",
    "dotted": "lines.dotted_pattern",
    "-.": "lines.dashdot_pattern",
    "dashdot": "lines.dashdot_pattern",
}


@dataclass(frozen=True)
class Background:
    """The still picture under the live canvas: the PNG, its size in pixels (width,
    height) and each panel's pixel box (from the top-left) with its limits and scales."""

    png: bytes
    size: tuple[int, int]
    panels: dict[str, dict[str, Any]]


def panel_geometry(ax: Axes, height: float) -> dict[str, Any]:
    """The box of ``ax`` in figure pixels from the top-left (in a figure ``height`` pixels
    high), its limits and scales, as the wire contract writes them. The figure must have
    been drawn (a constrained layout places the axes when it draws)."""
    box = ax.get_window_extent()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    return {
        "box": [float(box.x0), float(height - box.y1), float(box.x1), float(height - box.y0)],
        "xlim": [float(xlim[0]), float(xlim[1])],
        "ylim": [float(ylim[0]), float(ylim[1])],
        "xscale": "log" if ax.get_xscale() == "log" else "linear",
        "yscale": "log" if ax.get_yscale() == "log" else "linear",
    }


def figure_background(
    fig: Figure, axes: dict[str, Axes], hidden: Sequence[Artist] = (), *, dpi: float | None = None
) -> Background:
    """Draw ``fig`` with the ``hidden`` artists out of sight (their visibility is restored
    exactly afterwards) and return the picture with the geometry of the named ``axes``."""
    was = [artist.get_visible() for artist in hidden]
    own_dpi = fig.dpi
    for artist in hidden:
        artist.set_visible(False)
    try:
        if dpi is not None:
            fig.set_dpi(dpi)
        canvas: Any = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        # The whole figure at its own dpi, no tight bounding box: the pixel boxes read
        # below are those of the picture.
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        height, width = pixels.shape[:2]
        panels = {name: panel_geometry(ax, height) for name, ax in axes.items()}
    finally:
        for artist, visible in zip(hidden, was):
            artist.set_visible(visible)
        if dpi is not None:
            fig.set_dpi(own_dpi)
    return Background(buffer.getvalue(), (width, height), panels)


def background(race: RaceFigure, *, dpi: float | None = None) -> Background:
    """The race figure without anything that moves: contours, axes, titles and legend.

    Hidden while it is drawn: :attr:`RaceFigure.moving` (paths, heads, crosses, notes,
    curves and their heads), the ghosts and every start mark. Their visibility is put back
    exactly as it was.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> race = RaceFigure(rv.Quadratic(), rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=5), dpi=20)
    >>> still = background(race)
    >>> still.size, sorted(still.panels)[0], still.png[:4]
    ((256, 144), 'loss', b'\\x89PNG')
    """
    if race.three_d:
        raise ValueError("race must be a 2-D RaceFigure (three_d=False) for the live canvas")
    hidden = [*race.moving, *race.ghosts, *(p.start for p in race.paths)]
    return figure_background(race.fig, race.panel_axes, hidden, dpi=dpi)


def _pixels(fig: Figure, dpi: float | None = None) -> float:
    """Pixels per point in ``fig`` (drawn at ``dpi``, default its own)."""
    return float(fig.dpi if dpi is None else dpi) / 72.0


def dash_pixels(linestyle: Any, linewidth: float, px_per_point: float) -> list[float]:
    """The dash pattern of a matplotlib ``linestyle`` drawn ``linewidth`` points wide, in
    pixels (``[]``: solid), as matplotlib draws it: a named style takes its pattern from
    ``rcParams["lines.<name>_pattern"]``; patterns are multiplied by the line width when
    ``rcParams["lines.scale_dashes"]`` is set; then points become pixels.

    >>> dash_pixels("-", 2.0, 1.0)
    []
    >>> [round(v, 3) for v in dash_pixels((0, (4, 1.5)), 2.0, 100 / 72)]  # 4 * 2 * 100 / 72, ...
    [11.111, 4.167]
    """
    if isinstance(linestyle, str):
        if linestyle in ("-", "solid", "None", "none", " ", ""):
            return []
        pattern = list(rcParams[_NAMED_DASHES[linestyle]])  # type: ignore[index]
    else:
        pattern = list(linestyle[1]) if linestyle[1] is not None else []
    scale = linewidth if rcParams["lines.scale_dashes"] else 1.0
    return [float(v) * scale * px_per_point for v in pattern]


def _hex(color: Any) -> str:
    return str(mcolors.to_hex(color))


def _check_sizes(race: RaceFigure) -> None:
    if race.three_d:
        raise ValueError("race must be a 2-D RaceFigure (three_d=False) for the live canvas")
    if len(race.trajectories) > MAX_LIVE_RUNS:
        raise ValueError(f"race must hold at most MAX_LIVE_RUNS = {MAX_LIVE_RUNS} runs, got {len(race.trajectories)}")
    longest = max(t.n_steps for t in race.trajectories) + 1
    if longest > MAX_LIVE_POINTS:
        raise ValueError(f"each run must have at most MAX_LIVE_POINTS = {MAX_LIVE_POINTS} points, got {longest}")


def _curves(race: RaceFigure, index: int, n: int) -> tuple[npt.NDArray[np.float64], ...]:
    """The loss-panel values and the step sizes of run ``index`` as the figure holds them."""
    nan = np.full(n + 1, np.nan)
    loss = race.losses.data[index][1] if race.losses is not None else nan
    if race.steps is not None:
        dx, dy = race.steps.data[2 * index][1], race.steps.data[2 * index + 1][1]
    else:
        dx = dy = nan[:n]
    return loss, dx, dy


def race_payload(
    race: RaceFigure, keys: Sequence[str] | None = None, *, dpi: float | None = None
) -> tuple[list[dict[str, Any]], bytes]:
    """The runs of ``race`` as the live canvas draws them: a dict per run and the float32
    bytes of their arrays (see the module's docstring for both formats).

    The arrays are the figure's own (its trajectories' run ``race.run``, its loss and step
    curves), the styles its artists' (colour, width, marker) and its kinds' (dashes), so
    that the canvas shows what an export of the figure shows. ``keys`` name the runs
    (default: their labels); sizes in pixels at ``dpi`` (default: the figure's, as for
    :func:`background`). At most :data:`MAX_LIVE_RUNS` runs of at most
    :data:`MAX_LIVE_POINTS` points each.

    >>> import rmsprop_viz as rv
    >>> trajs = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=4)
    >>> runs, data = race_payload(RaceFigure(rv.Quadratic(), trajs, dpi=20))
    >>> runs[0]["key"], runs[0]["n_steps"], len(data) // 4 == 3 * 5 + 2 * 4
    ('SGD', 4, True)
    """
    _check_sizes(race)
    keys = list(keys) if keys is not None else list(race.labels)
    if len(keys) != len(race.trajectories):
        raise ValueError(f"keys must have one entry per run ({len(race.trajectories)}), got {len(keys)}")
    px = _pixels(race.fig, dpi)
    styles = styles_for([t.kind for t in race.trajectories])
    runs: list[dict[str, Any]] = []
    chunks: list[npt.NDArray[np.float32]] = []
    offset = 0
    for i, (traj, style, key) in enumerate(zip(race.trajectories, styles, keys)):
        n = int(traj.n_steps)
        xy = np.asarray(traj.params[:, race.run], dtype=np.float64)
        loss, dx, dy = _curves(race, i, n)
        path = race.paths[i]
        d = int(traj.diverged_at[race.run])
        cross = None
        if d >= 0:
            ax = race.ax
            cx, cy = divergence_point(xy, d, (ax.get_xlim(), ax.get_ylim()))
            cross = [cx, cy]
        width = float(path.line.get_linewidth())
        run: dict[str, Any] = {
            "key": str(key),
            "label": str(race.labels[i]),
            "color": _hex(path.line.get_color()),
            "width": width * px,
            "dash": dash_pixels(style.linestyle, width, px),
            "marker": str(path.head.get_marker()),
            "marker_size": float(path.head.get_markersize()) * px,
            "visible": bool(race.visible[i]),
            "n_steps": n,
            "diverged_at": d,
            "offset": offset,
            "edge_color": _hex(path.head.get_markeredgecolor()),
            "edge_width": float(path.head.get_markeredgewidth()) * px,
            "start_size": float(path.start.get_markersize()) * px,
            "start_edge_width": float(path.start.get_markeredgewidth()) * px,
            "cross_size": float(path.cross.get_markersize()) * px,
            "cross": cross,
            "font_px": float(FONT["note"]) * px,
            "px_per_pt": px,
        }
        run.update(_curve_style(race, i, style.linestyle, px))
        if i < len(race.ghosts):  # how this run looks as the next race's ghost
            ghost_width = float(race.ghosts[i].get_linewidth())
            run["ghost_width"] = ghost_width * px
            run["ghost_dash"] = dash_pixels(style.linestyle, ghost_width, px)
            alpha = race.ghosts[i].get_alpha()
            run["ghost_alpha"] = 0.3 if alpha is None else float(alpha)
        runs.append(run)
        chunk = np.concatenate([xy[:, 0], xy[:, 1], loss[: n + 1], dx[:n], dy[:n]]).astype("<f4")
        chunks.append(chunk)
        offset += chunk.size
    data = np.concatenate(chunks).tobytes() if chunks else b""
    return runs, data


def _curve_style(race: RaceFigure, index: int, linestyle: Any, px: float) -> dict[str, Any]:
    """Widths, dashes and marker size of run ``index``'s loss and step curves."""
    found: dict[str, Any] = {}
    if race.losses is not None:
        line = race.losses.lines[index]
        head = race.losses.heads[index]
        found["loss_width"] = float(line.get_linewidth()) * px
        found["loss_dash"] = dash_pixels(linestyle, float(line.get_linewidth()), px)
        found["loss_marker_size"] = float(head.get_markersize()) * px if head is not None else 0.0
        found["loss_edge_width"] = float(head.get_markeredgewidth()) * px if head is not None else 0.0
    if race.steps is not None:
        step_line: Line2D = race.steps.lines[2 * index]
        found["step_width"] = float(step_line.get_linewidth()) * px
        found["step_dash"] = dash_pixels(linestyle, float(step_line.get_linewidth()), px)
        alpha = step_line.get_alpha()
        found["step_alpha"] = 1.0 if alpha is None else float(alpha)
    return found


def ghost_payload(race: RaceFigure, *, dpi: float | None = None) -> tuple[list[dict[str, Any]], bytes]:
    """The faded paths of the previous race that ``race`` shows
    (:meth:`RaceFigure.set_trajectories` with ``ghost=True``): a dict per ghost with data
    and float32 bytes, ``n`` x then ``n`` y each; ghosts with no points are left out."""
    _check_sizes(race)
    px = _pixels(race.fig, dpi)
    styles = styles_for([t.kind for t in race.trajectories])
    ghosts: list[dict[str, Any]] = []
    chunks: list[npt.NDArray[np.float32]] = []
    offset = 0
    for line, style in zip(race.ghosts, styles):
        x = np.asarray(line.get_xdata(orig=True), dtype=np.float64)
        y = np.asarray(line.get_ydata(orig=True), dtype=np.float64)
        if x.size == 0 or not line.get_visible():  # (a run that is off has no ghost)
            continue
        if x.size > MAX_LIVE_POINTS:
            raise ValueError(f"each ghost must have at most MAX_LIVE_POINTS = {MAX_LIVE_POINTS} points, got {x.size}")
        width = float(line.get_linewidth())
        alpha = line.get_alpha()
        ghosts.append(
            {
                "color": _hex(line.get_color()),
                "width": width * px,
                "dash": dash_pixels(style.linestyle, width, px),
                "alpha": 0.3 if alpha is None else float(alpha),
                "n": int(x.size),
                "offset": offset,
            }
        )
        chunks.append(np.concatenate([x, y]).astype("<f4"))
        offset += 2 * x.size
    return ghosts, (np.concatenate(chunks).tobytes() if chunks else b"")
