"""How a command stops on SIGINT, SIGTERM or SIGHUP: the signal raises
:class:`Interrupted` in the main thread, the command unwinds (removing its temporary
files, ending ffmpeg) and exits with status 128 + the signal's number.

Python runs a signal's handler between two bytecodes of the main thread, wherever that
thread is. When it is inside a weak reference's callback or a ``__del__`` (matplotlib
runs many while it draws), Python cannot let the handler's exception through: it reports
it to :func:`sys.unraisablehook` and carries on, and the interrupt would be lost. While
:func:`signals_interrupt` is active, such an :class:`Interrupted` is sent again, so that
it is raised where the command can unwind.
"""

from __future__ import annotations

import queue
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["SIGNALS", "Interrupted", "report_interrupt", "signals_interrupt"]

#: The signals that stop a command.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived: unwind and exit with status 128 + ``signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Forwarder:
    """A thread that sends signals to the main thread when asked.

    Asking (:meth:`send`) never waits, so it is safe inside ``sys.unraisablehook``: a
    signal raised, or any wait, in the main thread itself would run the handler at once,
    inside the hook, where its exception would be swallowed again.
    """

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="rmsprop-viz signals", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        main = threading.main_thread().ident
        kill = getattr(signal, "pthread_kill", None)
        while (signum := self._requests.get()) is not None:
            if kill is None or main is None:  # pragma: no cover - not on POSIX
                signal.raise_signal(signum)
            else:
                kill(main, signum)

    def send(self, signum: int) -> None:
        """Have ``signum`` sent to the main thread."""
        self._requests.put(signum)

    def close(self) -> None:
        """Send what was asked for, then end the thread."""
        self._requests.put(None)
        self._thread.join()


@contextmanager
def signals_interrupt(received: list[int]) -> Iterator[None]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the
    main thread and are recorded in ``received``; the old handlers come back after.

    Only the first signal raises: a second one while the command unwinds is recorded but
    does not cut the cleanup short. An :class:`Interrupted` swallowed by a callback (see
    the module's docstring) is raised again.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    resent: list[int] = []  # signals sent again because their Interrupted was swallowed

    def interrupt(signum: int, frame: Any) -> None:
        if resent:
            resent.pop()
            raise Interrupted(received[0])
        received.append(signum)
        if len(received) == 1:
            raise Interrupted(signum)

    old_hook = sys.unraisablehook

    def unraisable(report: Any) -> None:
        if isinstance(report.exc_value, Interrupted):
            resent.append(report.exc_value.signum)
            forwarder.send(report.exc_value.signum)
        else:
            old_hook(report)

    forwarder = _Forwarder()
    old = {sig: signal.signal(sig, interrupt) for sig in SIGNALS}
    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        try:
            forwarder.close()  # a signal sent again is handled before the old handlers return
        finally:
            sys.unraisablehook = old_hook
            for sig, handler in old.items():
                signal.signal(sig, handler)


def report_interrupt(signum: int) -> int:
    """Say on stderr that signal ``signum`` stopped the command; return its exit status."""
    name = signal.Signals(signum).name
    print(f"rmsprop-viz: interrupted by {name}; no partial file is left", file=sys.stderr)
    return 128 + signum
