"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.change`.

C5: the effective learning rate of Adagrad and RMSProp over a long run (log-log), and
their loss. C6: the loss around the change of the objective, and the effective learning
rate that explains it. Both read only ``verdict.data`` and ``verdict.evidence``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.trajectory import Trajectory
from rmsprop_viz.plotting.curves import draw_losses, set_log_limits, set_step_limits
from rmsprop_viz.plotting.style import FONT, LINE_WIDTH, TITLE_Y, set_title, styles_for, tidy

__all__ = ["draw_c5", "draw_c6", "draw_effective_lr"]


def draw_effective_lr(ax: Axes, trajectories: Sequence[Trajectory], *, log_steps: bool = False) -> list[Line2D]:
    """The effective learning rate ``|Δθ| / |g|`` of each run over the steps: the x
    coordinate solid, the y coordinate dotted, on a log axis; labelled with the runs'
    labels. Returns the solid lines (one per trajectory)."""
    solid = []
    arrays = []
    for traj, style in zip(trajectories, styles_for([t.kind for t in trajectories])):
        steps = np.arange(1, traj.n_steps + 1, dtype=np.float64)
        rate = traj.effective_lr[:, 0]
        arrays.append(rate[np.isfinite(rate)])
        (x_line,) = ax.plot(
            steps,
            rate[:, 0],
            color=style.color,
            linestyle=style.linestyle,
            linewidth=LINE_WIDTH - 0.4,
            label=traj.label,
        )
        ax.plot(steps, rate[:, 1], color=style.color, linewidth=1.2, linestyle=(0, (1, 1.5)), alpha=0.9)
        solid.append(x_line)
    if log_steps:
        ax.set_xscale("log")
    else:
        set_step_limits(ax, max(t.n_steps for t in trajectories))
    set_log_limits(ax, arrays)
    ax.set_xlabel("step" + (" (log scale)" if log_steps else ""), fontsize=FONT["label"])
    ax.set_ylabel("effective learning rate |Δθ| / |g|", fontsize=FONT["label"])
    ax.grid(True, which="major", alpha=0.3)
    tidy(ax)
    return solid


def _dotted() -> Line2D:
    """A legend entry for the dotted curves of :func:`draw_effective_lr`."""
    return Line2D([], [], color="#444444", linewidth=1.2, linestyle=(0, (1, 1.5)), label="y coordinate (dotted)")


def _legend(ax: Axes, lines: Sequence[Line2D], labels: Sequence[str], extra: Sequence[Line2D] = ()) -> None:
    handles = [*lines, *extra]
    names = [*labels, *(str(line.get_label()) for line in extra)]
    ax.legend(handles, names, fontsize=FONT["legend"], loc="best", framealpha=0.9)


def draw_c5(fig: Figure, verdict: Verdict) -> None:
    """C5's figure: effective learning rates over a long run (left, log-log, the two
    compared steps marked) and the loss above the minimum (right)."""
    runs = verdict.data["trajectories"]
    trajectories = [runs["adagrad"], runs["rmsprop"]]
    early, late = int(verdict.data["early_step"]), int(verdict.data["late_step"])
    e = verdict.evidence
    left, right = fig.subplots(1, 2)
    lines = draw_effective_lr(left, trajectories, log_steps=True)
    marks = []
    for step in (early, late):
        marks.append(left.axvline(step + 1, color="#444444", linewidth=1.0, linestyle="--", zorder=1))
    marks[0].set_label(f"steps compared ({early + 1} and {late + 1})")
    set_title(
        left,
        f"late / early: Adagrad ×{format_number(e['adagrad_lr_ratio'])}, "
        f"RMSProp ×{format_number(e['rmsprop_lr_ratio'])}",
        FONT["label"],
        y=TITLE_Y,
    )
    _legend(left, lines, [t.label for t in trajectories], [_dotted(), marks[0]])
    curves = draw_losses(right, trajectories, 0.0)
    _legend(right, curves.lines, [t.label for t in trajectories])
    set_title(
        right,
        f"in the 2nd half Adagrad moves {format_number(e['late_progress_ratio'])}× as far as RMSProp",
        FONT["label"],
        y=TITLE_Y,
    )


def draw_c6(fig: Figure, verdict: Verdict) -> None:
    """C6's figure: the loss above the new minimum with the change marked (left) and the
    effective learning rates that explain the recovery (right)."""
    runs = verdict.data["trajectories"]
    trajectories = [runs["adagrad"], runs["rmsprop"]]
    change = int(verdict.data["change_step"])
    e = verdict.evidence
    left, right = fig.subplots(1, 2)
    curves = draw_losses(left, trajectories, float(verdict.data["floor"]))
    mark = left.axvline(
        change, color="#444444", linewidth=1.2, linestyle="--", label=f"objective changes (step {change})"
    )
    _legend(left, curves.lines, [t.label for t in trajectories], [mark])
    adagrad_steps = format_number(e["adagrad_recovery_steps"])
    if e["adagrad_never_recovered"]:
        adagrad_steps = f"> {adagrad_steps}"
    set_title(
        left,
        f"steps to recover: Adagrad {adagrad_steps}, RMSProp {format_number(e['rmsprop_recovery_steps'])}",
        FONT["label"],
        y=TITLE_Y,
    )
    lines = draw_effective_lr(right, trajectories)
    mark = right.axvline(change, color="#444444", linewidth=1.2, linestyle="--", label="objective changes")
    # Around the change: later, RMSProp's rate climbs on as its gradients vanish at the minimum.
    set_step_limits(right, change + 60)
    set_log_limits(right, [t.effective_lr[: change + 60, 0].ravel() for t in trajectories])
    _legend(right, lines, [t.label for t in trajectories], [_dotted(), mark])
    set_title(
        right,
        f"RMSProp forgets in {format_number(e['rmsprop_memory_steps'])} steps "
        f"(1/(1−β) = {format_number(e['memory_formula_steps'])})",
        FONT["label"],
        y=TITLE_Y,
    )
