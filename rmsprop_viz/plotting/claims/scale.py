"""Figures for the claims of :mod:`rmsprop_viz.engine.claims.scale`."""

from __future__ import annotations

from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict

__all__ = ["draw_c2", "draw_c3", "draw_c8"]


def draw_c2(fig: Figure, verdict: Verdict) -> None:
    """Draw C2's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C2 is not written yet")


def draw_c3(fig: Figure, verdict: Verdict) -> None:
    """Draw C3's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C3 is not written yet")


def draw_c8(fig: Figure, verdict: Verdict) -> None:
    """Draw C8's figure on ``fig``: not written yet."""
    raise NotImplementedError("the figure of C8 is not written yet")
