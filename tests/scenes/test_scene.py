"""The Scene: fields checked when it is made, legends, limits named in the message."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rmsprop_viz import scenes
from rmsprop_viz.core.surfaces import (
    Quadratic,
)
from rmsprop_viz.scenes import (
    OptimizerSpec,
    Scene,
    default_spec,
    default_specs,
)


def test_scene_accepts_a_surface_object_and_mappings() -> None:
    scene = Scene(
        "bowl",
        Quadratic(condition=4),  # type: ignore[arg-type]
        ({"factory": "rmsprop", "params": {"lr": np.float64(0.1)}},),  # type: ignore[arg-type]
        n_steps=np.int64(12),
        start=[1, -1],  # type: ignore[arg-type]
    )
    assert scene.surface == {"name": "quadratic", "params": {"condition": 4.0, "angle": 0.0, "scale": 1.0}}
    assert scene.optimizers == (OptimizerSpec("rmsprop", {"lr": 0.1}),)
    assert type(scene.optimizers[0].params["lr"]) is float
    assert scene.start == (1.0, -1.0)
    assert scene.n_steps == 12
    assert scene.build_surface() == Quadratic(condition=4)
    assert scene.run()["RMSProp"].params[0, 0].tolist() == [1.0, -1.0]


def test_with_changes_checks_again() -> None:
    scene = scenes.get("rotated")
    shorter = scene.with_changes(n_steps=10)
    assert shorter.n_steps == 10
    assert shorter.caption == scene.caption
    with pytest.raises(ValueError, match="n_steps"):
        scene.with_changes(n_steps=0)
    with pytest.raises(ValueError, match="lr must be"):
        scene.with_changes(optimizers=(OptimizerSpec("sgd", {"lr": -1.0}),))
    with pytest.raises(ValueError, match="single number"):
        scene.with_changes(optimizers=(OptimizerSpec("sgd", {"lr": [0.1, 0.2]}),))


def test_legend_labels_show_the_hyperparameters_that_matter() -> None:
    scene = Scene(
        "legend",
        {"name": "quadratic"},
        (
            default_spec("sgd", "quadratic"),
            default_spec("nesterov", "quadratic"),
            default_spec("rmsprop", "quadratic"),
            OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.99, "eps": 1e-3, "centered": True}, "RMSProp, centered"),
            default_spec("adam", "quadratic"),
        ),
        n_steps=5,
    )
    assert scene.legend_labels() == [
        "SGD (lr=0.15)",
        "Nesterov (lr=0.075, momentum=0.9)",
        "RMSProp (lr=0.02, beta=0.9)",
        "RMSProp, centered (lr=0.01, beta=0.99, eps=0.001)",
        "Adam (lr=0.1, beta1=0.9, beta2=0.999)",
    ]


def test_scenes_module_does_not_import_matplotlib() -> None:
    code = "import sys, rmsprop_viz.scenes as s; s.get('saddle').run(); print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_scene_s_step_limit_is_within_the_engine_s() -> None:
    from rmsprop_viz.engine.run import MAX_STEPS

    assert 1000 <= scenes.MAX_SCENE_STEPS <= MAX_STEPS  # every scene can be raced


def test_scene_sizes_have_limits_named_in_the_message() -> None:
    scene = scenes.get("saddle")
    with pytest.raises(ValueError, match=r"n_steps must be an integer in \[1, 100000\].*MAX_SCENE_STEPS = 100000"):
        scene.with_changes(n_steps=scenes.MAX_SCENE_STEPS + 1)
    assert scene.with_changes(n_steps=scenes.MAX_SCENE_STEPS).n_steps == scenes.MAX_SCENE_STEPS
    many = tuple(OptimizerSpec("sgd", {"lr": 0.01}, f"SGD {i}") for i in range(scenes.MAX_OPTIMIZERS + 1))
    with pytest.raises(ValueError, match=r"at most MAX_OPTIMIZERS = 12 racers, got 13"):
        scene.with_changes(optimizers=many)
    with pytest.raises(ValueError, match="caption must be a one-line string of at most 2000 characters"):
        scene.with_changes(caption="x" * 2001)


def test_negative_zero_is_read_as_zero_in_settings_and_start() -> None:
    spec = OptimizerSpec("rmsprop", {"lr": 0.1, "beta": -0.0})
    scene = scenes.get("rosenbrock").with_changes(optimizers=(spec,), start=(-0.0, 1.0))
    recipe = json.loads(scenes.recipe_json(scene.to_recipe()))
    assert "-0" not in spec.describe()
    assert "-0" not in " ".join(scene.legend_labels())
    assert "-0" not in json.dumps(recipe)
    assert np.copysign(1.0, scene.optimizers[0].params["beta"]) == 1.0
    assert np.copysign(1.0, scene.start[0]) == 1.0  # type: ignore[index]


def test_minibatch_work_is_limited_before_running() -> None:
    surface = {"name": "minibatch", "params": {"n_samples": 1_000_000, "batch_size": 1_000_000}}
    racers = tuple(default_specs("minibatch", ["sgd", "adam"]))
    # batch_size x steps x racers: 10**6 x 100 x 2 = 2e8 is the limit itself, one step more is over.
    allowed = scenes.MAX_BATCH_WORK // (1_000_000 * 2)
    Scene("mb", surface, racers, allowed)
    with pytest.raises(ValueError, match=r"x 2 racers = .* MAX_BATCH_WORK"):
        Scene("mb", surface, racers, allowed + 1)
    # The same holds inside a noisy surface.
    noisy = {"name": "noisy", "params": {"base": surface, "sigma": 0.1}}
    with pytest.raises(ValueError, match="MAX_BATCH_WORK"):
        Scene("mb", noisy, racers, allowed + 1)
