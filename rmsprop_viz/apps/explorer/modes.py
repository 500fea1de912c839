"""The explorer's lecture-hall modes: presentation mode, variants of one optimizer,
step-by-step mode and the sensitivity map, wired to an :class:`~rmsprop_viz.apps.explorer.widget.Explorer`.

:class:`Lecture` holds the step-by-step controls (:class:`~rmsprop_viz.apps.explorer.stepping.StepMode`)
and the map (:class:`~rmsprop_viz.apps.explorer.maps.SensitivityPanel`) where the live
canvas is used, and answers their controls by calling the explorer's public verbs
(``update``, ``redraw_figure``, ``recompute``, ``sync_controls``, ``show_frame``, ``say``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rmsprop_viz.apps.explorer import canvas
from rmsprop_viz.apps.explorer.controls import in_range
from rmsprop_viz.apps.explorer.settings import contrasting, decay_field
from rmsprop_viz.engine.formatting import format_setting

__all__ = ["Lecture", "Pause", "figure_size"]


def figure_size(
    backend: str, present: bool, figsize: tuple[float, float] | None = None, dpi: float | None = None
) -> tuple[tuple[float, float], float]:
    """The race figure's size: 1280 x 720 pixels on the live canvas (1920 x 1080 in
    presentation mode, where the canvas fills a projector's width), 880 x 496 otherwise.

    >>> figure_size("live", True)
    ((12.8, 7.2), 150.0)
    """
    default = ((12.8, 7.2), 150.0 if present else 100.0) if backend == "live" else ((11.0, 6.2), 80.0)
    return (figsize or default[0]), float(dpi or default[1])


class Pause:
    """Run a callback once changes pause: each :meth:`call` within ``seconds`` of the
    previous one replaces it, so a slider dragged through 30 values runs it once, for the
    last. Inside a running event loop (a Jupyter kernel) the call waits on the loop;
    without one (a script, a test) or with ``seconds`` 0 it runs at once. ``guard`` wraps
    the callback so that no error reaches the notebook.
    """

    def __init__(self, guard: Callable[..., Callable[[Any], None]], *, seconds: float) -> None:
        self.guard = guard
        self.seconds = float(seconds)
        self._handle: asyncio.TimerHandle | None = None

    def call(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` now, or once the changes pause."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.seconds <= 0:
            callback()
            return
        if self._handle is not None:
            self._handle.cancel()
        run = self.guard(lambda _: callback(), changes_race=False)
        self._handle = loop.call_later(self.seconds, run, None)


class Lecture:
    """The modes of one explorer: ``steps`` (step by step) and ``map`` (the sensitivity
    panel) where the live canvas is used, else None."""

    def __init__(self, explorer: Any, *, live: bool, present: bool) -> None:
        self.explorer = explorer
        self.steps: Any = None
        self.map: Any = None
        if live:
            from rmsprop_viz.apps.explorer.maps import SensitivityPanel
            from rmsprop_viz.apps.explorer.stepping import StepMode

            self.steps = StepMode(present=present)
            self.map = SensitivityPanel(present=present)

    def wire(self, guard: Callable[..., Callable[[Any], None]]) -> None:
        """Connect the modes' controls (each callback through the explorer's ``guard``)."""
        e = self.explorer
        e.present_toggle.observe(guard(lambda _: self.on_present(), changes_race=False), names="value")
        e.variants.wire(add=guard(self.on_add_variant), change=guard(self.on_variant), remove=guard(self.on_remove))
        if self.steps is not None:
            mode = self.steps
            mode.toggle.observe(guard(lambda _: self.on_step_mode(), changes_race=False), names="value")
            mode.which.observe(guard(lambda _: self.show_step(), changes_race=False), names="value")
            mode.predict.observe(guard(lambda _: self.show_step(), changes_race=False), names="value")
            mode.next.on_click(guard(lambda _: self.move_step(+1), changes_race=False))
            mode.prev.on_click(guard(lambda _: self.move_step(-1), changes_race=False))
            mode.reveal.on_click(guard(lambda _: self.reveal(), changes_race=False))
        if self.map is not None:
            panel = self.map
            panel.toggle.observe(guard(lambda _: self.on_map_toggle(), changes_race=False), names="value")
            panel.canvas.observe(guard(self.on_map_click), names="clicked")
            e.alpha_of.observe(guard(lambda _: self.show_map(), changes_race=False), names="value")

    def refresh(self) -> None:
        """After a new race: the step shown and the map follow it."""
        self.show_step()
        self.show_map()

    def on_canvas_frame(self, change: Any) -> None:
        """The browser stopped Play or let go of the scrubber at a step: the readout and
        step mode follow it."""
        step = int(change["new"])
        self.explorer.show_frame(step)
        if self.steps is not None and self.steps.on and self.steps.t != step:
            self.steps.t, self.steps.revealed = step, False
            self.show_step()

    def fast_controls(self) -> dict[str, Any]:
        """The sliders whose values the live canvas sends while they are dragged."""
        e = self.explorer
        return {"fast_alpha": e.alpha, "fast_beta": e.beta, "fast_epsilon": e.epsilon}

    def on_fast(self, content: Any, apply: Callable[[Any], None]) -> None:
        """A slider's value sent by the canvas while it is dragged (``{"type": "fast",
        "values": {"fast_alpha": ...}}``, :meth:`fast_controls`): raced as the slider's own change would be, then
        answered, so that the canvas sends the next. The slider's own, slower sync of the
        same value arrives later and changes nothing."""
        if not isinstance(content, dict) or content.get("type") != "fast":
            return
        e = self.explorer
        try:
            controls = self.fast_controls()
            for name, value in dict(content.get("values") or {}).items():
                if name not in controls:
                    continue
                control = controls[name]
                if not in_range(control, value):  # (the slider itself never sends one)
                    e.say(f"Ignored {control.description} = {value!r}: outside its slider's range.", error=True)
                    continue
                apply({"owner": control, "new": float(value), "name": "value", "fast": True})
        finally:
            e.view.widget.answer()

    def on_canvas_start(self, change: Any) -> None:
        """The start was dragged on the surface: the race follows it."""
        point = change["new"]
        if len(point) == 2:
            self.explorer.move_start(float(point[0]), float(point[1]))

    def on_present(self) -> None:
        """Presentation mode on or off: larger fonts and lines, the canvas as wide as the page."""
        e = self.explorer
        e.present = bool(e.present_toggle.value)
        (e.add_class if e.present else e.remove_class)("rv-present")
        if isinstance(e.view, canvas.LiveView):
            e.view.present = e.present
            e.view.widget.set_present(e.present)
            size, resolution = figure_size("live", e.present)
            e.view.fig.set_size_inches(*size)
            e.view.fig.set_dpi(resolution)
        e.redraw_figure()
        e.update(rescale=True)
        e.show_caption()

    def on_add_variant(self, _: Any) -> None:
        e = self.explorer
        kind = str(e.variants.kind.value)
        key = e.settings.add_variant(kind, contrasting(e.settings, kind))
        e.recompute([key])
        e.redraw_figure()
        e.update(rescale=True)
        e.say(f"Added {e.settings.label(key)}: set what is its own below; the rest follows the controls.")

    def on_variant(self, change: Any) -> None:
        e = self.explorer
        key, name, value = e.variants.read(change["owner"])
        e.settings.set_own(key, name, value)
        e.redraw_figure()  # its name in the legend changed
        e.update()

    def on_remove(self, key: str) -> None:
        e = self.explorer
        e.settings.remove_variant(key)
        e.results.pop(key, None)
        e.redraw_figure()
        e.update(rescale=True)

    def on_step_mode(self) -> None:
        e = self.explorer
        mode = self.steps
        if mode is None:
            return
        mode.box.layout.display = "flex" if mode.on else "none"
        if mode.on:
            e.view.widget.pause()
            mode.t, mode.revealed = 0, False
        self.show_step()

    def move_step(self, by: int) -> None:
        mode = self.steps
        if mode is None:
            return
        mode.t, mode.revealed = max(mode.t + by, 0), False
        self.show_step()

    def reveal(self) -> None:
        if self.steps is not None:
            self.steps.revealed = True
            self.show_step()

    def show_step(self) -> None:
        """Step mode: the canvas at the position, the next step's anatomy drawn and typeset."""
        e = self.explorer
        mode = self.steps
        if mode is None or not isinstance(e.view, canvas.LiveView):
            return
        if not mode.on:
            if e.view.widget.overlays:
                e.view.set_overlays([], revealed=False)
            return
        s = e.settings
        specs = {k: s.spec(k) for k in mode.chosen({k: bool(s.enabled.get(k)) for k in e.settings.lanes()})}
        overlays = mode.show(e.results, specs, e.colors, e.surface_now().bounds)
        e.show_frame(mode.t)
        e.view.set_overlays(overlays, revealed=mode.revealed or not mode.predict.value)

    def on_map_toggle(self) -> None:
        panel = self.map
        if panel is not None:
            panel.box.layout.display = "flex" if panel.on else "none"
            self.show_map()

    def show_map(self) -> None:
        """The sensitivity map of the optimizer chosen beside alpha, if shown."""
        e = self.explorer
        panel, s = self.map, e.settings
        if panel is None or not panel.on:
            return
        key = str(e.alpha_of.value)
        panel.show(
            e.surface_now(),
            s.kind(key),
            s.spec(key).params,
            start=s.start,
            n_steps=s.n_steps,
            color=e.colors.get(key, "#000000"),
        )

    def on_map_click(self, change: Any) -> None:
        """A click on the map races that cell's setting."""
        e = self.explorer
        panel, s = self.map, e.settings
        if panel is None or not change["new"]:
            return
        lr, decay, value = panel.setting(change["new"])
        key = str(e.alpha_of.value)
        if s.mode != "each":
            s.mode = "each"
        s.lr[key] = lr
        if decay is not None and value is not None:
            field = decay_field(s.kind(key), decay)
            if s.variant(key) is not None:
                s.set_own(key, decay, value)
            else:
                s.share(field, value)
        e.sync_controls()
        e.update()
        e.say(
            f"Racing the map's cell: {s.label(key)} at alpha {format_setting(lr)}"
            + (f", {decay} {format_setting(value)}." if decay is not None else ".")
        )
