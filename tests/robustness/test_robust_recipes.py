"""Recipes: every field checked with its type; one line naming the field, exit status 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from _robustness import (
    assert_process_usage_error,
    assert_upper_limit,
    assert_usage_error,
    assert_value_error,
    cli,
    cli_process,
    recipe,
)

from rmsprop_viz.scenes import Scene


def _changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The valid recipe with the field at ``path`` set to ``value`` (``...``: deleted)."""
    data = recipe()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def _write(folder: Path, data: Any, name: str = "recipe.json") -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_the_valid_recipe_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path, recipe())
    result = cli(capsys, "race", "--recipe", path, "--out", tmp_path / "race.png")
    assert result.status == 0, result.err
    assert (tmp_path / "race.png").exists()
    assert Scene.from_recipe(recipe()).n_steps == 5


# Each case: where in the recipe, the wrong value, and what the message must name.
RACE_FIELDS: dict[str, tuple[tuple[Any, ...], Any, str]] = {
    "n_steps-list": (("n_steps",), [5], "n_steps"),
    "n_steps-text": (("n_steps",), "5", "n_steps"),
    "n_steps-fraction": (("n_steps",), 5.5, "n_steps"),
    "n_steps-flag": (("n_steps",), True, "n_steps"),
    "n_steps-null": (("n_steps",), None, "n_steps"),
    "start-one-number": (("start",), [1.0], "start"),
    "start-text": (("start",), "1,2", "start"),
    "start-mapping": (("start",), {"x": 1.0, "y": 2.0}, "start"),
    "lr-list": (("optimizers", 0, "params", "lr"), [0.1], "lr"),
    "lr-text": (("optimizers", 0, "params", "lr"), "0.1", "lr"),
    "nesterov-text": (("optimizers", 0, "params", "nesterov"), "yes", "nesterov"),
    "centered-text": (("optimizers", 1, "params", "centered"), "false", "centered"),
    "eps_in_sqrt-number": (("optimizers", 1, "params", "eps_in_sqrt"), 2, "eps_in_sqrt"),
    "unknown-factory": (("optimizers", 0, "factory"), "lbfgs", "lbfgs"),
    "factory-number": (("optimizers", 0, "factory"), 3, "rmsprop"),
    "unknown-hyperparameter": (("optimizers", 0, "params", "bogus"), 1.0, "bogus"),
    "optimizers-mapping": (("optimizers",), {"factory": "sgd"}, "optimizers"),
    "optimizers-empty": (("optimizers",), [], "optimizers"),
    "optimizer-number": (("optimizers", 0), 5, "optimizer"),
    "label-number": (("optimizers", 0, "label"), 5, "label"),
    "surface-unknown": (("surface", "name"), "banana", "banana"),
    "surface-name-list": (("surface", "name"), ["quadratic"], "surface"),
    "surface-text": (("surface",), "quadratic", "surface"),
    "condition-list": (("surface", "params", "condition"), [10.0], "condition"),
    "condition-text": (("surface", "params", "condition"), "10", "condition"),
    "surface-params-list": (("surface", "params"), [], "params"),
    "version-text": (("version",), "1", "version"),
    "unknown-key": (("colour",), "red", "colour"),
    "caption-number": (("caption",), 5, "caption"),
    "name-number": (("name",), 5, "name"),
    "export-fps-text": (("export", "fps"), "fast", "fps"),
    "export-fps-list": (("export", "fps"), [30], "fps"),
    "export-frames-text": (("export", "frames"), "many", "frames"),
    "export-dpi-list": (("export", "dpi"), [100], "dpi"),
    "export-three_d-text": (("export", "three_d"), "no", "three_d"),
    "export-list": (("export",), [], "export"),
    "export-unknown-key": (("export", "fsp"), 30, "fsp"),
}


@pytest.mark.parametrize("case", list(RACE_FIELDS))
def test_race_recipe_fields_are_checked(case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path, value, name = RACE_FIELDS[case]
    file = _write(tmp_path, _changed(path, value))
    out = tmp_path / "race.png"
    assert_usage_error(cli(capsys, "race", "--recipe", file, "--out", out), name)
    assert not out.exists()


SWEEP_FIELDS: dict[str, tuple[tuple[Any, ...], Any, str]] = {
    "lr_range-text": (("sweep", "lr_range"), "1e-4,1,40", "lr_range"),
    "lr_range-reversed": (("sweep", "lr_range"), [1.0, 0.1, 5], "lr_range"),
    "lr_range-zero": (("sweep", "lr_range"), [0.0, 1.0, 5], "lr_range"),
    "lr_range-fraction-count": (("sweep", "lr_range"), [0.001, 0.1, 2.5], "lr_range"),
    "beta_range-above-one": (("sweep", "beta_range"), [0.5, 1.5, 3], "beta_range"),
    "metric-number": (("sweep", "metric"), 5, "metric"),
    "tol-text": (("sweep", "tol"), "small", "tol"),
    "optimizer-unknown": (("sweep", "optimizer"), "lbfgs", "optimizer"),
    "sweep-list": (("sweep",), [1, 2], "sweep"),
}


@pytest.mark.parametrize("case", list(SWEEP_FIELDS))
def test_sweep_recipe_fields_are_checked(case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path, value, name = SWEEP_FIELDS[case]
    file = _write(tmp_path, _changed(path, value))
    out = tmp_path / "sweep.png"
    assert_usage_error(cli(capsys, "sweep", "--recipe", file, "--out", out), name)
    assert not out.exists()


def test_non_utf8_bytes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "recipe.json"
    path.write_bytes(json.dumps(recipe(caption="caf\u00e9"), ensure_ascii=False).encode("latin-1"))
    assert_usage_error(cli(capsys, "race", "--recipe", path), "--recipe")


def test_deeply_nested_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _write(tmp_path, '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_usage_error(cli(capsys, "race", "--recipe", path), "--recipe")


def _nested_surface(depth: int) -> dict[str, Any]:
    surface: dict[str, Any] = {"name": "quadratic", "params": {}}
    for _ in range(depth):
        surface = {"name": "noisy", "params": {"base": surface, "sigma": 0.1}}
    return surface


def test_deeply_nested_surfaces(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    depth = 300  # shallow enough for the JSON reader, deep for the surfaces
    nested = '{"name": "noisy", "params": {"sigma": 0.1, "base": ' * depth + '"quadratic"' + "}}" * depth
    text = json.dumps(recipe(surface="@")).replace('"@"', nested)
    path = _write(tmp_path, text)
    result = cli(capsys, "race", "--recipe", path)
    if result.status != 0:  # refusing is fine, and so is running it
        assert_usage_error(result, "base")


def test_an_integer_too_long_to_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = json.dumps(recipe()).replace('"n_steps": 5', '"n_steps": ' + "9" * 5000)
    path = _write(tmp_path, text)
    assert_usage_error(cli(capsys, "race", "--recipe", path), "n_steps")


TEXT_CASES = {
    "nan-steps": ('"n_steps": 5', '"n_steps": NaN', "--recipe"),
    "infinite-lr": ('"lr": 0.1', '"lr": Infinity', "--recipe"),
    "overflowing-start": ('"start": [-1.0, 1.0]', '"start": [1e400, 1.0]', "start"),
}


@pytest.mark.parametrize("case", list(TEXT_CASES))
def test_numbers_json_cannot_hold(case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old, new, name = TEXT_CASES[case]
    text = json.dumps(recipe())
    assert old in text
    path = _write(tmp_path, text.replace(old, new))
    assert_usage_error(cli(capsys, "race", "--recipe", path), name)


def test_a_folder_given_as_recipe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "folder.json").mkdir()
    assert_usage_error(cli(capsys, "race", "--recipe", tmp_path / "folder.json"), "--recipe")


def test_from_recipe_deeply_nested_surfaces() -> None:
    data = recipe()
    data["surface"] = _nested_surface(5000)
    assert_value_error(lambda: Scene.from_recipe(data), "base")


@pytest.mark.parametrize(
    ("field", "value"),
    [("n_steps", "5"), ("start", [1.0, "a"]), ("optimizers", "sgd"), ("surface", ["quadratic"])],
)
def test_from_recipe_checks_types(field: str, value: Any) -> None:
    assert_value_error(lambda: Scene.from_recipe(recipe(**{field: value})), field)


RECIPE_SIZES: dict[str, tuple[tuple[str, ...], tuple[Any, ...], Any, str, float]] = {
    "n_steps": (("race",), ("n_steps",), 10**12, "n_steps", 1e12),
    "export-frames": (("race", "--out", "r.gif"), ("export", "frames"), 10**12, "frames", 1e12),
    "export-dpi": (("race", "--out", "r.png"), ("export", "dpi"), 1e6, "dpi", 1e6),
    "export-fps": (("race", "--out", "r.gif"), ("export", "fps"), 1e9, "fps", 1e9),
    "sweep-lr_range": (("sweep", "--out", "s.png"), ("sweep", "lr_range"), [1e-4, 1.0, 10**9], "lr_range", 1e9),
    "minibatch-n_samples": (
        ("race",),
        ("surface",),
        {"name": "minibatch", "params": {"n_samples": 10**12}},
        "n_samples",
        1e12,
    ),
}


@pytest.mark.parametrize("case", list(RECIPE_SIZES))
def test_recipe_sizes_are_limited(case: str, tmp_path: Path) -> None:
    command, path, value, name, given = RECIPE_SIZES[case]
    data = _changed(path, copy.deepcopy(value))
    if path == ("surface",):
        data["optimizers"] = [{"factory": "sgd", "label": "SGD", "params": {"lr": 0.01}}]
    file = _write(tmp_path, data)
    done = cli_process(*command[:1], "--recipe", file, *command[1:], cwd=tmp_path)
    message = assert_process_usage_error(done, name)
    assert_upper_limit(message, given)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipe.json"]
