"""Claims about a learning rate that keeps shrinking (C5) and an objective that changes (C6)."""

from __future__ import annotations

from typing import Any

from rmsprop_viz.engine.claims.record import Verdict

__all__ = ["c5_adagrad_decay", "c6_nonstationary"]


def c5_adagrad_decay(**settings: Any) -> Verdict:
    """C5: not written yet."""
    raise NotImplementedError("C5 is not written yet")


def c6_nonstationary(**settings: Any) -> Verdict:
    """C6: not written yet."""
    raise NotImplementedError("C6 is not written yet")
