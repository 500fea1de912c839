"""The explorer's controls, built from tables of :class:`ControlSpec` rows.

One row says what a control is called, what kind of control it is (a log slider, a
slider, an integer slider, a check box or a row of buttons), its range, step and
default, and which :class:`~rmsprop_viz.apps.explorer.settings.Settings` field it sets.
:func:`make` turns a row into a widget, :func:`hold` sets a widget to a value (widening
its range where the value lies outside), and :func:`read` reads a widget's value as the
setting it stands for. The hyperparameter controls (:data:`HYPERPARAMETERS`) and the
surface parameter controls (:data:`SURFACE_CONTROLS`) are built by the same mechanism.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as W

from rmsprop_viz.apps.explorer.settings import KEYS, MODES, Settings
from rmsprop_viz.core.colors import readable_on
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.core.surfaces import names as surface_names
from rmsprop_viz.scenes import names as scene_names

__all__ = [
    "ALPHA",
    "EPS_PLACE",
    "HYPERPARAMETERS",
    "MODE",
    "STEPS",
    "SURFACE_CONTROLS",
    "ControlSpec",
    "build",
    "hold",
    "in_range",
    "make",
    "make_all",
    "play_step",
    "read",
    "toggle_button",
    "within_step",
]

_STYLE = {"description_width": "initial"}


@dataclass(frozen=True)
class ControlSpec:
    """One control, as data.

    ``kind`` is ``"log"`` (a slider over ``10**low`` .. ``10**high``), ``"float"``,
    ``"int"``, ``"toggle"`` (a check box) or ``"choice"`` (a row of buttons over
    ``options``, ``(text, value)`` pairs, each ``width`` wide). ``field`` is the Settings
    field the control sets (``""``: none of its own, e.g. alpha, which sets the learning
    rate of the optimizer chosen beside it, and surface parameters); ``default`` is the
    control's value where it has no field.
    """

    name: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float | None = None
    default: Any = None
    field: str = ""
    label: str = ""
    readout: str = ""
    tooltip: str = ""
    width: str = ""
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def description(self) -> str:
        """The text beside the control."""
        return self.label or self.name


#: The learning rate of the optimizer chosen beside it (or of all, in "one alpha for all").
ALPHA = ControlSpec("alpha", "log", -5, 1, 0.05, readout=".2e", width="380px")
#: Where epsilon goes: inside or outside the square root.
EPS_PLACE = ControlSpec(
    "eps_place",
    "choice",
    field="eps_in_sqrt",
    label="eps",
    tooltip="inside or outside the square root",
    options=(("√(v + ε)", True), ("√v + ε", False)),
    width="80px",
)
#: How each optimizer's learning rate is chosen.
MODE = ControlSpec(
    "mode", "choice", field="mode", label="compare", options=tuple((v, k) for k, v in MODES.items()), width="150px"
)

_rmsprop = KINDS["rmsprop"].label
_betas = " and ".join(f"{KINDS[k].label}'s {KINDS[k].beta}" for k in KEYS if KINDS[k].beta)
_epsilons = ", ".join(KINDS[k].label for k in KEYS if KINDS[k].eps)
#: The hyperparameter controls: each sets the Settings field of its name.
HYPERPARAMETERS: tuple[ControlSpec, ...] = (
    ControlSpec(
        "beta",
        "float",
        0.0,
        0.999,
        0.001,
        field="beta",
        readout=".3f",
        width="380px",
        tooltip=f"{_betas}: v = β·v_prev + (1 − β)·g² (PyTorch's alpha, Keras's rho, optax's decay)",
    ),
    ControlSpec(
        "epsilon",
        "log",
        -12,
        0,
        0.25,
        field="eps",
        readout=".0e",
        width="380px",
        tooltip=f"ε of {_epsilons}: keeps the denominator of each step away from 0 (inside or outside the root)",
    ),
    EPS_PLACE,
    ControlSpec("momentum", "float", 0.0, 0.99, 0.01, field="momentum"),
    ControlSpec("beta1", "float", 0.0, 0.99, 0.01, field="beta1"),
    ControlSpec("beta2", "float", 0.5, 0.9999, 0.0001, field="beta2", readout=".4f"),
    ControlSpec(
        "rmsprop_momentum",
        "float",
        0.0,
        0.99,
        0.01,
        field="rmsprop_momentum",
        label=f"momentum ({_rmsprop})",
        tooltip="b = μ·b_prev + g/den; θ -= α·b (0: no momentum)",
    ),
    ControlSpec("nesterov", "toggle", field="nesterov", label=f"Nesterov ({KINDS['momentum'].label})"),
    ControlSpec("centered", "toggle", field="centered", label=f"centered ({_rmsprop})"),
    ControlSpec("amsgrad", "toggle", field="amsgrad", label=f"AMSGrad ({KINDS['adam'].label})"),
)
#: The number of steps of the race.
STEPS = ControlSpec("steps", "int", 10, 2000, 10, field="n_steps")

#: Surface parameters that get a control: surface name -> its controls.
SURFACE_CONTROLS: dict[str, tuple[ControlSpec, ...]] = {
    "rosenbrock": (ControlSpec("b", "log", 0, 3, default=100.0),),
    "quadratic": (
        ControlSpec("condition", "log", 0, 3, default=10.0),
        ControlSpec("angle", "float", 0.0, 90.0, 1.0, default=0.0),
    ),
    "noisy": (
        ControlSpec("sigma", "float", 0.0, 5.0, 0.1, default=1.0),
        ControlSpec("seed", "int", 0, 99, default=0),
    ),
    "minibatch": (
        ControlSpec("batch_size", "int", 1, 64, default=8),
        ControlSpec("seed", "int", 0, 99, default=0),
    ),
    "shifting": (
        ControlSpec("at_step", "int", 0, 1000, default=100),
        ControlSpec("scale", "log", -1, 2, default=10.0),
    ),
}

_MAKERS: dict[str, Callable[..., W.Widget]] = {
    "log": W.FloatLogSlider,
    "float": W.FloatSlider,
    "int": W.IntSlider,
}


def make(spec: ControlSpec, value: Any = None) -> W.Widget:
    """The widget ``spec`` describes, holding ``value`` (default: ``spec.default``).

    Sliders update their setting when let go (``continuous_update=False``): each change
    recomputes a race.

    >>> make(SURFACE_CONTROLS["quadratic"][0]).value, make(STEPS, 30).max
    (10.0, 2000)
    """
    value = spec.default if value is None else value
    common: dict[str, Any] = {"description": spec.description}
    if spec.tooltip:
        common["tooltip"] = spec.tooltip
    if spec.kind == "toggle":
        return W.Checkbox(value=bool(value), indent=False, **common)
    if spec.kind == "choice":
        return W.ToggleButtons(options=list(spec.options), value=value, style={"button_width": spec.width}, **common)
    if spec.width:
        common["layout"] = W.Layout(width=spec.width)
    if spec.kind not in _MAKERS:
        raise ValueError(f"kind must be one of log, float, int, toggle, choice; got {spec.kind!r}")
    slider: dict[str, Any] = {"min": spec.low, "max": spec.high, "continuous_update": False, "style": _STYLE}
    if spec.kind == "log":
        slider.update(base=10, step=0.05 if spec.step is None else spec.step)
    elif spec.step is not None:
        slider["step"] = spec.step
    if spec.readout:
        slider["readout_format"] = spec.readout
    control = _MAKERS[spec.kind](**slider, **common)
    hold(control, value)
    return control


def make_all(specs: tuple[ControlSpec, ...], settings: Any) -> dict[str, W.Widget]:
    """A widget for each row of ``specs``, holding its field of ``settings``."""
    return {spec.name: make(spec, getattr(settings, spec.field) if spec.field else None) for spec in specs}


def read(spec: ControlSpec, control: W.Widget) -> Any:
    """The value of ``control`` as the setting ``spec`` stands for (a float, int or bool).

    >>> read(STEPS, make(STEPS, 30))
    30
    """
    if spec.kind in ("toggle", "choice"):
        return bool(control.value) if spec.kind == "toggle" else control.value
    return int(control.value) if spec.kind == "int" else float(control.value)


def hold(control: W.Widget, value: Any) -> None:
    """Set a control to ``value``, first widening a slider's range to hold it (a slider
    would otherwise clamp the value silently, and the next change would run with the
    clamped one).

    A log slider's ``min`` and ``max`` are exponents of 10.

    >>> beta = make(HYPERPARAMETERS[0], 0.9)
    >>> hold(beta, 0.9999); beta.value, beta.max, beta.readout_format
    (0.9999, 0.9999, '.6g')
    """
    if isinstance(control, (W.Checkbox, W.ToggleButtons, W.ToggleButton)):
        control.value = value
        return
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


#: Backgrounds of a toggle button: white (the explorer's own style), and the greys that
#: JupyterLab and Voila give a button that is off and on.
TOGGLE_BACKGROUNDS = ("#FFFFFF", "#EEEEEE", "#E0E0E0", "#BDBDBD")


def within_step(control: W.Widget, setting: Any, value: Any) -> bool:
    """True when ``value`` differs from ``setting`` by less than half of the slider
    ``control``'s step (in exponents for a log slider): the slider's rounding of the
    setting, not a move. Other controls: only an equal value.

    >>> alpha = make(ALPHA, 0.05)
    >>> within_step(alpha, 0.05, 0.0501), within_step(alpha, 0.05, 0.0562)
    (True, False)
    """
    try:
        old, new = float(setting), float(value)
    except (TypeError, ValueError):
        return False
    if isinstance(control, W.FloatLogSlider):
        if old <= 0 or new <= 0 or not (math.isfinite(old) and math.isfinite(new)):
            return False
        return abs(math.log10(new) - math.log10(old)) < 0.5 * float(control.step) - 1e-12
    if isinstance(control, (W.FloatSlider, W.IntSlider)):
        return abs(new - old) < 0.5 * float(control.step) - 1e-12
    return old == new


def in_range(control: W.Widget, value: Any) -> bool:
    """True when ``value`` is a finite number that the slider ``control`` can hold (a log
    slider's ``min`` and ``max`` are exponents of 10).

    >>> in_range(make(ALPHA, 0.05), 0.02), in_range(make(ALPHA, 0.05), -1.0)
    (True, False)
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    if not math.isfinite(number):
        return False
    if isinstance(control, W.FloatLogSlider):
        return number > 0 and float(control.min) <= math.log10(number) <= float(control.max)
    return float(control.min) <= number <= float(control.max)


def toggle_button(label: str, color: str, on: bool, *, present: bool = False) -> W.ToggleButton:
    """The button that turns one run on and off: a border in the run's colour and its
    name in that hue, darkened until it reads at WCAG AA (4.5:1) on the button whether
    on or off (:func:`rmsprop_viz.core.colors.readable_on`); a check mark when on."""
    button = W.ToggleButton(
        value=on,
        description=label,
        tooltip=f"show or hide {label}",
        icon="check" if on else "",
        layout=W.Layout(width="auto", min_width="120px", border=f"{4 if present else 3}px solid {color}"),
        style={
            "font_weight": "bold",
            # a margin over AA's 4.5: a theme's greys differ by a few levels
            "text_color": readable_on(color, TOGGLE_BACKGROUNDS, ratio=4.8),
            "font_size": "18px" if present else "14px",
        },
    )
    button.add_class("rv-toggle")
    button.observe(lambda change: setattr(button, "icon", "check" if change["new"] else ""), names="value")
    return button


def play_step(n_steps: int) -> int:
    """Steps the player advances per frame: a race plays in about 100 frames.

    >>> play_step(1200), play_step(50)
    (12, 1)
    """
    return max(1, n_steps // 100)


def build(settings: Settings, *, present: bool = False) -> dict[str, W.Widget]:
    """Every control of the explorer, by name, each holding its setting of ``settings``:
    the tables' rows (``alpha``, ``mode``, ``steps`` and :data:`HYPERPARAMETERS`), the
    menus (``preset``: the scenes, ``surface``, ``alpha_of``), the surface parameters'
    controls (``surface_params``: surface name -> name -> control), the start fields, the
    player (``play``, ``frame``, ``speed``, ``ghost``; the live canvas has its own), the
    ``present_toggle``, the ``variants`` editor and the export's file name and button.
    The optimizers' toggles are made by :func:`toggle_button` once their colours are known.

    The sliders send their values while dragged (``continuous_update``): the widgets' front
    end keeps one change in flight and sends only the latest of those that arrive meanwhile.
    """
    from rmsprop_viz.apps.explorer.variants import VariantsEditor

    s, style = settings, {"description_width": "initial"}
    n, step = s.n_steps, play_step(s.n_steps)
    made: dict[str, Any] = {
        "preset": W.Dropdown(
            options=[("(pick a scene)", ""), *((name, name) for name in scene_names())],
            value="",
            description="scene",
            tooltip="load one of the classroom scenes, with its caption",
        ),
        "surface": W.Dropdown(options=surface_names(), value=s.surface["name"], description="surface"),
        "surface_params": {name: make_all(specs, None) for name, specs in SURFACE_CONTROLS.items()},
        "alpha": make(ALPHA, s.alpha("rmsprop")),
        "alpha_of": W.Dropdown(
            options=[(s.label(k), k) for k in s.lanes()],
            value="rmsprop",
            description="alpha of",
            layout=W.Layout(width="260px"),
        ),
        "mode": make(MODE, s.mode),
        **make_all(HYPERPARAMETERS, s),
        "steps": make(STEPS, s.n_steps),
        "start_x": W.FloatText(value=s.start[0], description="start x", layout=W.Layout(width="160px")),
        "start_y": W.FloatText(value=s.start[1], description="start y", layout=W.Layout(width="160px")),
        "play": W.Play(value=n, min=0, max=n, step=step, interval=100, description="play"),
        "frame": W.IntSlider(value=n, min=0, max=n, description="step", style=style, layout=W.Layout(width="420px")),
        "speed": W.IntSlider(value=step, min=1, max=50, description="steps/frame", style=style),
        "ghost": W.Checkbox(value=True, description="ghost of the previous run", indent=False),
        "present_toggle": W.ToggleButton(
            value=present, description="present", icon="desktop", tooltip="presentation mode: large, full width"
        ),
        "variants": VariantsEditor(),
        "export_name": W.Text(value="race.gif", description="file", layout=W.Layout(width="260px")),
        "export_button": W.Button(description="Export", icon="download", button_style="primary"),
    }
    W.jslink((made["play"], "value"), (made["frame"], "value"))
    for name, css in (
        ("alpha", "rv-alpha"),
        ("beta", "rv-beta"),
        ("epsilon", "rv-epsilon"),
        ("preset", "rv-scene"),
        ("present_toggle", "rv-present-toggle"),
    ):
        made[name].add_class(css)
    for name in ("alpha", *(spec.name for spec in HYPERPARAMETERS if spec.kind in _MAKERS)):
        made[name].continuous_update = True
    made["present_toggle"].style.font_size = "18px" if present else "14px"
    return made
