r"""What the live canvas needs to show a sensitivity map: a still background and the cells.

The background (:func:`map_background`) is :func:`.plotting.sensitivity.draw_sensitivity_frame`
(axes, ticks, labels, colour bar, title, legend; no cells) drawn once, with the panel
``"map"``'s pixel box and limits. It depends only on :func:`background_key`: redraw it
when that changes (another kind, grid, surface, number of steps, or colour scale, which
is rounded to whole decades), not on every slider move.

The cells and marks (:func:`map_payload`), per the canvas's wire contract:

``cells``
    ``{"panel": "map", "nx", "ny", "x_edges": nx + 1 learning rates, "y_edges": ny + 1
    values of :func:`.engine.sensitivity.memory_of`}`` (data units: the panel's x axis is
    logarithmic, its y axis linear in :math:`-\log_{10}(1-\beta)`; one row spans [0, 1]).
``rgba``
    ``ny * nx * 4`` bytes, row 0 the first decay (:func:`.plotting.sensitivity.cell_colours`,
    diverged cells grey).
``marks``
    overlays ``{"type": "mark", "panel": "map", "x", "y", "marker", "color", "size" (px),
    "label", "edge" (css colour of the marker's edge), "fill" (bool)}``: the best cell (a
    white star edged in black) and the setting in use (an unfilled ring in the
    optimizer's colour).

A click on the map comes back as ``{"panel", "x", "y", "seq"}`` in data units;
:func:`clicked_setting` turns it into the setting of the cell clicked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from rmsprop_viz.engine.sensitivity import SensitivityMap
from rmsprop_viz.plotting.sensitivity import (
    CURRENT,
    cell_colours,
    cell_point,
    map_edges,
    sensitivity_figure,
    sensitivity_norm,
)
from rmsprop_viz.plotting.style import MINIMUM, style_for
from rmsprop_viz.plotting.sweep import STAR_SIZE
from rmsprop_viz.render.live import Background, figure_background

__all__ = ["MAP_PANEL", "background_key", "clicked_setting", "map_background", "map_payload"]

#: The panel name of a sensitivity map on the live canvas.
MAP_PANEL = "map"


def background_key(smap: SensitivityMap) -> tuple[Any, ...]:
    """Everything :func:`map_background` draws from ``smap``: equal keys, equal pictures."""
    norm = sensitivity_norm(smap)
    x_edges, y_edges = map_edges(smap)
    return (
        smap.kind,
        smap.decay,
        tuple(x_edges.tolist()),
        tuple(y_edges.tolist()),
        norm.vmin,
        norm.vmax,
        bool(np.any(smap.values <= smap.floor)),  # the colour bar's note "at the minimum"
        float(smap.floor),
        smap.n_steps,
        repr(smap.surface),
    )


def map_background(
    smap: SensitivityMap,
    *,
    figsize: tuple[float, float] | None = None,
    dpi: float = 100.0,
    current_color: str | None = None,
) -> Background:
    """The map without its cells and marks (:func:`.plotting.sensitivity.sensitivity_figure`
    with ``frame_only``), as a PNG with the panel ``"map"``'s geometry.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.engine.sensitivity import sensitivity_map
    >>> smap = sensitivity_map(rv.Quadratic(), "rmsprop", size=(6, 4), n_steps=50, backend="numpy")
    >>> still = map_background(smap, dpi=40)
    >>> list(still.panels), still.panels["map"]["xscale"], still.png[:4]
    (['map'], 'log', b'\\x89PNG')
    """
    fig = sensitivity_figure(smap, frame_only=True, current_color=current_color, figsize=figsize, dpi=dpi)
    return figure_background(fig, {MAP_PANEL: fig.axes[0]})


def map_payload(
    smap: SensitivityMap,
    *,
    current: tuple[float, float | None] | None = None,
    current_color: str | None = None,
    dpi: float = 100.0,
) -> tuple[dict[str, Any], bytes, list[dict[str, Any]]]:
    """The cells, their colours and the marks of ``smap`` for the live canvas (see the
    module's docstring for the formats).

    Parameters
    ----------
    smap : SensitivityMap
        The map.
    current : (lr, decay), optional
        The setting in use, ringed on its cell (``decay`` None without a decay axis).
    current_color : str, optional
        The ring's colour; by default the optimizer's.
    dpi : float
        The background's dots per inch (the marks' sizes in pixels follow it).

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.engine.sensitivity import sensitivity_map
    >>> smap = sensitivity_map(rv.Quadratic(), "rmsprop", size=(6, 4), n_steps=50, backend="numpy")
    >>> cells, rgba, marks = map_payload(smap, current=(0.01, 0.9))
    >>> cells["nx"], cells["ny"], len(rgba), [m["label"] for m in marks]
    (6, 4, 96, ['best', 'current setting'])
    """
    x_edges, y_edges = map_edges(smap)
    ny, nx = smap.shape
    cells = {
        "panel": MAP_PANEL,
        "nx": nx,
        "ny": ny,
        "x_edges": [float(v) for v in x_edges],
        "y_edges": [float(v) for v in y_edges],
    }
    rgba = np.ascontiguousarray(cell_colours(smap)).tobytes()
    px = float(dpi) / 72.0
    marks: list[dict[str, Any]] = []
    if smap.best.index is not None:
        x, y = cell_point(smap, *smap.best.index)
        star = {"marker": "*", "color": MINIMUM["color"], "edge": MINIMUM["markeredgecolor"], "fill": True}
        marks.append({"type": "mark", "panel": MAP_PANEL, "x": x, "y": y, **star, "size": STAR_SIZE * px})
        marks[-1]["label"] = "best"
    if current is not None:
        x, y = cell_point(smap, *smap.cell_of(*current))
        color = style_for(smap.kind).color if current_color is None else current_color
        ring = {"marker": "o", "color": color, "edge": color, "fill": False, "size": CURRENT["markersize"] * px}
        marks.append({"type": "mark", "panel": MAP_PANEL, "x": x, "y": y, **ring, "label": "current setting"})
    return cells, rgba, marks


def clicked_setting(smap: SensitivityMap, clicked: Mapping[str, Any]) -> tuple[float, float | None]:
    """The setting ``(lr, decay)`` of the cell under a click on the map, ``clicked`` being
    the canvas's ``{"panel", "x", "y", ...}`` in data units (x a learning rate, y
    :math:`-\\log_{10}(1-\\beta)`); the nearest cell when the point is just outside.

    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.engine.sensitivity import sensitivity_map
    >>> smap = sensitivity_map(rv.Quadratic(), "rmsprop", lrs=[0.01, 0.1], decays=[0.9, 0.99], n_steps=20)
    >>> clicked_setting(smap, {"panel": "map", "x": 0.08, "y": 1.9})
    (0.1, 0.99)
    """
    if not isinstance(clicked, Mapping) or clicked.get("panel", MAP_PANEL) != MAP_PANEL:
        raise ValueError(
            f"clicked must be a click on the {MAP_PANEL!r} panel, {{'panel', 'x', 'y'}}, got {clicked!r:.80}"
        )
    try:
        x, y = float(clicked["x"]), float(clicked["y"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"clicked must hold numbers 'x' and 'y' (data units), got {clicked!r:.80}") from None
    if not (math.isfinite(x) and x > 0 and math.isfinite(y)):
        raise ValueError(f"clicked's x must be a learning rate > 0 and y a finite number, got x={x!r}, y={y!r}")
    decay = None if smap.decay is None else 1.0 - 10.0 ** -min(max(y, 0.0), 15.0)
    return smap.setting(*smap.cell_of(x, decay))


def __dir__() -> list[str]:
    return sorted(__all__)
