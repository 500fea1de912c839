"""What the explorer shows, as plain data: :class:`Settings`, and scenes to and from it.

No widgets here (importing this module loads no ipywidgets): the controls read and
write these fields, the widget turns them into races. Which factory parameter a setting
sets comes from the table of kinds, :data:`rmsprop_viz.core.kinds.KINDS`: the explorer's
"beta" is :attr:`Kind.beta <rmsprop_viz.core.kinds.Kind.beta>` (RMSProp's decay of its
average of squared gradients, the command line's ``--beta``) and its "epsilon" is
:attr:`Kind.eps <rmsprop_viz.core.kinds.Kind.eps>`; Adam's decays are ``beta1`` and
``beta2``.
"""

from __future__ import annotations

import inspect
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rmsprop_viz.core import optimizers
from rmsprop_viz.core.checks import check_flag, check_int, check_number, check_point
from rmsprop_viz.core.kinds import DEFAULT_RACE, KINDS, OptimizerSpec
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.formatting import format_setting
from rmsprop_viz.engine.robustness import COMPARISON_MODES
from rmsprop_viz.scenes import MAX_SCENE_STEPS, Scene, default_spec, read_recipe, surface_to_spec
from rmsprop_viz.scenes import get as get_scene

__all__ = [
    "KEYS",
    "MODES",
    "PARAMETERS",
    "Parameter",
    "Settings",
    "all_params",
    "apply_initial",
    "default_lrs",
    "one_of_several",
    "resolve_scene",
    "settings_from_scene",
]

#: The kinds the explorer races, one toggle each (Nesterov is Momentum's check box).
KEYS: tuple[str, ...] = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
#: A kind the explorer shows as another one (the Nesterov check box of Momentum).
SHOWN_AS = {"nesterov": "momentum"}
#: The ways of choosing each optimizer's learning rate (their home is the engine's
#: :data:`.robustness.COMPARISON_MODES`).
MODES = COMPARISON_MODES
#: The order in which a loaded scene's epsilon becomes the one the shared controls show.
_EPS_SHOWN = ("rmsprop", "adam", "adagrad")


class Parameter(NamedTuple):
    """One factory parameter of one kind that a setting sets.

    ``always``: passed (and so shown in legends and recipes) even at its default;
    otherwise only when it is on (true or non-zero).
    """

    kind: str  # a key of KINDS
    name: str  # the factory's parameter
    field: str  # the Settings field that holds its value
    always: bool = True


def _takes(kind: str, name: str) -> bool:
    return name in inspect.signature(optimizers.get(KINDS[kind].factory)).parameters


#: Every factory parameter the explorer's controls set, in the order legends list them.
PARAMETERS: tuple[Parameter, ...] = (
    *(Parameter(k, str(KINDS[k].beta), "beta") for k in KEYS if KINDS[k].beta),
    Parameter("momentum", "momentum", "momentum"),
    Parameter("adam", "beta1", "beta1"),
    Parameter("adam", "beta2", "beta2"),
    *(Parameter(k, str(KINDS[k].eps), "eps") for k in KEYS if KINDS[k].eps),
    *(Parameter(k, "eps_in_sqrt", "eps_in_sqrt") for k in KEYS if KINDS[k].eps and _takes(k, "eps_in_sqrt")),
    Parameter("momentum", "nesterov", "nesterov", always=False),
    Parameter("rmsprop", "centered", "centered", always=False),
    Parameter("rmsprop", "momentum", "rmsprop_momentum", always=False),
    Parameter("adam", "amsgrad", "amsgrad", always=False),
)

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
_FLAGS = ("eps_in_sqrt", "nesterov", "centered", "amsgrad")


@dataclass
class Settings:
    """Everything the explorer shows, as plain data (no widgets).

    Examples
    --------
    >>> s = Settings({"name": "quadratic"}, (1.0, 1.0), 50, {k: True for k in KEYS}, {k: 0.01 for k in KEYS})
    >>> s.spec("rmsprop").describe()
    'lr=0.01, beta=0.9, eps=1e-08, eps_in_sqrt=True'
    >>> s.mode = "shared"
    >>> s.spec("adam").describe()
    'lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08'
    """

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

    def value(self, key: str, name: str) -> Any:
        """The value of the setting ``name`` (a field) for the optimizer ``key``: its own
        epsilon (or place) where a loaded scene gave it one, else the shared one."""
        return self._own(name).get(key, getattr(self, name))

    def _own(self, name: str) -> dict[str, Any]:
        """The optimizers' own values of the field ``name`` (only epsilon and its place have them)."""
        own: dict[str, dict[str, Any]] = {"eps": self.eps_of, "eps_in_sqrt": self.eps_in_sqrt_of}
        return own.get(name, {})

    def share(self, name: str, value: Any) -> None:
        """Set the field ``name`` for every optimizer: a loaded scene's own epsilon (or
        place) of an optimizer gives way to the shared control's."""
        setattr(self, name, value)
        self._own(name).clear()

    def spec(self, key: str, lr: float | None = None) -> OptimizerSpec:
        """The optimizer ``key`` as data, at ``lr`` (default: :meth:`alpha`)."""
        kind = KINDS[key]
        params: dict[str, Any] = {"lr": self.alpha(key) if lr is None else lr, **kind.fixed}
        for p in PARAMETERS:
            if p.kind == key:
                value = self.value(key, p.field)
                if p.always or value:
                    params[p.name] = value
        if params.get("nesterov") and not params.get("momentum"):
            del params["nesterov"]  # Nesterov needs some momentum
        return OptimizerSpec(kind.factory, params, label=kind.label)

    def any_enabled(self) -> bool:
        """True when at least one optimizer is on."""
        return any(self.enabled.values())

    def scene(self) -> Scene:
        """The current state as a scene (enabled optimizers only), for recipes and exports.

        Raises ValueError when every optimizer is off (a scene races at least one).
        """
        if not self.any_enabled():
            raise ValueError("every optimizer is off: turn one on to race, record or export")
        specs = tuple(self.spec(k) for k in KEYS if self.enabled[k])
        return Scene(
            name="explorer",
            surface=dict(self.surface),
            optimizers=specs,
            n_steps=self.n_steps,
            start=self.start,
            caption="",
            title="",
        )


def apply_initial(settings: Settings, key: str, value: Any) -> None:
    """Take one of :func:`explore`'s initial settings into ``settings``, checked: a bad one
    is a one-line ValueError naming it and its valid range.

    >>> s = settings_from_scene(get_scene("rosenbrock"))[0]
    >>> apply_initial(s, "beta", 0.99); s.beta
    0.99
    >>> apply_initial(s, "beta", 1.0)
    Traceback (most recent call last):
    ...
    ValueError: beta must be a finite number in [0, 1), got 1.0
    """
    s = settings
    if key in ("alpha", "lr"):
        lr = float(check_number(key, value, low=0.0, low_open=True, allow_array=False))
        s.shared_lr = lr
        s.lr = {k: lr for k in s.lr}
    elif key in _INITIAL_RANGES:
        number = float(check_number(key, value, allow_array=False, **_INITIAL_RANGES[key]))
        s.share("eps" if key == "epsilon" else key, number)
    elif key in _FLAGS:
        s.share(key, check_flag(key, value))
    elif key == "n_steps":
        s.n_steps = check_int("n_steps", value, low=1, high=MAX_SCENE_STEPS)
    elif key == "mode":
        if not isinstance(value, str) or value not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {value!r}")
        s.mode = value
    elif key == "start":
        s.start = check_point("start", value)
    elif key == "optimizers":
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, (list, tuple)) or not all(isinstance(k, str) for k in chosen):
            raise ValueError(f"optimizers must be a list of names from {', '.join(KEYS)}, got {value!r}")
        unknown = [k for k in chosen if k not in KEYS]
        if unknown:
            raise ValueError(f"optimizers: unknown {', '.join(map(repr, unknown))}; known: {', '.join(KEYS)}")
        s.enabled = {k: k in chosen for k in KEYS}
    else:
        raise ValueError(
            f"explore() got an unknown setting {key!r}; known: alpha, beta, epsilon, eps_in_sqrt, "
            "momentum, rmsprop_momentum, beta1, beta2, nesterov, centered, amsgrad, mode, n_steps, start, "
            "optimizers"
        )


def settings_from_scene(scene: Scene) -> tuple[Settings, list[str]]:
    """The explorer's settings for ``scene``, and one sentence for each thing of the scene
    the explorer cannot show as it is (a second run of one optimizer, a hyperparameter
    without a control, two optimizers with different epsilons), naming what runs instead.

    >>> settings, notes = settings_from_scene(get_scene("first-step"))
    >>> settings.beta, [k for k in KEYS if settings.enabled[k]]
    (0.99, ['rmsprop', 'adam'])
    """
    surface = scene.build_surface()
    lrs = default_lrs(surface)
    start = scene.start if scene.start is not None else surface.default_start
    settings = Settings(
        surface=surface_to_spec(surface),
        start=(float(start[0]), float(start[1])),
        n_steps=scene.n_steps,
        enabled={k: False for k in KEYS},
        lr=lrs,
    )
    shown: dict[str, OptimizerSpec] = {}
    others: dict[str, list[OptimizerSpec]] = {}
    notes: list[str] = []
    fresh = Settings(settings.surface, settings.start, settings.n_steps, {}, {})
    own: dict[str, dict[str, Any]] = {"eps": settings.eps_of, "eps_in_sqrt": settings.eps_in_sqrt_of}
    for spec in scene.optimizers:
        kind = spec.kind
        key = SHOWN_AS.get(kind, kind)
        if key not in KEYS:
            notes.append(f"{spec.label or kind} is not one of the explorer's optimizers; it is left out.")
            continue
        if key in shown:
            others.setdefault(key, []).append(spec)  # the explorer shows one racer of each kind
            continue
        shown[key] = spec
        settings.enabled[key] = True
        settings.lr[key] = float(spec.params.get("lr", lrs[key]))
        ran = all_params(spec)
        for p in PARAMETERS:
            if p.kind != key:
                continue
            if p.field in own:  # each keeps its own until the shared control moves
                own[p.field][key] = type(getattr(fresh, p.field))(ran[p.name])
            else:
                setattr(
                    settings, p.field, type(getattr(fresh, p.field))(spec.params.get(p.name, getattr(fresh, p.field)))
                )
    if not settings.any_enabled():
        settings.enabled.update({k: True for k in DEFAULT_RACE})
    # the epsilon controls show RMSProp's (else the first optimizer's); the others keep their own
    for name, values in own.items():
        first = next((k for k in _EPS_SHOWN if k in values), None)
        if first is not None:
            setattr(settings, name, values[first])
        shared = getattr(settings, name)
        for k in [k for k, v in values.items() if v == shared]:
            del values[k]
    for key, spec in shown.items():
        name = KINDS[key].label
        ran, runs = all_params(spec), all_params(settings.spec(key))
        for param, value in ran.items():
            if not _same(value, runs.get(param)):
                notes.append(
                    f"{name}'s {param} {format_setting(value)} has no place in the explorer: "
                    f"it runs with {param} {format_setting(runs.get(param))}."
                )
    for key, extra in others.items():
        notes.append(one_of_several(KINDS[key].label, [shown[key], *extra]))
    return settings, notes


def default_lrs(surface: Surface) -> dict[str, float]:
    """Each optimizer's learning rate on ``surface`` before any is chosen: the scenes'
    readable defaults (:func:`rmsprop_viz.scenes.default_spec`).

    >>> default_lrs(get_scene("rosenbrock").build_surface())["adam"]
    0.03
    """
    return {key: float(default_spec(key, surface).params["lr"]) for key in KEYS}


def all_params(spec: OptimizerSpec) -> dict[str, Any]:
    """Every hyperparameter of ``spec``, its factory's defaults filled in.

    >>> sorted(all_params(OptimizerSpec("adagrad", {"lr": 0.1})).items())
    [('eps', 1e-10), ('eps_in_sqrt', False), ('initial_accumulator', 0.0), ('lr', 0.1)]
    """
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


def one_of_several(name: str, specs: list[OptimizerSpec]) -> str:
    """The sentence for a scene that races several runs of one optimizer: which one shows.

    >>> a, b = OptimizerSpec("rmsprop", {"beta": 0.99}), OptimizerSpec("rmsprop", {"beta": 0.9})
    >>> one_of_several("RMSProp", [a, b])
    'This scene races two RMSProp runs (beta 0.99 and beta 0.9); the explorer shows one: beta 0.99.'
    """
    params = [all_params(spec) for spec in specs]
    differ = [p for p in params[0] if any(not _same(params[0][p], q.get(p)) for q in params[1:])]

    def describe(p: dict[str, Any]) -> str:
        return ", ".join(f"{k} {format_setting(p[k])}" for k in differ) or "the same settings"

    runs = [describe(p) for p in params]
    listed = ", ".join(runs[:-1]) + f" and {runs[-1]}"
    count = _COUNTS.get(len(specs), str(len(specs)))
    return f"This scene races {count} {name} runs ({listed}); the explorer shows one: {runs[0]}."


def resolve_scene(scene: str | Scene | Mapping[str, Any] | None) -> Scene:
    """The scene that ``scene`` names: a preset name, a Scene, a recipe dict or a recipe
    file (``None``: the Rosenbrock race). A bad one is a ValueError naming it."""
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
