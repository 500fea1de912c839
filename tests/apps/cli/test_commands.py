"""The subcommands: race and plot tables and files, sweeps (their grids, CSV, recipes and the
second axis), the scenes and surfaces listings."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_checks import one_error_line, same_to_4_digits
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz.apps import cli

FAST = ["--surface", "quadratic", "--steps", "40", "--lr-range", "0.01,0.3,4", "--dpi", "20"]


def _csv(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_a_named_axis_sweeps_adams_beta2(tmp_path: Path) -> None:
    out = tmp_path / "s.png"
    argv = ["sweep", *FAST, "--optimizer", "adam", "--beta-range", "beta2=0.9,0.999,3", "--out", str(out)]
    assert cli.main(argv) == 0
    header, *rows = _csv(out.with_suffix(".csv"))
    assert header == ["lr", "beta2", "final"]
    lrs, beta2s = np.geomspace(0.01, 0.3, 4), np.linspace(0.9, 0.999, 3)
    expected = np.array(
        [[rv.run(rv.Quadratic(), rv.adam(lr, beta2=b2), n_steps=40).final_value[0] for b2 in beta2s] for lr in lrs]
    )
    got = np.array(rows, dtype=float)
    np.testing.assert_array_equal(got[:, 0], np.repeat(lrs, 3))
    np.testing.assert_array_equal(got[:, 1], np.tile(beta2s, 4))
    np.testing.assert_allclose(got[:, 2], expected.ravel(), rtol=1e-9)
    recipe = json.loads(out.with_suffix(".json").read_text())
    assert recipe["sweep"]["beta_param"] == "beta2"
    again = tmp_path / "again.png"
    assert cli.main(["sweep", "--recipe", str(out.with_suffix(".json")), "--out", str(again)]) == 0
    assert again.with_suffix(".csv").read_text() == out.with_suffix(".csv").read_text()


@pytest.mark.parametrize(
    ("optimizer", "axis", "words"),
    [
        ("adam", "0.9,0.999,3", ["adam has no beta", "beta1", "beta2"]),
        ("sgd", "0.5,0.9,3", ["sgd has no beta", "momentum"]),
        ("adam", "beta3=0.5,0.9,3", ["adam has no parameter 'beta3'", "beta2"]),
        ("rmsprop", "lr=0.5,0.9,3", ["no parameter 'lr'"]),
    ],
)
def test_an_axis_the_optimizer_lacks_is_one_line(
    optimizer: str, axis: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", *FAST, "--optimizer", optimizer, "--beta-range", axis, "--out", str(tmp_path / "s.png")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "--beta-range" in err
    for word in words:
        assert word in err
    assert list(tmp_path.iterdir()) == []


def test_an_old_adam_recipe_with_a_decay_range_names_beta_param(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.png"
    assert cli.main(["sweep", *FAST, "--optimizer", "adam", "--out", str(out)]) == 0
    recipe = json.loads(out.with_suffix(".json").read_text())
    assert recipe["sweep"]["beta_range"] is None  # Adam's sweep is over lr alone
    recipe["sweep"]["beta_range"] = [0.9, 0.999, 3]  # as a recipe that meant beta2 once said
    path = tmp_path / "old.json"
    path.write_text(json.dumps(recipe))
    assert cli.main(["sweep", "--recipe", str(path), "--out", str(tmp_path / "t.png")]) == 2
    err = capsys.readouterr().err
    assert "sweep.beta_range: adam has no beta" in err
    recipe["sweep"]["beta_param"] = 3
    path.write_text(json.dumps(recipe))
    assert cli.main(["sweep", "--recipe", str(path), "--out", str(tmp_path / "t.png")]) == 2
    assert "sweep.beta_param must be the name of a parameter" in capsys.readouterr().err


def _recipe(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _read_csv(path: Path) -> tuple[list[str], list[list[float]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [[float(v) for v in row] for row in rows[1:]]


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
    assert same_to_4_digits(rows[2].split()[-3], expected)


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
    assert recipe["export"] == {
        "command": "race",
        "fps": 30.0,
        "frames": 8,
        "dpi": 40.0,
        "three_d": False,
        "hold": 1.5,
        "duration": None,
        "caption": False,
    }
    assert rv.scenes.Scene.from_recipe(recipe) == rv.scenes.get("rotated").with_changes(n_steps=30, caption="")
    with Image.open(out) as image:  # 8 frames at 30 fps (270 ms, in hundredths), the last one held 1.5 s by default
        times = []
        for i in range(image.n_frames):
            image.seek(i)
            times.append(image.info["duration"])
    assert sum(times) == 270 + 1500
    assert times[-1] >= 1500


def test_race_holds_lasts_and_captions_as_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rmsprop_viz import export

    captions: list[str | None] = []
    real = export.save

    def spy(figure, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(figure, *args, **kwargs)
        captions.append(None if figure.caption is None else figure.caption.get_text())
        return result

    monkeypatch.setattr(export, "save", spy)
    out = tmp_path / "first.gif"
    argv = ["race", "--scene", "first-step", "--dpi", "20", "--no-progress", "--out", str(out)]
    assert cli.main([*argv, "--hold", "0.5", "--duration", "2", "--caption"]) == 0
    scene = rv.scenes.get("first-step")
    assert captions[0] is not None
    assert captions[0].split() == scene.caption.split()
    with Image.open(out) as image:
        assert image.n_frames == scene.n_steps + 1  # every step fits in 2 s at 30 fps
        times = []
        for i in range(image.n_frames):
            image.seek(i)
            times.append(image.info["duration"])
    assert sum(times) == pytest.approx(2000 + 500, abs=10)
    assert times[-1] >= 500
    recipe = _recipe(tmp_path / "first.json")
    assert (recipe["export"]["hold"], recipe["export"]["duration"], recipe["export"]["caption"]) == (0.5, 2.0, True)
    # the recipe replays the same export
    assert (
        cli.main(["race", "--recipe", str(tmp_path / "first.json"), "--no-progress", "--out", str(tmp_path / "b.gif")])
        == 0
    )
    assert captions[1] == captions[0]
    capsys.readouterr()
    assert cli.main([*argv[:-1], str(tmp_path / "c.gif"), "--hold", "11"]) == 2
    assert "hold must be" in capsys.readouterr().err


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


@pytest.mark.parametrize("command", ["race", "sweep"])
def test_minibatch_work_is_refused_before_running(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, "--surface", "minibatch", "--param", "n_samples=1000000", "--param", "batch_size=1000000"]
    argv += ["--steps", "1000"] + (["--out", str(tmp_path / "s.png")] if command == "sweep" else [])
    err = one_error_line(capsys, argv)
    assert "batch_size 1000000 x 1000 steps" in err
    assert "MAX_BATCH_WORK" in err


def test_a_sweep_counts_its_cells_in_the_minibatch_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The race itself is small (10000 x 10 steps x 4 racers); the sweep's 200 x 200 cells are not.
    argv = ["sweep", "--surface", "minibatch", "--param", "n_samples=10000", "--param", "batch_size=10000"]
    argv += ["--steps", "10", "--lr-range", "1e-3,1,200", "--beta-range", "0,0.9,200", "--out", str(tmp_path / "s.png")]
    err = one_error_line(capsys, argv)
    assert "batch_size 10000 x 10 steps x 40000 cells = 4000000000" in err
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


def test_the_best_cell_is_printed_as_the_figure_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rmsprop_viz.engine.best import best_cell
    from rmsprop_viz.plotting import sweep_figure

    argv = ["sweep", "--surface", "quadratic", "--lr-range", "0.001,0.3,7", "--beta-range", "0.5,0.99,5"]
    assert cli.main([*argv, "--steps", "60", "--dpi", "40", "--out", str(tmp_path / "s.png")]) == 0
    printed = capsys.readouterr().out.splitlines()[0]
    grid = {"lr": np.geomspace(0.001, 0.3, 7), "beta": np.linspace(0.5, 0.99, 5)}
    values = rv.sweep(rv.Quadratic(), rv.rmsprop, grid, n_steps=60, fixed={"eps": 1e-8})
    diverged = rv.sweep(rv.Quadratic(), rv.rmsprop, grid, n_steps=60, fixed={"eps": 1e-8}, metric="diverged")
    chosen = best_cell(values, diverged=diverged)
    assert chosen.index is not None
    i, j = chosen.index
    lr, beta = grid["lr"][i], grid["beta"][j]
    where = printed.split(" (")[0]
    shown = dict(v.split("=") for v in where.removeprefix("best: ").split(", "))
    assert list(shown) == ["lr", "beta"]
    # 3 significant digits: the value rounded so, and no more digits than that
    assert [float(shown["lr"]), float(shown["beta"])] == [float(f"{lr:.3g}"), float(f"{beta:.3g}")]
    assert all(len(text.split("e")[0].lstrip("0.").replace(".", "")) <= 3 for text in shown.values())
    fig = sweep_figure(grid, values, diverged, "final", chosen, n_steps=60)
    legend = [t.get_text() for ax in fig.axes for lg in [ax.get_legend()] if lg is not None for t in lg.get_texts()]
    assert where in legend  # the command line and the figure say the same
