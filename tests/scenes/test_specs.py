"""Surface specs and optimizer specs: round trips, errors, the default race on every surface."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz import scenes
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.core.surfaces import (
    Beale,
    Himmelblau,
    MiniBatchLeastSquares,
    Noisy,
    Quadratic,
    Rastrigin,
    Rosenbrock,
    Saddle,
    Shifting,
)
from rmsprop_viz.scenes import (
    Scene,
    default_spec,
    default_specs,
    surface_from_spec,
    surface_to_spec,
)

# ----------------------------------------------------------------- surface specs

SURFACES = [
    Rosenbrock(a=2.0, b=50.0),
    Quadratic(condition=30.0, angle=20.0, scale=0.5),
    Beale(),
    Himmelblau(),
    Saddle(),
    Rastrigin(),
    Noisy(Rosenbrock(a=0.5), sigma=0.3, seed=7),
    MiniBatchLeastSquares(n_samples=64, batch_size=4, feature_scales=(2.0, 0.5), noise=0.1, seed=3),
    Shifting(Noisy(Quadratic(condition=5.0), sigma=0.2, seed=1), at_step=7, scale=3.0, shift=(-1.0, 0.5)),
]


def test_the_spec_tests_cover_every_surface() -> None:
    assert {s.name for s in SURFACES} == set(rv.surfaces.names())


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_surface_spec_round_trip(surface: Any) -> None:
    spec = surface_to_spec(surface)
    assert spec["name"] == surface.name
    text = json.dumps(spec, allow_nan=False)
    rebuilt = surface_from_spec(json.loads(text))
    assert rebuilt == surface
    assert type(rebuilt) is type(surface)
    points = np.array([[0.3, -0.2], [1.1, 0.7]])
    for step in (0, 5, 9):
        np.testing.assert_array_equal(rebuilt.value(points, step), surface.value(points, step))
        np.testing.assert_array_equal(rebuilt.grad(points, step), surface.grad(points, step))


def test_nested_specs_and_lists() -> None:
    spec = surface_to_spec(SURFACES[-1])
    assert spec["params"]["shift"] == [-1.0, 0.5]
    base = spec["params"]["base"]
    assert base["name"] == "noisy"
    assert base["params"]["base"] == {"name": "quadratic", "params": {"condition": 5.0, "angle": 0.0, "scale": 1.0}}
    assert surface_to_spec(SURFACES[7])["params"]["feature_scales"] == [2.0, 0.5]


def test_spec_defaults_and_errors() -> None:
    assert surface_from_spec({"name": "quadratic"}) == Quadratic()
    with pytest.raises(ValueError, match="surface must be one of"):
        surface_from_spec({"name": "banana", "params": {}})
    with pytest.raises(ValueError, match="missing the key 'name'"):
        surface_from_spec({"params": {}})
    with pytest.raises(ValueError, match="takes the parameters"):
        surface_from_spec({"name": "quadratic", "params": {"bogus": 1}})
    with pytest.raises(ValueError, match=r"surface\.params\.base\.params\.condition must be"):
        surface_from_spec({"name": "noisy", "params": {"base": {"name": "quadratic", "params": {"condition": 0.1}}}})
    with pytest.raises(ValueError, match="unknown key 'parameters'"):
        surface_from_spec({"name": "quadratic", "parameters": {}})

    class Custom:
        name = "custom"

    with pytest.raises(ValueError, match="only the built-in surfaces"):
        surface_to_spec(Custom())


@pytest.mark.parametrize("surface", rv.surfaces.names())
def test_default_specs_of_every_kind_do_not_diverge(surface: str) -> None:
    built = rv.surfaces.get(surface)
    specs = default_specs(built, list(KINDS))
    assert [s.kind for s in specs] == list(KINDS)
    assert [s.label for s in specs] == [kind.label for kind in KINDS.values()]
    result = Scene("all", built, tuple(specs), n_steps=300).run()  # type: ignore[arg-type]
    for label, traj in result.items():
        assert traj.diverged_at[0] == -1, f"{label} diverged on {surface}"


def test_default_specs_keep_their_old_behaviour() -> None:
    assert [s.label for s in default_specs("rosenbrock")] == ["SGD", "Adagrad", "RMSProp", "Adam"]
    assert default_specs(Quadratic(condition=200))[0].params == {"lr": 0.0075}
    with pytest.raises(ValueError, match="optimizer must be one of sgd, momentum"):
        default_spec("lion", "quadratic")


def test_default_specs_are_built_from_the_kinds_table() -> None:
    from rmsprop_viz.core import kinds

    assert scenes.OptimizerSpec is kinds.OptimizerSpec  # one class, re-exported for users
    for name, kind in KINDS.items():
        spec = default_spec(name, "quadratic")
        assert (spec.factory, spec.label, spec.kind) == (kind.factory, kind.label, name)
        assert {k: spec.params[k] for k in kind.fixed} == dict(kind.fixed)
    # RMSProp's and Adam's decays and epsilon at their factory defaults (design.md's table).
    assert default_spec("rmsprop", "beale").params == {"lr": 0.005, "beta": 0.9, "eps": 1e-8}
    assert default_spec("adam", "beale").params == {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    # Momentum and Nesterov at half of SGD's rate, to two significant digits.
    assert default_spec("momentum", Quadratic(condition=5)).params == {"lr": 0.15, "momentum": 0.9}  # SGD: 1.5/5


def test_default_steps() -> None:
    assert scenes.default_steps("rosenbrock") == scenes.default_steps(Rosenbrock(b=10)) == 1200
    for name in rv.surfaces.names()[1:]:
        assert scenes.default_steps(name) == scenes.FALLBACK_STEPS == 500
        assert scenes.default_scene(rv.surfaces.get(name)).n_steps == 500


@pytest.mark.parametrize("name", ["noisy", "shifting"])
def test_dotted_keys_reach_the_nested_surface(name: str) -> None:
    spec = {"name": name, "params": {"base.condition": 50, "base.angle": 30.0}}
    assert surface_from_spec(spec).base == Quadratic(condition=50, angle=30)  # type: ignore[attr-defined]
    given = {"name": name, "params": {"base": "rosenbrock", "base.b": 10}}
    assert surface_from_spec(given).base == rv.Rosenbrock(b=10)  # type: ignore[attr-defined]
    recipe = {**scenes.get("saddle").to_recipe(), "surface": spec}
    assert Scene.from_recipe(recipe).surface["params"]["base"]["params"]["condition"] == 50.0
    with pytest.raises(ValueError, match=r"surface\.params\.base\.condition: surface 'quadratic' has no nested"):
        surface_from_spec({"name": "quadratic", "params": {"base.condition": 50}})
