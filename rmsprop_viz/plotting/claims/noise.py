"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.noise`.

C7: one panel per stochastic problem (small gradient noise, large gradient noise,
mini-batches), each the loss band of SGD, RMSProp and Adam over the seeds
(:func:`rmsprop_viz.plotting.bands.draw_loss_band`), with the ratio of the floors that the
verdict compares in the panel's title. Reads only ``verdict.data`` and
``verdict.evidence``.
"""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.plotting.bands import band_label, draw_loss_band
from rmsprop_viz.plotting.style import FONT

__all__ = ["draw_c7"]

#: What each panel's title quotes: the evidence ratio and how to read it.
_RATIOS = {
    "small_noise": ("rmsprop_over_sgd_small_noise", "RMSProp's floor / SGD's"),
    "large_noise": ("sgd_over_rmsprop_large_noise", "SGD's floor / RMSProp's"),
    "minibatch": ("sgd_over_rmsprop_minibatch", "SGD's floor / RMSProp's"),
}


def draw_c7(fig: Figure, verdict: Verdict) -> None:
    """Draw C7's figure on ``fig``: the loss bands (median and 10%-90% of the seeds) of
    each optimizer on each of the three problems, the floor ratio in each title, one
    legend for the figure."""
    problems = list(verdict.data["bands"])
    axes = fig.subplots(1, len(problems), sharey=True)
    tail = int(verdict.data["tail"])
    drawn = []
    for ax, problem in zip(axes, problems):
        bands = list(verdict.data["bands"][problem].values())
        name, reading = _RATIOS[problem]
        title = f"{verdict.data['titles'][problem]}\n{reading} = {format_number(float(verdict.evidence[name]))}"
        drawn = draw_loss_band(ax, bands, legend=False, title=title)
        last = bands[0].n_steps
        ax.axvspan(last - tail, last, color="0.93", zorder=0, linewidth=0)
    for ax in axes[1:]:
        ax.set_ylabel("")
    bands = list(verdict.data["bands"][problems[0]].values())
    q_low, q_high = (round(100 * q) for q in bands[0].quantiles)
    handles: list[Artist] = [a.line for a in drawn]
    for handle, band in zip(handles, bands):
        handle.set_label(f"{band_label(band)}: median")
    handles.append(Patch(facecolor="0.5", alpha=0.35, label=f"{q_low}% to {q_high}% of the seeds"))
    handles.append(Patch(facecolor="0.93", edgecolor="0.7", label=f"the last {tail} steps: the floor"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=FONT["legend"], frameon=False)
