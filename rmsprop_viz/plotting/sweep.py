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
from rmsprop_viz.plotting.style import FONT, MINIMUM, draw_minimum, set_title, tidy

__all__ = [
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
        marker = draw_minimum(ax, [current[0]], [current[1]], markersize=STAR_SIZE)
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    tidy(ax)
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
#: Size of the star on the best cell (the minimum's star, a little larger).
STAR_SIZE = 20


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
    color: str = KINDS["rmsprop"].style.color,
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
            draw_minimum(ax, [xs[index[0]]], [ys[index[1]]], markersize=STAR_SIZE, zorder=6)
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
            draw_minimum(ax, [xs[index[0]]], [shown[index[0]]], markersize=STAR_SIZE, zorder=6)
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
