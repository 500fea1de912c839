"""Helpers of the robustness suite (imported by its test modules): one-line messages, sizes checked in a child process,
the command line in a real process, and a small disk.

Every promise here is checked from the outside: the exception type and its message,
the exit status and the standard error of the command line, and which files exist
afterwards (byte for byte).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import multiprocessing
import os
import re
import resource
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: How long a child may run before it counts as a hang (seconds).
TIMEOUT = float(os.environ.get("ROBUSTNESS_TIMEOUT", "60"))

#: Address space of a child: a size that is not checked shows up as a MemoryError, not
#: as a machine that swaps.
CHILD_MEMORY = 6 * 2**30

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


# ---------------------------------------------------------------------- messages


def numbers_in(message: str) -> list[float]:
    """Every number written in ``message`` (``1e6``, ``1_000_000``, ``2.5``, ``10**6``)."""
    found = []
    for power in re.finditer(r"(\d+)\s*\*\*\s*(\d+)", message):
        found.append(float(power.group(1)) ** float(power.group(2)))
    for match in _NUMBER.finditer(message):
        with contextlib.suppress(ValueError, OverflowError):
            found.append(float(match.group().replace("_", "")))
    return [x for x in found if math.isfinite(x)]


def assert_one_line(message: str) -> str:
    """The message is one non-empty line with no traceback; returns it stripped."""
    text = message.strip()
    assert text, "no message at all"
    assert "Traceback" not in text, f"a traceback instead of a message:\n{text}"
    assert "\n" not in text, f"more than one line:\n{text}"
    return text


def assert_names(message: str, *names: str) -> None:
    """Each of ``names`` appears in ``message`` (case-sensitive, as a parameter is spelt)."""
    for name in names:
        assert name in message, f"the message does not name {name!r}: {message!r}"


def assert_upper_limit(message: str, given: float) -> None:
    """The message names an upper limit: a number above 1 and below the value given."""
    assert any(1 < x < given for x in numbers_in(message)), f"no limit below {given:g} named in {message!r}"


def assert_lower_limit(message: str, given: float) -> None:
    """The message names a lower limit: a positive number above the value given."""
    assert any(given < x for x in numbers_in(message) if x > 0), f"no limit above {given:g} named in {message!r}"


def assert_value_error(call: Callable[[], Any], *names: str) -> str:
    """``call()`` raises a ValueError whose message is one line naming ``names``."""
    with pytest.raises(ValueError) as info:  # noqa: PT011 - the message is checked below
        call()
    message = assert_one_line(str(info.value))
    assert_names(message, *names)
    return message


# ------------------------------------------------------------- a guarded child


@dataclass
class Outcome:
    """What a call in a child process did: returned, raised, hung or died."""

    kind: str  # "returned", "raised", "hang", "died"
    error: str = ""  # exception class name
    message: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.error}: {self.message}".strip()


def _child(call: Callable[[], Any], conn: Any) -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    try:
        call()
    except BaseException as error:
        message = str(error)
        if not isinstance(error, ValueError):
            message += "\n" + "".join(traceback.format_exception(error)[-3:])
        conn.send(("raised", type(error).__name__, message))
    else:
        conn.send(("returned", "", ""))
    conn.close()
    os._exit(0)


def in_child(call: Callable[[], Any], timeout: float = TIMEOUT) -> Outcome:
    """Run ``call`` in a forked child with limited memory and a time limit."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(call, send), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            return Outcome("hang", "", f"no answer within {timeout:g} s")
        kind, error, message = receive.recv()
        return Outcome(kind, error, message)
    except EOFError:
        process.join(5)
        return Outcome("died", "", f"exit code {process.exitcode}")
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()


def assert_refused_in_child(call: Callable[[], Any], *names: str, above: float | None = None) -> str:
    """``call`` raises, quickly and without running out of memory, a one-line ValueError
    naming ``names`` (and an upper limit below ``above``)."""
    outcome = in_child(call)
    assert outcome.kind == "raised", str(outcome)
    assert outcome.error in ("ValueError", "ExportError"), str(outcome)
    message = assert_one_line(outcome.message)
    assert_names(message, *names)
    if above is not None:
        assert_upper_limit(message, above)
    return message


# -------------------------------------------------------------- the command line


@dataclass
class Result:
    status: int
    out: str
    err: str


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> Result:
    """``rmsprop_viz.apps.cli.main(args)`` in this process."""
    from rmsprop_viz.apps import cli as module

    capsys.readouterr()
    status = module.main([str(a) for a in args])
    captured = capsys.readouterr()
    return Result(status, captured.out, captured.err)


def assert_usage_error(result: Result, *names: str) -> str:
    """Exit status 2 and one line on stderr naming ``names``."""
    assert result.status == 2, f"exit status {result.status}; stderr: {result.err!r}"
    message = assert_one_line(result.err)
    assert_names(message, *names)
    return message


def _limited() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def cli_process(
    *args: Any, cwd: Path, timeout: float = TIMEOUT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m rmsprop_viz ARGS`` in a real process; a hang fails the test."""
    command = [sys.executable, "-m", "rmsprop_viz", *map(str, args)]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limited,
        start_new_session=True,
        env=env,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"rmsprop-viz {' '.join(map(str, args))} hung for more than {timeout:g} s")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def assert_process_usage_error(done: subprocess.CompletedProcess[str], *names: str) -> str:
    assert done.returncode == 2, f"exit status {done.returncode}; stderr: {done.stderr[-2000:]!r}"
    message = assert_one_line(done.stderr)
    assert_names(message, *names)
    return message


# -------------------------------------------------------------------- files


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (names relative to it) with its bytes; folders as b'<dir>'."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        try:
            out[key] = b"<dir>" if path.is_dir() else path.read_bytes()
        except FileNotFoundError:  # a file the command removed meanwhile (e.g. its directory probe)
            continue
    return out


def old_files(folder: Path, names: Sequence[str]) -> dict[str, bytes]:
    """Write recognisable 'old' contents under ``names``; returns the snapshot."""
    for name in names:
        (folder / name).write_bytes(f"old {name} from an earlier export\n".encode())
    return snapshot(folder)


@contextlib.contextmanager
def small_disk(folder: Path, free: int = 16_384, size: str = "2m") -> Iterator[Path]:
    """A folder on a file system with about ``free`` bytes left (a tmpfs)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, free: int = 16_384) -> None:
    """Fill the file system of ``folder`` up to ``free`` bytes."""
    filler = folder / "filler.bin"
    with filler.open("wb") as handle:
        block = b"\0" * 65536
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EFBIG):
                raise
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - free))


def recipe(**changes: Any) -> dict[str, Any]:
    """A small valid recipe written by hand: a bowl, SGD and RMSProp, five steps."""
    data: dict[str, Any] = {
        "format": "rmsprop_viz recipe",
        "version": 1,
        "name": "bowl",
        "title": "",
        "caption": "",
        "surface": {"name": "quadratic", "params": {"condition": 10.0, "angle": 0.0, "scale": 1.0}},
        "start": [-1.0, 1.0],
        "n_steps": 5,
        "optimizers": [
            {"factory": "sgd", "label": "SGD", "params": {"lr": 0.1, "momentum": 0.0, "nesterov": False}},
            {"factory": "rmsprop", "label": "RMSProp", "params": {"lr": 0.05, "beta": 0.9, "eps": 1e-8}},
        ],
        "export": {"command": "race", "fps": 10.0, "frames": 2, "dpi": 20.0, "three_d": False},
        "sweep": {
            "optimizer": "rmsprop",
            "lr_range": [0.001, 0.1, 3],
            "beta_range": [0.5, 0.9, 2],
            "metric": "final",
            "tol": 0.001,
        },
    }
    data.update(changes)
    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied
