"""The explorer's controls, built from tables: each control reaches its setting and holds values outside its range."""

from __future__ import annotations

import numpy as np

import rmsprop_viz as rv
from rmsprop_viz.scenes import OptimizerSpec, Scene


def test_a_loaded_surface_parameter_outside_its_slider_is_kept_by_later_changes() -> None:
    scene = Scene(
        name="mine",
        surface={"name": "quadratic", "params": {"condition": 1e8, "angle": 0.0, "scale": 2.0}},
        optimizers=(OptimizerSpec("rmsprop", {"lr": 0.01}, label="RMSProp"),),
        n_steps=20,
    )
    e = rv.explore("rosenbrock", backend="image", n_steps=20)
    e.load(scene.to_recipe())
    condition = e.surface_params["quadratic"]["condition"]
    assert condition.value == 1e8  # the slider holds the loaded value (its range widened)
    e.surface_params["quadratic"]["angle"].value = 30.0
    assert e.settings.surface["params"] == {"condition": 1e8, "angle": 30.0, "scale": 2.0}
    expected = rv.run(rv.Quadratic(1e8, angle=30.0, scale=2.0), rv.rmsprop(0.01), start=e.settings.start, n_steps=20)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    # a preset's parameter below its slider (scale 0.01) and one without a slider (shift)
    e.load("rescaled")
    assert e.surface_params["shifting"]["scale"].value == 0.01
    e.surface_params["shifting"]["at_step"].value = 50
    assert e.settings.surface["params"]["scale"] == 0.01
    assert e.settings.surface["params"]["shift"] == [2.0, -1.0]
    # an initial hyperparameter outside its slider survives a change of another one
    f = rv.explore("rosenbrock", backend="image", n_steps=20, beta=0.9999, epsilon=1e-14)
    f.alpha.value = 0.002
    assert (f.settings.beta, f.settings.eps) == (0.9999, 1e-14)
    assert (f.beta.value, f.epsilon.value) == (0.9999, 1e-14)
