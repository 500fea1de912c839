"""The live explorer: sliders for alpha, beta and epsilon, and four optimizers racing.

``rv.explore()`` returns an ipywidgets box that shows itself in JupyterLab, Notebook 7
and Voila. This module is wiring only: trajectories come from :func:`rmsprop_viz.race`,
best learning rates from :func:`rmsprop_viz.sweep`, pictures from
:class:`rmsprop_viz.plotting.RaceFigure`, and each change of a control recomputes the
race once and changes the data of existing artists; the contours are drawn again only
when the surface changes.

The figure is an ipympl canvas (``%matplotlib widget``) where ipympl is usable, and
otherwise a PNG in an ``ipywidgets.Image`` (Colab, some VS Code setups, plain scripts),
with the same controls.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import math
import pathlib
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import optimizers, surfaces
from .plotting import STYLES, FrameRenderer, RaceFigure, set_step_limits
from .run import Trajectory, race
from .scenes import OptimizerSpec, Scene, default_spec, kind_of, surface_from_spec, surface_to_spec
from .scenes import get as get_scene
from .sweeps import sweep

__all__ = ["Explorer", "Settings", "explore"]

log = logging.getLogger(__name__)

#: The optimizers the explorer offers: key -> (label, factory, style key).
FAMILIES: dict[str, tuple[str, str]] = {
    "sgd": ("SGD", "sgd"),
    "momentum": ("Momentum", "sgd"),
    "adagrad": ("Adagrad", "adagrad"),
    "rmsprop": ("RMSProp", "rmsprop"),
    "adam": ("Adam", "adam"),
}
MODES = {"each": "alpha per optimizer", "shared": "one alpha for all", "best": "each one's best alpha"}
BEST_LRS = np.array([float(f"{v:.3g}") for v in np.geomspace(1e-5, 1.0, 26)])  # the sweep behind "best alpha"

# Surface parameters that get a control, and the control's range.
_SURFACE_CONTROLS: dict[str, dict[str, dict[str, Any]]] = {
    "rosenbrock": {"b": {"kind": "log", "min": 0, "max": 3, "value": 100.0}},
    "quadratic": {
        "condition": {"kind": "log", "min": 0, "max": 3, "value": 10.0},
        "angle": {"kind": "float", "min": 0.0, "max": 90.0, "step": 1.0, "value": 0.0},
    },
    "noisy": {
        "sigma": {"kind": "float", "min": 0.0, "max": 5.0, "step": 0.1, "value": 1.0},
        "seed": {"kind": "int", "min": 0, "max": 99, "value": 0},
    },
    "minibatch": {
        "batch_size": {"kind": "int", "min": 1, "max": 64, "value": 8},
        "seed": {"kind": "int", "min": 0, "max": 99, "value": 0},
    },
    "shifting": {
        "at_step": {"kind": "int", "min": 0, "max": 1000, "value": 100},
        "scale": {"kind": "log", "min": -1, "max": 2, "value": 10.0},
    },
}


@dataclass
class Settings:
    """Everything the explorer shows, as plain data (no widgets)."""

    surface: dict[str, Any]
    start: tuple[float, float]
    n_steps: int
    enabled: dict[str, bool]
    lr: dict[str, float]
    shared_lr: float = 0.01
    mode: str = "each"
    beta: float = 0.9
    eps: float = 1e-8
    eps_in_sqrt: bool = True
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    best_lr: dict[str, float] = field(default_factory=dict)

    def alpha(self, key: str) -> float:
        """The learning rate ``key`` runs with in the current mode."""
        if self.mode == "shared":
            return self.shared_lr
        if self.mode == "best" and key in self.best_lr:
            return self.best_lr[key]
        return self.lr[key]

    def spec(self, key: str, lr: float | None = None) -> OptimizerSpec:
        """The optimizer ``key`` as data, at ``lr`` (default: :meth:`alpha`)."""
        label, factory = FAMILIES[key]
        rate = self.alpha(key) if lr is None else lr
        params: dict[str, Any] = {"lr": rate}
        if key == "momentum":
            params["momentum"] = self.momentum
        elif key == "adagrad":
            params.update(eps=self.eps, eps_in_sqrt=self.eps_in_sqrt)
        elif key == "rmsprop":
            params.update(beta=self.beta, eps=self.eps, eps_in_sqrt=self.eps_in_sqrt)
        elif key == "adam":
            params.update(beta1=self.beta1, beta2=self.beta2, eps=self.eps)
        return OptimizerSpec(factory, params, label=label)

    def scene(self) -> Scene:
        """The current state as a scene (enabled optimizers only), for recipes and exports."""
        specs = tuple(self.spec(k) for k in FAMILIES if self.enabled[k])
        return Scene(
            name="explorer",
            surface=dict(self.surface),
            optimizers=specs,
            n_steps=self.n_steps,
            start=self.start,
            caption="",
            title="",
        )


def _settings_from_scene(scene: Scene) -> Settings:
    surface = scene.build_surface()
    lrs = {key: float(default_spec(key, surface).params["lr"]) for key in FAMILIES}
    start = scene.start if scene.start is not None else surface.default_start
    settings = Settings(
        surface=surface_to_spec(surface),
        start=(float(start[0]), float(start[1])),
        n_steps=scene.n_steps,
        enabled={k: False for k in FAMILIES},
        lr=lrs,
    )
    for spec in scene.optimizers:
        key = kind_of(spec)
        if key not in FAMILIES:
            continue  # e.g. Nesterov: not among the explorer's toggles
        settings.enabled[key] = True
        params = spec.params
        settings.lr[key] = float(params.get("lr", lrs[key]))
        if key == "momentum":
            settings.momentum = float(params.get("momentum", settings.momentum))
        if key == "rmsprop":
            settings.beta = float(params.get("beta", settings.beta))
        if key in ("adagrad", "rmsprop", "adam"):
            settings.eps = float(params.get("eps", settings.eps))
        if key in ("adagrad", "rmsprop") and "eps_in_sqrt" in params:
            settings.eps_in_sqrt = bool(params["eps_in_sqrt"])
        if key == "adam":
            settings.beta1 = float(params.get("beta1", settings.beta1))
            settings.beta2 = float(params.get("beta2", settings.beta2))
    if not any(settings.enabled.values()):
        settings.enabled.update(sgd=True, adagrad=True, rmsprop=True, adam=True)
    return settings


def _resolve_scene(scene: str | Scene | Mapping[str, Any] | None) -> Scene:
    if scene is None:
        return get_scene("rosenbrock")
    if isinstance(scene, Scene):
        return scene
    if isinstance(scene, str):
        path = pathlib.Path(scene)
        if scene.endswith(".json") and path.exists():
            return Scene.from_recipe(json.loads(path.read_text()))
        return get_scene(scene)
    if isinstance(scene, Mapping):
        return Scene.from_recipe(dict(scene))
    raise ValueError(f"scene must be a scene name, a Scene, a recipe dict or a recipe file; got {scene!r}")


def ipympl_usable() -> bool:
    """True inside a Jupyter kernel where ipympl can be imported (and not on Colab, where
    its custom widget needs a manager that often fails)."""
    if "google.colab" in sys.modules:
        return False
    try:
        import ipympl  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.3g}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"


class Explorer(W.VBox):  # type: ignore[misc]
    """The explorer widget; see :func:`explore`.

    Attributes worth knowing for scripting and tests: ``settings`` (the current
    :class:`Settings`), ``results`` (``{key: Trajectory}`` of the last race),
    ``figure`` (the :class:`RaceFigure`), the controls ``alpha``, ``beta``, ``epsilon``,
    ``eps_place``, ``mode``, ``toggles``, ``surface``, ``steps``, ``start_x``,
    ``start_y``, ``play``, ``frame``, ``speed``, ``status`` and ``readout``.
    """

    def __init__(
        self,
        scene: str | Scene | Mapping[str, Any] | None = None,
        *,
        backend: str = "auto",
        figsize: tuple[float, float] = (11.0, 6.2),
        dpi: float = 80,
        **values: Any,
    ) -> None:
        if backend not in ("auto", "ipympl", "image"):
            raise ValueError(f"backend must be 'auto', 'ipympl' or 'image', got {backend!r}")
        self.backend = ("ipympl" if ipympl_usable() else "image") if backend == "auto" else backend
        self.settings = _settings_from_scene(_resolve_scene(scene))
        for key, value in values.items():
            self._apply_initial(key, value)
        self.results: dict[str, Trajectory] = {}
        self.updates = 0  # recomputations so far, for tests and the status line
        self._busy = False
        self._build_controls()
        self._recompute_all()
        self._build_figure(figsize, dpi)
        layout = self._layout()
        super().__init__(layout)
        self._wire()
        self.legend.value = self._legend_html()
        self.recipe.value = json.dumps(self.settings.scene().to_recipe(), indent=1)
        self._show_frame(self.settings.n_steps)
        self._report()

    # ------------------------------------------------------------------ set-up

    def _apply_initial(self, key: str, value: Any) -> None:
        s = self.settings
        if key in ("alpha", "lr"):
            s.shared_lr = float(value)
            s.lr = {k: float(value) for k in s.lr}
        elif key in ("beta", "eps", "eps_in_sqrt", "momentum", "beta1", "beta2", "mode", "n_steps"):
            setattr(s, key, type(getattr(s, key))(value))
        elif key == "epsilon":
            s.eps = float(value)
        elif key == "start":
            s.start = (float(value[0]), float(value[1]))
        elif key == "optimizers":
            s.enabled = {k: k in value for k in FAMILIES}
        else:
            raise ValueError(
                f"explore() got an unknown setting {key!r}; known: alpha, beta, epsilon, eps_in_sqrt, "
                "momentum, beta1, beta2, mode, n_steps, start, optimizers"
            )
        if s.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {s.mode!r}")

    def _build_controls(self) -> None:
        s = self.settings
        style = {"description_width": "initial"}
        self.surface = W.Dropdown(options=surfaces.names(), value=s.surface["name"], description="surface")
        self.surface_params: dict[str, dict[str, W.Widget]] = {}
        for name, controls in _SURFACE_CONTROLS.items():
            made: dict[str, W.Widget] = {}
            for param, c in controls.items():
                if c["kind"] == "log":
                    w: W.Widget = W.FloatLogSlider(
                        value=c["value"],
                        base=10,
                        min=c["min"],
                        max=c["max"],
                        step=0.05,
                        description=param,
                        continuous_update=False,
                        style=style,
                    )
                elif c["kind"] == "float":
                    w = W.FloatSlider(
                        value=c["value"],
                        min=c["min"],
                        max=c["max"],
                        step=c["step"],
                        description=param,
                        continuous_update=False,
                        style=style,
                    )
                else:
                    w = W.IntSlider(
                        value=c["value"],
                        min=c["min"],
                        max=c["max"],
                        description=param,
                        continuous_update=False,
                        style=style,
                    )
                made[param] = w
            self.surface_params[name] = made
        for name, value in s.surface.get("params", {}).items():
            control = self.surface_params.get(s.surface["name"], {}).get(name)
            if control is not None and isinstance(value, (int, float)):
                control.value = value
        self.surface_box = W.HBox()
        self._show_surface_controls()

        self.toggles: dict[str, W.ToggleButton] = {}
        for key, (label, _) in FAMILIES.items():
            color = STYLES[key].color
            self.toggles[key] = W.ToggleButton(
                value=s.enabled[key],
                description=label,
                tooltip=f"show {label}",
                layout=W.Layout(width="110px", border=f"3px solid {color}"),
                style={"font_weight": "bold", "text_color": color},
            )
        self.alpha = W.FloatLogSlider(
            value=self._alpha_value(),
            base=10,
            min=-5,
            max=1,
            step=0.05,
            description="alpha",
            readout_format=".2e",
            continuous_update=False,
            style=style,
            layout=W.Layout(width="380px"),
        )
        self.alpha_of = W.Dropdown(
            options=[(FAMILIES[k][0], k) for k in FAMILIES],
            value="rmsprop",
            description="alpha of",
            layout=W.Layout(width="200px"),
        )
        self.mode = W.ToggleButtons(
            options=[(v, k) for k, v in MODES.items()],
            value=s.mode,
            description="compare",
            style={"button_width": "150px"},
        )
        self.beta = W.FloatSlider(
            value=s.beta,
            min=0.0,
            max=0.999,
            step=0.001,
            readout_format=".3f",
            description="beta",
            continuous_update=False,
            style=style,
            layout=W.Layout(width="380px"),
        )
        self.epsilon = W.FloatLogSlider(
            value=s.eps,
            base=10,
            min=-12,
            max=0,
            step=0.25,
            description="epsilon",
            readout_format=".0e",
            continuous_update=False,
            style=style,
            layout=W.Layout(width="380px"),
        )
        self.eps_place = W.ToggleButtons(
            options=[("√(v + ε)", True), ("√v + ε", False)],
            value=s.eps_in_sqrt,
            description="eps",
            tooltip="inside or outside the square root",
            style={"button_width": "80px"},
        )
        self.momentum = W.FloatSlider(
            value=s.momentum, min=0.0, max=0.99, step=0.01, description="momentum", continuous_update=False, style=style
        )
        self.beta1 = W.FloatSlider(
            value=s.beta1, min=0.0, max=0.99, step=0.01, description="beta1", continuous_update=False, style=style
        )
        self.beta2 = W.FloatSlider(
            value=s.beta2,
            min=0.5,
            max=0.9999,
            step=0.0001,
            readout_format=".4f",
            description="beta2",
            continuous_update=False,
            style=style,
        )
        self.advanced = W.Accordion(children=[W.HBox([self.momentum, self.beta1, self.beta2])], titles=("advanced",))

        self.steps = W.IntSlider(
            value=s.n_steps, min=10, max=2000, step=10, description="steps", continuous_update=False, style=style
        )
        self.start_x = W.FloatText(value=s.start[0], description="start x", layout=W.Layout(width="160px"))
        self.start_y = W.FloatText(value=s.start[1], description="start y", layout=W.Layout(width="160px"))

        self.play = W.Play(
            value=s.n_steps, min=0, max=s.n_steps, step=self._play_step(), interval=100, description="play"
        )
        self.frame = W.IntSlider(
            value=s.n_steps, min=0, max=s.n_steps, description="step", style=style, layout=W.Layout(width="420px")
        )
        W.jslink((self.play, "value"), (self.frame, "value"))
        self.speed = W.IntSlider(value=self._play_step(), min=1, max=50, description="steps/frame", style=style)
        self.ghost = W.Checkbox(value=True, description="ghost of the previous run", indent=False)

        self.readout = W.HTML()
        self.status = W.HTML()
        self.legend = W.HTML()
        self.recipe = W.Textarea(layout=W.Layout(width="100%", height="120px"), description="recipe")
        self.export_name = W.Text(value="race.gif", description="file", layout=W.Layout(width="260px"))
        self.export_button = W.Button(description="Export", icon="download", button_style="primary")
        self.export_log = W.Output()

    def _alpha_value(self) -> float:
        s = self.settings
        key = getattr(getattr(self, "alpha_of", None), "value", "rmsprop")
        value = s.shared_lr if s.mode == "shared" else s.alpha(key)
        return float(min(max(value, 1e-5), 10.0))

    def _play_step(self) -> int:
        return max(1, self.settings.n_steps // 100)

    def _show_surface_controls(self) -> None:
        self.surface_box.children = tuple(self.surface_params.get(self.surface.value, {}).values())

    def _build_figure(self, figsize: tuple[float, float], dpi: float) -> None:
        figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        if self.backend == "ipympl":
            from ipympl.backend_nbagg import Canvas, FigureManager

            canvas = Canvas(figure)
            with warnings.catch_warnings():
                # ipympl's toolbar passes its canvas on to traitlets, which warns about it.
                warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
                FigureManager(canvas, 0)
            canvas.header_visible = False
            canvas.footer_visible = False
            canvas.toolbar_visible = False
            canvas.resizable = False
            canvas.mpl_connect("button_press_event", self._on_click)
            self.canvas_widget: W.Widget = canvas
        else:
            FigureCanvasAgg(figure)
            self.canvas_widget = W.Image(format="png")
        self._draw_race_figure(figure)

    def _draw_race_figure(self, figure: Figure) -> None:
        """Lay the race figure out in ``figure`` (once per surface)."""
        keys = list(FAMILIES)
        # The figure's legend names the optimizers (static pixels); the hyperparameters,
        # which change with every slider move, are in the HTML legend above it.
        self.figure = RaceFigure(self._surface(), [self.results[k] for k in keys], labels=self._names(), figure=figure)
        # Agg's own draw: lays the figure out without sending a picture to a front end
        # that may not exist yet (ipympl would keep it as an unusable data URL).
        FigureCanvasAgg.draw(figure.canvas)  # type: ignore[no-untyped-call, arg-type]
        figure.set_layout_engine("none")  # solved once; re-solving on every draw costs ~36 ms
        self._fix_panel_limits()
        for i, key in enumerate(keys):
            self.figure.set_visible(i, self.settings.enabled[key], legend=False)
        self.figure.set_trajectories([self.results[k] for k in keys], rescale=False)
        self.renderer = FrameRenderer(self.figure, per_race=self._per_race())

    def _layout(self) -> list[W.Widget]:
        title = W.HTML(
            "<b>Watch the optimizers race.</b> Change a control: the race is recomputed and "
            "the faded lines show the previous run."
        )
        row = W.HBox
        return [
            title,
            row([self.surface, self.surface_box]),
            row([*self.toggles.values()]),
            self.legend,
            self.canvas_widget,
            self.status,
            row([self.play, self.frame, self.speed, self.ghost]),
            row([self.alpha, self.alpha_of]),
            row([self.beta, self.epsilon, self.eps_place]),
            row([self.mode]),
            self.advanced,
            row([self.steps, self.start_x, self.start_y]),
            self.readout,
            W.Accordion(
                children=[W.VBox([row([self.export_name, self.export_button]), self.export_log, self.recipe])],
                titles=("export and recipe",),
            ),
        ]

    def _wire(self) -> None:
        guard = self._guarded
        for control in (self.alpha, self.beta, self.epsilon, self.eps_place, self.momentum, self.beta1, self.beta2):
            control.observe(guard(self._on_hyper), names="value")
        self.mode.observe(guard(self._on_mode), names="value")
        self.alpha_of.observe(guard(self._on_alpha_of), names="value")
        for toggle in self.toggles.values():
            toggle.observe(guard(self._on_toggle), names="value")
        self.surface.observe(guard(self._on_surface), names="value")
        for controls in self.surface_params.values():
            for control in controls.values():
                control.observe(guard(self._on_surface), names="value")
        self.steps.observe(guard(self._on_steps), names="value")
        self.start_x.observe(guard(self._on_start), names="value")
        self.start_y.observe(guard(self._on_start), names="value")
        self.frame.observe(guard(lambda change: self._show_frame(change["new"])), names="value")
        self.speed.observe(guard(lambda change: setattr(self.play, "step", int(change["new"]))), names="value")
        self.export_button.on_click(guard(lambda _: self._export_clicked()))

    def _guarded(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Run a callback so that no exception ever reaches the notebook: it goes to the
        status line and the log instead."""

        def run(change: Any) -> None:
            if self._busy:
                return
            try:
                handler(change)
            except Exception as error:
                log.exception("explorer callback failed")
                self._say(f"Could not apply that change: {error}", error=True)

        return run

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set controls from code without triggering their callbacks."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    # -------------------------------------------------------------- callbacks

    def _on_hyper(self, change: Any) -> None:
        s = self.settings
        if change["owner"] is self.alpha:
            value = float(f"{float(self.alpha.value):.3g}")  # a slider position, not 15 digits
            if s.mode == "shared":
                s.shared_lr = value
            else:
                s.lr[self.alpha_of.value] = value
                if s.mode == "best":  # moving alpha by hand leaves "best" mode
                    s.mode = "each"
                    with self._quiet():
                        self.mode.value = "each"
        s.beta = float(self.beta.value)
        s.eps = float(self.epsilon.value)
        s.eps_in_sqrt = bool(self.eps_place.value)
        s.momentum = float(self.momentum.value)
        s.beta1 = float(self.beta1.value)
        s.beta2 = float(self.beta2.value)
        self.update()

    def _on_mode(self, change: Any) -> None:
        self.settings.mode = str(change["new"])
        self.alpha_of.disabled = self.settings.mode == "shared"
        self._sync_alpha()
        self.update()

    def _on_alpha_of(self, change: Any) -> None:
        self._sync_alpha()

    def _sync_alpha(self) -> None:
        with self._quiet():
            self.alpha.value = self._alpha_value()

    def _on_toggle(self, change: Any) -> None:
        key = next(k for k, t in self.toggles.items() if t is change["owner"])
        self.settings.enabled[key] = bool(change["new"])
        if change["new"]:
            self.update()  # its trajectory may be stale
        self.figure.set_visible(list(FAMILIES).index(key), bool(change["new"]))
        self.renderer.background = None  # the figure's legend lost or gained an entry
        self.legend.value = self._legend_html()
        self.readout.value = self._readout_html(self.figure.current)
        self._render()
        self._report()

    def _on_surface(self, change: Any) -> None:
        name = self.surface.value
        if change["owner"] is self.surface:
            self._show_surface_controls()
        params = {p: c.value for p, c in self.surface_params.get(name, {}).items()}
        surface = surfaces.get(name, **params)
        self.settings.surface = surface_to_spec(surface)
        if change["owner"] is self.surface:
            self.settings.lr.update({k: float(default_spec(k, surface).params["lr"]) for k in FAMILIES})
            self.settings.start = tuple(surface.default_start)  # type: ignore[assignment]
            with self._quiet():
                self.start_x.value, self.start_y.value = self.settings.start
                self.alpha.value = self._alpha_value()
        self._rebuild_surface()

    def _on_steps(self, change: Any) -> None:
        self.settings.n_steps = int(change["new"])
        self.update(rescale=True)

    def _on_start(self, change: Any) -> None:
        x, y = float(self.start_x.value), float(self.start_y.value)
        (x0, x1), (y0, y1) = self._surface().bounds
        if not (math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
            with self._quiet():
                self.start_x.value, self.start_y.value = self.settings.start
            self._say(
                f"The start must lie in the window [{x0:g}, {x1:g}] x [{y0:g}, {y1:g}]; kept "
                f"({self.settings.start[0]:g}, {self.settings.start[1]:g}).",
                error=True,
            )
            return
        self.settings.start = (x, y)
        self.update(rescale=True)

    def _on_click(self, event: Any) -> None:
        if event.inaxes is not self.figure.ax or event.xdata is None or event.button != 1:
            return
        try:
            with self._quiet():
                self.start_x.value = round(float(event.xdata), 3)
                self.start_y.value = round(float(event.ydata), 3)
            self._on_start({"owner": self.start_x})
        except Exception as error:
            log.exception("explorer click failed")
            self._say(f"Could not move the start: {error}", error=True)

    # ---------------------------------------------------------------- actions

    def _surface(self) -> surfaces.Surface:
        """The current surface, built once per spec (a mini-batch surface makes its data)."""
        key = json.dumps(self.settings.surface, sort_keys=True)
        if getattr(self, "_surface_key", None) != key:
            self._surface_key = key
            self._surface_obj = surface_from_spec(self.settings.surface)
        return self._surface_obj

    def _names(self) -> list[str]:
        return [label for label, _ in FAMILIES.values()]

    def _labels(self) -> list[str]:
        """Each optimizer with the hyperparameters it ran with."""
        s = self.settings
        labels = []
        for key in FAMILIES:
            spec = s.spec(key)
            best = " (its best alpha)" if s.mode == "best" and key in s.best_lr else ""
            labels.append(f"{spec.label}: {spec.describe()}{best}")
        return labels

    def _legend_html(self) -> str:
        items = []
        for key, label in zip(FAMILIES, self._labels()):
            if self.settings.enabled[key]:
                color = STYLES[key].color
                items.append(
                    f"<span style='white-space:nowrap; margin-right:18px'><span style='color:{color}; "
                    f"font-size:18px'>&#9632;</span> {_escape(label)}</span>"
                )
        return f"<div style='font-size:14px; line-height:1.6'>{' '.join(items)}</div>"

    def _recompute_all(self, keys: list[str] | None = None) -> None:
        s = self.settings
        keys = keys if keys is not None else [k for k in FAMILIES if s.enabled[k] or k not in self.results]
        surface = self._surface()
        if s.mode == "best":
            for key in keys:
                finals = sweep(
                    surface,
                    _factory_of(s, key),
                    grid={"lr": BEST_LRS},
                    start=s.start,
                    n_steps=s.n_steps,
                    metric="final",
                )
                if np.isfinite(finals).any():
                    s.best_lr[key] = float(f"{BEST_LRS[int(np.nanargmin(finals))]:.3g}")
        runs = race(surface, {FAMILIES[k][0]: s.spec(k).build() for k in keys}, start=s.start, n_steps=s.n_steps)
        self.results.update({key: runs[FAMILIES[key][0]] for key in keys})
        self.updates += 1

    def update(self, *, rescale: bool = False) -> None:
        """Recompute the race from the current settings and redraw (artists only)."""
        self._recompute_all()
        steps = self.settings.n_steps
        for i, key in enumerate(FAMILIES):
            if self.figure.visible[i] != self.settings.enabled[key]:
                self.figure.set_visible(i, self.settings.enabled[key], legend=False)
        self.figure.set_trajectories(
            [self.results[k] for k in FAMILIES], ghost=bool(self.ghost.value), step=steps, rescale=False
        )
        if rescale:
            self._fix_panel_limits()
            self.renderer.background = None  # axis ranges changed: capture again
        self._refresh_legend_artist()
        self.legend.value = self._legend_html()
        with self._quiet():
            self.play.max = steps
            self.frame.max = steps
            self.play.step = self.speed.value = self._play_step()
            self.play.value = steps
            self.frame.value = steps
            self.recipe.value = json.dumps(self.settings.scene().to_recipe(), indent=1)
        self._show_frame(steps)
        self._report()

    def _rebuild_surface(self) -> None:
        """A new surface: the one change that draws the contours again."""
        fig = self.figure.fig
        fig.clear()
        fig.set_layout_engine("constrained")
        self._recompute_all(list(FAMILIES))
        self._draw_race_figure(fig)
        self.update(rescale=True)

    def _per_race(self) -> list[Any]:
        return [*self.figure.ghosts, *(p.start for p in self.figure.paths)]

    def _refresh_legend_artist(self) -> None:
        self.renderer.new_race()

    def _fix_panel_limits(self) -> None:
        """Fixed, generous ranges for the loss and step panels, so that a slider move
        changes no tick label (and so no static pixel)."""
        start_gap = max(float(np.nanmax([t.values[0, 0] for t in self.results.values()])) - self.figure.floor, 1e-6)
        n = self.settings.n_steps
        if self.figure.ax_loss is not None:
            set_step_limits(self.figure.ax_loss, n)
            self.figure.ax_loss.set_ylim(1e-14, start_gap * 1e3)
        if self.figure.ax_steps is not None:
            (x0, x1), (y0, y1) = self._surface().bounds
            set_step_limits(self.figure.ax_steps, n)
            self.figure.ax_steps.set_ylim(1e-8, max(x1 - x0, y1 - y0))

    def _show_frame(self, step: int) -> None:
        self.figure.show_frame(int(step))
        self._render()
        self.readout.value = self._readout_html(int(step))

    def _render(self) -> None:
        self.renderer.render()
        canvas = self.figure.fig.canvas
        if self.backend == "ipympl":
            # Send the new pixels once a browser is connected; until then it asks for a
            # full draw when it shows the canvas.
            if not getattr(canvas, "syncing_data_url", False):
                canvas.blit(self.figure.fig.bbox)
        else:
            rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[attr-defined]
            with io.BytesIO() as png:
                Image.fromarray(rgba[..., :3]).save(png, format="png", compress_level=1)
                self.canvas_widget.value = png.getvalue()

    # ---------------------------------------------------------------- reports

    def _say(self, text: str, *, error: bool = False) -> None:
        color = "#b00020" if error else "#222222"
        self.status.value = f"<span style='color:{color}; font-size: 14px'>{_escape(text)}</span>"

    def _report(self) -> None:
        """Say in words what happened in the last race."""
        s = self.settings
        surface = self._surface()
        messages = []
        for key in FAMILIES:
            traj = self.results.get(key)
            if not s.enabled[key] or traj is None:
                continue
            k = int(traj.diverged_at[0])
            if k >= 0:
                messages.append(f"{traj.label} diverged at step {k}: {_why(s, key, surface, traj)}")
        if not messages:
            shown = [(float(t.values[-1, 0]), t.label) for k, t in self.results.items() if s.enabled[k]]
            if shown:
                best, label = min(shown)
                messages.append(
                    f"Nobody diverged. Lowest loss after {s.n_steps} steps: {label} "
                    f"(f - f* = {_fmt(best - self.figure.floor)})."
                )
        self._say(" ".join(messages), error=any(" diverged at step " in m for m in messages))

    def _readout_html(self, step: int) -> str:
        rows = []
        s = self.settings
        for key in FAMILIES:
            traj = self.results.get(key)
            if traj is None or not s.enabled[key]:
                continue
            color = STYLES[key].color
            name = f"<b style='color:{color}'>{traj.label}</b>"
            if step == 0:
                rows.append(f"<tr><td>{name}</td><td colspan=5>at the start</td></tr>")
                continue
            t = min(step, traj.n_steps) - 1
            g = traj.grads[t, 0]
            u = traj.updates[t, 0]
            eff = traj.effective_lr[t, 0]
            state = traj.states
            second = getattr(state, "v", getattr(state, "s", None))
            v = second[t, 0] if second is not None else np.array([np.nan, np.nan])
            rows.append(
                f"<tr><td>{name}</td><td>{_pair(g)}</td><td>{_pair(v)}</td><td>{_pair(eff)}</td>"
                f"<td>{_pair(u)}</td></tr>"
            )
        head = (
            "<tr><th></th><th>g (x, y)</th><th>v (or the sum s)</th>"
            "<th>effective alpha = alpha / den</th><th>step = -effective alpha * g</th></tr>"
        )
        den = "√(v + ε)" if s.eps_in_sqrt else "√v + ε"
        return (
            f"<div style='font-size:13px'>Step {step}: den = {den} for RMSProp and Adagrad, √v̂ + ε for "
            f"Adam; SGD's effective alpha is alpha.</div><table style='font-size:13px'>{head}"
            f"{''.join(rows)}</table>"
        )

    # ----------------------------------------------------------------- export

    def _export_clicked(self) -> None:
        self.export(self.export_name.value)

    def export(self, path: str, *, fps: float = 30.0, frames: int = 150, overwrite: bool = True) -> pathlib.Path:
        """Write the current race as an animation (by suffix: .gif .mp4 .html .png) and its
        recipe beside it; progress shows under the button."""
        from .animation import save

        scene = self.settings.scene()
        results = scene.run()
        figure = RaceFigure(scene.build_surface(), results, labels=scene.legend_labels())
        self.export_log.clear_output()
        with self.export_log:
            written = save(
                figure, path, fps=fps, frames=frames, progress=True, overwrite=overwrite, recipe=scene.to_recipe()
            )
            print(f"wrote {written} and {written.with_suffix('.json')}")
        self._say(f"Exported {written} (and its recipe {written.with_suffix('.json').name}).")
        return written


def _factory_of(settings: Settings, key: str) -> Callable[..., Any]:
    """``lr -> optimizer`` for ``key`` at the other current hyperparameters (for sweeps)."""
    spec = settings.spec(key)
    fixed = {k: v for k, v in spec.params.items() if k != "lr"}
    return functools.partial(optimizers.get(spec.factory), **fixed)


def _why(settings: Settings, key: str, surface: surfaces.Surface, traj: Trajectory) -> str:
    """A sentence on why the run ``traj`` of optimizer ``key`` diverged (numbers from the core)."""
    lr = settings.alpha(key)
    if key in ("sgd", "momentum"):
        mu = settings.momentum if key == "momentum" else 0.0
        curvature = surfaces.max_curvature(surface, settings.start)
        limit = surfaces.gd_lr_limit(curvature, mu)
        if lr > limit:
            bound = "2(1 + momentum)/L" if mu else "2/L"
            return (
                f"its alpha {lr:.3g} is above {bound} = {limit:.3g} for this surface "
                f"(L = {curvature:.3g}, the steepest curvature at the start)."
            )
        return f"its alpha {lr:.3g} is too large for the curvature it met on the way."
    first = float(np.nanmax(np.abs(traj.updates[0, 0])))
    if key == "rmsprop":
        return (
            f"its first step was {first:.3g} in each coordinate (alpha/sqrt(1 - beta), whatever the gradient), "
            "too long for this surface."
        )
    return f"its steps of about alpha = {lr:.3g} per coordinate (the first was {first:.3g}) are too long here."


def _pair(a: Any) -> str:
    return f"{_fmt(float(a[0]))}, {_fmt(float(a[1]))}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def explore(scene: str | Scene | Mapping[str, Any] | None = None, *, backend: str = "auto", **values: Any) -> Explorer:
    """Open the explorer: four optimizers racing, with sliders for alpha, beta and epsilon.

    Parameters
    ----------
    scene : str, Scene, dict or path, optional
        A preset name (``rv.scenes.names()``), a :class:`~rmsprop_viz.scenes.Scene`, a
        recipe dict or a recipe JSON file to start from; the Rosenbrock race by default.
    backend : {"auto", "ipympl", "image"}
        ``"ipympl"`` draws into a live canvas (``%matplotlib widget``); ``"image"`` into a
        PNG image widget, which works wherever core ipywidgets do. ``"auto"`` picks ipympl
        inside a Jupyter kernel where it can be imported.
    **values
        Initial settings: ``alpha``, ``beta``, ``epsilon``, ``eps_in_sqrt``, ``momentum``,
        ``beta1``, ``beta2``, ``mode`` ("each", "shared", "best"), ``n_steps``, ``start``,
        ``optimizers`` (a list of "sgd", "momentum", "adagrad", "rmsprop", "adam").

    Returns
    -------
    Explorer
        An ipywidgets box; display it (or make it the cell's last expression).
    """
    return Explorer(scene, backend=backend, **values)
