"""Scenes: a race described by data, ready to replay, share and animate.

An :class:`OptimizerSpec` is an optimizer described by data (factory name, label and
hyperparameters) rather than by closures, so it can be printed in a legend, written to
a JSON recipe and built again exactly. A surface is described the same way by a
*surface spec*, ``{"name": "quadratic", "params": {"condition": 10.0, ...}}``
(:func:`surface_to_spec`, :func:`surface_from_spec`).

A :class:`Scene` puts the two together with a start, a number of steps and a one-line
caption saying what to notice. :data:`SCENES` holds the classroom presets; each is tuned
so that its picture makes its point in its step count. A scene turns into a JSON
*recipe* and back without losing a bit (:meth:`Scene.to_recipe`,
:meth:`Scene.from_recipe`), so a figure's recipe rebuilds exactly the runs it shows.

This module needs numpy only.

>>> scene = get("ill-conditioned")
>>> scene.legend_labels()
['SGD (lr=0.075)', 'RMSProp (lr=0.05, beta=0.9)']
>>> import json
>>> Scene.from_recipe(json.loads(json.dumps(scene.to_recipe()))) == scene
True
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from rmsprop_viz.core import optimizers
from rmsprop_viz.core import surfaces as _surfaces
from rmsprop_viz.core.checks import check_int, check_point
from rmsprop_viz.core.optimizers import Optimizer
from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Noisy, Quadratic, Rosenbrock, Saddle, Shifting, Surface
from rmsprop_viz.engine.run import Trajectory, race

__all__ = [
    "DEFAULT_LR",
    "DEFAULT_STEPS",
    "DPI_RANGE",
    "FPS_RANGE",
    "KINDS",
    "MAX_CAPTION",
    "MAX_FRAMES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_ITEMS",
    "MAX_LABEL",
    "MAX_OPTIMIZERS",
    "MAX_RECIPE_BYTES",
    "MAX_STEPS",
    "MAX_SWEEP_CELLS",
    "MAX_SWEEP_RUN_STEPS",
    "RACE_ORDER",
    "RECIPE_FORMAT",
    "RECIPE_VERSION",
    "SCENES",
    "OptimizerSpec",
    "Scene",
    "default_scene",
    "default_spec",
    "default_specs",
    "get",
    "kind_of",
    "names",
    "read_recipe",
    "recipe_json",
    "surface_from_spec",
    "surface_to_spec",
]

#: The optimizers of a default race, with their display names.
RACE_ORDER: dict[str, str] = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSProp", "adam": "Adam"}

#: Every kind of optimizer a race can name, with its display name. ``momentum`` and
#: ``nesterov`` are SGD with (Nesterov) momentum 0.9.
KINDS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}

#: Learning rates that make a readable race on each surface from its default start: each
#: is below its optimizer's divergence threshold there and moves visibly in its default
#: steps (:data:`DEFAULT_STEPS`). On Rosenbrock, from (-1.5, 2.3), in 1200 steps: SGD at
#: 3/4 of the largest rate that stays finite (0.002 diverges) zig-zags down the wall and
#: crawls along the floor; Adagrad's steps shrink until it stalls on the floor whatever its
#: rate (its final loss varies by 10% over rates 0.03 to 3); RMSProp's steps stay near
#: lr, a visible jitter across the floor at 0.01 (which ends closest to the minimum of the
#: rates 0.003 to 0.03, below SGD); Adam at 0.03, the rate that gets within
#: 1e-6 of the minimum first (step 1005; 0.02 and 0.04 take 1036 and 1054), arrives.
DEFAULT_LR: dict[str, dict[str, float]] = {
    "rosenbrock": {"sgd": 0.0015, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.03},
    "quadratic": {"sgd": 0.15, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1},
    "beale": {"sgd": 0.01, "adagrad": 0.5, "rmsprop": 0.005, "adam": 0.05},
    "himmelblau": {"sgd": 0.01, "adagrad": 0.5, "rmsprop": 0.01, "adam": 0.1},
    "saddle": {"sgd": 0.05, "adagrad": 0.2, "rmsprop": 0.005, "adam": 0.02},
    "rastrigin": {"sgd": 0.002, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1},
    "noisy": {"sgd": 0.05, "adagrad": 0.3, "rmsprop": 0.01, "adam": 0.02},
    "minibatch": {"sgd": 0.01, "adagrad": 0.2, "rmsprop": 0.005, "adam": 0.01},
    "shifting": {"sgd": 0.15, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1},
}

#: Steps of a surface's default race (:func:`default_scene`); 500 where not listed. Rosenbrock's
#: valley takes the fastest optimizer about 1000 steps from its default start: the race
#: runs 1200, so that Adam is seen to arrive and stay.
DEFAULT_STEPS: dict[str, int] = {"rosenbrock": 1200}

#: Momentum 0.9 of the ``momentum`` and ``nesterov`` kinds; their learning rate is half
#: of SGD's, which keeps Nesterov's look-ahead stable on every surface's default race.
MOMENTUM = 0.9

RECIPE_FORMAT = "rmsprop_viz recipe"
RECIPE_VERSION = 1

# Limits on what a scene, a recipe or the command line may ask for. Each is checked before
# anything is computed or allocated, and named in the message when it is passed.
#: Steps of a race (a race of 100 000 steps takes about a second).
MAX_STEPS = 100_000
#: Racers in one scene.
MAX_OPTIMIZERS = 12
#: Frames per second of an animation, lowest and highest.
FPS_RANGE = (0.5, 120.0)
#: Frames of an animation (at 30 fps, almost three minutes).
MAX_FRAMES = 5_000
#: Dots per inch of a picture, lowest and highest: 300 makes the default 12.8 x 7.2 inch
#: race figure 3840 x 2160 pixels.
DPI_RANGE = (10.0, 300.0)
#: Cells of a sweep's grid (learning rates times decays): 200 x 200.
MAX_SWEEP_CELLS = 40_000
#: Cells times steps of one sweep (about ten seconds of compiled loops).
MAX_SWEEP_RUN_STEPS = 20_000_000
#: Samples read from a mini-batch surface's data in one race or sweep: batch_size x steps
#: x racers (x cells for a sweep); 10**9 takes over two minutes, this about half a minute.
MAX_BATCH_WORK = 200_000_000
#: Size of a recipe file.
MAX_RECIPE_BYTES = 1_000_000
#: Characters of a label, name or title.
MAX_LABEL = 200
#: Characters of a caption.
MAX_CAPTION = 2_000
#: Nesting of a recipe's JSON, and entries of one list or mapping in it.
MAX_JSON_DEPTH = 12
MAX_JSON_ITEMS = 1_000

# Hyperparameters a legend always shows; any other is shown only when it differs from
# the factory's default.
_ALWAYS_SHOWN = ("lr", "beta", "beta1", "beta2", "momentum")


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _no_negative_zero(value: Any) -> Any:
    """``-0.0`` as ``0.0`` (so no table, legend or recipe shows "-0"); other values as they are.

    >>> _no_negative_zero(-0.0), _no_negative_zero(-1.5), _no_negative_zero(True)
    (0.0, -1.5, True)
    """
    if isinstance(value, (float, np.floating)) and value == 0:
        return 0.0
    return value


def batch_size_of(surface: Surface) -> int:
    """Samples one gradient of ``surface`` reads: a mini-batch's ``batch_size`` (also
    inside a noisy or shifting surface), else 1.

    >>> batch_size_of(MiniBatchLeastSquares(batch_size=16)), batch_size_of(Quadratic())
    (16, 1)
    """
    seen: Any = surface
    for _ in range(MAX_JSON_DEPTH):
        if isinstance(seen, MiniBatchLeastSquares):
            return int(seen.batch_size)
        seen = getattr(seen, "base", None)
        if seen is None:
            break
    return 1


def check_batch_work(surface: Surface, n_steps: int, runs: int, what: str = "racers") -> None:
    """Refuse a race or sweep that would read more than :data:`MAX_BATCH_WORK` samples of
    a mini-batch surface's data: ``batch_size * n_steps * runs``.

    >>> check_batch_work(MiniBatchLeastSquares(n_samples=10**6, batch_size=10**6), 1000, 4)
    Traceback (most recent call last):
    ...
    ValueError: batch_size 1000000 x 1000 steps x 4 racers = 4000000000 samples read; the limit is ...
    """
    batch = batch_size_of(surface)
    work = batch * int(n_steps) * int(runs)
    if work > MAX_BATCH_WORK:
        raise ValueError(
            f"batch_size {batch} x {n_steps} steps x {runs} {what} = {work} samples read; the limit is "
            f"MAX_BATCH_WORK = {MAX_BATCH_WORK}: use a smaller batch_size or fewer steps"
        )


def _plain(name: str, value: Any) -> Any:
    """A hyperparameter as a JSON-ready Python scalar (bool, int, float or str)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        if abs(int(value)) > 2**53:
            raise ValueError(f"{name} must be a number of at most 2**53 in size, got {value!r}")
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str) and len(value) <= MAX_LABEL:
        return value
    raise ValueError(f"{name} must be a single number or True/False, got {_kind(value)}")


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as data: ``OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9})``.

    Examples
    --------
    >>> spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.99})
    >>> spec.label, spec.describe()
    ('RMSProp', 'lr=0.01, beta=0.99')
    >>> spec.build().update(1.0, spec.build().init(0.0))[0] < 0
    True
    """

    factory: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        optimizers.get(self.factory)  # raises a clear ValueError for unknown names
        # Settings are read here (from code, recipes and the command line): -0.0 becomes 0.0.
        object.__setattr__(self, "params", {k: _no_negative_zero(v) for k, v in dict(self.params).items()})
        if not self.label:
            object.__setattr__(self, "label", RACE_ORDER.get(self.factory, self.factory))

    def build(self) -> Optimizer:
        """The optimizer these hyperparameters describe."""
        try:
            return optimizers.get(self.factory)(**self.params)
        except TypeError as error:
            raise ValueError(f"{self.factory}: {error}") from None

    def describe(self) -> str:
        """The hyperparameters as ``name=value`` pairs, for legends and tables."""
        return ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())


def kind_of(spec: OptimizerSpec) -> str:
    """Which of :data:`KINDS` ``spec`` is: SGD with momentum is ``momentum`` or ``nesterov``.

    >>> kind_of(OptimizerSpec("sgd", {"lr": 0.01, "momentum": 0.9}))
    'momentum'
    """
    if spec.factory == "sgd":
        if spec.params.get("nesterov", False):
            return "nesterov"
        if spec.params.get("momentum", 0.0):
            return "momentum"
    return spec.factory


def _default_lrs(surface: Surface | str) -> dict[str, float]:
    name = surface if isinstance(surface, str) else surface.name
    lrs = dict(DEFAULT_LR.get(name, DEFAULT_LR["quadratic"]))
    base = getattr(surface, "base", surface)
    if isinstance(base, Quadratic):
        # A Shifting surface may steepen the bowl part-way through: use the steeper one.
        steepest = base.scale * base.condition * max(1.0, float(getattr(surface, "scale", 1.0)))
        lrs["sgd"] = float(f"{1.5 / steepest:.2g}")
    lrs["momentum"] = lrs["nesterov"] = float(f"{lrs['sgd'] / 2:.2g}")
    return lrs


def default_spec(kind: str, surface: Surface | str) -> OptimizerSpec:
    """The optimizer of kind ``kind`` (one of :data:`KINDS`) at a readable rate for ``surface``.

    >>> default_spec("nesterov", "rosenbrock")
    OptimizerSpec(factory='sgd', params={'lr': 0.00075, 'momentum': 0.9, 'nesterov': True}, label='Nesterov')
    """
    if kind not in KINDS:
        raise ValueError(f"optimizer must be one of {', '.join(KINDS)}; got {kind!r}")
    lr = _default_lrs(surface)[kind]
    extra: dict[str, dict[str, Any]] = {
        "sgd": {},
        "momentum": {"momentum": MOMENTUM},
        "nesterov": {"momentum": MOMENTUM, "nesterov": True},
        "adagrad": {},
        "rmsprop": {"beta": 0.9, "eps": 1e-8},
        "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    }
    factory = "sgd" if kind in ("momentum", "nesterov") else kind
    return OptimizerSpec(factory, {"lr": lr, **extra[kind]}, KINDS[kind])


def default_specs(surface: Surface | str, kinds: Sequence[str] | None = None) -> list[OptimizerSpec]:
    """The default race on a surface: SGD, Adagrad, RMSProp and Adam at readable rates.

    On a quadratic, SGD's rate is ``1.5 / L`` with ``L = scale * condition`` the largest
    curvature, safely below the divergence threshold ``2 / L``. ``kinds`` picks other
    optimizers from :data:`KINDS`.

    >>> [s.describe() for s in default_specs("rosenbrock")]
    ['lr=0.0015', 'lr=0.1', 'lr=0.01, beta=0.9, eps=1e-08', 'lr=0.03, beta1=0.9, beta2=0.999, eps=1e-08']
    """
    return [default_spec(kind, surface) for kind in (RACE_ORDER if kinds is None else kinds)]


# ------------------------------------------------------------------- surface specs


def _to_json(value: Any) -> Any:
    if isinstance(value, Surface) and not isinstance(value, type):
        return surface_to_spec(value)
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


def surface_to_spec(surface: Any) -> dict[str, Any]:
    """A built-in surface as JSON-ready data: its name and every parameter.

    Nested surfaces (the ``base`` of :class:`~rmsprop_viz.core.surfaces.Noisy` and
    :class:`~rmsprop_viz.core.surfaces.Shifting`) become nested specs, tuples become lists.

    >>> surface_to_spec(Quadratic(condition=10, angle=45))
    {'name': 'quadratic', 'params': {'condition': 10.0, 'angle': 45.0, 'scale': 1.0}}
    >>> surface_to_spec(Noisy(Rosenbrock(), sigma=0.5))["params"]["base"]
    {'name': 'rosenbrock', 'params': {'a': 1.0, 'b': 100.0}}
    """
    obj: Any = surface
    name = getattr(obj, "name", None)
    cls = _surfaces._REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None or type(obj) is not cls or not dataclasses.is_dataclass(obj):
        raise ValueError(
            f"only the built-in surfaces ({', '.join(_surfaces.names())}) can be written as a spec, got {obj!r}"
        )
    params = {f.name: _to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
    return {"name": name, "params": params}


def _from_json(key: str, value: Any, where: str) -> Any:
    if key == "base" and isinstance(value, str):  # a bare name, e.g. --param base=rosenbrock
        value = {"name": value}
    if key == "base" and isinstance(value, Mapping):
        return surface_from_spec(value, where=f"{where}.base")
    if isinstance(value, list):
        return tuple(value)
    return value


def _nested_default(name: str, key: str) -> dict[str, Any] | None:
    """The spec of the default nested surface ``key`` of surface ``name``, if it has one."""
    cls = _surfaces._REGISTRY.get(name.lower())
    if cls is None or key not in {f.name for f in dataclasses.fields(cls) if f.init}:
        return None
    value = getattr(cls(), key)
    return surface_to_spec(value) if isinstance(value, Surface) and not isinstance(value, type) else None


def _expand_dotted(name: str, params: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``{"base.condition": 50}`` -> ``{"base": {"name": ..., "params": {"condition": 50}}}``.

    A dotted key reaches into the nested surface (``base`` of ``noisy`` and ``shifting``);
    when the spec gives no nested surface, the default one gets the value.
    """
    out = dict(params)
    for key in [k for k in params if "." in k]:
        head, _, rest = key.partition(".")
        value = out.pop(key)
        nested: Any = out.get(head)
        if nested is None:
            nested = _nested_default(name, head)
            if nested is None:
                raise ValueError(f"{where}.{key}: surface {name!r} has no nested surface {head!r}")
        if isinstance(nested, str):
            nested = {"name": nested}
        if not isinstance(nested, Mapping) or not isinstance(nested.get("params", {}), Mapping):
            raise ValueError(f"{where}.{key}: {head} must be a surface spec, got {_kind(nested)}")
        out[head] = {**nested, "params": {**nested.get("params", {}), rest: value}}
    return out


def _named_error(where: str, message: str, keys: Sequence[str]) -> str:
    """``where.KEY message`` when the message starts with one of ``keys``, else ``where: message``."""
    key = next((k for k in sorted(keys, key=len, reverse=True) if message.startswith(f"{k} ")), None)
    return f"{where}.{message}" if key is not None else f"{where}: {message}"


def _kind(value: Any) -> str:
    """A short description of a wrong value for a message: the value, or its type when long.

    >>> _kind(0.5), _kind([1, 2]), _kind("x" * 100)
    ('0.5', 'a list', 'a long string')
    """
    names: dict[type, str] = {list: "a list", dict: "a mapping", tuple: "a tuple"}
    if type(value) in names:
        return names[type(value)]
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a very large integer"
    text = repr(value)
    if len(text) <= 60:
        return text
    return "a long string" if isinstance(value, str) else f"a {type(value).__name__}"


def surface_from_spec(spec: Mapping[str, Any], *, where: str = "surface") -> Surface:
    """Build the surface a spec describes (see :func:`surface_to_spec`).

    >>> surface_from_spec({"name": "shifting", "params": {"base": {"name": "quadratic"}, "shift": [1, 2]}})
    Shifting(base=Quadratic(condition=10.0, angle=0.0, scale=1.0), at_step=100, scale=10.0, shift=(1.0, 2.0))
    >>> surface_from_spec({"name": "banana"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: surface must be one of rosenbrock, quadratic, ..., shifting; got 'banana'
    """
    if not isinstance(spec, Mapping):
        raise ValueError(
            f"{where} must be a surface spec such as {{'name': 'quadratic', 'params': {{'condition': 25}}}}, "
            f"got {_kind(spec)}"
        )
    unknown = sorted(str(k) for k in set(spec) - {"name", "params"})
    if unknown:
        raise ValueError(f"{where} has an unknown key {unknown[0]!r}; a surface spec has 'name' and 'params'")
    if "name" not in spec:
        raise ValueError(f"{where} is missing the key 'name' (one of {', '.join(_surfaces.names())})")
    name = spec["name"]
    if not isinstance(name, str) or name.lower() not in _surfaces.names():
        message = f"must be one of {', '.join(_surfaces.names())}; got {_kind(name)}"
        raise ValueError(f"surface {message}" if where == "surface" else f"{where}.name {message}")
    params = spec.get("params", {})
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise ValueError(f"{where}.params must be a mapping of parameter name -> value, got {_kind(params)}")
    params = _expand_dotted(name, params, f"{where}.params")
    built = {k: _from_json(k, v, f"{where}.params") for k, v in params.items()}
    try:
        return _surfaces.get(name, **built)
    except ValueError as error:
        raise ValueError(_named_error(f"{where}.params", str(error), list(params))) from None
    except (TypeError, OverflowError) as error:  # e.g. a nested list where a number belongs
        raise ValueError(f"{where}.params: {error}") from None


def _canonical_surface(raw: Any) -> dict[str, Any]:
    if isinstance(raw, Surface) and not isinstance(raw, type):
        return surface_to_spec(raw)
    return surface_to_spec(surface_from_spec(raw))


# ------------------------------------------------------------------------- scenes


def _spec_from(raw: Any, where: str) -> OptimizerSpec:
    """An optimizer spec from ``raw``; errors name the field, e.g. ``optimizers[1].params.lr``."""
    if isinstance(raw, OptimizerSpec):
        factory, params, label = raw.factory, raw.params, raw.label
    elif isinstance(raw, Mapping):
        unknown = sorted(str(k) for k in set(raw) - {"factory", "params", "label"})
        if unknown:
            raise ValueError(
                f"{where} has an unknown key {unknown[0]!r}; an optimizer has 'factory', 'params' and 'label'"
            )
        if "factory" not in raw:
            raise ValueError(f"{where} is missing the key 'factory' (one of {', '.join(optimizers.names())})")
        factory, params, label = raw["factory"], raw.get("params", {}), raw.get("label", "")
    else:
        raise ValueError(f"{where} must be an OptimizerSpec or a mapping with 'factory' and 'params', got {_kind(raw)}")
    if not isinstance(factory, str) or factory not in optimizers.names():
        raise ValueError(f"{where}.factory must be one of {', '.join(optimizers.names())}; got {_kind(factory)}")
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise ValueError(f"{where}.params must be a mapping of hyperparameter name -> value, got {_kind(params)}")
    if not isinstance(label, str) or "\n" in label or len(label) > MAX_LABEL:
        raise ValueError(
            f"{where}.label must be a one-line string of at most {MAX_LABEL} characters, got {_kind(label)}"
        )
    accepted = list(inspect.signature(optimizers.get(factory)).parameters)
    unknown = [k for k in params if k not in accepted]
    if unknown:
        raise ValueError(f"{where}.params has an unknown key {unknown[0]!r}; {factory} takes {', '.join(accepted)}")
    plain = {k: _plain(f"{where}.params.{k}", v) for k, v in params.items()}
    spec = OptimizerSpec(factory, plain, label)
    try:
        spec.build()  # checks every hyperparameter now, not in the middle of a run
    except ValueError as error:
        raise ValueError(_named_error(f"{where}.params", str(error), accepted)) from None
    return spec


def _hidden(spec: OptimizerSpec, key: str, value: Any) -> bool:
    """Whether a legend may leave out ``key=value``: a default, or a flag the label names."""
    if key in _ALWAYS_SHOWN:
        return False
    if value is True and key.lower() in spec.label.lower():
        return True
    parameter = inspect.signature(optimizers.get(spec.factory)).parameters.get(key)
    return parameter is not None and type(parameter.default) is type(value) and parameter.default == value


@dataclass(frozen=True)
class Scene:
    """A race described by data: a surface, optimizers, a start and a step count.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"rotated"``.
    surface : dict
        A surface spec (:func:`surface_to_spec`); a built-in surface object is accepted
        and turned into its spec.
    optimizers : tuple of OptimizerSpec
        The racers; their labels must differ. Mappings ``{"factory", "params", "label"}``
        are accepted too.
    n_steps : int
        Steps per run, >= 1.
    start : (float, float), optional
        Common start; ``None`` means the surface's ``default_start``.
    caption : str
        One line: what to notice.
    title : str
        Figure title; empty for the surface and its formula.

    Examples
    --------
    >>> scene = Scene("bowl", Quadratic(condition=4), (OptimizerSpec("sgd", {"lr": 0.1}),), n_steps=20)
    >>> scene.surface
    {'name': 'quadratic', 'params': {'condition': 4.0, 'angle': 0.0, 'scale': 1.0}}
    >>> scene.run()["SGD"].params.shape
    (21, 1, 2)
    >>> scene.with_changes(n_steps=5).run()["SGD"].n_steps
    5
    """

    name: str
    surface: dict[str, Any]
    optimizers: tuple[OptimizerSpec, ...]
    n_steps: int
    start: tuple[float, float] | None = None
    caption: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "\n" in self.name or len(self.name) > MAX_LABEL:
            raise ValueError(
                f"name must be a non-empty one-line string of at most {MAX_LABEL} characters, got {_kind(self.name)}"
            )
        try:
            steps = check_int("n_steps", self.n_steps, low=1, high=MAX_STEPS)
        except (ValueError, OverflowError):
            raise ValueError(
                f"n_steps must be an integer in [1, {MAX_STEPS}], got {_kind(self.n_steps)} "
                f"(the limit is MAX_STEPS = {MAX_STEPS})"
            ) from None
        object.__setattr__(self, "n_steps", steps)
        if self.start is not None:
            point: Any = self.start
            if isinstance(point, (str, Mapping)) or (
                isinstance(point, Sequence) and any(isinstance(v, (str, bool, np.bool_)) for v in point)
            ):
                raise ValueError(f"start must be a point (x, y) of two finite numbers, got {_kind(point)}")
            try:
                x, y = check_point("start", point)
            except OverflowError:
                raise ValueError(f"start must be a point (x, y) of two finite numbers, got {self.start!r}") from None
            object.__setattr__(self, "start", (_no_negative_zero(x), _no_negative_zero(y)))
        for key, most in (("caption", MAX_CAPTION), ("title", MAX_LABEL)):
            text = getattr(self, key)
            if not isinstance(text, str) or "\n" in text or len(text) > most:
                raise ValueError(f"{key} must be a one-line string of at most {most} characters, got {_kind(text)}")
        raw: Any = self.optimizers
        if isinstance(raw, (str, Mapping, OptimizerSpec)) or not isinstance(raw, Sequence) or not raw:
            raise ValueError(f"optimizers must be a non-empty sequence of OptimizerSpec, got {_kind(raw)}")
        if len(raw) > MAX_OPTIMIZERS:
            raise ValueError(f"optimizers must hold at most MAX_OPTIMIZERS = {MAX_OPTIMIZERS} racers, got {len(raw)}")
        object.__setattr__(self, "surface", _canonical_surface(self.surface))
        specs = tuple(_spec_from(s, f"optimizers[{i}]") for i, s in enumerate(raw))
        labels = [s.label for s in specs]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(f"optimizers: labels must differ, but {twice[0]!r} appears {labels.count(twice[0])} times")
        object.__setattr__(self, "optimizers", specs)
        check_batch_work(self.build_surface(), steps, len(specs))

    def build_surface(self) -> Surface:
        """The surface object this scene's spec describes."""
        return surface_from_spec(self.surface)

    def run(self) -> dict[str, Trajectory]:
        """Race the optimizers: ``{label: Trajectory}`` in the scene's order."""
        return race(
            self.build_surface(), {s.label: s.build() for s in self.optimizers}, start=self.start, n_steps=self.n_steps
        )

    def legend_labels(self) -> list[str]:
        """Labels with their hyperparameters, e.g. ``"RMSProp (lr=0.01, beta=0.9)"``.

        Defaults other than the learning rate, betas and momentum are left out.
        """
        out = []
        for spec in self.optimizers:
            shown = ", ".join(f"{k}={_short(v)}" for k, v in spec.params.items() if not _hidden(spec, k, v))
            out.append(f"{spec.label} ({shown})" if shown else spec.label)
        return out

    def to_recipe(self) -> dict[str, Any]:
        """The scene as JSON-ready data; :meth:`from_recipe` rebuilds it exactly."""
        return {
            "format": RECIPE_FORMAT,
            "version": RECIPE_VERSION,
            "name": self.name,
            "title": self.title,
            "caption": self.caption,
            "surface": copy.deepcopy(self.surface),
            "start": None if self.start is None else list(self.start),
            "n_steps": self.n_steps,
            "optimizers": [{"factory": s.factory, "label": s.label, "params": dict(s.params)} for s in self.optimizers],
        }

    @classmethod
    def from_recipe(cls, recipe: Mapping[str, Any]) -> Scene:
        """Rebuild a scene from :meth:`to_recipe`'s data (e.g. read back from JSON).

        A recipe may carry extra sections ``"export"`` and ``"sweep"`` (written by the
        command line); they are ignored here. Anything else unknown is an error, so that
        a typo does not pass silently.
        """
        if not isinstance(recipe, Mapping):
            raise ValueError(f"a recipe must be a JSON object (a mapping), got {type(recipe).__name__}")
        try:
            _check_json(recipe, "")
        except ValueError as error:
            raise ValueError(f"recipe: {error}") from None
        if "format" not in recipe:
            raise ValueError(f"recipe is missing the key 'format' (it should be {RECIPE_FORMAT!r})")
        if recipe["format"] != RECIPE_FORMAT:
            raise ValueError(f"recipe 'format' must be {RECIPE_FORMAT!r}, got {_kind(recipe['format'])}")
        if "version" not in recipe:
            raise ValueError(f"recipe is missing the key 'version' (it should be {RECIPE_VERSION})")
        version = recipe["version"]
        if isinstance(version, bool) or version != RECIPE_VERSION:
            raise ValueError(f"recipe 'version' must be {RECIPE_VERSION}, got {_kind(version)}")
        required = ("name", "surface", "optimizers", "n_steps")
        optional = ("start", "caption", "title")
        for key in required:
            if key not in recipe:
                raise ValueError(f"recipe is missing the key {key!r}")
        known = ("format", "version", *required, *optional, "export", "sweep")
        unknown = sorted(str(k) for k in set(recipe) - set(known))
        if unknown:
            raise ValueError(f"recipe has an unknown key {unknown[0]!r}; known keys: {', '.join(known)}")
        for section in ("export", "sweep"):
            if recipe.get(section) is not None and not isinstance(recipe[section], Mapping):
                raise ValueError(f"recipe: {section} must be a mapping of settings, got {_kind(recipe[section])}")
        optimizers_ = recipe["optimizers"]
        if not isinstance(optimizers_, list) or not optimizers_:
            raise ValueError(f"recipe 'optimizers' must be a non-empty list, got {_kind(optimizers_)}")
        try:
            return cls(
                name=recipe["name"],
                surface=recipe["surface"],
                optimizers=tuple(optimizers_),
                n_steps=recipe["n_steps"],
                start=recipe.get("start"),
                caption=recipe.get("caption", ""),
                title=recipe.get("title", ""),
            )
        except ValueError as error:
            raise ValueError(f"recipe: {error}") from None

    def with_changes(self, **changes: Any) -> Scene:
        """A copy with some fields replaced (and checked again)."""
        return dataclasses.replace(self, **changes)


def _check_json(value: Any, where: str, depth: int = 0) -> None:
    """Refuse, with the field's path, what no recipe field can hold: nesting deeper than
    :data:`MAX_JSON_DEPTH`, non-finite numbers, integers beyond 2**53, strings longer than
    :data:`MAX_CAPTION`, containers with more than :data:`MAX_JSON_ITEMS` entries."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{where} is nested deeper than MAX_JSON_DEPTH = {MAX_JSON_DEPTH} levels")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError(
                f"{where} must be a number of at most 2**53 in size, got an integer of about "
                f"{int(value.bit_length() * math.log10(2)) + 1} digits"
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} must be a finite number, got {value!r}")
    elif isinstance(value, str):
        if len(value) > MAX_CAPTION:
            raise ValueError(f"{where} must be a string of at most {MAX_CAPTION} characters, got {len(value)}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(
                f"{where} is not valid Unicode text: character {error.start + 1} is a lone surrogate "
                f"{value[error.start]!r} (JSON \\u{ord(value[error.start]):04x})"
            ) from None
    elif isinstance(value, (list, tuple, Mapping)):
        if len(value) > MAX_JSON_ITEMS:
            raise ValueError(
                f"{where or 'it'} must hold at most MAX_JSON_ITEMS = {MAX_JSON_ITEMS} entries, got {len(value)}"
            )
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ValueError(f"{where or 'it'} has a key that is not a string: {_kind(key)}")
                _check_json(item, f"{where}.{key}" if where else key, depth + 1)
        else:
            for i, item in enumerate(value):
                _check_json(item, f"{where}[{i}]", depth + 1)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (JSON itself would keep the last of two)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} is given twice in one object")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON has no {name}; a recipe holds finite numbers only")


class _LongInteger(NamedTuple):
    """An integer in a recipe too long to read as a number (Python refuses over 4300 digits)."""

    digits: int


def _read_integer(text: str) -> int | _LongInteger:
    return int(text) if len(text) <= 20 else _LongInteger(len(text.lstrip("-")))


def _long_integer_at(value: Any, path: str, depth: int = 0) -> str | None:
    """The path of the first over-long integer in ``value`` (see :class:`_LongInteger`);
    deeper than any recipe goes (which is refused later anyway), it stops looking."""
    if isinstance(value, _LongInteger):
        return path
    if depth > 2 * MAX_JSON_DEPTH:
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _long_integer_at(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]", depth + 1)
        if found is not None:
            return found
    return None


def read_recipe(path: str | os.PathLike[str], *, where: str | None = None) -> dict[str, Any]:
    """The JSON object in a recipe file, read with limits: at most :data:`MAX_RECIPE_BYTES`,
    UTF-8, finite numbers only, nested at most :data:`MAX_JSON_DEPTH` deep (checked again
    field by field by :meth:`Scene.from_recipe`). Every problem is one ValueError line
    starting with ``where`` (the path by default).

    >>> read_recipe("no-such-recipe.json")
    Traceback (most recent call last):
    ...
    ValueError: no-such-recipe.json: no such file
    """
    path = Path(path)
    where = str(path) if where is None else where
    try:
        if path.is_dir():
            raise ValueError(f"{where}: is a directory, not a recipe file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_RECIPE_BYTES + 1)
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file") from None
    except OSError as error:
        raise ValueError(f"{where}: cannot read it ({error.strerror or error})") from None
    if len(raw) > MAX_RECIPE_BYTES:
        raise ValueError(f"{where}: too large for a recipe (the limit is MAX_RECIPE_BYTES = {MAX_RECIPE_BYTES} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{where}: not UTF-8 text (byte {error.start} is {raw[error.start]:#04x})") from None
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_int=_read_integer, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as error:
        raise ValueError(f"{where}: not valid JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"{where}: not a recipe: its JSON is nested too deeply") from None
    except ValueError as error:  # e.g. NaN, or an integer of thousands of digits
        raise ValueError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where}: a recipe must be a JSON object, got {type(data).__name__}")
    long = _long_integer_at(data, "")
    if long is not None:
        raise ValueError(f"{where}: {long.lstrip('.')} is an integer of more than 20 digits; no setting is that large")
    return data


def recipe_json(recipe: Mapping[str, Any]) -> str:
    """A recipe as the JSON text written beside a file: indented, UTF-8, ending in a newline.

    Numpy scalars and arrays become numbers and lists; NaN and infinity are refused (a
    ``ValueError``), as JSON has no such numbers.

    >>> print(recipe_json({"n_steps": np.int64(3), "start": np.array([1.0, -2.0])}), end="")
    {
      "n_steps": 3,
      "start": [
        1.0,
        -2.0
      ]
    }
    """
    if not isinstance(recipe, Mapping):
        raise ValueError(f"recipe must be a mapping (e.g. a dict) of settings, got {type(recipe).__name__}")
    try:
        return json.dumps(dict(recipe), indent=2, default=_jsonable, allow_nan=False, ensure_ascii=False) + "\n"
    except (TypeError, ValueError) as error:
        raise ValueError(f"recipe cannot be written as JSON: {error}") from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def default_scene(surface: Surface, n_steps: int | None = None, kinds: Sequence[str] | None = None) -> Scene:
    """The default race on ``surface`` (:func:`default_specs`) as a scene named after it, of
    ``n_steps`` steps (default: the surface's :data:`DEFAULT_STEPS`, else 500).

    >>> default_scene(Rosenbrock()).n_steps
    1200
    """
    steps = DEFAULT_STEPS.get(surface.name, 500) if n_steps is None else n_steps
    return Scene(surface.name, surface_to_spec(surface), tuple(default_specs(surface, kinds)), steps)


# ------------------------------------------------------------------------ presets


def _spec(kind: str, lr: float, **params: Any) -> OptimizerSpec:
    factory = "sgd" if kind in ("momentum", "nesterov") else kind
    base = {"momentum": {"momentum": MOMENTUM}, "nesterov": {"momentum": MOMENTUM, "nesterov": True}}.get(kind, {})
    defaults = {"rmsprop": {"beta": 0.9}, "adam": {"beta1": 0.9, "beta2": 0.999}}.get(kind, {})
    label = params.pop("label", KINDS[kind])
    return OptimizerSpec(factory, {"lr": lr, **base, **defaults, **params}, label)


def _turned(point: tuple[float, float], degrees: float) -> tuple[float, float]:
    """``point`` turned by ``degrees`` about the origin, as :class:`Quadratic`'s ``angle`` turns the bowl."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (c * point[0] - s * point[1], s * point[0] + c * point[1])


SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        # The default race itself (what `rmsprop-viz race` runs), with its story.
        default_scene(Rosenbrock()).with_changes(
            caption=(
                "The steep walls cap SGD's rate, so it zig-zags down them and crawls along the flat floor; "
                "Adagrad's steps shrink until it stalls; RMSProp keeps steps of about lr but jitters across the "
                "floor; Adam's momentum smooths the jitter and arrives first."
            ),
        ),
        Scene(
            "ill-conditioned",
            surface_to_spec(Quadratic(condition=25.0, angle=0.0)),
            (_spec("sgd", 0.075), _spec("rmsprop", 0.05)),
            n_steps=60,
            start=(-1.5, 1.0),
            caption=(
                "SGD's rate must suit the steep y axis, so it zig-zags across it and crawls along x; RMSProp "
                "divides each coordinate by its own gradient scale and heads straight in."
            ),
            title="Ill-conditioned bowl: curvature 25× larger along y",
        ),
        Scene(
            "rotated",
            surface_to_spec(Quadratic(condition=25.0, angle=45.0)),
            (_spec("sgd", 0.075), _spec("rmsprop", 0.05)),
            n_steps=60,
            start=_turned((-1.5, 1.0), 45.0),
            caption=(
                "The same bowl and start turned by 45 degrees: SGD's path just turns with them, but the steep "
                "direction is now a diagonal that per-coordinate scaling cannot see, and RMSProp falls far behind."
            ),
            title="The same bowl rotated by 45°",
        ),
        Scene(
            "saddle",
            surface_to_spec(Saddle()),
            (_spec("sgd", 0.05), _spec("adagrad", 0.2), _spec("rmsprop", 0.05), _spec("adam", 0.05)),
            n_steps=200,
            caption=(
                "Started 0.001 off the saddle's ridge, SGD feels almost no pull along y and sits at the saddle "
                "for 130 steps; the adaptive methods divide by that tiny gradient and are off in a few steps."
            ),
        ),
        Scene(
            "beale",
            surface_to_spec(_surfaces.Beale()),
            (_spec("sgd", 0.005), _spec("adagrad", 0.5), _spec("rmsprop", 0.01), _spec("adam", 0.2)),
            n_steps=500,
            start=(2.0, 2.0),
            caption=(
                "On the steep ridge the gradient is near 1000: SGD's first step throws it 5 units across the map "
                "(twice this rate diverges), while the adaptive methods step about lr whatever the gradient."
            ),
        ),
        Scene(
            "noisy-bowl",
            surface_to_spec(Noisy(Quadratic(condition=10.0), sigma=1.0, seed=0)),
            (_spec("sgd", 0.05), _spec("adagrad", 0.3), _spec("rmsprop", 0.02), _spec("adam", 0.02)),
            n_steps=300,
            caption=(
                "Every gradient carries noise of size 1: all four reach the bottom, then jitter around it for good; "
                "Adam, which averages the gradient over about 10 steps, jitters least."
            ),
            title="Noisy bowl: condition 10, gradient noise σ = 1",
        ),
        Scene(
            "minibatch",
            surface_to_spec(MiniBatchLeastSquares()),
            (_spec("sgd", 0.03), _spec("adagrad", 0.2), _spec("rmsprop", 0.02), _spec("adam", 0.05)),
            n_steps=300,
            caption=(
                "Two weights whose features differ 4-fold in scale: SGD first drops down the steep weight while the "
                "adaptive methods move both at once; near the minimum every path wanders with the batch noise."
            ),
            title="Least squares on mini-batches of 8",
        ),
        Scene(
            "rescaled",
            surface_to_spec(Shifting(Quadratic(condition=4.0), at_step=100, scale=0.01, shift=(2.0, -1.0))),
            (_spec("sgd", 0.38), _spec("adagrad", 0.5), _spec("rmsprop", 0.05), _spec("adam", 0.05)),
            n_steps=300,
            caption=(
                "At step 100 the loss shrinks 100-fold and its minimum moves: SGD's rate is now 100 times too small "
                "and Adagrad's sum (and Adam's beta2 = 0.999) remember the old gradients, so all three crawl; RMSProp "
                "forgets them in about 1/(1-beta) = 10 steps and walks to the new minimum."
            ),
            title="At step 100 the loss shrinks 100× and its minimum moves to (2, −1)",
        ),
        Scene(
            "first-step",
            surface_to_spec(Quadratic(condition=10.0)),
            (
                _spec("rmsprop", 0.05, beta=0.99, label="RMSProp, beta 0.99"),
                _spec("rmsprop", 0.05, label="RMSProp, beta 0.9"),
                _spec("adam", 0.05),
            ),
            n_steps=30,
            start=(0.2, 0.1),
            caption=(
                "v starts at 0, so however close to the minimum, RMSProp's first step is lr/sqrt(1-beta) in every "
                "coordinate: 10 lr at beta 0.99, past the minimum, 3.2 lr at 0.9; Adam's bias correction makes it lr."
            ),
            title="RMSProp's first step is lr/√(1−β), whatever the gradient",
        ),
    )
}


def names() -> list[str]:
    """Names of the preset scenes.

    >>> names()[:3]
    ['rosenbrock', 'ill-conditioned', 'rotated']
    """
    return list(SCENES)


def get(name: str) -> Scene:
    """The preset scene called ``name`` (one of :func:`names`)."""
    if not isinstance(name, str) or name not in SCENES:
        raise ValueError(f"scene must be one of {', '.join(SCENES)}; got {name!r}")
    return SCENES[name]
