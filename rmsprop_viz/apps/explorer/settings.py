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
from rmsprop_viz.engine.explain import best_lr_rule
from rmsprop_viz.engine.formatting import format_setting
from rmsprop_viz.engine.robustness import COMPARISON_MODES
from rmsprop_viz.engine.sweeps import best_lr
from rmsprop_viz.scenes import MAX_SCENE_STEPS, Scene, default_spec, read_recipe, surface_to_spec
from rmsprop_viz.scenes import get as get_scene

__all__ = [
    "KEYS",
    "MAX_VARIANTS",
    "MODES",
    "PARAMETERS",
    "VARIANT_PARAMS",
    "Parameter",
    "Settings",
    "Variant",
    "all_params",
    "apply_initial",
    "best_alphas",
    "contrasting",
    "decay_field",
    "default_lrs",
    "describe_own",
    "figure_name",
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
#: The most variants (second runs of a kind) the explorer races beside its five optimizers.
MAX_VARIANTS = 6
#: The factory parameters a variant of each kind may set for itself, in the order its
#: editor shows them (the learning rate is set by the alpha slider, as for every run).
VARIANT_PARAMS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum", "nesterov"),
    "adagrad": ("eps", "eps_in_sqrt"),
    "rmsprop": ("beta", "eps", "eps_in_sqrt", "centered", "momentum"),
    "adam": ("beta1", "beta2", "eps", "bias_correction", "amsgrad"),
}


@dataclass(frozen=True)
class Variant:
    """A second run of one kind, racing beside the kind's own run: the parameters in
    ``own`` are its own (e.g. ``{"beta": 0.99}``); every other setting follows the shared
    controls, as the kind's own run does.

    >>> Variant("rmsprop:2", "rmsprop", {"beta": 0.99}).describe()
    'β 0.99'
    """

    key: str  # the lane's key, e.g. "rmsprop:2"
    kind: str  # one of KEYS
    own: Mapping[str, Any]  # factory parameter -> value

    def describe(self) -> str:
        """Its own parameters, short, for legends and toggles."""
        return describe_own(self.own)


_SHORT = {"beta": "β", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "momentum": "μ", "lr": "α"}


def describe_own(own: Mapping[str, Any]) -> str:
    """Parameters as a short text: numbers by their symbols, switches by what they do.

    >>> describe_own({"beta": 0.99, "eps_in_sqrt": False, "bias_correction": False})
    'β 0.99, ε outside √, no bias correction'
    """
    words = []
    for name, value in own.items():
        if name == "eps_in_sqrt":
            words.append("ε inside √" if value else "ε outside √")
        elif name == "bias_correction":
            words.append("bias correction" if value else "no bias correction")
        elif isinstance(value, bool):
            words.append(name if value else f"no {name}")
        else:
            words.append(f"{_SHORT.get(name, name)} {format_setting(value)}")
    return ", ".join(words)


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
    #: Second runs of a kind (beta 0.9 beside 0.99, epsilon inside beside outside the
    #: root, ...), raced after the five optimizers; see :meth:`add_variant`.
    variants: list[Variant] = field(default_factory=list)

    def lanes(self) -> tuple[str, ...]:
        """Every run the explorer can race, in race order: the five optimizers, then the
        variants (keys like ``"rmsprop:2"``)."""
        return (*KEYS, *(v.key for v in self.variants))

    def variant(self, key: str) -> Variant | None:
        """The variant of the lane ``key`` (None for one of the five optimizers)."""
        return next((v for v in self.variants if v.key == key), None)

    def kind(self, key: str) -> str:
        """The kind of optimizer (one of KEYS) that the lane ``key`` runs."""
        found = self.variant(key)
        return found.kind if found is not None else key

    def add_variant(self, kind: str, own: Mapping[str, Any], *, lr: float | None = None) -> str:
        """Race a second run of ``kind`` with the parameters ``own`` of its own; returns
        its lane's key. Raises ValueError for an unknown kind, a parameter the kind's
        variants cannot set (:data:`VARIANT_PARAMS`), or more than :data:`MAX_VARIANTS`."""
        if kind not in KEYS:
            raise ValueError(f"kind must be one of {', '.join(KEYS)}, got {kind!r}")
        if len(self.variants) >= MAX_VARIANTS:
            raise ValueError(f"at most MAX_VARIANTS = {MAX_VARIANTS} variants race at once; remove one first")
        allowed = VARIANT_PARAMS[kind]
        unknown = [name for name in own if name not in allowed]
        if unknown:
            can = ", ".join(allowed) or "nothing but its learning rate"
            raise ValueError(f"a variant of {KINDS[kind].label} can set {can}; got {', '.join(unknown)}")
        number = 2
        while f"{kind}:{number}" in self.lanes():
            number += 1
        key = f"{kind}:{number}"
        self.variants.append(Variant(key, kind, dict(own)))
        self.enabled[key] = True
        self.lr[key] = self.lr[kind] if lr is None else float(lr)
        return key

    def set_own(self, key: str, name: str, value: Any) -> None:
        """Set the variant ``key``'s own parameter ``name``."""
        found = self.variant(key)
        if found is None:
            raise ValueError(f"{key!r} is not a variant; its parameters follow the shared controls")
        if name not in VARIANT_PARAMS[found.kind]:
            raise ValueError(f"a variant of {KINDS[found.kind].label} can set {', '.join(VARIANT_PARAMS[found.kind])}")
        index = self.variants.index(found)
        self.variants[index] = Variant(found.key, found.kind, {**found.own, name: value})

    def remove_variant(self, key: str) -> None:
        """Stop racing the variant ``key``."""
        self.variants = [v for v in self.variants if v.key != key]
        for table in (self.enabled, self.lr, self.best_lr):
            table.pop(key, None)

    def label(self, key: str) -> str:
        """The lane's name in legends and toggles: the kind's label, and, where a kind
        races more than once, what tells its runs apart.

        >>> s = Settings({"name": "quadratic"}, (1.0, 1.0), 10, {k: True for k in KEYS}, {k: 0.01 for k in KEYS})
        >>> s.label(s.add_variant("rmsprop", {"beta": 0.99})), s.label("rmsprop")
        ('RMSProp (β 0.99)', 'RMSProp (β 0.9)')
        """
        kind = self.kind(key)
        names = {name for v in self.variants if v.kind == kind for name in v.own}
        if not names:
            return KINDS[kind].label
        found = self.variant(key)
        if found is not None:
            own = found.own
        else:
            params = all_params(OptimizerSpec(KINDS[kind].factory, self.params(key)))
            own = {name: params.get(name) for name in sorted(names, key=list(VARIANT_PARAMS[kind]).index)}
        text = describe_own(own)
        return f"{KINDS[kind].label} ({text})" if text else KINDS[kind].label

    def alpha(self, key: str) -> float:
        """The learning rate ``key`` runs with in the current mode."""
        if self.mode == "shared":
            return self.shared_lr
        if self.mode == "best" and key in self.best_lr:
            return self.best_lr[key]
        return self.lr.get(key, self.lr[self.kind(key)])

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
        """The optimizer of the lane ``key`` as data, at ``lr`` (default: :meth:`alpha`):
        a variant runs its kind's settings with its own parameters put in."""
        return OptimizerSpec(KINDS[self.kind(key)].factory, self.params(key, lr), label=self.label(key))

    def params(self, key: str, lr: float | None = None) -> dict[str, Any]:
        """The factory parameters the lane ``key`` runs with (see :meth:`spec`)."""
        found = self.variant(key)
        base = found.kind if found is not None else key
        kind = KINDS[base]
        params: dict[str, Any] = {"lr": self.alpha(key) if lr is None else lr, **kind.fixed}
        for p in PARAMETERS:
            if p.kind == base:
                value = self.value(base, p.field)
                if p.always or value:
                    params[p.name] = value
        if found is not None:
            params.update(found.own)
        if params.get("nesterov") and not params.get("momentum"):
            del params["nesterov"]  # Nesterov needs some momentum
        return params

    def any_enabled(self) -> bool:
        """True when at least one optimizer is on."""
        return any(self.enabled.values())

    def scene(self) -> Scene:
        """The current state as a scene (enabled optimizers only), for recipes and exports.

        Raises ValueError when every optimizer is off (a scene races at least one).
        """
        if not self.any_enabled():
            raise ValueError("every optimizer is off: turn one on to race, record or export")
        specs = tuple(self.spec(k) for k in self.lanes() if self.enabled.get(k))
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
    the explorer cannot show as it is (a hyperparameter without a control, an optimizer
    it does not race), naming what runs instead. A second run of one kind races as a
    variant (:meth:`Settings.add_variant`) with the parameters that set it apart.

    >>> settings, notes = settings_from_scene(get_scene("first-step"))
    >>> settings.beta, [k for k in settings.lanes() if settings.enabled[k]], notes
    (0.99, ['rmsprop', 'adam', 'rmsprop:2'], [])
    >>> settings.spec("rmsprop:2").label
    'RMSProp (β 0.9)'
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
            others.setdefault(key, []).append(spec)  # raced as a variant of the first
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
    lanes = dict(shown)
    for key, extra in others.items():
        base = all_params(settings.spec(key))
        for spec in extra:
            if len(settings.variants) >= MAX_VARIANTS:
                notes.append(f"{spec.label or KINDS[key].label} is left out: at most {MAX_VARIANTS} variants race.")
                continue
            ran = all_params(spec)
            own = {p: ran[p] for p in VARIANT_PARAMS[key] if p in ran and not _same(ran[p], base.get(p))}
            lanes[settings.add_variant(key, own, lr=float(spec.params.get("lr", lrs[key])))] = spec
    for key, spec in lanes.items():
        name = spec.label or KINDS[settings.kind(key)].label
        ran, runs = all_params(spec), all_params(settings.spec(key))
        for param, value in ran.items():
            if not _same(value, runs.get(param)):
                notes.append(
                    f"{name}'s {param} {format_setting(value)} has no place in the explorer: "
                    f"it runs with {param} {format_setting(runs.get(param))}."
                )
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


#: The Settings field that each kind's swept decay sets (for a click on the sensitivity map).
_DECAY_FIELDS = {("rmsprop", "beta"): "beta", ("adam", "beta1"): "beta1", ("adam", "beta2"): "beta2"}


def decay_field(kind: str, decay: str) -> str:
    """The :class:`Settings` field that sets the factory parameter ``decay`` of ``kind``.

    >>> decay_field("rmsprop", "beta"), decay_field("momentum", "momentum"), decay_field("adam", "beta2")
    ('beta', 'momentum', 'beta2')
    """
    if kind == "momentum" and decay == "momentum":
        return "momentum"
    try:
        return _DECAY_FIELDS[(kind, decay)]
    except KeyError:
        raise ValueError(f"{decay!r} is not a decay the explorer sets for {kind!r}") from None


def contrasting(settings: Settings, kind: str) -> dict[str, Any]:
    """What a new variant of ``kind`` sets for itself, to race against the kind's own run:
    the other beta of 0.9 and 0.99 (RMSProp), no bias correction (Adam), epsilon on the
    other side of the root (Adagrad), half the momentum (Momentum); nothing for SGD.

    >>> s = settings_from_scene(get_scene("rosenbrock"))[0]
    >>> contrasting(s, "rmsprop"), contrasting(s, "adam"), contrasting(s, "sgd")
    ({'beta': 0.99}, {'bias_correction': False}, {})
    """
    params = all_params(settings.spec(kind))
    if kind == "rmsprop":
        return {"beta": 0.9 if params["beta"] == 0.99 else 0.99}
    if kind == "adam":
        return {"bias_correction": not params.get("bias_correction", True)}
    if kind == "adagrad":
        return {"eps_in_sqrt": not params.get("eps_in_sqrt", False)}
    if kind == "momentum":
        return {"momentum": round(float(params["momentum"]) / 2, 3)}
    return {}


def figure_name(settings: Settings, key: str) -> str:
    """The lane's entry in the figure's legend: the kind's label, and where a kind races
    more than once, what tells its runs apart (:meth:`Settings.label`; the other settings
    change with every slider move and are in the HTML legend above the figure).

    >>> s = settings_from_scene(get_scene("first-step"))[0]
    >>> figure_name(s, "rmsprop"), figure_name(s, "rmsprop:2"), figure_name(s, "adam")
    ('RMSProp (β 0.99)', 'RMSProp (β 0.9)', 'Adam')
    """
    return settings.label(key)


def best_alphas(settings: Settings, surface: Surface, keys: list[str]) -> tuple[str, list[str]]:
    """Set each lane's best learning rate (the engine's :func:`~rmsprop_viz.engine.sweeps.best_lr`,
    at its other settings) in ``settings.best_lr``; return the rule that chose them, as a
    sentence, and the names of the runs that are on for which no learning rate qualified
    (they keep theirs)."""
    rule, missing = "", []
    for key in keys:
        params = {k: v for k, v in settings.spec(key).params.items() if k != "lr"}
        found = best_lr(surface, settings.kind(key), start=settings.start, n_steps=settings.n_steps, params=params)
        rule = best_lr_rule(found)
        if found.lr is None:
            settings.best_lr.pop(key, None)
            if settings.enabled.get(key):
                missing.append(settings.label(key))
        else:
            settings.best_lr[key] = found.lr
    return rule, missing
