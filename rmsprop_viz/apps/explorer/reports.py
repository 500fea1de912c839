"""What the explorer says, as HTML: the legend, the step-by-step readout, the status line
and the download links.

The numbers, rows and sentences come from the engine
(:func:`rmsprop_viz.engine.reports.step_report`, :mod:`rmsprop_viz.engine.explain`,
:mod:`rmsprop_viz.engine.formatting`); this module only puts them into HTML. Colours are
looked up by kind in :data:`rmsprop_viz.core.kinds.KINDS`.
"""

from __future__ import annotations

import base64
import pathlib
from collections.abc import Mapping, Sequence

from rmsprop_viz.apps.explorer.settings import Settings
from rmsprop_viz.core import surfaces
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.explain import race_summary as summarise_race
from rmsprop_viz.engine.formatting import format_setting
from rmsprop_viz.engine.reports import StepReport
from rmsprop_viz.engine.run import Trajectory

__all__ = [
    "MAX_DOWNLOAD_BYTES",
    "download_link",
    "escape",
    "labels",
    "legend_html",
    "one_line",
    "race_summary",
    "readout_html",
    "status_html",
    "symbol",
]

#: Files larger than this are not offered as a download link (the link holds the whole file).
MAX_DOWNLOAD_BYTES = 30 * 2**20

_MIME = {
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".html": "text/html",
    ".png": "image/png",
    ".json": "application/json",
}


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped for HTML.

    >>> escape("f - f* < 1e-15 & more")
    'f - f* &lt; 1e-15 &amp; more'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def symbol(text: str) -> str:
    """A row name or formula as HTML: ``v_prev`` -> v with a subscript "prev".

    >>> symbol("v_max_prev")
    'v<sub>max,prev</sub>'
    """
    html = escape(text)
    for sub in ("_max_prev", "_prev", "_max"):
        html = html.replace(sub, f"<sub>{','.join(sub.split('_')[1:])}</sub>")
    return html


def one_line(error: BaseException) -> str:
    """An exception's message as one line (its first), without a traceback.

    >>> one_line(ValueError("first\\nsecond")), one_line(RuntimeError())
    ('first', 'RuntimeError')
    """
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def status_html(text: str, *, error: bool = False) -> str:
    """The status line: ``text`` in red for an error, else in black."""
    color = "#b00020" if error else "#222222"
    return f"<span style='color:{color}; font-size: 14px'>{escape(text)}</span>"


def labels(settings: Settings) -> dict[str, str]:
    """Each run the explorer can race (by lane) with the hyperparameters it runs with."""
    out = {}
    for key in settings.lanes():
        spec = settings.spec(key)
        params = ", ".join(f"{k}={format_setting(v)}" for k, v in spec.params.items())
        best = " (its best alpha)" if settings.mode == "best" and key in settings.best_lr else ""
        out[key] = f"{spec.label}: {params}{best}"
    return out


def legend_html(
    settings: Settings,
    best_rule: str = "",
    best_missing: Sequence[str] = (),
    colors: Mapping[str, str] | None = None,
) -> str:
    """The legend above the figure: each run that is on, in its colour (``colors`` by
    lane; by default its kind's), with its hyperparameters; in "each one's best alpha"
    mode, how the best alphas were chosen (``best_rule``, the engine's sentence) and for
    which optimizers none qualified."""
    color = _colors(settings, colors)
    items = [
        f"<span style='white-space:nowrap; margin-right:18px'><span style='color:{color[key]}; "
        f"font-size:18px'>&#9632;</span> {escape(label)}</span>"
        for key, label in labels(settings).items()
        if settings.enabled.get(key)
    ]
    if not items:
        items.append("<i>every optimizer is off: turn one on with the buttons above</i>")
    note = ""
    if settings.mode == "best" and best_rule:
        note = f"<div style='font-size:12px; color:#444'>best alpha: {escape(best_rule)}"
        if best_missing:
            note += f"; none qualified for {escape(', '.join(best_missing))} (kept its alpha)"
        note += ".</div>"
    return f"<div style='font-size:14px; line-height:1.6'>{' '.join(items)}</div>{note}"


def _colors(settings: Settings, colors: Mapping[str, str] | None) -> dict[str, str]:
    """Each lane's colour: from ``colors``, else its kind's."""
    given = dict(colors or {})
    return {key: given.get(key, KINDS[settings.kind(key)].style.color) for key in settings.lanes()}


def _table(key: str, report: StepReport, color: str) -> str:
    head = f"<b style='color:{color}'>{escape(report.label)}</b>"
    if report.step:
        head += f", step {report.step}"
    constants = f"<span class='rv-constants'>{escape(report.constants_text())}</span>"
    note = f"<br><i class='rv-note'>{escape(report.note)}</i>" if report.note else ""
    rows = "".join(
        f"<tr data-row='{escape(row.name)}'><td style='padding-right:6px'>{symbol(row.name)}</td>"
        f"<td style='padding-right:10px; color:#444'>= {symbol(row.formula)}</td>"
        f"<td class='rv-x' style='text-align:right; padding-right:10px'>{x}</td>"
        f"<td class='rv-y' style='text-align:right'>{y}</td></tr>"
        for row in report.rows
        for x, y in [tuple(escape(t) for t in row.texts())]
    )
    header = "<tr><th></th><th style='text-align:left'>formula</th><th>x</th><th>y</th></tr>" if rows else ""
    return (
        f"<table class='rv-readout' data-kind='{key}' style='font-size:13px; border-collapse:collapse'>"
        f"<caption style='text-align:left; caption-side:top'>{head} ({constants}){note}</caption>"
        f"{header}{rows}</table>"
    )


def readout_html(reports: Mapping[str, StepReport], step: int, colors: Mapping[str, str] | None = None) -> str:
    """The readout under the figure: one table per run (by lane, in its colour from
    ``colors``, else its kind's), each row a quantity of the step with its formula and its
    x and y values."""
    given = dict(colors or {})
    tables = [
        _table(key, report, given.get(key) or KINDS[key.split(":")[0]].style.color) for key, report in reports.items()
    ]
    if not tables:
        return "<div style='font-size:13px'>No optimizer is on.</div>"
    intro = (
        f"<div style='font-size:13px'>Step {step}: each row follows from the rows above it by its formula "
        "(<i>prev</i>: the value after the step before); θ moves by <i>step</i>. "
        "Numbers have 3 significant digits; &lt; 1e-15 (times the row's size at step 1) marks rounding "
        "noise, and numbers too small for float64 to hold in full (underflow).</div>"
    )
    return (
        f"{intro}<div style='display:flex; flex-wrap:wrap; align-items:flex-start; gap:8px 28px'>"
        f"{''.join(tables)}</div>"
    )


def race_summary(
    settings: Settings,
    results: Mapping[str, Trajectory],
    surface: surfaces.Surface,
    *,
    floor: float,
    scale: float,
) -> tuple[str, bool]:
    """What happened in the last race, in words (the engine's
    :func:`~rmsprop_viz.engine.explain.race_summary`, for the optimizers that are on), and
    whether it is bad news (a divergence).

    ``floor`` is the loss at the minimum and ``scale`` the loss gap at the start, by
    which a gap too small to tell from rounding is recognised.
    """
    if not settings.any_enabled():
        return "Every optimizer is off: turn one on with the buttons above the figure to race again.", False
    shown = {k: t for k, t in results.items() if settings.enabled.get(k)}
    specs = {k: settings.spec(k) for k in shown}
    return summarise_race(shown, specs, surface, settings.start, floor=floor, scale=scale)


def download_link(path: pathlib.Path) -> str:
    """An HTML link that hands the file at ``path`` (written by the exporter) to the
    browser as a download (a ``data:`` URL with the ``download`` attribute): works in
    JupyterLab, Notebook 7 and Voila, where the kernel's files are not reachable from the
    browser. Files over :data:`MAX_DOWNLOAD_BYTES` are named, not offered."""
    size = path.stat().st_size
    if size > MAX_DOWNLOAD_BYTES:
        return (
            f"<span>{escape(path.name)} is {size / 2**20:.0f} MB, too large to offer here; "
            f"it is on the server at {escape(str(path))}</span>"
        )
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    name = escape(path.name).replace("'", "&#39;")
    return (
        f"<a download='{name}' href='data:{mime};base64,{data}' "
        f"style='margin-right:16px; font-weight:bold'>&#11015; download {name}</a>"
    )
