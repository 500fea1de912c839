"""The command line: tables, listings and one-line errors with exit status 2."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz.apps import cli


def _same_to_4_digits(text: str, value: float) -> bool:
    """A printed number is ``value`` to 4 significant digits (whatever the notation)."""
    return float(text) == float(f"{value:.3e}")


def test_race_prints_one_row_per_optimizer(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["race", "--steps", "300"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer"))
    rows = lines[header + 2 :]
    assert [r.split()[0] for r in rows] == ["SGD", "Adagrad", "RMSProp", "Adam"]
    assert "lr=0.001" in rows[0]  # the learning rate used is shown
    # The final loss printed is the one the library computes.
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(0.01, beta=0.9, eps=1e-8), n_steps=300).final_value[0]
    assert _same_to_4_digits(rows[2].split()[-3], expected)


def test_race_reports_divergence(capsys: pytest.CaptureFixture[str]) -> None:
    # condition 200 with SGD's default would be unsafe, so the default adapts: nothing diverges.
    assert cli.main(["race", "--surface", "quadratic", "--param", "condition=200", "--steps", "200"]) == 0
    out = capsys.readouterr().out
    sgd_row = next(line for line in out.splitlines() if line.startswith("SGD"))
    assert sgd_row.split()[-1] == "-"
    # On a ten times steeper valley the default rate is too large: the table says where SGD diverged.
    assert cli.main(["race", "--param", "b=1000", "--start", "-1.5,2.3", "--steps", "100"]) == 0
    out = capsys.readouterr().out
    sgd_row = next(line for line in out.splitlines() if line.startswith("SGD"))
    expected = rv.run(rv.Rosenbrock(b=1000), rv.sgd(0.001), start=(-1.5, 2.3), n_steps=100).diverged_at[0]
    assert expected > 0
    assert sgd_row.split()[-1] == str(expected)
    assert sgd_row.split()[-3] == "nan"


def test_surfaces_lists_every_surface_with_its_formula(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["surfaces"]) == 0
    out = capsys.readouterr().out
    for name in rv.surfaces.names():
        assert name in out
    assert "(a - x)^2 + b (y - x^2)^2" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["race", "--surface", "banana"], "surface must be one of"),
        (["race", "--steps", "0"], "--steps"),
        (["race", "--steps", "many"], "--steps"),
        (["race", "--start", "1"], "--start"),
        (["race", "--start", "1,nan"], "--start"),
        (["race", "--param", "condition"], "KEY=VALUE"),
        (["race", "--surface", "quadratic", "--param", "condition=0.5"], "condition"),
        (["race", "--surface", "quadratic", "--param", "bogus=1"], "takes the parameters"),
        (["race", "--tol", "-1"], "--tol"),
        (["explode"], "invalid choice"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_console_script_runs_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rmsprop_viz", "race", "--surface", "nope"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------- scenes and overrides


def _rows(out: str) -> dict[str, str]:
    """The table's rows by label (labels here have no spaces)."""
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer"))
    rows = [line for line in lines[header + 2 :] if line.strip()]
    rows = rows[: next((i for i, r in enumerate(rows) if r.startswith("wrote")), len(rows))]
    return {r.split()[0]: r for r in rows}


def _final(row: str) -> str:
    return row.split()[-3]


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
    assert _same_to_4_digits(_final(rows["SGD"]), sgd.final_value[0])
    assert _same_to_4_digits(_final(rows["RMSProp"]), rmsprop.final_value[0])


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
        assert _same_to_4_digits(_final(rows[label]), final)


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


def test_scenes_lists_every_preset_with_its_caption(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scenes"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for name in rv.scenes.names():
        scene = rv.scenes.get(name)
        assert f"{name}:" in out
        assert " ".join(scene.caption.split()) in out


def test_race_without_out_does_not_import_matplotlib() -> None:
    code = (
        "import sys; from rmsprop_viz.apps import cli; "
        "status = cli.main(['race', '--scene', 'saddle', '--steps', '5']); "
        "print(status, 'matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 False"


@pytest.mark.parametrize("command", ["race", "plot", "sweep", "scenes", "surfaces", None])
def test_help_reads_like_documentation(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([command, "--help"] if command else ["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out
    if command in ("race", "plot", "sweep"):
        options = [m.group(1) for line in out.splitlines() if (m := re.match(r"  (--[\w-]+)(?:\s|$)", line))]
        assert len(options) >= 8
        text = " ".join(out.split())
        assert text.count("(default:") + text.count("(required)") >= len(options)


# ---------------------------------------------------------------------- files


def _recipe(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_plot_writes_a_png_and_a_recipe_that_rebuilds_the_scene(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rotated.png"
    assert cli.main(["plot", "--scene", "rotated", "--steps", "20", "--dpi", "40", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (512, 288)  # 12.8 x 7.2 inches at 40 dpi
    recipe = _recipe(tmp_path / "rotated.json")
    assert recipe["export"] == {"command": "plot", "dpi": 40.0, "three_d": False}
    scene = rv.scenes.Scene.from_recipe(recipe)
    # Other steps than the preset's: its caption, which tells the story at its steps, is dropped.
    assert scene == rv.scenes.get("rotated").with_changes(n_steps=20, caption="")


def test_plot_svg_in_3d(tmp_path: Path) -> None:
    out = tmp_path / "saddle.svg"
    assert cli.main(["plot", "--scene", "saddle", "--steps", "10", "--3d", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert _recipe(tmp_path / "saddle.json")["export"]["three_d"] is True


def _read_csv(path: Path) -> tuple[list[str], list[list[float]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [[float(v) for v in row] for row in rows[1:]]


def test_sweep_writes_a_heatmap_a_csv_and_a_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sweep.png"
    argv = ["sweep", "--surface", "quadratic", "--lr-range", "0.001,1,6", "--beta-range", "0.5,0.99,4"]
    assert cli.main([*argv, "--steps", "60", "--dpi", "40", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("best: lr=")
    with Image.open(out) as image:
        assert image.size == (320, 240)
    header, rows = _read_csv(tmp_path / "sweep.csv")
    assert header == ["lr", "beta", "final"]
    lrs, betas = np.geomspace(0.001, 1, 6), np.linspace(0.5, 0.99, 4)
    expected = rv.sweep(rv.Quadratic(), rv.rmsprop, {"lr": lrs, "beta": betas}, n_steps=60, fixed={"eps": 1e-8})
    got = np.array(rows)
    assert got.shape == (24, 3)
    np.testing.assert_array_equal(got[:, 0], np.repeat(lrs, 4))
    np.testing.assert_array_equal(got[:, 1], np.tile(betas, 6))
    np.testing.assert_array_equal(got[:, 2], expected.reshape(-1))
    recipe = _recipe(tmp_path / "sweep.json")
    assert recipe["sweep"]["optimizer"] == "rmsprop"
    assert recipe["sweep"]["lr_range"] == [0.001, 1.0, 6]
    scene = rv.scenes.Scene.from_recipe(recipe)
    assert [s.factory for s in scene.optimizers] == ["rmsprop"]


def test_a_one_dimensional_sweep_marks_divergence_with_nan(tmp_path: Path) -> None:
    out = tmp_path / "sgd.png"
    argv = ["sweep", "--surface", "quadratic", "--optimizer", "sgd", "--lr-range", "0.01,1,9", "--steps", "50"]
    assert cli.main([*argv, "--dpi", "40", "--out", str(out)]) == 0
    header, rows = _read_csv(tmp_path / "sgd.csv")
    assert header == ["lr", "final"]
    lrs = np.geomspace(0.01, 1, 9)
    expected = rv.sweep(rv.Quadratic(), rv.sgd, {"lr": lrs}, n_steps=50)
    diverged = rv.sweep(rv.Quadratic(), rv.sgd, {"lr": lrs}, n_steps=50, metric="diverged")
    got = np.array(rows)
    np.testing.assert_array_equal(got[:, 0], lrs)
    np.testing.assert_array_equal(got[:, 1], expected)  # NaN compares equal here
    assert (diverged >= 0).any()
    assert (np.isnan(got[:, 1]) == (diverged >= 0)).all()


def test_sweep_recipe_round_trip(tmp_path: Path) -> None:
    first = tmp_path / "a.png"
    argv = ["sweep", "--scene", "saddle", "--optimizer", "adam", "--metric", "steps", "--lr-range", "0.01,0.3,3"]
    assert cli.main([*argv, "--beta-range", "beta2=0.9,0.999,2", "--steps", "80", "--out", str(first)]) == 0
    second = tmp_path / "b.png"
    assert cli.main(["sweep", "--recipe", str(tmp_path / "a.json"), "--out", str(second)]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    assert _read_csv(tmp_path / "a.csv")[0] == ["lr", "beta2", "steps"]


def test_race_writes_a_gif_with_the_frames_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.gif"
    argv = ["race", "--scene", "rotated", "--steps", "30", "--frames", "8", "--dpi", "40", "--no-progress"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "optimizer" in printed  # the table is still printed
    assert f"wrote {out}" in printed
    assert f"wrote {tmp_path / 'x.json'}" in printed
    with Image.open(out) as image:
        assert image.format == "GIF"
        assert image.n_frames == 8
        assert image.size == (512, 288)
    recipe = _recipe(tmp_path / "x.json")
    assert recipe["export"] == {"command": "race", "fps": 30.0, "frames": 8, "dpi": 40.0, "three_d": False}
    assert rv.scenes.Scene.from_recipe(recipe) == rv.scenes.get("rotated").with_changes(n_steps=30, caption="")


def test_force_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    argv = ["plot", "--scene", "saddle", "--steps", "5", "--dpi", "20", "--out", str(out)]
    assert cli.main(argv) == 0
    assert cli.main([*argv, "--force"]) == 0


def test_a_recipe_reproduces_the_same_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = ["--scene", "saddle", "--lr", "rmsprop=0.02", "--optimizers", "sgd,rmsprop,adam", "--steps", "80"]
    assert cli.main(["race", *options]) == 0
    direct = capsys.readouterr().out
    assert cli.main(["plot", *options, "--dpi", "20", "--out", str(tmp_path / "s.png")]) == 0
    capsys.readouterr()
    assert cli.main(["race", "--recipe", str(tmp_path / "s.json")]) == 0
    assert capsys.readouterr().out == direct
    # Other options override the recipe.
    assert cli.main(["race", "--recipe", str(tmp_path / "s.json"), "--steps", "30"]) == 0
    overridden = capsys.readouterr().out
    options[-1] = "30"
    assert cli.main(["race", *options]) == 0
    assert capsys.readouterr().out == overridden


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["race", "--scene", "banana"], "scene must be one of rosenbrock, ill-conditioned"),
        (["race", "--lr", "rmsprop:0.01"], "expected NUMBER, NAME=NUMBER or NAME.PARAM=VALUE"),
        (["race", "--lr", "rmsprop=fast"], "expected NUMBER, NAME=NUMBER or NAME.PARAM=VALUE"),
        (["race", "--lr", "lion=0.1"], "unknown optimizer 'lion'"),
        (["race", "--lr", "adam.gamma=0.1"], "adam has no 'gamma'"),
        (["race", "--lr", "momentum=0.1"], "there is no momentum in this race"),
        (["race", "--beta", "sgd=0.9"], "sgd has no beta"),
        (
            ["race", "--optimizers", "sgd,adagrad", "--beta", "0.9"],
            "no optimizer in this race (SGD, Adagrad) has a beta",
        ),
        (["race", "--beta", "1.5"], "--beta 1.5: beta must be a finite number in [0, 1)"),
        (["race", "--optimizers", "sgd,lion"], "unknown optimizer 'lion'"),
        (["race", "--optimizers", "sgd,sgd"], "sgd is listed twice"),
        (["race", "--frames", "1"], "--frames"),
        (["race", "--param", "base.condition=4"], "has no nested surface 'base'"),
        (["race", "--scene", "saddle", "--recipe", "x.json"], "give one of them"),
        (["sweep", "--out", "x.png", "--lr-range", "0,1,5"], "LO > 0"),
        (["sweep", "--out", "x.png", "--beta-range", "0.9,0.1,5"], "LO <= HI"),
        (["sweep", "--out", "x.png", "--optimizer", "lion"], "invalid choice"),
        (["plot"], "the following arguments are required: --out"),
    ],
)
def test_more_bad_arguments_give_one_line_and_status_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("command", ["race", "plot", "sweep"])
def test_bad_outputs_are_refused_before_any_work(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.png"
    taken.write_bytes(b"")
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a directory")
    cases = [
        (tmp_path / "out.bmp", "unknown format .bmp"),
        (tmp_path / "out", "unknown format (no suffix)"),
        (taken, "already exists; add --force"),
        (tmp_path / "missing" / "out.png", "does not exist"),
        (a_file / "out.png", "does not exist"),
    ]
    for out, words in cases:
        assert cli.main([command, "--steps", "5", "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""  # refused before the race ran
        assert words in captured.err
        assert len(captured.err.strip().splitlines()) == 1
    assert taken.read_bytes() == b""


def test_an_existing_recipe_beside_the_output_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.json").write_text("{}")
    assert cli.main(["plot", "--steps", "5", "--out", str(tmp_path / "x.png")]) == 2
    assert "x.json already exists" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_an_unwritable_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Permission bits do not bind everyone (root, some file systems): ask the check directly.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    for command in ("race", "plot", "sweep"):
        assert cli.main([command, "--steps", "5", "--out", str(tmp_path / "x.png")]) == 2
        err = capsys.readouterr().err
        assert f"the directory {str(tmp_path)!r} is not writable" in err
        assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


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


# ---------------------------------------------------------- files: shared recipes, limits


def test_a_second_export_of_the_same_race_shares_its_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["race", "--scene", "saddle", "--steps", "10", "--frames", "3", "--dpi", "20", "--no-progress"]
    assert cli.main([*argv, "--out", str(tmp_path / "race.gif")]) == 0
    recipe = (tmp_path / "race.json").read_bytes()
    capsys.readouterr()
    assert cli.main([*argv, "--out", str(tmp_path / "race.png")]) == 0  # same race: same recipe, no conflict
    assert f"kept {tmp_path / 'race.json'} (it already holds this recipe)" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.gif", "race.json", "race.png"]
    assert (tmp_path / "race.json").read_bytes() == recipe
    capsys.readouterr()
    # Another race beside them would change the recipe: refused, saying why and what to do.
    assert cli.main([*argv, "--lr", "0.01", "--out", str(tmp_path / "race.html")]) == 2
    err = capsys.readouterr().err
    assert "race.json already exists with a different recipe" in err
    assert "--force" in err
    assert len(err.strip().splitlines()) == 1
    assert (tmp_path / "race.json").read_bytes() == recipe
    assert not (tmp_path / "race.html").exists()


def test_a_second_sweep_picture_beside_the_first_shares_its_grid_and_recipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", "--optimizer", "sgd", "--lr-range", "1e-3,0.1,5", "--steps", "20", "--dpi", "20"]
    assert cli.main([*argv, "--out", str(tmp_path / "s.png")]) == 0
    grid = (tmp_path / "s.csv").read_bytes()
    capsys.readouterr()
    assert cli.main([*argv, "--out", str(tmp_path / "s.pdf")]) == 0
    out = capsys.readouterr().out
    assert f"kept {tmp_path / 's.csv'} (it already holds this grid)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.json", "s.pdf", "s.png"]
    assert (tmp_path / "s.csv").read_bytes() == grid
    # Another grid beside them is refused before it is computed.
    other = [*argv[:4], "1e-3,0.1,6", *argv[5:]]
    assert cli.main([*other, "--out", str(tmp_path / "s.svg")]) == 2
    assert "s.json already exists with a different recipe" in capsys.readouterr().err
    assert not (tmp_path / "s.svg").exists()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["race", "--steps", "100001"], "MAX_SCENE_STEPS = 100000"),
        (["race", "--frames", "5001"], "MAX_FRAMES = 5000"),
        (["race", "--fps", "0.1"], "FPS_RANGE = (0.5, 120)"),
        (["race", "--fps", "1000"], "FPS_RANGE = (0.5, 120)"),
        (["race", "--dpi", "5"], "DPI_RANGE = (10, 300)"),
        (["plot", "--dpi", "100000", "--out", "x.png"], "DPI_RANGE = (10, 300)"),
        (["sweep", "--lr-range", "1e-4,1,40001", "--out", "x.png"], "MAX_SWEEP_CELLS"),
        (["sweep", "--lr-range", "1e-4,1,300", "--beta-range", "0,0.9,300", "--out", "x.png"], "MAX_SWEEP_CELLS"),
        (
            ["sweep", "--lr-range", "1e-4,1,200", "--beta-range", "0,0.9,100", "--steps", "2000", "--out", "x.png"],
            "MAX_SWEEP_RUN_STEPS",
        ),
        (["race", "--surface", "minibatch", "--param", "batch_size=100000000000"], "batch_size"),
        (["sweep", "--beta-range", "0,1,9", "--out", "x.png"], "--beta-range: beta must be a finite number in [0, 1)"),
        (["sweep", "--lr-range", "1e-300,1e300,30", "--out", "x.png"], "learning rates must lie in [1e-12, 1e+06]"),
    ],
)
def test_every_size_has_a_limit_named_in_one_line(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any work
    assert words in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


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


# --------------------------------------------------------- signals and failures mid-way


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            found += [int(c) for c in children.read_text().split()]
    return found


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` has ended and been reaped (no zombie) within ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z" and time.monotonic() > deadline - 0.5:
            return False
        time.sleep(0.05)
    return False


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has its own handler for ``signum`` (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except OSError:
        pass
    return False


def _wait_for(condition: Any, timeout: float = 60.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


_SLOW = ["race", "--scene", "rosenbrock", "--steps", "3000", "--frames", "2000", "--force", "--no-progress"]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see child processes")
@pytest.mark.parametrize(
    ("signum", "suffix"),
    [
        (signal.SIGINT, ".mp4"),
        (signal.SIGTERM, ".mp4"),
        (signal.SIGHUP, ".mp4"),
        (signal.SIGTERM, ".gif"),
        (signal.SIGINT, ".html"),
    ],
)
def test_a_signal_during_an_export_leaves_the_old_files(signum: int, suffix: str, tmp_path: Path) -> None:
    """A real signal to a real process: exit status 128 + N, temporary files removed,
    ffmpeg ended and reaped, old files untouched."""
    if suffix == ".mp4" and rv.animation.ffmpeg_path() is None:
        pytest.skip("needs ffmpeg")
    out = tmp_path / f"race{suffix}"
    out.write_bytes(b"old export")
    (tmp_path / "race.json").write_bytes(b"old recipe")
    process = subprocess.Popen(
        [sys.executable, "-m", "rmsprop_viz", *_SLOW, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a signal to this test's process group does not reach it
    )
    try:
        # Wait until the export is under way: its temporary file exists (and for an MP4, ffmpeg runs).
        assert _wait_for(lambda: any(p.name.startswith(f".race{suffix}.") for p in tmp_path.iterdir()))
        children: list[int] = []
        if suffix == ".mp4":
            assert _wait_for(lambda: bool(_children(process.pid)))
            children = _children(process.pid)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, "race.json"])
    assert out.read_bytes() == b"old export"
    assert (tmp_path / "race.json").read_bytes() == b"old recipe"
    for child in children:
        assert _gone(child), f"ffmpeg (pid {child}) was left running"


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_a_full_disk_while_overwriting_keeps_the_old_files(tmp_path: Path) -> None:
    """The file size limit makes writes fail as a full disk would: the command fails with
    one line, and the old export and recipe are still there, byte for byte."""
    import resource

    out = tmp_path / "race.gif"
    out.write_bytes(b"old export")
    (tmp_path / "race.json").write_bytes(b"old recipe")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rmsprop_viz",
            "race",
            "--steps",
            "100",
            "--frames",
            "50",
            "--force",
            "--no-progress",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=120,
    )
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "File too large" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.gif", "race.json"]
    assert out.read_bytes() == b"old export"
    assert (tmp_path / "race.json").read_bytes() == b"old recipe"


def test_a_rename_that_fails_puts_back_every_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sweep writes three files; the last rename fails: the first two come back."""
    old = {name: f"old {name}".encode() for name in ("s.png", "s.csv", "s.json")}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(src).name.endswith(".part") and Path(dst).name == "s.json":
            raise OSError(30, "Read-only file system", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    argv = ["sweep", "--optimizer", "sgd", "--lr-range", "1e-3,0.1,4", "--steps", "20", "--dpi", "20"]
    assert cli.main([*argv, "--force", "--out", str(tmp_path / "s.png")]) == 1
    err = capsys.readouterr().err
    assert "Read-only file system" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(old)
    for name, data in old.items():
        assert (tmp_path / name).read_bytes() == data


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_sweep_leaves_the_old_files(signum: int, tmp_path: Path) -> None:
    import time

    old = {name: f"old {name}".encode() for name in ("s.png", "s.csv", "s.json")}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)
    grid = ["--lr-range", "1e-4,1,100", "--beta-range", "0,0.99,50", "--steps", "2000", "--metric", "steps"]
    process = subprocess.Popen(
        [sys.executable, "-m", "rmsprop_viz", "sweep", *grid, "--force", "--out", str(tmp_path / "s.png")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # Started, its handlers set: SIGINT is caught from Python's start, SIGHUP only by
        # the command's own handlers (set together with those of SIGINT and SIGTERM).
        assert _wait_for(lambda: _catches(process.pid, signal.SIGHUP))
        time.sleep(0.5)  # and sweeping
        assert process.poll() is None
        process.send_signal(signum)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum, err
    assert "wrote" not in out
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(old)
    for name, data in old.items():
        assert (tmp_path / name).read_bytes() == data


def test_steps_to_tol_on_a_shifting_surface_count_from_the_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["race", "--surface", "shifting", "--optimizers", "sgd", "--lr", "sgd=0.015", "--tol", "1e-3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("optimizer"))
    assert "steps to tol after step 100" in header
    row = next(line for line in lines if line.startswith("SGD"))
    surface = rv.surfaces.get("shifting")
    traj = rv.run(surface, rv.sgd(0.015), start=(-1.8, 1.2), n_steps=500)
    # By hand: the new minimum's loss, and the first step after the change from which the loss stays within tol.
    floor = float(np.min(surface.value(np.asarray(surface.minima, dtype=np.float64), 100)))
    within = traj.values[100:, 0] - floor <= 1e-3
    first = next(t for t in range(within.size) if within[t:].all())
    assert 0 < first < 400
    assert row.split()[-2] == str(first)


@pytest.mark.parametrize(
    "argv",
    [
        ["sweep", "--lr-range", "0.01,0.01,3", "--out", "x.png"],
        ["sweep", "--optimizer", "rmsprop", "--lr-range", "1e-3,1,8", "--beta-range", "0.5,0.5,2", "--out", "x.png"],
    ],
)
def test_a_range_that_repeats_its_values_is_refused_in_one_line(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert "LO must be below HI when N > 1" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_single_value_range_is_still_a_sweep(tmp_path: Path) -> None:
    out = tmp_path / "one.png"
    argv = ["sweep", "--optimizer", "sgd", "--lr-range", "0.01,0.01,1", "--steps", "20", "--dpi", "40"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    _header, rows = _read_csv(tmp_path / "one.csv")
    assert [row[0] for row in rows] == [0.01]


def test_the_diverged_metric_says_when_nothing_diverged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--surface", "quadratic", "--optimizer", "sgd", "--metric", "diverged", "--steps", "30"]
    assert cli.main([*argv, "--lr-range", "1e-3,1e-2,3", "--dpi", "40", "--out", str(tmp_path / "d.png")]) == 0
    out = capsys.readouterr().out
    assert "no run diverged within 30 steps" in out
    assert "see the map" not in out
    assert cli.main([*argv, "--lr-range", "10,100,3", "--dpi", "40", "--out", str(tmp_path / "e.png")]) == 0
    assert "diverged: see the map" in capsys.readouterr().out


# ------------------------------------------------------------ odd input, one line each


def _one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    return err


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


@pytest.mark.parametrize("command", ["race", "plot", "sweep"])
def test_an_unwritable_directory_is_refused_before_work(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_error_line(capsys, [command, "--steps", "5", "--out", "/proc/a.png"])
    assert err.startswith("rmsprop-viz: error: --out /proc/a.png: cannot create a file in the directory '/proc'")
    assert capsys.readouterr().out == ""  # nothing ran


def test_on_off_hyperparameters_take_true_and_false(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["race", "--steps", "5", "--optimizers", "rmsprop", "--lr", "rmsprop.centered=TRUE"]) == 0
    assert "centered=True" in capsys.readouterr().out
    err = _one_error_line(capsys, ["race", "--steps", "5", "--lr", "rmsprop.centered=1"])
    assert "rmsprop.centered=true or =false" in err
    err = _one_error_line(capsys, ["race", "--steps", "5", "--lr", "rmsprop=true"])
    assert "NAME.PARAM=VALUE" in err


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlink_at_the_output_needs_force_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dangling: bool
) -> None:
    (tmp_path / "elsewhere.png").write_bytes(b"") if not dangling else None
    for name in ("a.png", "b.json"):
        (tmp_path / name).symlink_to(tmp_path / "elsewhere.png")
    for out in ("a.png", "b.png"):
        err = _one_error_line(capsys, ["plot", "--steps", "5", "--out", str(tmp_path / out)])
        assert "already exists" in err
        assert "add --force" in err
    assert cli.main(["plot", "--steps", "5", "--out", str(tmp_path / "a.png"), "--force"]) == 0
    assert not (tmp_path / "a.png").is_symlink()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["race", "--surface", ""], "--surface is empty"),
        (["race", "--scene", " "], "--scene is empty"),
        (["race", "--recipe", ""], "--recipe is empty"),
        (["race", "--optimizers", "sgd,,adam"], "an empty name in 'sgd,,adam'"),
        (["race", "--surface", "quadratic", "--param", "condition=2", "--param", "condition=3"], "given 2 times"),
        (["race", "--surface", "quadratic", "--param", "condition="], "a value after '='"),
        (["race", "--surface", "noisy", "--param", "seed=1" + "0" * 5000], "of 5001 digits"),
    ],
)
def test_odd_input_is_one_clear_line(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert expected in _one_error_line(capsys, [*argv, "--steps", "5"])


@pytest.mark.parametrize("command", ["race", "sweep"])
def test_minibatch_work_is_refused_before_running(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, "--surface", "minibatch", "--param", "n_samples=1000000", "--param", "batch_size=1000000"]
    argv += ["--steps", "1000"] + (["--out", str(tmp_path / "s.png")] if command == "sweep" else [])
    err = _one_error_line(capsys, argv)
    assert "batch_size 1000000 x 1000 steps" in err
    assert "MAX_BATCH_WORK" in err


def test_a_sweep_counts_its_cells_in_the_minibatch_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The race itself is small (10000 x 10 steps x 4 racers); the sweep's 200 x 200 cells are not.
    argv = ["sweep", "--surface", "minibatch", "--param", "n_samples=10000", "--param", "batch_size=10000"]
    argv += ["--steps", "10", "--lr-range", "1e-3,1,200", "--beta-range", "0,0.9,200", "--out", str(tmp_path / "s.png")]
    err = _one_error_line(capsys, argv)
    assert "batch_size 10000 x 10 steps x 40000 cells = 4000000000" in err
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_names_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from matplotlib.figure import Figure

    def full(self: Figure, *args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full)
    out = tmp_path / "p.png"
    assert cli.main(["plot", "--steps", "5", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"rmsprop-viz: error: cannot write {str(out)!r}: No space left on device"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".gif", ".html"])
def test_an_export_too_large_to_keep_is_refused_before_the_table(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"big{suffix}"
    argv = ["race", "--steps", "5000", "--frames", "5000", "--dpi", "300", "--out", str(out)]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before the table is printed
    # 5000 frames of 3840 x 2160 pixels at 2 bytes a pixel: 82944000000 bytes, 77.2 GiB.
    assert "5000 frames at dpi 300 (3840 x 2160 pixels) would keep about 77.2 GiB" in captured.err
    assert "MAX_KEPT_BYTES" in captured.err
    assert len(captured.err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
