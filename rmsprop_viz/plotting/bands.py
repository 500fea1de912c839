r"""Seed bands drawn: the mean path with its spread, and the loss band over the steps.

The bands come from :func:`rmsprop_viz.engine.bands.seed_band`; these functions only read
them. Each band is drawn in the colour and line style of its optimizer's kind
(:func:`rmsprop_viz.plotting.style.styles_for`), as every other figure draws it.

* :func:`draw_band_paths`: every seed's path as a thin faint line, the mean path
  :math:`\bar\theta_t` as a thick line, and at a few steps an ellipse of semi-axes
  :math:`\sigma_t` (the standard deviation over the seeds, per coordinate) around it.
* :func:`draw_loss_band`: the median of :math:`f - f^*` over the seeds as a line and the
  band between its two quantiles shaded, on a log axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Patch

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.bands import SeedBand
from rmsprop_viz.plotting.curves import set_log_limits, set_step_limits
from rmsprop_viz.plotting.paths import divergence_point
from rmsprop_viz.plotting.style import (
    DIVERGENCE_CROSS,
    FONT,
    LINE_WIDTH,
    TITLE_Y,
    draw_divergence,
    draw_start,
    set_title,
    styles_for,
    tidy,
)
from rmsprop_viz.plotting.surface import draw_surface

__all__ = ["MAX_ELLIPSES", "BandArtists", "band_figure", "band_label", "draw_band_paths", "draw_loss_band"]

FloatArray = npt.NDArray[np.float64]

#: The most spread ellipses drawn along one mean path.
MAX_ELLIPSES = 50
#: Smallest positive gap shown on the log axis (a run exactly at its minimum).
_GAP_FLOOR = 1e-16


@dataclass
class BandArtists:
    """What one band drew: its main line (the mean path or the median loss), the faint
    lines of its seeds, and the spread (ellipses, or the shaded loss band)."""

    line: Line2D
    seeds: list[Line2D] = field(default_factory=list)
    ellipses: list[Ellipse] = field(default_factory=list)
    fill: PolyCollection | None = None
    crosses: Line2D | None = None


def band_label(band: SeedBand) -> str:
    """The legend text of a band: its label, the number of seeds and of diverged seeds.

    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.engine.bands import seed_band
    >>> band_label(seed_band(rv.surfaces.Noisy(rv.Quadratic()), rv.sgd(0.1), seeds=range(3), n_steps=5))
    'SGD, 3 seeds'
    """
    n = len(band.seeds)
    text = f"{band.label}, {n} seed{'s' if n != 1 else ''}"
    return text + (f" ({band.n_diverged} diverged)" if band.n_diverged else "")


def _ellipse_steps(n_steps: int, ellipses: int) -> list[int]:
    """``ellipses`` steps spread evenly over 1 .. n_steps (none when 0).

    >>> _ellipse_steps(300, 4)
    [75, 150, 225, 300]
    """
    if ellipses == 0:
        return []
    return sorted({max(1, round(n_steps * (k + 1) / ellipses)) for k in range(ellipses)})


def draw_band_paths(
    ax: Axes,
    bands: Sequence[SeedBand],
    *,
    ellipses: int = 6,
    seed_paths: bool = True,
    legend: bool = True,
) -> list[BandArtists]:
    """Draw each band's mean path and its spread on ``ax`` (a surface may already be there).

    For every band: the seeds' paths thin and faint (``seed_paths``), the mean path
    :math:`\\bar\\theta_t` thick, a start circle, and at ``ellipses`` steps spread evenly
    over the run a translucent ellipse centred on :math:`\\bar\\theta_t` with semi-axes
    :math:`\\sigma_t` (one standard deviation over the seeds in x and in y). A seed that
    diverged ends in a cross at its last finite point.

    Returns one :class:`BandArtists` per band, in order.
    """
    ellipses = check_int("ellipses", ellipses, low=0, high=MAX_ELLIPSES)
    out: list[BandArtists] = []
    for band, style in zip(bands, styles_for([b.kind for b in bands])):
        seeds: list[Line2D] = []
        if seed_paths:
            for path in band.params:
                (faint,) = ax.plot(
                    path[:, 0], path[:, 1], color=style.color, linewidth=0.8, alpha=0.3, zorder=2, label="_seed"
                )
                seeds.append(faint)
        (line,) = ax.plot(
            band.mean_path[:, 0],
            band.mean_path[:, 1],
            color=style.color,
            linestyle=style.linestyle,
            linewidth=LINE_WIDTH,
            label=f"{band_label(band)}: mean path",
            zorder=4,
            solid_capstyle="round",
        )
        drawn = []
        for step in _ellipse_steps(band.n_steps, ellipses):
            centre, spread = band.mean_path[step], band.path_std[step]
            if not (np.isfinite(centre).all() and np.isfinite(spread).all()):
                continue
            patch = Ellipse(
                (float(centre[0]), float(centre[1])),
                width=2.0 * float(spread[0]),
                height=2.0 * float(spread[1]),
                facecolor=mcolors.to_rgba(style.color, 0.2),
                edgecolor=style.color,
                linewidth=1.5,
                zorder=3,
            )
            ax.add_patch(patch)
            drawn.append(patch)
        draw_start(ax, [band.mean_path[0, 0]], [band.mean_path[0, 1]], color=style.color)
        crosses = None
        gone = np.flatnonzero(band.diverged_at >= 0)
        if gone.size:
            # on the window's edge where the seed left it, as draw_paths marks a run
            window = (ax.get_xlim(), ax.get_ylim())
            marks = [divergence_point(band.params[i], int(band.diverged_at[i]), window) for i in gone]
            crosses = draw_divergence(ax, [m[0] for m in marks], [m[1] for m in marks], color=style.color)
        out.append(BandArtists(line, seeds, drawn, None, crosses))
    if legend and bands:
        handles: list[Artist] = [a.line for a in out]
        if seed_paths:
            handles.append(Line2D([], [], color="0.4", linewidth=0.8, alpha=0.6, label="one seed's path"))
        if ellipses:
            handles.append(Patch(facecolor="0.5", alpha=0.35, label="± 1 std over the seeds"))
        if any(a.crosses is not None for a in out):
            handles.append(Line2D([], [], color="0.5", **{**DIVERGENCE_CROSS, "label": "a seed diverged"}))
        ax.legend(handles=handles, fontsize=FONT["legend"], loc="best", framealpha=0.9)
    tidy(ax)
    return out


def draw_loss_band(
    ax: Axes,
    bands: Sequence[SeedBand],
    *,
    legend: bool = True,
    title: str | None = None,
) -> list[BandArtists]:
    """Draw each band's loss above the minimum on a log axis of ``ax``: the median of
    :math:`f - f^*` over the seeds as a line and the band between its two ``quantiles``
    shaded (gaps below 1e-16, a run at its minimum, are drawn at 1e-16).

    Returns one :class:`BandArtists` per band (``line``: the median, ``fill``: the band).
    """
    out: list[BandArtists] = []
    shown: list[FloatArray] = []
    for band, style in zip(bands, styles_for([b.kind for b in bands])):
        steps = np.arange(band.n_steps + 1, dtype=np.float64)
        median, low, high = (np.maximum(a, _GAP_FLOOR) for a in (band.loss_median, band.loss_low, band.loss_high))
        fill = ax.fill_between(
            steps,
            low,
            high,
            color=style.color,
            alpha=0.2,
            linewidth=0,
            label="_band",
        )
        (line,) = ax.plot(
            steps,
            median,
            color=style.color,
            linestyle=style.linestyle,
            linewidth=LINE_WIDTH - 0.4,
            label=f"{band_label(band)}: median",
            zorder=3,
        )
        out.append(BandArtists(line, [], [], fill, None))
        shown += [median, low, high]
    if bands:
        set_step_limits(ax, max(b.n_steps for b in bands))
    set_log_limits(ax, shown)
    ax.set_xlabel("step", fontsize=FONT["label"])
    ax.set_ylabel("f − f* over the seeds", fontsize=FONT["label"])
    set_title(ax, "loss above the minimum" if title is None else title, FONT["label"], y=TITLE_Y)
    ax.grid(True, which="major", alpha=0.3)
    if legend and bands:
        q_low, q_high = (round(100 * q) for q in bands[0].quantiles)
        handles: list[Artist] = [a.line for a in out]
        handles.append(Patch(facecolor="0.5", alpha=0.35, label=f"{q_low}% to {q_high}% of the seeds"))
        ax.legend(handles=handles, fontsize=FONT["legend"] - 1, loc="best", framealpha=0.9)
    tidy(ax)
    return out


def band_figure(
    surface: Surface,
    bands: Mapping[str, SeedBand] | Sequence[SeedBand],
    *,
    ellipses: int = 6,
    figsize: tuple[float, float] = (13.0, 5.2),
) -> Figure:
    """A figure of two panels: ``surface`` with the bands' mean paths and spread
    (:func:`draw_band_paths`), and their loss bands (:func:`draw_loss_band`).

    ``surface`` is the one drawn under the paths (one seed's surface: its contours are
    those of every seed when only the gradient noise depends on the seed).
    """
    shown = list(bands.values()) if isinstance(bands, Mapping) else list(bands)
    if not shown or not all(isinstance(b, SeedBand) for b in shown):
        raise ValueError(f"bands must be a non-empty list (or mapping) of SeedBand, got {bands!r}")
    fig = Figure(figsize=figsize, layout="constrained")
    ax_paths, ax_loss = fig.subplots(1, 2, width_ratios=(1.1, 1.0))
    draw_surface(ax_paths, surface, resolution=120)
    draw_band_paths(ax_paths, shown, ellipses=ellipses)
    draw_loss_band(ax_loss, shown)
    return fig
