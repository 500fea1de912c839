"""Verdicts as tables: plain text for a terminal, Markdown for a report or a notebook.

One row per claim: its id, the claim, the verdict and the key number (the evidence
number that :attr:`Verdict.key` names). :func:`text_table` wraps the claim column to fit
a terminal; :func:`markdown_table` writes the same rows as a Markdown table, and
:func:`markdown_report` adds, for each claim, a section with its evidence, explanation,
experiment and settings: a complete report to hand out.

Examples
--------
>>> from rmsprop_viz.engine.claims.record import SUPPORTED, Verdict
>>> v = Verdict("C0", "Smaller steps are safer.", SUPPORTED, {"steps": 12.0}, "steps",
...             "It took 12 steps. That is fewer.", "One run.")
>>> print(text_table([v]))
id  claim                     verdict    key number
--  ------------------------  ---------  ----------
C0  Smaller steps are safer.  supported  steps = 12
>>> print(markdown_table([v]))
| id | claim | verdict | key number |
|---|---|---|---|
| C0 | Smaller steps are safer. | supported | steps = 12 |
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.engine.claims.record import Verdict, evidence_text
from rmsprop_viz.engine.formatting import format_setting

__all__ = [
    "HEADER",
    "MAX_WIDTH",
    "MIN_CLAIM_WIDTH",
    "PREFERRED_CLAIM_WIDTH",
    "escape_cell",
    "markdown_report",
    "markdown_table",
    "settings_text",
    "summary_rows",
    "text_table",
    "verdict_markdown",
]

#: The columns of every summary table.
HEADER = ("id", "claim", "verdict", "key number")
#: The claim column is never narrower than this, however narrow the terminal.
MIN_CLAIM_WIDTH = 20
#: The claim column gives way to this width before the other columns wrap.
PREFERRED_CLAIM_WIDTH = 30
#: The widest table :func:`text_table` makes.
MAX_WIDTH = 1000
#: The text a table shows for a claim without evidence (one outside a 2-D visualizer).
NO_NUMBER = "-"


def _verdicts(verdicts: Iterable[Verdict]) -> list[Verdict]:
    listed = list(verdicts)
    for v in listed:
        if not isinstance(v, Verdict):
            raise ValueError(f"verdicts must be Verdict records from rmsprop_viz.claims, got {type(v).__name__}")
    return listed


def summary_rows(verdicts: Iterable[Verdict]) -> list[tuple[str, str, str, str]]:
    """One row per verdict: ``(id, claim, verdict, key number)``, the cells as text.

    The key number is :attr:`Verdict.key_number` (``"name = value"``), ``"-"`` for a
    claim without evidence.
    """
    return [(v.id, v.claim, v.verdict, v.key_number or NO_NUMBER) for v in _verdicts(verdicts)]


def _column_widths(rows: list[tuple[str, ...]], width: int) -> list[int]:
    """The columns' widths for a table at most ``width`` wide, if the words allow it.

    Each column starts at its natural width. While the table is too wide, the claim
    column gives way down to :data:`PREFERRED_CLAIM_WIDTH`, then the verdict and the key
    number down to their longest word (never below their header), then the claim down
    to :data:`MIN_CLAIM_WIDTH`.
    """
    natural = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    floor = [
        max([len(HEADER[i])] + [len(w) for r in rows for w in r[i].split()]) if i > 0 else natural[0]
        for i in range(len(HEADER))
    ]
    room = width - natural[0] - 2 * (len(HEADER) - 1)
    widths = list(natural)
    for column, keep in ((1, PREFERRED_CLAIM_WIDTH), (2, 0), (3, 0), (1, MIN_CLAIM_WIDTH)):
        excess = sum(widths[1:]) - room
        if excess <= 0:
            break
        lowest = max(floor[column], min(keep, natural[column]))
        widths[column] = max(lowest, widths[column] - excess)
    return widths


def text_table(verdicts: Iterable[Verdict], width: int = 100) -> str:
    """The summary rows as aligned plain text, at most ``width`` characters wide.

    The claim, the verdict and the key number wrap between words, never inside one: the
    claim column gives way first (down to :data:`PREFERRED_CLAIM_WIDTH` characters), then
    the verdict and the key number (down to their longest word), then the claim again (down to
    :data:`MIN_CLAIM_WIDTH`); a table that cannot fit even so is wider than ``width``.

    Parameters
    ----------
    verdicts : iterable of Verdict
        The verdicts, one row each, in order.
    width : int
        The terminal's width in characters, in [40, :data:`MAX_WIDTH`].

    Returns
    -------
    str
        A header, a rule and the rows; lines end without trailing spaces.
    """
    width = check_int("width", width, low=40, high=MAX_WIDTH)
    rows: list[tuple[str, ...]] = [HEADER, *summary_rows(verdicts)]
    widths = _column_widths(rows, width)

    def lines(row: tuple[str, ...]) -> list[str]:
        cells = [[row[0]]] + [
            textwrap.wrap(cell, w, break_long_words=False, break_on_hyphens=False) or [""]
            for cell, w in zip(row[1:], widths[1:])
        ]
        height = max(len(c) for c in cells)
        out = []
        for n in range(height):
            parts = [c[n] if n < len(c) else "" for c in cells]
            out.append("  ".join(p.ljust(w) for p, w in zip(parts, widths)).rstrip())
        return out

    text = [*lines(rows[0]), "  ".join("-" * w for w in widths)]
    for row in rows[1:]:
        text.extend(lines(row))
    return "\n".join(text)


def escape_cell(text: str) -> str:
    r"""``text`` made safe for one cell of a Markdown table: ``|`` becomes ``\|`` (a bare
    one would start a new cell), a backslash before it is kept as one, and line breaks
    become spaces.

    >>> escape_cell("a | b\nc")
    'a \\| b c'
    """
    return " ".join(str(text).replace("\\|", "|").replace("|", "\\|").split())


def markdown_table(verdicts: Iterable[Verdict]) -> str:
    """The summary rows as a Markdown table (pipes in the text escaped)."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in summary_rows(verdicts):
        lines.append("| " + " | ".join(escape_cell(cell) for cell in row) + " |")
    return "\n".join(lines)


def settings_text(settings: Mapping[str, Any], max_items: int | None = None) -> str:
    """A claim's settings as one would type them: ``angle=45, lr=0.01, seeds=(0, 1)``.

    With ``max_items``, a tuple longer than that is shortened to its first two and last
    values and its length, ``lrs=(0.0001, 0.0002, ..., 1) [41 values]``: for reading,
    no longer for typing.
    """

    def one(value: Any) -> str:
        if isinstance(value, (tuple, list)):
            if max_items is not None and len(value) > max(max_items, 3):
                return f"({one(value[0])}, {one(value[1])}, ..., {one(value[-1])}) [{len(value)} values]"
            inner = ", ".join(one(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if isinstance(value, str):
            return repr(value)
        return format_setting(value)

    return ", ".join(f"{name}={one(value)}" for name, value in settings.items())


def verdict_markdown(verdict: Verdict, level: int = 3) -> str:
    """One claim as a Markdown section: the heading (id and claim), the verdict, the
    explanation, the evidence numbers (the key one marked), the experiment and the
    settings that reproduce it.

    Parameters
    ----------
    verdict : Verdict
        The claim's verdict.
    level : int
        The heading's level, in [1, 6] (``###`` by default).
    """
    (verdict,) = _verdicts([verdict])
    level = check_int("level", level, low=1, high=6)
    lines = [
        f"{'#' * level} {verdict.id}: {verdict.claim}",
        "",
        f"**Verdict: {verdict.verdict}.** {verdict.explanation}",
    ]
    lines += ["", f"*Experiment:* {verdict.experiment}"]
    if verdict.evidence:
        lines += ["", "| evidence | value |", "|---|---|"]
        for name, value in verdict.evidence.items():
            shown = f"**{evidence_text(value)}** (key)" if name == verdict.key else evidence_text(value)
            lines.append(f"| `{escape_cell(name)}` | {shown} |")
    if verdict.settings:
        rerun = f'rv.claims.check("{verdict.id}", NAME=VALUE)'
        lines += ["", f"*Settings:* `{settings_text(verdict.settings, 8)}`; `{rerun}` reruns it with one changed."]
    return "\n".join(lines)


def markdown_report(verdicts: Iterable[Verdict], title: str = "Claims about RMSProp, tested") -> str:
    """A complete report: a title, the summary table, then one section per claim
    (:func:`verdict_markdown`); ends with a newline."""
    listed = _verdicts(verdicts)
    parts = [
        f"# {title}",
        "Each claim was tested by running the experiment described under it; the verdict "
        "comes from the measured numbers.",
        markdown_table(listed),
        "## The claims one by one",
        *(verdict_markdown(v) for v in listed),
    ]
    return "\n\n".join(parts) + "\n"


def __dir__() -> list[str]:
    return sorted(__all__)
