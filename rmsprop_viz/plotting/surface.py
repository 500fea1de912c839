"""The surface under the paths: its values on a grid, the contour levels and colour scale,
its title, and :func:`draw_surface`, which contours it on an ``Axes``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.plotting.style import FONT, TITLE_Y, draw_minimum, set_title, tidy

__all__ = [
    "HUGE",
    "MAX_LEVELS",
    "MAX_RESOLUTION",
    "SurfaceArtists",
    "draw_surface",
    "spans_decades",
    "surface_floor",
    "surface_grid",
    "surface_title",
]

FloatArray = npt.NDArray[np.float64]

#: Points per side of a drawn surface, at most (4 million values).
MAX_RESOLUTION = 2000
#: Contour levels of a drawn surface, at most.
MAX_LEVELS = 200


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


def surface_floor(surface: Surface, z: FloatArray) -> float:
    """The lowest finite value of the surface: at its known minima, else on the grid (0 if
    it has none)."""
    with np.errstate(all="ignore"):
        known = [float(np.asarray(surface.value(np.asarray(m, dtype=np.float64)))) for m in surface.minima]
    finite = z[np.isfinite(z)]
    candidates = [v for v in known if math.isfinite(v)] + ([float(finite.min())] if finite.size else [])
    return min(candidates) if candidates else 0.0


#: The largest magnitude a surface is drawn at (matplotlib's contours extend to 1e250).
HUGE = 1e200


def spans_decades(z: FloatArray, floor: float) -> bool:
    """Whether the values of ``z`` above ``floor`` span more than a factor of 300 (5th to
    95th percentile): then levels are log-spaced, and a 3-D surface is drawn as ``log10(f - f*)``."""
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
    if spans_decades(z, floor):
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


def surface_title(surface: Surface) -> str:
    """The surface's name and its formula, e.g. ``"Rosenbrock: $(a - x)^2 + ...$"``."""
    formula = getattr(surface, "tex", "") or getattr(surface, "formula", "")
    return f"{type(surface).__name__}: {formula}" if formula else type(surface).__name__


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
    floor = surface_floor(surface, z)
    shown, bounds, norm, log_levels = _levels(z, floor, levels)
    shown = np.ma.masked_invalid(shown)
    base = matplotlib.colormaps[cmap]
    palette = mcolors.ListedColormap(base(np.linspace(0.45, 1.0, 256)))  # light: the paths stand out
    filled = ax.contourf(x, y, shown, levels=bounds, cmap=palette, norm=norm, extend="both")
    lines = ax.contour(x, y, shown, levels=bounds, colors="#555555", linewidths=0.6, alpha=0.6, norm=norm)
    minima = None
    if surface.minima:
        mx, my = np.asarray(surface.minima).T
        minima = draw_minimum(ax, mx, my, label="minimum")
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x", fontsize=FONT["label"])
    ax.set_ylabel("y", fontsize=FONT["label"])
    if title:
        set_title(ax, surface_title(surface), y=TITLE_Y)
    tidy(ax)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, shrink=0.85)
        bar.set_label("f - f*" if log_levels else "f", fontsize=FONT["label"])
        bar.ax.tick_params(labelsize=FONT["tick"])
    return SurfaceArtists(filled, lines, minima, bar, log_levels)
