"""Robustness curves: the final loss gap against the learning rate, one line per optimizer.

:func:`draw_robustness` draws what :func:`rmsprop_viz.engine.robustness.robustness`
found: for each kind, ``f - f*`` after the run at every learning rate of the grid
(log-log), a cross at each learning rate where the run diverged, the white star at the
best learning rate (:func:`.sweeps.best_lr`'s choice), a bar under the curves for the
longest converging range, and a dashed line at the gap below which a run counts as
converged. Nothing is computed here beyond picking arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.robustness import COMPARISON_MODES, ModeResult, Robustness
from rmsprop_viz.plotting.curves import draw_losses, set_log_limits
from rmsprop_viz.plotting.style import (
    FONT,
    LINE_WIDTH,
    MARKER_SIZE,
    TITLE_Y,
    draw_divergence,
    draw_minimum,
    set_title,
    style_for,
    tidy,
)

__all__ = ["GAP_FLOOR", "RobustnessArtists", "draw_robustness", "mark_keys", "modes_figure"]

FloatArray = npt.NDArray[np.float64]

#: Gaps below this are drawn at it, so that a run that reached the minimum exactly (a gap
#: of 0) still has a place on the log axis (as the loss panel's :func:`.curves.loss_gap`).
GAP_FLOOR = 1e-16

# Where the rows of range bars and of divergence crosses sit, in axes fractions.
_BAR_BOTTOM, _BAR_STEP = 0.03, 0.03
_CROSS_TOP, _CROSS_STEP = 0.96, 0.045


@dataclass
class RobustnessArtists:
    """What :func:`draw_robustness` drew, by kind."""

    lines: dict[str, Line2D] = field(default_factory=dict)  # gap against lr
    crosses: dict[str, Line2D] = field(default_factory=dict)  # diverged lrs (a row near the top)
    ranges: dict[str, Line2D] = field(default_factory=dict)  # the longest converging range (a bar)
    best: dict[str, Line2D] = field(default_factory=dict)  # the best lr (a white star)
    threshold: Line2D | None = None  # the gap below which a run converged


def mark_keys() -> list[Line2D]:
    """Legend entries for the marks of :func:`draw_robustness` (a cross, a star, a bar),
    not drawn on any axes."""
    return [
        Line2D(
            [], [], marker="X", color="0.4", markeredgecolor="black", markersize=10, linestyle="none", label="diverged"
        ),
        Line2D(
            [],
            [],
            marker="*",
            color="white",
            markeredgecolor="black",
            markersize=13,
            linestyle="none",
            label="best α (converged; no neighbour diverged)",
        ),
        Line2D([], [], color="0.4", linewidth=6, label="longest converging range"),
    ]


def draw_robustness(
    ax: Axes, curves: Mapping[str, Robustness], *, title: str | None = None, legend: bool = True
) -> RobustnessArtists:
    """Draw robustness curves on ``ax``: ``f - f*`` after the last step against the
    learning rate, log-log, one line per kind in its style (:func:`.style.style_for`).

    Each kind's converging range (the longest run of converging learning rates) is a
    bar in its colour near the bottom of the panel, a diverged learning rate is a cross
    in its colour in a row near the top, and its best learning rate is a white star on
    its curve. The legend says, per kind, how many decades it converges over and its best
    learning rate. Gaps below :data:`GAP_FLOOR` are drawn at it.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    curves : mapping of str to Robustness
        What :func:`rmsprop_viz.engine.robustness.robustness` returned.
    title : str, optional
        The panel's title (default: "final loss gap vs learning rate, N steps").
    legend : bool
        Whether to add the legend (beside the panel, on its right); a figure of several
        panels may make one legend for all.

    Returns
    -------
    RobustnessArtists
        The artists, by kind.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(f"curves must be a non-empty mapping of kind -> Robustness, got {curves!r}")
    artists = RobustnessArtists()
    shown: list[FloatArray] = []
    for row, (kind, curve) in enumerate(curves.items()):
        style = style_for(curve.kind)
        width = format_number(curve.width, 2)
        label = f"{KINDS[curve.kind].label}: {width} decade{'' if width == '1' else 's'}"
        if curve.best_lr is not None:
            label += f", best α {format_number(curve.best_lr)}"
        gaps = np.where(np.isfinite(curve.gaps), np.maximum(curve.gaps, GAP_FLOOR), np.nan)
        shown.append(gaps)
        (line,) = ax.plot(
            curve.lrs,
            gaps,
            color=style.color,
            linestyle=style.linestyle,
            linewidth=LINE_WIDTH - 0.6,
            marker=style.marker,
            markersize=MARKER_SIZE - 4,
            label=label,
        )
        artists.lines[kind] = line
        near_top = blended_transform_factory(ax.transData, ax.transAxes)
        diverged = curve.lrs[curve.diverged]
        cross_row = len([c for c in artists.crosses.values() if len(c.get_xdata())])  # type: ignore[arg-type]
        cross = draw_divergence(
            ax,
            diverged,
            np.full(diverged.shape, _CROSS_TOP - _CROSS_STEP * cross_row),
            color=style.color,
            markersize=MARKER_SIZE - 1,
            transform=near_top,
        )
        artists.crosses[kind] = cross
        ends = [] if curve.low is None or curve.high is None else [curve.low, curve.high]
        (bar,) = ax.plot(
            ends,
            [_BAR_BOTTOM + _BAR_STEP * row] * len(ends),
            color=style.color,
            linewidth=4.5,
            solid_capstyle="butt",
            transform=near_top,
        )
        artists.ranges[kind] = bar
        if curve.best_lr is not None:
            at = int(np.flatnonzero(curve.lrs == curve.best_lr)[0])
            artists.best[kind] = draw_minimum(ax, [curve.best_lr], [gaps[at]], markersize=14, zorder=6)
    first = next(iter(curves.values()))
    artists.threshold = ax.axhline(first.threshold, color="0.35", linestyle=(0, (5, 3)), linewidth=1.2)
    artists.threshold.set_label(f"converged below f − f* = {format_number(first.threshold)}")
    ax.set_xscale("log")
    set_log_limits(ax, [*shown, np.array([first.threshold, first.start_gap])])
    # Room for the rows of bars (below the data) and of crosses (above it).
    low, high = ax.get_ylim()
    cross_rows = len([c for c in artists.crosses.values() if len(c.get_xdata())])  # type: ignore[arg-type]
    bottom = _BAR_BOTTOM + _BAR_STEP * len(curves)
    top = 1.0 - (1.0 - _CROSS_TOP + _CROSS_STEP * cross_rows if cross_rows else 0.02)
    decades = math.log10(high / low) / (top - bottom)
    ticks = [t for t in ax.get_yticks() if low <= t <= high]  # none beside the rows of marks
    ax.set_yticks(ticks)
    ax.set_ylim(low / 10 ** (decades * bottom), high * 10 ** (decades * (1.0 - top)))
    ax.set_xlim(first.lrs[0] / 1.5, first.lrs[-1] * 1.5)
    ax.set_xlabel("learning rate α (log scale)", fontsize=FONT["label"])
    ax.set_ylabel(f"f − f* after {first.n_steps} steps", fontsize=FONT["label"])
    if legend:
        handles = [*artists.lines.values(), artists.threshold, *mark_keys()]
        ax.legend(handles=handles, fontsize=FONT["legend"] - 1, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    set_title(ax, title or f"final loss gap vs learning rate, {first.n_steps} steps", FONT["label"], y=TITLE_Y)
    ax.grid(True, which="major", alpha=0.3)
    tidy(ax)
    return artists


def modes_figure(found: Mapping[str, ModeResult], *, figsize: tuple[float, float] = (14.0, 4.8)) -> Figure:
    """What :func:`rmsprop_viz.engine.robustness.compare_modes` found, as a figure: one
    panel of loss curves (:func:`.curves.draw_losses`, ``f - f*`` per step) per comparison
    mode, titled with the mode and its winner (with its steps to tolerance), each legend
    giving every optimizer's learning rate in that mode.

    Parameters
    ----------
    found : mapping of str to ModeResult
        What ``compare_modes`` returned.
    figsize : tuple of float
        Size of the figure in inches.

    Returns
    -------
    Figure
        A new figure (constrained layout), one panel per mode.
    """
    if not isinstance(found, Mapping) or not found:
        raise ValueError(f"found must be what compare_modes returned, got {found!r:.80}")
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, len(found), squeeze=False, sharey=True)[0]
    gaps: list[FloatArray] = []
    for ax, result in zip(axes, found.values()):
        runs = list(result.runs.values())
        curves = draw_losses(ax, runs, result.floor)
        gaps.extend(gap for _, gap in curves.data)
        labels = [f"{KINDS[kind].label}, α = {format_number(lr)}" for kind, lr in result.lrs.items()]
        for line, label in zip(curves.lines, labels):
            line.set_label(label)
        ax.legend(handles=curves.lines, fontsize=FONT["legend"] - 1, loc="lower left")
        if result.winner is None:
            verdict = "every run diverged"
        elif result.steps[result.winner] >= 0:
            verdict = f"{KINDS[result.winner].label} wins ({result.steps[result.winner]} steps)"
        else:
            verdict = f"{KINDS[result.winner].label} wins (lowest gap)"
        ax.set_title(f"{COMPARISON_MODES[result.mode]}:\n{verdict}", fontsize=FONT["label"], y=TITLE_Y)
    # The panels share their y axis: its limits must hold every panel's curves, not only
    # the last panel's (each draw_losses set them from its own).
    set_log_limits(axes[0], gaps)
    return fig
