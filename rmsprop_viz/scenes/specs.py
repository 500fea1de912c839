"""Specs: surfaces and optimizers described by data, and the default race on each surface.

A *surface spec* is a built-in surface as JSON-ready data,
``{"name": "quadratic", "params": {"condition": 10.0, ...}}`` (:func:`surface_to_spec`,
:func:`surface_from_spec`); an optimizer is described by an
:class:`~rmsprop_viz.core.kinds.OptimizerSpec` (factory name, hyperparameters, label).
Both can be printed in a legend, written to a recipe and built again exactly.

:func:`default_spec` and :func:`default_specs` pick, for each kind of optimizer of
:data:`~rmsprop_viz.core.kinds.KINDS`, a learning rate that makes a readable race on a
surface (:data:`DEFAULT_LR`).

>>> surface_from_spec(surface_to_spec(Quadratic(condition=4))) == Quadratic(condition=4)
True
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rmsprop_viz.core import optimizers, surfaces
from rmsprop_viz.core.kinds import DEFAULT_RACE, KINDS, OptimizerSpec
from rmsprop_viz.core.surfaces import Quadratic, Surface
from rmsprop_viz.scenes.limits import MAX_LABEL
from rmsprop_viz.scenes.recipes import describe_value

__all__ = [
    "DEFAULT_LR",
    "DEFAULT_STEPS",
    "FALLBACK_STEPS",
    "canonical_surface_spec",
    "default_spec",
    "default_specs",
    "default_steps",
    "optimizer_spec_from",
    "surface_from_spec",
    "surface_to_spec",
]

#: Learning rates that make a readable race on each surface from its default start: each
#: is below its optimizer's divergence threshold there and moves visibly in its default
#: steps (:data:`DEFAULT_STEPS`). On Rosenbrock, from (-1.5, 2.3), in 1200 steps: SGD at
#: 3/4 of the largest rate that stays finite (0.002 diverges) zig-zags down the wall and
#: crawls along the floor; Adagrad's steps shrink until it stalls on the floor whatever its
#: rate (its final loss varies by 10% over rates 0.03 to 3); RMSProp's steps stay near
#: lr, a visible jitter across the floor at 0.01 (which ends closest to the minimum of the
#: rates 0.003 to 0.03, below SGD); Adam at 0.03, the rate that gets within
#: 1e-6 of the minimum first (step 1005; 0.02 and 0.04 take 1036 and 1054), arrives.
#: The ``momentum`` and ``nesterov`` kinds run at half of SGD's rate, which keeps
#: Nesterov's look-ahead stable on every surface's default race.
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

#: Steps of a surface's default race (:func:`~rmsprop_viz.scenes.default_scene`) where they
#: differ from :data:`FALLBACK_STEPS`. Rosenbrock's valley takes the fastest optimizer about
#: 1000 steps from its default start: the race runs 1200, so that Adam is seen to arrive and stay.
DEFAULT_STEPS: dict[str, int] = {"rosenbrock": 1200}
#: Steps of the default race on a surface :data:`DEFAULT_STEPS` does not list.
FALLBACK_STEPS = 500

# Factory defaults a default spec spells out, so that legends and recipes show them.
_SPELLED_OUT: dict[str, tuple[str, ...]] = {"rmsprop": ("beta", "eps"), "adam": ("beta1", "beta2", "eps")}


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


def default_steps(surface: Surface | str) -> int:
    """Steps of the default race on ``surface`` (a surface or its name):
    :data:`DEFAULT_STEPS`, else :data:`FALLBACK_STEPS`.

    >>> default_steps("rosenbrock"), default_steps(Quadratic())
    (1200, 500)
    """
    name = surface if isinstance(surface, str) else surface.name
    return DEFAULT_STEPS.get(name, FALLBACK_STEPS)


def default_spec(kind: str, surface: Surface | str) -> OptimizerSpec:
    """The optimizer of kind ``kind`` (one of :data:`~rmsprop_viz.core.kinds.KINDS`) at a
    readable rate for ``surface``: the kind's factory with its fixed parameters, and
    RMSProp's and Adam's decays and epsilon at their factory defaults, spelled out.

    >>> default_spec("nesterov", "rosenbrock")
    OptimizerSpec(factory='sgd', params={'lr': 0.00075, 'momentum': 0.9, 'nesterov': True}, label='Nesterov')
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"optimizer must be one of {', '.join(KINDS)}; got {kind!r}")
    entry = KINDS[kind]
    defaults = inspect.signature(optimizers.get(entry.factory)).parameters
    spelled = {key: defaults[key].default for key in _SPELLED_OUT.get(entry.factory, ())}
    params = {"lr": _default_lrs(surface)[kind], **entry.fixed, **spelled}
    return OptimizerSpec(entry.factory, params, entry.label)


def default_specs(surface: Surface | str, kinds: Sequence[str] | None = None) -> list[OptimizerSpec]:
    """The default race on a surface: SGD, Adagrad, RMSProp and Adam at readable rates.

    On a quadratic, SGD's rate is ``1.5 / L`` with ``L = scale * condition`` the largest
    curvature, safely below the divergence threshold ``2 / L``. ``kinds`` picks other
    optimizers from :data:`~rmsprop_viz.core.kinds.KINDS`.

    >>> [s.describe() for s in default_specs("rosenbrock")]
    ['lr=0.0015', 'lr=0.1', 'lr=0.01, beta=0.9, eps=1e-08', 'lr=0.03, beta1=0.9, beta2=0.999, eps=1e-08']
    """
    return [default_spec(kind, surface) for kind in (DEFAULT_RACE if kinds is None else kinds)]


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
    >>> surface_to_spec(surfaces.Noisy(surfaces.Rosenbrock(), sigma=0.5))["params"]["base"]
    {'name': 'rosenbrock', 'params': {'a': 1.0, 'b': 100.0}}
    """
    obj: Any = surface
    name = getattr(obj, "name", None)
    cls = surfaces.REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None or type(obj) is not cls or not dataclasses.is_dataclass(obj):
        raise ValueError(
            f"only the built-in surfaces ({', '.join(surfaces.names())}) can be written as a spec, got {obj!r}"
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
    cls = surfaces.REGISTRY.get(name.lower())
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
            raise ValueError(f"{where}.{key}: {head} must be a surface spec, got {describe_value(nested)}")
        out[head] = {**nested, "params": {**nested.get("params", {}), rest: value}}
    return out


def _named_error(where: str, message: str, keys: Sequence[str]) -> str:
    """``where.KEY message`` when the message starts with one of ``keys``, else ``where: message``."""
    key = next((k for k in sorted(keys, key=len, reverse=True) if message.startswith(f"{k} ")), None)
    return f"{where}.{message}" if key is not None else f"{where}: {message}"


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
            f"got {describe_value(spec)}"
        )
    unknown = sorted(str(k) for k in set(spec) - {"name", "params"})
    if unknown:
        raise ValueError(f"{where} has an unknown key {unknown[0]!r}; a surface spec has 'name' and 'params'")
    if "name" not in spec:
        raise ValueError(f"{where} is missing the key 'name' (one of {', '.join(surfaces.names())})")
    name = spec["name"]
    if not isinstance(name, str) or name.lower() not in surfaces.names():
        message = f"must be one of {', '.join(surfaces.names())}; got {describe_value(name)}"
        raise ValueError(f"surface {message}" if where == "surface" else f"{where}.name {message}")
    params = spec.get("params", {})
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise ValueError(f"{where}.params must be a mapping of parameter name -> value, got {describe_value(params)}")
    params = _expand_dotted(name, params, f"{where}.params")
    built = {k: _from_json(k, v, f"{where}.params") for k, v in params.items()}
    try:
        return surfaces.get(name, **built)
    except ValueError as error:
        raise ValueError(_named_error(f"{where}.params", str(error), list(params))) from None
    except (TypeError, OverflowError) as error:  # e.g. a nested list where a number belongs
        raise ValueError(f"{where}.params: {error}") from None


def canonical_surface_spec(raw: Any) -> dict[str, Any]:
    """The full spec of a surface given as a built-in surface object or as a spec (which
    may leave parameters out or use dotted keys): every parameter, checked.

    >>> canonical_surface_spec({"name": "noisy", "params": {"base.condition": 4}})["params"]["base"]
    {'name': 'quadratic', 'params': {'condition': 4.0, 'angle': 0.0, 'scale': 1.0}}
    """
    if isinstance(raw, Surface) and not isinstance(raw, type):
        return surface_to_spec(raw)
    return surface_to_spec(surface_from_spec(raw))


# ----------------------------------------------------------------- optimizer specs


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
    raise ValueError(f"{name} must be a single number or True/False, got {describe_value(value)}")


def optimizer_spec_from(raw: Any, where: str = "optimizer") -> OptimizerSpec:
    """A checked optimizer spec from an :class:`~rmsprop_viz.core.kinds.OptimizerSpec` or a
    mapping ``{"factory", "params", "label"}``: known factory and hyperparameters, plain
    JSON values, a one-line label, and hyperparameters the factory accepts. Errors name
    the field, e.g. ``optimizers[1].params.lr``.

    >>> optimizer_spec_from({"factory": "sgd", "params": {"lr": -1}}, "optimizers[0]")
    Traceback (most recent call last):
    ...
    ValueError: optimizers[0].params.lr must be a finite number > 0, got -1.0
    """
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
        raise ValueError(
            f"{where} must be an OptimizerSpec or a mapping with 'factory' and 'params', got {describe_value(raw)}"
        )
    if not isinstance(factory, str) or factory not in optimizers.names():
        raise ValueError(
            f"{where}.factory must be one of {', '.join(optimizers.names())}; got {describe_value(factory)}"
        )
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise ValueError(
            f"{where}.params must be a mapping of hyperparameter name -> value, got {describe_value(params)}"
        )
    if not isinstance(label, str) or "\n" in label or len(label) > MAX_LABEL:
        raise ValueError(
            f"{where}.label must be a one-line string of at most {MAX_LABEL} characters, got {describe_value(label)}"
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
