"""A signal stops a command once, even when Python swallows the first interrupt."""

from __future__ import annotations

import os
import signal
import sys
import time
import weakref

import pytest

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
