"""The options that change a race: ``--beta`` is the kinds table's beta (RMSProp's), as in
the explorer; Adam's decays are set by name; ``--param`` is the surface's; recipes are
checked field by field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_checks import one_error_line, same_to_4_digits

import rmsprop_viz as rv
from rmsprop_viz.apps import cli
from rmsprop_viz.core.kinds import KINDS


def _recipe_params(tmp_path: Path, *argv: str) -> dict[str, dict[str, object]]:
    """The hyperparameters each racer ran with, read from the recipe ``plot`` writes."""
    out = tmp_path / "p.png"
    assert cli.main(["plot", "--steps", "5", "--dpi", "20", *argv, "--out", str(out)]) == 0
    recipe = json.loads(out.with_suffix(".json").read_text())
    return {o["factory"]: o["params"] for o in recipe["optimizers"]}


def test_beta_sets_rmsprops_beta_and_leaves_adams_decays(tmp_path: Path) -> None:
    params = _recipe_params(tmp_path, "--optimizers", "rmsprop,adam", "--beta", "0.5")
    assert params["rmsprop"]["beta"] == 0.5
    assert params["adam"].get("beta1", 0.9) == 0.9  # the factory's defaults, untouched
    assert params["adam"].get("beta2", 0.999) == 0.999


def test_adams_decays_are_set_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["race", "--surface", "quadratic", "--optimizers", "adam", "--steps", "30"]
    assert cli.main([*argv, "--beta", "adam.beta2=0.9", "--beta", "adam.beta1=0.5"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Adam"))
    assert "beta1=0.5, beta2=0.9," in row
    lr = float(row.split("lr=")[1].split(",")[0])
    final = rv.run(rv.Quadratic(), rv.adam(lr, beta1=0.5, beta2=0.9), n_steps=30).final_value[0]
    assert float(row.split()[-3]) == float(f"{final:.3e}")


@pytest.mark.parametrize("kind", list(KINDS))
def test_beta_means_the_kinds_tables_beta(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What --beta sets on each kind is Kind.beta (the explorer's beta slider reads the same)."""
    name = KINDS[kind].beta
    if name is None:
        argv = ["race", "--optimizers", kind, "--beta", "0.5", "--steps", "5"]
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "has a beta" in err or "has no beta" in err
        assert len(err.strip().splitlines()) == 1
    else:
        assert _recipe_params(tmp_path, "--optimizers", kind, "--beta", "0.5")[KINDS[kind].factory][name] == 0.5


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--optimizers", "sgd,adam", "--beta", "0.9"], ["RMSProp's beta", "adam.beta1=X", "adam.beta2=X"]),
        (["--beta", "adam=0.9"], ["adam has no beta", "adam.beta1=X", "adam.beta2=X"]),
        (["--param", "adam.beta2=0.99"], ["--param adam.beta2=0.99", "--beta adam.beta2=0.99"]),
    ],
)
def test_a_beta_adam_does_not_have_says_how_to_set_its_decays(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["race", "--steps", "5", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err


def test_help_says_how_to_set_adams_decays(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["race", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "The beta of --beta is RMSProp's" in text
    assert "--beta adam.beta1=0.8 --beta adam.beta2=0.99" in text


def _rows(out: str) -> dict[str, str]:
    """The table's rows by label (labels here have no spaces)."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer"))
    rows = [line for line in lines[header + 2 :] if line.strip()]
    rows = rows[: next((i for i, r in enumerate(rows) if r.startswith("wrote")), len(rows))]
    return {r.split()[0]: r for r in rows}


def _final(row: str) -> str:
    return row.split()[-3]


def _saddle_recipe(path: tuple[Any, ...] = (), value: Any = None) -> dict[str, Any]:
    recipe: dict[str, Any] = rv.scenes.get("saddle").to_recipe()
    recipe["export"] = {"command": "race", "fps": 30.0, "frames": 10, "dpi": None, "three_d": False}
    recipe["sweep"] = {"optimizer": "rmsprop", "lr_range": [1e-3, 1.0, 5], "beta_range": None, "metric": "final"}
    target: Any = recipe
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = value
    return recipe


def test_race_with_a_scene_and_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["race", "--scene", "ill-conditioned", "--lr", "rmsprop=0.02", "--beta", "0.99", "--steps", "40"]
    assert cli.main(argv) == 0
    rows = _rows(capsys.readouterr().out)
    assert list(rows) == ["SGD", "RMSProp"]
    assert "lr=0.075 " in rows["SGD"]
    assert "lr=0.02, beta=0.99 " in rows["RMSProp"]
    scene = rv.scenes.get("ill-conditioned")
    surface = scene.build_surface()
    sgd = rv.run(surface, rv.sgd(0.075), start=scene.start, n_steps=40)
    rmsprop = rv.run(surface, rv.rmsprop(0.02, beta=0.99), start=scene.start, n_steps=40)
    assert same_to_4_digits(_final(rows["SGD"]), sgd.final_value[0])
    assert same_to_4_digits(_final(rows["RMSProp"]), rmsprop.final_value[0])


def test_optimizers_and_per_optimizer_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "race",
        "--surface",
        "quadratic",
        "--param",
        "condition=20",
        "--optimizers",
        "sgd,momentum,nesterov,rmsprop,adam",
        "--lr",
        "adam=0.05",  # per-optimizer values win over plain ones, whatever the order
        "--lr",
        "0.01",
        "--beta",
        "adam.beta1=0.8",
        "--beta",
        "0.99",  # RMSProp's beta only: Adam keeps its beta2
        "--eps",
        "rmsprop=1e-6",
        "--steps",
        "50",
        "--start",
        "-1.5,1",
    ]
    assert cli.main(argv) == 0
    rows = _rows(capsys.readouterr().out)
    assert list(rows) == ["SGD", "Momentum", "Nesterov", "RMSProp", "Adam"]
    expected = {
        "SGD": ("lr=0.01", rv.sgd(0.01)),
        "Momentum": ("lr=0.01, momentum=0.9", rv.sgd(0.01, momentum=0.9)),
        "Nesterov": ("lr=0.01, momentum=0.9, nesterov=True", rv.sgd(0.01, momentum=0.9, nesterov=True)),
        "RMSProp": ("lr=0.01, beta=0.99, eps=1e-06", rv.rmsprop(0.01, beta=0.99, eps=1e-6)),
        "Adam": ("lr=0.05, beta1=0.8, beta2=0.999, eps=1e-08", rv.adam(0.05, beta1=0.8, beta2=0.999, eps=1e-8)),
    }
    surface = rv.Quadratic(condition=20)
    for label, (described, optimizer) in expected.items():
        assert f" {described} " in rows[label]
        final = rv.run(surface, optimizer, start=(-1.5, 1.0), n_steps=50).final_value[0]
        assert same_to_4_digits(_final(rows[label]), final)


def test_param_reaches_into_a_nested_surface(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["race", "--scene", "noisy-bowl", "--param", "base.condition=4", "--param", "sigma=0.5", "--steps", "20"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "Noisy(base=Quadratic(condition=4.0, angle=0.0, scale=1.0), sigma=0.5, seed=0)" in out
    assert "scene noisy-bowl:" not in out  # the caption no longer describes this surface


def test_a_new_surface_resets_the_scene_to_its_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["race", "--scene", "ill-conditioned", "--surface", "beale", "--steps", "30"]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert list(rows) == ["SGD", "RMSProp"]  # the same kinds of racers...
    assert "lr=0.01 " in rows["SGD"]  # ...at Beale's rates, from Beale's start
    assert "start (1, 1.4)" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "a recipe must be a JSON object"),
        ('{"format": "rmsprop_viz recipe", "version": 2}', "'version' must be 1, got 2"),
        ('{"format": "rmsprop_viz recipe", "version": 1, "name": "x"}', "missing the key 'surface'"),
    ],
)
def test_bad_recipe_files(content: str | None, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    assert cli.main(["race", "--recipe", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert f"--recipe {path}" in err
    assert len(err.strip().splitlines()) == 1


def test_recipe_with_an_unknown_optimizer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = rv.scenes.get("saddle").to_recipe()
    recipe["optimizers"][0]["factory"] = "lion"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(recipe))
    assert cli.main(["plot", "--recipe", str(path), "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "optimizers[0].factory must be one of sgd, adagrad, rmsprop, adam; got 'lion'" in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("surface", ["noisy", "shifting"])
def test_param_base_reaches_the_default_nested_surface(
    surface: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["race", "--surface", surface, "--param", "base.condition=50", "--steps", "5"]) == 0
    assert "base=Quadratic(condition=50.0, angle=0.0, scale=1.0)" in capsys.readouterr().out
    # The same in a recipe: a dotted key in the surface's params.
    recipe = rv.scenes.get("saddle").to_recipe()
    recipe["surface"] = {"name": surface, "params": {"base.condition": 50, "base.angle": 30}}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(recipe))
    assert cli.main(["race", "--recipe", str(path), "--steps", "5"]) == 0
    assert "base=Quadratic(condition=50.0, angle=30.0, scale=1.0)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("recipe", "words"),
    [
        (_saddle_recipe(("optimizers", 1, "params", "lr"), [0.1, 0.2]), "optimizers[1].params.lr must be a single"),
        (_saddle_recipe(("optimizers", 1, "params", "lr"), "fast"), "optimizers[1].params.lr must be a finite"),
        (_saddle_recipe(("optimizers", 0, "params", "nesterov"), "yes"), "optimizers[0].params.nesterov must be True"),
        (_saddle_recipe(("optimizers", 2, "params", "centred"), True), "optimizers[2].params has an unknown key"),
        (_saddle_recipe(("optimizers", 3, "factory"), "lion"), "optimizers[3].factory must be one of"),
        (_saddle_recipe(("optimizers", 1), [1, 2]), "optimizers[1] must be an OptimizerSpec or a mapping"),
        (_saddle_recipe(("n_steps",), 10**9), "MAX_SCENE_STEPS = 100000"),
        (_saddle_recipe(("n_steps",), "100"), "n_steps must be an integer"),
        (_saddle_recipe(("start",), [0.5, "x"]), "start must be a point"),
        (_saddle_recipe(("surface", "params", "a"), [1]), "surface.params"),
        (_saddle_recipe(("surface", "name"), {"deep": 1}), "surface must be one of"),
        (_saddle_recipe(("export", "fps"), [30]), "export.fps must be a number in [0.5, 120] (FPS_RANGE), got a list"),
        (_saddle_recipe(("export", "fps"), 1e6), "export.fps must be a number in [0.5, 120]"),
        (_saddle_recipe(("export", "frames"), 10**7), "export.frames must be a whole number in [2, 5000]"),
        (_saddle_recipe(("export", "dpi"), "high"), "export.dpi must be a number in [10, 300]"),
        (_saddle_recipe(("export", "three_d"), "yes"), "export.three_d must be true or false"),
        (_saddle_recipe(("export", "speed"), 2), "export has an unknown key 'speed'"),
        (_saddle_recipe(("export",), [1]), "export must be a mapping"),
        (_saddle_recipe(("sweep", "lr_range"), [0.1, 1.0]), "sweep.lr_range must be a list [LO, HI, N]"),
        (_saddle_recipe(("sweep", "lr_range"), [1e-3, 1.0, 10**6]), "MAX_SWEEP_CELLS"),
        (_saddle_recipe(("sweep", "metric"), "fastest"), "sweep.metric must be one of"),
        (_saddle_recipe(("sweep", "tol"), -1), "sweep.tol must be a number > 0"),
        (
            _saddle_recipe(("sweep", "beta_range"), [0.5, 1.5, 3]),
            "sweep.beta_range: a decay beta must be a finite number in [0, 1)",
        ),
        (_saddle_recipe(("caption",), "x" * 100_000), "caption must be a string of at most"),
    ],
)
def test_recipes_are_checked_field_by_field(
    recipe: dict[str, Any], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(recipe), encoding="utf-8")
    assert cli.main(["race", "--recipe", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err
    assert f"--recipe {path}" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe{}", "not UTF-8 text (byte 0 is 0xff)"),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (b'{"a": ' * 30 + b"1" + b"}" * 30, "nested deeper than MAX_JSON_DEPTH"),
        (b" " * 1_000_001, "MAX_RECIPE_BYTES = 1000000"),
        (b'{"format": NaN}', "JSON has no NaN"),
        (b'{"a": [{"n_steps": ' + b"9" * 5000 + b"}]}", "a[0].n_steps is an integer of more than 20 digits"),
        (b'{"format": "rmsprop_viz recipe", "version": 1, "start": [1e999, 0]}', "start[0] must be a finite number"),
    ],
)
def test_recipe_files_that_are_not_recipes(
    content: bytes, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(content)
    assert cli.main(["race", "--recipe", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_negative_zero_never_shows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "z.png"
    argv = [
        "plot",
        "--beta",
        "-0",
        "--lr",
        "adam.beta1=-0",
        "--beta",
        "adam.beta2=-0",
        "--steps",
        "5",
        "--out",
        str(out),
    ]
    assert cli.main(argv) == 0
    capsys.readouterr()
    recipe = json.loads(out.with_suffix(".json").read_text())
    params = {o["factory"]: o["params"] for o in recipe["optimizers"]}
    assert params["rmsprop"]["beta"] == 0
    assert params["adam"]["beta1"] == 0
    assert params["adam"]["beta2"] == 0
    assert not re.search(r"[\s\[:(=]-0(\.0*)?[\s,\])]", out.with_suffix(".json").read_text())
    assert cli.main(["race", "--beta", "-0", "--lr", "adam.beta1=-0", "--steps", "5"]) == 0
    table = capsys.readouterr().out
    assert "beta=0," in table
    assert not re.search(r"=-0(\.0*)?[\s,]", table)


def test_on_off_hyperparameters_take_true_and_false(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["race", "--steps", "5", "--optimizers", "rmsprop", "--lr", "rmsprop.centered=TRUE"]) == 0
    assert "centered=True" in capsys.readouterr().out
    err = one_error_line(capsys, ["race", "--steps", "5", "--lr", "rmsprop.centered=1"])
    assert "rmsprop.centered=true or =false" in err
    err = one_error_line(capsys, ["race", "--steps", "5", "--lr", "rmsprop=true"])
    assert "NAME.PARAM=VALUE" in err
