"""The record every claim returns: :class:`Verdict`.

A verdict is computed from runs, never written down in advance: each claim function
runs its experiment with the settings it was given, measures named numbers (the
*evidence*) and decides by comparing them with thresholds that are part of its settings.
Rerun it with other settings and the verdict may change; the record says which settings
produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rmsprop_viz.engine.formatting import format_number

__all__ = ["MISLEADING", "OUTSIDE", "PARTLY", "SUPPORTED", "VERDICTS", "Verdict", "evidence_text"]

SUPPORTED = "supported"
PARTLY = "partly"
MISLEADING = "misleading"
#: The verdict of a claim that a two-parameter experiment cannot test.
OUTSIDE = "outside a 2-D visualizer"
#: Every verdict a claim can get, from "holds" to "cannot be tested here".
VERDICTS = (SUPPORTED, PARTLY, MISLEADING, OUTSIDE)


def evidence_text(value: float) -> str:
    """An evidence number as tables show it: a count (an ``int``) in full, anything else
    with 3 significant digits (:func:`~rmsprop_viz.engine.formatting.format_number`).

    >>> evidence_text(1011), evidence_text(1011.0), evidence_text(0.94321)
    ('1011', '1.01e+03', '0.943')
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return format_number(float(value))


@dataclass(frozen=True)
class Verdict:
    """What one claim's experiment found.

    Attributes
    ----------
    id : str
        ``"C1"`` ... ``"C11"``.
    claim : str
        The claim, in one sentence of our own words.
    verdict : str
        One of :data:`VERDICTS`.
    evidence : mapping of str to float
        The measured numbers the verdict rests on, by name (e.g.
        ``{"sgd_steps_at_45": 410, "rmsprop_steps_at_45": 395}``); empty for
        :data:`OUTSIDE`.
    key : str
        The name of the one number of ``evidence`` a summary table shows ("" when there
        is no evidence).
    explanation : str
        Two sentences: what the numbers show, and what that means for the claim.
    experiment : str
        One sentence: what was run.
    settings : mapping of str to object
        Every setting the experiment used (the claim function's arguments, defaults
        included), so a reader can rerun it: ``check(verdict.id, **verdict.settings)``.
    data : mapping of str to object
        The runs and arrays behind the evidence, for the claim's figure
        (:func:`rmsprop_viz.plotting.claims.claim_figure`); not shown in tables.

    Examples
    --------
    >>> v = Verdict("C0", "Smaller steps are safer.", SUPPORTED, {"steps": 12.0}, "steps",
    ...             "It took 12 steps. That is fewer.", "One run.")
    >>> v.key_number
    'steps = 12'
    """

    id: str
    claim: str
    verdict: str
    evidence: Mapping[str, float]
    key: str
    explanation: str
    experiment: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {self.verdict!r}")
        if self.key and self.key not in self.evidence:
            raise ValueError(f"key must name one of the evidence numbers {sorted(self.evidence)}, got {self.key!r}")
        for name, value in self.evidence.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"evidence {name!r} must be a number, got {value!r}")

    @property
    def key_number(self) -> str:
        """The key evidence as ``"name = value"`` ("" when there is none), the value
        written by :func:`evidence_text`."""
        if not self.key:
            return ""
        return f"{self.key} = {evidence_text(self.evidence[self.key])}"

    def _repr_markdown_(self) -> str:
        """The verdict as a Markdown section, as a notebook displays it
        (:func:`rmsprop_viz.engine.claims.table.verdict_markdown`)."""
        from rmsprop_viz.engine.claims.table import verdict_markdown  # table.py imports this module

        return verdict_markdown(self)
