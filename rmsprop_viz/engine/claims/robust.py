"""The claim that Adam is more robust to its learning rate than the others (C9)."""

from __future__ import annotations

from typing import Any

from rmsprop_viz.engine.claims.record import Verdict

__all__ = ["c9_robustness"]


def c9_robustness(**settings: Any) -> Verdict:
    """C9: not written yet."""
    raise NotImplementedError("C9 is not written yet")
