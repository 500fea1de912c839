"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.change`."""

from __future__ import annotations

from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict

__all__ = ["draw_c5", "draw_c6"]


def draw_c5(fig: Figure, verdict: Verdict) -> None:
    """Draw C5's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C5 is not written yet")


def draw_c6(fig: Figure, verdict: Verdict) -> None:
    """Draw C6's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C6 is not written yet")
