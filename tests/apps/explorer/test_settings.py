"""The explorer's settings: scenes in and out, and which factory parameter each setting sets."""

from __future__ import annotations

import pathlib

import numpy as np
from _explorer_helpers import plain_text

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.scenes import OptimizerSpec, Scene, surface_to_spec


def test_a_preset_with_two_rmsprops_says_which_one_the_explorer_shows() -> None:
    e = rv.explore("first-step", backend="image")
    status = plain_text(e.status.value)
    assert "two RMSProp runs (beta 0.99 and beta 0.9)" in status
    assert "the explorer shows one: beta 0.99" in status
    # what it says runs is what runs, and what the legend says
    expected = rv.run(rv.Quadratic(), rv.rmsprop(0.05, beta=0.99), start=e.settings.start, n_steps=e.settings.n_steps)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    assert "RMSProp: lr=0.05, beta=0.99," in plain_text(e.legend.value)
    # the same through the preset menu, from another scene
    other = rv.explore("rosenbrock", backend="image", n_steps=30)
    assert "RMSProp runs" not in other.status.value
    other.preset.value = "first-step"
    assert "the explorer shows one: beta 0.99" in plain_text(other.status.value)
    # once the race is no longer the scene's, the note goes
    other.beta.value = 0.5
    assert "RMSProp runs" not in other.status.value


def test_a_hyperparameter_without_a_control_is_named_with_what_runs_instead(tmp_path: pathlib.Path) -> None:
    scene = Scene(
        name="mine",
        surface=surface_to_spec(rv.Quadratic()),
        optimizers=(
            OptimizerSpec("rmsprop", {"lr": 0.01, "initial_v": 0.5}, label="RMSProp"),
            OptimizerSpec("adam", {"lr": 0.02, "bias_correction": False}, label="Adam"),
        ),
        n_steps=30,
    )
    e = rv.explore(scene, backend="image")
    status = plain_text(e.status.value)
    assert "RMSProp's initial_v 0.5 has no place in the explorer: it runs with initial_v 0." in status
    assert "Adam's bias_correction False has no place in the explorer: it runs with bias_correction True." in status
    expected = rv.run(rv.Quadratic(), rv.rmsprop(0.01), start=e.settings.start, n_steps=30)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)


def test_every_preset_races_in_the_explorer_as_the_scene_runs_it() -> None:
    # Adagrad's own epsilon (1e-10, outside the root) differs from RMSProp's (1e-8,
    # inside): each keeps its own until the shared epsilon controls are moved.
    for name in rv.scenes.names():
        scene = rv.scenes.get(name)
        e = rv.explore(name, backend="image")
        runs = scene.run()
        for key in ex.KEYS:
            if not e.settings.enabled[key]:
                continue
            label = next(s.label for s in scene.optimizers if KINDS[key].label in s.label)
            np.testing.assert_array_equal(e.results[key].params, runs[label].params, err_msg=f"{name}: {key}")
    e = rv.explore("rosenbrock", backend="image", n_steps=40)
    assert "Adagrad: lr=0.1, eps=1e-10, eps_in_sqrt=False" in plain_text(e.legend.value)
    e.epsilon.value = 1e-4  # the shared control now sets every optimizer's epsilon
    expected = rv.run(rv.Rosenbrock(), rv.adagrad(0.1, eps=1e-4), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adagrad"].params, expected.params)
    e.eps_place.value = False
    e.eps_place.value = True
    expected = rv.run(rv.Rosenbrock(), rv.adagrad(0.1, eps=1e-4, eps_in_sqrt=True), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adagrad"].params, expected.params)
    assert rv.explore("rosenbrock", backend="image", epsilon=1e-3).settings.spec("adagrad").params["eps"] == 1e-3
