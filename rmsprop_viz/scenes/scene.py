"""The :class:`Scene`: a race described by data, ready to replay, share and animate.

A scene puts a surface spec and optimizer specs (:mod:`rmsprop_viz.scenes.specs`)
together with a start, a number of steps and a one-line caption saying what to notice.
It turns into a JSON *recipe* and back without losing a bit (:meth:`Scene.to_recipe`,
:meth:`Scene.from_recipe`, schema in :mod:`rmsprop_viz.scenes.recipes`), so a figure's
recipe rebuilds exactly the runs it shows. Every field is checked when the scene is made,
against the limits of :mod:`rmsprop_viz.scenes.limits`.

>>> from rmsprop_viz.core.surfaces import Quadratic
>>> scene = default_scene(Quadratic(), n_steps=50, kinds=["sgd", "rmsprop"])
>>> scene.legend_labels()
['SGD (lr=0.15)', 'RMSProp (lr=0.02, beta=0.9)']
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rmsprop_viz.core import optimizers
from rmsprop_viz.core.checks import check_int, check_point
from rmsprop_viz.core.kinds import OptimizerSpec
from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Surface
from rmsprop_viz.engine.run import Trajectory, race
from rmsprop_viz.scenes.limits import (
    MAX_BATCH_WORK,
    MAX_CAPTION,
    MAX_JSON_DEPTH,
    MAX_LABEL,
    MAX_OPTIMIZERS,
    MAX_SCENE_STEPS,
)
from rmsprop_viz.scenes.recipes import RECIPE_FORMAT, RECIPE_VERSION, describe_value, scene_fields
from rmsprop_viz.scenes.specs import (
    canonical_surface_spec,
    default_specs,
    default_steps,
    optimizer_spec_from,
    surface_from_spec,
    surface_to_spec,
)

__all__ = ["Scene", "batch_size_of", "check_batch_work", "default_scene"]

# Hyperparameters a legend always shows; any other is shown only when it differs from
# the factory's default.
_ALWAYS_SHOWN = ("lr", "beta", "beta1", "beta2", "momentum")


def batch_size_of(surface: Surface) -> int:
    """Samples one gradient of ``surface`` reads: a mini-batch's ``batch_size`` (also
    inside a noisy or shifting surface), else 1.

    >>> from rmsprop_viz.core.surfaces import Quadratic
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
    """Refuse a race or sweep that would read more than
    :data:`~rmsprop_viz.scenes.limits.MAX_BATCH_WORK` samples of a mini-batch surface's
    data: ``batch_size * n_steps * runs``.

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
        A surface spec (:func:`~rmsprop_viz.scenes.specs.surface_to_spec`); a built-in
        surface object is accepted and turned into its spec.
    optimizers : tuple of OptimizerSpec
        The racers; their labels must differ. Mappings ``{"factory", "params", "label"}``
        are accepted too.
    n_steps : int
        Steps per run, in ``[1, MAX_SCENE_STEPS]``.
    start : (float, float), optional
        Common start; ``None`` means the surface's ``default_start``.
    caption : str
        One line: what to notice.
    title : str
        Figure title; empty for the surface and its formula.

    Examples
    --------
    >>> from rmsprop_viz.core.surfaces import Quadratic
    >>> scene = Scene("bowl", Quadratic(condition=4), (OptimizerSpec("sgd", {"lr": 0.1}),), n_steps=20)
    >>> scene.surface
    {'name': 'quadratic', 'params': {'condition': 4.0, 'angle': 0.0, 'scale': 1.0}}
    >>> scene.run()["SGD"].params.shape
    (21, 1, 2)
    >>> scene.with_changes(n_steps=5).run()["SGD"].n_steps
    5
    >>> import json
    >>> Scene.from_recipe(json.loads(json.dumps(scene.to_recipe()))) == scene
    True
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
                f"name must be a non-empty one-line string of at most {MAX_LABEL} characters, "
                f"got {describe_value(self.name)}"
            )
        try:
            steps = check_int("n_steps", self.n_steps, low=1, high=MAX_SCENE_STEPS)
        except (ValueError, OverflowError):
            raise ValueError(
                f"n_steps must be an integer in [1, {MAX_SCENE_STEPS}], got {describe_value(self.n_steps)} "
                f"(the limit is MAX_SCENE_STEPS = {MAX_SCENE_STEPS})"
            ) from None
        object.__setattr__(self, "n_steps", steps)
        if self.start is not None:
            point: Any = self.start
            if isinstance(point, (str, Mapping)) or (
                isinstance(point, Sequence) and any(isinstance(v, (str, bool, np.bool_)) for v in point)
            ):
                raise ValueError(f"start must be a point (x, y) of two finite numbers, got {describe_value(point)}")
            try:
                x, y = check_point("start", point)
            except OverflowError:
                raise ValueError(f"start must be a point (x, y) of two finite numbers, got {self.start!r}") from None
            object.__setattr__(self, "start", (x + 0.0, y + 0.0))  # -0.0 + 0.0 is 0.0: no "-0" in a recipe
        for key, most in (("caption", MAX_CAPTION), ("title", MAX_LABEL)):
            text = getattr(self, key)
            if not isinstance(text, str) or "\n" in text or len(text) > most:
                raise ValueError(
                    f"{key} must be a one-line string of at most {most} characters, got {describe_value(text)}"
                )
        raw: Any = self.optimizers
        if isinstance(raw, (str, Mapping, OptimizerSpec)) or not isinstance(raw, Sequence) or not raw:
            raise ValueError(f"optimizers must be a non-empty sequence of OptimizerSpec, got {describe_value(raw)}")
        if len(raw) > MAX_OPTIMIZERS:
            raise ValueError(f"optimizers must hold at most MAX_OPTIMIZERS = {MAX_OPTIMIZERS} racers, got {len(raw)}")
        object.__setattr__(self, "surface", canonical_surface_spec(self.surface))
        specs = tuple(optimizer_spec_from(s, f"optimizers[{i}]") for i, s in enumerate(raw))
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
            shown = {k: v for k, v in spec.params.items() if not _hidden(spec, k, v)}
            out.append(f"{spec.label} ({OptimizerSpec(spec.factory, shown).describe()})" if shown else spec.label)
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

        The schema is checked by :func:`~rmsprop_viz.scenes.recipes.scene_fields`: a recipe
        may carry extra sections ``"export"`` and ``"sweep"`` (written by the command line),
        which are ignored here; anything else unknown is an error, so that a typo does not
        pass silently.
        """
        fields = scene_fields(recipe)
        try:
            return cls(**fields)
        except ValueError as error:
            raise ValueError(f"recipe: {error}") from None

    def with_changes(self, **changes: Any) -> Scene:
        """A copy with some fields replaced (and checked again)."""
        return dataclasses.replace(self, **changes)


def default_scene(surface: Surface, n_steps: int | None = None, kinds: Sequence[str] | None = None) -> Scene:
    """The default race on ``surface`` (:func:`~rmsprop_viz.scenes.specs.default_specs`) as a
    scene named after it, of ``n_steps`` steps (default: the surface's
    :func:`~rmsprop_viz.scenes.specs.default_steps`).

    >>> from rmsprop_viz.core.surfaces import Quadratic, Rosenbrock
    >>> default_scene(Rosenbrock()).n_steps, default_scene(Quadratic()).n_steps
    (1200, 500)
    """
    steps = default_steps(surface) if n_steps is None else n_steps
    return Scene(surface.name, surface_to_spec(surface), tuple(default_specs(surface, kinds)), steps)
