"""Recipes: the schema, reading and writing recipe files, exact round trips, errors that name the field."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz import scenes
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.scenes import (
    Scene,
)


def _same(a: Trajectory, b: Trajectory) -> bool:
    arrays = ["params", "values", "grads", "updates", "diverged_at"]
    same = all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in arrays)
    return same and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a.states, b.states))


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
    assert "MAX_SCENE_STEPS = 100000" in str(caught.value)
    assert "1e+308" in str(caught.value)
    assert len(str(caught.value)) < 150
