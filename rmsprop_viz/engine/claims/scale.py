"""Claims about gradient scale: a scaled loss (C2), large-gradient coordinates (C3), rotated ill-conditioning (C8)."""

from __future__ import annotations

from typing import Any

from rmsprop_viz.engine.claims.record import Verdict

__all__ = ["c2_gradient_scale", "c3_large_gradients", "c8_rotation"]


def c2_gradient_scale(**settings: Any) -> Verdict:
    """C2: not written yet."""
    raise NotImplementedError("C2 is not written yet")


def c3_large_gradients(**settings: Any) -> Verdict:
    """C3: not written yet."""
    raise NotImplementedError("C3 is not written yet")


def c8_rotation(**settings: Any) -> Verdict:
    """C8: not written yet."""
    raise NotImplementedError("C8 is not written yet")
