"""How the figures look: sizes for a lecture hall, one style per kind of optimizer, titles
that fit their panels, and the three marks every figure shares.

A run is styled by its kind (``Trajectory.kind``), looked up in
:data:`rmsprop_viz.core.kinds.KINDS`; never by its label. The marks are drawn by one
function each: :func:`draw_minimum` (a white star: a surface's known minimum, a sweep's
best cell), :func:`draw_start` (a white circle ringed in the run's colour) and
:func:`draw_divergence` (a cross where a run diverged).
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.spines import Spine
from matplotlib.text import Text

from rmsprop_viz.core import kinds
from rmsprop_viz.core.kinds import KINDS, SPARE_STYLES, Style

__all__ = [
    "DIVERGENCE_CROSS",
    "FONT",
    "GREY_GAP",
    "GREY_SATURATION",
    "HUE_GAP",
    "LINE_WIDTH",
    "MARKER_SIZE",
    "MINIMUM",
    "PRESENT",
    "START",
    "TITLE_Y",
    "colours_clash",
    "draw_divergence",
    "draw_minimum",
    "draw_start",
    "enlarge",
    "legend_handle",
    "set_title",
    "style_for",
    "styles_for",
    "tidy",
    "wrap_to_width",
]

# Sizes for a lecture hall.
FONT = {"title": 15, "label": 13, "tick": 11, "legend": 11, "note": 11}
# Titles of 2-D panels sit just above the axes (plus matplotlib's title pad). Given
# explicitly, matplotlib does not look for tick labels above the axes to lift a title over
# on every layout and draw (none of these panels has any), which costs a pass over the
# y axis's ticks per title.
TITLE_Y = 1.0
LINE_WIDTH = 2.4
MARKER_SIZE = 9
#: How a diverged run's end is marked, in 2-D and 3-D (colour: the optimizer's own).
DIVERGENCE_CROSS: dict[str, Any] = {
    "marker": "X",
    "markersize": MARKER_SIZE + 5,
    "markeredgecolor": "black",
    "markeredgewidth": 1.2,
    "linestyle": "none",
}
#: How a known minimum (and a sweep's best cell) is drawn, in 2-D and 3-D alike.
MINIMUM: dict[str, Any] = {
    "linestyle": "none",
    "marker": "*",
    "markersize": 18,
    "color": "white",
    "markeredgecolor": "black",
    "markeredgewidth": 1.2,
}
#: How a run's start is drawn (edge colour: the optimizer's own).
START: dict[str, Any] = {
    "marker": "o",
    "markersize": MARKER_SIZE + 1,
    "markerfacecolor": "white",
    "markeredgewidth": 2.0,
    "linestyle": "none",
}


#: Two colours of a figure must be at least this far apart in hue, in degrees...
HUE_GAP = 30.0
#: ... unless one is a grey (HLS saturation below this), which must differ from another grey
#: by at least :data:`GREY_GAP` in HLS lightness, and differs from any hue.
GREY_SATURATION = 0.2
GREY_GAP = 0.25


def _hls(color: str) -> tuple[float, float, float]:
    """Hue (degrees), lightness and saturation of a ``#RRGGBB`` colour."""
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    return hue * 360.0, lightness, saturation


def colours_clash(a: str, b: str) -> bool:
    """Whether two ``#RRGGBB`` colours could be taken for one another in a figure: two hues
    less than :data:`HUE_GAP` degrees apart on the colour wheel, or two greys (saturation
    below :data:`GREY_SATURATION`) less than :data:`GREY_GAP` apart in lightness.

    >>> colours_clash("#D55E00", "#E69F00")  # vermillion and orange: "two oranges"
    True
    >>> colours_clash("#0072B2", "#56B4E9")  # blue and sky blue: "two blues"
    True
    >>> colours_clash("#D55E00", "#CC79A7"), colours_clash("#000000", "#6E6E6E"), colours_clash("#000000", "#0072B2")
    (False, False, False)
    """
    (hue_a, light_a, sat_a), (hue_b, light_b, sat_b) = _hls(a), _hls(b)
    grey_a, grey_b = sat_a < GREY_SATURATION, sat_b < GREY_SATURATION
    if grey_a or grey_b:
        return grey_a and grey_b and abs(light_a - light_b) < GREY_GAP
    gap = abs(hue_a - hue_b) % 360.0
    return min(gap, 360.0 - gap) < HUE_GAP


def style_for(kind: str, taken: Sequence[Style] = ()) -> Style:
    """The style of a run of kind ``kind`` (a name of :data:`KINDS`, or ``""`` for an
    optimizer of the user's own), given the styles already ``taken`` in the figure.

    A kind gets its own style from :data:`KINDS`. A second run of a kind already in the
    figure, and a run of no kind, gets the first spare style (:data:`SPARE_STYLES`) whose
    colour clashes with no colour taken (:func:`colours_clash`: a hue at least
    :data:`HUE_GAP` degrees from every other, a grey clearly lighter or darker than every
    other grey), so that it is taken for no other run; failing that, the first spare or
    kind's style not taken yet.

    >>> style_for("rmsprop").color
    '#D55E00'
    >>> style_for("momentum").marker
    's'
    >>> style_for("rmsprop", taken=[style_for("rmsprop")]) == SPARE_STYLES[0]
    True
    >>> style_for("rmsprop", taken=[style_for("rmsprop"), style_for("momentum")]).color  # not a second blue
    '#6A3D9A'
    >>> style_for("RMSProp")
    Traceback (most recent call last):
    ...
    ValueError: optimizer kind must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam; got 'RMSProp'
    """
    preferred = kinds.get(kind).style if kind else None
    if preferred is not None and preferred not in taken:
        return preferred
    for candidate in SPARE_STYLES:
        if candidate not in taken and not any(colours_clash(candidate.color, t.color) for t in taken):
            return candidate
    for candidate in [*SPARE_STYLES, *(other.style for other in KINDS.values())]:
        if candidate not in taken:
            return candidate
    return SPARE_STYLES[0]


def styles_for(run_kinds: Sequence[str]) -> list[Style]:
    """One style per run of the figure, in order, from the runs' kinds: the first run of
    each kind gets its kind's style, every other run a spare style clear of all of those
    and of the spares before it (see :func:`style_for`).

    >>> [s.marker for s in styles_for(["adam", "sgd", "adam", ""])]
    ['v', 'o', 'h', '<']
    >>> [s.color for s in styles_for(["", "momentum"])]  # the spare avoids Momentum's blue
    ['#6A3D9A', '#0072B2']
    """
    own = {kind: kinds.get(kind).style for kind in run_kinds if kind}
    chosen: list[Style] = []
    for kind in run_kinds:
        first = kind and own[kind] not in chosen
        chosen.append(own[kind] if first else style_for("", [*own.values(), *chosen]))
    return chosen


# ------------------------------------------------------------------------------ marks


def _plot(ax: Any, x: Any, y: Any, z: Any, style: dict[str, Any]) -> Line2D:
    """``ax.plot`` in 2-D, or in 3-D when ``z`` is given."""
    (line,) = ax.plot(x, y, **style) if z is None else ax.plot(x, y, z, **style)
    return line  # type: ignore[no-any-return]


def draw_minimum(ax: Any, x: Any, y: Any, z: Any = None, **overrides: Any) -> Line2D:
    """A white star at each point ``(x, y)`` (or ``(x, y, z)`` on 3-D axes): a surface's
    known minimum, or the best cell of a sweep. ``overrides`` change the look of
    :data:`MINIMUM` (``markersize``, ``zorder``, ``label``, ...)."""
    return _plot(ax, x, y, z, {**MINIMUM, "zorder": 5, **overrides})


def draw_start(ax: Any, x: Any, y: Any, z: Any = None, *, color: str, **overrides: Any) -> Line2D:
    """A white circle ringed in ``color`` where a run starts (:data:`START`)."""
    return _plot(ax, x, y, z, {**START, "markeredgecolor": color, "zorder": 4, **overrides})


def draw_divergence(ax: Any, x: Any = (), y: Any = (), z: Any = None, *, color: str, **overrides: Any) -> Line2D:
    """A cross in ``color`` where a run diverged (:data:`DIVERGENCE_CROSS`); empty until
    given points (``set_data`` moves it).

    Drawn whole where it sits at the window's edge (not clipped), and left out of a
    constrained layout (which would otherwise shrink the axes at every draw to make room
    for it).
    """
    cross = _plot(ax, x, y, z, {**DIVERGENCE_CROSS, "color": color, "zorder": 7, "clip_on": False, **overrides})
    cross.set_in_layout(False)
    return cross


def legend_handle(line: Line2D, marker: str, markersize: float = MARKER_SIZE) -> Line2D:
    """A legend entry for a run drawn as ``line`` with heads ``marker``: its colour, line
    style and width, and its marker in the middle (so the shape on the surface can be looked
    up too)."""
    return Line2D(
        [],
        [],
        color=line.get_color(),
        linestyle=line.get_linestyle(),
        linewidth=line.get_linewidth(),
        marker=marker,
        markersize=markersize,
        markeredgecolor="black",
        markeredgewidth=1.0,
    )


#: How presentation mode (for a projector) enlarges a figure: fonts, line widths, marker sizes.
PRESENT = {"font": 1.4, "line": 1.5, "marker": 1.4}


def enlarge(
    figure: Any, font: float = PRESENT["font"], line: float = PRESENT["line"], marker: float = PRESENT["marker"]
) -> None:
    """Scale every text of ``figure`` by ``font``, every line's width (spines and ticks
    included) by ``line`` and every marker by ``marker``: a figure for a projector. Titles
    are fitted again (:func:`set_title`) at their new size.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> ax = fig.add_subplot()
    >>> (curve,) = ax.plot([0, 1], [0, 1], linewidth=2.0, marker="o", markersize=10.0)
    >>> _ = set_title(ax, "a title", 10.0)
    >>> enlarge(fig)
    >>> curve.get_linewidth(), curve.get_markersize(), ax.title.get_fontsize()
    (3.0, 14.0, 14.0)
    """
    titles = [(ax, ax.title.get_text(), ax.title.get_fontsize(), ax.title.get_position()[1]) for ax in figure.axes]
    for text in figure.findobj(Text):
        text.set_fontsize(text.get_fontsize() * font)
    for artist in figure.findobj(Line2D):
        artist.set_linewidth(artist.get_linewidth() * line)
        artist.set_markersize(artist.get_markersize() * marker)
        artist.set_markeredgewidth(artist.get_markeredgewidth() * line)
    for spine in figure.findobj(Spine):
        spine.set_linewidth(spine.get_linewidth() * line)
    for ax, text, size, y in titles:
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_major_ticks()
            if ticks:  # ticks made at a draw take their looks from here
                axis.set_tick_params(labelsize=ticks[0].label1.get_fontsize(), width=0.8 * line, length=3.5 * marker)
        if text:
            set_title(ax, text.replace("\n", " "), size * font, y=y)


# ----------------------------------------------------------------------------- titles

#: Title layouts to try, in order, until one fits: (font size below the panel's own, lines).
_TITLE_FITS = ((0, 1), (2, 1), (0, 2), (2, 2), (2, 3), (4, 3), (6, 3), (4, 9), (6, 9))


def _breaks(text: str, fine: bool = False) -> list[str]:
    """``text`` cut after each ": ", ", " and "; " outside ``$...$`` and brackets (where a
    title may wrap); with ``fine``, also after each " + " outside brackets, inside maths too
    (the maths then closes at the cut and opens again after it: see :func:`_join`).

    >>> _breaks("Quadratic: $a, b$, rotated; shifted")
    ['Quadratic: ', '$a, b$, ', 'rotated; ', 'shifted']
    >>> _breaks("Noisy: f(x, y) + noise, seed 0")
    ['Noisy: ', 'f(x, y) + noise, ', 'seed 0']
    >>> _breaks("Beale: (1 + x)^2 + (2 + y)^2", fine=True)
    ['Beale: ', '(1 + x)^2 + ', '(2 + y)^2']
    >>> _breaks("Beale: $(1 + x)^2 + (2 + y)^2$", fine=True)
    ['Beale: ', '$(1 + x)^2 +$', '$(2 + y)^2$']
    """
    pieces, start, math_mode, depth = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "$":
            math_mode = not math_mode
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif text[i + 1 : i + 2] == " " and depth == 0:
            plus = fine and char == "+" and text[i - 1 : i] == " "
            if math_mode and plus:
                pieces.append(text[start : i + 1] + "$")
                text = text[: i + 1] + "$" + text[i + 2 :]  # the rest opens the maths again
                start = i + 1
            elif not math_mode and (char in ":,;" or plus):
                pieces.append(text[start : i + 2])
                start = i + 2
    return [*pieces, text[start:]] if text[start:] else pieces


def _join(line: str, piece: str) -> str:
    """``line`` and ``piece`` on one line: maths cut by :func:`_breaks` joined again.

    >>> _join("Beale: $(1 + x)^2 +$", "$(2 + y)^2$")
    'Beale: $(1 + x)^2 + (2 + y)^2$'
    """
    if line.endswith("+$") and piece.startswith("$"):
        return f"{line[:-1]} {piece[1:]}"
    return line + piece


def _renderer_of(figure: Any) -> Any:
    """The canvas's renderer to measure text with (Agg's), else None: then each text is
    measured with a renderer matplotlib makes for the figure."""
    get = getattr(figure.canvas, "get_renderer", None)
    try:
        return get() if get is not None else None
    except (AttributeError, TypeError, RuntimeError):
        return None


def set_title(ax: Axes, text: str, fontsize: float = FONT["title"], **kwargs: Any) -> Text:
    """Set the title of ``ax`` so that it fits above the panel: as large as it can be, on
    one line, else wrapped after its ": " or ", " (else " + ") outside maths on up to
    three lines, shrinking by up to 6 points if need be.

    The width allowed is the panel's width before a constrained layout runs, which that
    layout only widens, so the title never reaches a neighbouring panel or the figure's
    edge.
    """
    title = ax.set_title(text, fontsize=fontsize, **kwargs)
    figure = ax.get_figure()
    if figure is None or not text:
        return title
    renderer = _renderer_of(figure)
    room = ax.get_position().width * figure.bbox.width
    for shrink, most in _TITLE_FITS:
        title.set_fontsize(fontsize - shrink)
        for fine in (False, True):
            lines: list[str] = []
            for piece in _breaks(text, fine):
                if lines:
                    title.set_text(_join(lines[-1], piece))
                    if title.get_window_extent(renderer).width <= room:
                        lines[-1] = _join(lines[-1], piece)
                        continue
                lines.append(piece)
            title.set_text("\n".join(line.rstrip() for line in lines))
            if len(lines) <= most and title.get_window_extent(renderer).width <= room:
                return title
    return title


def wrap_to_width(text: str, fontsize: float, room: float, figure: Any) -> str:
    """``text`` broken at spaces into lines no wider than ``room`` pixels of ``figure`` at
    ``fontsize`` points (a word longer than that stays whole): never a smaller font, as many
    lines as it takes.

    >>> from matplotlib.figure import Figure
    >>> print(wrap_to_width("one two three four", 12, 100, Figure(dpi=100)))
    one two
    three four
    """
    probe = Text(0, 0, text, fontsize=fontsize, figure=figure)
    renderer = _renderer_of(figure)
    lines: list[str] = []
    for word in text.split():
        if lines:
            probe.set_text(f"{lines[-1]} {word}")
            if probe.get_window_extent(renderer).width <= room:
                lines[-1] = f"{lines[-1]} {word}"
                continue
        lines.append(word)
    return "\n".join(lines)


def tidy(ax: Axes) -> None:
    """Tick labels at the lecture-hall size; no top or right spine."""
    ax.tick_params(labelsize=FONT["tick"])
    for spine in ("top", "right"):
        if spine in ax.spines:
            ax.spines[spine].set_visible(False)
