"""The live explorer: sliders for alpha, beta and epsilon, and four optimizers racing.

``rv.explore()`` returns an ipywidgets box that shows itself in JupyterLab, Notebook 7
and Voila. This module is wiring only: trajectories come from :func:`rmsprop_viz.race`,
best learning rates from :func:`rmsprop_viz.sweep` and
:func:`rmsprop_viz.engine.sweeps.best_cell`, the step-by-step readout from
:func:`rmsprop_viz.engine.reports.step_report`, numbers as text from
:mod:`rmsprop_viz.engine.formatting`, pictures from :class:`rmsprop_viz.plotting.RaceFigure`,
files from :func:`rmsprop_viz.animation.save`. Each change of a control recomputes the
race once and changes the data of existing artists; the contours are drawn again only
when the surface changes.

No callback raises into the notebook: a change that cannot be made (a surface that
cannot be drawn, an export to a missing folder) is refused with one line in the status
line, and the explorer keeps what it showed before.

The figure is an ipympl canvas (``%matplotlib widget``) where ipympl is usable, and
otherwise a PNG in an ``ipywidgets.Image`` (Colab, some VS Code setups, plain scripts),
with the same controls.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import inspect
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

from rmsprop_viz.core import optimizers, surfaces
from rmsprop_viz.core.checks import check_flag, check_int, check_number, check_point
from rmsprop_viz.engine.formatting import below_resolution, format_gap, format_number, format_setting, resolution_text
from rmsprop_viz.engine.reports import StepReport, step_report
from rmsprop_viz.engine.run import Trajectory, race
from rmsprop_viz.engine.sweeps import best_cell, sweep
from rmsprop_viz.plotting import STYLES, FrameRenderer, RaceFigure, set_step_limits, surface_grid
from rmsprop_viz.scenes import (
    MAX_STEPS,
    OptimizerSpec,
    Scene,
    default_spec,
    kind_of,
    read_recipe,
    surface_from_spec,
    surface_to_spec,
)
from rmsprop_viz.scenes import get as get_scene
from rmsprop_viz.scenes import names as scene_names

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
#: Valid ranges of :func:`explore`'s numeric settings, as :func:`check_number` keywords.
_INITIAL_RANGES: dict[str, dict[str, Any]] = {
    "beta": {"low": 0.0, "high": 1.0, "high_open": True},
    "eps": {"low": 0.0, "low_open": True, "high": 1.0},
    "epsilon": {"low": 0.0, "low_open": True, "high": 1.0},
    "momentum": {"low": 0.0, "high": 1.0, "high_open": True},
    "rmsprop_momentum": {"low": 0.0, "high": 1.0, "high_open": True},
    "beta1": {"low": 0.0, "high": 1.0, "high_open": True},
    "beta2": {"low": 0.0, "high": 1.0, "high_open": True},
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
    rmsprop_momentum: float = 0.0
    beta1: float = 0.9
    beta2: float = 0.999
    nesterov: bool = False
    centered: bool = False
    amsgrad: bool = False
    best_lr: dict[str, float] = field(default_factory=dict)
    #: A loaded scene's own epsilon (and its place) for an optimizer whose value differs
    #: from the shared control's; the epsilon controls, once moved, set every optimizer's.
    eps_of: dict[str, float] = field(default_factory=dict)
    eps_in_sqrt_of: dict[str, bool] = field(default_factory=dict)

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
            if self.nesterov and self.momentum > 0:  # Nesterov needs some momentum
                params["nesterov"] = True
        elif key == "adagrad":
            params.update(
                eps=self.eps_of.get(key, self.eps), eps_in_sqrt=self.eps_in_sqrt_of.get(key, self.eps_in_sqrt)
            )
        elif key == "rmsprop":
            params.update(
                beta=self.beta,
                eps=self.eps_of.get(key, self.eps),
                eps_in_sqrt=self.eps_in_sqrt_of.get(key, self.eps_in_sqrt),
            )
            if self.centered:
                params["centered"] = True
            if self.rmsprop_momentum > 0:
                params["momentum"] = self.rmsprop_momentum
        elif key == "adam":
            params.update(beta1=self.beta1, beta2=self.beta2, eps=self.eps_of.get(key, self.eps))
            if self.amsgrad:
                params["amsgrad"] = True
        return OptimizerSpec(factory, params, label=label)

    def any_enabled(self) -> bool:
        """True when at least one optimizer is on."""
        return any(self.enabled.values())

    def scene(self) -> Scene:
        """The current state as a scene (enabled optimizers only), for recipes and exports.

        Raises ValueError when every optimizer is off (a scene races at least one).
        """
        if not self.any_enabled():
            raise ValueError("every optimizer is off: turn one on to race, record or export")
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


def _settings_from_scene(scene: Scene) -> tuple[Settings, list[str]]:
    """The explorer's settings for ``scene``, and one sentence for each thing of the scene
    the explorer cannot show as it is (a second run of one optimizer, a hyperparameter
    without a control, two optimizers with different epsilons), naming what runs instead."""
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
    shown: dict[str, OptimizerSpec] = {}
    others: dict[str, list[OptimizerSpec]] = {}
    notes: list[str] = []
    for spec in scene.optimizers:
        kind = kind_of(spec)
        key = "momentum" if kind == "nesterov" else kind  # the Momentum toggle, Nesterov ticked
        if key not in FAMILIES:
            notes.append(f"{spec.label or kind} is not one of the explorer's optimizers; it is left out.")
            continue
        if key in shown:
            others.setdefault(key, []).append(spec)  # the explorer shows one racer of each kind
            continue
        shown[key] = spec
        settings.enabled[key] = True
        params = spec.params
        settings.lr[key] = float(params.get("lr", lrs[key]))
        if key == "momentum":
            settings.momentum = float(params.get("momentum", settings.momentum))
            settings.nesterov = bool(params.get("nesterov", False))
        if key == "rmsprop":
            settings.beta = float(params.get("beta", settings.beta))
            settings.rmsprop_momentum = float(params.get("momentum", 0.0))
        if key in ("adagrad", "rmsprop", "adam"):
            own = _all_params(spec)
            settings.eps_of[key] = float(own["eps"])
            if key != "adam":
                settings.eps_in_sqrt_of[key] = bool(own["eps_in_sqrt"])
        if key == "rmsprop":
            settings.centered = bool(params.get("centered", False))
        if key == "adam":
            settings.beta1 = float(params.get("beta1", settings.beta1))
            settings.beta2 = float(params.get("beta2", settings.beta2))
            settings.amsgrad = bool(params.get("amsgrad", False))
    if not any(settings.enabled.values()):
        settings.enabled.update(sgd=True, adagrad=True, rmsprop=True, adam=True)
    # the epsilon controls show RMSProp's (else the first optimizer's); the others keep their own
    first = next((k for k in ("rmsprop", "adam", "adagrad") if k in settings.eps_of), None)
    if first is not None:
        settings.eps = settings.eps_of[first]
    first = next((k for k in ("rmsprop", "adagrad") if k in settings.eps_in_sqrt_of), None)
    if first is not None:
        settings.eps_in_sqrt = settings.eps_in_sqrt_of[first]
    settings.eps_of = {k: v for k, v in settings.eps_of.items() if v != settings.eps}
    settings.eps_in_sqrt_of = {k: v for k, v in settings.eps_in_sqrt_of.items() if v != settings.eps_in_sqrt}
    for key, spec in shown.items():
        name = FAMILIES[key][0]
        ran, runs = _all_params(spec), _all_params(settings.spec(key))
        for param, value in ran.items():
            if not _same(value, runs.get(param)):
                notes.append(
                    f"{name}'s {param} {format_setting(value)} has no place in the explorer: "
                    f"it runs with {param} {format_setting(runs.get(param))}."
                )
    for key, extra in others.items():
        notes.append(_one_of_several(FAMILIES[key][0], [shown[key], *extra]))
    return settings, notes


def _all_params(spec: OptimizerSpec) -> dict[str, Any]:
    """Every hyperparameter of ``spec``, its factory's defaults filled in."""
    make = optimizers.get(spec.factory)
    params = {n: p.default for n, p in inspect.signature(make).parameters.items() if p.default is not p.empty}
    params.update(spec.params)
    return params


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


_COUNTS = {2: "two", 3: "three", 4: "four"}


def _one_of_several(name: str, specs: list[OptimizerSpec]) -> str:
    """The sentence for a scene that races several runs of one optimizer: which one shows.

    >>> a, b = OptimizerSpec("rmsprop", {"beta": 0.99}), OptimizerSpec("rmsprop", {"beta": 0.9})
    >>> _one_of_several("RMSProp", [a, b])
    'This scene races two RMSProp runs (beta 0.99 and beta 0.9); the explorer shows one: beta 0.99.'
    """
    params = [_all_params(spec) for spec in specs]
    differ = [p for p in params[0] if any(not _same(params[0][p], q.get(p)) for q in params[1:])]

    def describe(p: dict[str, Any]) -> str:
        return ", ".join(f"{k} {format_setting(p[k])}" for k in differ) or "the same settings"

    runs = [describe(p) for p in params]
    listed = ", ".join(runs[:-1]) + f" and {runs[-1]}"
    count = _COUNTS.get(len(specs), str(len(specs)))
    return f"This scene races {count} {name} runs ({listed}); the explorer shows one: {runs[0]}."


def _resolve_scene(scene: str | Scene | Mapping[str, Any] | None) -> Scene:
    if scene is None:
        return get_scene("rosenbrock")
    if isinstance(scene, Scene):
        return scene
    if isinstance(scene, str):
        path = pathlib.Path(scene)
        if scene.endswith(".json") and path.exists():
            try:
                return Scene.from_recipe(read_recipe(path))
            except ValueError as error:  # a field of the file: say which file
                message = str(error)
                raise ValueError(message if message.startswith(scene) else f"{scene}: {message}") from None
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


class Explorer(W.VBox):  # type: ignore[misc]
    """The explorer widget; see :func:`explore`.

    Attributes worth knowing for scripting and tests: ``settings`` (the current
    :class:`Settings`), ``results`` (``{key: Trajectory}`` of the last race),
    ``figure`` (the :class:`RaceFigure`), the controls ``alpha``, ``beta``, ``epsilon``,
    ``eps_place``, ``mode``, ``toggles``, ``surface``, ``preset``, ``steps``, ``start_x``,
    ``start_y``, ``play``, ``frame``, ``speed``, ``nesterov``, ``centered``, ``amsgrad``,
    ``rmsprop_momentum``, and the displays ``status``, ``legend``, ``readout`` and
    ``download``.

    A scene is shown as it runs: a slider whose range does not hold a loaded value is
    widened to hold it, and what the explorer cannot show (a second run of one
    optimizer, a hyperparameter without a control) is said in the status line when the
    scene is loaded, with what runs instead.
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
        self.settings, notes = _settings_from_scene(_resolve_scene(scene))
        self._load_note = " ".join(notes)  # what of the scene the explorer cannot show, said once
        for key, value in values.items():
            self._apply_initial(key, value)
        self.results: dict[str, Trajectory] = {}
        self.updates = 0  # recomputations so far, for tests and the status line
        self._busy = False
        self.best_rule = ""  # the rule behind "each one's best alpha", shown under the legend
        self._best_missing: list[str] = []  # optimizers for which no alpha qualified
        self._build_controls()
        self._recompute_all()
        self._build_figure(figsize, dpi)
        layout = self._layout()
        super().__init__(layout)
        self._wire()
        self.legend.value = self._legend_html()
        self.recipe.value = self._recipe_text()
        self._show_frame(self.settings.n_steps)
        self._report()

    # ------------------------------------------------------------------ set-up

    def _apply_initial(self, key: str, value: Any) -> None:
        """Take one of :func:`explore`'s initial settings, checked: a bad one is a one-line
        ValueError naming it and its valid range."""
        s = self.settings
        if key in ("alpha", "lr"):
            lr = float(check_number(key, value, low=0.0, low_open=True, allow_array=False))
            s.shared_lr = lr
            s.lr = {k: lr for k in s.lr}
        elif key in _INITIAL_RANGES:
            number = float(check_number(key, value, allow_array=False, **_INITIAL_RANGES[key]))
            setattr(s, "eps" if key == "epsilon" else key, number)
            if key in ("eps", "epsilon"):
                s.eps_of.clear()  # every optimizer's
        elif key in ("eps_in_sqrt", "nesterov", "centered", "amsgrad"):
            setattr(s, key, check_flag(key, value))
            if key == "eps_in_sqrt":
                s.eps_in_sqrt_of.clear()
        elif key == "n_steps":
            s.n_steps = check_int("n_steps", value, low=1, high=MAX_STEPS)
        elif key == "mode":
            if not isinstance(value, str) or value not in MODES:
                raise ValueError(f"mode must be one of {', '.join(MODES)}, got {value!r}")
            s.mode = value
        elif key == "start":
            s.start = check_point("start", value)
        elif key == "optimizers":
            chosen = [value] if isinstance(value, str) else value
            if not isinstance(chosen, (list, tuple)) or not all(isinstance(k, str) for k in chosen):
                raise ValueError(f"optimizers must be a list of names from {', '.join(FAMILIES)}, got {value!r}")
            unknown = [k for k in chosen if k not in FAMILIES]
            if unknown:
                raise ValueError(f"optimizers: unknown {', '.join(map(repr, unknown))}; known: {', '.join(FAMILIES)}")
            s.enabled = {k: k in chosen for k in FAMILIES}
        else:
            raise ValueError(
                f"explore() got an unknown setting {key!r}; known: alpha, beta, epsilon, eps_in_sqrt, "
                "momentum, rmsprop_momentum, beta1, beta2, nesterov, centered, amsgrad, mode, n_steps, start, "
                "optimizers"
            )

    def _build_controls(self) -> None:
        s = self.settings
        style = {"description_width": "initial"}
        self.surface = W.Dropdown(options=surfaces.names(), value=s.surface["name"], description="surface")
        self.preset = W.Dropdown(
            options=[("(pick a preset)", ""), *((name, name) for name in scene_names())],
            value="",
            description="preset",
            tooltip="load one of the classroom scenes",
        )
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
        self.rmsprop_momentum = W.FloatSlider(
            value=s.rmsprop_momentum,
            min=0.0,
            max=0.99,
            step=0.01,
            description="momentum (RMSProp)",
            tooltip="b = μ·b_prev + g/den; θ -= α·b (0: no momentum)",
            continuous_update=False,
            style=style,
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
        self.nesterov = W.Checkbox(value=s.nesterov, description="Nesterov (Momentum)", indent=False)
        self.centered = W.Checkbox(value=s.centered, description="centered (RMSProp)", indent=False)
        self.amsgrad = W.Checkbox(value=s.amsgrad, description="AMSGrad (Adam)", indent=False)
        self.advanced = W.Accordion(
            children=[
                W.VBox(
                    [
                        W.HBox([self.momentum, self.beta1, self.beta2]),
                        W.HBox([self.rmsprop_momentum]),
                        W.HBox([self.nesterov, self.centered, self.amsgrad]),
                    ]
                )
            ],
            titles=("advanced",),
        )

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
        self.download = W.HTML()  # a link that hands the exported file to the browser
        self._sync_controls()  # every control holds its setting (widened where the setting is outside)

    def _alpha_value(self) -> float:
        s = self.settings
        key = getattr(getattr(self, "alpha_of", None), "value", "rmsprop")
        return float(s.shared_lr if s.mode == "shared" else s.alpha(key))

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
            # the last call lays the legend out: exactly the optimizers that are on
            self.figure.set_visible(i, self.settings.enabled[key], legend=i == len(keys) - 1)
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
            row([self.preset, self.surface, self.surface_box]),
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
                children=[
                    W.VBox([row([self.export_name, self.export_button]), self.download, self.export_log, self.recipe])
                ],
                titles=("export and recipe",),
            ),
        ]

    def _wire(self) -> None:
        guard = self._guarded
        for control in (
            self.alpha,
            self.beta,
            self.epsilon,
            self.eps_place,
            self.momentum,
            self.rmsprop_momentum,
            self.beta1,
            self.beta2,
            self.nesterov,
            self.centered,
            self.amsgrad,
        ):
            control.observe(guard(self._on_hyper), names="value")
        self.preset.observe(guard(self._on_preset, changes_race=False), names="value")  # load() says
        self.mode.observe(guard(self._on_mode), names="value")
        self.alpha_of.observe(guard(self._on_alpha_of, changes_race=False), names="value")
        for toggle in self.toggles.values():
            toggle.observe(guard(self._on_toggle), names="value")
        self.surface.observe(guard(self._on_surface), names="value")
        for controls in self.surface_params.values():
            for control in controls.values():
                control.observe(guard(self._on_surface), names="value")
        self.steps.observe(guard(self._on_steps), names="value")
        self.start_x.observe(guard(self._on_start), names="value")
        self.start_y.observe(guard(self._on_start), names="value")
        self.frame.observe(guard(lambda change: self._show_frame(change["new"]), changes_race=False), names="value")
        self.speed.observe(
            guard(lambda change: setattr(self.play, "step", int(change["new"])), changes_race=False), names="value"
        )
        self.export_button.on_click(guard(lambda _: self._export_clicked(), changes_race=False))

    def _guarded(self, handler: Callable[[Any], None], *, changes_race: bool = True) -> Callable[[Any], None]:
        """Run a callback so that no exception ever reaches the notebook: it goes to the
        status line and the log instead. A callback that ``changes_race`` ends what the
        status line said about the loaded scene (the race is no longer that scene's)."""

        def run(change: Any) -> None:
            if self._busy:
                return
            if changes_race:
                self._load_note = ""
            try:
                handler(change)
            except Exception as error:
                log.exception("explorer callback failed")
                self._say(f"Could not apply that change: {_one_line(error)}", error=True)

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
        if change["owner"] is self.epsilon:  # the shared control now sets every optimizer's
            s.eps_of.clear()
        if change["owner"] is self.eps_place:
            s.eps_in_sqrt_of.clear()
        s.momentum = float(self.momentum.value)
        s.rmsprop_momentum = float(self.rmsprop_momentum.value)
        s.beta1 = float(self.beta1.value)
        s.beta2 = float(self.beta2.value)
        s.nesterov = bool(self.nesterov.value)
        s.centered = bool(self.centered.value)
        s.amsgrad = bool(self.amsgrad.value)
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
            _hold(self.alpha, self._alpha_value())

    def _on_toggle(self, change: Any) -> None:
        key = next(k for k, t in self.toggles.items() if t is change["owner"])
        self.settings.enabled[key] = bool(change["new"])
        if change["new"]:
            self.update()  # its trajectory may be stale; update() shows it
            return
        self._sync_visibility()
        self.legend.value = self._legend_html()
        self.readout.value = self._readout_html(self.figure.current)
        with self._quiet():
            self.recipe.value = self._recipe_text()
        self._render()
        self._report()

    def _sync_visibility(self) -> None:
        """Show exactly the optimizers that are on, in the paths, the curves and the
        figure's legend."""
        changed = [i for i, key in enumerate(FAMILIES) if self.figure.visible[i] != self.settings.enabled[key]]
        for i in changed:
            # the last call lays the legend out again
            self.figure.set_visible(i, not self.figure.visible[i], legend=i == changed[-1])
        if changed:
            self.renderer.background = None  # the legend is part of the static picture

    def _on_surface(self, change: Any) -> None:
        owner = change["owner"]
        name = self.surface.value
        params = {p: c.value for p, c in self.surface_params.get(name, {}).items()}
        if owner is not self.surface:  # one control moved: the surface's other parameters stay
            params = {**self.settings.surface.get("params", {}), **params}
        what = "surface" if owner is self.surface else str(owner.description)
        try:
            surface = surface_from_spec({"name": name, "params": params})
            _check_drawable(surface)
        except Exception as error:  # a ValueError naming the parameter, or a picture that cannot be
            self._refuse_surface(owner, change, what, error)
            return
        before = (dict(self.settings.surface), self.settings.start, dict(self.settings.lr))
        self.settings.surface = surface_to_spec(surface)
        if owner is self.surface:
            self._show_surface_controls()
            self.settings.lr.update({k: float(default_spec(k, surface).params["lr"]) for k in FAMILIES})
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
            _hold(self.alpha, self._alpha_value())

    def _refuse_surface(self, owner: Any, change: Any, what: str, error: Exception) -> None:
        """Put the control back and say, in one line, why the surface was not changed."""
        with self._quiet():
            owner.value = change["old"]
            self._show_surface_controls()
        reason = _one_line(error)
        if owner is self.surface:
            text = f"Cannot draw the surface {change['new']}: {reason}. Kept {change['old']}."
        else:
            text = (
                f"Cannot draw {self.surface.value} with {what} = {format_setting(change['new'])}: {reason}. "
                "Kept the previous surface."
            )
        self._say(text, error=True)

    def _on_preset(self, change: Any) -> None:
        if change["new"]:
            self.load(str(change["new"]))

    def load(self, scene: str | Scene | Mapping[str, Any]) -> None:
        """Show another scene (a preset name, a Scene, a recipe dict or file): its surface,
        optimizers, hyperparameters, start and steps. A scene that cannot be loaded
        leaves the explorer as it was and says why."""
        before, note_before = self.settings, self._load_note
        try:
            settings, notes = _settings_from_scene(_resolve_scene(scene))
        except Exception as error:
            self._say(f"Cannot load that scene: {_one_line(error)}", error=True)
            return
        settings.mode = before.mode
        settings.shared_lr = before.shared_lr
        if settings.mode != "each":
            notes.append(f"Compare is set to '{MODES[settings.mode]}': the scene's own alphas are not used.")
        self.settings = settings
        self._load_note = " ".join(notes)
        try:
            self._sync_controls()
            self._rebuild_surface()
        except Exception as error:
            log.exception("explorer: loading a scene failed")
            self.settings, self._load_note = before, note_before
            self._sync_controls()
            self._rebuild_surface()
            self._say(f"Cannot show that scene: {_one_line(error)}", error=True)

    def _sync_controls(self) -> None:
        """Set every control from :attr:`settings`, without running callbacks."""
        s = self.settings
        with self._quiet():
            self.surface.value = s.surface["name"]
            for name, value in s.surface.get("params", {}).items():
                control = self.surface_params.get(s.surface["name"], {}).get(name)
                if control is not None and isinstance(value, (int, float)):
                    _hold(control, value)
            self._show_surface_controls()
            for key, toggle in self.toggles.items():
                toggle.value = s.enabled[key]
            self.mode.value = s.mode
            _hold(self.alpha, self._alpha_value())
            _hold(self.beta, s.beta)
            _hold(self.epsilon, s.eps)
            self.eps_place.value = s.eps_in_sqrt
            _hold(self.momentum, s.momentum)
            _hold(self.rmsprop_momentum, s.rmsprop_momentum)
            _hold(self.beta1, s.beta1)
            _hold(self.beta2, s.beta2)
            self.nesterov.value = s.nesterov
            self.centered.value = s.centered
            self.amsgrad.value = s.amsgrad
            _hold(self.steps, s.n_steps)
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
            self._say(
                f"The start must lie in the window [{format_setting(x0)}, {format_setting(x1)}] x "
                f"[{format_setting(y0)}, {format_setting(y1)}]; kept ({format_setting(self.settings.start[0])}, "
                f"{format_setting(self.settings.start[1])}).",
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
                # + 0.0 turns a rounded -0.0 into 0.0, which the number fields show as "0"
                self.start_x.value = round(float(event.xdata), 3) + 0.0
                self.start_y.value = round(float(event.ydata), 3) + 0.0
            self._on_start({"owner": self.start_x})
        except Exception as error:
            log.exception("explorer click failed")
            self._say(f"Could not move the start: {_one_line(error)}", error=True)

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
            params = ", ".join(f"{k}={format_setting(v)}" for k, v in spec.params.items())
            best = " (its best alpha)" if s.mode == "best" and key in s.best_lr else ""
            labels.append(f"{spec.label}: {params}{best}")
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
        if not items:
            items.append("<i>every optimizer is off: turn one on with the buttons above</i>")
        note = ""
        if self.settings.mode == "best" and self.best_rule:
            lo, hi = format_setting(BEST_LRS[0]), format_setting(BEST_LRS[-1])
            note = (
                f"<div style='font-size:12px; color:#444'>best alpha: of {len(BEST_LRS)} values from {lo} to {hi}, "
                f"by the loss after {self.settings.n_steps} steps, the {_escape(self.best_rule)}"
            )
            if self._best_missing:
                note += f"; none qualified for {_escape(', '.join(self._best_missing))} (kept its alpha)"
            note += ".</div>"
        return f"<div style='font-size:14px; line-height:1.6'>{' '.join(items)}</div>{note}"

    def _recipe_text(self) -> str:
        if not self.settings.any_enabled():
            return "(every optimizer is off: no race to record)"
        return json.dumps(self.settings.scene().to_recipe(), indent=1)

    def _recompute_all(self, keys: list[str] | None = None) -> None:
        s = self.settings
        keys = keys if keys is not None else [k for k in FAMILIES if s.enabled[k] or k not in self.results]
        if not keys:
            return  # every optimizer is off: nothing to race
        surface = self._surface()
        if s.mode == "best":
            self._best_missing = []
            for key in keys:
                finals = sweep(
                    surface,
                    _factory_of(s, key),
                    grid={"lr": BEST_LRS},
                    start=s.start,
                    n_steps=s.n_steps,
                    metric="final",
                )
                best = best_cell(finals)
                self.best_rule = best.rule
                if best.index is None:
                    s.best_lr.pop(key, None)
                    if s.enabled[key]:
                        self._best_missing.append(FAMILIES[key][0])
                else:
                    s.best_lr[key] = float(BEST_LRS[best.index[0]])
        runs = race(surface, {FAMILIES[k][0]: s.spec(k).build() for k in keys}, start=s.start, n_steps=s.n_steps)
        self.results.update({key: runs[FAMILIES[key][0]] for key in keys})
        self.updates += 1

    def update(self, *, rescale: bool = False) -> None:
        """Recompute the race from the current settings and redraw (artists only)."""
        self._recompute_all()
        steps = self.settings.n_steps
        self._sync_visibility()
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
            self.recipe.value = self._recipe_text()
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
        start_gap = max(self._start_gap(), 1e-6)
        n = self.settings.n_steps
        if self.figure.ax_loss is not None:
            set_step_limits(self.figure.ax_loss, n)
            self.figure.ax_loss.set_ylim(1e-14, start_gap * 1e3)
        if self.figure.ax_steps is not None:
            (x0, x1), (y0, y1) = self._surface().bounds
            set_step_limits(self.figure.ax_steps, n)
            self.figure.ax_steps.set_ylim(1e-8, max(x1 - x0, y1 - y0))

    def _start_gap(self) -> float:
        """The loss at the start above the surface's minimum (the scale of every loss gap)."""
        starts = [float(t.values[0, 0]) for t in self.results.values() if np.isfinite(t.values[0, 0])]
        gap = max(starts, default=1.0) - self.figure.floor
        return gap if math.isfinite(gap) and gap > 0 else 1.0

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
        if not s.any_enabled():
            self._say("Every optimizer is off: turn one on with the buttons above the figure to race again.")
            return
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
                gap, scale = best - self.figure.floor, self._start_gap()
                where = (
                    f"at the minimum (f - f* {resolution_text(scale)})"
                    if below_resolution(gap, scale)
                    else f"f - f* = {format_gap(gap, scale)}"
                )
                messages.append(f"Nobody diverged. Lowest loss after {s.n_steps} steps: {label}, {where}.")
        if self._load_note:
            messages.insert(0, self._load_note)
        self._say(" ".join(messages), error=any(" diverged at step " in m for m in messages))

    def reports(self, step: int | None = None) -> dict[str, StepReport]:
        """What each optimizer that is on did at ``step`` (the step shown by default),
        row by row with formulas: what the readout shows."""
        step = self.figure.current if step is None else int(step)
        out = {}
        for key in FAMILIES:
            traj = self.results.get(key)
            if traj is not None and self.settings.enabled[key]:
                out[key] = step_report(self.settings.spec(key), traj, min(step, traj.n_steps))
        return out

    def _readout_html(self, step: int) -> str:
        tables = []
        for key, report in self.reports(step).items():
            color = STYLES[key].color
            head = f"<b style='color:{color}'>{_escape(report.label)}</b>"
            if report.step:
                head += f", step {report.step}"
            constants = f"<span class='rv-constants'>{_escape(report.constants_text())}</span>"
            note = f"<br><i class='rv-note'>{_escape(report.note)}</i>" if report.note else ""
            rows = "".join(
                f"<tr data-row='{_escape(row.name)}'><td style='padding-right:6px'>{_symbol(row.name)}</td>"
                f"<td style='padding-right:10px; color:#444'>= {_symbol(row.formula)}</td>"
                f"<td class='rv-x' style='text-align:right; padding-right:10px'>{x}</td>"
                f"<td class='rv-y' style='text-align:right'>{y}</td></tr>"
                for row in report.rows
                for x, y in [tuple(_escape(t) for t in row.texts())]
            )
            header = "<tr><th></th><th style='text-align:left'>formula</th><th>x</th><th>y</th></tr>" if rows else ""
            tables.append(
                f"<table class='rv-readout' data-kind='{key}' style='font-size:13px; border-collapse:collapse'>"
                f"<caption style='text-align:left; caption-side:top'>{head} ({constants}){note}</caption>"
                f"{header}{rows}</table>"
            )
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

    # ----------------------------------------------------------------- export

    def _export_clicked(self) -> None:
        try:
            self.export(self.export_name.value)
        except Exception as error:
            if not isinstance(error, (ValueError, OSError)):
                log.exception("explorer: export failed")
            self.download.value = ""
            self._say(f"Could not export {self.export_name.value!r}: {_one_line(error)}", error=True)

    def export(self, path: str, *, fps: float = 30.0, frames: int = 150, overwrite: bool = True) -> pathlib.Path:
        """Write the current race as an animation (by suffix: .gif .mp4 .html .png) and its
        recipe beside it; progress shows under the button, and a link offers both files
        to the browser (the way to get them from a server, e.g. under Voila).

        Raises ValueError (an ``ExportError``) with a one-line reason when the export
        cannot be done: every optimizer off, an unknown suffix, a missing folder, ...
        """
        from rmsprop_viz.export import save

        scene = self.settings.scene()
        results = scene.run()
        figure = RaceFigure(scene.build_surface(), results, labels=scene.legend_labels())
        self.export_log.clear_output()
        self.download.value = ""
        with self.export_log:
            written = save(
                figure, path, fps=fps, frames=frames, progress=True, overwrite=overwrite, recipe=scene.to_recipe()
            )
        recipe = written.with_suffix(".json")
        self.download.value = " ".join(_download_link(p) for p in (written, recipe) if p.exists())
        self._say(f"Exported {written} (and its recipe {recipe.name}).")
        return written


#: Files larger than this are not offered as a download link (the link holds the whole file).
MAX_DOWNLOAD_BYTES = 30 * 2**20

_MIME = {
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".html": "text/html",
    ".png": "image/png",
    ".json": "application/json",
}


def _download_link(path: pathlib.Path) -> str:
    """An HTML link that hands ``path`` to the browser as a download (a ``data:`` URL with
    the ``download`` attribute): works in JupyterLab, Notebook 7 and Voila, where the
    kernel's files are not reachable from the browser."""
    size = path.stat().st_size
    if size > MAX_DOWNLOAD_BYTES:
        return (
            f"<span>{_escape(path.name)} is {size / 2**20:.0f} MB, too large to offer here; "
            f"it is on the server at {_escape(str(path))}</span>"
        )
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
    name = _escape(path.name).replace("'", "&#39;")
    return (
        f"<a download='{name}' href='data:{mime};base64,{data}' "
        f"style='margin-right:16px; font-weight:bold'>&#11015; download {name}</a>"
    )


def _hold(control: W.Widget, value: float) -> None:
    """Set a slider to ``value``, first widening its range to hold it (a slider would
    otherwise clamp the value silently, and the next change would run with the clamped one).

    A log slider's ``min`` and ``max`` are exponents of 10.
    """
    value = float(value)
    if isinstance(control, W.FloatLogSlider):
        if value > 0 and math.isfinite(value):
            exponent = math.log10(value)
            control.max = max(float(control.max), float(math.ceil(exponent)))
            control.min = min(float(control.min), float(math.floor(exponent)))
    elif isinstance(control, W.IntSlider) and math.isfinite(value):
        control.max = max(control.max, math.ceil(value))
        control.min = min(control.min, math.floor(value))
    elif isinstance(control, W.FloatSlider) and math.isfinite(value):
        if not control.min <= value <= control.max:
            control.readout_format = ".6g"  # e.g. beta 0.9999 would read 1.000 at ".3f"
        control.max = max(control.max, value)
        control.min = min(control.min, value)
    control.value = int(value) if isinstance(control, W.IntSlider) else value


def _check_drawable(surface: surfaces.Surface) -> None:
    """Raise ValueError when ``surface`` gives no finite value to draw in its window."""
    (x0, x1), (y0, y1) = surface.bounds
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)) or not (x0 < x1 and y0 < y1):
        raise ValueError(f"its window {surface.bounds} is not a finite box")
    z = surface_grid(surface, 40)[2]
    if not np.isfinite(z).any():
        raise ValueError("its values are not finite anywhere in the window")


def _factory_of(settings: Settings, key: str) -> Callable[..., Any]:
    """``lr -> optimizer`` for ``key`` at the other current hyperparameters (for sweeps)."""
    spec = settings.spec(key)
    fixed = {k: v for k, v in spec.params.items() if k != "lr"}
    return functools.partial(optimizers.get(spec.factory), **fixed)


def _why(settings: Settings, key: str, surface: surfaces.Surface, traj: Trajectory) -> str:
    """A sentence on why the run ``traj`` of optimizer ``key`` diverged (numbers from the core)."""
    lr = format_setting(settings.alpha(key))
    if key in ("sgd", "momentum"):
        mu = settings.momentum if key == "momentum" else 0.0
        curvature = surfaces.max_curvature(surface, settings.start)
        limit = surfaces.gd_lr_limit(curvature, mu)
        if settings.alpha(key) > limit:
            bound = "2(1 + momentum)/L" if mu else "2/L"
            return (
                f"its alpha {lr} is above {bound} = {format_number(limit)} for this surface "
                f"(L = {format_number(curvature)}, the steepest curvature at the start)."
            )
        return f"its alpha {lr} is too large for the curvature it met on the way."
    first = format_number(float(np.nanmax(np.abs(traj.updates[0, 0]))))
    if key == "rmsprop":
        return (
            f"its first step was {first} in each coordinate (alpha/sqrt(1 - beta), whatever the gradient), "
            "too long for this surface."
        )
    return f"its steps of about alpha = {lr} per coordinate (the first was {first}) are too long here."


def _one_line(error: BaseException) -> str:
    """An exception's message as one line (its first), without a traceback."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _symbol(text: str) -> str:
    """A row name or formula as HTML: ``v_prev`` -> v with a subscript "prev"."""
    html = _escape(text)
    for sub in ("_max_prev", "_prev", "_max"):
        html = html.replace(sub, f"<sub>{','.join(sub.split('_')[1:])}</sub>")
    return html


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
        Initial settings: ``alpha``, ``beta``, ``epsilon``, ``eps_in_sqrt``, ``momentum``
        (of Momentum), ``rmsprop_momentum`` (of RMSProp, 0 for none), ``beta1``,
        ``beta2``, ``nesterov``, ``centered``, ``amsgrad``, ``mode`` ("each", "shared",
        "best"), ``n_steps``, ``start``, ``optimizers`` (a list of "sgd", "momentum",
        "adagrad", "rmsprop", "adam").

    Returns
    -------
    Explorer
        An ipywidgets box; display it (or make it the cell's last expression).
    """
    return Explorer(scene, backend=backend, **values)
