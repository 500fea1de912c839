"""Step-by-step mode: one step's anatomy drawn on the surface, its numbers typeset.

At position ``t`` the canvas shows every path up to θ_t, and the overlays show the next
step, t + 1, from θ_t: an arrow for −α·g (what plain SGD would do with the same α), the
part of the step that comes from the momentum buffer where there is one, a rectangle
whose sides are √v (the per-coordinate scale the step is divided by), and the step the
optimizer takes. With "predict, then reveal" on, that last arrow stays hidden until
Reveal is pressed. The caption writes the update rule with the step's numbers, so that
each line can be redone with a calculator from the lines above it.

The anatomy and its caption come from the engine (:func:`rmsprop_viz.engine.anatomy.step_anatomy`,
:func:`~rmsprop_viz.engine.anatomy.latex_caption`), the overlays from the render layer
(:func:`rmsprop_viz.render.anatomy.step_overlays`); this module holds the controls and
wires them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W

from rmsprop_viz.engine.anatomy import latex_caption, step_anatomy
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.render.anatomy import step_overlays

__all__ = ["StepMode"]

_ALL = "*"


class StepMode:
    """The controls of step-by-step mode and what they show.

    ``toggle`` turns the mode on; ``which`` picks one run or all that are on; ``prev``
    and ``next`` move one step; ``predict`` hides each next step's arrow until ``reveal``
    is pressed; ``caption`` is the typeset update rule; ``box`` holds them all (shown
    while the mode is on). ``t`` is the position: the step shown is ``t + 1``.
    """

    def __init__(self, *, present: bool = False) -> None:
        size = "18px" if present else "14px"
        self.toggle = W.ToggleButton(
            value=False, description="step by step", icon="shoe-prints", tooltip="one step at a time, with its numbers"
        )
        self.which = W.Dropdown(options=[("all that are on", _ALL)], value=_ALL, description="show")
        self.prev = W.Button(description="◀ Prev", tooltip="one step back")
        self.next = W.Button(description="Next ▶", tooltip="one step on", button_style="primary")
        self.predict = W.ToggleButton(
            value=False, description="predict, then reveal", tooltip="hide each next step until Reveal is pressed"
        )
        self.reveal = W.Button(description="Reveal", disabled=True, button_style="warning")
        self.caption = W.HTMLMath(value="")
        for widget, name in (
            (self.toggle, "rv-step-toggle"),
            (self.prev, "rv-prev"),
            (self.next, "rv-next"),
            (self.predict, "rv-predict"),
            (self.reveal, "rv-reveal"),
            (self.caption, "rv-step-caption"),
            (self.which, "rv-step-which"),
        ):
            widget.add_class(name)
        for button in (self.toggle, self.prev, self.next, self.predict, self.reveal):
            button.style.font_size = size
        self.box = W.VBox(
            [W.HBox([self.prev, self.next, self.which, self.predict, self.reveal]), self.caption],
            layout=W.Layout(display="none"),
        )
        self.t = 0
        self.revealed = False

    @property
    def on(self) -> bool:
        """Whether the mode is on."""
        return bool(self.toggle.value)

    def set_lanes(self, labels: Mapping[str, str]) -> None:
        """Offer ``labels`` (lane -> name) in the ``which`` menu, keeping the choice if it is still there."""
        options = [("all that are on", _ALL), *((name, key) for key, name in labels.items())]
        keep = self.which.value if self.which.value in labels else _ALL
        self.which.options = options
        self.which.value = keep

    def chosen(self, enabled: Mapping[str, bool]) -> list[str]:
        """The lanes the mode explains now."""
        if self.which.value != _ALL and enabled.get(self.which.value):
            return [str(self.which.value)]
        return [key for key, on in enabled.items() if on]

    def show(
        self,
        results: Mapping[str, Trajectory],
        specs: Mapping[str, Any],
        colors: Mapping[str, str],
        window: tuple[tuple[float, float], tuple[float, float]],
    ) -> list[dict[str, Any]]:
        """The caption for the lanes of ``specs`` at the position :attr:`t`, set in
        :attr:`caption`; returns the overlays to draw."""
        n_steps = min((results[key].n_steps for key in specs), default=0)
        self.t = min(max(int(self.t), 0), max(n_steps - 1, 0))
        self.reveal.disabled = not self.predict.value or self.revealed
        overlays: list[dict[str, Any]] = []
        captions = []
        for key, spec in specs.items():
            traj = results[key]
            if self.t + 1 > traj.n_steps:
                continue
            anatomy = step_anatomy(spec, traj, self.t + 1)
            overlays += step_overlays(anatomy, color=colors[key], window=window, reveal_hidden=bool(self.predict.value))
            text = latex_caption(anatomy)
            if self.predict.value and not self.revealed:
                text = _hide_step(text)
            captions.append(
                f"<div class='rv-step-one' style='border-left:5px solid {colors[key]}; padding-left:10px'>{text}</div>"
            )
        intro = (
            "<div class='rv-step-intro'>Arrows on the surface (all drawn at one scale, named in their labels): "
            "dashed grey −α·g, what plain SGD would do; thick, the step taken; dotted, the momentum buffer's part; "
            "the rectangle's sides are √v, the scale each coordinate is divided by.</div>"
        )
        if not specs:
            intro = "<i>Turn an optimizer on to follow its steps.</i>"
        self.caption.value = (
            intro + "<div style='display:flex; flex-wrap:wrap; gap:8px 30px'>" + "".join(captions) + "</div>"
        )
        return overlays


def _hide_step(latex: str) -> str:
    """The caption with its last line (the step) replaced by a question, until Reveal."""
    cut = latex.rfind("\\\\")
    if cut < 0:
        return latex
    end = latex.find("\\end{", cut)
    tail = latex[end:] if end >= 0 else ""
    return latex[:cut] + r" \\ \text{step} &= \;?\quad \text{(predict it, then press Reveal)}" + tail
