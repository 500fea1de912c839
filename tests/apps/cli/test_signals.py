"""A signal stops a command once, even when Python swallows the first interrupt, and
leaves the old files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any

import pytest

import rmsprop_viz as rv
from rmsprop_viz.apps import cli
from rmsprop_viz.apps.cli import commands
from rmsprop_viz.apps.cli.signals import Interrupted, signals_interrupt


class _Thing:
    pass


def _wait_for_an_interrupt(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.01)


def _signal_inside_a_callback(received: list[int]) -> None:
    # Python runs the handler inside the weak reference's callback (os.kill checks for
    # signals at once), cannot let its exception out of there, and carries on.
    with signals_interrupt(received):
        thing = _Thing()
        ref = weakref.ref(thing, lambda _: os.kill(os.getpid(), signal.SIGTERM))
        del thing
        assert ref() is None
        _wait_for_an_interrupt(5.0)


def test_an_interrupt_swallowed_by_a_callback_is_raised_again() -> None:
    received: list[int] = []
    hook, handler = sys.unraisablehook, signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted) as caught:
        _signal_inside_a_callback(received)
    assert caught.value.signum == signal.SIGTERM
    assert received == [signal.SIGTERM]
    assert sys.unraisablehook is hook
    assert signal.getsignal(signal.SIGTERM) is handler


def _two_signals(received: list[int]) -> None:
    with signals_interrupt(received):
        try:
            os.kill(os.getpid(), signal.SIGHUP)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # the cleanup goes on


def test_a_second_signal_while_unwinding_is_recorded_not_raised() -> None:
    received: list[int] = []
    with pytest.raises(Interrupted) as caught:
        _two_signals(received)
    assert caught.value.signum == signal.SIGHUP
    assert received == [signal.SIGHUP, signal.SIGTERM]


def test_an_error_that_follows_a_signal_is_not_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A library may turn the interrupt into an error of its own (matplotlib's Agg says
    # "Invalid affine transformation matrix"): the user is told of the signal only.
    def converted(args: object) -> int:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except Interrupted:
            raise ValueError("Invalid affine transformation matrix") from None
        return 0

    monkeypatch.setitem(commands.COMMANDS, "surfaces", converted)
    assert cli.main(["surfaces"]) == 128 + signal.SIGTERM
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["rmsprop-viz: interrupted by SIGTERM; no partial file is left"]


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
