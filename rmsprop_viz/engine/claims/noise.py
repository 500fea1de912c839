"""The claim about noisy gradients and small batches (C7), tested over several seeds."""

from __future__ import annotations

from typing import Any

from rmsprop_viz.engine.claims.record import Verdict

__all__ = ["c7_noisy_gradients"]


def c7_noisy_gradients(**settings: Any) -> Verdict:
    """C7: not written yet."""
    raise NotImplementedError("C7 is not written yet")
