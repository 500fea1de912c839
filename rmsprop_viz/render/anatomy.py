"""The anatomy of one step as overlays of the live canvas: arrows, the √v rectangle, the point.

:func:`step_overlays` turns an :class:`~rmsprop_viz.engine.anatomy.Anatomy` into the
``overlays`` of the canvas's wire contract (:mod:`rmsprop_viz.render.live`), in data units
of a panel (``"surface"`` by default), drawn in this order (later on top):

=========  ======================================================  ===========================
overlay    what                                                    look
=========  ======================================================  ===========================
rect       ``±α·√v`` around θ_{t−1} (or ``±√v`` at a scale of     the optimizer's colour,
           its own, see :func:`~rmsprop_viz.engine.anatomy.         translucent fill
           glyph_scale`)
arrow      ``−α·g``: what plain SGD would do                       dark grey, dashed
arrow      the momentum part of the step, where there is one       the optimizer's colour,
           (from the tip of ``−α·g`` when the two add up to the    dotted
           step: heavy ball, Nesterov)
arrow      the step the optimizer took; ``"hidden"`` while a       the optimizer's colour,
           prediction is asked for                                 solid, thick
mark       θ_{t−1}, where the step starts                          white circle ringed in it
=========  ======================================================  ===========================

Every arrow is drawn at one factor, :func:`~rmsprop_viz.engine.anatomy.arrow_scale`, so
their lengths compare; each overlay's ``"label"`` names it and its factor
(``"−α·g × 20"``), for the canvas's legend. Non-finite vectors are left out.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib import colors as mcolors

from rmsprop_viz.engine.anatomy import Anatomy, Window, arrow_scale, drawn_arrow, glyph_scale
from rmsprop_viz.engine.formatting import format_setting
from rmsprop_viz.plotting.style import LINE_WIDTH, START
from rmsprop_viz.render.live import dash_pixels

__all__ = ["SGD_ARROW_COLOR", "legend_entries", "step_overlays"]

#: The colour of the ``−α·g`` arrow: no optimizer's (a neutral dark grey, 10:1 on white).
SGD_ARROW_COLOR = "#404040"
#: Opacity of the √v rectangle's fill.
FILL_ALPHA = 0.18
#: Pixels per point at the figure's usual 100 dpi.
PX_PER_POINT = 100.0 / 72.0


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _times(factor: float) -> str:
    return f"× {format_setting(factor)}"


def _arrow(
    panel: str, start: tuple[float, float], vector: tuple[float, float], k: float, window: Window, look: dict[str, Any]
) -> tuple[dict[str, Any] | None, float]:
    """The arrow from ``start`` along ``vector × k`` (cut to fit, the label saying so), and
    the factor it was cut by; None for a vector that is not finite."""
    (dx, dy), cut = drawn_arrow(vector, k, window)
    x0, y0 = start
    if not _finite(x0, y0, dx, dy):
        return None, 1.0
    label = f"{look['label']} {_times(k)}" + (f", cut: {cut:.2g}× longer" if cut > 1.0 else "")
    arrow = {"type": "arrow", "panel": panel, "x0": x0, "y0": y0, "x1": x0 + dx, "y1": y0 + dy, "hidden": False}
    return {**arrow, **look, "label": label}, cut


def step_overlays(
    anatomy: Anatomy,
    *,
    color: str,
    window: Window,
    reveal_hidden: bool,
    panel: str = "surface",
    px_per_point: float = PX_PER_POINT,
) -> list[dict[str, Any]]:
    """The overlays that draw ``anatomy`` on the canvas (wire contract of :mod:`.live`).

    Parameters
    ----------
    anatomy : Anatomy
        One step (:func:`rmsprop_viz.engine.anatomy.step_anatomy`).
    color : str
        The optimizer's colour, ``plotting.style.style_for(kind).color``.
    window : ((xmin, xmax), (ymin, ymax))
        The panel's data window: the arrows' and the rectangle's factors are chosen for it.
    reveal_hidden : bool
        Predict, then reveal: True marks the step's arrow ``"hidden"`` (drawn once the
        canvas's ``revealed`` is true); the other overlays stay visible.
    panel : str
        The panel they are drawn on.
    px_per_point : float
        Pixels per point of the figure (line widths and dashes are in pixels).

    Returns
    -------
    list of dict
        ``{"type": "rect" | "arrow" | "mark", "panel", ...}`` in drawing order, each with
        a ``"label"`` naming it and its factor.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.core.kinds import OptimizerSpec
    >>> from rmsprop_viz.engine.anatomy import step_anatomy
    >>> spec = OptimizerSpec("rmsprop", {"lr": 0.01})
    >>> traj = rv.run(rv.Quadratic(), spec.build(), start=(1.0, 1.0), n_steps=3, label="RMSProp")
    >>> window = ((-2.0, 2.0), (-2.0, 2.0))
    >>> overlays = step_overlays(step_anatomy(spec, traj, 1), color="#D55E00", window=window, reveal_hidden=True)
    >>> for o in overlays:
    ...     print(o["type"], o["label"], o.get("hidden"))
    rect ±α·√v × 10 None
    arrow −α·g × 10 False
    arrow step × 10 True
    mark θ at step 0 None
    """
    k = arrow_scale(anatomy, window)
    x, y = anatomy.point
    if not _finite(x, y):
        return []
    width = LINE_WIDTH * px_per_point
    out: list[dict[str, Any] | None] = []
    if anatomy.sqrt_v is not None and _finite(*anatomy.sqrt_v):
        kv = glyph_scale(anatomy, window)
        same = math.isclose(kv, anatomy.lr * k, rel_tol=1e-9)
        name = anatomy.sqrt_v_name
        label = f"±α·{name} {_times(k)}" if same else f"±{name} {_times(kv)}"
        r, g, b, _ = mcolors.to_rgba(color)
        fill = f"rgba({round(255 * r)}, {round(255 * g)}, {round(255 * b)}, {FILL_ALPHA})"
        w, h = 2.0 * kv * anatomy.sqrt_v[0], 2.0 * kv * anatomy.sqrt_v[1]
        out.append(
            {
                "type": "rect",
                "panel": panel,
                "x": x,
                "y": y,
                "w": w,
                "h": h,
                "color": color,
                "fill": fill,
                "label": label,
            }
        )
    sgd_look = {
        "color": SGD_ARROW_COLOR,
        "width": 0.8 * width,
        "dash": dash_pixels("--", 0.8 * LINE_WIDTH, px_per_point),
    }
    sgd, sgd_cut = _arrow(panel, (x, y), anatomy.sgd, k, window, {**sgd_look, "label": "−α·g"})
    out.append(sgd)
    if anatomy.memory is not None:
        # Head to tail where the two add up to the step, unless the first was cut.
        tail = anatomy.memory_adds and sgd is not None and sgd_cut == 1.0
        start = (sgd["x1"], sgd["y1"]) if tail and sgd is not None else (x, y)
        look = {"color": color, "width": width, "dash": dash_pixels(":", LINE_WIDTH, px_per_point)}
        out.append(_arrow(panel, start, anatomy.memory, k, window, {**look, "label": anatomy.memory_name})[0])
    step_look = {"color": color, "width": 1.6 * width, "dash": [], "label": "step"}
    arrow = _arrow(panel, (x, y), anatomy.step, k, window, step_look)[0]
    if arrow is not None:
        arrow["hidden"] = bool(reveal_hidden)
    out.append(arrow)
    size = float(START["markersize"]) * px_per_point
    out.append(
        {
            "type": "mark",
            "panel": panel,
            "x": x,
            "y": y,
            "marker": "o",
            "color": color,
            "size": size,
            "label": f"θ at step {anatomy.t - 1}",
        }
    )
    return [o for o in out if o is not None]


def legend_entries(overlays: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One legend entry per labelled overlay: ``{"type", "label", "color", "dash", "width"}``
    (``dash`` and ``width`` of arrows; ``fill`` of rectangles), in drawing order.

    >>> legend_entries([{"type": "arrow", "label": "step × 10", "color": "#D55E00", "width": 5.0, "dash": []}])
    [{'type': 'arrow', 'label': 'step × 10', 'color': '#D55E00', 'dash': [], 'width': 5.0}]
    """
    keys = ("type", "label", "color", "dash", "width", "fill")
    return [{key: o[key] for key in keys if key in o} for o in overlays if o.get("label")]
