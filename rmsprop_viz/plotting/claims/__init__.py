"""Figures for the claims lab: :func:`claim_figure` draws the experiment behind a verdict.

Each claim's figure reads only the verdict (its ``data`` holds the runs the experiment
made); nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.plotting.claims.change import draw_c5, draw_c6
from rmsprop_viz.plotting.claims.noise import draw_c7
from rmsprop_viz.plotting.claims.robust import draw_c9
from rmsprop_viz.plotting.claims.rule import draw_c1, draw_c4, draw_c10
from rmsprop_viz.plotting.claims.scale import draw_c2, draw_c3, draw_c8
from rmsprop_viz.plotting.style import FONT

__all__ = ["FIGURES", "claim_figure"]

#: How each claim's figure is drawn, by claim id (C11 has no experiment, so no figure).
FIGURES: dict[str, Callable[[Figure, Verdict], None]] = {
    "C1": draw_c1,
    "C2": draw_c2,
    "C3": draw_c3,
    "C4": draw_c4,
    "C5": draw_c5,
    "C6": draw_c6,
    "C7": draw_c7,
    "C8": draw_c8,
    "C9": draw_c9,
    "C10": draw_c10,
}


def claim_figure(verdict: Verdict, **figure_kwargs: Any) -> Figure:
    """A new :class:`~matplotlib.figure.Figure` showing the experiment behind ``verdict``.

    The claim's drawing function (:data:`FIGURES`) fills the figure with its panels; the
    title above them, the same for every claim, says the id, the verdict and the claim.

    ``figure_kwargs`` go to ``Figure`` (default ``figsize=(11, 4.2)``, ``layout="constrained"``).
    """
    if not isinstance(verdict, Verdict):
        raise ValueError(f"verdict must be a Verdict from rmsprop_viz.claims, got {type(verdict).__name__}")
    if verdict.id not in FIGURES:
        raise ValueError(f"claim {verdict.id} has no experiment, so no figure: {verdict.experiment}")
    fig = Figure(**{"figsize": (11.0, 4.2), "layout": "constrained", **figure_kwargs})
    FIGURES[verdict.id](fig, verdict)
    fig.suptitle(f"{verdict.id}, {verdict.verdict}: {verdict.claim}", fontsize=FONT["title"])
    return fig
