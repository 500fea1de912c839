"""The ``rmsprop-viz`` command line.

``rmsprop-viz race`` runs optimizers on a surface (or a preset scene), prints how each
did and, with ``--out``, animates the race to a GIF, MP4, HTML page or PNG.
``rmsprop-viz plot`` draws the finished race, ``rmsprop-viz sweep`` maps the final loss
over a grid of learning rates and decays, ``rmsprop-viz scenes`` lists the classroom
presets and ``rmsprop-viz surfaces`` the loss surfaces.

Every file written comes with a JSON *recipe* beside it (``race.gif`` -> ``race.json``)
that ``--recipe`` turns back into exactly the same runs. Every mistake in the arguments
gives a one-line message and exit status 2.

Matplotlib is imported only by the commands that draw, so a race that only prints its
table starts quickly.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from rmsprop_viz.apps.cli.commands import COMMANDS
from rmsprop_viz.apps.cli.parser import UsageError, build_parser, glue_negative_points
from rmsprop_viz.apps.cli.values import EXIT_IO, EXIT_USAGE

__all__ = ["build_parser", "main"]


class _Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived: unwind (removing temporary files, ending ffmpeg)
    and exit with status 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _signals_interrupt(received: list[int]) -> Iterator[None]:
    """While the command runs, SIGINT, SIGTERM and SIGHUP raise :class:`_Interrupted` in
    the main thread (recorded in ``received``); the old handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        received.append(signum)
        if len(received) == 1:  # a second signal while unwinding does not cut the cleanup short
            raise _Interrupted(signum)

    old = {sig: signal.signal(sig, interrupt) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _interrupted(signum: int) -> int:
    name = signal.Signals(signum).name
    print(f"rmsprop-viz: interrupted by {name}; no partial file is left", file=sys.stderr)
    return 128 + signum


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``rmsprop-viz``; returns the exit status.

    0 on success, 2 for a mistake in the arguments or a recipe (one line on stderr), 1
    when a file cannot be read or written, 128 + N when signal N (SIGINT, SIGTERM,
    SIGHUP) stopped the command. Files are written all at once or not at all, so an
    interrupted command leaves no partial file, and old files it would have replaced are
    unchanged unless every new file was already in place.
    """
    received: list[int] = []
    try:
        with _signals_interrupt(received):
            status = _main(argv)
    except _Interrupted as error:
        return _interrupted(error.signum)
    # A signal may also have ended the command another way (e.g. ffmpeg, which shares the
    # terminal's SIGINT, stopped first): the status still says it was interrupted.
    return _interrupted(received[0]) if received else status


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(glue_negative_points(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        handler = COMMANDS[args.command]
        with np.errstate(all="ignore"):
            return handler(args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:  # includes the animation's ExportError
        message = " ".join(str(error).split())
        print(f"rmsprop-viz: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError as error:  # a last resort: every size should have been checked before
        print(f"rmsprop-viz: error: not enough memory for this request ({error}); ask for less", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. '| head'): stop quietly, without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        text = str(error.strerror or error)
        where = str(error.filename or "")
        print(f"rmsprop-viz: error: {text}" + (f": {where}" if where and where not in text else ""), file=sys.stderr)
        return EXIT_IO
    except _Interrupted:
        raise
    except KeyboardInterrupt:
        print("rmsprop-viz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
