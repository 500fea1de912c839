"""Claims about the update rule itself: where eps goes (C1), what beta does (C4), what eps does (C10)."""

from __future__ import annotations

from typing import Any

from rmsprop_viz.engine.claims.record import Verdict

__all__ = ["c1_update_rule", "c4_beta_memory", "c10_epsilon"]


def c1_update_rule(**settings: Any) -> Verdict:
    """C1: not written yet."""
    raise NotImplementedError("C1 is not written yet")


def c4_beta_memory(**settings: Any) -> Verdict:
    """C4: not written yet."""
    raise NotImplementedError("C4 is not written yet")


def c10_epsilon(**settings: Any) -> Verdict:
    """C10: not written yet."""
    raise NotImplementedError("C10 is not written yet")
