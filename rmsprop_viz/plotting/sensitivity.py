r"""A :class:`~rmsprop_viz.engine.sensitivity.SensitivityMap` as a picture: learning rate
:math:`\alpha` across (log axis), the decay up the side in :math:`\log(1-\beta)` (0, 0.5,
0.9, 0.99, 0.999 equally spaced), the final loss gap :math:`f - f^*` as colour (log
scale), diverged cells grey and crossed, never on the colour scale, the best cell starred.

The map is drawn in *data units* that the browser's live canvas shares
(:func:`map_edges`): x is the learning rate, y is :func:`.sensitivity.memory_of` of the
decay (:math:`-\log_{10}(1-\beta)`; a map without a decay has one row from 0 to 1).
:func:`draw_sensitivity_frame` draws what does not change (axes, ticks, labels, colour
bar, title, legend), :func:`cell_colours` the cells' colours with the same colour map and
norm as :func:`draw_sensitivity`, so that a canvas painting those colours into the frame
shows what the full figure shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.sensitivity import SensitivityMap, memory_of
from rmsprop_viz.plotting.style import FONT, MINIMUM, draw_minimum, set_title, style_for, tidy
from rmsprop_viz.plotting.surface import surface_title
from rmsprop_viz.plotting.sweep import DIVERGED_CELL, STAR_SIZE

__all__ = [
    "COLORMAP",
    "CURRENT",
    "DECAY_LABELS",
    "DECAY_TICKS",
    "DIVERGED_RGBA",
    "LEGEND_DROP_PT",
    "SensitivityArtists",
    "cell_colours",
    "cell_point",
    "decay_label",
    "draw_sensitivity",
    "draw_sensitivity_frame",
    "map_edges",
    "sensitivity_figure",
    "sensitivity_norm",
]

FloatArray = npt.NDArray[np.float64]

#: The colour map of the loss gap (dark: small gap, good), as in the sweep figures.
COLORMAP = "viridis"
#: A diverged cell's colour, as RGBA bytes: the grey of the sweep figures' diverged cells.
DIVERGED_RGBA = tuple(round(255 * c) for c in mcolors.to_rgba(DIVERGED_CELL["facecolor"]))
#: How the setting in use is marked: a ring in the optimizer's colour (edge colour set per map).
CURRENT: dict[str, Any] = {
    "marker": "o",
    "markersize": STAR_SIZE,
    "markerfacecolor": "none",
    "markeredgewidth": 3.0,
    "linestyle": "none",
}
#: How far below the axes the legend starts, in points: past the tick labels and the axis label.
LEGEND_DROP_PT = 2.4 * (FONT["tick"] + FONT["label"])
#: Decays given a tick on the side, where they fall inside the map.
DECAY_TICKS = (0.0, 0.5, 0.9, 0.99, 0.999, 0.9999)
#: The side's label per decay parameter.
DECAY_LABELS = {
    "beta": "β, decay of the average of g²",
    "beta2": "β₂, decay of Adam's average of g²",
    "momentum": "momentum μ, decay of the velocity",
}


@dataclass
class SensitivityArtists:
    """What :func:`draw_sensitivity` or :func:`draw_sensitivity_frame` made (None where
    nothing of the kind was drawn)."""

    colorbar: Any
    legend: Any
    mesh: Any = None  # the cells' colours (draw_sensitivity only)
    diverged: Any = None  # the grey, crossed cells
    best: Line2D | None = None  # the star
    current: Line2D | None = None  # the ring on the setting in use


def decay_label(decay: str | None) -> str:
    """The label of a map's side for the decay parameter ``decay``.

    >>> decay_label("beta")
    'β, decay of the average of g²'
    >>> decay_label(None)
    'no decay: one row'
    """
    return "no decay: one row" if decay is None else DECAY_LABELS.get(decay, decay)


def map_edges(smap: SensitivityMap) -> tuple[FloatArray, FloatArray]:
    """The cells' edges in data units: ``nx + 1`` learning rates (midway between
    neighbours on a log scale, as far again at the ends) and ``ny + 1`` values of
    :func:`.sensitivity.memory_of` (midway on that scale); ``[0, 1]`` for one row.

    >>> import numpy as np
    >>> from rmsprop_viz.engine.sensitivity import SensitivityMap
    >>> x, y = map_edges(SensitivityMap("rmsprop", "beta", np.array([0.01, 0.1]), np.array([0.0, 0.9]),
    ...                  np.ones((2, 2)), -np.ones((2, 2), int), None, {}, 10, 1e-15, 0.0, None))
    >>> x.round(6).tolist(), y.round(6).tolist()
    ([0.003162, 0.031623, 0.316228], [-0.5, 0.5, 1.5])
    """
    return _edges(np.log10(smap.lrs), log=True), (
        np.array([0.0, 1.0]) if smap.decay is None else _edges(memory_of(smap.decays), log=False)
    )


def _edges(centres: FloatArray, log: bool) -> FloatArray:
    if centres.size == 1:
        edges: FloatArray = centres[0] + np.array([-0.5, 0.5])
    else:
        mids = (centres[1:] + centres[:-1]) / 2
        edges = np.concatenate([[2 * centres[0] - mids[0]], mids, [2 * centres[-1] - mids[-1]]])
    return 10.0**edges if log else edges


def sensitivity_norm(smap: SensitivityMap) -> mcolors.LogNorm:
    """The colour scale of ``smap``'s gaps: logarithmic, from the smallest to the largest
    finite value rounded out to whole decades (so the scale, and with it a live canvas's
    background, stays put while a slider moves the values within the same decades); a
    decade either side of 1 when no cell converged.

    >>> import numpy as np
    >>> from rmsprop_viz.engine.sensitivity import SensitivityMap
    >>> m = SensitivityMap("sgd", None, np.array([0.1, 0.2]), np.empty(0), np.array([[3e-5, 0.2]]),
    ...                    np.array([[-1, -1]]), None, {}, 10, 1e-15, 0.0, None)
    >>> norm = sensitivity_norm(m)
    >>> float(norm.vmin), float(norm.vmax)
    (1e-05, 1.0)
    """
    finite = smap.values[np.isfinite(smap.values) & (smap.values > 0)]
    if not finite.size:
        return mcolors.LogNorm(vmin=0.1, vmax=10.0)
    low, high = np.floor(np.log10(finite.min())), np.ceil(np.log10(finite.max()))
    if not high > low:
        high = low + 1
    return mcolors.LogNorm(vmin=float(10.0**low), vmax=float(10.0**high))


def cell_colours(smap: SensitivityMap, norm: mcolors.Normalize | None = None) -> npt.NDArray[np.uint8]:
    """Each cell's colour as RGBA bytes, shape ``(ny, nx, 4)``, row 0 the first decay: the
    colour map and norm of :func:`draw_sensitivity` (:data:`COLORMAP`,
    :func:`sensitivity_norm` unless ``norm`` is given), diverged cells :data:`DIVERGED_RGBA`.

    >>> import numpy as np
    >>> from rmsprop_viz.engine.sensitivity import SensitivityMap
    >>> m = SensitivityMap("sgd", None, np.array([0.1, 0.2]), np.empty(0), np.array([[1e-3, np.nan]]),
    ...                    np.array([[-1, 7]]), None, {}, 10, 1e-15, 0.0, None)
    >>> cell_colours(m)[0, 1].tolist()
    [154, 154, 154, 255]
    """
    norm = sensitivity_norm(smap) if norm is None else norm
    dead = smap.diverged | ~np.isfinite(smap.values)
    with np.errstate(all="ignore"):
        scaled = np.ma.masked_invalid(np.asarray(norm(np.where(dead, np.nan, smap.values)), dtype=np.float64))
    rgba = np.asarray(matplotlib.colormaps[COLORMAP](scaled, bytes=True), dtype=np.uint8)
    rgba[dead] = DIVERGED_RGBA
    return rgba


def _colorbar_label(smap: SensitivityMap) -> str:
    label = f"f − f* after {smap.n_steps} steps"
    if np.any(smap.values <= smap.floor):
        label += f"\n(≤ {format_number(smap.floor)}: at the minimum)"
    return label


def draw_sensitivity_frame(
    ax: Axes,
    smap: SensitivityMap,
    *,
    norm: mcolors.Normalize | None = None,
    current_color: str | None = None,
    colorbar: bool = True,
) -> SensitivityArtists:
    """What does not move on ``smap``'s map: the axes in data units (:func:`map_edges`),
    ticks (a decay's value where its memory sits), labels, the colour bar of ``norm``
    (:func:`sensitivity_norm` by default), the title and a legend of the marks (the grey
    diverged cell, the star, and the ring of the current setting in ``current_color``, by
    default the optimizer's colour). No cells: the live canvas paints them
    (:func:`cell_colours`).
    """
    x_edges, y_edges = map_edges(smap)
    ax.set_xscale("log")
    ax.set_xlim(float(x_edges[0]), float(x_edges[-1]))
    ax.set_ylim(float(y_edges[0]), float(y_edges[-1]))
    ax.set_xlabel("learning rate α", fontsize=FONT["label"])
    ax.set_ylabel(decay_label(smap.decay), fontsize=FONT["label"])
    if smap.decay is None:
        ax.set_yticks([])
    else:
        ticks = [d for d in DECAY_TICKS if y_edges[0] <= memory_of(d) <= y_edges[-1]]
        ax.set_yticks([float(memory_of(d)) for d in ticks], [format_number(d, 4) for d in ticks])
    tidy(ax)
    art = SensitivityArtists(None, None)
    if colorbar:
        mappable = ScalarMappable(norm=sensitivity_norm(smap) if norm is None else norm, cmap=COLORMAP)
        art.colorbar = ax.figure.colorbar(mappable, ax=ax)
        art.colorbar.set_label(_colorbar_label(smap), fontsize=FONT["label"] - 1)
        art.colorbar.ax.tick_params(labelsize=FONT["tick"])
    set_title(
        ax, f"{smap.label}, {smap.metric} after {smap.n_steps} steps\n{surface_title(smap.surface)}", FONT["title"] - 1
    )
    color = style_for(smap.kind).color if current_color is None else current_color
    handles = [
        Line2D([], [], label="best (its worst neighbour is best)", **{**MINIMUM, "markersize": STAR_SIZE - 4}),
        Line2D([], [], label="current setting", markeredgecolor=color, **{**CURRENT, "markersize": STAR_SIZE - 6}),
        Patch(
            facecolor=DIVERGED_CELL["facecolor"], hatch=DIVERGED_CELL["hatch"], edgecolor="#555555", label="diverged"
        ),
    ]
    art.legend = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        # below the tick labels and the axis label, whatever the axes' height
        bbox_transform=ax.transAxes + ScaledTranslation(0, -LEGEND_DROP_PT / 72, ax.figure.dpi_scale_trans),
        borderaxespad=0.0,
        ncol=3,
        fontsize=FONT["legend"],
        frameon=False,
    )
    return art


def draw_sensitivity(
    ax: Axes,
    smap: SensitivityMap,
    *,
    current: tuple[float, float | None] | None = None,
    current_color: str | None = None,
    colorbar: bool = True,
) -> SensitivityArtists:
    """``smap`` as a full map on ``ax``, for notebooks and exports: the frame
    (:func:`draw_sensitivity_frame`), the cells coloured by their final loss gap (log
    scale, :func:`sensitivity_norm`), diverged cells grey and crossed (never on the
    colour scale), the best cell (``smap.best``) starred with
    :func:`~rmsprop_viz.plotting.style.draw_minimum`, and ``current`` (a setting
    ``(lr, decay)``) ringed in the optimizer's colour.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from matplotlib.figure import Figure
    >>> from rmsprop_viz.engine.sensitivity import sensitivity_map
    >>> smap = sensitivity_map(rv.Quadratic(), "rmsprop", size=(6, 4), n_steps=50, backend="numpy")
    >>> art = draw_sensitivity(Figure().add_subplot(), smap, current=(0.01, 0.9))
    >>> art.mesh.get_array().shape, art.best is not None
    ((4, 6), True)
    """
    norm = sensitivity_norm(smap)
    art = draw_sensitivity_frame(ax, smap, norm=norm, current_color=current_color, colorbar=colorbar)
    x_edges, y_edges = map_edges(smap)
    dead = smap.diverged | ~np.isfinite(smap.values)
    art.mesh = ax.pcolormesh(
        x_edges, y_edges, np.ma.masked_where(dead, smap.values), cmap=COLORMAP, norm=norm, shading="flat", zorder=1
    )
    if dead.any():
        art.diverged = ax.pcolor(
            x_edges,
            y_edges,
            np.ma.masked_where(~dead, np.ones(dead.shape)),
            cmap=mcolors.ListedColormap([DIVERGED_CELL["facecolor"]]),
            hatch=DIVERGED_CELL["hatch"],
            edgecolor=DIVERGED_CELL["edgecolor"],
            linewidth=0.0,
            shading="flat",
            zorder=1,
        )
    if smap.best.index is not None:
        x, y = cell_point(smap, *smap.best.index)
        art.best = draw_minimum(ax, [x], [y], markersize=STAR_SIZE, zorder=6)
    if current is not None:
        i, j = smap.cell_of(*current)
        x, y = cell_point(smap, i, j)
        color = style_for(smap.kind).color if current_color is None else current_color
        (art.current,) = ax.plot([x], [y], markeredgecolor=color, zorder=5, **CURRENT)
    return art


def sensitivity_figure(
    smap: SensitivityMap,
    *,
    frame_only: bool = False,
    current: tuple[float, float | None] | None = None,
    current_color: str | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: float = 100.0,
) -> Figure:
    """``smap`` as a figure with an Agg canvas: :func:`draw_sensitivity` (or, with
    ``frame_only``, :func:`draw_sensitivity_frame`) on one axes, in a constrained layout.
    ``figsize`` defaults to 9 x 6.5 inches, 9 x 3.5 for a map of one row.

    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.engine.sensitivity import sensitivity_map
    >>> smap = sensitivity_map(rv.Quadratic(), "sgd", size=(6, 4), n_steps=50, backend="numpy")
    >>> fig = sensitivity_figure(smap, frame_only=True)
    >>> len(fig.axes), len(fig.axes[0].collections)   # the map and its colour bar; no cells
    (2, 0)
    """
    if figsize is None:
        figsize = (9.0, 3.5) if smap.decay is None else (9.0, 6.5)
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if frame_only:
        draw_sensitivity_frame(ax, smap, current_color=current_color)
    else:
        draw_sensitivity(ax, smap, current=current, current_color=current_color)
    return fig


def cell_point(smap: SensitivityMap, i: int, j: int) -> tuple[float, float]:
    """Where cell ``(i, j)``'s setting sits in data units: its learning rate across and
    the :func:`.sensitivity.memory_of` its decay up (0.5, the row's middle, without a decay).
    """
    lr, decay = smap.setting(i, j)
    return lr, (0.5 if decay is None else float(memory_of(decay)))


def __dir__() -> list[str]:
    return sorted(__all__)
