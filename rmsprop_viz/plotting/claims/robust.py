"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.robust`."""

from __future__ import annotations

from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict

__all__ = ["draw_c9"]


def draw_c9(fig: Figure, verdict: Verdict) -> None:
    """Draw C9's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C9 is not written yet")
