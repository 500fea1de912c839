"""Scenes and recipes: the presets run and make their point, recipes round-trip exactly."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz import scenes
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
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.scenes import (
    KINDS,
    OptimizerSpec,
    Scene,
    default_spec,
    default_specs,
    kind_of,
    surface_from_spec,
    surface_to_spec,
)

REQUIRED = ["rosenbrock", "ill-conditioned", "rotated", "saddle", "beale", "noisy-bowl", "minibatch", "rescaled"]


def _same(a: Trajectory, b: Trajectory) -> bool:
    arrays = ["params", "values", "grads", "updates", "diverged_at"]
    same = all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in arrays)
    return same and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a.states, b.states))


def _gaps(name: str) -> tuple[Scene, Any, dict[str, Trajectory], dict[str, np.ndarray]]:
    scene = scenes.get(name)
    surface = scene.build_surface()
    result = scene.run()
    target = float(surface.value(surface.minima[0]))
    return scene, surface, result, {k: t.values[:, 0] - target for k, t in result.items()}


# ------------------------------------------------------------------------ presets


def test_the_classroom_presets_exist() -> None:
    assert set(REQUIRED) <= set(scenes.names())
    assert list(scenes.SCENES) == scenes.names()
    for name in scenes.names():
        scene = scenes.get(name)
        assert scene.name == name
        assert scene.caption
        assert "\n" not in scene.caption


@pytest.mark.parametrize("name", scenes.names())
def test_every_scene_runs_and_stays_finite(name: str) -> None:
    scene = scenes.get(name)
    result = scene.run()  # warnings are errors in this suite: no numpy warning may escape
    assert list(result) == [s.label for s in scene.optimizers]
    labels = scene.legend_labels()
    assert len(set(labels)) == len(labels) == len(scene.optimizers)
    if "diverge" in scene.caption:
        return
    for label, traj in result.items():
        assert traj.n_steps == scene.n_steps
        assert int(traj.diverged_at[0]) == -1, f"{name}: {label} diverged at step {traj.diverged_at[0]}"
        assert np.isfinite(traj.params).all()
        assert np.isfinite(traj.values).all()


@pytest.mark.parametrize("name", scenes.names())
def test_every_recipe_survives_json_exactly(name: str) -> None:
    scene = scenes.get(name)
    recipe = scene.to_recipe()
    assert recipe["format"] == "rmsprop_viz recipe"
    assert recipe["version"] == 1
    text = json.dumps(recipe, allow_nan=False)
    rebuilt = Scene.from_recipe(json.loads(text))
    assert rebuilt == scene
    assert rebuilt.to_recipe() == recipe
    before, after = scene.run(), rebuilt.run()
    assert list(before) == list(after)
    for label in before:
        assert _same(before[label], after[label]), label


def test_get_unknown_scene_lists_the_names() -> None:
    with pytest.raises(ValueError, match="scene must be one of rosenbrock, ill-conditioned") as info:
        scenes.get("banana")
    assert "banana" in str(info.value)


# --------------------------------------------------- each preset makes its point


def test_rosenbrock_scene() -> None:
    _, _, _, gap = _gaps("rosenbrock")
    final = {k: v[-1] for k, v in gap.items()}
    assert min(final, key=final.__getitem__) == "Adam"  # arrives first
    assert max(final, key=final.__getitem__) == "Adagrad"  # stalls
    assert final["RMSProp"] < final["SGD"] < 1.0  # SGD crawls along the floor


def test_ill_conditioned_scene() -> None:
    _, _, result, gap = _gaps("ill-conditioned")
    sgd_y = result["SGD"].params[:20, 0, 1]
    rms_y = result["RMSProp"].params[:20, 0, 1]
    assert np.count_nonzero(np.diff(np.sign(sgd_y))) >= 15  # SGD zig-zags across the steep axis
    assert np.count_nonzero(np.diff(np.sign(rms_y))) == 0  # RMSProp does not
    assert gap["RMSProp"][-1] < gap["SGD"][-1] / 100


def test_rotated_scene_removes_rmsprops_advantage() -> None:
    _, _, _, gap = _gaps("rotated")
    _, _, _, axis_aligned = _gaps("ill-conditioned")
    assert gap["SGD"][-1] < gap["RMSProp"][-1] / 100
    assert gap["RMSProp"][-1] > 1000 * axis_aligned["RMSProp"][-1]
    # Bowl and start turned together: SGD's losses are the same, up to rounding.
    np.testing.assert_allclose(gap["SGD"], axis_aligned["SGD"], rtol=1e-9)


def test_saddle_scene() -> None:
    _, _, result, gap = _gaps("saddle")
    left = {k: int(np.argmax(t.params[:, 0, 1] > 0.5)) for k, t in result.items()}
    assert left["SGD"] > 100
    assert all(left[k] <= 15 for k in ("Adagrad", "RMSProp", "Adam"))
    assert all(v[-1] < 1e-3 for v in gap.values())  # everyone gets there in the end


def test_beale_scene() -> None:
    scene, _, result, gap = _gaps("beale")
    first = {k: float(np.linalg.norm(t.updates[0, 0])) for k, t in result.items()}
    assert first["SGD"] > 4.0  # thrown across the map
    assert all(first[k] < 1.0 for k in ("Adagrad", "RMSProp", "Adam"))
    assert gap["RMSProp"][-1] < gap["SGD"][-1]
    doubled = scene.with_changes(optimizers=(OptimizerSpec("sgd", {"lr": 0.01}),)).run()["SGD"]
    assert doubled.diverged_at[0] > 0


def test_noisy_bowl_scene() -> None:
    _, _, _, gap = _gaps("noisy-bowl")
    jitter = {k: float(v[150:].mean()) for k, v in gap.items()}
    assert min(jitter, key=jitter.__getitem__) == "Adam"
    assert all(v[-1] > 1e-6 for v in gap.values())  # nobody settles
    assert all((v[:150] < 0.1).any() for v in gap.values())  # everybody reaches the bottom


def test_minibatch_scene() -> None:
    _, _, _, gap = _gaps("minibatch")
    for v in gap.values():
        assert (v[:150] < 0.1).any()
        assert v[150:].min() > 1e-7  # wanders, never sits on the minimum
        assert v[-1] < 0.05


def test_rescaled_scene() -> None:
    _, surface, result, gap = _gaps("rescaled")
    new = np.asarray(surface.minima[-1])
    distance = {k: np.linalg.norm(t.params[:, 0] - new, axis=1) for k, t in result.items()}
    assert all(v[99] < 1e-3 for v in gap.values())  # the first minimum was reached
    assert distance["RMSProp"][200] < 0.05
    assert all(distance[k][-1] > 0.5 for k in ("SGD", "Adagrad", "Adam"))


def test_first_step_scene() -> None:
    _, _, result, _ = _gaps("first-step")
    lr = 0.05
    steps = {k: np.abs(t.updates[0, 0]) for k, t in result.items()}
    np.testing.assert_allclose(steps["RMSProp, beta 0.99"], 10 * lr, rtol=1e-4)
    np.testing.assert_allclose(steps["RMSProp, beta 0.9"], lr / np.sqrt(0.1), rtol=1e-4)
    np.testing.assert_allclose(steps["Adam"], lr, rtol=1e-4)


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


# ---------------------------------------------------------------------- recipes


def _recipe() -> dict[str, Any]:
    return scenes.get("saddle").to_recipe()


def _without(key: str) -> dict[str, Any]:
    recipe = _recipe()
    del recipe[key]
    return recipe


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    recipe = copy.deepcopy(_recipe())
    target: Any = recipe
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return recipe


@pytest.mark.parametrize(
    ("recipe", "words"),
    [
        (_without("format"), "missing the key 'format'"),
        (_without("version"), "missing the key 'version'"),
        (_without("surface"), "missing the key 'surface'"),
        (_without("optimizers"), "missing the key 'optimizers'"),
        (_without("n_steps"), "missing the key 'n_steps'"),
        (_without("name"), "missing the key 'name'"),
        (_with(("format",), "something else"), "'format' must be 'rmsprop_viz recipe'"),
        (_with(("version",), 2), "'version' must be 1, got 2"),
        (_with(("version",), True), "'version' must be 1"),
        (_with(("surface", "name"), "banana"), "surface must be one of"),
        (_with(("surface", "params", "bogus"), 1.0), "takes the parameters"),
        (
            _with(("optimizers", 1, "factory"), "lion"),
            "optimizers[1].factory must be one of sgd, adagrad, rmsprop, adam",
        ),
        (
            _with(("optimizers", 2, "params", "beta"), 1.5),
            "optimizers[2].params.beta must be a finite number in [0, 1), got 1.5",
        ),
        (
            _with(("optimizers", 2, "params", "gamma"), 0.5),
            "optimizers[2].params has an unknown key 'gamma'; rmsprop takes lr, beta",
        ),
        (_with(("optimizers", 1, "label"), "SGD"), "labels must differ"),
        (_with(("optimizers",), []), "'optimizers' must be a non-empty list"),
        (_with(("n_steps",), 0), "n_steps must be an integer in [1, 100000], got 0"),
        (_with(("start",), [1.0]), "start must be a point"),
        (_with(("caption",), "two\nlines"), "caption must be a one-line string"),
        (_with(("colour",), "red"), "unknown key 'colour'"),
    ],
)
def test_bad_recipes_name_the_problem(recipe: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match="recipe") as info:
        Scene.from_recipe(recipe)
    assert words in str(info.value)


def test_a_recipe_must_be_a_mapping() -> None:
    with pytest.raises(ValueError, match="a recipe must be a JSON object"):
        Scene.from_recipe([1, 2])  # type: ignore[arg-type]


def test_recipes_may_carry_export_and_sweep_sections() -> None:
    recipe = {**_recipe(), "export": {"fps": 12}, "sweep": {"metric": "best"}}
    assert Scene.from_recipe(recipe) == scenes.get("saddle")


# ------------------------------------------------------------------------ scenes


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


@pytest.mark.parametrize("surface", rv.surfaces.names())
def test_default_specs_of_every_kind_do_not_diverge(surface: str) -> None:
    built = rv.surfaces.get(surface)
    specs = default_specs(built, list(KINDS))
    assert [kind_of(s) for s in specs] == list(KINDS)
    assert [s.label for s in specs] == list(KINDS.values())
    result = Scene("all", built, tuple(specs), n_steps=300).run()  # type: ignore[arg-type]
    for label, traj in result.items():
        assert traj.diverged_at[0] == -1, f"{label} diverged on {surface}"


def test_default_specs_keep_their_old_behaviour() -> None:
    assert [s.label for s in default_specs("rosenbrock")] == ["SGD", "Adagrad", "RMSProp", "Adam"]
    assert default_specs(Quadratic(condition=200))[0].params == {"lr": 0.0075}
    with pytest.raises(ValueError, match="optimizer must be one of sgd, momentum"):
        default_spec("lion", "quadratic")


def test_scenes_module_does_not_import_matplotlib() -> None:
    code = "import sys, rmsprop_viz.scenes as s; s.get('saddle').run(); print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# ------------------------------------------------------------- limits and field paths


@pytest.mark.parametrize("name", ["noisy", "shifting"])
def test_dotted_keys_reach_the_nested_surface(name: str) -> None:
    spec = {"name": name, "params": {"base.condition": 50, "base.angle": 30.0}}
    assert surface_from_spec(spec).base == Quadratic(condition=50, angle=30)  # type: ignore[attr-defined]
    given = {"name": name, "params": {"base": "rosenbrock", "base.b": 10}}
    assert surface_from_spec(given).base == rv.Rosenbrock(b=10)  # type: ignore[attr-defined]
    recipe = _with(("surface",), spec)
    assert Scene.from_recipe(recipe).surface["params"]["base"]["params"]["condition"] == 50.0
    with pytest.raises(ValueError, match=r"surface\.params\.base\.condition: surface 'quadratic' has no nested"):
        surface_from_spec({"name": "quadratic", "params": {"base.condition": 50}})


def test_scene_sizes_have_limits_named_in_the_message() -> None:
    scene = scenes.get("saddle")
    with pytest.raises(ValueError, match=r"n_steps must be an integer in \[1, 100000\].*MAX_STEPS = 100000"):
        scene.with_changes(n_steps=scenes.MAX_STEPS + 1)
    assert scene.with_changes(n_steps=scenes.MAX_STEPS).n_steps == scenes.MAX_STEPS
    many = tuple(OptimizerSpec("sgd", {"lr": 0.01}, f"SGD {i}") for i in range(scenes.MAX_OPTIMIZERS + 1))
    with pytest.raises(ValueError, match=r"at most MAX_OPTIMIZERS = 12 racers, got 13"):
        scene.with_changes(optimizers=many)
    with pytest.raises(ValueError, match="caption must be a one-line string of at most 2000 characters"):
        scene.with_changes(caption="x" * 2001)


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (("start",), [float("inf"), 0.0], "start[0] must be a finite number"),
        (("n_steps",), 10**30, "n_steps must be a number of at most 2**53"),
        (("optimizers", 0, "params", "lr"), [0.1], "optimizers[0].params.lr must be a single number"),
        (("optimizers", 0, "params", "momentum"), "lots", "optimizers[0].params.momentum must be a finite number"),
        (("optimizers", 0, "label"), "x\ny", "optimizers[0].label must be a one-line string"),
        (("surface", "params", "b"), {"deep": [[[[[[[[[[[[1]]]]]]]]]]]]}, "nested deeper than MAX_JSON_DEPTH"),
        (("optimizers",), [{"factory": "sgd"}] * 1001, "optimizers must hold at most MAX_JSON_ITEMS = 1000"),
        (("export",), "fast", "export must be a mapping"),
    ],
)
def test_recipe_errors_name_the_field_by_its_path(path: tuple[Any, ...], value: Any, words: str) -> None:
    with pytest.raises(ValueError, match="recipe") as info:
        Scene.from_recipe(_with(path, value))
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_recipe_json_is_the_text_written_beside_a_file() -> None:
    recipe = scenes.get("ill-conditioned").to_recipe()
    text = scenes.recipe_json(recipe)
    assert text.endswith("}\n")
    assert "25×" in text  # UTF-8, not \u escapes
    assert json.loads(text) == recipe
    with pytest.raises(ValueError, match="recipe cannot be written as JSON"):
        scenes.recipe_json({"lr": float("nan")})


def test_a_recipe_file_that_gives_a_key_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text('{"format": "rmsprop_viz recipe", "n_steps": 5, "n_steps": 6}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"'n_steps' is given twice") as info:
        rv.scenes.read_recipe(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


# ------------------------------------------------------------ settings read once, checked early


def test_negative_zero_is_read_as_zero_in_settings_and_start() -> None:
    spec = OptimizerSpec("rmsprop", {"lr": 0.1, "beta": -0.0})
    scene = scenes.get("rosenbrock").with_changes(optimizers=(spec,), start=(-0.0, 1.0))
    recipe = json.loads(scenes.recipe_json(scene.to_recipe()))
    assert "-0" not in spec.describe()
    assert "-0" not in " ".join(scene.legend_labels())
    assert "-0" not in json.dumps(recipe)
    assert np.copysign(1.0, scene.optimizers[0].params["beta"]) == 1.0
    assert np.copysign(1.0, scene.start[0]) == 1.0  # type: ignore[index]


@pytest.mark.parametrize("start", [["1", "2"], [True, 2], "12"])
def test_recipe_start_refuses_strings_and_booleans(start: Any) -> None:
    recipe = {**scenes.get("rosenbrock").to_recipe(), "start": start}
    with pytest.raises(ValueError, match="start must be a point"):
        Scene.from_recipe(recipe)


@pytest.mark.parametrize("field", ["name", "title", "caption", "label"])
def test_recipe_refuses_lone_surrogates_field_by_field(field: str) -> None:
    recipe = copy.deepcopy(scenes.get("rosenbrock").to_recipe())
    if field == "label":
        recipe["optimizers"][1]["label"] = "a\ud800b"
    else:
        recipe[field] = "a\ud800b"
    where = "optimizers[1].label" if field == "label" else field
    with pytest.raises(ValueError, match=rf"{re.escape(where)} is not valid Unicode text: character 2"):
        Scene.from_recipe(recipe)


def test_n_steps_message_is_short_and_names_the_limit() -> None:
    recipe = {**scenes.get("rosenbrock").to_recipe(), "n_steps": 1e308}
    with pytest.raises(ValueError, match="n_steps") as caught:
        Scene.from_recipe(recipe)
    assert "MAX_STEPS" in str(caught.value)
    assert "1e+308" in str(caught.value)
    assert len(str(caught.value)) < 150


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
