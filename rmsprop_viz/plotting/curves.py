"""The panels beside the surface: the loss above the minimum and the per-coordinate step
sizes over the steps, on log axes with few, plain tick labels."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib import ticker as mticker
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.plotting.style import FONT, LINE_WIDTH, MARKER_SIZE, TITLE_Y, set_title, styles_for, tidy

__all__ = [
    "STEP_TICKS",
    "STEP_TITLES",
    "CurveArtists",
    "draw_losses",
    "draw_step_panels",
    "draw_step_sizes",
    "loss_gap",
    "set_log_limits",
    "set_step_limits",
    "step_sizes",
]

FloatArray = npt.NDArray[np.float64]


def loss_gap(traj: Trajectory, floor: float, run: int = 0) -> FloatArray:
    """``f - f*`` along a run, floored at 1e-16 so that it can go on a log axis."""
    with np.errstate(all="ignore"):
        gap = traj.values[:, run] - floor
    return np.where(np.isfinite(gap), np.maximum(gap, 1e-16), np.nan)


@dataclass
class CurveArtists:
    """Growing curves and their current-step markers."""

    lines: list[Line2D] = field(default_factory=list)
    heads: list[Line2D | None] = field(default_factory=list)  # None: a curve without a head
    data: list[tuple[FloatArray, FloatArray]] = field(default_factory=list)

    def show(self, step: int | None) -> None:
        """Show the curves up to ``step`` (all of them when ``None``), changing data only."""
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
        """The artists that change from step to step."""
        return [*self.lines, *(h for h in self.heads if h is not None)]


#: The most decades a log axis of :func:`set_log_limits` spans: below the largest value,
#: float64's 16 digits and a margin (a step size that falls to 1e-132 would otherwise
#: squeeze every curve into a sliver of the panel).
MAX_LOG_DECADES = 24


def set_log_limits(ax: Axes, arrays: Sequence[FloatArray], numticks: int = 7) -> None:
    """A log y axis on ``ax`` spanning the positive finite values of ``arrays`` (a factor of
    2 of room either side, and at most :data:`MAX_LOG_DECADES` decades down from the
    largest: smaller values run off the bottom), ticked on decades with plain labels and
    no minor ticks: at most about ``numticks`` of them (every other decade, or every third,
    on a long range)."""
    finite = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in arrays] or [np.array([1.0])])
    if finite.size == 0:
        finite = np.array([1e-3, 1.0])
    # (clipped to 1e-300 .. 1e300: half a subnormal is 0, twice 1e308 is inf, no log axis takes either)
    low, high = max(float(finite.min()), 1e-300), min(float(finite.max()), 1e300)
    low = max(low, high * 10.0**-MAX_LOG_DECADES)
    if high <= low:
        high = low * 10
    ax.set_yscale("log")
    ax.set_ylim(low / 2, high * 2)
    # Plain labels: mathtext labels ("$10^{-3}$") cost most of a draw.
    ax.yaxis.set_major_locator(_LogTicks(numticks=numticks))
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
    for traj, style in zip(trajectories, styles_for([t.kind for t in trajectories])):
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
            zorder=3,  # over every curve and the spines
        )
        curves.lines.append(line)
        curves.heads.append(head)
        curves.data.append((steps, gap))
    set_step_limits(ax, max(t.n_steps for t in trajectories))
    set_log_limits(ax, [gap for _, gap in curves.data])
    ax.set_xlabel("step", fontsize=FONT["label"])
    ax.set_ylabel("f − f*", fontsize=FONT["label"])
    set_title(ax, "loss above the minimum", FONT["label"], y=TITLE_Y)
    ax.grid(True, which="major", alpha=0.3)
    tidy(ax)
    curves.show(None)
    return curves


def step_sizes(traj: Trajectory, coord: int, run: int = 0) -> tuple[FloatArray, FloatArray]:
    """Steps ``1..n`` and the size of each in coordinate ``coord`` (0: x, 1: y),
    ``|Δ_t| = |θ_t − θ_{t−1}|``, NaN where it is zero (nothing to draw on a log axis)."""
    steps = np.arange(1, traj.n_steps + 1, dtype=np.float64)
    size = np.abs(traj.updates[:, run, coord])
    return steps, np.where(size > 0, size, np.nan)


#: Tick labels on the y axis of a (short) step-size panel, at most about.
STEP_TICKS = 4
#: Titles of the two step-size panels of a race, by coordinate.
STEP_TITLES = ("|Δx| per step", "|Δy| per step")


def draw_step_panels(
    ax_x: Axes,
    ax_y: Axes,
    trajectories: Sequence[Trajectory],
    *,
    run: int = 0,
    line_width: float = LINE_WIDTH - 0.4,
    fonts: dict[str, float] | None = None,
) -> CurveArtists:
    """The step sizes ``|Δx|`` on ``ax_x`` and ``|Δy|`` on ``ax_y``, one curve per
    trajectory in its optimizer's own colour and line style (a line style names an
    optimizer, never a coordinate), both panels on the same log range.

    The curves' ``lines`` and ``data`` hold, per trajectory in order, its ``|Δx|`` curve then
    its ``|Δy|`` curve (index ``2 i`` and ``2 i + 1``); the data are
    :func:`step_sizes`.

    This pair shows adaptivity: SGD's steps follow the gradient, RMSProp's stay near the
    learning rate in every coordinate.
    """
    font = {**FONT, **(fonts or {})}
    curves = CurveArtists()
    for traj, style in zip(trajectories, styles_for([t.kind for t in trajectories])):
        for coord, ax in ((0, ax_x), (1, ax_y)):
            (line,) = ax.plot([], [], color=style.color, linewidth=line_width, linestyle=style.linestyle)
            curves.lines.append(line)
            curves.heads.append(None)
            curves.data.append(step_sizes(traj, coord, run))
    n_steps = max(t.n_steps for t in trajectories)
    for coord, ax in ((0, ax_x), (1, ax_y)):
        set_step_limits(ax, n_steps)
        set_log_limits(ax, [d for _, d in curves.data], STEP_TICKS)  # one range: |Δx| and |Δy| compare
        set_title(ax, STEP_TITLES[coord], font["label"], y=TITLE_Y)
        ax.grid(True, which="major", alpha=0.3)
        tidy(ax)
        ax.tick_params(labelsize=font["tick"])
    ax_x.tick_params(labelbottom=False)  # the same steps as the panel under it
    ax_y.set_xlabel("step", fontsize=font["label"])
    curves.show(None)
    return curves


def draw_step_sizes(ax: Axes, trajectories: Sequence[Trajectory], *, run: int = 0) -> CurveArtists:
    """Per-coordinate step size ``|Δx|`` (solid) and ``|Δy|`` (thin, dotted) over time, in one
    panel (a race shows them in two: :func:`draw_step_panels`).

    This is the panel that shows adaptivity: SGD's steps follow the gradient, RMSProp's
    stay near the learning rate in every coordinate.
    """
    curves = CurveArtists()
    for traj, style in zip(trajectories, styles_for([t.kind for t in trajectories])):
        steps = np.arange(1, traj.n_steps + 1, dtype=np.float64)
        for coord, width, alpha in ((0, LINE_WIDTH - 0.6, 1.0), (1, 1.0, 0.8)):
            size = np.abs(traj.updates[:, run, coord])
            (line,) = ax.plot(
                [], [], color=style.color, linewidth=width, alpha=alpha, linestyle="-" if coord == 0 else (0, (1, 1))
            )
            curves.lines.append(line)
            curves.heads.append(None)
            curves.data.append((steps, np.where(size > 0, size, np.nan)))
    set_step_limits(ax, max(t.n_steps for t in trajectories))
    set_log_limits(ax, [d for _, d in curves.data])
    ax.set_xlabel("step", fontsize=FONT["label"])
    ax.set_ylabel("step size", fontsize=FONT["label"])
    set_title(ax, "|Δx| solid, |Δy| dotted", FONT["label"] - 1, y=TITLE_Y)
    ax.grid(True, which="major", alpha=0.3)
    tidy(ax)
    curves.show(None)
    return curves
