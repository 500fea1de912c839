"""The options that change a race: ``--beta`` is the kinds table's beta (RMSProp's), as
in the explorer; Adam's decays are set by name; ``--param`` is the surface's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
