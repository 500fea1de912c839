"""The command line: one line on stderr naming the option and exit status 2, never a
traceback; sizes limited before anything runs; ``--param base.KEY`` for nested surfaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from _robustness import (
    assert_lower_limit,
    assert_one_line,
    assert_process_usage_error,
    assert_upper_limit,
    assert_usage_error,
    cli,
    cli_process,
)

FAST = ("--steps", "5", "--no-progress")

# ------------------------------------------------------------------ sizes (real processes: a hang is a failure)

SIZES: dict[str, tuple[tuple[str, ...], str, float, str]] = {
    "race-steps": (("race", "--steps", "1000000000000"), "--steps", 1e12, "upper"),
    "race-out-steps": (("race", "--steps", "1000000000000", "--out", "r.gif"), "--steps", 1e12, "upper"),
    "race-frames": (("race", *FAST, "--frames", "1000000000000", "--out", "r.gif"), "--frames", 1e12, "upper"),
    "race-dpi": (("race", *FAST, "--dpi", "1000000", "--out", "r.png"), "--dpi", 1e6, "upper"),
    "race-fps-high": (("race", *FAST, "--fps", "1000000000", "--out", "r.gif"), "--fps", 1e9, "upper"),
    "race-fps-low": (("race", *FAST, "--fps", "1e-9", "--out", "r.gif"), "--fps", 1e-9, "lower"),
    "plot-dpi": (("plot", "--steps", "5", "--dpi", "1000000", "--out", "p.png"), "--dpi", 1e6, "upper"),
    "sweep-steps": (
        ("sweep", "--steps", "1000000000000", "--lr-range", "1e-3,1,2", "--out", "s.png"),
        "--steps",
        1e12,
        "upper",
    ),
    "sweep-grid": (
        ("sweep", "--steps", "5", "--lr-range", "1e-4,1,100000", "--beta-range", "0,0.99,100000", "--out", "s.png"),
        "-range",
        1e10,
        "upper",
    ),
    "minibatch-n_samples": (
        ("race", "--surface", "minibatch", "--param", "n_samples=1000000000000", "--steps", "5"),
        "n_samples",
        1e12,
        "upper",
    ),
    "minibatch-batch_size": (
        ("race", "--surface", "minibatch", "--param", "batch_size=1000000000000", "--steps", "5"),
        "batch_size",
        1e12,
        "upper",
    ),
}


@pytest.mark.parametrize("case", list(SIZES))
def test_sizes_are_limited_before_anything_runs(case: str, tmp_path: Path) -> None:
    args, name, given, end = SIZES[case]
    done = cli_process(*args, cwd=tmp_path)
    message = assert_process_usage_error(done, name)
    if end == "upper":
        assert_upper_limit(message, given)
    else:
        assert_lower_limit(message, given)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ------------------------------------------------------------------ bad options (in this process)

BAD = {
    "steps-text": (("race", "--steps", "abc"), "--steps"),
    "steps-zero": (("race", "--steps", "0"), "--steps"),
    "start-three": (("race", "--start", "1,2,3"), "--start"),
    "lr-negative": (("race", *FAST, "--lr", "-1"), "lr"),
    "lr-nan": (("race", *FAST, "--lr", "nan"), "lr"),
    "beta-one": (("race", *FAST, "--beta", "1.5"), "beta"),
    "lr-unknown-param": (("race", *FAST, "--lr", "rmsprop.bogus=1"), "bogus"),
    "optimizers-unknown": (("race", "--optimizers", "lbfgs"), "lbfgs"),
    "surface-unknown": (("race", "--surface", "banana"), "banana"),
    "scene-unknown": (("race", "--scene", "nowhere"), "nowhere"),
    "param-text": (("race", *FAST, "--surface", "quadratic", "--param", "condition=abc"), "condition"),
    "param-unknown": (("race", *FAST, "--surface", "quadratic", "--param", "bogus=1"), "bogus"),
    "param-list": (("race", *FAST, "--surface", "quadratic", "--param", "condition=1,2"), "condition"),
    "param-flag-text": (("race", *FAST, "--surface", "noisy", "--param", "seed=yes"), "seed"),
    "base-condition-low": (("race", *FAST, "--surface", "noisy", "--param", "base.condition=0.5"), "condition"),
    "out-suffix": (("race", *FAST, "--out", "race.xyz"), "--out"),
    "out-folder": (("race", *FAST, "--out", "no/such/folder/race.gif"), "--out"),
    "dpi-zero": (("race", *FAST, "--dpi", "0", "--out", "r.png"), "--dpi"),
    "fps-zero": (("race", *FAST, "--fps", "0", "--out", "r.gif"), "--fps"),
    "frames-one": (("race", *FAST, "--frames", "1", "--out", "r.gif"), "--frames"),
    "recipe-missing": (("race", "--recipe", "missing.json"), "--recipe"),
    "sweep-range-reversed": (("sweep", "--lr-range", "1,0.1,5", "--out", "s.png"), "--lr-range"),
    "sweep-metric": (("sweep", "--metric", "fastest", "--out", "s.png"), "--metric"),
    "sweep-tol": (("sweep", "--tol", "0", "--out", "s.png"), "--tol"),
    "plot-no-out": (("plot", "--steps", "5"), "--out"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_options_give_one_line_and_status_2(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args, name = BAD[case]
    assert_usage_error(cli(capsys, *args), name)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("surface", ["noisy", "shifting"])
def test_param_base_reaches_the_surface_inside(
    surface: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(capsys, "race", *FAST, "--surface", surface, "--param", "base.condition=50")
    assert result.status == 0, result.err
    assert "condition=50" in result.out
    plot = ("plot", "--steps", "5", "--dpi", "20", "--surface", surface, "--param", "base.condition=50")
    result = cli(capsys, *plot, "--out", "p.png")
    assert result.status == 0, result.err
    written = (tmp_path / "p.json").read_text()
    assert '"condition": 50' in written


IMPOSSIBLE = {
    "quadratic-condition": ("quadratic", "condition=1e300"),
    "quadratic-scale-tiny": ("quadratic", "scale=1e-300"),
    "rosenbrock-a": ("rosenbrock", "a=1e200"),
    "shifting-shift": ("shifting", "shift=1e300,0"),
}


@pytest.mark.parametrize("case", list(IMPOSSIBLE))
def test_a_surface_that_cannot_be_drawn_is_named_or_drawn(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    surface, param = IMPOSSIBLE[case]
    result = cli(
        capsys, "plot", "--steps", "5", "--dpi", "20", "--surface", surface, "--param", param, "--out", "p.png"
    )
    if result.status == 0:
        assert (tmp_path / "p.png").stat().st_size > 0
    else:
        assert_usage_error(result, param.split("=")[0])
        assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_real_process_never_prints_a_traceback(tmp_path: Path) -> None:
    done = cli_process("race", "--steps", "abc", cwd=tmp_path)
    message = assert_process_usage_error(done, "--steps")
    assert_one_line(message)
