"""The claims lab: each claim of the usual explanation of RMSProp, tested by experiment.

Every function below runs a small experiment and returns a :class:`Verdict`: the claim
in our words, the verdict (one of :data:`VERDICTS`), the measured numbers, and two
sentences on what they mean. Nothing is decided in advance: the verdict comes from the
numbers, and each function takes its settings as arguments, so you can rerun a claim
under other settings and see whether its verdict survives.

:func:`text_table` and :func:`markdown_table` show verdicts as a summary table (id,
claim, verdict, key number), :func:`markdown_report` as a report with a section per
claim; a single verdict displays itself in a notebook (:func:`verdict_markdown`).

=====  ======================  ==========================================================
id     function                the claim
=====  ======================  ==========================================================
C1     c1_update_rule          the update rule, with eps inside the square root
C2     c2_gradient_scale       it cures vanishing and exploding gradients
C3     c3_large_gradients      coordinates with large gradients get smaller updates
C4     c4_beta_memory          beta sets how long the average remembers
C5     c5_adagrad_decay        Adagrad's learning rate keeps shrinking, RMSProp's does not
C6     c6_nonstationary        it suits objectives that change over time
C7     c7_noisy_gradients      it suits noisy gradients and small batches
C8     c8_rotation             it beats plain SGD when the scales differ by direction
C9     c9_robustness           Adam, with momentum, is often more robust
C10    c10_epsilon             eps is only a tiny constant for numerical stability
C11    c11_rnns                it works well for recurrent networks and online learning
=====  ======================  ==========================================================

>>> import rmsprop_viz as rv
>>> rv.claims.c11_rnns().verdict
'outside a 2-D visualizer'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rmsprop_viz.engine.claims.change import c5_adagrad_decay, c6_nonstationary
from rmsprop_viz.engine.claims.noise import c7_noisy_gradients
from rmsprop_viz.engine.claims.record import MISLEADING, OUTSIDE, PARTLY, SUPPORTED, VERDICTS, Verdict
from rmsprop_viz.engine.claims.robust import c9_robustness
from rmsprop_viz.engine.claims.rule import c1_update_rule, c4_beta_memory, c10_epsilon
from rmsprop_viz.engine.claims.scale import c2_gradient_scale, c3_large_gradients, c8_rotation
from rmsprop_viz.engine.claims.table import markdown_report, markdown_table, text_table, verdict_markdown

__all__ = [
    "CLAIMS",
    "MISLEADING",
    "OUTSIDE",
    "PARTLY",
    "SUPPORTED",
    "VERDICTS",
    "Verdict",
    "c1_update_rule",
    "c2_gradient_scale",
    "c3_large_gradients",
    "c4_beta_memory",
    "c5_adagrad_decay",
    "c6_nonstationary",
    "c7_noisy_gradients",
    "c8_rotation",
    "c9_robustness",
    "c10_epsilon",
    "c11_rnns",
    "check",
    "check_all",
    "claim_id",
    "markdown_report",
    "markdown_table",
    "text_table",
    "verdict_markdown",
]


def c11_rnns() -> Verdict:
    """C11: "it works well for recurrent networks and for online learning".

    A recurrent network has thousands of weights and gradients that flow back through
    time; a surface of two parameters has neither, so no experiment here can test the
    claim, and the record says so instead of inventing a verdict.

    >>> c11_rnns().evidence
    {}
    """
    return Verdict(
        id="C11",
        claim="RMSProp works well for training recurrent networks and for online learning.",
        verdict=OUTSIDE,
        evidence={},
        key="",
        explanation=(
            "Recurrent networks have many thousands of weights and gradients that pass back "
            "through time, and a surface of two parameters has neither. The claim may well "
            "hold, but testing it needs a real network and data set, not this visualizer."
        ),
        experiment="None: a two-parameter surface cannot stand in for a recurrent network.",
    )


#: Every claim, by id, in the order of the teaching text.
CLAIMS: dict[str, Callable[..., Verdict]] = {
    "C1": c1_update_rule,
    "C2": c2_gradient_scale,
    "C3": c3_large_gradients,
    "C4": c4_beta_memory,
    "C5": c5_adagrad_decay,
    "C6": c6_nonstationary,
    "C7": c7_noisy_gradients,
    "C8": c8_rotation,
    "C9": c9_robustness,
    "C10": c10_epsilon,
    "C11": c11_rnns,
}


def claim_id(claim: Any) -> str:
    """The id of :data:`CLAIMS` that ``claim`` names: ``"C8"``, ``"c8"``, ``" C8 "`` and
    ``8`` are all ``"C8"``; anything else is a ValueError that lists the ids.

    >>> claim_id("c8"), claim_id(8)
    ('C8', 'C8')
    """
    key = str(claim).strip().upper() if isinstance(claim, (str, int)) and not isinstance(claim, bool) else ""
    if key.isdigit():
        key = f"C{key}"
    if key not in CLAIMS:
        raise ValueError(f"claim must be one of {', '.join(CLAIMS)}, got {claim!r}")
    return key


def check(claim: str | int, **settings: Any) -> Verdict:
    """Run one claim's experiment: ``check("C8", angles=(0, 30, 45))``.

    ``claim`` is an id of :data:`CLAIMS` (``"C8"``, ``"c8"`` or ``8``); ``settings`` go
    to its function.
    """
    return CLAIMS[claim_id(claim)](**settings)


def check_all(
    claims: Iterable[str | int] | None = None, *, on_done: Callable[[Verdict], None] | None = None
) -> list[Verdict]:
    """Run every claim's experiment (or those named in ``claims``) with its default settings.

    ``on_done`` is called with each verdict as soon as it is known (a progress line).
    """
    ids = list(CLAIMS) if claims is None else [claim_id(c) for c in claims]
    verdicts = []
    for key in ids:
        verdict = CLAIMS[key]()
        if on_done is not None:
            on_done(verdict)
        verdicts.append(verdict)
    return verdicts
