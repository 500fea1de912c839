"""Figures: a surface with the optimizers' paths, their loss curves and step sizes.

Everything here uses matplotlib's object API: each ``draw_*`` function takes an
``Axes``, draws on it and returns the artists it made; nothing touches pyplot's global
state. :class:`RaceFigure` composes the panels for a race and shows any step of it with
:meth:`RaceFigure.show_frame`, which only changes the data of existing artists, so an
animation or a slider never redraws the contours.

Trajectories are computed before anything is drawn (:func:`rmsprop_viz.engine.run`); these
functions only read them. The modules:

==========  =================================================================
style       sizes, styles by kind of optimizer, titles, the three marks
surface     the surface's grid, levels and contours (:func:`draw_surface`)
paths       the 2-D paths, divergence crosses and notes (:func:`draw_paths`)
curves      the loss and step-size panels (:func:`draw_losses`, ...)
sweep       a sweep as a heatmap or curve (:func:`sweep_figure`)
robustness  final loss gap against the learning rate per optimizer (:func:`draw_robustness`)
three_d     the surface and the paths in 3-D
race        :class:`RaceFigure`, the panels of a race together
bands       seed bands: mean paths with their spread, loss bands (:func:`draw_loss_band`)
==========  =================================================================
"""

from __future__ import annotations

from rmsprop_viz.core.kinds import OKABE_ITO, Style
from rmsprop_viz.plotting.bands import BandArtists, band_figure, draw_band_paths, draw_loss_band
from rmsprop_viz.plotting.curves import (
    CurveArtists,
    draw_losses,
    draw_step_sizes,
    loss_gap,
    set_log_limits,
    set_step_limits,
)
from rmsprop_viz.plotting.paths import PathArtists, divergence_point, draw_paths, update_paths
from rmsprop_viz.plotting.race import (
    FIGURE_DPI_RANGE,
    MAX_FIGURE_INCHES,
    MAX_FIGURE_PIXELS,
    RaceFigure,
)
from rmsprop_viz.plotting.robustness import RobustnessArtists, draw_robustness, modes_figure
from rmsprop_viz.plotting.style import (
    DIVERGENCE_CROSS,
    FONT,
    MINIMUM,
    draw_divergence,
    draw_minimum,
    draw_start,
    set_title,
    style_for,
    styles_for,
)
from rmsprop_viz.plotting.surface import MAX_LEVELS, MAX_RESOLUTION, SurfaceArtists, draw_surface, surface_grid
from rmsprop_viz.plotting.sweep import DIVERGED_CELL, OTHER_CELL, SWEEP_METRICS, SweepArtists, draw_sweep, sweep_figure
from rmsprop_viz.plotting.three_d import Path3DArtists, draw_paths_3d, draw_surface_3d, update_paths_3d

__all__ = [
    "DIVERGED_CELL",
    "DIVERGENCE_CROSS",
    "FIGURE_DPI_RANGE",
    "FONT",
    "MAX_FIGURE_INCHES",
    "MAX_FIGURE_PIXELS",
    "MAX_LEVELS",
    "MAX_RESOLUTION",
    "MINIMUM",
    "OKABE_ITO",
    "OTHER_CELL",
    "SWEEP_METRICS",
    "BandArtists",
    "CurveArtists",
    "Path3DArtists",
    "PathArtists",
    "RaceFigure",
    "RobustnessArtists",
    "Style",
    "SurfaceArtists",
    "SweepArtists",
    "band_figure",
    "divergence_point",
    "draw_band_paths",
    "draw_divergence",
    "draw_loss_band",
    "draw_losses",
    "draw_minimum",
    "draw_paths",
    "draw_paths_3d",
    "draw_robustness",
    "draw_start",
    "draw_step_sizes",
    "draw_surface",
    "draw_surface_3d",
    "draw_sweep",
    "loss_gap",
    "modes_figure",
    "set_log_limits",
    "set_step_limits",
    "set_title",
    "style_for",
    "styles_for",
    "surface_grid",
    "sweep_figure",
    "update_paths",
    "update_paths_3d",
]
