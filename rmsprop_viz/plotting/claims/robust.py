"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.robust`."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.plotting.robustness import draw_robustness, mark_keys
from rmsprop_viz.plotting.style import FONT, LINE_WIDTH, style_for

__all__ = ["draw_c9"]


def draw_c9(fig: Figure, verdict: Verdict) -> None:
    """Draw C9's figure on ``fig``: one panel of robustness curves per surface tried
    (:func:`.robustness.draw_robustness`: the final loss gap against the learning rate,
    each optimizer's converging range as a bar, diverged learning rates as crosses),
    titled with Adam's width and its lead over the widest other, and one legend for all.
    """
    curves = verdict.data["curves"]
    labels = verdict.data["labels"]
    leads = verdict.data["leads"]
    rivals = verdict.data["widest_other"]
    axes = fig.subplots(1, len(curves), squeeze=False)[0]
    for ax, (name, found) in zip(axes, curves.items()):
        rival = rivals[name]
        title = (
            f"{labels[name]}: Adam {format_number(found['adam'].width, 2)} decades, "
            f"{KINDS[rival].label} {format_number(found[rival].width, 2)} (lead {format_number(leads[name], 2)})"
        )
        draw_robustness(ax, found, title=title, legend=False)
        ax.set_ylabel(f"f − f* after {found['adam'].n_steps} steps", fontsize=FONT["label"])
    first = next(iter(curves.values()))
    handles = [
        Line2D(
            [],
            [],
            color=style_for(kind).color,
            linestyle=style_for(kind).linestyle,
            marker=style_for(kind).marker,
            linewidth=LINE_WIDTH - 0.6,
            markersize=5,
            label=KINDS[kind].label,
        )
        for kind in first
    ]
    settings = verdict.settings
    handles.append(
        Line2D(
            [],
            [],
            color="0.35",
            linestyle=(0, (5, 3)),
            label=f"converged below: max({format_number(settings['tol'])}, start gap / "
            f"{format_number(settings['reduction'])})",
        )
    )
    handles.extend(mark_keys())
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=FONT["legend"] - 1)
