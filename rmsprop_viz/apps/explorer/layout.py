"""How the explorer is laid out: its rows, the groups of controls a teacher can hide, and
the scene's caption above the figure.

:func:`rows` puts the controls and displays of an explorer in rows, top to bottom: the
scene and the modes first (what a lecturer reaches for), then the caption, the
optimizers' toggles, the figure with the step-by-step panel and the sensitivity map, and
the sliders under it. :data:`GROUPS` names the groups ``explore(hide=[...])`` takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as W

from rmsprop_viz.apps.explorer.reports import escape
from rmsprop_viz.scenes import get as get_scene

__all__ = ["GROUPS", "apply_hide", "caption_html", "check_hide", "rows"]

#: The groups of controls ``explore(hide=[...])`` can hide, and the attributes of the
#: explorer each one hides.
GROUPS: dict[str, tuple[str, ...]] = {
    "scene": ("preset",),
    "caption": ("caption",),
    "surface": ("surface", "surface_box"),
    "toggles": ("toggle_box",),
    "legend": ("legend",),
    "alpha": ("alpha", "alpha_of"),
    "beta": ("beta",),
    "epsilon": ("epsilon", "eps_place"),
    "compare": ("mode",),
    "advanced": ("advanced_box",),
    "variants": ("variants_box",),
    "steps": ("steps",),
    "start": ("start_x", "start_y"),
    "ghost": ("ghost",),
    "status": ("status",),
    "readout": ("readout",),
    "export": ("export_box",),
    "present": ("present_toggle",),
    "step": ("step_toggle",),
    "sensitivity": ("sensitivity_toggle",),
}


def check_hide(hide: Any) -> tuple[str, ...]:
    """``hide`` as a tuple of :data:`GROUPS` names; a bad one is a one-line ValueError.

    >>> check_hide(["surface", "export"])
    ('surface', 'export')
    >>> try:
    ...     check_hide(["sliders"])
    ... except ValueError as error:
    ...     print(str(error)[:60])
    hide: unknown group 'sliders'; known: scene, caption, surfac
    """
    names = (hide,) if isinstance(hide, str) else hide
    if not isinstance(names, Iterable) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"hide must be a list of group names from {', '.join(GROUPS)}, got {hide!r:.80}")
    names = tuple(names)
    for name in names:
        if name not in GROUPS:
            raise ValueError(f"hide: unknown group {name!r}; known: {', '.join(GROUPS)}")
    return names


def apply_hide(w: Any, hidden: Iterable[str]) -> None:
    """Hide the widgets of each group in ``hidden`` (they keep working from code)."""
    for group in hidden:
        for name in GROUPS[group]:
            widget = getattr(w, name, None)
            if widget is not None:
                widget.layout.display = "none"


def caption_html(scene: str, *, present: bool = False) -> str:
    """The scene's title and caption, above the figure ("" for a race of one's own)."""
    if not scene:
        return ""
    try:
        found = get_scene(scene)
    except ValueError:
        return ""
    size = 20 if present else 15
    title = f"<b>{escape(found.title or 'Scene: ' + found.name)}</b><br>"
    return (
        f"<div class='rv-caption-text' style='font-size:{size}px; line-height:1.45; max-width:1280px; "
        f"margin:4px 0 6px 0'>{title}{escape(found.caption)}</div>"
    )


def rows(w: Any) -> list[W.Widget]:
    """The explorer's rows, top to bottom, from the object ``w`` that holds the controls
    and the displays; sets ``w.advanced_box``, ``w.variants_box``, ``w.export_box``,
    ``w.step_toggle`` and ``w.sensitivity_toggle`` (the groups :func:`apply_hide` hides)."""
    row = W.HBox
    w.advanced_box = W.Accordion(
        children=[
            W.VBox(
                [
                    row([w.momentum, w.beta1, w.beta2]),
                    row([w.rmsprop_momentum]),
                    row([w.nesterov, w.centered, w.amsgrad]),
                ]
            )
        ],
        titles=("advanced",),
    )
    w.variants_box = W.Accordion(children=[w.variants.box], titles=("variants: race one optimizer twice",))
    w.export_box = W.Accordion(
        children=[W.VBox([row([w.export_name, w.export_button]), w.download, w.export_log, w.recipe])],
        titles=("export and recipe",),
    )
    modes: list[W.Widget] = [w.present_toggle]
    w.step_toggle = w.steps_mode.toggle if w.steps_mode is not None else None
    w.sensitivity_toggle = w.sensitivity.toggle if w.sensitivity is not None else None
    modes += [t for t in (w.step_toggle, w.sensitivity_toggle) if t is not None]
    figure: list[W.Widget] = [w.canvas_widget]
    if w.steps_mode is not None:
        figure.append(w.steps_mode.box)
    if w.sensitivity is not None:
        figure.append(w.sensitivity.box)
    player = [] if w.backend == "live" else [row([w.play, w.frame, w.speed])]
    return [
        row([w.preset, *modes]),
        w.caption,
        row([w.surface, w.surface_box]),
        w.toggle_box,
        w.legend,
        *figure,
        w.status,
        *player,
        row([w.alpha, w.alpha_of]),
        row([w.beta, w.epsilon, w.eps_place]),
        row([w.mode]),
        w.variants_box,
        w.advanced_box,
        row([w.steps, w.start_x, w.start_y, w.ghost]),
        w.readout,
        w.export_box,
    ]
