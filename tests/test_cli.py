"""The command line: tables, listings and one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

import rmsprop_viz as rv
from rmsprop_viz import cli


def test_race_prints_one_row_per_optimizer(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["race", "--steps", "300"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer"))
    rows = lines[header + 2 :]
    assert [r.split()[0] for r in rows] == ["SGD", "Adagrad", "RMSProp", "Adam"]
    assert "lr=0.001" in rows[0]  # the learning rate used is shown
    # The final loss printed is the one the library computes.
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(0.03, beta=0.9, eps=1e-8), n_steps=300).final_value[0]
    assert f"{expected:.4g}" in rows[2]


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
        [sys.executable, "-m", "rmsprop_viz.cli", "race", "--surface", "nope"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
