"""The explorer widget: wires the settings, the controls, the canvas and the texts.

Each change of a control updates :class:`~rmsprop_viz.apps.explorer.settings.Settings`,
recomputes the race once (:func:`rmsprop_viz.race`) and changes the data of existing
artists of a :class:`~rmsprop_viz.plotting.RaceFigure`; on the live canvas only the runs'
arrays are sent, and the browser draws them. The still picture (contours, axes, legend)
is drawn again only when the surface, the runs shown or the axes' ranges change.
Sliders send their values while dragged, one in flight, the ones that arrive meanwhile
merged, so only the latest is computed and none queue up (on the live canvas alpha, beta
and epsilon go through it: :meth:`~rmsprop_viz.apps.explorer.modes.Lecture.on_fast`).

No callback raises into the notebook: a change that cannot be made is refused with one
line in the status line, and the explorer keeps what it showed before.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import pathlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import ipywidgets as W
from matplotlib.figure import Figure

from rmsprop_viz.apps.explorer import canvas, controls, exporting, layout
from rmsprop_viz.apps.explorer import reports as texts
from rmsprop_viz.apps.explorer.controls import (
    HYPERPARAMETERS,
    hold,
    read,
)
from rmsprop_viz.apps.explorer.modes import Lecture, Pause, figure_size
from rmsprop_viz.apps.explorer.settings import (
    MODES,
    apply_initial,
    best_alphas,
    default_lrs,
    figure_name,
    resolve_scene,
    settings_from_scene,
)
from rmsprop_viz.core import surfaces
from rmsprop_viz.engine.formatting import format_setting
from rmsprop_viz.engine.reports import StepReport, step_report
from rmsprop_viz.engine.run import Trajectory, race
from rmsprop_viz.engine.trajectory import gap_scale, loss_floor
from rmsprop_viz.plotting.style import styles_for
from rmsprop_viz.scenes import Scene, surface_from_spec, surface_to_spec

__all__ = ["Explorer", "explore"]

log = logging.getLogger(__name__)


class Explorer(W.VBox):  # type: ignore[misc]
    """The explorer widget; see :func:`explore`.

    For scripting and tests: ``settings`` (the current :class:`Settings`), ``results``
    (``{lane: Trajectory}`` of the last race: the optimizers by kind, variants as
    ``"rmsprop:2"``), ``figure`` (the :class:`RaceFigure`), ``view`` (its canvas),
    ``lecture`` (presentation, variants, step mode and map), every control by its name
    (``alpha``, ``beta``, ``epsilon``, ``toggles``, ``preset``, ``surface``, ...; the
    hyperparameters also in ``hyper``) and the displays (``caption``, ``status``,
    ``legend``, ``readout``, ``download``). A scene is shown as it runs: a slider is
    widened to hold a loaded value, a second run of one optimizer races as a variant, and
    what cannot be shown (a hyperparameter without a control) is said in the status line.
    """

    def __init__(
        self,
        scene: str | Scene | Mapping[str, Any] | None = None,
        *,
        backend: str = "auto",
        present: bool = False,
        hide: Any = (),
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
        **values: Any,
    ) -> None:
        self.backend = canvas.choose_backend(backend)
        hidden = layout.check_hide(hide)
        self.present = bool(present)
        self.settings, notes = settings_from_scene(resolve_scene(scene))
        self._scene_name = scene if isinstance(scene, str) and not scene.endswith(".json") else ""
        self._load_note = " ".join(notes)  # what of the scene the explorer cannot show, said once
        for key, value in values.items():
            apply_initial(self.settings, key, value)
        self.results: dict[str, Trajectory] = {}
        self.colors: dict[str, str] = {}
        self.updates = 0  # recomputations so far, for tests and the status line
        self._busy = False
        self.best_rule = ""  # the rule behind "each one's best alpha", shown under the legend
        self._best_missing: list[str] = []  # optimizers for which no alpha qualified
        for name, control in controls.build(self.settings, present=self.present).items():
            setattr(self, name, control)
        self.hyper = {spec.name: getattr(self, spec.name) for spec in HYPERPARAMETERS}
        self.surface_box = W.HBox()
        self.toggle_box = W.HBox()
        self.toggle_box.add_class("rv-toggles")
        self.readout, self.status, self.legend, self.download = W.HTML(), W.HTML(), W.HTML(), W.HTML()
        self.caption = W.HTML()
        self.caption.add_class("rv-caption")
        self.recipe = W.Textarea(layout=W.Layout(width="100%", height="120px"), description="recipe")
        self.export_log = W.Output()
        live = self.backend == "live"
        self._after = Pause(self._guarded, seconds=0.15 if live else 0.0)
        self.lecture = Lecture(self, live=live, present=self.present)
        self.steps_mode, self.sensitivity = self.lecture.steps, self.lecture.map
        self.sync_controls()  # every control holds its setting (widened where the setting is outside)
        self.recompute()
        size, resolution = figure_size(self.backend, self.present, figsize, dpi)
        fig = Figure(figsize=size, dpi=resolution, layout="constrained")
        if live:
            self.view: Any = canvas.LiveView(fig, present=self.present)
        else:
            self.view = canvas.RaceView(fig, self.backend, self._guarded(self._on_click))
        self.canvas_widget = self.view.widget
        self._draw()
        super().__init__(layout.rows(self))
        self.add_class("rv-explorer")
        if self.present:
            self.add_class("rv-present")
        layout.apply_hide(self, hidden)
        self._wire()
        self.show_caption()
        self._show_race_texts()
        self.show_frame(self.settings.n_steps)
        self._report()

    # ------------------------------------------------------------------ set-up

    def _alpha_value(self) -> float:
        s = self.settings
        return float(s.shared_lr if s.mode == "shared" else s.alpha(self.alpha_of.value))

    def _show_surface_controls(self) -> None:
        self.surface_box.children = tuple(self.surface_params.get(self.surface.value, {}).values())

    def _lanes(self) -> tuple[str, ...]:
        return self.settings.lanes()

    def _draw(self) -> None:
        """Draw the race figure for the current surface (the one step that draws contours)."""
        s = self.settings
        lanes = self._lanes()
        runs = [self.results[k] for k in lanes]
        names = [figure_name(s, k) for k in lanes]
        on = [bool(s.enabled.get(k)) for k in lanes]
        self.colors = dict(zip(lanes, (style.color for style in styles_for([t.kind for t in runs]))))
        if isinstance(self.view, canvas.LiveView):
            self.figure = self.view.draw(self._surface(), runs, names, on, n_steps=s.n_steps, keys=list(lanes))
            self.view.widget.set_start(s.start, draggable=True)
        else:
            self.figure = self.view.draw(self._surface(), runs, names, on, n_steps=s.n_steps)
        self._build_toggles()

    def _build_toggles(self) -> None:
        """One button per lane, in its colour; the alpha menu and step mode list the lanes."""
        s = self.settings
        self.toggles = {
            k: controls.toggle_button(s.label(k), self.colors[k], bool(s.enabled.get(k)), present=self.present)
            for k in self._lanes()
        }
        for toggle in self.toggles.values():
            toggle.observe(self._guarded(self._on_toggle), names="value")
        self.toggle_box.children = (*self.toggles.values(),)
        with self._quiet():
            on = [k for k in self._lanes() if s.enabled.get(k)] or ["rmsprop"]
            keep = self.alpha_of.value if self.alpha_of.value in on else on[0]  # a run that is shown
            self.alpha_of.options = [(s.label(k), k) for k in self._lanes()]
            self.alpha_of.value = keep
            hold(self.alpha, self._alpha_value())
        if self.steps_mode is not None:
            self.steps_mode.set_lanes({k: s.label(k) for k in self._lanes()})
        self.variants.show(s, self.colors)

    def _wire(self) -> None:
        guard = self._guarded
        for control in (self.alpha, *self.hyper.values()):
            control.observe(guard(self._on_hyper), names="value")
        self.preset.observe(guard(self._on_preset, changes_race=False), names="value")  # load() says
        self.mode.observe(guard(self._on_mode), names="value")
        self.alpha_of.observe(guard(lambda _: self._sync_alpha(), changes_race=False), names="value")
        self.surface.observe(guard(self._on_surface), names="value")
        for made in self.surface_params.values():
            for control in made.values():
                control.observe(guard(self._on_surface), names="value")
        self.steps.observe(guard(self._on_steps), names="value")
        self.start_x.observe(guard(self._on_start), names="value")
        self.start_y.observe(guard(self._on_start), names="value")
        self.frame.observe(guard(lambda change: self.show_frame(change["new"]), changes_race=False), names="value")
        self.speed.observe(
            guard(lambda change: setattr(self.play, "step", int(change["new"])), changes_race=False), names="value"
        )
        self.export_button.on_click(guard(lambda _: exporting.export_clicked(self), changes_race=False))
        if isinstance(self.view, canvas.LiveView):
            live = self.view.widget
            live.fast_sources = {n: c.model_id for n, c in self.lecture.fast_controls().items()}
            live.on_msg(lambda _, content, __: self.lecture.on_fast(content, guard(self._on_hyper)))
            live.observe(guard(self.lecture.on_canvas_frame, changes_race=False), names="frame")
            live.observe(guard(self.lecture.on_canvas_start), names="start")
        self.lecture.wire(guard)

    def _guarded(self, handler: Callable[[Any], None], *, changes_race: bool = True) -> Callable[[Any], None]:
        """Run a callback so that no exception ever reaches the notebook: it goes to the
        status line and the log instead. A callback that ``changes_race`` ends what the
        status line said about the loaded scene (the race is no longer that scene's)."""

        def run(change: Any) -> None:
            if self._busy or self._snapped(change):
                return
            if changes_race:
                self._load_note = ""
                self._scene_changed()
            try:
                handler(change)
            except Exception as error:
                log.exception("explorer callback failed")
                self.say(f"Could not apply that change: {texts.one_line(error)}", error=True)

        return run

    def _snapped(self, change: Any) -> bool:
        """True when a slider only rounded the setting it holds to its own step (a front
        end sends that rounded value back when it first shows the slider): not a change."""
        owner = change.get("owner") if isinstance(change, dict) else None
        if owner is self.alpha:
            return controls.within_step(owner, self._alpha_value(), change["new"])
        for spec in HYPERPARAMETERS:
            if owner is self.hyper[spec.name] and spec.field:
                return controls.within_step(owner, getattr(self.settings, spec.field), change["new"])
        return False

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set controls from code without triggering their callbacks."""
        busy = self._busy
        self._busy = True
        try:
            yield
        finally:
            self._busy = busy

    # -------------------------------------------------------------- callbacks

    def _on_hyper(self, change: Any) -> None:
        s, owner = self.settings, change["owner"]
        if owner is self.alpha:
            value = float(f"{float(change['new']):.3g}")  # a slider position, not 15 digits
            if s.mode == "shared":
                s.shared_lr = value
            else:
                s.lr[self.alpha_of.value] = value
                if s.mode == "best":  # moving alpha by hand leaves "best" mode
                    s.mode = "each"
                    with self._quiet():
                        self.mode.value = "each"
        for spec in HYPERPARAMETERS:
            if self.hyper[spec.name] is owner:  # the control moved now sets every optimizer's
                s.share(spec.field, read(spec, owner) if change.get("fast") is None else float(change["new"]))
        self.update()

    def _on_mode(self, change: Any) -> None:
        self.settings.mode = str(change["new"])
        self.alpha_of.disabled = self.settings.mode == "shared"
        self._sync_alpha()
        self.update()

    def _sync_alpha(self) -> None:
        with self._quiet():
            hold(self.alpha, self._alpha_value())

    def _on_toggle(self, change: Any) -> None:
        key = next(k for k, t in self.toggles.items() if t is change["owner"])
        self.settings.enabled[key] = bool(change["new"])
        if change["new"]:
            self.update()  # its trajectory may be stale; update() shows it
            return
        self.view.set_visible(self._visible())
        self.lecture.show_step()
        self._show_race_texts()
        self.readout.value = texts.readout_html(self.reports(), self.figure.current, self.colors)
        self._render()
        self._report()

    def _on_surface(self, change: Any) -> None:
        owner = change["owner"]
        name = self.surface.value
        params = {p: c.value for p, c in self.surface_params.get(name, {}).items()}
        if owner is not self.surface:  # one control moved: the surface's other parameters stay
            params = {**self.settings.surface.get("params", {}), **params}
        what = "surface" if owner is self.surface else str(owner.description)
        try:
            surface = surface_from_spec({"name": name, "params": params})
            canvas.check_drawable(surface)
        except Exception as error:  # a ValueError naming the parameter, or a picture that cannot be
            self._refuse_surface(owner, change, what, error)
            return
        before = (dict(self.settings.surface), self.settings.start, dict(self.settings.lr))
        self.settings.surface = surface_to_spec(surface)
        if owner is self.surface:
            self._show_surface_controls()
            self.settings.lr.update(default_lrs(surface))
            self.settings.start = tuple(surface.default_start)  # type: ignore[assignment]
        try:
            self._rebuild_surface()
        except Exception as error:
            log.exception("explorer: drawing the surface failed")
            self.settings.surface, self.settings.start, self.settings.lr = before
            self._rebuild_surface()  # the last good surface, as it was
            self._refuse_surface(owner, change, what, error)
            return
        with self._quiet():
            self.start_x.value, self.start_y.value = self.settings.start
            hold(self.alpha, self._alpha_value())

    def _refuse_surface(self, owner: Any, change: Any, what: str, error: Exception) -> None:
        """Put the control back and say, in one line, why the surface was not changed."""
        with self._quiet():
            owner.value = change["old"]
            self._show_surface_controls()
        reason = texts.one_line(error)
        if owner is self.surface:
            text = f"Cannot draw the surface {change['new']}: {reason}. Kept {change['old']}."
        else:
            text = (
                f"Cannot draw {self.surface.value} with {what} = {format_setting(change['new'])}: {reason}. "
                "Kept the previous surface."
            )
        self.say(text, error=True)

    def _on_preset(self, change: Any) -> None:
        if change["new"]:
            self.load(str(change["new"]))

    def load(self, scene: str | Scene | Mapping[str, Any]) -> None:
        """Show another scene (a preset name, a Scene, a recipe dict or file): its surface,
        optimizers, hyperparameters, start and steps. A scene that cannot be loaded
        leaves the explorer as it was and says why."""
        before, note_before = self.settings, self._load_note
        try:
            settings, notes = settings_from_scene(resolve_scene(scene))
        except Exception as error:
            self.say(f"Cannot load that scene: {texts.one_line(error)}", error=True)
            return
        settings.mode = before.mode
        settings.shared_lr = before.shared_lr
        if settings.mode != "each":
            notes.append(f"Compare is set to '{MODES[settings.mode]}': the scene's own alphas are not used.")
        self.settings = settings
        self._load_note = " ".join(notes)
        name_before = self._scene_name
        self._scene_name = scene if isinstance(scene, str) and not scene.endswith(".json") else ""
        try:
            self.sync_controls()
            self._rebuild_surface()
        except Exception as error:
            log.exception("explorer: loading a scene failed")
            self.settings, self._load_note, self._scene_name = before, note_before, name_before
            self.sync_controls()
            self._rebuild_surface()
            self.say(f"Cannot show that scene: {texts.one_line(error)}", error=True)
        self.show_caption()

    def sync_controls(self) -> None:
        """Set every control from :attr:`settings`, without running callbacks."""
        s = self.settings
        with self._quiet():
            self.surface.value = s.surface["name"]
            for name, value in s.surface.get("params", {}).items():
                control = self.surface_params.get(s.surface["name"], {}).get(name)
                if control is not None and isinstance(value, (int, float)):
                    hold(control, value)
            self._show_surface_controls()
            for key, toggle in getattr(self, "toggles", {}).items():
                toggle.value = bool(s.enabled.get(key))
            self.mode.value = s.mode
            hold(self.alpha, self._alpha_value())
            for spec in HYPERPARAMETERS:
                hold(self.hyper[spec.name], getattr(s, spec.field))
            hold(self.steps, s.n_steps)
            self.start_x.value, self.start_y.value = s.start

    def _on_steps(self, change: Any) -> None:
        self.settings.n_steps = int(change["new"])
        self.update(rescale=True)

    def _on_start(self, change: Any) -> None:
        x, y = float(self.start_x.value), float(self.start_y.value)
        (x0, x1), (y0, y1) = self._surface().bounds
        if not (math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
            with self._quiet():
                self.start_x.value, self.start_y.value = self.settings.start
            kept = ", ".join(format_setting(v) for v in self.settings.start)
            self.say(
                f"The start must lie in the window [{format_setting(x0)}, {format_setting(x1)}] x "
                f"[{format_setting(y0)}, {format_setting(y1)}]; kept ({kept}).",
                error=True,
            )
            return
        self.settings.start = (x, y)
        if isinstance(self.view, canvas.LiveView):
            self.view.widget.set_start(self.settings.start)
        self.update(rescale=True)

    def _on_click(self, event: Any) -> None:
        """A press on the ipympl canvas's surface moves the start there (3 decimals; + 0.0
        turns a rounded -0.0 into 0.0, which the number fields show as "0")."""
        if event.inaxes is self.figure.ax and event.xdata is not None and event.button == 1:
            self.move_start(round(float(event.xdata), 3) + 0.0, round(float(event.ydata), 3) + 0.0)

    # ---------------------------------------------------------------- actions

    def _surface(self) -> surfaces.Surface:
        """The current surface, built once per spec (a mini-batch surface makes its data)."""
        key = json.dumps(self.settings.surface, sort_keys=True)
        if getattr(self, "_surface_key", None) != key:
            self._surface_key = key
            self._surface_obj = surface_from_spec(self.settings.surface)
        return self._surface_obj

    def _show_race_texts(self) -> None:
        """The HTML legend and the recipe, for the current settings."""
        self.legend.value = texts.legend_html(self.settings, self.best_rule, self._best_missing, self.colors)
        with self._quiet():
            self.recipe.value = (
                json.dumps(self.settings.scene().to_recipe(), indent=1)
                if self.settings.any_enabled()
                else "(every optimizer is off: no race to record)"
            )

    def recompute(self, keys: list[str] | None = None) -> None:
        """Race the lanes ``keys`` again (default: those on, or never raced); the others keep their runs."""
        s = self.settings
        keys = keys if keys is not None else [k for k in s.lanes() if s.enabled.get(k) or k not in self.results]
        if not keys:
            return  # every optimizer is off: nothing to race
        if s.mode == "best":
            self.best_rule, self._best_missing = best_alphas(s, self._surface(), keys)
        label = {k: s.label(k) for k in keys}
        runs = race(self._surface(), {label[k]: s.spec(k).build() for k in keys}, start=s.start, n_steps=s.n_steps)
        self.results.update({key: runs[label[key]] for key in keys})
        self.updates += 1

    def update(self, *, rescale: bool = False) -> None:
        """Recompute the race from the current settings and redraw (artists only)."""
        self.recompute()
        s, steps = self.settings, self.settings.n_steps
        self.view.set_visible(self._visible())
        runs = [self.results[k] for k in s.lanes()]
        names = [figure_name(s, k) for k in s.lanes()]
        self.view.set_race(
            runs, ghost=bool(self.ghost.value), surface=self._surface(), n_steps=steps, rescale=rescale, names=names
        )
        if not isinstance(self.view, canvas.LiveView):
            with self._quiet():
                self.play.max = self.frame.max = steps
                self.play.step = self.speed.value = controls.play_step(steps)
                self.play.value = self.frame.value = steps
        stepping = self.steps_mode is not None and self.steps_mode.on
        self.view.show_frame(self.steps_mode.t if stepping else steps)
        self._after.call(self._texts_of_race)

    def _texts_of_race(self) -> None:
        """What is said about a new race: legend, recipe, readout, status line, step mode
        and map. While a slider is dragged on the live canvas these wait until it pauses
        (:class:`~rmsprop_viz.apps.explorer.modes.Pause`): the canvas shows every value,
        the words the last."""
        self._show_race_texts()
        self.readout.value = texts.readout_html(self.reports(), self.figure.current, self.colors)
        self._report()
        self.lecture.refresh()

    def _visible(self) -> list[bool]:
        return [bool(self.settings.enabled.get(k)) for k in self._lanes()]

    def _rebuild_surface(self) -> None:
        """A new surface: the one change that draws the contours again."""
        self.recompute(list(self._lanes()))
        self._draw()
        self.update(rescale=True)

    def show_frame(self, step: int) -> None:
        """Show the race at ``step``, and its readout."""
        self.view.show_frame(int(step))
        self.readout.value = texts.readout_html(self.reports(int(step)), int(step), self.colors)

    def _render(self) -> None:
        self.view.render()

    # ------------------------------------------------- live canvas, modes, variants

    def _scene_changed(self) -> None:
        """The race is no longer the loaded scene's: the caption says so."""
        if self._scene_name and not self.caption.value.endswith("</i>"):
            self.caption.value += "<i style='color:#555'> (changed since: your own race now)</i>"

    def show_caption(self) -> None:
        """The loaded scene's title and caption above the figure."""
        self.caption.value = layout.caption_html(self._scene_name, present=self.present)

    def move_start(self, x: float, y: float) -> None:
        """Start the race at ``(x, y)``, as the start fields would (a point outside the
        window is refused in the status line)."""
        with self._quiet():
            self.start_x.value, self.start_y.value = float(x), float(y)
        self._on_start({"owner": self.start_x})

    def surface_now(self) -> surfaces.Surface:
        """The surface the race runs on now."""
        return self._surface()

    def redraw_figure(self) -> None:
        """Lay the figure out again (its runs, their names or its size changed)."""
        self._draw()

    # ---------------------------------------------------------------- reports

    def say(self, text: str, *, error: bool = False) -> None:
        """Put ``text`` in the status line (in red for an ``error``)."""
        self.status.value = texts.status_html(text, error=error)

    def _report(self) -> None:
        """Say in words what happened in the last race."""
        surface, runs = self._surface(), self.results.values()
        floor = loss_floor(surface, self.settings.n_steps)
        scale = gap_scale([t.values[0, 0] for t in runs], floor)
        text, bad = texts.race_summary(self.settings, self.results, surface, floor=floor, scale=scale)
        if self._load_note and self.settings.any_enabled():
            text = f"{self._load_note} {text}".strip()
        self.say(text, error=bad)

    def reports(self, step: int | None = None) -> dict[str, StepReport]:
        """What each optimizer that is on did at ``step`` (the step shown by default),
        row by row with formulas: what the readout shows."""
        step = self.figure.current if step is None else int(step)
        out = {}
        for key in self._lanes():
            traj = self.results.get(key)
            if traj is not None and self.settings.enabled.get(key):
                out[key] = step_report(self.settings.spec(key), traj, min(step, traj.n_steps))
        return out

    # ----------------------------------------------------------------- export

    def export(self, path: str, *, fps: float = 30.0, frames: int = 150, overwrite: bool = True) -> pathlib.Path:
        """Write the current race as an animation (by suffix: .gif .mp4 .html .png) and its
        recipe beside it (:func:`rmsprop_viz.apps.explorer.exporting.export`)."""
        return exporting.export(self, path, fps=fps, frames=frames, overwrite=overwrite)


def explore(
    scene: str | Scene | Mapping[str, Any] | None = None,
    *,
    backend: str = "auto",
    present: bool = False,
    hide: Any = (),
    **values: Any,
) -> Explorer:
    """Open the explorer: optimizers racing, with sliders for alpha, beta and epsilon.

    Parameters
    ----------
    scene : str, Scene, dict or path, optional
        A scene's name (``rv.scenes.names()``), a :class:`~rmsprop_viz.scenes.Scene`, a
        recipe dict or a recipe JSON file to start from; the Rosenbrock race by default.
        A scene that races one optimizer twice (``"first-step"``: beta 0.99 and 0.9)
        races both, the second as a variant with its own settings.
    backend : {"auto", "live", "ipympl", "image"}
        ``"live"``: a canvas the browser draws (anywidget): sliders redraw while dragged,
        Play and scrubbing run in the browser, the start can be dragged, and step-by-step
        mode and the sensitivity map are there. ``"image"``: a PNG image widget, for places
        without a widget front end of their own. ``"ipympl"``: matplotlib's interactive
        canvas (``%matplotlib widget``), the older path. ``"auto"`` is ``"live"`` where
        anywidget is installed, else ``"image"``.
    present : bool
        Presentation mode, for a projector: large fonts and lines, the canvas as wide as
        the page. The "present" button switches it too.
    hide : list of str
        Controls a teacher hides for a lesson, by group: any of
        :data:`~rmsprop_viz.apps.explorer.layout.GROUPS` (e.g. ``["surface", "advanced", "export"]``).
    **values
        Initial settings: ``alpha``, ``beta`` (RMSProp's decay, as the command line's
        ``--beta``), ``epsilon``, ``eps_in_sqrt``, ``momentum`` (of Momentum),
        ``rmsprop_momentum`` (of RMSProp, 0 for none), ``beta1``, ``beta2`` (Adam's),
        ``nesterov``, ``centered``, ``amsgrad``, ``mode`` ("each", "shared", "best"),
        ``n_steps``, ``start``, ``optimizers`` (a list of "sgd", "momentum", "adagrad",
        "rmsprop", "adam").

    Returns
    -------
    Explorer
        An ipywidgets box; display it (or make it the cell's last expression).
    """
    return Explorer(scene, backend=backend, present=present, hide=hide, **values)
