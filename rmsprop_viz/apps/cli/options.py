"""The race that the options describe: a preset, a recipe or a surface, changed by the
options (``--param``, ``--optimizers``, ``--lr``/``--beta``/``--eps``, ``--steps``,
``--start``), and the ``export`` and ``sweep`` sections a recipe may carry."""

from __future__ import annotations

import argparse
import copy
import inspect
import math
from collections.abc import Mapping, Sequence
from typing import Any

from rmsprop_viz import scenes as _scenes
from rmsprop_viz.apps.cli.values import LR_LIMITS, Override
from rmsprop_viz.core import optimizers
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.sweeps import METRICS
from rmsprop_viz.scenes import (
    DPI_RANGE,
    FPS_RANGE,
    MAX_FRAMES,
    MAX_SWEEP_CELLS,
    OptimizerSpec,
    Scene,
    default_scene,
    default_spec,
    read_recipe,
    surface_from_spec,
)
from rmsprop_viz.scenes.recipes import describe_value

__all__ = ["scene_from_args", "setting"]


# -------------------------------------------------------------------- the race


def _with_params(spec: Mapping[str, Any], assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """``spec`` with ``--param`` values; ``base.KEY`` reaches into a nested surface (the
    surface spec resolves the dotted key, see :func:`rmsprop_viz.scenes.surface_from_spec`).
    A key given twice is refused (a recipe refuses it too)."""
    out: dict[str, Any] = copy.deepcopy(dict(spec))
    out["params"] = dict(out.get("params", {}))
    keys = [key for key, _ in assignments]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise ValueError(f"--param {twice}=... is given {keys.count(twice)} times; give each parameter once")
    for key, value in assignments:
        out["params"][key] = value
    return out


def _surface_with_params(spec: Mapping[str, Any], assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """:func:`_with_params`, checked: a bad ``--param`` is one line naming it."""
    out = _with_params(spec, assignments)
    try:
        surface_from_spec(out)
    except ValueError as error:
        given = " ".join(f"--param {k}={v}" for k, v in assignments)
        hint = next(
            (
                f" (--param sets the surface's parameters; an optimizer's are set with --lr, --beta or --eps, "
                f"e.g. --beta {k}={v})"
                for k, v in assignments
                if k.partition(".")[0].strip().lower() in KINDS
            ),
            "",
        )
        raise ValueError(f"{given}: {error}{hint}" if assignments else str(error)) from None
    return out


def _takes(factory: str, param: str) -> bool:
    return param in inspect.signature(optimizers.get(factory)).parameters


def _param_of(flag: str, kind: str) -> str | None:
    """The hyperparameter that ``--lr``, ``--beta`` or ``--eps`` sets on an optimizer of
    ``kind``: the learning rate, else what the kinds table says ``Kind.beta``/``Kind.eps`` are."""
    if flag == "lr":
        return "lr"
    entry = KINDS.get(kind)
    if entry is None:
        return None
    return entry.beta if flag == "beta" else entry.eps


def _decays_hint(flag: str, specs: Sequence[OptimizerSpec]) -> str:
    """For ``--beta``: how to set the decays of racers that have no beta (Adam's beta1/beta2)."""
    if flag != "beta":
        return ""
    named = {
        spec.kind: [p for p in inspect.signature(optimizers.get(spec.factory)).parameters if p.startswith("beta")]
        for spec in specs
        if _param_of(flag, spec.kind) is None
    }
    forms = [f"{kind}.{param}=X" for kind, params in named.items() for param in params]
    return f"; --beta is RMSProp's beta: set other decays by name, e.g. --beta {' or '.join(forms)}" if forms else ""


def _apply_overrides(flag: str, overrides: Sequence[Override], specs: list[OptimizerSpec]) -> list[OptimizerSpec]:
    specs = list(specs)
    # Plain values first, so that per-optimizer values win whatever their order.
    for override in sorted(overrides, key=lambda o: o.kind is not None):
        kinds = [s.kind for s in specs]
        if override.kind is None:
            targets = [i for i, k in enumerate(kinds) if _param_of(flag, k) is not None]
            if not targets:
                raise ValueError(
                    f"--{flag} {override.text}: no optimizer in this race ({', '.join(s.label for s in specs)}) "
                    f"has a {flag}{_decays_hint(flag, specs)}"
                )
        else:
            targets = [i for i, k in enumerate(kinds) if k == override.kind]
            if not targets:
                raise ValueError(
                    f"--{flag} {override.text}: there is no {override.kind} in this race "
                    f"(it has {', '.join(dict.fromkeys(kinds))}); add it with --optimizers"
                )
        for i in targets:
            spec = specs[i]
            param = override.param or _param_of(flag, kinds[i])
            if param is None:
                raise ValueError(f"--{flag} {override.text}: {kinds[i]} has no {flag}{_decays_hint(flag, [spec])}")
            if not _takes(spec.factory, param):
                accepted = ", ".join(inspect.signature(optimizers.get(spec.factory)).parameters)
                raise ValueError(f"--{flag} {override.text}: {spec.factory} has no {param!r}; it takes {accepted}")
            specs[i] = OptimizerSpec(spec.factory, {**spec.params, param: override.value}, spec.label)
            try:
                specs[i].build()
            except ValueError as error:
                on_off = isinstance(
                    spec.params.get(param, inspect.signature(optimizers.get(spec.factory)).parameters[param].default),
                    bool,
                )
                hint = (
                    f" (write {override.kind or kinds[i]}.{param}=true or =false)"
                    if on_off and not isinstance(override.value, bool)
                    else ""
                )
                raise ValueError(f"--{flag} {override.text}: {error}{hint}") from None
    return specs


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number_in(where: str, value: Any, low: float, high: float, limit: str, *, whole: bool = False) -> None:
    kind = "a whole number" if whole else "a number"
    ok = _is_number(value) and low <= value <= high and (not whole or float(value).is_integer())
    if not ok:
        raise ValueError(f"{where} must be {kind} in [{low:g}, {high:g}] ({limit}), got {describe_value(value)}")


def _range_field(where: str, value: Any, log: bool) -> None:
    if not (isinstance(value, list) and len(value) == 3 and all(_is_number(v) for v in value)):
        raise ValueError(f"{where} must be a list [LO, HI, N] of numbers, got {describe_value(value)}")
    lo, hi, n = value
    if hi < lo or (log and lo <= 0):
        raise ValueError(f"{where} needs {'0 < ' if log else ''}LO <= HI, got [{lo:g}, {hi:g}, {n:g}]")
    if log and not LR_LIMITS[0] <= lo <= hi <= LR_LIMITS[1]:
        raise ValueError(f"{where}: learning rates must lie in [{LR_LIMITS[0]:g}, {LR_LIMITS[1]:g}] (LR_LIMITS)")
    _number_in(f"{where}[2]", n, 1, MAX_SWEEP_CELLS, "N; the limit is MAX_SWEEP_CELLS", whole=True)


def _recipe_sections(recipe: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The recipe's ``export`` and ``sweep`` sections, checked field by field.

    Every setting may be null (then the command line or the default decides); any other
    value must have the type and range the matching option accepts.
    """
    out: dict[str, Any] = {}
    known = {
        "export": ("command", "fps", "frames", "dpi", "three_d", "hold", "duration", "caption"),
        "sweep": ("optimizer", "lr_range", "beta_param", "beta_range", "metric", "tol"),
    }
    for name, keys in known.items():
        section = recipe.get(name)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ValueError(f"{where}: {name} must be a mapping of settings, got {describe_value(section)}")
        unknown = sorted(set(section) - set(keys))
        if unknown:
            raise ValueError(f"{where}: {name} has an unknown key {unknown[0]!r}; known keys: {', '.join(keys)}")
        for key, value in section.items():
            if value is None:
                continue
            field = f"{where}: {name}.{key}"
            if key == "command":
                if value not in ("race", "plot"):
                    raise ValueError(f"{field} must be 'race' or 'plot', got {describe_value(value)}")
            elif key == "fps":
                _number_in(field, value, *FPS_RANGE, "FPS_RANGE")
            elif key == "frames":
                _number_in(field, value, 2, MAX_FRAMES, "the limit is MAX_FRAMES", whole=True)
            elif key == "dpi":
                _number_in(field, value, *DPI_RANGE, "DPI_RANGE")
            elif key in ("hold", "duration"):  # (their ranges: the export's, checked before it starts)
                _number_in(field, value, 0, math.inf, "seconds")
            elif key in ("three_d", "caption"):
                if not isinstance(value, bool):
                    raise ValueError(f"{field} must be true or false, got {describe_value(value)}")
            elif key == "optimizer":
                if value not in KINDS:
                    raise ValueError(f"{field} must be one of {', '.join(KINDS)}, got {describe_value(value)}")
            elif key in ("lr_range", "beta_range"):
                _range_field(field, value, log=key == "lr_range")
                if key == "beta_range" and section.get("beta_param") is None and not 0 <= value[0] <= value[1] < 1:
                    raise ValueError(f"{field}: a decay beta must be a finite number in [0, 1), got {value[:2]}")
            elif key == "beta_param":
                if not (isinstance(value, str) and value.isidentifier() and value != "lr"):
                    raise ValueError(
                        f"{field} must be the name of a parameter other than lr, got {describe_value(value)}"
                    )
            elif key == "metric":
                if value not in METRICS:
                    raise ValueError(f"{field} must be one of {', '.join(METRICS)}, got {describe_value(value)}")
            elif key == "tol" and not (_is_number(value) and value > 0):
                raise ValueError(f"{field} must be a number > 0, got {describe_value(value)}")
        out[name] = section
    return out


def scene_from_args(args: argparse.Namespace) -> tuple[Scene, dict[str, Any]]:
    """The scene the options describe, and the extra sections of a loaded recipe."""
    if args.recipe is not None and args.scene is not None:
        raise ValueError("--recipe and --scene both choose the race; give one of them")
    for flag in ("recipe", "scene", "surface"):
        if getattr(args, flag, None) is not None and not getattr(args, flag).strip():
            raise ValueError(f"--{flag} is empty; give a {'file' if flag == 'recipe' else 'name'}")
    extras: dict[str, Any] = {}
    base: Scene | None = None
    if args.recipe is not None:
        recipe = read_recipe(args.recipe, where=f"--recipe {args.recipe}")
        try:
            base = Scene.from_recipe(recipe)
        except ValueError as error:
            raise ValueError(f"--recipe {args.recipe}: {error}") from None
        extras = _recipe_sections(recipe, f"--recipe {args.recipe}")
    elif args.scene is not None:
        base = _scenes.get(args.scene)

    # A changed surface comes with the asked-for steps and racers at once: the scene's checks
    # (e.g. the work of a mini-batch race) see the race that will run, not an intermediate one.
    kinds_given = getattr(args, "optimizers", None)
    if base is None and args.surface in (None, "rosenbrock") and not args.param:
        scene = _scenes.get("rosenbrock")  # the default race, with its caption
    elif base is None:
        spec = _surface_with_params({"name": args.surface or "rosenbrock", "params": {}}, args.param)
        # Its own steps unless --steps: scenes.default_steps(surface).
        scene = default_scene(surface_from_spec(spec), args.steps, kinds_given)
    elif args.surface is not None and args.surface.lower() != base.surface["name"]:
        # A different surface: its own start and tuned rates, the same kinds of racers.
        spec = _surface_with_params({"name": args.surface, "params": {}}, args.param)
        surface = surface_from_spec(spec)
        kinds = kinds_given or list(dict.fromkeys(s.kind for s in base.optimizers))
        scene = base.with_changes(
            surface=spec,
            optimizers=tuple(default_spec(k, surface) for k in kinds),
            n_steps=args.steps or base.n_steps,
            start=None,
            caption="",
            title="",
        )
    elif args.param:
        spec = _surface_with_params(base.surface, args.param)
        racers = base.optimizers
        if kinds_given:
            racers = tuple(default_spec(k, surface_from_spec(spec)) for k in kinds_given)
        scene = base.with_changes(
            surface=spec, optimizers=racers, n_steps=args.steps or base.n_steps, title="", caption=""
        )
    else:
        scene = base

    changes: dict[str, Any] = {}
    specs = list(scene.optimizers)
    if getattr(args, "optimizers", None):
        surface = scene.build_surface()
        specs = [default_spec(k, surface) for k in args.optimizers]
    for flag in ("lr", "beta", "eps"):
        overrides = getattr(args, flag, None)
        if overrides:
            specs = _apply_overrides(flag, overrides, specs)
    if tuple(specs) != scene.optimizers:
        changes.update(optimizers=tuple(specs), caption="")
    if args.steps is not None and args.steps != scene.n_steps:
        changes.update(n_steps=args.steps, caption="")  # the caption tells the preset's story, at its steps
    if args.start is not None:
        changes["start"] = args.start
    return (scene.with_changes(**changes) if changes else scene), extras


def setting(extras: Mapping[str, Any], section: str, key: str, given: Any, default: Any) -> Any:
    """A command-line value, else the loaded recipe's, else the default."""
    if given is not None:
        return given
    value = extras.get(section, {}).get(key)
    return default if value is None else value
