"""The parser: one-line errors with exit status 2 for bad arguments, limits named in the
message, and help that reads like documentation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_checks import one_error_line

from rmsprop_viz.apps import cli


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
    assert expected in one_error_line(capsys, [*argv, "--steps", "5"])


@pytest.mark.parametrize("module", ["rmsprop_viz", "rmsprop_viz.apps.cli"])
def test_the_command_line_runs_as_a_module(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", module, "surfaces"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "(a - x)^2 + b (y - x^2)^2" in done.stdout
    done = subprocess.run([sys.executable, "-m", module, "race", "--steps", "0"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
