"""A sweep of :func:`rmsprop_viz.sweep` as a picture: a map over a 2-D grid of settings or a
curve over a 1-D one, diverged runs hatched and never on the colour scale, the best cell
starred."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.best import cell_text
from rmsprop_viz.plotting.style import DIVERGENCE_CROSS, FONT, MINIMUM, draw_divergence, draw_minimum, set_title, tidy

__all__ = [
    "CROSS",
    "DIVERGED_CELL",
    "OTHER_CELL",
    "STAR_SIZE",
    "SWEEP_METRICS",
    "SweepArtists",
    "draw_sweep",
    "sweep_figure",
]

FloatArray = npt.NDArray[np.float64]


@dataclass
class SweepArtists:
    """What :func:`draw_sweep` made (None where it drew no such thing)."""

    mesh: Any  # the colour map of a 2-D sweep, or the curve of a 1-D one
    marker: Line2D | None  # the star on the best cell or the current setting
    colorbar: Any
    diverged: Any  # the hatched diverged cells of a 2-D sweep, or their crosses in 1-D


#: What :func:`sweep_figure` draws for each metric of :func:`rmsprop_viz.sweep`.
SWEEP_METRICS = ("final", "best", "steps", "diverged")
#: Cells that diverged: grey, hatched, never on the colour scale.
DIVERGED_CELL = {"facecolor": "#9a9a9a", "hatch": "xx", "edgecolor": "#555555"}
#: Cells that converged but never reached the tolerance (metric "steps"), or never diverged
#: (metric "diverged"): pale, dotted.
OTHER_CELL = {"facecolor": "#f2f2f2", "hatch": "..", "edgecolor": "#9a9a9a"}
#: Size of the star on the best cell (the minimum's star, a little larger).
STAR_SIZE = 20
#: How a 1-D sweep's diverged learning rates are crossed along the top (a divergence cross,
#: grey and smaller, as the cells it marks are not runs of the figure's optimizers).
CROSS: dict[str, Any] = {"markersize": 10, "markeredgecolor": "#555555", "markeredgewidth": 0.8}
#: How a 1-D sweep marks its other runs (tolerance not reached, or no divergence).
_OTHER_MARK: dict[str, Any] = {
    "linestyle": "none",
    "marker": "o",
    "markersize": 8,
    "color": "#555555",
    "markerfacecolor": OTHER_CELL["facecolor"],
}


def _resolution(target: float) -> float:
    """The smallest loss gap float64 resolves at a minimum of ``target``: 1e-15 x max(1, |target|)."""
    return 1e-15 * max(1.0, abs(target)) if math.isfinite(target) else 1e-15


def _sweep_data(
    values: npt.NDArray[Any], dead: npt.NDArray[np.bool_], metric: str, target: float, n_steps: int | None
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
            return shown, np.zeros_like(dead), label, True, f"every run diverged{_within(n_steps)}"
        steps = np.asarray(values)
        if metric == "steps":
            reached = ~dead & (steps >= 0)
            shown = np.where(reached, steps, np.nan).astype(np.float64)
            label = "steps to reach the tolerance"
            return shown, ~dead & ~reached, label, False, f"no run reached the tolerance{_within(n_steps)}"
        # metric "diverged": the diverged cells are the data
        gone = steps >= 0
        shown = np.where(gone, steps, np.nan).astype(np.float64)
        return shown, ~gone, "step at which the run diverged", False, f"no run diverged{_within(n_steps)}"


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


def _checked_axis(name: str, values: npt.ArrayLike, log: bool) -> FloatArray:
    axis = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if axis.ndim != 1 or not np.isfinite(axis).all() or (axis.size > 1 and not (np.diff(axis) > 0).all()):
        raise ValueError(f"grid[{name!r}] must be finite and strictly increasing, got {axis!r:.80}")
    if log and not (axis > 0).all():
        raise ValueError(f"grid[{name!r}] is drawn on a log axis: its values must be > 0")
    return axis


def draw_sweep(
    ax: Axes,
    values: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike | None = None,
    *,
    metric: str = "final",
    diverged: npt.ArrayLike | None = None,
    best: Any = None,
    current: tuple[float, float] | None = None,
    n_steps: int | None = None,
    target: float = 0.0,
    xlabel: str = "lr",
    ylabel: str = "beta",
    label: str | None = None,
    color: str = KINDS["rmsprop"].style.color,
    colorbar: bool = True,
) -> SweepArtists:
    """A sweep on ``ax``: a map of ``values[i, j]`` over ``x[i]`` (across, on a log axis)
    and ``y[j]`` (up), or a curve of ``values[i]`` over ``x[i]`` when ``y`` is None.

    Every cell says what happened to its run. A diverged cell is grey and hatched, with a
    legend entry, and is never on the colour scale: a NaN or inf cannot pass for a good
    value. For the losses (``metric`` "final" or "best") the colour is ``f - f*`` on a log
    scale, gaps below float64's resolution (``1e-15 * max(1, |target|)``) drawn at that
    value and the colour bar saying so. For "steps", runs that converged without reaching
    the tolerance are pale and dotted. For "diverged", the colour is the step of
    divergence and runs that did not diverge are pale. When no cell is on the scale the
    axes say so in words ("no run diverged within 500 steps") instead of showing a flat
    map. A star (:func:`~rmsprop_viz.plotting.style.draw_minimum`) marks ``best`` (a
    :class:`rmsprop_viz.engine.best.BestCell`, named in the legend) and ``current``.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    values : array_like
        What :func:`rmsprop_viz.sweep` returned for ``metric``: shape ``(len(x), len(y))``,
        or ``(len(x),)``.
    x, y : 1-D array_like
        The grid's values, finite and strictly increasing; ``x`` (a learning rate) > 0.
    metric : {"final", "best", "steps", "diverged"}
        Which metric ``values`` holds.
    diverged : array_like, optional
        Shape of ``values``: True, or a step >= 0, where the run diverged. None: NaN or inf
        values mark the diverged runs.
    best : BestCell, optional
        The result of :func:`rmsprop_viz.engine.best.best_cell`.
    current : (float, float), optional
        A setting to star on a map (the one in use, say).
    n_steps : int, optional
        Steps per run, for the notes ("no run diverged within 500 steps").
    target : float
        The loss at the minimum (the loss metrics show the gap above it).
    xlabel, ylabel : str
        The grid's keys (``lr`` is labelled "lr (learning rate)").
    label : str, optional
        What the colour (or the curve) shows; by default said by the metric.
    color : str
        Colour of a 1-D sweep's curve.
    colorbar : bool
        Add a colour bar beside a map.
    """
    if metric not in SWEEP_METRICS:
        raise ValueError(f"metric must be one of {', '.join(SWEEP_METRICS)}, got {metric!r}")
    xs = _checked_axis(xlabel, x, log=True)
    ys = None if y is None else _checked_axis(ylabel, y, log=False)
    array = np.asarray(values)
    shape = (xs.size,) if ys is None else (xs.size, ys.size)
    if array.shape != shape:
        raise ValueError(f"values must have shape {shape} (one axis per grid key), got {array.shape}")
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
    shown, other, said, log, empty = _sweep_data(array, dead, metric, target, n_steps)
    label = said if label is None else label
    index = getattr(best, "index", None)
    names = [xlabel] if ys is None else [xlabel, ylabel]
    axes_values = [xs] if ys is None else [xs, ys]
    art = SweepArtists(None, None, None, None)
    handles: list[Any] = []
    if ys is not None:
        x_edges, y_edges = _edges(xs, True), _edges(ys, False)
        if np.isfinite(shown).any():
            cmap = matplotlib.colormaps["viridis"]
            art.mesh = ax.pcolormesh(
                x_edges, y_edges, np.ma.masked_invalid(shown).T, cmap=cmap, norm=_norm(shown, log), shading="flat"
            )
            if colorbar:
                art.colorbar = ax.figure.colorbar(art.mesh, ax=ax)
                art.colorbar.set_label(label, fontsize=FONT["label"] - 1)
                art.colorbar.ax.tick_params(labelsize=FONT["tick"])
        for cells, style, name in (
            (dead, DIVERGED_CELL, "diverged"),
            (other, OTHER_CELL, _other_name(metric, n_steps)),
        ):
            if cells.any():
                cover = ax.pcolor(
                    x_edges,
                    y_edges,
                    np.ma.masked_where(~cells.T, np.ones(cells.T.shape)),
                    cmap=mcolors.ListedColormap([style["facecolor"]]),
                    hatch=style["hatch"],
                    edgecolor=style["edgecolor"],
                    linewidth=0.0,
                    shading="flat",
                )
                if cells is dead:
                    art.diverged = cover
                handles.append(_cell_handle(style, name))
        ax.set_xscale("log")
        ax.set_xlim(float(x_edges[0]), float(x_edges[-1]))
        ax.set_ylim(float(y_edges[0]), float(y_edges[-1]))
        ax.set_ylabel(ylabel, fontsize=FONT["label"])
        star = None if index is None else (xs[index[0]], ys[index[1]])
    else:
        finite = np.isfinite(shown)
        if finite.any():
            # NaN where a run has no value: the line breaks there instead of bridging a gap.
            (art.mesh,) = ax.plot(xs, shown, marker="o", markersize=4, color=color, linewidth=2, zorder=3)
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
        if dead.any():
            top = np.full(int(dead.sum()), 0.97)
            where = {"transform": ax.get_xaxis_transform(), "zorder": 4}
            art.diverged = draw_divergence(ax, xs[dead], top, color=DIVERGED_CELL["facecolor"], **CROSS, **where)
            handles.append(
                Line2D([], [], label="diverged", color=DIVERGED_CELL["facecolor"], **{**DIVERGENCE_CROSS, **CROSS})
            )
        if other.any():
            ax.plot(
                xs[other],
                np.full(int(other.sum()), 0.97),
                transform=ax.get_xaxis_transform(),
                zorder=4,
                **_OTHER_MARK,
            )
            handles.append(Line2D([], [], label=_other_name(metric, n_steps), **_OTHER_MARK))
        ax.set_xscale("log")
        ax.set_xlim(*_edges(xs, True)[[0, -1]])
        ax.set_ylabel(label, fontsize=FONT["label"] - 1)
        if not finite.any():
            ax.set_yticks([])  # no value to read off: no meaningless scale
        ax.grid(True, which="major", alpha=0.3)
        star = None if index is None or not np.isfinite(shown[index[0]]) else (xs[index[0]], shown[index[0]])
    if star is not None:
        art.marker = draw_minimum(ax, [star[0]], [star[1]], markersize=STAR_SIZE, zorder=6)
        handles.insert(0, _star_handle(best, names, axes_values))
    elif current is not None:
        art.marker = draw_minimum(ax, [current[0]], [current[1]], markersize=STAR_SIZE, zorder=6)
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
    ax.set_xlabel(f"{xlabel} (learning rate)" if xlabel == "lr" else xlabel, fontsize=FONT["label"])
    tidy(ax)
    if handles:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncol=min(len(handles), 3),
            fontsize=FONT["legend"] - 1,
            frameon=False,
        )
    return art


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
    color: str = KINDS["rmsprop"].style.color,
    figsize: tuple[float, float] = (8.0, 6.0),
    dpi: float = 100.0,
) -> Figure:
    """A sweep of :func:`rmsprop_viz.sweep` as a figure: :func:`draw_sweep` on a new figure,
    with a title and, under the plot, the rule that chose the best cell.

    Parameters
    ----------
    grid : mapping of str to 1-D array_like
        The sweep's grid, one or two keys; the first (the learning rate) is drawn across, on
        a log axis.
    values, diverged, metric, best, n_steps, target, color
        As for :func:`draw_sweep`.
    title : str
        Title above the plot.
    figsize, dpi
        Size of the figure.

    Returns
    -------
    Figure
        A figure with an Agg canvas, ready for ``savefig``.

    Examples
    --------
    >>> import numpy as np, rmsprop_viz as rv
    >>> from rmsprop_viz.engine.best import best_cell
    >>> grid = {"lr": np.geomspace(0.01, 1, 5), "beta": [0.5, 0.9]}
    >>> final = rv.sweep(rv.Quadratic(), rv.rmsprop, grid, n_steps=50)
    >>> fig = sweep_figure(grid, final, None, "final", best_cell(final), n_steps=50)
    >>> len(fig.axes)   # the map and its colour bar
    2
    """
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 2:
        raise ValueError(f"grid must map one or two parameter names to their values, got {grid!r:.80}")
    names = list(grid)
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    art = draw_sweep(
        ax,
        values,
        grid[names[0]],
        grid[names[1]] if len(names) == 2 else None,
        metric=metric,
        diverged=diverged,
        best=best,
        n_steps=n_steps,
        target=target,
        xlabel=names[0],
        ylabel=names[-1],
        color=color,
    )
    if title:
        set_title(ax, title, FONT["title"] - 2)
    if best is not None and metric != "diverged":
        rule = str(getattr(best, "rule", ""))
        text = f"★ = the {rule}" if art.marker is not None else f"no star: no cell qualifies (the rule: {rule})"
        # Wrapped between words to the figure's width (about 0.6 em a character, a margin kept).
        size = FONT["note"] - 1
        fig.supxlabel(textwrap.fill(text, max(20, int(fig.get_figwidth() * 72 * 0.92 / (0.6 * size)))), fontsize=size)
    return fig


def _within(n_steps: int | None, word: str = "within") -> str:
    """`` within 500 steps``, or nothing when the number of steps is not known."""
    return "" if n_steps is None else f" {word} {n_steps} steps"


def _other_name(metric: str, n_steps: int | None) -> str:
    within = _within(n_steps, "in")
    return f"tolerance not reached{within}" if metric == "steps" else f"no divergence{within}"


def _cell_handle(style: Mapping[str, Any], name: str) -> Patch:
    return Patch(facecolor=style["facecolor"], hatch=style["hatch"], edgecolor=style["edgecolor"], label=name)


def _star_handle(best: Any, names: Sequence[str], axes_values: Sequence[FloatArray]) -> Line2D:
    where = cell_text(dict(zip(names, axes_values)), best.index)  # as the command line prints it
    return Line2D([], [], label=f"best: {where}", **{**MINIMUM, "markersize": STAR_SIZE})


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
