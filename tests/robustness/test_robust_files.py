"""Files: staged atomically; with ``--force`` a failure or a signal leaves every old file
untouched and no temporary file behind; a second export beside the first works."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _robustness import (
    TIMEOUT,
    assert_one_line,
    assert_usage_error,
    cli,
    fill,
    old_files,
    small_disk,
    snapshot,
)


def _args(text: str) -> tuple[str, ...]:
    return tuple(text.split())


RACE = ("race", "--surface", "quadratic", "--steps", "5", "--frames", "3", "--dpi", "20", "--no-progress")
PLOT = ("plot", "--surface", "quadratic", "--steps", "5", "--dpi", "20")
SWEEP = _args("sweep --surface quadratic --steps 5 --lr-range 1e-3,0.1,3 --beta-range 0.5,0.9,2 --dpi 20")


# ------------------------------------------------------------------ a second export beside the first


@pytest.mark.parametrize(
    ("command", "first", "second"),
    [
        (RACE, "race.gif", "race.mp4"),
        (RACE, "race.gif", "race.png"),
        (PLOT, "plot.png", "plot.svg"),
        (SWEEP, "sweep.png", "sweep.pdf"),
    ],
    ids=["gif-then-mp4", "gif-then-png", "png-then-svg", "sweep-png-then-pdf"],
)
def test_a_second_export_beside_the_first(
    command: tuple[str, ...], first: str, second: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = cli(capsys, *command, "--out", tmp_path / first)
    assert result.status == 0, result.err
    recipe_path = (tmp_path / first).with_suffix(".json")
    recipe_before = recipe_path.read_bytes()
    result = cli(capsys, *command, "--out", tmp_path / second)
    assert result.status == 0, result.err
    assert (tmp_path / second).stat().st_size > 0
    assert recipe_path.read_bytes() == recipe_before
    companions = [recipe_path.name] + (["sweep.csv"] if command is SWEEP else [])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first, second, *companions])


def test_the_same_export_again_needs_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(capsys, *RACE, "--out", tmp_path / "race.gif").status == 0
    before = snapshot(tmp_path)
    message = assert_usage_error(cli(capsys, *RACE, "--out", tmp_path / "race.gif"), "race.gif", "--force")
    assert "exists" in message, message
    assert snapshot(tmp_path) == before


def test_a_different_recipe_beside_is_a_conflict_that_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli(capsys, *RACE, "--out", tmp_path / "race.gif").status == 0
    before = snapshot(tmp_path)
    changed = [*RACE]
    changed[changed.index("--steps") + 1] = "6"
    message = assert_usage_error(cli(capsys, *changed, "--out", tmp_path / "race.png"), "race.json")
    assert "differ" in message.replace(str(tmp_path), "FOLDER"), message
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------ --force: a rename that fails


def _failing_rename(monkeypatch: pytest.MonkeyPatch, targets: list[Path], fail_at: int) -> None:
    """Make the ``fail_at``-th rename onto one of ``targets`` fail, as a directory in the way would."""
    names = {str(t.resolve()) for t in targets}
    count = [0]

    def wrap(real: Callable[..., Any]) -> Callable[..., Any]:
        def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            if str(Path(os.fsdecode(dst)).resolve()) in names and str(Path(os.fsdecode(src)).resolve()) not in names:
                count[0] += 1
                if count[0] == fail_at:
                    raise IsADirectoryError(errno.EISDIR, "Is a directory", os.fsdecode(dst))
            return real(src, dst, *args, **kwargs)

        return rename

    monkeypatch.setattr(os, "replace", wrap(os.replace))
    monkeypatch.setattr(os, "rename", wrap(os.rename))


FORCED = {
    "race-first": (RACE, "race.gif", (".gif", ".json"), 1),
    "race-second": (RACE, "race.gif", (".gif", ".json"), 2),
    "plot-first": (PLOT, "plot.png", (".png", ".json"), 1),
    "plot-second": (PLOT, "plot.png", (".png", ".json"), 2),
    "sweep-second": (SWEEP, "sweep.png", (".png", ".csv", ".json"), 2),
    "sweep-third": (SWEEP, "sweep.png", (".png", ".csv", ".json"), 3),
}


@pytest.mark.parametrize("case", list(FORCED))
def test_force_keeps_every_old_file_when_a_rename_fails(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, out, suffixes, fail_at = FORCED[case]
    targets = [(tmp_path / out).with_suffix(s) for s in suffixes]
    before = old_files(tmp_path, [t.name for t in targets])
    _failing_rename(monkeypatch, targets, fail_at)
    result = cli(capsys, *command, "--out", tmp_path / out, "--force")
    monkeypatch.undo()
    assert result.status in (1, 2), f"exit status {result.status}; {result.err!r}"
    assert_one_line(result.err)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("command", "out", "suffixes"),
    [(PLOT, "plot.png", (".png", ".json")), (SWEEP, "sweep.png", (".png", ".csv", ".json"))],
    ids=["plot", "sweep"],
)
def test_force_keeps_every_old_file_when_drawing_fails_half_way(
    command: tuple[str, ...],
    out: str,
    suffixes: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib.figure import Figure

    before = old_files(tmp_path, [Path(out).with_suffix(s).name for s in suffixes])
    real = Figure.savefig

    def half_written(self: Figure, fname: Any, *args: Any, **kwargs: Any) -> None:
        real(self, fname, *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", half_written)
    result = cli(capsys, *command, "--out", tmp_path / out, "--force")
    monkeypatch.undo()
    assert result.status in (1, 2), f"exit status {result.status}; {result.err!r}"
    assert_one_line(result.err)
    assert snapshot(tmp_path) == before


def test_a_directory_in_the_way_of_the_recipe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "race.gif").write_bytes(b"old animation")
    (tmp_path / "race.json").mkdir()
    (tmp_path / "race.json" / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    result = cli(capsys, *RACE, "--out", tmp_path / "race.gif", "--force")
    assert result.status in (1, 2), f"exit status {result.status}; {result.err!r}"
    assert "race.json" in assert_one_line(result.err)
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------ a full disk


DISK = {
    "race-gif": (
        _args("race --surface quadratic --steps 60 --frames 60 --dpi 60 --no-progress"),
        "race.gif",
        (".gif", ".json"),
    ),
    "race-mp4": (
        _args("race --surface quadratic --steps 60 --frames 60 --dpi 60 --no-progress"),
        "race.mp4",
        (".mp4", ".json"),
    ),
    "plot-png": (("plot", "--surface", "quadratic", "--steps", "5", "--dpi", "100"), "plot.png", (".png", ".json")),
    "sweep-png": (
        _args("sweep --surface quadratic --steps 5 --lr-range 1e-3,0.1,40 --beta-range 0.5,0.9,40 --dpi 100"),
        "sweep.png",
        (".png", ".csv", ".json"),
    ),
}


@pytest.mark.parametrize("case", list(DISK))
def test_a_full_disk_keeps_the_old_files(case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    command, out, suffixes = DISK[case]
    with small_disk(tmp_path / "disk") as disk:
        old_files(disk, [Path(out).with_suffix(s).name for s in suffixes])
        fill(disk, free=8192)
        before = snapshot(disk)
        result = cli(capsys, *command, "--out", disk / out, "--force")
        after = snapshot(disk)
    assert result.status in (1, 2), f"exit status {result.status}; {result.err!r}"
    message = assert_one_line(result.err)
    assert "space" in message.lower(), message
    assert after == before


def test_a_full_disk_leaves_no_partial_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    command, out, _ = DISK["plot-png"]
    with small_disk(tmp_path / "disk") as disk:
        fill(disk, free=8192)
        before = snapshot(disk)
        result = cli(capsys, *command, "--out", disk / out)
        after = snapshot(disk)
    assert result.status in (1, 2), f"exit status {result.status}; {result.err!r}"
    assert_one_line(result.err)
    assert after == before


# ------------------------------------------------------------------ signals


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP}
LONG_RACE = ("race", "--surface", "quadratic", "--steps", "3000", "--frames", "3000", "--dpi", "50", "--no-progress")


#: The command line with matplotlib's savefig made slow: the file is written, then the
#: process waits, so that a signal surely arrives while an output is half done.
SLOW_SAVEFIG = """
import sys, time
from matplotlib.figure import Figure
real = Figure.savefig
def slow(self, *args, **kwargs):
    real(self, *args, **kwargs)
    for _ in range(600):  # short sleeps: a signal taken by another thread (tqdm's monitor)
        time.sleep(0.1)   # is handled in the main thread between them, as it would be in real work
Figure.savefig = slow
from rmsprop_viz.apps.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _interrupt(
    args: tuple[str, ...],
    folder: Path,
    signum: int,
    ready: Callable[[subprocess.Popen[str]], bool],
    *,
    slow_savefig: bool = False,
) -> tuple[int, str]:
    """Start the command, wait until ``ready``, send ``signum``; returns the exit status
    and what it wrote on stderr."""
    program = ["-c", SLOW_SAVEFIG] if slow_savefig else ["-m", "rmsprop_viz"]
    process = subprocess.Popen(
        [sys.executable, *program, *args],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children: set[int] = set()
    err = ""
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None and not ready(process):
            children.update(_children(process.pid))
            time.sleep(0.02)
        if process.poll() is not None:
            err = process.communicate()[1]
            pytest.fail(f"it ended before the signal, with status {process.returncode}: {err.strip()[-500:]}")
        children.update(_children(process.pid))
        process.send_signal(signum)
        try:
            err = process.communicate(timeout=TIMEOUT)[1]
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {TIMEOUT:g} s after the signal")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(c) for c in children):
            time.sleep(0.05)
        left = [c for c in children if _alive(c)]
        assert not left, f"child processes still running after the signal: {left}"
        assert "Traceback" not in err, err
        return int(process.returncode), err.strip()[-500:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        for child in children:
            if _alive(child):
                os.kill(child, signal.SIGKILL)


@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_a_signal_during_an_export(name: str, suffix: str, tmp_path: Path) -> None:
    signum = SIGNALS[name]
    out = "race" + suffix
    before = old_files(tmp_path, [out, "race.json"])

    def writing(process: subprocess.Popen[str]) -> bool:
        started = set(snapshot(tmp_path)) - set(before)
        if suffix == ".mp4":
            return bool(started) and bool(_children(process.pid))
        return bool(started)

    status, err = _interrupt((*LONG_RACE, "--out", out, "--force"), tmp_path, signum, writing)
    assert status == 128 + signum, f"exit status {status}, not {128 + signum}; stderr: {err!r}"
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize(
    ("command", "out", "suffixes"),
    [(SWEEP, "sweep.png", (".png", ".csv", ".json")), (PLOT, "plot.png", (".png", ".json"))],
    ids=["sweep", "plot"],
)
def test_a_signal_while_a_figure_is_written(
    name: str, command: tuple[str, ...], out: str, suffixes: tuple[str, ...], tmp_path: Path
) -> None:
    signum = SIGNALS[name]
    before = old_files(tmp_path, [Path(out).with_suffix(s).name for s in suffixes])
    started = time.monotonic()

    def writing(process: subprocess.Popen[str]) -> bool:
        # A new (temporary) file has appeared; or, if the figure is written to memory
        # first, the command has been waiting in savefig for a while.
        return bool(set(snapshot(tmp_path)) - set(before)) or time.monotonic() - started > 25

    status, err = _interrupt((*command, "--out", out, "--force"), tmp_path, signum, writing, slow_savefig=True)
    assert status == 128 + signum, f"exit status {status}, not {128 + signum}; stderr: {err!r}"
    assert snapshot(tmp_path) == before
