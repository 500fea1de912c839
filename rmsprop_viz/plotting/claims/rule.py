"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.rule`.

Each function reads the runs and arrays that the claim put into ``verdict.data`` and
draws them; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number, format_setting
from rmsprop_viz.plotting.paths import draw_paths
from rmsprop_viz.plotting.style import FONT, LINE_WIDTH, MARKER_SIZE, TITLE_Y, set_title, style_for, tidy
from rmsprop_viz.plotting.surface import draw_surface

__all__ = ["draw_c1", "draw_c4", "draw_c10"]

#: How far each beta's curve (C4) is blended towards white: every curve is RMSProp, so
#: all are RMSProp's colour (a colour of the palette means a kind of optimizer in every
#: figure), light to dark, with a line style of their own for grey-scale prints.
BETA_SHADES = (0.6, 0.3, 0.0, 0.45)
BETA_LINESTYLES = (":", "--", "-", "-.")
#: The second scale of C1 and the g^2 mark of C10: not an optimizer, so no palette colour.
NEUTRAL = "#444444"


def _beta_colour(j: int) -> tuple[float, float, float]:
    """RMSProp's colour blended with white by ``BETA_SHADES[j]``."""
    base = np.array(mcolors.to_rgb(style_for("rmsprop").color))
    shade = BETA_SHADES[j % len(BETA_SHADES)]
    r, g, b = (base + (1.0 - base) * shade).tolist()
    return (r, g, b)


#: A thin line that marks a threshold or a predicted value.
GUIDE: dict[str, Any] = {"color": "#555555", "linestyle": ":", "linewidth": 1.6, "zorder": 1}


def _labels(ax: Axes, x: str, y: str) -> None:
    ax.set_xlabel(x, fontsize=FONT["label"])
    ax.set_ylabel(y, fontsize=FONT["label"])
    tidy(ax)


def _legend(ax: Axes, **kwargs: Any) -> None:
    ax.legend(fontsize=FONT["legend"], framealpha=0.9, **kwargs)


def draw_c1(fig: Figure, verdict: Verdict) -> None:
    """C1: the two placements of eps on the small-gradient bowl (left), and the distance
    between their paths at each step, at loss scale 1 and at the small scale (right)."""
    data, s = verdict.data, verdict.settings
    paths_ax, gap_ax = fig.subplots(1, 2, width_ratios=(1.0, 1.35))
    hyper = f"α = {format_setting(s['lr'])}, β = {format_setting(s['beta'])}, ε = {format_setting(s['eps'])}"
    draw_surface(paths_ax, data["small_surface"], title=False)
    draw_paths(
        paths_ax,
        [data["small_inside"], data["small_outside"]],
        labels=["ε inside: g/√(v+ε)", "ε outside: g/(√v+ε)"],
    )
    set_title(paths_ax, f"loss × {format_number(s['small_scale'])}, {hyper}", y=TITLE_Y)
    _legend(paths_ax, loc="lower left")

    steps = range(len(data["small_gap"]))
    small = style_for("rmsprop")
    gap_ax.plot(
        steps,
        data["small_gap"],
        color=small.color,
        linewidth=LINE_WIDTH,
        label=f"loss × {format_number(s['small_scale'])} (g² near ε)",
    )
    gap_ax.plot(steps, data["unit_gap"], color=NEUTRAL, linewidth=LINE_WIDTH, label="loss × 1 (g² ≫ ε)")
    gap_ax.axhline(s["min_gap"], **GUIDE, label=f"threshold {format_number(s['min_gap'])}")
    gap_ax.set_yscale("log")
    gap_ax.set_ylim(bottom=1e-16)  # near rounding; room for the legend below the curves
    gap_ax.set_xlim(0, len(data["small_gap"]) - 1)
    _labels(gap_ax, "step", "distance between the paths\n/ distance from start to minimum")
    set_title(
        gap_ax, f"ε inside vs outside: paths part by {format_number(verdict.evidence['small_scale_gap'])}", y=TITLE_Y
    )
    _legend(gap_ax, loc="lower left")


def draw_c4(fig: Figure, verdict: Verdict) -> None:
    """C4: how much of the old level of v is forgotten after the gradient's scale drops,
    per beta, with 1/(1-beta) marked (left); the first step over the learning rate (right)."""
    data = verdict.data
    memory_ax, first_ax = fig.subplots(1, 2, width_ratios=(1.5, 1.0))
    betas = data["betas"]
    for j, beta in enumerate(betas):
        colour = _beta_colour(j)
        memory_ax.plot(
            data["steps_after"],
            data["forgotten"][j],
            color=colour,
            linestyle=BETA_LINESTYLES[j % len(BETA_LINESTYLES)],
            linewidth=LINE_WIDTH,
            label=f"β = {format_setting(beta)}: 63% after {int(data['memory_steps'][j])} steps",
        )
        memory_ax.axvline(data["expected_memory"][j], color=colour, linestyle="--", linewidth=1.4)
    memory_ax.axhline(0.632, **GUIDE, label="63% forgotten; dashed: 1/(1−β)")
    memory_ax.set_xscale("log")
    memory_ax.set_ylim(0.0, 1.6)  # room for the legend above the curves
    memory_ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    _labels(memory_ax, "steps after the loss was scaled down", "share of the old v forgotten")
    set_title(
        memory_ax,
        f"memory vs 1/(1−β): worst factor {format_number(verdict.evidence['worst_memory_ratio'])}",
        y=TITLE_Y,
    )
    _legend(memory_ax, loc="upper left")

    positions = range(len(betas))
    bars = first_ax.bar(
        positions,
        data["first_step_over_lr"],
        color=[_beta_colour(j) for j in positions],
        edgecolor="black",
        label="measured first step / α",
    )
    first_ax.plot(
        positions,
        data["expected_first_step"],
        linestyle="none",
        marker="_",
        markersize=MARKER_SIZE * 3,
        markeredgewidth=2.5,
        color="black",
        label="1/√(1−β)",
    )
    first_ax.bar_label(
        bars, [f"{format_number(v)} α" for v in data["first_step_over_lr"]], fontsize=FONT["note"], padding=6
    )
    first_ax.set_xticks(list(positions), [f"β = {format_setting(b)}" for b in betas])
    first_ax.set_ylim(0.0, 1.3 * max(data["first_step_over_lr"]))
    _labels(first_ax, "decay β (PyTorch's alpha, Keras's rho)", "first step / learning rate α")
    set_title(first_ax, "v starts at 0: the first step overshoots", y=TITLE_Y)
    _legend(first_ax, loc="upper left")


def draw_c10(fig: Figure, verdict: Verdict) -> None:
    """C10: RMSProp with a large eps beside SGD with lr/sqrt(eps) (left); how far RMSProp's
    path moves from its small-eps path, for each eps of the sweep (right)."""
    data, s, ev = verdict.data, verdict.settings, verdict.evidence
    paths_ax, sweep_ax = fig.subplots(1, 2, width_ratios=(1.0, 1.35))
    draw_surface(paths_ax, data["surface"], title=False)
    rms_lr = format_setting(data["large_eps_lr"])
    artists = draw_paths(
        paths_ax,
        [data["large_eps_run"], data["sgd_run"]],
        labels=[
            f"RMSProp, α = {rms_lr}, ε = {format_setting(s['large_eps'])} (α/√ε = {format_setting(s['sgd_lr'])})",
            f"SGD, α = {format_setting(s['sgd_lr'])}",
        ],
    )
    artists[0].line.set_linestyle("--")  # drawn over SGD's path, which it follows
    artists[0].line.set_zorder(4)
    set_title(paths_ax, f"distance from SGD: {format_number(ev['distance_from_sgd'])} of the path", y=TITLE_Y)
    _legend(paths_ax, loc="lower left")

    rms = style_for("rmsprop")
    sweep_ax.plot(
        data["eps_grid"],
        data["path_change"],
        color=rms.color,
        marker=rms.marker,
        markersize=MARKER_SIZE,
        linewidth=LINE_WIDTH,
        label=f"RMSProp, α = {format_setting(s['lr'])}, {s['n_steps']} steps",
    )
    sweep_ax.axhline(s["change_tol"], **GUIDE, label=f"threshold {format_number(s['change_tol'])}")
    sweep_ax.axvline(
        ev["smallest_g_squared_at_start"],
        color=NEUTRAL,
        linestyle="--",
        linewidth=1.6,
        label=f"smaller g² at the start = {format_number(ev['smallest_g_squared_at_start'])}",
    )
    sweep_ax.set_xscale("log")
    sweep_ax.set_yscale("log")
    _labels(sweep_ax, "ε", "largest distance from the path at the\nsmallest ε / that path's length")
    where = ev["eps_where_path_changes"]
    changes = f"path changes from ε = {format_number(where)}" if where > 0 else "no ε of the grid changes the path"
    set_title(sweep_ax, changes, y=TITLE_Y)
    _legend(sweep_ax, loc="upper left")
