"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.scale`.

C2: the loss (as a share of where it started) of RMSProp and of SGD with the loss scaled
by each factor, and RMSProp's noisy runs at two scales. C3: the paths on the bowl, the
per-coordinate step sizes and the effective learning rates. C8: the paths at the first
and the last rotation, and the steps to tolerance of both optimizers at every rotation.
Each reads only ``verdict.data``, ``verdict.evidence`` and ``verdict.settings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.trajectory import Trajectory
from rmsprop_viz.plotting.claims.change import draw_effective_lr
from rmsprop_viz.plotting.curves import draw_step_sizes, set_log_limits, set_step_limits
from rmsprop_viz.plotting.paths import draw_paths, update_paths
from rmsprop_viz.plotting.style import (
    FONT,
    TITLE_Y,
    draw_divergence,
    set_title,
    style_for,
    tidy,
)
from rmsprop_viz.plotting.surface import draw_surface

__all__ = ["draw_c2", "draw_c3", "draw_c8"]

#: How the scales of C2 are drawn, smallest first: the optimizer's colour (None), then
#: greys; thick under thin, so that curves lying on top of each other all stay visible.
SCALE_LINES: tuple[tuple[str | None, Any, float], ...] = (
    (None, "-", 7.0),
    ("#222222", "--", 2.6),
    ("#9a9a9a", ":", 2.2),
    ("#555555", "-.", 1.4),
)


def _legend(ax: Axes, **kwargs: Any) -> None:
    ax.legend(fontsize=FONT["legend"], framealpha=0.9, **{"loc": "best", **kwargs})


def _share_of_start(ax: Axes, traj: Trajectory, color: str, linestyle: Any, width: float, label: str) -> Line2D:
    """One curve of :math:`f_t / f_0` (the loss as a share of the starting loss), with a
    cross at the last finite point of a diverged run."""
    share = traj.values[:, 0] / traj.values[0, 0]
    steps = np.arange(traj.n_steps + 1, dtype=np.float64)
    (line,) = ax.plot(steps, share, color=color, linestyle=linestyle, linewidth=width, label=label)
    if traj.diverged[0]:
        last = int(np.flatnonzero(np.isfinite(share))[-1])
        draw_divergence(ax, [steps[last]], [share[last]], color=color)
    return line


def _share_axes(ax: Axes, n_steps: int, arrays: Sequence[Any]) -> None:
    set_step_limits(ax, n_steps)
    set_log_limits(ax, [a[np.isfinite(a)] for a in arrays])
    ax.set_xlabel("step", fontsize=FONT["label"])
    ax.set_ylabel("loss / starting loss", fontsize=FONT["label"])
    ax.grid(True, which="major", alpha=0.3)
    tidy(ax)


def draw_c2(fig: Figure, verdict: Verdict) -> None:
    """C2's figure: RMSProp's loss at every scale of the loss (left: the curves lie on
    top of each other), SGD's (middle: it crawls or diverges), and RMSProp with gradient
    noise at scale 1 and at the smallest scale (right: one curve per seed)."""
    data, e, s = verdict.data, verdict.evidence, verdict.settings
    scales: tuple[float, ...] = data["scales"]
    left, middle, right = fig.subplots(1, 3)
    for ax, name, what in (
        (left, "rmsprop", f"RMSProp, lr={s['lr']:g}, β={s['beta']:g}, eps={s['eps']:g}"),
        (middle, "sgd", f"SGD, lr={s['sgd_lr']:g}"),
    ):
        arrays = []
        for scale, (color, linestyle, width) in zip(scales, SCALE_LINES * len(scales), strict=False):
            traj = data[name][scale]
            _share_of_start(ax, traj, color or style_for(name).color, linestyle, width, f"loss × {scale:g}")
            arrays.append(traj.values[:, 0] / traj.values[0, 0])
        _share_axes(ax, int(s["n_steps"]), arrays)
        _legend(ax, title=what, title_fontsize=FONT["legend"], loc="lower left")
    set_title(left, f"RMSProp: paths differ by {format_number(e['rmsprop_path_change'])}", FONT["label"])
    diverged = int(e["sgd_diverged_step_at_largest_scale"])
    set_title(
        middle,
        f"SGD: {format_number(100 * e['sgd_progress_at_smallest_scale'])}% done at × {min(scales):g}, "
        + (f"diverges at step {diverged} at × {max(scales):g}" if diverged >= 0 else f"stable at × {max(scales):g}"),
        FONT["label"],
    )
    arrays = []
    smallest = min(scales)
    colors = {1.0: style_for("rmsprop").color, smallest: "#555555"}
    for scale, runs in data["noisy"].items():
        for i, traj in enumerate(runs):
            label = f"loss × {scale:g}" if i == 0 else "_"
            _share_of_start(right, traj, colors[scale], "-", 1.2, label)
            arrays.append(traj.values[:, 0] / traj.values[0, 0])
    _share_axes(right, int(s["n_steps"]), arrays)
    _legend(right, title=f"RMSProp, gradient noise σ={s['noise']:g}\n{s['seeds']} seeds", title_fontsize=FONT["legend"])
    set_title(
        right,
        f"with noise: {format_number(100 * e['noisy_progress_at_scale_1'])}% done at × 1, "
        f"{format_number(100 * e['noisy_progress_at_smallest_scale'])}% at × {smallest:g}",
        FONT["label"],
    )


def draw_c3(fig: Figure, verdict: Verdict) -> None:
    """C3's figure: the two paths on the bowl (left), the step sizes per coordinate
    (middle) and the effective learning rates per coordinate (right)."""
    data, e = verdict.data, verdict.evidence
    trajectories = [data["rmsprop"], data["sgd"]]
    left, middle, right = fig.subplots(1, 3)
    draw_surface(left, data["surface"], title=False)
    draw_paths(left, trajectories)
    _legend(left, loc="lower right")
    set_title(left, f"bowl: y is {verdict.settings['condition']:g}× steeper than x", FONT["label"], y=TITLE_Y)
    curves = draw_step_sizes(middle, trajectories)
    middle.set_ylim(1e-6, 3.0)  # SGD's steep steps fall on towards 1e-30; the story is above
    solid = curves.lines[0::2]
    middle.legend(
        [*solid, _dotted()],
        [*(t.label for t in trajectories), "|Δy| (steep), dotted"],
        fontsize=FONT["legend"],
        framealpha=0.9,
    )
    set_title(
        middle,
        f"|Δy| / |Δx|: RMSProp {format_number(e['rmsprop_step_ratio'])} (mean), "
        f"SGD {format_number(e['sgd_first_step_ratio'])} (1st step)",
        FONT["label"],
        y=TITLE_Y,
    )
    lines = draw_effective_lr(right, trajectories)
    right.legend(
        [*lines, _dotted()],
        [*(t.label for t in trajectories), "y (steep), dotted"],
        fontsize=FONT["legend"],
        framealpha=0.9,
    )
    set_title(
        right,
        f"RMSProp's effective lr, y / x: {format_number(e['rmsprop_effective_lr_ratio'])}",
        FONT["label"],
        y=TITLE_Y,
    )


def _dotted() -> Line2D:
    return Line2D([], [], color="#444444", linewidth=1.2, linestyle=(0, (1, 1.5)))


def draw_c8(fig: Figure, verdict: Verdict) -> None:
    """C8's figure: both optimizers' paths at the first and at the last rotation, each
    at its best learning rate, and their steps to tolerance at every rotation (bars)."""
    data, e, s = verdict.data, verdict.evidence, verdict.settings
    angles: tuple[float, ...] = data["angles"]
    shown = [angles[0]] if len(angles) == 1 else [angles[0], angles[-1]]
    axes = fig.subplots(1, len(shown) + 1)
    for ax, angle in zip(axes, shown, strict=False):
        runs = data["runs"][angle]
        draw_surface(ax, data["surfaces"][angle], title=False)
        trajectories = [runs["sgd"], runs["rmsprop"]]
        artists = draw_paths(ax, trajectories)
        # The paths up to the step where the faster one reached the tolerance: where is the other?
        reached = [int(e[f"{name}_steps_at_{angle:g}"]) for name in ("sgd", "rmsprop")]
        at = min((c for c in reached if c >= 0), default=None)
        if at is not None:
            update_paths(artists, trajectories, at)
        _legend(ax, loc="upper right", title=f"paths up to step {at}" if at is not None else None)
        set_title(
            ax,
            f"{angle:g}°: SGD {_steps(e[f'sgd_steps_at_{angle:g}'], s)} steps, "
            f"RMSProp {_steps(e[f'rmsprop_steps_at_{angle:g}'], s)}",
            FONT["label"],
            y=TITLE_Y,
        )
    bars = axes[-1]
    width = 0.38
    ticks = np.arange(len(angles), dtype=np.float64)
    for offset, name, label in ((-width / 2, "sgd", "SGD"), (width / 2, "rmsprop", "RMSProp")):
        counts = [float(e[f"{name}_steps_at_{a:g}"]) for a in angles]
        heights = [c if c >= 0 else float(s["n_steps"]) for c in counts]
        style = style_for(name)
        drawn = bars.bar(ticks + offset, heights, width, color=style.color, label=f"{label} (own best lr)")
        for patch, count in zip(drawn.patches, counts, strict=True):
            if count < 0:
                patch.set_hatch("//")
        bars.bar_label(drawn, [_steps(c, s) for c in counts], fontsize=FONT["note"], padding=2)
    bars.set_xticks(ticks, [f"{a:g}°" for a in angles], fontsize=FONT["tick"])
    bars.set_xlabel("rotation of the bowl", fontsize=FONT["label"])
    bars.set_ylabel(f"steps until loss ≤ {s['tol_fraction']:g} × start", fontsize=FONT["label"])
    bars.set_ylim(0, 1.5 * max(max(e[f"{n}_steps_at_{a:g}"] for a in angles) for n in ("sgd", "rmsprop")) + 1)
    bars.grid(True, axis="y", alpha=0.3)
    _legend(bars, loc="upper left")
    set_title(
        bars,
        "speedup " + ", ".join(f"{format_number(e[f'speedup_at_{a:g}'])} at {a:g}°" for a in angles),
        FONT["label"],
        y=TITLE_Y,
    )
    tidy(bars)


def _steps(count: float, settings: Any) -> str:
    return f"> {settings['n_steps']}" if count < 0 else str(int(count))
