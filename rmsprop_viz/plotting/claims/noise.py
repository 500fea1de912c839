"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.noise`."""

from __future__ import annotations

from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict

__all__ = ["draw_c7"]


def draw_c7(fig: Figure, verdict: Verdict) -> None:
    """Draw C7's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C7 is not written yet")
