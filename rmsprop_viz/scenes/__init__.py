"""Scenes: a race described by data, ready to replay, share and animate.

An optimizer is described by data (factory name, label and hyperparameters) rather than
by closures, an :class:`~rmsprop_viz.core.kinds.OptimizerSpec`, so it can be printed in a
legend, written to a JSON recipe and built again exactly. A surface is described the same
way by a *surface spec*, ``{"name": "quadratic", "params": {"condition": 10.0, ...}}``.

A :class:`Scene` puts the two together with a start, a number of steps and a one-line
caption saying what to notice. :data:`SCENES` holds the classroom presets; each is tuned
so that its picture makes its point in its step count. A scene turns into a JSON
*recipe* and back without losing a bit, so a figure's recipe rebuilds exactly the runs it
shows. This package needs numpy only. Its modules:

- :mod:`~rmsprop_viz.scenes.limits`: what a scene, a recipe or the command line may ask for;
- :mod:`~rmsprop_viz.scenes.recipes`: the recipe schema, reading and writing recipe files;
- :mod:`~rmsprop_viz.scenes.specs`: surface specs, optimizer specs, the default race on a surface;
- :mod:`~rmsprop_viz.scenes.scene`: the :class:`Scene` itself;
- :mod:`~rmsprop_viz.scenes.presets`: the classroom presets, read from ``presets.json``.

>>> scene = get("ill-conditioned")
>>> scene.legend_labels()
['SGD (lr=0.075)', 'RMSProp (lr=0.05, beta=0.9)']
>>> import json
>>> Scene.from_recipe(json.loads(json.dumps(scene.to_recipe()))) == scene
True
"""

from __future__ import annotations

from rmsprop_viz.core.kinds import OptimizerSpec
from rmsprop_viz.scenes.limits import (
    DPI_RANGE,
    FPS_RANGE,
    MAX_BATCH_WORK,
    MAX_CAPTION,
    MAX_FRAMES,
    MAX_JSON_DEPTH,
    MAX_JSON_ITEMS,
    MAX_LABEL,
    MAX_OPTIMIZERS,
    MAX_RECIPE_BYTES,
    MAX_SCENE_STEPS,
    MAX_SWEEP_CELLS,
    MAX_SWEEP_RUN_STEPS,
)
from rmsprop_viz.scenes.presets import SCENES, get, names
from rmsprop_viz.scenes.recipes import RECIPE_FORMAT, RECIPE_VERSION, read_recipe, recipe_json
from rmsprop_viz.scenes.scene import Scene, batch_size_of, check_batch_work, default_scene
from rmsprop_viz.scenes.specs import (
    DEFAULT_LR,
    DEFAULT_STEPS,
    FALLBACK_STEPS,
    default_spec,
    default_specs,
    default_steps,
    surface_from_spec,
    surface_to_spec,
)

__all__ = [
    "DEFAULT_LR",
    "DEFAULT_STEPS",
    "DPI_RANGE",
    "FALLBACK_STEPS",
    "FPS_RANGE",
    "MAX_BATCH_WORK",
    "MAX_CAPTION",
    "MAX_FRAMES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_ITEMS",
    "MAX_LABEL",
    "MAX_OPTIMIZERS",
    "MAX_RECIPE_BYTES",
    "MAX_SCENE_STEPS",
    "MAX_SWEEP_CELLS",
    "MAX_SWEEP_RUN_STEPS",
    "RECIPE_FORMAT",
    "RECIPE_VERSION",
    "SCENES",
    "OptimizerSpec",
    "Scene",
    "batch_size_of",
    "check_batch_work",
    "default_scene",
    "default_spec",
    "default_specs",
    "default_steps",
    "get",
    "names",
    "read_recipe",
    "recipe_json",
    "surface_from_spec",
    "surface_to_spec",
]
