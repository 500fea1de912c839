"""The live sensitivity panel: one optimizer's map over learning rate x decay, for the
current surface, start and steps, beside the race.

The map comes from the engine (:func:`rmsprop_viz.engine.sensitivity.sensitivity_map`,
one batched sweep; its star is the package's one rule for "best",
:func:`rmsprop_viz.engine.best.best_cell`), its picture and cells from the render layer
(:func:`rmsprop_viz.render.sensitivity.map_background`, :func:`~rmsprop_viz.render.sensitivity.map_payload`).
The browser paints the cells and the marks over the picture and reports a click as a
point in data units, which :func:`~rmsprop_viz.render.sensitivity.clicked_setting` turns
into the cell's setting. This module holds the controls and wires them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W

from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.sensitivity import SensitivityMap, decay_of, sensitivity_map
from rmsprop_viz.render.sensitivity import MAP_PANEL, background_key, clicked_setting, map_background, map_payload

__all__ = ["SensitivityPanel"]


class SensitivityPanel:
    """The map's toggle, its canvas (``canvas``, a LiveCanvas with the class ``rv-map``),
    the sentence under it (``summary``) and their ``box`` (shown while the toggle is on).

    ``smap`` is the map shown (None until the toggle is first turned on).
    """

    def __init__(self, *, present: bool = False) -> None:
        from rmsprop_viz.apps.explorer.live import LiveCanvas

        self.toggle = W.ToggleButton(
            value=False,
            description="sensitivity map",
            icon="th",
            tooltip="final loss over learning rate x decay for the optimizer chosen beside alpha; "
            "click a cell to race it",
        )
        self.toggle.add_class("rv-sensitivity-toggle")
        self.toggle.style.font_size = "18px" if present else "14px"
        self.canvas = LiveCanvas(present=False)
        self.canvas.add_class("rv-map")
        self.summary = W.HTML()
        self.box = W.VBox([self.canvas, self.summary], layout=W.Layout(display="none"))
        self.smap: SensitivityMap | None = None
        self._key: tuple[Any, ...] | None = None

    @property
    def on(self) -> bool:
        """Whether the map is shown."""
        return bool(self.toggle.value)

    def show(
        self,
        surface: Surface,
        kind: str,
        params: Mapping[str, Any],
        *,
        start: tuple[float, float],
        n_steps: int,
        color: str,
    ) -> None:
        """Compute the map of ``kind`` (its other settings ``params``; the map sweeps its
        learning rate and decay) and show it with the current setting ringed in ``color``."""
        decay = decay_of(kind)
        others = {k: v for k, v in params.items() if k not in ("lr", decay)}
        smap = sensitivity_map(surface, kind, others, start=start, n_steps=n_steps)
        current = (float(params["lr"]), None if decay is None else float(params.get(decay, 0.0)))
        key = background_key(smap)
        if key != self._key:  # axes, colour bar or title changed: draw the picture again
            self.canvas.show_background(map_background(smap, current_color=color))
            self._key = key
        cells, rgba, marks = map_payload(smap, current=current, current_color=color)
        self.canvas.show_cells(cells, rgba, clickable=[MAP_PANEL])
        self.canvas.set_overlays(marks)
        self.summary.value = (
            f"<div style='font-size:13px; max-width:900px'>{smap.summary()} Click a cell to race it.</div>"
        )
        self.smap = smap

    def setting(self, clicked: Mapping[str, Any]) -> tuple[float, str | None, float | None]:
        """The learning rate, decay parameter and decay of the cell under a click
        (``canvas.clicked``)."""
        if self.smap is None:
            raise ValueError("the sensitivity map is not shown")
        lr, decay = clicked_setting(self.smap, clicked)
        return lr, self.smap.decay, decay
