"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.rule`."""

from __future__ import annotations

from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict

__all__ = ["draw_c1", "draw_c4", "draw_c10"]


def draw_c1(fig: Figure, verdict: Verdict) -> None:
    """Draw C1's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C1 is not written yet")


def draw_c4(fig: Figure, verdict: Verdict) -> None:
    """Draw C4's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C4 is not written yet")


def draw_c10(fig: Figure, verdict: Verdict) -> None:
    """Draw C10's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C10 is not written yet")
