"""The sweep command's second axis: RMSProp's beta by default, another parameter by name."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

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
